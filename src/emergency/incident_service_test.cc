// Incidents on every backend: a district leader opens a level IV 积水
// incident — its 指挥部 is formed through collab and the first 情况报告 round
// goes to the units below; forming the force again adopts the same one; the
// level is raised with a reason (one timeline entry, one level change, one
// audit event); needs, resources and commitments run partial → complete →
// delivered with idempotent retries; bad input, unknown ids, outsiders and
// closed incidents are refused with nothing stored; the map hides personal
// data when public; the chain verifies.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "emergency/incident_service.h"
#include "emergency/schema.h"
#include "storage/testing.h"

namespace xietong::emergency {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00
const std::string kUnknownId = "01JD0000000000000000000000";

class IncidentServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    collab_ =
        std::make_unique<collab::CollabService>(t_->db(), clock_, ids_, *calendar_, *identity_);
    service_ = std::make_unique<IncidentService>(t_->db(), clock_, ids_, *identity_, *collab_);
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
    other_district_ = Unit(city_.id, UnitKind::kDistrict, "JL-02", "西湖区");
    street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "滨江街道");
    c1_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-01", "望江社区");
    c2_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-02", "观潮社区");
    leader_ = Person("leader", district_, Role::kLeader);
    handler_ = Person("handler", street_, Role::kHandler);
    c1_handler_ = Person("c1h", c1_, Role::kHandler);
    stranger_ = Person("stranger", other_district_, Role::kLeader);
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
    p.kind = a->kind;
    p.memberships = a->memberships;
    return p;
  }

  IncidentInput Input() {
    return {.type = "waterlogging",
            .level = 4,
            .title = "滨江路积水",
            .description = "暴雨致滨江路多处积水",
            .area = {.ring = {{.lat = 30.0, .lng = 120.0},
                              {.lat = 30.0, .lng = 120.1},
                              {.lat = 30.1, .lng = 120.1},
                              {.lat = 30.0, .lng = 120.0}},
                     .grid_ids = {"G-01"}},
            .unit_id = district_.id};
  }

  Incident Opened() {
    auto i = service_->Open(leader_, Input());
    EXPECT_TRUE(i) << i.error().message;
    return i.value_or(Incident{});
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
  std::unique_ptr<collab::CollabService> collab_;
  std::unique_ptr<IncidentService> service_;
  OrgUnit city_, district_, other_district_, street_, c1_, c2_;
  Principal leader_, handler_, c1_handler_, stranger_;
};

TEST_P(IncidentServiceTest, OpeningFormsTheCommandForceAndAsksTheAreaForReports) {
  const Incident i = Opened();
  EXPECT_EQ(i.unit_id, district_.id);
  EXPECT_EQ(i.status, IncidentStatus::kActive);
  ASSERT_FALSE(i.force_id.empty());
  auto force = collab_->GetForce(leader_, i.force_id);
  ASSERT_TRUE(force) << force.error().message;
  EXPECT_EQ(force->force.subject_id, i.id);
  EXPECT_NE(force->force.charter.find("应急管理局"), std::string::npos);

  auto view = service_->Get(leader_, i.id);
  ASSERT_TRUE(view) << view.error().message;
  std::vector<std::string> kinds;
  for (const auto& e : view->timeline) kinds.push_back(e.kind);
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"opened", "force_formed", "situation_reports_requested"}));
  ASSERT_FALSE(view->latest_report_form_id.empty());
  auto form = collab_->GetReportForm(leader_, view->latest_report_form_id);
  ASSERT_TRUE(form) << form.error().message;
  EXPECT_EQ(form->form.series, "incident:" + i.id);
  EXPECT_EQ(form->form.recipients, 3);  // the street and its two communities
  // A community answers the round as its own unit.
  auto answer = collab_->SubmitAnswer(c1_handler_, form->form.id, c1_.id,
                                      {{"situation", "两处积水 30 厘米"}, {"trapped", 0}});
  ASSERT_TRUE(answer) << answer.error().message;

  // Each step one audit event on the incident.
  auto events = t_->db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, i.id); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].action, "emergency.incident.opened");
  EXPECT_EQ((*events)[1].action, "emergency.incident.force_formed");
  ExpectChainIntact();
}

