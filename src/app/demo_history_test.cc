// The demo city's past (demo_history.h): the same story on every run, the
// calendar's shape (weekdays over weekends, 春节 and the first day back), the
// volume asked for, the seasons, and a backlog only in the last days.
#include "app/demo_history.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "app/platform.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr char kStaffPassword[] = "demo-staff-2026";
// 2026-12-07 12:00 in Shanghai.
constexpr Timestamp kNow = 1'796'616'000'000'000;

sys_days Date(int y, unsigned m, unsigned d) {
  return sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

class DemoHistoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    t_ = storage::testing::TestDatabase::Create("sqlite").release();
    data_dir_ = new std::string(storage::testing::MakeTempDir());
    auto p = Platform::Open({*data_dir_, t_->url(), "", 2});
    ASSERT_TRUE(p) << p.error().message;
    platform_ = p->release();
    ASSERT_TRUE(CreateDemoCity(platform_->identity(), {"Demo-Admin-2026!", kStaffPassword, {}}));
    ASSERT_TRUE(platform_->matters().Seed(identity::Principal::System(), DemoMatters()));
  }
  static void TearDownTestSuite() {
    delete platform_;
    delete t_;
    delete data_dir_;
  }

  static std::vector<requests::Request> Generate(const DemoHistoryOptions& o) {
    auto dir = platform_->requests().directory();
    EXPECT_TRUE(dir);
    auto catalog = platform_->matters().Snapshot();
    EXPECT_TRUE(catalog);
    std::vector<requests::Request> all;
    auto made = GenerateDemoHistory({platform_->calendar(), **dir, **catalog, kNow}, o,
                                    [&](std::vector<requests::Request> rows) -> Result<void> {
                                      EXPECT_LE(static_cast<int>(rows.size()), o.batch + 400);
                                      for (auto& r : rows) all.push_back(std::move(r));
                                      return {};
                                    });
    EXPECT_TRUE(made) << made.error().message;
    if (made) {
      EXPECT_EQ(*made, static_cast<int>(all.size()));
    }
    return all;
  }

  static sys_days LocalDay(Timestamp t) {
    return sys_days{std::chrono::days{(t + kShanghaiOffset) / kMicrosPerDay}};
  }

  static storage::testing::TestDatabase* t_;
  static std::string* data_dir_;
  static Platform* platform_;
};

storage::testing::TestDatabase* DemoHistoryTest::t_ = nullptr;
std::string* DemoHistoryTest::data_dir_ = nullptr;
Platform* DemoHistoryTest::platform_ = nullptr;

TEST_F(DemoHistoryTest, DayFactorsFollowTheCalendar) {
  const WorkCalendar& cal = platform_->calendar();
  const sys_days first = Date(2025, 1, 1);
  // 2025-01-29 is 春节; 2025-10-09 (Thu) the first working day after eight days off;
  // 2025-09-28 a Sunday made a working day; 2025-01-08 an ordinary Wednesday.
  const double trend_jan = DemoDayFactor(cal, Date(2025, 1, 8), first);
  EXPECT_NEAR(trend_jan, 1.0, 0.01);
  EXPECT_NEAR(DemoDayFactor(cal, Date(2025, 1, 29), first) / trend_jan, 0.40, 0.01);
  EXPECT_NEAR(DemoDayFactor(cal, Date(2025, 10, 9), first) / trend_jan, 1.35 * 1.045, 0.03);
  EXPECT_NEAR(DemoDayFactor(cal, Date(2025, 9, 28), first) / trend_jan, 0.95 * 1.045, 0.03);
  // A Monday over a Sunday, the first day of 国庆 under its later days' 0.55.
  EXPECT_GT(DemoDayFactor(cal, Date(2025, 3, 3), first),
            DemoDayFactor(cal, Date(2025, 3, 2), first));
  EXPECT_LT(DemoDayFactor(cal, Date(2025, 10, 1), first),
            DemoDayFactor(cal, Date(2025, 10, 2), first));
}

TEST_F(DemoHistoryTest, TellsTheSameStoryWithTheVolumeAndShapeAskedFor) {
  const DemoHistoryOptions o{.days = 120, .daily_mean = 30, .batch = 500};
  const auto a = Generate(o);
  const auto b = Generate(o);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); i += 97) {
    EXPECT_EQ(a[i].external_id, b[i].external_id);
    EXPECT_EQ(a[i].title, b[i].title);
    EXPECT_EQ(a[i].received_at, b[i].received_at);
    EXPECT_EQ(a[i].unit_id, b[i].unit_id);
  }
  // ~121 days × 30 × the mean day factor (≈ 0.94 over a week, seasons above 1).
  EXPECT_GT(a.size(), 120u * 30 * 8 / 10);
  EXPECT_LT(a.size(), 121u * 30 * 14 / 10);

  std::map<unsigned, int> by_weekday;
  std::set<std::string> leaves, districts;
  int open = 0, open_late = 0;
  Timestamp last = 0;
  for (const auto& r : a) {
    EXPECT_LT(r.received_at, kNow);
    EXPECT_GE(r.received_at, last);  // oldest first
    last = r.received_at;
    EXPECT_FALSE(r.unit_id.empty());
    EXPECT_FALSE(r.title.empty());
    EXPECT_EQ(r.text.find('{'), std::string::npos) << r.text;
    leaves.insert(r.matter_id);
    districts.insert(r.place.district_id);
    ++by_weekday[std::chrono::weekday{LocalDay(r.received_at)}.iso_encoding()];
    if (r.status != requests::Status::kClosed) {
      ++open;
      EXPECT_GT(r.received_at, kNow - 30 * kMicrosPerDay) << r.external_id;
      if (r.finish_late) ++open_late;
    } else {
      EXPECT_LE(r.closed_at, kNow);
      EXPECT_TRUE(r.satisfaction.has_value());
    }
  }
  EXPECT_GT(by_weekday[1], by_weekday[7] * 13 / 10);  // Mondays over Sundays
  EXPECT_GE(leaves.size(), 40u);
  EXPECT_EQ(districts.size(), 5u);
  EXPECT_GT(open, 0);
  EXPECT_GT(open_late, 0);
}

}  // namespace
}  // namespace xietong::app
