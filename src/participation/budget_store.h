// SQL of participatory budgets (migration 8 of module "participation"):
// budgets, their projects, who voted and the sealed ballots.
// docs/plans/participation.md §2.8 is the contract. The voters table holds
// no choice and no time; the ballots table holds no voter and no time (and on
// SQLite is WITHOUT ROWID, so its rows sit in tag order). Only this file
// holds the budgets' SQL.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "participation/budget.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::participation {

struct Budget {
  std::string id;
  std::string community_id;
  std::string community_path;
  std::string title;
  std::string description;
  std::int64_t total_fen = 0;
  std::int64_t max_choices = 0;
  BudgetStatus status = BudgetStatus::kDraft;
  Timestamp voting_opens = 0;
  Timestamp voting_closes = 0;
  std::int64_t ballots = 0;  // turnout
  std::int64_t spent_fen = 0;
  Timestamp closed_at = 0;
  std::int64_t close_seq = 0;
  std::string created_by;
  Timestamp created_at = 0;
  std::int64_t version = 1;
};

struct Project {
  std::string id;
  std::string budget_id;
  std::int64_t position = 0;
  std::string title;
  std::string description;
  std::int64_t cost_fen = 0;
  std::string proposal_id;
  std::int64_t votes = 0;  // written at close
  bool selected = false;   // written at close
};

struct SealedBallot {
  std::string tag;
  std::vector<std::string> choices;  // sorted project ids
};

}  // namespace xietong::participation

namespace xietong::participation::store {

// Migration 8 (its own span, after DeliberationMigrations' 6–7).
std::span<const storage::Migration> BudgetMigrations();

Result<void> InsertBudget(storage::Executor& ex, const Budget& b);
Result<std::optional<Budget>> FindBudget(storage::Executor& ex, std::string_view id);
// Newest first.
Result<std::vector<Budget>> ListBudgets(storage::Executor& ex, std::string_view community_id,
                                        int limit);
// Draft → voting, when the row is still a draft; false otherwise.
Result<bool> OpenBudget(storage::Executor& ex, std::string_view id);
// Draft → cancelled, when the row is still a draft; false otherwise.
Result<bool> CancelBudget(storage::Executor& ex, std::string_view id);
// The claim of the close: voting → closed when voting_closes ≤ now, by
// compare-and-set; false when someone else closed it (or it is not due).
Result<bool> ClaimClose(storage::Executor& ex, std::string_view id, Timestamp now);
// After the claim: the results on the budget row.
Result<void> RecordClose(storage::Executor& ex, std::string_view id, std::int64_t spent_fen,
                         std::int64_t close_seq);
// Drafts whose voting_opens has come; voting budgets whose voting_closes has.
Result<std::vector<Budget>> DueToOpen(storage::Executor& ex, Timestamp now, int limit);
Result<std::vector<Budget>> DueToClose(storage::Executor& ex, Timestamp now, int limit);

Result<void> InsertProject(storage::Executor& ex, const Project& p);
// In position order.
Result<std::vector<Project>> Projects(storage::Executor& ex, std::string_view budget_id);
Result<void> RecordProjectResult(storage::Executor& ex, std::string_view project_id,
                                 std::int64_t votes, bool selected);

// One cast, in the caller's transaction. Each returns false when the row
// exists: the voter (already_voted), the tag (receipt_used), or the budget
// no longer takes ballots (voting_closed).
Result<bool> InsertVoter(storage::Executor& ex, std::string_view budget_id,
                         std::string_view voter_key, std::string_view account_id);
Result<bool> InsertBallot(storage::Executor& ex, std::string_view budget_id, std::string_view tag,
                          const std::vector<std::string>& choices);
Result<bool> CountBallot(storage::Executor& ex, std::string_view budget_id, Timestamp now);
Result<bool> HasVoted(storage::Executor& ex, std::string_view budget_id,
                      std::string_view voter_key);
// The sealed ballots in tag order.
Result<std::vector<SealedBallot>> Ballots(storage::Executor& ex, std::string_view budget_id);

}  // namespace xietong::participation::store
