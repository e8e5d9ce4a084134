// One-thing services on every backend: the demo restaurant bundle deployed
// and defined, an application from the one form to four issued licences
// with a 补正 round, the process moved only by committed-event reactions
// (exactly once, also after a restart), every refusal a clear error, and
// the audit chain intact.
#include "services/services_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "audit/consumer.h"
#include "audit/verify.h"
#include "files/file_service.h"
#include "storage/testing.h"

namespace xietong::services {
namespace {

using identity::AccountKind;
using identity::Membership;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kMonday10 = 1'795'399'200'000'000;  // 2026-11-23 10:00 +08:00
const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "pixels";

std::string Read(const std::string& name) {
  std::ifstream in(std::string(XIETONG_SERVICES_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ServicesServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(std::string(XIETONG_DEFAULT_CALENDAR_DIR) + "/cn.json");
    ASSERT_TRUE(cal);
    calendar_ = std::make_unique<WorkCalendar>(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    files_ = std::make_unique<files::FileService>(t_->db(), clock_, ids_);
    workflow_ = std::make_unique<workflow::WorkflowService>(t_->db(), clock_, ids_, *identity_,
                                                            calendar_.get());
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    market_ = Unit(city_.id, UnitKind::kDepartment, "JL-D09", "市市场监督管理局");
    safety_ = Unit(city_.id, UnitKind::kDepartment, "JL-D14", "市应急管理局");
    urban_ = Unit(city_.id, UnitKind::kDepartment, "JL-D01", "市城市管理委员会");
    admin_ = As("admin", city_, Role::kAdmin);
    leader_ = As("leader", city_, Role::kLeader);
    market_handler_ = As("mk", market_, Role::kHandler);
    fire_handler_ = As("fh", safety_, Role::kHandler);
    sign_handler_ = As("sh", urban_, Role::kHandler);
    resident_ = As("res", city_, Role::kResident);
    resident_.kind = AccountKind::kResident;
    resident_.display_name = "林晓";
    resident_.phone = "13800138000";
    stranger_ = As("other", city_, Role::kResident);
    stranger_.kind = AccountKind::kResident;
    Restart();
    auto deployed = workflow_->Deploy(admin_, Read("open-restaurant.bpmn"));
    ASSERT_TRUE(deployed && deployed->deployed) << "the demo process deploys";
    auto defined = service_->Define(admin_, json::Json::parse(Read("open-restaurant.json")));
    ASSERT_TRUE(defined) << defined.error().message;
  }

  // New service and consumers over the same rows, as after a restart.
  void Restart() {
    service_ = std::make_unique<ServicesService>(t_->db(), clock_, ids_, *identity_, *workflow_,
                                                 *calendar_);
    applications_ = std::make_unique<audit::Consumer>(
        t_->db(), clock_, "node-1",
        audit::ConsumerOptions{.name = "services.applications", .action_prefix = "service."},
        [this](storage::Executor& ex, const audit::Event& e) {
          return service_->OnApplicationEvent(ex, e);
        });
    process_ = std::make_unique<audit::Consumer>(
        t_->db(), clock_, "node-1",
        audit::ConsumerOptions{.name = "services.workflow", .action_prefix = "workflow."},
        [this](storage::Executor& ex, const audit::Event& e) {
          return service_->OnWorkflowEvent(ex, e);
        });
  }

  // Runs the reactions until nothing is left, as the consumer runner would.
  void React() {
    for (int round = 0; round < 10; ++round) {
      auto a = applications_->CatchUp();
      auto b = process_->CatchUp();
      ASSERT_TRUE(a && b) << (a ? b.error().message : a.error().message);
      if (*a == 0 && *b == 0) return;
    }
    FAIL() << "the reactions do not settle";
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }
  static Principal As(std::string name, const OrgUnit& unit, Role role) {
    Principal p;
    p.account_id = "acct-" + name;
    p.username = name;
    p.display_name = "用户" + name;
    p.memberships.push_back(
        Membership{"m-" + name, p.account_id, unit.id, unit.name, unit.path, role});
    return p;
  }

  std::string Upload(const Principal& who, std::string_view type, std::string bytes) {
    auto f = files_->Upload(who, type, bytes);
    EXPECT_TRUE(f) << f.error().message;
    return f ? f->id : "";
  }

  ApplyInput GoodApplication() {
    ApplyInput in;
    in.service = "open-restaurant";
    in.form = {{"company_name", "老街坊面馆"},
               {"legal_person", "林晓"},
               {"legal_person_id", "330102199003071230"},
               {"phone", "13800138000"},
               {"address", "江澜市滨江区春江路18号"},
               {"area_m2", 86.5},
               {"seats", 24},
               {"business_type", "hot"},
               {"has_signage", true}};
    in.materials = {{"id_card", {Upload(resident_, "image/png", kPng)}},
                    {"lease", {Upload(resident_, "application/pdf", "%PDF-1.7 lease")}},
                    {"floor_plan", {Upload(resident_, "application/pdf", "%PDF-1.7 plan")}}};
    return in;
  }

  std::int64_t Count(std::string_view sql) {
    auto r = t_->db().Read([&](storage::Executor& ex) { return ex.QueryOne(sql); });
    return r && *r ? (*r)->Int(0) : -1;
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kMonday10};
  IdGenerator ids_{clock_};
  std::unique_ptr<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<workflow::WorkflowService> workflow_;
  std::unique_ptr<ServicesService> service_;
  std::unique_ptr<audit::Consumer> applications_, process_;
  OrgUnit city_, market_, safety_, urban_;
  Principal admin_, leader_, market_handler_, fire_handler_, sign_handler_, resident_, stranger_;
};

TEST_P(ServicesServiceTest, AnApplicationRunsFromTheOneFormToFourVerifiableLicences) {
  auto applied = service_->Apply(resident_, GoodApplication());
  ASSERT_TRUE(applied) << applied.error().message;
  const std::string id = applied->app.id;
  EXPECT_EQ(applied->app.status, AppStatus::kSubmitted);
  EXPECT_TRUE(applied->app.number.starts_with("YJS20261123"));
  EXPECT_EQ(applied->app.materials.at("lease").front().content_type, "application/pdf");

  React();  // the process starts and reaches the licence
  auto app = service_->Get(resident_, id);
  ASSERT_TRUE(app);
  EXPECT_EQ(app->app.status, AppStatus::kInProgress);
  EXPECT_EQ(app->app.Part("licence")->status, PartStatus::kInReview);
  EXPECT_EQ(app->app.Part("food")->status, PartStatus::kWaiting);
  auto queue = service_->Queue(market_handler_, "open", 50);
  ASSERT_TRUE(queue);
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ(queue->front().part_key, "licence");
  EXPECT_TRUE(service_->Queue(fire_handler_, "open", 50)->empty());

  clock_.Advance(kMicrosPerHour);
  auto licensed = service_->Approve(market_handler_, id, "licence", "材料齐全");
  ASSERT_TRUE(licensed) << licensed.error().message;
  ASSERT_EQ(licensed->certificates.size(), 1u);
  EXPECT_EQ(licensed->certificates[0].number, "YYZZ2026000001");
  React();  // the licence's task completes; food, fire and the sign open in parallel
  app = service_->Get(resident_, id);
  for (const char* part : {"food", "fire", "signage"})
    EXPECT_EQ(app->app.Part(part)->status, PartStatus::kInReview) << part;

  // 补正: the fire inspection wants a better floor plan and the seat count.
  clock_.Advance(kMicrosPerHour);
  const Timestamp due_before = app->app.Part("fire")->due_at;
  auto asked = service_->AskCorrection(fire_handler_, id, "fire", "平面图未标明安全出口",
                                       {"floor_plan", "seats"});
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_EQ(asked->app.status, AppStatus::kCorrection);
  auto too_much = service_->Correct(resident_, id, {{"address", "别处"}}, {});
  ASSERT_FALSE(too_much);
  EXPECT_EQ(too_much.error().field, "form.address");
  clock_.Advance(24 * kMicrosPerHour);
  auto corrected = service_->Correct(
      resident_, id, {{"seats", 20}},
      {{"floor_plan", {Upload(resident_, "application/pdf", "%PDF-1.7 plan v2")}}});
  ASSERT_TRUE(corrected) << corrected.error().message;
  const AppPart& fire = *corrected->app.Part("fire");
  EXPECT_EQ(fire.status, PartStatus::kInReview);
  EXPECT_EQ(fire.corrections, 1);
  EXPECT_GT(fire.due_at, due_before);  // the clock stopped while the applicant fixed it
  EXPECT_EQ(corrected->app.form["seats"], 20);
  EXPECT_EQ(corrected->app.materials.at("floor_plan").size(), 1u);

  ASSERT_TRUE(service_->Approve(market_handler_, id, "food", ""));
  ASSERT_TRUE(service_->Approve(fire_handler_, id, "fire", "复查合格"));
  auto last = service_->Approve(sign_handler_, id, "signage", "");
  ASSERT_TRUE(last);
  React();
  app = service_->Get(resident_, id);
  EXPECT_EQ(app->app.status, AppStatus::kCompleted);
  EXPECT_EQ(app->app.Outcome(), "approved");
  ASSERT_EQ(app->certificates.size(), 4u);
  auto wf = workflow_->Instance(admin_, app->app.instance_id);
  ASSERT_TRUE(wf);
  EXPECT_EQ(wf->status, "completed");
  EXPECT_EQ(wf->variables["licence_approved"], true);

  // Anyone can check a licence by its code; the holder is masked.
  const CertificateView* food = nullptr;
  for (const auto& c : app->certificates)
    if (c.part == "food") food = &c;
  ASSERT_NE(food, nullptr);
  EXPECT_TRUE(food->number.starts_with("JY2026"));
  auto check = service_->Verify(food->code);
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->holder, "老****");
  EXPECT_EQ(check->issued_by, "市市场监督管理局");
  EXPECT_EQ(check->application_number, app->app.number);
  std::string lower = food->code;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_TRUE(service_->Verify(lower));  // typed in lower case
  EXPECT_EQ(service_->Verify("0000-0000-0000-0000-0000").error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(service_->Rate(resident_, id, 5, {"fast", "once"}, "一次办成"));
  auto figures = service_->FiguresOf(leader_, kMonday10 - kMicrosPerHour, clock_.Now());
  ASSERT_TRUE(figures) << figures.error().message;
  ASSERT_EQ(figures->services.size(), 1u);
  EXPECT_EQ(figures->services[0].completed, 1);
  EXPECT_EQ(figures->services[0].good, 1);
  std::int64_t corrections = 0;
  for (const auto& p : figures->parts) corrections += p.corrections;
  EXPECT_EQ(corrections, 1);
  auto csv = FiguresCsv(*figures);
  ASSERT_TRUE(csv);
  EXPECT_NE(csv->find("开办餐饮店一件事"), std::string::npos);
  auto xlsx = FiguresXlsx(*figures, "2026-11");
  ASSERT_TRUE(xlsx);
  EXPECT_EQ(xlsx->substr(0, 2), "PK");
  EXPECT_EQ(service_->FiguresOf(market_handler_, 0, clock_.Now()).error().code,
            ErrorCode::kPermissionDenied);

  auto verified = audit::Verify(t_->db(), {});
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->ok()) << verified->problem;
}

TEST_P(ServicesServiceTest, TheSameIdempotencyKeyMakesOneApplication) {
  ApplyInput in = GoodApplication();
  in.idempotency_key = "form-7f3a";
  auto first = service_->Apply(resident_, in);
  ASSERT_TRUE(first) << first.error().message;
  auto again = service_->Apply(resident_, in);  // the retry: the files are attached already
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->app.id, first->app.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM service_applications"), 1);
}

TEST_P(ServicesServiceTest, RefusalsNameTheProblemAndChangeNothing) {
  // A form with several bad fields: every one named, nothing stored, files free.
  ApplyInput bad = GoodApplication();
  bad.form["seats"] = "many";
  bad.form.erase("address");
  auto refused = service_->Apply(resident_, bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().details.size(), 2u);
  bad = GoodApplication();
  bad.materials["id_card"] = {"not-an-upload"};
  auto stolen = service_->Apply(resident_, bad);
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().field, "materials.id_card");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM service_applications"), 0);
  EXPECT_EQ(service_->Apply(resident_, {.service = "open-bar"}).error().code, ErrorCode::kNotFound);

  auto applied = service_->Apply(resident_, GoodApplication());
  ASSERT_TRUE(applied);
  const std::string id = applied->app.id;
  React();
  // Only the part's own department decides it; others are told who does.
  auto wrong_unit = service_->Approve(fire_handler_, id, "licence", "");
  ASSERT_FALSE(wrong_unit);
  EXPECT_EQ(wrong_unit.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(wrong_unit.error().message.find("市市场监督管理局"), std::string::npos);
  EXPECT_EQ(service_->Approve(resident_, id, "licence", "").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Get(stranger_, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Approve(market_handler_, id, "kitchen", "").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->Rate(resident_, id, 5, {}, "").error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->Correct(resident_, id, {{"seats", 3}}, {}).error().code,
            ErrorCode::kConflict);
  // A leader reads it with the personal data masked.
  auto seen = service_->Get(leader_, id);
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_TRUE(seen->masked);
  EXPECT_EQ(seen->app.form["legal_person_id"], "330***********1230");
  EXPECT_EQ(service_->Get(market_handler_, id)->app.form["legal_person_id"], "330102199003071230");

  // Materials are served to the department, never to a stranger.
  const std::string lease = applied->app.materials.at("lease").front().id;
  auto file = service_->Material(market_handler_, id, lease);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->bytes, "%PDF-1.7 lease");
  EXPECT_FALSE(service_->Material(stranger_, id, lease));
  EXPECT_FALSE(service_->Material(leader_, id, lease));  // masked readers do not get files

  // A refused licence ends the bundle: the rest are skipped.
  EXPECT_EQ(service_->Reject(market_handler_, id, "licence", "").error().field, "reason");
  ASSERT_TRUE(service_->Reject(market_handler_, id, "licence", "名称与已登记企业重复"));
  React();
  auto done = service_->Get(resident_, id);
  EXPECT_EQ(done->app.status, AppStatus::kCompleted);
  EXPECT_EQ(done->app.Outcome(), "rejected");
  EXPECT_EQ(done->app.Part("fire")->status, PartStatus::kSkipped);
  EXPECT_TRUE(done->certificates.empty());

  // Defining a service checks its process and its departments.
  std::string renamed = Read("open-restaurant.json");
  for (auto at = renamed.find("\"licence\""); at != std::string::npos;
       at = renamed.find("\"licence\"", at))
    renamed.replace(at, 9, "\"registration\"");
  json::Json def = json::Json::parse(renamed);
  auto not_a_task = service_->Define(admin_, def);
  ASSERT_FALSE(not_a_task);
  EXPECT_EQ(not_a_task.error().field, "parts[0].key");
  def = json::Json::parse(Read("open-restaurant.json"));
  def["parts"][2]["unit_code"] = "JL-D99";
  EXPECT_EQ(service_->Define(admin_, def).error().field, "parts[2].unit_code");
  def = json::Json::parse(Read("open-restaurant.json"));
  def["process_id"] = "not_deployed";
  EXPECT_EQ(service_->Define(admin_, def).error().field, "process_id");
  EXPECT_EQ(service_->Define(market_handler_, def).error().code, ErrorCode::kPermissionDenied);
}

TEST_P(ServicesServiceTest, ReactionsHappenOnceAcrossARestart) {
  auto applied = service_->Apply(resident_, GoodApplication());
  ASSERT_TRUE(applied);
  Restart();  // the submitted event waits in the chain; the new process reacts to it
  React();
  Restart();
  React();  // nothing new: nothing happens twice
  EXPECT_EQ(Count("SELECT COUNT(*) FROM workflow_instances"), 1);
  auto app = service_->Get(resident_, applied->app.id);
  ASSERT_TRUE(app);
  EXPECT_EQ(app->app.Part("licence")->status, PartStatus::kInReview);
  int opened = 0;
  for (const auto& t : app->app.timeline) opened += t.kind == "opened";
  EXPECT_EQ(opened, 1);
  // The same form again is prefilled from the account and the last application.
  auto prefill = service_->PrefillFor(resident_, "open-restaurant");
  ASSERT_TRUE(prefill);
  EXPECT_EQ(prefill->values["legal_person"], "林晓");
  EXPECT_EQ(prefill->sources["legal_person"], "account");
  EXPECT_EQ(prefill->values["address"], "江澜市滨江区春江路18号");
  EXPECT_EQ(prefill->sources["address"], "previous");
}

INSTANTIATE_TEST_SUITE_P(Backends, ServicesServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::services
