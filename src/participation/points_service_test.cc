// PointsService on both backends: rules (one active per unit and trigger, no
// unknown trigger, points.manage only), manual awards (never to oneself or
// one's household, at most the manual maximum, idempotent), reversals (never
// twice, never of a reversal), who reads an account, and the awards reaction:
// one posting per (trigger, subject, earner) even across consumers, nodes and
// a reopened request; caps at Asia/Shanghai midnight; holds for self-dealing,
// households and velocity; the trial balance stays 0.
#include "participation/points_service.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "audit/consumer.h"
#include "participation/points_store.h"
#include "participation/schema.h"
#include "storage/testing.h"

namespace xietong::participation {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00

class PointsServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
    dir_ = storage::testing::MakeTempDir();
    auto key = audit::SigningKey::LoadOrCreate(dir_ + "/instance.key");
    ASSERT_TRUE(key) << key.error().message;
    key_.emplace(std::move(*key));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    points_ = std::make_unique<PointsService>(t_->db(), clock_, ids_, *identity_, *key_);
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
    street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "望湖街道");
    community_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区");
    other_street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-02", "柳巷街道");
    lead_ = Person("street.lead", street_, Role::kUnitLead);
    handler_ = Person("street.handler", community_, Role::kHandler);
    other_lead_ = Person("other.lead", other_street_, Role::kUnitLead);
    resident_ = Person("resident", community_, Role::kResident);
    neighbour_ = Person("hupan01", community_, Role::kResident);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }
  Principal Person(std::string username, const OrgUnit& unit, Role role) {
    identity::NewAccount in;
    in.username = username;
    in.display_name = "用户" + username;
    in.password = "correct horse 12";
    in.unit_id = unit.id;
    in.role = role;
    if (role == Role::kResident) in.kind = identity::AccountKind::kResident;
    auto a = identity_->CreateAccount(Principal::System(), in);
    EXPECT_TRUE(a) << a.error().message;
    Principal p;
    p.account_id = a->id;
    p.username = a->username;
    p.display_name = a->display_name;
    p.kind = a->kind;
    p.memberships = a->memberships;
    return p;
  }
  Rule MakeRule(const OrgUnit& unit, std::string trigger, std::int64_t points,
                std::int64_t daily = 60, std::int64_t monthly = 300) {
    auto r = points_->CreateRule(Principal::System(), {.unit_id = unit.id,
                                                       .trigger = std::move(trigger),
                                                       .title = "应急信息核实",
                                                       .points = points,
                                                       .daily_cap = daily,
                                                       .monthly_cap = monthly,
                                                       .valid_from = kNow - 30 * kMicrosPerDay});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(Rule{});
  }
  // A verified web report in the street, as emergency emits it.
  audit::Event Verified(std::string report, const Principal& reporter, const Principal& verifier,
                        Timestamp at) {
    static std::int64_t seq = 1000;
    json::Json p = {{"incident_id", "I1"},
                    {"verdict", "verified"},
                    {"duplicate_of", ""},
                    {"note", ""},
                    {"need_id", ""},
                    {"reporter_id", reporter.account_id},
                    {"unit_path", street_.path}};
    return {.seq = ++seq,
            .at = at,
            .actor = verifier.account_id,
            .action = "emergency.report.verified",
            .subject = std::move(report),
            .payload = p.dump(),
            .prev_hash = "",
            .hash = ""};
  }
  Result<void> Handle(const audit::Event& e, storage::Database* db = nullptr) {
    return (db ? *db : t_->db()).Write([&](storage::Executor& ex) {
      return points_->OnEvent(ex, e);
    });
  }
  std::int64_t Balance(const Principal& p) {
    auto a = points_->GetAccount(Principal::System(), PersonAccount(p.account_id));
    EXPECT_TRUE(a) << a.error().message;
    return a ? a->account.balance : -1;
  }
  std::int64_t Count(std::string_view sql) {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql));
      return row ? row->Int(0) : 0;
    });
    return n ? *n : -1;
  }
  void SameHousehold(const Principal& a, const Principal& b) {
    ASSERT_TRUE(t_->db().Write([&](storage::Executor& ex) -> Result<void> {
      for (const auto* p : {&a, &b})
        XT_TRY_VOID(
            ex.Exec("INSERT INTO points_household_members (account_id, household_id,"
                    " relation, added_by, added_at) VALUES (?, 'H1', '配偶', 'system', 0)",
                    {p->account_id}));
      return {};
    }));
  }
  void ExpectLedgerBalanced() {
    auto check = points_->CheckLedger(Principal::System(), "");
    ASSERT_TRUE(check) << check.error().message;
    EXPECT_EQ(check->sum_of_balances, 0);
    EXPECT_TRUE(check->mismatched.empty());
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::string dir_;
  ManualClock clock_{kNow};
  IdGenerator ids_{clock_};
  std::optional<audit::SigningKey> key_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<PointsService> points_;
  OrgUnit city_, district_, street_, community_, other_street_;
  Principal lead_, handler_, other_lead_, resident_, neighbour_;
};

