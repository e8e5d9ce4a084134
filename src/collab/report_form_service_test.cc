// Report forms (报送/填报) on every backend: a district sends a form to its
// communities; each community answers once (any of its staff, a second
// answer replacing the first and kept), one after the deadline (late), one
// never (overdue), and the completion table reads back exactly that;
// nobody answers for another unit; bad values are refused naming the field
// with nothing stored; a later form of the series prefills each unit's
// previous answer; the chain verifies. A retry with the same Idempotency-Key
// is the first form, a resent answer is the stored one; each person of each
// recipient unit is told of a form once (collab.notify), and a form past its
// deadline reminds the units that have not answered, once.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "audit/audit_log.h"
#include "audit/consumer.h"
#include "audit/verify.h"
#include "collab/collab_service.h"
#include "collab/notify_service.h"
#include "storage/testing.h"

namespace xietong::collab {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00
const std::string kUnknownId = "01JD0000000000000000000000";

class ReportFormServiceTest : public ::testing::TestWithParam<std::string> {
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
    notify_ = std::make_unique<NotifyService>(t_->db(), clock_, ids_, *identity_, WebhookPoster{});
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
    other_district_ = Unit(city_.id, UnitKind::kDistrict, "JL-02", "西湖区");
    water_ = Unit(district_.id, UnitKind::kDepartment, "JL-01-D1", "区水务局");
    street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "滨江街道");
    c1_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-01", "望江社区");
    c2_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-02", "观潮社区");
    c3_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-03", "新城社区");
    lead_ = Person("lead", district_, Role::kLeader);
    overseer_ = Person("overseer", city_, Role::kSupervisor);
    water_handler_ = Person("water", water_, Role::kHandler);
    stranger_ = Person("stranger", other_district_, Role::kHandler);
    c1a_ = Person("c1a", c1_, Role::kHandler);
    c1b_ = Person("c1b", c1_, Role::kHandler);
    c2a_ = Person("c2a", c2_, Role::kHandler);
    c3a_ = Person("c3a", c3_, Role::kHandler);
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

  static FormField F(std::string key, std::string title, FieldType type, bool required,
                     std::vector<std::string> options = {}) {
    FormField f;
    f.key = std::move(key);
    f.title = std::move(title);
    f.type = type;
    f.required = required;
    f.options = std::move(options);
    return f;
  }

  NewReportForm Form(std::string series = {}) {
    NewReportForm in;
    in.title = "防汛隐患排查周报";
    in.instructions = "请各社区于周五前报送";
    in.fields = {F("households", "受影响户数", FieldType::kInteger, true),
                 F("area", "积水面积", FieldType::kNumber, false),
                 F("checked_on", "排查日期", FieldType::kDate, false),
                 F("level", "风险等级", FieldType::kChoice, true, {"低", "中", "高"}),
                 F("note", "说明", FieldType::kText, false)};
    in.fields[1].unit = "平方米";
    in.to_units = {district_.id};
    in.include_subtree = true;
    in.unit_kinds = {"community"};
    in.due_by = clock_.Now() + 2 * kMicrosPerDay;
    in.series = std::move(series);
    return in;
  }

  ReportForm Sent(const NewReportForm& in) {
    auto f = service_->CreateReportForm(lead_, in);
    EXPECT_TRUE(f) << f.error().message;
    return f.value_or(ReportForm{});
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

  // The notification reaction catches up (as a node named node_id).
  void React(std::string node_id = "test") {
    audit::Consumer c(
        t_->db(), clock_, std::move(node_id), {.name = "collab.notify", .action_prefix = "collab."},
        [this](storage::Executor& ex, const audit::Event& e) { return notify_->OnEvent(ex, e); });
    auto n = c.CatchUp();
    ASSERT_TRUE(n) << n.error().message;
  }

  // How many notifications of kind about subject who has.
  std::int64_t Told(const Principal& who, std::string_view kind, std::string_view subject) {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM collab_notifications"
                                                " WHERE account_id = ? AND kind = ?"
                                                " AND subject_id = ?",
                                                {who.account_id, kind, subject}));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
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
  std::unique_ptr<NotifyService> notify_;
  OrgUnit city_, district_, other_district_, water_, street_, c1_, c2_, c3_;
  Principal lead_, overseer_, water_handler_, stranger_, c1a_, c1b_, c2a_, c3a_;
};

