#include "collab/taskforce.h"

#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <set>

#include "core/id.h"
#include "core/json.h"

namespace xietong::collab {
namespace {

template <typename E, std::size_t N>
Result<E> ParseName(std::string_view field, std::string_view s,
                    const std::pair<E, std::string_view> (&names)[N]) {
  std::string allowed;
  for (const auto& [e, name] : names) {
    if (name == s) return e;
    allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  }
  return Fail(Error::InvalidArgument(
                  fmt::format("field '{}': '{}' is not one of {}", field, s.substr(0, 32), allowed))
                  .About(std::string(field), "unknown"));
}

template <typename E, std::size_t N>
std::string_view NameOf(E e, const std::pair<E, std::string_view> (&names)[N]) {
  for (const auto& [v, name] : names)
    if (v == e) return name;
  return "unknown";
}

constexpr std::pair<SubjectKind, std::string_view> kSubjectKinds[] = {
    {SubjectKind::kRequest, "request"}, {SubjectKind::kHotspot, "hotspot"},
    {SubjectKind::kBundle, "bundle"},   {SubjectKind::kProject, "project"},
    {SubjectKind::kOther, "other"},
};
constexpr std::pair<ForceRole, std::string_view> kRoles[] = {
    {ForceRole::kLead, "lead"}, {ForceRole::kMember, "member"}, {ForceRole::kLiaison, "liaison"}};
constexpr std::pair<ForceStatus, std::string_view> kForceStatuses[] = {
    {ForceStatus::kActive, "active"}, {ForceStatus::kDissolved, "dissolved"}};
constexpr std::pair<TaskStatus, std::string_view> kTaskStatuses[] = {
    {TaskStatus::kTodo, "todo"},
    {TaskStatus::kDoing, "doing"},
    {TaskStatus::kDone, "done"},
    {TaskStatus::kBlocked, "blocked"}};
constexpr std::pair<Stage, std::string_view> kStages[] = {{Stage::kInitiation, "initiation"},
                                                          {Stage::kApproval, "approval"},
                                                          {Stage::kConstruction, "construction"},
                                                          {Stage::kAcceptance, "acceptance"}};

}  // namespace

std::string_view SubjectKindName(SubjectKind k) { return NameOf(k, kSubjectKinds); }
Result<SubjectKind> ParseSubjectKind(std::string_view s) {
  return ParseName("subject_kind", s, kSubjectKinds);
}
std::string_view ForceRoleName(ForceRole r) { return NameOf(r, kRoles); }
Result<ForceRole> ParseForceRole(std::string_view s) { return ParseName("role", s, kRoles); }
std::string_view ForceStatusName(ForceStatus s) { return NameOf(s, kForceStatuses); }
std::string_view TaskStatusName(TaskStatus s) { return NameOf(s, kTaskStatuses); }
Result<TaskStatus> ParseTaskStatus(std::string_view s) {
  return ParseName("status", s, kTaskStatuses);
}
std::string_view StageName(Stage s) { return NameOf(s, kStages); }
Result<Stage> ParseStage(std::string_view s) { return ParseName("stage", s, kStages); }

Result<std::string> CheckText(std::string_view field, std::string_view text, std::size_t max_chars,
                              bool required) {
  const std::string f(field);
  if (json::FindInvalidUtf8(text))
    return Fail(Error::InvalidArgument(fmt::format("field '{}': is not valid UTF-8", f))
                    .About(f, "invalid_utf8"));
  if (json::FindMisleadingChar(text))
    return Fail(Error::InvalidArgument(
                    fmt::format("field '{}': contains a control or bidirectional character", f))
                    .About(f, "invalid"));
  const auto first = text.find_first_not_of(" \t\r\n");
  if (required && first == std::string_view::npos)
    return Fail(
        Error::InvalidArgument(fmt::format("field '{}': is required", f)).About(f, "empty"));
  if (json::CountCodePoints(text) > max_chars)
    return Fail(
        Error::InvalidArgument(
            fmt::format("field '{}': at most {} characters, please shorten it", f, max_chars))
            .About(f, "too_long"));
  return std::string(text);
}

Result<void> CheckFileIds(std::string_view field, std::span<const std::string> ids) {
  const std::string f(field);
  if (ids.size() > kMaxFilesPerItem)
    return Fail(
        Error::InvalidArgument(fmt::format("field '{}': at most {} files", f, kMaxFilesPerItem))
            .About(f, "too_many"));
  std::set<std::string_view> seen;
  for (const auto& id : ids) {
    if (!IsValidId(id))
      return Fail(Error::InvalidArgument(
                      fmt::format("field '{}': '{}' is not a file id", f, id.substr(0, 32)))
                      .About(f, "invalid"));
    if (!seen.insert(id).second)
      return Fail(Error::InvalidArgument(fmt::format("field '{}': file {} is given twice", f, id))
                      .About(f, "duplicate"));
  }
  return {};
}

Result<void> CheckRequestIds(std::span<const std::string> ids, std::size_t already_linked) {
  if (ids.size() + already_linked > kMaxLinkedRequests)
    return Fail(Error::InvalidArgument(fmt::format("field 'request_ids': a task force works on at "
                                                   "most {} requests",
                                                   kMaxLinkedRequests))
                    .About("request_ids", "too_many"));
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    if (!IsValidId(id))
      return Fail(Error::InvalidArgument(
                      fmt::format("field 'request_ids': entry {} is not a request id", i + 1))
                      .About("request_ids", "malformed"));
    if (!seen.insert(id).second)
      return Fail(
          Error::InvalidArgument(fmt::format("field 'request_ids': request {} is listed twice", id))
              .About("request_ids", "duplicate"));
  }
  return {};
}

