// ForecastService: build series from the daily counts, backtest and forecast them (pure,
// backtest.h), store the run (forecast_store.h) with one audit event, serve from memory.
#include "insight/forecast_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <unordered_set>

#include "audit/audit_log.h"
#include "core/json.h"
#include "insight/forecast_store.h"

namespace xietong::insight {
namespace {

using identity::Principal;
using storage::Executor;
using Json = json::Json;

constexpr Timestamp kRecheck = 30 * kMicrosPerSecond;
constexpr int kActualDays = 56;
constexpr int kMaxServedHorizon = 28;
constexpr std::string_view kNoData =
    "此范围数据不足，无法预测 (too little data to forecast this series)";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

Json Num(double v, int decimals = 3) {
  if (!std::isfinite(v)) return nullptr;
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

double NumOf(const Json& j) { return j.is_number() ? j.get<double>() : kNaN; }

Json Numbers(const std::vector<double>& v) {
  Json a = Json::array();
  for (double x : v) a.push_back(Num(x, 4));
  return a;
}

Json Points(const std::vector<ForecastPoint>& points) {
  Json a = Json::array();
  for (const ForecastPoint& p : points) {
    a.push_back(
        Json::array({p.day, Num(p.value), Num(p.lo80), Num(p.hi80), Num(p.lo95), Num(p.hi95)}));
  }
  return a;
}

std::vector<ForecastPoint> PointsOf(const Json& a) {
  std::vector<ForecastPoint> out;
  if (!a.is_array()) return out;
  for (const Json& p : a) {
    if (!p.is_array() || p.size() < 6) continue;
    out.push_back({.day = p[0].get<Day>(),
                   .value = NumOf(p[1]),
                   .lo80 = NumOf(p[2]),
                   .hi80 = NumOf(p[3]),
                   .lo95 = NumOf(p[4]),
                   .hi95 = NumOf(p[5])});
  }
  return out;
}

Json ParseOr(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

// One series while a run builds it.
struct Building {
  std::string key, scope_kind, scope_id, category_id, channel;
  std::string area;  // the district whose observed days cut it ("" = the city's)
  std::vector<double> y;
  bool area_total = false;  // a place's all-categories series
  int level = 0;            // category level (0 = all)
};

std::string PlaceKey(std::string_view place, std::string_view category, std::string_view channel) {
  return fmt::format("place:{}|cat:{}|ch:{}", place.empty() ? "city" : place,
                     category.empty() ? "all" : category, channel.empty() ? "all" : channel);
}

std::string UnitKey(std::string_view unit) { return fmt::format("unit:{}|cat:all|ch:all", unit); }

}  // namespace

struct ForecastService::Stored {
  std::string key, scope_kind, scope_id, category_id, channel;
  double mean_daily = 0;
  bool sparse = false, short_series = false, flat = false;
  std::array<std::string, kChoiceBuckets> models = {};
  BacktestFigures figures;
  std::vector<std::pair<Day, double>> actual;
  std::vector<ForecastPoint> forecast, weekly;
};

struct ForecastService::Loaded {
  RunSummary run;
  std::unordered_map<std::string, Stored> series;
};

Result<RunReport> ForecastService::Run(const RunOptions& options,
                                       const std::function<void(int, int)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  RunReport report;
  report.run.started_at = clock_.Now();
  const Day today = DayOf(report.run.started_at);
  const Day data_to = today - 1;
  const Day data_from = today - std::max(1, options.history_days);
  XT_ASSIGN_OR_RETURN(auto counts, requests_.DailyCounts(StartOfDay(data_from), StartOfDay(today)));
  XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());

  // ---- series ----
  Day first = data_to + 1;
  for (const auto& c : counts) {
    if (c.n > 0) first = std::min<Day>(first, c.day);
  }
  if (first > data_to) {
    return Fail(Error::InvalidArgument(
        fmt::format("no requests were received from {} to {}: nothing to forecast",
                    DayText(data_from), DayText(data_to))));
  }
  const std::size_t days = static_cast<std::size_t>(data_to - first + 1);
  std::vector<Building> built;
  std::unordered_map<std::string, std::size_t> index;
  std::unordered_map<std::string, std::string> district_of_street;
  auto at = [&](std::string key, auto&& init) -> Building& {
    auto [it, fresh] = index.try_emplace(std::move(key), built.size());
    if (fresh) {
      Building b;
      b.key = it->first;
      b.y.assign(days, 0.0);
      init(b);
      built.push_back(std::move(b));
    }
    return built[it->second];
  };
  for (const auto& c : counts) {
    if (c.day < first || c.day > data_to || c.n <= 0) continue;
    const auto d = static_cast<std::size_t>(c.day - first);
    const double n = static_cast<double>(c.n);
    if (c.channel == requests::Channel::kPhone) {
      at(PlaceKey("", "", "phone"), [](Building& b) {
        b.scope_kind = "city";
        b.channel = "phone";
      }).y[d] += n;
    }
    if (c.merged) continue;  // a merged request is not work
    report.requests += c.n;
    // Categories: all, and the leaf's level-1 and level-2 ancestors.
    std::string l1, l2;
    if (const matters::Matter* leaf = catalog->Find(c.matter_id); leaf && leaf->parent_id) {
      const matters::Matter* p = catalog->Find(*leaf->parent_id);
      if (p && p->level == 2) {
        l2 = p->id;
        if (p->parent_id) l1 = *p->parent_id;
      } else if (p && p->level == 1) {
        l1 = p->id;
      }
    }
    if (!c.street_id.empty() && !c.district_id.empty())
      district_of_street.try_emplace(c.street_id, c.district_id);
    const std::array<std::pair<std::string_view, const char*>, 3> places{
        {{"", "city"}, {c.district_id, "district"}, {c.street_id, "street"}}};
    for (std::size_t pi = 0; pi < places.size(); ++pi) {
      const auto [place, kind] = places[pi];
      if (pi > 0 && place.empty()) continue;
      const std::string area = pi == 0 ? std::string() : std::string(c.district_id);
      const std::array<std::pair<std::string_view, int>, 3> cats{{{"", 0}, {l1, 1}, {l2, 2}}};
      for (const auto& [cat, level] : cats) {
        if (level > 0 && cat.empty()) continue;
        at(PlaceKey(place, cat, ""), [&, kind = kind, place = place, cat = cat,
                                      level = level](Building& b) {
          b.scope_kind = kind;
          b.scope_id = std::string(place);
          b.category_id = std::string(cat);
          b.area = area;
          b.area_total = level == 0;
          b.level = level;
        }).y[d] += n;
      }
    }
    if (!c.unit_id.empty()) {
      at(UnitKey(c.unit_id), [&](Building& b) {
        b.scope_kind = "unit";
        b.scope_id = c.unit_id;
      }).y[d] += n;
    }
  }
  for (auto& [street, district] : district_of_street) {
    for (Building& b : built) {
      if (b.scope_kind == "street" && b.scope_id == street) b.area = district;
    }
  }

  // Observed segments per area (§2.6): the longest of >= 112 days, else the latest one.
  std::map<std::string, Segment> segment_of;
  auto segment = [&](const std::string& area) -> Segment {
    if (auto it = segment_of.find(area); it != segment_of.end()) return it->second;
    Segment s{first, data_to};
    auto total = index.find(PlaceKey(area, "", ""));
    if (total != index.end()) {
      const auto segs = ObservedSegments(built[total->second].y, first);
      if (auto longest = LongestSegment(segs, 112)) {
        s = *longest;
      } else if (!segs.empty()) {
        s = segs.back();
      }
    }
    segment_of.emplace(area, s);
    return s;
  };

  // Names for the table (district and category names).
  std::unordered_map<std::string, std::string> unit_names;
  if (auto units = identity_.AllUnits()) {
    for (const auto& u : *units) unit_names.emplace(u.id, u.name);
  }
  auto unit_name = [&](const std::string& id) {
    auto it = unit_names.find(id);
    return it == unit_names.end() ? id : it->second;
  };
  auto category_name = [&](const std::string& id) {
    const matters::Matter* m = catalog->Find(id);
    return m ? m->name : id;
  };

  std::vector<Series> series(built.size());
  for (std::size_t i = 0; i < built.size(); ++i) {
    Building& b = built[i];
    const Segment s = segment(b.area);
    Series& out = series[i];
    out.key = b.key;
    out.area = b.scope_kind == "city" ? "全市" : unit_name(b.scope_id);
    out.category = b.category_id.empty() ? "" : category_name(b.category_id);
    out.area_total = b.area_total && b.channel.empty();
    out.first_day = s.first;
    out.y.assign(b.y.begin() + (s.first - first), b.y.begin() + (s.last - first) + 1);
  }
  report.load_seconds = Seconds(started);

  // ---- backtest and forecast, two threads over series ----
  const auto backtest_started = std::chrono::steady_clock::now();
  BacktestOptions bo = options.backtest;
  bo.calendar = &calendar_;
  std::vector<SeriesBacktest> results(series.size());
  std::vector<AheadForecast> ahead(series.size());
  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0};
  const int total = static_cast<int>(series.size());
  auto work = [&] {
    for (std::size_t i = next++; i < series.size(); i = next++) {
      results[i] = BacktestSeries(series[i], bo);
      ahead[i] = ForecastAhead(series[i], results[i], bo, options.horizon);
      const int d = ++done;
      if (progress) progress(d, total);
    }
  };
  {
    std::vector<std::jthread> pool;
    for (int t = 1; t < std::max(1, options.threads); ++t) pool.emplace_back(work);
    work();
  }
  report.backtest_seconds = Seconds(backtest_started);

