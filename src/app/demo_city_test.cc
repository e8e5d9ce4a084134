// The demo city on every backend: its size, polygons that tile exactly, staff
// in every role, logins that work, and a second run that adds nothing.
#include "app/demo_city.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "core/json.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using identity::AccountKind;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr std::string_view kAdminPassword = "admin-pass-2026";
constexpr std::string_view kStaffPassword = "demo-2026";

// An axis-aligned rectangle in whole micro-degrees.
struct Box {
  std::int64_t west, south, east, north;
  std::int64_t Area() const { return (east - west) * (north - south); }
  bool Inside(const Box& outer) const {
    return west >= outer.west && east <= outer.east && south >= outer.south && north <= outer.north;
  }
  bool Overlaps(const Box& o) const {
    return west < o.east && o.west < east && south < o.north && o.south < north;
  }
};

// The rectangle a stored GeoJSON Polygon describes, or nullopt when it is not one.
std::optional<Box> BoxOf(const std::optional<std::string>& geometry) {
  if (!geometry) return std::nullopt;
  auto g = json::ParseObject(*geometry);
  if (!g || (*g)["type"] != "Polygon") return std::nullopt;
  const json::Json& rings = (*g)["coordinates"];
  if (!rings.is_array() || rings.size() != 1 || rings[0].size() != 5 || rings[0][0] != rings[0][4])
    return std::nullopt;
  std::vector<std::int64_t> xs, ys;
  for (const auto& point : rings[0]) {
    xs.push_back(std::llround(point[0].get<double>() * 1e6));
    ys.push_back(std::llround(point[1].get<double>() * 1e6));
  }
  Box b{*std::min_element(xs.begin(), xs.end()), *std::min_element(ys.begin(), ys.end()),
        *std::max_element(xs.begin(), xs.end()), *std::max_element(ys.begin(), ys.end())};
  for (int i = 0; i < 4; ++i) {
    const bool on_x = xs[i] == b.west || xs[i] == b.east;
    const bool on_y = ys[i] == b.south || ys[i] == b.north;
    // Consecutive corners differ in exactly one coordinate: a rectangle, not a bow tie.
    if (!on_x || !on_y || ((xs[i] == xs[i + 1]) == (ys[i] == ys[i + 1]))) return std::nullopt;
  }
  if (b.Area() <= 0) return std::nullopt;
  return b;
}

// Children tile their parent: inside it, pairwise disjoint, areas summing to its area.
::testing::AssertionResult Tiles(const OrgUnit& parent, const Box& outer,
                                 const std::vector<std::pair<OrgUnit, Box>>& parts) {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& [unit, box] = parts[i];
    if (!box.Inside(outer))
      return ::testing::AssertionFailure() << unit.code << " reaches outside " << parent.code;
    for (std::size_t j = i + 1; j < parts.size(); ++j)
      if (box.Overlaps(parts[j].second))
        return ::testing::AssertionFailure()
               << unit.code << " overlaps " << parts[j].first.code << " in " << parent.code;
    sum += box.Area();
  }
  if (sum != outer.Area())
    return ::testing::AssertionFailure() << "the parts of " << parent.code << " cover " << sum
                                         << " of its " << outer.Area() << " square micro-degrees";
  return ::testing::AssertionSuccess();
}

// The number of audit events: every change the services make writes one.
std::int64_t CountEvents(storage::Database& db) {
  auto n = db.Read([](storage::Executor& ex) -> Result<std::int64_t> {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM audit_events"));
    return row->Int(0);
  });
  return n.value_or(-1);
}

