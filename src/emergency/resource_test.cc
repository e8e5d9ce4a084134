// Needs, resources, commitments and matching as pure rules.
#include "emergency/resource.h"

#include <gtest/gtest.h>

namespace xietong::emergency {
namespace {

Need MakeTestNeed(std::string kind, std::int64_t quantity, std::optional<GeoPoint> at) {
  NeedInput in{.kind = std::move(kind),
               .title = "转移老人",
               .quantity = quantity,
               .place = "望江社区",
               .location = at};
  EXPECT_TRUE(ValidateNeed(in));
  return MakeNeed(in, "n1", "i1", "a1", 100);
}

Resource MakeTestResource(std::string id, std::string kind, std::int64_t quantity,
                          std::optional<GeoPoint> at) {
  ResourceInput in{.kind = std::move(kind), .name = id, .quantity = quantity, .location = at};
  EXPECT_TRUE(ValidateResource(in));
  return MakeResource(in, std::move(id), "i1", "a1", 100);
}

TEST(ResourceTest, KindsAndCompatibility) {
  EXPECT_TRUE(Compatible("evacuation", "shelter"));
  EXPECT_TRUE(Compatible("supplies", "warehouse"));
  EXPECT_FALSE(Compatible("medical", "shelter"));
  EXPECT_FALSE(Compatible("rescue", "warehouse"));
  EXPECT_FALSE(ParseNeedKind("food").has_value());
  EXPECT_EQ(ParseResourceKind("bus").error().field, "kind");
}

TEST(ResourceTest, HaversineKnownDistance) {
  // Beijing Tiananmen → Shanghai People's Square ≈ 1067 km.
  const double d = HaversineKm({39.9087, 116.3975}, {31.2304, 121.4737});
  EXPECT_NEAR(d, 1067, 5);
  EXPECT_NEAR(HaversineKm({30, 120}, {30, 120}), 0, 1e-9);
}

TEST(ResourceTest, BadNeedsAndResourcesNameTheField) {
  NeedInput n{.kind = "rescue", .title = "x", .quantity = 0, .place = "p"};
  EXPECT_EQ(ValidateNeed(n).error().field, "quantity");
  n.quantity = 1;
  n.priority = 9;
  EXPECT_EQ(ValidateNeed(n).error().field, "priority");
  n.priority = 1;
  n.place = "";
  EXPECT_EQ(ValidateNeed(n).error().field, "place");
  n.location = GeoPoint{.lat = 95, .lng = 0};
  EXPECT_EQ(ValidateNeed(n).error().field, "location");
  ResourceInput r{.kind = "shelter", .name = "", .quantity = 10};
  EXPECT_EQ(ValidateResource(r).error().field, "name");
}

TEST(ResourceTest, PartialThenCompleteCommitmentsThenDeliverAndCancel) {
  auto need = MakeTestNeed("evacuation", 100, std::nullopt);
  auto school = MakeTestResource("school", "shelter", 60, std::nullopt);
  auto gym = MakeTestResource("gym", "shelter", 200, std::nullopt);

  auto first = DecideCommit(need, school, 0, "", "c1", "a1", 200);  // all the school has
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->commitment.quantity, 60);
  EXPECT_FALSE(first->commitment.complete);
  EXPECT_EQ(Coverage(first->need), "partial");
  EXPECT_EQ(first->resource.remaining(), 0);
  need = first->need;

  EXPECT_EQ(DecideCommit(need, gym, 41, "", "c2", "a1", 200).error().field, "quantity");
  auto second = DecideCommit(need, gym, 40, "", "c2", "a1", 200);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->commitment.complete);
  EXPECT_EQ(Coverage(second->need), "committed");
  need = second->need;
  EXPECT_EQ(DecideCommit(need, gym, 1, "", "c3", "a1", 200).error().code, ErrorCode::kConflict);

  auto delivered = DecideDeliver(first->commitment, need, 300);
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->first.status, CommitmentStatus::kDelivered);
  EXPECT_EQ(delivered->second.delivered, 60);
  EXPECT_EQ(DecideDeliver(delivered->first, need, 300).error().code, ErrorCode::kConflict);
  need = delivered->second;

  auto cancelled = DecideCancel(second->commitment, need, second->resource, 400);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->need.committed, 60);
  EXPECT_EQ(cancelled->resource.committed, 0);
  EXPECT_EQ(Coverage(cancelled->need), "partial");
  EXPECT_EQ(
      DecideCancel(cancelled->commitment, cancelled->need, cancelled->resource, 400).error().code,
      ErrorCode::kConflict);
}

