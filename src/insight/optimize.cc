#include "insight/optimize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace xietong::insight {
namespace {

constexpr double kEdge = 1e-6;  // how far inside a bound a start on it begins
// Search coordinates stay in [-kReach, kReach]: σ(20) is 1 − 2e-9, close enough to a bound,
// and beyond it σ saturates, the function goes flat and the simplex drifts without purpose.
constexpr double kReach = 20;

double Sigmoid(double u) { return 1 / (1 + std::exp(-u)); }

}  // namespace

Minimum MinimizeBounded(const std::function<double(std::span<const double>)>& f,
                        std::span<const double> start, std::span<const Bounds> bounds,
                        const NelderMeadOptions& options) {
  const std::size_t dims = bounds.size();
  // Free dimensions are searched; fixed ones (lo == hi) keep their value.
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < dims; ++i) {
    if (bounds[i].hi > bounds[i].lo) free.push_back(i);
  }
  std::vector<double> base(dims);
  for (std::size_t i = 0; i < dims; ++i) {
    const double s = i < start.size() ? start[i] : bounds[i].lo;
    base[i] = std::clamp(s, bounds[i].lo, bounds[i].hi);
  }

  Minimum best{base, 0, 0};
  std::vector<double> p(dims);
  auto to_point = [&](const std::vector<double>& u) {
    p = base;
    for (std::size_t j = 0; j < free.size(); ++j) {
      const Bounds& b = bounds[free[j]];
      p[free[j]] = b.lo + (b.hi - b.lo) * Sigmoid(u[j]);
    }
  };
  auto eval = [&](const std::vector<double>& u) {
    to_point(u);
    double v = f(p);
    ++best.evaluations;
    if (!std::isfinite(v)) v = std::numeric_limits<double>::infinity();
    return v;
  };

  const std::size_t n = free.size();
  if (n == 0) {
    best.f = f(base);
    best.evaluations = 1;
    return best;
  }
  std::vector<double> u0(n);
  for (std::size_t j = 0; j < n; ++j) {
    const Bounds& b = bounds[free[j]];
    const double frac = std::clamp((base[free[j]] - b.lo) / (b.hi - b.lo), kEdge, 1 - kEdge);
    u0[j] = std::log(frac / (1 - frac));
  }

  // A simplex pressed against a bound can collapse (all vertices clamped to one face); it is
  // restarted from its best point, steps pointing inward, while budget remains and the
  // previous round still improved.
  std::vector<double> best_u = u0;
  double best_value = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> simplex(n + 1);
  std::vector<double> values(n + 1);
  std::vector<std::size_t> order(n + 1);
  std::vector<double> centroid(n), trial(n), trial2(n);
  for (int round = 0; round < 4 && best.evaluations < options.max_evaluations; ++round) {
    const double round_start = best_value;
    for (std::size_t i = 0; i <= n; ++i) simplex[i] = best_u;
    for (std::size_t j = 0; j < n; ++j) {
      simplex[j + 1][j] += best_u[j] > 0 ? -options.step : options.step;
    }
    for (std::size_t i = 0; i <= n; ++i) values[i] = eval(simplex[i]);
    while (best.evaluations < options.max_evaluations) {
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
      const std::size_t lo = order.front(), hi = order.back(), second = order[n - 1];
      if (std::isfinite(values[hi]) &&
          values[hi] - values[lo] < options.tolerance * (1 + std::abs(values[lo]))) {
        break;
      }
      std::fill(centroid.begin(), centroid.end(), 0.0);
      for (std::size_t i = 0; i <= n; ++i) {
        if (i == hi) continue;
        for (std::size_t j = 0; j < n; ++j) centroid[j] += simplex[i][j] / static_cast<double>(n);
      }
      auto along = [&](double t, std::vector<double>& out) {
        for (std::size_t j = 0; j < n; ++j) {
          out[j] = std::clamp(centroid[j] + t * (simplex[hi][j] - centroid[j]), -kReach, kReach);
        }
      };
      along(-1, trial);  // reflection
      const double fr = eval(trial);
      if (fr < values[lo]) {
        along(-2, trial2);  // expansion
        const double fe = eval(trial2);
        if (fe < fr) {
          simplex[hi] = trial2;
          values[hi] = fe;
        } else {
          simplex[hi] = trial;
          values[hi] = fr;
        }
        continue;
      }
      if (fr < values[second]) {
        simplex[hi] = trial;
        values[hi] = fr;
        continue;
      }
      // Contraction: outside when the reflection improved on the worst, else inside.
      along(fr < values[hi] ? -0.5 : 0.5, trial2);
      const double fc = eval(trial2);
      if (fc < std::min(fr, values[hi])) {
        simplex[hi] = trial2;
        values[hi] = fc;
        continue;
      }
      for (std::size_t i = 0; i <= n; ++i) {  // shrink towards the best
        if (i == lo) continue;
        for (std::size_t j = 0; j < n; ++j)
          simplex[i][j] = simplex[lo][j] + 0.5 * (simplex[i][j] - simplex[lo][j]);
        values[i] = eval(simplex[i]);
      }
    }
    const auto at =
        static_cast<std::size_t>(std::min_element(values.begin(), values.end()) - values.begin());
    if (values[at] < best_value) {
      best_value = values[at];
      best_u = simplex[at];
    }
    if (round > 0 && !(best_value < round_start - options.tolerance * (1 + std::abs(best_value)))) {
      break;
    }
  }
  to_point(best_u);
  best.x = p;
  best.f = best_value;
  return best;
}

}  // namespace xietong::insight
