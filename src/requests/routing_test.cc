#include <gtest/gtest.h>

#include <fmt/core.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "requests/directory.h"
#include "requests/routing.h"

namespace xietong::requests {
namespace {

using identity::OrgUnit;
using identity::UnitKind;
using matters::HandlerLevel;
using matters::Matter;

// West, south, east, north in degrees.
struct Rect {
  double west, south, east, north;
};

std::string Polygon(const Rect& r) {
  return fmt::format(
      R"({{"type":"Polygon","coordinates":[[[{0},{2}],[{1},{2}],[{1},{3}],[{0},{3}],[{0},{2}]]]}})",
      r.west, r.east, r.south, r.north);
}

// Units whose id is "id:" + code, so tests can name them by code.
class UnitList {
 public:
  UnitList& Add(std::string code, std::string name, UnitKind kind, std::string parent_code,
                std::optional<Rect> area = std::nullopt) {
    return AddRaw(std::move(code), std::move(name), kind, std::move(parent_code),
                  area ? std::optional(Polygon(*area)) : std::nullopt);
  }
  UnitList& AddRaw(std::string code, std::string name, UnitKind kind, std::string parent_code,
                   std::optional<std::string> geometry) {
    OrgUnit u;
    u.id = "id:" + code;
    u.kind = kind;
    u.code = code;
    u.name = std::move(name);
    u.geometry = std::move(geometry);
    u.path = "/" + u.id + "/";
    if (!parent_code.empty()) {
      u.parent_id = "id:" + parent_code;
      for (const OrgUnit& p : units_)
        if (p.code == parent_code) u.path = p.path + u.id + "/";
    }
    units_.push_back(std::move(u));
    return *this;
  }
  std::vector<OrgUnit> units() const { return units_; }