TEST_P(IncidentServiceTest, SituationReportsComeOnScheduleOnceAcrossNodes) {
  const Incident i = Opened();
  const Timestamp every =
      TemplateFor(i.type, i.level).situation_report_hours * 3'600'000'000LL;  // µs
  ASSERT_GT(every, 0);
  auto rounds = [&] {
    auto view = service_->Get(leader_, i.id);
    EXPECT_TRUE(view) << view.error().message;
    int n = 0;
    for (const auto& e : view->timeline) n += e.kind == "situation_reports_requested";
    return n;
  };
  ASSERT_EQ(rounds(), 1) << "the first round went out at opening";
  EXPECT_EQ(service_->SendDueSituationReports().value_or(-1), 0);
  clock_.Advance(every - 60'000'000);
  EXPECT_EQ(service_->SendDueSituationReports().value_or(-1), 0) << "a minute early";
  clock_.Advance(120'000'000);
  EXPECT_EQ(service_->SendDueSituationReports().value_or(-1), 1);
  EXPECT_EQ(rounds(), 2);
  auto view = service_->Get(leader_, i.id);
  ASSERT_TRUE(view);
  auto form = collab_->GetReportForm(leader_, view->latest_report_form_id);
  ASSERT_TRUE(form) << form.error().message;
  EXPECT_EQ(form->form.sender_name, "系统");
  EXPECT_EQ(form->form.recipients, 3);
  EXPECT_EQ(service_->SendDueSituationReports().value_or(-1), 0) << "sent once";

  // Two nodes over one database, both passing when the next round is due: one round.
  IncidentService other(t_->db(), clock_, ids_, *identity_, *collab_);
  clock_.Advance(every);
  const int a = service_->SendDueSituationReports().value_or(-1);
  const int b = other.SendDueSituationReports().value_or(-1);
  EXPECT_EQ(a + b, 1);
  EXPECT_EQ(rounds(), 3);

  // A closed incident asks for nothing more.
  ASSERT_TRUE(service_->Close(leader_, i.id, "险情排除"));
  clock_.Advance(every * 2);
  EXPECT_EQ(service_->SendDueSituationReports().value_or(-1), 0);
  EXPECT_EQ(rounds(), 3);
  ExpectChainIntact();
}

TEST_P(IncidentServiceTest, FormingTheForceAgainAdoptsTheSameForce) {
  const Incident i = Opened();
  auto again = service_->EnsureForce(leader_, i.id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->force_id, i.force_id);
  // As after a crash between forming the force and recording it here.
  ASSERT_TRUE(t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_TRY_VOID(ex.Exec("UPDATE emergency_incidents SET force_id = '' WHERE id = ?", {i.id}));
    return {};
  }));
  // Nobody but the command forms it.
  EXPECT_EQ(service_->EnsureForce(handler_, i.id).error().code, ErrorCode::kPermissionDenied);
  auto adopted = service_->EnsureForce(leader_, i.id);
  ASSERT_TRUE(adopted) << adopted.error().message;
  EXPECT_EQ(adopted->force_id, i.force_id);
  EXPECT_EQ(Count("collab_forces"), 1);
}

// An escalation retried (after a crash between the incident's commit and the
// warning's) finds the warning's incident instead of opening a second one.
TEST_P(IncidentServiceTest, OneIncidentPerWarning) {
  IncidentInput in = Input();
  in.source_warning_id = "01JWARNINGWARNINGWARNING01";
  auto first = service_->Open(leader_, in);
  ASSERT_TRUE(first) << first.error().message;
  const std::int64_t head = AuditHead();
  auto again = service_->Open(leader_, in);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->force_id, first->force_id);
  EXPECT_EQ(Count("emergency_incidents"), 1);
  EXPECT_EQ(Count("collab_forces"), 1);
  EXPECT_EQ(AuditHead(), head) << "nothing new happened";
  in.source_warning_id = "01JWARNINGWARNINGWARNING02";
  auto other = service_->Open(leader_, in);
  ASSERT_TRUE(other);
  EXPECT_NE(other->id, first->id);
  ExpectChainIntact();
}

