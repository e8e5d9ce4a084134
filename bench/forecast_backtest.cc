// The rolling-origin backtest of every us311 series (issue 19, docs/forecasting.md): reads
// ../shared/data/us311 directly, backtests every series that is not short, sparse or flat
// with 13 weekly origins and horizons 1–28 on two threads, prints the table and, last, the
// line mase_7d=… over the 20 largest series. Build with the release preset.
// Usage: forecast_backtest [US311_CSV_GZ] [--origins N] [--threads N]
#include <fmt/core.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "insight/backtest.h"
#include "insight/series.h"

int main(int argc, char** argv) {
  using namespace xietong;
  using bench::Must;
  std::string path = "../shared/data/us311/us311_multicity_sample.csv.gz";
  insight::BacktestOptions options;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--origins" && i + 1 < argc) {
      options.origins = std::atoi(argv[++i]);
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else {
      path = arg;
    }
  }
  const auto started = bench::SteadyClock::now();
  const insight::Us311Data data = Must(insight::ReadUs311Series(path));
  const double load = bench::Seconds(started);

  const auto backtest_started = bench::SteadyClock::now();
  std::vector<insight::SeriesBacktest> results(data.series.size());
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < data.series.size(); i = next++) {
        results[i] = insight::BacktestSeries(data.series[i], options);
      }
    });
  }
  for (auto& t : pool) t.join();
  const double backtest = bench::Seconds(backtest_started);

  fmt::print("data: {} rows ({} unreadable), {} … {};", data.rows, data.skipped,
             insight::DayText(data.first_day), insight::DayText(data.last_day));
  for (const auto& c : data.cities) {
    fmt::print(" {} {}", c.name,
               c.segment
                   ? insight::DayText(c.segment->first) + "…" + insight::DayText(c.segment->last)
                   : std::string("no segment ≥ 112 days"));
  }
  fmt::print("\n");
  const std::string table = insight::RenderTable(insight::Summarise(results, 20));
  const std::size_t last_line = table.rfind('\n', table.size() - 2) + 1;
  fmt::print("{}seconds: load {:.2f} · backtest {:.2f} ({} threads) · total {:.2f}\n{}",
             table.substr(0, last_line), load, backtest, threads, bench::Seconds(started),
             table.substr(last_line));
  return 0;
}
