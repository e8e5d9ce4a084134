// Crowd reports on every backend: anyone reports (nothing stored for bad
// input, an unknown incident or a closed one); a retry with the same
// Idempotency-Key stores nothing twice and a different report under it is
// refused; the same text again is made a duplicate candidate by the
// duplicate reaction (after intake, once across restarts, never over a
// verdict), queued after fresh reports; verdicts are final, given only by the incident's
// responders, and a verified need becomes a need in the same transaction; the public view carries
// no personal data; the chain verifies.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <map>

#include "audit/audit_log.h"
#include "audit/consumer.h"
#include "audit/verify.h"
#include "emergency/crowd_service.h"
#include "emergency/crowd_store.h"
#include "emergency/incident_store.h"
#include "emergency/resource_store.h"
#include "emergency/schema.h"
#include "files/file_service.h"
#include "storage/testing.h"

namespace xietong::emergency {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00

class CrowdServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&files::Schema(), &Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    collab_ =
        std::make_unique<collab::CollabService>(t_->db(), clock_, ids_, *calendar_, *identity_);
    service_ = std::make_unique<CrowdReportService>(t_->db(), clock_, ids_, *collab_);
    city_ = Unit(std::nullopt, UnitKind::kCity, "ZZ", "郑河市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "ZZ-01", "金水区");
    other_ = Unit(city_.id, UnitKind::kDistrict, "ZZ-02", "二七区");
    street_ = Unit(district_.id, UnitKind::kStreet, "ZZ-01-01", "文化路街道");
    centre_ = Unit(city_.id, UnitKind::kCentre, "ZZ-12345", "12345热线");
    responder_ = Person("responder", district_, Role::kHandler);
    street_worker_ = Person("street", street_, Role::kHandler);
    stranger_ = Person("stranger", other_, Role::kHandler);
    resident_ = Person("resident", street_, Role::kResident, identity::AccountKind::kResident);
    operator_ = Person("operator1", centre_, Role::kOperator);
    incident_ = OpenIncident("inc-1", IncidentStatus::kActive);
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

  Incident OpenIncident(std::string id, IncidentStatus status) {
    Incident i;
    i.id = std::move(id);
    i.type = "flood";
    i.title = "金水区内涝";
    i.unit_id = district_.id;
    i.unit_path = district_.path;
    i.unit_name = district_.name;
    i.status = status;
    i.created_by = responder_.account_id;
    i.created_at = i.updated_at = clock_.Now();
    auto w = t_->db().Write([&](storage::Executor& ex) { return store::InsertIncident(ex, i); });
    EXPECT_TRUE(w) << w.error().message;
    return i;
  }

  static NewCrowdReport Need(std::string text = "幸福小区3号楼困住老人两名，水已到一楼窗台") {
    NewCrowdReport r;
    r.text = std::move(text);
    r.kind = ReportKind::kNeed;
    r.need_type = NeedType::kRescue;
    r.count = 2;
    r.priority = ReportPriority::kCritical;
    r.place = {34.746612, 113.625488, "幸福路12号3单元"};
    r.contact_name = "王芳";
    r.contact_phone = "13812345678";
    return r;
  }
  static NewCrowdReport Situation(std::string text, ReportPriority p = ReportPriority::kNormal) {
    NewCrowdReport r;
    r.text = std::move(text);
    r.priority = p;
    r.place.address = "中原路桥下";
    return r;
  }

  CrowdReport Submitted(const NewCrowdReport& in, std::string_view key = "") {
    auto r = service_->Submit(std::nullopt, incident_.id, in, key);
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(CrowdReport{});
  }

  std::int64_t Count(std::string_view table) {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT COUNT(*) FROM {}", table)));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
  }
  std::int64_t Reports() { return Count("emergency_crowd_reports"); }
  // The duplicate reaction, caught up as the server's consumer runner does.
  void React() {
    audit::Consumer c(
        t_->db(), clock_, "test", CrowdReportService::ConsumerOptions(),
        [this](storage::Executor& ex, const audit::Event& e) { return service_->OnEvent(ex, e); });
    auto n = c.CatchUp();
    ASSERT_TRUE(n) << n.error().message;
  }
  CrowdReport Stored(const std::string& id) {
    auto r = t_->db().Read([&](storage::Executor& ex) { return store::FindReport(ex, id); });
    EXPECT_TRUE(r && *r);
    return r && *r ? **r : CrowdReport{};
  }
  std::int64_t Events(std::string_view action) {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto events, audit::EventsAfter(ex, 0, action, 100000));
      return static_cast<std::int64_t>(events.size());
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
  std::unique_ptr<collab::CollabService> collab_;
  std::unique_ptr<CrowdReportService> service_;
  OrgUnit city_, district_, other_, street_, centre_;
  Principal responder_, street_worker_, stranger_, resident_, operator_;
  Incident incident_;
};

TEST_P(CrowdServiceTest, AnyoneReportsAndNothingIsStoredForWhatIsRefused) {
  const std::int64_t head = AuditHead();
  CrowdReport r = Submitted(Need());
  EXPECT_EQ(r.state, ReportState::kUnverified);
  EXPECT_TRUE(r.reporter_id.empty());
  EXPECT_EQ(Reports(), 1);
  EXPECT_EQ(AuditHead(), head + 1);

  auto unknown = service_->Submit(std::nullopt, "no-such-incident", Need(), "");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  OpenIncident("inc-closed", IncidentStatus::kClosed);
  auto closed = service_->Submit(std::nullopt, "inc-closed", Need(), "");
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
  NewCrowdReport bad = Need();
  bad.text = "\xe5\xb9";  // cut UTF-8
  EXPECT_EQ(service_->Submit(std::nullopt, incident_.id, bad, "").error().field, "text");
  // The phone channel is an operator's; photos need an account.
  NewCrowdReport phone = Need("电话：老人被困");
  phone.channel = ReportChannel::kPhone;
  EXPECT_EQ(service_->Submit(std::nullopt, incident_.id, phone, "").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Submit(resident_, incident_.id, phone, "").error().code,
            ErrorCode::kPermissionDenied);
  NewCrowdReport photo = Need();
  photo.photo_ids = {"f1"};
  EXPECT_EQ(service_->Submit(std::nullopt, incident_.id, photo, "").error().field, "photo_ids");
  // A photo id that is not the reporter's upload: nothing stored.
  EXPECT_FALSE(service_->Submit(resident_, incident_.id, photo, ""));
  EXPECT_EQ(Reports(), 1);
  EXPECT_EQ(AuditHead(), head + 1);

  auto taken = service_->Submit(operator_, incident_.id, phone, "");
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->channel, ReportChannel::kPhone);
  EXPECT_EQ(taken->reporter_id, operator_.account_id);
}

