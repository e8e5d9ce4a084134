#include "app/platform.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "audit/audit_log.h"
#include "emergency/schema.h"
#include "exchange/remote.h"
#include "insight/schema.h"
#include "participation/reactions.h"
#include "participation/schema.h"
#include "requests/rates.h"
#include "storage/migrations.h"

namespace xietong::app {

std::string DatabaseUrl(const PlatformOptions& options) {
  if (!options.database.empty()) return options.database;
  return "sqlite:" + (std::filesystem::path(options.data_dir) / "xietong.db").string();
}

Result<int> Migrate(storage::Database& db, Timestamp now) {
  return storage::ApplySchemas(
      db,
      {&requests::Schema(), &workflow::Schema(), &services::Schema(), &exchange::Schema(),
       &collab::Schema(), &emergency::Schema(), &participation::Schema(), &insight::Schema()},
      now);
}

Result<std::set<std::string>> TrustedKeys(const std::string& data_dir) {
  std::set<std::string> keys;
  const auto dir = std::filesystem::path(data_dir) / "keys";
  std::error_code ec;
  if (std::filesystem::exists(dir / "instance.key", ec)) {
    XT_ASSIGN_OR_RETURN(auto key, audit::SigningKey::LoadOrCreate((dir / "instance.key").string()));
    keys.insert(key.PublicKeyHex());
  }
  std::ifstream trusted(dir / "trusted.pub");
  for (std::string line; std::getline(trusted, line);) {
    if (!line.empty() && line[0] != '#') keys.insert(line.substr(0, 64));
  }
  return keys;
}

Result<std::unique_ptr<Platform>> Platform::Open(const PlatformOptions& options) {
  std::unique_ptr<Platform> p(new Platform());
  p->options_ = options;
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec)
    return Fail(Error::Unavailable(
        fmt::format("cannot create the data directory {}: {}", options.data_dir, ec.message())));
  XT_ASSIGN_OR_RETURN(
      auto calendar,
      WorkCalendar::LoadFile(options.calendar.empty() ? DefaultCalendarPath() : options.calendar));
  p->calendar_.emplace(std::move(calendar));
  XT_ASSIGN_OR_RETURN(p->db_, storage::OpenDatabase({.url = DatabaseUrl(options),
                                                     .reader_connections = options.readers}));
  XT_TRY_VOID(Migrate(*p->db_, p->clock_.Now()));
  XT_ASSIGN_OR_RETURN(
      auto key, audit::SigningKey::LoadOrCreate(
                    (std::filesystem::path(options.data_dir) / "keys" / "instance.key").string()));
  p->key_.emplace(std::move(key));
  p->node_id_ = fmt::format("node-{}", p->ids_.Next());
  p->identity_ = std::make_unique<identity::IdentityService>(*p->db_, p->clock_, p->ids_);
  p->matters_ = std::make_unique<matters::MatterService>(*p->db_, p->clock_, p->ids_);
  p->files_ = std::make_unique<files::FileService>(*p->db_, p->clock_, p->ids_);
  p->requests_ = std::make_unique<requests::RequestService>(
      *p->db_, p->clock_, p->ids_, *p->calendar_, *p->identity_, *p->matters_);
  p->workflow_ = std::make_unique<workflow::WorkflowService>(*p->db_, p->clock_, p->ids_,
                                                             *p->identity_, &*p->calendar_);
  p->services_ = std::make_unique<services::ServicesService>(
      *p->db_, p->clock_, p->ids_, *p->identity_, *p->workflow_, *p->calendar_);
  p->exchange_ = std::make_unique<exchange::ExchangeService>(*p->db_, p->clock_, p->ids_,
                                                             *p->identity_, exchange::FetchRemote);
  p->collab_ = std::make_unique<collab::CollabService>(*p->db_, p->clock_, p->ids_, *p->calendar_,
                                                       *p->identity_);
  p->collab_requests_ = std::make_unique<CollabRequests>(*p->requests_);
  p->collab_->SetRequestDirectory(p->collab_requests_.get());
  // One-thing applications move their processes, and follow them, by
  // reacting to committed events (services_service.h).
  services::ServicesService* svc = p->services_.get();
  p->reactions_.push_back(std::make_unique<audit::Consumer>(
      *p->db_, p->clock_, p->node_id_,
      audit::ConsumerOptions{.name = "services.applications", .action_prefix = "service."},
      [svc](storage::Executor& ex, const audit::Event& e) {
        return svc->OnApplicationEvent(ex, e);
      }));
  p->reactions_.push_back(std::make_unique<audit::Consumer>(
      *p->db_, p->clock_, p->node_id_,
      audit::ConsumerOptions{.name = "services.workflow", .action_prefix = "workflow."},
      [svc](storage::Executor& ex, const audit::Event& e) { return svc->OnWorkflowEvent(ex, e); }));
  // Collab's notifications: a reaction to its events, reminders and
  // escalations due, and the webhooks' outbox (collab/notify_service.h).
  p->notify_ = std::make_unique<collab::NotifyService>(*p->db_, p->clock_, p->ids_, *p->identity_,
                                                       exchange::PostRemote);
  collab::NotifyService* notify = p->notify_.get();
  p->reactions_.push_back(std::make_unique<audit::Consumer>(
      *p->db_, p->clock_, p->node_id_,
      audit::ConsumerOptions{.name = "collab.notify", .action_prefix = "collab."},
      [notify](storage::Executor& ex, const audit::Event& e) { return notify->OnEvent(ex, e); }));
  // Deadlines are looked at every 10 s; the outbox at every poll.
  p->consumers_.AddPeriodic([notify, clock = &p->clock_, last = Timestamp{0}]() mutable {
    if (const Timestamp now = clock->Now(); now - last >= 10 * kMicrosPerSecond) {
      last = now;
      if (auto r = notify->RemindDue(); !r)
        spdlog::warn("collab reminders failed: {}", r.error().message);
    }
    if (auto r = notify->DeliverDue(); !r)
      spdlog::warn("webhook deliveries failed: {}", r.error().message);
  });
  // Early warning watches intake: a reaction to request.* events (warning_service.h).
  p->warnings_ = std::make_unique<emergency::WarningService>(*p->db_, p->clock_, p->ids_,
                                                             *p->requests_, &*p->calendar_);
  emergency::WarningService* warnings = p->warnings_.get();
  p->requests_->SetKeywordFinder([warnings](std::string_view title, std::string_view text) {
    return warnings->KeywordsIn(title, text);
  });
  p->requests_->SetPlaceFinder([warnings](std::string_view title, std::string_view text) {
    return warnings->PlacesIn(title, text);
  });
  p->reactions_.push_back(std::make_unique<audit::Consumer>(
      *p->db_, p->clock_, p->node_id_, emergency::WarningService::ConsumerOptions(),
      [warnings](storage::Executor& ex, const audit::Event& e) { return warnings->OnEvent(ex, e); },
      [warnings](const std::vector<audit::Event>& events) { warnings->Prepare(events); }));
  p->crowd_reports_ =
      std::make_unique<emergency::CrowdReportService>(*p->db_, p->clock_, p->ids_, *p->collab_);
  p->incidents_ = std::make_unique<emergency::IncidentService>(*p->db_, p->clock_, p->ids_,
                                                               *p->identity_, *p->collab_);
  {
    emergency::CrowdReportService* crowd = p->crowd_reports_.get();
    p->incidents_->SetCrowdLayer([crowd](std::string_view id) { return crowd->MapLayer(id); });
    // Duplicate candidates are found after intake: a reaction to emergency.report.* events.
    p->reactions_.push_back(std::make_unique<audit::Consumer>(
        *p->db_, p->clock_, p->node_id_, emergency::CrowdReportService::ConsumerOptions(),
        [crowd](storage::Executor& ex, const audit::Event& e) { return crowd->OnEvent(ex, e); }));
  }
  p->warnings_->SetIncidents(p->incidents_.get());  // escalate opens an incident
  // 情况报告 on each incident's schedule, looked at every minute (claimed per round: one node
  // sends).
  p->consumers_.AddPeriodic(
      [incidents = p->incidents_.get(), clock = &p->clock_, last = Timestamp{0}]() mutable {
        if (const Timestamp now = clock->Now(); now - last >= 60 * kMicrosPerSecond) {
          last = now;
          if (auto r = incidents->SendDueSituationReports(); !r)
            spdlog::warn("scheduled 情况报告 failed: {}", r.error().message);
        }
      });
  // 多元参与 (issue 18): points awarded and proposals' progress followed by reacting to the
  // events of requests, crowd reports, collab and deliberation itself (participation/reactions.h).
  // As plan §4.1 has it, each consumer calls the ledger's awards and then deliberation's progress
  // in its one transaction (each returns at once for actions it does not know).
  p->points_ = std::make_unique<participation::PointsService>(*p->db_, p->clock_, p->ids_,
                                                              *p->identity_, *p->key_);
  p->deliberation_ = std::make_unique<participation::DeliberationService>(
      *p->db_, p->clock_, p->ids_, *p->identity_, *p->collab_, *p->requests_);
  for (audit::ConsumerOptions& reaction : participation::Reactions()) {
    p->reactions_.push_back(std::make_unique<audit::Consumer>(
        *p->db_, p->clock_, p->node_id_, std::move(reaction),
        [points = p->points_.get(), deliberation = p->deliberation_.get()](
            storage::Executor& ex, const audit::Event& e) -> Result<void> {
          XT_TRY_VOID(points->OnEvent(ex, e));
          return deliberation->OnEvent(ex, e);
        }));
  }
  // Proposals expire and budgets open and close on time, looked at every minute (each change
  // claimed by a compare-and-set: one node makes it).
  p->consumers_.AddPeriodic(
      [deliberation = p->deliberation_.get(), clock = &p->clock_, last = Timestamp{0}]() mutable {
        if (const Timestamp now = clock->Now(); now - last >= 60 * kMicrosPerSecond) {
          last = now;
          if (auto r = deliberation->RunDue(); !r)
            spdlog::warn("participation's due proposals and budgets failed: {}", r.error().message);
        }
      });
  // 决策支持 (issue 19): hotspots, and insight's long jobs on their own thread (`serve` starts it).
  p->hotspots_ = std::make_unique<insight::HotspotService>(*p->requests_);
  p->forecasts_ = std::make_unique<insight::ForecastService>(
      *p->db_, p->clock_, p->ids_, *p->calendar_, *p->requests_, *p->matters_, *p->identity_);
  p->staffing_ = std::make_unique<insight::StaffingService>(*p->db_, p->clock_, *p->forecasts_,
                                                            *p->requests_, *p->identity_);
  p->capacity_ =
      std::make_unique<insight::CapacityService>(*p->db_, p->clock_, *p->calendar_, *p->forecasts_,
                                                 *p->requests_, *p->matters_, *p->identity_);
  p->evaluation_ =
      std::make_unique<insight::EvaluationService>(*p->db_, p->clock_, p->ids_, *p->requests_);
  p->reports_ = std::make_unique<insight::ReportService>(
      *p->db_, p->clock_, p->ids_, *p->requests_, *p->matters_, *p->hotspots_, p->forecasts_.get());
  p->jobs_ = std::make_unique<insight::JobRunner>(*p->db_, p->clock_, p->node_id_);
  // The nightly forecast run (02:00, and once when a city first serves, so it has forecasts on
  // its first day).
  p->jobs_->Add(p->forecasts_->NightlyJob(p->node_id_));
  // The routing model learns from operators: each intake's suggestions and the category decided
  // in the end, recorded by a reaction to request.* events (insight/routing_service.h).
  p->routing_ = std::make_unique<insight::RoutingService>(*p->db_, p->clock_, p->ids_,
                                                          *p->requests_, *p->matters_);
  p->reactions_.push_back(std::make_unique<audit::Consumer>(
      *p->db_, p->clock_, p->node_id_, insight::RoutingService::ConsumerOptions(),
      [routing = p->routing_.get()](storage::Executor& ex, const audit::Event& e) {
        return routing->OnEvent(ex, e);
      }));
  // It retrains nightly (03:00) when enough was decided; every node suggests with the active
  // stored model, looked for every minute (the first time at start, after a model file).
  p->jobs_->Add(p->routing_->NightlyJob());
  p->consumers_.AddPeriodic(
      [routing = p->routing_.get(), clock = &p->clock_, last = Timestamp{0}]() mutable {
        if (const Timestamp now = clock->Now(); last == 0 || now - last >= 60 * kMicrosPerSecond) {
          last = now;
          if (auto r = routing->LoadActive(); !r)
            spdlog::warn("loading the active routing model failed: {}", r.error().message);
        }
      });
  for (auto& r : p->reactions_) p->consumers_.Add(*r);
  Platform* raw = p.get();
  p->services_->SetOnCommit([raw] { raw->consumers_.Nudge(); });
  p->collab_->AddOnCommit([raw] { raw->consumers_.Nudge(); });
  p->points_->AddOnCommit([raw] { raw->consumers_.Nudge(); });
  p->deliberation_->AddOnCommit([raw] { raw->consumers_.Nudge(); });
  // One person, one vote across the accounts linked to one identity number.
  p->deliberation_->SetVoterKeysFinder(
      [exchange =
           p->exchange_.get()](std::string_view account_id) -> Result<std::vector<std::string>> {
        XT_ASSIGN_OR_RETURN(auto person, exchange->PersonOf(account_id));
        std::vector<std::string> keys;
        if (!person) return keys;
        keys.push_back("person:" + person->digest);
        for (const auto& id : person->account_ids) keys.push_back("account:" + id);
        return keys;
      });
  XT_ASSIGN_OR_RETURN(const int indexed, p->requests_->IndexUnsearchable());
  if (indexed > 0) spdlog::info("indexed {} requests for search", indexed);
  spdlog::info("opened {} (data directory {})", p->db_->Describe(), options.data_dir);
  return p;
}

}  // namespace xietong::app
