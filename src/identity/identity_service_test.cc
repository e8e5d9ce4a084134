// IdentityService against real databases (every backend).
#include <map>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "identity/identity_service.h"
#include "identity/identity_store.h"
#include "storage/testing.h"

namespace xietong::identity {
namespace {

template <typename F>
AccountUpdate Update(F&& set) {
  AccountUpdate u;
  set(u);
  return u;
}

class IdentityServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(db(), {&Schema()}, 0));
    service_ = std::make_unique<IdentityService>(db(), clock_, ids_);
    const auto sys = Principal::System();
    city_ = Make(sys, {std::nullopt, UnitKind::kCity, "JL", "江澜市", std::nullopt});
    district_ = Make(sys, {city_.id, UnitKind::kDistrict, "JL-01", "临江区", std::nullopt});
    street_a_ = Make(sys, {district_.id, UnitKind::kStreet, "JL-01-01", "望湖街道", std::nullopt});
    street_b_ = Make(sys, {district_.id, UnitKind::kStreet, "JL-01-02", "柳巷街道", std::nullopt});
    admin_ = MakeAccount(sys, "admin", city_.id, Role::kAdmin);
  }

  storage::Database& db() { return t_->db(); }

  OrgUnit Make(const Principal& p, NewUnit u) {
    auto r = service_->CreateUnit(p, u);
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  Account MakeAccount(const Principal& p, std::string username, std::string unit_id, Role role,
                      std::optional<std::string> phone = std::nullopt) {
    auto r = service_->CreateAccount(p, {username, "测试" + username, AccountKind::kStaff, phone,
                                         "secret-pass-1", unit_id, role});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(Account{});
  }

  Principal LoginAs(const std::string& username) {
    auto login = service_->Login(username, "secret-pass-1");
    EXPECT_TRUE(login) << login.error().message;
    auto p = service_->Authenticate(login ? login->token : "");
    EXPECT_TRUE(p) << p.error().message;
    return p.value_or(Principal{});
  }

  std::int64_t Count(std::string_view sql) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql));
      return row->Int(0);
    });
    return n.value_or(-1);
  }

  std::int64_t CountEvents(std::string_view action) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(
          auto row, ex.QueryOne("SELECT COUNT(*) FROM audit_events WHERE action = ?", {action}));
      return row->Int(0);
    });
    return n.value_or(-1);
  }

  ManualClock clock_{1'790'000'000'000'000};
  IdGenerator ids_{clock_};
  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::unique_ptr<IdentityService> service_;
  OrgUnit city_, district_, street_a_, street_b_;
  Account admin_;
};

TEST_P(IdentityServiceTest, LoginGivesASessionThatAuthenticatesUntilLogout) {
  auto login = service_->Login("admin", "secret-pass-1");
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_EQ(login->account.username, "admin");
  auto who = service_->Authenticate(login->token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->account_id, admin_.id);
  ASSERT_EQ(who->memberships.size(), 1u);
  EXPECT_EQ(who->memberships[0].role, Role::kAdmin);
  EXPECT_EQ(who->csrf_token, login->csrf_token);
  ASSERT_TRUE(service_->Logout(login->token));
  auto after = service_->Authenticate(login->token);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(CountEvents("identity.session.create"), 1);
  EXPECT_EQ(CountEvents("identity.session.revoke"), 1);
}

TEST_P(IdentityServiceTest, SessionsExpire) {
  auto login = service_->Login("admin", "secret-pass-1");
  ASSERT_TRUE(login);
  clock_.Advance(13 * kMicrosPerHour);
  auto who = service_->Authenticate(login->token);
  ASSERT_FALSE(who);
  EXPECT_NE(who.error().message.find("expired"), std::string::npos);
}

