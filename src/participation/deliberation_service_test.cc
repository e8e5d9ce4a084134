// DeliberationService on every backend: residents propose in their own
// community only (403 not_resident elsewhere, bad input 400 with nothing
// stored, an Idempotency-Key answers the first proposal); 50 concurrent
// supports on two nodes cross the threshold exactly once; supporting twice,
// by the author or from another community is refused with nothing counted;
// withdraw, hide, expire and comments; a meeting schedules qualified
// proposals and its record decides each one in one transaction (a proposal
// changed meanwhile → nothing recorded); one audit event per command.
#include "participation/deliberation_service.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "matters/matter_service.h"
#include "participation/schema.h"
#include "storage/testing.h"

namespace xietong::participation {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00

class DeliberationServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = storage::ApplySchemas(t_->db(), {&requests::Schema(), &Schema()}, 0);
    ASSERT_TRUE(applied) << applied.error().message;
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(t_->db(), clock_, ids_);
    requests_ = std::make_unique<requests::RequestService>(t_->db(), clock_, ids_, *calendar_,
                                                           *identity_, *matters_);
    collab_ =
        std::make_unique<collab::CollabService>(t_->db(), clock_, ids_, *calendar_, *identity_);
    service_ = std::make_unique<DeliberationService>(t_->db(), clock_, ids_, *identity_, *collab_,
                                                     *requests_);
    service_->AddOnCommit([this] { ++commits_; });
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
    street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "望湖街道");
    lake_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区");
    willow_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-02", "柳巷社区");
    staff_ = Person("street.lead", street_, Role::kUnitLead, identity::AccountKind::kStaff);
    handler_ = Person("handler", street_, Role::kHandler, identity::AccountKind::kStaff);
    operator_ = Person("operator", street_, Role::kOperator, identity::AccountKind::kStaff);
    author_ = Person("resident", lake_, Role::kResident, identity::AccountKind::kResident);
    neighbour_ = Person("neighbour", lake_, Role::kResident, identity::AccountKind::kResident);
    outsider_ = Person("resident02", willow_, Role::kResident, identity::AccountKind::kResident);
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  Principal Person(std::string username, const OrgUnit& unit, Role role,
                   identity::AccountKind kind) {
    identity::NewAccount in;
    in.username = username;
    in.display_name = "用户" + username;
    in.password = "correct horse 12";
    in.kind = kind;
    in.unit_id = unit.id;
    in.role = role;
    auto a = identity_->CreateAccount(Principal::System(), in);
    EXPECT_TRUE(a) << a.error().message;
    Principal p;
    p.account_id = a->id;
    p.username = a->username;
    p.display_name = a->display_name;
    p.kind = a->kind;
    p.memberships = a->memberships;
    return p;
  }

  // A resident of the community as the principal the server would build
  // (no account row is needed to support: the service reads the principal).
  Principal Resident(std::string id, const OrgUnit& unit) {
    Principal p;
    p.account_id = std::move(id);
    p.username = p.account_id;
    p.kind = identity::AccountKind::kResident;
    p.memberships.push_back(
        {"m-" + p.account_id, p.account_id, unit.id, unit.name, unit.path, Role::kResident});
    return p;
  }

  NewProposal Input(std::string title = "三号楼加装扶手") {
    NewProposal in;
    in.title = std::move(title);
    in.text = "三号楼楼梯没有扶手，老人上下不便，建议加装。";
    in.address = "湖畔社区3号楼";
    in.lat = 30.25;
    in.lng = 120.16;
    in.cost_fen = 350000;
    return in;
  }

  Proposal Propose(NewProposal in = {}) {
    if (in.title.empty()) in = Input();
    auto p = service_->Propose(author_, std::move(in));
    EXPECT_TRUE(p) << p.error().message;
    return p.value_or(Proposal{});
  }

  // Supports by fresh residents until the proposal qualifies.
  void Qualify(const Proposal& p) {
    for (std::int64_t i = 0; i < p.threshold; ++i) {
      auto r = service_->Support(Resident(fmt::format("{}-fan{}", p.id, i), lake_), p.id);
      ASSERT_TRUE(r) << r.error().message;
    }
  }

  std::vector<std::string> Actions(std::string_view subject) {
    auto events =
        t_->db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, subject); });
    EXPECT_TRUE(events);
    std::vector<std::string> out;
    for (const auto& e : events.value_or(std::vector<audit::Event>{})) out.push_back(e.action);
    return out;
  }

  int Count(std::string_view subject, std::string_view action) {
    const auto a = Actions(subject);
    return static_cast<int>(std::count(a.begin(), a.end(), action));
  }

  std::int64_t Rows(std::string_view table) {
    auto r = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT COUNT(*) FROM {}", table)));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(r);
    return r.value_or(-1);
  }

  ManualClock clock_{kNow};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<requests::RequestService> requests_;
  std::unique_ptr<collab::CollabService> collab_;
  std::unique_ptr<DeliberationService> service_;
  std::atomic<int> commits_{0};
  OrgUnit city_, district_, street_, lake_, willow_;
  Principal staff_, handler_, operator_, author_, neighbour_, outsider_;
};

