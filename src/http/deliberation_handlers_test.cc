// 议事厅 over the real routes, on every backend: a resident proposes (an
// Idempotency-Key answers the first proposal; bad bodies are 400 naming the
// field with nothing stored; staff are 403 not_resident); a neighbour
// supports once (409 already_supported, own_proposal); the detail shows my
// support; staff list supporters and hide (then 404 for residents);
// comments; the agenda; a meeting scheduled from qualified proposals and
// recorded with a decision per item; a recorded meeting is not cancelled.
#include <fmt/ranges.h>

#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class DeliberationRoutesTest : public RequestRoutesTest {
 protected:
  void SetUp() override {
    RequestRoutesTest::SetUp();
    if (HasFatalFailure()) return;
    Account("res2", community_a_, Role::kResident, identity::AccountKind::kResident);
    tokens_["res2"] = LoginAs("res2");
  }

  json::Json NewProposal(std::string title = "三号楼加装扶手") {
    return {{"title", std::move(title)},
            {"text", "三号楼楼梯没有扶手，老人上下不便。"},
            {"place", {{"address", "湖畔社区3号楼"}, {"lat", 30.25}, {"lng", 120.16}}},
            {"cost_fen", 350000}};
  }

  std::string Propose(std::string title = "三号楼加装扶手") {
    auto r = Post("res", "/api/v1/proposals", NewProposal(std::move(title)));
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r)["id"];
  }

  // Qualifies a proposal with supports from residents of its community
  // (through the service: the route is tested once above).
  void Qualify(const std::string& id) {
    for (int i = 0; i < 10; ++i) {
      identity::Principal p;
      p.account_id = fmt::format("fan{}-{}", i, id);
      p.kind = identity::AccountKind::kResident;
      p.memberships.push_back({"m", p.account_id, community_a_.id, community_a_.name,
                               community_a_.path, Role::kResident});
      auto r = deliberation_->Support(p, id);
      ASSERT_TRUE(r) << r.error().message;
    }
  }

  std::int64_t Proposals() {
    auto n = t_->db().Read([](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM deliberation_proposals"));
      return row ? row->Int(0) : 0;
    });
    return n.value_or(-1);
  }
};