TEST_P(CrowdServiceTest, ARetryWithTheSameKeyStoresNothingTwice) {
  CrowdReport first = Submitted(Need(), "phone-abc-1");
  clock_.Advance(3 * kMicrosPerSecond);
  CrowdReport again = Submitted(Need(), "phone-abc-1");
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.received_at, first.received_at);
  EXPECT_EQ(Reports(), 1);
  // The same key for another report is refused; a key is per incident.
  auto other = service_->Submit(std::nullopt, incident_.id, Need("另一户也被困"), "phone-abc-1");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  OpenIncident("inc-2", IncidentStatus::kActive);
  EXPECT_TRUE(service_->Submit(std::nullopt, "inc-2", Need(), "phone-abc-1"));
  EXPECT_EQ(Reports(), 2);
}

TEST_P(CrowdServiceTest, TheSameTextAgainIsACandidateQueuedAfterFreshReports) {
  CrowdReport first = Submitted(Need());
  EXPECT_TRUE(first.duplicate_of.empty());
  clock_.Advance(kMicrosPerMinute);
  const std::int64_t head = AuditHead();
  CrowdReport copy = Submitted(Need("幸福小区3号楼困住老人两名，水已到一楼窗台！！"));
  // Intake does not look: one insert, one event; the reaction marks it.
  EXPECT_TRUE(copy.duplicate_of.empty());
  EXPECT_EQ(AuditHead(), head + 1);
  CrowdReport low = Submitted(Situation("文化路积水约三十公分，车辆缓行", ReportPriority::kLow));
  // Another incident's same text is not a candidate.
  OpenIncident("inc-2", IncidentStatus::kActive);
  auto elsewhere = service_->Submit(std::nullopt, "inc-2", Need(), "");
  ASSERT_TRUE(elsewhere);
  React();
  copy = Stored(copy.id);
  EXPECT_EQ(copy.duplicate_of, first.id);
  EXPECT_GT(copy.duplicate_score, 0.6);
  EXPECT_TRUE(Stored(first.id).duplicate_of.empty());  // never a later report's copy
  EXPECT_TRUE(Stored(low.id).duplicate_of.empty());
  EXPECT_TRUE(Stored(elsewhere->id).duplicate_of.empty());
  EXPECT_EQ(Events("emergency.report.candidate"), 1);

  // The queue: fresh ones (critical, then low), then the candidate.
  auto page = service_->List(responder_, incident_.id, ReportState::kUnverified, "", 2);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id, first.id);
  EXPECT_EQ(page->items[1].id, low.id);
  ASSERT_TRUE(page->next_cursor);
  EXPECT_EQ(page->unverified, 3);
  auto rest =
      service_->List(responder_, incident_.id, ReportState::kUnverified, *page->next_cursor, 2);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].id, copy.id);
  EXPECT_FALSE(rest->next_cursor);
  EXPECT_EQ(
      service_->List(responder_, incident_.id, ReportState::kUnverified, "x.1", 2).error().code,
      ErrorCode::kInvalidArgument);

  // The candidate confirmed: a duplicate of the first, no need made.
  auto dup = service_->Verify(responder_, incident_.id, copy.id, {ReportState::kDuplicate});
  ASSERT_TRUE(dup) << dup.error().message;
  EXPECT_EQ(dup->state, ReportState::kDuplicate);
  EXPECT_EQ(dup->duplicate_of, first.id);
  EXPECT_TRUE(dup->need_id.empty());
}

