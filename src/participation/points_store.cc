#include "participation/points_store.h"

#include <fmt/core.h>

#include <algorithm>

#include "audit/audit_log.h"
#include "core/json.h"

namespace xietong::participation::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"participation", 1,
     "points ledger: accounts, postings and their entries, award claims, usage counters",
     "CREATE TABLE points_accounts ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, owner_id TEXT NOT NULL,"
     " balance BIGINT NOT NULL DEFAULT 0, lifetime_earned BIGINT NOT NULL DEFAULT 0,"
     " postings BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,"
     " CHECK (kind IN ('person','organisation','issuer','pool')),"
     " CHECK (kind = 'issuer' OR balance >= 0),"
     " UNIQUE (kind, owner_id));"
     "CREATE TABLE points_postings ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, debit_account TEXT NOT NULL,"
     " credit_account TEXT NOT NULL, amount BIGINT NOT NULL CHECK (amount > 0),"
     " unit_id TEXT NOT NULL, rule_id TEXT NOT NULL DEFAULT '', trigger TEXT NOT NULL DEFAULT '',"
     " subject_id TEXT NOT NULL DEFAULT '', source_seq BIGINT NOT NULL DEFAULT 0,"
     " reverses TEXT UNIQUE, idem_key TEXT UNIQUE, memo TEXT NOT NULL, actor TEXT NOT NULL,"
     " posted_at BIGINT NOT NULL, audit_seq BIGINT NOT NULL,"
     " CHECK (debit_account <> credit_account));"
     "CREATE INDEX points_postings_unit ON points_postings (unit_id, posted_at);"
     "CREATE INDEX points_postings_subject ON points_postings (subject_id);"
     "CREATE TABLE points_entries ("
     " account_id TEXT NOT NULL, posting_id TEXT NOT NULL, amount BIGINT NOT NULL,"
     " balance_after BIGINT NOT NULL, posted_at BIGINT NOT NULL, kind TEXT NOT NULL,"
     " trigger TEXT NOT NULL, PRIMARY KEY (account_id, posting_id));"
     "CREATE TABLE points_claims ("
     " trigger TEXT NOT NULL, subject_id TEXT NOT NULL, earner_account TEXT NOT NULL,"
     " source_seq BIGINT NOT NULL, rule_id TEXT NOT NULL, outcome TEXT NOT NULL,"
     " posting_id TEXT NOT NULL DEFAULT '', review_id TEXT NOT NULL DEFAULT '',"
     " claimed_at BIGINT NOT NULL, PRIMARY KEY (trigger, subject_id, earner_account));"
     "CREATE TABLE points_usage ("
     " earner_account TEXT NOT NULL, scope TEXT NOT NULL, period TEXT NOT NULL,"
     " points BIGINT NOT NULL, awards BIGINT NOT NULL,"
     " PRIMARY KEY (earner_account, scope, period))"},
    {"participation", 2, "points rules and each community's participation settings",
     "CREATE TABLE points_rules ("
     " id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, unit_path TEXT NOT NULL,"
     " unit_name TEXT NOT NULL, trigger TEXT NOT NULL, title TEXT NOT NULL,"
     " points BIGINT NOT NULL CHECK (points > 0 AND points <= 1000),"
     " daily_cap BIGINT NOT NULL CHECK (daily_cap >= points),"
     " monthly_cap BIGINT NOT NULL CHECK (monthly_cap >= daily_cap),"
     " valid_from BIGINT NOT NULL, valid_until BIGINT NOT NULL DEFAULT 0,"
     " status TEXT NOT NULL CHECK (status IN ('active','retired')),"
     " created_by TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " retired_by TEXT NOT NULL DEFAULT '', retire_reason TEXT NOT NULL DEFAULT '',"
     " version BIGINT NOT NULL);"
     "CREATE UNIQUE INDEX points_rules_one_active ON points_rules (unit_id, trigger)"
     " WHERE status = 'active';"
     "CREATE INDEX points_rules_match ON points_rules (trigger, unit_id, valid_from);"
     "CREATE TABLE participation_settings ("
     " unit_id TEXT PRIMARY KEY, support_threshold BIGINT NOT NULL,"
     " support_days BIGINT NOT NULL, velocity_per_hour BIGINT NOT NULL,"
     " velocity_per_day BIGINT NOT NULL, same_decider_per_month BIGINT NOT NULL,"
     " manual_award_max BIGINT NOT NULL, updated_by TEXT NOT NULL,"
     " updated_at BIGINT NOT NULL, version BIGINT NOT NULL)"},
    {"participation", 3, "rewards and redemptions",
     "CREATE TABLE points_rewards ("
     " id TEXT PRIMARY KEY, community_id TEXT NOT NULL,"
     " kind TEXT NOT NULL CHECK (kind IN ('goods','service','honour','policy')),"
     " title TEXT NOT NULL, description TEXT NOT NULL, cost BIGINT NOT NULL CHECK (cost > 0),"
     " stock BIGINT CHECK (stock IS NULL OR stock >= 0),"
     " per_person_limit BIGINT NOT NULL DEFAULT 0, needs_approval BIGINT NOT NULL DEFAULT 0,"
     " status TEXT NOT NULL CHECK (status IN ('active','retired')),"
     " photo_id TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " version BIGINT NOT NULL);"
     "CREATE INDEX points_rewards_community ON points_rewards (community_id, status, cost);"
     "CREATE TABLE points_redemptions ("
     " id TEXT PRIMARY KEY, reward_id TEXT NOT NULL, community_id TEXT NOT NULL,"
     " account_id TEXT NOT NULL, requested_by TEXT NOT NULL,"
     " quantity BIGINT NOT NULL CHECK (quantity > 0), points BIGINT NOT NULL CHECK (points > 0),"
     " status TEXT NOT NULL CHECK (status IN"
     " ('requested','approved','fulfilled','rejected','cancelled')),"
     " posting_id TEXT NOT NULL, refund_posting_id TEXT NOT NULL DEFAULT '',"
     " idem_key TEXT, fingerprint TEXT NOT NULL DEFAULT '',"
     " requested_at BIGINT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',"
     " decided_at BIGINT NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '',"
     " fulfilled_at BIGINT NOT NULL DEFAULT 0, version BIGINT NOT NULL,"
     " UNIQUE (account_id, idem_key));"
     "CREATE INDEX points_redemptions_queue ON points_redemptions"
     " (community_id, status, requested_at);"
     "CREATE INDEX points_redemptions_account ON points_redemptions (account_id, requested_at);"
     "CREATE INDEX points_redemptions_limit ON points_redemptions (reward_id, account_id, status)"},
    {"participation", 4, "review queue of held awards, households",
     "CREATE TABLE points_reviews ("
     " id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, unit_path TEXT NOT NULL,"
     " trigger TEXT NOT NULL, subject_id TEXT NOT NULL, earner_account TEXT NOT NULL,"
     " decider TEXT NOT NULL, rule_id TEXT NOT NULL, amount BIGINT NOT NULL,"
     " source_seq BIGINT NOT NULL, reasons TEXT NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),"
     " created_at BIGINT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',"
     " decided_at BIGINT NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '',"
     " posting_id TEXT NOT NULL DEFAULT '', version BIGINT NOT NULL);"
     "CREATE INDEX points_reviews_queue ON points_reviews (unit_id, status, created_at);"
     "CREATE TABLE points_households ("
     " id TEXT PRIMARY KEY, community_id TEXT NOT NULL, label TEXT NOT NULL,"
     " created_by TEXT NOT NULL, created_at BIGINT NOT NULL, version BIGINT NOT NULL);"
     "CREATE TABLE points_household_members ("
     " account_id TEXT PRIMARY KEY, household_id TEXT NOT NULL, relation TEXT NOT NULL,"
     " added_by TEXT NOT NULL, added_at BIGINT NOT NULL);"
     "CREATE INDEX points_household_members_household ON points_household_members"
     " (household_id)"},
    {"participation", 5, "issued credit statements, published honour rolls",
     "CREATE TABLE points_statements ("
     " id TEXT PRIMARY KEY, account_id TEXT NOT NULL, issued_by TEXT NOT NULL,"
     " issued_at BIGINT NOT NULL, from_at BIGINT NOT NULL, to_at BIGINT NOT NULL,"
     " audience TEXT NOT NULL, balance BIGINT NOT NULL, postings BIGINT NOT NULL,"
     " digest TEXT NOT NULL, valid_until BIGINT NOT NULL);"
     "CREATE INDEX points_statements_account ON points_statements (account_id, issued_at);"
     "CREATE TABLE points_honour_rolls ("
     " unit_id TEXT NOT NULL, month TEXT NOT NULL, rank BIGINT NOT NULL,"
     " account_id TEXT NOT NULL, points BIGINT NOT NULL,"
     " published_by TEXT NOT NULL, published_at BIGINT NOT NULL,"
     " PRIMARY KEY (unit_id, month, rank))"},
    // Badges count an account's awards per trigger only up to what a badge
    // needs: a short range of this index, however many postings it has.
    {"participation", 9, "an account's awards by trigger, for badges",
     "CREATE INDEX points_entries_awards ON points_entries (account_id, trigger)"
     " WHERE kind = 'award' AND amount > 0"},
};