  // The table: level-1 category × district (× city when no district is known) and the
  // area totals.
  const bool districts = std::any_of(built.begin(), built.end(),
                                     [](const Building& b) { return b.scope_kind == "district"; });
  std::vector<SeriesBacktest> table_rows;
  for (std::size_t i = 0; i < built.size(); ++i) {
    const Building& b = built[i];
    if (!b.channel.empty()) continue;
    const bool place = b.scope_kind == (districts ? "district" : "city");
    if ((place && b.level == 1) || (b.area_total && (place || b.scope_kind == "city"))) {
      table_rows.push_back(results[i]);
    }
  }
  report.table = Summarise(table_rows, options.top);
  report.table.built = static_cast<int>(series.size());
  report.table.backtested = report.table.short_series = report.table.sparse = report.table.flat = 0;
  for (const auto& r : results) {
    report.table.backtested += r.profile.backtestable();
    report.table.short_series += r.profile.short_series;
    report.table.sparse += !r.profile.short_series && r.profile.sparse;
    report.table.flat += !r.profile.short_series && !r.profile.sparse && r.profile.flat;
  }
  report.text = RenderTable(report.table);

  report.run.id = ids_.Next();
  report.run.data_from = first;
  report.run.data_to = data_to;
  report.run.series = total;
  report.run.origins = bo.origins;
  report.run.mase_7d = report.table.mase_7d;
  report.run.finished_at = clock_.Now();
  report.total_seconds = Seconds(started);
  if (!options.store) return report;

