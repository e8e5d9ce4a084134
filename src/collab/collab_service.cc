#include "collab/collab_service.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "audit/audit_log.h"
#include "collab/force_link_store.h"
#include "collab/notify_store.h"
#include "collab/volunteer_store.h"
#include "files/file_service.h"
#include "identity/authorization.h"

namespace xietong::collab {

using identity::Action;
using identity::Principal;
using storage::Executor;

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "collab",
      .needs = {&identity::Schema(), &files::Schema(), &audit::Schema()},
      .migrations = {store::Migrations(), store::ReportFormMigrations(), store::NotifyMigrations(),
                     store::ForceLinkMigrations(), store::VolunteerMigrations()}};
  return schema;
}

namespace {

// The memberships through which actor may do action.
std::vector<const identity::Membership*> Through(const Principal& actor, Action action) {
  std::vector<const identity::Membership*> out;
  for (const auto& m : actor.memberships)
    if (identity::RoleAllows(m.role, action)) out.push_back(&m);
  return out;
}

std::vector<std::string> Paths(const std::vector<const identity::Membership*>& ms) {
  std::vector<std::string> out;
  for (const auto* m : ms) out.push_back(m->unit_path);
  return out;
}

std::string Short(std::string_view id) { return std::string(id.substr(0, 64)); }

Error NoForce(std::string_view id) {
  return Error::NotFound(fmt::format("no task force '{}'", Short(id)));
}
Error NoTask(std::string_view id) {
  return Error::NotFound(fmt::format("no task '{}'", Short(id)));
}
Error NoDirective(std::string_view id) {
  return Error::NotFound(fmt::format("no directive '{}'", Short(id)));
}
Error NoChannel(std::string_view id) {
  return Error::NotFound(fmt::format("no channel '{}'", Short(id)));
}
Error Stale(std::string_view what) {
  return Error::Conflict(
      fmt::format("the {} was changed by someone else meanwhile; reload and try again", what));
}

bool Staff(const Principal& actor) {
  return actor.is_system() || actor.kind == identity::AccountKind::kStaff;
}

std::string ForceWhat(std::string_view role) {
  return fmt::format("a {} of this task force may not do that", role);
}

json::Json MemberJson(const Member& m) {
  return {{"account_id", m.account_id}, {"unit_id", m.unit_id}, {"role", ForceRoleName(m.role)}};
}

}  // namespace

// --- helpers -------------------------------------------------------------------------

Result<CollabService::Access> CollabService::SeeForce(Executor& ex, const Principal& actor,
                                                      std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto force, store::FindForce(ex, id));
  if (!force) return Fail(NoForce(id));
  XT_ASSIGN_OR_RETURN(auto member, store::FindMember(ex, force->id, actor.account_id));
  const bool active = force->status == ForceStatus::kActive;
  // After dissolution the archive is its leads' (and overseers'); members lose it.
  const bool sees_as_member = member && (active || member->role == ForceRole::kLead);
  if (!sees_as_member) {
    member.reset();
    if (!identity::Can(actor, Action::kCollabOversee, force->unit_path)) return Fail(NoForce(id));
  }
  return Access{std::move(*force), std::move(member)};
}

Result<CollabService::Access> CollabService::ChangeForce(Executor& ex, const Principal& actor,
                                                         std::string_view id, ForceAction action) {
  XT_ASSIGN_OR_RETURN(auto access, SeeForce(ex, actor, id));
  if (access.force.status == ForceStatus::kDissolved)
    return Fail(Error::Conflict(fmt::format("task force '{}' was dissolved; it is read-only",
                                            access.force.title))
                    .About("force", "dissolved"));
  if (actor.is_system()) return access;
  if (!access.member)
    return Fail(
        Error::PermissionDenied("only members of the task force change it; overseers read it"));
  if (!RoleMay(access.member->role, action))
    return Fail(Error::PermissionDenied(ForceWhat(ForceRoleName(access.member->role))));
  return access;
}

Result<Member> CollabService::ResolveMember(const MemberInput& in) {
  XT_ASSIGN_OR_RETURN(const ForceRole role, ParseForceRole(in.role));
  auto account = identity_.GetAccount(Principal::System(), in.account_id);
  if (!account) return Fail(std::move(account.error()).About("account_id", "unknown"));
  if (account->disabled || account->kind != identity::AccountKind::kStaff)
    return Fail(
        Error::InvalidArgument(
            fmt::format("field 'account_id': {} is not an active staff account", account->username))
            .About("account_id", "not_staff"));
  const identity::Membership* through = nullptr;
  for (const auto& m : account->memberships)
    if (in.unit_id.empty() ? through == nullptr : m.unit_id == in.unit_id) through = &m;
  if (!through)
    return Fail(
        Error::InvalidArgument(
            in.unit_id.empty()
                ? fmt::format("field 'account_id': {} belongs to no unit", account->username)
                : fmt::format("field 'unit_id': {} is not a member of unit {}", account->username,
                              Short(in.unit_id)))
            .About(in.unit_id.empty() ? "account_id" : "unit_id", "no_membership"));
  Member m;
  m.account_id = account->id;
  m.username = account->username;
  m.display_name = account->display_name;
  m.unit_id = through->unit_id;
  m.unit_name = through->unit_name;
  m.role = role;
  return m;
}

Result<ChannelMember> CollabService::Joining(std::string_view channel_id,
                                             std::string_view account_id, Timestamp now) {
  auto m = ResolveMember({.account_id = std::string(account_id), .unit_id = {}, .role = "member"});
  if (!m) return Fail(std::move(m.error()));
  return ChannelMember{
      std::string(channel_id), m->account_id, m->username, m->display_name, 0, now};
}

Result<CollabService::InChannel> CollabService::ChannelFor(Executor& ex, const Principal& actor,
                                                           std::string_view channel_id) {
  XT_ASSIGN_OR_RETURN(auto channel, store::FindChannel(ex, channel_id));
  if (!channel) return Fail(NoChannel(channel_id));
  XT_ASSIGN_OR_RETURN(auto me, store::FindChannelMember(ex, channel->id, actor.account_id));
  if (!me)
    return Fail(Error::PermissionDenied(
        fmt::format("you are not (or no longer) a member of channel '{}'", channel->title)));
  return InChannel{std::move(*channel), std::move(*me)};
}

Result<std::vector<identity::Account>> CollabService::AccountsBelow(
    const std::vector<identity::OrgUnit>& targets) {
  std::vector<identity::Account> candidates;
  std::set<std::string> seen;
  for (const auto& t : targets) {
    identity::AccountListQuery q;
    q.unit_id = t.id;
    q.limit = 500;
    for (;;) {
      XT_ASSIGN_OR_RETURN(auto page, identity_.ListAccounts(Principal::System(), q));
      for (auto& a : page.items)
        if (seen.insert(a.id).second) candidates.push_back(std::move(a));
      if (!page.next_cursor) break;
      q.cursor = page.next_cursor;
    }
  }
  return candidates;
}

bool CollabService::MaySeeReceipts(const Principal& actor, const Directive& d) const {
  return actor.account_id == d.sender_id ||
         identity::Can(actor, Action::kDirectiveSend, d.from_unit_path) ||
         identity::Can(actor, Action::kCollabOversee, d.from_unit_path);
}

// --- task forces ---------------------------------------------------------------------

