#include "core/json.h"

#include <gtest/gtest.h>

namespace xietong::json {
namespace {

TEST(Json, RejectsInvalidUtf8AndNamesTheField) {
  std::string body = "{\"username\":\"ab\xff\"}";
  auto r = ParseObject(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("'username'"), std::string::npos) << r.error().message;
}

TEST(Json, FindsOverlongAndSurrogateEncodings) {
  EXPECT_EQ(FindInvalidUtf8("ok 中文"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);       // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("a\xED\xA0\x80"), 1u);  // UTF-16 surrogate
  EXPECT_EQ(FindInvalidUtf8("ab\xE4\xB8"), 2u);     // truncated
}

TEST(Json, MalformedJsonSaysWhere) {
  auto r = ParseObject("{\"a\": 1,}");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(ParseObject("[1,2]"));
  EXPECT_FALSE(ParseObject(""));
}

TEST(Json, TypedFieldsNameWhatIsWrong) {
  auto obj = *ParseObject(R"({"name":"张三","age":"ten","empty":"","flag":1})");
  EXPECT_EQ(*RequireString(obj, "name"), "张三");
  auto age = RequireInt(obj, "age");
  ASSERT_FALSE(age);
  EXPECT_EQ(age.error().message, "field 'age' must be an integer");
  auto missing = RequireString(obj, "phone");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "field 'phone' is required");
  EXPECT_FALSE(RequireString(obj, "empty"));
  EXPECT_FALSE(OptionalBool(obj, "flag"));
  auto too_long = RequireString(obj, "name", {.min_chars = 1, .max_chars = 1});
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("2 characters"), std::string::npos);
}

}  // namespace
}  // namespace xietong::json