TEST_P(ReportFormServiceTest, CompletionTableReadsBackExactlyWhatEachUnitDid) {
  const ReportForm f = Sent(Form());
  EXPECT_EQ(f.recipients, 3);  // the three communities, not the street or the bureau
  EXPECT_EQ(Count("collab_report_recipients"), 3);

  // 望江社区: c1a answers, c1b (same community) corrects it before the deadline.
  auto first = service_->SubmitAnswer(c1a_, f.id, "",
                                      {{"households", 12}, {"level", "中"}, {"area", "30.5"}});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->revision, 1);
  EXPECT_FALSE(first->late);
  EXPECT_EQ(first->values["area"], 30.5);
  clock_.Advance(kMicrosPerHour);
  auto second = service_->SubmitAnswer(c1b_, f.id, c1_.id,
                                       {{"households", 14}, {"level", "高"}, {"note", "补报两户"}});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->revision, 2);
  EXPECT_EQ(second->first_submitted_at, first->submitted_at);
  EXPECT_FALSE(second->late);

  // 观潮社区 answers after the deadline: accepted, late.
  clock_.Set(f.due_by + kMicrosPerHour);
  auto late = service_->SubmitAnswer(c2a_, f.id, c2_.id, {{"households", "3"}, {"level", "低"}});
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_TRUE(late->late);
  // 新城社区 never answers: overdue.

  auto table = service_->FormAnswers(lead_, f.id);
  ASSERT_TRUE(table) << table.error().message;
  const CompletionTable& t = table->completion;
  ASSERT_EQ(t.units.size(), 3u);
  EXPECT_EQ(t.units[0].unit_id, c1_.id);
  EXPECT_EQ(t.units[0].status, Completion::kSubmitted);
  EXPECT_EQ(t.units[0].revision, 2);
  EXPECT_EQ(t.units[0].submitted_by_name, "用户c1b");
  EXPECT_EQ(t.units[1].unit_id, c2_.id);
  EXPECT_EQ(t.units[1].status, Completion::kLate);
  EXPECT_EQ(t.units[2].unit_id, c3_.id);
  EXPECT_EQ(t.units[2].status, Completion::kOverdue);
  EXPECT_EQ(t.recipients, 3);
  EXPECT_EQ(t.submitted, 1);
  EXPECT_EQ(t.late, 1);
  EXPECT_EQ(t.overdue, 1);
  EXPECT_EQ(t.missing, 0);
  ASSERT_EQ(table->answers.size(), 2u);
  for (const auto& a : table->answers) {
    if (a.unit_id == c1_.id) {
      EXPECT_EQ(a.values, (json::Json{{"households", 14}, {"level", "高"}, {"note", "补报两户"}}));
      EXPECT_FALSE(a.late);
    } else {
      EXPECT_EQ(a.unit_id, c2_.id);
      EXPECT_EQ(a.values, (json::Json{{"households", 3}, {"level", "低"}}));
      EXPECT_TRUE(a.late);
    }
  }
  EXPECT_EQ(Count("collab_report_answers"), 2);
  EXPECT_EQ(Count("collab_report_answer_versions"), 1);

  // The overseer above sees the same table; the recipient sees its own unit.
  auto overseen = service_->GetReportForm(overseer_, f.id);
  ASSERT_TRUE(overseen) << overseen.error().message;
  ASSERT_TRUE(overseen->completion);
  EXPECT_EQ(overseen->completion->late, 1);
  EXPECT_EQ(overseen->form.answered, 2);
  auto mine = service_->GetReportForm(c1a_, f.id);
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_FALSE(mine->completion);
  ASSERT_EQ(mine->mine.size(), 1u);
  ASSERT_TRUE(mine->mine[0].answer);
  EXPECT_EQ(mine->mine[0].answer->revision, 2);
  ASSERT_EQ(mine->mine[0].versions.size(), 1u);
  EXPECT_EQ(mine->mine[0].versions[0].values["households"], 12);
  EXPECT_EQ(mine->mine[0].versions[0].submitted_by, c1a_.account_id);

  // Inboxes and the sent list.
  auto inbox = service_->ReportFormInbox(c3a_, 50);
  ASSERT_TRUE(inbox);
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].unit.unit_id, c3_.id);
  EXPECT_FALSE((*inbox)[0].answer);
  auto c2_inbox = service_->ReportFormInbox(c2a_, 50);
  ASSERT_TRUE(c2_inbox);
  ASSERT_EQ(c2_inbox->size(), 1u);
  ASSERT_TRUE((*c2_inbox)[0].answer);
  EXPECT_TRUE((*c2_inbox)[0].answer->late);
  EXPECT_TRUE(service_->ReportFormInbox(water_handler_, 50)->empty());
  auto sent = service_->ReportFormsSent(lead_, 50);
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ((*sent)[0].answered, 2);
  EXPECT_TRUE(service_->ReportFormsSent(c1a_, 50)->empty());

  // The table as CSV names each unit's state.
  const std::string csv = AnswersCsv(table->form, t, table->answers);
  EXPECT_NE(csv.find("望江社区,JL-01-01-01,已报送,用户c1b"), std::string::npos) << csv;
  EXPECT_NE(csv.find("观潮社区,JL-01-01-02,逾期报送"), std::string::npos) << csv;
  EXPECT_NE(csv.find("新城社区,JL-01-01-03,逾期未报"), std::string::npos) << csv;
  ExpectChainIntact();
}

