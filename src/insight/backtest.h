// Rolling-origin backtest of the daily models (docs/plans/decision-support.md §2.4–2.5,
// §2.7, §2.9): weekly origins, horizons 1–28, MASE against the in-sample seasonal-naive
// scale, MAPE (y > 0 only), WAPE, relative MAE against seasonal naive, online model choice
// per horizon bucket (no selection on the scored origin), empirical prediction intervals,
// and the table `xietong forecast --backtest` prints. Pure: no clock, no SQL; thread-safe.
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "insight/forecast_models.h"
#include "insight/series.h"

namespace xietong::insight {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- metrics (pure helpers, also used by the service) ----

// S = (1/(n−7))·Σ_{t=8..n} |y_t − y_{t−7}|: the in-sample seasonal-naive MAE; 0 when n <= 7.
double SeasonalScale(std::span<const double> train);
// mean |y − ŷ| / scale; NaN when scale is 0 or the spans are empty.
double Mase(std::span<const double> actual, std::span<const double> forecast, double scale);
struct Mape {
  double value = kNaN;  // 100·mean |e|/y over the points with y > 0; NaN when none
  int points = 0;
  int excluded = 0;  // points with y = 0
};
Mape MapeOf(std::span<const double> actual, std::span<const double> forecast);
// Σ|e| / Σy; NaN when Σy = 0.
double Wape(std::span<const double> actual, std::span<const double> forecast);

// ---- prediction intervals (§2.9) ----

// z = (y − ŷ)/√(max(ŷ, 0) + 1): residuals on a scale where Poisson noise is about constant.
double StabilisedResidual(double actual, double forecast);
struct IntervalQuantiles {
  double q025 = 0, q10 = 0, q90 = 0, q975 = 0;
};
// Quantiles of z with linear interpolation (type 7); all 0 for no values.
IntervalQuantiles QuantilesOf(std::vector<double> z);
struct Interval {
  double lo80 = 0, hi80 = 0, lo95 = 0, hi95 = 0;
};
Interval IntervalAt(double forecast, const IntervalQuantiles& q);
// Interval bucket of a horizon h (1-based): 0 = 1–3, 1 = 4–7, 2 = 8–14, 3 = 15–28 (and beyond).
int IntervalBucket(int h);

// ---- backtest ----

// Model-choice buckets B₁ = 1–3, B₂ = 4–14, B₃ = 15–28 (and beyond).
constexpr int kChoiceBuckets = 3;
int ChoiceBucket(int h);
std::string_view ChoiceBucketName(int bucket);  // "1-3" "4-14" "15-28"

struct BacktestOptions {
  int origins = 13;  // weekly, the last one with `horizon` days of actuals
  int horizon = 28;
  int refit_every = 4;      // parameters refitted at origins 0, 4, 8, 12; states re-run between
  int min_train_days = 84;  // less before the first origin: "short", not backtested
  int max_train_days = 730;
  int min_earlier_origins = 3;   // online choice needs this many scored origins, else combo
  double sparse_mean = 0.1;      // below this mean per day, or
  int sparse_nonzero_days = 28;  // fewer non-zero days in the last training window: "sparse"
  int recent_days = 112;         // "volume" = requests in the last 16 weeks of the series
  std::vector<ModelKind> models = {ModelKind::kSeasonalNaive, ModelKind::kHistoricalAverage,
                                   ModelKind::kHoltWinters,   ModelKind::kHoltWintersDamped,
                                   ModelKind::kRegression,    ModelKind::kCombo};
  const WorkCalendar* calendar = nullptr;  // null: plain weekdays (foreign data)
};

// What can be said about a series without fitting anything.
struct SeriesProfile {
  double mean_daily = 0;      // over the last origin's training window
  double recent_total = 0;    // requests in the last recent_days days
  int nonzero_days = 0;       // in the last origin's training window
  bool short_series = false;  // the first origin has < min_train_days of history
  bool sparse = false;
  bool flat = false;  // the seasonal-naive scale is 0 at every origin
  bool backtestable() const { return !short_series && !sparse && !flat; }
};
SeriesProfile Profile(const Series& series, const BacktestOptions& options);

struct SeriesBacktest {
  std::string key = {}, area = {}, category = {};
  bool area_total = false;  // Series::area_total
  SeriesProfile profile;
  std::vector<Day> origin_days = {};  // h = 1 is the origin's day
  // The online-selected forecaster's forecasts, [origin][h − 1]. At origin k the model for a
  // bucket is the best on the errors known before o_k (earlier origins' days < o_k only),
  // with >= min_earlier_origins origins contributing; else combo.
  std::vector<std::vector<double>> forecasts = {};
  // The online-selected forecaster, index h − 1 (NaN where undefined):
  std::vector<double> mase = {};     // mean over origins with a non-zero scale
  std::vector<double> rel_mae = {};  // MAE(selected) / MAE(sn7) over the origins
  std::vector<double> mae = {}, mae_sn7 = {};
  std::vector<double> mape = {};  // NaN when no actual > 0
  std::vector<int> mape_points = {}, mape_excluded = {};
  std::vector<double> wape = {};
  double coverage80 = kNaN;  // leave-one-origin-out empirical 80 % interval
  double coverage95 = kNaN;
  // The production choice per bucket: the best model over all origins (ties: the simpler).
  std::array<ModelKind, kChoiceBuckets> chosen{};
  std::array<double, kChoiceBuckets> chosen_score{};  // its mean scaled error per bucket
  std::array<double, kChoiceBuckets> sn7_score{};     // seasonal naive's, same origins
  // Each model's own MASE per h.
  std::vector<std::pair<ModelKind, std::vector<double>>> model_mase = {};
  double seconds = 0;
};

// Backtests one series (its y must cover the days it is scored on: the series' end is the
// last complete day). A series that is not backtestable comes back with its profile only.
SeriesBacktest BacktestSeries(const Series& series, const BacktestOptions& options);

// ---- the forecast served (§2.9, §2.10) ----

struct ForecastPoint {
  Day day = 0;  // a day, or a week's Monday
  double value = 0, lo80 = 0, hi80 = 0, lo95 = 0, hi95 = 0;
};

struct AheadForecast {
  // The model per choice bucket: the backtest's production choice, or ha for a series that
  // could not be backtested (sparse, short, flat).
  std::array<ModelKind, kChoiceBuckets> models{};
  bool backtested = false;
  // Days after the series' last day, `horizon` of them.
  std::vector<ForecastPoint> points = {};
  // Monday–Sunday weeks fully inside the points: sums, with intervals from the daily ones
  // (half-widths added in quadrature: days taken as independent).
  std::vector<ForecastPoint> weekly = {};
};

// Fits the backtest's chosen model of each bucket on the series' last max_train_days (outliers
// clipped) and forecasts `horizon` days ahead, each day from the model of its bucket (beyond
// 28 days: the last bucket's). Intervals: empirical quantiles of the backtest's stabilised
// residuals per interval bucket when there are >= 30 of them; otherwise (and for a series that
// was not backtested) the normal quantiles on the stabilised scale (Poisson-like noise).
AheadForecast ForecastAhead(const Series& series, const SeriesBacktest& backtest,
                            const BacktestOptions& options, int horizon);

// ---- the table ----

struct TableRow {
  std::string label = {};
  int series = 0;
  double mean_daily = 0;
  double mase1 = kNaN, mase7 = kNaN, mase28 = kNaN, rel_mae7 = kNaN;
  double mape1 = kNaN, mape7 = kNaN, mape28 = kNaN;  // only series with mean >= 5/day
  double wape7 = kNaN, coverage80 = kNaN;
  std::string chosen = {};  // "hw_ad/ha/ha" for a single series
};

struct BacktestTable {
  int built = 0, backtested = 0, short_series = 0, sparse = 0, flat = 0;
  int origins = 0, horizon = 0;
  std::vector<std::string> models = {};
  std::vector<TableRow> top_rows = {};       // one per series of the top set, by volume
  std::vector<TableRow> total_rows = {};     // area totals (Series::area_total)
  std::vector<TableRow> category_rows = {};  // per category over all its backtested series
  TableRow top = {};                         // the top set as one row
  // Each model's own mean MASE@7 over the top set (what the choice is measured against).
  std::vector<std::pair<std::string, double>> model_mase7 = {};
  // The headline: over the top set (h = 1, 7, 28 exactly).
  double mase_1d = kNaN, mase_7d = kNaN, mase_28d = kNaN, median_mase_7d = kNaN;
  double rel_mae_7d = kNaN, mape_7d = kNaN, wape_7d = kNaN;
  double mape_excluded_share = kNaN;
  int series = 0;
};

// The top set: the `top` backtestable series that are not area totals (Series::area_total), by
// requests in their last 16 weeks: category × area and, below a city, area × all.
BacktestTable Summarise(std::span<const SeriesBacktest> results, int top = 20);
// The table as text; the last line starts with "mase_7d=".
std::string RenderTable(const BacktestTable& table);

}  // namespace xietong::insight