Error Insufficient(std::int64_t balance, std::int64_t amount) {
  return Error::Conflict(fmt::format("the balance is {} points; this needs {}", balance, amount))
      .About("points", "insufficient_points");
}

// Moves one side; nullopt when the debit condition refused (or no row).
Result<std::optional<std::int64_t>> Move(Executor& ex, std::string_view id, bool debit,
                                         std::int64_t amount, std::int64_t lifetime) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      debit ? ex.QueryOne("UPDATE points_accounts SET balance = balance - ?,"
                          " postings = postings + 1, lifetime_earned = lifetime_earned + ?"
                          " WHERE id = ? AND (kind = 'issuer' OR balance >= ?) RETURNING balance",
                          {amount, lifetime, id, amount})
            : ex.QueryOne("UPDATE points_accounts SET balance = balance + ?,"
                          " postings = postings + 1, lifetime_earned = lifetime_earned + ?"
                          " WHERE id = ? RETURNING balance",
                          {amount, lifetime, id}));
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(row->Int(0));
}

Result<void> CreateAccount(Executor& ex, const ParsedAccount& a, std::string_view id,
                           Timestamp now) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO points_accounts (id, kind, owner_id, created_at) VALUES (?, ?, ?, ?)"
              " ON CONFLICT (id) DO NOTHING",
              {id, AccountKindName(a.kind), a.owner_id, now}));
  return {};
}