TEST_P(IdentityServiceTest, WrongPasswordsAreThrottledThenForgiven) {
  for (int i = 0; i < 4; ++i) {
    auto r = service_->Login("admin", "wrong-password");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  }
  auto fifth = service_->Login("admin", "wrong-password");
  ASSERT_FALSE(fifth);
  EXPECT_EQ(fifth.error().code, ErrorCode::kTooManyRequests);
  // Locked: even the right password is refused until the lock ends.
  auto locked = service_->Login("admin", "secret-pass-1");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kTooManyRequests);
  clock_.Advance(2 * kMicrosPerMinute);
  EXPECT_TRUE(service_->Login("admin", "secret-pass-1"));
  EXPECT_EQ(CountEvents("identity.login.fail"), 5);
}

TEST_P(IdentityServiceTest, AStrangersGuessesDoNotLockTheOwnerOut) {
  // Someone at another address guesses admin's password until locked out…
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(service_->Login("admin", "guess", "203.0.113.7"));
  auto stranger = service_->Login("admin", "secret-pass-1", "203.0.113.7");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, ErrorCode::kTooManyRequests);
  // …and the owner, at their own address, logs in all the same.
  EXPECT_TRUE(service_->Login("admin", "secret-pass-1", "198.51.100.20"));
}

TEST_P(IdentityServiceTest, OneAddressCannotSprayOnePasswordOverEveryAccount) {
  IdentityOptions o;
  o.address_failures = 6;
  service_ = std::make_unique<IdentityService>(db(), clock_, ids_, o);
  // One wrong password each on six accounts (unknown names count too).
  for (int i = 0; i < 5; ++i) {
    auto r = service_->Login(fmt::format("user{}", i), "Winter2026!", "203.0.113.9");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << i;
  }
  auto sixth = service_->Login("admin", "Winter2026!", "203.0.113.9");
  ASSERT_FALSE(sixth);
  EXPECT_EQ(sixth.error().code, ErrorCode::kTooManyRequests);
  EXPECT_NE(sixth.error().message.find("your address"), std::string::npos);
  // The address stays locked for the window, whatever it tries; others do not.
  EXPECT_EQ(service_->Login("admin", "secret-pass-1", "203.0.113.9").error().code,
            ErrorCode::kTooManyRequests);
  EXPECT_TRUE(service_->Login("admin", "secret-pass-1", "198.51.100.20"));
  clock_.Advance(o.address_window);
  EXPECT_TRUE(service_->Login("admin", "secret-pass-1", "203.0.113.9"));
}

TEST_P(IdentityServiceTest, TooManyFailuresEverywhereSlowEveryLoginForAMinute) {
  IdentityOptions o;
  o.overall_failures = 4;
  service_ = std::make_unique<IdentityService>(db(), clock_, ids_, o);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(service_->Login("admin", "x", fmt::format("203.0.113.{}", i)).error().code,
              ErrorCode::kUnauthenticated);
  EXPECT_EQ(service_->Login("admin", "x", "203.0.113.50").error().code,
            ErrorCode::kTooManyRequests);
  EXPECT_EQ(service_->Login("admin", "secret-pass-1", "198.51.100.20").error().code,
            ErrorCode::kTooManyRequests);
  clock_.Advance(kMicrosPerMinute);
  EXPECT_TRUE(service_->Login("admin", "secret-pass-1", "198.51.100.20"));
}

TEST_P(IdentityServiceTest, OldThrottleRowsArePruned) {
  IdentityOptions o;
  o.address_failures = 1000;
  service_ = std::make_unique<IdentityService>(db(), clock_, ids_, o);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(service_->Login(fmt::format("probe{}", i), "x", ""));
  // 50 account keys, one address key, the overall key.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM login_throttle"), 52);
  clock_.Advance(25 * kMicrosPerHour);
  EXPECT_FALSE(service_->Login("someone", "x", "198.51.100.1"));
  // The 52 old rows are gone; the new failure's three keys are there.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM login_throttle"), 3);
}

TEST_P(IdentityServiceTest, UnknownUserAndWrongPasswordLookAlike) {
  auto a = service_->Login("nobody", "secret-pass-1");
  auto b = service_->Login("admin", "not-the-password");
  ASSERT_FALSE(a);
  ASSERT_FALSE(b);
  EXPECT_EQ(a.error().message, b.error().message);
}