Result<ForceView> CollabService::CreateForce(const Principal& actor, const NewTaskForce& in) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(TaskForce f, ValidateNewForce(in, now));
  // The leading unit: one where the founder may open task forces.
  std::string unit_id = in.unit_id;
  if (unit_id.empty()) {
    const auto openers = Through(actor, Action::kTaskForceOpen);
    if (openers.empty())
      return Fail(Error::PermissionDenied(
          "forming a task force needs the leader, unit lead or supervisor role"));
    unit_id = openers.front()->unit_id;
  }
  auto unit = identity_.GetUnit(Principal::System(), unit_id);
  if (!unit) return Fail(std::move(unit.error()).About("unit_id", "unknown"));
  if (!identity::Can(actor, Action::kTaskForceOpen, (*unit)->path))
    return Fail(Error::PermissionDenied(
        fmt::format("you may not form a task force led by {}", (*unit)->name)));
  f.id = ids_.Next();
  f.unit_id = (*unit)->id;
  f.unit_path = (*unit)->path;
  f.unit_name = (*unit)->name;
  f.created_by = actor.account_id;
  f.created_at = now;
  f.channel_id = ids_.Next();

  XT_TRY_VOID(CheckReadable(actor, in.request_ids));
  std::vector<Member> members;
  if (!actor.is_system()) {
    const identity::Membership* own = nullptr;
    for (const auto& m : actor.memberships)
      if (m.unit_id == f.unit_id || (!own && f.unit_path.starts_with(m.unit_path))) own = &m;
    Member founder;
    founder.account_id = actor.account_id;
    founder.username = actor.username;
    founder.display_name = actor.display_name;
    founder.unit_id = own ? own->unit_id : f.unit_id;
    founder.unit_name = own ? own->unit_name : f.unit_name;
    founder.role = ForceRole::kLead;
    members.push_back(std::move(founder));
  }
  for (const auto& input : in.members) {
    if (input.account_id == actor.account_id) continue;  // the founder leads
    auto m = ResolveMember(input);
    if (!m) {
      std::string reason = m.error().reason;
      return Fail(std::move(m.error()).About("members", std::move(reason)));
    }
    members.push_back(std::move(*m));
  }
  if (std::none_of(members.begin(), members.end(),
                   [](const Member& m) { return m.role == ForceRole::kLead; }))
    return Fail(Error::InvalidArgument("field 'members': a task force needs a lead (牵头人)")
                    .About("members", "no_lead"));
  for (auto& m : members) m.added_at = now;

  Channel channel;
  channel.id = f.channel_id;
  channel.kind = ChannelKind::kForce;
  channel.force_id = f.id;
  channel.title = f.title;
  channel.created_by = actor.account_id;
  channel.created_at = now;

  XT_TRY_VOID(Committed(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertForce(ex, f));
    XT_TRY_VOID(store::InsertChannel(ex, channel));
    json::Json listed = json::Json::array();
    for (const auto& m : members) {
      XT_TRY_VOID(store::InsertMember(ex, f.id, m));
      XT_TRY_VOID(store::InsertChannelMember(
          ex, {channel.id, m.account_id, m.username, m.display_name, 0, now}));
      listed.push_back(MemberJson(m));
    }
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.force.created",
                               f.id,
                               {{"title", f.title},
                                {"subject_kind", SubjectKindName(f.subject_kind)},
                                {"subject_id", f.subject_id},
                                {"unit_id", f.unit_id},
                                {"deadline", f.deadline},
                                {"channel_id", f.channel_id},
                                {"members", listed},
                                {"request_ids", in.request_ids}}}));
    XT_TRY_VOID(store::LinkRequests(ex, f.id, in.request_ids, actor.account_id, now));
    return {};
  })));
  ForceView view;
  view.force = std::move(f);
  view.members = std::move(members);
  if (!actor.is_system()) view.my_role = ForceRole::kLead;
  return view;
}

Result<ForceView> CollabService::GetForce(const Principal& actor, std::string_view id) {
  const Timestamp now = clock_.Now();
  return db_.Read([&](Executor& ex) -> Result<ForceView> {
    XT_ASSIGN_OR_RETURN(auto access, SeeForce(ex, actor, id));
    ForceView v;
    v.force = std::move(access.force);
    if (access.member) v.my_role = access.member->role;
    XT_ASSIGN_OR_RETURN(v.members, store::Members(ex, v.force.id));
    XT_ASSIGN_OR_RETURN(v.tasks, store::Tasks(ex, v.force.id));
    XT_ASSIGN_OR_RETURN(v.milestones, store::Milestones(ex, v.force.id));
    if (v.force.status == ForceStatus::kActive)
      for (const auto& t : Overdue(v.tasks, now)) v.overdue.push_back(t.id);
    return v;
  });
}

Result<std::vector<TaskForce>> CollabService::MyForces(const Principal& actor) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<TaskForce>> {
    XT_ASSIGN_OR_RETURN(auto forces, store::ForcesOf(ex, actor.account_id, kMaxPage));
    std::vector<TaskForce> out;
    for (auto& f : forces) {
      if (f.status == ForceStatus::kDissolved) {
        XT_ASSIGN_OR_RETURN(auto m, store::FindMember(ex, f.id, actor.account_id));
        if (!m || m->role != ForceRole::kLead) continue;
      }
      out.push_back(std::move(f));
    }
    return out;
  });
}

Result<std::vector<TaskForce>> CollabService::OverseenForces(const Principal& actor) {
  const auto paths = Paths(Through(actor, Action::kCollabOversee));
  if (paths.empty())
    return Fail(
        Error::PermissionDenied("overseeing task forces needs the leader or supervisor role"));
  return db_.Read([&](Executor& ex) { return store::ForcesUnder(ex, paths, kMaxPage); });
}

Result<Member> CollabService::AddMember(const Principal& actor, std::string_view force_id,
                                        const MemberInput& in) {
  XT_ASSIGN_OR_RETURN(Member m, ResolveMember(in));
  const Timestamp now = clock_.Now();
  m.added_at = now;
  return Committed(db_.Write([&](Executor& ex) -> Result<Member> {
    XT_ASSIGN_OR_RETURN(auto access, ChangeForce(ex, actor, force_id, ForceAction::kAddMember));
    // Only a lead makes another lead.
    if (m.role == ForceRole::kLead && !actor.is_system() && access.member->role != ForceRole::kLead)
      return Fail(Error::PermissionDenied("only a lead (牵头人) makes another lead")
                      .About("role", "lead_only"));
    XT_ASSIGN_OR_RETURN(auto existing, store::FindMember(ex, access.force.id, m.account_id));
    if (existing)
      return Fail(Error::Conflict(fmt::format("{} is already a member of this task force",
                                              existing->display_name))
                      .About("account_id", "already_member"));
    XT_ASSIGN_OR_RETURN(auto members, store::Members(ex, access.force.id));
    if (static_cast<int>(members.size()) >= kMaxMembers)
      return Fail(Error::Conflict(fmt::format("a task force has at most {} members", kMaxMembers)));
    XT_TRY_VOID(store::InsertMember(ex, access.force.id, m));
    XT_TRY_VOID(store::InsertChannelMember(
        ex, {access.force.channel_id, m.account_id, m.username, m.display_name, 0, now}));
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "collab.force.member_added", access.force.id, MemberJson(m)}));
    return m;
  }));
}

