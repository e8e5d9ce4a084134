// The routing model's accuracy figures (routing_model.h) on hand-counted decisions.
#include "insight/routing_model.h"

#include <gtest/gtest.h>

#include <map>

namespace xietong::insight {
namespace {

IntakeDecision D(std::string s1, std::string final_id, std::string version = "v1") {
  IntakeDecision d;
  d.request_id = s1 + "->" + final_id;
  d.suggested_by = "classifier";
  d.model_version = std::move(version);
  d.s1 = std::move(s1);
  d.final_matter_id = std::move(final_id);
  d.chosen_matter_id = d.final_matter_id;
  return d;
}

// a, b under level-1 X; c under level-1 Y.
std::optional<MatterNames> Lookup(std::string_view id) {
  static const std::map<std::string, MatterNames, std::less<>> names = {
      {"a", {"占道经营", "X", "城乡建设"}},
      {"b", {"餐饮油烟", "X", "城乡建设"}},
      {"c", {"噪声扰民", "Y", "环境保护"}}};
  auto it = names.find(id);
  if (it == names.end()) return std::nullopt;
  return it->second;
}

TEST(RoutingModel, TopOneTopThreeAndMacroF1OverLeavesWithFiveCases) {
  std::vector<IntakeDecision> ds;
  for (int i = 0; i < 4; ++i) ds.push_back(D("a", "a"));  // 4 right
  ds.push_back(D("a", "b"));                              // 1 wrong, b second
  ds.back().s2 = "b";
  for (int i = 0; i < 4; ++i) ds.push_back(D("b", "b"));  // b: 5 finals, 4 hits
  ds.push_back(D("c", "c"));                              // c: 1 case, not in macro-F1
  // Not counted: keywords' suggestions and requests with no final category.
  ds.push_back(D("a", "c"));
  ds.back().suggested_by = "keywords";
  ds.push_back(D("a", ""));

  const RoutingAccuracy acc = ComputeRoutingAccuracy(ds, Lookup);
  EXPECT_EQ(acc.total.n, 10);
  EXPECT_DOUBLE_EQ(acc.total.top1, 0.9);
  EXPECT_DOUBLE_EQ(acc.total.top3, 1.0);
  // a: 4 finals (< 5) → out; b: precision 4/4, recall 4/5 → F1 8/9.
  EXPECT_EQ(acc.total.f1_leaves, 1);
  EXPECT_NEAR(acc.total.macro_f1, 8.0 / 9.0, 1e-12);
}

TEST(RoutingModel, OverridesRecategorisationAndAutoRoutingPerVersion) {
  std::vector<IntakeDecision> ds;
  auto op = D("a", "b", "v1");  // the operator chose b over a: an override
  ds.push_back(op);
  auto kept = D("a", "a", "v1");
  ds.push_back(kept);
  auto auto_right = D("a", "a", "v2");
  auto_right.auto_routed = true;
  auto_right.chosen_matter_id = "a";
  ds.push_back(auto_right);
  auto auto_wrong = D("a", "c", "v2");  // taken automatically, the centre changed it later
  auto_wrong.auto_routed = true;
  auto_wrong.chosen_matter_id = "a";
  auto_wrong.recategorised = true;
  ds.push_back(auto_wrong);

  const RoutingAccuracy acc = ComputeRoutingAccuracy(ds, Lookup);
  ASSERT_EQ(acc.versions.size(), 2u);
  const AccuracyFigures& v1 = acc.versions[0];
  EXPECT_EQ(v1.model_version, "v1");
  EXPECT_EQ(v1.operator_chosen, 2);
  EXPECT_DOUBLE_EQ(v1.override_rate, 0.5);
  EXPECT_EQ(v1.auto_routed, 0);
  EXPECT_DOUBLE_EQ(v1.auto_routed_accuracy, 0.0);  // nothing auto-routed: 0, not NaN
  const AccuracyFigures& v2 = acc.versions[1];
  EXPECT_EQ(v2.model_version, "v2");
  EXPECT_EQ(v2.operator_chosen, 0);
  EXPECT_DOUBLE_EQ(v2.auto_routed_share, 1.0);
  EXPECT_DOUBLE_EQ(v2.auto_routed_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(v2.recategorised_rate, 0.5);
  EXPECT_EQ(acc.total.n, 4);
  EXPECT_DOUBLE_EQ(acc.total.recategorised_rate, 0.25);
  EXPECT_DOUBLE_EQ(acc.total.auto_routed_share, 0.5);
}

TEST(RoutingModel, TheMostMixedPairsAreNamedAndRolledUpToLevelOne) {
  std::vector<IntakeDecision> ds;
  for (int i = 0; i < 3; ++i) ds.push_back(D("a", "b"));  // within X
  for (int i = 0; i < 2; ++i) ds.push_back(D("a", "c"));  // X → Y
  ds.push_back(D("b", "b"));
  ds.push_back(D("zz", "c"));  // an id the list no longer has
  const RoutingAccuracy acc = ComputeRoutingAccuracy(ds, Lookup);

  ASSERT_EQ(acc.confused.size(), 3u);
  EXPECT_EQ(acc.confused[0].suggested_name, "占道经营");
  EXPECT_EQ(acc.confused[0].final_name, "餐饮油烟");
  EXPECT_EQ(acc.confused[0].count, 3);
  EXPECT_DOUBLE_EQ(acc.confused[0].share_of_final, 0.75);  // 3 of b's 4
  EXPECT_EQ(acc.confused[1].final_id, "c");
  EXPECT_EQ(acc.confused[1].count, 2);
  EXPECT_EQ(acc.confused[2].suggested_name, "zz");  // named by its id

  // Level 1: a → b is no confusion there; X → Y twice, zz → Y once.
  ASSERT_EQ(acc.confused_level1.size(), 2u);
  EXPECT_EQ(acc.confused_level1[0].suggested_id, "X");
  EXPECT_EQ(acc.confused_level1[0].suggested_name, "城乡建设");
  EXPECT_EQ(acc.confused_level1[0].final_name, "环境保护");
  EXPECT_EQ(acc.confused_level1[0].count, 2);
  EXPECT_NEAR(acc.confused_level1[0].share_of_final, 2.0 / 3.0, 1e-12);
}

TEST(RoutingModel, AtMostTenPairsAndNoneWithoutDecisions) {
  EXPECT_TRUE(ComputeRoutingAccuracy({}, Lookup).confused.empty());
  EXPECT_EQ(ComputeRoutingAccuracy({}, Lookup).total.n, 0);
  std::vector<IntakeDecision> ds;
  for (int i = 0; i < 12; ++i) ds.push_back(D("s" + std::to_string(i), "f"));
  EXPECT_EQ(ComputeRoutingAccuracy(ds, Lookup).confused.size(), kTopConfused);
}

TEST(RoutingModel, ACandidateIsPromotedWithinTheSlackOnAnAdequateHoldout) {
  const HoldoutScore active{.n = 200, .top1 = 0.80, .top3 = 0.95, .macro_f1 = 0.70};
  EXPECT_TRUE(Promotes({.n = 10, .top1 = 0.1}, std::nullopt));  // nothing to beat
  EXPECT_TRUE(Promotes({.n = 200, .top1 = 0.796, .macro_f1 = 0.691}, active));
  EXPECT_FALSE(Promotes({.n = 200, .top1 = 0.794, .macro_f1 = 0.75}, active));  // top-1 worse
  EXPECT_FALSE(Promotes({.n = 200, .top1 = 0.85, .macro_f1 = 0.689}, active));  // macro-F1 worse
  EXPECT_FALSE(Promotes({.n = 49, .top1 = 0.95, .macro_f1 = 0.95}, active));    // too few
}

TEST(RoutingModel, TheHoldoutCountsACaseWithoutAGuessAsAMiss) {
  std::vector<HoldoutCase> cases;
  for (int i = 0; i < 5; ++i) cases.push_back({.s1 = "a", .s2 = "b", .truth = "a"});
  cases.push_back({.s1 = "a", .s2 = "b", .truth = "b"});
  cases.push_back({.truth = "b"});  // the model guessed nothing
  const HoldoutScore s = ScoreHoldout(cases);
  EXPECT_EQ(s.n, 7);
  EXPECT_NEAR(s.top1, 5.0 / 7.0, 1e-12);
  EXPECT_NEAR(s.top3, 6.0 / 7.0, 1e-12);
  // a: 5 finals, precision 5/6, recall 1 → F1 10/11; b has 2 (< 5).
  EXPECT_NEAR(s.macro_f1, 10.0 / 11.0, 1e-12);
}

}  // namespace
}  // namespace xietong::insight
