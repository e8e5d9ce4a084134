// The ledger's pure rules: account ids, what a posting may be, reversals,
// levels and badges, settings validation.
#include "participation/ledger.h"

#include <gtest/gtest.h>

#include "participation/levels.h"
#include "participation/settings.h"

namespace xietong::participation {
namespace {

PostingInput Award(std::int64_t amount) {
  return {.id = "p1",
          .kind = PostingKind::kAward,
          .debit = "issuer:U1",
          .credit = "person:A1",
          .amount = amount,
          .unit_id = "U1",
          .memo = "应急信息核实"};
}

TEST(LedgerTest, AccountIdsRoundTrip) {
  EXPECT_EQ(PersonAccount("A1"), "person:A1");
  EXPECT_EQ(IssuerAccount("U1"), "issuer:U1");
  EXPECT_EQ(PoolAccount("U1"), "pool:U1");
  auto p = ParseAccountId("organisation:U9");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, AccountKind::kOrganisation);
  EXPECT_EQ(p->owner_id, "U9");
  for (auto bad : {"A1", "person:", "bank:A1", "person:a:b", ":A1", "person:a b"}) {
    auto r = ParseAccountId(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().reason, "invalid") << bad;
  }
}

TEST(LedgerTest, AnAwardAddsToTheHoldersLifetime) {
  auto r = DecidePosting(Award(20));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->credit_lifetime, 20);
  EXPECT_EQ(r->debit_lifetime, 0);
}

TEST(LedgerTest, RefusesNonPositiveAmountsAndOneAccount) {
  for (std::int64_t a : {0, -5}) {
    auto r = DecidePosting(Award(a));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, "not_positive");
  }
  auto same = Award(5);
  same.credit = "issuer:U1";
  auto r = DecidePosting(same);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "same_account");
  auto to_issuer = Award(5);
  to_issuer.credit = "issuer:U2";
  r = DecidePosting(to_issuer);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "not_holder");
  auto long_memo = Award(5);
  long_memo.memo = std::string(201, 'x');
  EXPECT_FALSE(DecidePosting(long_memo));
}

Posting Stored(PostingKind kind) {
  Posting p;
  p.id = "P1";
  p.kind = kind;
  p.debit = "issuer:U1";
  p.credit = "person:A1";
  p.amount = 30;
  p.unit_id = "U1";
  p.trigger = "report_verified";
  return p;
}

TEST(LedgerTest, AReversalMirrorsTheOriginalAndTakesBackLifetime) {
  auto r = DecideReversal(Stored(PostingKind::kAward), "误发冲正");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, PostingKind::kReversal);
  EXPECT_EQ(r->debit, "person:A1");
  EXPECT_EQ(r->credit, "issuer:U1");
  EXPECT_EQ(r->amount, 30);
  EXPECT_EQ(r->reverses, "P1");
  EXPECT_EQ(r->debit_lifetime, -30);
  EXPECT_EQ(r->credit_lifetime, 0);
  EXPECT_EQ(r->memo, "误发冲正");
}

TEST(LedgerTest, NeverReversesACorrectionOrTwice) {
  for (auto k : {PostingKind::kReversal, PostingKind::kRefund, PostingKind::kRedemption}) {
    auto r = DecideReversal(Stored(k), "x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
    EXPECT_EQ(r.error().reason, "not_reversible");
  }
  auto twice = Stored(PostingKind::kManual);
  twice.reversed_by = "P2";
  auto r = DecideReversal(twice, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "already_reversed");
  auto no_reason = DecideReversal(Stored(PostingKind::kManual), "");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().reason, "required");
}

TEST(LevelsTest, LevelsByLifetimePoints) {
  EXPECT_EQ(LevelOf(-5).code, "sprout");
  EXPECT_EQ(LevelOf(0).next_at, 100);
  EXPECT_EQ(LevelOf(99).code, "sprout");
  EXPECT_EQ(LevelOf(100).code, "active");
  EXPECT_EQ(LevelOf(100).name_zh, "热心");
  EXPECT_EQ(LevelOf(100).next_at, 500);
  EXPECT_EQ(LevelOf(2000).code, "exemplar");
  EXPECT_EQ(LevelOf(2000).next_at, 0);
}

TEST(LevelsTest, BadgesFromCounts) {
  std::map<std::string, std::int64_t, std::less<>> counts{{"report_verified", 2},
                                                          {"proposal_accepted", 1}};
  auto b = BadgesOf(counts);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].code, "idea");
  counts["report_verified"] = 3;
  EXPECT_EQ(BadgesOf(counts).size(), 2u);
}

TEST(SettingsTest, DefaultsAreValidAndRangesChecked) {
  auto d = DefaultSettings();
  EXPECT_EQ(d.support_threshold, 10);
  EXPECT_EQ(d.support_days, 60);
  EXPECT_EQ(d.velocity_per_hour, 10);
  EXPECT_EQ(d.velocity_per_day, 30);
  EXPECT_EQ(d.same_decider_per_month, 8);
  EXPECT_EQ(d.manual_award_max, 200);
  EXPECT_TRUE(ValidateSettings(d));
  d.support_threshold = 0;
  auto r = ValidateSettings(d);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "support_threshold");
  d = DefaultSettings();
  d.velocity_per_day = 5;
  EXPECT_FALSE(ValidateSettings(d));
}

}  // namespace
}  // namespace xietong::participation
