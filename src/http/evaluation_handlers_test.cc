// Targets and 考核 over the real routes, on every backend: the RAG table and its 4xx (bad month
// or kind 400, unknown unit 404, a handler 403), setting targets with versions (409 when stale,
// a unit's own lead 403, nothing stored on a bad row), deleting at If-Match, the evaluation
// live and published with revisions, and the weights (not adding up to 1 → 400). Every answer
// conforms to the OpenAPI document.
#include "http/openapi.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

constexpr Timestamp kNov9 = 1'794'189'600'000'000;  // 2026-11-09 10:00 +08:00

class EvaluationRoutesTest : public RequestRoutesTest {
 protected:
  void SetUp() override {
    RequestRoutesTest::SetUp();
    if (HasFatalFailure()) return;
    // November: 望湖 21 requests all answered well, 柳巷 20 with half unresolved.
    std::vector<requests::Request> rows;
    auto add = [&](const OrgUnit& u, bool resolved) {
      requests::Request r;
      r.external_id = fmt::format("e{}", rows.size());
      r.title = "占道";
      r.text = "摆摊";
      r.status = requests::Status::kClosed;
      r.unit_id = u.id;
      r.unit_path = u.path;
      r.unit_name = u.name;
      r.received_at = r.dispatched_at = kNov9;
      r.signed_at = kNov9 + kMicrosPerHour;
      r.replied_at = kNov9 + kMicrosPerDay;
      r.closed_at = kNov9 + 2 * kMicrosPerDay;
      r.resolved = resolved;
      r.satisfaction =
          resolved ? requests::Satisfaction::kSatisfied : requests::Satisfaction::kDissatisfied;
      rows.push_back(std::move(r));
    };
    for (int i = 0; i < 21; ++i) add(street_a_, true);
    for (int i = 0; i < 20; ++i) add(street_b_, i % 2 == 0);
    auto n = requests_->ImportHistory(identity::Principal::System(), std::move(rows));
    ASSERT_TRUE(n) << n.error().message;
  }

  // The answer is one the document lists for the route, and its JSON conforms.
  void Conforms(const std::string& method, const std::string& pattern, const ClientResponse& r) {
    const json::Json& d = api_->openapi();
    const auto& op = d["paths"][pattern][method];
    const std::string status = std::to_string(r.status);
    ASSERT_TRUE(op["responses"].contains(status)) << method << " " << pattern << " " << r.body;
    if (r.status == 204) return;
    auto body = json::Json::parse(r.body);
    const auto& schema = op["responses"][status]["content"]["application/json"]["schema"];
    auto e = CheckAgainstSchema(body, schema, d["components"]["schemas"]);
    EXPECT_FALSE(e) << method << " " << pattern << ": " << *e << "\n" << body.dump(2);
  }

  ClientResponse Call(const std::string& who, const std::string& method, const std::string& pattern,
                      const std::string& target, const json::Json& body = nullptr, Headers h = {}) {
    h.emplace_back("Authorization", "Bearer " + tokens_.at(who));
    if (!body.is_null()) h.emplace_back("Content-Type", "application/json");
    auto r = Send(port_, method, target, body.is_null() ? "" : body.dump(), h);
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Conforms(lower, pattern, r);
    return r;
  }

  std::int64_t Targets() {
    auto n = t_->db().Read([](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM insight_targets"));
      return row ? row->Int(0) : 0;
    });
    return n.value_or(-1);
  }
};

TEST_P(EvaluationRoutesTest, TargetsRagTableAndTheirErrors) {
  const std::string targets = "/api/v1/insight/targets";
  auto table = Call("lead", "GET", targets, targets + "?month=2026-11");
  ASSERT_EQ(table.status, 200) << table.body;
  auto body = Body(table);
  EXPECT_EQ(body["units"].size(), 4u);  // two streets, two departments
  EXPECT_EQ(Call("lead", "GET", targets, targets + "?month=2026-13").status, 400);
  EXPECT_EQ(Call("lead", "GET", targets, targets + "?kind=grid").status, 400);
  EXPECT_EQ(Call("lead", "GET", targets, targets + "?unit_id=nope").status, 404);
  EXPECT_EQ(Call("ha", "GET", targets, targets).status, 403);
  auto own = Call("sl", "GET", targets, targets + "?month=2026-11&unit_id=" + street_a_.id);
  ASSERT_EQ(own.status, 200) << own.body;
  ASSERT_EQ(Body(own)["units"].size(), 1u);
  EXPECT_EQ(Body(own)["units"][0]["overall"], "green");

  const json::Json one = {{"targets",
                           {{{"unit_id", street_a_.id},
                             {"period", "2026-11"},
                             {"indicator", "resolution_rate"},
                             {"target", 0.9}}}}};
  auto set = Call("lead", "PUT", targets, targets, one);
  ASSERT_EQ(set.status, 200) << set.body;
  const std::string id = Body(set)["items"][0]["id"];
  EXPECT_EQ(Body(set)["items"][0]["version"], 1);
  EXPECT_EQ(Call("lead", "PUT", targets, targets, one).status, 409);  // not new any more
  EXPECT_EQ(Call("sl", "PUT", targets, targets, one).status, 403);    // the unit's own lead
  json::Json unknown = one;
  unknown["targets"][0]["unit_id"] = "nope";
  EXPECT_EQ(Call("lead", "PUT", targets, targets, unknown).status, 404);
  json::Json bad = one;
  bad["targets"].push_back(
      {{"unit_id", street_b_.id}, {"period", "2026-11"}, {"indicator", "speed"}, {"target", 0.9}});
  bad["targets"][0]["version"] = 1;
  EXPECT_EQ(Call("lead", "PUT", targets, targets, bad).status, 400);
  EXPECT_EQ(Call("lead", "PUT", targets, targets, {{"targets", "all"}}).status, 400);
  EXPECT_EQ(Targets(), 1);
  auto after = Body(Call("lead", "GET", targets, targets + "?month=2026-11"));
  for (const auto& u : after["units"]) {
    if (u["unit_id"] == street_a_.id) {
      EXPECT_EQ(u["indicators"][1]["source"], "unit:2026-11");
    }
  }

  const std::string pattern = targets + "/{id}";
  EXPECT_EQ(Call("lead", "DELETE", pattern, targets + "/" + id).status, 400);  // no If-Match
  EXPECT_EQ(
      Call("lead", "DELETE", pattern, targets + "/" + id, nullptr, {{"If-Match", "\"7\""}}).status,
      409);
  EXPECT_EQ(
      Call("lead", "DELETE", pattern, targets + "/" + id, nullptr, {{"If-Match", "\"1\""}}).status,
      204);
  EXPECT_EQ(
      Call("lead", "DELETE", pattern, targets + "/" + id, nullptr, {{"If-Match", "\"1\""}}).status,
      404);
  EXPECT_EQ(Targets(), 0);
}

