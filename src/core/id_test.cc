#include "core/id.h"

#include <gtest/gtest.h>

#include <set>

namespace xietong {
namespace {

TEST(Id, IsTimeOrderedEvenWithinOneMillisecond) {
  ManualClock clock(1'700'000'000'000'000);
  IdGenerator gen(clock);
  std::string prev = gen.Next();
  for (int i = 0; i < 10000; ++i) {
    if (i % 1000 == 0) clock.Advance(1000);
    std::string next = gen.Next();
    ASSERT_TRUE(IsValidId(next)) << next;
    ASSERT_LT(prev, next);
    prev = next;
  }
}

TEST(Id, TwoGeneratorsDoNotCollide) {
  ManualClock clock(1'700'000'000'000'000);
  IdGenerator a(clock), b(clock);
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(seen.insert(a.Next()).second);
    ASSERT_TRUE(seen.insert(b.Next()).second);
  }
}

TEST(Id, RejectsMalformed) {
  EXPECT_FALSE(IsValidId("short"));
  EXPECT_FALSE(IsValidId("01ARZ3NDEKTSV4RRFFQ69G5FAI"));  // 'I' is not Crockford
  EXPECT_TRUE(IsValidId("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
}

}  // namespace
}  // namespace xietong
