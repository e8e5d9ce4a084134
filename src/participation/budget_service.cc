// DeliberationService's participatory budgets (plan §7.3–7.4): staff create
// a budget and its projects, open or cancel it; residents of the community
// cast one sealed ballot each; RunDue opens and closes budgets by time, the
// close claimed by compare-and-set so that two nodes close a budget once;
// the proof is CheckTally over the budget's chain events. Each command:
// authorize → load → decide (budget.h) → store (budget_store.h) + its audit
// event(s), in one transaction.
#include <fmt/core.h>
#include <sodium.h>

#include <algorithm>

#include "identity/authorization.h"
#include "participation/deliberation_service.h"

namespace xietong::participation {
namespace {

using identity::Principal;
using storage::Executor;

constexpr int kDueBatch = 100;
constexpr int kBudgetPage = 200;

bool IsResidentOf(const Principal& actor, std::string_view community_id) {
  if (actor.is_system() || actor.kind != identity::AccountKind::kResident) return false;
  return std::any_of(actor.memberships.begin(), actor.memberships.end(), [&](const auto& m) {
    return m.role == identity::Role::kResident && m.unit_id == community_id;
  });
}

bool IsStaffOver(const Principal& actor, std::string_view community_path) {
  if (actor.is_system()) return true;
  if (actor.kind != identity::AccountKind::kStaff) return false;
  return identity::Can(actor, identity::Action::kParticipationStaff, community_path);
}

std::string AccountKey(std::string_view account_id) {
  return fmt::format("account:{}", account_id);
}

Error NoBudget(std::string_view id) {
  return Error::NotFound(fmt::format("no budget '{}'", id.substr(0, 64)));
}
Error NotStaff() {
  return Error::PermissionDenied("only the community's staff manage its budgets");
}
Error NotDraft(const Budget& b) {
  return Error::Conflict(
             fmt::format("the budget is {}; only a draft changes", BudgetStatusName(b.status)))
      .About("status", "not_draft");
}
Error VotingClosed(const Budget& b) {
  return Error::Conflict(b.status == BudgetStatus::kDraft
                             ? std::string("voting has not started")
                             : std::string("voting on this budget is over"))
      .About("status", "voting_closed");
}
Error NotClosed() {
  return Error::Conflict("the results are published when voting closes")
      .About("status", "not_closed");
}

std::string NewReceipt() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex, 32);
}

std::vector<BudgetProject> MathProjects(const std::vector<Project>& projects) {
  std::vector<BudgetProject> out;
  out.reserve(projects.size());
  for (const auto& p : projects) out.push_back({p.id, p.cost_fen, p.position});
  return out;
}

json::Json OpenedPayload(const Budget& b, const std::vector<Project>& projects) {
  json::Json list = json::Json::array();
  for (const auto& p : projects) list.push_back({{"id", p.id}, {"cost_fen", p.cost_fen}});
  return {{"projects", std::move(list)},
          {"total_fen", b.total_fen},
          {"voting_closes", b.voting_closes}};
}

}  // namespace

Result<Budget> DeliberationService::ReadableBudget(Executor& ex, const Principal& actor,
                                                   std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto b, store::FindBudget(ex, id));
  if (!b) return Fail(NoBudget(id));
  if (!IsResidentOf(actor, b->community_id) && !IsStaffOver(actor, b->community_path))
    return Fail(NoBudget(id));
  return std::move(*b);
}

Result<Budget> DeliberationService::CreateBudget(const Principal& actor, NewBudget in) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto community, Community(in.community_id));
  if (!IsStaffOver(actor, community->path)) return Fail(NotStaff());
  XT_ASSIGN_OR_RETURN(in, ValidateNewBudget(std::move(in), now));
  Budget b;
  b.id = ids_.Next();
  b.community_id = community->id;
  b.community_path = community->path;
  b.title = in.title;
  b.description = in.description;
  b.total_fen = in.total_fen;
  b.max_choices = in.max_choices;
  b.voting_opens = in.voting_opens;
  b.voting_closes = in.voting_closes;
  b.created_by = actor.account_id;
  b.created_at = now;
  auto out = db_.Write([&](Executor& ex) -> Result<Budget> {
    XT_TRY_VOID(store::InsertBudget(ex, b));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "deliberation.budget.created",
                               b.id,
                               {{"community_id", b.community_id},
                                {"title", b.title},
                                {"total_fen", b.total_fen},
                                {"max_choices", b.max_choices},
                                {"voting_opens", b.voting_opens},
                                {"voting_closes", b.voting_closes}}}));
    return b;
  });
  if (out) Committed();
  return out;
}

