// Who a directive reaches, and the sender's table of receipts.
#include "collab/directive.h"

#include <gtest/gtest.h>

namespace xietong::collab {
namespace {

using identity::Account;
using identity::AccountKind;
using identity::Membership;
using identity::OrgUnit;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;

OrgUnit U(std::string id, std::string path, std::string name) {
  OrgUnit u;
  u.id = id;
  u.path = path;
  u.name = name;
  u.kind = UnitKind::kCommunity;
  return u;
}

Account A(std::string id, std::vector<OrgUnit> units) {
  Account a;
  a.id = id;
  a.display_name = "用户" + id;
  a.kind = AccountKind::kStaff;
  for (const auto& u : units)
    a.memberships.push_back(Membership{"m" + id + u.id, id, u.id, u.name, u.path, Role::kHandler});
  return a;
}

const OrgUnit kDistrict = U("d", "/c/d/", "临江区");
const OrgUnit kStreet = U("s", "/c/d/s/", "滨江街道");
const OrgUnit kCommunityA = U("ca", "/c/d/s/ca/", "望江社区");
const OrgUnit kCommunityB = U("cb", "/c/d/s/cb/", "观潮社区");
const OrgUnit kElsewhere = U("x", "/c/x/", "西湖区");

TEST(DirectiveRules, ValidatesTheDirective) {
  NewDirective in{.title = "防汛通知", .body = "请各社区做好准备", .to_units = {"ca"}};
  EXPECT_TRUE(ValidateDirective(in, kNow));
  auto bad = in;
  bad.to_units = {};
  EXPECT_EQ(ValidateDirective(bad, kNow).error().field, "to_units");
  bad = in;
  bad.to_units = {"ca", "ca"};
  EXPECT_EQ(ValidateDirective(bad, kNow).error().reason, "duplicate");
  bad = in;
  bad.ack_by = kNow - 1;
  EXPECT_EQ(ValidateDirective(bad, kNow).error().field, "ack_by");
  bad = in;
  bad.body = std::string("\xc3", 1);
  EXPECT_EQ(ValidateDirective(bad, kNow).error().reason, "invalid_utf8");
}

TEST(DirectiveRules, ReachesEachPersonOnceUnderTheDeepestUnit) {
  auto both = A("1", {kStreet, kCommunityA});  // a street handler who also serves a community
  auto b = A("2", {kCommunityB});
  auto far = A("3", {kElsewhere});
  auto disabled = A("4", {kCommunityA});
  disabled.disabled = true;
  auto resident = A("5", {kCommunityA});
  resident.kind = AccountKind::kResident;
  auto sender = A("6", {kStreet});
  const std::vector<Account> all = {both, b, far, disabled, resident, sender};
  const std::vector<OrgUnit> targets = {kStreet};

  auto r = ResolveRecipients(targets, true, all, "6");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].account_id, "1");
  EXPECT_EQ(r[0].unit_id, "ca") << "the deepest matching unit";
  EXPECT_EQ(r[1].account_id, "2");

  auto only_street = ResolveRecipients(targets, false, all, "6");
  ASSERT_EQ(only_street.size(), 1u);
  EXPECT_EQ(only_street[0].unit_id, "s");
}

TEST(DirectiveRules, TabulatesByUnitAndNamesWhoIsMissing) {
  std::vector<Receipt> rs(3);
  rs[0] = {.directive_id = "d",
           .account_id = "1",
           .unit_id = "ca",
           .unit_name = "望江社区",
           .unit_path = "/c/d/s/ca/",
           .received_at = kNow,
           .read_at = kNow,
           .acked_at = kNow};
  rs[1] = {.directive_id = "d",
           .account_id = "2",
           .unit_id = "ca",
           .unit_name = "望江社区",
           .unit_path = "/c/d/s/ca/",
           .received_at = kNow,
           .read_at = kNow};
  rs[2] = {.directive_id = "d",
           .account_id = "3",
           .unit_id = "cb",
           .unit_name = "观潮社区",
           .unit_path = "/c/d/s/cb/",
           .received_at = kNow};
  const OrgUnit empty = U("ce", "/c/d/s/ce/", "空社区");
  const std::vector<OrgUnit> targets = {kCommunityA, kCommunityB, empty};
  auto t = Tabulate(rs, targets, true);
  EXPECT_EQ(t.recipients, 3);
  EXPECT_EQ(t.read, 2);
  EXPECT_EQ(t.acknowledged, 1);
  ASSERT_EQ(t.units.size(), 2u);
  EXPECT_EQ(t.units_not_acknowledged, (std::vector<std::string>{"ca", "cb"}));
  EXPECT_EQ(t.units_without_recipients, (std::vector<std::string>{"ce"}));
}

TEST(DirectiveRules, RemindsOnlyPastTheDeadlineAndUnacknowledged) {
  Directive d;
  d.ack_by = kNow;
  Receipt r;
  EXPECT_FALSE(NeedsReminder(d, r, kNow));
  EXPECT_TRUE(NeedsReminder(d, r, kNow + 1));
  r.acked_at = kNow - 1;
  EXPECT_FALSE(NeedsReminder(d, r, kNow + 1));
  d.ack_by = 0;
  r.acked_at = 0;
  EXPECT_FALSE(NeedsReminder(d, r, kNow + 1)) << "no deadline, no reminder";
}

}  // namespace
}  // namespace xietong::collab
