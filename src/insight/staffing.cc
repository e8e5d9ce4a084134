#include "insight/staffing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace xietong::insight {

double ErlangB(int n, double a) {
  if (a <= 0) return n <= 0 ? 1.0 : 0.0;
  double b = 1.0;
  for (int k = 1; k <= n; ++k) b = a * b / (k + a * b);
  return b;
}

double ErlangC(int n, double a) {
  if (a <= 0) return 0.0;
  if (n <= a) return 1.0;
  const double b = ErlangB(n, a);
  return n * b / (n - a * (1 - b));
}

double ServiceLevel(int n, double a, double aht_s, double target_s) {
  if (a <= 0) return 1.0;
  if (n <= a) return 0.0;
  return 1 - ErlangC(n, a) * std::exp(-(n - a) * target_s / aht_s);
}

double AverageSpeedOfAnswer(int n, double a, double aht_s) {
  if (a <= 0) return 0.0;
  if (n <= a) return std::numeric_limits<double>::infinity();
  return ErlangC(n, a) * aht_s / (n - a);
}

namespace {

Result<void> Range(double v, double lo, double hi, bool open_lo, const char* field,
                   const char* what) {
  if (!std::isfinite(v) || v > hi || (open_lo ? v <= lo : v < lo)) {
    return std::unexpected(
        Error::InvalidArgument(fmt::format("{} must be {} {} and at most {}", what,
                                           open_lo ? "above" : "at least", lo, hi))
            .About(field, "out_of_range"));
  }
  return {};
}

}  // namespace

Result<void> Validate(const StaffingSettings& s) {
  XT_TRY_VOID(Range(s.talk_s, 0, 3600, true, "talk_seconds", "talk time (seconds)"));
  XT_TRY_VOID(Range(s.acw_s, 0, 3600, false, "acw_seconds", "after-call work (seconds)"));
  XT_TRY_VOID(Range(s.target_level, 0, 0.999, true, "target_level", "the service level target"));
  XT_TRY_VOID(Range(s.target_s, 0, 600, false, "target_seconds", "the answer time (seconds)"));
  XT_TRY_VOID(Range(s.shrinkage, 0, 0.9, false, "shrinkage", "shrinkage"));
  XT_TRY_VOID(Range(s.max_occupancy, 0.1, 1, false, "max_occupancy", "the occupancy cap"));
  XT_TRY_VOID(Range(s.calls_per_request, 0, 20, true, "calls_per_request", "calls per request"));
  XT_TRY_VOID(
      Range(s.talk_offset_s, 0, 600, false, "talk_offset_seconds", "the talk offset (seconds)"));
  XT_TRY_VOID(Range(s.min_seats, 0, 1000, false, "min_seats", "the minimum of seats"));
  if (s.shift_slots.empty() || s.shift_slots.size() > 4) {
    return std::unexpected(
        Error::InvalidArgument("shift_slots must list 1 to 4 shift lengths in half-hours")
            .About("shift_slots", "invalid"));
  }
  for (int len : s.shift_slots) {
    if (len < 1 || len > kSlotsPerDay) {
      return std::unexpected(
          Error::InvalidArgument(
              fmt::format("a shift length must be 1 to 48 half-hours, not {}", len))
              .About("shift_slots", "out_of_range"));
    }
  }
  return {};
}

SlotNeed SeatsFor(double calls, double slot_seconds, double aht_s,
                  const StaffingSettings& settings) {
  SlotNeed out;
  out.calls = std::max(0.0, calls);
  out.erlangs = out.calls / slot_seconds * aht_s;
  const double a = out.erlangs;
  int n = std::max(settings.min_seats, a > 0 ? static_cast<int>(std::floor(a)) + 1 : 0);
  if (a > 0) {
    // The occupancy cap alone needs n >= a / max_occupancy.
    n = std::max(n, static_cast<int>(std::ceil(a / settings.max_occupancy - 1e-9)));
    if (n <= a) n = static_cast<int>(std::floor(a)) + 1;
    // The service level rises with n towards 1 and passes any target < 1 within a few
    // multiples of √a above a; the bound only guards against a bad target.
    const int limit = n + 100 + static_cast<int>(10 * std::sqrt(a));
    while (n < limit && ServiceLevel(n, a, aht_s, settings.target_s) < settings.target_level) {
      ++n;
    }
  }
  out.seats = n;
  out.agents = n == 0 ? 0 : static_cast<int>(std::ceil(n / (1 - settings.shrinkage) - 1e-9));
  out.service_level = n == 0 ? (a > 0 ? 0.0 : 1.0) : ServiceLevel(n, a, aht_s, settings.target_s);
  out.asa_s = n == 0 ? 0.0 : AverageSpeedOfAnswer(n, a, aht_s);
  out.occupancy = n == 0 ? 0.0 : a / n;
  return out;
}

std::vector<Shift> CoverRota(std::span<const int> agents, std::span<const int> shift_slots) {
  std::vector<Shift> out;
  if (shift_slots.empty()) return out;
  std::vector<int> lengths(shift_slots.begin(), shift_slots.end());
  std::sort(lengths.begin(), lengths.end());
  const int slots = static_cast<int>(agents.size());
  std::vector<int> covered(agents.size(), 0);
  for (int t = 0; t < slots; ++t) {
    const int missing = agents[t] - covered[t];
    if (missing <= 0) continue;
    int last = t;  // the last slot of the day still short
    for (int s = slots - 1; s > t; --s) {
      if (agents[s] > covered[s]) {
        last = s;
        break;
      }
    }
    const int span = last - t + 1;
    int length = lengths.back();
    for (int len : lengths) {
      if (len >= span) {
        length = len;
        break;
      }
    }
    length = std::min(length, slots - t);
    for (int s = t; s < t + length; ++s) covered[s] += missing;
    out.push_back({.start_slot = t, .length_slots = length, .count = missing});
  }
  return out;
}

std::string SlotTime(int slot) {
  return fmt::format("{:02d}:{:02d}", slot / 2, slot % 2 == 0 ? 0 : 30);
}

DayPlan PlanDay(std::span<const double> calls, double aht_s, const StaffingSettings& settings) {
  DayPlan plan;
  std::vector<int> agents;
  plan.slots.reserve(calls.size());
  agents.reserve(calls.size());
  for (std::size_t t = 0; t < calls.size(); ++t) {
    SlotNeed need = SeatsFor(calls[t], kSlotSeconds, aht_s, settings);
    plan.calls += need.calls;
    plan.seat_hours += 0.5 * need.seats;
    plan.required_agent_hours += 0.5 * need.agents;
    if (need.seats > plan.peak_seats) {
      plan.peak_seats = need.seats;
      plan.peak_slot = static_cast<int>(t);
    }
    agents.push_back(need.agents);
    plan.slots.push_back(need);
  }
  plan.rota = CoverRota(agents, settings.shift_slots);
  for (const Shift& s : plan.rota) plan.agent_hours += 0.5 * s.count * s.length_slots;
  return plan;
}

}  // namespace xietong::insight