  // ---- store ----
  std::vector<store::ForecastSeriesRow> rows;
  rows.reserve(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Building& b = built[i];
    const SeriesBacktest& r = results[i];
    Json models = Json::object();
    for (int k = 0; k < kChoiceBuckets; ++k) {
      models[std::string(ChoiceBucketName(k))] =
          std::string(ModelName(ahead[i].models[static_cast<std::size_t>(k)]));
    }
    Json metrics = Json::object();
    if (r.profile.backtestable()) {
      metrics = {{"mase", Numbers(r.mase)},         {"mape", Numbers(r.mape)},
                 {"wape", Numbers(r.wape)},         {"rel_mae", Numbers(r.rel_mae)},
                 {"coverage80", Num(r.coverage80)}, {"origins", r.origin_days.size()}};
    }
    Json actual = Json::array();
    const Series& s = series[i];
    const std::size_t from = s.y.size() > kActualDays ? s.y.size() - kActualDays : 0;
    for (std::size_t d = from; d < s.y.size(); ++d) {
      actual.push_back(Json::array({s.first_day + static_cast<Day>(d), s.y[d]}));
    }
    rows.push_back(store::ForecastSeriesRow{.run_id = report.run.id,
                                            .series_key = b.key,
                                            .scope_kind = b.scope_kind,
                                            .scope_id = b.scope_id,
                                            .category_id = b.category_id,
                                            .channel = b.channel,
                                            .resolution = "day",
                                            .mean_daily = r.profile.mean_daily,
                                            .history_days = static_cast<std::int64_t>(s.y.size()),
                                            .flags = Json{{"sparse", r.profile.sparse},
                                                          {"short", r.profile.short_series},
                                                          {"flat", r.profile.flat}}
                                                         .dump(),
                                            .models = models.dump(),
                                            .metrics = metrics.dump(),
                                            .actual = actual.dump(),
                                            .forecast = Points(ahead[i].points).dump(),
                                            .weekly = Points(ahead[i].weekly).dump()});
  }
  const BacktestTable& t = report.table;
  const Json summary = {{"mase_1d", Num(t.mase_1d)},   {"mase_7d", Num(t.mase_7d)},
                        {"mase_28d", Num(t.mase_28d)}, {"rel_mae_7d", Num(t.rel_mae_7d)},
                        {"mape_7d", Num(t.mape_7d)},   {"wape_7d", Num(t.wape_7d)},
                        {"series", t.series},          {"built", t.built},
                        {"backtested", t.backtested},  {"sparse", t.sparse},
                        {"short", t.short_series},     {"flat", t.flat},
                        {"requests", report.requests}, {"table", report.text}};
  const store::ForecastRunRow run{.id = report.run.id,
                                  .started_at = report.run.started_at,
                                  .finished_at = report.run.finished_at,
                                  .data_from_day = first,
                                  .data_to_day = data_to,
                                  .horizon_days = options.horizon,
                                  .origins = bo.origins,
                                  .series = total,
                                  .status = "done",
                                  .summary = summary.dump(),
                                  .node = options.node};
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertRun(ex, run, rows));
    XT_TRY_VOID(audit::Append(ex, run.finished_at,
                              {options.actor,
                               "insight.forecast.run",
                               run.id,
                               {{"run_id", run.id},
                                {"data_to", DayText(data_to)},
                                {"series", total},
                                {"mase_7d", Num(t.mase_7d)},
                                {"seconds", Num(Seconds(started), 2)}}}));
    return {};
  }));
  report.stored = true;
  {
    std::lock_guard lock(mutex_);
    checked_ = false;  // the next read loads the new run
  }
  return report;
}