Result<void> CollabService::RemoveMember(const Principal& actor, std::string_view force_id,
                                         std::string_view account_id) {
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<void> {
    const bool leaving = account_id == actor.account_id;
    XT_ASSIGN_OR_RETURN(auto access,
                        ChangeForce(ex, actor, force_id,
                                    leaving ? ForceAction::kRead : ForceAction::kRemoveMember));
    XT_ASSIGN_OR_RETURN(auto members, store::Members(ex, access.force.id));
    auto it = std::find_if(members.begin(), members.end(),
                           [&](const Member& m) { return m.account_id == account_id; });
    if (it == members.end())
      return Fail(Error::NotFound(fmt::format("account '{}' is not a member of this task force",
                                              Short(account_id)))
                      .About("account_id", "not_member"));
    const auto leads = std::count_if(members.begin(), members.end(),
                                     [](const Member& m) { return m.role == ForceRole::kLead; });
    if (it->role == ForceRole::kLead && leads == 1)
      return Fail(Error::Conflict("the last lead (牵头人) cannot leave; make another member lead "
                                  "first, or dissolve the task force")
                      .About("account_id", "last_lead"));
    XT_ASSIGN_OR_RETURN(auto tasks, store::Tasks(ex, access.force.id));
    std::string owned;
    for (const auto& t : tasks)
      if (t.owner_account_id == account_id && t.status != TaskStatus::kDone)
        owned += (owned.empty() ? "" : ", ") + t.title;
    if (!owned.empty())
      return Fail(Error::Conflict(fmt::format("{} still owns open tasks ({}); a lead reassigns "
                                              "them first",
                                              it->display_name, owned))
                      .About("account_id", "owns_open_tasks"));
    XT_TRY_VOID(store::DeleteMember(ex, access.force.id, account_id));
    XT_TRY_VOID(store::DeleteChannelMember(ex, access.force.channel_id, account_id));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               leaving ? "collab.force.member_left" : "collab.force.member_removed",
                               access.force.id,
                               {{"account_id", std::string(account_id)}}}));
    return {};
  }));
}

Result<TaskForce> CollabService::Dissolve(const Principal& actor, std::string_view force_id,
                                          std::string summary,
                                          const std::map<std::string, std::string>& handover) {
  XT_ASSIGN_OR_RETURN(summary, CheckText("summary", summary, kMaxTextChars, true));
  const Timestamp now = clock_.Now();
  // The people taking tasks over must exist (they need not be members).
  std::set<std::string> takers;
  for (const auto& [task, to] : handover) takers.insert(to);
  for (const auto& to : takers) {
    auto a = identity_.GetAccount(Principal::System(), to);
    if (!a) return Fail(std::move(a.error()).About("handover", "unknown_account"));
  }
  return Committed(db_.Write([&](Executor& ex) -> Result<TaskForce> {
    XT_ASSIGN_OR_RETURN(auto access, ChangeForce(ex, actor, force_id, ForceAction::kDissolve));
    XT_ASSIGN_OR_RETURN(auto tasks, store::Tasks(ex, access.force.id));
    XT_TRY_VOID(CheckHandover(tasks, handover));
    json::Json handed = json::Json::object();
    for (auto& t : tasks) {
      auto it = handover.find(t.id);
      if (t.status == TaskStatus::kDone || it == handover.end()) continue;
      t.handed_to = it->second;
      t.updated_at = now;
      XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateTask(ex, t));
      if (!ok) return Fail(Stale("task"));
      handed[t.id] = it->second;
    }
    TaskForce f = std::move(access.force);
    f.status = ForceStatus::kDissolved;
    f.summary = summary;
    f.dissolved_at = now;
    XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateForce(ex, f));
    if (!ok) return Fail(Stale("task force"));
    XT_TRY_VOID(store::ArchiveChannel(ex, f.channel_id));
    // The archive is its leads': the others leave the channel with the force.
    XT_ASSIGN_OR_RETURN(auto members, store::Members(ex, f.id));
    for (const auto& m : members)
      if (m.role != ForceRole::kLead)
        XT_TRY_VOID(store::DeleteChannelMember(ex, f.channel_id, m.account_id));
    XT_TRY_VOID(
        audit::Append(ex, now,
                      {actor.account_id,
                       "collab.force.dissolved",
                       f.id,
                       {{"summary", f.summary}, {"handover", handed}, {"tasks", tasks.size()}}}));
    return f;
  }));
}

// --- tasks and milestones --------------------------------------------------------------

Result<Task> CollabService::AddTask(const Principal& actor, std::string_view force_id,
                                    const NewTask& in) {
  XT_TRY_VOID(ValidateNewTask(in));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Task> {
    XT_ASSIGN_OR_RETURN(auto access, ChangeForce(ex, actor, force_id, ForceAction::kAddTask));
    XT_ASSIGN_OR_RETURN(auto owner, store::FindMember(ex, access.force.id, in.owner_account_id));
    if (!owner)
      return Fail(Error::InvalidArgument(
                      "field 'owner_account_id': a task's owner is a member of the task force")
                      .About("owner_account_id", "not_member"));
    XT_ASSIGN_OR_RETURN(auto tasks, store::Tasks(ex, access.force.id));
    for (const auto& dep : in.depends_on)
      if (std::none_of(tasks.begin(), tasks.end(), [&](const Task& t) { return t.id == dep; }))
        return Fail(
            Error::InvalidArgument(
                fmt::format("field 'depends_on': task {} is not one of this force's", Short(dep)))
                .About("depends_on", "unknown_task"));
    Task t;
    t.id = ids_.Next();
    t.force_id = access.force.id;
    t.title = in.title;
    t.description = in.description;
    t.owner_account_id = owner->account_id;
    t.owner_unit_id = owner->unit_id;
    t.owner_unit_name = owner->unit_name;
    if (!in.owner_unit_id.empty() && in.owner_unit_id != owner->unit_id) {
      auto unit = identity_.GetUnit(Principal::System(), in.owner_unit_id);
      if (!unit) return Fail(std::move(unit.error()).About("owner_unit_id", "unknown"));
      t.owner_unit_id = (*unit)->id;
      t.owner_unit_name = (*unit)->name;
    }
    t.deadline_days = in.deadline_days;
    t.deadline = calendar_.AddWorkingDays(now, in.deadline_days);
    t.depends_on = in.depends_on;
    std::sort(t.depends_on.begin(), t.depends_on.end());
    t.depends_on.erase(std::unique(t.depends_on.begin(), t.depends_on.end()), t.depends_on.end());
    t.created_by = actor.account_id;
    t.created_at = t.updated_at = now;
    XT_TRY_VOID(store::InsertTask(ex, t));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.task.created",
                               t.id,
                               {{"force_id", t.force_id},
                                {"title", t.title},
                                {"owner_account_id", t.owner_account_id},
                                {"owner_unit_id", t.owner_unit_id},
                                {"deadline", t.deadline},
                                {"depends_on", t.depends_on}}}));
    return t;
  }));
}