// One side of a posting, creating the account on first use.
Result<std::int64_t> Side(Executor& ex, std::string_view id, bool debit, std::int64_t amount,
                          std::int64_t lifetime, Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto moved, Move(ex, id, debit, amount, lifetime));
  if (moved) return *moved;
  XT_ASSIGN_OR_RETURN(auto acc, ParseAccountId(id));
  XT_ASSIGN_OR_RETURN(auto existing,
                      ex.QueryOne("SELECT balance FROM points_accounts WHERE id = ?", {id}));
  if (existing) {
    if (debit) return Fail(Insufficient(existing->Int(0), amount));
    return Fail(Error::Internal(fmt::format("points account {} did not move", id)));
  }
  // A holder that never had points has none to give.
  if (debit && acc.kind != AccountKind::kIssuer && acc.kind != AccountKind::kPool)
    return Fail(Insufficient(0, amount));
  XT_TRY_VOID(CreateAccount(ex, acc, id, now));
  XT_ASSIGN_OR_RETURN(moved, Move(ex, id, debit, amount, lifetime));
  if (!moved) {
    XT_ASSIGN_OR_RETURN(auto again,
                        ex.QueryOne("SELECT balance FROM points_accounts WHERE id = ?", {id}));
    return Fail(Insufficient(again ? again->Int(0) : 0, amount));
  }
  return *moved;
}

constexpr std::string_view kPostingColumns =
    "p.id, p.kind, p.debit_account, p.credit_account, p.amount, p.unit_id, p.rule_id,"
    " p.trigger, p.subject_id, p.source_seq, p.reverses, p.memo, p.actor, p.posted_at,"
    " p.audit_seq,"
    " (SELECT r.id FROM points_postings r WHERE r.reverses = p.id),"
    " (SELECT e.balance_after FROM points_entries e WHERE e.account_id = p.debit_account"
    "  AND e.posting_id = p.id),"
    " (SELECT e.balance_after FROM points_entries e WHERE e.account_id = p.credit_account"
    "  AND e.posting_id = p.id)";