TEST_P(DeliberationServiceTest, ResidentsProposeInTheirCommunityOnly) {
  auto p = Propose();
  EXPECT_EQ(p.community_id, lake_.id);  // the resident's one community by default
  EXPECT_EQ(p.community_path, lake_.path);
  EXPECT_EQ(p.status, ProposalStatus::kCollecting);
  EXPECT_EQ(p.threshold, kDefaultSupportThreshold);
  EXPECT_EQ(p.support_until, kNow + kDefaultSupportDays * kMicrosPerDay);
  EXPECT_EQ(Actions(p.id), std::vector<std::string>{"deliberation.proposal.created"});
  EXPECT_EQ(commits_.load(), 1);

  auto in = Input();
  in.community_id = willow_.id;
  auto elsewhere = service_->Propose(author_, in);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(elsewhere.error().reason, "not_resident");
  auto staff = service_->Propose(staff_, [&] {
    auto x = Input();
    x.community_id = lake_.id;
    return x;
  }());
  ASSERT_FALSE(staff);
  EXPECT_EQ(staff.error().reason, "not_resident");
  in.community_id = street_.id;
  EXPECT_EQ(service_->Propose(author_, in).error().reason, "not_community");

  auto bad = Input("");
  EXPECT_EQ(service_->Propose(author_, bad).error().field, "title");
  bad = Input();
  bad.cost_fen = -5;
  EXPECT_EQ(service_->Propose(author_, bad).error().code, ErrorCode::kInvalidArgument);
  bad = Input();
  bad.photo_ids = {"01JNOSUCHFILE0000000000000"};
  EXPECT_FALSE(service_->Propose(author_, bad));  // not an upload of this author
  EXPECT_EQ(Rows("deliberation_proposals"), 1);

  auto keyed = Input("同一个键");
  keyed.idempotency_key = "k-1";
  auto first = service_->Propose(author_, keyed);
  auto second = service_->Propose(author_, keyed);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->id, second->id);
  EXPECT_EQ(Rows("deliberation_proposals"), 2);
}

TEST_P(DeliberationServiceTest, FiftyConcurrentSupportsCrossTheThresholdOnce) {
  auto p = Propose();
  auto other_db = t_->OpenAnother();
  ASSERT_NE(other_db, nullptr);
  DeliberationService second(*other_db, clock_, ids_, *identity_, *collab_, *requests_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, qualified{0}, failed{0};
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&, i] {
      auto& s = i % 2 == 0 ? *service_ : second;
      auto r = s.Support(Resident(fmt::format("fan{:02}", i), lake_), p.id);
      if (!r) {
        ++failed;
        ADD_FAILURE() << r.error().message;
        return;
      }
      ++ok;
      if (r->qualified) ++qualified;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(qualified.load(), 1);
  auto v = service_->GetProposal(staff_, p.id);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->proposal.supports, 50);
  EXPECT_EQ(v->proposal.status, ProposalStatus::kQualified);
  EXPECT_EQ(Count(p.id, "deliberation.proposal.qualified"), 1);
  EXPECT_EQ(Count(p.id, "deliberation.proposal.supported"), 50);
  EXPECT_EQ(Rows("deliberation_supports"), 50);
  auto supporters = service_->Supporters(staff_, p.id);
  ASSERT_TRUE(supporters);
  EXPECT_EQ(supporters->size(), 50u);
  EXPECT_EQ(service_->Supporters(neighbour_, p.id).error().code, ErrorCode::kPermissionDenied);
}

