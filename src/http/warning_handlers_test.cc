// Early warning over the real routes, on every backend: an admin's rule
// raises a warning from two intakes on one street; the list and the detail
// (with its evidence) are seen by that street and the city's supervisors, not
// by another street (404); bad input is 400 with nothing stored, a handler
// may not write rules or dismiss (403), unknown ids are 404, a dismissed
// warning cannot be dismissed or escalated again (409).
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class WarningRoutesTest : public RequestRoutesTest {
 protected:
  ClientResponse Put(const std::string& who, const std::string& target, const json::Json& body) {
    return Send(
        port_, "PUT", target, body.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_.at(who)}});
  }
  ClientResponse Delete(const std::string& who, const std::string& target) {
    return Send(port_, "DELETE", target, "", {{"Authorization", "Bearer " + tokens_.at(who)}});
  }
};

TEST_P(WarningRoutesTest, RuleRaisesAWarningSeenByItsStreetAndSupervisors) {
  const json::Json rule = {{"category", stalls_}, {"threshold", 2}, {"window_hours", 1}};
  // Bad input: nothing stored.
  EXPECT_EQ(Post("adm", "/api/v1/warning-rules",
                 {{"category", stalls_}, {"threshold", "two"}, {"window_hours", 1}})
                .status,
            400);
  EXPECT_EQ(Post("adm", "/api/v1/warning-rules", {{"threshold", 2}, {"window_hours", 1}}).status,
            400);
  EXPECT_EQ(Post("adm", "/api/v1/warning-rules",
                 {{"category", stalls_}, {"threshold", 2}, {"window_hours", 500}})
                .status,
            400);
  EXPECT_EQ(Post("ha", "/api/v1/warning-rules", rule).status, 403);
  EXPECT_EQ(Body(Get("adm", "/api/v1/warning-rules"))["items"].size(), 0u);
  EXPECT_EQ(Get("ha", "/api/v1/warning-rules").status, 403);
  EXPECT_EQ(Put("adm", "/api/v1/warning-rules/nope", rule).status, 404);
  EXPECT_EQ(Delete("adm", "/api/v1/warning-rules/nope").status, 404);

  auto created = Post("adm", "/api/v1/warning-rules", rule);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string rule_id = Body(created)["id"];
  auto changed = Put("adm", "/api/v1/warning-rules/" + rule_id,
                     {{"category", stalls_}, {"threshold", 2}, {"window_hours", 2}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Body(changed)["window_hours"], 2);

  const auto first = Submit(Stalls());
  const auto second = Submit(StallsAgain());
  React();

  auto list = Get("sup", "/api/v1/warnings?status=open");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Body(list)["items"].size(), 1u) << list.body;
  const auto w = Body(list)["items"][0];
  EXPECT_EQ(w["kind"], "rule");
  EXPECT_EQ(w["key"], rule_id);
  EXPECT_EQ(w["status"], "open");
  const std::string id = w["id"];
  EXPECT_EQ(Body(Get("hb", "/api/v1/warnings"))["items"].size(), 0u);
  EXPECT_EQ(Get("sup", "/api/v1/warnings?status=bogus").status, 400);
  EXPECT_EQ(Get("sup", "/api/v1/warnings?limit=x").status, 400);

  auto detail = Get("ha", "/api/v1/warnings/" + id);
  ASSERT_EQ(detail.status, 200) << detail.body;
  const auto evidence = Body(detail)["evidence"];
  ASSERT_EQ(evidence["request_ids"].size(), 2u);
  EXPECT_EQ(evidence["request_ids"][0], first["id"]);
  EXPECT_EQ(evidence["request_ids"][1], second["id"]);
  EXPECT_EQ(evidence["curve"].size(), 24u);
  EXPECT_EQ(Get("hb", "/api/v1/warnings/" + id).status, 404);
  EXPECT_EQ(Get("sup", "/api/v1/warnings/nope").status, 404);

  // Dismiss: 督办 rights, a note, once.
  EXPECT_EQ(Post("ha", "/api/v1/warnings/" + id + "/dismiss", {{"note", "误报"}}).status, 403);
  EXPECT_EQ(Post("hb", "/api/v1/warnings/" + id + "/dismiss", {{"note", "误报"}}).status, 404);
  EXPECT_EQ(Post("sup", "/api/v1/warnings/" + id + "/dismiss", {{"note", 5}}).status, 400);
  EXPECT_EQ(Post("sup", "/api/v1/warnings/nope/dismiss", {{"note", "误报"}}).status, 404);
  EXPECT_EQ(Post("sup", "/api/v1/warnings/" + id + "/escalate", {{"level", "IV"}}).status, 400);
  auto dismissed =
      Post("sup", "/api/v1/warnings/" + id + "/dismiss", {{"note", "同一摊贩重复来电"}});
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  EXPECT_EQ(Body(dismissed)["status"], "dismissed");
  EXPECT_EQ(Post("sup", "/api/v1/warnings/" + id + "/dismiss", {{"note", "again"}}).status, 409);
  EXPECT_EQ(Post("sup", "/api/v1/warnings/" + id + "/escalate", json::Json::object()).status, 409);
  EXPECT_EQ(Body(Get("sup", "/api/v1/warnings?status=dismissed"))["items"].size(), 1u);

  EXPECT_EQ(Delete("adm", "/api/v1/warning-rules/" + rule_id).status, 204);
  EXPECT_EQ(Body(Get("adm", "/api/v1/warning-rules"))["items"].size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WarningRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
