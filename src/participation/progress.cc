// DeliberationService's carrying out of accepted proposals (plan §7.1) and
// the progress reaction (§4.1): Implement turns an accepted proposal into a
// task of the community's standing 议事厅项目专班 (collab) or a hub request
// (requests), through their public services and idempotently; OnEvent
// writes what the linked task's or request's events say into
// deliberation_updates once per event, and the task's done or the
// request's close completes the proposal.
#include <fmt/core.h>

#include <algorithm>

#include "identity/authorization.h"
#include "participation/deliberation_service.h"

namespace xietong::participation {
namespace {

using identity::Principal;
using storage::Executor;

constexpr std::string_view kForceSubjectPrefix = "deliberation:";
constexpr int kDefaultTaskDays = 20;  // working days, when the decision gave none

// The marker that finds a proposal's task again in its force (after a crash
// between AddTask and the proposal's write).
std::string Marker(std::string_view proposal_id) { return fmt::format("〔提案 {}〕", proposal_id); }

// What one event of a linked task or request tells the supporters: the pure
// rule of the reaction (no I/O).
struct Step {
  std::string kind;  // progress | status | replied | closed
  std::optional<std::int64_t> percent;
  std::string text;
  bool completes = false;
};

std::string TextOf(const json::Json& payload, std::string_view field) {
  auto it = payload.find(field);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<Step> TaskStep(const audit::Event& e, const json::Json& payload) {
  if (e.action == "collab.task.progress") {
    std::int64_t pct = 0;
    if (auto it = payload.find("percent"); it != payload.end() && it->is_number_integer())
      pct = std::clamp<std::int64_t>(it->get<std::int64_t>(), 0, 100);
    return Step{"progress", pct, TextOf(payload, "text"), false};
  }
  if (e.action == "collab.task.status") {
    const std::string to = TextOf(payload, "to");
    if (to == "done") return Step{"closed", 100, "任务已完成", true};
    if (to == "doing") return Step{"status", std::nullopt, "任务办理中", false};
    if (to == "blocked") return Step{"status", std::nullopt, "任务受阻，正在协调", false};
    if (to == "todo") return Step{"status", std::nullopt, "任务待办", false};
  }
  return std::nullopt;
}

std::optional<Step> RequestStep(const audit::Event& e, const json::Json& payload) {
  if (e.action == "request.signed")
    return Step{"status", std::nullopt, "承办单位已签收，正在办理", false};
  if (e.action == "request.progress")
    return Step{"progress", std::nullopt, TextOf(payload, "note")};
  if (e.action == "request.replied")
    return Step{"replied", std::nullopt, TextOf(payload, "reply"), false};
  if (e.action == "request.callback") {
    if (TextOf(payload, "to") == "closed") return Step{"closed", 100, "已回访，诉求办结", true};
    return Step{"status", std::nullopt, "回访后继续办理", false};
  }
  if (e.action == "request.closed") return Step{"closed", 100, "诉求已办结", true};
  if (e.action == "request.reopened") return Step{"status", std::nullopt, "诉求重新办理", false};
  return std::nullopt;
}

bool IsStaff(const Principal& actor, std::string_view community_path) {
  if (actor.is_system()) return true;
  if (actor.kind != identity::AccountKind::kStaff) return false;
  return identity::Can(actor, identity::Action::kParticipationStaff, community_path);
}

}  // namespace

// The task that carries out `p`, in the community's standing force: the
// caller's active force about "deliberation:<community>" or a new one
// (CreateForce: kTaskForceOpen); its task with the proposal's marker, or a
// new one owned by the decision's owner (added to the force when needed).
Result<std::pair<std::string, std::string>> DeliberationService::EnsureTask(
    const Principal& actor, const Proposal& p, const identity::OrgUnit& community) {
  const std::string subject = std::string(kForceSubjectPrefix) + p.community_id;
  std::string force_id;
  XT_ASSIGN_OR_RETURN(auto mine, collab_.MyForces(actor));
  for (const auto& f : mine) {
    if (f.subject_kind == collab::SubjectKind::kProject && f.subject_id == subject &&
        f.status == collab::ForceStatus::kActive) {
      force_id = f.id;
      break;
    }
  }
  if (force_id.empty()) {
    XT_ASSIGN_OR_RETURN(
        auto view,
        collab_.CreateForce(actor,
                            {.title = fmt::format("{}议事厅项目专班", community.name),
                             .subject_kind = "project",
                             .subject_id = subject,
                             .goal = fmt::format("落实{}居民议事会通过的提案", community.name),
                             .charter = "居民议事会通过的提案转为本专班的任务，进展向支持者公开。",
                             .deadline = clock_.Now() + 365 * kMicrosPerDay,
                             .unit_id = community.id}));
    force_id = view.force.id;
  }
  XT_ASSIGN_OR_RETURN(auto force, collab_.GetForce(actor, force_id));
  const std::string marker = Marker(p.id);
  for (const auto& t : force.tasks)
    if (t.description.find(marker) != std::string::npos) return std::pair{force_id, t.id};

  auto spec = json::Json::parse(p.implement_spec, nullptr, false);
  std::string owner = spec.is_object() ? TextOf(spec, "owner_account_id") : std::string();
  if (owner.empty()) owner = actor.account_id;
  int days = kDefaultTaskDays;
  if (spec.is_object())
    if (auto it = spec.find("deadline_days"); it != spec.end() && it->is_number_integer())
      days = static_cast<int>(it->get<std::int64_t>());
  days = std::clamp(days, 1, collab::kMaxTaskDays);
  if (std::none_of(force.members.begin(), force.members.end(),
                   [&](const collab::Member& m) { return m.account_id == owner; })) {
    XT_TRY_VOID(
        collab_.AddMember(actor, force_id, {.account_id = owner, .unit_id = "", .role = "member"}));
  }
  XT_ASSIGN_OR_RETURN(auto task,
                      collab_.AddTask(actor, force_id,
                                      {.title = p.title,
                                       .description = fmt::format("{}\n\n{}", p.text, marker),
                                       .owner_account_id = owner,
                                       .deadline_days = days}));
  return std::pair{force_id, task.id};
}

Result<Proposal> DeliberationService::Implement(const Principal& actor,
                                                std::string_view proposal_id) {
  XT_ASSIGN_OR_RETURN(auto before,
                      db_.Read([&](Executor& ex) { return Readable(ex, actor, proposal_id); }));
  XT_ASSIGN_OR_RETURN(auto community, Community(before.community_id));
  if (!IsStaff(actor, community->path) && actor.account_id != before.decided_by)
    return Fail(Error::PermissionDenied("only the community's staff carry out its decisions"));
  // Already carried out (a retry, or the record's own call): answered as it is.
  if (!before.task_id.empty() || !before.request_id.empty()) return before;
  if (before.status != ProposalStatus::kAccepted ||
      (before.implement_kind != "task" && before.implement_kind != "request"))
    return Fail(Error::Conflict(fmt::format("the proposal is {}; only a proposal accepted as a "
                                            "task or a request is carried out",
                                            ProposalStatusName(before.status)))
                    .About("status", "not_accepted"));

  std::string force_id, task_id, request_id, request_number;
  if (before.implement_kind == "task") {
    XT_ASSIGN_OR_RETURN(auto ids, EnsureTask(actor, before, *community));
    force_id = ids.first;
    task_id = ids.second;
  } else {
    auto spec = json::Json::parse(before.implement_spec, nullptr, false);
    requests::Intake in;
    in.channel = requests::Channel::kApi;
    in.title = fmt::format("【居民议事】{}", before.title);
    in.text = before.decision_reason.empty()
                  ? fmt::format("{}\n\n（{}居民议事会决定转办）", before.text, community->name)
                  : fmt::format("{}\n\n（{}居民议事会决定转办：{}）", before.text, community->name,
                                before.decision_reason);
    in.matter_id = spec.is_object() ? TextOf(spec, "matter_id") : std::string();
    in.place.address = before.address;
    in.place.lat = before.lat;
    in.place.lon = before.lng;
    in.place_unit_id = before.community_id;
    in.anonymous = true;
    in.external_id = "proposal:" + before.id;
    in.idempotency_key = "proposal:" + before.id;
    in.dispatch = true;
    XT_ASSIGN_OR_RETURN(auto submitted, requests_.Submit(Principal::System(), std::move(in)));
    request_id = submitted.request.id;
    request_number = submitted.request.number;
  }

  const Timestamp now = clock_.Now();
  auto out = db_.Write([&](Executor& ex) -> Result<Proposal> {
    XT_ASSIGN_OR_RETURN(auto found, store::FindProposal(ex, proposal_id));
    if (!found) return Fail(Error::NotFound(fmt::format("no proposal '{}'", proposal_id)));
    Proposal p = std::move(*found);
    if (!p.task_id.empty() || !p.request_id.empty()) return p;  // recorded meanwhile
    if (p.status != ProposalStatus::kAccepted)
      return Fail(Error::Conflict("the proposal changed meanwhile; reload and try again")
                      .About("version", "changed"));
    p.status = ProposalStatus::kImplementing;
    p.force_id = force_id;
    p.task_id = task_id;
    p.request_id = request_id;
    p.request_number = request_number;
    p.version += 1;
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, p));
    if (!ok)
      return Fail(Error::Conflict("the proposal changed meanwhile; reload and try again")
                      .About("version", "changed"));
    json::Json payload =
        task_id.empty()
            ? json::Json{{"kind", "request"},
                         {"request_id", request_id},
                         {"number", request_number}}
            : json::Json{{"kind", "task"}, {"force_id", force_id}, {"task_id", task_id}};
    XT_ASSIGN_OR_RETURN(
        auto seq, audit::Append(ex, now,
                                {actor.is_system() ? "system" : actor.account_id,
                                 "deliberation.proposal.implemented", p.id, std::move(payload)}));
    XT_TRY_VOID(store::InsertUpdate(
        ex, {p.id, seq, now, "implemented", p.percent,
             task_id.empty() ? fmt::format("已转为诉求 {}，由承办单位办理", request_number)
                             : fmt::format("已转为{}的专班任务", community->name)}));
    return p;
  });
  if (out) Committed();
  return out;
}

