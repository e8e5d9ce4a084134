// `xietong demo`'s 多元参与 on every backend: the neighbours and
// organisations, the requests residents filed and saw closed, the volunteer
// hours of 湖畔社区's clean-up, the participation reactions caught up (a
// ledger that balances), and a second run that adds nothing.
#include "app/demo_participation.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using identity::Principal;

class DemoParticipationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemoParticipationTest, NeighboursRequestsAndVolunteerHoursOnTheLedger) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  auto p = Platform::Open({storage::testing::MakeTempDir(), t->url(), "", 2});
  ASSERT_TRUE(p) << p.error().message;
  Platform& platform = **p;
  const std::string staff_password = "demo-staff-2026";
  ASSERT_TRUE(CreateDemoCity(platform.identity(), {"Demo-Admin-2026!", staff_password, {}}));
  ASSERT_TRUE(platform.matters().Seed(Principal::System(), DemoMatters()));

  auto neighbours = CreateDemoNeighbours(platform, staff_password);
  ASSERT_TRUE(neighbours) << neighbours.error().message;
  EXPECT_FALSE(neighbours->existed);
  EXPECT_EQ(neighbours->neighbours, 16);
  EXPECT_EQ(neighbours->organisations, 3);
  // hupan01 lives where `resident` does; hupan02 is also in its volunteer association.
  auto resident = platform.identity().FindAccountByUsername("resident");
  auto hupan02 = platform.identity().FindAccountByUsername("hupan02");
  ASSERT_TRUE(resident && *resident && hupan02 && *hupan02);
  ASSERT_EQ((*hupan02)->memberships.size(), 2u);
  EXPECT_EQ((*hupan02)->memberships[0].unit_id, (*resident)->memberships[0].unit_id);
  auto association =
      platform.identity().GetUnit(Principal::System(), (*hupan02)->memberships[1].unit_id);
  ASSERT_TRUE(association) << association.error().message;
  EXPECT_EQ((*association)->kind, identity::UnitKind::kOrganisation);
  EXPECT_EQ((*association)->name, "湖畔社区志愿者协会");

  auto report = CreateDemoParticipation(platform, staff_password);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->existed);
  EXPECT_EQ(report->skipped, "");
  // 20 demo residents and 16 neighbours file one or two each (18 twice).
  EXPECT_EQ(report->requests, 36 + 18);
  EXPECT_GE(report->volunteer_days, 20);

  // Each resident's requests are theirs and closed, so a request_fixed rule pays for them.
  auto mine = platform.requests().CountExternalIdPrefix("demo-participation:");
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_EQ(*mine, report->requests);

  // The reactions caught up on the demo's clock, and the ledger balances.
  auto check = platform.points().CheckLedger(Principal::System(), "");
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->postings, report->postings);
  EXPECT_EQ(check->sum_of_balances, 0);
  EXPECT_TRUE(check->mismatched.empty());

  EXPECT_GT(report->rules, 0);
  EXPECT_GT(report->rewards, 0);
  EXPECT_GT(report->redemptions, 0);
  EXPECT_GT(report->proposals, 0);
  EXPECT_EQ(report->budgets, 2);

  // Every demo resident, `resident` included, has points a rule paid them.
  std::vector<std::string> usernames = {"resident"};
  for (int i = 2; i <= 20; ++i) usernames.push_back(fmt::format("resident{:02}", i));
  for (int i = 1; i <= 11; ++i) usernames.push_back(fmt::format("hupan{:02}", i));
  for (int i = 1; i <= 5; ++i) usernames.push_back(fmt::format("liuxiang{:02}", i));
  for (const auto& name : usernames) {
    auto a = platform.identity().FindAccountByUsername(name);
    ASSERT_TRUE(a && *a) << name;
    auto page = platform.points().Postings(Principal::System(), "person:" + (*a)->id, {});
    ASSERT_TRUE(page) << name << ": " << page.error().message;
    int by_rule = 0;
    for (const auto& line : page->items) by_rule += !line.rule_id.empty() && line.amount > 0;
    EXPECT_GT(by_rule, 0) << name << " has no points a rule paid";
  }

  // A second run makes nothing.
  auto again = CreateDemoNeighbours(platform, staff_password);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->neighbours, 0);
  auto twice = CreateDemoParticipation(platform, staff_password);
  ASSERT_TRUE(twice) << twice.error().message;
  EXPECT_TRUE(twice->existed);
  EXPECT_EQ(twice->requests, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoParticipationTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
