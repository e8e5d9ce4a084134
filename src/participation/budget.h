// Participatory budgets (Decidim-style): the pure math of ballots, their
// secret-but-provable form, the tally and the selection, and the check of a
// closed budget from its audit-chain events (docs/plans/participation.md
// §7.3–7.4). No I/O.
//
// A ballot is a set of project ids with Σcost ≤ total (and at most
// max_choices when that is > 0). The voter keeps a 128-bit receipt r:
//   commitment c = hex SHA-256("xietong ballot\n" + budget_id + "\n" + r + "\n"
//                              + join(sorted project ids, ","))   — on the cast event
//   tag        t = hex SHA-256("xietong ballot tag\n" + budget_id + "\n" + r)
//                                                  — beside the choices, no voter
// The selection takes projects by votes (descending), ties by the lower cost
// and then the position, each when it still fits in what is left; a project
// nobody chose is not selected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "core/json.h"
#include "core/result.h"

namespace xietong::participation {

struct BudgetProject {
  std::string id;
  std::int64_t cost_fen = 0;
  std::int64_t position = 0;
};

struct BallotRules {
  std::int64_t total_fen = 0;
  std::int64_t max_choices = 0;  // 0: any number within the total
};

// The choices, distinct, known, within the total and the count; returned
// sorted. 400 about "project_ids": empty_ballot, unknown_project,
// duplicate_project, too_many_choices, over_budget.
Result<std::vector<std::string>> ValidateBallot(const std::vector<BudgetProject>& projects,
                                                const BallotRules& rules,
                                                std::vector<std::string> choices);

// Lowercase hex SHA-256 of bytes.
std::string Sha256Hex(std::string_view bytes);

// A receipt is 32 lowercase hex characters (16 bytes).
bool IsReceipt(std::string_view r);
std::string BallotCommitment(std::string_view budget_id, std::string_view receipt,
                             const std::vector<std::string>& sorted_choices);
std::string BallotTag(std::string_view budget_id, std::string_view receipt);

struct ProjectVotes {
  std::string project_id;
  std::int64_t votes = 0;
  friend bool operator==(const ProjectVotes&, const ProjectVotes&) = default;
};
// Votes per project, in the projects' order; choices of unknown ids are ignored.
std::vector<ProjectVotes> Tally(const std::vector<BudgetProject>& projects,
                                const std::vector<std::vector<std::string>>& ballots);

struct Selection {
  std::vector<std::string> selected;  // in the order taken
  std::int64_t spent_fen = 0;
};
Selection SelectWinners(const std::vector<BudgetProject>& projects,
                        const std::vector<ProjectVotes>& tally, std::int64_t total_fen);

// What CheckTally found. `ok` when every check passed; otherwise `problems`
// says each in English.
struct TallyCheck {
  bool ok = false;
  std::int64_t casts = 0;
  std::int64_t ballots = 0;
  std::vector<std::string> problems;
};
// Checks a closed budget from its chain events (audit::EventsFor the budget,
// in seq order): created/opened give the rules and projects; the cast actors
// are distinct and inside the window; there are as many opened ballots as
// casts, with distinct tags, each valid; the recomputed tally and selection
// equal the closed event's. The hash links are audit::Verify's job.
TallyCheck CheckTally(const std::vector<audit::Event>& events);

// A budget's life: draft → voting → closed, or draft → cancelled.
enum class BudgetStatus { kDraft, kVoting, kClosed, kCancelled };
std::string_view BudgetStatusName(BudgetStatus s);
std::optional<BudgetStatus> ParseBudgetStatus(std::string_view s);

struct NewBudget {
  std::string community_id;
  std::string title;        // ≤ 60 characters
  std::string description;  // ≤ 2,000
  std::int64_t total_fen = 0;
  std::int64_t max_choices = 0;
  Timestamp voting_opens = 0;
  Timestamp voting_closes = 0;
};
// Title, description, total (1 fen … 10¹⁰ yuan), max_choices (0 … 100) and
// the window (opens before closes, closes in the future, ≤ 90 days long);
// errors name the field. Returns the input trimmed.
Result<NewBudget> ValidateNewBudget(NewBudget in, Timestamp now);

struct NewProject {
  std::string title;        // ≤ 60 characters
  std::string description;  // ≤ 2,000
  std::int64_t cost_fen = 0;
  std::string proposal_id;  // optional
};
// Title, description and a cost within the budget's total.
Result<NewProject> ValidateNewProject(NewProject in, std::int64_t total_fen);
inline constexpr std::size_t kMaxProjects = 100;

// A budget's proof as GET /api/v1/budgets/{id}/proof answers it ({events:
// [{seq, prev_hash, hash, canonical}], …}), checked with nothing but itself:
// each event's hash is audit::ChainHash(prev_hash, canonical), its canonical
// text is in canonical form, the events are in seq order, and CheckTally
// holds over them. 400 when `proof` is not shaped as a proof.
struct ProofCheck {
  bool ok = false;
  std::int64_t events = 0;
  std::int64_t casts = 0;
  std::int64_t ballots = 0;
  std::vector<std::string> problems;  // in English, one per failed check
};
Result<ProofCheck> CheckProof(const json::Json& proof);

}  // namespace xietong::participation
