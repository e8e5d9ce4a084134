#include "emergency/incident.h"

#include <gtest/gtest.h>

namespace xietong::emergency {
namespace {

TEST(IncidentTest, LevelsReadBothWays) {
  EXPECT_EQ(ParseLevel(json::Json(4)).value(), 4);
  EXPECT_EQ(ParseLevel(json::Json("II")).value(), 2);
  EXPECT_FALSE(ParseLevel(json::Json(5)).has_value());
  EXPECT_FALSE(ParseLevel(json::Json("V")).has_value());
  EXPECT_EQ(LevelZh(1), "特别重大");
  EXPECT_EQ(LevelZh(4), "一般");
}

}  // namespace
}  // namespace xietong::emergency
