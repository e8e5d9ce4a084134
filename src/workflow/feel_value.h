// feel::Value: one FEEL value (null, boolean, number, string, date,
// date and time, the two durations, list, context) and its conversion to and
// from JSON, where temporal values travel as ISO 8601 strings. Lists and
// contexts are immutable and shared, so copying a Value is cheap; Values are
// plain data and safe to read from several threads.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "workflow/feel_decimal.h"

namespace xietong::feel {

// A calendar date, as days since 1970-01-01 (years 0001–9999).
struct Date {
  std::int64_t days = 0;
  friend bool operator==(const Date&, const Date&) = default;
};

// A date and time. With an offset, `micros` is the UTC instant and the offset
// says which wall clock to show; without one it is a local date-time and
// `micros` is its wall clock read as if it were UTC.
struct DateTime {
  Timestamp micros = 0;
  std::optional<std::int32_t> offset_seconds;
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

struct DaysTimeDuration {
  std::int64_t micros = 0;
  friend bool operator==(const DaysTimeDuration&, const DaysTimeDuration&) = default;
};

struct YearsMonthsDuration {
  std::int64_t months = 0;
  friend bool operator==(const YearsMonthsDuration&, const YearsMonthsDuration&) = default;
};

class Value;
class Context;
using List = std::vector<Value>;

class Value {
 public:
  enum class Kind {
    kNull,
    kBoolean,
    kNumber,
    kString,
    kDate,
    kDateTime,
    kDaysTimeDuration,
    kYearsMonthsDuration,
    kList,
    kContext,
  };

  Value() = default;           // null
  Value(bool b) : data_(b) {}  // NOLINT: literals read naturally
  // An int would silently become a bool: say Value::Number(5) instead.
  template <std::integral T>
  requires(!std::same_as<T, bool>) Value(T)
  = delete;
  Value(Decimal d) : data_(d) {}                   // NOLINT
  Value(std::string s) : data_(std::move(s)) {}    // NOLINT
  Value(const char* s) : data_(std::string(s)) {}  // NOLINT
  Value(Date d) : data_(d) {}                      // NOLINT
  Value(DateTime d) : data_(d) {}                  // NOLINT
  Value(DaysTimeDuration d) : data_(d) {}          // NOLINT
  Value(YearsMonthsDuration d) : data_(d) {}       // NOLINT
  Value(List list);                                // NOLINT
  Value(Context context);                          // NOLINT
  static Value Number(std::int64_t v) { return Value(Decimal::FromInt(v)); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }

  // Accessors; each requires the matching kind().
  bool boolean() const { return *std::get_if<bool>(&data_); }
  const Decimal& number() const { return *std::get_if<Decimal>(&data_); }
  const std::string& string() const { return *std::get_if<std::string>(&data_); }
  Date date() const { return *std::get_if<Date>(&data_); }
  DateTime date_time() const { return *std::get_if<DateTime>(&data_); }
  DaysTimeDuration days_time() const { return *std::get_if<DaysTimeDuration>(&data_); }
  YearsMonthsDuration years_months() const { return *std::get_if<YearsMonthsDuration>(&data_); }
  const List& list() const { return **std::get_if<std::shared_ptr<const List>>(&data_); }
  const Context& context() const { return **std::get_if<std::shared_ptr<const Context>>(&data_); }

  // Structural equality: numbers by value, lists and contexts deeply, a local
  // date-time never equal to one with an offset.
  friend bool operator==(const Value& a, const Value& b);

 private:
  std::variant<std::monostate, bool, Decimal, std::string, Date, DateTime, DaysTimeDuration,
               YearsMonthsDuration, std::shared_ptr<const List>, std::shared_ptr<const Context>>
      data_;
};

// An ordered map from names to values: FEEL contexts and the variables an
// expression reads. Later Put of an existing name replaces it in place.
class Context {
 public:
  using Entry = std::pair<std::string, Value>;
  Context() = default;
  Context(std::initializer_list<Entry> entries);

  const Value* Find(std::string_view name) const;
  void Put(std::string name, Value value);
  const std::vector<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  friend bool operator==(const Context&, const Context&) = default;

 private:
  std::vector<Entry> entries_;
};

// "number", "string", "date and time", "days and time duration", ...
std::string_view KindName(Value::Kind kind);

// The text FEEL's string() gives: strings as they are, numbers in plain
// notation, temporal values in ISO 8601, lists and contexts as FEEL literals.
std::string ToText(const Value& v);
// Like ToText, but strings are quoted: for messages and debugging.
std::string ToDebugString(const Value& v);

// ISO 8601 readers and writers for the temporal kinds; nullopt when invalid.
std::optional<Date> ParseDate(std::string_view text);  // "2026-12-01"
// "2026-12-01T10:00:00", fraction optional, then "Z", "+08:00" or "@Asia/Shanghai".
std::optional<DateTime> ParseDateTime(std::string_view text);
// "P3D", "PT2H30M", "-P1DT0.5S" → days-time; "P1Y2M" → years-months.
std::optional<Value> ParseDuration(std::string_view text);
std::string FormatDate(Date d);
std::string FormatDateTime(const DateTime& d);
std::string FormatDuration(DaysTimeDuration d);
std::string FormatDuration(YearsMonthsDuration d);

// Civil-calendar helpers shared by the evaluator.
struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
CivilDate ToCivil(Date d);
std::optional<Date> FromCivil(int year, unsigned month, unsigned day);  // nullopt if invalid
// The wall clock of a date-time (offset applied) as micros since the epoch.
Timestamp WallClock(const DateTime& d);

// JSON numbers become exact decimals, objects contexts (key order kept),
// arrays lists. Nesting deeper than 64 is Error::InvalidArgument.
Result<Value> FromJson(const json::Json& j);
// Numbers become integers when integral and in range, doubles otherwise;
// temporal values become ISO strings.
json::Json ToJson(const Value& v);

}  // namespace xietong::feel