TEST_P(ReportFormServiceTest, NobodyAnswersForAnotherUnitAndNothingIsStored) {
  const ReportForm f = Sent(Form());
  const auto head = AuditHead();
  const json::Json ok = {{"households", 1}, {"level", "低"}};

  auto other = service_->SubmitAnswer(c2a_, f.id, c1_.id, ok);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(other.error().field, "unit_id");
  // The sender is not a recipient either.
  auto sender = service_->SubmitAnswer(lead_, f.id, c1_.id, ok);
  ASSERT_FALSE(sender);
  EXPECT_EQ(sender.error().code, ErrorCode::kPermissionDenied);
  auto own_unit_not_sent = service_->SubmitAnswer(lead_, f.id, district_.id, ok);
  ASSERT_FALSE(own_unit_not_sent);
  EXPECT_EQ(own_unit_not_sent.error().code, ErrorCode::kPermissionDenied);
  // Someone the form was not sent to does not learn it exists.
  auto stranger = service_->SubmitAnswer(stranger_, f.id, "", ok);
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, ErrorCode::kNotFound);
  auto bureau = service_->GetReportForm(water_handler_, f.id);
  ASSERT_FALSE(bureau);
  EXPECT_EQ(bureau.error().code, ErrorCode::kNotFound);
  // Unknown ids.
  for (const auto& r : {service_->SubmitAnswer(c1a_, kUnknownId, "", ok).error(),
                        service_->GetReportForm(c1a_, kUnknownId).error(),
                        service_->FormAnswers(lead_, kUnknownId).error(),
                        service_->Prefill(c1a_, kUnknownId, c1_.id).error()})
    EXPECT_EQ(r.code, ErrorCode::kNotFound) << r.message;
  // A recipient does not read the other units' answers.
  auto table = service_->FormAnswers(c1a_, f.id);
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, ErrorCode::kPermissionDenied);
  auto prefill_other = service_->Prefill(c1a_, f.id, c2_.id);
  ASSERT_FALSE(prefill_other);
  EXPECT_EQ(prefill_other.error().code, ErrorCode::kPermissionDenied);

  EXPECT_EQ(Count("collab_report_answers"), 0);
  EXPECT_EQ(Count("collab_report_answer_versions"), 0);
  EXPECT_EQ(AuditHead(), head);
}

