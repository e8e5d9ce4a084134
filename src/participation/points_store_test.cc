// The ledger's SQL on both backends: postings move both sides and their
// entries, the conditional debit never lets a holder go below 0 (also under
// concurrent posts from two handles), claims and capped usage count once,
// rules and settings, and no statement changes a posting or an entry.
#include "participation/points_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "participation/rule_store.h"
#include "participation/schema.h"
#include "storage/testing.h"

namespace xietong::participation::store {
namespace {

using storage::testing::TestDatabase;

class PointsStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = storage::ApplySchemas(t_->db(), {&Schema()}, 0);
    ASSERT_TRUE(applied) << applied.error().message;
  }
  storage::Database& db() { return t_->db(); }

  Result<Posting> PostOne(std::string id, PostingKind kind, std::string debit, std::string credit,
                          std::int64_t amount, storage::Database* on = nullptr) {
    PostingInput in{.id = std::move(id),
                    .kind = kind,
                    .debit = std::move(debit),
                    .credit = std::move(credit),
                    .amount = amount,
                    .unit_id = "U1",
                    .memo = "test",
                    .actor = "system"};
    if (kind == PostingKind::kReversal) in.reverses = "X";
    auto decided = DecidePosting(in);
    if (!decided) return Fail(decided.error());
    return (on ? *on : db()).Write([&](storage::Executor& ex) { return Post(ex, *decided, 1000); });
  }
  std::int64_t Count(std::string_view table) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row,
                          ex.QueryOne(std::string("SELECT COUNT(*) FROM ") + std::string(table)));
      return row->Int(0);
    });
    return n ? *n : -1;
  }
  Account AccountOf(std::string_view id) {
    auto a = db().Read([&](storage::Executor& ex) { return FindAccount(ex, id); });
    EXPECT_TRUE(a && *a) << id;
    return a && *a ? **a : Account{};
  }

  std::unique_ptr<TestDatabase> t_;
};

TEST_P(PointsStoreTest, APostingMovesBothSidesWithItsEntriesAndEvent) {
  auto p = PostOne("P1", PostingKind::kAward, "issuer:U1", "person:A1", 30);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->debit_balance_after, -30);
  EXPECT_EQ(p->credit_balance_after, 30);
  EXPECT_GT(p->audit_seq, 0);
  EXPECT_EQ(AccountOf("person:A1").balance, 30);
  EXPECT_EQ(AccountOf("person:A1").lifetime_earned, 30);
  EXPECT_EQ(AccountOf("issuer:U1").balance, -30);
  EXPECT_EQ(Count("points_entries"), 2);
  auto stored = db().Read([&](storage::Executor& ex) { return FindPosting(ex, "P1"); });
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->amount, 30);
  EXPECT_EQ((*stored)->credit_balance_after, 30);
  EXPECT_EQ((*stored)->audit_seq, p->audit_seq);
  EXPECT_FALSE((*stored)->reversed_by);
  auto events = db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, "P1"); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "points.posted");
}

TEST_P(PointsStoreTest, AHolderNeverGoesBelowZeroAndARefusalLeavesNothing) {
  ASSERT_TRUE(PostOne("P1", PostingKind::kAward, "issuer:U1", "person:A1", 100));
  const auto events_before = Count("audit_events");
  auto r = PostOne("P2", PostingKind::kRedemption, "person:A1", "pool:U1", 120);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().reason, "insufficient_points");
  EXPECT_NE(r.error().message.find("100"), std::string::npos);
  // A holder that never had points.
  r = PostOne("P3", PostingKind::kRedemption, "person:NOBODY", "pool:U1", 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "insufficient_points");
  EXPECT_EQ(Count("points_postings"), 1);
  EXPECT_EQ(Count("points_entries"), 2);
  EXPECT_EQ(Count("audit_events"), events_before);
  EXPECT_EQ(AccountOf("person:A1").balance, 100);
  auto ok = PostOne("P4", PostingKind::kRedemption, "person:A1", "pool:U1", 100);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->debit_balance_after, 0);
  EXPECT_EQ(AccountOf("person:A1").lifetime_earned, 100);  // spending keeps lifetime
  auto check = db().Read([&](storage::Executor& ex) { return CheckLedger(ex, ""); });
  ASSERT_TRUE(check);
  EXPECT_EQ(check->sum_of_balances, 0);
  EXPECT_EQ(check->postings, 2);
  EXPECT_TRUE(check->mismatched.empty());
}

