// The indicators a unit is held to (issue 19, docs/plans/decision-support.md §5.1–5.2): values
// from the three-rate counters and the open-late count, red/amber/green against a target with
// an amber margin, and the month-on-month arrow. Pure: no clock, no SQL; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "requests/rates.h"

namespace xietong::insight {

enum class Indicator { kResponse, kResolution, kSatisfaction, kOverdue, kOneThing };
inline constexpr int kIndicators = 5;
inline constexpr std::array<Indicator, kIndicators> kAllIndicators = {
    Indicator::kResponse, Indicator::kResolution, Indicator::kSatisfaction, Indicator::kOverdue,
    Indicator::kOneThing};

// "response_rate", "resolution_rate", "satisfaction_rate", "overdue_share", "one_thing_on_time".
std::string_view IndicatorName(Indicator i);
// 响应率, 解决率, 满意率, 超期率, 一件事承诺时限办结率.
std::string_view IndicatorZh(Indicator i);
// InvalidArgument naming the known indicators otherwise.
Result<Indicator> ParseIndicator(std::string_view name);
// Every indicator but the overdue share is better when higher.
bool HigherIsBetter(Indicator i);
// The built-in target when no one has set one: 0.95, 0.80, 0.90, 0.05, 0.95.
double DefaultTarget(Indicator i);
inline constexpr double kDefaultAmberMargin = 0.05;  // 5 percentage points

// Below these denominators a value is shown but grey (样本不足).
struct MinSample {
  std::int64_t dispatched = 20;  // response rate, overdue share
  std::int64_t rated = 10;       // resolution and satisfaction rates
  std::int64_t decided = 10;     // one-thing applications decided
};

// What a unit's indicators are computed from, for one period.
struct UnitFigures {
  requests::rates::Counters counters = {};
  std::int64_t open_late = 0;  // dispatched in the period, still open and past the limit
  // One-thing applications (一件事) decided and decided on time; absent for units without them.
  std::optional<std::pair<std::int64_t, std::int64_t>> one_thing = std::nullopt;
  double basically = 0.8;  // how much a 基本满意 counts in the satisfaction rate
};

struct IndicatorValue {
  std::optional<double> value = std::nullopt;  // in [0, 1]; nullopt when the denominator is 0
  double numerator = 0;
  std::int64_t denominator = 0;
  bool enough = false;  // the denominator reaches the minimum sample
};
using IndicatorValues = std::array<IndicatorValue, kIndicators>;  // by Indicator

// response = responded_on_time / dispatched; resolution = resolved / rated; satisfaction =
// (satisfied + basically·basically_satisfied) / rated; overdue = (replied − replied_on_time +
// open_late) / dispatched, at most 1; one-thing = on_time / decided.
IndicatorValues ValuesOf(const UnitFigures& f, const MinSample& min = {});

enum class RagStatus { kGrey, kGreen, kAmber, kRed };
std::string_view RagName(RagStatus r);  // "grey", "green", "amber", "red"
std::string_view RagZh(RagStatus r);    // 灰 绿 黄 红 (colour is never the only signal)

// Higher-better: green v ≥ T, amber T − m ≤ v < T, red below. Lower-better: green v ≤ T,
// amber T < v ≤ T + m, red above. Grey without a value or below the minimum sample. Values are
// compared to 1e-9 so that 0.95 reached exactly is green.
RagStatus RagOf(Indicator i, const IndicatorValue& v, double target, double amber_margin);
// The worst non-grey status (grey when all are).
RagStatus Worst(std::span<const RagStatus> statuses);

enum class Arrow { kNone, kUp, kFlat, kDown };
// "↑", "→", "↓", "" — ↑ when the value improved by at least one percentage point against the
// month before (direction-aware: a falling overdue share is ↑), ↓ when it worsened by one.
std::string_view ArrowText(Arrow a);
Arrow ArrowOf(Indicator i, std::optional<double> before, std::optional<double> now);

}  // namespace xietong::insight