Result<Project> DeliberationService::AddProject(const Principal& actor, std::string_view budget_id,
                                                NewProject in) {
  const Timestamp now = clock_.Now();
  auto out = db_.Write([&](Executor& ex) -> Result<Project> {
    XT_ASSIGN_OR_RETURN(auto b, ReadableBudget(ex, actor, budget_id));
    if (!IsStaffOver(actor, b.community_path)) return Fail(NotStaff());
    if (b.status != BudgetStatus::kDraft) return Fail(NotDraft(b));
    XT_ASSIGN_OR_RETURN(in, ValidateNewProject(std::move(in), b.total_fen));
    if (!in.proposal_id.empty()) {
      XT_ASSIGN_OR_RETURN(auto p, store::FindProposal(ex, in.proposal_id));
      if (!p || p->community_id != b.community_id)
        return Fail(
            Error::InvalidArgument("field 'proposal_id': not a proposal of this budget's community")
                .About("proposal_id", "unknown"));
      if (p->status != ProposalStatus::kQualified && p->status != ProposalStatus::kScheduled &&
          p->status != ProposalStatus::kAccepted)
        return Fail(
            Error::InvalidArgument("field 'proposal_id': only a qualified or accepted proposal")
                .About("proposal_id", "not_qualified"));
    }
    XT_ASSIGN_OR_RETURN(auto projects, store::Projects(ex, b.id));
    if (projects.size() >= kMaxProjects)
      return Fail(Error::Conflict(fmt::format("a budget has at most {} projects", kMaxProjects))
                      .About("projects", "too_many"));
    Project p;
    p.id = ids_.Next();
    p.budget_id = b.id;
    p.position = projects.empty() ? 0 : projects.back().position + 1;
    p.title = in.title;
    p.description = in.description;
    p.cost_fen = in.cost_fen;
    p.proposal_id = in.proposal_id;
    XT_TRY_VOID(store::InsertProject(ex, p));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "deliberation.budget.project_added",
                               b.id,
                               {{"project_id", p.id},
                                {"title", p.title},
                                {"cost_fen", p.cost_fen},
                                {"proposal_id", p.proposal_id}}}));
    return p;
  });
  if (out) Committed();
  return out;
}

Result<Budget> DeliberationService::OpenBudget(const Principal& actor, std::string_view id) {
  const Timestamp now = clock_.Now();
  auto out = db_.Write([&](Executor& ex) -> Result<Budget> {
    XT_ASSIGN_OR_RETURN(auto b, ReadableBudget(ex, actor, id));
    if (!IsStaffOver(actor, b.community_path)) return Fail(NotStaff());
    if (b.status != BudgetStatus::kDraft) return Fail(NotDraft(b));
    if (b.voting_closes <= now) return Fail(VotingClosed(b));
    XT_ASSIGN_OR_RETURN(auto projects, store::Projects(ex, b.id));
    if (projects.empty())
      return Fail(Error::Conflict("add at least one project before voting opens")
                      .About("projects", "no_projects"));
    XT_ASSIGN_OR_RETURN(bool ok, store::OpenBudget(ex, b.id));
    if (!ok) return Fail(NotDraft(b));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.is_system() ? std::string("system") : actor.account_id,
                               "deliberation.budget.opened", b.id, OpenedPayload(b, projects)}));
    b.status = BudgetStatus::kVoting;
    b.version += 1;
    return b;
  });
  if (out) Committed();
  return out;
}