Result<std::shared_ptr<const ForecastService::Loaded>> ForecastService::Latest() {
  std::lock_guard lock(mutex_);
  const Timestamp now = clock_.Now();
  if (checked_ && now - checked_at_ < kRecheck) return latest_;
  XT_ASSIGN_OR_RETURN(auto newest, db_.Read([](Executor& ex) { return store::LatestDoneRun(ex); }));
  checked_ = true;
  checked_at_ = now;
  if (!newest) {
    latest_.reset();
    return latest_;
  }
  if (latest_ && latest_->run.id == newest->id) return latest_;
  XT_ASSIGN_OR_RETURN(auto rows,
                      db_.Read([&](Executor& ex) { return store::RunSeries(ex, newest->id); }));
  auto loaded = std::make_shared<Loaded>();
  loaded->run = RunSummary{.id = newest->id,
                           .started_at = newest->started_at,
                           .finished_at = newest->finished_at,
                           .data_from = static_cast<Day>(newest->data_from_day),
                           .data_to = static_cast<Day>(newest->data_to_day),
                           .series = static_cast<int>(newest->series),
                           .origins = static_cast<int>(newest->origins),
                           .mase_7d = NumOf(ParseOr(newest->summary)["mase_7d"])};
  loaded->series.reserve(rows.size());
  for (auto& r : rows) {
    Stored s;
    s.key = r.series_key;
    s.scope_kind = r.scope_kind;
    s.scope_id = r.scope_id;
    s.category_id = r.category_id;
    s.channel = r.channel;
    s.mean_daily = r.mean_daily;
    const Json flags = ParseOr(r.flags);
    s.sparse = flags.value("sparse", false);
    s.short_series = flags.value("short", false);
    s.flat = flags.value("flat", false);
    const Json models = ParseOr(r.models);
    for (int k = 0; k < kChoiceBuckets; ++k) {
      s.models[static_cast<std::size_t>(k)] =
          models.is_object() ? models.value(std::string(ChoiceBucketName(k)), "") : "";
    }
    const Json m = ParseOr(r.metrics);
    if (m.is_object() && m.contains("mase")) {
      auto h = [&](const char* name, std::size_t i) {
        const Json& a = m[name];
        return a.is_array() && i < a.size() ? NumOf(a[i]) : kNaN;
      };
      s.figures = BacktestFigures{.mase_1d = h("mase", 0),
                                  .mase_7d = h("mase", 6),
                                  .mase_28d = h("mase", 27),
                                  .rel_mae_7d = h("rel_mae", 6),
                                  .mape_7d = h("mape", 6),
                                  .wape_7d = h("wape", 6),
                                  .coverage80 = NumOf(m["coverage80"]),
                                  .origins = m.value("origins", 0)};
    }
    const Json actual = ParseOr(r.actual);
    if (actual.is_array()) {
      for (const Json& p : actual) {
        if (p.is_array() && p.size() == 2) s.actual.emplace_back(p[0].get<Day>(), NumOf(p[1]));
      }
    }
    s.forecast = PointsOf(ParseOr(r.forecast));
    s.weekly = PointsOf(ParseOr(r.weekly));
    std::string key = s.key;
    loaded->series.emplace(std::move(key), std::move(s));
  }
  latest_ = std::move(loaded);
  return latest_;
}

