// A request handed to a task force is answered from it, over the real routes
// on every backend: the force's lead replies to the resident although the
// request stays with its handling unit; the request's event names the force,
// the force's channel is told; a member who is not the lead, a request not
// handed to the force, a second reply and a dissolved force are refused with
// nothing changed.
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class ForceRequestsTest : public RequestRoutesTest {
 protected:
  // The city's leader forms a force over the request (lead), with the police
  // handler as a member and street A's lead as liaison.
  std::string FormForce(const std::string& request_id) {
    json::Json in = {{"title", "湖畔社区占道经营整治专班"},
                     {"subject_kind", "request"},
                     {"subject_id", request_id},
                     {"goal", "两周内消除南门占道经营"},
                     {"deadline", "2026-12-23T17:30:00+08:00"},
                     {"members",
                      {{{"account_id", AccountId("pol")}, {"role", "member"}},
                       {{"account_id", AccountId("sl")}, {"role", "liaison"}}}},
                     {"request_ids", {request_id}}};
    auto r = Post("lead", "/api/v1/taskforces", in);
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }
  ClientResponse Reply(const std::string& who, const std::string& force, const std::string& request,
                       const std::string& text) {
    return Post(who, "/api/v1/taskforces/" + force + "/requests/" + request + "/reply",
                {{"text", text}});
  }
  json::Json RequestOf(const std::string& id) {
    auto r = Get("op", "/api/v1/requests/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["request"];
  }
};

TEST_P(ForceRequestsTest, TheForcesLeadRepliesInItsNameAndOthersCannot) {
  const std::string id = Submit(Stalls())["id"];
  ASSERT_EQ(Command("ha", id, "sign").status, 200);
  const std::string force = FormForce(id);
  ASSERT_FALSE(force.empty());
  const std::string other = Submit(StallsAgain())["id"];
  const std::string answer = "专班已联合城管、派出所清理南门占道摊位，并设置夜间巡查点。";

  // Refused, nothing changed: a member who is not the lead, the liaison, an
  // unlinked request, an unknown force, bad bodies.
  EXPECT_EQ(Reply("pol", force, id, answer).status, 403);
  EXPECT_EQ(Reply("sl", force, id, answer).status, 403);
  EXPECT_EQ(Reply("hb", force, id, answer).status, 404) << "not a member: the force is not there";
  EXPECT_EQ(Reply("lead", force, other, answer).status, 404) << "not handed to the force";
  EXPECT_EQ(Reply("lead", "01JZZZZZZZZZZZZZZZZZZZZZZZ", id, answer).status, 404);
  EXPECT_EQ(
      Post("lead", "/api/v1/taskforces/" + force + "/requests/" + id + "/reply", {{"text", 42}})
          .status,
      400);
  EXPECT_EQ(Reply("lead", force, id, "").status, 400);
  EXPECT_EQ(RequestOf(id)["status"], "signed");

  // The lead answers: the request is replied with that text, still the street's.
  auto replied = Reply("lead", force, id, answer);
  ASSERT_EQ(replied.status, 200) << replied.body;
  EXPECT_EQ(Body(replied)["status"], "replied");
  const json::Json r = RequestOf(id);
  EXPECT_EQ(r["status"], "replied");
  EXPECT_EQ(r["reply"], answer);
  EXPECT_EQ(r["unit_id"], street_a_.id);
  // Its event names the lead and the force.
  auto timeline = Get("op", "/api/v1/requests/" + id + "/timeline");
  ASSERT_EQ(timeline.status, 200);
  int from_force = 0;
  const json::Json events = Body(timeline)["items"];
  for (const auto& e : events)
    if (e["action"] == "request.replied") {
      EXPECT_EQ(e["actor"], AccountId("lead"));
      EXPECT_EQ(e["payload"]["on_behalf_of"]["kind"], "taskforce");
      EXPECT_EQ(e["payload"]["on_behalf_of"]["id"], force);
      EXPECT_EQ(e["payload"]["on_behalf_of"]["name"], "湖畔社区占道经营整治专班");
      ++from_force;
    }
  EXPECT_EQ(from_force, 1);
  // The members read in their channel what was answered.
  auto detail = Get("pol", "/api/v1/taskforces/" + force);
  ASSERT_EQ(detail.status, 200);
  const std::string channel = Body(detail)["channel_id"];
  auto said = Get("pol", "/api/v1/channels/" + channel + "/messages");
  ASSERT_EQ(said.status, 200);
  bool told = false;
  const json::Json messages = Body(said)["items"];
  for (const auto& m : messages)
    told = told ||
           m["text"].get<std::string>().find(r["number"].get<std::string>()) != std::string::npos;
  EXPECT_TRUE(told) << said.body;

  // A second reply: the request's own rules refuse it.
  EXPECT_EQ(Reply("lead", force, id, answer).status, 409);
}

TEST_P(ForceRequestsTest, ADissolvedForceRepliesToNothing) {
  const std::string id = Submit(Stalls())["id"];
  ASSERT_EQ(Command("ha", id, "sign").status, 200);
  const std::string force = FormForce(id);
  ASSERT_EQ(Post("lead", "/api/v1/taskforces/" + force + "/dissolve", {{"summary", "转常态化管理"}})
                .status,
            200);
  EXPECT_EQ(Reply("lead", force, id, "已处理").status, 409);
  EXPECT_EQ(RequestOf(id)["status"], "signed");
  // The handling unit still replies itself.
  EXPECT_EQ(Command("ha", id, "reply", {{"text", "街道已处理"}}).status, 200);
}

// Volunteer hours over the routes (issue 18): the force's lead confirms a resident's minutes on
// a task; a member who is not the lead, a staff volunteer, bad minutes or day and a second
// confirmation of the same day are refused, and nothing is stored for them.
TEST_P(ForceRequestsTest, TheLeadConfirmsAResidentsVolunteerHoursOnce) {
  const std::string id = Submit(Stalls())["id"];
  const std::string force = FormForce(id);
  ASSERT_FALSE(force.empty());
  auto task = Post(
      "lead", "/api/v1/taskforces/" + force + "/tasks",
      {{"title", "南门夜间巡查"}, {"owner_account_id", AccountId("pol")}, {"deadline_days", 5}});
  ASSERT_EQ(task.status, 201) << task.body;
  const std::string hours =
      "/api/v1/tasks/" + Body(task)["id"].get<std::string>() + "/volunteer-hours";
  const json::Json in = {{"volunteer_account_id", AccountId("res")},
                         {"day", "2026-11-22"},
                         {"minutes", 90},
                         {"note", "协助劝离摊贩"}};
  EXPECT_EQ(Post("pol", hours, in).status, 403);
  json::Json staff = in;
  staff["volunteer_account_id"] = AccountId("sl");
  auto not_resident = Post("lead", hours, staff);
  EXPECT_EQ(not_resident.status, 400);
  EXPECT_NE(not_resident.body.find("not_resident"), std::string::npos) << not_resident.body;
  json::Json bad = in;
  bad["minutes"] = 50;
  EXPECT_EQ(Post("lead", hours, bad).status, 400);
  bad = in;
  bad["day"] = "2026-11-24";
  EXPECT_EQ(Post("lead", hours, bad).status, 400);
  auto listed = Get("lead", hours);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(Body(listed)["items"].empty());

  auto ok = Post("lead", hours, in);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(Body(ok)["minutes"], 90);
  EXPECT_EQ(Body(ok)["volunteer_id"], AccountId("res"));
  auto twice = Post("lead", hours, in);
  EXPECT_EQ(twice.status, 409);
  EXPECT_NE(twice.body.find("already_confirmed"), std::string::npos) << twice.body;
  listed = Get("pol", hours);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed)["items"].size(), 1u);
  EXPECT_EQ(Get("hb", hours).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, ForceRequestsTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
