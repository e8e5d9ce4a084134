// One-thing services (高效办成一件事) over the workflow engine: bundles and
// their notice, the one form with prefill, applications with their materials,
// each department's decisions on its part (approve, reject, 补正), electronic
// certificates anyone can verify, 好差评 ratings and the figures.
//
// How an application moves (DESIGN §3: modules react to committed events):
//   Apply commits the application and "service.application.submitted";
//   the reaction (OnApplicationEvent, run by an audit::Consumer) starts the
//   bundle's process in its own transaction and brings the parts in line
//   with the user tasks the process opened. A department's decision commits
//   the part (and its certificate) with "service.part.approved|rejected";
//   the reaction completes the part's user task with `<part>_approved`
//   (true/false) so gateways can branch on it. Whatever else moves the
//   process (timers, jobs, messages) is followed by OnWorkflowEvent. Every
//   reaction is exactly once, across restarts and nodes.
//
// Who may do what: anyone reads the services and verifies a certificate;
// a signed-in account applies and sees its own applications; staff of a
// part's department (identity::Action::kServiceHandle in that unit) see the
// application and decide that part; leaders and supervisors
// (kServiceOversee) read every application in their subtree and the
// figures; administrators (kServiceManage) define services. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "files/file.h"
#include "identity/identity_service.h"
#include "services/application.h"
#include "services/bundle.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "workflow/workflow_service.h"

namespace xietong::services {

// The services module's tables; needs identity, audit, files and workflow.
const storage::Schema& Schema();

// A bundle as the notice shows it: the definition with its departments' names.
struct ServiceView {
  Bundle bundle;
  std::vector<std::string> unit_names;  // per part, in order
  std::int64_t applications = 0;        // ever made (services and notices only)
};

struct Prefill {
  json::Json values = json::Json::object();
  json::Json sources = json::Json::object();  // key → "account" | "previous"
};

struct ApplyInput {
  std::string service = {};  // code
  json::Json form = json::Json::object();
  MaterialIds materials = {};
  std::string idempotency_key = {};
};

struct CertificateView {
  std::string code, number, title, title_en, part, holder, issued_by;
  Timestamp issued_at = 0;
  std::string application_number, service_title, service_title_en;
};

// An application as its reader may see it.
struct ApplicationView {
  Application app;
  ServiceView service;  // the version the application was made under
  std::vector<CertificateView> certificates;
  bool masked = false;  // personal fields were masked for this reader
};

struct QueueItem {
  ApplicationView view;
  std::string part_key;
};

// The figures of one period (applications submitted in [from, to)).
struct PartFigure {
  std::string service_code, service_title, part_key, part_title, unit_code, unit_name;
  std::int64_t decided = 0, on_time = 0, corrections = 0;
  int promised_days = 0;
  double mean_days = 0;  // working days from reaching the part to the decision, pauses excluded
};
struct ServiceFigure {
  std::string service_code, service_title;
  std::int64_t applications = 0, completed = 0, on_time = 0, ratings = 0, good = 0;
  int promised_days = 0;
  double mean_days = 0, mean_score = 0;
};
struct UnitFigure {
  std::string unit_code, unit_name;
  std::int64_t decided = 0, on_time = 0, ratings = 0;
  double mean_score = 0;
};
struct Figures {
  std::vector<PartFigure> parts;
  std::vector<ServiceFigure> services;
  std::vector<UnitFigure> units;
};
Result<std::string> FiguresCsv(const Figures& f);
Result<std::string> FiguresXlsx(const Figures& f, std::string_view period);

class ServicesService {
 public:
  static constexpr int kMaxList = 500;

  ServicesService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                  identity::IdentityService& identity, workflow::WorkflowService& workflow,
                  const WorkCalendar& calendar)
      : db_(db),
        clock_(clock),
        ids_(ids),
        identity_(identity),
        workflow_(workflow),
        calendar_(calendar) {}

  // A new version of the service `definition.code` (ParseBundle's format).
  // Its process must be deployed and every part's key must be a user task in it.
  Result<Bundle> Define(const identity::Principal& actor, const json::Json& definition);
  Result<std::vector<ServiceView>> Services();
  Result<ServiceView> Service(std::string_view code);
  Result<Prefill> PrefillFor(const identity::Principal& actor, std::string_view code);

