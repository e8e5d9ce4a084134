// 议事厅: proposals by residents of a community, supports with a threshold
// that puts a proposal on the community's agenda, discussion, meetings and
// their decisions, accepted proposals carried out as collab tasks or hub
// requests with their progress shown to supporters; and participatory
// budgets where each verified resident votes once, secretly, and the tally
// can be checked from the audit chain. The contract is
// docs/plans/participation.md §§2–3, §7 and §8. Thread-safe.
//
// Who may do what:
//   A verified resident of a community (a `resident` membership at exactly
//   that community unit, §7.2) proposes there, supports its proposals (not
//   their own, once each) and comments on them; elsewhere 403 not_resident.
//   The author withdraws their proposal while it collects supports.
//   Staff (kParticipationStaff over the community) hide proposals, list supporters, schedule,
//   record and cancel meetings. Anyone signed in reads proposals (hidden
//   ones: staff only, 404 otherwise), the agenda and meetings.
//
// Each command runs one transaction: authorize → load → decide (the pure
// rules of proposal.h and meeting.h) → store (deliberation_store.h) + one
// audit event (a meeting's record appends its event and one
// deliberation.proposal.decided per agenda item, together).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.h"
#include "collab/collab_service.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "identity/identity_service.h"
#include "participation/budget.h"
#include "participation/budget_store.h"
#include "participation/deliberation_store.h"
#include "participation/meeting.h"
#include "participation/proposal.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::participation {

struct DeliberationOptions {
  int max_ballot_events_per_close = 100000;
};

// One proposal as its reader sees it.
struct ProposalView {
  Proposal proposal;
  bool my_support = false;   // the caller supports it
  bool can_support = false;  // the caller may support it now
  std::vector<ProposalUpdate> updates;
};

struct SupportResult {
  std::string proposal_id;
  std::int64_t supports = 0;
  std::int64_t threshold = 0;
  ProposalStatus status = ProposalStatus::kCollecting;
  bool qualified = false;  // this support put it on the agenda
};

struct ProposalQuery {
  std::string community_id;  // "" → the caller's one community (staff: every one they reach)
  std::optional<ProposalStatus> status;
  bool supported_by_me = false;
  int limit = 50;
  std::string cursor;  // next_cursor of the previous page
};
struct ProposalPage {
  std::vector<Proposal> items;
  std::string next_cursor;  // "" when there is none
};

// A budget as its reader sees it: the projects' votes and selection only
// once it is closed.
struct BudgetView {
  Budget budget;
  std::vector<Project> projects;
  bool i_voted = false;
  bool can_vote = false;
};

struct CastBallot {
  std::vector<std::string> project_ids;
  std::string receipt;  // 32 lowercase hex, made by the page; "" → the server makes one
};
struct BallotReceipt {
  std::string budget_id;
  std::string receipt;  // the voter keeps it; never stored
  std::string commitment;
  std::string tag;
  std::int64_t cast_seq = 0;
  Timestamp cast_at = 0;
};
struct MyBallot {
  bool voted = false;
  std::int64_t cast_seq = 0;
  std::string commitment;
  Timestamp cast_at = 0;
};
struct BudgetResults {
  Budget budget;
  std::vector<ProjectVotes> tally;
  std::vector<std::string> selected;
  std::int64_t spent_fen = 0;
  std::vector<SealedBallot> ballots;  // in tag order
};
struct BudgetProof {
  std::vector<audit::Event> events;  // every event about the budget, in seq order
  TallyCheck check;                  // CheckTally over them
};