Result<TaskForce> ValidateNewForce(const NewTaskForce& in, Timestamp now) {
  TaskForce f;
  XT_ASSIGN_OR_RETURN(f.title, CheckText("title", in.title, kMaxTitleChars, true));
  XT_ASSIGN_OR_RETURN(f.subject_kind, ParseSubjectKind(in.subject_kind));
  XT_ASSIGN_OR_RETURN(f.subject_id, CheckText("subject_id", in.subject_id, 64, false));
  if (f.subject_kind != SubjectKind::kOther && f.subject_id.empty())
    return Fail(
        Error::InvalidArgument(fmt::format("field 'subject_id': a task force about a {} names it",
                                           SubjectKindName(f.subject_kind)))
            .About("subject_id", "required"));
  XT_ASSIGN_OR_RETURN(f.goal, CheckText("goal", in.goal, kMaxTextChars, true));
  XT_ASSIGN_OR_RETURN(f.charter, CheckText("charter", in.charter, kMaxTextChars, false));
  if (in.deadline <= now)
    return Fail(Error::InvalidArgument("field 'deadline': must be in the future")
                    .About("deadline", "past"));
  f.deadline = in.deadline;
  if (in.members.size() > kMaxMembers)
    return Fail(
        Error::InvalidArgument(fmt::format("field 'members': at most {} members", kMaxMembers))
            .About("members", "too_many"));
  XT_TRY_VOID(CheckRequestIds(in.request_ids, 0));
  std::set<std::string_view> seen;
  for (const auto& m : in.members) {
    XT_TRY_VOID(ParseForceRole(m.role));
    if (!seen.insert(m.account_id).second)
      return Fail(Error::InvalidArgument(
                      fmt::format("field 'members': account {} is listed twice", m.account_id))
                      .About("members", "duplicate"));
  }
  return f;
}

Result<void> ValidateNewTask(const NewTask& in) {
  XT_TRY_VOID(CheckText("title", in.title, kMaxTitleChars, true));
  XT_TRY_VOID(CheckText("description", in.description, kMaxTextChars, false));
  if (in.owner_account_id.empty())
    return Fail(Error::InvalidArgument("field 'owner_account_id': is required")
                    .About("owner_account_id", "required"));
  if (in.deadline_days < 1 || in.deadline_days > kMaxTaskDays)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'deadline_days': 1–{} working days", kMaxTaskDays))
                    .About("deadline_days", "out_of_range"));
  if (in.depends_on.size() > kMaxDependencies)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'depends_on': at most {} tasks", kMaxDependencies))
                    .About("depends_on", "too_many"));
  return {};
}

