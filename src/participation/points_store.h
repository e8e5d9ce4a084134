// SQL of the points ledger (module "participation", versions 1–5; this file
// holds every points migration): accounts, postings and their entries, award
// claims, usage counters, rules and settings (queried in rule_store.cc), the
// review queue and households. docs/plans/participation.md §2 is the
// contract. No UPDATE or DELETE of points_postings or points_entries exists
// here: the ledger is append-only (points_store_test greps for one).
// Decides no rule; only PointsService calls it.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "participation/ledger.h"
#include "participation/review.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::participation::store {

using storage::Executor;

std::span<const storage::Migration> PointsMigrations();

// Posts inside the caller's transaction: the two account rows in ascending
// id order (the debit conditional: issuers may go below 0, nobody else),
// accounts created on first use, points.posted appended, then the posting
// and its two entries. Conflict insufficient_points when the debit account
// has too little (nothing changed; the caller's savepoint rolls back).
Result<Posting> Post(Executor& ex, const PostingInput& in, Timestamp now);

// Post for many postings at once (PointsService::PostBatch): each posting's
// two account rows as Post moves them, then per 500 postings one AppendMany
// of their points.posted events and one multi-row INSERT each of postings
// and entries. Conflict insufficient_points as Post (the caller's savepoint
// rolls the whole batch back).
Result<std::vector<Posting>> PostMany(Executor& ex, std::span<const PostingInput> in,
                                      Timestamp now);

Result<std::optional<Account>> FindAccount(Executor& ex, std::string_view id);
// With reversed_by and both sides' balance_after.
Result<std::optional<Posting>> FindPosting(Executor& ex, std::string_view id);
Result<std::optional<Posting>> FindPostingByIdemKey(Executor& ex, std::string_view idem_key);

struct EntryLine {
  std::string posting_id;
  Timestamp posted_at = 0;
  PostingKind kind = PostingKind::kAward;
  std::int64_t amount = 0;  // ± from the account's side
  std::int64_t balance_after = 0;
  std::string counterparty, trigger, rule_id, memo, subject_id;
  std::optional<std::string> reverses, reversed_by;
  std::int64_t audit_seq = 0;
  std::string unit_id = {};  // the ledger the posting is on
};
// An account's entries, newest first, before `before_posting_id` ("" for the newest).
Result<std::vector<EntryLine>> Entries(Executor& ex, std::string_view account_id,
                                       std::string_view before_posting_id, std::string_view trigger,
                                       int limit);
// An account's entries posted in [from, to], oldest first, at most limit.
Result<std::vector<EntryLine>> EntriesBetween(Executor& ex, std::string_view account_id,
                                              Timestamp from, Timestamp to, int limit);
struct PeriodTotal {
  std::string kind = {}, trigger = {};
  std::int64_t count = 0;
  std::int64_t amount = 0;  // ± from the account's side
};
// An account's entries in [from, to] summed per kind and trigger.
Result<std::vector<PeriodTotal>> PeriodTotals(Executor& ex, std::string_view account_id,
                                              Timestamp from, Timestamp to);

// Issued credit statements (migration 5): what was signed, by its digest.
struct StatementRecord {
  std::string id = {}, account_id = {}, issued_by = {};
  Timestamp issued_at = 0, from_at = 0, to_at = 0;
  std::string audience = {};
  std::int64_t balance = 0, postings = 0;
  std::string digest = {};
  Timestamp valid_until = 0;
};
Result<void> InsertStatement(Executor& ex, const StatementRecord& s);
Result<std::optional<StatementRecord>> FindStatement(Executor& ex, std::string_view id);
// How many of the account's postings in [from, to] were reversed after `since`.
Result<std::int64_t> ReversedSince(Executor& ex, std::string_view account_id, Timestamp from,
                                   Timestamp to, Timestamp since);

// Honour rolls (光荣榜, migration 5).
struct HonourEntry {
  std::int64_t rank = 0;
  std::string account_id = {};
  std::int64_t points = 0;
};
// What each of the accounts earned in [from, to) (awards and manual awards,
// less their reversals), those above 0 ranked by points, then account id.
Result<std::vector<HonourEntry>> EarnedBetween(Executor& ex,
                                               std::span<const std::string> account_ids,
                                               Timestamp from, Timestamp to);
struct PublishedRoll {
  std::vector<HonourEntry> entries = {};
  std::string published_by = {};
  Timestamp published_at = 0;
};
Result<std::optional<PublishedRoll>> FindHonourRoll(Executor& ex, std::string_view unit_id,
                                                    std::string_view month);
// A unique violation (conflict) when the month was published already.
Result<void> InsertHonourRoll(Executor& ex, std::string_view unit_id, std::string_view month,
                              const PublishedRoll& roll);

// Awards (kind award, credited) per trigger, for badges: each trigger of
// up_to counted up to its cap (migration 9's index), the others not at all.
Result<std::map<std::string, std::int64_t, std::less<>>> AwardCounts(
    Executor& ex, std::string_view account_id,
    const std::map<std::string_view, std::int64_t>& up_to);

// Claims (trigger, subject, earner) once; false when it was claimed before.
Result<bool> Claim(Executor& ex, std::string_view trigger, std::string_view subject_id,
                   std::string_view earner_account, std::int64_t source_seq,
                   std::string_view rule_id, Timestamp at);
// Records what became of a claim: posted | held | capped.
Result<void> SetClaimOutcome(Executor& ex, std::string_view trigger, std::string_view subject_id,
                             std::string_view earner_account, std::string_view outcome,
                             std::string_view posting_id, std::string_view review_id);

// Adds `points` and one award to a usage row only when the total stays ≤ cap;
// false (nothing changed) otherwise.
Result<bool> UseWithinCap(Executor& ex, std::string_view earner, std::string_view scope,
                          std::string_view period, std::int64_t points, std::int64_t cap);
// Takes back what UseWithinCap added (inside the same transaction).
Result<void> Unuse(Executor& ex, std::string_view earner, std::string_view scope,
                   std::string_view period, std::int64_t points);
// Adds one award (and points) unconditionally; returns the row's awards after.
Result<std::int64_t> Bump(Executor& ex, std::string_view earner, std::string_view scope,
                          std::string_view period, std::int64_t points);

// Whether the two accounts (identity ids) are in one household.
Result<bool> SameHousehold(Executor& ex, std::string_view a, std::string_view b);

using Review = PointsReview;  // review.h
Result<void> InsertReview(Executor& ex, const Review& r);

struct TrialBalance {
  std::int64_t accounts = 0;
  std::int64_t postings = 0;
  std::int64_t sum_of_balances = 0;
  std::vector<std::string> mismatched;  // balance ≠ Σ entries, or ≠ the last balance_after
};
// Over the accounts with entries on `unit_id`'s ledger ("" for all).
Result<TrialBalance> CheckLedger(Executor& ex, std::string_view unit_id);

}  // namespace xietong::participation::store
