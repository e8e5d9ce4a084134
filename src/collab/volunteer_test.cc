// Volunteer hours (志愿服务时长, issue 18): the pure rules (minutes 15–720 in
// steps of 15, a day neither ahead nor more than 30 days back, a short note),
// and on every backend: only a lead of the task's active force confirms, only
// for an active resident account (who is not made a member), each task,
// person and day once, one collab.volunteer.confirmed event carrying the
// force's unit_path; refused input stores nothing; members read the list.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "collab/collab_service.h"
#include "collab/volunteer.h"
#include "storage/testing.h"

namespace xietong::collab {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00

TEST(VolunteerHours, DaysAreShanghaiDaysAndInputIsBounded) {
  EXPECT_EQ(ShanghaiDay(kNow), "2026-11-23");
  EXPECT_EQ(ShanghaiDay(kNow + 14 * kMicrosPerHour - 1), "2026-11-23");  // 23:59:59 in Shanghai
  EXPECT_EQ(ShanghaiDay(kNow + 14 * kMicrosPerHour), "2026-11-24");
  VolunteerHoursInput in{"acct-1", "2026-11-23", 90, "清理楼道杂物"};
  EXPECT_TRUE(ValidateVolunteerHours(in, kNow));
  auto field = [&](VolunteerHoursInput bad) {
    auto r = ValidateVolunteerHours(bad, kNow);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().field + ":" + r.error().reason;
  };
  for (std::int64_t m : {0, 10, 20, 735, -15}) {
    VolunteerHoursInput bad = in;
    bad.minutes = m;
    EXPECT_EQ(field(bad), "minutes:out_of_range") << m;
  }
  for (std::int64_t m : {15, 720}) {
    VolunteerHoursInput ok = in;
    ok.minutes = m;
    EXPECT_TRUE(ValidateVolunteerHours(ok, kNow));
  }
  for (const char* d : {"2026-11-31", "2026-2-01", "20261123", "", "2026-11-2x"}) {
    VolunteerHoursInput bad = in;
    bad.day = d;
    EXPECT_EQ(field(bad), "day:invalid") << d;
  }
  VolunteerHoursInput later = in;
  later.day = "2026-11-24";
  EXPECT_EQ(field(later), "day:future");
  VolunteerHoursInput edge = in;
  edge.day = "2026-10-24";  // 30 days back
  EXPECT_TRUE(ValidateVolunteerHours(edge, kNow));
  edge.day = "2026-10-23";
  EXPECT_EQ(field(edge), "day:too_old");
  VolunteerHoursInput noisy = in;
  noisy.note = std::string(201 * 3, 'x').substr(0, 201);
  EXPECT_EQ(field(noisy), "note:too_long");
  noisy.note = "\xe5\xb9";
  EXPECT_EQ(field(noisy), "note:too_long");
  VolunteerHoursInput nobody = in;
  nobody.volunteer_account_id.clear();
  EXPECT_EQ(field(nobody), "volunteer_account_id:required");
}

class VolunteerServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    service_ = std::make_unique<CollabService>(t_->db(), clock_, ids_, *calendar_, *identity_);
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
    street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "望湖街道");
    community_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区");
    lead_ = Person("street.lead", street_, Role::kUnitLead);
    member_ = Person("c.handler", community_, Role::kHandler);
    outsider_ = Person("other.handler", district_, Role::kHandler);
    resident_ = Person("lin", community_, Role::kResident, identity::AccountKind::kResident);
    NewTaskForce in;
    in.title = "湖畔社区环境整治专班";
    in.subject_kind = "other";
    in.subject_id = "env-1";
    in.goal = "两周内清理楼道杂物";
    in.deadline = kNow + 20 * kMicrosPerDay;
    in.members = {{member_.account_id, "", "member"}};
    auto f = service_->CreateForce(lead_, in);
    ASSERT_TRUE(f) << f.error().message;
    force_ = f->force;
    auto task = service_->AddTask(
        lead_, force_.id,
        {.title = "楼道清理", .owner_account_id = member_.account_id, .deadline_days = 5});
    ASSERT_TRUE(task) << task.error().message;
    task_ = *task;
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  Principal Person(std::string username, const OrgUnit& unit, Role role,
                   identity::AccountKind kind = identity::AccountKind::kStaff) {
    identity::NewAccount in;
    in.username = username;
    in.display_name = "用户" + username;
    in.password = "correct horse 12";
    in.unit_id = unit.id;
    in.role = role;
    in.kind = kind;
    auto a = identity_->CreateAccount(Principal::System(), in);
    EXPECT_TRUE(a) << a.error().message;
    if (!a) return {};
    Principal p;
    p.account_id = a->id;
    p.username = a->username;
    p.display_name = a->display_name;
    p.kind = a->kind;
    p.memberships = a->memberships;
    return p;
  }

  std::int64_t Rows() {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM collab_volunteer_hours"));
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

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kNow};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<CollabService> service_;
  OrgUnit city_, district_, street_, community_;
  Principal lead_, member_, outsider_, resident_;
  TaskForce force_;
  Task task_;
};

