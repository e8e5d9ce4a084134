// `xietong demo`'s one-thing services on every backend: the three bundles
// defined over their deployed processes, two months of applications in
// every state (completed with licences, refused, waiting for a department,
// waiting for the applicant's 补正), step analytics with data, licences that
// verify, an intact audit chain, and a second run that adds nothing.
#include "app/demo_services.h"

#include <gtest/gtest.h>

#include <map>

#include "app/demo_city.h"
#include "audit/verify.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

class DemoServicesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemoServicesTest, TwoMonthsOfApplicationsInEveryState) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  auto p = Platform::Open({storage::testing::MakeTempDir(), t->url(), "", 2});
  ASSERT_TRUE(p) << p.error().message;
  Platform& platform = **p;
  const auto sys = identity::Principal::System();
  const std::string staff_password = "demo-staff-2026";
  ASSERT_TRUE(CreateDemoCity(platform.identity(), {"Demo-Admin-2026!", staff_password, {}}));

  auto report = CreateDemoServices(platform, staff_password);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->services, 3);
  EXPECT_EQ(report->skipped, "");
  EXPECT_GT(report->applications, 50);  // ~42 working days × 1–3

  auto all = platform.services().List(sys, {.limit = 500});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(static_cast<int>(all->size()), report->applications);
  std::map<std::string, int> by_status, by_outcome;
  int corrected = 0, certificates = 0;
  std::string code;
  for (const auto& v : *all) {
    ++by_status[std::string(services::AppStatusName(v.app.status))];
    ++by_outcome[v.app.Outcome()];
    for (const auto& part : v.app.parts) corrected += part.corrections > 0;
    certificates += static_cast<int>(v.certificates.size());
    if (!v.certificates.empty()) code = v.certificates.front().code;
  }
  EXPECT_GT(by_status["completed"], 30);
  EXPECT_GT(by_status["in_progress"], 0);
  EXPECT_EQ(by_status["submitted"], 0);  // every process started
  EXPECT_GT(by_outcome["approved"], 20);
  EXPECT_GT(corrected, 0);
  EXPECT_GT(certificates, 50);
  ASSERT_FALSE(code.empty());
  EXPECT_TRUE(platform.services().Verify(code));

  // The departments have work waiting and the processes have analytics.
  auto market = platform.identity().FindAccountByUsername("jld09.handler");
  ASSERT_TRUE(market && *market);
  auto defs = platform.workflow().Definitions(sys);
  ASSERT_TRUE(defs);
  ASSERT_EQ(defs->size(), 3u);
  for (const auto& d : *defs) {
    auto stats = platform.workflow().Stats(sys, d.id);
    ASSERT_TRUE(stats);
    EXPECT_FALSE(stats->elements.empty()) << d.process_id;
  }
  auto figures = platform.services().FiguresOf(sys, 0, platform.clock().Now() + 1);
  ASSERT_TRUE(figures);
  EXPECT_EQ(figures->services.size(), 3u);

  auto verified = audit::Verify(platform.db(), {});
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->ok()) << verified->problem;

  auto again = CreateDemoServices(platform, staff_password);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->services + again->applications, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoServicesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
