// SQL of insight migration 1 (docs/plans/decision-support.md §2.11): forecast runs and the
// series each run forecast. A run is written whole, in one transaction, once it is done (its
// numbers are computed outside any transaction); the newest five runs are kept. Series'
// metrics, actuals and forecasts are JSON text the service writes and parses
// (forecast_service.cc); this file only moves rows.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::insight::store {

std::span<const storage::Migration> ForecastMigrations();  // insight 1

struct ForecastRunRow {
  std::string id = {};
  Timestamp started_at = 0;
  Timestamp finished_at = 0;
  std::int64_t data_from_day = 0;  // insight::Day numbers (+08:00)
  std::int64_t data_to_day = 0;    // the last complete day used
  std::int64_t horizon_days = 0;
  std::int64_t origins = 0;
  std::int64_t series = 0;
  std::string status = {};   // done | failed
  std::string summary = {};  // JSON: the backtest table
  std::string node = {};
};

struct ForecastSeriesRow {
  std::string run_id = {};
  std::string series_key =
      {};  // "place:<city|id>|cat:<all|matter id>|ch:<all|phone>", "unit:<id>|…"
  std::string scope_kind = {};   // city | district | street | unit
  std::string scope_id = {};     // "" for the city
  std::string category_id = {};  // "" = all
  std::string channel = {};      // "" = all | phone
  std::string resolution = {};   // day
  double mean_daily = 0;
  std::int64_t history_days = 0;
  std::string flags = {};     // JSON {"sparse":…,"short":…,"flat":…}
  std::string models = {};    // JSON {"1-3":"hw_ad","4-14":"ha","15-28":"ha"}
  std::string metrics = {};   // JSON {"mase":[h1…h28],…,"coverage80":…,"origins":13}
  std::string actual = {};    // JSON [[day, n], …] the last 56 days
  std::string forecast = {};  // JSON [[day, yhat, lo80, hi80, lo95, hi95], …]
  std::string weekly = {};    // JSON [[monday, yhat, lo80, hi80, lo95, hi95], …]
};

// The run and its series (in batches), then every run but the newest `keep` done ones is
// deleted with its series.
Result<void> InsertRun(storage::Executor& ex, const ForecastRunRow& run,
                       std::span<const ForecastSeriesRow> series, int keep = 5);
// The newest done run (by finished_at, then id).
Result<std::optional<ForecastRunRow>> LatestDoneRun(storage::Executor& ex);
Result<std::vector<ForecastSeriesRow>> RunSeries(storage::Executor& ex, std::string_view run_id);
Result<std::vector<ForecastRunRow>> ListRuns(storage::Executor& ex);  // newest first

}  // namespace xietong::insight::store
