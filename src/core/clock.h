// Clock: the only source of "now" in xietong. Domain code takes a Clock& or a
// Timestamp argument and never reads the wall clock itself, so tests control
// time with ManualClock. Timestamps are UTC microseconds since the Unix epoch.
// SystemClock is stateless; ManualClock is thread-safe (atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace xietong {

using Timestamp = std::int64_t;  // UTC microseconds since 1970-01-01T00:00:00Z

constexpr Timestamp kMicrosPerSecond = 1'000'000;
constexpr Timestamp kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr Timestamp kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr Timestamp kMicrosPerDay = 24 * kMicrosPerHour;
// Asia/Shanghai has had no daylight saving since 1991: a fixed +08:00 offset.
constexpr Timestamp kShanghaiOffset = 8 * kMicrosPerHour;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  Timestamp Now() const override { return now_.load(); }
  void Set(Timestamp t) { now_.store(t); }
  void Advance(Timestamp delta) { now_.fetch_add(delta); }

 private:
  std::atomic<Timestamp> now_;
};

// RFC 3339 with the +08:00 offset, e.g. "2026-11-23T17:05:09.123456+08:00"
// (microseconds only when non-zero).
std::string FormatRfc3339(Timestamp t);
// RFC 3339 in UTC with "Z", as the audit chain records time.
std::string FormatRfc3339Utc(Timestamp t);
// Parses RFC 3339 with "Z" or a numeric offset, fractional seconds optional.
Result<Timestamp> ParseRfc3339(std::string_view text);

}  // namespace xietong
