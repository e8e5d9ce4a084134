// Early warning (预警, 未诉先办) as a service: the live reaction that feeds the
// detector (warning.h) with every committed intake, the warnings it raises
// with their evidence, the admin rules beside the statistical ones, and the
// commands on a warning (escalate to an incident, dismiss).
//
// Live. OnEvent is the handler of the durable consumer "emergency.warnings"
// (action prefix "request."): it reads category (matter_id) and street_id
// from the request.received payload, keeps the detector in memory and writes
// only what changes — a raised warning (+ one audit event
// "emergency.warning.raised"), an update of its evidence, a quiet one — in
// the consumer's transaction, so effects and cursor commit together. Every
// snapshot_every events the detector's state is saved in the same
// transaction with the seq it covers. On the first event after a start, or
// when an event comes again (its batch rolled back), the detector is rebuilt
// from the snapshot plus the committed events after it (fed without effects,
// which were committed already): exactly once across restarts.
//
// Targets. A warning goes to the street's unit and to the units its requests
// were dispatched to (request.dispatched, seen by the same consumer). It is
// visible to whoever may read requests of one of those units (their staff and
// everyone above: city-level supervisors); others get NotFound.
//
// Commands (each authorize → load → decide → store + one audit event):
// escalate (kIncidentCommand; IncidentService::Open with source_warning_id,
// then the warning is marked escalated), dismiss (kRequestSupervise over a
// target unit, with a note), rules CRUD (kMatterManage over the whole city).
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.h"
#include "audit/consumer.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "emergency/incident_service.h"
#include "emergency/warning.h"
#include "identity/identity.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::emergency {

struct EscalateInput {
  std::string type = {};  // "" = from the warning (keyword, else "other")
  int level = kLevelLeastSevere;
  std::string unit_id = {};  // the commanding unit; "" = the opener's first allowed
  std::string title = {};    // "" = from the warning
};

struct RuleInput {
  std::string category = {}, street_id = {};
  int threshold = 0, window_hours = 0;
  bool enabled = true;
};

class WarningService {
 public:
  static constexpr int kMaxList = 500;

  WarningService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                 requests::RequestService& requests, const WorkCalendar* calendar,
                 warning::Options options = {}, int snapshot_every = 20000);

  // Set once at wiring (escalate answers Unavailable without it).
  void SetIncidents(IncidentService* incidents) { incidents_ = incidents; }

  static audit::ConsumerOptions ConsumerOptions();
  // The detector's keywords found in a request's words: wired into
  // RequestService::SetKeywordFinder, so request.received carries them.
  // Thread-safe (the keywords are fixed at construction).
  std::vector<std::string> KeywordsIn(std::string_view title, std::string_view text) const {
    return warning::KeywordsIn(keywords_, title, text);
  }
  // The named places in an intake's words, for RequestService::SetPlaceFinder
  // (warning::PlacesIn). Thread-safe.
  std::vector<std::string> PlacesIn(std::string_view title, std::string_view text) const {
    return warning::PlacesIn(title, text);
  }
  // The consumer's handler (see above).
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);
  // The consumer's prepare step (audit::ConsumerPrepare): parses a batch's
  // payloads before its write transaction, so OnEvent holds the writer only
  // to feed the detector. A cache; OnEvent parses what it does not find.
  void Prepare(const std::vector<audit::Event>& events);

  Result<std::vector<warning::Warning>> List(const identity::Principal& actor,
                                             std::optional<warning::Status> status, int limit);
  Result<warning::Warning> Get(const identity::Principal& actor, std::string_view id);
  Result<Incident> Escalate(const identity::Principal& actor, std::string_view id,
                            const EscalateInput& in);
  Result<warning::Warning> Dismiss(const identity::Principal& actor, std::string_view id,
                                   std::string_view note);

  Result<std::vector<warning::StoredRule>> Rules(const identity::Principal& actor);
  Result<warning::StoredRule> CreateRule(const identity::Principal& actor, const RuleInput& in);
  Result<warning::StoredRule> UpdateRule(const identity::Principal& actor, std::string_view id,
                                         const RuleInput& in);
  Result<void> DeleteRule(const identity::Principal& actor, std::string_view id);

 private:
  // What Feed needs from one event's payload.
  struct Parsed {
    bool received = false;  // request.received (else a dispatch or transfer)
    warning::Observation observation;
    std::string unit_id;  // a dispatch's or transfer's unit
  };
  static std::optional<Parsed> Parse(const audit::Event& e);
  std::optional<Parsed> TakePrepared(std::int64_t seq);

  Result<void> Rebuild(storage::Executor& ex, std::int64_t upto);
  Result<void> Feed(storage::Executor& ex, const audit::Event& e, bool effects);
  Result<void> Raise(storage::Executor& ex, const warning::Alert& a, Timestamp now);
  Result<std::vector<std::string>> Targets(const warning::Alert& a);
  bool Visible(const identity::Principal& actor, const warning::Warning& w);
  Result<warning::Warning> Load(storage::Executor& ex, const identity::Principal& actor,
                                std::string_view id);
  Result<void> ReloadRules();

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  requests::RequestService& requests_;
  IncidentService* incidents_ = nullptr;
  const int snapshot_every_;
  const std::vector<std::string> keywords_;

  std::mutex mutex_;
  warning::Detector detector_;       // GUARDED_BY(mutex_)
  bool loaded_ = false;              // GUARDED_BY(mutex_)
  std::int64_t fed_seq_ = 0;         // GUARDED_BY(mutex_)
  std::int64_t since_snapshot_ = 0;  // GUARDED_BY(mutex_)
  std::unordered_map<std::string, std::string>
      dispatched_to_;  // request → unit; GUARDED_BY(mutex_)

  std::mutex prepared_mutex_;
  std::unordered_map<std::int64_t, Parsed> prepared_;  // seq →; GUARDED_BY(prepared_mutex_)
};

}  // namespace xietong::emergency
