// POST /api/v1/insight/whatif over a real socket, on every backend: the city's leader gets the
// baseline and the scenario per week and unit in the documented shape (conforming to the
// OpenAPI document) from the handlers and the open work; wrong types, unknown fields and
// out-of-range sliders are 400 naming the field, an unknown unit or matter 404, a resident or a
// handler 403, a body over the server's limit 413 — and nothing is stored.
#include "http/capacity_handlers.h"

#include "http/openapi.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class CapacityRoutesTest : public RequestRoutesTest {
 protected:
  // The fixture's server has the routes app/main.cc had when it was written; this suite serves
  // the what-if from a second server over the same services (the tokens are the same).
  void SetUp() override {
    RequestRoutesTest::SetUp();
    if (HasFatalFailure()) return;
    capacity_ = std::make_unique<insight::CapacityService>(
        t_->db(), clock_, *calendar_, *forecasts_, *requests_, *matters_, *identity_);
    whatif_api_ = std::make_unique<Api>(*identity_, t_->db(), clock_, ids_, ApiOptions{});
    RegisterCapacityRoutes(*whatif_api_, *capacity_);
    whatif_api_->Seal();
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    whatif_server_ = std::make_unique<Server>(
        o, [this](Request& r) { return whatif_api_->Handle(r); }, upgrade_);
    auto port = whatif_server_->Start();
    ASSERT_TRUE(port) << port.error().message;
    whatif_port_ = *port;
  }
  void TearDown() override {
    whatif_server_.reset();
    RequestRoutesTest::TearDown();
  }

  ClientResponse WhatIf(const std::string& who, const std::string& body) {
    auto r = Send(
        whatif_port_, "POST", "/api/v1/insight/whatif", body,
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_.at(who)}});
    const json::Json& d = whatif_api_->openapi();
    const auto& op = d["paths"]["/api/v1/insight/whatif"]["post"];
    const std::string status = std::to_string(r.status);
    EXPECT_TRUE(op["responses"].contains(status)) << r.status << " " << r.body;
    if (r.status == 200) {
      auto e = CheckAgainstSchema(json::Json::parse(r.body),
                                  op["responses"]["200"]["content"]["application/json"]["schema"],
                                  d["components"]["schemas"]);
      EXPECT_FALSE(e) << *e << "\n" << r.body;
    }
    return r;
  }
  ClientResponse Ask(const std::string& who, const json::Json& body) {
    return WhatIf(who, body.dump());
  }

  std::unique_ptr<insight::CapacityService> capacity_;
  std::unique_ptr<Api> whatif_api_;
  std::unique_ptr<Server> whatif_server_;
  std::uint16_t whatif_port_ = 0;
};

