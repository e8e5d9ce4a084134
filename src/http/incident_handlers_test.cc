// Incidents over HTTP on both backends: a street's unit lead opens a level
// IV incident (201, its 指挥部 formed), the area's handler sees it and an
// outsider gets 404; bad input is a clear 400 naming the field with nothing
// stored, a handler opening one 403; the level is raised (403 for a handler,
// 404 unknown, 409 once closed); needs, resources, matches and commitments
// run with an idempotent retry and delivery; the public map carries no
// personal data.
#include "http/openapi.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class IncidentRoutesTest : public RequestRoutesTest {
 protected:
  static json::Json NewIncident() {
    return {{"type", "waterlogging"},
            {"level", "IV"},
            {"title", "湖畔路积水"},
            {"description", "暴雨后湖畔路积水约 40 厘米"},
            {"area",
             {{"polygon", json::Json::parse(Rect(120.0, 30.0, 120.1, 30.2))},
              {"grid_ids", {"JL-01-01-01-01"}}}}};
  }

  std::string Opened() {
    auto r = Post("sl", "/api/v1/incidents", NewIncident());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Body(r)["id"].get<std::string>() : std::string();
  }

  // The answer is one the OpenAPI document lists for the route, and a JSON
  // body conforms to its schema (as openapi_test.cc checks the main routes).
  ClientResponse Checked(const std::string& pattern, const std::string& method,
                         const ClientResponse& r) {
    const json::Json& d = api_->openapi();
    const json::Json& op = d["paths"][pattern][method == "GET" ? "get" : "post"];
    const std::string status = std::to_string(r.status);
    EXPECT_TRUE(op["responses"].contains(status)) << method << " " << pattern << " " << status;
    if (op["responses"].contains(status) && !r.body.empty()) {
      const json::Json& schema = op["responses"][status]["content"]["application/json"]["schema"];
      auto e = CheckAgainstSchema(Body(r), schema, d["components"]["schemas"]);
      EXPECT_FALSE(e) << method << " " << pattern << " " << status << ": " << e.value_or("") << "\n"
                      << r.body;
    }
    return r;
  }

  std::int64_t Count(std::string_view table) {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT COUNT(*) FROM {}", table)));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
  }
};

TEST_P(IncidentRoutesTest, OpenedIncidentIsSeenByItsAreaOnly) {
  auto r = Checked("/api/v1/incidents", "POST", Post("sl", "/api/v1/incidents", NewIncident()));
  ASSERT_EQ(r.status, 201) << r.body;
  const json::Json i = Body(r);
  EXPECT_EQ(i["level"], 4);
  EXPECT_EQ(i["level_zh"], "一般");
  EXPECT_EQ(i["unit_id"], street_a_.id);
  EXPECT_TRUE(i["force_id"].is_string()) << r.body;
  const std::string id = i["id"];

  auto detail = Checked("/api/v1/incidents/{id}", "GET", Get("ha", "/api/v1/incidents/" + id));
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(Body(detail)["timeline"][0]["kind"], "opened");
  EXPECT_EQ(Body(detail)["force_template"]["lead_unit_kind"], "street");
  auto list = Checked("/api/v1/incidents", "GET", Get("ha", "/api/v1/incidents?status=active"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list)["items"].size(), 1u);
  EXPECT_EQ(Get("hb", "/api/v1/incidents/" + id).status, 404);
  EXPECT_EQ(Body(Get("hb", "/api/v1/incidents"))["items"].size(), 0u);
  EXPECT_EQ(Get("ha", "/api/v1/incidents/nope").status, 404);
  EXPECT_EQ(Get("ha", "/api/v1/incidents?status=sleeping").status, 400);
  // The force again: the same one.
  auto again = Checked("/api/v1/incidents/{id}/force", "POST",
                       Post("sl", "/api/v1/incidents/" + id + "/force", json::Json::object()));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again)["force_id"], i["force_id"]);
}

