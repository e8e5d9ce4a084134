// Bounded Nelder–Mead (docs/plans/decision-support.md §2.3 "Parameter fitting"): minimises
// f(p) over a box by searching u ∈ ℝⁿ with p = lo + (hi − lo)·σ(u), so every point tried lies
// inside the bounds. Deterministic (no random restarts). Pure and thread-safe.
#pragma once

#include <functional>
#include <span>
#include <vector>

namespace xietong::insight {

struct Bounds {
  double lo = 0;
  double hi = 1;
};

struct NelderMeadOptions {
  int max_evaluations = 120;
  double tolerance = 1e-9;  // stop when the simplex's f-range < tolerance·(1 + |f_best|)
  double step = 0.5;        // initial simplex step in u
};

struct Minimum {
  std::vector<double> x;  // within the bounds
  double f = 0;
  int evaluations = 0;
};

// start is clamped into the bounds (a start on a bound begins just inside it). A dimension
// with lo == hi stays fixed. Coefficients: reflection 1, expansion 2, contraction 0.5,
// shrink 0.5. A non-finite f counts as +infinity.
Minimum MinimizeBounded(const std::function<double(std::span<const double>)>& f,
                        std::span<const double> start, std::span<const Bounds> bounds,
                        const NelderMeadOptions& options = {});

}  // namespace xietong::insight
