#include "core/clock.h"

#include <gtest/gtest.h>

namespace xietong {
namespace {

TEST(Clock, FormatsShanghaiTime) {
  // 2026-11-23T01:02:03Z is 09:02:03 in Beijing.
  auto t = ParseRfc3339("2026-11-23T01:02:03Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T09:02:03+08:00");
  EXPECT_EQ(FormatRfc3339Utc(*t + 5), "2026-11-23T01:02:03.000005Z");
}

TEST(Clock, ParsesOffsetsAndFractions) {
  auto a = ParseRfc3339("2026-01-01T08:00:00.5+08:00");
  auto b = ParseRfc3339("2026-01-01T00:00:00.500000Z");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("yesterday"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00"));  // a zone is required
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c(1000);
  EXPECT_EQ(c.Now(), 1000);
  c.Advance(kMicrosPerHour);
  EXPECT_EQ(c.Now(), 1000 + kMicrosPerHour);
}

}  // namespace
}  // namespace xietong
