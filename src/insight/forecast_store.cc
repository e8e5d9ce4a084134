#include "insight/forecast_store.h"

#include <fmt/core.h>

#include <algorithm>

namespace xietong::insight::store {
namespace {

using storage::Executor;

constexpr storage::Migration kMigrations[] = {
    {"insight", 1, "forecast runs and the series each run forecast",
     "CREATE TABLE insight_forecast_runs (id TEXT PRIMARY KEY, started_at BIGINT NOT NULL,"
     " finished_at BIGINT NOT NULL, data_from_day BIGINT NOT NULL, data_to_day BIGINT NOT NULL,"
     " horizon_days BIGINT NOT NULL, origins BIGINT NOT NULL, series BIGINT NOT NULL,"
     " status TEXT NOT NULL, summary TEXT NOT NULL, node TEXT NOT NULL);"
     "CREATE INDEX insight_forecast_runs_done ON insight_forecast_runs (status, finished_at);"
     "CREATE TABLE insight_forecast_series (run_id TEXT NOT NULL, series_key TEXT NOT NULL,"
     " scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL, category_id TEXT NOT NULL,"
     " channel TEXT NOT NULL, resolution TEXT NOT NULL, mean_daily DOUBLE PRECISION NOT NULL,"
     " history_days BIGINT NOT NULL, flags TEXT NOT NULL, models TEXT NOT NULL,"
     " metrics TEXT NOT NULL, actual TEXT NOT NULL, forecast TEXT NOT NULL,"
     " weekly TEXT NOT NULL, PRIMARY KEY (run_id, series_key))"},
};

constexpr std::string_view kRunColumns =
    "id, started_at, finished_at, data_from_day, data_to_day, horizon_days, origins, series,"
    " status, summary, node";
constexpr std::string_view kSeriesColumns =
    "run_id, series_key, scope_kind, scope_id, category_id, channel, resolution, mean_daily,"
    " history_days, flags, models, metrics, actual, forecast, weekly";
constexpr std::size_t kSeriesBatch = 200;  // 15 parameters each

ForecastRunRow RunFrom(const storage::Row& r) {
  return ForecastRunRow{.id = r.Text(0),
                        .started_at = r.Int(1),
                        .finished_at = r.Int(2),
                        .data_from_day = r.Int(3),
                        .data_to_day = r.Int(4),
                        .horizon_days = r.Int(5),
                        .origins = r.Int(6),
                        .series = r.Int(7),
                        .status = r.Text(8),
                        .summary = r.Text(9),
                        .node = r.Text(10)};
}

}  // namespace

std::span<const storage::Migration> ForecastMigrations() { return kMigrations; }

Result<void> InsertRun(Executor& ex, const ForecastRunRow& run,
                       std::span<const ForecastSeriesRow> series, int keep) {
  XT_TRY_VOID(
      ex.Exec(fmt::format("INSERT INTO insight_forecast_runs ({}) VALUES"
                          " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          kRunColumns),
              {run.id, run.started_at, run.finished_at, run.data_from_day, run.data_to_day,
               run.horizon_days, run.origins, run.series, run.status, run.summary, run.node}));
  std::vector<storage::Value> params;
  for (std::size_t from = 0; from < series.size(); from += kSeriesBatch) {
    const std::size_t n = std::min(kSeriesBatch, series.size() - from);
    std::string sql =
        fmt::format("INSERT INTO insight_forecast_series ({}) VALUES ", kSeriesColumns);
    params.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const ForecastSeriesRow& s = series[from + i];
      sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      params.insert(params.end(),
                    {storage::Value(run.id), s.series_key, s.scope_kind, s.scope_id, s.category_id,
                     s.channel, s.resolution, s.mean_daily, s.history_days, s.flags, s.models,
                     s.metrics, s.actual, s.forecast, s.weekly});
    }
    XT_TRY_VOID(ex.Exec(sql, storage::Params(params)));
  }
  // Keep the newest `keep` done runs (and nothing failed older than them).
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT id, status FROM insight_forecast_runs"
                                          " ORDER BY finished_at DESC, id DESC",
                                          {}));
  int done = 0;
  for (const auto& r : rows) {
    const std::string id = r.Text(0);
    if (done < keep) {
      done += r.Text(1) == "done";
      continue;
    }
    XT_TRY_VOID(ex.Exec("DELETE FROM insight_forecast_series WHERE run_id = ?", {id}));
    XT_TRY_VOID(ex.Exec("DELETE FROM insight_forecast_runs WHERE id = ?", {id}));
  }
  return {};
}

Result<std::optional<ForecastRunRow>> LatestDoneRun(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne(fmt::format("SELECT {} FROM insight_forecast_runs"
                                              " WHERE status = 'done'"
                                              " ORDER BY finished_at DESC, id DESC LIMIT 1",
                                              kRunColumns),
                                  {}));
  if (!row) return std::optional<ForecastRunRow>();
  return std::optional<ForecastRunRow>(RunFrom(*row));
}

Result<std::vector<ForecastSeriesRow>> RunSeries(Executor& ex, std::string_view run_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM insight_forecast_series"
                                                      " WHERE run_id = ? ORDER BY series_key",
                                                      kSeriesColumns),
                                          {run_id}));
  std::vector<ForecastSeriesRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    out.push_back(ForecastSeriesRow{.run_id = r.Text(0),
                                    .series_key = r.Text(1),
                                    .scope_kind = r.Text(2),
                                    .scope_id = r.Text(3),
                                    .category_id = r.Text(4),
                                    .channel = r.Text(5),
                                    .resolution = r.Text(6),
                                    .mean_daily = r.Real(7),
                                    .history_days = r.Int(8),
                                    .flags = r.Text(9),
                                    .models = r.Text(10),
                                    .metrics = r.Text(11),
                                    .actual = r.Text(12),
                                    .forecast = r.Text(13),
                                    .weekly = r.Text(14)});
  }
  return out;
}

Result<std::vector<ForecastRunRow>> ListRuns(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM insight_forecast_runs"
                                                      " ORDER BY finished_at DESC, id DESC",
                                                      kRunColumns),
                                          {}));
  std::vector<ForecastRunRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(RunFrom(r));
  return out;
}

}  // namespace xietong::insight::store