TEST(ResourceTest, RefusesIncompatibleUnavailableOrOtherIncident) {
  auto need = MakeTestNeed("medical", 5, std::nullopt);
  auto shelter = MakeTestResource("s", "shelter", 50, std::nullopt);
  EXPECT_EQ(DecideCommit(need, shelter, 1, "", "c", "a", 1).error().reason, "incompatible");
  auto team = MakeTestResource("t", "team", 5, std::nullopt);
  team.available = false;
  EXPECT_EQ(DecideCommit(need, team, 1, "", "c", "a", 1).error().code, ErrorCode::kConflict);
  team.available = true;
  team.incident_id = "other";
  EXPECT_EQ(DecideCommit(need, team, 1, "", "c", "a", 1).error().reason, "other_incident");
}

TEST(ResourceTest, ReservesAreLentAndComeBack) {
  ResourceInput in{.kind = "warehouse", .name = "区物资仓库", .quantity = 1000};
  ASSERT_TRUE(ValidateResource(in));
  Resource reserve = MakeResource(in, "rv1", "", "a1", 100);
  reserve.unit_id = "u1";
  auto d = DecideDeploy(reserve, 300, "r9", "i1", "a2", 200);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->reserve.committed, 300);
  EXPECT_EQ(d->reserve.remaining(), 700);
  EXPECT_EQ(d->reserve.version, 2);
  EXPECT_EQ(d->deployed.id, "r9");
  EXPECT_EQ(d->deployed.incident_id, "i1");
  EXPECT_EQ(d->deployed.source_id, "rv1");
  EXPECT_EQ(d->deployed.unit_id, "u1");
  EXPECT_EQ(d->deployed.quantity, 300);
  EXPECT_EQ(d->deployed.committed, 0);
  EXPECT_EQ(d->deployed.created_by, "a2");
  // 0 lends what is left; more than is left, or a negative count, is refused.
  auto rest = DecideDeploy(d->reserve, 0, "r10", "i2", "a2", 300);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->deployed.quantity, 700);
  EXPECT_EQ(DecideDeploy(rest->reserve, 1, "x", "i3", "a2", 400).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(DecideDeploy(d->reserve, 701, "x", "i3", "a2", 400).error().field, "quantity");
  EXPECT_EQ(DecideDeploy(d->reserve, -1, "x", "i3", "a2", 400).error().field, "quantity");
  // An incident's own resource is no reserve; an unavailable one lends nothing.
  EXPECT_EQ(DecideDeploy(d->deployed, 1, "x", "i3", "a2", 400).error().field, "reserve_id");
  Resource off = reserve;
  off.available = false;
  EXPECT_EQ(DecideDeploy(off, 1, "x", "i3", "a2", 400).error().code, ErrorCode::kConflict);

  // Back at closing: delivered stock is used up; a team comes back whole.
  const Resource back = ReturnToReserve(d->reserve, d->deployed, 120, 500);
  EXPECT_EQ(back.committed, 0);
  EXPECT_EQ(back.quantity, 880);
  EXPECT_EQ(back.version, 3);
  Resource team =
      MakeResource({.kind = "team", .name = "抢险队", .quantity = 20}, "t1", "", "a1", 100);
  auto lent = DecideDeploy(team, 0, "t2", "i1", "a2", 200);
  ASSERT_TRUE(lent);
  const Resource team_back = ReturnToReserve(lent->reserve, lent->deployed, 20, 500);
  EXPECT_EQ(team_back.quantity, 20);
  EXPECT_EQ(team_back.remaining(), 20);
}

TEST(ResourceTest, SuggestRanksCompleteThenNearThenLarge) {
  const GeoPoint here{.lat = 30.25, .lng = 120.16};
  auto need = MakeTestNeed("evacuation", 100, here);
  std::vector<Resource> rs = {
      MakeTestResource("near-small", "shelter", 50, GeoPoint{.lat = 30.251, .lng = 120.16}),
      MakeTestResource("far-big", "shelter", 500, GeoPoint{.lat = 30.40, .lng = 120.16}),
      MakeTestResource("mid-big", "vehicle", 150, GeoPoint{.lat = 30.30, .lng = 120.16}),
      MakeTestResource("nowhere-big", "volunteers", 300, std::nullopt),
      MakeTestResource("wrong-kind", "warehouse", 999, here),
      MakeTestResource("gone", "shelter", 100, here),
  };
  rs[5].available = false;
  const auto m = Suggest(need, rs);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].resource_id, "mid-big");  // complete and nearest of the complete ones
  EXPECT_TRUE(m[0].complete);
  ASSERT_TRUE(m[0].distance_km);
  EXPECT_NEAR(*m[0].distance_km, 5.56, 0.05);
  EXPECT_EQ(m[1].resource_id, "far-big");
  EXPECT_EQ(m[2].resource_id, "nowhere-big");  // complete, distance unknown
  EXPECT_EQ(m[3].resource_id, "near-small");   // partial: 50 of 100
  EXPECT_EQ(m[3].can_give, 50);
  EXPECT_FALSE(m[3].complete);
  need.committed = 100;
  EXPECT_TRUE(Suggest(need, rs).empty());
}

}  // namespace
}  // namespace xietong::emergency
