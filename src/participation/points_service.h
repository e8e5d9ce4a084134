// 积分制: the points ledger. Double-entry and append-only: every movement is
// one posting between two accounts, stored with its audit event in one
// transaction; balances are derived and never negative (issuers aside);
// a mistake is reversed by a new posting naming the one it reverses.
// Awards come from rules over events the platform already sees (OnEvent,
// run by a durable reaction), each (trigger, subject, earner) at most once.
// The contract is docs/plans/participation.md §§2–6 and §8.
//
// Who may do what (until identity's participation actions land, the roles
// stand in for them, see points_service.cc):
//   points.manage (unit_lead, admin) over a unit: its rules, manual awards
//   from it, reversals of postings on its ledger, its settings.
//   Reading an account: its holder ("me"), staff (handler, unit_lead,
//   leader, supervisor, admin) over one of the holder's communities (a
//   person) or over the organisation; others get NotFound.
//   Rules: staff over the unit; anyone signed in reads the active rules
//   (how to earn). Settings: staff read, points.manage writes.
// Each command: authorize → load → decide (ledger.h, rules.h, settings.h) →
// store (points_store.h, rule_store.h) + one audit event, in one
// transaction. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/signing_key.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "identity/identity_service.h"
#include "participation/ledger.h"
#include "participation/levels.h"
#include "participation/review.h"
#include "participation/reward.h"
#include "participation/rules.h"
#include "participation/settings.h"
#include "participation/statement.h"
#include "storage/database.h"

namespace xietong::participation {

struct PointsOptions {
  int max_statement_postings = 5000;
  Timestamp statement_valid = 30 * kMicrosPerDay;
};

// One posting seen from one account's side.
struct PostingLine {
  std::string id = {};
  Timestamp posted_at = 0;
  PostingKind kind = PostingKind::kAward;
  std::int64_t amount = 0;  // + credited to this account, − debited
  std::int64_t balance_after = 0;
  std::string counterparty = {};
  std::string trigger = {};
  std::string rule_id = {};
  std::string memo = {};
  std::string subject_id = {};
  std::optional<std::string> reverses = {};
  std::optional<std::string> reversed_by = {};
  std::int64_t audit_seq = 0;
};

struct PostingPage {
  std::vector<PostingLine> items;
  std::string next_cursor;  // "" at the end
};

struct AccountView {
  Account account;
  std::string owner_name;  // display name or unit name ("" when unknown)
  Level level;
  std::vector<Badge> badges;
  PostingPage postings;  // newest first
};

struct PostingQuery {
  std::string cursor = {};   // from the previous page
  std::string trigger = {};  // "" for all
  int limit = 50;            // 1–200
};

struct RuleFilter {
  std::string unit_id = {};  // "" for every unit the caller may see (staff) or their communities
  std::string status = {};   // "" | active | retired
};

struct ManualAward {
  std::string unit_id = {};     // the issuing unit (its ledger)
  std::string account_id = {};  // "person:<id>", "organisation:<unit id>" or a bare account id
  std::int64_t amount = 0;
  std::string memo = {};
  std::string idempotency_key = {};  // "" for none
};

// The trial balance (总账核对).
struct LedgerCheck {
  std::int64_t accounts = 0;
  std::int64_t postings = 0;
  std::int64_t sum_of_balances = 0;          // 0 when every posting has both sides
  std::vector<std::string> mismatched = {};  // accounts whose balance ≠ Σ entries
};

// A reward as a reader sees it.
struct RewardView {
  Reward reward;
  std::int64_t my_redeemed = 0;  // items the caller holds in open or fulfilled redemptions
};

struct NewRedemption {
  std::string reward_id = {};
  std::int64_t quantity = 1;
  std::string idempotency_key = {};  // "" for none
};

struct RedemptionQuery {
  std::string scope = "mine";     // mine | community
  std::string community_id = {};  // for scope community
  std::string status = {};        // "" for any
  int limit = 100;                // 1–200
};

struct StatementRequest {
  std::string account_id = "me";       // as GetAccount
  std::optional<Timestamp> from = {};  // default: the beginning
  std::optional<Timestamp> to = {};    // default (and at most): now
  std::string audience = {};  // who it is for, e.g. 江澜农商银行·信用积分贷 (≤ 80)
};

struct IssuedStatement {
  std::string id = {};
  std::string envelope = {};  // the signed envelope's JSON text (statement.h)
  Timestamp issued_at = 0;
};

// An online check: the offline one, and what this instance knows of it.
struct StatementVerdict {
  StatementCheck check = {};
  bool issued_here = false;         // this instance recorded that id with that digest
  std::int64_t reversed_since = 0;  // postings of its period reversed after it was issued
};

struct HonourRollEntry {
  std::int64_t rank = 0;
  std::string account_id = {};    // "person:<id>"
  std::string display_name = {};  // masked (林*) for readers who are not staff over the unit
  std::int64_t points = 0;
  Level level = {};
};

struct HonourRoll {
  std::string unit_id = {}, unit_name = {}, month = {};  // month: yyyy-mm (Asia/Shanghai)
  bool published = false;
  std::string published_by = {};
  Timestamp published_at = 0;
  std::vector<HonourRollEntry> entries = {};  // at most 10
};

class PointsService {
 public:
  static constexpr int kMaxPage = 200;