TEST_P(IncidentRoutesTest, BadOpeningsAreClear4xxAndStoreNothing) {
  auto expect = [&](const json::Json& body, int status, std::string_view field,
                    std::string who = "sl") {
    auto r = Checked("/api/v1/incidents", "POST", Post(who, "/api/v1/incidents", body));
    EXPECT_EQ(r.status, status) << r.body;
    if (!field.empty()) {
      EXPECT_EQ(Body(r)["error"]["field"], field) << r.body;
    }
  };
  auto b = NewIncident();
  b["level"] = "V";
  expect(b, 400, "level");
  b = NewIncident();
  b["level"] = "4";
  expect(b, 400, "level");
  b = NewIncident();
  b["title"] = 7;
  expect(b, 400, "title");
  b = NewIncident();
  b["type"] = "meteor";
  expect(b, 400, "type");
  b = NewIncident();
  b.erase("area");
  expect(b, 400, "area");
  b = NewIncident();
  b["area"]["polygon"] = {{"type", "Polygon"}, {"coordinates", {{{120, 30}, {121, 30}}}}};
  expect(b, 400, "area.polygon");
  b = NewIncident();
  b["unit_id"] = "no-such-unit";
  expect(b, 400, "unit_id");
  expect(NewIncident(), 403, "", "ha");
  EXPECT_EQ(Send(port_, "POST", "/api/v1/incidents", NewIncident().dump(),
                 {{"Content-Type", "application/json"}})
                .status,
            401);
  EXPECT_EQ(Count("emergency_incidents"), 0);
  EXPECT_EQ(Count("collab_forces"), 0);
}

TEST_P(IncidentRoutesTest, LevelChangesAndClosing) {
  const std::string id = Opened();
  const std::string base = "/api/v1/incidents/" + id;
  auto up = Checked("/api/v1/incidents/{id}/level", "POST",
                    Post("sl", base + "/level", {{"level", 3}, {"reason", "积水扩大"}}));
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(Body(up)["level_roman"], "III");
  EXPECT_EQ(Post("ha", base + "/level", {{"level", 2}, {"reason", "r"}}).status, 403);
  EXPECT_EQ(Post("hb", base + "/level", {{"level", 2}, {"reason", "r"}}).status, 404);
  EXPECT_EQ(Post("sl", "/api/v1/incidents/nope/level", {{"level", 2}, {"reason", "r"}}).status,
            404);
  EXPECT_EQ(Post("sl", base + "/level", {{"level", 2}}).status, 400);
  EXPECT_EQ(Post("sl", base + "/level", {{"level", 3}, {"reason", "same"}}).status, 400);
  EXPECT_EQ(Count("emergency_level_changes"), 1);
  EXPECT_EQ(Post("sl", base + "/close", json::Json::object()).status, 400);
  auto closed = Checked("/api/v1/incidents/{id}/close", "POST",
                        Post("sl", base + "/close", {{"summary", "积水已排除"}}));
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(Body(closed)["status"], "closed");
  EXPECT_EQ(Post("sl", base + "/level", {{"level", 2}, {"reason", "r"}}).status, 409);
  EXPECT_EQ(
      Post("ha", base + "/needs", {{"kind", "rescue"}, {"title", "t"}, {"place", "p"}}).status,
      409);
  EXPECT_EQ(Count("emergency_level_changes"), 1);
  EXPECT_EQ(Count("emergency_needs"), 0);
}