bool RoleMay(ForceRole role, ForceAction action) {
  switch (action) {
    case ForceAction::kRead:
    case ForceAction::kPost:
      return true;
    case ForceAction::kAddMember:
    case ForceAction::kAddTask:
    case ForceAction::kMilestones:
      return role == ForceRole::kLead || role == ForceRole::kLiaison;
    case ForceAction::kRemoveMember:
    case ForceAction::kChangeAnyTask:
    case ForceAction::kDissolve:
    case ForceAction::kReplyRequest:
    case ForceAction::kConfirmHours:
      return role == ForceRole::kLead;
  }
  return false;
}

Result<void> CheckTransition(const Task& task, TaskStatus to, bool dependencies_done) {
  const TaskStatus from = task.status;
  if (from == to) return {};
  if (from == TaskStatus::kDone)
    return Fail(
        Error::Conflict(fmt::format("task '{}' is done; a done task does not change", task.title))
            .About("status", "done"));
  if (to == TaskStatus::kDone && from != TaskStatus::kDoing)
    return Fail(Error::Conflict(fmt::format("task '{}' is {}; start it (doing) before it is done",
                                            task.title, TaskStatusName(from)))
                    .About("status", "not_started"));
  if ((to == TaskStatus::kDoing || to == TaskStatus::kDone) && !dependencies_done)
    return Fail(Error::Conflict(fmt::format("task '{}' waits for the tasks it depends on; "
                                            "they must be done first",
                                            task.title))
                    .About("status", "dependencies_open"));
  return {};
}

std::optional<std::vector<std::string>> FindCycle(
    const std::map<std::string, std::vector<std::string>>& depends_on) {
  enum Mark { kNone, kOnPath, kDone };
  std::map<std::string_view, Mark> mark;
  std::vector<std::string> path;
  std::optional<std::vector<std::string>> found;
  std::function<bool(const std::string&)> visit = [&](const std::string& id) {
    auto& m = mark[id];
    if (m == kDone) return false;
    if (m == kOnPath) {
      auto start = std::find(path.begin(), path.end(), id);
      found.emplace(start, path.end());
      found->push_back(id);
      return true;
    }
    m = kOnPath;
    path.push_back(id);
    if (auto it = depends_on.find(id); it != depends_on.end())
      for (const auto& next : it->second)
        if (visit(next)) return true;
    path.pop_back();
    mark[id] = kDone;
    return false;
  };
  for (const auto& [id, deps] : depends_on)
    if (visit(id)) return found;
  return std::nullopt;
}

std::vector<Task> Overdue(std::span<const Task> tasks, Timestamp now) {
  std::vector<Task> out;
  for (const auto& t : tasks)
    if (t.status != TaskStatus::kDone && t.deadline < now) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const Task& a, const Task& b) {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.id < b.id;
  });
  return out;
}

Result<void> CheckStageOrder(std::span<const Milestone> milestones, Stage stage) {
  for (const auto& m : milestones)
    if (m.stage < stage && m.reached_at == 0)
      return Fail(Error::Conflict(fmt::format("stage {} comes after {}, which is not reached yet",
                                              StageName(stage), StageName(m.stage)))
                      .About("stage", "earlier_stage_open"));
  return {};
}

Result<void> CheckHandover(std::span<const Task> tasks,
                           const std::map<std::string, std::string>& handover) {
  std::set<std::string_view> ids;
  std::string missing;
  for (const auto& t : tasks) {
    ids.insert(t.id);
    if (t.status == TaskStatus::kDone) continue;
    auto it = handover.find(t.id);
    if (it == handover.end() || it->second.empty())
      missing += (missing.empty() ? "" : ", ") + t.title;
  }
  for (const auto& [task_id, to] : handover)
    if (!ids.contains(task_id))
      return Fail(
          Error::InvalidArgument(fmt::format("field 'handover': task {} is not one of this force's",
                                             task_id.substr(0, 32)))
              .About("handover", "unknown_task"));
  if (!missing.empty())
    return Fail(
        Error::InvalidArgument(
            fmt::format("field 'handover': open tasks must be handed to someone before the force "
                        "dissolves: {}",
                        missing))
            .About("handover", "open_tasks"));
  return {};
}

}  // namespace xietong::collab
