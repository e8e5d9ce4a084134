#include "core/calendar.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#ifndef XIETONG_DEFAULT_CALENDAR_DIR
#error "the build must define XIETONG_DEFAULT_CALENDAR_DIR (the data/calendar directory)"
#endif

namespace xietong {
namespace {

using Json = nlohmann::json;
using std::chrono::year_month_day;

constexpr Timestamp kNever = std::numeric_limits<Timestamp>::max();

std::int64_t DayNumber(year_month_day date) {
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

// Years 0001–9999 keep every intermediate value far from int64 overflow
// (positions stay below 4e17 microseconds) while no real deadline is near them.
constexpr std::int64_t kMinDay =
    std::chrono::sys_days{std::chrono::year{1} / 1 / 1}.time_since_epoch().count();
constexpr std::int64_t kMaxDay =
    std::chrono::sys_days{std::chrono::year{9999} / 12 / 31}.time_since_epoch().count();
constexpr Timestamp kMinInstant = kMinDay * kMicrosPerDay - kShanghaiOffset;
constexpr Timestamp kMaxInstant = (kMaxDay + 1) * kMicrosPerDay - kShanghaiOffset - 1;

Timestamp ClampInstant(Timestamp t) { return std::clamp(t, kMinInstant, kMaxInstant); }

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) --q;
  return q;
}

// The weekend rule in closed form. Day 0, 1970-01-01, was a Thursday, so a
// week counted from day 0 runs Thu Fri Sat Sun Mon Tue Wed.
std::int64_t WeekdaysBefore(std::int64_t day) {
  static constexpr std::int64_t kWithinWeek[8] = {0, 1, 2, 2, 2, 3, 4, 5};
  const std::int64_t week = FloorDiv(day, 7);
  return 5 * week + kWithinWeek[day - 7 * week];
}

std::int64_t NthWeekday(std::int64_t k) {
  static constexpr std::int64_t kOffsets[5] = {0, 1, 4, 5, 6};
  const std::int64_t week = FloorDiv(k, 5);
  return 7 * week + kOffsets[k - 5 * week];
}

bool IsWeekday(std::int64_t day) {
  const std::chrono::weekday wd{std::chrono::sys_days{std::chrono::days{day}}};
  return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

std::string FormatTimeOfDay(Timestamp tod) {
  return fmt::format("{:02}:{:02}", tod / kMicrosPerHour, tod / kMicrosPerMinute % 60);
}

bool ParseDigits(std::string_view s, int& out) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<year_month_day> ParseDate(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !ParseDigits(s.substr(0, 4), y) ||
      !ParseDigits(s.substr(5, 2), m) || !ParseDigits(s.substr(8, 2), d))
    return std::nullopt;
  const year_month_day date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                            std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

// "HH:MM", 00:00 to 24:00, as microseconds since local midnight.
std::optional<Timestamp> ParseTimeOfDay(std::string_view s) {
  int h = 0, m = 0;
  if (s.size() != 5 || s[2] != ':' || !ParseDigits(s.substr(0, 2), h) ||
      !ParseDigits(s.substr(3, 2), m) || m > 59 || h > 24 || (h == 24 && m != 0))
    return std::nullopt;
  return h * kMicrosPerHour + m * kMicrosPerMinute;
}

// Unknown keys are rejected so that a misspelt "holiday" or "makeup_days" is
// an error at load time instead of a silently ignored schedule.
Result<void> CheckKeys(const Json& object, std::initializer_list<std::string_view> allowed,
                       std::string_view where) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string names;
    for (std::string_view a : allowed)
      names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", a);
    return Fail(Error::InvalidArgument(
        fmt::format("{}: unknown key \"{}\" (allowed: {})", where, key, names)));
  }
  return {};
}

