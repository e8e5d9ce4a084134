#include "core/clock.h"

#include <fmt/core.h>

#include <charconv>
#include <chrono>

namespace xietong {
namespace {

std::string Format(Timestamp t, Timestamp offset, std::string_view zone) {
  const Timestamp local = t + offset;
  Timestamp days = local / kMicrosPerDay;
  Timestamp rem = local % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  const auto secs = rem / kMicrosPerSecond;
  const auto micros = rem % kMicrosPerSecond;
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                  secs / 60 % 60, secs % 60);
  if (micros != 0) out += fmt::format(".{:06}", micros);
  out += zone;
  return out;
}

bool ParseInt(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Timestamp SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatRfc3339(Timestamp t) { return Format(t, kShanghaiOffset, "+08:00"); }
std::string FormatRfc3339Utc(Timestamp t) { return Format(t, 0, "Z"); }

Result<Timestamp> ParseRfc3339(std::string_view text) {
  auto bad = [&] {
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' is not an RFC 3339 time such as 2026-11-23T09:30:00+08:00", text)));
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
    return bad();
  int y, mo, d, h, mi, s;
  if (!ParseInt(text.substr(0, 4), y) || !ParseInt(text.substr(5, 2), mo) ||
      !ParseInt(text.substr(8, 2), d) || !ParseInt(text.substr(11, 2), h) ||
      !ParseInt(text.substr(14, 2), mi) || !ParseInt(text.substr(17, 2), s))
    return bad();
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                        std::chrono::day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  std::size_t pos = 19;
  Timestamp micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  Timestamp offset = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh, om;
    if (!ParseInt(zone.substr(1, 2), oh) || !ParseInt(zone.substr(4, 2), om) || oh > 23 || om > 59)
      return bad();
    offset = (oh * kMicrosPerHour + om * kMicrosPerMinute) * (zone[0] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  const Timestamp days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return days * kMicrosPerDay + h * kMicrosPerHour + mi * kMicrosPerMinute + s * kMicrosPerSecond +
         micros - offset;
}

}  // namespace xietong
