// The 接诉即办 API over a real socket, on every backend: what the hotline
// operator, the streets, a summoned department, a supervisor and a resident
// see and may do, from intake to callback, and what bad input answers.
#include <set>

#include "http/request_routes_fixture.h"
#include "text/classifier.h"
#include "text/corpus.h"

namespace xietong::http {
namespace {

TEST_P(RequestRoutesTest, OperatorSubmitsAndTheStreetWorksItToTheEnd) {
  auto created = Post("op", "/api/v1/requests", [] {
    auto b = Stalls();
    b["dispatch"] = true;
    return b;
  }());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("etag"), "\"2\"");  // received, then dispatched
  auto j = Body(created);
  const json::Json r = j["request"];
  EXPECT_EQ(r["number"], "2026112300001");
  EXPECT_EQ(r["status"], "dispatched");
  EXPECT_EQ(r["unit_id"], street_a_.id);
  EXPECT_EQ(r["unit_name"], "望湖街道");
  EXPECT_EQ(r["matter_id"], stalls_);  // suggested from the words, confidently
  EXPECT_EQ(r["contact"]["phone"], "138****1234");
  EXPECT_EQ(r["place"]["community_id"], community_a_.id);
  EXPECT_EQ(r["sign_due"], "2026-11-23T12:00:00+08:00");
  EXPECT_EQ(r["finish_due"], "2026-12-02T17:30:00+08:00");
  EXPECT_TRUE(r["signed_at"].is_null());
  ASSERT_FALSE(j["suggestions"].empty());
  EXPECT_EQ(j["suggestions"][0]["matter"]["code"], "01-01-01");
  EXPECT_GT(j["suggestions"][0]["confidence"].get<double>(), 0.5);
  const std::string id = r["id"];

  // The street sees it and may sign; another street neither sees nor signs it.
  auto seen = Get("ha", "/api/v1/requests/" + id);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(seen.Header("etag"), "\"2\"");
  auto allowed = Body(seen)["allowed"];
  EXPECT_NE(std::find(allowed.begin(), allowed.end(), "sign"), allowed.end()) << allowed;
  EXPECT_EQ(std::find(allowed.begin(), allowed.end(), "dispatch"), allowed.end()) << allowed;
  EXPECT_EQ(Body(seen)["request"]["matter"]["name"], "占道经营");
  EXPECT_EQ(Get("hb", "/api/v1/requests/" + id).status, 403);
  EXPECT_EQ(Command("hb", id, "sign").status, 403);
  // By number too.
  EXPECT_EQ(Get("ha", "/api/v1/requests/2026112300001").status, 200);

  auto sign = Command("ha", id, "sign");
  ASSERT_EQ(sign.status, 200) << sign.body;
  EXPECT_EQ(Body(sign)["request"]["status"], "signed");
  EXPECT_EQ(Body(sign)["request"]["signed_at"], "2026-11-23T10:00:00+08:00");
  ASSERT_EQ(Command("ha", id, "handle", {{"text", "已到现场核实"}}).status, 200);

  // 吹哨报到: the street summons the police, who see it and report.
  EXPECT_EQ(Get("pol", "/api/v1/requests/" + id).status, 403);
  auto summon = Command("ha", id, "summon",
                        {{"reason", "需要公安配合清理夜间摊贩"},
                         {"department_ids", json::Json::array({police_.id})}});
  ASSERT_EQ(summon.status, 200) << summon.body;
  auto police_view = Get("pol", "/api/v1/requests/" + id);
  ASSERT_EQ(police_view.status, 200) << police_view.body;
  auto summonses = Body(police_view)["summonses"];
  ASSERT_EQ(summonses.size(), 1u);
  EXPECT_EQ(summonses[0]["department_name"], "市公安局");
  EXPECT_TRUE(summonses[0]["reported_at"].is_null());
  auto report = Command("pol", id, "report", {{"text", "已派警力联合执法"}});
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(Body(report)["request"]["unit_id"], street_a_.id);  // the street still owns it
  auto reported = Body(Get("ha", "/api/v1/requests/" + id))["summonses"][0];
  EXPECT_EQ(reported["report"], "已派警力联合执法");
  EXPECT_FALSE(reported["late"].get<bool>());

  auto reply = Command("ha", id, "reply", {{"text", "摊贩已清理，设置了巡查点"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Body(reply)["request"]["status"], "replied");
  auto callback =
      Command("op", id, "callback", {{"resolved", true}, {"satisfaction", "satisfied"}});
  ASSERT_EQ(callback.status, 200) << callback.body;
  EXPECT_EQ(Body(callback)["request"]["status"], "closed");
  EXPECT_EQ(Body(callback)["request"]["satisfaction"], "satisfied");

  auto timeline = Get("op", "/api/v1/requests/" + id + "/timeline");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  std::vector<std::string> actions;
  const auto items = Body(timeline)["items"];
  for (const auto& e : items) actions.push_back(e["action"]);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"request.received", "request.dispatched", "request.signed",
                                      "request.progress", "request.summoned", "request.reported",
                                      "request.replied", "request.callback"}));
  const auto first = Body(timeline)["items"][0];
  EXPECT_TRUE(first["payload"].is_object());  // parsed, not a string
  EXPECT_EQ(first["payload"]["number"], "2026112300001");
  EXPECT_EQ(first["at"], "2026-11-23T10:00:00+08:00");
  EXPECT_EQ(Get("hb", "/api/v1/requests/" + id + "/timeline").status, 403);
}

