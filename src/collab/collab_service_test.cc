// 专班 and 协同办公 on every backend: a district lead forms a task force with
// two departments and a street, assigns tasks that wait for each other,
// members report progress, the force dissolves and refuses writes; a
// directive reaches every person below a street and its receipts read back
// exactly what each account did; channels catch up without loss or
// duplicates; bad input is refused with nothing stored; the chain verifies.
#include "collab/collab_service.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "files/file_service.h"
#include "storage/testing.h"

namespace xietong::collab {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00
const std::string kUnknownId = "01JD0000000000000000000000";

class CollabServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    // Small batches, so the fan-out's batching is exercised by a few people.
    service_ = std::make_unique<CollabService>(t_->db(), clock_, ids_, *calendar_, *identity_,
                                               CollabOptions{.receipt_batch = 2});
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
    other_district_ = Unit(city_.id, UnitKind::kDistrict, "JL-02", "西湖区");
    water_ = Unit(district_.id, UnitKind::kDepartment, "JL-01-D1", "区水务局");
    city_mgmt_ = Unit(district_.id, UnitKind::kDepartment, "JL-01-D2", "区城管局");
    street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "滨江街道");
    c1_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-01", "望江社区");
    c2_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-02", "观潮社区");
    c3_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-03", "新城社区");
    lead_ = Person("lead", district_, Role::kLeader);
    water_handler_ = Person("water", water_, Role::kHandler);
    mgmt_handler_ = Person("mgmt", city_mgmt_, Role::kHandler);
    street_liaison_ = Person("liaison", street_, Role::kHandler);
    stranger_ = Person("stranger", other_district_, Role::kHandler);
    overseer_ = Person("overseer", city_, Role::kSupervisor);
    c1a_ = Person("c1a", c1_, Role::kHandler);
    c1b_ = Person("c1b", c1_, Role::kHandler);
    c2a_ = Person("c2a", c2_, Role::kHandler);
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  Principal Person(std::string username, const OrgUnit& unit, Role role) {
    identity::NewAccount in;
    in.username = username;
    in.display_name = "用户" + username;
    in.password = "correct horse 12";
    in.unit_id = unit.id;
    in.role = role;
    auto a = identity_->CreateAccount(Principal::System(), in);
    EXPECT_TRUE(a) << a.error().message;
    Principal p;
    p.account_id = a->id;
    p.username = a->username;
    p.display_name = a->display_name;
    p.memberships = a->memberships;
    return p;
  }

  ForceView Formed() {
    NewTaskForce in;
    in.title = "滨江路积水专班";
    in.subject_kind = "hotspot";
    in.subject_id = "hotspot-7";
    in.goal = "两周内消除滨江路积水点";
    in.charter = "每周一例会";
    in.deadline = kNow + 20 * kMicrosPerDay;
    in.members = {{water_handler_.account_id, "", "member"},
                  {mgmt_handler_.account_id, "", "member"},
                  {street_liaison_.account_id, street_.id, "liaison"}};
    auto f = service_->CreateForce(lead_, in);
    EXPECT_TRUE(f) << f.error().message;
    return *f;
  }

  std::int64_t Count(std::string_view table) {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT COUNT(*) FROM {}", table)));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
  }

  std::int64_t AuditHead() {
    auto seq = t_->db().Read([](storage::Executor& ex) { return audit::LastSeq(ex); });
    EXPECT_TRUE(seq);
    return seq.value_or(-1);
  }

  void ExpectChainIntact() {
    auto report = audit::Verify(t_->db(), {});
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok()) << report->problem;
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kNow};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<CollabService> service_;
  OrgUnit city_, district_, other_district_, water_, city_mgmt_, street_, c1_, c2_, c3_;
  Principal lead_, water_handler_, mgmt_handler_, street_liaison_, stranger_, overseer_;
  Principal c1a_, c1b_, c2a_;
};

// --- task forces -----------------------------------------------------------------------