TEST_P(PointsServiceTest, RulesAreOnePerUnitAndTriggerAndOnlyKnownTriggers) {
  NewRule in{.unit_id = street_.id,
             .trigger = "report_verified",
             .title = "应急信息核实",
             .points = 20,
             .daily_cap = 60,
             .monthly_cap = 300};
  auto r = points_->CreateRule(lead_, in);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->unit_name, "望湖街道");
  EXPECT_EQ(r->valid_from, kNow);
  auto again = points_->CreateRule(lead_, in);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().reason, "rule_exists");
  auto bad = in;
  bad.trigger = "satisfied_callback";
  auto unknown = points_->CreateRule(lead_, bad);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().reason, "unknown_trigger");
  auto past = in;
  past.trigger = "volunteer_hour";
  past.valid_from = kNow - kMicrosPerDay;
  EXPECT_EQ(points_->CreateRule(lead_, past).error().reason, "in_past");
  auto outsider = points_->CreateRule(other_lead_, in);
  ASSERT_FALSE(outsider);
  EXPECT_EQ(outsider.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(points_->CreateRule(handler_, in).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_rules"), 1);

  // Residents read the active rules over their community; staff read theirs.
  auto mine = points_->Rules(resident_, {});
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_EQ(mine->size(), 1u);
  auto theirs = points_->Rules(other_lead_, {});
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(theirs->empty());

  clock_.Advance(kMicrosPerHour);
  auto retired = points_->RetireRule(lead_, r->id, "规则调整");
  ASSERT_TRUE(retired) << retired.error().message;
  EXPECT_EQ(retired->status, "retired");
  EXPECT_EQ(retired->valid_until, kNow + kMicrosPerHour);
  EXPECT_EQ(points_->RetireRule(lead_, r->id, "again").error().code, ErrorCode::kConflict);
  // A new rule may start once the old one has ended.
  EXPECT_TRUE(points_->CreateRule(lead_, in));
}

TEST_P(PointsServiceTest, ManualAwardsNeverToOneselfOrOnesHousehold) {
  auto self = points_->Award(
      lead_, {.unit_id = street_.id, .account_id = "me", .amount = 50, .memo = "社区表彰"});
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(self.error().reason, "self_dealing");
  SameHousehold(lead_, neighbour_);
  auto spouse = points_->Award(lead_, {.unit_id = street_.id,
                                       .account_id = neighbour_.account_id,
                                       .amount = 50,
                                       .memo = "社区表彰"});
  ASSERT_FALSE(spouse);
  EXPECT_EQ(spouse.error().reason, "self_dealing");
  auto over = points_->Award(lead_, {.unit_id = street_.id,
                                     .account_id = resident_.account_id,
                                     .amount = 201,
                                     .memo = "社区表彰"});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().reason, "over_manual_max");
  auto no_memo = points_->Award(
      lead_, {.unit_id = street_.id, .account_id = resident_.account_id, .amount = 5});
  EXPECT_EQ(no_memo.error().reason, "required");
  auto not_staff = points_->Award(
      handler_,
      {.unit_id = street_.id, .account_id = resident_.account_id, .amount = 5, .memo = "x"});
  EXPECT_EQ(not_staff.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.posted'"), 0);

  ManualAward ok{.unit_id = street_.id,
                 .account_id = resident_.account_id,
                 .amount = 100,
                 .memo = "社区表彰",
                 .idempotency_key = "k1"};
  auto first = points_->Award(lead_, ok);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->kind, PostingKind::kManual);
  EXPECT_EQ(first->credit_balance_after, 100);
  auto replay = points_->Award(lead_, ok);
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_EQ(replay->id, first->id);
  auto reused = ok;
  reused.amount = 99;
  EXPECT_EQ(points_->Award(lead_, reused).error().reason, "already_used");
  EXPECT_EQ(Balance(resident_), 100);
  auto acc = points_->GetAccount(resident_, "me");
  ASSERT_TRUE(acc) << acc.error().message;
  EXPECT_EQ(acc->account.lifetime_earned, 100);
  EXPECT_EQ(acc->level.code, "active");
  EXPECT_EQ(acc->owner_name, "用户resident");
  ASSERT_EQ(acc->postings.items.size(), 1u);
  EXPECT_EQ(acc->postings.items[0].amount, 100);
  EXPECT_EQ(acc->postings.items[0].counterparty, IssuerAccount(street_.id));
  ExpectLedgerBalanced();
}

TEST_P(PointsServiceTest, ReversalsNeverTwiceNorOfAReversal) {
  auto award = points_->Award(lead_, {.unit_id = street_.id,
                                      .account_id = resident_.account_id,
                                      .amount = 100,
                                      .memo = "社区表彰"});
  ASSERT_TRUE(award);
  auto rev = points_->Reverse(lead_, award->id, "误发冲正");
  ASSERT_TRUE(rev) << rev.error().message;
  EXPECT_EQ(rev->kind, PostingKind::kReversal);
  EXPECT_EQ(rev->reverses, award->id);
  EXPECT_EQ(Balance(resident_), 0);
  auto twice = points_->Reverse(lead_, award->id, "again");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().reason, "already_reversed");
  auto of_reversal = points_->Reverse(lead_, rev->id, "again");
  ASSERT_FALSE(of_reversal);
  EXPECT_EQ(of_reversal.error().reason, "not_reversible");
  EXPECT_EQ(points_->Reverse(other_lead_, award->id, "x").error().code,
            ErrorCode::kPermissionDenied);
  auto acc = points_->GetAccount(resident_, "me");
  ASSERT_TRUE(acc);
  EXPECT_EQ(acc->account.lifetime_earned, 0);
  ASSERT_EQ(acc->postings.items.size(), 2u);
  EXPECT_EQ(acc->postings.items[1].reversed_by, rev->id);
  auto posting = points_->GetPosting(resident_, award->id);
  ASSERT_TRUE(posting);
  EXPECT_EQ(posting->reversed_by, rev->id);
  ExpectLedgerBalanced();
}

TEST_P(PointsServiceTest, ConcurrentReversalsOfOnePostingReverseItOnce) {
  auto award = points_->Award(lead_, {.unit_id = street_.id,
                                      .account_id = resident_.account_id,
                                      .amount = 100,
                                      .memo = "社区表彰"});
  ASSERT_TRUE(award);
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&] {
      auto r = points_->Reverse(lead_, award->id, "误发冲正");
      if (r)
        ++ok;
      else if (r.error().code == ErrorCode::kConflict)
        ++refused;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(Balance(resident_), 0);
  ExpectLedgerBalanced();
}

