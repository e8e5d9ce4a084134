// Incidents as pure rules: types, levels, the area, level changes, closing,
// the 指挥部 templates.
#include "emergency/incident.h"

#include <gtest/gtest.h>

namespace xietong::emergency {
namespace {

Area Square() {
  return {.ring = {{.lat = 30.0, .lng = 120.0},
                   {.lat = 30.0, .lng = 120.1},
                   {.lat = 30.1, .lng = 120.1},
                   {.lat = 30.1, .lng = 120.0},
                   {.lat = 30.0, .lng = 120.0}}};
}

TEST(IncidentTest, LevelsReadBothWays) {
  EXPECT_EQ(ParseLevel(json::Json(4)).value(), 4);
  EXPECT_EQ(ParseLevel(json::Json("II")).value(), 2);
  EXPECT_FALSE(ParseLevel(json::Json(5)).has_value());
  EXPECT_FALSE(ParseLevel(json::Json("V")).has_value());
  EXPECT_FALSE(ParseLevel(json::Json(2.5)).has_value());
  EXPECT_EQ(LevelZh(1), "特别重大");
  EXPECT_EQ(LevelZh(4), "一般");
  EXPECT_EQ(LevelRoman(3), "III");
}

TEST(IncidentTest, TypesAreATable) {
  EXPECT_EQ(IncidentTypes().size(), 7u);
  EXPECT_EQ(ParseIncidentType("waterlogging")->zh, "积水/内涝");
  EXPECT_EQ(ParseIncidentType("flood").error().field, "type");
}

TEST(IncidentTest, AreaNeedsAClosedPolygonOrGrids) {
  EXPECT_TRUE(ValidateArea(Square()));
  EXPECT_TRUE(ValidateArea({.grid_ids = {"G-1"}}));
  EXPECT_EQ(ValidateArea({}).error().field, "area");
  auto open = Square();
  open.ring.back() = {.lat = 30.05, .lng = 120.0};
  EXPECT_EQ(ValidateArea(open).error().reason, "not_closed");
  auto far = Square();
  far.ring[1].lng = 190;
  EXPECT_EQ(ValidateArea(far).error().reason, "out_of_range");
  const auto json = PolygonJson(Square());
  auto back = ParsePolygon(json);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->size(), 5u);
  EXPECT_FALSE(ParsePolygon(json::Json{{"type", "Point"}, {"coordinates", {1, 2}}}));
  EXPECT_TRUE(Contains(Square(), {.lat = 30.05, .lng = 120.05}));
  EXPECT_FALSE(Contains(Square(), {.lat = 30.2, .lng = 120.05}));
  EXPECT_NEAR(Centre(Square())->lat, 30.05, 1e-9);
}

TEST(IncidentTest, InputIsCheckedFieldByField) {
  IncidentInput in{.type = "fire", .level = 4, .title = "仓库火情", .area = Square()};
  EXPECT_TRUE(ValidateIncidentInput(in));
  in.level = 0;
  EXPECT_EQ(ValidateIncidentInput(in).error().field, "level");
  in.level = 3;
  in.title = "";
  EXPECT_EQ(ValidateIncidentInput(in).error().field, "title");
  in.title = "a\u202Eb";
  EXPECT_EQ(ValidateIncidentInput(in).error().reason, "control_char");
}

TEST(IncidentTest, LevelChangesNeedAReasonAnotherLevelAndAnOpenIncident) {
  Incident i{.level = 4};
  auto up = DecideLevelChange(i, 3, "积水扩大到三条街");
  ASSERT_TRUE(up);
  EXPECT_TRUE(up->raised);
  auto down = DecideLevelChange(i, 4, "x");
  EXPECT_EQ(down.error().reason, "unchanged");
  EXPECT_EQ(DecideLevelChange(i, 2, "").error().field, "reason");
  EXPECT_EQ(DecideLevelChange(i, 5, "r").error().field, "level");
  i.level = 2;
  EXPECT_FALSE(DecideLevelChange(i, 3, "退水")->raised);
  i.status = IncidentStatus::kClosed;
  EXPECT_EQ(DecideLevelChange(i, 1, "r").error().code, ErrorCode::kConflict);
  EXPECT_EQ(DecideClose(i, "done").error().code, ErrorCode::kConflict);
  EXPECT_EQ(RequireActive(i).error().code, ErrorCode::kConflict);
  i.status = IncidentStatus::kActive;
  EXPECT_EQ(DecideClose(i, "").error().field, "summary");
}

TEST(IncidentTest, TemplatesByTypeAndLevel) {
  const auto iv = TemplateFor("waterlogging", 4);
  EXPECT_EQ(iv.lead_unit_kind, "street");
  EXPECT_EQ(iv.departments.front(), "应急管理局");
  EXPECT_NE(std::find(iv.departments.begin(), iv.departments.end(), "水务局"),
            iv.departments.end());
  EXPECT_EQ(TemplateFor("fire", 4).lead_unit_kind, "district");  // specialised
  EXPECT_EQ(TemplateFor("waterlogging", 3).lead_unit_kind, "district");
  const auto i = TemplateFor("waterlogging", 1);
  EXPECT_EQ(i.lead_unit_kind, "city");
  EXPECT_NE(std::find(i.departments.begin(), i.departments.end(), "公安局"), i.departments.end());
  EXPECT_LT(i.situation_report_hours, iv.situation_report_hours);
}

}  // namespace
}  // namespace xietong::emergency
