#include "participation/budget.h"

#include <fmt/core.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/clock.h"
#include "core/json.h"
#include "participation/proposal.h"

namespace xietong::participation {
namespace {

Error BadBallot(std::string message, std::string reason) {
  return Error::InvalidArgument(fmt::format("field 'project_ids': {}", message))
      .About("project_ids", std::move(reason));
}

std::int64_t Int(const json::Json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

std::string Str(const json::Json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::vector<std::string> Strings(const json::Json& j, std::string_view key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& s : *it)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

Result<std::vector<std::string>> ValidateBallot(const std::vector<BudgetProject>& projects,
                                                const BallotRules& rules,
                                                std::vector<std::string> choices) {
  if (choices.empty()) return Fail(BadBallot("choose at least one project", "empty_ballot"));
  std::map<std::string, std::int64_t> cost;
  for (const auto& p : projects) cost[p.id] = p.cost_fen;
  std::sort(choices.begin(), choices.end());
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    auto it = cost.find(choices[i]);
    if (it == cost.end())
      return Fail(
          BadBallot(fmt::format("'{}' is not a project of this budget", choices[i].substr(0, 64)),
                    "unknown_project"));
    if (i > 0 && choices[i] == choices[i - 1])
      return Fail(BadBallot(fmt::format("'{}' is chosen twice", choices[i].substr(0, 64)),
                            "duplicate_project"));
    sum += it->second;
  }
  if (rules.max_choices > 0 && static_cast<std::int64_t>(choices.size()) > rules.max_choices)
    return Fail(
        BadBallot(fmt::format("at most {} projects", rules.max_choices), "too_many_choices"));
  if (sum > rules.total_fen)
    return Fail(BadBallot(fmt::format("the chosen projects cost {} fen, more than the budget's {}",
                                      sum, rules.total_fen),
                          "over_budget"));
  return choices;
}

bool IsReceipt(std::string_view r) {
  return r.size() == 32 && std::all_of(r.begin(), r.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string BallotCommitment(std::string_view budget_id, std::string_view receipt,
                             const std::vector<std::string>& sorted_choices) {
  std::string text = "xietong ballot\n";
  text += budget_id;
  text += '\n';
  text += receipt;
  text += '\n';
  for (std::size_t i = 0; i < sorted_choices.size(); ++i) {
    if (i > 0) text += ',';
    text += sorted_choices[i];
  }
  return Sha256Hex(text);
}

std::string BallotTag(std::string_view budget_id, std::string_view receipt) {
  std::string text = "xietong ballot tag\n";
  text += budget_id;
  text += '\n';
  text += receipt;
  return Sha256Hex(text);
}

std::vector<ProjectVotes> Tally(const std::vector<BudgetProject>& projects,
                                const std::vector<std::vector<std::string>>& ballots) {
  std::vector<ProjectVotes> out;
  std::map<std::string, std::size_t> index;
  for (const auto& p : projects) {
    index[p.id] = out.size();
    out.push_back({p.id, 0});
  }
  for (const auto& b : ballots)
    for (const auto& id : b)
      if (auto it = index.find(id); it != index.end()) ++out[it->second].votes;
  return out;
}

Selection SelectWinners(const std::vector<BudgetProject>& projects,
                        const std::vector<ProjectVotes>& tally, std::int64_t total_fen) {
  std::map<std::string, std::int64_t> votes;
  for (const auto& t : tally) votes[t.project_id] = t.votes;
  std::vector<const BudgetProject*> order;
  for (const auto& p : projects) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [&](const BudgetProject* a, const BudgetProject* b) {
    const auto va = votes[a->id], vb = votes[b->id];
    if (va != vb) return va > vb;
    if (a->cost_fen != b->cost_fen) return a->cost_fen < b->cost_fen;
    return a->position < b->position;
  });
  Selection s;
  for (const auto* p : order) {
    if (votes[p->id] == 0) continue;  // nobody chose it
    if (s.spent_fen + p->cost_fen > total_fen) continue;
    s.selected.push_back(p->id);
    s.spent_fen += p->cost_fen;
  }
  return s;
}

TallyCheck CheckTally(const std::vector<audit::Event>& events) {
  TallyCheck c;
  auto problem = [&](std::string p) { c.problems.push_back(std::move(p)); };
  std::optional<json::Json> created, opened, closed;
  Timestamp opened_at = 0;
  std::set<std::string> casters;
  std::vector<std::pair<std::string, std::vector<std::string>>> ballots;
  std::vector<Timestamp> cast_times;
  for (const auto& e : events) {
    auto p = json::Json::parse(e.payload, nullptr, false);
    if (!p.is_object()) {
      problem(fmt::format("event {} has no JSON object payload", e.seq));
      continue;
    }
    if (e.action == "deliberation.budget.created") {
      if (created) problem("the budget was created twice");
      created = std::move(p);
    } else if (e.action == "deliberation.budget.opened") {
      if (opened) problem("the budget was opened twice");
      opened = std::move(p);
      opened_at = e.at;
    } else if (e.action == "deliberation.ballot.cast") {
      ++c.casts;
      if (!casters.insert(e.actor).second)
        problem(fmt::format("{} cast twice (event {})", e.actor, e.seq));
      if (!opened || closed) problem(fmt::format("cast {} outside the voting", e.seq));
      cast_times.push_back(e.at);
    } else if (e.action == "deliberation.ballot.opened") {
      ++c.ballots;
      ballots.emplace_back(Str(p, "tag"), Strings(p, "choices"));
    } else if (e.action == "deliberation.budget.closed") {
      if (closed) problem("the budget was closed twice");
      closed = std::move(p);
    }
  }
  if (!created) problem("no deliberation.budget.created event");
  if (!opened) problem("no deliberation.budget.opened event");
  if (!closed) problem("no deliberation.budget.closed event");
  if (!created || !opened || !closed) return c;

  const Timestamp opens = Int(*created, "voting_opens");
  const Timestamp closes = Int(*opened, "voting_closes");
  for (auto at : cast_times)
    if (at < std::min(opens, opened_at) || at >= closes)
      problem(fmt::format("a cast at {} is outside the window [{}, {})", at, opens, closes));

  std::vector<BudgetProject> projects;
  if (auto it = opened->find("projects"); it != opened->end() && it->is_array())
    for (const auto& pj : *it)
      projects.push_back(
          {Str(pj, "id"), Int(pj, "cost_fen"), static_cast<std::int64_t>(projects.size())});
  const BallotRules rules{Int(*opened, "total_fen"), Int(*created, "max_choices")};

  if (c.ballots != c.casts)
    problem(fmt::format("{} ballots were opened for {} casts", c.ballots, c.casts));
  if (Int(*closed, "ballots") != c.casts)
    problem(fmt::format("the close says {} ballots; the chain has {} casts",
                        Int(*closed, "ballots"), c.casts));
  std::set<std::string> tags;
  std::vector<std::vector<std::string>> choices;
  for (auto& [tag, ch] : ballots) {
    if (!tags.insert(tag).second) problem(fmt::format("the tag {} appears twice", tag));
    auto valid = ValidateBallot(projects, rules, ch);
    if (!valid)
      problem(fmt::format("the ballot {} is not valid: {}", tag, valid.error().message));
    else if (*valid != ch)
      problem(fmt::format("the ballot {} is not in sorted order", tag));
    choices.push_back(ch);
  }
  const auto tally = Tally(projects, choices);
  std::vector<ProjectVotes> published;
  if (auto it = closed->find("tally"); it != closed->end() && it->is_array())
    for (const auto& t : *it) published.push_back({Str(t, "project_id"), Int(t, "votes")});
  if (published != tally) problem("the published tally differs from the ballots' tally");
  const auto sel = SelectWinners(projects, tally, rules.total_fen);
  if (Strings(*closed, "selected") != sel.selected)
    problem("the published selection differs from the recomputed one");
  if (Int(*closed, "spent_fen") != sel.spent_fen)
    problem(fmt::format("the close says {} fen spent; the selection costs {}",
                        Int(*closed, "spent_fen"), sel.spent_fen));
  c.ok = c.problems.empty();
  return c;
}

std::string_view BudgetStatusName(BudgetStatus s) {
  switch (s) {
    case BudgetStatus::kDraft:
      return "draft";
    case BudgetStatus::kVoting:
      return "voting";
    case BudgetStatus::kClosed:
      return "closed";
    case BudgetStatus::kCancelled:
      return "cancelled";
  }
  return "draft";
}

std::optional<BudgetStatus> ParseBudgetStatus(std::string_view s) {
  for (auto b : {BudgetStatus::kDraft, BudgetStatus::kVoting, BudgetStatus::kClosed,
                 BudgetStatus::kCancelled})
    if (BudgetStatusName(b) == s) return b;
  return std::nullopt;
}

namespace {
constexpr std::int64_t kMaxFen = 1'000'000'000'000;  // 10¹⁰ yuan
constexpr Timestamp kMaxWindow = 90 * kMicrosPerDay;

Error Bad(std::string_view field, std::string message, std::string reason) {
  return Error::InvalidArgument(fmt::format("field '{}': {}", field, message))
      .About(std::string(field), std::move(reason));
}
}  // namespace

Result<NewBudget> ValidateNewBudget(NewBudget in, Timestamp now) {
  XT_ASSIGN_OR_RETURN(in.title, CheckText("title", in.title, 60, true));
  XT_ASSIGN_OR_RETURN(in.description, CheckText("description", in.description, 2000, false));
  if (in.total_fen <= 0 || in.total_fen > kMaxFen)
    return Fail(Bad("total_fen", "must be between 1 and 10^12 fen", "out_of_range"));
  if (in.max_choices < 0 || in.max_choices > static_cast<std::int64_t>(kMaxProjects))
    return Fail(Bad("max_choices", "must be between 0 and 100", "out_of_range"));
  if (in.voting_closes <= in.voting_opens)
    return Fail(Bad("voting_closes", "must be after voting_opens", "before_opens"));
  if (in.voting_closes <= now)
    return Fail(Bad("voting_closes", "must be in the future", "in_the_past"));
  if (in.voting_closes - in.voting_opens > kMaxWindow)
    return Fail(Bad("voting_closes", "voting lasts at most 90 days", "too_long"));
  return in;
}

Result<NewProject> ValidateNewProject(NewProject in, std::int64_t total_fen) {
  XT_ASSIGN_OR_RETURN(in.title, CheckText("title", in.title, 60, true));
  XT_ASSIGN_OR_RETURN(in.description, CheckText("description", in.description, 2000, false));
  if (in.cost_fen <= 0) return Fail(Bad("cost_fen", "must be at least 1 fen", "out_of_range"));
  if (in.cost_fen > total_fen)
    return Fail(Bad("cost_fen", fmt::format("is more than the budget's total of {} fen", total_fen),
                    "over_budget"));
  return in;
}

namespace {
Error NotAProof(std::string what) {
  return Error::InvalidArgument(fmt::format("not a budget proof: {}", what));
}

Result<std::string> ProofText(const json::Json& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end() || !it->is_string())
    return Fail(NotAProof(fmt::format("an event has no text '{}'", field)));
  return it->get<std::string>();
}
}  // namespace

Result<ProofCheck> CheckProof(const json::Json& proof) {
  if (!proof.is_object() || !proof.contains("events") || !proof["events"].is_array())
    return Fail(NotAProof("no array 'events'"));
  ProofCheck report;
  std::vector<audit::Event> events;
  for (const auto& item : proof["events"]) {
    if (!item.is_object()) return Fail(NotAProof("an event is not an object"));
    XT_ASSIGN_OR_RETURN(auto canonical, ProofText(item, "canonical"));
    XT_ASSIGN_OR_RETURN(auto prev_hash, ProofText(item, "prev_hash"));
    XT_ASSIGN_OR_RETURN(auto hash, ProofText(item, "hash"));
    auto c = json::Json::parse(canonical, nullptr, false);
    if (!c.is_object() || !c.contains("seq") || !c["seq"].is_number_integer() ||
        !c.contains("at") || !c["at"].is_number_integer() || !c.contains("payload") ||
        !c["payload"].is_object() || !c.contains("actor") || !c["actor"].is_string() ||
        !c.contains("action") || !c["action"].is_string() || !c.contains("subject") ||
        !c["subject"].is_string())
      return Fail(NotAProof("an event's canonical text is not an event"));
    audit::Event e{.seq = c["seq"].get<std::int64_t>(),
                   .at = c["at"].get<std::int64_t>(),
                   .actor = c["actor"].get<std::string>(),
                   .action = c["action"].get<std::string>(),
                   .subject = c["subject"].get<std::string>(),
                   .payload = c["payload"].dump(),
                   .prev_hash = prev_hash,
                   .hash = hash};
    if (audit::Canonical(e.seq, e.at, e.actor, e.action, e.subject, e.payload) != canonical)
      report.problems.push_back(
          fmt::format("event {}: its canonical text is not in canonical form", e.seq));
    if (audit::ChainHash(prev_hash, canonical) != hash)
      report.problems.push_back(
          fmt::format("event {}: its hash is not SHA-256(prev_hash ‖ canonical)", e.seq));
    if (auto seq = item.find("seq"); seq != item.end() && *seq != c["seq"])
      report.problems.push_back(
          fmt::format("event {}: seq differs from its canonical text", e.seq));
    if (!events.empty() && e.seq <= events.back().seq)
      report.problems.push_back(fmt::format("event {}: not in seq order", e.seq));
    events.push_back(std::move(e));
  }
  report.events = static_cast<std::int64_t>(events.size());
  const TallyCheck check = CheckTally(events);
  report.casts = check.casts;
  report.ballots = check.ballots;
  for (const auto& p : check.problems) report.problems.push_back(p);
  report.ok = check.ok && report.problems.empty();
  return report;
}

}  // namespace xietong::participation