TEST_P(VolunteerServiceTest, ALeadConfirmsAResidentsHoursOncePerDay) {
  const std::int64_t head = AuditHead();
  const VolunteerHoursInput in{resident_.account_id, "2026-11-22", 120, "清理3号楼楼道"};
  auto h = service_->ConfirmVolunteerHours(lead_, task_.id, in);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->force_id, force_.id);
  EXPECT_EQ(h->volunteer_id, resident_.account_id);
  EXPECT_EQ(h->minutes, 120);
  EXPECT_EQ(h->confirmed_by, lead_.account_id);
  EXPECT_EQ(AuditHead(), head + 1);
  auto events = t_->db().Read([](storage::Executor& ex) {
    return audit::EventsAfter(ex, 0, "collab.volunteer.confirmed", 10);
  });
  ASSERT_TRUE(events && events->size() == 1u);
  const auto& e = events->front();
  EXPECT_EQ(e.actor, lead_.account_id);
  EXPECT_EQ(e.subject, h->id);
  const json::Json p = json::Json::parse(e.payload);
  EXPECT_EQ(p["force_id"], force_.id);
  EXPECT_EQ(p["task_id"], task_.id);
  EXPECT_EQ(p["volunteer_id"], resident_.account_id);
  EXPECT_EQ(p["day"], "2026-11-22");
  EXPECT_EQ(p["minutes"], 120);
  EXPECT_EQ(p["unit_path"], force_.unit_path);
  EXPECT_EQ(e.payload.find("清理3号楼"), std::string::npos);  // the note stays off the chain

  // The same task, person and day again: 409, nothing stored.
  auto again = service_->ConfirmVolunteerHours(lead_, task_.id, in);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().reason, "already_confirmed");
  // Another day is another confirmation.
  VolunteerHoursInput next = in;
  next.day = "2026-11-23";
  ASSERT_TRUE(service_->ConfirmVolunteerHours(lead_, task_.id, next));
  EXPECT_EQ(Rows(), 2);
  EXPECT_EQ(AuditHead(), head + 2);

  // The volunteer is not made a member of the force.
  auto view = service_->GetForce(lead_, force_.id);
  ASSERT_TRUE(view);
  for (const auto& m : view->members) EXPECT_NE(m.account_id, resident_.account_id);
  // Members read the list; outsiders do not find the task.
  auto list = service_->VolunteerHoursOf(member_, task_.id);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(list->front().day, "2026-11-22");
  EXPECT_EQ(service_->VolunteerHoursOf(outsider_, task_.id).error().code, ErrorCode::kNotFound);
  auto report = audit::Verify(t_->db(), {});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->problem;
}

TEST_P(VolunteerServiceTest, RefusedConfirmationsStoreNothing) {
  const std::int64_t head = AuditHead();
  const VolunteerHoursInput in{resident_.account_id, "2026-11-22", 60, ""};
  // A member who is not a lead: 403; an outsider: 404; the resident themself: 404.
  EXPECT_EQ(service_->ConfirmVolunteerHours(member_, task_.id, in).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->ConfirmVolunteerHours(outsider_, task_.id, in).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->ConfirmVolunteerHours(resident_, task_.id, in).error().code,
            ErrorCode::kNotFound);
  // A staff account is not a volunteer; an unknown account neither.
  VolunteerHoursInput staff = in;
  staff.volunteer_account_id = member_.account_id;
  auto not_resident = service_->ConfirmVolunteerHours(lead_, task_.id, staff);
  ASSERT_FALSE(not_resident);
  EXPECT_EQ(not_resident.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(not_resident.error().reason, "not_resident");
  staff.volunteer_account_id = "01JD0000000000000000000000";
  EXPECT_EQ(service_->ConfirmVolunteerHours(lead_, task_.id, staff).error().reason, "not_resident");
  // Bad minutes, an unknown task.
  VolunteerHoursInput bad = in;
  bad.minutes = 725;
  EXPECT_EQ(service_->ConfirmVolunteerHours(lead_, task_.id, bad).error().field, "minutes");
  EXPECT_EQ(service_->ConfirmVolunteerHours(lead_, "no-such-task", in).error().code,
            ErrorCode::kNotFound);
  // A dissolved force takes no more hours.
  ASSERT_TRUE(service_->Dissolve(lead_, force_.id, "完成", {{task_.id, lead_.account_id}}));
  const std::int64_t after_dissolve = AuditHead();
  EXPECT_EQ(service_->ConfirmVolunteerHours(lead_, task_.id, in).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(Rows(), 0);
  EXPECT_EQ(AuditHead(), after_dissolve);
  EXPECT_GT(after_dissolve, head);
}

INSTANTIATE_TEST_SUITE_P(Backends, VolunteerServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::collab
