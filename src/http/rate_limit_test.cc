#include "http/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace xietong::http {
namespace {

constexpr Timestamp kSecond = 1'000'000;

TEST(RateLimiterTest, AnIdleKeySpendsItsBurstThenWaitsForTokens) {
  RateLimiter limiter({.rate_per_second = 0.5, .burst = 3, .max_keys = 100});
  const Timestamp t0 = 1000 * kSecond;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("1.2.3.4", t0).allowed) << i;
  RateDecision refused = limiter.Take("1.2.3.4", t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 2);  // one token every two seconds
  // Another address is not affected.
  EXPECT_TRUE(limiter.Take("5.6.7.8", t0).allowed);
  // After 1 s half a token is back: still refused, retry in 1 s.
  refused = limiter.Take("1.2.3.4", t0 + kSecond);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 1);
  EXPECT_TRUE(limiter.Take("1.2.3.4", t0 + 2 * kSecond).allowed);
  EXPECT_FALSE(limiter.Take("1.2.3.4", t0 + 2 * kSecond).allowed);
}

TEST(RateLimiterTest, TokensNeverExceedTheBurst) {
  RateLimiter limiter({.rate_per_second = 10, .burst = 2, .max_keys = 100});
  EXPECT_TRUE(limiter.Take("k", 0).allowed);
  // An hour idle earns back only the bucket's size.
  const Timestamp later = 3600 * kSecond;
  EXPECT_TRUE(limiter.Take("k", later).allowed);
  EXPECT_TRUE(limiter.Take("k", later).allowed);
  EXPECT_FALSE(limiter.Take("k", later).allowed);
}

TEST(RateLimiterTest, AClockGoingBackwardsEarnsNothing) {
  RateLimiter limiter({.rate_per_second = 1, .burst = 1, .max_keys = 100});
  EXPECT_TRUE(limiter.Take("k", 10 * kSecond).allowed);
  EXPECT_FALSE(limiter.Take("k", 5 * kSecond).allowed);
  EXPECT_FALSE(limiter.Take("k", 10 * kSecond).allowed);
  EXPECT_TRUE(limiter.Take("k", 11 * kSecond).allowed);
}

TEST(RateLimiterTest, MemoryIsBoundedByForgettingTheLeastRecentlyUsedKey) {
  RateLimiter limiter({.rate_per_second = 0.001, .burst = 1, .max_keys = 16 * 4});
  for (int i = 0; i < 10000; ++i) limiter.Take("addr-" + std::to_string(i), kSecond);
  EXPECT_LE(limiter.size(), 16u * 4);
  EXPECT_GT(limiter.size(), 0u);
  // A key used just now is kept (and stays refused) while others come and go
  // in other shards; the most recent key is never the one forgotten.
  EXPECT_FALSE(limiter.Take("addr-9999", kSecond).allowed);
}

TEST(RateLimiterTest, ConcurrentTakersNeverSpendMoreThanTheBucket) {
  RateLimiter limiter({.rate_per_second = 0, .burst = 100, .max_keys = 1000});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (limiter.Take("shared", kSecond).allowed) ++allowed;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 100);
  const RateDecision r = limiter.Take("shared", kSecond);
  EXPECT_FALSE(r.allowed);
  EXPECT_GE(r.retry_after_seconds, 1);
}

}  // namespace
}  // namespace xietong::http