TEST_P(PointsServiceTest, WhoReadsAnAccount) {
  ASSERT_TRUE(points_->Award(
      lead_,
      {.unit_id = street_.id, .account_id = resident_.account_id, .amount = 10, .memo = "x"}));
  EXPECT_TRUE(points_->GetAccount(resident_, "me"));
  EXPECT_TRUE(points_->GetAccount(handler_, resident_.account_id));  // staff of the community
  EXPECT_TRUE(points_->GetAccount(lead_, PersonAccount(resident_.account_id)));
  auto stranger = points_->GetAccount(other_lead_, resident_.account_id);
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(points_->GetAccount(neighbour_, resident_.account_id).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(points_->GetAccount(resident_, "bank:x").error().reason, "invalid");
}

TEST_P(PointsServiceTest, AnEventEarnsOnceWhateverHandlesIt) {
  MakeRule(street_, "report_verified", 20);
  const auto e = Verified("REP1", resident_, lead_, kNow);
  ASSERT_TRUE(Handle(e));
  ASSERT_TRUE(Handle(e));  // a replay, a renamed consumer, another node
  EXPECT_EQ(Balance(resident_), 20);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings"), 1);
  // Through two real consumers with different names on the real chain.
  ASSERT_TRUE(t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    json::Json p = json::Json::parse(Verified("REP2", resident_, lead_, kNow).payload);
    XT_TRY_VOID(
        audit::Append(ex, kNow, {lead_.account_id, "emergency.report.verified", "REP2", p}));
    return {};
  }));
  for (auto name : {"participation.emergency", "participation.emergency.old"}) {
    audit::Consumer c(
        t_->db(), clock_, "n1", {.name = name, .action_prefix = "emergency.report.verified"},
        [&](storage::Executor& ex, const audit::Event& ev) { return points_->OnEvent(ex, ev); });
    ASSERT_TRUE(c.CatchUp());
  }
  EXPECT_EQ(Balance(resident_), 40);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_claims"), 2);
  auto acc = points_->GetAccount(resident_, "me");
  ASSERT_TRUE(acc);
  ASSERT_EQ(acc->postings.items.size(), 2u);
  EXPECT_EQ(acc->postings.items[0].trigger, "report_verified");
  EXPECT_EQ(acc->postings.items[0].memo, "应急信息核实");
  ExpectLedgerBalanced();
}

// PostBatch (benches, imports) posts all of a batch with its events in one
// transaction across the 500-row statements, or nothing; Balance reads the
// account row for its readers only.
// Badges count each trigger's awards only as far as a badge needs (3 verified
// reports make 应急哨兵), and awards of other triggers none.
TEST_P(PointsServiceTest, BadgesComeFromAwardCountsPerTrigger) {
  const auto awards = [&](std::string trigger, int n) {
    std::vector<PostingInput> batch;
    for (int i = 0; i < n; ++i)
      batch.push_back({.kind = PostingKind::kAward,
                       .debit = IssuerAccount(street_.id),
                       .credit = PersonAccount(resident_.account_id),
                       .amount = 1,
                       .unit_id = street_.id,
                       .trigger = trigger,
                       .memo = "徽章"});
    auto posted = points_->PostBatch(batch);
    EXPECT_TRUE(posted) << posted.error().message;
  };
  const auto badges = [&] {
    auto a = points_->GetAccount(Principal::System(), PersonAccount(resident_.account_id));
    EXPECT_TRUE(a) << a.error().message;
    std::vector<std::string> out;
    if (a) {
      for (const auto& b : a->badges) out.emplace_back(b.code);
    }
    return out;
  };
  awards("manual", 40);
  awards("report_verified", 2);
  EXPECT_EQ(badges(), std::vector<std::string>{});
  awards("report_verified", 1);
  EXPECT_EQ(badges(), std::vector<std::string>{"sentinel"});
  awards("report_verified", 30);
  awards("volunteer_hour", 5);
  EXPECT_EQ(badges(), (std::vector<std::string>{"sentinel", "volunteer"}));
  // The issuer's side is debits: no badge counts them.
  auto issuer = points_->GetAccount(Principal::System(), IssuerAccount(street_.id));
  ASSERT_TRUE(issuer) << issuer.error().message;
  EXPECT_TRUE(issuer->badges.empty());
}