TEST_P(PointsStoreTest, ConcurrentDebitsOfOneBalanceNeverOverdraw) {
  ASSERT_TRUE(PostOne("P0", PostingKind::kAward, "issuer:U1", "person:A1", 100));
  auto other = t_->OpenAnother();  // a second node on the same database
  ASSERT_NE(other, nullptr);
  std::atomic<int> ok{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto r = PostOne("R" + std::to_string(i), PostingKind::kRedemption, "person:A1", "pool:U1",
                       30, i % 2 ? other.get() : nullptr);
      if (r)
        ++ok;
      else if (r.error().reason == "insufficient_points")
        ++refused;
      else
        ++failed;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(AccountOf("person:A1").balance, 10);
  EXPECT_EQ(AccountOf("pool:U1").balance, 90);
  auto check = db().Read([&](storage::Executor& ex) { return CheckLedger(ex, ""); });
  ASSERT_TRUE(check);
  EXPECT_EQ(check->sum_of_balances, 0);
  EXPECT_TRUE(check->mismatched.empty());
}

TEST_P(PointsStoreTest, ClaimsAndCappedUsageCountOnce) {
  auto claim = [&] {
    return db().Write([&](storage::Executor& ex) {
      return Claim(ex, "report_verified", "REP1", "person:A1", 5, "RULE1", 1000);
    });
  };
  EXPECT_EQ(claim(), true);
  EXPECT_EQ(claim(), false);
  auto use = [&](std::int64_t points) {
    return db().Write([&](storage::Executor& ex) {
      return UseWithinCap(ex, "person:A1", "RULE1", "d20261123", points, 60);
    });
  };
  EXPECT_EQ(use(20), true);
  EXPECT_EQ(use(40), true);   // exactly at the cap
  EXPECT_EQ(use(1), false);   // over it: unchanged
  EXPECT_EQ(use(61), false);  // bigger than the cap on its own
  auto bump = [&] {
    return db().Write(
        [&](storage::Executor& ex) { return Bump(ex, "person:A1", "*", "h2026112310", 5); });
  };
  EXPECT_EQ(bump(), 1);
  EXPECT_EQ(bump(), 2);
  ASSERT_TRUE(db().Write(
      [&](storage::Executor& ex) { return Unuse(ex, "person:A1", "RULE1", "d20261123", 40); }));
  EXPECT_EQ(use(40), true);
}

TEST_P(PointsStoreTest, RulesOneActivePerUnitAndTriggerAndMatchedByTime) {
  Rule r{.id = "R1",
         .unit_id = "S1",
         .unit_path = "/C/D/S1/",
         .unit_name = "望湖街道",
         .trigger = Trigger::kReportVerified,
         .title = "应急信息核实",
         .points = 20,
         .daily_cap = 60,
         .monthly_cap = 300,
         .valid_from = 100,
         .created_by = "L",
         .created_at = 100};
  ASSERT_TRUE(db().Write([&](storage::Executor& ex) { return InsertRule(ex, r); }));
  auto again = r;
  again.id = "R2";
  auto dup = db().Write([&](storage::Executor& ex) { return InsertRule(ex, again); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().reason, "rule_exists");
  std::vector<std::string> units = {"C1", "S1", "D"};
  auto at = db().Read(
      [&](storage::Executor& ex) { return RulesAt(ex, Trigger::kReportVerified, units, 150); });
  ASSERT_TRUE(at);
  ASSERT_EQ(at->size(), 1u);
  EXPECT_EQ((*at)[0].title, "应急信息核实");
  auto retired = r;
  retired.status = "retired";
  retired.valid_until = 200;
  retired.retired_by = "L";
  retired.retire_reason = "x";
  retired.version = 2;
  EXPECT_EQ(db().Write([&](storage::Executor& ex) { return RetireRule(ex, retired); }), true);
  EXPECT_EQ(db().Write([&](storage::Executor& ex) { return RetireRule(ex, retired); }), false);
  at = db().Read(
      [&](storage::Executor& ex) { return RulesAt(ex, Trigger::kReportVerified, units, 250); });
  ASSERT_TRUE(at);
  EXPECT_TRUE(at->empty());
  // Now a second rule may be active.
  ASSERT_TRUE(db().Write([&](storage::Executor& ex) { return InsertRule(ex, again); }));
  const std::string paths[] = {"/C/D/"};
  auto list = db().Read([&](storage::Executor& ex) { return ListRules(ex, paths, {}, ""); });
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
}

TEST_P(PointsStoreTest, SettingsDefaultInheritAndCompareAndSet) {
  const std::string units[] = {"C1", "S1"};
  auto s = db().Read([&](storage::Executor& ex) { return SettingsFor(ex, units); });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->support_threshold, 10);
  EXPECT_EQ(s->version, 0);
  auto street = DefaultSettings();
  street.unit_id = "S1";
  street.support_threshold = 4;
  EXPECT_EQ(db().Write([&](storage::Executor& ex) { return SaveSettings(ex, street, 0); }), true);
  EXPECT_EQ(db().Write([&](storage::Executor& ex) { return SaveSettings(ex, street, 0); }), false);
  s = db().Read([&](storage::Executor& ex) { return SettingsFor(ex, units); });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->support_threshold, 4);  // inherited from the street
  EXPECT_EQ(s->unit_id, "C1");
  EXPECT_EQ(s->version, 0);
  street.support_threshold = 5;
  EXPECT_EQ(db().Write([&](storage::Executor& ex) { return SaveSettings(ex, street, 1); }), true);
  EXPECT_EQ(db().Write([&](storage::Executor& ex) { return SaveSettings(ex, street, 1); }), false);
  s = db().Read([&](storage::Executor& ex) { return SettingsFor(ex, "S1"); });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->support_threshold, 5);
  EXPECT_EQ(s->version, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, PointsStoreTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

TEST(PointsStoreSourceTest, NoStatementChangesAPostingOrAnEntry) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "points_store.cc";
  std::ifstream f(path);
  ASSERT_TRUE(f) << path;
  std::stringstream text;
  text << f.rdbuf();
  const std::regex changes(R"((UPDATE|DELETE\s+FROM)\s+points_(postings|entries))",
                           std::regex::icase);
  EXPECT_FALSE(std::regex_search(text.str(), changes));
}

}  // namespace
}  // namespace xietong::participation::store
