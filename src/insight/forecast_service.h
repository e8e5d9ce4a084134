// ForecastService: request-volume forecasts served from the latest run
// (docs/plans/decision-support.md §2.10). A run reads the city's daily counts once
// (RequestService::DailyCounts), builds the series — place (city, district, street) ×
// category (all, level 1, level 2) × all channels, the city's phone calls, and each handling
// unit's total — cuts each to its area's observed segment, backtests every series (two
// threads; the numbers are the pure backtest.h), forecasts 42 days from the model each
// bucket chose, and stores the run in one transaction with one audit event
// (`insight.forecast.run`). Every node keeps the latest done run in memory and looks for a
// newer one at most every 30 s, so the route answers from memory.
//
// Who may read: a forecast of a unit's area follows RequestService::FiguresPath —
// kStatsRead over the unit (leaders, supervisors and admins see the city, a unit's leads
// their subtree); residents never. Find and the run itself are for insight's own callers
// (capacity, the report, the nightly job): no principal. Thread-safe.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "identity/identity_service.h"
#include "insight/backtest.h"
#include "insight/job_runner.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::insight {

struct ForecastQuery {
  std::string unit_id = {};      // "" = the city; a district or street: its place; else the unit
  std::string category_id = {};  // "" = all; a level-1 or level-2 matter
  std::string channel = {};      // "" = all; "phone" (the city only)
  int horizon = 14;              // 1–28 days
  bool weekly = false;           // Monday–Sunday sums instead of days
};

struct RunOptions {
  int history_days = 730 + 7 * 12 + 28;  // days read back from yesterday
  int horizon = 42;                      // days forecast (the API serves up to 28)
  int top = 20;
  int threads = 2;
  bool store = true;
  std::string node = "cli";
  std::string actor = "system";
  BacktestOptions backtest = {};  // calendar: the service's
};

struct RunSummary {
  std::string id = {};
  Timestamp started_at = 0, finished_at = 0;
  Day data_from = 0, data_to = 0;  // the days read; data_to is the last complete day
  int series = 0;
  int origins = 0;
  double mase_7d = kNaN;
};

struct RunReport {
  RunSummary run;
  bool stored = false;
  std::int64_t requests = 0;  // counted in the window (merged ones left out)
  BacktestTable table;        // the top set: level-1 category × district, plus area totals
  std::string text;           // RenderTable(table), its last line "mase_7d=…"
  double load_seconds = 0, backtest_seconds = 0, total_seconds = 0;
};

struct BacktestFigures {
  double mase_1d = kNaN, mase_7d = kNaN, mase_28d = kNaN, rel_mae_7d = kNaN, mape_7d = kNaN,
         wape_7d = kNaN, coverage80 = kNaN;
  int origins = 0;
};

struct SeriesForecast {
  RunSummary run;
  std::string key = {};
  std::string scope_kind = {};  // city | district | street | unit
  std::string scope_id = {}, scope_name = {};
  std::string category_id = {}, category_name = {};
  std::string channel = {};  // "" | phone
  double mean_daily = 0;
  bool sparse = false, short_series = false, flat = false;
  std::array<std::string, kChoiceBuckets> models = {};  // per bucket "1-3" "4-14" "15-28"
  BacktestFigures backtest;
  std::vector<std::pair<Day, double>> actual = {};  // the last 56 days of the series
  std::vector<ForecastPoint> forecast = {};         // days (or weeks) ahead
};

class ForecastService {
 public:
  ForecastService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                  const WorkCalendar& calendar, requests::RequestService& requests,
                  matters::MatterService& matters, identity::IdentityService& identity)
      : db_(db),
        clock_(clock),
        ids_(ids),
        calendar_(calendar),
        requests_(requests),
        matters_(matters),
        identity_(identity) {}

  // One series' forecast for the caller. InvalidArgument: horizon outside 1–28, a channel
  // other than "" / phone, a leaf category; NotFound: an unknown unit or category, or a
  // series with too little data; PermissionDenied: outside the caller's figures;
  // Unavailable: no run yet.
  Result<SeriesForecast> Forecast(const identity::Principal& actor, const ForecastQuery& query);
  // The latest run (kStatsRead over the city); Unavailable when there is none.
  Result<RunSummary> LatestRun(const identity::Principal& actor);
  // For insight's callers: the series of the latest run by key ("place:city|cat:all|ch:all"),
  // `horizon` days (≤ 42); nullopt when there is no run or no such series.
  Result<std::optional<SeriesForecast>> Find(std::string_view key, int horizon);
  // Reads, backtests, forecasts and (options.store) stores a run; progress(done, total) is
  // called from the worker threads as series finish.
  Result<RunReport> Run(const RunOptions& options,
                        const std::function<void(int, int)>& progress = {});
  // The nightly run for the insight JobRunner ("forecast.nightly", 02:00).
  JobSpec NightlyJob(std::string node);

 private:
  struct Stored;  // one series of the loaded run
  struct Loaded;  // the loaded run
  Result<std::shared_ptr<const Loaded>> Latest();
  SeriesForecast Answer(const Loaded& run, const Stored& s, int horizon, bool weekly) const;

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  const WorkCalendar& calendar_;
  requests::RequestService& requests_;
  matters::MatterService& matters_;
  identity::IdentityService& identity_;

  std::mutex mutex_;
  std::shared_ptr<const Loaded> latest_;  // GUARDED_BY(mutex_)
  Timestamp checked_at_ = 0;              // GUARDED_BY(mutex_)
  bool checked_ = false;                  // GUARDED_BY(mutex_)
};

}  // namespace xietong::insight