TEST_P(IncidentServiceTest, LevelChangesAreAuditedOnceEach) {
  const Incident i = Opened();
  const auto head = AuditHead();
  auto up = service_->ChangeLevel(leader_, i.id, 3, "积水蔓延至三个社区");
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(up->level, 3);
  EXPECT_EQ(AuditHead(), head + 1);
  EXPECT_EQ(Count("emergency_level_changes"), 1);
  auto view = service_->Get(c1_handler_, i.id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->timeline.back().kind, "level_raised");
  EXPECT_EQ(view->force_template.lead_unit_kind, "district");

  // Refused, each with nothing stored.
  EXPECT_EQ(service_->ChangeLevel(handler_, i.id, 2, "r").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->ChangeLevel(stranger_, i.id, 2, "r").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->ChangeLevel(leader_, kUnknownId, 2, "r").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->ChangeLevel(leader_, i.id, 3, "same").error().field, "level");
  EXPECT_EQ(service_->ChangeLevel(leader_, i.id, 4, "").error().field, "reason");
  EXPECT_EQ(AuditHead(), head + 1);
  EXPECT_EQ(Count("emergency_level_changes"), 1);

  auto down = service_->ChangeLevel(leader_, i.id, 4, "退水");
  ASSERT_TRUE(down);
  auto closed = service_->Close(leader_, i.id, "积水已排除，无人员伤亡");
  ASSERT_TRUE(closed) << closed.error().message;
  EXPECT_EQ(closed->status, IncidentStatus::kClosed);
  // The 指挥部 is dissolved with the incident's summary.
  auto force = collab_->GetForce(leader_, closed->force_id);
  ASSERT_TRUE(force) << force.error().message;
  EXPECT_EQ(force->force.status, collab::ForceStatus::kDissolved);
  EXPECT_EQ(force->force.summary, "积水已排除，无人员伤亡");
  const auto after = AuditHead();
  EXPECT_EQ(service_->ChangeLevel(leader_, i.id, 3, "r").error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->Close(leader_, i.id, "again").error().code, ErrorCode::kConflict);
  EXPECT_EQ(AuditHead(), after);
  ExpectChainIntact();
}

TEST_P(IncidentServiceTest, BadOpeningsStoreNothing) {
  const auto head = AuditHead();
  auto in = Input();
  in.type = "meteor";
  EXPECT_EQ(service_->Open(leader_, in).error().field, "type");
  in = Input();
  in.area = {};
  EXPECT_EQ(service_->Open(leader_, in).error().field, "area");
  in = Input();
  in.unit_id = kUnknownId;
  EXPECT_EQ(service_->Open(leader_, in).error().field, "unit_id");
  EXPECT_EQ(service_->Open(handler_, Input()).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Open(stranger_, Input()).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("emergency_incidents"), 0);
  EXPECT_EQ(Count("collab_forces"), 0);
  EXPECT_EQ(AuditHead(), head);
}

TEST_P(IncidentServiceTest, ListAndGetAreScoped) {
  const Incident i = Opened();
  for (const auto* p : {&leader_, &handler_, &c1_handler_}) {
    auto list = service_->List(*p, {});
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u) << p->username;
    EXPECT_EQ((*list)[0].id, i.id);
  }
  auto none = service_->List(stranger_, {});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(service_->Get(stranger_, i.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Get(leader_, kUnknownId).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->List(leader_, {.status = "weird"}).error().field, "status");
  auto closed = service_->List(leader_, {.status = "closed"});
  ASSERT_TRUE(closed);
  EXPECT_TRUE(closed->empty());
}