Result<Task> CollabService::SetTaskStatus(const Principal& actor, std::string_view task_id,
                                          std::string_view status) {
  XT_ASSIGN_OR_RETURN(const TaskStatus to, ParseTaskStatus(status));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Task> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindTask(ex, task_id));
    if (!task) return Fail(NoTask(task_id));
    const bool own = task->owner_account_id == actor.account_id;
    auto access = ChangeForce(ex, actor, task->force_id,
                              own ? ForceAction::kPost : ForceAction::kChangeAnyTask);
    if (!access) {
      if (access.error().code == ErrorCode::kNotFound) return Fail(NoTask(task_id));
      return Fail(std::move(access.error()));
    }
    XT_ASSIGN_OR_RETURN(auto tasks, store::Tasks(ex, task->force_id));
    const bool deps_done =
        std::all_of(task->depends_on.begin(), task->depends_on.end(), [&](const std::string& dep) {
          return std::any_of(tasks.begin(), tasks.end(), [&](const Task& t) {
            return t.id == dep && t.status == TaskStatus::kDone;
          });
        });
    XT_TRY_VOID(CheckTransition(*task, to, deps_done));
    if (task->status == to) return std::move(*task);
    const TaskStatus from = task->status;
    task->status = to;
    if (to == TaskStatus::kDone) task->percent = 100;
    task->updated_at = now;
    XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateTask(ex, *task));
    if (!ok) return Fail(Stale("task"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.task.status",
                               task->id,
                               {{"force_id", task->force_id},
                                {"from", TaskStatusName(from)},
                                {"to", TaskStatusName(to)}}}));
    return std::move(*task);
  }));
}

Result<Task> CollabService::ReassignTask(const Principal& actor, std::string_view task_id,
                                         std::string_view owner_account_id) {
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Task> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindTask(ex, task_id));
    if (!task) return Fail(NoTask(task_id));
    auto access = ChangeForce(ex, actor, task->force_id, ForceAction::kChangeAnyTask);
    if (!access) {
      if (access.error().code == ErrorCode::kNotFound) return Fail(NoTask(task_id));
      return Fail(std::move(access.error()));
    }
    if (task->status == TaskStatus::kDone)
      return Fail(
          Error::Conflict(fmt::format("task '{}' is done", task->title)).About("status", "done"));
    XT_ASSIGN_OR_RETURN(auto owner, store::FindMember(ex, task->force_id, owner_account_id));
    if (!owner)
      return Fail(Error::InvalidArgument(
                      "field 'owner_account_id': a task's owner is a member of the task force")
                      .About("owner_account_id", "not_member"));
    const std::string from = task->owner_account_id;
    task->owner_account_id = owner->account_id;
    task->owner_unit_id = owner->unit_id;
    task->owner_unit_name = owner->unit_name;
    task->updated_at = now;
    XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateTask(ex, *task));
    if (!ok) return Fail(Stale("task"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.task.reassigned",
                               task->id,
                               {{"force_id", task->force_id},
                                {"from", from},
                                {"to", task->owner_account_id},
                                {"owner_unit_id", task->owner_unit_id}}}));
    return std::move(*task);
  }));
}

Result<Task> CollabService::SetDependencies(const Principal& actor, std::string_view task_id,
                                            const std::vector<std::string>& depends_on) {
  if (depends_on.size() > kMaxDependencies)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'depends_on': at most {} tasks", kMaxDependencies))
                    .About("depends_on", "too_many"));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Task> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindTask(ex, task_id));
    if (!task) return Fail(NoTask(task_id));
    auto access = ChangeForce(ex, actor, task->force_id, ForceAction::kAddTask);
    if (!access) {
      if (access.error().code == ErrorCode::kNotFound) return Fail(NoTask(task_id));
      return Fail(std::move(access.error()));
    }
    if (task->status == TaskStatus::kDoing || task->status == TaskStatus::kDone)
      return Fail(Error::Conflict(fmt::format("task '{}' is {}; its dependencies no longer change",
                                              task->title, TaskStatusName(task->status)))
                      .About("depends_on", "started"));
    XT_ASSIGN_OR_RETURN(auto tasks, store::Tasks(ex, task->force_id));
    std::map<std::string, std::vector<std::string>> graph;
    for (const auto& t : tasks) graph[t.id] = t.depends_on;
    std::vector<std::string> deps = depends_on;
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    for (const auto& dep : deps)
      if (!graph.contains(dep))
        return Fail(
            Error::InvalidArgument(
                fmt::format("field 'depends_on': task {} is not one of this force's", Short(dep)))
                .About("depends_on", "unknown_task"));
    graph[task->id] = deps;
    if (auto cycle = FindCycle(graph)) {
      std::string names;
      for (const auto& id : *cycle) {
        auto it =
            std::find_if(tasks.begin(), tasks.end(), [&](const Task& t) { return t.id == id; });
        names += (names.empty() ? "" : " → ") + (it != tasks.end() ? it->title : id);
      }
      return Fail(Error::InvalidArgument(
                      fmt::format("field 'depends_on': that would make a cycle: {}", names))
                      .About("depends_on", "cycle"));
    }
    task->depends_on = deps;
    task->updated_at = now;
    XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateTask(ex, *task));
    if (!ok) return Fail(Stale("task"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.task.dependencies",
                               task->id,
                               {{"force_id", task->force_id}, {"depends_on", deps}}}));
    return std::move(*task);
  }));
}

Result<ProgressReport> CollabService::ReportProgress(const Principal& actor,
                                                     std::string_view task_id,
                                                     const NewReport& in) {
  ProgressReport r;
  XT_ASSIGN_OR_RETURN(r.text, CheckText("text", in.text, kMaxTextChars, true));
  if (in.percent < 0 || in.percent > 100)
    return Fail(Error::InvalidArgument("field 'percent': 0–100").About("percent", "out_of_range"));
  XT_TRY_VOID(CheckFileIds("file_ids", in.file_ids));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<ProgressReport> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindTask(ex, task_id));
    if (!task) return Fail(NoTask(task_id));
    const bool own = task->owner_account_id == actor.account_id;
    auto access = ChangeForce(ex, actor, task->force_id,
                              own ? ForceAction::kPost : ForceAction::kChangeAnyTask);
    if (!access) {
      if (access.error().code == ErrorCode::kNotFound) return Fail(NoTask(task_id));
      return Fail(std::move(access.error()));
    }
    if (task->status == TaskStatus::kDone)
      return Fail(
          Error::Conflict(fmt::format("task '{}' is done", task->title)).About("status", "done"));
    if (task->status == TaskStatus::kTodo) {  // the first report starts the task
      XT_ASSIGN_OR_RETURN(auto tasks, store::Tasks(ex, task->force_id));
      const bool deps_done = std::all_of(
          task->depends_on.begin(), task->depends_on.end(), [&](const std::string& dep) {
            return std::any_of(tasks.begin(), tasks.end(), [&](const Task& t) {
              return t.id == dep && t.status == TaskStatus::kDone;
            });
          });
      XT_TRY_VOID(CheckTransition(*task, TaskStatus::kDoing, deps_done));
      task->status = TaskStatus::kDoing;
    }
    r.id = ids_.Next();
    r.task_id = task->id;
    r.force_id = task->force_id;
    r.account_id = actor.account_id;
    r.percent = in.percent;
    r.file_ids = in.file_ids;
    r.at = now;
    if (!in.file_ids.empty()) {
      auto attached =
          files::Attach(ex, actor.account_id, in.file_ids, r.id, files::Accept::kImagesAndPdf);
      if (!attached) return Fail(std::move(attached.error()).About("file_ids", "invalid"));
    }
    task->percent = in.percent;
    task->updated_at = now;
    XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateTask(ex, *task));
    if (!ok) return Fail(Stale("task"));
    XT_TRY_VOID(store::InsertReport(ex, r));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.task.progress",
                               task->id,
                               {{"report_id", r.id},
                                {"force_id", r.force_id},
                                {"percent", r.percent},
                                {"text", r.text},
                                {"file_ids", r.file_ids}}}));
    return r;
  }));
}

