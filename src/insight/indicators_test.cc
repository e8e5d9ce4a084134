// The five indicators from counters, RAG at the boundaries in both directions, grey below the
// minimum sample, and the direction-aware arrows.
#include "insight/indicators.h"

#include <gtest/gtest.h>

namespace xietong::insight {
namespace {

IndicatorValue Enough(double v) { return {v, v * 100, 100, true}; }

TEST(Indicators, ValuesFromCountersAndOpenLate) {
  UnitFigures f;
  f.counters.dispatched = 40;
  f.counters.responded_on_time = 38;
  f.counters.replied = 30;
  f.counters.replied_on_time = 27;
  f.counters.rated = 20;
  f.counters.resolved = 16;
  f.counters.satisfied = 15;
  f.counters.basically_satisfied = 5;
  f.open_late = 1;
  const auto v = ValuesOf(f);
  EXPECT_DOUBLE_EQ(*v[0].value, 0.95);
  EXPECT_TRUE(v[0].enough);
  EXPECT_DOUBLE_EQ(*v[1].value, 0.80);
  EXPECT_DOUBLE_EQ(*v[2].value, (15 + 0.8 * 5) / 20.0);
  EXPECT_DOUBLE_EQ(*v[3].value, 4 / 40.0);  // 3 replied late + 1 open late
  EXPECT_EQ(v[3].denominator, 40);
  EXPECT_FALSE(v[4].value);  // no one-thing work
  f.one_thing = {{12, 11}};
  EXPECT_NEAR(*ValuesOf(f)[4].value, 11 / 12.0, 1e-12);
  // Below the minimum sample: shown, not enough.
  UnitFigures small;
  small.counters.dispatched = 19;
  small.counters.responded_on_time = 19;
  small.counters.rated = 9;
  small.counters.resolved = 9;
  const auto s = ValuesOf(small);
  EXPECT_DOUBLE_EQ(*s[0].value, 1.0);
  EXPECT_FALSE(s[0].enough);
  EXPECT_FALSE(s[1].enough);
  EXPECT_EQ(RagOf(Indicator::kResponse, s[0], 0.95, 0.05), RagStatus::kGrey);
  EXPECT_FALSE(ValuesOf(UnitFigures{})[0].value);
}

TEST(Indicators, RagBoundariesInBothDirections) {
  // Higher is better, target 0.90, margin 0.05.
  EXPECT_EQ(RagOf(Indicator::kSatisfaction, Enough(0.90), 0.90, 0.05), RagStatus::kGreen);
  EXPECT_EQ(RagOf(Indicator::kSatisfaction, Enough(0.8999), 0.90, 0.05), RagStatus::kAmber);
  EXPECT_EQ(RagOf(Indicator::kSatisfaction, Enough(0.85), 0.90, 0.05), RagStatus::kAmber);
  EXPECT_EQ(RagOf(Indicator::kSatisfaction, Enough(0.8499), 0.90, 0.05), RagStatus::kRed);
  // Lower is better, target 0.05, margin 0.05.
  EXPECT_EQ(RagOf(Indicator::kOverdue, Enough(0.05), 0.05, 0.05), RagStatus::kGreen);
  EXPECT_EQ(RagOf(Indicator::kOverdue, Enough(0.0501), 0.05, 0.05), RagStatus::kAmber);
  EXPECT_EQ(RagOf(Indicator::kOverdue, Enough(0.10), 0.05, 0.05), RagStatus::kAmber);
  EXPECT_EQ(RagOf(Indicator::kOverdue, Enough(0.1001), 0.05, 0.05), RagStatus::kRed);
  EXPECT_EQ(RagOf(Indicator::kOverdue, IndicatorValue{}, 0.05, 0.05), RagStatus::kGrey);
  const RagStatus some[] = {RagStatus::kGreen, RagStatus::kGrey, RagStatus::kAmber};
  EXPECT_EQ(Worst(some), RagStatus::kAmber);
  const RagStatus none[] = {RagStatus::kGrey};
  EXPECT_EQ(Worst(none), RagStatus::kGrey);
  EXPECT_EQ(RagZh(RagStatus::kRed), "红");
  EXPECT_EQ(RagName(RagStatus::kAmber), "amber");
}

TEST(Indicators, ArrowsFollowTheDirection) {
  EXPECT_EQ(ArrowOf(Indicator::kResponse, 0.90, 0.91), Arrow::kUp);
  EXPECT_EQ(ArrowOf(Indicator::kResponse, 0.90, 0.905), Arrow::kFlat);
  EXPECT_EQ(ArrowOf(Indicator::kResponse, 0.90, 0.89), Arrow::kDown);
  EXPECT_EQ(ArrowOf(Indicator::kOverdue, 0.10, 0.08), Arrow::kUp);  // less overdue is better
  EXPECT_EQ(ArrowOf(Indicator::kOverdue, 0.08, 0.10), Arrow::kDown);
  EXPECT_EQ(ArrowOf(Indicator::kOverdue, std::nullopt, 0.10), Arrow::kNone);
  EXPECT_EQ(ArrowText(Arrow::kUp), "↑");
}

TEST(Indicators, NamesParseBack) {
  for (Indicator i : kAllIndicators) EXPECT_EQ(*ParseIndicator(IndicatorName(i)), i);
  auto bad = ParseIndicator("speed");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(IndicatorZh(Indicator::kOverdue), "超期率");
  EXPECT_DOUBLE_EQ(DefaultTarget(Indicator::kResolution), 0.80);
}

}  // namespace
}  // namespace xietong::insight
