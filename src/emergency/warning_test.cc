#include "emergency/warning.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

namespace xietong::emergency::warning {
namespace {

// 2026-01-05 00:00 +08:00, a Monday.
constexpr Timestamp kMonday = 1767542400LL * 1000 * 1000;

struct Feed {
  explicit Feed(Detector& det) : d(det) {}
  Detector& d;
  std::mt19937_64 rng{7};
  int next_id = 0;
  std::vector<Alert> alerts;
  // Poisson counts per hour of `rate(hour)`, spread evenly in each hour.
  struct Spec {
    double rate;
    std::string category, street, text;
  };
  void Hours(Timestamp from, int hours, const std::function<double(Timestamp)>& rate) {
    for (int h = 0; h < hours; ++h) {
      const Timestamp start = from + h * kHour;
      std::poisson_distribution<int> pd(rate(start));
      const int n = pd(rng);
      for (int k = 0; k < n; ++k) Add(start + kHour * (2 * k + 1) / (2 * n), "c1", "s1");
    }
  }
  // Several series side by side, each at a fixed rate, in time order.
  void Mixed(Timestamp from, int hours, const std::vector<Spec>& specs) {
    for (int h = 0; h < hours; ++h) {
      const Timestamp start = from + h * kHour;
      for (std::size_t i = 0; i < specs.size(); ++i) {
        std::poisson_distribution<int> pd(specs[i].rate);
        const int n = pd(rng);
        for (int k = 0; k < n; ++k) {
          Add(start + kHour * (2 * k + 1) / (2 * n) / static_cast<Timestamp>(specs.size()) +
                  kHour * static_cast<Timestamp>(i) / static_cast<Timestamp>(specs.size()),
              specs[i].category, specs[i].street, specs[i].text);
        }
      }
    }
  }
  void Add(Timestamp at, const std::string& category, const std::string& street,
           const std::string& text = "") {
    for (auto& a : d.Add({.request_id = "r" + std::to_string(next_id++),
                   .at = at,
                   .category = category,
                   .street_id = street,
                   .text = text,
                   .places = PlacesIn("", text)})) {
      alerts.push_back(std::move(a));
    }
  }
  int Opened(Kind kind) const {
    int n = 0;
    for (const auto& a : alerts) n += a.opened && a.kind == kind;
    return n;
  }
};

TEST(WarningTest, TailsOfPoissonAndNegativeBinomial) {
  EXPECT_NEAR(UpperTail(3, 1.0, 0), 0.0803, 1e-4);
  EXPECT_DOUBLE_EQ(UpperTail(0, 1.0, 0), 1.0);
  EXPECT_GT(UpperTail(10, 3.0, 0.5), UpperTail(10, 3.0, 0));  // overdispersed: heavier tail
  const int q = UpperQuantile(5.0, 0, 1e-3);
  EXPECT_LE(UpperTail(q, 5.0, 0), 1e-3);
  EXPECT_GT(UpperTail(q - 1, 5.0, 0), 1e-3);
  EXPECT_NEAR(UpperTail(1200, 1000, 0), 1.0 - 0.99999, 1e-5);  // large means do not underflow
}

TEST(WarningTest, SlotsFollowWeekdaysHolidaysAndMakeupDays) {
  const std::int64_t monday_hour = (kMonday / kHour) + 8;
  EXPECT_EQ(SlotOf(monday_hour, nullptr), 0);
  EXPECT_EQ(SlotOf(monday_hour + 24 * 5 + 10, nullptr), 5 * 24 + 10);  // Saturday 10h
  auto cal =
      WorkCalendar::FromJson(R"({"years":{"2026":{"holidays":[{"date":"2026-01-07","name":"x"}],
      "makeup_workdays":[{"date":"2026-01-10","name":"y"}]}}})");
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_EQ(SlotOf(monday_hour + 24 * 2 + 9, &*cal), 6 * 24 + 9);  // Wednesday holiday → Sunday
  EXPECT_EQ(SlotOf(monday_hour + 24 * 5 + 9, &*cal), 9);           // make-up Saturday → Monday
}

TEST(WarningTest, FlatSeriesStaysSilent) {
  Options o;
  o.false_alarm = 1e-6;
  Detector d(o);
  Feed f(d);
  f.Hours(kMonday, 24 * 7 * 8, [](Timestamp) { return 2.0; });
  EXPECT_EQ(f.Opened(Kind::kVolume), 0);
  EXPECT_EQ(d.series_count(), 1u);
  EXPECT_NEAR(
      d.Expected("c1", "s1", kMonday + 24 * 7 * 8 * kHour, kMonday + (24 * 7 * 8 + 1) * kHour), 2.0,
      0.4);
}