 private:
  std::vector<OrgUnit> units_;
};

// 江澜市 spans 120.0–120.4°E, 30.0–30.2°N:
//   湖滨区 (JL-01, west half): 湖畔街道 (south; 湖畔社区 | 柳岸社区) and 青山镇
//     (north; 青山村, plus 东村 without an area);
//   江北区 (JL-02, east half): 江北街道 (江北社区 | 湖畔花园社区).
// Every community is cut into a south and a north grid at its middle latitude.
UnitList TestCity() {
  UnitList l;
  l.Add("JL", "江澜市", UnitKind::kCity, "", Rect{120.0, 30.0, 120.4, 30.2})
      .Add("JL-12345", "江澜市12345市民服务热线中心", UnitKind::kCentre, "JL")
      .Add("JL-D01", "市城管委", UnitKind::kDepartment, "JL")
      .Add("JL-D03", "市生态环境局", UnitKind::kDepartment, "JL")
      .Add("JL-01", "湖滨区", UnitKind::kDistrict, "JL", Rect{120.0, 30.0, 120.2, 30.2})
      .Add("JL-01-D01", "湖滨区城管局", UnitKind::kDepartment, "JL-01")
      .Add("JL-01-D02", "湖滨区住建局", UnitKind::kDepartment, "JL-01")
      .Add("JL-01-01", "湖畔街道", UnitKind::kStreet, "JL-01", Rect{120.0, 30.0, 120.2, 30.1})
      .Add("JL-01-01-01", "湖畔社区", UnitKind::kCommunity, "JL-01-01",
           Rect{120.0, 30.0, 120.1, 30.1})
      .Add("JL-01-01-01-01", "湖畔社区第一网格", UnitKind::kGrid, "JL-01-01-01",
           Rect{120.0, 30.0, 120.1, 30.05})
      .Add("JL-01-01-01-02", "湖畔社区第二网格", UnitKind::kGrid, "JL-01-01-01",
           Rect{120.0, 30.05, 120.1, 30.1})
      .Add("JL-01-01-02", "柳岸社区", UnitKind::kCommunity, "JL-01-01",
           Rect{120.1, 30.0, 120.2, 30.1})
      .Add("JL-01-01-02-01", "柳岸社区第一网格", UnitKind::kGrid, "JL-01-01-02",
           Rect{120.1, 30.0, 120.2, 30.05})
      .Add("JL-01-01-02-02", "柳岸社区第二网格", UnitKind::kGrid, "JL-01-01-02",
           Rect{120.1, 30.05, 120.2, 30.1})
      .Add("JL-01-02", "青山镇", UnitKind::kTownship, "JL-01", Rect{120.0, 30.1, 120.2, 30.2})
      .Add("JL-01-02-01", "青山村", UnitKind::kCommunity, "JL-01-02",
           Rect{120.0, 30.1, 120.2, 30.2})
      .Add("JL-01-02-01-01", "青山村第一网格", UnitKind::kGrid, "JL-01-02-01",
           Rect{120.0, 30.1, 120.2, 30.15})
      .Add("JL-01-02-01-02", "青山村第二网格", UnitKind::kGrid, "JL-01-02-01",
           Rect{120.0, 30.15, 120.2, 30.2})
      .Add("JL-01-02-02", "东村", UnitKind::kCommunity, "JL-01-02")
      .Add("JL-02", "江北区", UnitKind::kDistrict, "JL", Rect{120.2, 30.0, 120.4, 30.2})
      .Add("JL-02-D01", "江北区城管局", UnitKind::kDepartment, "JL-02")
      .Add("JL-02-01", "江北街道", UnitKind::kStreet, "JL-02", Rect{120.2, 30.0, 120.4, 30.2})
      .Add("JL-02-01-01", "江北社区", UnitKind::kCommunity, "JL-02-01",
           Rect{120.2, 30.0, 120.3, 30.2})
      .Add("JL-02-01-01-01", "江北社区第一网格", UnitKind::kGrid, "JL-02-01-01",
           Rect{120.2, 30.0, 120.3, 30.1})
      .Add("JL-02-01-01-02", "江北社区第二网格", UnitKind::kGrid, "JL-02-01-01",
           Rect{120.2, 30.1, 120.3, 30.2})
      .Add("JL-02-01-02", "湖畔花园社区", UnitKind::kCommunity, "JL-02-01",
           Rect{120.3, 30.0, 120.4, 30.2})
      .Add("JL-02-01-02-01", "湖畔花园社区第一网格", UnitKind::kGrid, "JL-02-01-02",
           Rect{120.3, 30.0, 120.4, 30.1})
      .Add("JL-02-01-02-02", "湖畔花园社区第二网格", UnitKind::kGrid, "JL-02-01-02",
           Rect{120.3, 30.1, 120.4, 30.2});
  return l;
}

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto built = Directory::Build(TestCity().units());
    ASSERT_TRUE(built) << built.error().message;
    dir_ = *built;
  }
  // The code of the grid at the point, or "" when there is none.
  std::string GridCode(double lat, double lon) const {
    const OrgUnit* g = dir_->GridAt(lat, lon);
    return g ? g->code : "";
  }
  std::shared_ptr<const Directory> dir_;
};

TEST_F(DirectoryTest, FindsUnitsAndTheirAncestors) {
  const OrgUnit* grid = dir_->FindByCode("JL-01-02-01-02");
  ASSERT_NE(grid, nullptr);
  EXPECT_EQ(dir_->Find("id:JL-01-02-01-02"), grid);
  EXPECT_EQ(dir_->Find("id:nope"), nullptr);
  EXPECT_EQ(dir_->FindByCode("JL-99"), nullptr);
  EXPECT_EQ(dir_->Parent(*grid)->code, "JL-01-02-01");
  EXPECT_EQ(dir_->Parent(*dir_->FindByCode("JL")), nullptr);
  EXPECT_EQ(dir_->AncestorOfKind(*grid, {UnitKind::kStreet, UnitKind::kTownship})->code,
            "JL-01-02");
  EXPECT_EQ(dir_->AncestorOfKind(*grid, {UnitKind::kGrid}), grid);  // self included
  EXPECT_EQ(dir_->AncestorOfKind(*grid, {UnitKind::kDistrict})->code, "JL-01");
  EXPECT_EQ(dir_->AncestorOfKind(*grid, {UnitKind::kDepartment}), nullptr);
  EXPECT_EQ(dir_->Centre()->code, "JL-12345");
  EXPECT_EQ(dir_->CityName(), "江澜市");
  EXPECT_EQ(dir_->OfKind(UnitKind::kGrid).size(), 10u);
  ASSERT_EQ(dir_->OfKind(UnitKind::kDistrict).size(), 2u);
  EXPECT_EQ(dir_->OfKind(UnitKind::kDistrict)[1]->name, "江北区");
}