TEST_P(IdentityServiceTest, LeadSeesOwnStreetOnly) {
  MakeAccount(Principal::System(), "lead.a", street_a_.id, Role::kUnitLead);
  Account worker_b = MakeAccount(Principal::System(), "handler.b", street_b_.id, Role::kHandler);
  Principal lead = LoginAs("lead.a");
  auto mine = service_->ListAccounts(lead, {street_a_.id, std::nullopt, std::nullopt, 50});
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_EQ(mine->items.size(), 1u);
  EXPECT_EQ(mine->items[0].username, "lead.a");
  auto theirs = service_->ListAccounts(lead, {street_b_.id, std::nullopt, std::nullopt, 50});
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code, ErrorCode::kPermissionDenied);
  auto one = service_->GetAccount(lead, worker_b.id);
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().code, ErrorCode::kPermissionDenied);
}

// A page of accounts carries each account's own memberships — read in one
// query for the page — whatever the page's size and order.
TEST_P(IdentityServiceTest, AListedPageCarriesEachAccountsOwnMemberships) {
  Account two = MakeAccount(Principal::System(), "two.units", street_a_.id, Role::kHandler);
  ASSERT_TRUE(service_->AddMembership(Principal::System(), two.id, street_b_.id, Role::kUnitLead));
  MakeAccount(Principal::System(), "one.unit", street_b_.id, Role::kHandler);
  for (int limit : {1, 2, 500}) {
    std::map<std::string, std::vector<std::string>> seen;  // username → "unit role"
    identity::AccountListQuery q{std::nullopt, std::nullopt, std::nullopt, limit};
    for (;;) {
      auto page = service_->ListAccounts(Principal::System(), q);
      ASSERT_TRUE(page) << page.error().message;
      for (const auto& a : page->items)
        for (const auto& m : a.memberships) {
          EXPECT_EQ(m.account_id, a.id);
          seen[a.username].push_back(m.unit_id + " " + std::string(RoleName(m.role)));
        }
      if (!page->next_cursor) break;
      q.cursor = page->next_cursor;
    }
    EXPECT_EQ(seen["two.units"],
              (std::vector<std::string>{street_a_.id + " handler", street_b_.id + " unit_lead"}))
        << "limit " << limit;
    EXPECT_EQ(seen["one.unit"], std::vector<std::string>{street_b_.id + " handler"})
        << "limit " << limit;
  }
}