TEST_P(PointsServiceTest, PostBatchPostsAllOrNothingAndBalanceReadsTheRow) {
  const auto award = [&](const Principal& to, std::int64_t amount) {
    return PostingInput{.kind = PostingKind::kAward,
                        .debit = IssuerAccount(street_.id),
                        .credit = PersonAccount(to.account_id),
                        .amount = amount,
                        .unit_id = street_.id,
                        .trigger = "manual",
                        .memo = "批量"};
  };
  std::vector<PostingInput> batch;
  for (int i = 0; i < 600; ++i) batch.push_back(award(i % 2 ? neighbour_ : resident_, 1 + i % 3));
  auto posted = points_->PostBatch(batch);
  ASSERT_TRUE(posted) << posted.error().message;
  ASSERT_EQ(posted->size(), 600u);
  EXPECT_EQ(posted->back().audit_seq - posted->front().audit_seq, 599);
  EXPECT_EQ(posted->back().actor, "system");
  std::int64_t to_resident = 0;
  for (int i = 0; i < 600; i += 2) to_resident += 1 + i % 3;
  auto mine = points_->Balance(resident_, "me");
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_EQ(mine->balance, to_resident);
  EXPECT_EQ(mine->postings, 300);
  EXPECT_EQ(mine->lifetime_earned, to_resident);
  EXPECT_EQ(Balance(resident_), to_resident);  // GetAccount agrees
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.posted'"), 600);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_entries"), 1200);
  ExpectLedgerBalanced();

  // One posting the resident cannot pay refuses the whole batch: nothing of it is stored.
  std::vector<PostingInput> spend = {award(neighbour_, 5),
                                     {.kind = PostingKind::kRedemption,
                                      .debit = PersonAccount(resident_.account_id),
                                      .credit = PoolAccount(community_.id),
                                      .amount = to_resident + 1,
                                      .unit_id = community_.id,
                                      .memo = "兑换"}};
  auto refused = points_->PostBatch(spend);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "insufficient_points");
  // Bad input: 400 before anything is written.
  auto zero = points_->PostBatch({award(resident_, 0)});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  auto empty = points_->PostBatch({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().reason, "out_of_range");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings"), 600);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.posted'"), 600);
  EXPECT_EQ(points_->Balance(Principal::System(), PersonAccount(neighbour_.account_id))->balance,
            Count("SELECT SUM(amount) FROM points_entries WHERE account_id = 'person:" +
                  neighbour_.account_id + "'"));
  ExpectLedgerBalanced();

  // Readers as GetAccount; an account that never had a posting reads as zeros.
  EXPECT_EQ(points_->Balance(other_lead_, resident_.account_id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(points_->Balance(handler_, resident_.account_id)->balance, to_resident);
  auto none = points_->Balance(lead_, "me");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->balance, 0);
  EXPECT_EQ(none->postings, 0);
}

TEST_P(PointsServiceTest, AReopenedAndReclosedRequestEarnsOnce) {
  MakeRule(community_, "request_fixed", 10, 30, 100);
  auto closed = [&](std::int64_t seq, std::string action, bool satisfied) {
    json::Json p = {{"number", "n"},
                    {"from", "replied"},
                    {"to", "closed"},
                    {"resolved", satisfied},
                    {"requester_id", resident_.account_id},
                    {"community_id", community_.id},
                    {"street_id", street_.id},
                    {"district_id", district_.id}};
    return audit::Event{.seq = seq,
                        .at = kNow,
                        .actor = "OP",
                        .action = std::move(action),
                        .subject = "REQ1",
                        .payload = p.dump(),
                        .prev_hash = "",
                        .hash = ""};
  };
  ASSERT_TRUE(Handle(closed(1, "request.callback", false)));
  ASSERT_TRUE(Handle(closed(2, "request.closed", true)));
  EXPECT_EQ(Balance(resident_), 10);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings"), 1);
}

TEST_P(PointsServiceTest, CapsCountPerShanghaiDayAndMonth) {
  MakeRule(street_, "report_verified", 20, 40, 60);
  // 23:30 and 23:45 on the 23rd (Shanghai): the day cap of 40 is reached.
  const Timestamp late = kNow + 13 * kMicrosPerHour + 30 * kMicrosPerMinute;
  ASSERT_TRUE(Handle(Verified("A", resident_, lead_, late)));
  ASSERT_TRUE(Handle(Verified("B", resident_, lead_, late + 15 * kMicrosPerMinute)));
  ASSERT_TRUE(Handle(Verified("C", resident_, lead_, late + 20 * kMicrosPerMinute)));
  EXPECT_EQ(Balance(resident_), 40);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_claims WHERE outcome = 'capped'"), 1);
  // 00:10 on the 24th: a new day, but the month allows only 20 more.
  ASSERT_TRUE(Handle(Verified("D", resident_, lead_, late + 40 * kMicrosPerMinute)));
  ASSERT_TRUE(Handle(Verified("E", resident_, lead_, late + 50 * kMicrosPerMinute)));
  EXPECT_EQ(Balance(resident_), 60);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_claims WHERE outcome = 'capped'"), 2);
  // A capped claim is decided: handling it again pays nothing.
  ASSERT_TRUE(Handle(Verified("C", resident_, lead_, late + 20 * kMicrosPerMinute)));
  EXPECT_EQ(Balance(resident_), 60);
}

TEST_P(PointsServiceTest, SelfDealingHouseholdsAndVelocityAreHeld) {
  MakeRule(street_, "report_verified", 5, 1000, 1000);
  ASSERT_TRUE(Handle(Verified("SELF", lead_, lead_, kNow)));  // verifying one's own report
  SameHousehold(lead_, neighbour_);
  ASSERT_TRUE(Handle(Verified("HH", neighbour_, lead_, kNow)));
  EXPECT_EQ(Balance(lead_), 0);
  EXPECT_EQ(Balance(neighbour_), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_reviews WHERE status = 'pending'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.award.held'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_claims WHERE outcome = 'held'"), 2);
  // More than 10 awards an hour (from many verifiers, so same_decider stays quiet).
  std::vector<Principal> verifiers;
  for (int i = 0; i < 11; ++i)
    verifiers.push_back(Person(fmt::format("verifier{}", i), street_, Role::kHandler));
  for (int i = 0; i < 11; ++i)
    ASSERT_TRUE(Handle(Verified(fmt::format("R{}", i), resident_, verifiers[i], kNow + i)));
  EXPECT_EQ(Balance(resident_), 50);
  auto reasons = t_->db().Read([&](storage::Executor& ex) -> Result<std::string> {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT reasons FROM points_reviews WHERE"
                                              " subject_id = 'R10'"));
    return row ? row->Text(0) : std::string();
  });
  ASSERT_TRUE(reasons);
  EXPECT_EQ(*reasons, R"(["velocity_hour"])");
  ExpectLedgerBalanced();
}

