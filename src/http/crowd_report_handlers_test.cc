// Crowd reports over HTTP on both backends: a resident posts a need without
// signing in (small answer, no personal data); bad input is a clear 4xx with
// nothing stored (oversized 413, bad UTF-8, wrong types, unknown incident
// 404, closed incident 409); the 429 carries Retry-After; a retry with the
// same Idempotency-Key answers the first report; the incident's responders
// read the queue and verify (a second, different verdict 409, others 403);
// the public view shows verified reports without personal data.
#include "emergency/incident_service.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class CrowdReportRoutesTest : public RequestRoutesTest {
 protected:
  void SetUp() override {
    crowd_limits_ = {.rate_per_second = 0.5, .burst = 12, .max_keys = 1000};
    RequestRoutesTest::SetUp();
    opener_ =
        std::make_unique<emergency::IncidentService>(t_->db(), clock_, ids_, *identity_, *collab_);
    incident_ = Open("文化路积水");
    reports_ = "/api/v1/incidents/" + incident_ + "/reports";
  }

  std::string Open(std::string title) {
    emergency::IncidentInput in;
    in.type = "waterlogging";
    in.level = 4;
    in.title = std::move(title);
    in.area.grid_ids = {"g1"};
    in.unit_id = street_a_.id;
    auto lead = identity_->Authenticate(tokens_.at("sl"));
    EXPECT_TRUE(lead);
    auto i = opener_->Open(*lead, in);
    EXPECT_TRUE(i) << i.error().message;
    return i ? i->id : std::string();
  }

  // Anonymous, from one client address (the test client's).
  ClientResponse Report(const std::string& body, Headers h = {}, std::string target = "") {
    h.emplace_back("Content-Type", "application/json");
    return Send(port_, "POST", target.empty() ? reports_ : target, body, h);
  }
  static json::Json Need() {
    return {{"text", "湖畔社区3号楼困住老人两名，水已到一楼窗台"},
            {"kind", "need"},
            {"need_type", "救援"},
            {"count", 2},
            {"priority", "critical"},
            {"place", {{"lat", 30.051234}, {"lng", 120.054321}, {"address", "湖畔路12号3单元"}}},
            {"contact", {{"name", "王芳"}, {"phone", "13812345678"}}}};
  }
  std::int64_t Stored() {
    auto n = t_->db().Read([](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM emergency_crowd_reports"));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
  }

  std::unique_ptr<emergency::IncidentService> opener_;
  std::string incident_, reports_;
};

TEST_P(CrowdReportRoutesTest, ARefusedReportIsAClear4xxAndStoresNothing) {
  auto expect = [&](const ClientResponse& r, int status, std::string_view field = "") {
    EXPECT_EQ(r.status, status) << r.body;
    if (!field.empty()) {
      EXPECT_EQ(Body(r)["error"]["field"], field) << r.body;
    }
  };
  json::Json big = Need();
  big["text"] = std::string(20000, 'a');
  expect(Report(big.dump()), 413);
  expect(Report("{\"text\": \"\xe6\xb0\xb4\xff\", \"place\": {\"address\": \"x\"}}"), 400);
  expect(Report("{\"text\": "), 400);
  expect(Report("[1, 2]"), 400);
  json::Json wrong = Need();
  wrong["count"] = "two";
  expect(Report(wrong.dump()), 400, "count");
  wrong = Need();
  wrong["place"]["lat"] = "30.05";
  expect(Report(wrong.dump()), 400, "place.lat");
  wrong = Need();
  wrong["need_type"] = "food";
  expect(Report(wrong.dump()), 400, "need_type");
  expect(Report(Need().dump(), {}, "/api/v1/incidents/no-such-incident/reports"), 404);
  const std::string closed = Open("已结束的事件");
  auto lead = identity_->Authenticate(tokens_.at("sl"));
  ASSERT_TRUE(opener_->Close(*lead, closed, "已处置完毕"));
  expect(Report(Need().dump(), {}, "/api/v1/incidents/" + closed + "/reports"), 409);
  EXPECT_EQ(Stored(), 0);
}

TEST_P(CrowdReportRoutesTest, TooManyFromOneAddressIs429WithRetryAfter) {
  int created = 0;
  ClientResponse last;
  for (int i = 0; i < 16; ++i) {
    json::Json b = Need();
    b["text"] = fmt::format("第{}条：积水没过膝盖", i);
    last = Report(b.dump());
    if (last.status == 201) ++created;
    if (last.status == 429) break;
  }
  EXPECT_EQ(created, 12);  // the burst
  ASSERT_EQ(last.status, 429) << last.body;
  EXPECT_EQ(Body(last)["error"]["code"], "too_many_requests");
  ASSERT_TRUE(last.headers.contains("retry-after")) << last.body;
  EXPECT_EQ(last.headers.at("retry-after"), "2");
  EXPECT_EQ(Stored(), 12);
  // A token back two seconds later.
  clock_.Advance(2 * kMicrosPerSecond);
  EXPECT_EQ(Report(Need().dump()).status, 201);
}

TEST_P(CrowdReportRoutesTest, ARetryWithTheSameKeyAnswersTheFirstReport) {
  auto first = Report(Need().dump(), {{"Idempotency-Key", "k-7f3a"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const json::Json receipt = Body(first);
  EXPECT_EQ(receipt["state"], "unverified");
  // Small and with nothing personal in it.
  EXPECT_EQ(first.body.find("13812345678"), std::string::npos);
  EXPECT_EQ(first.body.find("王芳"), std::string::npos);
  auto again = Report(Need().dump(), {{"Idempotency-Key", "k-7f3a"}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(Body(again)["id"], receipt["id"]);
  json::Json other = Need();
  other["count"] = 5;
  EXPECT_EQ(Report(other.dump(), {{"Idempotency-Key", "k-7f3a"}}).status, 409);
  EXPECT_EQ(Stored(), 1);
}

TEST_P(CrowdReportRoutesTest, RespondersVerifyOnceAndThePublicSeesNoPersonalData) {
  auto posted = Report(Need().dump());
  ASSERT_EQ(posted.status, 201);
  const std::string id = Body(posted)["id"];
  json::Json again = Need();
  again["text"] = "湖畔社区3号楼困住老人两名，水已到一楼窗台！！！";
  auto copy = Report(again.dump());
  ASSERT_EQ(copy.status, 201);
  React();  // the duplicate reaction marks the copy a candidate

  // Others: 403 for the queue and the verdict.
  EXPECT_EQ(Get("hb", reports_).status, 403);
  EXPECT_EQ(Get("res", reports_).status, 403);
  EXPECT_EQ(Send(port_, "GET", reports_, "", {}).status, 401);
  EXPECT_EQ(Post("hb", reports_ + "/" + id + "/verify", {{"verdict", "verified"}}).status, 403);

  auto queue = Get("ha", reports_ + "?state=unverified&limit=1");
  ASSERT_EQ(queue.status, 200) << queue.body;
  ASSERT_EQ(Body(queue)["items"].size(), 1u);
  EXPECT_EQ(Body(queue)["items"][0]["id"], id);
  EXPECT_EQ(Body(queue)["items"][0]["contact"]["phone"], "13812345678");
  EXPECT_EQ(Body(queue)["counts"]["unverified"], 2);
  const std::string cursor = Body(queue)["next_cursor"];
  auto next = Get("ha", reports_ + "?limit=1&cursor=" + cursor);
  ASSERT_EQ(next.status, 200);
  EXPECT_EQ(Body(next)["items"][0]["duplicate_of"], id);  // the candidate, after
  EXPECT_EQ(Get("ha", reports_ + "?state=maybe").status, 400);

  auto verified = Post("ha", reports_ + "/" + id + "/verify",
                       {{"verdict", "verified"}, {"note", "电话回访确认"}});
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(Body(verified)["state"], "verified");
  EXPECT_FALSE(Body(verified)["need_id"].is_null());
  EXPECT_EQ(Post("sl", reports_ + "/" + id + "/verify", {{"verdict", "false"}}).status, 409);
  EXPECT_EQ(Post("sl", reports_ + "/" + id + "/verify", {{"verdict", "verified"}}).status, 200);
  EXPECT_EQ(Post("sl", reports_ + "/" + id + "/verify", {{"verdict", "maybe"}}).status, 400);
  const std::string dup = Body(copy)["id"];
  auto marked = Post("sl", reports_ + "/" + dup + "/verify", {{"verdict", "duplicate"}});
  ASSERT_EQ(marked.status, 200) << marked.body;
  EXPECT_EQ(Body(marked)["duplicate_of"], id);

  auto pub = Send(port_, "GET", reports_ + "/public", "", {});
  ASSERT_EQ(pub.status, 200) << pub.body;
  ASSERT_EQ(Body(pub)["items"].size(), 1u);
  EXPECT_EQ(Body(pub)["items"][0]["id"], id);
  EXPECT_DOUBLE_EQ(Body(pub)["items"][0]["lat"].get<double>(), 30.051);
  for (const char* secret : {"13812345678", "王芳", "湖畔路12号", "contact", "address"})
    EXPECT_EQ(pub.body.find(secret), std::string::npos) << secret;
}

INSTANTIATE_TEST_SUITE_P(Backends, CrowdReportRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