Result<Budget> DeliberationService::CancelBudget(const Principal& actor, std::string_view id,
                                                 std::string_view reason) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto why, ValidateReason(reason));
  auto out = db_.Write([&](Executor& ex) -> Result<Budget> {
    XT_ASSIGN_OR_RETURN(auto b, ReadableBudget(ex, actor, id));
    if (!IsStaffOver(actor, b.community_path)) return Fail(NotStaff());
    XT_ASSIGN_OR_RETURN(bool ok, store::CancelBudget(ex, b.id));
    if (!ok) return Fail(NotDraft(b));
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "deliberation.budget.cancelled", b.id, {{"reason", why}}}));
    b.status = BudgetStatus::kCancelled;
    b.version += 1;
    return b;
  });
  if (out) Committed();
  return out;
}

Result<std::vector<std::string>> DeliberationService::VoterKeys(std::string_view account_id) {
  std::vector<std::string> keys;
  if (voter_keys_) {
    XT_ASSIGN_OR_RETURN(keys, voter_keys_(account_id));
  }
  const std::string own = AccountKey(account_id);
  if (keys.empty()) keys.push_back(own);
  if (std::find(keys.begin(), keys.end(), own) == keys.end()) keys.push_back(own);
  return keys;
}

Result<bool> DeliberationService::VotedUnderAny(Executor& ex, std::string_view budget_id,
                                                const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    XT_ASSIGN_OR_RETURN(bool voted, store::HasVoted(ex, budget_id, key));
    if (voted) return true;
  }
  return false;
}

Result<BudgetView> DeliberationService::GetBudget(const Principal& actor, std::string_view id) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(const auto keys, VoterKeys(actor.account_id));
  return db_.Read([&](Executor& ex) -> Result<BudgetView> {
    BudgetView v;
    XT_ASSIGN_OR_RETURN(v.budget, ReadableBudget(ex, actor, id));
    XT_ASSIGN_OR_RETURN(v.projects, store::Projects(ex, v.budget.id));
    if (IsResidentOf(actor, v.budget.community_id)) {
      XT_ASSIGN_OR_RETURN(v.i_voted, VotedUnderAny(ex, v.budget.id, keys));
      v.can_vote =
          !v.i_voted && v.budget.status == BudgetStatus::kVoting && now < v.budget.voting_closes;
    }
    return v;
  });
}

Result<std::vector<Budget>> DeliberationService::ListBudgets(const Principal& actor,
                                                             std::string_view community_id) {
  const std::string id = community_id.empty() ? DefaultCommunity(actor) : std::string(community_id);
  XT_ASSIGN_OR_RETURN(auto community, Community(id));
  if (!IsResidentOf(actor, community->id) && !IsStaffOver(actor, community->path))
    return Fail(
        Error::PermissionDenied(
            fmt::format("the budgets of {} are for its residents and staff", community->name))
            .About("community_id", "not_resident"));
  return db_.Read([&](Executor& ex) { return store::ListBudgets(ex, community->id, kBudgetPage); });
}