// The 通讯录: a lead picks a colleague of another street for a task force,
// sees names and units but no phone; a resident may not look.
TEST_P(IdentityServiceTest, StaffDirectoryCrossesScopeButShowsNoPhones) {
  MakeAccount(Principal::System(), "lead.a", street_a_.id, Role::kUnitLead);
  Account worker_b = MakeAccount(Principal::System(), "handler.b", street_b_.id, Role::kHandler);
  ASSERT_TRUE(service_->UpdateAccount(Principal::System(), worker_b.id, worker_b.version,
                                      {.display_name = std::nullopt,
                                       .phone = std::string("13800138000"),
                                       .disabled = std::nullopt,
                                       .password = std::nullopt}));
  Principal lead = LoginAs("lead.a");
  auto theirs = service_->Directory(lead, {street_b_.id, std::nullopt, std::nullopt, 50});
  ASSERT_TRUE(theirs) << theirs.error().message;
  ASSERT_EQ(theirs->items.size(), 1u);
  EXPECT_EQ(theirs->items[0].username, "handler.b");
  EXPECT_FALSE(theirs->items[0].phone.has_value());
  ASSERT_EQ(theirs->items[0].memberships.size(), 1u);
  EXPECT_EQ(theirs->items[0].memberships[0].unit_id, street_b_.id);

  auto unknown =
      service_->Directory(lead, {"01JUNKNOWNUNIT00000000000", std::nullopt, std::nullopt, 50});
  ASSERT_FALSE(unknown);
  auto bare = service_->Directory(lead, {std::nullopt, std::nullopt, std::nullopt, 50});
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().code, ErrorCode::kInvalidArgument);

  Principal resident = lead;
  resident.kind = AccountKind::kResident;
  resident.memberships.clear();
  auto refused = service_->Directory(resident, {street_b_.id, std::nullopt, std::nullopt, 50});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(IdentityServiceTest, OnlyAdminsCreateAccountsAndOnlyInTheirScope) {
  MakeAccount(Principal::System(), "district.admin", district_.id, Role::kAdmin);
  MakeAccount(Principal::System(), "handler.a", street_a_.id, Role::kHandler);
  Principal handler = LoginAs("handler.a");
  auto denied =
      service_->CreateAccount(handler, {"new.one", "新人", AccountKind::kStaff, std::nullopt,
                                        "secret-pass-1", street_a_.id, Role::kHandler});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  Principal district_admin = LoginAs("district.admin");
  auto ok =
      service_->CreateAccount(district_admin, {"new.one", "新人", AccountKind::kStaff, std::nullopt,
                                               "secret-pass-1", street_a_.id, Role::kHandler});
  ASSERT_TRUE(ok) << ok.error().message;
  auto no_unit = service_->CreateAccount(
      district_admin, {"new.two", "新人二", AccountKind::kStaff, std::nullopt, "secret-pass-1",
                       std::nullopt, std::nullopt});
  ASSERT_FALSE(no_unit);
  EXPECT_EQ(no_unit.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(IdentityServiceTest, DuplicateUsernameIsAConflictAndChangesNothing) {
  auto again = service_->CreateAccount(
      Principal::System(), {"admin", "另一个", AccountKind::kStaff, std::nullopt, "secret-pass-1",
                            std::nullopt, std::nullopt});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(CountEvents("identity.account.create"), 1);
}

TEST_P(IdentityServiceTest, UpdatesNeedTheCurrentVersion) {
  Principal admin = LoginAs("admin");
  Account a = MakeAccount(admin, "worker", street_a_.id, Role::kHandler);
  auto first = service_->UpdateAccount(admin, a.id, a.version,
                                       Update([](AccountUpdate& u) { u.display_name = "王小明"; }));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->display_name, "王小明");
  EXPECT_EQ(first->version, a.version + 1);
  auto stale = service_->UpdateAccount(admin, a.id, a.version,
                                       Update([](AccountUpdate& u) { u.display_name = "李四"; }));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
}

TEST_P(IdentityServiceTest, DisablingAnAccountEndsItsSessions) {
  Principal admin = LoginAs("admin");
  Account a = MakeAccount(admin, "leaver", street_a_.id, Role::kHandler);
  auto login = service_->Login("leaver", "secret-pass-1");
  ASSERT_TRUE(login);
  ASSERT_TRUE(service_->Authenticate(login->token));  // now cached
  ASSERT_TRUE(service_->UpdateAccount(admin, a.id, a.version,
                                      Update([](AccountUpdate& u) { u.disabled = true; })));
  EXPECT_FALSE(service_->Authenticate(login->token));
  EXPECT_FALSE(service_->Login("leaver", "secret-pass-1"));
}

TEST_P(IdentityServiceTest, CountMembersCountsActiveAccountsOfARoleExactlyAtEachUnit) {
  Principal admin = LoginAs("admin");
  MakeAccount(admin, "hand1", street_a_.id, Role::kHandler);
  MakeAccount(admin, "hand2", street_a_.id, Role::kHandler);
  Account gone = MakeAccount(admin, "hand3", street_a_.id, Role::kHandler);
  MakeAccount(admin, "lead", street_a_.id, Role::kUnitLead);
  Account both = MakeAccount(admin, "hand4", district_.id, Role::kHandler);
  ASSERT_TRUE(service_->AddMembership(admin, both.id, street_b_.id, Role::kHandler));
  ASSERT_TRUE(service_->UpdateAccount(admin, gone.id, gone.version,
                                      Update([](AccountUpdate& u) { u.disabled = true; })));
  auto counts = service_->CountMembers(Role::kHandler);
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->size(), 3u);           // street a, district, street b; the city has none
  EXPECT_EQ(counts->at(street_a_.id), 2);  // the disabled one and the lead are left out
  EXPECT_EQ(counts->at(district_.id), 1);  // exactly at the unit: not the streets' under it
  EXPECT_EQ(counts->at(street_b_.id), 1);
  EXPECT_FALSE(counts->contains(city_.id));
}