TEST_P(CrowdServiceTest, TheReactionMarksEachCandidateOnceAcrossRestartsAndNeverOverAVerdict) {
  CrowdReport first = Submitted(Need());
  clock_.Advance(kMicrosPerSecond);
  CrowdReport copy = Submitted(Need("幸福小区3号楼困住老人两名，水已到一楼窗台！！"));
  React();
  EXPECT_EQ(Stored(copy.id).duplicate_of, first.id);
  EXPECT_EQ(Events("emergency.report.candidate"), 1);

  // A restart: a new service (an empty index) and the consumer's cursor from
  // the database. Nothing handled is handled again; a new copy is still
  // found among the reports before the restart.
  service_ = std::make_unique<CrowdReportService>(t_->db(), clock_, ids_, *collab_);
  React();
  EXPECT_EQ(Events("emergency.report.candidate"), 1);
  clock_.Advance(kMicrosPerSecond);
  CrowdReport again = Submitted(Need("幸福小区3号楼困住老人两名，水已经到一楼窗台"));
  // Verified by a verifier before the reaction came: the verdict stands.
  CrowdReport checked = Submitted(Need("幸福小区3号楼困住老人两名，水已到一楼窗台。"));
  ASSERT_TRUE(service_->Verify(responder_, incident_.id, checked.id, {ReportState::kVerified}));
  service_ = std::make_unique<CrowdReportService>(t_->db(), clock_, ids_, *collab_);
  React();
  React();
  const CrowdReport marked = Stored(again.id);
  EXPECT_FALSE(marked.duplicate_of.empty());
  EXPECT_NE(marked.duplicate_of, checked.id);  // a later report is never the original
  EXPECT_EQ(marked.queue_rank, QueueRank(true, marked.priority));
  const CrowdReport kept = Stored(checked.id);
  EXPECT_EQ(kept.state, ReportState::kVerified);
  EXPECT_TRUE(kept.duplicate_of.empty());
  EXPECT_EQ(Events("emergency.report.candidate"), 2);
  auto report = audit::Verify(t_->db(), {});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->problem;
}

TEST_P(CrowdServiceTest, AVerifiedNeedBecomesANeedInTheSameTransaction) {
  CrowdReport r = Submitted(Need());
  const std::int64_t head = AuditHead();
  auto v = service_->Verify(street_worker_, incident_.id, r.id,
                            {ReportState::kVerified, "", "电话回访确认"});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->state, ReportState::kVerified);
  ASSERT_FALSE(v->need_id.empty());
  EXPECT_EQ(AuditHead(), head + 1);  // one event for the verdict and the need
  auto need = t_->db().Read([&](storage::Executor& ex) { return store::FindNeed(ex, v->need_id); });
  ASSERT_TRUE(need && *need);
  EXPECT_EQ((*need)->kind, "rescue");
  EXPECT_EQ((*need)->quantity, 2);
  EXPECT_EQ((*need)->priority, 1);
  EXPECT_EQ((*need)->source_report_id, r.id);
  EXPECT_EQ((*need)->contact_phone, "13812345678");

  // Again the same: unchanged, no second need or event; different: 409.
  auto again = service_->Verify(responder_, incident_.id, r.id, {ReportState::kVerified});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->need_id, v->need_id);
  EXPECT_EQ(AuditHead(), head + 1);
  EXPECT_EQ(Count("emergency_needs"), 1);
  auto other = service_->Verify(responder_, incident_.id, r.id, {ReportState::kFalse});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_EQ(AuditHead(), head + 1);
}

