// The 考核 score, its renormalisation when an indicator has no value, weights validation, the
// ranking with ties and the minimum sample, the tournament flags and the formula text.
#include "insight/evaluation.h"

#include <gtest/gtest.h>

namespace xietong::insight {
namespace {

IndicatorValues Values(std::optional<double> response, std::optional<double> resolution,
                       std::optional<double> satisfaction, std::optional<double> overdue) {
  IndicatorValues v;
  v[0].value = response;
  v[1].value = resolution;
  v[2].value = satisfaction;
  v[3].value = overdue;
  return v;
}

TEST(Evaluation, ScoreRenormalisesOverIndicatorsWithAValue) {
  const auto w = DefaultWeights();
  ASSERT_TRUE(ValidateWeights(w));
  // 10%×0.9 + 40%×0.8 + 40%×0.95 + 10%×(1 − 0.1) = 0.09 + 0.32 + 0.38 + 0.09 = 0.88.
  EXPECT_NEAR(*ScoreOf(Values(0.9, 0.8, 0.95, 0.1), w), 88.0, 1e-9);
  // Nothing rated yet: response and overdue only, 50/50.
  EXPECT_NEAR(*ScoreOf(Values(0.9, std::nullopt, std::nullopt, 0.2), w), 85.0, 1e-9);
  EXPECT_FALSE(ScoreOf(Values(std::nullopt, std::nullopt, std::nullopt, std::nullopt), w));
}

TEST(Evaluation, WeightsMustBeSharesAddingUpToOne) {
  IndicatorWeights w = {0.25, 0.25, 0.25, 0.25, 0};
  EXPECT_TRUE(ValidateWeights(w));
  w[0] = 0.3;
  auto sum = ValidateWeights(w);
  ASSERT_FALSE(sum);
  EXPECT_EQ(sum.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(sum.error().message.find("add up to 1"), std::string::npos);
  w = {1.2, -0.2, 0, 0, 0};
  auto range = ValidateWeights(w);
  ASSERT_FALSE(range);
  EXPECT_NE(range.error().message.find("response_rate"), std::string::npos);
}

TEST(Evaluation, TiesShareARankAndSmallUnitsAreNotRanked) {
  std::vector<EvaluationInput> in;
  auto add = [&](std::string id, std::int64_t dispatched, double resolution,
                 std::optional<double> last = std::nullopt) {
    in.push_back({id, "单位" + id, dispatched, Values(1.0, resolution, 1.0, 0.0), last});
  };
  add("a", 30, 0.9, 90.0);
  add("b", 50, 0.9);  // same score as a, more dispatched: listed first
  add("c", 40, 0.5, 70.0);
  add("d", 10, 1.0);  // best score but too few dispatched
  add("e", 25, 0.8);
  add("f", 25, 0.7);
  auto rows = Rank(in, DefaultWeights(), kDefaultMinDispatched);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].unit_id, "b");
  EXPECT_EQ(rows[0].rank, 1);
  EXPECT_EQ(rows[1].unit_id, "a");
  EXPECT_EQ(rows[1].rank, 1);
  EXPECT_EQ(rows[2].unit_id, "e");
  EXPECT_EQ(rows[2].rank, 3);
  EXPECT_EQ(rows[3].unit_id, "f");
  EXPECT_EQ(rows[4].unit_id, "c");
  EXPECT_EQ(rows[4].rank, 5);
  EXPECT_EQ(rows[5].unit_id, "d");
  EXPECT_FALSE(rows[5].ranked);
  EXPECT_EQ(rows[5].rank, 0);
  EXPECT_EQ(rows[5].note, "样本不足，不参与排名");
  // Five ranked: one band of 5/5 = 1 at each end; a tie at the top makes both 先进.
  EXPECT_EQ(rows[0].flag, "先进");
  EXPECT_EQ(rows[1].flag, "先进");
  EXPECT_EQ(rows[2].flag, "");
  EXPECT_EQ(rows[4].flag, "需改进");
  EXPECT_EQ(rows[5].flag, "");
  // Improvement: a 96 − 90 = +6, c 80 − 70 = +10 → c first.
  EXPECT_NEAR(*rows[1].improvement, 6.0, 1e-9);
  EXPECT_EQ(rows[4].improvement_rank, 1);
  EXPECT_EQ(rows[1].improvement_rank, 2);
  EXPECT_EQ(rows[0].improvement_rank, 0);
  // Fewer than five ranked: no flags.
  in.resize(3);
  for (const auto& r : Rank(in, DefaultWeights(), 20)) EXPECT_EQ(r.flag, "");
}

TEST(Evaluation, TheFormulaIsPrintedAsTheCitySetIt) {
  EXPECT_EQ(FormulaText(DefaultWeights(), 20),
            "考核得分 = 10%×响应率 + 40%×解决率 + 40%×满意率 + 10%×（1 − "
            "超期率）；某项无数据时，按其余指标的权重重新归一；当月派单少于20件的单位不参与排名。");
  EXPECT_EQ(FormulaText({0, 0.5, 0.25, 0.125, 0.125}, 30),
            "考核得分 = 50%×解决率 + 25%×满意率 + 12.5%×（1 − 超期率） + "
            "12.5%×一件事承诺时限办结率；某项无数据时，按其余指标的权重重新归一；当月派单少于30件"
            "的单位不参与排名。");
}

}  // namespace
}  // namespace xietong::insight