TEST_P(IncidentServiceTest, NeedsAreCommittedPartlyThenFullyAndDelivered) {
  const Incident i = Opened();
  NeedInput need_in{.kind = "evacuation",
                    .title = "转移低洼区老人",
                    .priority = 1,
                    .quantity = 80,
                    .unit_label = "人",
                    .place = "望江社区 3 幢",
                    .location = GeoPoint{.lat = 30.05, .lng = 120.05},
                    .contact_name = "王阿姨",
                    .contact_phone = "13800001111"};
  auto need = service_->AddNeed(c1_handler_, i.id, need_in);
  ASSERT_TRUE(need) << need.error().message;
  auto school = service_->AddResource(handler_, i.id,
                                      {.kind = "shelter",
                                       .name = "滨江小学",
                                       .quantity = 50,
                                       .unit_label = "人",
                                       .location = GeoPoint{.lat = 30.051, .lng = 120.05}});
  ASSERT_TRUE(school) << school.error().message;
  auto gym = service_->AddResource(handler_, i.id,
                                   {.kind = "shelter",
                                    .name = "区体育馆",
                                    .quantity = 500,
                                    .unit_label = "人",
                                    .location = GeoPoint{.lat = 30.2, .lng = 120.05}});
  ASSERT_TRUE(gym);

  auto matches = service_->Matches(leader_, i.id, need->id);
  ASSERT_TRUE(matches);
  ASSERT_EQ(matches->size(), 2u);
  EXPECT_EQ((*matches)[0].resource_id, gym->id);  // covers all 80
  EXPECT_EQ((*matches)[1].can_give, 50);

  auto partial = service_->Commit(
      handler_, i.id, {.need_id = need->id, .resource_id = school->id, .idempotency_key = "k-1"});
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->quantity, 50);
  EXPECT_FALSE(partial->complete);
  // The same key again answers the first commitment.
  auto retry = service_->Commit(
      handler_, i.id, {.need_id = need->id, .resource_id = school->id, .idempotency_key = "k-1"});
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->id, partial->id);
  EXPECT_EQ(Count("emergency_commitments"), 1);

  const auto head = AuditHead();
  EXPECT_EQ(
      service_
          ->Commit(handler_, i.id, {.need_id = need->id, .resource_id = gym->id, .quantity = 31})
          .error()
          .field,
      "quantity");
  EXPECT_EQ(service_->Commit(handler_, i.id, {.need_id = kUnknownId, .resource_id = gym->id})
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(
      service_->Commit(stranger_, i.id, {.need_id = need->id, .resource_id = gym->id}).error().code,
      ErrorCode::kNotFound);
  EXPECT_EQ(AuditHead(), head);
  auto rest = service_->Commit(handler_, i.id, {.need_id = need->id, .resource_id = gym->id});
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->quantity, 30);
  EXPECT_TRUE(rest->complete);

  auto delivered = service_->Deliver(handler_, i.id, partial->id);
  ASSERT_TRUE(delivered) << delivered.error().message;
  EXPECT_EQ(delivered->status, CommitmentStatus::kDelivered);
  EXPECT_EQ(service_->Deliver(handler_, i.id, partial->id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->Deliver(handler_, i.id, kUnknownId).error().code, ErrorCode::kNotFound);
  auto cancelled = service_->Cancel(handler_, i.id, rest->id);
  ASSERT_TRUE(cancelled);
  auto board = service_->Needs(leader_, i.id);
  ASSERT_TRUE(board);
  ASSERT_EQ(board->needs.size(), 1u);
  EXPECT_EQ(board->needs[0].committed, 50);
  EXPECT_EQ(board->needs[0].delivered, 50);
  EXPECT_EQ(Coverage(board->needs[0]), "partial");
  EXPECT_EQ(board->commitments.size(), 2u);

  // The map: personal data only on the command side.
  auto inside = service_->Map(leader_, i.id);
  ASSERT_TRUE(inside) << inside.error().message;
  auto outside = service_->Map(std::nullopt, i.id);
  ASSERT_TRUE(outside);
  EXPECT_NE(inside->dump().find("13800001111"), std::string::npos);
  EXPECT_EQ(outside->dump().find("13800001111"), std::string::npos);
  EXPECT_EQ(outside->dump().find("王阿姨"), std::string::npos);
  EXPECT_EQ((*outside)["features"].size(), 4u);  // area, need, two shelters
  EXPECT_EQ(service_->Map(std::nullopt, kUnknownId).error().code, ErrorCode::kNotFound);

  // A closed incident takes no more.
  ASSERT_TRUE(service_->Close(leader_, i.id, "完成转移"));
  const auto needs = Count("emergency_needs");
  EXPECT_EQ(service_->AddNeed(c1_handler_, i.id, need_in).error().code, ErrorCode::kConflict);
  EXPECT_EQ(Count("emergency_needs"), needs);
  ExpectChainIntact();
}