Result<std::vector<ProgressReport>> CollabService::Reports(const Principal& actor,
                                                           std::string_view task_id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<ProgressReport>> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindTask(ex, task_id));
    if (!task) return Fail(NoTask(task_id));
    auto access = SeeForce(ex, actor, task->force_id);
    if (!access) return Fail(NoTask(task_id));
    return store::Reports(ex, task->id);
  });
}

Result<std::vector<Task>> CollabService::OverdueForMe(const Principal& actor) {
  const Timestamp now = clock_.Now();
  return db_.Read(
      [&](Executor& ex) { return store::OverdueForLead(ex, actor.account_id, now, kMaxPage); });
}

Result<Milestone> CollabService::AddMilestone(const Principal& actor, std::string_view force_id,
                                              std::string_view stage, Timestamp due,
                                              std::int64_t budget_fen) {
  Milestone m;
  XT_ASSIGN_OR_RETURN(m.stage, ParseStage(stage));
  if (budget_fen < 0)
    return Fail(Error::InvalidArgument("field 'budget_fen': money is a whole number of fen, ≥ 0")
                    .About("budget_fen", "negative"));
  if (due <= 0)
    return Fail(Error::InvalidArgument("field 'due': is required").About("due", "required"));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Milestone> {
    XT_ASSIGN_OR_RETURN(auto access, ChangeForce(ex, actor, force_id, ForceAction::kMilestones));
    XT_ASSIGN_OR_RETURN(auto existing, store::Milestones(ex, access.force.id));
    for (const auto& e : existing)
      if (e.stage == m.stage)
        return Fail(Error::Conflict(fmt::format("this task force already has its {} milestone",
                                                StageName(m.stage)))
                        .About("stage", "exists"));
    m.id = ids_.Next();
    m.force_id = access.force.id;
    m.due = due;
    m.budget_fen = budget_fen;
    XT_TRY_VOID(store::InsertMilestone(ex, m));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.milestone.added",
                               m.id,
                               {{"force_id", m.force_id},
                                {"stage", StageName(m.stage)},
                                {"due", due},
                                {"budget_fen", budget_fen}}}));
    return m;
  }));
}

Result<Milestone> CollabService::RecordMilestone(const Principal& actor,
                                                 std::string_view milestone_id,
                                                 std::int64_t spent_fen, bool reached) {
  if (spent_fen < 0)
    return Fail(
        Error::InvalidArgument("field 'spent_fen': spend is added in whole fen, ≥ 0 (a refund is a "
                               "separate record)")
            .About("spent_fen", "negative"));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Milestone> {
    XT_ASSIGN_OR_RETURN(auto m, store::FindMilestone(ex, milestone_id));
    if (!m) return Fail(Error::NotFound(fmt::format("no milestone '{}'", Short(milestone_id))));
    XT_TRY_VOID(ChangeForce(ex, actor, m->force_id, ForceAction::kMilestones));
    if (reached && m->reached_at == 0) {
      XT_ASSIGN_OR_RETURN(auto all, store::Milestones(ex, m->force_id));
      XT_TRY_VOID(CheckStageOrder(all, m->stage));
      m->reached_at = now;
    }
    m->spent_fen += spent_fen;
    XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateMilestone(ex, *m));
    if (!ok) return Fail(Stale("milestone"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.milestone.recorded",
                               m->id,
                               {{"force_id", m->force_id},
                                {"spent_fen", spent_fen},
                                {"total_spent_fen", m->spent_fen},
                                {"over_budget", m->spent_fen > m->budget_fen},
                                {"reached", m->reached_at != 0}}}));
    return std::move(*m);
  }));
}

// --- directives ----------------------------------------------------------------------

Result<CollabService::Sending> CollabService::SendingUnits(const Principal& actor,
                                                           std::string_view from_unit_id,
                                                           const std::vector<std::string>& to_units,
                                                           std::string_view what) {
  std::string from_id(from_unit_id);
  if (from_id.empty()) {
    const auto senders = Through(actor, Action::kDirectiveSend);
    if (senders.empty())
      return Fail(Error::PermissionDenied(
          fmt::format("sending {} needs the leader, unit lead or supervisor role", what)));
    from_id = senders.front()->unit_id;
  }
  Sending out;
  auto from = identity_.GetUnit(Principal::System(), from_id);
  if (!from) return Fail(std::move(from.error()).About("from_unit_id", "unknown"));
  if (!identity::Can(actor, Action::kDirectiveSend, (*from)->path))
    return Fail(Error::PermissionDenied(
        fmt::format("you may not send {} on behalf of {}", what, (*from)->name)));
  out.from = *from;
  for (const auto& id : to_units) {
    auto unit = identity_.GetUnit(Principal::System(), id);
    if (!unit) return Fail(std::move(unit.error()).About("to_units", "unknown"));
    if (!identity::Can(actor, Action::kDirectiveSend, (*unit)->path))
      return Fail(Error::PermissionDenied(fmt::format("{} is outside the units you may send {} to",
                                                      (*unit)->name, what))
                      .About("to_units", "outside_scope"));
    out.targets.push_back(**unit);
  }
  return out;
}

Result<Directive> CollabService::SendDirective(const Principal& actor, const NewDirective& in) {
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(ValidateDirective(in, now));
  XT_ASSIGN_OR_RETURN(auto sending,
                      SendingUnits(actor, in.from_unit_id, in.to_units, "directives"));
  auto& from = sending.from;
  auto& targets = sending.targets;
  if (!in.idempotency_key.empty()) {  // a retry: the first answer, no second fan-out
    XT_ASSIGN_OR_RETURN(auto first, db_.Read([&](Executor& ex) {
      return store::DirectiveByKey(ex, actor.account_id, in.idempotency_key);
    }));
    if (first) {
      XT_ASSIGN_OR_RETURN(auto d,
                          db_.Read([&](Executor& ex) { return store::FindDirective(ex, *first); }));
      if (d) return std::move(*d);
    }
  }
  // Everyone with a membership below a target (filtered by ResolveRecipients).
  XT_ASSIGN_OR_RETURN(const auto candidates, AccountsBelow(targets));
  const auto receipts =
      ResolveRecipients(targets, in.include_subtree, candidates, actor.account_id);

  Directive d;
  d.id = ids_.Next();
  d.title = in.title;
  d.body = in.body;
  d.from_unit_id = from->id;
  d.from_unit_name = from->name;
  d.from_unit_path = from->path;
  d.sender_id = actor.account_id;
  d.sender_name = actor.display_name;
  d.to_units = in.to_units;
  d.include_subtree = in.include_subtree;
  d.ack_by = in.ack_by;
  d.created_at = now;
  d.recipients = static_cast<std::int64_t>(receipts.size());
  return Committed(db_.Write([&](Executor& ex) -> Result<Directive> {
    if (!in.idempotency_key.empty()) {
      XT_ASSIGN_OR_RETURN(auto first,
                          store::ClaimDirectiveKey(ex, actor.account_id, in.idempotency_key, d.id));
      if (first) {  // a concurrent retry committed first
        XT_ASSIGN_OR_RETURN(auto earlier, store::FindDirective(ex, *first));
        if (earlier) return std::move(*earlier);
      }
    }
    XT_TRY_VOID(store::InsertDirective(ex, d));
    XT_TRY_VOID(store::InsertReceipts(ex, d.id, now, receipts, options_.receipt_batch));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.directive.sent",
                               d.id,
                               {{"title", d.title},
                                {"from_unit_id", d.from_unit_id},
                                {"to_units", d.to_units},
                                {"include_subtree", d.include_subtree},
                                {"ack_by", d.ack_by},
                                {"recipients", d.recipients}}}));
    return d;
  }));
}