TEST_P(DeliberationServiceTest, SupportRefusals) {
  auto p = Propose();
  auto r = service_->Support(neighbour_, p.id);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->supports, 1);
  EXPECT_FALSE(r->qualified);
  auto twice = service_->Support(neighbour_, p.id);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(twice.error().reason, "already_supported");
  auto own = service_->Support(author_, p.id);
  EXPECT_EQ(own.error().reason, "own_proposal");
  auto outside = service_->Support(outsider_, p.id);
  EXPECT_EQ(outside.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(outside.error().reason, "not_resident");
  EXPECT_EQ(service_->Support(staff_, p.id).error().reason, "not_resident");
  EXPECT_EQ(service_->Support(neighbour_, "01JNOPE0000000000000000000").error().code,
            ErrorCode::kNotFound);
  auto v = service_->GetProposal(neighbour_, p.id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->proposal.supports, 1);
  EXPECT_TRUE(v->my_support);
  EXPECT_FALSE(v->can_support);
  EXPECT_EQ(Count(p.id, "deliberation.proposal.supported"), 1);
  // After support_until: not_collecting.
  clock_.Set(p.support_until);
  EXPECT_EQ(service_->Support(Resident("late", lake_), p.id).error().reason, "not_collecting");
}

TEST_P(DeliberationServiceTest, WithdrawHideExpireAndComments) {
  auto a = Propose(Input("提案甲"));
  auto b = Propose(Input("提案乙"));
  auto c = Propose(Input("提案丙"));
  EXPECT_EQ(service_->Withdraw(neighbour_, a.id, "不需要了").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Withdraw(author_, a.id, "").error().field, "reason");
  auto w = service_->Withdraw(author_, a.id, "不需要了");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->status, ProposalStatus::kWithdrawn);
  EXPECT_EQ(service_->Withdraw(author_, a.id, "再撤").error().reason, "not_collecting");

  EXPECT_EQ(service_->Hide(neighbour_, b.id, "广告").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Hide(operator_, b.id, "广告").error().code, ErrorCode::kPermissionDenied);
  auto h = service_->Hide(staff_, b.id, "广告");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->status, ProposalStatus::kHidden);
  EXPECT_EQ(service_->GetProposal(neighbour_, b.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service_->GetProposal(staff_, b.id));
  ProposalQuery q;
  auto list = service_->ListProposals(neighbour_, q);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->items.size(), 2u);  // the hidden one is not listed for residents
  q.community_id = lake_.id;
  auto staff_list = service_->ListProposals(staff_, q);
  ASSERT_TRUE(staff_list);
  EXPECT_EQ(staff_list->items.size(), 3u);
  q.limit = 1;
  auto page = service_->ListProposals(staff_, q);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 1u);
  EXPECT_FALSE(page->next_cursor.empty());

  auto comment = service_->PostComment(neighbour_, c.id, "支持！");
  ASSERT_TRUE(comment) << comment.error().message;
  EXPECT_TRUE(service_->PostComment(staff_, c.id, "街道会跟进"));
  EXPECT_EQ(service_->PostComment(outsider_, c.id, "路过").error().reason, "not_resident");
  EXPECT_EQ(service_->PostComment(neighbour_, c.id, " ").error().field, "text");
  EXPECT_EQ(service_->PostComment(neighbour_, a.id, "晚了").error().reason, "closed");
  auto comments = service_->Comments(neighbour_, c.id);
  ASSERT_TRUE(comments);
  EXPECT_EQ(comments->size(), 2u);
  EXPECT_EQ(Count(c.id, "deliberation.comment.posted"), 2);

  clock_.Set(c.support_until);
  auto expired = service_->RunDue();
  ASSERT_TRUE(expired) << expired.error().message;
  EXPECT_EQ(*expired, 1);  // c; a is withdrawn and b hidden
  auto again = service_->RunDue();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Count(c.id, "deliberation.proposal.expired"), 1);
  EXPECT_EQ(service_->GetProposal(neighbour_, c.id)->proposal.status, ProposalStatus::kExpired);
}