Result<std::vector<WorkingPeriod>> ParseWorkingHours(const Json& list) {
  if (!list.is_array() || list.empty())
    return Fail(
        Error::InvalidArgument("working_hours must be a non-empty list such as [{\"start\": "
                               "\"09:00\", \"end\": \"12:00\"}]"));
  std::vector<WorkingPeriod> periods;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = fmt::format("working_hours[{}]", i);
    const Json& p = list[i];
    if (!p.is_object())
      return Fail(
          Error::InvalidArgument(where + " must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}"));
    XT_TRY_VOID(CheckKeys(p, {"start", "end"}, where));
    std::optional<Timestamp> start, end;
    if (p.contains("start") && p["start"].is_string())
      start = ParseTimeOfDay(p["start"].get<std::string>());
    if (p.contains("end") && p["end"].is_string())
      end = ParseTimeOfDay(p["end"].get<std::string>());
    if (!start || !end)
      return Fail(Error::InvalidArgument(
          where + ": start and end must be times \"HH:MM\" between 00:00 and 24:00"));
    if (*start >= *end)
      return Fail(
          Error::InvalidArgument(fmt::format("{}: {}-{} must end after it starts", where,
                                             FormatTimeOfDay(*start), FormatTimeOfDay(*end))));
    if (!periods.empty() && *start < periods.back().end)
      return Fail(Error::InvalidArgument(fmt::format(
          "{}: {}-{} overlaps or comes before the previous period {}-{}; list periods in order of "
          "time without overlap",
          where, FormatTimeOfDay(*start), FormatTimeOfDay(*end),
          FormatTimeOfDay(periods.back().start), FormatTimeOfDay(periods.back().end))));
    periods.push_back({*start, *end});
  }
  return periods;
}

struct DayEntry {
  bool holiday;  // else a make-up working day
  std::string name;
  int year;  // the "years" entry that lists it, for error messages
};

// Adds one year's "holidays" or "makeup_workdays" list to entries.
Result<void> ParseDays(const Json& year_object, int year, bool holiday,
                       std::map<std::int64_t, DayEntry>& entries) {
  const char* key = holiday ? "holidays" : "makeup_workdays";
  if (!year_object.contains(key)) return {};
  const Json& list = year_object[key];
  if (!list.is_array())
    return Fail(Error::InvalidArgument(fmt::format(
        "calendar year {}: {} must be a list of {{\"date\": \"YYYY-MM-DD\", \"name\": \"...\"}}",
        year, key)));
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = fmt::format("calendar year {}: {}[{}]", year, key, i);
    const Json& item = list[i];
    if (!item.is_object())
      return Fail(
          Error::InvalidArgument(where + " must be {\"date\": \"YYYY-MM-DD\", \"name\": \"...\"}"));
    XT_TRY_VOID(CheckKeys(item, {"date", "name"}, where));
    const std::string text =
        item.contains("date") && item["date"].is_string() ? item["date"].get<std::string>() : "";
    const std::optional<year_month_day> date = ParseDate(text);
    if (!date)
      return Fail(Error::InvalidArgument(
          fmt::format("{}: \"{}\" is not a valid date YYYY-MM-DD", where, text)));
    const int date_year = static_cast<int>(date->year());
    // A notice may reach into the neighbouring year; anything further is a typo.
    if (date_year < year - 1 || date_year > year + 1)
      return Fail(Error::InvalidArgument(
          fmt::format("{}: {} is too far from {}; list it under its own year", where, text, year)));
    if (!item.contains("name") || !item["name"].is_string() ||
        item["name"].get<std::string>().empty())
      return Fail(
          Error::InvalidArgument(fmt::format("{}: {} needs a non-empty name", where, text)));
    const std::int64_t day = DayNumber(*date);
    if (!holiday && IsWeekday(day))
      return Fail(Error::InvalidArgument(fmt::format(
          "{}: {} is a Monday to Friday and already a working day; make-up working days (调休) are "
          "Saturdays or Sundays",
          where, text)));
    auto [it, inserted] =
        entries.try_emplace(day, DayEntry{holiday, item["name"].get<std::string>(), year});
    if (!inserted) {
      if (it->second.holiday != holiday)
        return Fail(Error::InvalidArgument(
            fmt::format("{}: {} is both a holiday and a make-up working day", where, text)));
      return Fail(Error::InvalidArgument(fmt::format("{}: {} is listed twice (also under year {})",
                                                     where, text, it->second.year)));
    }
  }
  return {};
}

}  // namespace

std::string DefaultCalendarPath() { return XIETONG_DEFAULT_CALENDAR_DIR "/cn.json"; }

