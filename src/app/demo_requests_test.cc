// `xietong demo`'s requests on every backend: a short history (demo_history.h)
// that ranks the streets apart, live requests in each state of the
// lifecycle, an intact audit chain, and a second run that adds nothing.
#include "app/demo_requests.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "app/history_training.h"
#include "audit/verify.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using requests::Status;

class DemoRequestsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemoRequestsTest, TellTheCitysStoryOnceAndRankTheStreetsApart) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  const std::string data_dir = storage::testing::MakeTempDir();
  auto p = Platform::Open({data_dir, t->url(), "", 2});
  ASSERT_TRUE(p) << p.error().message;
  Platform& platform = **p;
  const auto sys = identity::Principal::System();
  const std::string staff_password = "demo-staff-2026";
  ASSERT_TRUE(CreateDemoCity(platform.identity(), {"Demo-Admin-2026!", staff_password, {}}));
  ASSERT_TRUE(platform.matters().Seed(sys, DemoMatters()));

  const DemoHistoryOptions history{.days = 60, .daily_mean = 20};
  auto report = CreateDemoRequests(platform, staff_password, history);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->existed);
  EXPECT_EQ(report->skipped, "");
  EXPECT_GT(report->history, 60 * 20 * 3 / 4);
  EXPECT_LT(report->history, 60 * 20 * 5 / 4);
  EXPECT_EQ(report->live, 9);

  // Every state an inbox shows is there among the live requests; the history
  // is closed but for its last days.
  std::map<Status, int> live_by_status;
  int history_rows = 0, decided = 0;
  requests::ListFilter all;
  all.limit = 500;
  for (;;) {
    auto page = platform.requests().List(sys, all);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& r : page->items) {
      if (r.external_id.starts_with("demo:live:")) ++live_by_status[r.status];
      if (r.external_id.starts_with("demo:history:")) {
        ++history_rows;
        if (r.status != Status::kClosed) {
          EXPECT_GT(r.received_at, platform.clock().Now() - 30 * kMicrosPerDay) << r.external_id;
        }
      }
      if (r.status == Status::kReplied || r.status == Status::kCallback ||
          r.status == Status::kClosed)
        ++decided;
    }
    if (!page->next_cursor) break;
    all.cursor = *page->next_cursor;
  }
  EXPECT_EQ(history_rows, report->history);
  EXPECT_EQ(live_by_status[Status::kReceived], 1);  // the resident's, waiting for the operator
  EXPECT_EQ(live_by_status[Status::kDispatched], 3);
  EXPECT_EQ(live_by_status[Status::kSigned], 2);
  EXPECT_EQ(live_by_status[Status::kHandling], 1);
  EXPECT_EQ(live_by_status[Status::kReplied], 1);
  EXPECT_EQ(live_by_status[Status::kClosed], 1);

  // The last full month ranks the streets with different scores.
  const Timestamp now = platform.clock().Now();
  const std::string this_month = requests::MonthKey(now);
  int year = std::stoi(this_month.substr(0, 4)), month = std::stoi(this_month.substr(5, 2)) - 1;
  if (month == 0) month = 12, --year;
  const std::string last_month = fmt::format("{:04}-{:02}", year, month);
  auto ranked = platform.requests().Ranking(sys, {last_month, last_month, "street", "", {}});
  ASSERT_TRUE(ranked) << ranked.error().message;
  ASSERT_GE(ranked->size(), 5u);
  auto [lo, hi] = std::minmax_element(ranked->begin(), ranked->end(), [](auto& a, auto& b) {
    return a.rates.score < b.rates.score;
  });
  EXPECT_GT(hi->rates.score - lo->rates.score, 5.0);
  EXPECT_TRUE(ranked->front().rates.satisfaction_rate.has_value());

  auto verified = audit::Verify(platform.db(), {});
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->ok()) << verified->problem;

  // The city's history trains the intake classifier, which serve would load.
  auto trained = TrainFromHistory(platform, RequestModelPath(data_dir));
  ASSERT_TRUE(trained) << trained.error().message;
  EXPECT_EQ(trained->requests, decided);  // every replied or closed request
  EXPECT_GE(trained->classes, 10);
  auto loaded = LoadRequestModel(platform);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_TRUE(*loaded);
  requests::Intake call;
  call.title = "路灯坏了";
  call.text = "我家门口路口的路灯坏了好几天，晚上很黑";
  auto dir = platform.requests().directory();
  ASSERT_TRUE(dir);
  call.place.address = (*dir)->OfKind(identity::UnitKind::kCommunity).front()->name;
  auto preview = platform.requests().Preview(sys, call);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_EQ(preview->suggested_by, "classifier");
  ASSERT_FALSE(preview->suggestions.empty());
  EXPECT_EQ(preview->suggestions.front().matter.name, "路灯故障");
  // A damaged model file is an error for the caller to log, never a crash.
  {
    std::ofstream damage(RequestModelPath(data_dir), std::ios::binary | std::ios::trunc);
    damage << "XTTEXTCL but not a model";
  }
  EXPECT_FALSE(LoadRequestModel(platform));

  auto again = CreateDemoRequests(platform, staff_password, history);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->history + again->live, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoRequestsTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
