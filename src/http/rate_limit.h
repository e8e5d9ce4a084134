// A token bucket per key (a client address, an account) for public endpoints:
// each key may spend `burst` requests at once and earns `rate_per_second`
// back, up to `burst`. Memory is bounded: at most `max_keys` buckets are kept
// (split over shards); when a shard is full its least recently used bucket is
// forgotten — that key then starts again with a full bucket, which only a
// client that was idle while max_keys others were busy can gain from.
// Time is passed in (microseconds), so tests control it. Thread-safe: each
// shard has its own mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace xietong::http {

struct RateLimitOptions {
  double rate_per_second = 0.2;  // tokens earned back per second (here: 12 a minute)
  double burst = 20;             // the bucket's size: what an idle key may spend at once
  std::size_t max_keys = 100000;
};

struct RateDecision {
  bool allowed = false;
  // When refused: whole seconds until one token is back (at least 1), as a
  // Retry-After header says it. 0 when allowed.
  std::int64_t retry_after_seconds = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options = {});
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Spends one token of key's bucket at `now` when there is one.
  RateDecision Take(std::string_view key, Timestamp now);
  // Buckets held now (for tests and metrics).
  std::size_t size() const;
  const RateLimitOptions& options() const { return options_; }

 private:
  static constexpr std::size_t kShards = 16;
  struct Bucket {
    std::string key;
    double tokens = 0;
    Timestamp at = 0;  // when tokens was last brought up to date
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Bucket> lru;  // GUARDED_BY(mutex): most recently used first
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> by_key;  // GUARDED_BY(mutex)
  };

  const RateLimitOptions options_;
  const std::size_t per_shard_;
  std::vector<Shard> shards_;
};

}  // namespace xietong::http