TEST_P(PointsServiceTest, TwoNodesAwardingAtOnceNeverPayTwiceOrUnbalance) {
  MakeRule(street_, "report_verified", 1, 1000, 1000);
  auto other = t_->OpenAnother();
  ASSERT_NE(other, nullptr);
  std::vector<audit::Event> events;
  for (int i = 0; i < 40; ++i)
    events.push_back(Verified(fmt::format("R{}", i), i % 2 ? resident_ : neighbour_,
                              i % 3 ? lead_ : handler_, kNow + i));
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n)
    threads.emplace_back([&, n] {
      for (const auto& e : events)
        if (!Handle(e, n ? other.get() : nullptr)) ++failed;
    });
  for (auto& th : threads) th.join();
  // A clash on PostgreSQL may refuse one side's batch (it would be retried); what
  // committed never pays a claim twice.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings"),
            Count("SELECT COUNT(*) FROM points_claims WHERE outcome = 'posted'"));
  for (const auto& e : events) ASSERT_TRUE(Handle(e));  // the retry
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_claims"), 40);
  EXPECT_EQ(Balance(resident_) + Balance(neighbour_) +
                Count("SELECT COUNT(*) FROM points_claims WHERE outcome <> 'posted'"),
            40);
  EXPECT_GE(Balance(resident_), 0);
  ExpectLedgerBalanced();
}

// --- rewards and redemptions (积分兑换)

class RewardsTest : public PointsServiceTest {
 protected:
  void Give(const Principal& p, std::int64_t amount) {
    auto a = points_->Award(
        lead_,
        {.unit_id = street_.id, .account_id = p.account_id, .amount = amount, .memo = "表彰"});
    ASSERT_TRUE(a) << a.error().message;
  }
  Reward Offer(std::optional<std::int64_t> stock, std::int64_t cost = 60, std::int64_t limit = 0,
               bool approval = false) {
    auto r = points_->CreateReward(handler_, {.community_id = community_.id,
                                              .kind = "goods",
                                              .title = "洗衣液一瓶",
                                              .cost = cost,
                                              .stock = stock,
                                              .per_person_limit = limit,
                                              .needs_approval = approval});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(Reward{});
  }
  std::int64_t Stock(const Reward& r) {
    return Count(fmt::format("SELECT stock FROM points_rewards WHERE id = '{}'", r.id));
  }
  std::int64_t Pool() {
    return Count(
        fmt::format("SELECT balance FROM points_accounts WHERE id = 'pool:{}'", community_.id));
  }
};