TEST_F(DirectoryTest, GridAtFindsTheGridAroundAPoint) {
  EXPECT_EQ(GridCode(30.02, 120.05), "JL-01-01-01-01");
  EXPECT_EQ(GridCode(30.07, 120.15), "JL-01-01-02-02");
  EXPECT_EQ(GridCode(30.18, 120.1), "JL-01-02-01-02");
  EXPECT_EQ(GridCode(30.12, 120.39), "JL-02-01-02-02");
  EXPECT_EQ(GridCode(30.0, 120.0), "JL-01-01-01-01");  // the city's south-west corner
  EXPECT_TRUE(dir_->InCity(30.1, 120.3));
}

TEST_F(DirectoryTest, GridAtIsEmptyOutsideTheCity) {
  EXPECT_EQ(GridCode(30.25, 120.1), "");
  EXPECT_EQ(GridCode(30.1, 119.99), "");
  EXPECT_EQ(GridCode(29.9999, 120.1), "");
  EXPECT_EQ(GridCode(39.9, 116.4), "");
  EXPECT_EQ(GridCode(std::nan(""), 120.1), "");
  EXPECT_FALSE(dir_->InCity(30.1, 120.41));
  EXPECT_FALSE(dir_->InCity(-30.1, -120.1));
}

TEST_F(DirectoryTest, APointOnASharedEdgeHasExactlyOneGrid) {
  // East-west edge between a community's two grids: the north grid owns it.
  EXPECT_EQ(GridCode(30.05 - 1e-9, 120.05), "JL-01-01-01-01");
  EXPECT_EQ(GridCode(30.05 + 1e-9, 120.05), "JL-01-01-01-02");
  EXPECT_EQ(GridCode(30.05, 120.05), "JL-01-01-01-02");
  // North-south edge between two communities: the east grid owns it.
  EXPECT_EQ(GridCode(30.02, 120.1 - 1e-9), "JL-01-01-01-01");
  EXPECT_EQ(GridCode(30.02, 120.1 + 1e-9), "JL-01-01-02-01");
  EXPECT_EQ(GridCode(30.02, 120.1), "JL-01-01-02-01");
  // A district border, and a vertex four grids share: the north-east one.
  EXPECT_EQ(GridCode(30.15, 120.2), "JL-02-01-01-02");
  EXPECT_EQ(GridCode(30.05, 120.1), "JL-01-01-02-02");
  // The same answer every time.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(GridCode(30.05, 120.1), "JL-01-01-02-02");
}

TEST_F(DirectoryTest, TheCitysOuterBorderBelongsToTheGridInsideIt) {
  EXPECT_EQ(GridCode(30.2, 120.05), "JL-01-02-01-02");  // north border
  EXPECT_EQ(GridCode(30.05, 120.4), "JL-02-01-02-01");  // east border
  EXPECT_EQ(GridCode(30.2, 120.4), "JL-02-01-02-02");   // north-east corner
  EXPECT_EQ(GridCode(30.2 + 1e-7, 120.05), "");
}