// A database with the identity schema and a service over it.
struct World {
  ManualClock clock{1'790'000'000'000'000};
  IdGenerator ids{clock};
  std::unique_ptr<storage::testing::TestDatabase> t;
  std::unique_ptr<identity::IdentityService> identity;
  // Set when the world holds a demo city built with kAdminPassword and kStaffPassword.
  std::optional<DemoReport> first_run;
  std::map<std::string, std::pair<int, int>> last_progress;  // step → (done, total)

  // Empty on success, else what went wrong.
  std::string Open(const std::string& backend) {
    t = storage::testing::TestDatabase::Create(backend);
    if (!t) return "no test database";
    if (auto r = storage::ApplySchemas(t->db(), {&identity::Schema()}, 0); !r)
      return r.error().message;
    identity = std::make_unique<identity::IdentityService>(t->db(), clock, ids);
    return "";
  }

  DemoOptions Options() {
    DemoOptions o{std::string(kAdminPassword), std::string(kStaffPassword), {}};
    o.progress = [this](std::string_view step, int done, int total) {
      last_progress[std::string(step)] = {done, total};
    };
    return o;
  }
};

class DemoCityTest : public ::testing::TestWithParam<std::string> {
 protected:
  // The first run hashes some 200 passwords, so each backend builds its city once.
  void SetUp() override {
    auto& slot = cities_[GetParam()];
    if (!slot) {
      slot = std::make_unique<World>();
      const std::string problem = slot->Open(GetParam());
      ASSERT_EQ(problem, "");
      auto report = CreateDemoCity(*slot->identity, slot->Options());
      ASSERT_TRUE(report) << report.error().message;
      slot->first_run = *report;
    }
    ASSERT_TRUE(slot->first_run) << "building the demo city failed in an earlier test";
    w_ = slot.get();
  }
  static void TearDownTestSuite() { cities_.clear(); }

  std::vector<OrgUnit> AllUnits() {
    auto tree = w_->identity->Tree(Principal::System());
    EXPECT_TRUE(tree) << tree.error().message;
    return tree.value_or(std::vector<OrgUnit>{});
  }

  std::vector<identity::Account> AllAccounts() {
    std::vector<identity::Account> out;
    identity::AccountListQuery q;
    q.limit = 500;
    for (;;) {
      auto page = w_->identity->ListAccounts(Principal::System(), q);
      EXPECT_TRUE(page) << page.error().message;
      if (!page) return out;
      for (auto& a : page->items) out.push_back(std::move(a));
      if (!page->next_cursor) return out;
      q.cursor = page->next_cursor;
    }
  }

  std::optional<Box> BoxOfUnit(const OrgUnit& u) {
    auto full = w_->identity->GetUnit(Principal::System(), u.id);
    EXPECT_TRUE(full) << full.error().message;
    return full ? BoxOf((*full)->geometry) : std::nullopt;
  }