Result<WorkCalendar> WorkCalendar::FromJson(std::string_view json) {
  Json root;
  try {
    root = Json::parse(json);
  } catch (const Json::exception& e) {
    return Fail(Error::InvalidArgument(fmt::format("calendar is not valid JSON: {}", e.what())));
  }
  if (!root.is_object())
    return Fail(Error::InvalidArgument("calendar must be a JSON object with a \"years\" object"));
  XT_TRY_VOID(CheckKeys(root, {"note", "working_hours", "years"}, "calendar"));

  WorkCalendar cal;
  if (root.contains("working_hours")) {
    XT_ASSIGN_OR_RETURN(cal.periods_, ParseWorkingHours(root["working_hours"]));
  } else {
    cal.periods_ = {
        {9 * kMicrosPerHour, 12 * kMicrosPerHour},
        {13 * kMicrosPerHour + 30 * kMicrosPerMinute, 17 * kMicrosPerHour + 30 * kMicrosPerMinute}};
  }
  for (const WorkingPeriod& p : cal.periods_) cal.per_day_ += p.end - p.start;

  if (!root.contains("years") || !root["years"].is_object() || root["years"].empty())
    return Fail(Error::InvalidArgument(
        "calendar needs a non-empty \"years\" object such as {\"2026\": {\"holidays\": [...]}}"));
  std::map<int, const Json*> years;
  for (const auto& [key, value] : root["years"].items()) {
    int year = 0;
    if (key.size() != 4 || !ParseDigits(key, year) || year < 1000)
      return Fail(Error::InvalidArgument(
          fmt::format("calendar year \"{}\" must be a four-digit year such as \"2026\"", key)));
    if (!value.is_object())
      return Fail(Error::InvalidArgument(fmt::format("calendar year {} must be an object", year)));
    years[year] = &value;
  }

  std::map<std::int64_t, DayEntry> entries;
  int previous = 0;
  for (const auto& [year, object] : years) {
    // A gap would make covered_years() claim a year whose holidays are unknown.
    if (previous != 0 && year != previous + 1)
      return Fail(Error::InvalidArgument(
          fmt::format("calendar year {} is missing: years must be consecutive ({} to {})",
                      previous + 1, previous, year)));
    previous = year;
    const std::string where = fmt::format("calendar year {}", year);
    XT_TRY_VOID(CheckKeys(*object, {"source", "note", "provisional", "holidays", "makeup_workdays"},
                          where));
    if (object->contains("provisional")) {
      if (!(*object)["provisional"].is_boolean())
        return Fail(Error::InvalidArgument(where + ": provisional must be true or false"));
      if ((*object)["provisional"].get<bool>()) cal.provisional_years_.insert(year);
    }
    XT_TRY_VOID(ParseDays(*object, year, /*holiday=*/true, entries));
    XT_TRY_VOID(ParseDays(*object, year, /*holiday=*/false, entries));
  }
  cal.first_year_ = years.begin()->first;
  cal.last_year_ = years.rbegin()->first;

  std::int64_t first_day = DayNumber(std::chrono::year{cal.first_year_} / 1 / 1);
  std::int64_t end_day = DayNumber(std::chrono::year{cal.last_year_ + 1} / 1 / 1);
  if (!entries.empty()) {
    first_day = std::min(first_day, entries.begin()->first);
    end_day = std::max(end_day, entries.rbegin()->first + 1);
  }
  cal.table_first_day_ = first_day;
  cal.working_.resize(static_cast<std::size_t>(end_day - first_day));
  cal.working_before_.assign(cal.working_.size() + 1, 0);
  for (std::int64_t day = first_day; day < end_day; ++day) {
    const auto offset = static_cast<std::size_t>(day - first_day);
    const auto it = entries.find(day);
    const bool working = it == entries.end() ? IsWeekday(day) : !it->second.holiday;
    cal.working_[offset] = working;
    cal.working_before_[offset + 1] = cal.working_before_[offset] + (working ? 1 : 0);
    if (working) cal.working_offsets_.push_back(static_cast<std::int32_t>(offset));
  }
  for (auto& [day, entry] : entries)
    (entry.holiday ? cal.holiday_names_ : cal.makeup_names_)[day] = std::move(entry.name);
  return cal;
}

Result<WorkCalendar> WorkCalendar::LoadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return Fail(Error::NotFound(fmt::format("calendar file {} does not exist", path)));
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open())
    return Fail(Error::Unavailable(fmt::format("calendar file {} cannot be read", path)));
  std::ostringstream text;
  text << in.rdbuf();  // an empty file leaves text empty, which FromJson reports
  Result<WorkCalendar> cal = FromJson(text.str());
  if (!cal) return Fail(Error{cal.error().code, fmt::format("{}: {}", path, cal.error().message)});
  return cal;
}

bool WorkCalendar::IsWorkingDay(year_month_day date) const {
  return date.ok() && IsWorkingDayNumber(DayNumber(date));
}

