// Globally unique, time-ordered identifiers.
//
// An Id is 26 characters of Crockford base32 (ULID layout): 48 bits of
// milliseconds since the epoch, then 80 bits that are random per
// millisecond and incremented within it, so ids from one generator sort in
// creation order and ids from several server nodes never collide in practice.
// No database sequence is involved, so two nodes can write at once.
// IdGenerator is thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace xietong {

class IdGenerator {
 public:
  explicit IdGenerator(const Clock& clock) : clock_(clock) {}
  std::string Next();

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::int64_t last_ms_ = -1;  // GUARDED_BY(mutex_)
  std::uint64_t rand_hi_ = 0;  // GUARDED_BY(mutex_): top 16 of the 80 random bits
  std::uint64_t rand_lo_ = 0;  // GUARDED_BY(mutex_): low 64 of the 80 random bits
};

// True when text has the shape of an Id (26 Crockford base32 characters).
bool IsValidId(std::string_view text);

}  // namespace xietong