TEST_P(EvaluationRoutesTest, EvaluationPublishAndWeights) {
  const std::string evaluation = "/api/v1/insight/evaluation";
  auto live = Call("lead", "GET", evaluation, evaluation + "?month=2026-11");
  ASSERT_EQ(live.status, 200) << live.body;
  auto body = Body(live);
  ASSERT_EQ(body["rows"].size(), 2u);
  EXPECT_EQ(body["rows"][0]["unit_id"], street_a_.id);
  EXPECT_EQ(body["rows"][0]["rank"], 1);
  EXPECT_EQ(body["rows"][0]["score"], 100.0);
  EXPECT_TRUE(body["published"].is_null());
  EXPECT_NE(body["formula"].get<std::string>().find("10%×（1 − 超期率）"), std::string::npos);
  EXPECT_EQ(Call("lead", "GET", evaluation, evaluation).status, 400);
  EXPECT_EQ(Call("lead", "GET", evaluation, evaluation + "?month=2026-11&kind=grid").status, 400);
  EXPECT_EQ(Call("lead", "GET", evaluation, evaluation + "?month=2026-11&published=1").status, 404);
  EXPECT_EQ(Call("ha", "GET", evaluation, evaluation + "?month=2026-11").status, 403);
  auto departments = Call("pdo", "GET", evaluation, evaluation + "?month=2026-11&kind=department");
  ASSERT_EQ(departments.status, 200) << departments.body;
  EXPECT_EQ(Body(departments)["rows"].size(), 1u);  // the police's own row only

  const std::string weights = evaluation + "/weights";
  auto w = Call("sl", "GET", weights, weights);
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.Header("etag"), "\"0\"");
  EXPECT_EQ(Body(w)["source"], "default");
  const json::Json even = {{"period", "*"},
                           {"weights",
                            {{"response_rate", 0.25},
                             {"resolution_rate", 0.25},
                             {"satisfaction_rate", 0.25},
                             {"overdue_share", 0.25}}},
                           {"min_dispatched", 20}};
  json::Json uneven = even;
  uneven["weights"]["response_rate"] = 0.5;
  EXPECT_EQ(Call("lead", "PUT", weights, weights, uneven, {{"If-Match", "\"0\""}}).status, 400);
  EXPECT_EQ(Call("lead", "PUT", weights, weights, even).status, 400);  // no If-Match
  EXPECT_EQ(Call("sl", "PUT", weights, weights, even, {{"If-Match", "\"0\""}}).status, 403);
  auto put = Call("lead", "PUT", weights, weights, even, {{"If-Match", "\"0\""}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Header("etag"), "\"1\"");
  EXPECT_EQ(Call("lead", "PUT", weights, weights, even, {{"If-Match", "\"0\""}}).status, 409);

  const std::string publish = evaluation + "/publish";
  EXPECT_EQ(Call("sup", "POST", publish, publish, {{"month", "2026-11"}}).status, 403);
  EXPECT_EQ(Call("lead", "POST", publish, publish, {{"month", "2026-1"}}).status, 400);
  auto first = Call("lead", "POST", publish, publish, {{"month", "2026-11"}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(Body(first)["published"]["revision"], 1);
  EXPECT_EQ(Call("lead", "POST", publish, publish, {{"month", "2026-11"}}).status, 400);
  auto second =
      Call("lead", "POST", publish, publish, {{"month", "2026-11"}, {"reason", "更正数据"}});
  ASSERT_EQ(second.status, 201) << second.body;
  auto snapshot = Call("lead", "GET", evaluation, evaluation + "?month=2026-11&published=1");
  ASSERT_EQ(snapshot.status, 200) << snapshot.body;
  EXPECT_EQ(Body(snapshot)["published"]["revision"], 2);
  EXPECT_EQ(Body(snapshot)["rows"].size(), 2u);
  EXPECT_EQ(Body(snapshot)["weights"]["resolution_rate"], 0.25);
}

INSTANTIATE_TEST_SUITE_P(Backends, EvaluationRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
