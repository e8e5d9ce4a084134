// Platform: the wiring of one xietong process — data directory, database
// (migrated), clock, ids, instance signing key and the module services.
// Every subcommand opens one; it owns everything it creates. Not copyable;
// its services are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "app/collab_requests.h"
#include "audit/consumer.h"
#include "audit/signing_key.h"
#include "collab/collab_service.h"
#include "collab/notify_service.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "emergency/crowd_service.h"
#include "emergency/incident_service.h"
#include "emergency/warning_service.h"
#include "exchange/exchange_service.h"
#include "files/file_service.h"
#include "identity/identity_service.h"
#include "insight/capacity_service.h"
#include "insight/evaluation_service.h"
#include "insight/forecast_service.h"
#include "insight/hotspot_service.h"
#include "insight/job_runner.h"
#include "insight/report_service.h"
#include "insight/routing_service.h"
#include "insight/staffing_service.h"
#include "matters/matter_service.h"
#include "participation/deliberation_service.h"
#include "participation/points_service.h"
#include "requests/request_service.h"
#include "services/services_service.h"
#include "storage/database.h"
#include "workflow/workflow_service.h"

namespace xietong::app {

struct PlatformOptions {
  std::string data_dir = "var";
  std::string database;  // empty: SQLite at <data_dir>/xietong.db
  std::string calendar;  // empty: the shipped data/calendar/cn.json
  int readers = 4;
};

class Platform {
 public:
  static Result<std::unique_ptr<Platform>> Open(const PlatformOptions& options);

  storage::Database& db() { return *db_; }
  const Clock& clock() const { return clock_; }
  IdGenerator& ids() { return ids_; }
  identity::IdentityService& identity() { return *identity_; }
  matters::MatterService& matters() { return *matters_; }
  requests::RequestService& requests() { return *requests_; }
  files::FileService& files() { return *files_; }
  workflow::WorkflowService& workflow() { return *workflow_; }
  services::ServicesService& services() { return *services_; }
  exchange::ExchangeService& exchange() { return *exchange_; }
  collab::CollabService& collab() { return *collab_; }
  // Collab's notifications and webhooks (a reaction and periodic passes of consumers()).
  collab::NotifyService& notify() { return *notify_; }
  // The requests as collab sees them (a task force's linked requests).
  collab::RequestDirectory& collab_requests() { return *collab_requests_; }
  // Early warning (预警): fed by the reaction "emergency.warnings".
  emergency::WarningService& warnings() { return *warnings_; }
  // Crowd reports (救命文档): public intake, verification, the public view.
  emergency::CrowdReportService& crowd_reports() { return *crowd_reports_; }
  // Incidents (应急协同): command, needs, resources, commitments, the map.
  emergency::IncidentService& incidents() { return *incidents_; }
  // 积分制: the points ledger, fed by the participation.* reactions (awards).
  participation::PointsService& points() { return *points_; }
  // 议事厅: proposals, meetings, participatory budgets (progress by reaction, RunDue every minute).
  participation::DeliberationService& deliberation() { return *deliberation_; }
  // 决策支持 (issue 19): hotspots for the dashboard; the insight jobs `serve` runs.
  insight::HotspotService& hotspots() { return *hotspots_; }
  // Targets and the monthly evaluation (考核): RAG table, ranking, publishing, weights.
  insight::EvaluationService& evaluation() { return *evaluation_; }
  insight::JobRunner& jobs() { return *jobs_; }
  // Request-volume forecasts (the latest run in memory; `xietong forecast`, the nightly job)
  // and the hotline's seats per half-hour from them.
  insight::ForecastService& forecasts() { return *forecasts_; }
  insight::StaffingService& staffing() { return *staffing_; }
  // Capacity and what-if: a baseline per node over the forecasts, scenarios as arithmetic on it.
  insight::CapacityService& capacity() { return *capacity_; }
  // The monthly report (接诉即办工作月报), generated once per closed month and stored.
  insight::ReportService& reports() { return *reports_; }
  // The routing model's record of operators' decisions and its accuracy per version.
  insight::RoutingService& routing() { return *routing_; }
  const audit::SigningKey& key() const { return *key_; }
  const WorkCalendar& calendar() const { return *calendar_; }
  const PlatformOptions& options() const { return options_; }
  // This process among the nodes sharing the database (consumers' leases).
  const std::string& node_id() const { return node_id_; }
  // The reactions to committed events of every module; `serve` runs them.
  audit::ConsumerRunner& consumers() { return consumers_; }

 private:
  Platform() = default;
  PlatformOptions options_;
  SystemClock clock_;
  IdGenerator ids_{clock_};
  std::unique_ptr<storage::Database> db_;
  std::optional<audit::SigningKey> key_;
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<requests::RequestService> requests_;
  std::unique_ptr<workflow::WorkflowService> workflow_;
  std::unique_ptr<services::ServicesService> services_;
  std::unique_ptr<exchange::ExchangeService> exchange_;
  std::unique_ptr<CollabRequests> collab_requests_;
  std::unique_ptr<collab::CollabService> collab_;
  std::unique_ptr<collab::NotifyService> notify_;
  std::unique_ptr<emergency::WarningService> warnings_;
  std::unique_ptr<emergency::CrowdReportService> crowd_reports_;
  std::unique_ptr<emergency::IncidentService> incidents_;
  std::unique_ptr<participation::PointsService> points_;
  std::unique_ptr<participation::DeliberationService> deliberation_;
  std::unique_ptr<insight::HotspotService> hotspots_;
  std::unique_ptr<insight::ForecastService> forecasts_;
  std::unique_ptr<insight::StaffingService> staffing_;
  std::unique_ptr<insight::CapacityService> capacity_;
  std::unique_ptr<insight::EvaluationService> evaluation_;
  std::unique_ptr<insight::ReportService> reports_;
  std::unique_ptr<insight::RoutingService> routing_;
  std::string node_id_;
  // Insight's long jobs on their own thread; stopped (destroyed) before the services they use.
  std::unique_ptr<insight::JobRunner> jobs_;
  // The reactions (audit/consumer.h) the runner below polls.
  std::vector<std::unique_ptr<audit::Consumer>> reactions_;
  // Declared last: stopped (destroyed) before the services its consumers use.
  audit::ConsumerRunner consumers_;
};

// The database URL a data directory and --database flag resolve to.
std::string DatabaseUrl(const PlatformOptions& options);
// Public keys whose checkpoints verify: this instance's (if it has one) and
// the lines of <data_dir>/keys/trusted.pub. Creates nothing.
Result<std::set<std::string>> TrustedKeys(const std::string& data_dir);
// Applies every module's migrations (in dependency order).
Result<int> Migrate(storage::Database& db, Timestamp now);

}  // namespace xietong::app