  static inline std::map<std::string, std::unique_ptr<World>> cities_;
  World* w_ = nullptr;
};

TEST_P(DemoCityTest, BuildsACityOfTheIntendedSize) {
  const auto units = AllUnits();
  std::map<UnitKind, int> count;
  std::map<std::string, int> children;
  for (const auto& u : units) {
    ++count[u.kind];
    if (u.parent_id) ++children[*u.parent_id];
  }
  EXPECT_EQ(count[UnitKind::kCity], 1);
  EXPECT_GE(count[UnitKind::kDistrict], 4);
  EXPECT_GE(count[UnitKind::kStreet] + count[UnitKind::kTownship], 16);
  EXPECT_GE(count[UnitKind::kStreet], 1);
  EXPECT_GE(count[UnitKind::kTownship], 1);
  EXPECT_GE(count[UnitKind::kCommunity], 60);
  EXPECT_GE(count[UnitKind::kDepartment], 20);
  EXPECT_EQ(count[UnitKind::kCentre], 1);
  int villages = 0;
  for (const auto& u : units) {
    if (u.kind == UnitKind::kCentre) {
      EXPECT_EQ(u.name, "江澜市12345市民服务热线中心");
    }
    if (u.kind == UnitKind::kCommunity) {
      EXPECT_GE(children[u.id], 2) << u.name;
      EXPECT_LE(children[u.id], 4) << u.name;
      if (u.name.ends_with("村")) ++villages;
    }
  }
  EXPECT_GE(villages, 10);

  const DemoReport& first = *w_->first_run;
  EXPECT_EQ(first.units_created, static_cast<int>(units.size()));
  EXPECT_EQ(first.units_existing, 0);
  EXPECT_EQ(w_->last_progress["units"], std::make_pair(first.units_created, first.units_created));
  EXPECT_EQ(w_->last_progress["accounts"],
            std::make_pair(first.accounts_created, first.accounts_created));
}

TEST_P(DemoCityTest, GridsTileTheirStreetExactly) {
  const auto street = w_->identity->FindUnitByCode("JL-01-01");
  ASSERT_TRUE(street && *street);
  const auto street_box = BoxOfUnit(**street);
  ASSERT_TRUE(street_box);
  std::vector<std::pair<OrgUnit, Box>> grids;
  for (const auto& u : AllUnits()) {
    if (u.kind != UnitKind::kGrid || !u.path.starts_with((*street)->path)) continue;
    auto box = BoxOfUnit(u);
    ASSERT_TRUE(box) << u.code << " is not a rectangle";
    grids.emplace_back(u, *box);
  }
  ASSERT_GE(grids.size(), 8u);
  EXPECT_TRUE(Tiles(**street, *street_box, grids));
}

TEST_P(DemoCityTest, EveryTerritoryIsTiledByItsChildren) {
  const auto units = AllUnits();
  std::map<std::string, std::vector<const OrgUnit*>> children;
  for (const auto& u : units)
    if (u.parent_id && identity::IsTerritorial(u.kind)) children[*u.parent_id].push_back(&u);
  int tiled = 0;
  for (const auto& parent : units) {
    if (!identity::IsTerritorial(parent.kind) || parent.kind == UnitKind::kGrid) continue;
    const auto outer = BoxOfUnit(parent);
    ASSERT_TRUE(outer) << parent.code << " is not a rectangle";
    std::vector<std::pair<OrgUnit, Box>> parts;
    for (const OrgUnit* child : children[parent.id]) {
      auto box = BoxOfUnit(*child);
      ASSERT_TRUE(box) << child->code << " is not a rectangle";
      parts.emplace_back(*child, *box);
    }
    ASSERT_FALSE(parts.empty()) << parent.code << " has no territory below it";
    EXPECT_TRUE(Tiles(parent, *outer, parts));
    ++tiled;
  }
  EXPECT_GE(tiled, 1 + 4 + 16 + 60);
}

TEST_P(DemoCityTest, StaffHoldEveryRoleUnderDistinctNames) {
  std::map<std::string, UnitKind> kind_of;
  for (const auto& u : AllUnits()) kind_of[u.id] = u.kind;
  const auto accounts = AllAccounts();
  std::set<Role> roles;
  std::set<std::string> staff_names;
  int staff = 0, residents = 0, parallel = 0, operators = 0;
  for (const auto& a : accounts) {
    ASSERT_FALSE(a.memberships.empty()) << a.username;
    for (const auto& m : a.memberships) roles.insert(m.role);
    if (a.kind == AccountKind::kResident) {
      ++residents;
      ASSERT_EQ(a.memberships.size(), 1u) << a.username;
      EXPECT_EQ(a.memberships[0].role, Role::kResident) << a.username;
      EXPECT_EQ(kind_of[a.memberships[0].unit_id], UnitKind::kCommunity) << a.username;
      ASSERT_TRUE(a.phone) << a.username;
      EXPECT_TRUE(a.phone->starts_with("13")) << *a.phone;
      continue;
    }
    ++staff;
    staff_names.insert(a.display_name);
    if (a.memberships.size() >= 2) ++parallel;
    for (const auto& m : a.memberships) {
      EXPECT_NE(m.role, Role::kResident) << a.username;
      if (m.role == Role::kOperator) {
        ++operators;
        EXPECT_EQ(kind_of[m.unit_id], UnitKind::kCentre) << a.username;
      }
    }
  }
  EXPECT_GE(staff, 150);
  EXPECT_GE(residents, 20);
  EXPECT_EQ(static_cast<int>(staff_names.size()), staff) << "two staff share a display name";
  EXPECT_GE(parallel, 5);
  EXPECT_GE(operators, 10);
  for (Role r : identity::AllRoles()) EXPECT_TRUE(roles.contains(r)) << identity::RoleName(r);
  EXPECT_EQ(w_->first_run->accounts_created, static_cast<int>(accounts.size()));
}

TEST_P(DemoCityTest, WellKnownAccountsLogIn) {
  auto& service = *w_->identity;
  auto admin = service.Login("admin", kAdminPassword);
  ASSERT_TRUE(admin) << admin.error().message;
  EXPECT_EQ(admin->account.display_name, "系统管理员");
  ASSERT_EQ(admin->account.memberships.size(), 1u);
  EXPECT_EQ(admin->account.memberships[0].role, Role::kAdmin);
  EXPECT_EQ(admin->account.memberships[0].unit_name, "江澜市");
  EXPECT_FALSE(service.Login("admin", kStaffPassword));

  auto op = service.Login("operator", kStaffPassword);
  ASSERT_TRUE(op) << op.error().message;
  ASSERT_FALSE(op->account.memberships.empty());
  EXPECT_EQ(op->account.memberships[0].role, Role::kOperator);
  EXPECT_EQ(op->account.memberships[0].unit_name, "江澜市12345市民服务热线中心");

  std::set<std::string> shown;
  for (const auto& a : w_->first_run->login_accounts) {
    shown.insert(a.username);
    EXPECT_FALSE(a.display_name.empty() || a.role.empty() || a.unit_name.empty()) << a.username;
    if (a.username == "admin") continue;
    auto login = service.Login(a.username, kStaffPassword);
    EXPECT_TRUE(login) << a.username << ": " << login.error().message;
  }
  for (std::string_view name : {"admin", "operator", "supervisor", "leader", "street.lead",
                                "street.handler", "dept.handler", "data.officer", "resident"})
    EXPECT_TRUE(shown.contains(std::string(name))) << name;
}

TEST_P(DemoCityTest, ASecondRunCreatesNothing) {
  const std::int64_t events_before = CountEvents(w_->t->db());
  ASSERT_GT(events_before, 0);
  // The admin exists, so its password is not needed again.
  DemoOptions again_options{"", std::string(kStaffPassword), {}};
  auto again = CreateDemoCity(*w_->identity, again_options);
  ASSERT_TRUE(again) << again.error().message;
  const DemoReport& first = *w_->first_run;
  EXPECT_EQ(again->units_created, 0);
  EXPECT_EQ(again->accounts_created, 0);
  EXPECT_EQ(again->units_existing, first.units_created);
  EXPECT_EQ(again->accounts_existing, first.accounts_created);
  ASSERT_EQ(again->login_accounts.size(), first.login_accounts.size());
  for (std::size_t i = 0; i < first.login_accounts.size(); ++i) {
    EXPECT_EQ(again->login_accounts[i].username, first.login_accounts[i].username);
    EXPECT_EQ(again->login_accounts[i].display_name, first.login_accounts[i].display_name);
  }
  EXPECT_EQ(CountEvents(w_->t->db()), events_before);
}

// These two need an empty database of their own; neither hashes a password.
TEST_P(DemoCityTest, AWeakAdminPasswordStopsTheDemoBeforeItStarts) {
  World fresh;
  ASSERT_EQ(fresh.Open(GetParam()), "");
  DemoOptions options = fresh.Options();
  options.admin_password = "12345678";
  auto r = CreateDemoCity(*fresh.identity, options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("admin"), std::string::npos) << r.error().message;
  EXPECT_EQ(CountEvents(fresh.t->db()), 0);
}

TEST_P(DemoCityTest, RefusesToBuildOverAUnitOfAnotherKind) {
  World fresh;
  ASSERT_EQ(fresh.Open(GetParam()), "");
  ASSERT_TRUE(fresh.identity->CreateUnit(
      Principal::System(), {std::nullopt, UnitKind::kCity, "JL-01", "别的城市", std::nullopt}));
  auto r = CreateDemoCity(*fresh.identity, fresh.Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("JL-01"), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoCityTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