TEST_P(RewardsTest, ARedemptionDebitsIntoThePoolAndARefusalLeavesNothing) {
  auto bad = points_->CreateReward(
      handler_, {.community_id = community_.id, .kind = "goods", .title = "洗衣液", .cost = 0});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, "out_of_range");
  auto not_staff = points_->CreateReward(
      resident_, {.community_id = community_.id, .kind = "goods", .title = "洗衣液", .cost = 5});
  ASSERT_FALSE(not_staff);
  EXPECT_EQ(not_staff.error().code, ErrorCode::kPermissionDenied);
  const Reward reward = Offer(2, 60, 1, true);

  // Too little: nothing stored, no stock taken, no event.
  auto poor = points_->Redeem(resident_, {.reward_id = reward.id});
  ASSERT_FALSE(poor);
  EXPECT_EQ(poor.error().code, ErrorCode::kConflict);
  EXPECT_EQ(poor.error().reason, "insufficient_points");
  Give(resident_, 100);
  Give(neighbour_, 30);
  auto still_poor = points_->Redeem(neighbour_, {.reward_id = reward.id});
  ASSERT_FALSE(still_poor);
  EXPECT_EQ(still_poor.error().reason, "insufficient_points");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_redemptions"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'points.redemption.%'"), 0);
  EXPECT_EQ(Stock(reward), 2);
  EXPECT_EQ(Balance(neighbour_), 30);

  // Only residents of the community redeem (staff included).
  for (const auto* who : {&handler_, &other_lead_}) {
    auto outsider = points_->Redeem(*who, {.reward_id = reward.id});
    ASSERT_FALSE(outsider);
    EXPECT_EQ(outsider.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(outsider.error().reason, "not_resident");
  }
  auto zero = points_->Redeem(resident_, {.reward_id = reward.id, .quantity = 0});
  EXPECT_EQ(zero.error().reason, "out_of_range");
  auto unknown = points_->Redeem(resident_, {.reward_id = "nope"});
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  auto first = points_->Redeem(resident_, {.reward_id = reward.id, .idempotency_key = "k1"});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, RedemptionStatus::kRequested);
  EXPECT_EQ(first->points, 60);
  EXPECT_EQ(Balance(resident_), 40);
  EXPECT_EQ(Pool(), 60);
  EXPECT_EQ(Stock(reward), 1);
  auto again = points_->Redeem(resident_, {.reward_id = reward.id, .idempotency_key = "k1"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(Balance(resident_), 40);
  auto reused =
      points_->Redeem(resident_, {.reward_id = reward.id, .quantity = 2, .idempotency_key = "k1"});
  EXPECT_EQ(reused.error().reason, "already_used");

  // Over the per-person limit: the debit is rolled back with everything else.
  Give(resident_, 100);
  auto limit = points_->Redeem(resident_, {.reward_id = reward.id});
  ASSERT_FALSE(limit);
  EXPECT_EQ(limit.error().reason, "per_person_limit");
  EXPECT_EQ(Balance(resident_), 140);
  EXPECT_EQ(Stock(reward), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_redemptions"), 1);

  // Decisions: never one's own; only the state machine's moves.
  auto own = points_->DecideRedemption(resident_, first->id, RedemptionMove::kApprove, "");
  EXPECT_EQ(own.error().reason, "self_dealing");
  auto early = points_->DecideRedemption(handler_, first->id, RedemptionMove::kFulfil, "");
  EXPECT_EQ(early.error().reason, "invalid_transition");
  auto approved = points_->DecideRedemption(handler_, first->id, RedemptionMove::kApprove, "好");
  ASSERT_TRUE(approved) << approved.error().message;
  EXPECT_EQ(approved->status, RedemptionStatus::kApproved);
  auto no_reason = points_->DecideRedemption(handler_, first->id, RedemptionMove::kReject, "");
  EXPECT_EQ(no_reason.error().reason, "required");
  auto rejected = points_->DecideRedemption(handler_, first->id, RedemptionMove::kReject, "缺货");
  ASSERT_TRUE(rejected) << rejected.error().message;
  EXPECT_EQ(rejected->status, RedemptionStatus::kRejected);
  EXPECT_EQ(Balance(resident_), 200);
  EXPECT_EQ(Pool(), 0);
  EXPECT_EQ(Stock(reward), 2);
  auto refund = points_->GetPosting(Principal::System(), rejected->refund_posting_id);
  ASSERT_TRUE(refund);
  EXPECT_EQ(refund->kind, PostingKind::kRefund);
  EXPECT_EQ(refund->reverses, first->posting_id);
  auto twice = points_->DecideRedemption(handler_, first->id, RedemptionMove::kReject, "缺货");
  EXPECT_EQ(twice.error().reason, "invalid_transition");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings WHERE kind = 'refund'"), 1);
  ExpectLedgerBalanced();
}

TEST_P(RewardsTest, TheHolderCancelsStaffFulfilAndEachSeesTheirList) {
  const Reward honour = Offer(std::nullopt, 10);
  Give(resident_, 50);
  auto r1 = points_->Redeem(resident_, {.reward_id = honour.id});
  ASSERT_TRUE(r1) << r1.error().message;
  EXPECT_EQ(r1->status, RedemptionStatus::kApproved);  // no approval needed
  auto not_theirs = points_->DecideRedemption(neighbour_, r1->id, RedemptionMove::kCancel, "");
  EXPECT_EQ(not_theirs.error().code, ErrorCode::kNotFound);
  auto cancelled = points_->DecideRedemption(resident_, r1->id, RedemptionMove::kCancel, "");
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, RedemptionStatus::kCancelled);
  EXPECT_EQ(Balance(resident_), 50);
  EXPECT_EQ(Count(fmt::format("SELECT COUNT(*) FROM points_rewards WHERE id = '{}' AND stock IS "
                              "NULL",
                              honour.id)),
            1);
  auto r2 = points_->Redeem(resident_, {.reward_id = honour.id, .quantity = 2});
  ASSERT_TRUE(r2) << r2.error().message;
  auto done = points_->DecideRedemption(handler_, r2->id, RedemptionMove::kFulfil, "已领取");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status, RedemptionStatus::kFulfilled);
  auto late = points_->DecideRedemption(resident_, r2->id, RedemptionMove::kCancel, "");
  EXPECT_EQ(late.error().reason, "invalid_transition");
  EXPECT_EQ(Balance(resident_), 30);

  auto mine = points_->Redemptions(resident_, {});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->size(), 2u);
  auto theirs = points_->Redemptions(neighbour_, {});
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(theirs->empty());
  auto queue = points_->Redemptions(
      handler_, {.scope = "community", .community_id = community_.id, .status = "fulfilled"});
  ASSERT_TRUE(queue);
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ(queue->front().reward_title, "洗衣液一瓶");
  auto peek =
      points_->Redemptions(resident_, {.scope = "community", .community_id = community_.id});
  EXPECT_EQ(peek.error().code, ErrorCode::kPermissionDenied);
  auto bad = points_->Redemptions(resident_, {.status = "lost"});
  EXPECT_EQ(bad.error().reason, "invalid");
  auto offered = points_->Rewards(resident_, community_.id);
  ASSERT_TRUE(offered) << offered.error().message;
  ASSERT_EQ(offered->size(), 1u);
  EXPECT_EQ(offered->front().my_redeemed, 2);
  auto elsewhere = points_->Rewards(other_lead_, community_.id);
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kPermissionDenied);
  ExpectLedgerBalanced();
}

TEST_P(RewardsTest, ConcurrentRedemptionsOfTheLastItemExactlyOneWins) {
  const Reward last = Offer(1, 10);
  std::vector<Principal> people = {resident_, neighbour_,
                                   Person("hupan02", community_, Role::kResident),
                                   Person("hupan03", community_, Role::kResident)};
  for (const auto& p : people) Give(p, 100);
  auto other = t_->OpenAnother();  // a second node
  std::unique_ptr<PointsService> other_points;
  if (other)
    other_points = std::make_unique<PointsService>(*other, clock_, ids_, *identity_, *key_);
  std::atomic<int> won{0}, sold_out{0}, other_error{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      PointsService& svc = (i % 2 && other_points) ? *other_points : *points_;
      auto r = svc.Redeem(people[i % people.size()], {.reward_id = last.id});
      if (r)
        ++won;
      else if (r.error().reason == "sold_out")
        ++sold_out;
      else
        ++other_error;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(sold_out.load(), 7);
  EXPECT_EQ(other_error.load(), 0);
  EXPECT_EQ(Stock(last), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_redemptions"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings WHERE kind = 'redemption'"), 1);
  EXPECT_EQ(Pool(), 10);
  ExpectLedgerBalanced();
}