TEST_P(CollabServiceTest, MembershipIsWhatLetsPeopleSeeAForce) {
  const ForceView f = Formed();
  ASSERT_EQ(f.members.size(), 4u);
  EXPECT_EQ(f.my_role, ForceRole::kLead);
  EXPECT_EQ(f.force.unit_id, district_.id);

  // A member from a department sees it though it is led from the district.
  auto seen = service_->GetForce(water_handler_, f.force.id);
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(seen->my_role, ForceRole::kMember);
  auto liaison = service_->GetForce(street_liaison_, f.force.id);
  ASSERT_TRUE(liaison);
  EXPECT_EQ(liaison->my_role, ForceRole::kLiaison);
  // Someone else sees nothing; an overseer of the city reads without a role.
  EXPECT_EQ(service_->GetForce(stranger_, f.force.id).error().code, ErrorCode::kNotFound);
  auto overseen = service_->GetForce(overseer_, f.force.id);
  ASSERT_TRUE(overseen) << overseen.error().message;
  EXPECT_FALSE(overseen->my_role);
  EXPECT_EQ(service_->GetForce(lead_, kUnknownId).error().code, ErrorCode::kNotFound);

  auto mine = service_->MyForces(water_handler_);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->front().id, f.force.id);

  // A member may not add people; the liaison may; the overseer may not write.
  EXPECT_EQ(
      service_->AddMember(water_handler_, f.force.id, {c1a_.account_id, "", "member"}).error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      service_->AddMember(overseer_, f.force.id, {c1a_.account_id, "", "member"}).error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      service_->AddMember(street_liaison_, f.force.id, {c1a_.account_id, "", "lead"}).error().code,
      ErrorCode::kPermissionDenied)
      << "only a lead makes another lead";
  auto added = service_->AddMember(street_liaison_, f.force.id, {c1a_.account_id, "", "member"});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->unit_id, c1_.id);
  EXPECT_EQ(service_->AddMember(lead_, f.force.id, {c1a_.account_id, "", "member"}).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_->AddMember(lead_, f.force.id, {kUnknownId, "", "member"}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(
      service_->AddMember(lead_, f.force.id, {c1b_.account_id, water_.id, "member"}).error().field,
      "unit_id")
      << "a member serves from one of their own units";
  EXPECT_TRUE(service_->GetForce(c1a_, f.force.id));

  // Removed, they lose it at once: the force and its channel.
  ASSERT_TRUE(service_->RemoveMember(lead_, f.force.id, c1a_.account_id));
  EXPECT_EQ(service_->GetForce(c1a_, f.force.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Post(c1a_, f.force.channel_id, {.text = "还在吗"}).error().code,
            ErrorCode::kPermissionDenied);
  // A member leaves by themself; the last lead cannot.
  ASSERT_TRUE(service_->RemoveMember(mgmt_handler_, f.force.id, mgmt_handler_.account_id));
  EXPECT_EQ(
      service_->RemoveMember(water_handler_, f.force.id, street_liaison_.account_id).error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->RemoveMember(lead_, f.force.id, lead_.account_id).error().reason,
            "last_lead");
  ExpectChainIntact();
}

TEST_P(CollabServiceTest, OnlyRolesThatMayOpenForcesFormThem) {
  NewTaskForce in;
  in.title = "专班";
  in.goal = "目标";
  in.deadline = kNow + kMicrosPerDay;
  EXPECT_EQ(service_->CreateForce(water_handler_, in).error().code, ErrorCode::kPermissionDenied);
  in.unit_id = other_district_.id;
  EXPECT_EQ(service_->CreateForce(lead_, in).error().code, ErrorCode::kPermissionDenied)
      << "a lead forms forces led from units in their scope";
  in.unit_id = "";
  in.members = {{kUnknownId, "", "member"}};
  EXPECT_EQ(service_->CreateForce(lead_, in).error().field, "members");
  EXPECT_EQ(Count("collab_forces"), 0);
}

TEST_P(CollabServiceTest, TasksWaitForTheirDependenciesAndEscalateWhenLate) {
  const ForceView f = Formed();
  auto survey = service_->AddTask(
      lead_, f.force.id,
      {.title = "排查积水点", .owner_account_id = water_handler_.account_id, .deadline_days = 3});
  ASSERT_TRUE(survey) << survey.error().message;
  EXPECT_EQ(survey->deadline, calendar_->AddWorkingDays(kNow, 3));
  EXPECT_EQ(survey->owner_unit_id, water_.id);
  auto repair = service_->AddTask(street_liaison_, f.force.id,
                                  {.title = "疏通管网",
                                   .owner_account_id = mgmt_handler_.account_id,
                                   .deadline_days = 5,
                                   .depends_on = {survey->id}});
  ASSERT_TRUE(repair) << repair.error().message;

  // Bad tasks.
  EXPECT_EQ(
      service_
          ->AddTask(
              water_handler_, f.force.id,
              {.title = "x", .owner_account_id = water_handler_.account_id, .deadline_days = 1})
          .error()
          .code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      service_
          ->AddTask(lead_, f.force.id,
                    {.title = "x", .owner_account_id = stranger_.account_id, .deadline_days = 1})
          .error()
          .reason,
      "not_member");
  EXPECT_EQ(service_
                ->AddTask(lead_, f.force.id,
                          {.title = "x",
                           .owner_account_id = water_handler_.account_id,
                           .deadline_days = 1,
                           .depends_on = {kUnknownId}})
                .error()
                .reason,
            "unknown_task");
  EXPECT_EQ(
      service_
          ->AddTask(
              lead_, f.force.id,
              {.title = "x", .owner_account_id = water_handler_.account_id, .deadline_days = 0})
          .error()
          .field,
      "deadline_days");

  // A cycle is refused.
  auto cycle = service_->SetDependencies(lead_, survey->id, {repair->id});
  EXPECT_EQ(cycle.error().reason, "cycle");
  EXPECT_NE(cycle.error().message.find("排查积水点"), std::string::npos) << cycle.error().message;

  // The repair cannot start before the survey is done.
  EXPECT_EQ(service_->SetTaskStatus(mgmt_handler_, repair->id, "doing").error().reason,
            "dependencies_open");
  EXPECT_EQ(service_->ReportProgress(mgmt_handler_, repair->id, {.text = "开工", .percent = 5})
                .error()
                .reason,
            "dependencies_open");
  // Another member may not move someone else's task; the owner may.
  EXPECT_EQ(service_->SetTaskStatus(mgmt_handler_, survey->id, "doing").error().code,
            ErrorCode::kPermissionDenied);
  auto report =
      service_->ReportProgress(water_handler_, survey->id, {.text = "已排查12处", .percent = 60});
  ASSERT_TRUE(report) << report.error().message;
  // Bad reports store nothing.
  EXPECT_EQ(service_->ReportProgress(water_handler_, survey->id, {.text = "x", .percent = 101})
                .error()
                .field,
            "percent");
  EXPECT_EQ(service_
                ->ReportProgress(water_handler_, survey->id,
                                 {.text = std::string("\xe5\x9d", 2), .percent = 70})
                .error()
                .reason,
            "invalid_utf8");
  EXPECT_EQ(service_
                ->ReportProgress(water_handler_, survey->id,
                                 {.text = "照片", .percent = 70, .file_ids = {kUnknownId}})
                .error()
                .field,
            "file_ids");
  EXPECT_EQ(service_->ReportProgress(water_handler_, kUnknownId, {.text = "x", .percent = 1})
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(
      service_->ReportProgress(stranger_, survey->id, {.text = "x", .percent = 1}).error().code,
      ErrorCode::kNotFound);
  auto reports = service_->Reports(lead_, survey->id);
  ASSERT_TRUE(reports);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ(reports->front().percent, 60);

  ASSERT_TRUE(service_->SetTaskStatus(water_handler_, survey->id, "done"));
  auto started = service_->SetTaskStatus(mgmt_handler_, repair->id, "doing");
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(service_->SetTaskStatus(water_handler_, survey->id, "doing").error().code,
            ErrorCode::kConflict)
      << "done is final";

  // Late: the repair escalates to the lead and the liaison, not to members.
  clock_.Set(repair->deadline + 1);
  auto overdue = service_->OverdueForMe(lead_);
  ASSERT_TRUE(overdue);
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ(overdue->front().id, repair->id);
  EXPECT_EQ(service_->OverdueForMe(street_liaison_)->size(), 1u);
  EXPECT_TRUE(service_->OverdueForMe(mgmt_handler_)->empty());
  auto view = service_->GetForce(lead_, f.force.id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->overdue, std::vector<std::string>{repair->id});
  ExpectChainIntact();
}

TEST_P(CollabServiceTest, NobodyLeavesWithOpenTasksUntilALeadReassignsThem) {
  const ForceView f = Formed();
  auto task = service_->AddTask(
      lead_, f.force.id,
      {.title = "清运垃圾", .owner_account_id = mgmt_handler_.account_id, .deadline_days = 2});
  ASSERT_TRUE(task);
  EXPECT_EQ(service_->RemoveMember(lead_, f.force.id, mgmt_handler_.account_id).error().reason,
            "owns_open_tasks");
  EXPECT_EQ(
      service_->RemoveMember(mgmt_handler_, f.force.id, mgmt_handler_.account_id).error().reason,
      "owns_open_tasks");
  EXPECT_EQ(
      service_->ReassignTask(street_liaison_, task->id, water_handler_.account_id).error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->ReassignTask(lead_, task->id, stranger_.account_id).error().reason,
            "not_member");
  auto moved = service_->ReassignTask(lead_, task->id, water_handler_.account_id);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->owner_unit_id, water_.id);
  ASSERT_TRUE(service_->RemoveMember(lead_, f.force.id, mgmt_handler_.account_id));
  ASSERT_TRUE(service_->SetTaskStatus(water_handler_, task->id, "doing"));
  ASSERT_TRUE(service_->SetTaskStatus(water_handler_, task->id, "done"));
  EXPECT_EQ(service_->ReassignTask(lead_, task->id, lead_.account_id).error().code,
            ErrorCode::kConflict);
  ASSERT_TRUE(service_->RemoveMember(lead_, f.force.id, water_handler_.account_id))
      << "a done task does not hold its owner";
}

TEST_P(CollabServiceTest, MilestonesGoInOrderAndCountSpendInFen) {
  const ForceView f = Formed();
  auto init = service_->AddMilestone(lead_, f.force.id, "initiation", kNow + kMicrosPerDay, 0);
  ASSERT_TRUE(init) << init.error().message;
  auto build = service_->AddMilestone(street_liaison_, f.force.id, "construction",
                                      kNow + 9 * kMicrosPerDay, 1'250'000'00);
  ASSERT_TRUE(build) << build.error().message;
  EXPECT_EQ(service_->AddMilestone(lead_, f.force.id, "approval", 0, 0).error().field, "due");
  EXPECT_EQ(service_->AddMilestone(lead_, f.force.id, "approval", kNow, -5).error().field,
            "budget_fen");
  EXPECT_EQ(
      service_->AddMilestone(lead_, f.force.id, "initiation", kNow + kMicrosPerDay, 0).error().code,
      ErrorCode::kConflict);
  EXPECT_EQ(service_->AddMilestone(lead_, f.force.id, "demolition", kNow + 1, 0).error().field,
            "stage");
  EXPECT_EQ(
      service_->AddMilestone(water_handler_, f.force.id, "approval", kNow + 1, 0).error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->RecordMilestone(lead_, build->id, 100, true).error().reason,
            "earlier_stage_open");
  ASSERT_TRUE(service_->RecordMilestone(lead_, init->id, 0, true));
  auto spent = service_->RecordMilestone(lead_, build->id, 80'000'00, false);
  ASSERT_TRUE(spent) << spent.error().message;
  spent = service_->RecordMilestone(lead_, build->id, 50'000'01, true);
  ASSERT_TRUE(spent) << spent.error().message;
  EXPECT_EQ(spent->spent_fen, 130'000'01);
  EXPECT_GT(spent->reached_at, 0);
  EXPECT_EQ(service_->RecordMilestone(lead_, build->id, -1, false).error().field, "spent_fen");
}

TEST_P(CollabServiceTest, ADissolvedForceHandsOverOpenTasksAndRefusesWrites) {
  const ForceView f = Formed();
  auto done = service_->AddTask(
      lead_, f.force.id,
      {.title = "排查", .owner_account_id = water_handler_.account_id, .deadline_days = 2});
  auto open = service_->AddTask(
      lead_, f.force.id,
      {.title = "长效管护", .owner_account_id = mgmt_handler_.account_id, .deadline_days = 10});
  ASSERT_TRUE(done && open);
  ASSERT_TRUE(service_->SetTaskStatus(water_handler_, done->id, "doing"));
  ASSERT_TRUE(service_->SetTaskStatus(water_handler_, done->id, "done"));
  ASSERT_TRUE(service_->Post(water_handler_, f.force.channel_id, {.text = "排查完成"}));

  EXPECT_EQ(service_->Dissolve(street_liaison_, f.force.id, "完成", {{open->id, lead_.account_id}})
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Dissolve(lead_, f.force.id, "完成", {}).error().reason, "open_tasks");
  EXPECT_EQ(service_->Dissolve(lead_, f.force.id, "", {{open->id, lead_.account_id}}).error().field,
            "summary");
  auto dissolved = service_->Dissolve(lead_, f.force.id, "积水点已消除，长效管护移交区城管局",
                                      {{open->id, mgmt_handler_.account_id}});
  ASSERT_TRUE(dissolved) << dissolved.error().message;
  EXPECT_EQ(dissolved->status, ForceStatus::kDissolved);

  // Read-only: every write is a 409, for the lead too.
  EXPECT_EQ(service_
                ->AddTask(lead_, f.force.id,
                          {.title = "x", .owner_account_id = lead_.account_id, .deadline_days = 1})
                .error()
                .code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_->AddMember(lead_, f.force.id, {c1a_.account_id, "", "member"}).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_->Dissolve(lead_, f.force.id, "again", {}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->Post(lead_, f.force.channel_id, {.text = "补充"}).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_->AddMilestone(lead_, f.force.id, "approval", kNow + 1, 0).error().code,
            ErrorCode::kConflict);
  // Members lose it; the lead and the overseer keep the archive.
  EXPECT_EQ(service_->GetForce(water_handler_, f.force.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->SetTaskStatus(mgmt_handler_, open->id, "doing").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->Post(water_handler_, f.force.channel_id, {.text = "x"}).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(service_->MyForces(water_handler_)->empty());
  auto archive = service_->GetForce(lead_, f.force.id);
  ASSERT_TRUE(archive) << archive.error().message;
  EXPECT_EQ(archive->force.summary, "积水点已消除，长效管护移交区城管局");
  EXPECT_TRUE(archive->overdue.empty());
  for (const auto& t : archive->tasks)
    EXPECT_EQ(t.handed_to, t.id == open->id ? mgmt_handler_.account_id : "") << t.title;
  EXPECT_TRUE(service_->GetForce(overseer_, f.force.id));
  auto history = service_->Messages(lead_, f.force.channel_id, "", 50);
  ASSERT_TRUE(history) << history.error().message;
  EXPECT_EQ(history->items.size(), 1u);
  ExpectChainIntact();
}

TEST_P(CollabServiceTest, ReportsAndMessagesCarryTheAuthorsOwnUploadsOnce) {
  const ForceView f = Formed();
  files::FileService uploads(t_->db(), clock_, ids_);
  const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + "pixels";
  auto photo = uploads.Upload(water_handler_, "image/png", png);
  ASSERT_TRUE(photo) << photo.error().message;
  auto theirs = uploads.Upload(mgmt_handler_, "image/png", png);
  ASSERT_TRUE(theirs) << theirs.error().message;
  auto task = service_->AddTask(
      lead_, f.force.id,
      {.title = "现场拍照", .owner_account_id = water_handler_.account_id, .deadline_days = 1});
  ASSERT_TRUE(task);
  EXPECT_EQ(service_
                ->ReportProgress(water_handler_, task->id,
                                 {.text = "别人的照片", .percent = 10, .file_ids = {theirs->id}})
                .error()
                .field,
            "file_ids");
  auto report = service_->ReportProgress(
      water_handler_, task->id, {.text = "现场照片", .percent = 30, .file_ids = {photo->id}});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->file_ids, std::vector<std::string>{photo->id});
  // Attached once: the same upload cannot go with a message too.
  EXPECT_EQ(
      service_->Post(water_handler_, f.force.channel_id, {.text = "照片", .file_ids = {photo->id}})
          .error()
          .code,
      ErrorCode::kConflict);
  auto posted = service_->Post(mgmt_handler_, f.force.channel_id,
                               {.text = "我这边的照片", .file_ids = {theirs->id}});
  ASSERT_TRUE(posted) << posted.error().message;
  EXPECT_EQ(posted->file_ids, std::vector<std::string>{theirs->id});
  EXPECT_EQ(Count("collab_reports"), 1);
  EXPECT_EQ(Count("collab_messages"), 1);
}

// --- directives ------------------------------------------------------------------------

TEST_P(CollabServiceTest, ReceiptsReadBackExactlyWhatEachAccountDid) {
  // The street's handler also serves community 1 (parallel roles): one receipt.
  ASSERT_TRUE(identity_->AddMembership(Principal::System(), street_liaison_.account_id, c1_.id,
                                       Role::kHandler));
  auto sender = Person("district.lead", district_, Role::kUnitLead);
  NewDirective in{.title = "关于做好寒潮防御工作的通知",
                  .body = "请各社区于今日17时前完成独居老人走访。",
                  .to_units = {street_.id, c3_.id},
                  .include_subtree = true,
                  .ack_by = kNow + 2 * kMicrosPerHour};
  auto d = service_->SendDirective(sender, in);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->recipients, 4);  // liaison, c1a, c1b, c2a; batches of 2

  // What each account does.
  clock_.Advance(kMicrosPerMinute);
  auto read1 = service_->MarkRead(c1a_, d->id);
  ASSERT_TRUE(read1) << read1.error().message;
  const Timestamp first_read = read1->read_at;
  clock_.Advance(kMicrosPerMinute);
  auto read2 = service_->MarkRead(c1a_, d->id);
  ASSERT_TRUE(read2);
  EXPECT_EQ(read2->read_at, first_read) << "the first opening is the one recorded";
  auto ack1 = service_->Acknowledge(c1a_, d->id, "已安排", c1_.id);
  ASSERT_TRUE(ack1) << ack1.error().message;
  const Timestamp c1a_ack = ack1->acked_at;
  clock_.Advance(kMicrosPerMinute);
  auto ack_liaison = service_->Acknowledge(street_liaison_, d->id, "");
  ASSERT_TRUE(ack_liaison);
  EXPECT_EQ(ack_liaison->read_at, ack_liaison->acked_at) << "acknowledging counts as reading";
  EXPECT_EQ(ack_liaison->unit_id, c1_.id) << "received through the deepest unit";
  ASSERT_TRUE(service_->MarkRead(c2a_, d->id));

  // Acknowledging for another unit: refused, nothing stored.
  const auto head = AuditHead();
  auto other = service_->Acknowledge(c2a_, d->id, "代签", c1_.id);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(other.error().field, "unit_id");
  EXPECT_EQ(AuditHead(), head);
  EXPECT_EQ(service_->Acknowledge(stranger_, d->id, "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Acknowledge(sender, d->id, "").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Acknowledge(c1a_, kUnknownId, "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Acknowledge(c1b_, d->id, std::string("\xff", 1)).error().reason,
            "invalid_utf8");
  auto again = service_->Acknowledge(c1a_, d->id, "再次");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->acked_at, c1a_ack);
  EXPECT_EQ(again->ack_note, "已安排");
  EXPECT_EQ(AuditHead(), head) << "repeats record nothing";

  // The sender's table, read back against the above.
  auto view = service_->Receipts(sender, d->id);
  ASSERT_TRUE(view) << view.error().message;
  struct Did {
    bool read, acked;
  };
  const std::map<std::string, Did> did = {{c1a_.account_id, {true, true}},
                                          {street_liaison_.account_id, {true, true}},
                                          {c1b_.account_id, {false, false}},
                                          {c2a_.account_id, {true, false}}};
  ASSERT_EQ(view->receipts.size(), did.size());
  for (const auto& r : view->receipts) {
    ASSERT_TRUE(did.contains(r.account_id)) << r.account_id;
    EXPECT_EQ(r.read_at != 0, did.at(r.account_id).read) << r.display_name;
    EXPECT_EQ(r.acked_at != 0, did.at(r.account_id).acked) << r.display_name;
    EXPECT_EQ(r.received_at, kNow);
  }
  EXPECT_EQ(view->table.recipients, 4);
  EXPECT_EQ(view->table.read, 3);
  EXPECT_EQ(view->table.acknowledged, 2);
  ASSERT_EQ(view->table.units.size(), 2u);
  for (const auto& u : view->table.units) {
    if (u.unit_id == c1_.id) {
      EXPECT_EQ(u.recipients, 3);
      EXPECT_EQ(u.acknowledged, 2);
    } else {
      EXPECT_EQ(u.unit_id, c2_.id);
      EXPECT_EQ(u.read, 1);
    }
  }
  EXPECT_EQ(view->table.units_not_acknowledged, (std::vector<std::string>{c1_.id, c2_.id}));
  EXPECT_EQ(view->table.units_without_recipients, std::vector<std::string>{c3_.id});
  // Recipients read their own receipt, not the table; strangers see nothing.
  EXPECT_EQ(service_->Receipts(c1a_, d->id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Receipts(stranger_, d->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->GetDirective(stranger_, d->id).error().code, ErrorCode::kNotFound);
  auto mine = service_->GetDirective(c2a_, d->id);
  ASSERT_TRUE(mine);
  ASSERT_TRUE(mine->my_receipt);
  EXPECT_EQ(mine->my_receipt->acked_at, 0);
  auto inbox = service_->Inbox(c1b_, 50);
  ASSERT_TRUE(inbox);
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ(inbox->front().directive.title, in.title);

  // Past ack_by, those who have not acknowledged are due a reminder.
  EXPECT_TRUE(service_->PendingReminders(sender, d->id, 100)->empty());
  clock_.Set(kNow + 3 * kMicrosPerHour);
  auto due = service_->PendingReminders(sender, d->id, 100);
  ASSERT_TRUE(due);
  std::set<std::string> due_ids;
  for (const auto& item : *due) due_ids.insert(item.receipt.account_id);
  EXPECT_EQ(due_ids, (std::set<std::string>{c1b_.account_id, c2a_.account_id}));
  EXPECT_EQ(service_->PendingReminders(Principal::System(), "", 100)->size(), 2u);
  EXPECT_EQ(service_->PendingReminders(c1a_, "", 100).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("collab_receipts"), 4);
  ExpectChainIntact();
}

TEST_P(CollabServiceTest, DirectivesGoOnlyWhereTheSenderReaches) {
  auto sender = Person("street.lead", street_, Role::kUnitLead);
  NewDirective in{.title = "通知", .body = "内容", .to_units = {c1_.id}};
  in.to_units = {other_district_.id};
  EXPECT_EQ(service_->SendDirective(sender, in).error().code, ErrorCode::kPermissionDenied);
  in.to_units = {kUnknownId};
  EXPECT_EQ(service_->SendDirective(sender, in).error().code, ErrorCode::kNotFound);
  in.to_units = {c1_.id};
  EXPECT_EQ(service_->SendDirective(c1a_, in).error().code, ErrorCode::kPermissionDenied);
  in.include_subtree = false;
  in.to_units = {street_.id};
  auto only_street = service_->SendDirective(sender, in);
  ASSERT_TRUE(only_street) << only_street.error().message;
  EXPECT_EQ(only_street->recipients, 1) << "the street's own people, not its communities'";
  EXPECT_EQ(Count("collab_directives"), 1);

  // A retry after no answer (a crash, a dropped connection) is the first directive.
  in.idempotency_key = "notice-2026-11-23-1";
  auto first = service_->SendDirective(sender, in);
  ASSERT_TRUE(first) << first.error().message;
  clock_.Advance(kMicrosPerMinute);
  auto retry = service_->SendDirective(sender, in);
  ASSERT_TRUE(retry) << retry.error().message;
  EXPECT_EQ(retry->id, first->id);
  EXPECT_EQ(retry->created_at, first->created_at);
  EXPECT_EQ(Count("collab_directives"), 2);
  EXPECT_EQ(Count("collab_receipts"), 2) << "nobody received it twice";
  auto other_sender = Person("street.deputy", street_, Role::kUnitLead);
  auto theirs = service_->SendDirective(other_sender, in);
  ASSERT_TRUE(theirs);
  EXPECT_NE(theirs->id, first->id) << "keys are per sender";
  in.idempotency_key = std::string(201, 'k');
  EXPECT_EQ(service_->SendDirective(sender, in).error().field, "idempotency_key");
}

// --- channels --------------------------------------------------------------------------

TEST_P(CollabServiceTest, ChannelsCatchUpWithoutLossOrDuplicates) {
  const ForceView f = Formed();
  const std::string ch = f.force.channel_id;
  auto first = service_->Post(lead_, ch, {.text = "@water @liaison 请今天报送排查结果 @nobody"});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->mentions,
            (std::vector<std::string>{water_handler_.account_id, street_liaison_.account_id}));
  auto reply = service_->Post(water_handler_, ch, {.text = "收到", .parent_id = first->id});
  ASSERT_TRUE(reply);
  auto nested = service_->Post(lead_, ch, {.text = "好", .parent_id = reply->id});
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->parent_id, first->id) << "threads are one level deep";

  // Unread: the liaison has read nothing, the water handler read up to their reply.
  auto summaries = service_->MyChannels(street_liaison_);
  ASSERT_TRUE(summaries);
  ASSERT_EQ(summaries->size(), 1u);
  EXPECT_EQ(summaries->front().unread, 3);
  EXPECT_EQ(service_->MyChannels(water_handler_)->front().unread, 1);
  ASSERT_TRUE(service_->MarkChannelRead(street_liaison_, ch, 2));
  EXPECT_EQ(service_->MyChannels(street_liaison_)->front().unread, 1);
  ASSERT_TRUE(service_->MarkChannelRead(street_liaison_, ch, 1));
  EXPECT_EQ(service_->MyChannels(street_liaison_)->front().unread, 1) << "markers never go back";

  // The newest page, then history backwards, page by page.
  for (int i = 4; i <= 7; ++i)
    ASSERT_TRUE(service_->Post(mgmt_handler_, ch, {.text = fmt::format("进展 {}", i)}));
  auto newest = service_->Messages(street_liaison_, ch, "", 3);
  ASSERT_TRUE(newest) << newest.error().message;
  ASSERT_EQ(newest->items.size(), 3u);
  EXPECT_EQ(newest->items.front().seq, 5);
  EXPECT_EQ(newest->items.back().seq, 7);
  std::vector<std::int64_t> seen;
  for (const auto& m : newest->items) seen.push_back(m.seq);
  std::string cursor = newest->next_cursor;
  while (!cursor.empty()) {
    auto page = service_->Messages(street_liaison_, ch, cursor, 3);
    ASSERT_TRUE(page) << page.error().message;
    for (auto it = page->items.rbegin(); it != page->items.rend(); ++it)
      seen.insert(seen.begin(), it->seq);
    cursor = page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));

  // Catch-up after a reconnect: exactly what came since, once.
  const std::string resume = newest->resume_cursor;
  ASSERT_TRUE(service_->Post(lead_, ch, {.text = "第八条"}));
  ASSERT_TRUE(service_->Post(lead_, ch, {.text = "第九条"}));
  auto caught = service_->Messages(street_liaison_, ch, resume, 1);
  ASSERT_TRUE(caught);
  ASSERT_EQ(caught->items.size(), 1u);
  EXPECT_EQ(caught->items[0].text, "第八条");
  ASSERT_FALSE(caught->next_cursor.empty());
  auto rest = service_->Messages(street_liaison_, ch, caught->next_cursor, 10);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].text, "第九条");
  EXPECT_TRUE(rest->next_cursor.empty());
  auto nothing = service_->Messages(street_liaison_, ch, rest->resume_cursor, 10);
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->items.empty());
  EXPECT_EQ(nothing->resume_cursor, rest->resume_cursor);

  // Bad input: refused, nothing stored.
  const auto stored = Count("collab_messages");
  EXPECT_EQ(
      service_->Post(lead_, ch, {.text = std::string(kMaxMessageBytes + 1, 'x')}).error().code,
      ErrorCode::kTooLarge);
  EXPECT_EQ(service_->Post(lead_, ch, {.text = std::string("\xe6\x88", 2)}).error().reason,
            "invalid_utf8");
  EXPECT_EQ(service_->Post(lead_, ch, {.text = "x", .parent_id = kUnknownId}).error().field,
            "parent_id");
  EXPECT_EQ(service_->Post(lead_, kUnknownId, {.text = "x"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Post(stranger_, ch, {.text = "x"}).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Post(lead_, ch, {.text = "x", .file_ids = {kUnknownId}}).error().field,
            "file_ids");
  EXPECT_EQ(service_->Messages(stranger_, ch, "", 10).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Messages(lead_, ch, "zz", 10).error().field, "cursor");
  EXPECT_EQ(Count("collab_messages"), stored);
  ExpectChainIntact();
}

TEST_P(CollabServiceTest, GroupsAndDirectChannels) {
  auto group = service_->CreateGroup(c1a_, "望江社区网格员", {c1b_.account_id, c2a_.account_id});
  ASSERT_TRUE(group) << group.error().message;
  ASSERT_TRUE(service_->Post(c1b_, group->id, {.text = "大家好"}));
  EXPECT_EQ(service_->ChannelMembers(c2a_, group->id)->size(), 3u);
  ASSERT_TRUE(service_->LeaveChannel(c2a_, group->id));
  EXPECT_EQ(service_->Post(c2a_, group->id, {.text = "我还在"}).error().code,
            ErrorCode::kPermissionDenied)
      << "posting after leaving";
  EXPECT_EQ(service_->MyChannels(c2a_)->size(), 0u);
  auto added = service_->AddChannelMember(c1a_, group->id, c2a_.account_id);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(service_->CreateGroup(c1a_, "x", {kUnknownId}).error().code, ErrorCode::kNotFound);

  auto direct = service_->OpenDirect(c1a_, c2a_.account_id);
  ASSERT_TRUE(direct) << direct.error().message;
  auto same = service_->OpenDirect(c2a_, c1a_.account_id);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->id, direct->id) << "one 1-1 channel whoever opens it";
  EXPECT_EQ(service_->OpenDirect(c1a_, c1a_.account_id).error().reason, "self");
  EXPECT_EQ(service_->AddChannelMember(c1a_, direct->id, c1b_.account_id).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_->Post(c1b_, direct->id, {.text = "x"}).error().code,
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(service_->Post(c2a_, direct->id, {.text = "在吗"}));
  EXPECT_EQ(service_->MyChannels(c1a_)->size(), 2u);
  ExpectChainIntact();
}

// Search finds only what one may read: the channels one is in, not one left.
TEST_P(CollabServiceTest, SearchFindsOnlyMessagesOfOnesOwnChannels) {
  auto group = service_->CreateGroup(c1a_, "望江社区网格员", {c1b_.account_id});
  ASSERT_TRUE(group) << group.error().message;
  auto direct = service_->OpenDirect(c1a_, c2a_.account_id);
  ASSERT_TRUE(direct) << direct.error().message;
  ASSERT_TRUE(service_->Post(c1a_, group->id, {.text = "滨江路积水点已排查"}));
  ASSERT_TRUE(service_->Post(c1b_, group->id, {.text = "明天继续排查 Pump 站"}));
  ASSERT_TRUE(service_->Post(c2a_, direct->id, {.text = "积水的照片发你了"}));
  ASSERT_TRUE(service_->Post(c1b_, group->id, {.text = "折扣 50%_off 不算"}));

  auto mine = service_->SearchMessages(c1a_, " 积水 ", "", 50);
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_EQ(mine->size(), 2u) << "both channels of c1a";
  EXPECT_EQ((*mine)[0].message.text, "积水的照片发你了") << "newest first";
  EXPECT_EQ((*mine)[0].channel_kind, ChannelKind::kDirect);
  EXPECT_EQ((*mine)[1].channel_title, "望江社区网格员");

  auto theirs = service_->SearchMessages(c1b_, "积水", "", 50);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->size(), 1u) << "c1b is not in the 1-1 channel";
  EXPECT_EQ(service_->SearchMessages(c1b_, "pump", "", 50)->size(), 1u) << "ASCII case folded";
  EXPECT_EQ(service_->SearchMessages(c1b_, "%", "", 50)->size(), 1u) << "% is a literal";
  EXPECT_EQ(service_->SearchMessages(c1b_, "0%_o", "", 50)->size(), 1u);
  EXPECT_EQ(service_->SearchMessages(c1b_, "0%xo", "", 50)->size(), 0u) << "_ is a literal";
  EXPECT_EQ(service_->SearchMessages(c1a_, "积水", group->id, 50)->size(), 1u);
  EXPECT_EQ(service_->SearchMessages(c1a_, "积水", "", 1)->size(), 1u);

  EXPECT_EQ(service_->SearchMessages(c2a_, "积水", group->id, 50).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->SearchMessages(c2a_, "积水", kUnknownId, 50).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->SearchMessages(c1a_, "  ", "", 50).error().reason, "empty");
  EXPECT_EQ(service_->SearchMessages(c1a_, std::string(101, 'a'), "", 50).error().reason,
            "too_long");
  EXPECT_EQ(service_->SearchMessages(c1a_, "\xff\xfe", "", 50).error().reason, "invalid_utf8");
  EXPECT_EQ(service_->SearchMessages(c1a_, "积水", "", 0).error().code,
            ErrorCode::kInvalidArgument);

  ASSERT_TRUE(service_->LeaveChannel(c1b_, group->id));
  EXPECT_EQ(service_->SearchMessages(c1b_, "积水", "", 50)->size(), 0u) << "left: no longer found";
}

INSTANTIATE_TEST_SUITE_P(Backends, CollabServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::collab
