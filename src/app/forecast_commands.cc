#include "app/forecast_commands.h"

#include <fmt/core.h>

#include <cmath>
#include <memory>
#include <string>

#include "app/cli_support.h"
#include "insight/forecast_service.h"

namespace xietong::app {
namespace {

struct ForecastArgs {
  int horizon = 14;
  int top = 20;
  int origins = 13;
  bool backtest = false;
  bool no_store = false;
  bool store = false;
};

std::string Fixed(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

int Run(const PlatformOptions& popts, const ForecastArgs& a) {
  if (a.horizon < 1 || a.horizon > 42)
    return Report(
        Error::InvalidArgument(fmt::format("--horizon must be 1 to 42 days, not {}", a.horizon)));
  if (a.top < 1 || a.top > 1000) return Report(Error::InvalidArgument("--top must be 1 to 1000"));
  if (a.origins < 4 || a.origins > 52)
    return Report(Error::InvalidArgument("--origins must be 4 to 52"));
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  Platform& p = **platform;
  insight::RunOptions options;
  options.horizon = std::max(a.horizon, 28);
  options.top = a.top;
  options.backtest.origins = a.origins;
  options.store = a.backtest ? a.store : !a.no_store;
  options.node = p.node_id();
  auto report = p.forecasts().Run(options);
  if (!report) return Report(report.error());
  const insight::RunReport& r = *report;
  fmt::print("data: {} … {}, {} requests (merged ones left out)\n",
             insight::DayText(r.run.data_from), insight::DayText(r.run.data_to), r.requests);
  if (a.backtest) {
    fmt::print("seconds: load {:.1f} · backtest {:.1f} · total {:.1f}{}\n", r.load_seconds,
               r.backtest_seconds, r.total_seconds,
               r.stored ? fmt::format(" · run {}", r.run.id) : "");
    fmt::print("{}", r.text);  // its last line starts with mase_7d=
    return 0;
  }
  // Per level-1 category, the city's next `horizon` days.
  auto catalog = p.matters().Snapshot();
  if (!catalog) return Report(catalog.error());
  fmt::print("next {} days from {} (city, per level-1 category; 80 % interval)\n", a.horizon,
             insight::DayText(r.run.data_to + 1));
  std::vector<std::pair<std::string, std::string>> rows{{"全市 all", "all"}};
  for (const matters::Matter* m : (*catalog)->Children("")) rows.emplace_back(m->name, m->id);
  for (const auto& [name, id] : rows) {
    auto f = p.forecasts().Find(fmt::format("place:city|cat:{}|ch:all", id), a.horizon);
    if (!f) return Report(f.error());
    if (!*f) continue;
    double total = 0, lo = 0, hi = 0;
    for (const auto& pt : (*f)->forecast) {
      total += pt.value;
      lo += (pt.value - pt.lo80) * (pt.value - pt.lo80);
      hi += (pt.hi80 - pt.value) * (pt.hi80 - pt.value);
    }
    fmt::print("{:<24} {:>9.0f}  [{:.0f}, {:.0f}]  {}/{}/{}{}\n", name, total,
               std::max(0.0, total - std::sqrt(lo)), total + std::sqrt(hi), (*f)->models[0],
               (*f)->models[1], (*f)->models[2], (*f)->sparse ? " (sparse)" : "");
  }
  fmt::print("run={} series={} stored={} seconds={:.1f} mase_7d={}\n", r.stored ? r.run.id : "-",
             r.run.series, r.stored ? "yes" : "no", r.total_seconds, Fixed(r.table.mase_7d, 3));
  return 0;
}

}  // namespace

void RegisterForecastCommands(CLI::App& cli, PlatformOptions& popts,
                              const std::function<void(CLI::App*)>& add_common) {
  auto a = std::make_shared<ForecastArgs>();
  auto* forecast = cli.add_subcommand(
      "forecast", "forecast request volume over the data directory's requests (issue 19)");
  add_common(forecast);
  forecast->add_option("--horizon", a->horizon, "days ahead, 1–42 (default 14)");
  forecast->add_flag("--backtest", a->backtest,
                     "print the backtest table (last line mase_7d=…); stores nothing");
  forecast->add_flag("--store", a->store, "with --backtest: store the run as well");
  forecast->add_flag("--no-store", a->no_store, "run without storing");
  forecast->add_option("--top", a->top, "series in the headline set (default 20)");
  forecast->add_option("--origins", a->origins, "weekly backtest origins (default 13)");
  forecast->callback([&popts, a] {
    const int rc = Run(popts, *a);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace xietong::app
