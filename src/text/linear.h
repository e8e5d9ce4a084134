// Linear multi-class models over sparse vectors, and the two solvers that
// train them: one-vs-rest L2-regularised squared-hinge SVM by dual coordinate
// descent (Hsieh et al. 2008, the algorithm of liblinear -s 1) and
// multinomial logistic regression by SGD with a decaying step.
//
// Pure functions over values; a LinearModel is read-only after training and
// safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "text/features.h"

namespace xietong::text {

enum class Solver : std::uint32_t { kSvm = 1, kLogistic = 2 };

struct SolverOptions {
  Solver solver = Solver::kSvm;
  double c = 1.0;        // inverse regularisation strength, per unit of example weight
  int max_epochs = 100;  // SVM: passes of coordinate descent; logistic: SGD epochs
  double tolerance = 0.01;
  // SVM only: scale each feature by its naive-Bayes log-count ratio for the
  // class (NBSVM, Wang & Manning 2012); the ratio is folded into the weights.
  bool nb_scale = false;
  std::uint64_t seed = 1;
};

struct LinearModel {
  int classes = 0;
  std::size_t features = 0;
  std::vector<float> weights;  // features × classes, feature-major
  std::vector<float> bias;     // one per class

  // Writes one score per class into `scores` (size classes).
  void Scores(const SparseVector& x, std::span<float> scores) const;
};

// Examples: x[i] with class y[i] in [0, classes) and weight weight[i] > 0.
struct LinearProblem {
  std::span<const SparseVector> x;
  std::span<const int> y;
  std::span<const float> weight;
  int classes = 0;
  std::size_t features = 0;
};

// `progress(done, total)` is called after each class (SVM) or epoch (logistic).
LinearModel TrainLinear(const LinearProblem& problem, const SolverOptions& options,
                        const std::function<void(int, int)>& progress = {});

}  // namespace xietong::text