  Result<ApplicationView> Apply(const identity::Principal& actor, const ApplyInput& in);
  Result<ApplicationView> Get(const identity::Principal& actor, std::string_view id);
  struct ListQuery {
    std::string status = {};   // "" = any
    std::string service = {};  // a code; "" = any
    int limit = 50;
  };
  Result<std::vector<ApplicationView>> List(const identity::Principal& actor, const ListQuery& q);
  // The caller's departments' parts: "open" (in review), "correction" or "decided".
  Result<std::vector<QueueItem>> Queue(const identity::Principal& actor, std::string_view state,
                                       int limit);

  Result<ApplicationView> Approve(const identity::Principal& actor, std::string_view id,
                                  std::string_view part, std::string comment);
  Result<ApplicationView> Reject(const identity::Principal& actor, std::string_view id,
                                 std::string_view part, std::string reason);
  Result<ApplicationView> AskCorrection(const identity::Principal& actor, std::string_view id,
                                        std::string_view part, std::string reason,
                                        std::vector<std::string> items);
  // The applicant sends what the departments asked for; nothing else may change.
  Result<ApplicationView> Correct(const identity::Principal& actor, std::string_view id,
                                  const json::Json& form, const MaterialIds& materials);
  Result<ApplicationView> Rate(const identity::Principal& actor, std::string_view id, int score,
                               std::vector<std::string> reasons, std::string comment);
  // A material's file, for those who may read the application.
  Result<files::File> Material(const identity::Principal& actor, std::string_view id,
                               std::string_view file_id);

  // Public: what a certificate's code proves (the holder masked).
  Result<CertificateView> Verify(std::string_view code);

  Result<Figures> FiguresOf(const identity::Principal& actor, Timestamp from, Timestamp to);

  // Reactions (run inside an audit::Consumer's transaction).
  Result<void> OnApplicationEvent(storage::Executor& ex, const audit::Event& e);
  Result<void> OnWorkflowEvent(storage::Executor& ex, const audit::Event& e);
  // Called after a command commits (the platform wakes the consumers).
  void SetOnCommit(std::function<void()> f) { on_commit_ = std::move(f); }

 private:
  using Decide = std::function<Result<void>(Application&, const Bundle&)>;
  Result<ApplicationView> DecidePart(const identity::Principal& actor, std::string_view id,
                                     std::string_view part, std::string_view action,
                                     const Decide& decide);
  // A version of a bundle by id; versions never change, so they are kept.
  Result<std::optional<Bundle>> BundleOf(storage::Executor& ex, const std::string& id);
  // count: also count the service's applications (the notice shows it).
  Result<ServiceView> ViewOf(storage::Executor& ex, Bundle b, bool count);
  Result<ApplicationView> Viewed(storage::Executor& ex, const identity::Principal& actor,
                                 Application a);
  // Whether actor may read the application, and whether unmasked.
  enum class Access { kNone, kMasked, kFull };
  Access AccessTo(const identity::Principal& actor, const Application& a);
  std::vector<std::string> HandledUnits(const identity::Principal& actor);
  // Org units by code and by id, reloaded when older than a minute or when
  // fresh is set; read outside transactions only.
  struct UnitDirectory {
    std::map<std::string, identity::OrgUnit> by_code;
    std::map<std::string, std::string> code_by_id;
    Timestamp loaded_at = 0;
  };
  Result<std::shared_ptr<const UnitDirectory>> Units(bool fresh = false);
  std::string UnitName(std::string_view code);
  Result<void> SyncWithProcess(storage::Executor& ex, Application& a, std::string_view actor);
  Result<void> Save(storage::Executor& ex, Application& a);
  void Committed() const {
    if (on_commit_) on_commit_();
  }

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  workflow::WorkflowService& workflow_;
  const WorkCalendar& calendar_;
  std::function<void()> on_commit_;
  std::mutex mutex_;
  std::shared_ptr<const UnitDirectory> units_;  // GUARDED_BY(mutex_)
  std::map<std::string, Bundle> bundles_;       // GUARDED_BY(mutex_): by version id
};

}  // namespace xietong::services
