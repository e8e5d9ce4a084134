// Test-only: the small city the insight service tests stand on, as a fixture base run on every
// backend (the suite's parameter). It owns a fresh database with insight's schemas, a manual
// clock, the working calendar and the identity, matters and requests services, and by default
// creates the units 江澜市 JL, 市生态环境局 JL-D03, 临江区 JL-01, 望湖街道 JL-01-01 and 柳巷街道
// JL-01-02 and a catalogue with the leaves 占道经营 (a street's) and 餐饮油烟 (JL-D03's). Each
// test file derives its suite from it, calls TestCity::SetUp() first, and adds its own services,
// accounts and history.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "identity/identity_service.h"
#include "insight/schema.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"
#include "storage/testing.h"

namespace xietong::insight {

// What the city has beside its database and services.
enum class TestCatalogue {
  kNone,
  // 01 城乡建设 → 01-01 市容环境 → 01-01-01 占道经营 (street), 01-01-02 餐饮油烟 (JL-D03).
  kOneBranch,
  // 01 城乡建设 → 01-01 市容环境 → 01-01-01 占道经营 (street), and 02 环境保护 → 02-01 大气污染
  // → 02-01-01 餐饮油烟 (JL-D03).
  kTwoBranches,
};

struct TestCityOptions {
  bool units = true;  // city_, env_, district_, street_a_, street_b_ as the opening comment says
  TestCatalogue catalogue = TestCatalogue::kOneBranch;
  // 占道经营 to be finished in 5 working days, 餐饮油烟 in 24 natural hours; otherwise the
  // matters' default (7 working days).
  bool finish_limits = false;
  // As() creates an account through IdentityService; false: only a Principal carrying the
  // membership, as a session would, with no account stored.
  bool stored_accounts = true;
};

class TestCity : public ::testing::TestWithParam<std::string> {
 protected:
  using Catalogue = TestCatalogue;
  using Options = TestCityOptions;

  // The clock starts at `now` and moves only when a test moves it.
  explicit TestCity(Timestamp now, Options options = {})
      : options_(options), clock_(now), ids_(clock_) {}

  // Builds the city; a fatal failure when any step fails (derived suites wrap the call in
  // ASSERT_NO_FATAL_FAILURE).
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = storage::ApplySchemas(db(), {&Schema()}, 0);
    ASSERT_TRUE(applied) << applied.error().message;
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(db(), clock_, ids_);
    requests_ = std::make_unique<requests::RequestService>(db(), clock_, ids_, *calendar_,
                                                           *identity_, *matters_);
    if (options_.units) {
      using identity::UnitKind;
      city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
      env_ = Unit(city_.id, UnitKind::kDepartment, "JL-D03", "市生态环境局");
      district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
      street_a_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "望湖街道");
      street_b_ = Unit(district_.id, UnitKind::kStreet, "JL-01-02", "柳巷街道");
    }
    if (options_.catalogue == Catalogue::kNone) return;
    ASSERT_NO_FATAL_FAILURE(Seed(StandardCatalogue()));
    level1_ = CategoryId("01");
    level2_ = CategoryId("01-01");
    stalls_ = CategoryId("01-01-01");
    fumes_ = CategoryId(options_.catalogue == Catalogue::kTwoBranches ? "02-01-01" : "01-01-02");
  }

  storage::Database& db() { return t_->db(); }

  // A unit created by the system; an empty OrgUnit and a test failure when refused.
  identity::OrgUnit Unit(std::optional<std::string> parent, identity::UnitKind kind,
                         std::string code, std::string name,
                         std::optional<std::string> geometry = std::nullopt) {
    auto r = identity_->CreateUnit(
        identity::Principal::System(),
        {std::move(parent), kind, std::move(code), std::move(name), std::move(geometry)});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(identity::OrgUnit{});
  }

  // A staff member of `unit` in `role` (see Options::stored_accounts); a stored account's
  // password is "correct horse 12". A test failure when the account is refused.
  identity::Principal As(std::string username, const identity::OrgUnit& unit, identity::Role role) {
    if (!options_.stored_accounts) return Member(std::move(username), unit, role);
    identity::NewAccount in;
    in.username = username;
    in.display_name = "用户" + username;
    in.password = "correct horse 12";
    in.unit_id = unit.id;
    in.role = role;
    auto a = identity_->CreateAccount(identity::Principal::System(), in);
    EXPECT_TRUE(a) << a.error().message;
    if (!a) return {};
    identity::Principal p;
    p.account_id = a->id;
    p.username = a->username;
    p.kind = a->kind;
    p.memberships = a->memberships;
    return p;
  }

  // A Principal with one membership and no stored account ("acct-<name>").
  static identity::Principal Member(std::string name, const identity::OrgUnit& unit,
                                    identity::Role role) {
    identity::Principal p;
    p.account_id = "acct-" + name;
    p.username = std::move(name);
    p.memberships.push_back(
        identity::Membership{"m-" + p.username, p.account_id, unit.id, unit.name, unit.path, role});
    return p;
  }

  // A catalogue node with the matters' defaults (a street's, 7 working days on a leaf).
  static matters::Matter Category(std::string code, std::string name) {
    matters::Matter m;
    m.code = std::move(code);
    m.name = std::move(name);
    m.name_en = "x";
    return m;
  }

  // Seeds the catalogue as the system; a fatal failure when refused.
  void Seed(const std::vector<matters::Matter>& catalogue) {
    auto seeded = matters_->Seed(identity::Principal::System(), catalogue);
    ASSERT_TRUE(seeded) << seeded.error().message;
  }

  // The id of the seeded category with this code; "" and a test failure when there is none.
  std::string CategoryId(std::string_view code) {
    auto catalog = matters_->Snapshot();
    EXPECT_TRUE(catalog) << catalog.error().message;
    if (!catalog) return "";
    const matters::Matter* m = (*catalog)->FindByCode(code);
    EXPECT_NE(m, nullptr) << code;
    return m ? m->id : "";
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  const Options options_;
  ManualClock clock_;
  IdGenerator ids_;
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<requests::RequestService> requests_;
  identity::OrgUnit city_, env_, district_, street_a_, street_b_;  // with Options::units
  std::string level1_, level2_, stalls_, fumes_;  // 01, 01-01 and the two leaves, when seeded

 private:
  std::vector<matters::Matter> StandardCatalogue() const {
    const bool two = options_.catalogue == Catalogue::kTwoBranches;
    std::vector<matters::Matter> out = {Category("01", "城乡建设"), Category("01-01", "市容环境")};
    if (two) {
      out.push_back(Category("02", "环境保护"));
      out.push_back(Category("02-01", "大气污染"));
    }
    auto stalls = Category("01-01-01", "占道经营");
    stalls.handler = matters::HandlerLevel::kStreet;
    if (options_.finish_limits) stalls.finish_limit = {5, matters::LimitUnit::kWorkingDays};
    out.push_back(std::move(stalls));
    auto fumes = Category(two ? "02-01-01" : "01-01-02", "餐饮油烟");
    fumes.handler = matters::HandlerLevel::kCityDepartment;
    fumes.department_code = "JL-D03";
    if (options_.finish_limits) fumes.finish_limit = {24, matters::LimitUnit::kNaturalHours};
    out.push_back(std::move(fumes));
    return out;
  }
};

}  // namespace xietong::insight