Posting PostingFrom(const storage::Row& r) {
  Posting p;
  p.id = r.Text(0);
  p.kind = ParsePostingKind(r.TextView(1)).value_or(PostingKind::kAward);
  p.debit = r.Text(2);
  p.credit = r.Text(3);
  p.amount = r.Int(4);
  p.unit_id = r.Text(5);
  p.rule_id = r.Text(6);
  p.trigger = r.Text(7);
  p.subject_id = r.Text(8);
  p.source_seq = r.Int(9);
  p.reverses = r.OptText(10);
  p.memo = r.Text(11);
  p.actor = r.Text(12);
  p.posted_at = r.Int(13);
  p.audit_seq = r.Int(14);
  p.reversed_by = r.OptText(15);
  p.debit_balance_after = r.Int(16);
  p.credit_balance_after = r.Int(17);
  return p;
}

Result<std::optional<Posting>> FindPostingWhere(Executor& ex, std::string_view where,
                                                std::string_view key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM points_postings p WHERE {}",
                                                        kPostingColumns, where),
                                            {key}));
  if (!row) return std::optional<Posting>();
  return std::optional<Posting>(PostingFrom(*row));
}

}  // namespace

std::span<const storage::Migration> PointsMigrations() { return kMigrations; }

namespace {

// Moves both accounts' rows in ascending id order, so two posts A→B and B→A
// cannot deadlock; answers (debit balance after, credit balance after).
Result<std::pair<std::int64_t, std::int64_t>> MoveSides(Executor& ex, const PostingInput& in,
                                                        Timestamp now) {
  std::int64_t debit_after = 0, credit_after = 0;
  if (in.debit < in.credit) {
    XT_ASSIGN_OR_RETURN(debit_after, Side(ex, in.debit, true, in.amount, in.debit_lifetime, now));
    XT_ASSIGN_OR_RETURN(credit_after,
                        Side(ex, in.credit, false, in.amount, in.credit_lifetime, now));
  } else {
    XT_ASSIGN_OR_RETURN(credit_after,
                        Side(ex, in.credit, false, in.amount, in.credit_lifetime, now));
    XT_ASSIGN_OR_RETURN(debit_after, Side(ex, in.debit, true, in.amount, in.debit_lifetime, now));
  }
  return std::pair{debit_after, credit_after};
}

json::Json PostedPayload(const PostingInput& in) {
  json::Json payload = {{"kind", PostingKindName(in.kind)},
                        {"debit", in.debit},
                        {"credit", in.credit},
                        {"amount", in.amount},
                        {"unit_id", in.unit_id},
                        {"rule_id", in.rule_id},
                        {"trigger", in.trigger},
                        {"subject_id", in.subject_id},
                        {"source_seq", in.source_seq},
                        {"decider", in.decider},
                        {"memo", in.memo}};
  if (in.reverses) payload["reverses"] = *in.reverses;
  return payload;
}

// The posting as stored, but for its audit_seq.
Posting PostingOf(const PostingInput& in, Timestamp now,
                  std::pair<std::int64_t, std::int64_t> after) {
  Posting p;
  p.id = in.id;
  p.kind = in.kind;
  p.debit = in.debit;
  p.credit = in.credit;
  p.amount = in.amount;
  p.unit_id = in.unit_id;
  p.rule_id = in.rule_id;
  p.trigger = in.trigger;
  p.subject_id = in.subject_id;
  p.source_seq = in.source_seq;
  p.reverses = in.reverses;
  p.memo = in.memo;
  p.actor = in.actor;
  p.posted_at = now;
  p.debit_balance_after = after.first;
  p.credit_balance_after = after.second;
  return p;
}

}  // namespace

Result<Posting> Post(Executor& ex, const PostingInput& in, Timestamp now) {
  XT_ASSIGN_OR_RETURN(const auto after, MoveSides(ex, in, now));
  XT_ASSIGN_OR_RETURN(
      auto seq, audit::Append(ex, now, {in.actor, "points.posted", in.id, PostedPayload(in)}));
  XT_TRY_VOID(ex.Defer(
      "INSERT INTO points_postings (id, kind, debit_account, credit_account, amount, unit_id,"
      " rule_id, trigger, subject_id, source_seq, reverses, idem_key, memo, actor, posted_at,"
      " audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {in.id, PostingKindName(in.kind), in.debit, in.credit, in.amount, in.unit_id, in.rule_id,
       in.trigger, in.subject_id, in.source_seq, storage::Value(in.reverses),
       storage::Value(in.idem_key), in.memo, in.actor, now, seq}));
  XT_TRY_VOID(ex.Defer(
      "INSERT INTO points_entries (account_id, posting_id, amount, balance_after, posted_at,"
      " kind, trigger) VALUES (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)",
      {in.debit, in.id, -in.amount, after.first, now, PostingKindName(in.kind), in.trigger,
       in.credit, in.id, in.amount, after.second, now, PostingKindName(in.kind), in.trigger}));
  Posting p = PostingOf(in, now, after);
  p.audit_seq = seq;
  return p;
}