Result<DirectiveView> CollabService::GetDirective(const Principal& actor, std::string_view id) {
  return db_.Read([&](Executor& ex) -> Result<DirectiveView> {
    XT_ASSIGN_OR_RETURN(auto d, store::FindDirective(ex, id));
    if (!d) return Fail(NoDirective(id));
    XT_ASSIGN_OR_RETURN(auto mine, store::FindReceipt(ex, d->id, actor.account_id));
    if (!mine && !MaySeeReceipts(actor, *d)) return Fail(NoDirective(id));
    return DirectiveView{std::move(*d), std::move(mine)};
  });
}

Result<std::vector<store::InboxItem>> CollabService::Inbox(const Principal& actor, int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  return db_.Read([&](Executor& ex) { return store::Inbox(ex, actor.account_id, limit); });
}

Result<std::vector<Directive>> CollabService::Sent(const Principal& actor, int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  auto scopes = Paths(Through(actor, Action::kDirectiveSend));
  for (auto& p : Paths(Through(actor, Action::kCollabOversee))) scopes.push_back(std::move(p));
  return db_.Read([&](Executor& ex) { return store::Sent(ex, scopes, limit); });
}

Result<Receipt> CollabService::MarkRead(const Principal& actor, std::string_view id) {
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Receipt> {
    XT_ASSIGN_OR_RETURN(auto d, store::FindDirective(ex, id));
    if (!d) return Fail(NoDirective(id));
    XT_ASSIGN_OR_RETURN(auto r, store::FindReceipt(ex, d->id, actor.account_id));
    if (!r) {
      if (!MaySeeReceipts(actor, *d)) return Fail(NoDirective(id));
      return Fail(Error::PermissionDenied("you are not a recipient of this directive"));
    }
    XT_ASSIGN_OR_RETURN(const bool first, store::MarkRead(ex, d->id, actor.account_id, now));
    if (!first) return std::move(*r);
    r->read_at = now;
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "collab.directive.read", d->id, {{"unit_id", r->unit_id}}}));
    return std::move(*r);
  }));
}

Result<Receipt> CollabService::Acknowledge(const Principal& actor, std::string_view id,
                                           std::string_view note, std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto checked_note, CheckText("note", note, 500, false));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Receipt> {
    XT_ASSIGN_OR_RETURN(auto d, store::FindDirective(ex, id));
    if (!d) return Fail(NoDirective(id));
    XT_ASSIGN_OR_RETURN(auto r, store::FindReceipt(ex, d->id, actor.account_id));
    if (!r) {
      if (!MaySeeReceipts(actor, *d)) return Fail(NoDirective(id));
      return Fail(Error::PermissionDenied(
          "only a recipient acknowledges (签收) a directive, for themself"));
    }
    if (!unit_id.empty() && unit_id != r->unit_id)
      return Fail(Error::PermissionDenied(
                      fmt::format("you acknowledge for yourself, as received through {}; another "
                                  "unit acknowledges through its own people",
                                  r->unit_name))
                      .About("unit_id", "other_unit"));
    XT_ASSIGN_OR_RETURN(const bool first,
                        store::MarkAcknowledged(ex, d->id, actor.account_id, now, checked_note));
    if (!first) return std::move(*r);  // acknowledged before: the first one stands
    r->acked_at = now;
    if (r->read_at == 0) r->read_at = now;
    r->ack_note = checked_note;
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.directive.acknowledged",
                               d->id,
                               {{"unit_id", r->unit_id}, {"note", checked_note}}}));
    return std::move(*r);
  }));
}

Result<ReceiptsView> CollabService::Receipts(const Principal& actor, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto view, db_.Read([&](Executor& ex) -> Result<ReceiptsView> {
    XT_ASSIGN_OR_RETURN(auto d, store::FindDirective(ex, id));
    if (!d) return Fail(NoDirective(id));
    if (!MaySeeReceipts(actor, *d)) {
      XT_ASSIGN_OR_RETURN(auto mine, store::FindReceipt(ex, d->id, actor.account_id));
      if (!mine) return Fail(NoDirective(id));
      return Fail(Error::PermissionDenied("the receipt table is for the sending unit"));
    }
    ReceiptsView v;
    XT_ASSIGN_OR_RETURN(v.receipts, store::Receipts(ex, d->id));
    v.directive = std::move(*d);
    return v;
  }));
  std::vector<identity::OrgUnit> targets;
  for (const auto& u : view.directive.to_units) {
    auto unit = identity_.GetUnit(Principal::System(), u);
    if (unit) targets.push_back(**unit);
  }
  view.table = Tabulate(view.receipts, targets, view.directive.include_subtree);
  return view;
}

Result<std::vector<store::InboxItem>> CollabService::PendingReminders(const Principal& actor,
                                                                      std::string_view directive_id,
                                                                      int limit) {
  if (limit < 1 || limit > 10'000)
    return Fail(Error::InvalidArgument("'limit' must be between 1 and 10000")
                    .About("limit", "out_of_range"));
  const Timestamp now = clock_.Now();
  return db_.Read([&](Executor& ex) -> Result<std::vector<store::InboxItem>> {
    if (directive_id.empty()) {
      if (!actor.is_system())
        return Fail(Error::PermissionDenied("name the directive whose reminders you want"));
    } else {
      XT_ASSIGN_OR_RETURN(auto d, store::FindDirective(ex, directive_id));
      if (!d || !MaySeeReceipts(actor, *d)) return Fail(NoDirective(directive_id));
    }
    return store::Unacknowledged(ex, directive_id, now, limit);
  });
}

// --- channels and messages -------------------------------------------------------------

Result<Channel> CollabService::CreateGroup(const Principal& actor, std::string title,
                                           const std::vector<std::string>& account_ids) {
  if (!Staff(actor) || actor.is_system())
    return Fail(Error::PermissionDenied("channels are for staff accounts"));
  XT_ASSIGN_OR_RETURN(title, CheckText("title", title, kMaxTitleChars, true));
  if (static_cast<int>(account_ids.size()) + 1 > kMaxGroupMembers)
    return Fail(
        Error::InvalidArgument(
            fmt::format("field 'members': a group has at most {} members", kMaxGroupMembers))
            .About("members", "too_many"));
  const Timestamp now = clock_.Now();
  Channel c;
  c.id = ids_.Next();
  c.kind = ChannelKind::kGroup;
  c.title = title;
  c.created_by = actor.account_id;
  c.created_at = now;
  std::vector<ChannelMember> members{
      {c.id, actor.account_id, actor.username, actor.display_name, 0, now}};
  std::set<std::string> seen{actor.account_id};
  for (const auto& id : account_ids) {
    if (!seen.insert(id).second) continue;
    auto m = Joining(c.id, id, now);
    if (!m) {
      std::string reason = m.error().reason;
      return Fail(std::move(m.error()).About("members", std::move(reason)));
    }
    members.push_back(std::move(*m));
  }
  XT_TRY_VOID(Committed(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertChannel(ex, c));
    std::vector<std::string> ids;
    for (const auto& m : members) {
      XT_TRY_VOID(store::InsertChannelMember(ex, m));
      ids.push_back(m.account_id);
    }
    XT_TRY_VOID(
        audit::Append(ex, now,
                      {actor.account_id,
                       "collab.channel.created",
                       c.id,
                       {{"kind", ChannelKindName(c.kind)}, {"title", c.title}, {"members", ids}}}));
    return {};
  })));
  return c;
}