TEST_P(CapacityRoutesTest, TheLeaderSeesBaselineAndScenarioPerWeekAndUnit) {
  Submit(Stalls());  // one open request at 望湖街道, due in 7 working days
  json::Json body = {{"weeks", 3}, {"volume_pct", 20}};
  body["handlers"] = json::Json::array({json::Json{{"unit_id", street_a_.id}, {"delta", 2}}});
  body["limits"] = json::Json::array({json::Json{{"matter_id", stalls_}, {"finish_days", 3}}});
  auto r = Ask("lead", body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = Body(r);
  EXPECT_EQ(j["as_of"], "2026-11-23");
  EXPECT_EQ(j["arrivals_source"], "history");
  EXPECT_TRUE(j["forecast_run_id"].is_null());
  EXPECT_EQ(j["weeks"], json::Json({"2026-11-23", "2026-11-30", "2026-12-07"}));
  EXPECT_EQ(j["total"]["baseline"]["backlog"].size(), 3u);
  EXPECT_EQ(j["total"]["scenario"]["new_overdue"].size(), 3u);
  EXPECT_NE(j["basis"].get<std::string>().find("EDF"), std::string::npos);
  // The three units with handler accounts (both streets, the police bureau).
  ASSERT_EQ(j["units"].size(), 3u);
  bool seen = false;
  for (const auto& u : j["units"]) {
    if (u["unit_id"] != street_a_.id) continue;
    seen = true;
    EXPECT_EQ(u["unit_name"], "望湖街道");
    EXPECT_EQ(u["handlers"], 1);
    EXPECT_EQ(u["scenario_handlers"], 3);
    EXPECT_GT(u["per_handler_per_day"].get<double>(), 0);
    EXPECT_EQ(u["baseline"]["clears_in_days"], 0);  // one request: under a day's work
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(WhatIf("sup", "{}").status, 200);
  EXPECT_EQ(Ask("lead", json::Json{{"unit_id", street_a_.id}}).status, 200);
}

TEST_P(CapacityRoutesTest, BadInputIsAClear4xx) {
  auto expect = [&](const std::string& body, int status, std::string_view field = "") {
    auto r = WhatIf("lead", body);
    EXPECT_EQ(r.status, status) << body << " → " << r.body;
    if (!field.empty()) {
      EXPECT_EQ(Body(r)["error"]["field"], field) << body << " → " << r.body;
    }
  };
  expect("{\"weeks\": ", 400);
  expect("[1, 2]", 400);
  expect(R"({"weeks": "6"})", 400, "weeks");
  expect(R"({"weeks": 2.5})", 400, "weeks");
  expect(R"({"weeks": 0})", 400, "weeks");
  expect(R"({"weeks": 9})", 400, "weeks");
  expect(R"({"weeks": 99999999999})", 400, "weeks");
  expect(R"({"volume_pct": "20%"})", 400, "volume_pct");
  expect(R"({"volume_pct": 101})", 400, "volume_pct");
  expect(R"({"volume_pct": -50.5})", 400, "volume_pct");
  expect(R"({"unit_id": 7})", 400, "unit_id");
  expect(R"({"volume_category_id": ")" + stalls_ + "\"}", 400, "volume_category_id");
  expect(R"({"handlers": {"a": 1}})", 400, "handlers");
  expect(R"({"handlers": [{"unit_id": ")" + street_a_.id + "\"}]}", 400, "handlers");
  expect(R"({"handlers": [{"unit_id": ")" + street_a_.id + R"(", "delta": 1.5}]})", 400,
         "handlers.delta");
  expect(R"({"handlers": [{"unit_id": ")" + street_a_.id + R"(", "delta": 101}]})", 400,
         "handlers");
  expect(R"({"handlers": [{"unit_id": ")" + street_a_.id + R"(", "delta": 1, "x": 1}]})", 400,
         "handlers");
  expect(R"({"limits": [{"matter_id": ")" + stalls_ + R"(", "finish_days": 0}]})", 400, "limits");
  expect(R"({"limits": [{"matter_id": ")" + stalls_ + R"(", "finish_days": "3"}]})", 400,
         "limits.finish_days");
  expect(R"({"limits": [{"matter_id": 5, "finish_days": 3}]})", 400, "limits");
  expect(R"({"weeks": 6, "colour": "red"})", 400, "colour");
  const std::string nobody = "01JD0000000000000000000000";
  expect(R"({"unit_id": ")" + nobody + "\"}", 404, "unit_id");
  expect(R"({"handlers": [{"unit_id": ")" + nobody + R"(", "delta": 1}]})", 404, "handlers");
  expect(R"({"limits": [{"matter_id": ")" + nobody + R"(", "finish_days": 3}]})", 404, "limits");
  expect(R"({"volume_category_id": ")" + nobody + "\"}", 404, "volume_category_id");
  EXPECT_EQ(WhatIf("res", "{}").status, 403);
  EXPECT_EQ(WhatIf("ha", "{}").status, 403);
  EXPECT_EQ(Ask("sl", json::Json{{"unit_id", street_b_.id}}).status, 403);
  EXPECT_EQ(WhatIf("sl", "{}").status, 200);  // a street's lead: their street
  auto big = WhatIf("lead", std::string(1024 * 1024 + 10, ' '));
  EXPECT_EQ(big.status, 413);
  auto no_type = Send(whatif_port_, "POST", "/api/v1/insight/whatif", "{}",
                      {{"Authorization", "Bearer " + tokens_.at("lead")}});
  EXPECT_EQ(no_type.status, 400);
  auto anonymous = Send(whatif_port_, "POST", "/api/v1/insight/whatif", "{}",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(anonymous.status, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, CapacityRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
