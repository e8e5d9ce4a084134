#include "text/linear.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace xietong::text {
namespace {

double Dot(const std::vector<double>& w, const SparseVector& x, const std::vector<double>& r) {
  double s = 0;
  for (std::size_t j = 0; j < x.size(); ++j) s += w[x.index[j]] * x.value[j] * r[x.index[j]];
  return s;
}

// Log-count ratio of every feature between the class and the rest, or all
// ones without nb_scale.
std::vector<double> FeatureScale(const LinearProblem& p, int positive, bool nb_scale) {
  if (!nb_scale) return std::vector<double>(p.features, 1.0);
  const double alpha = 1.0;
  std::vector<double> pos(p.features, alpha), neg(p.features, alpha);
  for (std::size_t i = 0; i < p.x.size(); ++i) {
    auto& sum = p.y[i] == positive ? pos : neg;
    for (std::size_t j = 0; j < p.x[i].size(); ++j) sum[p.x[i].index[j]] += p.x[i].value[j];
  }
  double pos_total = 0, neg_total = 0;
  for (std::size_t f = 0; f < p.features; ++f) {
    pos_total += pos[f];
    neg_total += neg[f];
  }
  std::vector<double> r(p.features);
  for (std::size_t f = 0; f < p.features; ++f)
    r[f] = std::log((pos[f] / pos_total) / (neg[f] / neg_total));
  return r;
}

// One binary squared-hinge SVM (labels ±1) with a bias feature of value 1
// (regularised like the others, as liblinear -B 1), by dual coordinate
// descent. Returns w with the bias last.
std::vector<double> TrainBinarySvm(const LinearProblem& p, int positive, const SolverOptions& o) {
  const std::size_t n = p.x.size();
  std::vector<double> w(p.features + 1, 0.0);
  const std::vector<double> r = FeatureScale(p, positive, o.nb_scale);
  std::vector<double> alpha(n, 0.0), diag(n), qd(n);
  std::vector<double> sign(n);
  for (std::size_t i = 0; i < n; ++i) {
    diag[i] = 0.5 / (o.c * p.weight[i]);
    double sq = 1.0;  // the bias feature
    for (std::size_t j = 0; j < p.x[i].size(); ++j) {
      const double v = p.x[i].value[j] * r[p.x[i].index[j]];
      sq += v * v;
    }
    qd[i] = sq + diag[i];
    sign[i] = p.y[i] == positive ? 1.0 : -1.0;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed + static_cast<std::uint64_t>(positive));
  for (int epoch = 0; epoch < o.max_epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    double pg_max = -INFINITY, pg_min = INFINITY;
    for (std::size_t i : order) {
      const SparseVector& x = p.x[i];
      const double g = sign[i] * (Dot(w, x, r) + w[p.features]) - 1.0 + diag[i] * alpha[i];
      const double pg = alpha[i] == 0 ? std::min(g, 0.0) : g;
      pg_max = std::max(pg_max, pg);
      pg_min = std::min(pg_min, pg);
      if (std::abs(pg) < 1e-12) continue;
      const double old = alpha[i];
      alpha[i] = std::max(alpha[i] - g / qd[i], 0.0);
      const double d = (alpha[i] - old) * sign[i];
      for (std::size_t j = 0; j < x.size(); ++j) w[x.index[j]] += d * x.value[j] * r[x.index[j]];
      w[p.features] += d;
    }
    if (pg_max - pg_min < o.tolerance) break;
  }
  for (std::size_t f = 0; f < p.features; ++f) w[f] *= r[f];  // scores need no r at prediction
  return w;
}

LinearModel TrainSvm(const LinearProblem& p, const SolverOptions& o,
                     const std::function<void(int, int)>& progress) {
  LinearModel m{p.classes, p.features, std::vector<float>(p.features * p.classes, 0.0f),
                std::vector<float>(p.classes, 0.0f)};
  for (int k = 0; k < p.classes; ++k) {
    const std::vector<double> w = TrainBinarySvm(p, k, o);
    for (std::size_t f = 0; f < p.features; ++f)
      m.weights[f * p.classes + k] = static_cast<float>(w[f]);
    m.bias[k] = static_cast<float>(w[p.features]);
    if (progress) progress(k + 1, p.classes);
  }
  return m;
}

// Multinomial logistic regression; W is kept as scale * v so that the L2
// shrink of every weight is one multiplication per step.
LinearModel TrainLogistic(const LinearProblem& p, const SolverOptions& o,
                          const std::function<void(int, int)>& progress) {
  const std::size_t n = p.x.size();
  const int k_count = p.classes;
  const double lambda = 1.0 / (o.c * static_cast<double>(n));
  std::vector<double> v(p.features * k_count, 0.0), b(k_count, 0.0), score(k_count);
  double scale = 1.0;
  const double eta0 = 0.5;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  std::int64_t t = 0;
  for (int epoch = 0; epoch < o.max_epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i : order) {
      const double eta = eta0 / (1.0 + eta0 * lambda * static_cast<double>(t++));
      const SparseVector& x = p.x[i];
      for (int k = 0; k < k_count; ++k) score[k] = b[k];
      for (std::size_t j = 0; j < x.size(); ++j)
        for (int k = 0; k < k_count; ++k)
          score[k] += scale * v[x.index[j] * k_count + k] * x.value[j];
      const double top = *std::max_element(score.begin(), score.end());
      double z = 0;
      for (double& s : score) z += (s = std::exp(s - top));
      scale *= 1.0 - eta * lambda;
      for (int k = 0; k < k_count; ++k) {
        const double g = (score[k] / z - (p.y[i] == k ? 1.0 : 0.0)) * p.weight[i];
        b[k] -= eta * g;
        for (std::size_t j = 0; j < x.size(); ++j)
          v[x.index[j] * k_count + k] -= eta * g * x.value[j] / scale;
      }
      if (scale < 1e-6) {
        for (double& w : v) w *= scale;
        scale = 1.0;
      }
    }
    if (progress) progress(epoch + 1, o.max_epochs);
  }
  LinearModel m{k_count, p.features, std::vector<float>(v.size()), std::vector<float>(k_count)};
  for (std::size_t f = 0; f < v.size(); ++f) m.weights[f] = static_cast<float>(v[f] * scale);
  for (int k = 0; k < k_count; ++k) m.bias[k] = static_cast<float>(b[k]);
  return m;
}

}  // namespace

void LinearModel::Scores(const SparseVector& x, std::span<float> scores) const {
  std::copy(bias.begin(), bias.end(), scores.begin());
  for (std::size_t j = 0; j < x.size(); ++j) {
    const float* w = &weights[static_cast<std::size_t>(x.index[j]) * classes];
    const float v = x.value[j];
    for (int k = 0; k < classes; ++k) scores[k] += w[k] * v;
  }
}

LinearModel TrainLinear(const LinearProblem& problem, const SolverOptions& options,
                        const std::function<void(int, int)>& progress) {
  return options.solver == Solver::kSvm ? TrainSvm(problem, options, progress)
                                        : TrainLogistic(problem, options, progress);
}

}  // namespace xietong::text
