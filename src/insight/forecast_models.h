// Daily forecasting models (docs/plans/decision-support.md §2.3): seasonal naive (the
// benchmark), historical average by day type, Holt–Winters additive weekly season with and
// without a damped trend (day-typed: a holiday uses Sunday's index, a make-up day Monday's),
// a Poisson calendar regression, top-down from a parent series, and their combination.
// Pure: no clock, no SQL, no state; every function is thread-safe. Forecasts are >= 0.
//
// Days: y[0] is in.first_day; the last training day is T = first_day + y.size() − 1 and
// Forecast(…, h)[i] is the forecast for day T + 1 + i. Fitting uses the values given
// (callers pass ClipOutliers(y) to fit and the raw values to score).
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "insight/series.h"

namespace xietong::insight {

enum class ModelKind {
  kSeasonalNaive,
  kHistoricalAverage,
  kHoltWinters,
  kHoltWintersDamped,
  kRegression,
  kTopDown,
  kCombo,
};
// "sn7" "ha" "hw_n" "hw_ad" "reg" "td" "combo": what the CLI and the API print.
std::string_view ModelName(ModelKind kind);
std::optional<ModelKind> ModelFromName(std::string_view name);

struct FitInput {
  std::span<const double> y = {};                // training values, oldest first
  Day first_day = 0;                             // day of y[0]
  const WorkCalendar* calendar = nullptr;        // null: plain weekdays, no holidays
  std::span<const double> parent = {};           // td: the parent's history on the same days
  std::span<const double> parent_forecast = {};  // td: the parent's forecast from T + 1
};

// A fitted model: its parameters (fixed by Fit) and its state at the end of the training
// window (re-run by Refilter). Meaning per kind:
//   sn7   state = the last 7 values
//   ha    state = mean per DayType (9 values)
//   hw_n, hw_ad  params = {α, β, γ, φ}, state = {ℓ, b, s_Mon … s_Sun}
//   reg   params = the GLM coefficients, state = {training length, feature flags…}
//   td    state = {share of the parent over the last 56 days}
//   combo parts = ha, hw_ad, reg
struct Fitted {
  ModelKind kind = ModelKind::kSeasonalNaive;
  std::vector<double> params = {};
  std::vector<double> state = {};
  std::vector<Fitted> parts = {};
  int evaluations = 0;  // objective evaluations spent fitting (Nelder–Mead)
};

// Fits parameters (Holt–Winters: one-step SSE over the last <= 365 days by bounded
// Nelder–Mead, ≤ 120 evaluations; reg: IRLS) and runs the states to the end of in.y.
Fitted Fit(ModelKind kind, const FitInput& in);
// Same parameters, states re-run over in.y (a later training window).
Fitted Refilter(const Fitted& fitted, const FitInput& in);
// horizon values for days T + 1 … T + horizon, each >= 0.
std::vector<double> Forecast(const Fitted& fitted, const FitInput& in, int horizon);

}  // namespace xietong::insight
