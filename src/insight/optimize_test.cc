#include "insight/optimize.h"

#include <gtest/gtest.h>

#include <cmath>

namespace xietong::insight {
namespace {

TEST(NelderMead, FindsAnInteriorMinimumOfAQuadratic) {
  const std::vector<Bounds> bounds{{0, 1}, {-5, 5}};
  const std::vector<double> start{0.5, 0};
  auto m = MinimizeBounded(
      [](std::span<const double> p) {
        return (p[0] - 0.3) * (p[0] - 0.3) + 2 * (p[1] + 1.5) * (p[1] + 1.5) + 7;
      },
      start, bounds, {.max_evaluations = 400, .tolerance = 1e-14});
  EXPECT_NEAR(m.x[0], 0.3, 1e-3);
  EXPECT_NEAR(m.x[1], -1.5, 1e-3);
  EXPECT_NEAR(m.f, 7, 1e-6);
  EXPECT_LE(m.evaluations, 400);
}

TEST(NelderMead, AMinimumOutsideTheBoxEndsOnItsBound) {
  const std::vector<Bounds> bounds{{0.001, 0.5}, {0.8, 0.98}};
  const std::vector<double> start{0.1, 0.95};
  int outside = 0;
  auto m = MinimizeBounded(
      [&](std::span<const double> p) {
        outside += p[0] < 0.001 || p[0] > 0.5 || p[1] < 0.8 || p[1] > 0.98;
        return (p[0] - 2) * (p[0] - 2) + (p[1] - 0.9) * (p[1] - 0.9);
      },
      start, bounds, {.max_evaluations = 300});
  EXPECT_EQ(outside, 0);
  EXPECT_NEAR(m.x[0], 0.5, 1e-3);
  EXPECT_NEAR(m.x[1], 0.9, 1e-3);
}

TEST(NelderMead, RosenbrockWithinBounds) {
  const std::vector<Bounds> bounds{{-2, 2}, {-1, 3}};
  const std::vector<double> start{-1.2, 1};
  auto m = MinimizeBounded(
      [](std::span<const double> p) {
        return 100 * std::pow(p[1] - p[0] * p[0], 2) + std::pow(1 - p[0], 2);
      },
      start, bounds, {.max_evaluations = 3000, .tolerance = 1e-16});
  EXPECT_NEAR(m.x[0], 1, 1e-3);
  EXPECT_NEAR(m.x[1], 1, 2e-3);
  EXPECT_LT(m.f, 1e-5);
}

TEST(NelderMead, StopsAtTheEvaluationBudgetAndKeepsFixedDimensions) {
  const std::vector<Bounds> bounds{{0, 1}, {0.25, 0.25}, {0, 1}};
  const std::vector<double> start{0.9, 0.7, 0.9};  // 0.7 is clamped to the fixed 0.25
  int calls = 0;
  auto m = MinimizeBounded(
      [&](std::span<const double> p) {
        ++calls;
        EXPECT_DOUBLE_EQ(p[1], 0.25);
        return p[0] + p[2];
      },
      start, bounds, {.max_evaluations = 20});
  EXPECT_LE(calls, 20 + 3);  // a shrink may finish its round
  EXPECT_EQ(m.evaluations, calls);
  EXPECT_LT(m.f, 1.8);
  EXPECT_DOUBLE_EQ(m.x[1], 0.25);
}

TEST(NelderMead, NonFiniteValuesAreAvoided) {
  const std::vector<Bounds> bounds{{-1, 1}};
  const std::vector<double> start{0.5};
  auto m = MinimizeBounded(
      [](std::span<const double> p) { return p[0] < 0 ? NAN : (p[0] - 0.2) * (p[0] - 0.2); }, start,
      bounds, {.max_evaluations = 200});
  EXPECT_NEAR(m.x[0], 0.2, 1e-3);
  EXPECT_TRUE(std::isfinite(m.f));
}

}  // namespace
}  // namespace xietong::insight
