#include "workflow/feel_value.h"

#include <fmt/core.h>

#include <chrono>
#include <limits>

namespace xietong::feel {
namespace {

constexpr int kMaxJsonDepth = 64;

// Reads exactly `width` decimal digits at `pos`.
std::optional<int> Digits(std::string_view s, std::size_t pos, std::size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

std::string FormatFraction(std::int64_t micros) {
  if (micros == 0) return "";
  std::string f = fmt::format(".{:06}", micros);
  while (f.back() == '0') f.pop_back();
  return f;
}

std::string FormatOffset(std::int32_t offset) {
  if (offset == 0) return "Z";
  const char sign = offset < 0 ? '-' : '+';
  const std::int32_t a = offset < 0 ? -offset : offset;
  std::string out = fmt::format("{}{:02}:{:02}", sign, a / 3600, a / 60 % 60);
  if (a % 60 != 0) out += fmt::format(":{:02}", a % 60);
  return out;
}

void AppendDebug(const Value& v, std::string& out);

void AppendText(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kBoolean:
      out += v.boolean() ? "true" : "false";
      return;
    case Value::Kind::kNumber:
      out += v.number().ToString();
      return;
    case Value::Kind::kString:
      out += v.string();
      return;
    case Value::Kind::kDate:
      out += FormatDate(v.date());
      return;
    case Value::Kind::kDateTime:
      out += FormatDateTime(v.date_time());
      return;
    case Value::Kind::kDaysTimeDuration:
      out += FormatDuration(v.days_time());
      return;
    case Value::Kind::kYearsMonthsDuration:
      out += FormatDuration(v.years_months());
      return;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const Value& item : v.list()) {
        if (!first) out += ", ";
        first = false;
        AppendDebug(item, out);
      }
      out += ']';
      return;
    }
    case Value::Kind::kContext: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.context().entries()) {
        if (!first) out += ", ";
        first = false;
        out += key;
        out += ": ";
        AppendDebug(item, out);
      }
      out += '}';
      return;
    }
  }
}

void AppendDebug(const Value& v, std::string& out) {
  if (v.kind() != Value::Kind::kString) {
    AppendText(v, out);
    return;
  }
  out += '"';
  for (const char ch : v.string()) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '"';
}

Result<Value> FromJsonAt(const json::Json& j, int depth) {
  if (depth > kMaxJsonDepth) {
    return Fail(Error::InvalidArgument(
        fmt::format("variables are nested deeper than {} levels", kMaxJsonDepth)));
  }
  switch (j.type()) {
    case json::Json::value_t::null:
    case json::Json::value_t::discarded:
      return Value();
    case json::Json::value_t::boolean:
      return Value(j.get<bool>());
    case json::Json::value_t::number_integer:
      return Value::Number(j.get<std::int64_t>());
    case json::Json::value_t::number_unsigned: {
      auto d = Decimal::Parse(std::to_string(j.get<std::uint64_t>()));
      return Value(*d);  // at most 20 digits: always in range
    }
    case json::Json::value_t::number_float: {
      auto d = Decimal::FromDouble(j.get<double>());
      if (!d) return Fail(Error::InvalidArgument("a JSON number is not finite"));
      return Value(*d);
    }
    case json::Json::value_t::string:
      return Value(j.get<std::string>());
    case json::Json::value_t::array: {
      List list;
      list.reserve(j.size());
      for (const auto& item : j) {
        XT_ASSIGN_OR_RETURN(Value v, FromJsonAt(item, depth + 1));
        list.push_back(std::move(v));
      }
      return Value(std::move(list));
    }
    case json::Json::value_t::object: {
      Context context;
      for (const auto& [key, item] : j.items()) {
        XT_ASSIGN_OR_RETURN(Value v, FromJsonAt(item, depth + 1));
        context.Put(key, std::move(v));
      }
      return Value(std::move(context));
    }
    case json::Json::value_t::binary:
      return Fail(Error::InvalidArgument("binary JSON values cannot be FEEL values"));
  }
  return Value();
}

}  // namespace

Value::Value(List list) : data_(std::make_shared<const List>(std::move(list))) {}
Value::Value(Context context) : data_(std::make_shared<const Context>(std::move(context))) {}

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kBoolean:
      return a.boolean() == b.boolean();
    case Value::Kind::kNumber:
      return a.number() == b.number();
    case Value::Kind::kString:
      return a.string() == b.string();
    case Value::Kind::kDate:
      return a.date() == b.date();
    case Value::Kind::kDateTime:
      return a.date_time().micros == b.date_time().micros &&
             a.date_time().offset_seconds.has_value() == b.date_time().offset_seconds.has_value();
    case Value::Kind::kDaysTimeDuration:
      return a.days_time() == b.days_time();
    case Value::Kind::kYearsMonthsDuration:
      return a.years_months() == b.years_months();
    case Value::Kind::kList:
      return a.list() == b.list();
    case Value::Kind::kContext:
      return a.context() == b.context();
  }
  return false;
}

