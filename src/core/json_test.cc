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

TEST(Json, ANumberBeyondADoubleIsRefusedNamingItsField) {
  auto r = ParseObject(R"({"title":"x","limit":1e400})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "field 'limit' holds a number too large to use");
  auto nested = ParseObject(R"({"a":{"b":[-1e999]}})");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("'b'"), std::string::npos);
}

TEST(Json, InvisibleAndDirectionCharactersAreRefused) {
  // NUL, a bell, DEL, a right-to-left override (U+202E) and an isolate (U+2066).
  for (const char* body :
       {R"({"name":"a\u0000b"})", R"({"name":"a\u0007"})", "{\"name\":\"a\x7F\"}",
        "{\"name\":\"invoice\xE2\x80\xAEgpj.exe\"}", "{\"name\":\"\xE2\x81\xA6x\"}"}) {
    auto obj = ParseObject(body);
    ASSERT_TRUE(obj) << body;
    auto name = RequireString(*obj, "name");
    ASSERT_FALSE(name) << body;
    EXPECT_NE(name.error().message.find("field 'name' contains the invisible character U+"),
              std::string::npos)
        << name.error().message;
  }
  auto rlo = *ParseObject("{\"name\":\"\xE2\x80\xAE\"}");
  EXPECT_NE(RequireString(rlo, "name").error().message.find("U+202E"), std::string::npos);
  // Tabs and line breaks, and ordinary Chinese punctuation, stay.
  auto fine = *ParseObject(R"({"text":"第一行\n第二行\t（完）——“好”"})");
  EXPECT_TRUE(RequireString(fine, "text"));
}

}  // namespace
}  // namespace xietong::json
