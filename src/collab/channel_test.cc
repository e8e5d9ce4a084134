// Message text limits, mentions and cursors.
#include "collab/channel.h"

#include <gtest/gtest.h>

namespace xietong::collab {
namespace {

TEST(ChannelRules, ChecksTheText) {
  EXPECT_TRUE(CheckMessageText("收到，马上处理"));
  EXPECT_EQ(CheckMessageText("").error().reason, "empty");
  EXPECT_EQ(CheckMessageText(" \n").error().reason, "empty");
  EXPECT_EQ(CheckMessageText(std::string(kMaxMessageBytes + 1, 'a')).error().code,
            ErrorCode::kTooLarge);
  EXPECT_TRUE(CheckMessageText(std::string(kMaxMessageBytes, 'a')));
  EXPECT_EQ(CheckMessageText(std::string("ok \xe4\xb8", 5)).error().reason, "invalid_utf8");
  EXPECT_EQ(CheckMessageText("a\x01").error().reason, "invalid");
}

TEST(ChannelRules, ParsesMentions) {
  EXPECT_EQ(ParseMentions("@zhang.wei 请和 @li-na 对接，抄送 @zhang.wei。"),
            (std::vector<std::string>{"zhang.wei", "li-na"}));
  EXPECT_EQ(ParseMentions("mail me at wang@example.org"), std::vector<std::string>{});
  EXPECT_EQ(ParseMentions("@ab is too short, @Upper is not a username"),
            std::vector<std::string>{});
  EXPECT_EQ(ParseMentions("see @zhao."), (std::vector<std::string>{"zhao"}));
  EXPECT_EQ(ParseMentions("@"), std::vector<std::string>{});
}

TEST(ChannelRules, CursorsRoundTripAndRefuseOthers) {
  const Cursor c{.after = false, .seq = 42};
  auto back = DecodeCursor(EncodeCursor(c));
  ASSERT_TRUE(back && *back);
  EXPECT_FALSE((*back)->after);
  EXPECT_EQ((*back)->seq, 42);
  EXPECT_FALSE(DecodeCursor("").value());
  for (const char* bad : {"x1", "a", "a-1", "a1x", "b99999999999999999999999"})
    EXPECT_EQ(DecodeCursor(bad).error().field, "cursor") << bad;
}

TEST(ChannelRules, DirectKeysDoNotDependOnWhoOpens) {
  EXPECT_EQ(DirectKey("b", "a"), DirectKey("a", "b"));
  EXPECT_EQ(DirectKey("a", "b"), "a:b");
}

}  // namespace
}  // namespace xietong::collab
