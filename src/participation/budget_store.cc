#include "participation/budget_store.h"

#include <fmt/core.h>

#include <string>

#include "core/json.h"

namespace xietong::participation::store {
namespace {

using storage::Executor;
using storage::Row;

#define XT_BUDGET_TABLES(BALLOTS_TAIL)                                                       \
  "CREATE TABLE deliberation_budgets ("                                                      \
  " id TEXT PRIMARY KEY, community_id TEXT NOT NULL, community_path TEXT NOT NULL,"          \
  " title TEXT NOT NULL, description TEXT NOT NULL,"                                         \
  " total_fen BIGINT NOT NULL CHECK (total_fen > 0), max_choices BIGINT NOT NULL DEFAULT 0," \
  " status TEXT NOT NULL CHECK (status IN ('draft','voting','closed','cancelled')),"         \
  " voting_opens BIGINT NOT NULL, voting_closes BIGINT NOT NULL,"                            \
  " ballots BIGINT NOT NULL DEFAULT 0,"                                                      \
  " spent_fen BIGINT NOT NULL DEFAULT 0, closed_at BIGINT NOT NULL DEFAULT 0,"               \
  " close_seq BIGINT NOT NULL DEFAULT 0,"                                                    \
  " created_by TEXT NOT NULL, created_at BIGINT NOT NULL, version BIGINT NOT NULL,"          \
  " CHECK (voting_closes > voting_opens));"                                                  \
  "CREATE INDEX deliberation_budgets_due ON deliberation_budgets (status, voting_closes);"   \
  "CREATE INDEX deliberation_budgets_community ON deliberation_budgets"                      \
  " (community_id, created_at);"                                                             \
  "CREATE TABLE deliberation_projects ("                                                     \
  " id TEXT PRIMARY KEY, budget_id TEXT NOT NULL, position BIGINT NOT NULL,"                 \
  " title TEXT NOT NULL, description TEXT NOT NULL,"                                         \
  " cost_fen BIGINT NOT NULL CHECK (cost_fen > 0),"                                          \
  " proposal_id TEXT NOT NULL DEFAULT '',"                                                   \
  " votes BIGINT NOT NULL DEFAULT 0, selected BIGINT NOT NULL DEFAULT 0,"                    \
  " UNIQUE (budget_id, position));"                                                          \
  "CREATE TABLE deliberation_voters ("                                                       \
  " budget_id TEXT NOT NULL, voter_key TEXT NOT NULL, account_id TEXT NOT NULL,"             \
  " PRIMARY KEY (budget_id, voter_key));"                                                    \
  "CREATE TABLE deliberation_ballots ("                                                      \
  " budget_id TEXT NOT NULL, tag TEXT NOT NULL, choices TEXT NOT NULL,"                      \
  " PRIMARY KEY (budget_id, tag))" BALLOTS_TAIL

constexpr storage::Migration kMigrations[] = {
    {"participation", 8, "participatory budgets: projects, who voted, sealed ballots",
     // SQLite: WITHOUT ROWID, so the ballots sit in tag (random) order and no
     // rowid gives away the order of casting.
     XT_BUDGET_TABLES(" WITHOUT ROWID"), XT_BUDGET_TABLES("")},
};

#undef XT_BUDGET_TABLES

constexpr std::string_view kBudgetColumns =
    "id, community_id, community_path, title, description, total_fen, max_choices, status,"
    " voting_opens, voting_closes, ballots, spent_fen, closed_at, close_seq, created_by,"
    " created_at, version";

Budget BudgetFrom(const Row& r) {
  Budget b;
  b.id = r.Text(0);
  b.community_id = r.Text(1);
  b.community_path = r.Text(2);
  b.title = r.Text(3);
  b.description = r.Text(4);
  b.total_fen = r.Int(5);
  b.max_choices = r.Int(6);
  b.status = ParseBudgetStatus(r.TextView(7)).value_or(BudgetStatus::kCancelled);
  b.voting_opens = r.Int(8);
  b.voting_closes = r.Int(9);
  b.ballots = r.Int(10);
  b.spent_fen = r.Int(11);
  b.closed_at = r.Int(12);
  b.close_seq = r.Int(13);
  b.created_by = r.Text(14);
  b.created_at = r.Int(15);
  b.version = r.Int(16);
  return b;
}

Result<std::vector<Budget>> Budgets(Executor& ex, std::string_view sql,
                                    std::initializer_list<storage::Value> params) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, params));
  std::vector<Budget> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(BudgetFrom(r));
  return out;
}

std::vector<std::string> StringsFrom(std::string_view text) {
  std::vector<std::string> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

}  // namespace

std::span<const storage::Migration> BudgetMigrations() { return kMigrations; }

Result<void> InsertBudget(Executor& ex, const Budget& b) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO deliberation_budgets (id, community_id, community_path, title, description,"
      " total_fen, max_choices, status, voting_opens, voting_closes, created_by, created_at,"
      " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {b.id, b.community_id, b.community_path, b.title, b.description, b.total_fen, b.max_choices,
       BudgetStatusName(b.status), b.voting_opens, b.voting_closes, b.created_by, b.created_at,
       b.version}));
  return {};
}