TEST_P(IdentityServiceTest, PhoneIsMaskedAndRevealingItIsAudited) {
  Principal admin = LoginAs("admin");
  Account a = MakeAccount(admin, "caller", street_a_.id, Role::kHandler, "13812345678");
  auto masked = service_->GetAccount(admin, a.id);
  ASSERT_TRUE(masked);
  EXPECT_EQ(masked->phone, "138****5678");
  EXPECT_EQ(CountEvents("identity.account.reveal"), 0);
  auto revealed = service_->GetAccount(admin, a.id, true);
  ASSERT_TRUE(revealed);
  EXPECT_EQ(revealed->phone, "13812345678");
  EXPECT_EQ(CountEvents("identity.account.reveal"), 1);
}

TEST_P(IdentityServiceTest, ParallelRolesAndMembershipRules) {
  Principal admin = LoginAs("admin");
  Account a = MakeAccount(admin, "multi", street_a_.id, Role::kHandler);
  auto second = service_->AddMembership(admin, a.id, street_b_.id, Role::kUnitLead);
  ASSERT_TRUE(second) << second.error().message;
  auto dup = service_->AddMembership(admin, a.id, street_b_.id, Role::kUnitLead);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  auto resident_role = service_->AddMembership(admin, a.id, street_b_.id, Role::kResident);
  EXPECT_FALSE(resident_role);
  Principal multi = LoginAs("multi");
  EXPECT_EQ(multi.memberships.size(), 2u);
  EXPECT_TRUE(Can(multi, Action::kAccountRead, street_b_.path));
  ASSERT_TRUE(service_->RemoveMembership(admin, second->id));
  EXPECT_EQ(LoginAs("multi").memberships.size(), 1u);
  auto self = service_->RemoveMembership(admin, admin.memberships[0].id);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, ErrorCode::kConflict);
}

TEST_P(IdentityServiceTest, CachedSessionsSeeMembershipChangesAtOnce) {
  Principal admin = LoginAs("admin");
  Account a = MakeAccount(admin, "cached", street_a_.id, Role::kHandler);
  auto login = service_->Login("cached", "secret-pass-1");
  ASSERT_TRUE(login);
  ASSERT_EQ(service_->Authenticate(login->token)->memberships.size(), 1u);  // now cached
  auto added = service_->AddMembership(admin, a.id, street_b_.id, Role::kUnitLead);
  ASSERT_TRUE(added);
  EXPECT_EQ(service_->Authenticate(login->token)->memberships.size(), 2u);
  ASSERT_TRUE(service_->RemoveMembership(admin, added->id));
  EXPECT_EQ(service_->Authenticate(login->token)->memberships.size(), 1u);
  // And the cache never outlives the session itself.
  clock_.Advance(12 * kMicrosPerHour);
  EXPECT_FALSE(service_->Authenticate(login->token));
}

TEST_P(IdentityServiceTest, ADistrictAdminCannotTakeOverACityWideAccount) {
  Principal root = LoginAs("admin");
  MakeAccount(root, "district.admin", district_.id, Role::kAdmin);
  Account boss = MakeAccount(root, "city.leader", city_.id, Role::kLeader);
  ASSERT_TRUE(service_->AddMembership(root, boss.id, street_a_.id, Role::kHandler));
  Principal district_admin = LoginAs("district.admin");
  auto boss_now = service_->GetAccount(root, boss.id);
  ASSERT_TRUE(boss_now);
  auto takeover =
      service_->UpdateAccount(district_admin, boss.id, boss_now->version,
                              Update([](AccountUpdate& u) { u.password = "mine-now-123"; }));
  ASSERT_FALSE(takeover);
  EXPECT_EQ(takeover.error().code, ErrorCode::kPermissionDenied);
  Account local = MakeAccount(root, "local.handler", street_a_.id, Role::kHandler);
  EXPECT_TRUE(service_->UpdateAccount(district_admin, local.id, local.version,
                                      Update([](AccountUpdate& u) { u.display_name = "本地"; })));
}

