// Report forms over the real routes, on every backend: a form to two
// streets; answering for the other street is 403 with nothing stored; a
// wrong value is 400 naming the field; the roll-up reads back each street's
// state as JSON, as CSV with a BOM and as an XLSX workbook; who is neither
// sender nor recipient gets 404; a send retried with the same
// Idempotency-Key is the first form, a resent answer the stored one.
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class ReportFormRoutesTest : public RequestRoutesTest {
 protected:
  std::string SendForm() {
    json::Json body = {
        {"title", "防汛物资储备情况"},
        {"instructions", "请各街道如实填报"},
        {"fields",
         {{{"key", "households"}, {"title", "受影响户数"}, {"type", "integer"}, {"required", true}},
          {{"key", "sandbags"}, {"title", "沙袋"}, {"type", "number"}, {"unit", "吨"}},
          {{"key", "level"},
           {"title", "风险等级"},
           {"type", "choice"},
           {"options", {"低", "中", "高"}},
           {"required", true}}}},
        {"to_units", {street_a_.id, street_b_.id}},
        {"include_subtree", false},
        {"due_by", FormatRfc3339(clock_.Now() + 2 * kMicrosPerDay)},
        {"series", "flood-stock"}};
    auto r = Post("lead", "/api/v1/report-forms", body);
    EXPECT_EQ(r.status, 201) << r.body;
    const auto f = Body(r);
    EXPECT_EQ(f["recipients"], 2);
    EXPECT_EQ(f["answered"], 0);
    EXPECT_EQ(f["fields"].size(), 3u);
    return f["id"];
  }
};

