#include "insight/evaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace xietong::insight {
namespace {

// Scores that differ only by floating-point noise rank together.
std::int64_t ScoreKey(double score) { return std::llround(score * 1e6); }

std::string Percent(double w) {
  // 0.1 × 100 = 10.000000000000002: rounded to 0.01 points first.
  return fmt::format("{:g}%", std::round(w * 10000) / 100);
}

}  // namespace

IndicatorWeights DefaultWeights() { return {0.10, 0.40, 0.40, 0.10, 0.0}; }

Result<void> ValidateWeights(const IndicatorWeights& w) {
  double sum = 0;
  for (Indicator i : kAllIndicators) {
    const double x = w[static_cast<int>(i)];
    if (!std::isfinite(x) || x < 0 || x > 1)
      return Fail(Error::InvalidArgument(
                      fmt::format("the weight of {} must be between 0 and 1", IndicatorName(i)))
                      .About(std::string(IndicatorName(i)), "out_of_range"));
    sum += x;
  }
  if (std::abs(sum - 1) > 1e-6)
    return Fail(Error::InvalidArgument(
                    fmt::format("the weights must add up to 1 (100%); they add up to {:g}", sum))
                    .About("weights", "sum"));
  return {};
}

double IndicatorScore(Indicator i, double value) { return HigherIsBetter(i) ? value : 1 - value; }

std::optional<double> ScoreOf(const IndicatorValues& values, const IndicatorWeights& w) {
  double weighted = 0, total = 0;
  for (Indicator i : kAllIndicators) {
    const auto& v = values[static_cast<int>(i)];
    const double wi = w[static_cast<int>(i)];
    if (!v.value || wi <= 0) continue;
    weighted += wi * IndicatorScore(i, *v.value);
    total += wi;
  }
  if (total <= 0) return std::nullopt;
  return 100 * weighted / total;
}

std::string FormulaText(const IndicatorWeights& w, std::int64_t min_dispatched) {
  std::string terms;
  for (Indicator i : kAllIndicators) {
    const double wi = w[static_cast<int>(i)];
    if (wi <= 0) continue;
    if (!terms.empty()) terms += " + ";
    terms += HigherIsBetter(i) ? fmt::format("{}×{}", Percent(wi), IndicatorZh(i))
                               : fmt::format("{}×（1 − {}）", Percent(wi), IndicatorZh(i));
  }
  return fmt::format(
      "考核得分 = {}；某项无数据时，按其余指标的权重重新归一；当月派单少于{}件的单位不参与排名。",
      terms, min_dispatched);
}

std::vector<EvaluationRow> Rank(std::vector<EvaluationInput> units, const IndicatorWeights& w,
                                std::int64_t min_dispatched) {
  std::vector<EvaluationRow> rows;
  rows.reserve(units.size());
  for (auto& u : units) {
    EvaluationRow r;
    r.unit_id = std::move(u.unit_id);
    r.unit_name = std::move(u.unit_name);
    r.dispatched = u.dispatched;
    r.values = u.values;
    r.score = ScoreOf(u.values, w);
    r.rag = u.rag;
    r.ranked = u.dispatched >= min_dispatched && r.score.has_value();
    if (!r.ranked) r.note = "样本不足，不参与排名";
    if (r.score && u.last_score) r.improvement = *r.score - *u.last_score;
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const EvaluationRow& a, const EvaluationRow& b) {
    if (a.ranked != b.ranked) return a.ranked;
    if (a.ranked) {
      const auto ka = ScoreKey(*a.score), kb = ScoreKey(*b.score);
      if (ka != kb) return ka > kb;
    }
    if (a.dispatched != b.dispatched) return a.dispatched > b.dispatched;
    return a.unit_id < b.unit_id;
  });
  int n = 0;
  for (std::size_t k = 0; k < rows.size() && rows[k].ranked; ++k) {
    ++n;
    rows[k].rank = k > 0 && ScoreKey(*rows[k].score) == ScoreKey(*rows[k - 1].score)
                       ? rows[k - 1].rank
                       : static_cast<int>(k) + 1;
  }
  const int band = n / 5;
  for (int k = 0; k < n && band > 0; ++k) {
    if (rows[k].rank <= band)
      rows[k].flag = "先进";
    else if (rows[k].rank > n - band)
      rows[k].flag = "需改进";
  }
  // Improvement ranks among the ranked units that have one.
  std::vector<EvaluationRow*> improved;
  for (int k = 0; k < n; ++k)
    if (rows[k].improvement) improved.push_back(&rows[k]);
  std::stable_sort(improved.begin(), improved.end(), [](const auto* a, const auto* b) {
    return ScoreKey(*a->improvement) > ScoreKey(*b->improvement);
  });
  for (std::size_t k = 0; k < improved.size(); ++k)
    improved[k]->improvement_rank =
        k > 0 && ScoreKey(*improved[k]->improvement) == ScoreKey(*improved[k - 1]->improvement)
            ? improved[k - 1]->improvement_rank
            : static_cast<int>(k) + 1;
  return rows;
}

}  // namespace xietong::insight