Result<void> DeliberationService::OnEvent(Executor& ex, const audit::Event& e) {
  const bool task = e.action.starts_with("collab.task.");
  const bool request = e.action.starts_with("request.");
  if (!task && !request) return {};
  if (task && e.action != "collab.task.progress" && e.action != "collab.task.status") return {};
  const auto payload = json::Json::parse(e.payload, nullptr, false);
  if (!payload.is_object()) return {};
  const auto step = task ? TaskStep(e, payload) : RequestStep(e, payload);
  if (!step) return {};
  XT_ASSIGN_OR_RETURN(auto found, task ? store::FindProposalByTask(ex, e.subject)
                                       : store::FindProposalByRequest(ex, e.subject));
  if (!found) return {};
  Proposal p = std::move(*found);
  const std::int64_t percent = step->percent.value_or(p.percent);
  // Once per source event: a replayed batch finds its row and changes nothing.
  XT_ASSIGN_OR_RETURN(
      bool fresh, store::InsertUpdate(ex, {p.id, e.seq, e.at, step->kind, percent, step->text}));
  if (!fresh) return {};
  const bool completes = step->completes && p.status == ProposalStatus::kImplementing;
  if (percent == p.percent && !completes) return {};
  p.percent = percent;
  if (completes) {
    p.status = ProposalStatus::kDone;
    p.completed_at = e.at;
  }
  p.version += 1;
  XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, p));
  if (!ok)
    return Fail(Error::Conflict(fmt::format("proposal {} changed during its progress", p.id)));
  if (completes) {
    XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                              {"system",
                               "deliberation.proposal.completed",
                               p.id,
                               {{"via", e.action}, {"source_seq", e.seq}}}));
  }
  return {};
}

}  // namespace xietong::participation