TEST_P(PointsServiceTest, AHeldAwardIsReviewedOnceByNeitherPartyNorTheirHousehold) {
  MakeRule(street_, "report_verified", 5, 1000, 1000);
  ASSERT_TRUE(Handle(Verified("SELF", resident_, resident_, kNow)));  // held: self
  SameHousehold(handler_, neighbour_);
  ASSERT_TRUE(Handle(Verified("HH", neighbour_, handler_, kNow)));  // held: household
  ASSERT_TRUE(Handle(Verified("LEAD", lead_, lead_, kNow)));        // held: self
  auto pending = points_->Reviews(lead_, street_.id, "pending");
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_EQ(pending->size(), 3u);
  auto by_subject = [&](std::string_view s) {
    for (const auto& r : *pending)
      if (r.subject_id == s) return r;
    return PointsReview{};
  };
  const auto self = by_subject("SELF"), hh = by_subject("HH"), lead = by_subject("LEAD");
  EXPECT_EQ(points_->Reviews(resident_, street_.id, "").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(points_->Reviews(lead_, street_.id, "lost").error().reason, "invalid");

  auto own = points_->DecideReview(lead_, lead.id, true, "");
  EXPECT_EQ(own.error().reason, "self_dealing");
  auto outsider = points_->DecideReview(other_lead_, self.id, true, "");
  EXPECT_EQ(outsider.error().code, ErrorCode::kNotFound);
  auto approved = points_->DecideReview(lead_, self.id, true, "核实无误");
  ASSERT_TRUE(approved) << approved.error().message;
  EXPECT_EQ(approved->status, "approved");
  EXPECT_EQ(Balance(resident_), 5);
  auto posting = points_->GetPosting(Principal::System(), approved->posting_id);
  ASSERT_TRUE(posting);
  EXPECT_EQ(posting->memo, "复核通过: 应急信息核实");
  EXPECT_EQ(posting->kind, PostingKind::kAward);
  auto again = points_->DecideReview(lead_, self.id, false, "重复");
  EXPECT_EQ(again.error().reason, "already_decided");

  auto no_note = points_->DecideReview(lead_, hh.id, false, "");
  EXPECT_EQ(no_note.error().reason, "required");
  auto rejected = points_->DecideReview(lead_, hh.id, false, "同户核实");
  ASSERT_TRUE(rejected) << rejected.error().message;
  EXPECT_EQ(rejected->status, "rejected");
  EXPECT_EQ(Balance(neighbour_), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_postings"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_claims WHERE outcome = 'posted'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.review.decided'"), 2);
  ExpectLedgerBalanced();
}

TEST_P(PointsServiceTest, HouseholdsAreKeptByStaffAndCatchSelfDealing) {
  NewHousehold in{.community_id = community_.id,
                  .label = "湖畔花园3幢2单元501",
                  .members = {{.account_id = lead_.account_id, .relation = "户主"},
                              {.account_id = neighbour_.account_id, .relation = "配偶"}}};
  // Residents and other streets' staff keep no households here.
  EXPECT_EQ(points_->CreateHousehold(resident_, in).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(points_->Households(other_lead_, community_.id).error().code,
            ErrorCode::kPermissionDenied);
  auto bad = in;
  bad.members[1].relation = "朋友";
  EXPECT_EQ(points_->CreateHousehold(lead_, bad).error().reason, "invalid");
  bad = in;
  bad.members[1].account_id = lead_.account_id;
  EXPECT_EQ(points_->CreateHousehold(lead_, bad).error().reason, "duplicate");
  bad = in;
  bad.label = "";
  EXPECT_EQ(points_->CreateHousehold(lead_, bad).error().reason, "required");
  bad = in;
  bad.community_id = street_.id;
  EXPECT_EQ(points_->CreateHousehold(lead_, bad).error().reason, "not_community");
  bad = in;
  bad.members[1].account_id = "nobody";
  EXPECT_EQ(points_->CreateHousehold(lead_, bad).error().reason, "unknown");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_households"), 0);

  auto h = points_->CreateHousehold(lead_, in);
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->members.size(), 2u);
  EXPECT_EQ(h->members[1].display_name, "用户hupan01");
  // An account is in one household at most: a second one stores nothing.
  auto twice = points_->CreateHousehold(
      lead_, {.community_id = community_.id,
              .label = "湖畔花园1幢",
              .members = {{.account_id = resident_.account_id, .relation = "户主"},
                          {.account_id = neighbour_.account_id, .relation = "子女"}}});
  EXPECT_EQ(twice.error().reason, "in_household");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_households"), 1);

  // The household makes a manual award between its members self-dealing…
  MakeRule(street_, "report_verified", 5, 1000, 1000);
  auto award = points_->Award(
      lead_,
      {.unit_id = community_.id, .account_id = neighbour_.account_id, .amount = 5, .memo = "x"});
  ASSERT_FALSE(award);
  EXPECT_EQ(award.error().reason, "self_dealing");
  // …and the reaction holds what one verifies for the other.
  ASSERT_TRUE(Handle(Verified("R1", neighbour_, lead_, kNow)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_reviews WHERE reasons LIKE '%household%'"), 1);

  auto removed = points_->RemoveHouseholdMember(lead_, h->id, neighbour_.account_id);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(removed->members.size(), 1u);
  EXPECT_EQ(removed->version, 2);
  EXPECT_EQ(points_->RemoveHouseholdMember(lead_, h->id, neighbour_.account_id).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(points_->RemoveHouseholdMember(other_lead_, h->id, lead_.account_id).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(Handle(Verified("R2", neighbour_, lead_, kNow)));
  EXPECT_EQ(Balance(neighbour_), 5);
  auto added = points_->AddHouseholdMember(
      lead_, h->id, {.account_id = resident_.account_id, .relation = "子女"});
  ASSERT_TRUE(added) << added.error().message;
  auto list = points_->Households(lead_, community_.id);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().members.size(), 2u);
  // The chain names the members, never the address.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.household.changed'"),
            3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE payload LIKE '%湖畔花园%'"), 0);
}

TEST_P(PointsServiceTest, AStatementIsSignedRecordedAndVerifiedHere) {
  ASSERT_TRUE(points_->Award(lead_, {.unit_id = street_.id,
                                     .account_id = resident_.account_id,
                                     .amount = 40,
                                     .memo = "扶老助困"}));
  clock_.Advance(kMicrosPerMinute);
  auto mistaken = points_->Award(
      lead_,
      {.unit_id = street_.id, .account_id = resident_.account_id, .amount = 10, .memo = "误发"});
  ASSERT_TRUE(mistaken);
  clock_.Advance(kMicrosPerMinute);
  // Only its readers get one; others see no account.
  EXPECT_EQ(
      points_->IssueStatement(other_lead_, {.account_id = PersonAccount(resident_.account_id)})
          .error()
          .code,
      ErrorCode::kNotFound);
  EXPECT_EQ(points_->IssueStatement(resident_, {.account_id = "me", .from = kNow + kMicrosPerDay})
                .error()
                .reason,
            "invalid");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_statements"), 0);

  auto issued = points_->IssueStatement(
      resident_, {.account_id = "me", .audience = "江澜农商银行·信用积分贷"});
  ASSERT_TRUE(issued) << issued.error().message;
  auto env = json::Json::parse(issued->envelope);
  EXPECT_EQ(env["public_key"], key_->PublicKeyHex());
  auto st = json::Json::parse(env["statement"].get<std::string>());
  EXPECT_EQ(st["balance"], 50);
  EXPECT_EQ(st["earned_in_period"], 50);
  EXPECT_EQ(st["holder"]["display_name"], "用户resident");
  EXPECT_EQ(st["postings"].size(), 2u);
  EXPECT_EQ(st["postings"][0]["unit_name"], "望湖街道");
  EXPECT_EQ(st["audience"], "江澜农商银行·信用积分贷");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_statements"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.statement.issued'"), 1);

  auto v = points_->CheckStatement(issued->envelope);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->check.valid) << v->check.problem;
  EXPECT_TRUE(v->issued_here);
  EXPECT_EQ(v->reversed_since, 0);
  // A reversal after it was issued is told; a changed statement is not ours.
  clock_.Advance(kMicrosPerMinute);
  ASSERT_TRUE(points_->Reverse(lead_, mistaken->id, "误发冲正"));
  v = points_->CheckStatement(issued->envelope);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->check.valid);
  EXPECT_EQ(v->reversed_since, 1);
  auto forged = env;
  std::string text = forged["statement"];
  text.replace(text.find("\"balance\":50"), 12, "\"balance\":90");
  forged["statement"] = text;
  v = points_->CheckStatement(forged.dump());
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->check.valid);
  EXPECT_FALSE(v->issued_here);
  clock_.Advance(31 * kMicrosPerDay);
  v = points_->CheckStatement(issued->envelope);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->check.valid);
  EXPECT_EQ(v->check.problem.rfind("expired on", 0), 0u);
}

