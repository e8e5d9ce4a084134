// The module's schema applies on both backends, after everything it needs,
// and a second run applies nothing.
#include "participation/schema.h"

#include <gtest/gtest.h>

#include "storage/testing.h"

namespace xietong::participation {
namespace {

class SchemaTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SchemaTest, AppliesOnceOnAFreshDatabase) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  auto first = storage::ApplySchemas(t->db(), {&Schema()}, 0);
  ASSERT_TRUE(first) << first.error().message;
  auto second = storage::ApplySchemas(t->db(), {&Schema()}, 0);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*second, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaTest, ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace xietong::participation