TEST_P(ReportFormServiceTest, BadValuesAreRefusedNamingTheFieldWithNothingStored) {
  const ReportForm f = Sent(Form());
  const auto head = AuditHead();
  auto expect = [&](json::Json values, std::string field, std::string reason) {
    auto r = service_->SubmitAnswer(c1a_, f.id, c1_.id, values);
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
    EXPECT_EQ(r.error().field, field) << r.error().message;
    EXPECT_EQ(r.error().reason, reason) << r.error().message;
  };
  expect({{"households", "很多"}, {"level", "低"}}, "values.households", "wrong_type");
  expect({{"households", 2.5}, {"level", "低"}}, "values.households", "wrong_type");
  expect({{"level", "低"}}, "values.households", "required");
  expect({{"households", 1}, {"level", "极高"}}, "values.level", "not_an_option");
  expect({{"households", 1}, {"level", "低"}, {"checked_on", "30/11/2026"}}, "values.checked_on",
         "wrong_type");
  expect({{"households", 1}, {"level", "低"}, {"note", std::string(3000, 'x')}}, "values.note",
         "too_long");
  expect({{"households", 1}, {"level", "低"}, {"note", "坏\xe6\x96"}}, "values.note",
         "invalid_utf8");
  expect({{"households", 1}, {"level", "低"}, {"note", "a\u202eb"}}, "values.note", "invalid");
  expect({{"households", 1}, {"level", "低"}, {"colour", "red"}}, "values.colour", "unknown");
  expect(json::Json::array({1, 2}), "values", "wrong_type");
  EXPECT_EQ(Count("collab_report_answers"), 0);
  EXPECT_EQ(AuditHead(), head);
  // The message names the field's title too, for the person filling it.
  auto r = service_->SubmitAnswer(c1a_, f.id, c1_.id, {{"households", "x"}, {"level", "低"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("受影响户数"), std::string::npos) << r.error().message;
}

TEST_P(ReportFormServiceTest, ALaterFormOfTheSeriesPrefillsEachUnitsPreviousAnswer) {
  const ReportForm week1 = Sent(Form("flood-weekly"));
  ASSERT_TRUE(service_->SubmitAnswer(
      c1a_, week1.id, "",
      {{"households", 12}, {"level", "中"}, {"area", 30.5}, {"note", "上周情况"}}));
  clock_.Advance(7 * kMicrosPerDay);
  // A form of the same series from another sending unit does not prefill.
  NewReportForm city_form = Form("flood-weekly");
  city_form.to_units = {district_.id};
  auto from_city = service_->CreateReportForm(overseer_, city_form);
  ASSERT_TRUE(from_city) << from_city.error().message;
  NewReportForm next = Form("flood-weekly");
  next.fields[3].options = {"低", "高"};  // "中" no longer fits
  const ReportForm week2 = Sent(next);

  auto view = service_->GetReportForm(c1a_, week2.id);
  ASSERT_TRUE(view) << view.error().message;
  ASSERT_EQ(view->mine.size(), 1u);
  EXPECT_FALSE(view->mine[0].answer);
  EXPECT_EQ(view->mine[0].prefill.from_form_id, week1.id);
  EXPECT_EQ(view->mine[0].prefill.values,
            (json::Json{{"households", 12}, {"area", 30.5}, {"note", "上周情况"}}));
  auto same = service_->Prefill(c1b_, week2.id, c1_.id);  // any staff of the unit
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->values, view->mine[0].prefill.values);
  // A unit that did not answer before has nothing to prefill.
  auto fresh = service_->GetReportForm(c2a_, week2.id);
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->mine[0].prefill.values.empty());
  EXPECT_EQ(fresh->mine[0].prefill.from_form_id, "");
  auto city_view = service_->GetReportForm(c1a_, from_city->id);
  ASSERT_TRUE(city_view);
  EXPECT_TRUE(city_view->mine[0].prefill.values.empty());
  // Once the unit answers, it is its answer that shows.
  ASSERT_TRUE(service_->SubmitAnswer(c1a_, week2.id, "", {{"households", 13}, {"level", "高"}}));
  auto answered = service_->GetReportForm(c1a_, week2.id);
  ASSERT_TRUE(answered);
  ASSERT_TRUE(answered->mine[0].answer);
  EXPECT_TRUE(answered->mine[0].prefill.values.empty());
  ExpectChainIntact();
}

TEST_P(ReportFormServiceTest, FormsGoOnlyWhereTheSenderReaches) {
  const auto head = AuditHead();
  auto handler = service_->CreateReportForm(c1a_, Form());
  ASSERT_FALSE(handler);
  EXPECT_EQ(handler.error().code, ErrorCode::kPermissionDenied);
  NewReportForm outside = Form();
  outside.to_units = {other_district_.id};
  auto far = service_->CreateReportForm(lead_, outside);
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(far.error().field, "to_units");
  NewReportForm unknown = Form();
  unknown.to_units = {kUnknownId};
  auto nowhere = service_->CreateReportForm(lead_, unknown);
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().code, ErrorCode::kNotFound);
  NewReportForm none = Form();
  none.unit_kinds = {"grid"};
  auto empty = service_->CreateReportForm(lead_, none);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(empty.error().reason, "no_recipients");
  NewReportForm dup = Form();
  dup.fields.push_back(F("level", "重复", FieldType::kText, false));
  auto twice = service_->CreateReportForm(lead_, dup);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().field, "fields[5].key");
  EXPECT_EQ(Count("collab_report_forms"), 0);
  EXPECT_EQ(Count("collab_report_recipients"), 0);
  EXPECT_EQ(AuditHead(), head);
  // To the street itself only, without its subtree.
  NewReportForm street = Form();
  street.to_units = {street_.id, water_.id};
  street.include_subtree = false;
  street.unit_kinds = {};
  const ReportForm f = Sent(street);
  EXPECT_EQ(f.recipients, 2);
  EXPECT_TRUE(service_->GetReportForm(water_handler_, f.id));
  EXPECT_FALSE(service_->GetReportForm(c1a_, f.id));
}