Result<std::optional<Budget>> FindBudget(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM deliberation_budgets"
                                                        " WHERE id = ?",
                                                        kBudgetColumns),
                                            {id}));
  if (!row) return std::nullopt;
  return BudgetFrom(*row);
}

Result<std::vector<Budget>> ListBudgets(Executor& ex, std::string_view community_id, int limit) {
  return Budgets(ex,
                 fmt::format("SELECT {} FROM deliberation_budgets WHERE community_id = ?"
                             " ORDER BY created_at DESC, id DESC LIMIT ?",
                             kBudgetColumns),
                 {community_id, limit});
}

Result<bool> OpenBudget(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE deliberation_budgets SET status = 'voting',"
                                      " version = version + 1"
                                      " WHERE id = ? AND status = 'draft'",
                                      {id}));
  return n == 1;
}

Result<bool> CancelBudget(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE deliberation_budgets SET status = 'cancelled',"
                                      " version = version + 1"
                                      " WHERE id = ? AND status = 'draft'",
                                      {id}));
  return n == 1;
}

Result<bool> ClaimClose(Executor& ex, std::string_view id, Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE deliberation_budgets SET status = 'closed',"
                                      " closed_at = ?, version = version + 1"
                                      " WHERE id = ? AND status = 'voting' AND voting_closes <= ?",
                                      {now, id, now}));
  return n == 1;
}

Result<void> RecordClose(Executor& ex, std::string_view id, std::int64_t spent_fen,
                         std::int64_t close_seq) {
  XT_TRY_VOID(ex.Exec("UPDATE deliberation_budgets SET spent_fen = ?, close_seq = ? WHERE id = ?",
                      {spent_fen, close_seq, id}));
  return {};
}

Result<std::vector<Budget>> DueToOpen(Executor& ex, Timestamp now, int limit) {
  return Budgets(ex,
                 fmt::format("SELECT {} FROM deliberation_budgets WHERE status = 'draft'"
                             " AND voting_opens <= ? ORDER BY voting_opens LIMIT ?",
                             kBudgetColumns),
                 {now, limit});
}

Result<std::vector<Budget>> DueToClose(Executor& ex, Timestamp now, int limit) {
  return Budgets(ex,
                 fmt::format("SELECT {} FROM deliberation_budgets WHERE status = 'voting'"
                             " AND voting_closes <= ? ORDER BY voting_closes LIMIT ?",
                             kBudgetColumns),
                 {now, limit});
}

Result<void> InsertProject(Executor& ex, const Project& p) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO deliberation_projects (id, budget_id, position, title,"
              " description, cost_fen, proposal_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
              {p.id, p.budget_id, p.position, p.title, p.description, p.cost_fen, p.proposal_id}));
  return {};
}

Result<std::vector<Project>> Projects(Executor& ex, std::string_view budget_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT id, budget_id, position, title, description, cost_fen,"
                               " proposal_id, votes, selected FROM deliberation_projects"
                               " WHERE budget_id = ? ORDER BY position",
                               {budget_id}));
  std::vector<Project> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), r.Int(5), r.Text(6),
                   r.Int(7), r.Int(8) != 0});
  return out;
}

Result<void> RecordProjectResult(Executor& ex, std::string_view project_id, std::int64_t votes,
                                 bool selected) {
  XT_TRY_VOID(ex.Exec("UPDATE deliberation_projects SET votes = ?, selected = ? WHERE id = ?",
                      {votes, selected, project_id}));
  return {};
}

Result<bool> InsertVoter(Executor& ex, std::string_view budget_id, std::string_view voter_key,
                         std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("INSERT INTO deliberation_voters (budget_id, voter_key,"
                                      " account_id) VALUES (?, ?, ?)"
                                      " ON CONFLICT (budget_id, voter_key) DO NOTHING",
                                      {budget_id, voter_key, account_id}));
  return n == 1;
}

Result<bool> InsertBallot(Executor& ex, std::string_view budget_id, std::string_view tag,
                          const std::vector<std::string>& choices) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("INSERT INTO deliberation_ballots (budget_id, tag, choices)"
                                      " VALUES (?, ?, ?) ON CONFLICT (budget_id, tag) DO NOTHING",
                                      {budget_id, tag, json::Json(choices).dump()}));
  return n == 1;
}

Result<bool> CountBallot(Executor& ex, std::string_view budget_id, Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE deliberation_budgets SET ballots = ballots + 1"
                                      " WHERE id = ? AND status = 'voting' AND voting_closes > ?",
                                      {budget_id, now}));
  return n == 1;
}

Result<bool> HasVoted(Executor& ex, std::string_view budget_id, std::string_view voter_key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT 1 FROM deliberation_voters"
                                            " WHERE budget_id = ? AND voter_key = ?",
                                            {budget_id, voter_key}));
  return row.has_value();
}

Result<std::vector<SealedBallot>> Ballots(Executor& ex, std::string_view budget_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT tag, choices FROM deliberation_ballots"
                                          " WHERE budget_id = ? ORDER BY tag",
                                          {budget_id}));
  std::vector<SealedBallot> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r.Text(0), StringsFrom(r.TextView(1))});
  return out;
}

}  // namespace xietong::participation::store