TEST(DirectoryGeometry, MultiPolygonsAndHolesAreHonoured) {
  // Grid A is two squares; grid B is a square with a hole in which grid C sits.
  const std::string multi =
      R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],)"
      R"([[[3,0],[4,0],[4,1],[3,1],[3,0]]]]})";
  const std::string holed = R"({"type":"Polygon","coordinates":[[[5,0],[8,0],[8,3],[5,3],[5,0]],)"
                            R"([[6,1],[6,2],[7,2],[7,1],[6,1]]]})";
  UnitList l;
  l.Add("X", "测试市", UnitKind::kCity, "")
      .AddRaw("A", "甲网格", UnitKind::kGrid, "X", multi)
      .AddRaw("B", "乙网格", UnitKind::kGrid, "X", holed)
      .Add("C", "丙网格", UnitKind::kGrid, "X", Rect{6, 1, 7, 2});
  auto dir = Directory::Build(l.units());
  ASSERT_TRUE(dir) << dir.error().message;
  auto code = [&](double lat, double lon) {
    const OrgUnit* g = (*dir)->GridAt(lat, lon);
    return g ? g->code : "";
  };
  EXPECT_EQ(code(0.5, 0.5), "A");
  EXPECT_EQ(code(0.5, 3.5), "A");
  EXPECT_EQ(code(0.5, 2), "");
  EXPECT_EQ(code(0.5, 5.5), "B");
  EXPECT_EQ(code(1.5, 6.5), "C");
  EXPECT_EQ(code(1.5, 6), "C");  // the hole's west edge is C's
}

TEST(DirectoryBuild, RejectsMalformedGeometryNamingTheUnit) {
  const std::vector<std::string> bad = {
      "not json",
      R"({"type":"Point","coordinates":[120.1,30.1]})",
      R"({"type":"Polygon"})",
      R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]})",          // open ring
      R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]})",                // too short
      R"({"type":"Polygon","coordinates":[[["0","0"],[1,0],[1,1],["0","0"]]]})",  // strings
      R"({"type":"Polygon","coordinates":[[[0,95],[1,95],[1,96],[0,95]]]})",      // lat > 90
      R"({"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]})",     // one level short
      R"([1,2])",
  };
  for (const std::string& geometry : bad) {
    UnitList l;
    l.Add("JL", "江澜市", UnitKind::kCity, "")
        .AddRaw("JL-01", "湖滨区", UnitKind::kDistrict, "JL", geometry);
    auto dir = Directory::Build(l.units());
    ASSERT_FALSE(dir) << geometry;
    EXPECT_EQ(dir.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(dir.error().message.find("JL-01"), std::string::npos) << dir.error().message;
  }
}

TEST(DirectoryBuild, RejectsDuplicateCodes) {
  UnitList l;
  l.Add("JL", "江澜市", UnitKind::kCity, "");
  std::vector<OrgUnit> units = l.units();
  units.push_back(units.front());
  units.back().id = "id:other";
  auto dir = Directory::Build(units);
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("JL"), std::string::npos);
}

TEST_F(DirectoryTest, FindInAddressByFullNameStemAndLength) {
  auto code = [&](std::string_view address) {
    const OrgUnit* u = dir_->FindInAddress(address);
    return u ? u->code : "";
  };
  EXPECT_EQ(code("江澜市湖滨区湖畔社区5幢2单元"), "JL-01-01-01");  // full name
  EXPECT_EQ(code("湖畔街道文化站门口"), "JL-01-01");
  EXPECT_EQ(code("柳岸小区东门"), "JL-01-01-02");          // stem of 柳岸社区
  EXPECT_EQ(code("湖畔花园社区12幢"), "JL-02-01-02");      // longer than 湖畔社区, 湖畔
  EXPECT_EQ(code("湖畔街道湖畔花园社区"), "JL-02-01-02");  // still the longest
  EXPECT_EQ(code("青山镇政府对面"), "JL-01-02");           // full name beats the stem 青山
  EXPECT_EQ(code("青山路88号"), "JL-01-02-01");  // stems tie: the community is more precise
  EXPECT_EQ(code("东村村口"), "JL-01-02-02");
  EXPECT_EQ(code("东门菜场"), "");  // the stem 东 is one character: not a name
  EXPECT_EQ(code("人民路100号"), "");
  EXPECT_EQ(code(""), "");
}

