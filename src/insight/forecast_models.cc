#include "insight/forecast_models.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "insight/optimize.h"

namespace xietong::insight {
namespace {

constexpr int kSeason = 7;
constexpr std::size_t kInitDays = 28;     // Holt–Winters initial states
constexpr std::size_t kSseDays = 365;     // one-step SSE over the last days of the window
constexpr std::size_t kShareDays = 56;    // td: the share of the parent
constexpr int kAverageDays = 8;           // ha: same-type days averaged
constexpr int kHolidayLookback = 730;     // ha: holidays within two years
constexpr double kHolidayToSunday = 0.6;  // ha: a holiday without history

double Mean(std::span<const double> y) {
  if (y.empty()) return 0;
  return std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
}

std::vector<DayType> TypesOf(Day first, std::size_t n, const WorkCalendar* calendar) {
  std::vector<DayType> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = DayTypeOf(first + static_cast<Day>(i), calendar);
  return out;
}

bool Special(DayType t) { return t == DayType::kHoliday || t == DayType::kMakeup; }

void ClampNonNegative(std::vector<double>& v) {
  for (double& x : v) x = std::isfinite(x) ? std::max(0.0, x) : 0.0;
}

// ---- seasonal naive ------------------------------------------------------------------

Fitted SeasonalNaive(const FitInput& in) {
  Fitted f{ModelKind::kSeasonalNaive};
  const std::size_t n = in.y.size();
  const double fill = Mean(in.y);
  f.state.assign(kSeason, fill);
  for (std::size_t i = 0; i < kSeason && i < n; ++i) f.state[kSeason - 1 - i] = in.y[n - 1 - i];
  return f;
}

// ---- historical average by day type -------------------------------------------------------

Fitted HistoricalAverage(const FitInput& in) {
  Fitted f{ModelKind::kHistoricalAverage};
  const std::size_t n = in.y.size();
  const auto types = TypesOf(in.first_day, n, in.calendar);
  std::array<double, kDayTypes> sum{};
  std::array<int, kDayTypes> count{};
  for (std::size_t i = n; i-- > 0;) {
    const int t = static_cast<int>(types[i]);
    if (count[t] >= kAverageDays) continue;
    if (Special(types[i]) && n - 1 - i > static_cast<std::size_t>(kHolidayLookback)) continue;
    sum[t] += in.y[i];
    ++count[t];
  }
  const double overall = Mean(in.y);
  f.state.assign(kDayTypes, overall);
  for (int t = 0; t < 7; ++t) {
    if (count[t] > 0) f.state[t] = sum[t] / count[t];
  }
  const int hol = static_cast<int>(DayType::kHoliday), mk = static_cast<int>(DayType::kMakeup);
  f.state[hol] = count[hol] > 0 ? sum[hol] / count[hol] : kHolidayToSunday * f.state[6];
  f.state[mk] = count[mk] > 0 ? sum[mk] / count[mk] : f.state[0];
  return f;
}

// ---- Holt–Winters (A,N,A) and (A,Ad,A), day-typed ------------------------------------------

struct HwRun {
  double sse = 0;
  std::vector<double> state;  // ℓ, b, s_0 … s_6
};

// params: α, β, γ, φ (β = 0 and φ unused without a trend).
HwRun RunHoltWinters(std::span<const double> params, bool damped, std::span<const double> y,
                     std::span<const DayType> types) {
  const double alpha = params[0], beta = damped ? params[1] : 0, gamma = params[2];
  const double phi = damped ? params[3] : 0;
  const std::size_t n = y.size();
  const std::size_t m = std::min(kInitDays, n);
  double level = Mean(y.subspan(0, m));
  double trend = 0;
  std::array<double, kSeason> season{};
  std::array<int, kSeason> count{};
  for (std::size_t i = 0; i < m; ++i) {
    if (Special(types[i])) continue;
    season[EffectiveWeekday(types[i])] += y[i];
    ++count[EffectiveWeekday(types[i])];
  }
  double centre = 0;
  for (int k = 0; k < kSeason; ++k) {
    season[k] = count[k] > 0 ? season[k] / count[k] - level : 0;
    centre += season[k] / kSeason;
  }
  for (double& s : season) s -= centre;

  HwRun run;
  const std::size_t sse_from = n > kSseDays ? n - kSseDays : 0;
  for (std::size_t t = 0; t < n; ++t) {
    const int k = EffectiveWeekday(types[t]);
    const double predicted = level + phi * trend + season[k];
    const double e = y[t] - predicted;
    if (t >= sse_from) run.sse += e * e;
    const double previous_level = level;
    level = previous_level + phi * trend + alpha * e;
    trend = phi * trend + beta * e;
    if (!Special(types[t])) season[k] += gamma * e;
  }
  run.state = {level, trend};
  run.state.insert(run.state.end(), season.begin(), season.end());
  return run;
}

// The search runs on {α, β/min(α, 0.1), γ/(0.5·(1 − α)), φ} so that the box is rectangular.
std::array<double, 4> FromSearch(std::span<const double> u) {
  const double alpha = u[0];
  return {alpha, u[1] * std::min(alpha, 0.1), u[2] * 0.5 * (1 - alpha), u[3]};
}

Fitted HoltWinters(const FitInput& in, bool damped) {
  Fitted f{damped ? ModelKind::kHoltWintersDamped : ModelKind::kHoltWinters};
  const auto types = TypesOf(in.first_day, in.y.size(), in.calendar);
  const std::array<Bounds, 4> bounds{Bounds{0.001, 0.5}, Bounds{0, damped ? 1.0 : 0.0},
                                     Bounds{0, 1},
                                     Bounds{damped ? 0.80 : 0.0, damped ? 0.98 : 0.0}};
  const std::array<double, 4> start{0.1, damped ? 0.1 : 0.0, 0.1 / (0.5 * 0.9),
                                    damped ? 0.95 : 0.0};
  const auto best = MinimizeBounded(
      [&](std::span<const double> u) {
        const auto p = FromSearch(u);
        return RunHoltWinters(p, damped, in.y, types).sse;
      },
      start, bounds);
  const auto p = FromSearch(best.x);
  f.params.assign(p.begin(), p.end());
  f.state = RunHoltWinters(f.params, damped, in.y, types).state;
  f.evaluations = best.evaluations;
  return f;
}

// ---- Poisson calendar regression -------------------------------------------------------

struct RegFlags {
  bool holidays = false;  // >= 3 holiday days in the window
  bool makeups = false;   // >= 3 make-up days in the window
  bool fourier = false;   // >= 365 days
};

// Features of day index t (0 = first training day) with n training days.
std::vector<double> Features(Day day, std::size_t t, std::size_t n, const RegFlags& flags,
                             const WorkCalendar* calendar) {
  std::vector<double> x;
  x.reserve(20);
  x.push_back(1);
  x.push_back((static_cast<double>(t) - static_cast<double>(n)) / 365.0);
  const int wd = Weekday(day);
  for (int d = 1; d < 7; ++d) x.push_back(wd == d ? 1 : 0);
  const DayType type = DayTypeOf(day, calendar);
  if (flags.holidays) {
    const bool hol = type == DayType::kHoliday;
    const bool first = hol && DayTypeOf(day - 1, calendar) != DayType::kHoliday;
    // The last working day before / the first working day after a block of >= 3 holidays.
    auto block_at = [&](Day from, int step) {
      int len = 0;
      for (Day d = from; len < 10 && DayTypeOf(d, calendar) == DayType::kHoliday; d += step) ++len;
      return len >= 3;
    };
    const bool working = !hol && (type == DayType::kMakeup || wd < 5);
    x.push_back(hol ? 1 : 0);
    x.push_back(first ? 1 : 0);
    x.push_back(working && block_at(day + 1, 1) ? 1 : 0);
    x.push_back(working && block_at(day - 1, -1) ? 1 : 0);
  }
  if (flags.makeups) x.push_back(type == DayType::kMakeup ? 1 : 0);
  if (flags.fourier) {
    const auto date = DateOf(day);
    const auto jan1 = std::chrono::sys_days{date.year() / std::chrono::January / 1};
    const double doy = static_cast<double>((std::chrono::sys_days{date} - jan1).count());
    for (int k = 1; k <= 2; ++k) {
      const double a = 2 * M_PI * k * doy / 365.25;
      x.push_back(std::sin(a));
      x.push_back(std::cos(a));
    }
  }
  return x;
}

// Solves A·x = b for a symmetric positive definite A (row-major p×p) by Cholesky; false
// when A is not positive definite.
bool SolveCholesky(std::vector<double> a, std::vector<double>& b, std::size_t p) {
  for (std::size_t j = 0; j < p; ++j) {
    double d = a[j * p + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * p + k] * a[j * p + k];
    if (!(d > 0)) return false;
    a[j * p + j] = std::sqrt(d);
    for (std::size_t i = j + 1; i < p; ++i) {
      double s = a[i * p + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / a[j * p + j];
    }
  }
  for (std::size_t i = 0; i < p; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= a[i * p + k] * b[k];
    b[i] = s / a[i * p + i];
  }
  for (std::size_t i = p; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < p; ++k) s -= a[k * p + i] * b[k];
    b[i] = s / a[i * p + i];
  }
  return true;
}

Fitted Regression(const FitInput& in) {
  Fitted f{ModelKind::kRegression};
  const std::size_t n = in.y.size();
  RegFlags flags;
  const auto types = TypesOf(in.first_day, n, in.calendar);
  flags.holidays = std::count(types.begin(), types.end(), DayType::kHoliday) >= 3;
  flags.makeups = std::count(types.begin(), types.end(), DayType::kMakeup) >= 3;
  flags.fourier = n >= 365;
  f.state = {static_cast<double>(n), static_cast<double>(in.first_day), flags.holidays ? 1.0 : 0.0,
             flags.makeups ? 1.0 : 0.0, flags.fourier ? 1.0 : 0.0};

  std::vector<std::vector<double>> xs(n);
  for (std::size_t t = 0; t < n; ++t) {
    xs[t] = Features(in.first_day + static_cast<Day>(t), t, n, flags, in.calendar);
  }
  const std::size_t p = xs.empty() ? 2 : xs[0].size();
  std::vector<double> beta(p, 0.0);
  const double mean = Mean(in.y);
  beta[0] = mean > 0 ? std::log(mean) : -20;  // a series of zeros forecasts zeros
  if (n == 0 || mean <= 0) {
    f.params = beta;
    return f;
  }
  constexpr double kRidge = 1e-3;
  std::vector<double> a(p * p), b(p);
  for (int iteration = 0; iteration < 10; ++iteration) {
    std::fill(a.begin(), a.end(), 0.0);
    std::fill(b.begin(), b.end(), 0.0);
    for (std::size_t t = 0; t < n; ++t) {
      const auto& x = xs[t];
      double eta = 0;
      for (std::size_t j = 0; j < p; ++j) eta += beta[j] * x[j];
      eta = std::clamp(eta, -20.0, 20.0);
      const double mu = std::exp(eta);
      const double w = std::max(mu, 1e-6);
      const double z = eta + (in.y[t] - mu) / w;
      for (std::size_t i = 0; i < p; ++i) {
        const double wx = w * x[i];
        b[i] += wx * z;
        for (std::size_t j = 0; j <= i; ++j) a[i * p + j] += wx * x[j];
      }
    }
    for (std::size_t i = 0; i < p; ++i) {
      for (std::size_t j = 0; j < i; ++j) a[j * p + i] = a[i * p + j];
      if (i > 0) a[i * p + i] += kRidge * static_cast<double>(n);
    }
    if (!SolveCholesky(a, b, p)) break;
    double change = 0;
    for (std::size_t j = 0; j < p; ++j) change = std::max(change, std::abs(b[j] - beta[j]));
    beta = b;
    if (change < 1e-6) break;
  }
  f.params = beta;
  return f;
}

std::vector<double> RegressionForecast(const Fitted& f, const FitInput& in, int horizon) {
  // Time is counted from the window the coefficients were fitted on, so that after Refilter
  // (a later window, same coefficients) the trend moves on with the days.
  const auto trained = static_cast<std::size_t>(f.state[0]);
  const auto fit_first = static_cast<Day>(f.state[1]);
  const RegFlags flags{f.state[2] > 0, f.state[3] > 0, f.state[4] > 0};
  const Day next = in.first_day + static_cast<Day>(in.y.size());
  std::vector<double> out(static_cast<std::size_t>(horizon));
  for (int h = 0; h < horizon; ++h) {
    const Day day = next + h;
    const auto x = Features(day, static_cast<std::size_t>(std::max(0, day - fit_first)), trained,
                            flags, in.calendar);
    double eta = 0;
    for (std::size_t j = 0; j < x.size() && j < f.params.size(); ++j) eta += f.params[j] * x[j];
    out[static_cast<std::size_t>(h)] = std::exp(std::clamp(eta, -20.0, 20.0));
  }
  return out;
}

// ---- top-down ------------------------------------------------------------------------

Fitted TopDown(const FitInput& in) {
  Fitted f{ModelKind::kTopDown};
  const std::size_t n = std::min(in.y.size(), in.parent.size());
  const std::size_t from = n > kShareDays ? n - kShareDays : 0;
  double own = 0, parent = 0;
  for (std::size_t i = from; i < n; ++i) {
    own += in.y[in.y.size() - n + i];
    parent += in.parent[in.parent.size() - n + i];
  }
  f.state = {parent > 0 ? own / parent : 0.0};
  return f;
}

}  // namespace

std::string_view ModelName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kSeasonalNaive:
      return "sn7";
    case ModelKind::kHistoricalAverage:
      return "ha";
    case ModelKind::kHoltWinters:
      return "hw_n";
    case ModelKind::kHoltWintersDamped:
      return "hw_ad";
    case ModelKind::kRegression:
      return "reg";
    case ModelKind::kTopDown:
      return "td";
    case ModelKind::kCombo:
      return "combo";
  }
  return "?";
}