TEST_P(RequestRoutesTest, SupervisorsSeeTheReplysQualityTheStreetDoesNot) {
  const std::string id = Submit(Stalls())["id"];
  ASSERT_EQ(Command("ha", id, "sign").status, 200);
  EXPECT_FALSE(Body(Get("sup", "/api/v1/requests/" + id)).contains("reply_quality"));
  auto reply = Command("ha", id, "reply",
                       {{"text",
                         "经现场核实，湖畔社区南门确有小贩占道摆摊。街道已安排城管队员每晚"
                         "巡查，摊贩已清理，消防通道已恢复畅通。"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  for (const char* who : {"sup", "lead"}) {
    auto seen = Get(who, "/api/v1/requests/" + id);
    ASSERT_EQ(seen.status, 200) << seen.body;
    const json::Json q = Body(seen)["reply_quality"];
    ASSERT_TRUE(q.is_object()) << who << ": " << seen.body;
    for (const char* score : {"overall", "relevance", "completeness", "timeliness"}) {
      EXPECT_GE(q[score].get<double>(), 0.0) << score;
      EXPECT_LE(q[score].get<double>(), 1.0) << score;
    }
    EXPECT_GT(q["relevance"].get<double>(), 0.5);
    EXPECT_FALSE(q["late"].get<bool>());
    EXPECT_FALSE(q["reasons"].empty());
  }
  auto street = Get("ha", "/api/v1/requests/" + id);
  ASSERT_EQ(street.status, 200) << street.body;
  EXPECT_FALSE(Body(street).contains("reply_quality"));
}

TEST_P(RequestRoutesTest, WrongStepAnswers409NamingWhatIsAllowed) {
  const std::string id = Submit(Stalls())["id"];
  auto early = Command("ha", id, "reply", {{"text", "已处理"}});
  EXPECT_EQ(early.status, 409);
  EXPECT_NE(Message(early).find("allowed now: "), std::string::npos) << early.body;
  EXPECT_NE(Message(early).find("sign"), std::string::npos) << early.body;

  auto unknown = Command("ha", id, "approve");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(Message(unknown).find("request_extension"), std::string::npos) << unknown.body;

  auto stale = Command("ha", id, "sign", json::Json::object(), {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_NE(Message(stale).find("version"), std::string::npos) << stale.body;
  auto fresh = Command("ha", id, "sign", json::Json::object(), {{"If-Match", "\"2\""}});
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(fresh.Header("etag"), "\"3\"");

  auto bad_days = Command("ha", id, "request_extension", {{"reason", "需协调"}, {"days", "three"}});
  EXPECT_EQ(bad_days.status, 400);
  EXPECT_NE(Message(bad_days).find("'days'"), std::string::npos) << bad_days.body;
  auto bad_field = Command("ha", id, "handle", {{"note", "x"}});
  EXPECT_EQ(bad_field.status, 400);
  EXPECT_NE(Message(bad_field).find("'note'"), std::string::npos) << bad_field.body;
  auto bad_satisfaction =
      Command("op", id, "callback", {{"resolved", true}, {"satisfaction", "happy"}});
  EXPECT_EQ(bad_satisfaction.status, 400);
  EXPECT_NE(Message(bad_satisfaction).find("'satisfaction'"), std::string::npos);
  auto bad_resolved = Command("op", id, "callback", {{"resolved", "yes"}});
  EXPECT_EQ(bad_resolved.status, 400);
  EXPECT_NE(Message(bad_resolved).find("'resolved'"), std::string::npos);
}

TEST_P(RequestRoutesTest, BadInputIs400NamingTheField) {
  auto expect_400 = [&](json::Json body, std::string_view needle) {
    auto r = Post("op", "/api/v1/requests", body);
    EXPECT_EQ(r.status, 400) << body << " → " << r.body;
    EXPECT_NE(Message(r).find(needle), std::string::npos) << Message(r);
  };
  auto b = Stalls();
  b["text"] = "";
  expect_400(b, "'text'");
  b = Stalls();
  b.erase("text");
  expect_400(b, "'text'");
  b = Stalls();
  b["contact"]["phone"] = "12345";
  expect_400(b, "'contact.phone'");
  b = Stalls();
  b["contact"]["phone"] = 13800001234;
  expect_400(b, "'contact.phone'");
  b = Stalls();
  b["place"]["lat"] = 200;
  expect_400(b, "'place.lat'");
  b = Stalls();
  b["place"]["lat"] = "30.05";
  expect_400(b, "'place.lat'");
  b = Stalls();
  b["place"] = {{"lat", 31.5}, {"lon", 121.5}};
  expect_400(b, "outside 江澜市");
  b = Stalls();
  b["matter_id"] = "no-such-matter";
  expect_400(b, "'matter_id'");
  b = Stalls();
  b["channel"] = "fax";
  expect_400(b, "'channel'");
  b = Stalls();
  b["place"] = "湖畔社区";
  expect_400(b, "'place'");
  EXPECT_EQ(Body(Get("op", "/api/v1/requests"))["total"], 0);  // nothing was stored
}

TEST_P(RequestRoutesTest, IdempotencyKeyRetryGivesTheSameRequest) {
  const Headers key = {{"Idempotency-Key", "call-7781"}};
  auto first = Post("op", "/api/v1/requests", Stalls(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = Post("op", "/api/v1/requests", Stalls(), key);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again)["request"]["number"], Body(first)["request"]["number"]);
  EXPECT_EQ(Body(again)["request"]["id"], Body(first)["request"]["id"]);
  auto other = Post("op", "/api/v1/requests", Stalls(), {{"Idempotency-Key", "call-7782"}});
  ASSERT_EQ(other.status, 201);
  EXPECT_NE(Body(other)["request"]["number"], Body(first)["request"]["number"]);
  EXPECT_EQ(Body(Get("op", "/api/v1/requests"))["total"], 2);
}

TEST_P(RequestRoutesTest, PreviewShowsTheRouteAndStoresNothing) {
  auto p = Post("op", "/api/v1/requests/preview", Stalls());
  ASSERT_EQ(p.status, 200) << p.body;
  auto j = Body(p);
  EXPECT_EQ(j["matter"]["code"], "01-01-01");
  EXPECT_EQ(j["route"]["unit_id"], street_a_.id);
  EXPECT_FALSE(j["route"]["rule"].get<std::string>().empty());
  EXPECT_EQ(j["place"]["community_id"], community_a_.id);
  EXPECT_EQ(j["sign_due"], "2026-11-23T12:00:00+08:00");
  EXPECT_TRUE(j["problem"].is_null());
  auto vague = Stalls();
  vague["text"] = "有个事情想反映一下";
  vague.erase("title");
  auto none = Body(Post("op", "/api/v1/requests/preview", vague));
  EXPECT_TRUE(none["route"].is_null());
  EXPECT_FALSE(none["problem"].get<std::string>().empty());
  EXPECT_EQ(Body(Get("op", "/api/v1/requests"))["total"], 0);
}

// The preview names the model that suggested (issue 19): "" while the matters' keywords suggest;
// the version the city's classifier was set with once it does, the same one request.received
// records for the intake.
TEST_P(RequestRoutesTest, PreviewNamesTheModelThatSuggested) {
  auto keywords = Post("op", "/api/v1/requests/preview", Stalls());
  ASSERT_EQ(keywords.status, 200) << keywords.body;
  auto k = Body(keywords);
  EXPECT_EQ(k["suggested_by"], "keywords");
  ASSERT_TRUE(k.contains("model_version")) << k.dump();
  EXPECT_EQ(k["model_version"], "");

  auto normalizer = text::Normalizer::Open();
  ASSERT_TRUE(normalizer) << normalizer.error().message;
  const text::ClassifierOptions options;
  const text::FeatureExtractor extractor(options.features);
  std::vector<text::PreparedDocument> docs;
  std::vector<int> y;
  for (const char* place : {"南门", "北门", "菜场边", "学校旁", "公交站", "桥下", "路口", "广场"}) {
    for (auto [label, title, body] :
         {std::tuple{0, "卖菜推车堵门口", "卖菜的推车和三轮车把{}堵住了，行人过不去"},
          std::tuple{1, "饭店排风熏人", "{}饭店的排风管正对窗户，熏得家里睁不开眼"}}) {
      const std::string fields[] = {title, fmt::format(fmt::runtime(body), place)};
      auto doc = text::Prepare(**normalizer, extractor, fields);
      ASSERT_TRUE(doc) << doc.error().message;
      docs.push_back(std::move(*doc));
      y.push_back(label);
    }
  }
  const std::vector<std::string> labels = {"01-01-01", "01-01-02"};
  requests_->SetClassifier(std::make_shared<const text::Classifier>(text::Classifier::Train(
                               *normalizer, {labels, docs, y, {}, {}, {}}, options)),
                           "v4");

  auto words = Stalls();
  words["title"] = "又是卖菜推车";
  words["text"] = "今天早上卖菜的推车又把南门堵住了";
  auto p = Post("op", "/api/v1/requests/preview", words);
  ASSERT_EQ(p.status, 200) << p.body;
  auto j = Body(p);
  EXPECT_EQ(j["suggested_by"], "classifier");
  EXPECT_EQ(j["model_version"], "v4");
  ASSERT_FALSE(j["suggestions"].empty());
  EXPECT_EQ(j["suggestions"][0]["matter"]["id"], stalls_);
  // The intake the preview stood for records the same version.
  const json::Json filed = Submit(words);
  auto events = t_->db().Read(
      [&](storage::Executor& ex) { return audit::EventsFor(ex, filed["id"].get<std::string>()); });
  ASSERT_TRUE(events && !events->empty());
  EXPECT_EQ(json::Json::parse(events->front().payload)["model_version"], j["model_version"]);

  // A file model is named "file"; without a model, the keywords again.
  requests_->SetClassifier(std::make_shared<const text::Classifier>(text::Classifier::Train(
                               *normalizer, {labels, docs, y, {}, {}, {}}, options)),
                           "file");
  EXPECT_EQ(Body(Post("op", "/api/v1/requests/preview", words))["model_version"], "file");
  requests_->SetClassifier(nullptr, "v4");
  auto none = Body(Post("op", "/api/v1/requests/preview", Stalls()));
  EXPECT_EQ(none["suggested_by"], "keywords");
  EXPECT_EQ(none["model_version"], "");
}

TEST_P(RequestRoutesTest, PreviewListsLikelyDuplicatesForTheCentreOnly) {
  const json::Json first = Submit(Stalls());
  auto again = StallsAgain();
  auto p = Body(Post("op", "/api/v1/requests/preview", again));
  ASSERT_EQ(p["duplicates"].size(), 1u) << p.dump();
  EXPECT_EQ(p["duplicates"][0]["number"], first["number"]);
  EXPECT_GE(p["duplicates"][0]["score"].get<double>(), 0.6);
  // A resident previewing the same words sees nobody else's request.
  EXPECT_TRUE(Body(Post("res", "/api/v1/requests/preview", again))["duplicates"].empty());
  // The same words about another street are another problem.
  again["place"] = {{"lat", 30.05}, {"lon", 120.15}, {"address", "柳岸社区南门"}};
  EXPECT_TRUE(Body(Post("op", "/api/v1/requests/preview", again))["duplicates"].empty());
  // A different problem on the same street is not a duplicate.
  auto other = Stalls();
  other["text"] = "湖畔社区的路灯坏了三天，晚上一片漆黑。";
  EXPECT_TRUE(Body(Post("op", "/api/v1/requests/preview", other))["duplicates"].empty());
}

// The console's 并入: a likely duplicate from the preview is the request the
// repeated call is recorded into.
TEST_P(RequestRoutesTest, ARepeatedCallIsRecordedIntoItsDuplicate) {
  const json::Json first = Submit(Stalls());
  auto again = StallsAgain();
  auto p = Body(Post("op", "/api/v1/requests/preview", again));
  ASSERT_EQ(p["duplicates"].size(), 1u) << p.dump();
  EXPECT_EQ(p["duplicates"][0]["mergeable"], true);
  const std::string parent_id = p["duplicates"][0]["id"];

  auto bad = again;
  bad["merge_into"] = 42;
  auto wrong_type = Post("op", "/api/v1/requests", bad);
  EXPECT_EQ(wrong_type.status, 400) << wrong_type.body;
  EXPECT_NE(Message(wrong_type).find("'merge_into'"), std::string::npos) << Message(wrong_type);
  bad["merge_into"] = "no-such-request";
  EXPECT_EQ(Post("op", "/api/v1/requests", bad).status, 400);
  bad["merge_into"] = parent_id;
  bad["dispatch"] = true;
  EXPECT_EQ(Post("op", "/api/v1/requests", bad).status, 400);
  auto resident = again;
  resident["merge_into"] = parent_id;
  EXPECT_EQ(Post("res", "/api/v1/requests", resident).status, 403);
  EXPECT_EQ(Body(Get("op", "/api/v1/requests"))["total"], 1);  // nothing was stored

  again["merge_into"] = parent_id;
  auto merged = Post("op", "/api/v1/requests", again);
  ASSERT_EQ(merged.status, 201) << merged.body;
  EXPECT_EQ(Body(merged)["request"]["status"], "merged");
  EXPECT_EQ(Body(merged)["request"]["parent_id"], parent_id);
  auto parent = Body(Get("op", "/api/v1/requests/" + parent_id));
  ASSERT_EQ(parent["merged"].size(), 1u) << parent.dump();
  EXPECT_EQ(parent["merged"][0]["id"], Body(merged)["request"]["id"]);
  EXPECT_EQ(first["id"], parent_id);
}

TEST_P(RequestRoutesTest, InboxFiltersSearchAndPages) {
  const std::string stalls_number = Submit(Stalls())["number"];
  auto fumes = Stalls();
  fumes["text"] = "烧烤店油烟直排到居民窗户";
  fumes["matter_id"] = fumes_;
  Submit(fumes);
  auto later = Stalls();
  later["text"] = "小贩占道，晚上很吵";
  Submit(later, /*dispatch=*/false);

  auto count = [&](const std::string& who, const std::string& query) {
    auto r = Get(who, "/api/v1/requests" + query);
    EXPECT_EQ(r.status, 200) << query << " → " << r.body;
    return r.status == 200 ? Body(r)["total"].get<int>() : -1;
  };
  EXPECT_EQ(count("op", ""), 3);
  EXPECT_EQ(count("op", "?status=dispatched"), 2);
  EXPECT_EQ(count("op", "?status=received,dispatched"), 3);
  EXPECT_EQ(count("op", "?matter_id=" + fumes_), 1);
  EXPECT_EQ(count("op", "?unit_id=" + env_.id), 1);
  EXPECT_EQ(count("op", "?q=%E6%B2%B9%E7%83%9F%E7%9B%B4%E6%8E%92"), 1);  // 油烟直排
  EXPECT_EQ(count("op", "?q=" + stalls_number), 1);
  EXPECT_EQ(count("op", "?from=2026-11-24"), 0);
  EXPECT_EQ(count("op", "?to=2026-11-23"), 3);
  EXPECT_EQ(count("op", "?from=2026-11-23T09:00:00%2B08:00&to=2026-11-23T11:00:00Z"), 3);
  EXPECT_EQ(count("op", "?late=true"), 0);
  // Each street sees its own work only.
  EXPECT_EQ(count("ha", ""), 1);
  EXPECT_EQ(count("hb", ""), 0);

  auto page = Get("op", "/api/v1/requests?limit=2");
  auto pj = Body(page);
  ASSERT_EQ(pj["items"].size(), 2u);
  ASSERT_TRUE(pj["next_cursor"].is_string());
  EXPECT_EQ(pj["items"][0]["contact"]["phone"], "138****1234");
  auto next =
      Body(Get("op", "/api/v1/requests?limit=2&cursor=" + pj["next_cursor"].get<std::string>()));
  ASSERT_EQ(next["items"].size(), 1u);
  EXPECT_EQ(next["items"][0]["number"], stalls_number);  // newest first

  auto bad_status = Get("op", "/api/v1/requests?status=open");
  EXPECT_EQ(bad_status.status, 400);
  EXPECT_NE(Message(bad_status).find("'status'"), std::string::npos) << bad_status.body;
  auto bad_from = Get("op", "/api/v1/requests?from=yesterday");
  EXPECT_EQ(bad_from.status, 400);
  EXPECT_NE(Message(bad_from).find("'from'"), std::string::npos);
  EXPECT_EQ(Get("op", "/api/v1/requests?late=maybe").status, 400);
  EXPECT_EQ(Get("op", "/api/v1/requests?limit=0").status, 400);
}

// 工单导出: the same filters and scope as the inbox, as CSV or XLSX.
TEST_P(RequestRoutesTest, TheFilteredInboxExportsAsCsvAndXlsx) {
  const std::string stalls_number = Submit(Stalls())["number"];
  auto fumes = Stalls();
  fumes["text"] = "烧烤店油烟直排到居民窗户";
  fumes["matter_id"] = fumes_;
  const std::string fumes_number = Submit(fumes)["number"];

  auto csv = Get("op", "/api/v1/requests/export?format=csv&matter_id=" + fumes_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_TRUE(csv.Header("content-disposition").starts_with("attachment; filename=\"requests-"));
  EXPECT_NE(csv.body.find(fumes_number), std::string::npos);
  EXPECT_EQ(csv.body.find(stalls_number), std::string::npos);  // filtered out
  EXPECT_NE(csv.body.find("工单编号,受理时间"), std::string::npos);
  EXPECT_NE(csv.body.find("（1 件）"), std::string::npos);

  auto xlsx = Get("op", "/api/v1/requests/export");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_EQ(xlsx.Header("x-export-truncated"), "");

  // Each street exports only its own work.
  auto other = Get("hb", "/api/v1/requests/export?format=csv");
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(other.body.find(stalls_number), std::string::npos);
  EXPECT_EQ(other.body.find(fumes_number), std::string::npos);
  auto bad = Get("op", "/api/v1/requests/export?format=pdf");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["error"]["field"], "format");
}

TEST_P(RequestRoutesTest, ResidentsTrackByNumberAndTheLastFourDigits) {
  auto r = Submit(Stalls());
  ASSERT_EQ(Command("ha", r["id"], "sign").status, 200);
  const std::string number = r["number"];
  auto t = Send(port_, "GET", "/api/v1/track?number=" + number + "&phone_last4=1234");
  ASSERT_EQ(t.status, 200) << t.body;
  auto j = Body(t);
  EXPECT_EQ(j["status"], "signed");
  EXPECT_EQ(j["unit_name"], "望湖街道");
  EXPECT_EQ(j["received_at"], "2026-11-23T10:00:00+08:00");
  ASSERT_EQ(j["timeline"].size(), 3u);
  EXPECT_EQ(j["timeline"][0]["action"], "request.received");
  EXPECT_FALSE(j["timeline"][0].contains("actor"));
  EXPECT_EQ(t.body.find("13800001234"), std::string::npos);
  EXPECT_EQ(t.body.find("陈女士"), std::string::npos);

  auto wrong = Send(port_, "GET", "/api/v1/track?number=" + number + "&phone_last4=9999");
  EXPECT_EQ(wrong.status, 404);
  auto unknown = Send(port_, "GET", "/api/v1/track?number=2026010100001&phone_last4=1234");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Message(wrong), Message(unknown));  // no hint which part was wrong
  EXPECT_EQ(Send(port_, "GET", "/api/v1/track?number=" + number + "&phone_last4=12").status, 400);
  auto missing = Send(port_, "GET", "/api/v1/track?number=" + number);
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(Message(missing).find("'phone_last4'"), std::string::npos);
}

TEST_P(RequestRoutesTest, OnlyTheCentreSeesTheFullNumber) {
  const std::string id = Submit(Stalls())["id"];
  auto masked = Get("op", "/api/v1/requests/" + id);
  EXPECT_EQ(Body(masked)["request"]["contact"]["phone"], "138****1234");
  auto revealed = Get("op", "/api/v1/requests/" + id + "?reveal=contact");
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(Body(revealed)["request"]["contact"]["phone"], "13800001234");
  EXPECT_EQ(Get("ha", "/api/v1/requests/" + id + "?reveal=contact").status, 403);
  EXPECT_EQ(Get("op", "/api/v1/requests/" + id + "?reveal=everything").status, 400);
  // The reveal is on the record.
  std::vector<std::string> actions;
  const auto events = Body(Get("op", "/api/v1/requests/" + id + "/timeline"))["items"];
  for (const auto& e : events) actions.push_back(e["action"]);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "request.contact_revealed"), actions.end());
}

TEST_P(RequestRoutesTest, ResidentsFileOnTheWebAndSeeOnlyTheirOwn) {
  auto mine = Stalls();
  mine.erase("channel");
  auto r = Post("res", "/api/v1/requests", mine);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["request"]["channel"], "web");
  EXPECT_EQ(Body(r)["request"]["status"], "received");
  const std::string id = Body(r)["request"]["id"];
  EXPECT_EQ(Get("res", "/api/v1/requests/" + id).status, 200);
  Submit(Stalls());
  EXPECT_EQ(Body(Get("res", "/api/v1/requests"))["total"], 1);
  EXPECT_EQ(Command("res", id, "dispatch").status, 403);
}

TEST_P(RequestRoutesTest, SupervisionShowsOverdueWarnedAndPendingDecisions) {
  const std::string late_id = Submit(Stalls())["id"];
  auto other = Submit(Stalls());
  ASSERT_EQ(Command("ha", other["id"], "sign").status, 200);
  ASSERT_EQ(Command("ha", other["id"], "handle", {{"text", "协调中"}}).status, 200);
  auto ask =
      Command("ha", other["id"], "request_extension", {{"reason", "需协调物业"}, {"days", 3}});
  ASSERT_EQ(ask.status, 200) << ask.body;

  clock_.Set(kMonday10 + 2 * kMicrosPerHour);  // 12:00: the first is not signed in time
  ASSERT_TRUE(requests_->FireDueTimers());
  auto s = Get("sup", "/api/v1/supervision");
  ASSERT_EQ(s.status, 200) << s.body;
  auto j = Body(s);
  ASSERT_EQ(j["overdue"].size(), 1u) << j;
  EXPECT_EQ(j["overdue"][0]["id"], late_id);
  EXPECT_TRUE(j["overdue"][0]["sign_late"].get<bool>());
  EXPECT_EQ(j["warned"].size(), 1u);  // the 75 % warning fired for it on the way
  ASSERT_EQ(j["extensions"].size(), 1u);
  EXPECT_EQ(j["extensions"][0]["extension_days"], 3);
  EXPECT_TRUE(j["returns"].empty());
  EXPECT_EQ(Body(Get("op", "/api/v1/requests?late=true"))["total"], 1);

  // Only a supervisor decides the extension; then the queue empties.
  EXPECT_EQ(Command("op", other["id"], "approve_extension").status, 403);
  auto approved = Command("sup", other["id"], "approve_extension");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(Body(approved)["request"]["finish_due"], "2026-12-07T17:30:00+08:00");
  EXPECT_TRUE(Body(Get("sup", "/api/v1/supervision"))["extensions"].empty());
}

TEST_P(RequestRoutesTest, TheRankingMovesWithTheWorkAndExports) {
  auto created = Post("op", "/api/v1/requests", [] {
    auto b = Stalls();
    b["dispatch"] = true;
    return b;
  }());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Body(created)["request"]["id"];
  const std::string target = "/api/v1/stats/ranking?from=2026-11&kind=street";
  auto before = Get("lead", target);
  ASSERT_EQ(before.status, 200) << before.body;
  auto items = Body(before)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["unit_name"], "望湖街道");
  EXPECT_EQ(items[0]["dispatched"], 1);
  EXPECT_EQ(items[0]["responded_on_time"], 0);
  ASSERT_EQ(Command("ha", id, "sign").status, 200);
  auto after = Body(Get("lead", target))["items"];
  EXPECT_EQ(after[0]["responded_on_time"], 1);
  EXPECT_DOUBLE_EQ(after[0]["response_rate"].get<double>(), 1.0);
  EXPECT_TRUE(after[0]["satisfaction_rate"].is_null());
  // Exports.
  auto csv = Get("lead", target + "&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("望湖街道"), std::string::npos);
  EXPECT_NE(csv.Header("content-disposition").find("ranking-2026-11-2026-11.csv"),
            std::string::npos);
  auto xlsx = Get("lead", target + "&format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  // Who may see it, and bad input.
  EXPECT_EQ(Get("ha", target).status, 403);
  EXPECT_EQ(Get("res", target).status, 403);
  EXPECT_EQ(Get("lead", "/api/v1/stats/ranking?kind=street").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/ranking?from=2026-13").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/ranking?from=2026-11&kind=grid").status, 400);
  EXPECT_EQ(Get("lead", target + "&w_response=abc").status, 400);
  EXPECT_EQ(Get("lead", target + "&w_response=0.9").status, 400);  // weights must sum to 1
  EXPECT_EQ(Get("lead", target + "&format=pdf").status, 400);
}

TEST_P(RequestRoutesTest, TheWorkingCalendarIsReadableByEveryone) {
  auto res = Get("res", "/api/v1/calendar?year=2026");
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = Body(res);
  EXPECT_TRUE(j["covered"].get<bool>());
  EXPECT_FALSE(j["provisional"].get<bool>());
  bool national_day = false, makeup = false;
  for (const auto& d : j["days"]) {
    if (d["date"] == "2026-10-01") national_day = d["kind"] == "holiday";
    if (d["date"] == "2026-01-04") makeup = d["kind"] == "workday";
  }
  EXPECT_TRUE(national_day) << j["days"];
  EXPECT_TRUE(makeup) << j["days"];
  // 365 days, about 250 of them working days once holidays and 调休 are counted.
  EXPECT_GT(j["working_days"].get<int>(), 240);
  EXPECT_LT(j["working_days"].get<int>(), 255);
  EXPECT_EQ(j["working_hours"][0]["start"], "09:00");

  auto later = Body(Get("op", "/api/v1/calendar?year=2031"));
  EXPECT_FALSE(later["covered"].get<bool>());
  EXPECT_TRUE(later["days"].empty());  // weekends only: holidays not known yet
  EXPECT_EQ(Get("op", "/api/v1/calendar").status, 400);
  EXPECT_EQ(Get("op", "/api/v1/calendar?year=26x").status, 400);
  EXPECT_EQ(Get("op", "/api/v1/calendar?year=99999").status, 400);
}

TEST_P(RequestRoutesTest, HotspotsGroupWhatManyResidentsRaiseOnOneStreet) {
  const char* texts[] = {"湖畔社区南门每天晚上有小贩占道摆摊，堵塞消防通道。",
                         "湖畔社区南门晚上小贩占道摆摊，消防通道被堵塞了。",
                         "每天晚上湖畔社区南门都有小贩占道摆摊，堵住消防通道。"};
  for (const char* text : texts) {
    auto b = Stalls();
    b["text"] = text;
    Submit(b);
  }
  auto other = Stalls();
  other["title"] = "路灯不亮";
  other["text"] = "湖畔社区三号楼前的路灯坏了一个月，晚上很黑。";
  Submit(other, false);

  const std::string target = "/api/v1/stats/hotspots?from=2026-11-01&to=2026-11-30";
  auto res = Get("lead", target);
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = Body(res);
  EXPECT_EQ(j["requests"], 4);
  EXPECT_FALSE(j["truncated"].get<bool>());
  ASSERT_EQ(j["items"].size(), 1u) << j;
  const auto& h = j["items"][0];
  EXPECT_EQ(h["count"], 3);
  EXPECT_EQ(h["title"], "小区门口占道摆摊");
  EXPECT_NE(h["place"].get<std::string>().find("望湖街道"), std::string::npos) << h;
  EXPECT_EQ(h["request_ids"].size(), 3u);
  // Another month has none; the street's own subtree has the same one.
  EXPECT_TRUE(
      Body(Get("lead", "/api/v1/stats/hotspots?from=2026-10-01&to=2026-10-31"))["items"].empty());
  EXPECT_EQ(Body(Get("lead", target + "&unit_id=" + street_b_.id))["items"].size(), 0u);

  EXPECT_EQ(Get("ha", target).status, 403);
  EXPECT_EQ(Get("res", target).status, 403);
  EXPECT_EQ(Get("lead", "/api/v1/stats/hotspots?from=2026-11-01").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/hotspots?from=2026-11-30&to=2026-11-01").status, 400);
  EXPECT_EQ(Get("lead", target + "&limit=0").status, 400);
  EXPECT_EQ(Get("lead", target + "&limit=ten").status, 400);
  EXPECT_EQ(Get("lead", target + "&unit_id=nope").status, 400);
}

TEST_P(RequestRoutesTest, TheDashboardHasATrendAndRequestsPerGrid) {
  auto created = Submit(Stalls());
  const std::string id = created["id"];
  ASSERT_EQ(Command("ha", id, "sign").status, 200);
  Submit(Stalls());

  auto trend = Get("lead", "/api/v1/stats/trend?from=2026-09&to=2026-11");
  ASSERT_EQ(trend.status, 200) << trend.body;
  auto months = Body(trend)["items"];
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(months[0]["month"], "2026-09");
  EXPECT_EQ(months[0]["dispatched"], 0);
  EXPECT_TRUE(months[0]["response_rate"].is_null());
  EXPECT_EQ(months[2]["dispatched"], 2);
  EXPECT_DOUBLE_EQ(months[2]["response_rate"].get<double>(), 0.5);
  // A street's subtree only: the other street has nothing.
  auto b = Body(Get("lead", "/api/v1/stats/trend?from=2026-11&unit_id=" + street_b_.id));
  EXPECT_EQ(b["items"][0]["dispatched"], 0);

  auto grids = Get("lead", "/api/v1/stats/grids?from=2026-11-01&to=2026-11-30");
  ASSERT_EQ(grids.status, 200) << grids.body;
  auto counts = Body(grids)["items"];
  ASSERT_EQ(counts.size(), 1u) << counts;
  EXPECT_EQ(counts[0]["count"], 2);
  EXPECT_EQ(Body(Get("lead", "/api/v1/stats/grids?from=2026-10-01&to=2026-10-31"))["items"].size(),
            0u);

  // The grids as GeoJSON for the map, to anyone signed in.
  auto map = Get("res", "/api/v1/units/map?kind=grid");
  ASSERT_EQ(map.status, 200) << map.body;
  EXPECT_EQ(map.Header("content-type"), "application/geo+json");
  auto fc = json::Json::parse(map.body);
  EXPECT_EQ(fc["type"], "FeatureCollection");
  ASSERT_EQ(fc["features"].size(), 2u);
  EXPECT_EQ(fc["features"][0]["geometry"]["type"], "Polygon");
  EXPECT_EQ(fc["features"][0]["properties"]["kind"], "grid");
  EXPECT_EQ(fc["features"][0]["id"], fc["features"][0]["properties"]["id"]);
  EXPECT_EQ(counts[0]["grid_id"] == fc["features"][0]["id"] ||
                counts[0]["grid_id"] == fc["features"][1]["id"],
            true);
  EXPECT_EQ(
      json::Json::parse(Get("res", "/api/v1/units/map?kind=department").body)["features"].size(),
      0u);  // departments have no polygon
  EXPECT_EQ(Get("res", "/api/v1/units/map?kind=planet").status, 400);

  // Who may see the figures, and bad input.
  EXPECT_EQ(Get("ha", "/api/v1/stats/trend?from=2026-11").status, 403);
  EXPECT_EQ(Get("res", "/api/v1/stats/grids?from=2026-11-01&to=2026-11-30").status, 403);
  EXPECT_EQ(Get("lead", "/api/v1/stats/trend").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/trend?from=2026-11&to=2026-01").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/trend?from=2026-11&unit_id=nope").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/grids?from=2026-11-01").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/grids?from=2026-11-31&to=2026-12-01").status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/stats/grids?from=2026-11-30&to=2026-11-01").status, 400);
}

// The map by street and district, and every area drills down to its list;
// a hotspot drills down to its requests by id.
TEST_P(RequestRoutesTest, MapAreasAndHotspotsDrillDownToTheirRequests) {
  const std::string a1 = Submit(Stalls())["id"];
  const std::string a2 = Submit(Stalls())["id"];
  auto in_b = Stalls();
  in_b["place"] = {{"lat", 30.05}, {"lon", 120.15}, {"address", "柳岸社区"}};
  const std::string b1 = Submit(in_b)["id"];

  auto streets = Get("lead", "/api/v1/stats/places?from=2026-11-01&to=2026-11-30");
  ASSERT_EQ(streets.status, 200) << streets.body;
  auto counts = Body(streets);
  EXPECT_EQ(counts["level"], "street");
  ASSERT_EQ(counts["items"].size(), 2u) << counts;
  EXPECT_EQ(counts["items"][0]["unit_id"], street_a_.id);
  EXPECT_EQ(counts["items"][0]["count"], 2);
  EXPECT_EQ(counts["items"][1]["unit_id"], street_b_.id);
  EXPECT_EQ(counts["items"][1]["count"], 1);
  auto districts =
      Body(Get("lead", "/api/v1/stats/places?level=district&from=2026-11-01&to=2026-11-30"));
  ASSERT_EQ(districts["items"].size(), 1u);
  EXPECT_EQ(districts["items"][0]["count"], 3);
  EXPECT_EQ(Get("lead", "/api/v1/stats/places?level=planet&from=2026-11-01&to=2026-11-30").status,
            400);
  EXPECT_EQ(Get("ha", "/api/v1/stats/places?from=2026-11-01&to=2026-11-30").status, 403);

  // An area's list: exactly the requests located in it.
  auto ids_of = [&](const std::string& query) {
    auto res = Get("lead", "/api/v1/requests?" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    std::set<std::string> ids;
    const auto body = Body(res);
    for (const auto& r : body["items"]) ids.insert(r["id"].get<std::string>());
    return ids;
  };
  EXPECT_EQ(ids_of("place_id=" + street_a_.id), (std::set<std::string>{a1, a2}));
  EXPECT_EQ(ids_of("place_id=" + street_b_.id), (std::set<std::string>{b1}));
  EXPECT_EQ(ids_of("place_id=" + community_a_.id), (std::set<std::string>{a1, a2}));
  EXPECT_EQ(Get("lead", "/api/v1/requests?place_id=" + police_.id).status, 400);
  EXPECT_EQ(Get("lead", "/api/v1/requests?place_id=nope").status, 400);
  // A hotspot's list: its ids, still within what the caller may read.
  EXPECT_EQ(ids_of("ids=" + a1 + "," + b1), (std::set<std::string>{a1, b1}));
  auto hb = Get("hb", "/api/v1/requests?ids=" + a1 + "," + b1);
  ASSERT_EQ(hb.status, 200);
  ASSERT_EQ(Body(hb)["items"].size(), 1u);
  EXPECT_EQ(Body(hb)["items"][0]["id"], b1);
  std::string many = "x0";
  for (int i = 1; i <= 500; ++i) many += ",x" + std::to_string(i);
  EXPECT_EQ(Get("lead", "/api/v1/requests?ids=" + many).status, 400);
}

// A department summoned by a street (吹哨报到) sees the request in its inbox,
// marked as summoned; the street's own inbox does not mark it.
TEST_P(RequestRoutesTest, SummonedRequestsAreMarkedApartInTheInbox) {
  const std::string id = Submit(Stalls())["id"];
  ASSERT_EQ(Command("ha", id, "sign").status, 200);
  ASSERT_EQ(
      Command("ha", id, "summon",
              {{"reason", "需要公安配合"}, {"department_ids", json::Json::array({police_.id})}})
          .status,
      200);
  auto police = Body(Get("pol", "/api/v1/requests"))["items"];
  ASSERT_EQ(police.size(), 1u);
  EXPECT_EQ(police[0]["id"], id);
  EXPECT_TRUE(police[0]["summoned"].get<bool>());
  auto street = Body(Get("ha", "/api/v1/requests"))["items"];
  ASSERT_EQ(street.size(), 1u);
  EXPECT_FALSE(street[0]["summoned"].get<bool>());
  EXPECT_FALSE(Body(Get("op", "/api/v1/requests"))["items"][0]["summoned"].get<bool>());
}

INSTANTIATE_TEST_SUITE_P(Backends, RequestRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
