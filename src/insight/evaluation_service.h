// Targets and the monthly evaluation (考核) of units (issue 19, docs/plans/decision-support.md
// §5): leaders set indicator targets per unit or unit kind and period; the RAG table shows each
// unit against the targets in effect with a three-month trend; the evaluation ranks streets and
// townships, or departments, by the weighted score the city set, and a publish freezes a month
// (each revision kept, with the sha256 of its rows).
//
// Reads need the figures permission over the unit (RequestService::FiguresPath: leaders,
// supervisors, unit leads, administrators, data officers of the unit or above); targets of a
// unit need insight.manage over it; kind-wide targets, weights and publishing need it at the
// city. Each change: authorize → load → decide (indicators.h, evaluation.h) → store
// (target_store.h) + one audit event, in one transaction. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/json.h"
#include "identity/identity.h"
#include "insight/evaluation.h"
#include "insight/indicators.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::insight {

// "street" (streets and townships) or "department".
enum class UnitKindFilter { kStreet, kDepartment };
std::string_view UnitKindFilterName(UnitKindFilter k);
Result<UnitKindFilter> ParseUnitKindFilter(std::string_view s);

struct Target {
  std::string id = {};
  std::string scope = {};  // "unit" | "kind"
  std::string unit_id = {};
  std::string unit_kind = {};  // for scope kind
  std::string period = {};     // yyyy-mm | yyyy-Qn | yyyy | *
  Indicator indicator = Indicator::kResponse;
  double target = 0;
  double amber_margin = kDefaultAmberMargin;
  std::string set_by = {};
  Timestamp set_at = 0;
  std::int64_t version = 0;
};

struct TargetInput {
  std::string unit_id = {};    // either a unit …
  std::string unit_kind = {};  // … or a kind (street | department)
  std::string period = {};
  std::string indicator = {};
  double target = 0;
  double amber_margin = kDefaultAmberMargin;
  std::int64_t version = 0;  // the version read (If-Match); 0: the target must be new
};

// The target a unit is held to for one indicator, and where it comes from.
struct EffectiveTarget {
  Indicator indicator = Indicator::kResponse;
  double target = 0;
  double amber_margin = kDefaultAmberMargin;
  std::string source = {};  // "unit:2026-11", "kind:*", "default"
  std::string id = {};      // "" for the default
  std::int64_t version = 0;
};

struct IndicatorStatus {
  IndicatorValue value = {};
  RagStatus rag = RagStatus::kGrey;
  std::array<std::optional<double>, 3> trend = {};  // months m−2, m−1, m
  Arrow arrow = Arrow::kNone;
};

struct UnitTargets {
  std::string unit_id = {};
  std::string unit_name = {};
  std::string kind = {};  // "street" | "department"
  std::array<EffectiveTarget, kIndicators> targets = {};
  std::optional<std::array<IndicatorStatus, kIndicators>> status = std::nullopt;  // with a month
  RagStatus overall = RagStatus::kGrey;
};

struct TargetsQuery {
  std::string unit_id = {};  // the units under it; "" = the city
  std::optional<UnitKindFilter> kind = std::nullopt;
  std::string month = {};  // "": targets in effect this month, no status
};

struct TargetsAnswer {
  std::string month = {};
  std::vector<UnitTargets> units = {};
  std::vector<Target> stored = {};  // the stored targets that apply under the unit
};

struct WeightsRecord {
  std::string period = "*";
  IndicatorWeights weights = DefaultWeights();
  std::int64_t min_dispatched = kDefaultMinDispatched;
  std::string set_by = {};
  Timestamp set_at = 0;
  std::int64_t version = 0;        // 0: nothing stored for the period
  std::string source = "default";  // "2026-11", "*" or "default": where they come from
};

struct PublishedInfo {
  std::int64_t revision = 0;
  Timestamp published_at = 0;
  std::string sha256 = {};
  std::string reason = {};
};

struct EvaluationAnswer {
  std::string month = {};
  UnitKindFilter kind = UnitKindFilter::kStreet;
  WeightsRecord weights = {};
  std::string formula = {};
  std::optional<PublishedInfo> published = std::nullopt;
  std::vector<EvaluationRow> rows = {};        // live figures (empty when answering a snapshot)
  json::Json rows_json = json::Json::array();  // the rows as answered (and published)
};

// The rows as the API answers and a publish stores them (canonical: the sha256 is over
// rows_json.dump()).
json::Json EvaluationRowsJson(const std::vector<EvaluationRow>& rows);
json::Json WeightsJson(const IndicatorWeights& w);

class EvaluationService {
 public:
  EvaluationService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                    requests::RequestService& requests);

  Result<TargetsAnswer> Targets(const identity::Principal& actor, const TargetsQuery& q);
  // Upserts the list in one transaction (all or nothing); Conflict when a row's version is
  // stale, NotFound for an unknown unit, InvalidArgument for a bad period, indicator or value.
  Result<std::vector<Target>> PutTargets(const identity::Principal& actor,
                                         std::vector<TargetInput> in);
  Result<void> DeleteTarget(const identity::Principal& actor, std::string_view id,
                            std::int64_t if_match);

  // The ranking of a month: live, or the latest published revision with `published`
  // (NotFound when none).
  Result<EvaluationAnswer> Evaluation(const identity::Principal& actor, std::string_view month,
                                      UnitKindFilter kind, bool published);
  // Freezes the month's live ranking as the next revision; a revision after the first needs a
  // reason.
  Result<EvaluationAnswer> Publish(const identity::Principal& actor, std::string_view month,
                                   UnitKindFilter kind, std::string reason);

  // The weights in effect for a period (yyyy-mm, or "*" for the standing ones).
  Result<WeightsRecord> Weights(const identity::Principal& actor, std::string_view period);
  Result<WeightsRecord> PutWeights(const identity::Principal& actor, std::string_view period,
                                   const IndicatorWeights& w, std::int64_t min_dispatched,
                                   std::int64_t if_match);

 private:
  struct Live;
  Result<Live> Compute(const identity::Principal& actor, std::string_view month,
                       UnitKindFilter kind);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  requests::RequestService& requests_;
};

}  // namespace xietong::insight
