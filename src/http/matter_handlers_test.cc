// The matters API over a real socket, on every backend: listing, reading
// with ETags and versions, creating, changing with If-Match, permissions and
// category suggestions.
#include "http/matter_handlers.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "http/api.h"
#include "http/identity_handlers.h"
#include "http/server.h"
#include "http/test_client.h"
#include "storage/testing.h"

namespace xietong::http {
namespace {

using testing::ClientResponse;
using testing::Send;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

class MatterApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&matters::Schema()}, 0));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(t_->db(), clock_, ids_);
    const auto sys = identity::Principal::System();
    auto city = *identity_->CreateUnit(
        sys, {std::nullopt, identity::UnitKind::kCity, "JL", "江澜市", std::nullopt});
    auto district = *identity_->CreateUnit(
        sys, {city.id, identity::UnitKind::kDistrict, "JL-01", "临江区", std::nullopt});
    auto street = *identity_->CreateUnit(
        sys, {district.id, identity::UnitKind::kStreet, "JL-01-01", "望湖街道", std::nullopt});
    for (auto [name, unit, role] :
         {std::tuple{"admin", city.id, identity::Role::kAdmin},
          std::tuple{"district.admin", district.id, identity::Role::kAdmin},
          std::tuple{"lead.a", street.id, identity::Role::kUnitLead}}) {
      ASSERT_TRUE(identity_->CreateAccount(
          sys, {name, std::string("测试") + name, identity::AccountKind::kStaff, std::nullopt,
                "secret-pass-1", unit, role}));
    }
    matters::Matter env, noise, dance, build;
    env.code = "02";
    env.name = "环境保护";
    noise.code = "02-01";
    noise.name = "噪声污染";
    noise.keywords = {"噪音"};
    dance.code = "02-01-01";
    dance.name = "广场舞噪音";
    dance.keywords = {"广场舞", "音响", "跳舞"};
    build.code = "02-01-02";
    build.name = "施工噪音";
    build.handler = matters::HandlerLevel::kDistrictDepartment;
    build.department_code = "D02";
    build.keywords = {"施工", "工地"};
    auto seeded = matters_->Seed(sys, {env, noise, dance, build});
    ASSERT_TRUE(seeded) << seeded.error().message;
    auto catalog = *matters_->Snapshot();
    dance_id_ = catalog->FindByCode("02-01-01")->id;
    noise_id_ = catalog->FindByCode("02-01")->id;

    api_ = std::make_unique<Api>(*identity_, t_->db(), clock_, ids_, ApiOptions{});
    RegisterIdentityRoutes(*api_, *identity_);
    RegisterMatterRoutes(*api_, *matters_);
    api_->Seal();
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<Server>(o, [this](Request& r) { return api_->Handle(r); });
    auto port = server_->Start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
    admin_ = Login("admin");
  }

  void TearDown() override { server_.reset(); }

  Headers Login(const std::string& user) {
    auto r = Send(port_, "POST", "/api/v1/auth/login",
                  fmt::format(R"({{"username":"{}","password":"secret-pass-1"}})", user),
                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return {{"Authorization", "Bearer " + json::Json::parse(r.body)["token"].get<std::string>()}};
  }

  ClientResponse Get(const std::string& target, const Headers& who) {
    return Send(port_, "GET", target, "", who);
  }
  ClientResponse Write(const std::string& method, const std::string& target,
                       const std::string& body, Headers who) {
    who.emplace_back("Content-Type", "application/json");
    return Send(port_, method, target, body, who);
  }

  static json::Json Body(const ClientResponse& r) { return json::Json::parse(r.body); }
  static std::string MessageOf(const ClientResponse& r) {
    return Body(r)["error"]["message"].get<std::string>();
  }

  ManualClock clock_{1'790'000'000'000'000};
  IdGenerator ids_{clock_};
  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  Headers admin_;
  std::string dance_id_, noise_id_;
};

TEST_P(MatterApiTest, ListsTheTreeByCodeWithFilters) {
  auto all = Get("/api/v1/matters", admin_);
  ASSERT_EQ(all.status, 200) << all.body;
  auto items = Body(all)["items"];
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0]["code"], "02");
  EXPECT_EQ(items[3]["code"], "02-01-02");
  EXPECT_FALSE(items[0].contains("handler"));  // categories carry no leaf rules
  EXPECT_EQ(items[3]["handler"], "district_department");
  EXPECT_EQ(items[3]["department_code"], "D02");
  EXPECT_EQ(items[3]["finish_limit"], json::Json({{"amount", 7}, {"unit", "working_days"}}));
  EXPECT_EQ(items[3]["parent_id"], noise_id_);

  auto leaves = Get("/api/v1/matters?leaves=true", admin_);
  EXPECT_EQ(Body(leaves)["items"].size(), 2u);
  // Switching the category off takes its leaves out of effect.
  auto off = Write("PATCH", "/api/v1/matters/" + noise_id_, R"({"active":false})", [&] {
    Headers h = admin_;
    h.emplace_back("If-Match", "\"1\"");
    return h;
  }());
  ASSERT_EQ(off.status, 200) << off.body;
  auto in_effect = Get("/api/v1/matters?active=true", admin_);
  ASSERT_EQ(Body(in_effect)["items"].size(), 1u);
  EXPECT_EQ(Body(in_effect)["items"][0]["code"], "02");
  auto bad = Get("/api/v1/matters?leaves=yes", admin_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(MessageOf(bad).find("'leaves'"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/matters", {}).status, 401);
  // Any signed-in staff may read the list.
  EXPECT_EQ(Get("/api/v1/matters", Login("lead.a")).status, 200);
}

TEST_P(MatterApiTest, GetHasAnETagAndVersionsStayReadable) {
  auto one = Get("/api/v1/matters/" + dance_id_, admin_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Header("etag"), "\"1\"");
  EXPECT_EQ(Body(one)["name"], "广场舞噪音");
  EXPECT_EQ(Body(one)["updated_at"], FormatRfc3339(clock_.Now()));

  Headers h = admin_;
  h.emplace_back("If-Match", one.Header("etag"));
  auto changed = Write("PATCH", "/api/v1/matters/" + dance_id_,
                       R"({"tier":"urgent","finish_limit":{"amount":24,"unit":"natural_hours"},)"
                       R"("keywords":["广场舞","音响"]})",
                       h);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Header("etag"), "\"2\"");
  EXPECT_EQ(Body(changed)["tier"], "urgent");
  EXPECT_EQ(Body(changed)["keywords"].size(), 2u);

  auto stale = Write("PATCH", "/api/v1/matters/" + dance_id_, R"({"name":"跳舞"})", h);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(Body(stale)["error"]["code"], "conflict");
  auto no_if_match = Write("PATCH", "/api/v1/matters/" + dance_id_, R"({"name":"跳舞"})", admin_);
  EXPECT_EQ(no_if_match.status, 400);
  EXPECT_NE(MessageOf(no_if_match).find("If-Match"), std::string::npos);

  auto versions = Get("/api/v1/matters/" + dance_id_ + "/versions", admin_);
  ASSERT_EQ(versions.status, 200);
  ASSERT_EQ(Body(versions)["items"].size(), 2u);
  EXPECT_EQ(Body(versions)["items"][0]["version"], 2);
  auto v1 = Get("/api/v1/matters/" + dance_id_ + "/versions/1", admin_);
  ASSERT_EQ(v1.status, 200);
  EXPECT_EQ(Body(v1)["tier"], "general");
  EXPECT_EQ(Body(v1)["finish_limit"]["unit"], "working_days");
  EXPECT_EQ(Get("/api/v1/matters/" + dance_id_ + "/versions/9", admin_).status, 404);
  EXPECT_EQ(Get("/api/v1/matters/" + dance_id_ + "/versions/x", admin_).status, 400);
  EXPECT_EQ(Get("/api/v1/matters/01ARZ3NDEKTSV4RRFFQ69G5FAV", admin_).status, 404);
}

TEST_P(MatterApiTest, CreateIs201AndBadInputNamesTheField) {
  auto created = Write("POST", "/api/v1/matters",
                       fmt::format(R"({{"parent_id":"{}","code":"02-01-03","name":"商业噪声",)"
                                   R"("name_en":"Shop noise","handler":"city_department",)"
                                   R"("department_code":"JL-D03","tier":"complex",)"
                                   R"("sign_limit":{{"amount":4,"unit":"working_hours"}},)"
                                   R"("legal_basis":"《中华人民共和国噪声污染防治法》",)"
                                   R"("keywords":["商铺","喇叭"]}})",
                                   noise_id_),
                       admin_);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("etag"), "\"1\"");
  auto j = Body(created);
  EXPECT_EQ(j["level"], 3);
  EXPECT_EQ(j["tier"], "complex");
  // The finish limit defaults to the tier's.
  EXPECT_EQ(j["finish_limit"], json::Json({{"amount", 15}, {"unit", "working_days"}}));
  EXPECT_EQ(j["sign_limit"]["amount"], 4);

  struct Case {
    std::string body;
    std::string names;
  };
  const std::string parent = fmt::format(R"("parent_id":"{}")", noise_id_);
  const Case cases[] = {
      {fmt::format(R"({{{},"code":"02-01-04"}})", parent), "field 'name' is required"},
      {fmt::format(R"({{{},"code":"02-01-04","name":"x","tier":"soon"}})", parent), "'tier'"},
      {fmt::format(R"({{{},"code":"02-01-04","name":"x","handler":"grid"}})", parent), "'handler'"},
      {fmt::format(
           R"({{{},"code":"02-01-04","name":"x","sign_limit":{{"amount":2,"unit":"days"}}}})",
           parent),
       "'sign_limit.unit'"},
      {fmt::format(R"({{{},"code":"02-01-04","name":"x","return_window":{{"amount":0,)"
                   R"("unit":"working_hours"}}}})",
                   parent),
       "'return_window.amount'"},
      {fmt::format(R"({{{},"code":"02-01-04","name":"x","handler":"city_department"}})", parent),
       "'department_code'"},
      {fmt::format(R"({{{},"code":"2-1-4","name":"x"}})", parent), "'code'"},
      {fmt::format(R"({{{},"code":"02-01-04","name":"x","keywords":"噪音"}})", parent),
       "'keywords'"},
      {fmt::format(R"({{{},"code":"02-01-04","name":"x","level":3}})", parent), "'level'"},
  };
  for (const auto& c : cases) {
    auto r = Write("POST", "/api/v1/matters", c.body, admin_);
    EXPECT_EQ(r.status, 400) << c.body << " → " << r.body;
    EXPECT_NE(MessageOf(r).find(c.names), std::string::npos) << MessageOf(r);
  }
  auto duplicate = Write(
      "POST", "/api/v1/matters",
      fmt::format(R"({{"parent_id":"{}","code":"02-01-01","name":"又一个"}})", noise_id_), admin_);
  EXPECT_EQ(duplicate.status, 409);
}

