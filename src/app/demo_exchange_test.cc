// `xietong demo`'s shared data on every backend: fourteen resources from
// five departments, grants between them and to a street (one
// for a 核心 field, confirmed by a second person; one refused), two months
// of gateway traffic the residents can read about themselves, planted
// defects scored and filed as requests to the owners, a catalogue that
// exports, an intact audit chain, and a second run that adds nothing.
#include "app/demo_exchange.h"

#include <gtest/gtest.h>

#include <set>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "app/exchange_work.h"
#include "audit/verify.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

class DemoExchangeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemoExchangeTest, DepartmentsShareAndResidentsSeeWhoLooked) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  auto p = Platform::Open({storage::testing::MakeTempDir(), t->url(), "", 2});
  ASSERT_TRUE(p) << p.error().message;
  Platform& platform = **p;
  const auto sys = identity::Principal::System();
  const std::string staff_password = "demo-staff-2026";
  ASSERT_TRUE(CreateDemoCity(platform.identity(), {"Demo-Admin-2026!", staff_password, {}}));
  ASSERT_TRUE(platform.matters().Seed(sys, DemoMatters()));

  auto report = CreateDemoExchange(platform, staff_password);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_GE(report->resources, 12);
  EXPECT_GT(report->rows, 800);
  EXPECT_EQ(report->grants, 7);
  EXPECT_GT(report->lookups, 300);

  auto catalog = platform.exchange().Catalog(sys, {});
  ASSERT_TRUE(catalog) << catalog.error().message;
  std::set<std::string> owners, shares, grades;
  int scored = 0;
  for (const auto& v : *catalog) {
    owners.insert(v.resource.owner_unit_id);
    shares.insert(std::string(exchange::ShareName(v.resource.share)));
    grades.insert(std::string(exchange::GradeName(v.effective_grade)));
    scored += v.scored;
    if (v.resource.code == "JL-GA-002") {
      EXPECT_LT(v.scores.validity, 1) << "the planted impossible dates";
      EXPECT_LT(v.scores.consistency, 1) << "owners missing from the household register";
    }
  }
  EXPECT_EQ(owners.size(), 5u);
  EXPECT_EQ(shares.size(), 3u) << "无条件, 有条件 and 不予共享 all appear";
  EXPECT_TRUE(grades.contains("core"));
  EXPECT_EQ(scored, static_cast<int>(catalog->size()));

  // Every demo resident sees who used their data; most have entries.
  int with_entries = 0;
  for (const char* name : {"resident", "resident02", "resident03", "resident04", "resident05"}) {
    auto account = platform.identity().FindAccountByUsername(name);
    ASSERT_TRUE(account && *account);
    identity::Principal who;
    who.account_id = (*account)->id;
    who.kind = identity::AccountKind::kResident;
    auto log = platform.exchange().MyAccessLog(who);
    ASSERT_TRUE(log) << log.error().message;
    with_entries += !log->empty();
    for (const auto& e : *log) EXPECT_FALSE(e.unit_name.empty());
  }
  EXPECT_GE(with_entries, 3);

  // The defect batches were filed in the hub, to the departments that own the data.
  auto pending = platform.exchange().PendingDefectWork(10);
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
  auto matters = platform.matters().Snapshot();
  ASSERT_TRUE(matters);
  const matters::Matter* quality = (*matters)->FindByCode(kDataQualityMatterCode);
  ASSERT_NE(quality, nullptr);
  requests::ListFilter only_quality;
  only_quality.matter_id = quality->id;
  auto filed = platform.requests().List(sys, only_quality);
  ASSERT_TRUE(filed) << filed.error().message;
  EXPECT_GE(filed->items.size(), 2u);
  for (const auto& r : filed->items) EXPECT_EQ(r.status, requests::Status::kDispatched) << r.title;

  auto ttl = platform.exchange().CatalogExport("http://127.0.0.1:8080", true);
  ASSERT_TRUE(ttl);
  EXPECT_NE(ttl->find("access-right/NON_PUBLIC>"), std::string::npos);

  auto again = CreateDemoExchange(platform, staff_password);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->resources, 0);

  auto verified = audit::Verify(platform.db(), {});
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->ok()) << verified->problem;
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoExchangeTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
