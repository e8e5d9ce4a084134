#include "http/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace xietong::http {

RateLimiter::RateLimiter(RateLimitOptions options)
    : options_(options),
      per_shard_(std::max<std::size_t>(1, (options.max_keys + kShards - 1) / kShards)),
      shards_(kShards) {}

RateDecision RateLimiter::Take(std::string_view key, Timestamp now) {
  Shard& s = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(s.mutex);
  auto it = s.by_key.find(key);
  if (it == s.by_key.end()) {
    if (s.lru.size() >= per_shard_) {  // forget the least recently used key
      s.by_key.erase(s.lru.back().key);
      s.lru.pop_back();
    }
    s.lru.push_front({std::string(key), options_.burst, now});
    it = s.by_key.emplace(s.lru.front().key, s.lru.begin()).first;
  } else {
    s.lru.splice(s.lru.begin(), s.lru, it->second);  // the list node (and its key) stays put
  }
  Bucket& b = *it->second;
  if (now > b.at) {
    const double earned = static_cast<double>(now - b.at) / 1e6 * options_.rate_per_second;
    b.tokens = std::min(options_.burst, b.tokens + earned);
    b.at = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {true, 0};
  }
  const double wait = options_.rate_per_second > 0
                          ? (1.0 - b.tokens) / options_.rate_per_second
                          : 24.0 * 3600;  // a key that never earns tokens back: tomorrow
  return {false, std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)))};
}

std::size_t RateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.lru.size();
  }
  return n;
}

}  // namespace xietong::http