TEST_P(MatterApiTest, OnlyACityWideAdminMayChangeMatters) {
  const std::string body = R"({"code":"09","name":"公安政法"})";
  for (const char* user : {"lead.a", "district.admin"}) {
    Headers who = Login(user);
    auto create = Write("POST", "/api/v1/matters", body, who);
    EXPECT_EQ(create.status, 403) << user;
    EXPECT_EQ(Body(create)["error"]["code"], "permission_denied");
    who.emplace_back("If-Match", "\"1\"");
    EXPECT_EQ(Write("PATCH", "/api/v1/matters/" + dance_id_, R"({"name":"x"})", who).status, 403);
  }
  EXPECT_EQ(Write("POST", "/api/v1/matters", body, admin_).status, 201);
}

TEST_P(MatterApiTest, SuggestsCategoriesForAText) {
  auto r = Get("/api/v1/matters/suggest?text=" + UrlEncode("晚上楼下广场舞音响太响，跳舞跳到十点") +
                   "&limit=1",
               Login("lead.a"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = Body(r)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["matter"]["name"], "广场舞噪音");
  EXPECT_GT(items[0]["confidence"].get<double>(), 0.5);
  EXPECT_LT(items[0]["confidence"].get<double>(), 1.0);

  auto both = Get("/api/v1/matters/suggest?text=" + UrlEncode("广场舞和施工"), admin_);
  EXPECT_EQ(Body(both)["items"].size(), 2u);
  auto none = Get("/api/v1/matters/suggest?text=" + UrlEncode("天气很好"), admin_);
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(Body(none)["items"].empty());
  auto no_text = Get("/api/v1/matters/suggest", admin_);
  EXPECT_EQ(no_text.status, 400);
  EXPECT_NE(MessageOf(no_text).find("'text'"), std::string::npos);
  auto bad_limit = Get("/api/v1/matters/suggest?text=x&limit=50", admin_);
  EXPECT_EQ(bad_limit.status, 400);
  EXPECT_NE(MessageOf(bad_limit).find("'limit'"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, MatterApiTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