TEST_P(ReportFormRoutesTest, EachStreetAnswersForItselfAndTheRollUpReadsItBack) {
  const std::string id = SendForm();
  const std::string answers = "/api/v1/report-forms/" + id + "/answers";

  // hb (street B) answering for street A: 403, nothing stored.
  auto other = Post("hb", answers,
                    {{"unit_id", street_a_.id}, {"values", {{"households", 3}, {"level", "低"}}}});
  EXPECT_EQ(other.status, 403) << other.body;
  auto wrong = Post("ha", answers, {{"values", {{"households", "三户"}, {"level", "低"}}}});
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(Body(wrong)["error"]["field"], "values.households") << wrong.body;
  auto missing = Post("ha", answers, {{"unit_id", street_a_.id}});
  EXPECT_EQ(missing.status, 400) << missing.body;
  auto empty = Get("lead", answers);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(Body(empty)["items"].empty());

  auto ok =
      Post("ha", answers, {{"values", {{"households", 12}, {"sandbags", "2.5"}, {"level", "中"}}}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Body(ok)["unit_id"], street_a_.id);
  EXPECT_EQ(Body(ok)["revision"], 1);
  EXPECT_EQ(Body(ok)["late"], false);
  EXPECT_EQ(Body(ok)["values"]["sandbags"], 2.5);

  // The inbox of each street, with its own answer.
  auto inbox_b = Get("hb", "/api/v1/report-forms?box=inbox");
  ASSERT_EQ(inbox_b.status, 200) << inbox_b.body;
  ASSERT_EQ(Body(inbox_b)["items"].size(), 1u);
  EXPECT_EQ(Body(inbox_b)["items"][0]["answer"], nullptr);
  auto mine = Get("sl", "/api/v1/report-forms/" + id);  // the street's lead sees its answer
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Body(mine)["completion"], nullptr);
  ASSERT_EQ(Body(mine)["mine"].size(), 1u);
  EXPECT_EQ(Body(mine)["mine"][0]["answer"]["values"]["households"], 12);
  auto sent = Get("lead", "/api/v1/report-forms?box=sent");
  ASSERT_EQ(sent.status, 200);
  ASSERT_EQ(Body(sent)["items"].size(), 1u);
  EXPECT_EQ(Body(sent)["items"][0]["answered"], 1);

  // The roll-up: JSON, CSV, XLSX.
  auto table = Get("lead", answers);
  ASSERT_EQ(table.status, 200) << table.body;
  const auto t = Body(table);
  EXPECT_EQ(t["completion"]["recipients"], 2);
  EXPECT_EQ(t["completion"]["submitted"], 1);
  EXPECT_EQ(t["completion"]["missing"], 1);
  ASSERT_EQ(t["items"].size(), 1u);
  auto csv = Get("lead", answers + "?format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBF防汛物资储备情况\r\n")) << csv.body;
  EXPECT_NE(csv.body.find("沙袋（吨）"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("望湖街道,JL-01-01,已报送,测试ha"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("柳巷街道,JL-01-02,未报送"), std::string::npos) << csv.body;
  EXPECT_NE(csv.Header("content-disposition").find(".csv"), std::string::npos);
  auto xlsx = Get("lead", answers + "?format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_TRUE(xlsx.body.starts_with("PK"));
  EXPECT_EQ(Get("lead", answers + "?format=pdf").status, 400);

  // A recipient does not read the roll-up; someone else does not see the form.
  EXPECT_EQ(Get("ha", answers).status, 403);
  EXPECT_EQ(Get("pol", "/api/v1/report-forms/" + id).status, 404);
  EXPECT_EQ(Post("pol", answers, {{"values", {{"households", 1}}}}).status, 404);
  EXPECT_EQ(Get("lead", "/api/v1/report-forms/01JD0000000000000000000000").status, 404);
  auto prefill = Get("hb", "/api/v1/report-forms/" + id + "/prefill?unit_id=" + street_b_.id);
  ASSERT_EQ(prefill.status, 200) << prefill.body;
  EXPECT_EQ(Body(prefill)["from_form_id"], nullptr);
  EXPECT_EQ(Get("hb", "/api/v1/report-forms/" + id + "/prefill?unit_id=" + street_a_.id).status,
            403);
}

// A send retried with the same Idempotency-Key is the first form (201, the
// same id; no street receives it twice); a resent answer is the stored one.
TEST_P(ReportFormRoutesTest, ARetriedSendOrAnswerIsTheFirst) {
  json::Json body = {{"title", "防汛物资储备情况"},
                     {"fields", {{{"key", "households"}, {"title", "户数"}, {"type", "integer"}}}},
                     {"to_units", {street_a_.id, street_b_.id}},
                     {"include_subtree", false},
                     {"due_by", FormatRfc3339(clock_.Now() + 2 * kMicrosPerDay)}};
  auto first = Post("lead", "/api/v1/report-forms", body, {{"Idempotency-Key", "stock-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  body["title"] = "改过的标题";
  auto retry = Post("lead", "/api/v1/report-forms", body, {{"Idempotency-Key", "stock-1"}});
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(Body(retry)["id"], Body(first)["id"]);
  EXPECT_EQ(Body(retry)["title"], "防汛物资储备情况");
  auto inbox = Get("ha", "/api/v1/report-forms?box=inbox");
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_EQ(Body(inbox)["items"].size(), 1u) << "street A received it once";
  auto too_long =
      Post("lead", "/api/v1/report-forms", body, {{"Idempotency-Key", std::string(201, 'k')}});
  EXPECT_EQ(too_long.status, 400) << too_long.body;
  EXPECT_EQ(Body(too_long)["error"]["field"], "idempotency_key");

  const std::string answers =
      "/api/v1/report-forms/" + Body(first)["id"].get<std::string>() + "/answers";
  auto answered = Post("ha", answers, {{"values", {{"households", 4}}}});
  ASSERT_EQ(answered.status, 200) << answered.body;
  auto resent = Post("ha", answers, {{"values", {{"households", 4}}}});
  ASSERT_EQ(resent.status, 200) << resent.body;
  EXPECT_EQ(Body(resent)["revision"], 1);
  EXPECT_EQ(Body(resent)["submitted_at"], Body(answered)["submitted_at"]);
}

TEST_P(ReportFormRoutesTest, BadFormsAreRefusedNamingTheField) {
  auto no_fields = Post("lead", "/api/v1/report-forms",
                        {{"title", "x"},
                         {"to_units", {street_a_.id}},
                         {"due_by", FormatRfc3339(clock_.Now() + kMicrosPerDay)}});
  EXPECT_EQ(no_fields.status, 400) << no_fields.body;
  EXPECT_EQ(Body(no_fields)["error"]["field"], "fields");
  auto bad_type =
      Post("lead", "/api/v1/report-forms",
           {{"title", "x"},
            {"fields", json::Json::array({{{"key", "a"}, {"title", "A"}, {"type", "colour"}}})},
            {"to_units", {street_a_.id}},
            {"due_by", FormatRfc3339(clock_.Now() + kMicrosPerDay)}});
  EXPECT_EQ(bad_type.status, 400) << bad_type.body;
  EXPECT_EQ(Body(bad_type)["error"]["field"], "fields[0].type");
  auto handler = Post("ha", "/api/v1/report-forms",
                      {{"title", "x"},
                       {"fields", json::Json::array({{{"key", "a"}, {"title", "A"}}})},
                       {"to_units", {street_a_.id}},
                       {"due_by", FormatRfc3339(clock_.Now() + kMicrosPerDay)}});
  EXPECT_EQ(handler.status, 403) << handler.body;
  auto list = Get("lead", "/api/v1/report-forms?box=sent");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(Body(list)["items"].empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportFormRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
