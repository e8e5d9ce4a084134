#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "identity/authorization.h"
#include "identity/identity.h"
#include "identity/password.h"

namespace xietong::identity {
namespace {

Principal With(std::vector<std::pair<std::string, Role>> memberships) {
  Principal p;
  p.account_id = "a";
  for (auto& [path, role] : memberships) p.memberships.push_back({"m", "a", "u", "n", path, role});
  return p;
}

TEST(Authorization, MembershipReachesItsWholeSubtreeOnly) {
  Principal lead = With({{"/city/d1/s1/", Role::kUnitLead}});
  EXPECT_TRUE(Can(lead, Action::kAccountRead, "/city/d1/s1/"));
  EXPECT_TRUE(Can(lead, Action::kAccountRead, "/city/d1/s1/c3/g2/"));
  EXPECT_FALSE(Can(lead, Action::kAccountRead, "/city/d1/s2/"));
  EXPECT_FALSE(Can(lead, Action::kAccountRead, "/city/d1/"));
  EXPECT_FALSE(Can(lead, Action::kAccountManage, "/city/d1/s1/"));  // the role does not allow it
  EXPECT_FALSE(Can(lead, Action::kAccountRead, ""));                // not city-wide
}

TEST(Authorization, ParallelRolesAddUp) {
  Principal p = With({{"/city/d1/s1/", Role::kHandler}, {"/city/d2/", Role::kAdmin}});
  EXPECT_FALSE(Can(p, Action::kAccountManage, "/city/d1/s1/"));
  EXPECT_TRUE(Can(p, Action::kAccountManage, "/city/d2/s9/"));
}

TEST(Authorization, RootAdminIsCityWide) {
  Principal admin = With({{"/city/", Role::kAdmin}});
  EXPECT_TRUE(Can(admin, Action::kAccountManage, ""));
  EXPECT_TRUE(Can(admin, Action::kRevealPersonal, "/city/d1/"));
  EXPECT_TRUE(Can(Principal::System(), Action::kUnitManage, ""));
  EXPECT_FALSE(Can(With({}), Action::kAccountRead, "/city/"));
  EXPECT_TRUE(Can(With({}), Action::kOrgRead, "/city/"));
}

// Issue 18's three participation actions, on the roles docs/plans/participation.md §4.3 names:
// points rules and awards for unit leads (the community or street administrator), the daily
// work of 多元参与 for community staff (handlers) too, reading it all for leaders and
// supervisors. Residents and operators get none of them.
TEST(Authorization, ParticipationActionsFollowTheirRoles) {
  const std::vector<std::pair<Action, std::vector<Role>>> expected = {
      {Action::kPointsManage, {Role::kUnitLead, Role::kAdmin}},
      {Action::kParticipationStaff, {Role::kHandler, Role::kUnitLead, Role::kAdmin}},
      {Action::kParticipationOversee, {Role::kLeader, Role::kSupervisor, Role::kAdmin}},
  };
  for (const auto& [action, roles] : expected)
    for (Role r : AllRoles())
      EXPECT_EQ(RoleAllows(r, action), std::find(roles.begin(), roles.end(), r) != roles.end())
          << ActionName(action) << " for " << RoleName(r);
  EXPECT_EQ(ActionName(Action::kPointsManage), "points.manage");
  EXPECT_EQ(ActionName(Action::kParticipationStaff), "participation.staff");
  EXPECT_EQ(ActionName(Action::kParticipationOversee), "participation.oversee");
  // A community handler acts for their community only; a street lead manages points below it.
  Principal handler = With({{"/city/d1/s1/c1/", Role::kHandler}});
  EXPECT_TRUE(Can(handler, Action::kParticipationStaff, "/city/d1/s1/c1/"));
  EXPECT_FALSE(Can(handler, Action::kParticipationStaff, "/city/d1/s1/c2/"));
  EXPECT_FALSE(Can(handler, Action::kPointsManage, "/city/d1/s1/c1/"));
  Principal lead = With({{"/city/d1/s1/", Role::kUnitLead}});
  EXPECT_TRUE(Can(lead, Action::kPointsManage, "/city/d1/s1/c1/"));
  EXPECT_FALSE(Can(lead, Action::kParticipationOversee, "/city/d1/s1/c1/"));
  Principal resident = With({{"/city/d1/s1/c1/", Role::kResident}});
  for (Action a :
       {Action::kPointsManage, Action::kParticipationStaff, Action::kParticipationOversee})
    EXPECT_FALSE(Can(resident, a, "/city/d1/s1/c1/"));
}

// Issue 19's decision support: targets, 考核 weights and publishing are the leaders', the
// supervisors' and the administrators' over their subtree; a unit's own lead or staff never
// set the targets they are measured by.
TEST(Authorization, InsightManageIsForLeadersSupervisorsAndAdmins) {
  const std::vector<Role> roles = {Role::kLeader, Role::kSupervisor, Role::kAdmin};
  for (Role r : AllRoles())
    EXPECT_EQ(RoleAllows(r, Action::kInsightManage),
              std::find(roles.begin(), roles.end(), r) != roles.end())
        << RoleName(r);
  EXPECT_EQ(ActionName(Action::kInsightManage), "insight.manage");
  Principal leader = With({{"/city/d1/", Role::kLeader}});
  EXPECT_TRUE(Can(leader, Action::kInsightManage, "/city/d1/s1/"));
  EXPECT_FALSE(Can(leader, Action::kInsightManage, "/city/d2/"));
  EXPECT_FALSE(Can(leader, Action::kInsightManage, ""));
  EXPECT_TRUE(Can(With({{"/city/", Role::kLeader}}), Action::kInsightManage, ""));
  EXPECT_FALSE(
      Can(With({{"/city/d1/s1/", Role::kUnitLead}}), Action::kInsightManage, "/city/d1/s1/"));
}

// 社会组织 (issue 18): under a street, township or community, with no polygon.
TEST(Identity, OrganisationsSitUnderStreetsAndCommunities) {
  EXPECT_EQ(*ParseUnitKind("organisation"), UnitKind::kOrganisation);
  EXPECT_EQ(UnitKindName(UnitKind::kOrganisation), "organisation");
  EXPECT_NE(ParseUnitKind("club").error().message.find("organisation"), std::string::npos);
  for (UnitKind parent : {UnitKind::kStreet, UnitKind::kTownship, UnitKind::kCommunity})
    EXPECT_TRUE(MayContain(parent, UnitKind::kOrganisation));
  for (UnitKind parent : {UnitKind::kCity, UnitKind::kDistrict, UnitKind::kGrid,
                          UnitKind::kDepartment, UnitKind::kCentre, UnitKind::kOrganisation})
    EXPECT_FALSE(MayContain(parent, UnitKind::kOrganisation));
  EXPECT_FALSE(MayContain(UnitKind::kOrganisation, UnitKind::kGrid));
  EXPECT_FALSE(IsTerritorial(UnitKind::kOrganisation));
  EXPECT_TRUE(IsTerritorial(UnitKind::kCommunity));
}

TEST(Identity, PhonesAreValidatedAndMasked) {
  EXPECT_TRUE(IsValidPhone("13812345678"));
  EXPECT_TRUE(IsValidPhone("0571-88886666"));
  EXPECT_FALSE(IsValidPhone("12812345678"));
  EXPECT_FALSE(IsValidPhone("1381234567"));
  EXPECT_FALSE(IsValidPhone("phone"));
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("123"), "***");
}

TEST(Identity, UsernamesAndRoles) {
  EXPECT_TRUE(IsValidUsername("zhang.wei-02"));
  EXPECT_FALSE(IsValidUsername("2zhang"));
  EXPECT_FALSE(IsValidUsername("张伟"));
  EXPECT_EQ(*ParseRole("unit_lead"), Role::kUnitLead);
  auto bad = ParseRole("boss");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("data_officer"), std::string::npos);
  EXPECT_TRUE(MayContain(UnitKind::kCommunity, UnitKind::kGrid));
  EXPECT_FALSE(MayContain(UnitKind::kGrid, UnitKind::kCommunity));
}

TEST(Password, HashesVerifyAndDiffer) {
  auto h1 = HashPassword("correct horse");
  auto h2 = HashPassword("correct horse");
  ASSERT_TRUE(h1 && h2);
  EXPECT_NE(*h1, *h2);  // salted
  EXPECT_TRUE(h1->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*h1, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*h1, "correct horsE"));
  EXPECT_FALSE(CheckPasswordPolicy("short"));
  EXPECT_FALSE(CheckPasswordPolicy("1234567890"));
  EXPECT_TRUE(CheckPasswordPolicy("长城长城长城长城"));
}

TEST(Password, TokensAreRandomAndStoredAsDigests) {
  auto a = RandomToken(), b = RandomToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(TokenDigest(a), TokenDigest(a));
  EXPECT_NE(TokenDigest(a), a);
}

}  // namespace
}  // namespace xietong::identity
