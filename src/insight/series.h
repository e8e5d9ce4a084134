// Daily request series for forecasting (issue 19, docs/plans/decision-support.md §2.1–2.2,
// §2.6): day numbers in Asia/Shanghai, day types from the platform calendar, dense daily
// arrays, observed segments of a collage of extracts, and outlier clipping for fitting.
// Pure: no clock, no SQL; every function is thread-safe. ReadUs311Series reads the real
// us311 CSV directly (for the backtest before the requests reads land); it is file I/O only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"

namespace xietong::insight {

// Days since 1970-01-01 in Asia/Shanghai (fixed +08:00).
using Day = std::int32_t;

Day DayOf(Timestamp t);
Timestamp StartOfDay(Day day);
std::chrono::year_month_day DateOf(Day day);
Day DayFromDate(std::chrono::year_month_day date);
// "2026-12-07".
std::string DayText(Day day);
// Monday = 0 … Sunday = 6.
int Weekday(Day day);

enum class DayType : std::uint8_t { kMon, kTue, kWed, kThu, kFri, kSat, kSun, kHoliday, kMakeup };
constexpr int kDayTypes = 9;

// Holiday / make-up working day from the calendar, else the weekday. A null calendar (or a
// year it does not cover) gives plain weekdays.
DayType DayTypeOf(Day day, const WorkCalendar* calendar);
// The weekly-season index a day type uses: a holiday behaves like a Sunday, a make-up
// working day like a Monday (the early-warning detector's convention).
int EffectiveWeekday(DayType type);

// A contiguous run of days, both ends included.
struct Segment {
  Day first = 0;
  Day last = -1;
  int days() const { return last - first + 1; }
  friend bool operator==(const Segment&, const Segment&) = default;
};

// Days of [first, first + totals.size()) split where a run of >= min_gap consecutive days
// with total 0 lies (the whole area sent nothing: the extract does not cover those days).
// Leading and trailing zero runs of any length are dropped.
std::vector<Segment> ObservedSegments(std::span<const double> totals, Day first, int min_gap = 28);
// The longest segment of at least min_days days (the earliest among equals), if any.
std::optional<Segment> LongestSegment(std::span<const Segment> segments, int min_days = 112);

// For fitting only: y_t above median + 10·MAD of the previous 28 days (MAD floored at 1) is
// set to that bound. The first 28 days are kept as they are. Scoring uses the raw values.
std::vector<double> ClipOutliers(std::span<const double> y);

// One daily series cut to an observed segment.
struct Series {
  std::string key = {};        // "place:<area>|cat:<category or all>|ch:all"
  std::string area = {};       // e.g. "Baltimore", "New York/BROOKLYN"
  std::string category = {};   // "" = all categories
  Day first_day = 0;           // day of y[0]
  std::vector<double> y = {};  // requests per day, oldest first
  // The whole of a top-level area (a city, the demo city): shown on its own, never ranked
  // among "the largest series".
  bool area_total = false;
  double total() const;
};

struct Us311Data {
  std::int64_t rows = 0;
  std::int64_t skipped = 0;  // rows without a readable created_at
  Day first_day = 0;
  Day last_day = 0;
  // Per city: its observed segment used (none when no segment has >= 112 days).
  struct City {
    std::string name = {};
    std::int64_t rows = 0;
    std::optional<Segment> segment = {};
  };
  std::vector<City> cities = {};
  // Series on each city's segment: the city total (area_total = true), city × complaint_type, and
  // for cities whose rows name a district (NY boroughs) district total and district ×
  // complaint_type.
  // Only series with at least one request in the segment.
  std::vector<Series> series = {};
};

// Reads a us311-layout CSV (plain or gzip): city, created_at ("YYYY-MM-DD HH:MM:SS", the
// source city's wall time, whose date is taken as the day), complaint_type, district.
// kNotFound for a missing file, kInvalidArgument for a missing column.
Result<Us311Data> ReadUs311Series(const std::string& path);

}  // namespace xietong::insight