TEST(DirectoryAddress, AParentNamedInTheTextSettlesEqualNames) {
  UnitList l;
  l.Add("X", "测试市", UnitKind::kCity, "")
      .Add("X-01", "测试区", UnitKind::kDistrict, "X")
      .Add("X-01-01", "东湖街道", UnitKind::kStreet, "X-01")
      .Add("X-01-02", "西湖街道", UnitKind::kStreet, "X-01")
      .Add("X-01-01-01", "新华社区", UnitKind::kCommunity, "X-01-01")
      .Add("X-01-02-01", "新华社区", UnitKind::kCommunity, "X-01-02");
  auto dir = Directory::Build(l.units());
  ASSERT_TRUE(dir);
  EXPECT_EQ((*dir)->FindInAddress("西湖街道新华社区")->code, "X-01-02-01");
  EXPECT_EQ((*dir)->FindInAddress("东湖新华社区")->code, "X-01-01-01");
  EXPECT_EQ((*dir)->FindInAddress("新华社区")->code, "X-01-01-01");  // the first given
}

// ---------------------------------------------------------------------------
// Routing

class RoutingTest : public DirectoryTest {
 protected:
  Place At(double lat, double lon) {
    Place p;
    p.lat = lat;
    p.lon = lon;
    return p;
  }
  Result<Place> LocateUnit(std::string_view code, Place p = {}) {
    return Locate(*dir_, std::move(p), "id:" + std::string(code));
  }
  static Matter Leaf(std::string name, HandlerLevel handler, std::string department_code = "") {
    Matter m;
    m.id = "m1";
    m.level = matters::kLeafLevel;
    m.code = "03-02-05";
    m.name = std::move(name);
    m.handler = handler;
    m.department_code = std::move(department_code);
    return m;
  }
  Place Located(std::string_view unit_code) {
    auto p = LocateUnit(unit_code);
    EXPECT_TRUE(p) << p.error().message;
    return p.value_or(Place{});
  }
};

TEST_F(RoutingTest, LocateFromAGridIdFillsEveryLevel) {
  auto p = LocateUnit("JL-01-02-01-01");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->grid_id, "id:JL-01-02-01-01");
  EXPECT_EQ(p->community_id, "id:JL-01-02-01");
  EXPECT_EQ(p->street_id, "id:JL-01-02");  // a township
  EXPECT_EQ(p->district_id, "id:JL-01");
}

TEST_F(RoutingTest, LocateFromACommunityIdLeavesTheGridOpen) {
  auto p = LocateUnit("JL-01-01-02");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->grid_id, "");
  EXPECT_EQ(p->community_id, "id:JL-01-01-02");
  EXPECT_EQ(p->street_id, "id:JL-01-01");
  EXPECT_EQ(p->district_id, "id:JL-01");

  auto district = LocateUnit("JL-02");
  ASSERT_TRUE(district);
  EXPECT_EQ(district->district_id, "id:JL-02");
  EXPECT_EQ(district->street_id, "");
}

TEST_F(RoutingTest, CoordinatesRefineAnExplicitUnitOnlyInsideIt) {
  auto inside = LocateUnit("JL-01-01-02", At(30.07, 120.15));
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->grid_id, "id:JL-01-01-02-02");
  auto elsewhere = LocateUnit("JL-01-01-02", At(30.07, 120.05));  // in 湖畔社区
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->grid_id, "");
  EXPECT_EQ(elsewhere->community_id, "id:JL-01-01-02");
}

TEST_F(RoutingTest, LocateFromCoordinates) {
  Place in = At(30.12, 120.25);
  in.address = "江北路1号";
  auto p = Locate(*dir_, in, "");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->grid_id, "id:JL-02-01-01-02");
  EXPECT_EQ(p->community_id, "id:JL-02-01-01");
  EXPECT_EQ(p->street_id, "id:JL-02-01");
  EXPECT_EQ(p->district_id, "id:JL-02");
  EXPECT_EQ(p->address, "江北路1号");
  EXPECT_EQ(p->lat, 30.12);
}