TEST(WarningTest, PlantedBurstIsDetectedWithEvidenceAndOnlyOnce) {
  Detector d;
  Feed f(d);
  const auto base = [](Timestamp) { return 4.0; };
  f.Hours(kMonday, 24 * 21, base);
  ASSERT_EQ(f.Opened(Kind::kVolume), 0);
  const Timestamp burst = kMonday + 24 * 21 * kHour;
  f.Hours(burst, 2, [](Timestamp) { return 12.0; });  // 3× baseline for 2 hours
  f.Hours(burst + 2 * kHour, 24, base);
  ASSERT_EQ(f.Opened(Kind::kVolume), 1);
  const Alert* first = nullptr;
  for (const auto& a : f.alerts) {
    if (a.opened) first = &a;
  }
  ASSERT_NE(first, nullptr);
  EXPECT_GE(first->at, burst);
  EXPECT_LE(first->at, burst + 2 * kHour);
  EXPECT_EQ(first->category, "c1");
  EXPECT_EQ(first->street_id, "s1");
  EXPECT_GE(first->observed, first->upper);
  EXPECT_LE(first->p_value, d.options().false_alarm);
  EXPECT_EQ(first->request_ids.size(), static_cast<std::size_t>(first->observed));
  ASSERT_EQ(first->curve.size(), 24u);
  EXPECT_NEAR(first->curve.back().baseline, 4.0, 1.0);
  EXPECT_FALSE(first->statistic.empty());
  // It went quiet after the burst, and a second burst opens a new warning.
  EXPECT_EQ(d.open_count(), 0u);
  f.Hours(burst + 26 * kHour, 2, [](Timestamp) { return 16.0; });
  EXPECT_EQ(f.Opened(Kind::kVolume), 2);
}

TEST(WarningTest, HolidayAndMakeupDayFollowTheirPattern) {
  // Busy on working days 09–17 (6/h), quiet otherwise (0.2/h). The third week
  // has a Wednesday holiday (quiet) and a make-up Saturday (busy).
  auto cal =
      WorkCalendar::FromJson(R"({"years":{"2026":{"holidays":[{"date":"2026-01-21","name":"x"}],
      "makeup_workdays":[{"date":"2026-01-24","name":"y"}]}}})");
  ASSERT_TRUE(cal) << cal.error().message;
  const auto rate = [&](Timestamp t) {
    const std::int64_t hour = (t + 8 * kHour) / kHour;
    const std::int64_t day = hour / 24;
    const int hod = static_cast<int>(hour % 24);
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    return cal->IsWorkingDay(ymd) && hod >= 9 && hod < 17 ? 6.0 : 0.2;
  };
  Options o;
  o.false_alarm = 1e-5;
  Detector with(o, &*cal);
  Feed f(with);
  f.Hours(kMonday, 24 * 7 * 3, rate);
  EXPECT_EQ(f.Opened(Kind::kVolume), 0);
  // Without the calendar the make-up Saturday looks like a burst.
  Detector without(o, nullptr);
  Feed g(without);
  g.Hours(kMonday, 24 * 7 * 3, rate);
  EXPECT_GE(g.Opened(Kind::kVolume), 1);
}

TEST(WarningTest, AdminRuleFiresOncePerQuietPeriod) {
  Detector d;
  d.SetRules(
      {{.id = "rule1", .category = "c9", .street_id = "", .threshold = 3, .window_hours = 1}});
  Feed f(d);
  f.Add(kMonday, "c9", "s2");
  f.Add(kMonday + 10 * 60 * kMicrosPerSecond, "c9", "s2");
  EXPECT_EQ(f.Opened(Kind::kRule), 0);
  f.Add(kMonday + 20 * 60 * kMicrosPerSecond, "c9", "s2");
  f.Add(kMonday + 30 * 60 * kMicrosPerSecond, "c9", "s2");
  EXPECT_EQ(f.Opened(Kind::kRule), 1);
  EXPECT_EQ(f.alerts.back().request_ids.size(), 4u);
  EXPECT_EQ(f.alerts.back().statistic, "rule rule1: 4 >= 3 in 1 h");
  f.Add(kMonday + 30 * 60 * kMicrosPerSecond, "c9", "s3");  // another street, below threshold
  EXPECT_EQ(d.Advance(kMonday + 3 * kHour).size(), 0u);
  const auto quiet = d.Advance(kMonday + 7 * kHour);
  ASSERT_EQ(quiet.size(), 1u);
  EXPECT_EQ(quiet[0].key, "rule1");
  EXPECT_EQ(quiet[0].street_id, "s2");
  EXPECT_FALSE(ValidateRule(
      {.id = "x", .category = "", .street_id = "", .threshold = 3, .window_hours = 1}));
  EXPECT_FALSE(ValidateRule(
      {.id = "x", .category = "c", .street_id = "", .threshold = 0, .window_hours = 1}));
  EXPECT_FALSE(ValidateRule(
      {.id = "x", .category = "c", .street_id = "", .threshold = 3, .window_hours = 0}));
  EXPECT_TRUE(ValidateRule(
      {.id = "x", .category = "c", .street_id = "", .threshold = 3, .window_hours = 24}));
}