// Participation's report_verified award reads the earner and the commanding unit from the verdict
// event alone: the reporter is named only for a signed-in person reporting on the web, never for
// an operator's phone record or an anonymous report; every verdict carries the incident's
// unit_path.
TEST_P(CrowdServiceTest, AVerdictNamesTheReporterOnlyForTheirOwnWebReport) {
  auto submit = [&](const std::optional<Principal>& who, NewCrowdReport in) {
    auto r = service_->Submit(who, incident_.id, in, "");
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(CrowdReport{});
  };
  CrowdReport own = submit(resident_, Need("文化路小区2号楼地下室进水，有人被困"));
  NewCrowdReport call = Situation("来电：中原路桥下积水没过车轮");
  call.channel = ReportChannel::kPhone;
  CrowdReport phoned = submit(operator_, call);
  EXPECT_EQ(phoned.reporter_id, operator_.account_id);  // recorded by the operator
  CrowdReport anonymous = submit(std::nullopt, Situation("经三路积水约二十公分"));
  ASSERT_TRUE(service_->Verify(responder_, incident_.id, own.id, {ReportState::kVerified}));
  ASSERT_TRUE(service_->Verify(responder_, incident_.id, phoned.id, {ReportState::kVerified}));
  ASSERT_TRUE(service_->Verify(responder_, incident_.id, anonymous.id, {ReportState::kFalse}));
  auto events = t_->db().Read([](storage::Executor& ex) {
    return audit::EventsAfter(ex, 0, "emergency.report.verified", 100);
  });
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  std::map<std::string, json::Json> by_report;
  for (const auto& e : *events) {
    EXPECT_EQ(e.actor, responder_.account_id);
    by_report[e.subject] = json::Json::parse(e.payload);
  }
  const json::Json& mine = by_report[own.id];
  EXPECT_EQ(mine["verdict"], "verified");
  EXPECT_EQ(mine["reporter_id"], resident_.account_id);
  EXPECT_EQ(mine["unit_path"], district_.path);
  EXPECT_FALSE(by_report[phoned.id].contains("reporter_id"));
  EXPECT_EQ(by_report[phoned.id]["unit_path"], district_.path);
  EXPECT_FALSE(by_report[anonymous.id].contains("reporter_id"));
  EXPECT_EQ(by_report[anonymous.id]["verdict"], "false");
  EXPECT_EQ(by_report[anonymous.id]["unit_path"], district_.path);
  // No contact details on the chain.
  for (const auto& e : *events) EXPECT_EQ(e.payload.find("13812345678"), std::string::npos);
}

TEST_P(CrowdServiceTest, OnlyTheIncidentsRespondersVerifyAndReadTheQueue) {
  CrowdReport r = Submitted(Need());
  for (const Principal* who : {&stranger_, &resident_}) {
    auto v = service_->Verify(*who, incident_.id, r.id, {ReportState::kFalse});
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->List(*who, incident_.id, ReportState::kUnverified, "", 10).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->Get(*who, incident_.id, r.id).error().code, ErrorCode::kPermissionDenied);
  }
  auto still = service_->Get(responder_, incident_.id, r.id);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->state, ReportState::kUnverified);
  // A report of another incident is not found through this one.
  OpenIncident("inc-2", IncidentStatus::kActive);
  EXPECT_EQ(service_->Get(responder_, "inc-2", r.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Verify(responder_, "inc-2", r.id, {}).error().code, ErrorCode::kNotFound);
}

TEST_P(CrowdServiceTest, ThePublicSeesVerifiedReportsWithoutPersonalData) {
  CrowdReport need = Submitted(Need("困住老人两名，联系13812345678或0571-8765-4321"));
  CrowdReport rumour = Submitted(Situation("听说水库要溃坝了"));
  CrowdReport unverified = Submitted(Situation("文化路积水约三十公分"));
  ASSERT_TRUE(service_->Verify(responder_, incident_.id, need.id, {ReportState::kVerified}));
  ASSERT_TRUE(service_->Verify(responder_, incident_.id, rumour.id, {ReportState::kFalse}));
  auto list = service_->PublicReports(incident_.id, 50);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  const PublicReport& p = list->front();
  EXPECT_EQ(p.id, need.id);
  EXPECT_EQ(p.text.find("13812345678"), std::string::npos);
  EXPECT_EQ(p.text.find("8765-43"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("****-****-**21"), std::string::npos) << p.text;
  EXPECT_DOUBLE_EQ(*p.lat, 34.747);
  auto map = service_->MapLayer(incident_.id);
  ASSERT_TRUE(map);
  ASSERT_EQ(map->size(), 1u);
  EXPECT_EQ(map->front().properties.dump().find("王芳"), std::string::npos);
  EXPECT_EQ(map->front().properties.dump().find("幸福路"), std::string::npos);
  EXPECT_EQ(service_->PublicReports("nope", 50).error().code, ErrorCode::kNotFound);
  (void)unverified;
  auto report = audit::Verify(t_->db(), {});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->problem;
}

INSTANTIATE_TEST_SUITE_P(Backends, CrowdServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::emergency
