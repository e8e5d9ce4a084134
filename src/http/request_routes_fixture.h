// Test-only: the fixture of the 接诉即办 route tests. A small city (one
// district, two streets with a community and grid each, the hotline centre,
// two city departments), two matters, an account per role logged in over a
// real socket with every route the server registers, and helpers to post,
// get and run commands. Included by the route test files of this folder;
// each derives its own suite from it.
#pragma once

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/consumer.h"
#include "emergency/schema.h"
#include "exchange/remote.h"
#include "files/file_service.h"
#include "http/api.h"
#include "http/calendar_handlers.h"
#include "http/collab_handlers.h"
#include "http/crowd_report_handlers.h"
#include "http/deliberation_handlers.h"
#include "http/evaluation_handlers.h"
#include "http/exchange_handlers.h"
#include "http/file_handlers.h"
#include "http/forecast_handlers.h"
#include "http/identity_handlers.h"
#include "http/incident_handlers.h"
#include "http/insight_handlers.h"
#include "http/live.h"
#include "http/matter_handlers.h"
#include "http/notify_handlers.h"
#include "http/open311_handlers.h"
#include "http/report_handlers.h"
#include "http/request_handlers.h"
#include "http/server.h"
#include "http/services_handlers.h"
#include "http/stats_handlers.h"
#include "http/test_client.h"
#include "http/warning_handlers.h"
#include "http/workflow_handlers.h"
#include "insight/schema.h"
#include "participation/schema.h"
#include "requests/rates.h"
#include "storage/testing.h"