  PointsService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                identity::IdentityService& identity, const audit::SigningKey& key,
                PointsOptions options = {});

  // The awards reaction: runs inside the consumer's batch transaction (the
  // four consumers of reactions.h). Claims each (trigger, subject, earner)
  // once, picks the rule by the event's time, applies the caps, velocity,
  // self-dealing and household controls, then posts, holds for review or
  // records the claim as capped. Never fails for a refused award.
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);

  // --- rules (积分规则)
  // points.manage over unit_id. 201; 409 rule_exists; 400 unknown_trigger.
  Result<Rule> CreateRule(const identity::Principal& actor, const NewRule& in);
  // points.manage over the rule's unit; sets valid_until = now.
  Result<Rule> RetireRule(const identity::Principal& actor, std::string_view rule_id,
                          std::string_view reason);
  Result<std::vector<Rule>> Rules(const identity::Principal& actor, const RuleFilter& filter);

  // --- manual awards and reversals
  // points.manage over unit_id; 403 self_dealing for oneself or one's household;
  // 400 over_manual_max. With an idempotency key, a retry answers the first posting.
  Result<Posting> Award(const identity::Principal& actor, const ManualAward& in);
  // points.manage over the posting's unit. 409 already_reversed, not_reversible,
  // insufficient_points (spent: cancel or reject their redemption first).
  Result<Posting> Reverse(const identity::Principal& actor, std::string_view posting_id,
                          std::string_view reason);

  // --- accounts and postings
  // account_id: "me", "person:<id>", "organisation:<unit id>" or a bare account id.
  Result<AccountView> GetAccount(const identity::Principal& actor, std::string_view account_id,
                                 int limit = 20);
  Result<PostingPage> Postings(const identity::Principal& actor, std::string_view account_id,
                               const PostingQuery& q);
  // The account's row alone (balance, lifetime, number of postings; zeros
  // when it never had a posting): one primary-key read of the cached
  // balance, for callers that need no page. Readers as GetAccount.
  Result<Account> Balance(const identity::Principal& actor, std::string_view account_id);

  // Bulk posting for trusted code (benches, tests, imports), like OnEvent: no
  // principal. 1–kMaxBatch postings, each checked by DecidePosting (an empty
  // id gets a new one, an empty actor is "system"), stored with their
  // points.posted events in ONE transaction through store::PostMany: all of
  // them or, on any refusal (400 as DecidePosting, 409 insufficient_points),
  // none.
  static constexpr std::size_t kMaxBatch = 10'000;
  Result<std::vector<Posting>> PostBatch(std::vector<PostingInput> postings);

  // Readers of either side's account (or points.manage over its unit).
  Result<Posting> GetPosting(const identity::Principal& actor, std::string_view posting_id);

  // --- settings
  Result<ParticipationSettings> Settings(const identity::Principal& actor,
                                         std::string_view unit_id);
  // points.manage over unit_id; if_match: the version read (0: no row yet).
  Result<ParticipationSettings> UpdateSettings(const identity::Principal& actor,
                                               const ParticipationSettings& in,
                                               std::int64_t if_match);

  // --- rewards and redemptions (积分兑换, reward_service.cc)
  // participation.staff over the community. 201; 400 per field.
  Result<Reward> CreateReward(const identity::Principal& actor, const NewReward& in);
  // Residents of the community and staff over it; others 403.
  Result<std::vector<RewardView>> Rewards(const identity::Principal& actor,
                                          std::string_view community_id);
  // Only a resident of the reward's community (403 not_resident). Debits the
  // caller into the community's reward pool through the ledger's conditional
  // debit, then takes the stock conditionally, in one transaction. 409
  // insufficient_points, per_person_limit, sold_out, reward_retired; a retry
  // with the same Idempotency-Key answers the first redemption (409
  // already_used for a different one). Nothing is left behind by a refusal.
  Result<Redemption> Redeem(const identity::Principal& actor, const NewRedemption& in);
  // approve, reject, fulfil: participation.staff over the community, never
  // on one's own or one's household's redemption (403 self_dealing); cancel:
  // the holder. Reject and cancel refund the points (a refund posting naming
  // the redemption's) and give the stock back. 409 invalid_transition.
  Result<Redemption> DecideRedemption(const identity::Principal& actor,
                                      std::string_view redemption_id, RedemptionMove move,
                                      std::string_view note);
  // mine: the caller's; community: staff over it.
  Result<std::vector<Redemption>> Redemptions(const identity::Principal& actor,
                                              const RedemptionQuery& q);

  // --- the review queue of held awards (复核, review_service.cc)
  // points.manage or participation.oversee over unit_id: its reviews and
  // those of the units below it, newest first.
  Result<std::vector<PointsReview>> Reviews(const identity::Principal& actor,
                                            std::string_view unit_id, std::string_view status,
                                            int limit = 100);
  // points.manage over the review's unit, never the decider, the earner or
  // one of their household (403 self_dealing). Approve posts the award;
  // reject (note required) posts nothing and gives back the caps it held.
  // 409 already_decided.
  Result<PointsReview> DecideReview(const identity::Principal& actor, std::string_view review_id,
                                    bool approve, std::string_view note);

  // --- households (家庭户, review_service.cc)
  // Staff (participation.staff, points.manage, overseers) over the community.
  // Labels are personal data: only staff see them.
  Result<std::vector<Household>> Households(const identity::Principal& actor,
                                            std::string_view community_id);
  // participation.staff or points.manage over the community. 201; 400 per
  // field (label 1–80 characters, 1–12 distinct members, a known relation,
  // known accounts); 409 in_household when a member is in one already.
  Result<Household> CreateHousehold(const identity::Principal& actor, const NewHousehold& in);
  Result<Household> AddHouseholdMember(const identity::Principal& actor,
                                       std::string_view household_id, const HouseholdMember& m);
  // 404 when the account is not in this household.
  Result<Household> RemoveHouseholdMember(const identity::Principal& actor,
                                          std::string_view household_id,
                                          std::string_view account_id);

  // --- the signed credit statement (信用积分证明, statement_service.cc)
  // The account's readers (holder, organisation members, staff over the
  // holder's community). Records points_statements and
  // points.statement.issued in one transaction, then signs with the
  // instance key. 400 from/to/audience; 404 as GetAccount.
  Result<IssuedStatement> IssueStatement(const identity::Principal& actor,
                                         const StatementRequest& in);
  // Anyone: VerifyStatement against this instance's key, and whether this
  // instance issued it and any of its postings were reversed since.
  Result<StatementVerdict> CheckStatement(std::string_view envelope_text);
  std::string PublicKeyHex() const { return key_.PublicKeyHex(); }

  // --- the monthly honour roll (光荣榜, points_honour.cc)
  // Anyone signed in: the published roll of a unit's month, else the live
  // one (the unit's residents by points earned in that month). month "" is
  // this month.
  Result<HonourRoll> GetHonourRoll(const identity::Principal& actor, std::string_view unit_id,
                                   std::string_view month);
  // participation.staff over the unit, for a month that is over. 201; 409
  // already_published; 400 month_not_over, empty.
  Result<HonourRoll> PublishHonourRoll(const identity::Principal& actor, std::string_view unit_id,
                                       std::string_view month);

  // points.manage over unit_id (admin: "" for the whole ledger).
  Result<LedgerCheck> CheckLedger(const identity::Principal& actor, std::string_view unit_id);

  // Called after each command commits. Add before serving.
  void AddOnCommit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }

 private:
  Result<void> AuthorizeManage(const identity::Principal& actor, std::string_view unit_id,
                               std::shared_ptr<const identity::OrgUnit>* unit_out);
  Result<std::string> ResolveAccount(const identity::Principal& actor, std::string_view id);
  Result<void> AuthorizeRead(const identity::Principal& actor, const ParsedAccount& acc);
  Result<std::shared_ptr<const identity::OrgUnit>> HouseholdCommunity(
      const identity::Principal& actor, std::string_view community_id, bool write);
  Result<Household> ChangeHousehold(const identity::Principal& actor, std::string_view household_id,
                                    const HouseholdMember* add, std::string_view remove);
  void FillNames(Household& h);
  Result<HonourRoll> LiveRoll(const identity::OrgUnit& unit, std::string_view month, Timestamp from,
                              Timestamp to);
  void NameRoll(const identity::Principal& actor, const identity::OrgUnit& unit, HonourRoll& roll);
  void Committed();

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  const audit::SigningKey& key_;
  PointsOptions options_;
  std::vector<std::function<void()>> on_commit_;
};

}  // namespace xietong::participation