TEST_P(DeliberationRoutesTest, ProposeSupportDiscussHide) {
  auto first = Post("res", "/api/v1/proposals", NewProposal(), {{"Idempotency-Key", "p-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const auto p = Body(first);
  EXPECT_EQ(p["community_id"], community_a_.id);
  EXPECT_EQ(p["status"], "collecting");
  EXPECT_EQ(p["threshold"], 10);
  EXPECT_EQ(p["place"]["lat"], 30.25);
  const std::string id = p["id"];
  auto again = Post("res", "/api/v1/proposals", NewProposal(), {{"Idempotency-Key", "p-1"}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(Body(again)["id"], id);

  auto no_title = NewProposal();
  no_title.erase("title");
  auto bad = Post("res", "/api/v1/proposals", no_title);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Body(bad)["error"]["field"], "title");
  auto wrong_cost = NewProposal();
  wrong_cost["cost_fen"] = "三百元";
  EXPECT_EQ(Post("res", "/api/v1/proposals", wrong_cost).status, 400);
  auto no_place = NewProposal();
  no_place.erase("place");
  EXPECT_EQ(Body(Post("res", "/api/v1/proposals", no_place))["error"]["field"], "place");
  auto staff = Post("sl", "/api/v1/proposals", [&] {
    auto b = NewProposal();
    b["community_id"] = community_a_.id;
    return b;
  }());
  EXPECT_EQ(staff.status, 403) << staff.body;
  EXPECT_EQ(Body(staff)["error"]["reason"], "not_resident");
  EXPECT_EQ(Proposals(), 1);

  const std::string base = "/api/v1/proposals/" + id;
  auto support = Post("res2", base + "/support", json::Json::object());
  ASSERT_EQ(support.status, 200) << support.body;
  EXPECT_EQ(Body(support)["supports"], 1);
  EXPECT_EQ(Body(support)["qualified"], false);
  auto twice = Post("res2", base + "/support", json::Json::object());
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(Body(twice)["error"]["reason"], "already_supported");
  EXPECT_EQ(Body(Post("res", base + "/support", json::Json::object()))["error"]["reason"],
            "own_proposal");
  EXPECT_EQ(Post("ha", base + "/support", json::Json::object()).status, 403);

  auto detail = Get("res2", base);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(Body(detail)["my_support"], true);
  EXPECT_EQ(Body(detail)["can_support"], false);
  EXPECT_EQ(Body(detail)["supports"], 1);
  auto list = Get("res2", "/api/v1/proposals");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Body(list)["items"].size(), 1u);
  auto mine = Get("res2", "/api/v1/proposals?supported_by=me");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Body(mine)["items"].size(), 1u);
  EXPECT_EQ(Get("res2", "/api/v1/proposals?status=open").status, 400);
  EXPECT_EQ(Get("res2", "/api/v1/proposals?limit=0").status, 400);

  auto supporters = Get("sl", base + "/supporters");
  ASSERT_EQ(supporters.status, 200) << supporters.body;
  EXPECT_EQ(Body(supporters)["items"][0]["account_id"], AccountId("res2"));
  EXPECT_EQ(Get("res", base + "/supporters").status, 403);

  auto comment = Post("res2", base + "/comments", {{"text", "支持，早该装了"}});
  ASSERT_EQ(comment.status, 201) << comment.body;
  EXPECT_EQ(Post("res2", base + "/comments", {{"text", ""}}).status, 400);
  auto comments = Get("res", base + "/comments");
  ASSERT_EQ(comments.status, 200) << comments.body;
  EXPECT_EQ(Body(comments)["items"][0]["text"], "支持，早该装了");

  EXPECT_EQ(Post("res2", base + "/withdraw", {{"reason", "不是我的"}}).status, 403);
  EXPECT_EQ(Post("sl", base + "/hide", json::Json::object()).status, 400);
  auto hide = Post("sl", base + "/hide", {{"reason", "与已有提案重复"}});
  ASSERT_EQ(hide.status, 200) << hide.body;
  EXPECT_EQ(Body(hide)["status"], "hidden");
  EXPECT_EQ(Get("res2", base).status, 404);
  EXPECT_EQ(Get("sl", base).status, 200);
}

TEST_P(DeliberationRoutesTest, MeetingFromTheAgendaIsRecorded) {
  const std::string a = Propose("提案甲");
  const std::string b = Propose("提案乙");
  Qualify(a);
  Qualify(b);
  auto agenda = Get("res2", "/api/v1/agenda");
  ASSERT_EQ(agenda.status, 200) << agenda.body;
  EXPECT_EQ(Body(agenda)["items"].size(), 2u);

  json::Json meeting = {{"community_id", community_a_.id},
                        {"title", "十二月居民议事会"},
                        {"kind", "council"},
                        {"scheduled_at", FormatRfc3339(clock_.Now() + kMicrosPerDay)},
                        {"place", "社区活动室"},
                        {"agenda", {a, b}}};
  auto bad_kind = meeting;
  bad_kind["kind"] = "party";
  EXPECT_EQ(Body(Post("sl", "/api/v1/meetings", bad_kind))["error"]["field"], "kind");
  auto bad_time = meeting;
  bad_time["scheduled_at"] = "明天";
  EXPECT_EQ(Post("sl", "/api/v1/meetings", bad_time).status, 400);
  EXPECT_EQ(Post("res", "/api/v1/meetings", meeting).status, 403);
  auto made = Post("sl", "/api/v1/meetings", meeting);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = Body(made)["id"];
  EXPECT_EQ(Body(Get("res", "/api/v1/proposals/" + a))["status"], "scheduled");
  auto listed = Get("res2", "/api/v1/meetings");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed)["items"].size(), 1u);

  json::Json record = {
      {"attendees", {AccountId("res"), AccountId("res2")}},
      {"minutes", "到会居民2人，逐项表决。"},
      {"decisions",
       {{{"proposal_id", a},
         {"decision", "accepted"},
         {"implement",
          {{"kind", "task"}, {"owner_account_id", AccountId("ha")}, {"deadline_days", 30}}}},
        {{"proposal_id", b}, {"decision", "rejected"}, {"reason", "费用超出年度预算"}}}}};
  auto missing = record;
  missing["decisions"].erase(1);
  auto incomplete = Post("sl", "/api/v1/meetings/" + id + "/record", missing);
  EXPECT_EQ(incomplete.status, 400) << incomplete.body;
  EXPECT_EQ(Body(incomplete)["error"]["reason"], "missing");
  auto recorded = Post("sl", "/api/v1/meetings/" + id + "/record", record);
  ASSERT_EQ(recorded.status, 200) << recorded.body;
  EXPECT_EQ(Body(recorded)["status"], "recorded");
  EXPECT_EQ(Body(recorded)["decisions"].size(), 2u);
  // Accepted as a task: the street's lead carried it out with the record.
  auto pa = Body(Get("res", "/api/v1/proposals/" + a));
  EXPECT_EQ(pa["status"], "implementing");
  EXPECT_EQ(pa["implement"]["kind"], "task");
  ASSERT_TRUE(pa["implementation"].is_object()) << pa.dump();
  EXPECT_EQ(pa["implementation"]["kind"], "task");
  const std::string task_id = pa["implementation"]["task_id"];
  auto retried = Post("sl", "/api/v1/proposals/" + a + "/implementation", json::Json::object());
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(Body(retried)["status"], "implementing");
  EXPECT_EQ(Body(Get("res", "/api/v1/proposals/" + a))["implementation"]["task_id"], task_id);
  EXPECT_EQ(Post("res", "/api/v1/proposals/" + a + "/implementation", json::Json::object()).status,
            403);
  auto rejected = Post("sl", "/api/v1/proposals/" + b + "/implementation", json::Json::object());
  EXPECT_EQ(rejected.status, 409) << rejected.body;
  EXPECT_EQ(Body(rejected)["error"]["reason"], "not_accepted");
  EXPECT_TRUE(Body(Get("res", "/api/v1/proposals/" + b))["implementation"].is_null());
  EXPECT_EQ(Body(Get("res", "/api/v1/proposals/" + b))["decision_reason"], "费用超出年度预算");
  auto shown = Get("res", "/api/v1/meetings/" + id);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(Body(shown)["minutes"], "到会居民2人，逐项表决。");
  auto cancel = Post("sl", "/api/v1/meetings/" + id + "/cancel", {{"reason", "改期"}});
  EXPECT_EQ(cancel.status, 409) << cancel.body;
  EXPECT_EQ(Get("res", "/api/v1/meetings/01JD0000000000000000000000").status, 404);
}