Result<BallotReceipt> DeliberationService::Cast(const Principal& actor, std::string_view budget_id,
                                                CastBallot in) {
  const Timestamp now = clock_.Now();
  if (in.receipt.empty()) {
    in.receipt = NewReceipt();
  } else if (!IsReceipt(in.receipt)) {
    return Fail(Error::InvalidArgument("field 'receipt': 32 lowercase hexadecimal characters")
                    .About("receipt", "invalid"));
  }
  XT_ASSIGN_OR_RETURN(auto b,
                      db_.Read([&](Executor& ex) { return ReadableBudget(ex, actor, budget_id); }));
  if (!IsResidentOf(actor, b.community_id)) {
    auto community = Community(b.community_id);
    return Fail(
        Error::PermissionDenied(fmt::format("votes in {}'s budget are for its registered residents",
                                            community ? (*community)->name : b.community_id))
            .About("community_id", "not_resident"));
  }
  if (b.status != BudgetStatus::kVoting || now >= b.voting_closes) return Fail(VotingClosed(b));
  XT_ASSIGN_OR_RETURN(auto projects,
                      db_.Read([&](Executor& ex) { return store::Projects(ex, b.id); }));
  XT_ASSIGN_OR_RETURN(auto choices,
                      ValidateBallot(MathProjects(projects), {b.total_fen, b.max_choices},
                                     std::move(in.project_ids)));
  // Looked up before the write: a link made in between is the next vote's.
  XT_ASSIGN_OR_RETURN(const auto keys, VoterKeys(actor.account_id));
  BallotReceipt r;
  r.budget_id = b.id;
  r.receipt = in.receipt;
  r.commitment = BallotCommitment(b.id, r.receipt, choices);
  r.tag = BallotTag(b.id, r.receipt);
  r.cast_at = now;
  auto out = db_.Write([&](Executor& ex) -> Result<BallotReceipt> {
    // Who voted (no choice, no time) — the PK makes a second vote a 409,
    // and so does a vote under another key of the same person.
    const auto already = [&] {
      return Fail(Error::Conflict("you have already voted in this budget")
                      .About("budget", "already_voted"));
    };
    XT_ASSIGN_OR_RETURN(bool voted, VotedUnderAny(ex, b.id, keys));
    if (voted) return already();
    XT_ASSIGN_OR_RETURN(bool fresh, store::InsertVoter(ex, b.id, keys.front(), actor.account_id));
    if (!fresh) return already();
    XT_ASSIGN_OR_RETURN(bool open, store::CountBallot(ex, b.id, now));
    if (!open) return Fail(VotingClosed(b));
    // What was voted (no voter, no time).
    XT_ASSIGN_OR_RETURN(bool unused, store::InsertBallot(ex, b.id, r.tag, choices));
    if (!unused)
      return Fail(Error::Conflict("this receipt was already used; make a new one")
                      .About("receipt", "receipt_used"));
    XT_ASSIGN_OR_RETURN(r.cast_seq, audit::Append(ex, now,
                                                  {actor.account_id,
                                                   "deliberation.ballot.cast",
                                                   b.id,
                                                   {{"community_id", b.community_id},
                                                    {"unit_path", b.community_path},
                                                    {"commitment", r.commitment}}}));
    return r;
  });
  if (out) Committed();
  return out;
}

Result<MyBallot> DeliberationService::GetMyBallot(const Principal& actor,
                                                  std::string_view budget_id) {
  XT_ASSIGN_OR_RETURN(const auto keys, VoterKeys(actor.account_id));
  // The person's accounts: the vote may have been cast from another of them.
  std::vector<std::string> accounts;
  for (const auto& key : keys) {
    if (key.starts_with("account:")) accounts.push_back(key.substr(8));
  }
  return db_.Read([&](Executor& ex) -> Result<MyBallot> {
    XT_ASSIGN_OR_RETURN(auto b, ReadableBudget(ex, actor, budget_id));
    MyBallot m;
    XT_ASSIGN_OR_RETURN(m.voted, VotedUnderAny(ex, b.id, keys));
    if (!m.voted) return m;
    XT_ASSIGN_OR_RETURN(auto events, audit::EventsFor(ex, b.id));
    for (const auto& e : events) {
      if (e.action != "deliberation.ballot.cast" ||
          std::find(accounts.begin(), accounts.end(), e.actor) == accounts.end())
        continue;
      m.cast_seq = e.seq;
      m.cast_at = e.at;
      auto p = json::Json::parse(e.payload, nullptr, false);
      if (p.is_object() && p.contains("commitment") && p["commitment"].is_string())
        m.commitment = p["commitment"].get<std::string>();
    }
    return m;
  });
}

Result<BudgetResults> DeliberationService::Results(const Principal& actor,
                                                   std::string_view budget_id) {
  return db_.Read([&](Executor& ex) -> Result<BudgetResults> {
    BudgetResults r;
    XT_ASSIGN_OR_RETURN(r.budget, ReadableBudget(ex, actor, budget_id));
    if (r.budget.status != BudgetStatus::kClosed) return Fail(NotClosed());
    XT_ASSIGN_OR_RETURN(auto projects, store::Projects(ex, r.budget.id));
    for (const auto& p : projects) r.tally.push_back({p.id, p.votes});
    // The order taken, as the close published it.
    r.selected = SelectWinners(MathProjects(projects), r.tally, r.budget.total_fen).selected;
    r.spent_fen = r.budget.spent_fen;
    XT_ASSIGN_OR_RETURN(r.ballots, store::Ballots(ex, r.budget.id));
    return r;
  });
}

