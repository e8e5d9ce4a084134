#include <gtest/gtest.h>

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
