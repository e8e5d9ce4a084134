// Task forces (专班): the types, their validation and who may do what inside
// a force. Pure: no I/O; the clock's now and new ids come in as arguments.
//
//   roles in a force:  lead 牵头人 — everything, and only a lead dissolves
//                      liaison 联络员 — adds members, tasks and milestones
//                      member 成员 — reads, posts, reports on the tasks they own
//   a force:           active ──Dissolve(summary, handover of open tasks)──▶ dissolved
//                      (dissolved is read-only: every write answers Conflict)
//   a task:            todo ──▶ doing ──▶ done        (done is final)
//                        │  ▲     │  ▲
//                        ▼  │     ▼  │
//                        blocked ◀──┘
//                      a task enters doing or done only when every task it
//                      depends on is done; dependencies never form a cycle.
//   milestones:        立项 → 审批 → 建设 → 验收, one of each at most; a stage
//                      is reached only after the stages before it.
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::collab {

enum class SubjectKind { kRequest, kHotspot, kBundle, kProject, kOther };
std::string_view SubjectKindName(SubjectKind k);
Result<SubjectKind> ParseSubjectKind(std::string_view s);

enum class ForceRole { kLead, kMember, kLiaison };
std::string_view ForceRoleName(ForceRole r);
Result<ForceRole> ParseForceRole(std::string_view s);

enum class ForceStatus { kActive, kDissolved };
std::string_view ForceStatusName(ForceStatus s);

enum class TaskStatus { kTodo, kDoing, kDone, kBlocked };
std::string_view TaskStatusName(TaskStatus s);
Result<TaskStatus> ParseTaskStatus(std::string_view s);

enum class Stage { kInitiation, kApproval, kConstruction, kAcceptance };  // 立项 审批 建设 验收
std::string_view StageName(Stage s);
Result<Stage> ParseStage(std::string_view s);

inline constexpr std::size_t kMaxTitleChars = 100;
inline constexpr std::size_t kMaxTextChars = 4000;  // goal, charter, summary, report text
inline constexpr int kMaxMembers = 500;
inline constexpr int kMaxTaskDays = 250;  // working days: about a year
inline constexpr int kMaxDependencies = 20;
inline constexpr int kMaxFilesPerItem = 9;

struct Member {
  std::string account_id;
  std::string username, display_name;  // copied when added: channels resolve @mentions with them
  std::string unit_id, unit_name;      // the unit the person serves the force from
  ForceRole role = ForceRole::kMember;
  Timestamp added_at = 0;
};

struct TaskForce {
  std::string id;
  std::string title;
  SubjectKind subject_kind = SubjectKind::kOther;
  std::string subject_id;  // the request, hotspot, bundle or project; "" for other
  std::string goal, charter;
  Timestamp deadline = 0;
  std::string unit_id, unit_path, unit_name;  // the leading unit (the founder's)
  std::string created_by;
  Timestamp created_at = 0;
  ForceStatus status = ForceStatus::kActive;
  std::string channel_id;
  Timestamp dissolved_at = 0;
  std::string summary;
  std::int64_t version = 1;
};

struct Task {
  std::string id, force_id;
  std::string title, description;
  std::string owner_unit_id, owner_unit_name, owner_account_id;
  int deadline_days = 0;  // working days from creation, as asked
  Timestamp deadline = 0;
  std::vector<std::string> depends_on;
  TaskStatus status = TaskStatus::kTodo;
  int percent = 0;
  std::string created_by;
  Timestamp created_at = 0, updated_at = 0;
  std::string handed_to = {};  // the account that took it over when the force dissolved
  std::int64_t version = 1;
};

struct ProgressReport {
  std::string id, task_id, force_id, account_id;
  std::string text;
  int percent = 0;
  std::vector<std::string> file_ids;
  Timestamp at = 0;
};

struct Milestone {
  std::string id = {}, force_id = {};
  Stage stage = Stage::kInitiation;
  Timestamp due = 0;
  std::int64_t budget_fen = 0, spent_fen = 0;
  Timestamp reached_at = 0;  // 0 until reached
  std::int64_t version = 1;
};

// What a founder asks for; members other than the founder come as account
// ids with the unit they serve from (one of the account's memberships).
struct MemberInput {
  std::string account_id = {};
  std::string unit_id;  // "" = the account's first membership
  std::string role = "member";
};
struct NewTaskForce {
  std::string title = {};
  std::string subject_kind = "other";
  std::string subject_id = {};
  std::string goal = {}, charter = {};
  Timestamp deadline = 0;
  std::string unit_id = {};  // the leading unit; "" = the founder's first unit allowed to open one
  std::vector<MemberInput> members = {};
  // The requests the force works on (a hotspot's): linked when it is formed.
  std::vector<std::string> request_ids = {};
};
// The checked text fields of a new force (units and accounts are the service's).
Result<TaskForce> ValidateNewForce(const NewTaskForce& in, Timestamp now);

struct NewTask {
  std::string title = {};
  std::string description = {};
  std::string owner_account_id = {};
  std::string owner_unit_id = {};  // "" = the owner's unit in the force
  int deadline_days = 0;           // working days, 1–kMaxTaskDays
  std::vector<std::string> depends_on = {};
};
Result<void> ValidateNewTask(const NewTask& in);

inline constexpr std::size_t kMaxLinkedRequests = 500;  // as many as a hotspot lists
// Request ids to link to a force: well-formed, none twice, at most
// kMaxLinkedRequests in all (already linked ones count).
Result<void> CheckRequestIds(std::span<const std::string> ids, std::size_t already_linked);

// Text of a report, a summary, a title: valid UTF-8, no misleading
// characters, within max_chars code points; empty only when !required.
Result<std::string> CheckText(std::string_view field, std::string_view text, std::size_t max_chars,
                              bool required);
// File ids of a report or message: at most kMaxFilesPerItem well-formed ids, none twice.
Result<void> CheckFileIds(std::string_view field, std::span<const std::string> ids);

enum class ForceAction {
  kRead,
  kPost,
  kAddMember,
  kRemoveMember,
  kAddTask,
  kChangeAnyTask,  // status and dependencies of tasks owned by others
  kMilestones,
  kDissolve,
  kReplyRequest,  // answer a linked request's resident in the force's name
  kConfirmHours,  // confirm a resident volunteer's hours on a task (志愿服务时长)
};
// Whether a member in this role may do this (a dissolved force allows only kRead).
bool RoleMay(ForceRole role, ForceAction action);

// Whether task status from may become to, given whether every dependency is
// done; Conflict naming the rule otherwise.
Result<void> CheckTransition(const Task& task, TaskStatus to, bool dependencies_done);

// A dependency cycle among tasks (id → ids it depends on), as the ids along
// it ("a → b → a"); nullopt when there is none.
std::optional<std::vector<std::string>> FindCycle(
    const std::map<std::string, std::vector<std::string>>& depends_on);

// Tasks past their deadline and not done at now, earliest deadline first.
std::vector<Task> Overdue(std::span<const Task> tasks, Timestamp now);

// Whether the stage may be reached given the milestones of the force:
// every earlier stage that has a milestone must already be reached.
Result<void> CheckStageOrder(std::span<const Milestone> milestones, Stage stage);

// Checks a dissolution: every task not done must be handed to someone
// (task id → account id), and only tasks of the force may be named.
Result<void> CheckHandover(std::span<const Task> tasks,
                           const std::map<std::string, std::string>& handover);

}  // namespace xietong::collab