Result<Channel> CollabService::OpenDirect(const Principal& actor, std::string_view account_id) {
  if (!Staff(actor) || actor.is_system())
    return Fail(Error::PermissionDenied("channels are for staff accounts"));
  if (account_id == actor.account_id)
    return Fail(Error::InvalidArgument("field 'account_id': a direct channel is with someone else")
                    .About("account_id", "self"));
  const Timestamp now = clock_.Now();
  const std::string key = DirectKey(actor.account_id, account_id);
  XT_ASSIGN_OR_RETURN(auto existing,
                      db_.Read([&](Executor& ex) { return store::FindDirect(ex, key); }));
  if (existing) return std::move(*existing);
  Channel c;
  c.id = ids_.Next();
  c.kind = ChannelKind::kDirect;
  c.direct_key = key;
  c.created_by = actor.account_id;
  c.created_at = now;
  XT_ASSIGN_OR_RETURN(auto other, Joining(c.id, account_id, now));
  c.title = fmt::format("{} · {}", actor.display_name, other.display_name);
  return Committed(db_.Write([&](Executor& ex) -> Result<Channel> {
    XT_ASSIGN_OR_RETURN(auto raced, store::FindDirect(ex, key));
    if (raced) return std::move(*raced);
    XT_TRY_VOID(store::InsertChannel(ex, c));
    XT_TRY_VOID(store::InsertChannelMember(
        ex, {c.id, actor.account_id, actor.username, actor.display_name, 0, now}));
    XT_TRY_VOID(store::InsertChannelMember(ex, other));
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id,
         "collab.channel.created",
         c.id,
         {{"kind", ChannelKindName(c.kind)}, {"members", {actor.account_id, other.account_id}}}}));
    return c;
  }));
}

Result<ChannelMember> CollabService::AddChannelMember(const Principal& actor,
                                                      std::string_view channel_id,
                                                      std::string_view account_id) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto joining, Joining(channel_id, account_id, now));
  return Committed(db_.Write([&](Executor& ex) -> Result<ChannelMember> {
    XT_ASSIGN_OR_RETURN(auto in, ChannelFor(ex, actor, channel_id));
    if (in.channel.kind != ChannelKind::kGroup)
      return Fail(Error::Conflict(in.channel.kind == ChannelKind::kForce
                                      ? "a task force's channel has the force's members; add "
                                        "them to the task force"
                                      : "a direct channel is for two people"));
    XT_ASSIGN_OR_RETURN(auto members, store::ChannelMembers(ex, in.channel.id));
    if (static_cast<int>(members.size()) >= kMaxGroupMembers)
      return Fail(Error::Conflict(fmt::format("a group has at most {} members", kMaxGroupMembers)));
    joining.channel_id = in.channel.id;
    XT_TRY_VOID(store::InsertChannelMember(ex, joining));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.channel.member_added",
                               in.channel.id,
                               {{"account_id", joining.account_id}}}));
    return joining;
  }));
}

Result<void> CollabService::LeaveChannel(const Principal& actor, std::string_view channel_id) {
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto in, ChannelFor(ex, actor, channel_id));
    if (in.channel.kind != ChannelKind::kGroup)
      return Fail(Error::Conflict(in.channel.kind == ChannelKind::kForce
                                      ? "leave the task force to leave its channel"
                                      : "a direct channel cannot be left"));
    XT_TRY_VOID(store::DeleteChannelMember(ex, in.channel.id, actor.account_id));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id, "collab.channel.member_left", in.channel.id, {}}));
    return {};
  }));
}

Result<Message> CollabService::Post(const Principal& actor, std::string_view channel_id,
                                    const NewMessage& in) {
  XT_TRY_VOID(CheckMessageText(in.text));
  XT_TRY_VOID(CheckFileIds("file_ids", in.file_ids));
  const Timestamp now = clock_.Now();
  return Committed(db_.Write([&](Executor& ex) -> Result<Message> {
    // The writer's hot path: the membership check, the archived check and the
    // channel's next number are one statement; only a refusal reads why.
    XT_ASSIGN_OR_RETURN(const auto seq, store::NextSeqFor(ex, channel_id, actor.account_id));
    if (!seq) {
      XT_ASSIGN_OR_RETURN(auto inside, ChannelFor(ex, actor, channel_id));
      if (inside.channel.archived)
        return Fail(
            Error::Conflict("this channel belongs to a dissolved task force; it is read-only")
                .About("channel", "archived"));
      return Fail(Error::Internal("the channel refused a post for no reason it gives"));
    }
    Message m;
    m.id = ids_.Next();
    m.seq = *seq;
    m.channel_id = std::string(channel_id);
    m.author_id = actor.account_id;
    m.author_name = actor.display_name;
    m.text = in.text;
    m.file_ids = in.file_ids;
    m.at = now;
    if (!in.parent_id.empty()) {
      XT_ASSIGN_OR_RETURN(auto parent, store::FindMessage(ex, in.parent_id));
      if (!parent || parent->channel_id != m.channel_id)
        return Fail(
            Error::InvalidArgument(fmt::format("field 'parent_id': no message '{}' in this channel",
                                               Short(in.parent_id)))
                .About("parent_id", "unknown"));
      // Threads are one level deep: a reply to a reply joins the thread's root.
      m.parent_id = parent->parent_id.empty() ? parent->id : parent->parent_id;
    }
    const auto names = ParseMentions(m.text);
    if (!names.empty()) {
      XT_ASSIGN_OR_RETURN(auto members, store::ChannelMembers(ex, m.channel_id));
      for (const auto& name : names)
        for (const auto& member : members)
          if (member.username == name) m.mentions.push_back(member.account_id);
    }
    if (!m.file_ids.empty()) {
      auto attached =
          files::Attach(ex, actor.account_id, m.file_ids, m.id, files::Accept::kImagesAndPdf);
      if (!attached) return Fail(std::move(attached.error()).About("file_ids", "invalid"));
    }
    XT_TRY_VOID(store::InsertMessage(ex, m));
    XT_TRY_VOID(store::MarkChannelRead(ex, m.channel_id, actor.account_id, m.seq));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.message.posted",
                               m.channel_id,
                               {{"message_id", m.id},
                                {"seq", m.seq},
                                {"text", m.text},
                                {"parent_id", m.parent_id},
                                {"mentions", m.mentions},
                                {"file_ids", m.file_ids}}}));
    return m;
  }));
}

