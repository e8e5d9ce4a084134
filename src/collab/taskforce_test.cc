// The rules inside a task force: who may do what, task transitions and
// their dependencies, cycles, overdue tasks, milestone order and handover.
#include "collab/taskforce.h"

#include <gtest/gtest.h>

namespace xietong::collab {
namespace {

constexpr Timestamp kNow = 1'795'399'200'000'000;  // 2026-11-23 10:00 +08:00

Task MakeTask(std::string id, TaskStatus status, Timestamp deadline = kNow + kMicrosPerDay) {
  Task t;
  t.id = id;
  t.title = "task " + id;
  t.status = status;
  t.deadline = deadline;
  return t;
}

TEST(TaskForceRules, ValidatesANewForce) {
  NewTaskForce in;
  in.title = "滨江路积水专班";
  in.subject_kind = "hotspot";
  in.subject_id = "H-1";
  in.goal = "两周内消除积水点";
  in.deadline = kNow + 14 * kMicrosPerDay;
  auto f = ValidateNewForce(in, kNow);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->subject_kind, SubjectKind::kHotspot);

  auto bad = in;
  bad.subject_kind = "meeting";
  EXPECT_EQ(ValidateNewForce(bad, kNow).error().field, "subject_kind");
  bad = in;
  bad.subject_id = "";
  EXPECT_EQ(ValidateNewForce(bad, kNow).error().reason, "required");
  bad = in;
  bad.deadline = kNow;
  EXPECT_EQ(ValidateNewForce(bad, kNow).error().field, "deadline");
  bad = in;
  bad.title = std::string("\xff\xfe", 2);
  EXPECT_EQ(ValidateNewForce(bad, kNow).error().reason, "invalid_utf8");
  bad = in;
  bad.members = {{"a", "", "member"}, {"a", "", "lead"}};
  EXPECT_EQ(ValidateNewForce(bad, kNow).error().reason, "duplicate");
  bad = in;
  bad.members = {{"a", "", "boss"}};
  EXPECT_EQ(ValidateNewForce(bad, kNow).error().field, "role");
}

TEST(TaskForceRules, RolesDecideWhoMayChangeWhat) {
  EXPECT_TRUE(RoleMay(ForceRole::kLead, ForceAction::kDissolve));
  EXPECT_FALSE(RoleMay(ForceRole::kLiaison, ForceAction::kDissolve));
  EXPECT_TRUE(RoleMay(ForceRole::kLiaison, ForceAction::kAddMember));
  EXPECT_TRUE(RoleMay(ForceRole::kLiaison, ForceAction::kAddTask));
  EXPECT_FALSE(RoleMay(ForceRole::kLiaison, ForceAction::kRemoveMember));
  EXPECT_FALSE(RoleMay(ForceRole::kMember, ForceAction::kAddTask));
  EXPECT_FALSE(RoleMay(ForceRole::kMember, ForceAction::kChangeAnyTask));
  EXPECT_TRUE(RoleMay(ForceRole::kMember, ForceAction::kPost));
  EXPECT_TRUE(RoleMay(ForceRole::kLead, ForceAction::kReplyRequest));
  EXPECT_FALSE(RoleMay(ForceRole::kLiaison, ForceAction::kReplyRequest));
  EXPECT_FALSE(RoleMay(ForceRole::kMember, ForceAction::kReplyRequest));
}

TEST(TaskForceRules, ATaskStartsOnlyWhenItsDependenciesAreDone) {
  const Task todo = MakeTask("a", TaskStatus::kTodo);
  EXPECT_EQ(CheckTransition(todo, TaskStatus::kDoing, false).error().reason, "dependencies_open");
  EXPECT_TRUE(CheckTransition(todo, TaskStatus::kDoing, true));
  EXPECT_EQ(CheckTransition(todo, TaskStatus::kDone, true).error().reason, "not_started");
  EXPECT_TRUE(CheckTransition(todo, TaskStatus::kBlocked, false));
  const Task doing = MakeTask("b", TaskStatus::kDoing);
  EXPECT_TRUE(CheckTransition(doing, TaskStatus::kDone, true));
  EXPECT_TRUE(CheckTransition(doing, TaskStatus::kBlocked, true));
  const Task done = MakeTask("c", TaskStatus::kDone);
  EXPECT_EQ(CheckTransition(done, TaskStatus::kDoing, true).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(CheckTransition(done, TaskStatus::kDone, true)) << "no change is no error";
}

TEST(TaskForceRules, FindsDependencyCycles) {
  EXPECT_FALSE(FindCycle({{"a", {"b"}}, {"b", {"c"}}, {"c", {}}}));
  EXPECT_FALSE(FindCycle({{"a", {"b", "c"}}, {"b", {"c"}}, {"c", {}}})) << "a diamond is fine";
  auto cycle = FindCycle({{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}});
  ASSERT_TRUE(cycle);
  EXPECT_EQ(cycle->front(), cycle->back());
  EXPECT_EQ(cycle->size(), 4u);
  EXPECT_TRUE(FindCycle({{"a", {"a"}}})) << "a task cannot wait for itself";
}

TEST(TaskForceRules, OverdueIsPastTheDeadlineAndNotDone) {
  const std::vector<Task> tasks = {MakeTask("late", TaskStatus::kDoing, kNow - 2),
                                   MakeTask("later", TaskStatus::kTodo, kNow - 1),
                                   MakeTask("done", TaskStatus::kDone, kNow - 5),
                                   MakeTask("fine", TaskStatus::kTodo, kNow + 5)};
  const auto overdue = Overdue(tasks, kNow);
  ASSERT_EQ(overdue.size(), 2u);
  EXPECT_EQ(overdue[0].id, "late");
  EXPECT_EQ(overdue[1].id, "later");
}

TEST(TaskForceRules, StagesAreReachedInOrder) {
  Milestone initiation{.id = "m1", .stage = Stage::kInitiation};
  Milestone approval{.id = "m2", .stage = Stage::kApproval};
  std::vector<Milestone> ms = {initiation, approval};
  EXPECT_EQ(CheckStageOrder(ms, Stage::kApproval).error().reason, "earlier_stage_open");
  EXPECT_TRUE(CheckStageOrder(ms, Stage::kInitiation));
  ms[0].reached_at = kNow;
  EXPECT_TRUE(CheckStageOrder(ms, Stage::kApproval));
  EXPECT_EQ(ParseStage("construction").value(), Stage::kConstruction);
  EXPECT_FALSE(ParseStage("building"));
}

TEST(TaskForceRules, OpenTasksAreHandedOverBeforeDissolving) {
  const std::vector<Task> tasks = {MakeTask("a", TaskStatus::kDone),
                                   MakeTask("b", TaskStatus::kDoing)};
  EXPECT_EQ(CheckHandover(tasks, {}).error().reason, "open_tasks");
  EXPECT_TRUE(CheckHandover(tasks, {{"b", "acct-x"}}));
  EXPECT_EQ(CheckHandover(tasks, {{"b", "acct-x"}, {"zzz", "acct-y"}}).error().reason,
            "unknown_task");
}

TEST(TaskForceRules, TextAndFileIdsAreChecked) {
  EXPECT_EQ(CheckText("text", "", 10, true).error().reason, "empty");
  EXPECT_TRUE(CheckText("text", "", 10, false));
  EXPECT_EQ(CheckText("text", "一二三四五六七八九十一", 10, true).error().reason, "too_long");
  EXPECT_EQ(CheckText("text", "a\u202Eb", 10, true).error().reason, "invalid");
  EXPECT_EQ(CheckFileIds("file_ids", std::vector<std::string>{"nope"}).error().reason, "invalid");
  const std::string id = "01JD0000000000000000000000";
  EXPECT_EQ(CheckFileIds("file_ids", std::vector<std::string>{id, id}).error().reason, "duplicate");
}

}  // namespace
}  // namespace xietong::collab
