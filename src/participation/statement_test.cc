// The statement's signature (statement.h): a round trip verifies; a flipped
// byte, another key, an expired statement or another format do not; and a
// checkpoint-style signature by the same key is no statement signature
// (domain separation), nor a statement signature a checkpoint's.
#include "participation/statement.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/signing_key.h"
#include "storage/testing.h"

namespace xietong::participation {
namespace {

constexpr Timestamp kNow = 1'795'399'200'000'000;  // 2026-11-23 10:00 +08:00

class StatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = storage::testing::MakeTempDir();
    auto a = audit::SigningKey::LoadOrCreate(dir_ + "/a.key");
    auto b = audit::SigningKey::LoadOrCreate(dir_ + "/b.key");
    ASSERT_TRUE(a && b);
    a_.emplace(std::move(*a));
    b_.emplace(std::move(*b));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Statement(Timestamp valid_until) {
    json::Json st = {{"format", kStatementFormat},
                     {"statement_id", "S1"},
                     {"valid_until", FormatRfc3339(valid_until)},
                     {"holder", {{"account_id", "person:A1"}, {"display_name", "林晓"}}},
                     {"balance", 230}};
    return st.dump();
  }
  std::string Signed(const audit::SigningKey& k, const std::string& text) {
    return StatementEnvelope(text, k.PublicKeyHex(), k.Sign(StatementMessage(text)));
  }

  std::string dir_;
  std::optional<audit::SigningKey> a_, b_;
};

TEST_F(StatementTest, ARoundTripVerifiesAndSaysWhoAndWhat) {
  const auto text = Statement(kNow + kMicrosPerDay);
  auto c = VerifyStatement(Signed(*a_, text), a_->PublicKeyHex(), kNow);
  EXPECT_TRUE(c.valid) << c.problem;
  EXPECT_EQ(c.problem, "");
  EXPECT_EQ(c.statement_id, "S1");
  EXPECT_EQ(c.holder, "person:A1");
  EXPECT_EQ(c.holder_name, "林晓");
  EXPECT_EQ(c.balance, 230);
  EXPECT_EQ(c.digest, StatementDigest(text));
  EXPECT_EQ(c.digest.size(), 64u);
  // Trusting whatever key the file names only proves it is intact.
  EXPECT_TRUE(VerifyStatement(Signed(*a_, text), "", kNow).valid);
}

TEST_F(StatementTest, AFlippedByteAnotherKeyOrExpiryFail) {
  const auto text = Statement(kNow + kMicrosPerDay);
  auto env = json::Json::parse(Signed(*a_, text));
  auto tampered = env;
  std::string st = tampered["statement"];
  st[st.find("230")] = '9';
  tampered["statement"] = st;
  EXPECT_EQ(VerifyStatement(tampered.dump(), a_->PublicKeyHex(), kNow).problem,
            "the signature does not verify");
  auto bad_sig = env;
  std::string sig = bad_sig["signature"];
  sig[0] = sig[0] == '0' ? '1' : '0';
  bad_sig["signature"] = sig;
  EXPECT_EQ(VerifyStatement(bad_sig.dump(), a_->PublicKeyHex(), kNow).problem,
            "the signature does not verify");
  EXPECT_EQ(VerifyStatement(Signed(*b_, text), a_->PublicKeyHex(), kNow).problem,
            "signed by another key");
  // Signed by b but claiming a's key.
  auto claimed = json::Json::parse(Signed(*b_, text));
  claimed["public_key"] = a_->PublicKeyHex();
  EXPECT_EQ(VerifyStatement(claimed.dump(), a_->PublicKeyHex(), kNow).problem,
            "the signature does not verify");
  auto late = VerifyStatement(Signed(*a_, text), a_->PublicKeyHex(), kNow + 2 * kMicrosPerDay);
  EXPECT_FALSE(late.valid);
  EXPECT_EQ(late.problem.rfind("expired on ", 0), 0u) << late.problem;
  for (const std::string junk : {"", "[]", "{}", R"({"format":"xietong-points-statement/2"})"})
    EXPECT_EQ(VerifyStatement(junk, a_->PublicKeyHex(), kNow).problem, "not a points statement");
}

TEST_F(StatementTest, SignaturesAreDomainSeparatedFromCheckpoints) {
  const auto text = Statement(kNow + kMicrosPerDay);
  // A signature over the bare text (no prefix), or under the checkpoint's
  // prefix, is not a statement signature.
  for (const std::string& msg : {text, "xietong audit checkpoint\n" + text}) {
    auto env = StatementEnvelope(text, a_->PublicKeyHex(), a_->Sign(msg));
    EXPECT_EQ(VerifyStatement(env, a_->PublicKeyHex(), kNow).problem,
              "the signature does not verify");
  }
  // And a statement's signature never verifies as a checkpoint's message.
  const auto sig = a_->Sign(StatementMessage(text));
  EXPECT_FALSE(
      audit::VerifySignature(a_->PublicKeyHex(), "xietong audit checkpoint\n" + text, sig));
  EXPECT_TRUE(StatementMessage(text).starts_with("xietong points statement\n"));
}

}  // namespace
}  // namespace xietong::participation