TEST_P(DeliberationServiceTest, MeetingRecordsEveryDecisionAtomically) {
  auto a = Propose(Input("提案甲"));
  auto b = Propose(Input("提案乙"));
  auto c = Propose(Input("提案丙"));
  auto collecting = Propose(Input("还在征集"));
  Qualify(a);
  Qualify(b);
  Qualify(c);
  auto agenda = service_->Agenda(neighbour_, "");
  ASSERT_TRUE(agenda) << agenda.error().message;
  EXPECT_EQ(agenda->size(), 3u);
  EXPECT_EQ(service_->Agenda(outsider_, lake_.id).error().reason, "not_resident");

  NewMeeting in{
      lake_.id,     "十二月居民议事会",         MeetingKind::kCouncil, kNow + kMicrosPerDay,
      "社区活动室", {a.id, b.id, collecting.id}};
  auto refused = service_->ScheduleMeeting(staff_, in);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "not_qualified");
  EXPECT_EQ(Rows("deliberation_meetings"), 0);
  EXPECT_EQ(service_->GetProposal(staff_, a.id)->proposal.status,
            ProposalStatus::kQualified);  // nothing scheduled
  in.agenda = {a.id, b.id, c.id};
  EXPECT_EQ(service_->ScheduleMeeting(neighbour_, in).error().code, ErrorCode::kPermissionDenied);
  auto m = service_->ScheduleMeeting(staff_, in);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(service_->GetProposal(staff_, a.id)->proposal.status, ProposalStatus::kScheduled);
  EXPECT_TRUE(service_->GetMeeting(neighbour_, m->id));
  EXPECT_EQ(service_->GetMeeting(outsider_, m->id).error().code, ErrorCode::kNotFound);

  MeetingRecord rec;
  rec.attendees = {author_.account_id, neighbour_.account_id};
  rec.minutes = "到会居民2人，逐项表决。";
  rec.decisions = {{a.id, Decision::kAccepted, "", {"task", staff_.account_id, 30, ""}},
                   {b.id, Decision::kRejected, "费用超出年度预算", {}},
                   {c.id, Decision::kDeferred, "", {}}};
  // An attendee from another community: refused before anything is written.
  auto wrong = rec;
  wrong.attendees.push_back(outsider_.account_id);
  EXPECT_EQ(service_->RecordMeeting(staff_, m->id, wrong).error().reason, "not_resident");
  // A proposal hidden meanwhile: the whole record fails, nothing changes.
  ASSERT_TRUE(service_->Hide(staff_, c.id, "重复提案"));
  auto failed = service_->RecordMeeting(staff_, m->id, rec);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->GetProposal(staff_, a.id)->proposal.status, ProposalStatus::kScheduled);
  EXPECT_EQ(service_->GetProposal(staff_, b.id)->proposal.status, ProposalStatus::kScheduled);
  EXPECT_EQ(service_->GetMeeting(staff_, m->id)->status, MeetingStatus::kScheduled);
  EXPECT_EQ(Count(m->id, "deliberation.meeting.recorded"), 0);
  EXPECT_EQ(Count(a.id, "deliberation.proposal.decided"), 0);

  // A second meeting without c records each decision.
  ASSERT_TRUE(service_->CancelMeeting(staff_, m->id, "改期"));
  EXPECT_EQ(service_->GetProposal(staff_, a.id)->proposal.status, ProposalStatus::kQualified);
  in.agenda = {a.id, b.id};
  auto d = Propose(Input("提案丁"));
  Qualify(d);
  in.agenda.push_back(d.id);
  auto m2 = service_->ScheduleMeeting(staff_, in);
  ASSERT_TRUE(m2) << m2.error().message;
  rec.decisions[2].proposal_id = d.id;
  auto recorded = service_->RecordMeeting(staff_, m2->id, rec);
  ASSERT_TRUE(recorded) << recorded.error().message;
  EXPECT_EQ(recorded->status, MeetingStatus::kRecorded);
  auto pa = service_->GetProposal(staff_, a.id)->proposal;
  // Accepted as a task: carried out at once after the record (street.lead forms the force).
  EXPECT_EQ(pa.status, ProposalStatus::kImplementing);
  EXPECT_EQ(pa.implement_kind, "task");
  EXPECT_FALSE(pa.task_id.empty());
  EXPECT_EQ(pa.decided_by, staff_.account_id);
  EXPECT_EQ(service_->GetProposal(staff_, b.id)->proposal.status, ProposalStatus::kRejected);
  auto pd = service_->GetProposal(staff_, d.id)->proposal;
  EXPECT_EQ(pd.status, ProposalStatus::kQualified);  // deferred: back on the agenda
  EXPECT_EQ(pd.meeting_id, "");
  EXPECT_EQ(Count(m2->id, "deliberation.meeting.recorded"), 1);
  EXPECT_EQ(Count(a.id, "deliberation.proposal.decided"), 1);
  EXPECT_EQ(Count(d.id, "deliberation.proposal.decided"), 1);
  EXPECT_EQ(service_->RecordMeeting(staff_, m2->id, rec).error().reason, "not_scheduled");
  auto meetings = service_->ListMeetings(neighbour_, "");
  ASSERT_TRUE(meetings);
  EXPECT_EQ(meetings->size(), 2u);

  auto report = audit::Verify(t_->db(), {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problem;
}

// Schedules `ids` at one meeting and records each accepted with `implement`, by `recorder`.
Meeting DeliberationServiceTestRecord(DeliberationService& service, const Principal& staff,
                                      const Principal& recorder, const OrgUnit& community,
                                      const std::vector<std::string>& ids,
                                      const Implement& implement) {
  NewMeeting in{community.id,         "居民议事会", MeetingKind::kCouncil,
                kNow + kMicrosPerDay, "社区活动室", ids};
  auto m = service.ScheduleMeeting(staff, in);
  EXPECT_TRUE(m) << m.error().message;
  MeetingRecord rec;
  rec.minutes = "逐项表决。";
  for (const auto& id : ids) rec.decisions.push_back({id, Decision::kAccepted, "", implement});
  auto r = service.RecordMeeting(recorder, m->id, rec);
  EXPECT_TRUE(r) << r.error().message;
  return r.value_or(Meeting{});
}

TEST_P(DeliberationServiceTest, AcceptedTaskIsMadeOnceAndItsProgressReachesSupporters) {
  auto a = Propose(Input("儿童游乐区加装遮阳棚"));
  auto b = Propose(Input("楼道加装声控灯"));
  auto c = Propose(Input("垃圾分类亭加装洗手池"));
  Qualify(a);
  Qualify(b);
  Qualify(c);
  // Recorded by a handler, who may not form task forces: the decision stands,
  // the proposals stay accepted, and a retry by them is refused.
  DeliberationServiceTestRecord(*service_, staff_, handler_, lake_, {a.id, b.id},
                                {"task", staff_.account_id, 30, ""});
  EXPECT_EQ(service_->GetProposal(staff_, a.id)->proposal.status, ProposalStatus::kAccepted);
  EXPECT_EQ(service_->Implement(handler_, a.id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Implement(neighbour_, a.id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Implement(staff_, c.id).error().reason, "not_accepted");

  // street.lead carries it out: the community's standing force and one task.
  auto done = service_->Implement(staff_, a.id);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status, ProposalStatus::kImplementing);
  ASSERT_FALSE(done->task_id.empty());
  auto again = service_->Implement(staff_, a.id);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->task_id, done->task_id);
  auto force = collab_->GetForce(staff_, done->force_id);
  ASSERT_TRUE(force) << force.error().message;
  EXPECT_EQ(force->force.title, "湖畔社区议事厅项目专班");
  EXPECT_EQ(force->tasks.size(), 1u);
  EXPECT_EQ(Count(a.id, "deliberation.proposal.implemented"), 1);

  // A crash after AddTask and before the proposal's write: the task is found
  // again by its marker, in the same force.
  auto orphan = collab_->AddTask(staff_, done->force_id,
                                 {.title = b.title,
                                  .description = fmt::format("{}\n\n〔提案 {}〕", b.text, b.id),
                                  .owner_account_id = staff_.account_id,
                                  .deadline_days = 10});
  ASSERT_TRUE(orphan) << orphan.error().message;
  auto adopted = service_->Implement(staff_, b.id);
  ASSERT_TRUE(adopted) << adopted.error().message;
  EXPECT_EQ(adopted->task_id, orphan->id);
  EXPECT_EQ(adopted->force_id, done->force_id);
  auto mine = collab_->MyForces(staff_);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->size(), 1u);
  EXPECT_EQ(collab_->GetForce(staff_, done->force_id)->tasks.size(), 2u);

  // Progress of the task, then done; the reaction handles every event of
  // the task twice (a replayed batch): one update per event, done once.
  ASSERT_TRUE(
      collab_->ReportProgress(staff_, done->task_id, {.text = "遮阳棚材料已采购", .percent = 40}));
  ASSERT_TRUE(collab_->SetTaskStatus(staff_, done->task_id, "done"));
  auto react = [&] {
    auto r = t_->db().Write([&](storage::Executor& ex) -> Result<void> {
      XT_ASSIGN_OR_RETURN(auto events, audit::EventsFor(ex, done->task_id));
      for (const auto& e : events) XT_TRY_VOID(service_->OnEvent(ex, e));
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
  };
  react();
  auto view = service_->GetProposal(neighbour_, a.id);
  ASSERT_TRUE(view) << view.error().message;
  const auto updates = view->updates;
  EXPECT_EQ(view->proposal.status, ProposalStatus::kDone);
  EXPECT_EQ(view->proposal.percent, 100);
  EXPECT_GT(view->proposal.completed_at, 0);
  ASSERT_GE(updates.size(), 3u);  // implemented, progress, done
  EXPECT_EQ(updates.front().kind, "implemented");
  EXPECT_EQ(std::count_if(updates.begin(), updates.end(),
                          [](const ProposalUpdate& u) {
                            return u.kind == "progress" && u.percent == 40 &&
                                   u.text == "遮阳棚材料已采购";
                          }),
            1);
  EXPECT_EQ(updates.back().kind, "closed");
  react();
  EXPECT_EQ(service_->GetProposal(neighbour_, a.id)->updates.size(), updates.size());
  EXPECT_EQ(Count(a.id, "deliberation.proposal.completed"), 1);
  // b's task is untouched.
  EXPECT_EQ(service_->GetProposal(neighbour_, b.id)->proposal.status,
            ProposalStatus::kImplementing);

  auto report = audit::Verify(t_->db(), {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problem;
}

TEST_P(DeliberationServiceTest, AcceptedRequestIsSubmittedOnceAndItsCloseCompletes) {
  auto node = [](std::string code, std::string name) {
    matters::Matter m;
    m.code = std::move(code);
    m.name = std::move(name);
    m.name_en = "x";
    return m;
  };
  auto leaf = node("01-01-01", "井盖");
  leaf.handler = matters::HandlerLevel::kStreet;
  ASSERT_TRUE(matters_->Seed(Principal::System(),
                             {node("01", "城乡建设"), node("01-01", "市政设施"), leaf}));
  auto catalog = matters_->Snapshot();
  ASSERT_TRUE(catalog) << catalog.error().message;
  const matters::Matter* found = (*catalog)->FindByCode("01-01-01");
  ASSERT_NE(found, nullptr);
  const std::string matter_id = found->id;

  Unit(city_.id, UnitKind::kCentre, "JL-12345", "12345热线中心");  // requests need the centre
  auto a = Propose(Input("湖畔路3号井盖松动"));
  Qualify(a);
  DeliberationServiceTestRecord(*service_, staff_, staff_, lake_, {a.id},
                                {"request", "", 0, matter_id});
  auto p = service_->GetProposal(neighbour_, a.id);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->proposal.status, ProposalStatus::kImplementing);
  ASSERT_FALSE(p->proposal.request_id.empty());
  EXPECT_FALSE(p->proposal.request_number.empty());
  auto again = service_->Implement(staff_, a.id);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->request_id, p->proposal.request_id);
  EXPECT_EQ(Rows("requests"), 1);

  // The request's close (as the centre closes it) completes the proposal, once.
  auto closed = t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(
        auto seq,
        audit::Append(
            ex, clock_.Now(),
            {"centre",
             "request.closed",
             p->proposal.request_id,
             {{"number", p->proposal.request_number}, {"from", "replied"}, {"to", "closed"}}}));
    XT_ASSIGN_OR_RETURN(auto events, audit::EventsFor(ex, p->proposal.request_id));
    for (const auto& e : events)
      if (e.seq == seq) {
        XT_TRY_VOID(service_->OnEvent(ex, e));
        XT_TRY_VOID(service_->OnEvent(ex, e));
      }
    return {};
  });
  ASSERT_TRUE(closed) << closed.error().message;
  auto after = service_->GetProposal(neighbour_, a.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->proposal.status, ProposalStatus::kDone);
  EXPECT_EQ(Count(a.id, "deliberation.proposal.completed"), 1);
  EXPECT_EQ(after->updates.back().kind, "closed");
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliberationServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace xietong::participation