SeriesForecast ForecastService::Answer(const Loaded& run, const Stored& s, int horizon,
                                       bool weekly) const {
  SeriesForecast out;
  out.run = run.run;
  out.key = s.key;
  out.scope_kind = s.scope_kind;
  out.scope_id = s.scope_id;
  out.category_id = s.category_id;
  out.channel = s.channel;
  out.mean_daily = s.mean_daily;
  out.sparse = s.sparse;
  out.short_series = s.short_series;
  out.flat = s.flat;
  out.models = s.models;
  out.backtest = s.figures;
  out.actual = s.actual;
  if (!weekly) {
    const std::size_t n =
        std::min(s.forecast.size(), static_cast<std::size_t>(std::max(0, horizon)));
    out.forecast.assign(s.forecast.begin(), s.forecast.begin() + static_cast<long>(n));
  } else if (!s.forecast.empty()) {
    const Day end = s.forecast.front().day + horizon;  // weeks starting within the horizon
    for (const ForecastPoint& w : s.weekly) {
      if (w.day < end) out.forecast.push_back(w);
    }
  }
  return out;
}

Result<SeriesForecast> ForecastService::Forecast(const Principal& actor,
                                                 const ForecastQuery& query) {
  if (query.horizon < 1 || query.horizon > kMaxServedHorizon) {
    return Fail(
        Error::InvalidArgument(fmt::format("'horizon' must be 1 to {} days", kMaxServedHorizon))
            .About("horizon", "out_of_range"));
  }
  if (!query.channel.empty() && query.channel != "all" && query.channel != "phone") {
    return Fail(
        Error::InvalidArgument("'channel' must be all or phone").About("channel", "invalid"));
  }
  const bool phone = query.channel == "phone";
  std::string place, scope_kind = "city", scope_name = "全市";
  bool unit_series = false;
  if (!query.unit_id.empty()) {
    auto unit = identity_.GetUnit(Principal::System(), query.unit_id);
    if (!unit) {
      if (unit.error().code == ErrorCode::kNotFound) {
        return Fail(Error::NotFound(fmt::format("no unit '{}'", query.unit_id.substr(0, 64)))
                        .About("unit", "not_found"));
      }
      return Fail(unit.error());
    }
    const identity::OrgUnit& u = **unit;
    scope_name = u.name;
    switch (u.kind) {
      case identity::UnitKind::kCity:
        break;
      case identity::UnitKind::kDistrict:
        place = u.id;
        scope_kind = "district";
        break;
      case identity::UnitKind::kStreet:
      case identity::UnitKind::kTownship:
        place = u.id;
        scope_kind = "street";
        break;
      default:
        unit_series = true;
        scope_kind = "unit";
        break;
    }
  }
  XT_TRY_VOID(requests_.FiguresPath(actor, query.unit_id));
  std::string category_name;
  if (!query.category_id.empty()) {
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    const matters::Matter* m = catalog->Find(query.category_id);
    if (!m) {
      return Fail(Error::NotFound(fmt::format("no category '{}'", query.category_id.substr(0, 64)))
                      .About("category", "not_found"));
    }
    if (m->level > 2) {
      return Fail(Error::InvalidArgument(
                      "forecasts are by level-1 or level-2 category; a level-3 matter is too "
                      "sparse")
                      .About("category", "invalid"));
    }
    category_name = m->name;
  }
  if (phone && (!place.empty() || unit_series || !query.category_id.empty())) {
    return Fail(Error::InvalidArgument(
                    "the phone series is forecast for the whole city and all categories only")
                    .About("channel", "invalid"));
  }
  const std::string key = unit_series
                              ? fmt::format("unit:{}|cat:{}|ch:all", query.unit_id,
                                            query.category_id.empty() ? "all" : query.category_id)
                              : PlaceKey(place, query.category_id, phone ? "phone" : "");
  XT_ASSIGN_OR_RETURN(auto run, Latest());
  if (!run) {
    return Fail(Error::Unavailable(
        "预测尚未生成：运行 xietong forecast 或等待夜间任务 (no forecast run yet: run `xietong "
        "forecast` or wait for the nightly job)"));
  }
  auto it = run->series.find(key);
  if (it == run->series.end() || it->second.sparse || it->second.forecast.empty()) {
    return Fail(Error::NotFound(std::string(kNoData)).About("series", "too_little_data"));
  }
  SeriesForecast out = Answer(*run, it->second, query.horizon, query.weekly);
  out.scope_name = scope_name;
  out.category_name = category_name;
  return out;
}

