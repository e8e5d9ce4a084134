// The one-thing services over a real socket, on every backend: a permit
// bundle defined by the administrator, applied for by a resident with a PDF,
// a 补正 round, a certificate anyone can verify without logging in, the
// rating and the figures as JSON, CSV and XLSX; and every bad input a 4xx
// that names what is wrong.
#include <set>

#include "http/request_routes_fixture.h"
#include "workflow/bpmn_fixture.h"

namespace xietong::http {
namespace {

// One department (the fixture's police, JL-D12) reviews; a refusal ends it.
const std::string kPermitProcess = workflow::Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="治安审查">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="JL-D12"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>)");

json::Json PermitBundle() {
  return {
      {"code", "event-permit"},
      {"title", "大型活动安全许可"},
      {"title_en", "Large event permit"},
      {"process_id", "oneProcess"},
      {"promised_days", 5},
      {"holder_field", "organiser"},
      {"conditions", {{{"text", "活动人数在1000人以上"}, {"text_en", "Over 1,000 people"}}}},
      {"fees", json::Json::array()},
      {"materials",
       {{{"key", "plan"}, {"name", "安全工作方案"}, {"required", true}, {"parts", {"review"}}}}},
      {"fields",
       {{{"key", "organiser"},
         {"label", "主办单位"},
         {"type", "text"},
         {"required", true},
         {"parts", {"review"}}},
        {{"key", "contact"},
         {"label", "联系人"},
         {"type", "text"},
         {"required", true},
         {"prefill", "account.display_name"}},
        {{"key", "id_number"},
         {"label", "联系人身份证号"},
         {"type", "id_number"},
         {"required", true}},
        {{"key", "people"},
         {"label", "预计人数"},
         {"type", "number"},
         {"required", true},
         {"parts", {"review"}}}}},
      {"parts",
       {{{"key", "review"},
         {"title", "治安审查"},
         {"unit_code", "JL-D12"},
         {"promised_days", 5},
         {"certificate", "大型群众性活动安全许可决定书"},
         {"certificate_prefix", "AQ"}}}}};
}

class ServicesRoutesTest : public RequestRoutesTest {
 protected:
  void Define() {
    auto deployed = Send(
        port_, "POST", "/api/v1/workflow/definitions", kPermitProcess,
        {{"Content-Type", "application/xml"}, {"Authorization", "Bearer " + tokens_.at("adm")}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
    auto defined = Post("adm", "/api/v1/services", PermitBundle());
    ASSERT_EQ(defined.status, 201) << defined.body;
  }
  std::string UploadPdf(const std::string& who, const std::string& text) {
    auto r =
        Send(port_, "POST", "/api/v1/attachments", "%PDF-1.7\n" + text,
             {{"Content-Type", "application/pdf"}, {"Authorization", "Bearer " + tokens_.at(who)}});
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r)["id"];
  }
  json::Json Form() {
    return {{"organiser", "江澜市体育发展中心"},
            {"contact", "陈明"},
            {"id_number", "330102199003071230"},
            {"people", 3000}};
  }
};

TEST_P(ServicesRoutesTest, AResidentAppliesAndThePoliceIssueAVerifiableCertificate) {
  Define();
  auto list = Send(port_, "GET", "/api/v1/services", "", {});  // public
  ASSERT_EQ(list.status, 200) << list.body;
  const json::Json services = Body(list);
  ASSERT_EQ(services["items"].size(), 1u);
  EXPECT_EQ(services["items"][0]["parts"][0]["unit_name"], "市公安局");
  auto notice = Send(port_, "GET", "/api/v1/services/event-permit", "", {});
  ASSERT_EQ(notice.status, 200);
  EXPECT_EQ(Body(notice)["fields"].size(), 4u);
  // The definition as POST takes it, to edit a new version from.
  EXPECT_EQ(Body(notice)["definition"]["holder_field"], "organiser");
  EXPECT_EQ(Body(notice)["definition"]["parts"][0]["certificate_prefix"], "AQ");
  auto prefill = Get("res", "/api/v1/services/event-permit/prefill");
  ASSERT_EQ(prefill.status, 200) << prefill.body;
  EXPECT_EQ(Body(prefill)["values"]["contact"], "测试res");

  const json::Json body = {{"service", "event-permit"},
                           {"form", Form()},
                           {"materials", {{"plan", {UploadPdf("res", "plan")}}}}};
  auto applied = Post("res", "/api/v1/applications", body, {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(applied.status, 201) << applied.body;
  const json::Json app = Body(applied);
  const std::string id = app["id"];
  EXPECT_EQ(app["status"], "submitted");
  auto retried = Post("res", "/api/v1/applications", body, {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(Body(retried)["id"], id);

  React();
  auto queue = Get("pol", "/api/v1/applications/parts?state=open");
  ASSERT_EQ(queue.status, 200) << queue.body;
  const json::Json items = Body(queue)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["part"]["status"], "in_review");
  const std::string plan_file = app["materials"]["plan"][0]["id"];
  auto file = Get("pol", "/api/v1/applications/" + id + "/materials/" + plan_file);
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.body, "%PDF-1.7\nplan");
  EXPECT_EQ(Get("hb", "/api/v1/applications/" + id + "/materials/" + plan_file).status, 404);

  const std::string part = "/api/v1/applications/" + id + "/parts/review/";
  auto asked = Post("pol", part + "correction",
                    {{"reason", "方案缺少疏散路线"}, {"items", {"plan", "people"}}});
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(Body(asked)["parts"][0]["correction"]["items"], json::Json({"plan", "people"}));
  auto fixed = Post(
      "res", "/api/v1/applications/" + id + "/corrections",
      {{"form", {{"people", 2500}}}, {"materials", {{"plan", {UploadPdf("res", "plan v2")}}}}});
  ASSERT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_EQ(Body(fixed)["parts"][0]["corrections"], 1);
  auto approved = Post("pol", part + "approve", {{"comment", "准予许可"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  React();

  auto done = Get("res", "/api/v1/applications/" + id);
  ASSERT_EQ(done.status, 200);
  const json::Json finished = Body(done);
  EXPECT_EQ(finished["status"], "completed");
  EXPECT_EQ(finished["outcome"], "approved");
  ASSERT_EQ(finished["certificates"].size(), 1u);
  const std::string code = finished["certificates"][0]["code"];
  auto verified = Send(port_, "GET", "/api/v1/certificates/verify/" + code, "", {});
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(Body(verified)["holder"], "江********");
  EXPECT_EQ(Body(verified)["issued_by"], "市公安局");

  auto rated = Post("res", "/api/v1/applications/" + id + "/rating",
                    {{"score", 5}, {"reasons", {"fast", "once"}}, {"comment", "很方便"}});
  ASSERT_EQ(rated.status, 200) << rated.body;
  auto figures = Get("lead", "/api/v1/services/figures?from=2026-11-01&to=2026-11-30");
  ASSERT_EQ(figures.status, 200) << figures.body;
  EXPECT_EQ(Body(figures)["services"][0]["ratings"], 1);
  auto csv = Get("lead", "/api/v1/services/figures?from=2026-11-01&to=2026-11-30&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("大型活动安全许可"), std::string::npos);
  auto xlsx = Get("lead", "/api/v1/services/figures?from=2026-11-01&to=2026-11-30&format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
}

TEST_P(ServicesRoutesTest, BadInputGetsA4xxNamingWhatIsWrong) {
  Define();
  json::Json form = Form();
  form["people"] = "many";
  form["id_number"] = "330102199003071231";
  auto bad =
      Post("res", "/api/v1/applications",
           {{"service", "event-permit"}, {"form", form}, {"materials", json::Json::object()}});
  ASSERT_EQ(bad.status, 400) << bad.body;
  std::set<std::string> fields;
  const json::Json bad_body = Body(bad);
  for (const auto& d : bad_body["error"]["details"]) fields.insert(d["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"form.people", "form.id_number", "materials.plan"}));
  EXPECT_EQ(
      Send(port_, "POST", "/api/v1/applications", "{\"service\":",
           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_.at("res")}})
          .status,
      400);
  EXPECT_EQ(Post("res", "/api/v1/applications",
                 {{"service", "event-permit"}, {"form", Form()}, {"materials", {{"plan", "x"}}}})
                .status,
            400);
  EXPECT_EQ(
      Post("res", "/api/v1/applications", {{"service", "moon-landing"}, {"form", Form()}}).status,
      404);
  EXPECT_EQ(Post("res", "/api/v1/services", PermitBundle()).status, 403);
  json::Json broken = PermitBundle();
  broken["fields"][0]["type"] = "colour";
  auto refused = Post("adm", "/api/v1/services", broken);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(Body(refused)["error"]["field"], "fields[0].type");

  auto applied = Post("res", "/api/v1/applications",
                      {{"service", "event-permit"},
                       {"form", Form()},
                       {"materials", {{"plan", {UploadPdf("res", "plan")}}}}});
  ASSERT_EQ(applied.status, 201) << applied.body;
  const std::string id = Body(applied)["id"];
  React();
  const std::string part = "/api/v1/applications/" + id + "/parts/review/";
  EXPECT_EQ(Post("hb", part + "approve", json::Json::object()).status, 404);
  EXPECT_EQ(Post("pol", part + "reject", json::Json::object()).status, 400);
  EXPECT_EQ(Post("pol", part + "correction", {{"reason", "x"}, {"items", {"nothing"}}}).status,
            400);
  EXPECT_EQ(Post("res", "/api/v1/applications/" + id + "/rating", {{"score", 9}}).status, 400);
  EXPECT_EQ(Post("res", "/api/v1/applications/" + id + "/rating", {{"score", 4}}).status, 409);
  EXPECT_EQ(Get("hb", "/api/v1/applications/" + id).status, 404);
  EXPECT_EQ(Get("pol", "/api/v1/applications/parts?state=later").status, 400);
  EXPECT_EQ(Send(port_, "GET", "/api/v1/certificates/verify/AAAA-BBBB", "", {}).status, 404);
  EXPECT_EQ(Get("res", "/api/v1/services/figures?from=2026-11-01&to=2026-11-30").status, 403);
  EXPECT_EQ(Get("lead", "/api/v1/services/figures?from=2026-11-01&to=2026-11-30&format=pdf").status,
            400);
  // The leader reads the application with the ID number masked.
  auto seen = Get("lead", "/api/v1/applications/" + id);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(Body(seen)["form"]["id_number"], "330***********1230");
  EXPECT_EQ(Body(seen)["masked"], true);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServicesRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
