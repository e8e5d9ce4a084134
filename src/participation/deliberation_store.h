// SQL of deliberation (migrations 6–8 of module "participation"): proposals,
// supports, comments, progress updates, meetings, budgets, projects, voters
// and sealed ballots. docs/plans/participation.md §2 is the contract. Only
// this file (and budget_store) holds deliberation's SQL.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "participation/meeting.h"
#include "participation/proposal.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::participation {

struct Comment {
  std::string id;
  std::string proposal_id;
  std::string author_id;
  std::string text;
  Timestamp created_at = 0;
  std::string hidden_reason;
};

// What supporters see of the implementation.
struct ProposalUpdate {
  std::string proposal_id;
  std::int64_t source_seq = 0;
  Timestamp at = 0;
  std::string kind;  // progress | status | replied | closed | implemented
  std::int64_t percent = 0;
  std::string text;
};

struct Supporter {
  std::string account_id;
  Timestamp supported_at = 0;
};

}  // namespace xietong::participation

namespace xietong::participation::store {

std::span<const storage::Migration> DeliberationMigrations();

// Proposals.
Result<void> InsertProposal(storage::Executor& ex, const Proposal& p,
                            std::string_view idempotency_key);
Result<std::optional<Proposal>> FindProposal(storage::Executor& ex, std::string_view id);
Result<std::optional<Proposal>> FindProposalByKey(storage::Executor& ex, std::string_view author_id,
                                                  std::string_view idempotency_key);
// The proposal a linked task or request carries out; nullopt for none.
Result<std::optional<Proposal>> FindProposalByTask(storage::Executor& ex, std::string_view task_id);
Result<std::optional<Proposal>> FindProposalByRequest(storage::Executor& ex,
                                                      std::string_view request_id);
struct ProposalFilter {
  std::string community_id;  // "" for every community
  std::vector<std::string> statuses;
  std::string supported_by;  // account id, or ""
  bool include_hidden = false;
  int limit = 50;
  std::string after_id;  // cursor: the last id of the previous page (newest first)
};
Result<std::vector<Proposal>> ListProposals(storage::Executor& ex, const ProposalFilter& f);
// Qualified and scheduled proposals of a community, most supported first,
// then by qualified_at.
Result<std::vector<Proposal>> Agenda(storage::Executor& ex, std::string_view community_id);
// Writes the mutable columns when the row still has p.version - 1; false otherwise.
Result<bool> UpdateProposal(storage::Executor& ex, const Proposal& p);
// Collecting proposals whose support time is over (≤ limit).
Result<std::vector<Proposal>> DueToExpire(storage::Executor& ex, Timestamp now, int limit);

// Supports. InsertSupport: false when this account already supports it.
Result<bool> InsertSupport(storage::Executor& ex, std::string_view proposal_id,
                           std::string_view account_id, Timestamp at);
struct SupportCount {
  std::int64_t supports = 0;
  ProposalStatus status = ProposalStatus::kCollecting;
  Timestamp qualified_at = 0;
};
// The one conditional UPDATE … RETURNING of §2.6: counts the support and
// qualifies the proposal when the count reaches the threshold; nullopt when
// the proposal no longer takes supports (status or support_until).
Result<std::optional<SupportCount>> CountSupport(storage::Executor& ex,
                                                 std::string_view proposal_id, Timestamp now);
Result<bool> HasSupport(storage::Executor& ex, std::string_view proposal_id,
                        std::string_view account_id);
Result<std::vector<Supporter>> Supporters(storage::Executor& ex, std::string_view proposal_id);

// Comments.
Result<void> InsertComment(storage::Executor& ex, const Comment& c);
Result<std::vector<Comment>> Comments(storage::Executor& ex, std::string_view proposal_id,
                                      int limit);

// Updates (ON CONFLICT DO NOTHING on (proposal_id, source_seq)); false when present.
Result<bool> InsertUpdate(storage::Executor& ex, const ProposalUpdate& u);
Result<std::vector<ProposalUpdate>> Updates(storage::Executor& ex, std::string_view proposal_id);

// Meetings.
Result<void> InsertMeeting(storage::Executor& ex, const Meeting& m);
Result<std::optional<Meeting>> FindMeeting(storage::Executor& ex, std::string_view id);
Result<std::vector<Meeting>> ListMeetings(storage::Executor& ex, std::string_view community_id,
                                          int limit);
// Writes status, minutes, attendees, decisions and the recorder when the row
// still has m.version - 1; false otherwise.
Result<bool> UpdateMeeting(storage::Executor& ex, const Meeting& m);

}  // namespace xietong::participation::store