TEST_P(IncidentServiceTest, ReservesAreLentToAnIncidentAndComeBackWhenItCloses) {
  // The district's warehouse and the street's team exist before any incident.
  auto store = service_->AddReserve(
      leader_, district_.id,
      {.kind = "warehouse", .name = "临江区应急物资仓库", .quantity = 1000, .unit_label = "箱"});
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_TRUE(store->incident_id.empty());
  EXPECT_EQ(store->unit_id, district_.id);
  auto team = service_->AddReserve(handler_, street_.id,
                                   {.kind = "team", .name = "滨江街道抢险队", .quantity = 20});
  ASSERT_TRUE(team) << team.error().message;
  // Only over one's own units: the street's handler not for the district,
  // another district's leader not here; an unknown unit is named.
  const auto head = AuditHead();
  EXPECT_EQ(
      service_->AddReserve(handler_, district_.id, {.kind = "team", .name = "x"}).error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->AddReserve(stranger_, street_.id, {.kind = "team", .name = "x"}).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->AddReserve(leader_, kUnknownId, {.kind = "team", .name = "x"}).error().field,
            "unit_id");
  EXPECT_EQ(service_->AddReserve(leader_, district_.id, {.kind = "boat", .name = "x"}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(AuditHead(), head);

  // The register: everyone who may respond somewhere reads all of it.
  auto all = service_->Reserves(stranger_, "");
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].resource.kind, "team");  // by kind
  EXPECT_EQ((*all)[0].unit_name, "滨江街道");
  EXPECT_EQ((*all)[1].unit_name, "临江区");
  auto teams = service_->Reserves(handler_, "team");
  ASSERT_TRUE(teams);
  EXPECT_EQ(teams->size(), 1u);
  EXPECT_EQ(service_->Reserves(handler_, "boat").error().code, ErrorCode::kInvalidArgument);

  // Lent to an incident: a new resource of it, naming the reserve.
  const Incident i = Opened();
  auto boxes = service_->Deploy(handler_, i.id, store->id, 300);
  ASSERT_TRUE(boxes) << boxes.error().message;
  EXPECT_EQ(boxes->incident_id, i.id);
  EXPECT_EQ(boxes->source_id, store->id);
  EXPECT_EQ(boxes->quantity, 300);
  auto crew = service_->Deploy(handler_, i.id, team->id, 0);
  ASSERT_TRUE(crew);
  EXPECT_EQ(crew->quantity, 20);
  EXPECT_EQ(service_->Deploy(handler_, i.id, store->id, 701).error().field, "quantity");
  EXPECT_EQ(service_->Deploy(handler_, i.id, team->id, 1).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->Deploy(handler_, i.id, kUnknownId, 1).error().field, "reserve_id");
  EXPECT_EQ(service_->Deploy(handler_, i.id, boxes->id, 1).error().field, "reserve_id");
  EXPECT_EQ(service_->Deploy(stranger_, i.id, store->id, 1).error().code, ErrorCode::kNotFound);
  auto resources = service_->Resources(handler_, i.id);
  ASSERT_TRUE(resources);
  EXPECT_EQ(resources->size(), 2u);

  // Restocking never goes below what is lent out.
  EXPECT_EQ(service_->UpdateReserve(leader_, store->id, 299, true).error().field, "quantity");
  EXPECT_EQ(service_->UpdateReserve(handler_, store->id, 2000, true).error().code,
            ErrorCode::kPermissionDenied);
  auto restocked = service_->UpdateReserve(leader_, store->id, 1200, true);
  ASSERT_TRUE(restocked) << restocked.error().message;
  EXPECT_EQ(restocked->remaining(), 900);

  // 200 boxes handed out, then the incident closes: they are used up, the
  // rest and the whole team come back.
  auto need = service_->AddNeed(
      handler_, i.id,
      {.kind = "supplies", .title = "饮用水", .quantity = 200, .place = "望江社区"});
  ASSERT_TRUE(need) << need.error().message;
  auto c = service_->Commit(handler_, i.id, {.need_id = need->id, .resource_id = boxes->id});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(service_->Deliver(handler_, i.id, c->id));
  ASSERT_TRUE(service_->Close(leader_, i.id, "积水退去"));
  auto after = service_->Reserves(leader_, "");
  ASSERT_TRUE(after);
  for (const auto& v : *after) {
    EXPECT_EQ(v.resource.committed, 0) << v.resource.name;
    EXPECT_EQ(v.resource.quantity, v.resource.id == store->id ? 1000 : 20) << v.resource.name;
  }
  EXPECT_EQ(service_->Deploy(handler_, i.id, store->id, 1).error().code, ErrorCode::kConflict);
  auto closed = t_->db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, i.id); });
  ASSERT_TRUE(closed);
  ASSERT_FALSE(closed->empty());
  EXPECT_NE(closed->back().payload.find("\"returned\""), std::string::npos);
  ExpectChainIntact();
}

TEST_P(IncidentServiceTest, BadNeedsAndResourcesStoreNothing) {
  const Incident i = Opened();
  const auto head = AuditHead();
  EXPECT_EQ(
      service_->AddNeed(handler_, i.id, {.kind = "food", .title = "t", .place = "p"}).error().field,
      "kind");
  EXPECT_EQ(service_->AddNeed(handler_, kUnknownId, {.kind = "rescue", .title = "t", .place = "p"})
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->AddResource(handler_, i.id, {.kind = "shelter", .name = "x", .quantity = -1})
                .error()
                .field,
            "quantity");
  EXPECT_EQ(service_->AddNeed(stranger_, i.id, {.kind = "rescue", .title = "t", .place = "p"})
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(Count("emergency_needs"), 0);
  EXPECT_EQ(Count("emergency_resources"), 0);
  EXPECT_EQ(AuditHead(), head);
}

INSTANTIATE_TEST_SUITE_P(Backends, IncidentServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::emergency