Context::Context(std::initializer_list<Entry> entries) {
  for (const auto& [key, value] : entries) Put(key, value);
}

const Value* Context::Find(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Context::Put(std::string name, Value value) {
  for (auto& [key, existing] : entries_) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(name), std::move(value));
}

std::string_view KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBoolean:
      return "boolean";
    case Value::Kind::kNumber:
      return "number";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kDate:
      return "date";
    case Value::Kind::kDateTime:
      return "date and time";
    case Value::Kind::kDaysTimeDuration:
      return "days and time duration";
    case Value::Kind::kYearsMonthsDuration:
      return "years and months duration";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kContext:
      return "context";
  }
  return "unknown";
}

std::string ToText(const Value& v) {
  std::string out;
  AppendText(v, out);
  return out;
}

std::string ToDebugString(const Value& v) {
  std::string out;
  AppendDebug(v, out);
  return out;
}

CivilDate ToCivil(Date d) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d.days}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

std::optional<Date> FromCivil(int year, unsigned month, unsigned day) {
  if (year < 1 || year > 9999) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  if (!ymd.ok()) return std::nullopt;
  return Date{std::chrono::sys_days{ymd}.time_since_epoch().count()};
}

Timestamp WallClock(const DateTime& d) {
  return d.micros + d.offset_seconds.value_or(0) * kMicrosPerSecond;
}

std::optional<Date> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = Digits(text, 0, 4);
  const auto m = Digits(text, 5, 2);
  const auto d = Digits(text, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  return FromCivil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
}

std::optional<DateTime> ParseDateTime(std::string_view text) {
  if (text.size() < 16 || text[10] != 'T' || text[13] != ':') return std::nullopt;
  const auto date = ParseDate(text.substr(0, 10));
  const auto hour = Digits(text, 11, 2);
  const auto minute = Digits(text, 14, 2);
  if (!date || !hour || !minute || *hour > 23 || *minute > 59) return std::nullopt;
  std::size_t pos = 16;
  int second = 0;
  std::int64_t fraction = 0;
  if (pos < text.size() && text[pos] == ':') {
    const auto s = Digits(text, pos + 1, 2);
    if (!s || *s > 59) return std::nullopt;
    second = *s;
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      std::int64_t scale = 100000;
      const std::size_t start = pos;
      for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
        fraction += (text[pos] - '0') * scale;
        scale /= 10;
        if (pos - start >= 9) return std::nullopt;
      }
      if (pos == start) return std::nullopt;
    }
  }
  DateTime result;
  result.micros = date->days * kMicrosPerDay + *hour * kMicrosPerHour + *minute * kMicrosPerMinute +
                  second * kMicrosPerSecond + fraction;
  const std::string_view zone = text.substr(pos);
  if (zone.empty()) return result;
  std::int32_t offset = 0;
  if (zone == "Z" || zone == "@UTC" || zone == "@Etc/UTC" || zone == "@Z") {
    offset = 0;
  } else if (zone == "@Asia/Shanghai" || zone == "@PRC") {
    offset = 8 * 3600;  // no daylight saving since 1991
  } else if ((zone[0] == '+' || zone[0] == '-') && (zone.size() == 6 || zone.size() == 9) &&
             zone[3] == ':') {
    const auto h = Digits(zone, 1, 2);
    const auto m = Digits(zone, 4, 2);
    std::optional<int> s = 0;
    if (zone.size() == 9) s = zone[6] == ':' ? Digits(zone, 7, 2) : std::nullopt;
    if (!h || !m || !s || *h > 18 || *m > 59 || *s > 59) return std::nullopt;
    offset = *h * 3600 + *m * 60 + *s;
    if (zone[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  result.offset_seconds = offset;
  result.micros -= offset * kMicrosPerSecond;
  return result;
}

std::optional<Value> ParseDuration(std::string_view text) {
  std::size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  if (pos >= text.size() || text[pos] != 'P') return std::nullopt;
  ++pos;
  bool in_time = false;
  bool any = false;
  bool years_months = false;
  bool days_time = false;
  std::int64_t months = 0;
  Int128 micros = 0;
  std::string_view order = "YMD";  // designators still allowed, in order
  while (pos < text.size()) {
    if (text[pos] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      order = "HMS";
      ++pos;
      if (pos == text.size()) return std::nullopt;
      continue;
    }
    std::int64_t whole = 0;
    std::int64_t fraction = 0;
    const std::size_t start = pos;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      whole = whole * 10 + (text[pos] - '0');
      if (whole > 1'000'000'000'000LL) return std::nullopt;
    }
    if (pos == start) return std::nullopt;
    bool has_fraction = false;
    if (pos < text.size() && text[pos] == '.') {
      has_fraction = true;
      ++pos;
      std::int64_t scale = 100000;
      const std::size_t fstart = pos;
      for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
        fraction += (text[pos] - '0') * scale;
        scale /= 10;
        if (pos - fstart >= 9) return std::nullopt;
      }
      if (pos == fstart) return std::nullopt;
    }
    if (pos == text.size()) return std::nullopt;
    const char unit = text[pos++];
    const std::size_t at = order.find(unit);
    if (at == std::string_view::npos) return std::nullopt;
    order = order.substr(at + 1);
    if (has_fraction && !(in_time && unit == 'S')) return std::nullopt;
    any = true;
    if (!in_time && unit == 'Y') {
      months += whole * 12;
      years_months = true;
    } else if (!in_time && unit == 'M') {
      months += whole;
      years_months = true;
    } else if (!in_time && unit == 'D') {
      micros += static_cast<Int128>(whole) * kMicrosPerDay;
      days_time = true;
    } else if (unit == 'H') {
      micros += static_cast<Int128>(whole) * kMicrosPerHour;
      days_time = true;
    } else if (unit == 'M') {
      micros += static_cast<Int128>(whole) * kMicrosPerMinute;
      days_time = true;
    } else {
      micros += static_cast<Int128>(whole) * kMicrosPerSecond + fraction;
      days_time = true;
    }
  }
  if (!any || (years_months && days_time)) return std::nullopt;
  if (years_months) return Value(YearsMonthsDuration{negative ? -months : months});
  if (micros > std::numeric_limits<std::int64_t>::max() / 2) return std::nullopt;
  const auto m = static_cast<std::int64_t>(micros);
  return Value(DaysTimeDuration{negative ? -m : m});
}

