#include "collab/notify.h"

#include <gtest/gtest.h>

namespace xietong::collab {
namespace {

TEST(NotifyTest, WebhookUrlsAreHttpsOrThisMachine) {
  EXPECT_TRUE(CheckWebhookUrl("https://oapi.dingtalk.com/robot/send?access_token=abc"));
  EXPECT_TRUE(CheckWebhookUrl("https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=k"));
  EXPECT_TRUE(CheckWebhookUrl("http://127.0.0.1:9000/hook"));
  EXPECT_TRUE(CheckWebhookUrl("http://localhost/hook"));
  EXPECT_TRUE(CheckWebhookUrl("http://[::1]:8080/"));
  for (const char* bad :
       {"", "ftp://example.com/", "http://example.com/hook", "http://127.0.0.1.example.com/",
        "https://user:pw@example.com/", "https://example.com/a b", "https://example.com/#x",
        "https://:443/", "https://example.com:x/", "javascript:alert(1)", "https://例子.com/"}) {
    auto r = CheckWebhookUrl(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(CheckWebhookUrl("https://example.com/" + std::string(kMaxWebhookUrl, 'a')));
}

TEST(NotifyTest, KindsAreKnownAndEachOnce) {
  auto k = CheckKinds({"reminder", "directive", "reminder"});
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (std::vector<std::string>{"directive", "reminder"}));
  EXPECT_FALSE(CheckKinds({"directive", "everything"}));
  auto forms = CheckKinds({"report_overdue", "report_form"});
  ASSERT_TRUE(forms);
  EXPECT_EQ(*forms, (std::vector<std::string>{"report_form", "report_overdue"}));
  EXPECT_EQ(NotifyKindName(NotifyKind::kReportOverdue), "report_overdue");
  EXPECT_EQ(std::size(kNotifyKinds), 7u);
  Webhook w;
  EXPECT_TRUE(Wants(w, NotifyKind::kMention));  // none named: every kind
  w.kinds = {"directive"};
  EXPECT_TRUE(Wants(w, NotifyKind::kDirective));
  EXPECT_FALSE(Wants(w, NotifyKind::kMention));
  for (auto kind : kNotifyKinds) EXPECT_EQ(ParseNotifyKind(NotifyKindName(kind)), kind);
}

TEST(NotifyTest, SecretsArePrintableAndLongEnough) {
  EXPECT_TRUE(CheckSecret("0123456789abcdef"));
  EXPECT_FALSE(CheckSecret("short"));
  EXPECT_FALSE(CheckSecret("0123456789abcdef with spaces"));
  EXPECT_FALSE(CheckSecret(std::string(kMaxSecret + 1, 'x')));
}

TEST(NotifyTest, RetriesBackOffToAnHour) {
  const Timestamp now = 1'000 * kMicrosPerSecond;
  EXPECT_EQ(NextAttempt(1, now), now + 30 * kMicrosPerSecond);
  EXPECT_EQ(NextAttempt(2, now), now + 60 * kMicrosPerSecond);
  EXPECT_EQ(NextAttempt(3, now), now + 120 * kMicrosPerSecond);
  EXPECT_EQ(NextAttempt(20, now), now + kMicrosPerHour);
}

// The receiving side recomputes HMAC-SHA256(secret, "<timestamp>.<body>")
// (this value from Python's hmac module).
TEST(NotifyTest, DeliveriesAreSignedWithHmacSha256) {
  EXPECT_EQ(SignDelivery("0123456789abcdef", 1'700'000'000, R"({"kind":"directive"})"),
            "sha256=26b06f6b0dc6cd7070981318cf1e96b4467c2521352c4f46a4c01e113d7cc4b0");
}

TEST(NotifyTest, ExcerptsCutWholeCharacters) {
  EXPECT_EQ(Excerpt("关于做好防汛工作的通知", 4), "关于做好…");
  EXPECT_EQ(Excerpt("short", 10), "short");
  EXPECT_EQ(Excerpt("abc", 3), "abc");
}

}  // namespace
}  // namespace xietong::collab