class DeliberationService {
 public:
  DeliberationService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                      identity::IdentityService& identity, collab::CollabService& collab,
                      requests::RequestService& requests, DeliberationOptions options = {});

  static constexpr int kMaxPage = 200;

  // Proposals. Propose takes NewProposal::idempotency_key: the same key by
  // the same author answers the first proposal.
  Result<Proposal> Propose(const identity::Principal& actor, NewProposal in);
  Result<ProposalView> GetProposal(const identity::Principal& actor, std::string_view id);
  Result<ProposalPage> ListProposals(const identity::Principal& actor, const ProposalQuery& q);
  // 409 already_supported | own_proposal | not_collecting; 403 not_resident.
  Result<SupportResult> Support(const identity::Principal& actor, std::string_view id);
  Result<std::vector<Supporter>> Supporters(const identity::Principal& actor, std::string_view id);
  Result<Proposal> Withdraw(const identity::Principal& actor, std::string_view id,
                            std::string_view reason);
  Result<Proposal> Hide(const identity::Principal& actor, std::string_view id,
                        std::string_view reason);

  // Discussion: residents of the community and its staff.
  Result<Comment> PostComment(const identity::Principal& actor, std::string_view proposal_id,
                              std::string_view text);
  Result<std::vector<Comment>> Comments(const identity::Principal& actor,
                                        std::string_view proposal_id);

  // The community's agenda: qualified and scheduled proposals.
  Result<std::vector<Proposal>> Agenda(const identity::Principal& actor,
                                       std::string_view community_id);

  // Meetings (议事会).
  Result<Meeting> ScheduleMeeting(const identity::Principal& actor, NewMeeting in);
  Result<Meeting> GetMeeting(const identity::Principal& actor, std::string_view id);
  Result<std::vector<Meeting>> ListMeetings(const identity::Principal& actor,
                                            std::string_view community_id);
  // Records attendees (residents of the community), minutes and a decision
  // per agenda item, all in one transaction.
  Result<Meeting> RecordMeeting(const identity::Principal& actor, std::string_view id,
                                MeetingRecord in);
  // Cancels a scheduled meeting; its agenda goes back to qualified.
  Result<Meeting> CancelMeeting(const identity::Principal& actor, std::string_view id,
                                std::string_view reason);

  // Carries out an accepted proposal (progress.cc, plan §7.1): implement
  // "task" → a task in the community's standing 议事厅项目专班 (the caller's
  // active force about "deliberation:<community id>", else formed, which
  // needs kTaskForceOpen), found again by its marker 〔提案 <id>〕 after a
  // crash; "request" → a hub request submitted as the system with the
  // Idempotency-Key "proposal:<id>". Then one write: implementing, the
  // links, deliberation.proposal.implemented. Idempotent: a carried-out
  // proposal is answered as it is. The community's staff or its decider;
  // RecordMeeting calls it after its commit for each accepted item. 409
  // not_accepted for a proposal that is not accepted as a task or request.
  Result<Proposal> Implement(const identity::Principal& actor, std::string_view proposal_id);

  // Participatory budgets (budget_service.cc). Staff (kParticipationStaff
  // over the community) create a budget and add projects while it is a
  // draft, open it (or RunDue opens it at voting_opens) or cancel it; RunDue
  // closes it at voting_closes, once (compare-and-set), appending every
  // sealed ballot in tag order and the tally. Residents of the community and
  // its staff read it; only its residents vote, once each (409
  // already_voted, receipt_used, voting_closed; 403 not_resident; 400 from
  // ValidateBallot). The ballot row carries no voter and the cast event no
  // choice.
  Result<Budget> CreateBudget(const identity::Principal& actor, NewBudget in);
  Result<Project> AddProject(const identity::Principal& actor, std::string_view budget_id,
                             NewProject in);
  Result<Budget> OpenBudget(const identity::Principal& actor, std::string_view id);
  Result<Budget> CancelBudget(const identity::Principal& actor, std::string_view id,
                              std::string_view reason);
  Result<BudgetView> GetBudget(const identity::Principal& actor, std::string_view id);
  Result<std::vector<Budget>> ListBudgets(const identity::Principal& actor,
                                          std::string_view community_id);
  Result<BallotReceipt> Cast(const identity::Principal& actor, std::string_view budget_id,
                             CastBallot in);
  Result<MyBallot> GetMyBallot(const identity::Principal& actor, std::string_view budget_id);
  // After the close (409 not_closed before).
  Result<BudgetResults> Results(const identity::Principal& actor, std::string_view budget_id);
  Result<BudgetProof> Proof(const identity::Principal& actor, std::string_view budget_id);
  // Opens the drafts whose time has come and closes the budgets whose
  // voting is over; how many changed. Part of RunDue.
  Result<int> RunDueBudgets();

  // The progress reaction (progress.cc), inside the consumer's batch
  // transaction: collab.task.progress / collab.task.status of a linked task
  // and request.signed / progress / replied / callback / closed / reopened
  // of a linked request → one deliberation_updates row per event (replays
  // add nothing); the task done or the request closed → the proposal done
  // and deliberation.proposal.completed.
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);
  // Periodic: expires proposals, opens and closes budgets; how many changed.
  Result<int> RunDue();

  // Called after each command commits. Add before serving.
  void AddOnCommit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }

  // One person, one vote: the keys under which the person behind an account
  // may already have voted, the first being the one a new vote is recorded
  // under. app wires exchange's 实名 links ("person:<digest>", then
  // "account:<id>" of every account linked to the same identity number), so
  // a person with two accounts votes once. Without a finder, or for an
  // account never linked: {"account:<id>"}. Set once, before serving.
  using VoterKeysFinder =
      std::function<Result<std::vector<std::string>>(std::string_view account_id)>;
  void SetVoterKeysFinder(VoterKeysFinder finder) { voter_keys_ = std::move(finder); }

 private:
  void Committed();
  Result<std::shared_ptr<const identity::OrgUnit>> Community(std::string_view id);
  static std::string DefaultCommunity(const identity::Principal& actor);
  Result<Proposal> Readable(storage::Executor& ex, const identity::Principal& actor,
                            std::string_view id);
  Result<Meeting> ReadableMeeting(const identity::Principal& actor, std::string_view id);
  Result<Budget> ReadableBudget(storage::Executor& ex, const identity::Principal& actor,
                                std::string_view id);
  Result<bool> CloseBudget(const Budget& b, Timestamp now);
  Result<std::pair<std::string, std::string>> EnsureTask(const identity::Principal& actor,
                                                         const Proposal& p,
                                                         const identity::OrgUnit& community);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  collab::CollabService& collab_;
  requests::RequestService& requests_;
  DeliberationOptions options_;
  std::vector<std::function<void()>> on_commit_;
  VoterKeysFinder voter_keys_;

  Result<std::vector<std::string>> VoterKeys(std::string_view account_id);
  static Result<bool> VotedUnderAny(storage::Executor& ex, std::string_view budget_id,
                                    const std::vector<std::string>& keys);
};

}  // namespace xietong::participation
