#include "insight/backtest.h"

#include <gtest/gtest.h>

#include <random>

namespace xietong::insight {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Day D(int y, unsigned m, unsigned d) { return DayFromDate(year{y} / month{m} / day{d}); }

constexpr std::array<double, 7> kWeek{24, 20, 20, 20, 20, 12, 10};

Series Poisson(Day first, int days, std::uint32_t seed, double scale = 1,
               std::string category = "c") {
  std::mt19937 rng(seed);
  Series s;
  s.key = "place:x|cat:" + category + "|ch:all";
  s.area = "x";
  s.category = category;
  s.first_day = first;
  for (int i = 0; i < days; ++i) {
    std::poisson_distribution<int> p(scale * kWeek[static_cast<std::size_t>(Weekday(first + i))]);
    s.y.push_back(p(rng));
  }
  return s;
}

TEST(Metrics, MaseByHandOnA21DaySeries) {
  // Training 14 days: |y_t − y_{t−7}| = 2 for each of the 7 pairs → S = 2.
  std::vector<double> train{1, 2, 3, 4, 5, 6, 7, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_DOUBLE_EQ(SeasonalScale(train), 2);
  const std::vector<double> actual{5, 0, 7, 10, 2, 3, 4};
  const std::vector<double> forecast{4, 1, 7, 6, 2, 3, 8};  // |e| = 1 1 0 4 0 0 4 → MAE 10/7
  EXPECT_NEAR(Mase(actual, forecast, SeasonalScale(train)), 10.0 / 7 / 2, 1e-12);
  EXPECT_TRUE(std::isnan(Mase(actual, forecast, 0)));
  EXPECT_DOUBLE_EQ(SeasonalScale(std::vector<double>(7, 1.0)), 0);

  const Mape mape = MapeOf(actual, forecast);  // the zero actual is left out and counted
  EXPECT_EQ(mape.points, 6);
  EXPECT_EQ(mape.excluded, 1);
  EXPECT_NEAR(mape.value, 100 * (1.0 / 5 + 0 + 4.0 / 10 + 0 + 0 + 1.0) / 6, 1e-12);
  EXPECT_TRUE(std::isnan(MapeOf(std::vector<double>{0, 0}, std::vector<double>{1, 1}).value));
  EXPECT_NEAR(Wape(actual, forecast), 10.0 / 31, 1e-12);
  EXPECT_TRUE(std::isnan(Wape(std::vector<double>{0}, std::vector<double>{1})));
}

TEST(Intervals, QuantilesInterpolateLinearly) {
  std::vector<double> z;
  for (int i = 0; i <= 100; ++i) z.push_back(i);  // 0 … 100
  const auto q = QuantilesOf(z);
  EXPECT_DOUBLE_EQ(q.q025, 2.5);
  EXPECT_DOUBLE_EQ(q.q10, 10);
  EXPECT_DOUBLE_EQ(q.q90, 90);
  EXPECT_DOUBLE_EQ(q.q975, 97.5);
  const Interval iv = IntervalAt(8, {-1, -0.5, 0.5, 1});  // √(8 + 1) = 3
  EXPECT_DOUBLE_EQ(iv.lo80, 6.5);
  EXPECT_DOUBLE_EQ(iv.hi80, 9.5);
  EXPECT_DOUBLE_EQ(iv.lo95, 5);
  EXPECT_DOUBLE_EQ(iv.hi95, 11);
  EXPECT_DOUBLE_EQ(IntervalAt(0.1, {-5, -4, 1, 2}).lo95, 0);  // never below 0
  EXPECT_DOUBLE_EQ(StabilisedResidual(12, 8), 4.0 / 3);
}

TEST(Intervals, EightyPercentCoverageOnASimulatedPoissonSeries) {
  // 2,000 days at a known weekly mean: residuals of the first 1,000 give the quantiles, the
  // next 1,000 are scored.
  const Series s = Poisson(D(2020, 1, 6), 2000, 11, 0.5);
  std::vector<double> z;
  for (int i = 0; i < 1000; ++i) {
    z.push_back(StabilisedResidual(s.y[static_cast<std::size_t>(i)],
                                   0.5 * kWeek[static_cast<std::size_t>(i % 7)]));
  }
  const auto q = QuantilesOf(z);
  int inside80 = 0, inside95 = 0;
  for (int i = 1000; i < 2000; ++i) {
    const Interval iv = IntervalAt(0.5 * kWeek[static_cast<std::size_t>(i % 7)], q);
    const double y = s.y[static_cast<std::size_t>(i)];
    inside80 += y >= iv.lo80 && y <= iv.hi80;
    inside95 += y >= iv.lo95 && y <= iv.hi95;
  }
  // Counts are integers, so "inside" includes the ends: coverage is at or a little above 80 %.
  EXPECT_GE(inside80 / 1000.0, 0.75);
  EXPECT_LE(inside80 / 1000.0, 0.88);
  EXPECT_GE(inside95 / 1000.0, 0.92);
}

TEST(Backtest, OriginsAreWeeklyAndTheLastHasFourWeeksOfActuals) {
  const Series s = Poisson(D(2023, 1, 2), 400, 3);
  BacktestOptions options;
  const SeriesBacktest b = BacktestSeries(s, options);
  ASSERT_TRUE(b.profile.backtestable());
  ASSERT_EQ(b.origin_days.size(), 13u);
  const Day last = s.first_day + 399;
  EXPECT_EQ(b.origin_days.back(), last - 27);
  for (std::size_t k = 1; k < 13; ++k) EXPECT_EQ(b.origin_days[k] - b.origin_days[k - 1], 7);
  ASSERT_EQ(b.mase.size(), 28u);
  for (int h = 1; h <= 28; ++h) {
    const double m = b.mase[static_cast<std::size_t>(h - 1)];
    EXPECT_TRUE(std::isfinite(m) && m >= 0) << h;
    EXPECT_TRUE(std::isfinite(b.wape[static_cast<std::size_t>(h - 1)]));
  }
  // With noise, seasonal naive (one noisy week) is worse than the selected smoother models.
  EXPECT_LT(b.mase[6], 0.9);
  EXPECT_LT(b.rel_mae[6], 0.9);
  for (int c = 0; c < kChoiceBuckets; ++c) {
    EXPECT_NE(b.chosen[static_cast<std::size_t>(c)], ModelKind::kSeasonalNaive);
    EXPECT_LE(b.chosen_score[static_cast<std::size_t>(c)],
              b.sn7_score[static_cast<std::size_t>(c)]);
  }
  // Leave-one-origin-out intervals on Poisson noise cover about 80 %.
  EXPECT_GE(b.coverage80, 0.65);
  EXPECT_LE(b.coverage80, 0.95);
}

TEST(Backtest, NoLeakage) {
  Series s = Poisson(D(2023, 1, 2), 400, 5);
  BacktestOptions options;
  const SeriesBacktest before = BacktestSeries(s, options);
  const int k = 6;
  const auto o = static_cast<std::size_t>(before.origin_days[k] - s.first_day);
  for (std::size_t i = o; i < s.y.size(); ++i) s.y[i] = 3 * s.y[i] + 5;  // change every day >= o_k
  const SeriesBacktest after = BacktestSeries(s, options);
  ASSERT_EQ(after.forecasts.size(), 13u);
  for (int j = 0; j <= k; ++j) {
    EXPECT_EQ(after.forecasts[static_cast<std::size_t>(j)],
              before.forecasts[static_cast<std::size_t>(j)])
        << "origin " << j;
  }
  EXPECT_NE(after.forecasts[k + 1], before.forecasts[k + 1]);
}

TEST(Backtest, ShortSparseAndFlatSeriesAreNotScored) {
  BacktestOptions options;
  const Series short_series = Poisson(D(2023, 1, 2), 180, 1);  // first origin at day 80 < 84
  EXPECT_TRUE(Profile(short_series, options).short_series);
  Series sparse = Poisson(D(2023, 1, 2), 400, 1);
  for (std::size_t i = 0; i < sparse.y.size(); ++i) sparse.y[i] = i % 30 == 0 ? 1 : 0;
  EXPECT_TRUE(Profile(sparse, options).sparse);
  Series flat = sparse;
  std::fill(flat.y.begin(), flat.y.end(), 4.0);
  const SeriesProfile p = Profile(flat, options);
  EXPECT_TRUE(p.flat);
  EXPECT_FALSE(p.sparse);
  const SeriesBacktest b = BacktestSeries(flat, options);
  EXPECT_TRUE(b.mase.empty());
  EXPECT_TRUE(b.forecasts.empty());
}

TEST(Backtest, TableHasTheTopSetAndEndsWithMase7d) {
  std::vector<SeriesBacktest> results;
  BacktestOptions options{
      .origins = 6,
      .refit_every = 3,
      .models = {ModelKind::kSeasonalNaive, ModelKind::kHistoricalAverage, ModelKind::kCombo}};
  for (int i = 0; i < 4; ++i) {
    results.push_back(BacktestSeries(
        Poisson(D(2023, 1, 2), 300, 20 + i, 0.5 + i, "cat" + std::to_string(i)), options));
  }
  Series total = Poisson(D(2023, 1, 2), 300, 40, 3, "");  // an area total: not ranked
  total.area_total = true;
  results.push_back(BacktestSeries(total, options));
  const BacktestTable t = Summarise(results, 3);
  EXPECT_EQ(t.built, 5);
  EXPECT_EQ(t.backtested, 5);
  ASSERT_EQ(t.top_rows.size(), 3u);
  EXPECT_EQ(t.top_rows[0].label, "x · cat3");  // by volume
  EXPECT_EQ(t.total_rows.size(), 1u);
  EXPECT_EQ(t.category_rows.size(), 4u);
  EXPECT_EQ(t.series, 3);
  EXPECT_TRUE(std::isfinite(t.mase_7d));
  EXPECT_NEAR(t.mase_7d, (t.top_rows[0].mase7 + t.top_rows[1].mase7 + t.top_rows[2].mase7) / 3,
              1e-12);
  EXPECT_TRUE(std::isfinite(t.mape_7d));  // cat3 has a mean above 5 a day
  const std::string text = RenderTable(t);
  const auto last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_EQ(last.rfind("mase_7d=", 0), 0u) << last;
  EXPECT_NE(text.find("x · cat3"), std::string::npos);
}

}  // namespace
}  // namespace xietong::insight
