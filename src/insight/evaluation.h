// The monthly evaluation (考核) of units (issue 19, docs/plans/decision-support.md §5.3): the
// weights the city sets, the score, the ranking with ties and a minimum sample, the tournament
// flags (先进 / 需改进), the improvement on last month, and the formula printed beside the
// ranking. Pure: no clock, no SQL; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "insight/indicators.h"

namespace xietong::insight {

// By Indicator; Σ = 1, each in [0, 1].
using IndicatorWeights = std::array<double, kIndicators>;
// response 0.10, resolution 0.40, satisfaction 0.40, overdue 0.10, one-thing 0.
IndicatorWeights DefaultWeights();
// InvalidArgument naming the weight out of [0, 1], or the sum when it is not 1 (to 1e-6).
Result<void> ValidateWeights(const IndicatorWeights& w);
inline constexpr std::int64_t kDefaultMinDispatched = 20;

// The score sᵢ of an indicator's value: the value, or 1 − value for the overdue share.
double IndicatorScore(Indicator i, double value);
// 100 · Σ wᵢ·sᵢ / Σ wᵢ over the indicators with a value and a weight > 0; nullopt when none.
std::optional<double> ScoreOf(const IndicatorValues& values, const IndicatorWeights& w);

// The formula in words, e.g. "考核得分 = 10%×响应率 + 40%×解决率 + 40%×满意率 + 10%×（1 −
// 超期率）；某项无数据时，按其余指标的权重重新归一；当月派单少于20件的单位不参与排名。"
// Indicators of weight 0 are left out.
std::string FormulaText(const IndicatorWeights& w, std::int64_t min_dispatched);

struct EvaluationInput {
  std::string unit_id = {};
  std::string unit_name = {};
  std::int64_t dispatched = 0;
  IndicatorValues values = {};
  std::optional<double> last_score = std::nullopt;  // last month's score, for the improvement
  RagStatus rag = RagStatus::kGrey;                 // worst status against the unit's targets
};

struct EvaluationRow {
  int rank = 0;  // 1 = best; 0 when not ranked
  std::string unit_id = {};
  std::string unit_name = {};
  std::int64_t dispatched = 0;
  IndicatorValues values = {};
  std::optional<double> score = std::nullopt;
  std::optional<double> improvement = std::nullopt;  // score − last month's
  int improvement_rank = 0;                          // 1 = improved most; 0 without one
  std::string flag = {};                             // "先进", "需改进" or ""
  bool ranked = false;
  std::string note = {};  // why not ranked
  RagStatus rag = RagStatus::kGrey;
};

// Units with dispatched ≥ min_dispatched are ranked, best score first; scores equal to 1e-6
// share a rank (1, 1, 3) and are listed by dispatched (descending), then unit id. The others
// follow, unranked, with the note "样本不足，不参与排名". Of n ranked units the top n/5 (by
// rank) are "先进" and the bottom n/5 "需改进" (none when fewer than 5). Improvement ranks rank
// the ranked units that have one the same way.
std::vector<EvaluationRow> Rank(std::vector<EvaluationInput> units, const IndicatorWeights& w,
                                std::int64_t min_dispatched);

}  // namespace xietong::insight
