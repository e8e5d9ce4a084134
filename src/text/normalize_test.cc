#include "text/normalize.h"

#include <gtest/gtest.h>

#include "text/utf8.h"

namespace xietong::text {
namespace {

class TextNormalizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Open();
    ASSERT_TRUE(n) << n.error().message;
    normalizer_ = *n;
  }
  std::string N(std::string_view raw) {
    auto r = normalizer_->Normalize(raw);
    return r ? r->text : "error: " + r.error().message;
  }
  std::shared_ptr<const Normalizer> normalizer_;
};

TEST_F(TextNormalizeTest, FullWidthBecomesHalfWidthAndLatinLowerCase) {
  EXPECT_EQ(N("ＡＢＣａｂｃ１２３"), "abcabc123");
  EXPECT_EQ(N("Ａ市Ｂ１区"), "a市b1区");
  EXPECT_EQ(N("ＸＹＺ＠ｍａｉｌ．ｃｏｍ"), "xyz@mail.com");
}

TEST_F(TextNormalizeTest, TraditionalBecomesSimplified) {
  EXPECT_EQ(N("國家機關辦事效率"), "国家机关办事效率");
  EXPECT_EQ(N("噪音擾民，請儘快處理"), "噪音扰民,请尽快处理");
  EXPECT_EQ(N("简体字不变"), "简体字不变");
  EXPECT_EQ(N("简体里夹着一个體字"), "简体里夹着一个体字");  // one traditional character is enough
}

TEST_F(TextNormalizeTest, PunctuationFoldsToOneFormAndRepeatsSqueeze) {
  EXPECT_EQ(N("你好，世界！！！"), "你好,世界!");
  EXPECT_EQ(N("“路灯”坏了。。。"), "\"路灯\"坏了.");
  EXPECT_EQ(N("（一）【通知】《办法》"), "(一)[通知]<办法>");
  EXPECT_EQ(N("等等……"), "等等.");
  EXPECT_EQ(N("问题：什么时候？"), "问题:什么时候?");
}

TEST_F(TextNormalizeTest, WhitespaceFoldsToOneSpaceAndIsTrimmed) {
  EXPECT_EQ(N("  路灯 \t\r\n\n 不亮　　了  "), "路灯 不亮 了");
  EXPECT_EQ(N("零\u200B宽\uFEFF字符"), "零宽字符");
  EXPECT_EQ(N(""), "");
  EXPECT_EQ(N(" \t\n　"), "");
}

TEST_F(TextNormalizeTest, MixedScriptsKeepEveryScript) {
  EXPECT_EQ(N("WiFi信号 Привет 😀 안녕"), "wifi信号 Привет 😀 안녕");
}

TEST_F(TextNormalizeTest, InvalidUtf8IsRejectedNamingTheByte) {
  for (std::string_view bad :
       {std::string_view("ab\xff"), std::string_view("\xc0\xaf"), std::string_view("路\xe4\xb8"),
        std::string_view("\xed\xa0\x80"), std::string_view("\xf4\x90\x80\x80")}) {
    auto r = normalizer_->Normalize(bad);
    ASSERT_FALSE(r) << "accepted " << bad.size() << " bytes";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("UTF-8"), std::string::npos) << r.error().message;
  }
  auto r = normalizer_->Normalize("路灯\xff");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("at byte 6"), std::string::npos) << r.error().message;
}

TEST_F(TextNormalizeTest, LongTextIsCappedAndSaysSo) {
  std::string long_text;
  for (int i = 0; i < 15000; ++i) long_text += "路";
  auto r = normalizer_->Normalize(long_text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(DecodeUtf8(r->text)->size(), kMaxTextCodePoints);
  auto short_text = normalizer_->Normalize("路灯");
  ASSERT_TRUE(short_text);
  EXPECT_FALSE(short_text->truncated);
}

TEST_F(TextNormalizeTest, HugeInputIsRefusedBeforeWork) {
  auto r = normalizer_->Normalize(std::string(kMaxInputBytes + 1, 'a'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(r.error().message.find("10000"), std::string::npos) << r.error().message;
}

TEST(TextNormalizer, MissingOpenCcConfigurationIsAClearError) {
  auto n = Normalizer::Open("/nonexistent/opencc");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(n.error().message.find("t2s.json"), std::string::npos) << n.error().message;
}

TEST(TextUtf8, RoundTripsEveryPlane) {
  const std::string s = "a é 路 😀";
  auto cps = DecodeUtf8(s);
  ASSERT_TRUE(cps);
  EXPECT_EQ(cps->size(), 7u);
  EXPECT_EQ(EncodeUtf8(*cps), s);
}

}  // namespace
}  // namespace xietong::text