std::optional<ModelKind> ModelFromName(std::string_view name) {
  for (ModelKind k : {ModelKind::kSeasonalNaive, ModelKind::kHistoricalAverage,
                      ModelKind::kHoltWinters, ModelKind::kHoltWintersDamped,
                      ModelKind::kRegression, ModelKind::kTopDown, ModelKind::kCombo}) {
    if (ModelName(k) == name) return k;
  }
  return std::nullopt;
}

Fitted Fit(ModelKind kind, const FitInput& in) {
  switch (kind) {
    case ModelKind::kSeasonalNaive:
      return SeasonalNaive(in);
    case ModelKind::kHistoricalAverage:
      return HistoricalAverage(in);
    case ModelKind::kHoltWinters:
      return HoltWinters(in, false);
    case ModelKind::kHoltWintersDamped:
      return HoltWinters(in, true);
    case ModelKind::kRegression:
      return Regression(in);
    case ModelKind::kTopDown:
      return TopDown(in);
    case ModelKind::kCombo: {
      Fitted f{ModelKind::kCombo};
      for (ModelKind part :
           {ModelKind::kHistoricalAverage, ModelKind::kHoltWintersDamped, ModelKind::kRegression}) {
        f.parts.push_back(Fit(part, in));
        f.evaluations += f.parts.back().evaluations;
      }
      return f;
    }
  }
  return Fitted{kind};
}

