#include "participation/settings.h"

#include <fmt/core.h>

namespace xietong::participation {

ParticipationSettings DefaultSettings() { return {}; }

Result<void> ValidateSettings(const ParticipationSettings& s) {
  struct Check {
    std::string_view field;
    std::int64_t value, lo, hi;
  };
  const Check checks[] = {
      {"support_threshold", s.support_threshold, 1, 1000},
      {"support_days", s.support_days, 1, 365},
      {"velocity_per_hour", s.velocity_per_hour, 1, 10000},
      {"velocity_per_day", s.velocity_per_day, 1, 10000},
      {"same_decider_per_month", s.same_decider_per_month, 1, 1000},
      {"manual_award_max", s.manual_award_max, 1, 100000},
  };
  for (const auto& c : checks)
    if (c.value < c.lo || c.value > c.hi)
      return Fail(Error::InvalidArgument(fmt::format("'{}' must be between {} and {}, not {}",
                                                     c.field, c.lo, c.hi, c.value))
                      .About(std::string(c.field), "out_of_range"));
  if (s.velocity_per_day < s.velocity_per_hour)
    return Fail(Error::InvalidArgument("'velocity_per_day' may not be below 'velocity_per_hour'")
                    .About("velocity_per_day", "out_of_range"));
  return {};
}

}  // namespace xietong::participation
