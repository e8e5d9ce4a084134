// The rolling-origin backtest on real history (../shared/data/us311): Baltimore's and New
// York's daily series cut to their observed segments, the top 20 category series by volume
// and the area totals. Asserts only honest properties and prints the table; the figures
// themselves are in docs/forecasting.md (bench/forecast_backtest runs every series).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "insight/backtest.h"
#include "insight/series.h"

namespace xietong::insight {
namespace {

TEST(ForecastUs311, BacktestOfTheTop20Series) {
#ifndef XIETONG_SHARED_DATA_DIR
  GTEST_SKIP() << "XIETONG_SHARED_DATA_DIR is not defined for this build";
#else
  const std::filesystem::path file =
      std::filesystem::path(XIETONG_SHARED_DATA_DIR) / "us311" / "us311_multicity_sample.csv.gz";
  if (!std::filesystem::exists(file)) {
    // scripts/test.sh sets XIETONG_REQUIRE_DATA when ../shared/data is there.
    ASSERT_EQ(std::getenv("XIETONG_REQUIRE_DATA"), nullptr) << "no us311 file at " << file;
    GTEST_SKIP() << "no us311 file at " << file;
  }
  const auto started = std::chrono::steady_clock::now();
  auto data = ReadUs311Series(file.string());
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->rows, 78622);

  // Every origin, the default models; only the series the table shows are fitted (the bench
  // backtests all of them).
  BacktestOptions options;
  std::vector<std::pair<const Series*, SeriesProfile> > totals, others;
  std::vector<SeriesBacktest> results;
  for (const Series& s : data->series) {
    const SeriesProfile p = Profile(s, options);
    if (p.backtestable()) {
      (s.area_total ? totals : others).emplace_back(&s, p);
    } else {
      SeriesBacktest skipped;
      skipped.key = s.key;
      skipped.profile = p;
      results.push_back(std::move(skipped));
    }
  }
  std::sort(others.begin(), others.end(), [](const auto& a, const auto& b) {
    return a.second.recent_total > b.second.recent_total;
  });
  ASSERT_GE(others.size(), 20u) << "fewer than 20 backtestable series below the city totals";
  std::vector<const Series*> chosen;
  for (const auto& total : totals) chosen.push_back(total.first);
  for (std::size_t i = 0; i < others.size(); ++i) {
    if (i < 20) {
      chosen.push_back(others[i].first);
      continue;
    }
    SeriesBacktest later;  // backtestable but outside the top 20: profiled, not fitted here
    later.key = others[i].first->key;
    later.profile = others[i].second;
    results.push_back(std::move(later));
  }
  for (const Series* s : chosen) results.push_back(BacktestSeries(*s, options));

  const BacktestTable table = Summarise(results, 20);
  const std::string text = RenderTable(table);
  std::cout << "us311: " << data->rows << " rows, " << data->series.size() << " series on segments";
  for (const auto& c : data->cities) {
    std::cout << "; " << c.name << " "
              << (c.segment ? DayText(c.segment->first) + "…" + DayText(c.segment->last)
                            : "no segment");
  }
  std::cout << "\n" << text;

  ASSERT_EQ(table.top_rows.size(), 20u);
  EXPECT_EQ(table.series, 20);
  for (const SeriesBacktest& r : results) {
    if (r.mase.empty()) continue;
    // WAPE is NaN where all 13 actuals at a horizon are 0 (a sparse series): not negative.
    for (std::size_t h = 0; h < r.mase.size(); ++h) {
      EXPECT_TRUE(std::isfinite(r.mase[h]) && r.mase[h] >= 0) << r.key << " h=" << h + 1;
      EXPECT_FALSE(r.wape[h] < 0) << r.key << " h=" << h + 1;
    }
    for (const auto& f : r.forecasts) {
      for (double v : f) EXPECT_TRUE(std::isfinite(v) && v >= 0) << r.key;
    }
    // The production choice is never worse than seasonal naive on the origins it was chosen on.
    for (int b = 0; b < kChoiceBuckets; ++b) {
      EXPECT_LE(r.chosen_score[static_cast<std::size_t>(b)],
                r.sn7_score[static_cast<std::size_t>(b)] + 1e-12)
          << r.key << " bucket " << ChoiceBucketName(b);
    }
    EXPECT_TRUE(std::isfinite(r.coverage80)) << r.key;
  }
  EXPECT_TRUE(std::isfinite(table.mase_7d));
  EXPECT_GT(table.mase_7d, 0);
  const auto last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_EQ(last.rfind("mase_7d=", 0), 0u) << last;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "seconds: " << seconds << "\n";
#endif
}

}  // namespace
}  // namespace xietong::insight