Fitted Refilter(const Fitted& fitted, const FitInput& in) {
  switch (fitted.kind) {
    case ModelKind::kSeasonalNaive:
    case ModelKind::kHistoricalAverage:
    case ModelKind::kTopDown:
      return Fit(fitted.kind, in);  // no parameters: the state is the fit
    case ModelKind::kHoltWinters:
    case ModelKind::kHoltWintersDamped: {
      Fitted f = fitted;
      f.state = RunHoltWinters(fitted.params, fitted.kind == ModelKind::kHoltWintersDamped, in.y,
                               TypesOf(in.first_day, in.y.size(), in.calendar))
                    .state;
      return f;
    }
    case ModelKind::kRegression:
      return fitted;  // the coefficients are the model; Forecast moves the trend on
    case ModelKind::kCombo: {
      Fitted f = fitted;
      for (Fitted& part : f.parts) part = Refilter(part, in);
      return f;
    }
  }
  return fitted;
}

std::vector<double> Forecast(const Fitted& fitted, const FitInput& in, int horizon) {
  if (horizon <= 0) return {};
  const auto h_count = static_cast<std::size_t>(horizon);
  const Day next = in.first_day + static_cast<Day>(in.y.size());
  std::vector<double> out(h_count, 0.0);
  switch (fitted.kind) {
    case ModelKind::kSeasonalNaive:
      for (std::size_t i = 0; i < h_count; ++i) out[i] = fitted.state[i % kSeason];
      break;
    case ModelKind::kHistoricalAverage:
      for (std::size_t i = 0; i < h_count; ++i) {
        out[i] = fitted.state[static_cast<std::size_t>(
            DayTypeOf(next + static_cast<Day>(i), in.calendar))];
      }
      break;
    case ModelKind::kHoltWinters:
    case ModelKind::kHoltWintersDamped: {
      const bool damped = fitted.kind == ModelKind::kHoltWintersDamped;
      const double phi = damped ? fitted.params[3] : 0;
      const double level = fitted.state[0], trend = damped ? fitted.state[1] : 0;
      double damping = 0, power = 1;
      for (std::size_t i = 0; i < h_count; ++i) {
        power *= phi;
        damping += power;
        const int k = EffectiveWeekday(DayTypeOf(next + static_cast<Day>(i), in.calendar));
        out[i] = level + damping * trend + fitted.state[2 + static_cast<std::size_t>(k)];
      }
      break;
    }
    case ModelKind::kRegression:
      out = RegressionForecast(fitted, in, horizon);
      break;
    case ModelKind::kTopDown:
      for (std::size_t i = 0; i < h_count && i < in.parent_forecast.size(); ++i) {
        out[i] = fitted.state[0] * in.parent_forecast[i];
      }
      break;
    case ModelKind::kCombo:
      for (const Fitted& part : fitted.parts) {
        const auto p = Forecast(part, in, horizon);
        for (std::size_t i = 0; i < h_count; ++i) {
          out[i] += std::max(0.0, p[i]) / static_cast<double>(fitted.parts.size());
        }
      }
      break;
  }
  ClampNonNegative(out);
  return out;
}

}  // namespace xietong::insight