Result<std::vector<Posting>> PostMany(Executor& ex, std::span<const PostingInput> in,
                                      Timestamp now) {
  // Statements of at most 500 rows: SQLite binds at most 32,766 parameters.
  constexpr std::size_t kRows = 500;
  std::vector<Posting> out;
  out.reserve(in.size());
  for (std::size_t from = 0; from < in.size(); from += kRows) {
    const auto part = in.subspan(from, std::min(kRows, in.size() - from));
    std::vector<audit::EventInput> events;
    events.reserve(part.size());
    for (const PostingInput& p : part) {
      XT_ASSIGN_OR_RETURN(const auto after, MoveSides(ex, p, now));
      events.push_back({p.actor, "points.posted", p.id, PostedPayload(p)});
      out.push_back(PostingOf(p, now, after));
    }
    XT_ASSIGN_OR_RETURN(const std::int64_t first, audit::AppendMany(ex, now, events));
    std::string postings_sql =
        "INSERT INTO points_postings (id, kind, debit_account, credit_account, amount, unit_id,"
        " rule_id, trigger, subject_id, source_seq, reverses, idem_key, memo, actor, posted_at,"
        " audit_seq) VALUES ";
    std::string entries_sql =
        "INSERT INTO points_entries (account_id, posting_id, amount, balance_after, posted_at,"
        " kind, trigger) VALUES ";
    std::vector<storage::Value> postings, entries;
    postings.reserve(16 * part.size());
    entries.reserve(14 * part.size());
    for (std::size_t i = 0; i < part.size(); ++i) {
      const PostingInput& p = part[i];
      Posting& o = out[from + i];
      o.audit_seq = first + static_cast<std::int64_t>(i);
      postings_sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                             : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      postings.insert(postings.end(),
                      {p.id, PostingKindName(p.kind), p.debit, p.credit, p.amount, p.unit_id,
                       p.rule_id, p.trigger, p.subject_id, p.source_seq, storage::Value(p.reverses),
                       storage::Value(p.idem_key), p.memo, p.actor, now, o.audit_seq});
      entries_sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)"
                            : ", (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)";
      entries.insert(entries.end(),
                     {p.debit, p.id, -p.amount, o.debit_balance_after, now, PostingKindName(p.kind),
                      p.trigger, p.credit, p.id, p.amount, o.credit_balance_after, now,
                      PostingKindName(p.kind), p.trigger});
    }
    XT_TRY_VOID(ex.Defer(postings_sql, postings));
    XT_TRY_VOID(ex.Defer(entries_sql, entries));
  }
  return out;
}

Result<std::optional<Account>> FindAccount(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT id, kind, owner_id, balance,"
                                            " lifetime_earned, postings, created_at"
                                            " FROM points_accounts WHERE id = ?",
                                            {id}));
  if (!row) return std::optional<Account>();
  Account a;
  a.id = row->Text(0);
  a.kind = ParseAccountKind(row->TextView(1)).value_or(AccountKind::kPerson);
  a.owner_id = row->Text(2);
  a.balance = row->Int(3);
  a.lifetime_earned = row->Int(4);
  a.postings = row->Int(5);
  a.created_at = row->Int(6);
  return std::optional<Account>(std::move(a));
}

Result<std::optional<Posting>> FindPosting(Executor& ex, std::string_view id) {
  return FindPostingWhere(ex, "p.id = ?", id);
}

Result<std::optional<Posting>> FindPostingByIdemKey(Executor& ex, std::string_view idem_key) {
  return FindPostingWhere(ex, "p.idem_key = ?", idem_key);
}

