// The routing model learns from operators (issue 19, docs/plans/decision-support.md §7): every
// intake's suggestions and the category decided become a row of insight_intake_decisions, and
// the administrator sees how well the model suggested, per model version.
//
// OnEvent is the durable reaction `insight.intake` (an audit::Consumer over `request.` events,
// started at the beginning of the chain so it backfills): request.received stores what intake
// suggested (suggested_by, suggestions, model_version, auto_routed, intake_seconds) and the
// category chosen; request.dispatched / transferred / reopened that name a matter_id set the
// final category (recategorised when a category was already given). Exactly once by the
// consumer's cursor; a replayed received event changes nothing.
//
// Retraining (§7.3): a candidate trained on the requests decided before the last 30 days is
// scored with the active model on those 30 days and promoted or rejected by Promotes
// (routing_model.h); models live in the database (routing_store.h) so that every node, polling
// LoadActive every minute, suggests with the same one. The nightly job `routing.retrain` runs at
// 03:00 when at least 50 requests were decided since the active model's data.
//
// Accuracy needs insight.manage at the root (the city's administrators and leaders; a
// supervisor of the centre holds it only over the centre). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "audit/consumer.h"
#include "core/clock.h"
#include "core/id.h"
#include "identity/identity.h"
#include "insight/job_runner.h"
#include "insight/routing_model.h"
#include "insight/routing_store.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"
#include "storage/database.h"
#include "text/classifier.h"

namespace xietong::insight {

// What a retraining did (plan §7.3).
struct RetrainOutcome {
  store::ModelRow model = {};               // as stored: active (promoted) or rejected
  HoldoutScore candidate = {};              // trained before the holdout window, scored on it
  std::optional<HoldoutScore> active = {};  // the model active then, on the same holdout
  bool promoted = false;
  std::string skipped = {};  // not trained (too few new decisions): why; model is then empty
};

struct RetrainOptions {
  Timestamp holdout_window = 30 * kMicrosPerDay;  // decided in it: the holdout
  Timestamp history = 365 * kMicrosPerDay;        // decided in it: the training data
  std::size_t max_requests = 100'000;             // the newest this many at most
  std::int64_t min_new = 50;  // decided since the active model's data_to, for the nightly job
};

struct RoutingAccuracyReport {
  std::string month = {};  // yyyy-mm: requests received in it
  RoutingAccuracy accuracy = {};
};

class RoutingService {
 public:
  RoutingService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                 requests::RequestService& requests, matters::MatterService& matters);

  // The consumer's name, prefix and start (the beginning of the chain).
  static audit::ConsumerOptions ConsumerOptions();
  // Runs inside the consumer's transaction (never opens one); events other
  // than the four it knows, and payloads it cannot read, are passed over.
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);

  // §7.4 over the requests received in month (yyyy-mm, Asia/Shanghai):
  // InvalidArgument for another shape, PermissionDenied without
  // insight.manage at the root.
  Result<RoutingAccuracyReport> Accuracy(const identity::Principal& actor, std::string_view month);

  // Trains a candidate on the requests decided before the holdout window,
  // scores it and the active model on the holdout, and stores it: promoted
  // (trained again on everything, version N+1 active, the previous one
  // retired, loaded here at once) or rejected with its figures; events
  // insight.model.trained and .activated or .rejected. Unless `force`, does
  // nothing (skipped) while fewer than options.min_new requests were decided
  // since the active model's data. PermissionDenied without insight.manage
  // and matter.manage at the root; Conflict with fewer than 20
  // decided requests in two categories. Long (seconds to a minute).
  Result<RetrainOutcome> Retrain(const identity::Principal& actor, bool force,
                                 const RetrainOptions& options = {});
  // The stored routing models, newest version first (the same permission).
  Result<std::vector<store::ModelRow>> Models(const identity::Principal& actor);
  // Makes a stored model the active one (a rollback): the active one is
  // retired; event insight.model.activated. NotFound for an unknown id;
  // Conflict for a model whose bytes are unreadable.
  Result<store::ModelRow> Activate(const identity::Principal& actor, std::string_view model_id);
  // Loads the active model into RequestService when it is not the one this
  // node loaded last (every node calls it every minute); true when it did.
  // No active model: nothing changes (the model file or the keywords stay).
  Result<bool> LoadActive();
  // `routing.retrain`, nightly at 03:00 (not at a node's first start).
  JobSpec NightlyJob();

 private:
  Result<std::shared_ptr<const text::Normalizer>> OpenNormalizer();
  // Makes model (stored as row) the one intake suggests with on this node.
  void Use(std::shared_ptr<const text::Classifier> model, const store::ModelRow& row);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  requests::RequestService& requests_;
  matters::MatterService& matters_;
  std::mutex retrain_mutex_;  // one retraining at a time on this node
  std::mutex mutex_;
  std::shared_ptr<const text::Normalizer> normalizer_;  // GUARDED_BY(mutex_), opened when needed
  std::string loaded_id_;                               // GUARDED_BY(mutex_): the model in use
};

}  // namespace xietong::insight