Result<BudgetProof> DeliberationService::Proof(const Principal& actor, std::string_view budget_id) {
  return db_.Read([&](Executor& ex) -> Result<BudgetProof> {
    XT_ASSIGN_OR_RETURN(auto b, ReadableBudget(ex, actor, budget_id));
    if (b.status != BudgetStatus::kClosed) return Fail(NotClosed());
    BudgetProof p;
    XT_ASSIGN_OR_RETURN(p.events, audit::EventsFor(ex, b.id));
    p.check = CheckTally(p.events);
    return p;
  });
}

// Claims the close (compare-and-set on status), then opens every sealed
// ballot onto the chain in tag order and publishes the tally, in the same
// transaction. False when another node (or call) closed it first.
Result<bool> DeliberationService::CloseBudget(const Budget& b, Timestamp now) {
  return db_.Write([&](Executor& ex) -> Result<bool> {
    XT_ASSIGN_OR_RETURN(bool mine, store::ClaimClose(ex, b.id, now));
    if (!mine) return false;
    XT_ASSIGN_OR_RETURN(auto projects, store::Projects(ex, b.id));
    XT_ASSIGN_OR_RETURN(auto ballots, store::Ballots(ex, b.id));
    std::vector<std::vector<std::string>> choices;
    choices.reserve(ballots.size());
    for (const auto& s : ballots) choices.push_back(s.choices);
    const auto math = MathProjects(projects);
    const auto tally = Tally(math, choices);
    const auto selection = SelectWinners(math, tally, b.total_fen);
    json::Json tally_json = json::Json::array();
    for (std::size_t i = 0; i < projects.size(); ++i) {
      const bool selected = std::find(selection.selected.begin(), selection.selected.end(),
                                      projects[i].id) != selection.selected.end();
      XT_TRY_VOID(store::RecordProjectResult(ex, projects[i].id, tally[i].votes, selected));
      tally_json.push_back({{"project_id", tally[i].project_id}, {"votes", tally[i].votes}});
    }
    const std::size_t chunk =
        static_cast<std::size_t>(std::max(1, options_.max_ballot_events_per_close));
    for (std::size_t from = 0; from < ballots.size(); from += chunk) {
      std::vector<audit::EventInput> events;
      for (std::size_t i = from; i < std::min(ballots.size(), from + chunk); ++i)
        events.push_back({"system",
                          "deliberation.ballot.opened",
                          b.id,
                          {{"tag", ballots[i].tag}, {"choices", ballots[i].choices}}});
      XT_TRY_VOID(audit::AppendMany(ex, now, events));
    }
    XT_ASSIGN_OR_RETURN(auto close_seq,
                        audit::Append(ex, now,
                                      {"system",
                                       "deliberation.budget.closed",
                                       b.id,
                                       {{"ballots", static_cast<std::int64_t>(ballots.size())},
                                        {"tally", std::move(tally_json)},
                                        {"selected", selection.selected},
                                        {"spent_fen", selection.spent_fen},
                                        {"method", "votes_desc_fit_in_total"}}}));
    XT_TRY_VOID(store::RecordClose(ex, b.id, selection.spent_fen, close_seq));
    return true;
  });
}

Result<int> DeliberationService::RunDueBudgets() {
  const Timestamp now = clock_.Now();
  int changed = 0;
  XT_ASSIGN_OR_RETURN(auto to_open,
                      db_.Read([&](Executor& ex) { return store::DueToOpen(ex, now, kDueBatch); }));
  for (const auto& b : to_open) {
    if (b.voting_closes <= now) continue;  // never opened in time; staff cancel it
    auto opened = OpenBudget(Principal::System(), b.id);
    if (opened) {
      ++changed;
    } else if (opened.error().reason != "not_draft" && opened.error().reason != "no_projects" &&
               opened.error().reason != "voting_closed") {
      return Fail(std::move(opened.error()));
    }
  }
  XT_ASSIGN_OR_RETURN(
      auto to_close, db_.Read([&](Executor& ex) { return store::DueToClose(ex, now, kDueBatch); }));
  bool closed_any = false;
  for (const auto& b : to_close) {
    XT_ASSIGN_OR_RETURN(bool closed, CloseBudget(b, now));
    if (closed) {
      ++changed;
      closed_any = true;
    }
  }
  if (closed_any) Committed();
  return changed;
}

}  // namespace xietong::participation