TEST_P(DeliberationRoutesTest, BudgetVoteCloseAndProof) {
  json::Json budget = {{"community_id", community_a_.id},
                       {"title", "湖畔社区微更新"},
                       {"total_fen", 1000000},
                       {"max_choices", 2},
                       {"voting_opens", FormatRfc3339(clock_.Now())},
                       {"voting_closes", FormatRfc3339(clock_.Now() + kMicrosPerHour)}};
  EXPECT_EQ(Post("res", "/api/v1/budgets", budget).status, 403);
  auto no_total = budget;
  no_total.erase("total_fen");
  auto bad = Post("sl", "/api/v1/budgets", no_total);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Body(bad)["error"]["field"], "total_fen");
  auto bad_time = budget;
  bad_time["voting_closes"] = "下周";
  EXPECT_EQ(Post("sl", "/api/v1/budgets", bad_time).status, 400);
  auto made = Post("sl", "/api/v1/budgets", budget);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = Body(made)["id"];
  const std::string one = "/api/v1/budgets/" + id;
  EXPECT_EQ(Post("sl", one + "/open", json::Json::object()).status, 409);  // no projects
  std::vector<std::string> pids;
  for (auto [title, cost] : {std::pair{"扶手", 600000}, std::pair{"路灯", 300000}}) {
    auto p = Post("sl", one + "/projects", {{"title", title}, {"cost_fen", cost}});
    ASSERT_EQ(p.status, 201) << p.body;
    pids.push_back(Body(p)["id"]);
  }
  EXPECT_EQ(Post("sl", one + "/projects", {{"title", "太贵"}, {"cost_fen", 1000001}}).status, 400);
  auto opened = Post("sl", one + "/open", json::Json::object());
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(Body(opened)["status"], "voting");

  auto over = Post("res", one + "/ballots", {{"project_ids", {pids[0], pids[0]}}});
  EXPECT_EQ(over.status, 400) << over.body;
  auto cast = Post("res", one + "/ballots", {{"project_ids", {pids[1], pids[0]}}});
  ASSERT_EQ(cast.status, 201) << cast.body;
  EXPECT_EQ(Body(cast)["receipt"].get<std::string>().size(), 32u);
  auto twice = Post("res", one + "/ballots", {{"project_ids", {pids[1]}}});
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(Body(twice)["error"]["reason"], "already_voted");
  EXPECT_EQ(Post("sl", one + "/ballots", {{"project_ids", {pids[1]}}}).status, 403);
  auto second = Post("res2", one + "/ballots",
                     {{"project_ids", {pids[1]}}, {"receipt", "0123456789abcdef0123456789abcdef"}});
  ASSERT_EQ(second.status, 201) << second.body;
  auto mine = Get("res", one + "/my-ballot");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Body(mine)["commitment"], Body(cast)["commitment"]);
  auto detail = Get("res", one);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(Body(detail)["ballots"], 2);
  EXPECT_TRUE(Body(detail)["projects"][0]["votes"].is_null());
  EXPECT_EQ(Get("res", one + "/results").status, 409);

  // Two hours on, within the sessions' 12 hours.
  clock_.Advance(2 * kMicrosPerHour);
  ASSERT_TRUE(deliberation_->RunDue());
  auto results = Get("res2", one + "/results");
  ASSERT_EQ(results.status, 200) << results.body;
  EXPECT_EQ(Body(results)["selected"], json::Json({pids[1], pids[0]}));
  EXPECT_EQ(Body(results)["ballots"].size(), 2u);
  auto proof = Get("res", one + "/proof");
  ASSERT_EQ(proof.status, 200) << proof.body;
  EXPECT_EQ(Body(proof)["check"]["ok"], true) << proof.body;
  EXPECT_EQ(Body(proof)["check"]["casts"], 2);
  // The proof checks offline (what `xietong budgets verify-tally` runs) …
  auto offline = participation::CheckProof(Body(proof));
  ASSERT_TRUE(offline) << offline.error().message;
  EXPECT_TRUE(offline->ok) << fmt::format("{}", fmt::join(offline->problems, "; "));
  EXPECT_EQ(offline->ballots, 2);
  // … and fails when one opened ballot's choices are swapped (its hash no
  // longer holds) or when one is left out (a cast without its ballot).
  auto swapped = Body(proof);
  auto dropped = Body(proof);
  for (std::size_t i = 0; i < swapped["events"].size(); ++i) {
    std::string canonical = swapped["events"][i]["canonical"];
    if (canonical.find("deliberation.ballot.opened") == std::string::npos) continue;
    auto c = json::Json::parse(canonical);
    c["payload"]["choices"] = json::Json::array({pids[0]});
    swapped["events"][i]["canonical"] = audit::Canonical(
        c["seq"], c["at"], c["actor"].get<std::string>(), c["action"].get<std::string>(),
        c["subject"].get<std::string>(), c["payload"].dump());
    dropped["events"].erase(dropped["events"].begin() + static_cast<std::ptrdiff_t>(i));
    break;
  }
  auto bad_swap = participation::CheckProof(swapped);
  ASSERT_TRUE(bad_swap);
  EXPECT_FALSE(bad_swap->ok);
  auto bad_drop = participation::CheckProof(dropped);
  ASSERT_TRUE(bad_drop);
  EXPECT_FALSE(bad_drop->ok);
  EXPECT_FALSE(participation::CheckProof(json::Json::object()));
  auto listed = Get("res", "/api/v1/budgets");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed)["items"][0]["status"], "closed");
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliberationRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace xietong::http