std::string FormatDate(Date d) {
  const CivilDate c = ToCivil(d);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string FormatDateTime(const DateTime& d) {
  const Timestamp wall = WallClock(d);
  std::int64_t days = wall / kMicrosPerDay;
  Timestamp rest = wall % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  std::string out =
      fmt::format("{}T{:02}:{:02}:{:02}{}", FormatDate(Date{days}), rest / kMicrosPerHour,
                  rest / kMicrosPerMinute % 60, rest / kMicrosPerSecond % 60,
                  FormatFraction(rest % kMicrosPerSecond));
  if (d.offset_seconds) out += FormatOffset(*d.offset_seconds);
  return out;
}

std::string FormatDuration(DaysTimeDuration d) {
  std::string out = d.micros < 0 ? "-P" : "P";
  const std::uint64_t a = d.micros < 0 ? static_cast<std::uint64_t>(-(d.micros + 1)) + 1
                                       : static_cast<std::uint64_t>(d.micros);
  const std::uint64_t day = static_cast<std::uint64_t>(kMicrosPerDay);
  const std::uint64_t days = a / day;
  const std::uint64_t rest = a % day;
  if (days > 0) out += fmt::format("{}D", days);
  if (rest > 0 || days == 0) {
    out += 'T';
    const std::uint64_t h = rest / static_cast<std::uint64_t>(kMicrosPerHour);
    const std::uint64_t m = rest / static_cast<std::uint64_t>(kMicrosPerMinute) % 60;
    const std::uint64_t us = rest % static_cast<std::uint64_t>(kMicrosPerMinute);
    if (h > 0) out += fmt::format("{}H", h);
    if (m > 0) out += fmt::format("{}M", m);
    if (us > 0 || (h == 0 && m == 0)) {
      out += fmt::format("{}{}S", us / 1000000,
                         FormatFraction(static_cast<std::int64_t>(us % 1000000)));
    }
  }
  return out;
}

std::string FormatDuration(YearsMonthsDuration d) {
  const std::int64_t a = d.months < 0 ? -d.months : d.months;
  std::string out = d.months < 0 ? "-P" : "P";
  if (a / 12 > 0) out += fmt::format("{}Y", a / 12);
  if (a % 12 > 0 || a == 0) out += fmt::format("{}M", a % 12);
  return out;
}

Result<Value> FromJson(const json::Json& j) { return FromJsonAt(j, 0); }

json::Json ToJson(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kBoolean:
      return v.boolean();
    case Value::Kind::kNumber:
      if (const auto i = v.number().ToInt64()) return *i;
      return v.number().ToDouble();
    case Value::Kind::kString:
      return v.string();
    case Value::Kind::kDate:
    case Value::Kind::kDateTime:
    case Value::Kind::kDaysTimeDuration:
    case Value::Kind::kYearsMonthsDuration:
      return ToText(v);
    case Value::Kind::kList: {
      json::Json out = json::Json::array();
      for (const Value& item : v.list()) out.push_back(ToJson(item));
      return out;
    }
    case Value::Kind::kContext: {
      json::Json out = json::Json::object();
      for (const auto& [key, item] : v.context().entries()) out[key] = ToJson(item);
      return out;
    }
  }
  return nullptr;
}

}  // namespace xietong::feel
