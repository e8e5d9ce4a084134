#include "collab/volunteer.h"

#include <fmt/core.h>

#include <chrono>
#include <optional>

#include "core/json.h"

namespace xietong::collab {
namespace {

// Days since 1970-01-01 of a "YYYY-MM-DD" that names a real date.
std::optional<std::int64_t> DayNumber(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i)
    for (std::size_t k = 0; k < lengths[i]; ++k) {
      const char c = s[starts[i] + k];
      if (c < '0' || c > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (c - '0');
    }
  const std::chrono::year_month_day ymd{std::chrono::year{parts[0]},
                                        std::chrono::month{static_cast<unsigned>(parts[1])},
                                        std::chrono::day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

std::int64_t TodayNumber(Timestamp now) {
  const Timestamp local = now + kShanghaiOffset;
  return local >= 0 ? local / kMicrosPerDay : (local - kMicrosPerDay + 1) / kMicrosPerDay;
}

Result<void> Bad(std::string_view field, std::string_view reason, std::string message) {
  return Fail(
      Error::InvalidArgument(std::move(message)).About(std::string(field), std::string(reason)));
}

}  // namespace

std::string ShanghaiDay(Timestamp t) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{TodayNumber(t)}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

Result<void> ValidateVolunteerHours(const VolunteerHoursInput& in, Timestamp now) {
  if (in.volunteer_account_id.empty())
    return Bad("volunteer_account_id", "required", "field 'volunteer_account_id' is needed");
  if (in.minutes < kMinVolunteerMinutes || in.minutes > kMaxVolunteerMinutes ||
      in.minutes % kVolunteerMinuteStep != 0)
    return Bad("minutes", "out_of_range",
               fmt::format("field 'minutes': {}–{} in steps of {}, not {}", kMinVolunteerMinutes,
                           kMaxVolunteerMinutes, kVolunteerMinuteStep, in.minutes));
  const auto day = DayNumber(in.day);
  if (!day) return Bad("day", "invalid", "field 'day': a date as YYYY-MM-DD");
  const std::int64_t today = TodayNumber(now);
  if (*day > today) return Bad("day", "future", "field 'day': hours are confirmed once served");
  if (*day < today - kMaxVolunteerDaysBack)
    return Bad("day", "too_old",
               fmt::format("field 'day': at most {} days back", kMaxVolunteerDaysBack));
  if (json::FindInvalidUtf8(in.note) || json::CountCodePoints(in.note) > kMaxVolunteerNoteChars)
    return Bad("note", "too_long",
               fmt::format("field 'note': at most {} characters of UTF-8", kMaxVolunteerNoteChars));
  return {};
}

}  // namespace xietong::collab