TEST_F(RoutingTest, CoordinatesOutsideTheCityAreRejected) {
  auto p = Locate(*dir_, At(31.23, 121.47), "");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(p.error().message, "'place' (31.23, 121.47) is outside 江澜市");

  Place half;
  half.lat = 30.1;
  auto q = Locate(*dir_, half, "");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(RoutingTest, LocateFromAnAddress) {
  Place in;
  in.address = "湖滨区湖畔社区5幢";
  auto p = Locate(*dir_, in, "");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->grid_id, "");
  EXPECT_EQ(p->community_id, "id:JL-01-01-01");
  EXPECT_EQ(p->street_id, "id:JL-01-01");
  EXPECT_EQ(p->district_id, "id:JL-01");

  in.address = "青山镇政府";
  auto street = Locate(*dir_, in, "");
  ASSERT_TRUE(street);
  EXPECT_EQ(street->community_id, "");
  EXPECT_EQ(street->street_id, "id:JL-01-02");
}

TEST_F(RoutingTest, NothingKnownIsAnEmptyPlace) {
  Place in;
  in.address = "人民路100号";
  in.grid_id = "id:JL-01-01-01-01";  // not trusted: Locate decides
  auto p = Locate(*dir_, in, "");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->address, "人民路100号");
  EXPECT_EQ(p->grid_id, "");
  EXPECT_EQ(p->community_id, "");
  EXPECT_EQ(p->street_id, "");
  EXPECT_EQ(p->district_id, "");
  EXPECT_TRUE(Locate(*dir_, Place{}, ""));
}

TEST_F(RoutingTest, HandlersAreNotPlaces) {
  for (std::string_view code : {"JL-02-D01", "JL-D03", "JL-12345", "JL"}) {
    auto p = LocateUnit(code);
    ASSERT_FALSE(p) << code;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(p.error().message.find("place_unit_id"), std::string::npos);
  }
}

TEST_F(RoutingTest, AnUnknownUnitIdIsNotFound) {
  auto p = Locate(*dir_, Place{}, "id:JL-09");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kNotFound);
  EXPECT_NE(p.error().message.find("id:JL-09"), std::string::npos);
}