std::optional<std::string> WorkCalendar::HolidayName(year_month_day date) const {
  if (!date.ok()) return std::nullopt;
  const auto it = holiday_names_.find(DayNumber(date));
  if (it == holiday_names_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> WorkCalendar::MakeupWorkdayName(year_month_day date) const {
  if (!date.ok()) return std::nullopt;
  const auto it = makeup_names_.find(DayNumber(date));
  if (it == makeup_names_.end()) return std::nullopt;
  return it->second;
}

bool WorkCalendar::IsWorkingDayNumber(std::int64_t day) const {
  const std::int64_t offset = day - table_first_day_;
  if (offset >= 0 && offset < static_cast<std::int64_t>(working_.size()))
    return working_[static_cast<std::size_t>(offset)];
  return IsWeekday(day);
}

std::int64_t WorkCalendar::WorkingDaysBefore(std::int64_t day) const {
  const std::int64_t table_end = table_first_day_ + static_cast<std::int64_t>(working_.size());
  if (day <= table_first_day_) return WeekdaysBefore(day);
  const std::int64_t before_table = WeekdaysBefore(table_first_day_);
  if (day <= table_end)
    return before_table + working_before_[static_cast<std::size_t>(day - table_first_day_)];
  return before_table + working_before_.back() + WeekdaysBefore(day) - WeekdaysBefore(table_end);
}

std::int64_t WorkCalendar::NthWorkingDay(std::int64_t k) const {
  const std::int64_t table_end = table_first_day_ + static_cast<std::int64_t>(working_.size());
  const std::int64_t before_table = WeekdaysBefore(table_first_day_);
  if (k < before_table) return NthWeekday(k);
  const std::int64_t in_table = k - before_table;
  if (in_table < working_before_.back())
    return table_first_day_ + working_offsets_[static_cast<std::size_t>(in_table)];
  return NthWeekday(in_table - working_before_.back() + WeekdaysBefore(table_end));
}

std::int64_t WorkCalendar::Position(Timestamp t) const {
  const Timestamp local = t + kShanghaiOffset;
  const std::int64_t day = FloorDiv(local, kMicrosPerDay);
  const Timestamp tod = local - day * kMicrosPerDay;
  std::int64_t g = WorkingDaysBefore(day) * per_day_;
  if (IsWorkingDayNumber(day)) {
    for (const WorkingPeriod& p : periods_)
      g += std::clamp(tod - p.start, Timestamp{0}, p.end - p.start);
  }
  return g;
}

Timestamp WorkCalendar::InstantAt(std::int64_t g, bool earliest) const {
  // earliest: remainder in (0, per_day_], so a full day ends at its last period's
  // end; otherwise in [0, per_day_), so it starts the next working day.
  const std::int64_t k = earliest ? FloorDiv(g - 1, per_day_) : FloorDiv(g, per_day_);
  std::int64_t rest = g - k * per_day_;
  const std::int64_t day = NthWorkingDay(k);
  if (day > kMaxDay) return kNever;
  Timestamp tod = periods_.back().end;
  for (const WorkingPeriod& p : periods_) {
    const Timestamp length = p.end - p.start;
    if (earliest ? rest <= length : rest < length) {
      tod = p.start + rest;
      break;
    }
    rest -= length;
  }
  return day * kMicrosPerDay + tod - kShanghaiOffset;
}

Timestamp WorkCalendar::AddWorkingTime(Timestamp start, Timestamp duration_us) const {
  if (start > kMaxInstant) return kNever;
  const std::int64_t g = Position(ClampInstant(start));
  if (duration_us <= 0) return InstantAt(g, /*earliest=*/false);
  if (duration_us > kMaxInstant - kMinInstant) return kNever;
  return InstantAt(g + duration_us, /*earliest=*/true);
}

Timestamp WorkCalendar::WorkingTimeBetween(Timestamp from, Timestamp to) const {
  if (to <= from) return 0;
  return Position(ClampInstant(to)) - Position(ClampInstant(from));
}

Timestamp WorkCalendar::AddWorkingDays(Timestamp start, int days) const {
  if (start > kMaxInstant) return kNever;
  const Timestamp local = ClampInstant(start) + kShanghaiOffset;
  const std::int64_t day = FloorDiv(local, kMicrosPerDay);
  const Timestamp tod = local - day * kMicrosPerDay;
  const Timestamp day_end = periods_.back().end;
  // Day 0 is today while today's working hours have not ended, else the next
  // working day, whose index is the count of working days up to and including today.
  const std::int64_t day0 = IsWorkingDayNumber(day) && tod < day_end ? WorkingDaysBefore(day)
                                                                     : WorkingDaysBefore(day + 1);
  const std::int64_t target = NthWorkingDay(day0 + std::max(days, 0));
  if (target > kMaxDay) return kNever;
  return target * kMicrosPerDay + day_end - kShanghaiOffset;
}

}  // namespace xietong
