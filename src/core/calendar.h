// WorkCalendar: the Chinese government working calendar (Asia/Shanghai, fixed
// +08:00) that turns "N working days / hours" into deadlines. Loaded once from a
// JSON file (data/calendar/cn.json) and immutable afterwards, so every const
// method is thread-safe. Days outside the covered years follow the weekend rule.
//
// Working day: Mon–Fri that is not a listed holiday, or a listed make-up working
// day (调休, a Saturday or Sunday). Working hours are the same periods on every
// working day (default 09:00–12:00 and 13:30–17:30); a period is [start, end).
// Days in years the file does not cover fall back to plain Mon–Fri: holidays
// there are unknown, so deadlines that reach them are early, never late.
//
// Semantics of the arithmetic (all O(1); no loop over days or minutes):
// - WorkingTimeBetween(a, b): working microseconds in [a, b); 0 when b <= a.
// - AddWorkingTime(start, d), d > 0: the earliest instant t with
//   WorkingTimeBetween(start, t) == d. A start outside working hours therefore
//   begins counting at the next working moment, and a duration used up exactly
//   at the end of a period lands on that end (Fri 17:30, not Mon 09:00), so
//   "now >= deadline" holds exactly when no working time is left.
//   d <= 0 returns the next working moment at or after start.
//   Round trip: AddWorkingTime(a, WorkingTimeBetween(a, b)) == b whenever b is
//   in (start, end] of a period on a working day or is the first working
//   moment at or after a; when b is exactly the start of a later period it
//   returns the end of the previous period, an instant with the same working
//   time.
// - AddWorkingDays(start, n): the end of working hours of a working day. Day 0
//   is start's day if it is a working day and start is before its last period
//   ends, otherwise the next working day; the result is the end of the n-th
//   working day after day 0 (n = 0: the end of day 0). n < 0 counts as 0.
// - Instants are clamped to years 0001–9999; a result past 9999-12-31 is
//   returned as std::numeric_limits<Timestamp>::max() ("never").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong {

// The calendar file shipped with the server (XIETONG_DEFAULT_CALENDAR_DIR/cn.json).
std::string DefaultCalendarPath();

// One period of working hours, as microseconds since local midnight: [start, end).
struct WorkingPeriod {
  Timestamp start;
  Timestamp end;
  friend bool operator==(const WorkingPeriod&, const WorkingPeriod&) = default;
};

class WorkCalendar {
 public:
  // Parses and validates a calendar such as data/calendar/cn.json:
  //   {"note": "...", "working_hours": [{"start": "09:00", "end": "12:00"}, ...],
  //    "years": {"2026": {"source": "...", "provisional": false,
  //                       "holidays": [{"date": "2026-01-01", "name": "元旦"}, ...],
  //                       "makeup_workdays": [{"date": "2026-01-04", "name": "..."}]}}}
  // Adding a year is adding an entry to "years"; years must be consecutive.
  // A date may lie in the year before or after its entry, since a notice can
  // span New Year (the 2019 one listed 2018-12-29..31). Every problem is
  // Error::InvalidArgument naming the year or date.
  static Result<WorkCalendar> FromJson(std::string_view json);
  // Reads FromJson's format from a file; a missing file is Error::NotFound.
  static Result<WorkCalendar> LoadFile(const std::string& path);

  // False for invalid dates.
  bool IsWorkingDay(std::chrono::year_month_day date) const;
  // The holiday's name (e.g. "春节") when date is a listed holiday.
  std::optional<std::string> HolidayName(std::chrono::year_month_day date) const;
  // The name of the make-up working day (e.g. "春节调休上班") when date is one.
  std::optional<std::string> MakeupWorkdayName(std::chrono::year_month_day date) const;

  Timestamp AddWorkingDays(Timestamp start, int days) const;
  Timestamp AddWorkingTime(Timestamp start, Timestamp duration_us) const;
  Timestamp WorkingTimeBetween(Timestamp from, Timestamp to) const;

  // First and last year the file lists (inclusive); always consecutive years.
  std::pair<int, int> covered_years() const { return {first_year_, last_year_}; }
  // True for years marked "provisional": statutory days only, official
  // schedule (with 调休) not yet entered.
  bool IsProvisional(int year) const { return provisional_years_.contains(year); }
  const std::vector<WorkingPeriod>& working_hours() const { return periods_; }
  Timestamp working_time_per_day() const { return per_day_; }

 private:
  WorkCalendar() = default;

  bool IsWorkingDayNumber(std::int64_t day) const;
  // Working days in [1970-01-01, day) (negative before it): F(d+1) - F(d) is 1
  // exactly when d is a working day, which makes every count a subtraction.
  std::int64_t WorkingDaysBefore(std::int64_t day) const;
  // The working day d with WorkingDaysBefore(d) == k.
  std::int64_t NthWorkingDay(std::int64_t k) const;
  // Working microseconds since an arbitrary origin, for an instant in range.
  std::int64_t Position(Timestamp t) const;
  // Inverse of Position: the earliest instant reaching position g (earliest),
  // or the latest one still at g, i.e. the next working moment (!earliest).
  Timestamp InstantAt(std::int64_t g, bool earliest) const;

  std::vector<WorkingPeriod> periods_;  // sorted, non-overlapping
  Timestamp per_day_ = 0;               // sum of periods_ lengths
  int first_year_ = 0;
  int last_year_ = 0;
  std::set<int> provisional_years_;
  // Days [table_first_day_, table_first_day_ + working_.size()) are looked up
  // here; all others use the weekend rule. Day numbers count from 1970-01-01.
  std::int64_t table_first_day_ = 0;
  std::vector<bool> working_;
  std::vector<std::int32_t> working_before_;   // prefix sums of working_, size + 1
  std::vector<std::int32_t> working_offsets_;  // offsets of the working days in the table
  std::unordered_map<std::int64_t, std::string> holiday_names_;
  std::unordered_map<std::int64_t, std::string> makeup_names_;
};

}  // namespace xietong