// A sender who got no answer retries: the same key is the first form
// (whatever the retry's body says), nobody receives it twice; keys are per
// sender; a key too long is refused with nothing stored.
TEST_P(ReportFormServiceTest, ARetryWithTheSameKeyIsTheFirstForm) {
  NewReportForm in = Form();
  in.idempotency_key = "weekly-2026-48";
  const ReportForm first = Sent(in);
  clock_.Advance(kMicrosPerMinute);
  in.title = "另一个标题";
  auto retry = service_->CreateReportForm(lead_, in);
  ASSERT_TRUE(retry) << retry.error().message;
  EXPECT_EQ(retry->id, first.id);
  EXPECT_EQ(retry->title, "防汛隐患排查周报") << "the first form, unchanged";
  EXPECT_EQ(retry->created_at, first.created_at);
  EXPECT_EQ(Count("collab_report_forms"), 1);
  EXPECT_EQ(Count("collab_report_recipients"), 3) << "no unit received it twice";
  EXPECT_EQ(Count("collab_report_people"), 4);

  auto deputy = Person("deputy", district_, Role::kLeader);
  auto theirs = service_->CreateReportForm(deputy, in);
  ASSERT_TRUE(theirs) << theirs.error().message;
  EXPECT_NE(theirs->id, first.id) << "keys are per sender";
  EXPECT_EQ(Count("collab_report_forms"), 2);

  const auto head = AuditHead();
  in.idempotency_key = std::string(kMaxIdempotencyKey + 1, 'k');
  auto too_long = service_->CreateReportForm(lead_, in);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_long.error().field, "idempotency_key");
  EXPECT_EQ(Count("collab_report_forms"), 2);
  EXPECT_EQ(AuditHead(), head);
  ExpectChainIntact();
}

// Answering is an upsert per unit; a resend of the same values by the same
// person (no answer came back) is the stored answer: no second version, no
// second event. The same values from a colleague, or other values, revise it.
TEST_P(ReportFormServiceTest, AResentAnswerIsTheStoredOne) {
  const ReportForm f = Sent(Form());
  const json::Json values = {{"households", 12}, {"level", "中"}};
  auto first = service_->SubmitAnswer(c1a_, f.id, "", values);
  ASSERT_TRUE(first) << first.error().message;
  const auto head = AuditHead();
  clock_.Advance(kMicrosPerMinute);
  auto resent = service_->SubmitAnswer(c1a_, f.id, "", {{"households", "12"}, {"level", "中"}});
  ASSERT_TRUE(resent) << resent.error().message;
  EXPECT_EQ(resent->revision, 1);
  EXPECT_EQ(resent->submitted_at, first->submitted_at);
  EXPECT_EQ(Count("collab_report_answer_versions"), 0);
  EXPECT_EQ(AuditHead(), head) << "no second event";

  auto colleague = service_->SubmitAnswer(c1b_, f.id, "", values);
  ASSERT_TRUE(colleague) << colleague.error().message;
  EXPECT_EQ(colleague->revision, 2);
  EXPECT_EQ(colleague->submitted_by, c1b_.account_id);
  auto changed = service_->SubmitAnswer(c1b_, f.id, "", {{"households", 13}, {"level", "中"}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->revision, 3);
  EXPECT_EQ(Count("collab_report_answer_versions"), 2);
  ExpectChainIntact();
}

// A form sent tells each person of each recipient unit once (not the
// sender, not the bureau, not another district), with one delivery to a
// unit's webhook however many of its people; the reaction run again (a
// restart) adds nothing.
TEST_P(ReportFormServiceTest, EachPersonOfEachRecipientUnitIsToldOnce) {
  auto hook = notify_->PutWebhook(
      Principal::System(), c1_.id,
      {.url = "http://127.0.0.1:9/hook", .kinds = {"report_form"}, .secret = "0123456789abcdef"});
  ASSERT_TRUE(hook) << hook.error().message;
  auto street_lead = Person("street.lead", street_, Role::kUnitLead);
  const ReportForm f = Sent(Form());
  React();
  for (const auto* p : {&c1a_, &c1b_, &c2a_, &c3a_}) EXPECT_EQ(Told(*p, "report_form", f.id), 1);
  for (const auto* p : {&lead_, &overseer_, &water_handler_, &stranger_, &street_lead})
    EXPECT_EQ(Told(*p, "report_form", f.id), 0) << p->username;
  EXPECT_EQ(Count("collab_notifications"), 4);
  EXPECT_EQ(Count("collab_deliveries"), 1) << "one delivery for 望江社区, not one per person";
  auto page = notify_->Mine(c2a_, 10);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].title, "防汛隐患排查周报");
  EXPECT_EQ(page->items[0].link, "/collab/reports");
  EXPECT_EQ(page->items[0].unit_id, c2_.id);
  EXPECT_NE(page->items[0].body.find(FormatRfc3339(f.due_by)), std::string::npos)
      << page->items[0].body;

  // Replayed: another node's consumer of the same name, and the event handed over again.
  React("test-2");
  auto replay = t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto events, audit::EventsFor(ex, f.id));
    for (const auto& e : events)
      if (e.action == "collab.report_form.sent") XT_TRY_VOID(notify_->OnEvent(ex, e));
    return {};
  });
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_EQ(Count("collab_notifications"), 4);
  EXPECT_EQ(Count("collab_deliveries"), 1);
}