TEST_P(IncidentRoutesTest, NeedsResourcesCommitmentsAndTheMaps) {
  const std::string id = Opened();
  const std::string base = "/api/v1/incidents/" + id;
  auto need = Checked("/api/v1/incidents/{id}/needs", "POST",
                      Post("ha", base + "/needs",
                           {{"kind", "evacuation"},
                            {"title", "转移被困居民"},
                            {"priority", 1},
                            {"quantity", 30},
                            {"unit_label", "人"},
                            {"place", "湖畔社区 5 幢"},
                            {"location", {{"lat", 30.05}, {"lng", 120.05}}},
                            {"contact_name", "李先生"},
                            {"contact_phone", "13900002222"}}));
  ASSERT_EQ(need.status, 201) << need.body;
  const std::string nid = Body(need)["id"];
  EXPECT_EQ(Post("ha", base + "/needs", {{"kind", "food"}, {"title", "t"}, {"place", "p"}}).status,
            400);
  EXPECT_EQ(
      Post("ha", base + "/needs", {{"kind", "rescue"}, {"title", "t"}, {"quantity", "2"}}).status,
      400);
  EXPECT_EQ(
      Post("hb", base + "/needs", {{"kind", "rescue"}, {"title", "t"}, {"place", "p"}}).status,
      404);
  auto shelter = Checked("/api/v1/incidents/{id}/resources", "POST",
                         Post("ha", base + "/resources",
                              {{"kind", "shelter"},
                               {"name", "湖畔小学"},
                               {"quantity", 20},
                               {"place", "湖畔路 1 号"},
                               {"location", {{"lat", 30.06}, {"lng", 120.05}}},
                               {"contact_phone", "057100000000"}}));
  ASSERT_EQ(shelter.status, 201) << shelter.body;
  const std::string sid = Body(shelter)["id"];
  EXPECT_EQ(
      Post("ha", base + "/resources", {{"kind", "shelter"}, {"name", "x"}, {"quantity", 0}}).status,
      400);
  EXPECT_EQ(Count("emergency_resources"), 1);

  auto matches = Checked("/api/v1/incidents/{id}/needs/{nid}/matches", "GET",
                         Get("sl", base + "/needs/" + nid + "/matches"));
  ASSERT_EQ(matches.status, 200) << matches.body;
  ASSERT_EQ(Body(matches)["items"].size(), 1u);
  EXPECT_EQ(Body(matches)["items"][0]["can_give"], 20);
  EXPECT_EQ(Get("sl", base + "/needs/nope/matches").status, 404);

  const json::Json commit = {{"need_id", nid}, {"resource_id", sid}};
  auto c = Checked("/api/v1/incidents/{id}/commitments", "POST",
                   Post("ha", base + "/commitments", commit, {{"Idempotency-Key", "c-1"}}));
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(Body(c)["quantity"], 20);
  EXPECT_EQ(Body(c)["complete"], false);
  auto retry = Post("ha", base + "/commitments", commit, {{"Idempotency-Key", "c-1"}});
  EXPECT_EQ(Body(retry)["id"], Body(c)["id"]);
  EXPECT_EQ(Count("emergency_commitments"), 1);
  EXPECT_EQ(Post("ha", base + "/commitments", commit).status, 409);  // the shelter is full
  EXPECT_EQ(Post("ha", base + "/commitments", {{"need_id", nid}}).status, 400);
  EXPECT_EQ(Post("ha", base + "/commitments", {{"need_id", "x"}, {"resource_id", sid}}).status,
            404);
  const std::string cid = Body(c)["id"];
  auto delivered =
      Checked("/api/v1/incidents/{id}/commitments/{cid}/deliver", "POST",
              Post("ha", base + "/commitments/" + cid + "/deliver", json::Json::object()));
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  EXPECT_EQ(Body(delivered)["status"], "delivered");
  EXPECT_EQ(Post("ha", base + "/commitments/" + cid + "/deliver", json::Json::object()).status,
            409);
  EXPECT_EQ(Post("ha", base + "/commitments/" + cid + "/cancel", json::Json::object()).status, 409);
  auto board = Checked("/api/v1/incidents/{id}/needs", "GET", Get("sl", base + "/needs"));
  ASSERT_EQ(board.status, 200);
  EXPECT_EQ(Body(board)["items"][0]["delivered"], 20);
  EXPECT_EQ(Body(board)["items"][0]["coverage"], "partial");
  EXPECT_EQ(Body(board)["commitments"].size(), 1u);

  auto map = Checked("/api/v1/incidents/{id}/map", "GET", Get("sl", base + "/map"));
  ASSERT_EQ(map.status, 200) << map.body;
  EXPECT_EQ(Body(map)["type"], "FeatureCollection");
  EXPECT_NE(map.body.find("13900002222"), std::string::npos);
  auto pub = Checked("/api/v1/incidents/{id}/map/public", "GET",
                     Send(port_, "GET", base + "/map/public", "", {}));
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(pub.body.find("13900002222"), std::string::npos);
  EXPECT_EQ(pub.body.find("李先生"), std::string::npos);
  EXPECT_EQ(pub.body.find("057100000000"), std::string::npos);
  EXPECT_EQ(Body(pub)["features"].size(), 3u);  // the area, the need, the shelter
  EXPECT_EQ(Get("hb", base + "/map").status, 404);
  EXPECT_EQ(Send(port_, "GET", "/api/v1/incidents/nope/map/public", "", {}).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, IncidentRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