namespace {

constexpr std::string_view kEntrySelect =
    "SELECT e.posting_id, e.posted_at, e.kind, e.amount, e.balance_after,"
    " CASE WHEN p.debit_account = e.account_id THEN p.credit_account ELSE p.debit_account END,"
    " e.trigger, p.rule_id, p.memo, p.subject_id, p.reverses,"
    " (SELECT r.id FROM points_postings r WHERE r.reverses = p.id), p.audit_seq, p.unit_id"
    " FROM points_entries e JOIN points_postings p ON p.id = e.posting_id"
    " WHERE e.account_id = ?";

std::vector<EntryLine> EntryLines(const std::vector<storage::Row>& rows) {
  std::vector<EntryLine> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    EntryLine l;
    l.posting_id = r.Text(0);
    l.posted_at = r.Int(1);
    l.kind = ParsePostingKind(r.TextView(2)).value_or(PostingKind::kAward);
    l.amount = r.Int(3);
    l.balance_after = r.Int(4);
    l.counterparty = r.Text(5);
    l.trigger = r.Text(6);
    l.rule_id = r.Text(7);
    l.memo = r.Text(8);
    l.subject_id = r.Text(9);
    l.reverses = r.OptText(10);
    l.reversed_by = r.OptText(11);
    l.audit_seq = r.Int(12);
    l.unit_id = r.Text(13);
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

Result<std::vector<EntryLine>> Entries(Executor& ex, std::string_view account_id,
                                       std::string_view before, std::string_view trigger,
                                       int limit) {
  std::string sql(kEntrySelect);
  std::vector<storage::Value> params{account_id};
  if (!before.empty()) {
    sql += " AND e.posting_id < ?";
    params.emplace_back(before);
  }
  if (!trigger.empty()) {
    sql += " AND e.trigger = ?";
    params.emplace_back(trigger);
  }
  sql += " ORDER BY e.posting_id DESC LIMIT ?";
  params.emplace_back(limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, params));
  return EntryLines(rows);
}

Result<std::vector<EntryLine>> EntriesBetween(Executor& ex, std::string_view account_id,
                                              Timestamp from, Timestamp to, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("{} AND e.posted_at >= ? AND e.posted_at <= ?"
                                                      " ORDER BY e.posted_at, e.posting_id LIMIT ?",
                                                      kEntrySelect),
                                          {account_id, from, to, limit}));
  return EntryLines(rows);
}

Result<std::vector<PeriodTotal>> PeriodTotals(Executor& ex, std::string_view account_id,
                                              Timestamp from, Timestamp to) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT kind, trigger, COUNT(*), COALESCE(SUM(amount), 0)"
                               " FROM points_entries WHERE account_id = ? AND posted_at >= ?"
                               " AND posted_at <= ? GROUP BY kind, trigger ORDER BY kind, trigger",
                               {account_id, from, to}));
  std::vector<PeriodTotal> out;
  for (const auto& r : rows)
    out.push_back({.kind = r.Text(0), .trigger = r.Text(1), .count = r.Int(2), .amount = r.Int(3)});
  return out;
}

Result<void> InsertStatement(Executor& ex, const StatementRecord& s) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO points_statements (id, account_id, issued_by, issued_at, from_at, to_at,"
      " audience, balance, postings, digest, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {s.id, s.account_id, s.issued_by, s.issued_at, s.from_at, s.to_at, s.audience, s.balance,
       s.postings, s.digest, s.valid_until}));
  return {};
}

Result<std::optional<StatementRecord>> FindStatement(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto r, ex.QueryOne("SELECT id, account_id, issued_by, issued_at, from_at, to_at, audience,"
                          " balance, postings, digest, valid_until FROM points_statements"
                          " WHERE id = ?",
                          {id}));
  if (!r) return std::optional<StatementRecord>();
  return std::optional<StatementRecord>(StatementRecord{.id = r->Text(0),
                                                        .account_id = r->Text(1),
                                                        .issued_by = r->Text(2),
                                                        .issued_at = r->Int(3),
                                                        .from_at = r->Int(4),
                                                        .to_at = r->Int(5),
                                                        .audience = r->Text(6),
                                                        .balance = r->Int(7),
                                                        .postings = r->Int(8),
                                                        .digest = r->Text(9),
                                                        .valid_until = r->Int(10)});
}

Result<std::int64_t> ReversedSince(Executor& ex, std::string_view account_id, Timestamp from,
                                   Timestamp to, Timestamp since) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT COUNT(*) FROM points_postings r JOIN points_postings p"
                                  " ON p.id = r.reverses WHERE (p.debit_account = ? OR"
                                  " p.credit_account = ?) AND p.posted_at >= ? AND p.posted_at <= ?"
                                  " AND r.posted_at > ?",
                                  {account_id, account_id, from, to, since}));
  return row ? row->Int(0) : 0;
}