// Past its deadline a form reminds, once, the people of the units that have
// not answered (report_overdue); a form every unit answered reminds nobody.
TEST_P(ReportFormServiceTest, AnOverdueFormRemindsTheUnitsThatHaveNotAnsweredOnce) {
  const ReportForm f = Sent(Form());
  NewReportForm only_c1 = Form();
  only_c1.to_units = {c1_.id};
  only_c1.unit_kinds = {};
  const ReportForm done = Sent(only_c1);
  ASSERT_TRUE(service_->SubmitAnswer(c1a_, f.id, "", {{"households", 3}, {"level", "低"}}));
  ASSERT_TRUE(service_->SubmitAnswer(c1b_, done.id, "", {{"households", 3}, {"level", "低"}}));
  auto early = notify_->RemindDue();
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(*early, 0) << "not due yet";

  clock_.Advance(2 * kMicrosPerDay + kMicrosPerMinute);
  auto due = notify_->RemindDue();
  ASSERT_TRUE(due) << due.error().message;
  EXPECT_EQ(*due, 1) << "the form c1 alone answered in full is not reminded";
  React();
  EXPECT_EQ(Told(c2a_, "report_overdue", f.id), 1);
  EXPECT_EQ(Told(c3a_, "report_overdue", f.id), 1);
  EXPECT_EQ(Told(c1a_, "report_overdue", f.id), 0) << "望江社区 answered";
  EXPECT_EQ(Told(c1b_, "report_overdue", f.id), 0);
  EXPECT_EQ(Told(lead_, "report_overdue", f.id), 0);
  EXPECT_EQ(Told(c1a_, "report_overdue", done.id), 0);

  // Not twice: another pass, a late answer, another pass later still.
  auto again = notify_->RemindDue();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  ASSERT_TRUE(service_->SubmitAnswer(c2a_, f.id, "", {{"households", 5}, {"level", "高"}}));
  clock_.Advance(kMicrosPerDay);
  auto later = notify_->RemindDue();
  ASSERT_TRUE(later);
  EXPECT_EQ(*later, 0);
  React();
  EXPECT_EQ(Told(c3a_, "report_overdue", f.id), 1);
  EXPECT_EQ(Count("collab_report_reminded"), 1);
  auto events = t_->db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, f.id); });
  ASSERT_TRUE(events);
  EXPECT_EQ(std::count_if(
                events->begin(), events->end(),
                [](const audit::Event& e) { return e.action == "collab.report_form.reminded"; }),
            1);
  ExpectChainIntact();
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportFormServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::collab