Result<std::vector<store::MessageHit>> CollabService::SearchMessages(const Principal& actor,
                                                                     std::string_view q,
                                                                     std::string_view channel_id,
                                                                     int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  XT_ASSIGN_OR_RETURN(const std::string needle, SearchNeedle(q));
  return db_.Read([&](Executor& ex) -> Result<std::vector<store::MessageHit>> {
    if (!channel_id.empty()) {
      XT_TRY_VOID(ChannelFor(ex, actor, channel_id));
    }
    return store::SearchMessages(ex, actor.account_id, channel_id, needle, limit);
  });
}

Result<MessagePage> CollabService::Messages(const Principal& actor, std::string_view channel_id,
                                            std::string_view cursor, int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  XT_ASSIGN_OR_RETURN(auto from, DecodeCursor(cursor));
  return db_.Read([&](Executor& ex) -> Result<MessagePage> {
    XT_ASSIGN_OR_RETURN(auto inside, ChannelFor(ex, actor, channel_id));
    const Cursor c = from ? *from : Cursor{.after = false, .seq = inside.channel.last_seq + 1};
    MessagePage page;
    XT_ASSIGN_OR_RETURN(page.items, store::MessagesPage(ex, inside.channel.id, c, limit + 1));
    const bool more = static_cast<int>(page.items.size()) > limit;
    if (more) {
      if (c.after)
        page.items.pop_back();
      else
        page.items.erase(page.items.begin());
    }
    if (c.after) {
      const std::int64_t last = page.items.empty() ? c.seq : page.items.back().seq;
      if (more) page.next_cursor = EncodeCursor({.after = true, .seq = last});
      page.resume_cursor = EncodeCursor({.after = true, .seq = last});
    } else {
      if (more) page.next_cursor = EncodeCursor({.after = false, .seq = page.items.front().seq});
      // Reading history from the newest page: everything up to last_seq is in hand.
      const std::int64_t last =
          from ? (page.items.empty() ? 0 : page.items.back().seq) : inside.channel.last_seq;
      page.resume_cursor = EncodeCursor({.after = true, .seq = last});
    }
    return page;
  });
}

Result<std::vector<ChannelMember>> CollabService::ChannelMembers(const Principal& actor,
                                                                 std::string_view channel_id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<ChannelMember>> {
    XT_ASSIGN_OR_RETURN(auto inside, ChannelFor(ex, actor, channel_id));
    return store::ChannelMembers(ex, inside.channel.id);
  });
}

Result<void> CollabService::MarkChannelRead(const Principal& actor, std::string_view channel_id,
                                            std::int64_t seq) {
  if (seq < 0) return Fail(Error::InvalidArgument("field 'seq': ≥ 0").About("seq", "out_of_range"));
  return Committed(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto inside, ChannelFor(ex, actor, channel_id));
    return store::MarkChannelRead(ex, inside.channel.id, actor.account_id,
                                  std::min(seq, inside.channel.last_seq));
  }));
}

Result<std::vector<store::ChannelSummary>> CollabService::MyChannels(const Principal& actor) {
  return db_.Read([&](Executor& ex) { return store::ChannelsOf(ex, actor.account_id); });
}

// --- what a force works on ---

Result<void> CollabService::CheckReadable(const Principal& actor,
                                          std::span<const std::string> request_ids) {
  if (request_ids.empty()) return {};
  if (!requests_) return Fail(Error::Unavailable("this server links no requests to task forces"));
  for (const auto& id : request_ids) {
    XT_ASSIGN_OR_RETURN(const bool readable, requests_->MayRead(actor, id));
    if (!readable)
      return Fail(Error::NotFound(
                      fmt::format("request {} does not exist or is not yours to read", Short(id)))
                      .About("request_ids", "unknown"));
  }
  return {};
}

Result<std::vector<LinkedRequest>> CollabService::ForceRequests(const Principal& actor,
                                                                std::string_view force_id) {
  XT_ASSIGN_OR_RETURN(auto ids, db_.Read([&](Executor& ex) -> Result<std::vector<std::string>> {
    XT_TRY_VOID(SeeForce(ex, actor, force_id));
    return store::LinkedRequestIds(ex, force_id);
  }));
  if (ids.empty() || !requests_) return std::vector<LinkedRequest>();
  return requests_->Describe(ids);
}

Result<std::vector<LinkedRequest>> CollabService::LinkRequests(
    const Principal& actor, std::string_view force_id,
    const std::vector<std::string>& request_ids) {
  if (request_ids.empty())
    return Fail(Error::InvalidArgument("field 'request_ids': name at least one request")
                    .About("request_ids", "empty"));
  XT_ASSIGN_OR_RETURN(auto linked, db_.Read([&](Executor& ex) -> Result<std::vector<std::string>> {
    XT_TRY_VOID(ChangeForce(ex, actor, force_id, ForceAction::kAddTask));
    return store::LinkedRequestIds(ex, force_id);
  }));
  XT_TRY_VOID(CheckRequestIds(request_ids, linked.size()));
  XT_TRY_VOID(CheckReadable(actor, request_ids));
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(Committed(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto access, ChangeForce(ex, actor, force_id, ForceAction::kAddTask));
    XT_TRY_VOID(store::LinkRequests(ex, access.force.id, request_ids, actor.account_id, now));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.force.requests_linked",
                               access.force.id,
                               {{"request_ids", request_ids}}}));
    return {};
  })));
  return ForceRequests(actor, force_id);
}

Result<LinkedRequest> CollabService::ReplyToRequest(const Principal& actor,
                                                    std::string_view force_id,
                                                    std::string_view request_id, std::string text,
                                                    std::vector<std::string> attachment_ids) {
  if (!requests_) return Fail(Error::Unavailable("requests are not wired into collab"));
  XT_ASSIGN_OR_RETURN(auto force, db_.Read([&](Executor& ex) -> Result<TaskForce> {
    XT_ASSIGN_OR_RETURN(auto access, ChangeForce(ex, actor, force_id, ForceAction::kReplyRequest));
    XT_ASSIGN_OR_RETURN(auto linked, store::LinkedRequestIds(ex, access.force.id));
    if (std::find(linked.begin(), linked.end(), request_id) == linked.end())
      return Fail(Error::NotFound(fmt::format("request '{}' is not handed to task force '{}'",
                                              request_id, access.force.title))
                      .About("request_id", "not_linked"));
    return access.force;
  }));
  XT_ASSIGN_OR_RETURN(auto replied,
                      requests_->ReplyAsForce(actor, request_id,
                                              {.force_id = force.id,
                                               .force_title = force.title,
                                               .text = std::move(text),
                                               .attachment_ids = std::move(attachment_ids)}));
  // The members read in their channel what the force answered (the request's
  // own event holds the reply; this line points to it).
  if (!force.channel_id.empty() && !actor.is_system()) {
    auto told =
        Post(actor, force.channel_id,
             {.text = fmt::format("已代表专班答复诉求 {}：{}", replied.number, replied.title)});
    if (!told)
      spdlog::warn("task force {}: the reply to {} is stored; telling the channel failed: {}",
                   force.id, replied.number, told.error().message);
  }
  return replied;
}

}  // namespace xietong::collab