TEST_F(RoutingTest, CommunityMattersGoToThePlacesCommunity) {
  auto r = RouteFor(*dir_, Leaf("楼道堆物", HandlerLevel::kCommunity), Located("JL-01-01-01-02"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->unit_id, "id:JL-01-01-01");
  EXPECT_EQ(r->unit_name, "湖畔社区");
  EXPECT_EQ(r->unit_path, "/id:JL/id:JL-01/id:JL-01-01/id:JL-01-01-01/");
  EXPECT_EQ(r->unit_kind, UnitKind::kCommunity);
  EXPECT_EQ(r->rule, "按网格属地派至社区：湖畔社区");

  auto by_community =
      RouteFor(*dir_, Leaf("楼道堆物", HandlerLevel::kCommunity), Located("JL-01-01-01"));
  ASSERT_TRUE(by_community);
  EXPECT_EQ(by_community->rule, "按属地派至社区：湖畔社区");

  auto no_community =
      RouteFor(*dir_, Leaf("楼道堆物", HandlerLevel::kCommunity), Located("JL-01-01"));
  ASSERT_FALSE(no_community);
  EXPECT_EQ(no_community.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(no_community.error().message.find("楼道堆物 is handled by the community"),
            std::string::npos);
}

TEST_F(RoutingTest, StreetMattersGoToTheStreetOrTownship) {
  auto street = RouteFor(*dir_, Leaf("占道经营", HandlerLevel::kStreet), Located("JL-01-01-02-01"));
  ASSERT_TRUE(street) << street.error().message;
  EXPECT_EQ(street->unit_id, "id:JL-01-01");
  EXPECT_EQ(street->unit_kind, UnitKind::kStreet);
  EXPECT_EQ(street->rule, "按属地派至街道：湖畔街道");

  auto township = RouteFor(*dir_, Leaf("占道经营", HandlerLevel::kStreet), Located("JL-01-02"));
  ASSERT_TRUE(township);
  EXPECT_EQ(township->unit_name, "青山镇");
  EXPECT_EQ(township->rule, "按属地派至乡镇：青山镇");

  auto nowhere = RouteFor(*dir_, Leaf("占道经营", HandlerLevel::kStreet), Place{});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(nowhere.error().message,
            "「占道经营」由街道乡镇办理，请给出地点（坐标、社区或街道，或写明它们的地址）— matter "
            "占道经营 is handled by the street: give the place (coordinates, a community or "
            "street, or an address naming one)");
  EXPECT_FALSE(RouteFor(*dir_, Leaf("占道经营", HandlerLevel::kStreet), Located("JL-02")));
}

TEST_F(RoutingTest, DistrictDepartmentMattersGoToThePlacesDistrict) {
  auto r = RouteFor(*dir_, Leaf("违章搭建", HandlerLevel::kDistrictDepartment, "D01"),
                    Located("JL-02-01-02-01"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->unit_id, "id:JL-02-D01");
  EXPECT_EQ(r->unit_name, "江北区城管局");
  EXPECT_EQ(r->unit_kind, UnitKind::kDepartment);
  EXPECT_EQ(r->rule, "按属地派至所在区的部门：江北区城管局");

  auto other =
      RouteFor(*dir_, Leaf("房屋漏水", HandlerLevel::kDistrictDepartment, "D02"), Located("JL-01"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->unit_name, "湖滨区住建局");

  auto no_place =
      RouteFor(*dir_, Leaf("违章搭建", HandlerLevel::kDistrictDepartment, "D01"), Place{});
  ASSERT_FALSE(no_place);
  EXPECT_EQ(no_place.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(no_place.error().message.find("district"), std::string::npos);

  // 江北区 has no D02.
  auto missing = RouteFor(*dir_, Leaf("房屋漏水", HandlerLevel::kDistrictDepartment, "D02"),
                          Located("JL-02-01"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("JL-02-D02"), std::string::npos);

  auto unnamed =
      RouteFor(*dir_, Leaf("违章搭建", HandlerLevel::kDistrictDepartment), Located("JL-02"));
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(RoutingTest, CityDepartmentMattersNeedNoPlace) {
  auto r = RouteFor(*dir_, Leaf("工业废气", HandlerLevel::kCityDepartment, "JL-D03"), Place{});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->unit_id, "id:JL-D03");
  EXPECT_EQ(r->unit_path, "/id:JL/id:JL-D03/");
  EXPECT_EQ(r->rule, "事项指定市级部门：市生态环境局");

  auto missing = RouteFor(*dir_, Leaf("工业废气", HandlerLevel::kCityDepartment, "JL-D99"),
                          Located("JL-01-01"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("JL-D99"), std::string::npos);

  // A code that names a place, not a department.
  auto not_department =
      RouteFor(*dir_, Leaf("工业废气", HandlerLevel::kCityDepartment, "JL-01"), Place{});
  ASSERT_FALSE(not_department);
  EXPECT_EQ(not_department.error().code, ErrorCode::kNotFound);

  EXPECT_FALSE(RouteFor(*dir_, Leaf("工业废气", HandlerLevel::kCityDepartment), Place{}));
}

TEST_F(RoutingTest, OnlyLeafMattersRoute) {
  Matter category = Leaf("市容环境", HandlerLevel::kStreet);
  category.level = 1;
  category.code = "03";
  auto r = RouteFor(*dir_, category, Located("JL-01-01"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(RoutingTest, AUnitGoneSinceLocatingIsNotFound) {
  Place stale;
  stale.community_id = "id:JL-07-01-01";
  auto r = RouteFor(*dir_, Leaf("楼道堆物", HandlerLevel::kCommunity), stale);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace xietong::requests
