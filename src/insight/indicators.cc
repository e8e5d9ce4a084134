#include "insight/indicators.h"

#include <fmt/format.h>

#include <algorithm>

namespace xietong::insight {
namespace {

constexpr double kEpsilon = 1e-9;

IndicatorValue Share(double numerator, std::int64_t denominator, std::int64_t min) {
  IndicatorValue v;
  v.numerator = numerator;
  v.denominator = denominator;
  if (denominator > 0) v.value = std::clamp(numerator / static_cast<double>(denominator), 0.0, 1.0);
  v.enough = denominator > 0 && denominator >= min;
  return v;
}

}  // namespace

std::string_view IndicatorName(Indicator i) {
  switch (i) {
    case Indicator::kResponse:
      return "response_rate";
    case Indicator::kResolution:
      return "resolution_rate";
    case Indicator::kSatisfaction:
      return "satisfaction_rate";
    case Indicator::kOverdue:
      return "overdue_share";
    case Indicator::kOneThing:
      return "one_thing_on_time";
  }
  return "";
}

std::string_view IndicatorZh(Indicator i) {
  switch (i) {
    case Indicator::kResponse:
      return "响应率";
    case Indicator::kResolution:
      return "解决率";
    case Indicator::kSatisfaction:
      return "满意率";
    case Indicator::kOverdue:
      return "超期率";
    case Indicator::kOneThing:
      return "一件事承诺时限办结率";
  }
  return "";
}

Result<Indicator> ParseIndicator(std::string_view name) {
  for (Indicator i : kAllIndicators)
    if (IndicatorName(i) == name) return i;
  return Fail(Error::InvalidArgument(
      fmt::format("unknown indicator '{}': response_rate, resolution_rate, satisfaction_rate, "
                  "overdue_share or one_thing_on_time",
                  name.substr(0, 64))));
}

bool HigherIsBetter(Indicator i) { return i != Indicator::kOverdue; }

double DefaultTarget(Indicator i) {
  switch (i) {
    case Indicator::kResponse:
      return 0.95;
    case Indicator::kResolution:
      return 0.80;
    case Indicator::kSatisfaction:
      return 0.90;
    case Indicator::kOverdue:
      return 0.05;
    case Indicator::kOneThing:
      return 0.95;
  }
  return 0;
}

IndicatorValues ValuesOf(const UnitFigures& f, const MinSample& min) {
  const auto& c = f.counters;
  IndicatorValues out;
  out[static_cast<int>(Indicator::kResponse)] =
      Share(static_cast<double>(c.responded_on_time), c.dispatched, min.dispatched);
  out[static_cast<int>(Indicator::kResolution)] =
      Share(static_cast<double>(c.resolved), c.rated, min.rated);
  out[static_cast<int>(Indicator::kSatisfaction)] = Share(
      static_cast<double>(c.satisfied) + f.basically * static_cast<double>(c.basically_satisfied),
      c.rated, min.rated);
  const std::int64_t late = std::max<std::int64_t>(0, c.replied - c.replied_on_time) + f.open_late;
  out[static_cast<int>(Indicator::kOverdue)] =
      Share(static_cast<double>(late), c.dispatched, min.dispatched);
  if (f.one_thing)
    out[static_cast<int>(Indicator::kOneThing)] =
        Share(static_cast<double>(f.one_thing->second), f.one_thing->first, min.decided);
  return out;
}

std::string_view RagName(RagStatus r) {
  switch (r) {
    case RagStatus::kGrey:
      return "grey";
    case RagStatus::kGreen:
      return "green";
    case RagStatus::kAmber:
      return "amber";
    case RagStatus::kRed:
      return "red";
  }
  return "";
}

std::string_view RagZh(RagStatus r) {
  switch (r) {
    case RagStatus::kGrey:
      return "灰";
    case RagStatus::kGreen:
      return "绿";
    case RagStatus::kAmber:
      return "黄";
    case RagStatus::kRed:
      return "红";
  }
  return "";
}

RagStatus RagOf(Indicator i, const IndicatorValue& v, double target, double amber_margin) {
  if (!v.value || !v.enough) return RagStatus::kGrey;
  const double x = *v.value;
  if (HigherIsBetter(i)) {
    if (x >= target - kEpsilon) return RagStatus::kGreen;
    if (x >= target - amber_margin - kEpsilon) return RagStatus::kAmber;
    return RagStatus::kRed;
  }
  if (x <= target + kEpsilon) return RagStatus::kGreen;
  if (x <= target + amber_margin + kEpsilon) return RagStatus::kAmber;
  return RagStatus::kRed;
}

RagStatus Worst(std::span<const RagStatus> statuses) {
  RagStatus worst = RagStatus::kGrey;
  for (RagStatus r : statuses)
    if (static_cast<int>(r) > static_cast<int>(worst)) worst = r;
  return worst;
}

std::string_view ArrowText(Arrow a) {
  switch (a) {
    case Arrow::kUp:
      return "↑";
    case Arrow::kFlat:
      return "→";
    case Arrow::kDown:
      return "↓";
    case Arrow::kNone:
      return "";
  }
  return "";
}

Arrow ArrowOf(Indicator i, std::optional<double> before, std::optional<double> now) {
  if (!before || !now) return Arrow::kNone;
  const double better = HigherIsBetter(i) ? *now - *before : *before - *now;
  if (better >= 0.01 - kEpsilon) return Arrow::kUp;
  if (better <= -0.01 + kEpsilon) return Arrow::kDown;
  return Arrow::kFlat;
}

}  // namespace xietong::insight