Result<RunSummary> ForecastService::LatestRun(const Principal& actor) {
  XT_TRY_VOID(requests_.FiguresPath(actor, ""));
  XT_ASSIGN_OR_RETURN(auto run, Latest());
  if (!run) return Fail(Error::Unavailable("no forecast run yet"));
  return run->run;
}

Result<std::optional<SeriesForecast>> ForecastService::Find(std::string_view key, int horizon) {
  XT_ASSIGN_OR_RETURN(auto run, Latest());
  if (!run) return std::optional<SeriesForecast>();
  auto it = run->series.find(std::string(key));
  if (it == run->series.end()) return std::optional<SeriesForecast>();
  return std::optional<SeriesForecast>(Answer(*run, it->second, horizon, false));
}

JobSpec ForecastService::NightlyJob(std::string node) {
  JobSpec job;
  job.name = "forecast.nightly";
  job.local_minute = 2 * 60;
  job.run = [this, node = std::move(node)]() -> Result<std::string> {
    RunOptions options;
    options.node = node;
    XT_ASSIGN_OR_RETURN(auto r, Run(options));
    return fmt::format("ok: run {} series {} mase_7d {:.3f} in {:.1f} s", r.run.id, r.run.series,
                       r.table.mase_7d, r.total_seconds);
  };
  return job;
}

}  // namespace xietong::insight