Result<std::vector<HonourEntry>> EarnedBetween(Executor& ex,
                                               std::span<const std::string> account_ids,
                                               Timestamp from, Timestamp to) {
  std::vector<HonourEntry> out;
  constexpr std::size_t kChunk = 500;
  for (std::size_t i = 0; i < account_ids.size(); i += kChunk) {
    const auto n = std::min(kChunk, account_ids.size() - i);
    std::vector<storage::Value> p;
    for (std::size_t j = 0; j < n; ++j) p.emplace_back(account_ids[i + j]);
    p.emplace_back(from);
    p.emplace_back(to);
    XT_ASSIGN_OR_RETURN(
        auto rows,
        ex.Query(fmt::format("SELECT account_id, SUM(amount) FROM points_entries"
                             " WHERE account_id IN ({}) AND posted_at >= ? AND posted_at < ?"
                             " AND kind IN ('award', 'manual', 'reversal') GROUP BY account_id",
                             storage::Placeholders(n)),
                 p));
    for (const auto& r : rows)
      if (r.Int(1) > 0) out.push_back({.rank = 0, .account_id = r.Text(0), .points = r.Int(1)});
  }
  std::sort(out.begin(), out.end(), [](const HonourEntry& a, const HonourEntry& b) {
    return a.points != b.points ? a.points > b.points : a.account_id < b.account_id;
  });
  for (std::size_t i = 0; i < out.size(); ++i) out[i].rank = static_cast<std::int64_t>(i + 1);
  return out;
}

Result<std::optional<PublishedRoll>> FindHonourRoll(Executor& ex, std::string_view unit_id,
                                                    std::string_view month) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT rank, account_id, points, published_by, published_at"
                               " FROM points_honour_rolls WHERE unit_id = ? AND month = ?"
                               " ORDER BY rank",
                               {unit_id, month}));
  if (rows.empty()) return std::optional<PublishedRoll>();
  PublishedRoll roll;
  roll.published_by = rows.front().Text(3);
  roll.published_at = rows.front().Int(4);
  for (const auto& r : rows)
    roll.entries.push_back({.rank = r.Int(0), .account_id = r.Text(1), .points = r.Int(2)});
  return std::optional<PublishedRoll>(std::move(roll));
}

Result<void> InsertHonourRoll(Executor& ex, std::string_view unit_id, std::string_view month,
                              const PublishedRoll& roll) {
  for (const auto& e : roll.entries)
    XT_TRY_VOID(ex.Exec(
        "INSERT INTO points_honour_rolls (unit_id, month, rank, account_id,"
        " points, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {unit_id, month, e.rank, e.account_id, e.points, roll.published_by, roll.published_at}));
  return {};
}

Result<std::map<std::string, std::int64_t, std::less<>>> AwardCounts(
    Executor& ex, std::string_view account_id,
    const std::map<std::string_view, std::int64_t>& up_to) {
  std::map<std::string, std::int64_t, std::less<>> out;
  for (const auto& [trigger, cap] : up_to) {
    XT_ASSIGN_OR_RETURN(auto row,
                        ex.QueryOne("SELECT COUNT(*) FROM (SELECT 1 FROM points_entries"
                                    " WHERE account_id = ? AND trigger = ? AND kind = 'award'"
                                    " AND amount > 0 LIMIT ?) capped",
                                    {account_id, trigger, cap}));
    if (row && row->Int(0) > 0) out[std::string(trigger)] = row->Int(0);
  }
  return out;
}

Result<bool> Claim(Executor& ex, std::string_view trigger, std::string_view subject_id,
                   std::string_view earner_account, std::int64_t source_seq,
                   std::string_view rule_id, Timestamp at) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("INSERT INTO points_claims (trigger, subject_id, earner_account, source_seq,"
                      " rule_id, outcome, claimed_at) VALUES (?, ?, ?, ?, ?, 'claimed', ?)"
                      " ON CONFLICT (trigger, subject_id, earner_account) DO NOTHING",
                      {trigger, subject_id, earner_account, source_seq, rule_id, at}));
  return n == 1;
}

Result<void> SetClaimOutcome(Executor& ex, std::string_view trigger, std::string_view subject_id,
                             std::string_view earner_account, std::string_view outcome,
                             std::string_view posting_id, std::string_view review_id) {
  return ex.Defer(
      "UPDATE points_claims SET outcome = ?, posting_id = ?, review_id = ?"
      " WHERE trigger = ? AND subject_id = ? AND earner_account = ?",
      {outcome, posting_id, review_id, trigger, subject_id, earner_account});
}