TEST_P(IdentityServiceTest, UnitTreeRules) {
  auto bad = service_->CreateUnit(
      Principal::System(), {street_a_.id, UnitKind::kDistrict, "X-1", "错位区", std::nullopt});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  auto dup = service_->CreateUnit(
      Principal::System(), {district_.id, UnitKind::kStreet, "JL-01-01", "重复", std::nullopt});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  auto geo = service_->CreateUnit(Principal::System(),
                                  {street_a_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区",
                                   R"({"type":"Point","coordinates":[1,2]})"});
  EXPECT_FALSE(geo);
  auto children = service_->ListChildren(LoginAs("admin"), district_.id);
  ASSERT_TRUE(children);
  ASSERT_EQ(children->size(), 2u);
  EXPECT_EQ((*children)[0].code, "JL-01-01");
  EXPECT_TRUE((*children)[0].path.starts_with(district_.path));
}

// 社会组织 (issue 18): an organisation sits under a community (or a street), not under a district;
// its members are residents with the `resident` role at it, beside their community membership.
TEST_P(IdentityServiceTest, OrganisationsHoldResidentMembers) {
  Principal admin = LoginAs("admin");
  OrgUnit community =
      Make(admin, {street_a_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区", std::nullopt});
  OrgUnit team = Make(admin, {community.id, UnitKind::kOrganisation, "JL-01-01-01-Z1",
                              "湖畔社区志愿服务队", std::nullopt});
  EXPECT_EQ(team.kind, UnitKind::kOrganisation);
  EXPECT_TRUE(team.path.starts_with(community.path));
  Make(admin,
       {street_a_.id, UnitKind::kOrganisation, "JL-01-01-Z1", "望湖街道老年协会", std::nullopt});
  auto misplaced = service_->CreateUnit(
      admin, {district_.id, UnitKind::kOrganisation, "JL-01-Z1", "错位协会", std::nullopt});
  ASSERT_FALSE(misplaced);
  EXPECT_EQ(misplaced.error().code, ErrorCode::kInvalidArgument);
  auto resident = service_->CreateAccount(
      admin, {"lin.resident", "林居民", AccountKind::kResident, std::nullopt, "secret-pass-1",
              community.id, Role::kResident});
  ASSERT_TRUE(resident) << resident.error().message;
  auto member = service_->AddMembership(admin, resident->id, team.id, Role::kResident);
  ASSERT_TRUE(member) << member.error().message;
  Principal lin = LoginAs("lin.resident");
  ASSERT_EQ(lin.memberships.size(), 2u);
  EXPECT_FALSE(Can(lin, Action::kParticipationStaff, team.path));
}

TEST_P(IdentityServiceTest, ApiKeysAuthenticateAndOnlyAdminsMakeThem) {
  auto key = service_->CreateApiKey(Principal::System(), "city-app");
  ASSERT_TRUE(key);
  auto who = service_->AuthenticateApiKey(*key);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->username, "city-app");
  EXPECT_FALSE(service_->AuthenticateApiKey("xtk_" + std::string(64, '0')));
  MakeAccount(Principal::System(), "handler.k", street_a_.id, Role::kHandler);
  EXPECT_FALSE(service_->CreateApiKey(LoginAs("handler.k"), "sneaky"));
}

TEST_P(IdentityServiceTest, EveryChangeIsInAVerifiableChain) {
  Principal admin = LoginAs("admin");
  MakeAccount(admin, "chain.test", street_a_.id, Role::kHandler);
  audit::VerifyOptions o;
  auto report = audit::Verify(db(), o);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_GE(report->events, 7);  // 4 units, 2 accounts, 1 login
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::identity