TEST(WarningTest, KeywordBurstAcrossCategories) {
  Detector d;
  Feed f(d);
  f.Mixed(kMonday, 24 * 15, {{1.0, "c1", "s1", "路灯不亮"}, {0.02, "c2", "s1", "闻到燃气味"}});
  EXPECT_EQ(f.Opened(Kind::kKeyword), 0);
  const Timestamp t = kMonday + 24 * 15 * kHour;
  f.Add(t, "c1", "s1", "楼道里有燃气味");
  f.Add(t + 60 * kMicrosPerSecond, "c2", "s1", "燃气味很重");
  f.Add(t + 120 * kMicrosPerSecond, "c3", "s1", "疑似漏气，燃气味");
  f.Add(t + 180 * kMicrosPerSecond, "c4", "s1", "燃气味");
  EXPECT_EQ(f.Opened(Kind::kKeyword), 1);
  EXPECT_EQ(f.alerts.back().key, "燃气味");
  EXPECT_EQ(f.Opened(Kind::kVolume), 0);
}

TEST(WarningTest, PlacesAreTheHotspotModulesNamedPlaces) {
  EXPECT_EQ(PlacesIn("望湖花园门口路面塌陷", "就在湖滨路和望湖花园之间"),
            (std::vector<std::string>{"望湖花园", "湖滨路"}));
  EXPECT_TRUE(PlacesIn("路灯不亮", "晚上很黑").empty());
  EXPECT_EQ(PlacesIn("", "金湾小区、银湾小区、玉湾小区", 2).size(), 2u);
  EXPECT_TRUE(PlacesIn("\xff\xfe", "").empty());  // not UTF-8: nothing, no crash
}

TEST(WarningTest, PlaceClusterAcrossCategories) {
  Detector d;
  Feed f(d);
  // Background: two ordinary matters, now and then about one of two estates.
  f.Mixed(kMonday, 24 * 15,
          {{1.0, "c1", "s1", "路灯不亮"},
           {0.05, "c2", "s1", "柳岸小区门口占道"},
           {0.05, "c3", "s1", "滨江花园噪音"}});
  EXPECT_EQ(f.Opened(Kind::kPlace), 0);
  const Timestamp t = kMonday + 24 * 15 * kHour;
  // Four calls about 西堤小区 in twenty minutes, each a different matter.
  f.Add(t, "c1", "s1", "西堤小区路灯不亮");
  f.Add(t + 300 * kMicrosPerSecond, "c4", "s1", "西堤小区地下室进水");
  f.Add(t + 600 * kMicrosPerSecond, "c5", "s1", "西堤小区电梯停运");
  EXPECT_EQ(f.Opened(Kind::kPlace), 1);
  f.Add(t + 900 * kMicrosPerSecond, "c6", "s1", "西堤小区门禁坏了");
  EXPECT_EQ(f.Opened(Kind::kPlace), 1);  // later calls update it
  EXPECT_EQ(f.alerts.back().kind, Kind::kPlace);
  EXPECT_EQ(f.alerts.back().key, "西堤小区");
  EXPECT_EQ(f.alerts.back().request_ids.size(), 4u);
  EXPECT_EQ(f.Opened(Kind::kVolume), 0);
  EXPECT_EQ(f.Opened(Kind::kKeyword), 0);
  // Four calls about four different estates in the same span: no cluster.
  const Timestamp u = t + 24 * kHour;
  for (int i = 0; i < 4; ++i)
    f.Add(u + i * 300 * kMicrosPerSecond, "c" + std::to_string(7 + i), "s1",
          std::string(i == 0   ? "东"
                      : i == 1 ? "南"
                      : i == 2 ? "北"
                               : "中") +
              "苑小区停车难");
  EXPECT_EQ(f.Opened(Kind::kPlace), 1);
}

TEST(WarningTest, SnapshotRestoresTheSameState) {
  Detector d;
  Feed f(d);
  f.Mixed(kMonday, 24 * 20, {{1.5, "c1", "s1", ""}, {0.5, "c2", "s2", "积水"}});
  const std::string snap = d.Snapshot();
  Detector e;
  ASSERT_TRUE(e.Restore(snap));
  EXPECT_EQ(e.Snapshot(), snap);
  const Timestamp t = kMonday + 24 * 20 * kHour;
  EXPECT_DOUBLE_EQ(e.Expected("c1", "s1", t, t + kHour), d.Expected("c1", "s1", t, t + kHour));
  Feed f2(d), g2(e);
  f2.Hours(t, 3, [](Timestamp) { return 6.0; });
  g2.Hours(t, 3, [](Timestamp) { return 6.0; });
  ASSERT_FALSE(f2.alerts.empty());
  ASSERT_EQ(f2.alerts.size(), g2.alerts.size());
  EXPECT_EQ(f2.alerts.back().request_ids, g2.alerts.back().request_ids);
  EXPECT_EQ(d.Snapshot(), e.Snapshot());
  EXPECT_FALSE(e.Restore("{\"v\":2}"));
  EXPECT_FALSE(e.Restore("not json"));
}

}  // namespace
}  // namespace xietong::emergency::warning