namespace xietong::http {

using identity::OrgUnit;
using identity::Role;
using identity::UnitKind;
using testing::ClientResponse;
using testing::Send;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline std::string Rect(double lon0, double lat0, double lon1, double lat1) {
  return fmt::format(
      R"({{"type":"Polygon","coordinates":[[[{0},{1}],[{2},{1}],[{2},{3}],[{0},{3}],[{0},{1}]]]}})",
      lon0, lat0, lon1, lat1);
}

// Monday 2026-11-23 10:00 +08:00, a working day.
inline constexpr Timestamp kMonday10 = 1'795'399'200'000'000;
inline constexpr const char* kPassword = "secret-pass-1";

class RequestRoutesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(
        t_->db(),
        {&requests::Schema(), &workflow::Schema(), &services::Schema(), &exchange::Schema(),
         &collab::Schema(), &emergency::Schema(), &participation::Schema(), &insight::Schema()},
        0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(t_->db(), clock_, ids_);
    requests_ = std::make_unique<requests::RequestService>(t_->db(), clock_, ids_, *calendar_,
                                                           *identity_, *matters_);

    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市", Rect(120.0, 30.0, 120.2, 30.2));
    centre_ = Unit(city_.id, UnitKind::kCentre, "JL-12345", "12345热线中心", std::nullopt);
    env_ = Unit(city_.id, UnitKind::kDepartment, "JL-D03", "市生态环境局", std::nullopt);
    police_ = Unit(city_.id, UnitKind::kDepartment, "JL-D12", "市公安局", std::nullopt);
    auto district =
        Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区", Rect(120.0, 30.0, 120.2, 30.2));
    street_a_ = Unit(district.id, UnitKind::kStreet, "JL-01-01", "望湖街道",
                     Rect(120.0, 30.0, 120.1, 30.2));
    street_b_ = Unit(district.id, UnitKind::kStreet, "JL-01-02", "柳巷街道",
                     Rect(120.1, 30.0, 120.2, 30.2));
    community_a_ = Unit(street_a_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区",
                        Rect(120.0, 30.0, 120.1, 30.2));
    Unit(community_a_.id, UnitKind::kGrid, "JL-01-01-01-01", "湖畔社区第一网格",
         Rect(120.0, 30.0, 120.1, 30.2));
    auto community_b = Unit(street_b_.id, UnitKind::kCommunity, "JL-01-02-01", "柳岸社区",
                            Rect(120.1, 30.0, 120.2, 30.2));
    Unit(community_b.id, UnitKind::kGrid, "JL-01-02-01-01", "柳岸社区第一网格",
         Rect(120.1, 30.0, 120.2, 30.2));

    auto seeded = matters_->Seed(identity::Principal::System(), Catalogue());
    ASSERT_TRUE(seeded) << seeded.error().message;
    auto catalog = matters_->Snapshot();
    ASSERT_TRUE(catalog);
    stalls_ = (*catalog)->FindByCode("01-01-01")->id;
    fumes_ = (*catalog)->FindByCode("01-01-02")->id;

    Account("op", centre_, Role::kOperator);
    Account("sup", centre_, Role::kSupervisor);
    Account("ha", street_a_, Role::kHandler);
    Account("hb", street_b_, Role::kHandler);
    Account("pol", police_, Role::kHandler);
    Account("res", community_a_, Role::kResident, identity::AccountKind::kResident);
    Account("lead", city_, Role::kLeader);
    Account("adm", city_, Role::kAdmin);
    Account("pdo", police_, Role::kDataOfficer);
    Account("sl", street_a_, Role::kUnitLead);

    // Every route the server registers (app/main.cc), in its order.
    api_ = std::make_unique<Api>(*identity_, t_->db(), clock_, ids_, ApiOptions{});
    RegisterIdentityRoutes(*api_, *identity_);
    RegisterMatterRoutes(*api_, *matters_);
    RegisterRequestRoutes(*api_, *requests_, *matters_);
    RegisterStatsRoutes(*api_, *requests_);
    hotspots_ = std::make_unique<insight::HotspotService>(*requests_);
    RegisterInsightRoutes(*api_, *hotspots_);
    forecasts_ = std::make_unique<insight::ForecastService>(t_->db(), clock_, ids_, *calendar_,
                                                            *requests_, *matters_, *identity_);
    staffing_ = std::make_unique<insight::StaffingService>(t_->db(), clock_, *forecasts_,
                                                           *requests_, *identity_);
    RegisterForecastRoutes(*api_, *forecasts_, *staffing_);
    evaluation_ = std::make_unique<insight::EvaluationService>(t_->db(), clock_, ids_, *requests_);
    RegisterEvaluationRoutes(*api_, *evaluation_);
    reports_ = std::make_unique<insight::ReportService>(t_->db(), clock_, ids_, *requests_,
                                                        *matters_, *hotspots_);
    RegisterReportRoutes(*api_, *reports_);
    RegisterCalendarRoutes(*api_, *calendar_);
    files_ = std::make_unique<files::FileService>(t_->db(), clock_, ids_);
    RegisterFileRoutes(*api_, *files_, *requests_);
    workflow_ = std::make_unique<workflow::WorkflowService>(t_->db(), clock_, ids_, *identity_,
                                                            &*calendar_);
    RegisterWorkflowRoutes(*api_, *workflow_);
    services_ = std::make_unique<services::ServicesService>(t_->db(), clock_, ids_, *identity_,
                                                            *workflow_, *calendar_);
    RegisterServicesRoutes(*api_, *services_);
    exchange_ = std::make_unique<exchange::ExchangeService>(t_->db(), clock_, ids_, *identity_);
    RegisterExchangeRoutes(*api_, *exchange_, "http://127.0.0.1");
    collab_ =
        std::make_unique<collab::CollabService>(t_->db(), clock_, ids_, *calendar_, *identity_);
    collab_requests_ = std::make_unique<TestCollabRequests>(*requests_);
    collab_->SetRequestDirectory(collab_requests_.get());
    RegisterCollabRoutes(*api_, *collab_);
    notify_ = std::make_unique<collab::NotifyService>(t_->db(), clock_, ids_, *identity_,
                                                      exchange::PostRemote);
    RegisterNotifyRoutes(*api_, *notify_);
    crowd_ = std::make_unique<emergency::CrowdReportService>(t_->db(), clock_, ids_, *collab_);
    RegisterCrowdReportRoutes(*api_, *crowd_, *identity_, crowd_limits_);
    incidents_ =
        std::make_unique<emergency::IncidentService>(t_->db(), clock_, ids_, *identity_, *collab_);
    incidents_->SetCrowdLayer([this](std::string_view id) { return crowd_->MapLayer(id); });
    RegisterIncidentRoutes(*api_, *incidents_);
    // Open311 (registered earlier in app/main.cc) serves incidents as services.
    Open311Options open311;
    open311.incidents = incidents_.get();
    open311.crowd_reports = crowd_.get();
    open311.report_limits = open311_limits_;
    RegisterOpen311Routes(*api_, *identity_, *requests_, *matters_, clock_, open311);
    warnings_ = std::make_unique<emergency::WarningService>(t_->db(), clock_, ids_, *requests_,
                                                            &*calendar_);
    RegisterWarningRoutes(*api_, *warnings_);
    reactions_.push_back(std::make_unique<audit::Consumer>(
        t_->db(), clock_, "test",
        audit::ConsumerOptions{.name = "services.applications", .action_prefix = "service."},
        [this](storage::Executor& ex, const audit::Event& e) {
          return services_->OnApplicationEvent(ex, e);
        }));
    reactions_.push_back(std::make_unique<audit::Consumer>(
        t_->db(), clock_, "test",
        audit::ConsumerOptions{.name = "services.workflow", .action_prefix = "workflow."},
        [this](storage::Executor& ex, const audit::Event& e) {
          return services_->OnWorkflowEvent(ex, e);
        }));
    reactions_.push_back(std::make_unique<audit::Consumer>(
        t_->db(), clock_, "test",
        audit::ConsumerOptions{.name = "collab.notify", .action_prefix = "collab."},
        [this](storage::Executor& ex, const audit::Event& e) { return notify_->OnEvent(ex, e); }));
    reactions_.push_back(std::make_unique<audit::Consumer>(
        t_->db(), clock_, "test", emergency::WarningService::ConsumerOptions(),
        [this](storage::Executor& ex, const audit::Event& e) {
          return warnings_->OnEvent(ex, e);
        }));
    reactions_.push_back(std::make_unique<audit::Consumer>(
        t_->db(), clock_, "test", emergency::CrowdReportService::ConsumerOptions(),
        [this](storage::Executor& ex, const audit::Event& e) { return crowd_->OnEvent(ex, e); }));
    deliberation_ = std::make_unique<participation::DeliberationService>(
        t_->db(), clock_, ids_, *identity_, *collab_, *requests_);
    RegisterDeliberationRoutes(*api_, *deliberation_);
    RegisterLiveRoutes(*api_);
    api_->Seal();
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.upload_prefix = kUploadPrefix;
    o.upload_limit = files::kMaxFileBytes + 64 * 1024;
    o.more_uploads = {{std::string(kExchangeImportPrefix), 1 << 20}};
    server_ = std::make_unique<Server>(
        o, [this](Request& r) { return api_->Handle(r); }, upgrade_);
    auto port = server_->Start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
    for (const char* name : {"op", "sup", "ha", "hb", "pol", "res", "lead", "adm", "pdo", "sl"})
      tokens_[name] = LoginAs(name);
  }