TEST_P(PointsServiceTest, TheHonourRollIsLiveUntilPublishedOnceAfterTheMonth) {
  for (auto [who, amount] : {std::pair{&resident_, 30}, std::pair{&neighbour_, 50}})
    ASSERT_TRUE(points_->Award(lead_, {.unit_id = street_.id,
                                       .account_id = who->account_id,
                                       .amount = amount,
                                       .memo = "志愿服务"}));
  auto live = points_->GetHonourRoll(resident_, community_.id, "2026-11");
  ASSERT_TRUE(live) << live.error().message;
  EXPECT_FALSE(live->published);
  ASSERT_EQ(live->entries.size(), 2u);
  EXPECT_EQ(live->entries[0].account_id, PersonAccount(neighbour_.account_id));
  EXPECT_EQ(live->entries[0].points, 50);
  EXPECT_EQ(live->entries[0].display_name, "用*");           // masked for a resident
  EXPECT_EQ(live->entries[1].display_name, "用户resident");  // one's own name
  auto staff = points_->GetHonourRoll(lead_, community_.id, "2026-11");
  ASSERT_TRUE(staff);
  EXPECT_EQ(staff->entries[0].display_name, "用户hupan01");
  EXPECT_EQ(points_->GetHonourRoll(lead_, community_.id, "2026-13").error().reason, "invalid");
  EXPECT_TRUE(points_->GetHonourRoll(lead_, community_.id, "2026-10")->entries.empty());

  EXPECT_EQ(points_->PublishHonourRoll(lead_, community_.id, "2026-11").error().reason,
            "month_not_over");
  clock_.Set(kNow + 10 * kMicrosPerDay);  // December
  EXPECT_EQ(points_->PublishHonourRoll(resident_, community_.id, "2026-11").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(points_->PublishHonourRoll(lead_, community_.id, "2026-10").error().reason, "empty");
  auto published = points_->PublishHonourRoll(lead_, community_.id, "2026-11");
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_TRUE(published->published);
  EXPECT_EQ(points_->PublishHonourRoll(lead_, community_.id, "2026-11").error().reason,
            "already_published");
  // What was published stays, whatever happens to the ledger after.
  ASSERT_TRUE(points_->Award(
      lead_,
      {.unit_id = street_.id, .account_id = resident_.account_id, .amount = 5, .memo = "补记"}));
  auto read = points_->GetHonourRoll(resident_, community_.id, "2026-11");
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->published);
  ASSERT_EQ(read->entries.size(), 2u);
  EXPECT_EQ(read->entries[1].points, 30);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_honour_rolls"), 2);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM audit_events WHERE action = 'points.honour_roll.published'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, RewardsTest, ::testing::ValuesIn(storage::testing::Backends()));

INSTANTIATE_TEST_SUITE_P(Backends, PointsServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace xietong::participation
