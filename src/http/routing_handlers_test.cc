// The routing model's routes over a real server, on every backend: the month's accuracy per
// model version and the most-mixed categories from what insight.intake recorded (a real
// operator's intake among them), 400 for a missing or bad month, 403 below the root (the
// centre's supervisor, a street's handler); the models' list, retrain and activate with their
// 403/404/409. Every answer conforms to the OpenAPI document.
#include "http/routing_handlers.h"
#include "http/openapi.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

constexpr Timestamp kNov9 = 1'794'189'600'000'000;  // 2026-11-09 10:00 +08:00

class RoutingRoutesTest : public RequestRoutesTest {
 protected:
  void SetUp() override {
    RequestRoutesTest::SetUp();
    if (HasFatalFailure()) return;
    // The shared fixture registers the routes app/main.cc had before this one; the routing
    // route is added here (no request is in flight yet) and the document written again.
    routing_ =
        std::make_unique<insight::RoutingService>(t_->db(), clock_, ids_, *requests_, *matters_);
    RegisterRoutingRoutes(*api_, *routing_);
    api_->Seal();
    intake_ = std::make_unique<audit::Consumer>(
        t_->db(), clock_, "node-1", insight::RoutingService::ConsumerOptions(),
        [this](storage::Executor& ex, const audit::Event& e) { return routing_->OnEvent(ex, e); });
  }

  void Conforms(const std::string& pattern, const ClientResponse& r) {
    const json::Json& d = api_->openapi();
    const auto& op = d["paths"][pattern]["get"];
    const std::string status = std::to_string(r.status);
    ASSERT_TRUE(op["responses"].contains(status)) << pattern << " " << r.body;
    auto body = json::Json::parse(r.body);
    const auto& schema = op["responses"][status]["content"]["application/json"]["schema"];
    auto e = CheckAgainstSchema(body, schema, d["components"]["schemas"]);
    EXPECT_FALSE(e) << pattern << ": " << *e << "\n" << body.dump(2);
  }

  ClientResponse Accuracy(const std::string& who, const std::string& query) {
    auto r = Get(who, "/api/v1/insight/routing/accuracy" + query);
    Conforms("/api/v1/insight/routing/accuracy", r);
    return r;
  }

  // request.received as requests records a classifier's intake.
  void Received(Timestamp at, const std::string& id, const std::string& s1,
                const std::string& chosen, bool auto_routed, const std::string& version) {
    auto r = t_->db().Write([&](storage::Executor& ex) {
      return audit::Append(
          ex, at,
          {"acct-op",
           "request.received",
           id,
           {{"number", id},
            {"channel", "phone"},
            {"matter_id", chosen},
            {"suggested_by", "classifier"},
            {"suggestions", json::Json::array({{{"matter_id", s1}, {"confidence", 0.9}}})},
            {"model_version", version},
            {"auto_routed", auto_routed}}});
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  std::unique_ptr<insight::RoutingService> routing_;
  std::unique_ptr<audit::Consumer> intake_;
};

TEST_P(RoutingRoutesTest, TheMonthsAccuracyPerVersionAndItsErrors) {
  Received(kNov9, "a1", stalls_, stalls_, false, "v1");
  Received(kNov9 + 1, "a2", stalls_, fumes_, false, "v1");  // the operator knew better
  Received(kNov9 + 2, "a3", fumes_, fumes_, true, "v2");
  // A real operator's intake (the matters' keywords suggest: not the model's figures).
  auto body = Stalls();
  body["matter_id"] = stalls_;
  auto filed = Post("op", "/api/v1/requests", body);
  ASSERT_EQ(filed.status, 201) << filed.body;
  auto handled = intake_->CatchUp();
  ASSERT_TRUE(handled) << handled.error().message;

  auto r = Accuracy("lead", "?month=2026-11");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::Json::parse(r.body);
  EXPECT_EQ(j["month"], "2026-11");
  EXPECT_EQ(j["total"]["n"], 3);
  EXPECT_DOUBLE_EQ(j["total"]["top1"].get<double>(), 0.6667);
  ASSERT_EQ(j["versions"].size(), 2u);
  EXPECT_EQ(j["versions"][0]["model_version"], "v1");
  EXPECT_DOUBLE_EQ(j["versions"][0]["override_rate"].get<double>(), 0.5);
  EXPECT_EQ(j["versions"][1]["model_version"], "v2");
  EXPECT_DOUBLE_EQ(j["versions"][1]["auto_routed_accuracy"].get<double>(), 1.0);
  ASSERT_EQ(j["confused"].size(), 1u);
  EXPECT_EQ(j["confused"][0]["suggested_name"], "占道经营");
  EXPECT_EQ(j["confused"][0]["final_name"], "餐饮油烟");
  EXPECT_TRUE(j["confused_level1"].empty());  // both under 城乡建设
  // The administrator too; December has nothing yet.
  auto december = Accuracy("adm", "?month=2026-12");
  ASSERT_EQ(december.status, 200) << december.body;
  EXPECT_EQ(json::Json::parse(december.body)["total"]["n"], 0);

  EXPECT_EQ(Accuracy("lead", "").status, 400);
  EXPECT_EQ(Accuracy("lead", "?month=2026-13").status, 400);
  EXPECT_EQ(Accuracy("lead", "?month=11-2026").status, 400);
  EXPECT_EQ(Accuracy("sup", "?month=2026-11").status, 403);
  EXPECT_EQ(Accuracy("ha", "?month=2026-11").status, 403);
}

// The models' routes without a model: an empty list, retraining refused to a leader (403) and,
// for the administrator, with too little decided history (409); an unknown model 404.
TEST_P(RoutingRoutesTest, ModelsRetrainAndActivateAnswerTheirErrors) {
  const std::string models = "/api/v1/insight/routing/models";
  auto list = Get("lead", models);
  ASSERT_EQ(list.status, 200) << list.body;
  Conforms(models, list);
  EXPECT_TRUE(json::Json::parse(list.body)["items"].empty());
  EXPECT_EQ(Get("ha", models).status, 403);
  EXPECT_EQ(Post("lead", models + "/retrain", json::Json::object()).status, 403);
  auto few = Post("adm", models + "/retrain", json::Json::object());
  EXPECT_EQ(few.status, 409) << few.body;
  EXPECT_EQ(
      Post("adm", models + "/01JD0000000000000000000000/activate", json::Json::object()).status,
      404);
  EXPECT_EQ(
      Post("lead", models + "/01JD0000000000000000000000/activate", json::Json::object()).status,
      403);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoutingRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