  void TearDown() override { server_.reset(); }

  static std::vector<matters::Matter> Catalogue() {
    auto node = [](std::string code, std::string name) {
      matters::Matter m;
      m.code = std::move(code);
      m.name = std::move(name);
      m.name_en = "x";
      return m;
    };
    std::vector<matters::Matter> out = {node("01", "城乡建设"), node("01-01", "市容环境")};
    auto stalls = node("01-01-01", "占道经营");
    stalls.handler = matters::HandlerLevel::kStreet;
    stalls.keywords = {"占道", "摆摊", "小贩"};
    stalls.sign_limit = {2, matters::LimitUnit::kWorkingHours};
    stalls.finish_limit = {7, matters::LimitUnit::kWorkingDays};
    out.push_back(stalls);
    auto fumes = node("01-01-02", "餐饮油烟");
    fumes.handler = matters::HandlerLevel::kCityDepartment;
    fumes.department_code = "JL-D03";
    fumes.keywords = {"油烟", "烧烤"};
    out.push_back(fumes);
    return out;
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code, std::string name,
               std::optional<std::string> geometry) {
    auto r = identity_->CreateUnit(
        identity::Principal::System(),
        {std::move(parent), kind, std::move(code), std::move(name), std::move(geometry)});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  void Account(const std::string& name, const OrgUnit& unit, Role role,
               identity::AccountKind kind = identity::AccountKind::kStaff) {
    const auto sys = identity::Principal::System();
    auto a = identity_->CreateAccount(sys, {"user." + name, "测试" + name, kind, std::nullopt,
                                            kPassword, std::nullopt, std::nullopt});
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_TRUE(identity_->AddMembership(sys, a->id, unit.id, role));
  }

  std::string AccountId(const std::string& name) {
    auto a = identity_->FindAccountByUsername("user." + name);
    return a && *a ? (*a)->id : std::string();
  }

  std::string LoginAs(const std::string& user) {
    auto r = Send(port_, "POST", "/api/v1/auth/login",
                  fmt::format(R"({{"username":"user.{}","password":"{}"}})", user, kPassword),
                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return json::Json::parse(r.body)["token"];
  }

  ClientResponse Post(const std::string& who, const std::string& target, const json::Json& body,
                      Headers h = {}) {
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("Authorization", "Bearer " + tokens_.at(who));
    return Send(port_, "POST", target, body.dump(), h);
  }
  ClientResponse Get(const std::string& who, const std::string& target) {
    return Send(port_, "GET", target, "", {{"Authorization", "Bearer " + tokens_.at(who)}});
  }
  // A command on a request; answers the response.
  ClientResponse Command(const std::string& who, const std::string& id, const std::string& command,
                         const json::Json& body = json::Json::object(), Headers h = {}) {
    return Post(who, "/api/v1/requests/" + id + "/" + command, body, std::move(h));
  }

  // The stalls complaint in other words, as a second caller would put it.
  static json::Json StallsAgain() {
    auto again = Stalls();
    again["text"] = "湖畔社区南门每天晚上有小贩占道摆摊，堵塞了消防通道！！";
    return again;
  }
  static json::Json Stalls() {
    return {{"title", "小区门口占道摆摊"},
            {"text", "湖畔社区南门每天晚上有小贩占道摆摊，堵塞消防通道。"},
            {"place", {{"lat", 30.05}, {"lon", 120.05}, {"address", "湖畔社区南门"}}},
            {"contact", {{"name", "陈女士"}, {"phone", "13800001234"}}},
            {"channel", "phone"}};
  }

  // The operator records a request (dispatched at once unless told otherwise).
  json::Json Submit(json::Json body, bool dispatch = true) {
    body["dispatch"] = dispatch;
    auto r = Post("op", "/api/v1/requests", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::Json::parse(r.body)["request"];
  }

  // Runs the modules' reactions to committed events until none is left,
  // as the server's consumer runner does between requests.
  void React() {
    for (int round = 0; round < 10; ++round) {
      int handled = 0;
      for (auto& r : reactions_) {
        auto n = r->CatchUp();
        ASSERT_TRUE(n) << n.error().message;
        handled += *n;
      }
      if (handled == 0) return;
    }
    FAIL() << "the reactions do not settle";
  }

  static json::Json Body(const ClientResponse& r) { return json::Json::parse(r.body); }
  static std::string Message(const ClientResponse& r) {
    auto j = json::Json::parse(r.body, nullptr, false);
    return j.is_discarded() ? r.body : j["error"]["message"].get<std::string>();
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kMonday10};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<requests::RequestService> requests_;
  std::unique_ptr<insight::HotspotService> hotspots_;
  std::unique_ptr<insight::ForecastService> forecasts_;
  std::unique_ptr<insight::StaffingService> staffing_;
  std::unique_ptr<insight::EvaluationService> evaluation_;
  std::unique_ptr<insight::ReportService> reports_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<workflow::WorkflowService> workflow_;
  std::unique_ptr<services::ServicesService> services_;
  std::unique_ptr<exchange::ExchangeService> exchange_;
  std::unique_ptr<collab::CollabService> collab_;
  std::unique_ptr<collab::NotifyService> notify_;
  std::unique_ptr<emergency::WarningService> warnings_;
  std::unique_ptr<emergency::CrowdReportService> crowd_;
  std::unique_ptr<emergency::IncidentService> incidents_;
  std::unique_ptr<participation::DeliberationService> deliberation_;
  RateLimitOptions crowd_limits_{};    // a derived suite may set it before SetUp()
  RateLimitOptions open311_limits_{};  // the same, for Open311's incident services
  // The app wires RequestService into collab (app/collab_requests.h); the
  // routes' test does the same, one request at a time.
  struct TestCollabRequests final : collab::RequestDirectory {
    explicit TestCollabRequests(requests::RequestService& r) : requests(r) {}
    Result<bool> MayRead(const identity::Principal& actor, std::string_view id) override {
      return requests.Get(actor, id).has_value();
    }
    Result<std::vector<collab::LinkedRequest>> Describe(std::span<const std::string> ids) override {
      std::vector<collab::LinkedRequest> out;
      for (const auto& id : ids)
        if (auto d = requests.Get(identity::Principal::System(), id))
          out.push_back({.id = d->request.id,
                         .number = d->request.number,
                         .title = d->request.title,
                         .status = std::string(requests::StatusName(d->request.status)),
                         .unit_name = d->request.unit_name,
                         .received_at = d->request.received_at});
      return out;
    }
    Result<collab::LinkedRequest> ReplyAsForce(const identity::Principal& actor,
                                               std::string_view request_id,
                                               const collab::ForceReply& reply) override {
      requests::CommandInput in;
      in.command = requests::Command::kReply;
      in.text = reply.text;
      in.attachment_ids = reply.attachment_ids;
      XT_ASSIGN_OR_RETURN(
          auto r, requests.ReplyOnBehalf(
                      actor, request_id, in,
                      {.kind = "taskforce", .id = reply.force_id, .name = reply.force_title}));
      return collab::LinkedRequest{.id = r.id,
                                   .number = r.number,
                                   .title = r.title,
                                   .status = std::string(requests::StatusName(r.status)),
                                   .unit_name = r.unit_name,
                                   .received_at = r.received_at};
    }
    requests::RequestService& requests;
  };
  std::unique_ptr<TestCollabRequests> collab_requests_;
  std::vector<std::unique_ptr<audit::Consumer>> reactions_;
  std::unique_ptr<Api> api_;
  Server::UpgradeHandler upgrade_;  // set by a derived suite before SetUp() to serve WebSockets
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::string> tokens_;
  OrgUnit city_, centre_, env_, police_, street_a_, street_b_, community_a_;
  std::string stalls_, fumes_;
};

}  // namespace xietong::http