Result<bool> UseWithinCap(Executor& ex, std::string_view earner, std::string_view scope,
                          std::string_view period, std::int64_t points, std::int64_t cap) {
  if (points > cap) return false;
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("INSERT INTO points_usage (earner_account, scope, period, points, awards)"
                      " VALUES (?, ?, ?, ?, 1) ON CONFLICT (earner_account, scope, period)"
                      " DO UPDATE SET points = points_usage.points + excluded.points,"
                      " awards = points_usage.awards + 1"
                      " WHERE points_usage.points + excluded.points <= ?",
                      {earner, scope, period, points, cap}));
  return n == 1;
}

Result<void> Unuse(Executor& ex, std::string_view earner, std::string_view scope,
                   std::string_view period, std::int64_t points) {
  return ex.Defer(
      "UPDATE points_usage SET points = points - ?, awards = awards - 1"
      " WHERE earner_account = ? AND scope = ? AND period = ?",
      {points, earner, scope, period});
}

Result<std::int64_t> Bump(Executor& ex, std::string_view earner, std::string_view scope,
                          std::string_view period, std::int64_t points) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne("INSERT INTO points_usage (earner_account, scope, period, points, awards)"
                  " VALUES (?, ?, ?, ?, 1) ON CONFLICT (earner_account, scope, period)"
                  " DO UPDATE SET points = points_usage.points + excluded.points,"
                  " awards = points_usage.awards + 1 RETURNING awards",
                  {earner, scope, period, points}));
  return row ? row->Int(0) : 1;
}

Result<bool> SameHousehold(Executor& ex, std::string_view a, std::string_view b) {
  if (a == b) return false;
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT household_id FROM points_household_members"
                                          " WHERE account_id IN (?, ?)",
                                          {a, b}));
  return rows.size() == 2 && rows[0].Text(0) == rows[1].Text(0);
}

Result<void> InsertReview(Executor& ex, const Review& r) {
  return ex.Defer(
      "INSERT INTO points_reviews (id, unit_id, unit_path, trigger, subject_id, earner_account,"
      " decider, rule_id, amount, source_seq, reasons, status, created_at, version)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
      {r.id, r.unit_id, r.unit_path, r.trigger, r.subject_id, r.earner_account, r.decider,
       r.rule_id, r.amount, r.source_seq, json::Json(r.reasons).dump(), r.status, r.created_at});
}

Result<TrialBalance> CheckLedger(Executor& ex, std::string_view unit_id) {
  TrialBalance t;
  // Each account's cached balance against the sum of its entries and its
  // last running balance (the last in commit order: the chain's seq, since
  // two nodes may commit postings out of their ids' order).
  std::string sql =
      "SELECT a.id, a.balance,"
      " (SELECT COALESCE(SUM(e.amount), 0) FROM points_entries e WHERE e.account_id = a.id),"
      " (SELECT e.balance_after FROM points_entries e JOIN points_postings p"
      "  ON p.id = e.posting_id WHERE e.account_id = a.id ORDER BY p.audit_seq DESC LIMIT 1)"
      " FROM points_accounts a";
  std::vector<storage::Value> params;
  if (!unit_id.empty()) {
    sql +=
        " WHERE a.id IN (SELECT p.debit_account FROM points_postings p WHERE p.unit_id = ?"
        " UNION SELECT p.credit_account FROM points_postings p WHERE p.unit_id = ?)";
    params = {unit_id, unit_id};
  }
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, params));
  for (const auto& r : rows) {
    ++t.accounts;
    t.sum_of_balances += r.Int(1);
    if (r.Int(1) != r.Int(2) || (!r.IsNull(3) && r.Int(3) != r.Int(1)))
      t.mismatched.push_back(r.Text(0));
  }
  XT_ASSIGN_OR_RETURN(auto n, unit_id.empty() ? ex.QueryOne("SELECT COUNT(*) FROM points_postings")
                                              : ex.QueryOne("SELECT COUNT(*) FROM points_postings"
                                                            " WHERE unit_id = ?",
                                                            {unit_id}));
  t.postings = n ? n->Int(0) : 0;
  return t;
}

}  // namespace xietong::participation::store
