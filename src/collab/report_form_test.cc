// Report forms' pure rules: what a form may ask, which units it reaches,
// how an answer is checked and prefilled, and the sender's completion table.
#include "collab/report_form.h"

#include <gtest/gtest.h>

#include "core/xlsx.h"

namespace xietong::collab {
namespace {

using identity::OrgUnit;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;
constexpr Timestamp kDay = 86'400'000'000;

OrgUnit U(std::string id, std::string path, std::string name, UnitKind kind, std::string code) {
  OrgUnit u;
  u.id = id;
  u.path = path;
  u.name = name;
  u.kind = kind;
  u.code = code;
  return u;
}

const OrgUnit kDistrict = U("d", "/c/d/", "临江区", UnitKind::kDistrict, "JL-01");
const OrgUnit kDept = U("w", "/c/d/w/", "区水务局", UnitKind::kDepartment, "JL-01-D1");
const OrgUnit kStreet = U("s", "/c/d/s/", "滨江街道", UnitKind::kStreet, "JL-01-01");
const OrgUnit kC1 = U("c1", "/c/d/s/c1/", "望江社区", UnitKind::kCommunity, "JL-01-01-01");
const OrgUnit kC2 = U("c2", "/c/d/s/c2/", "观潮社区", UnitKind::kCommunity, "JL-01-01-02");
const OrgUnit kOther = U("o", "/c/o/", "西湖区", UnitKind::kDistrict, "JL-02");

FormField F(std::string key, FieldType type, bool required, std::vector<std::string> options = {}) {
  FormField f;
  f.key = key;
  f.title = "题" + key;
  f.type = type;
  f.required = required;
  f.options = std::move(options);
  return f;
}

std::vector<FormField> Fields() {
  return {F("households", FieldType::kInteger, true), F("area", FieldType::kNumber, false),
          F("checked_on", FieldType::kDate, false),
          F("level", FieldType::kChoice, true, {"低", "中", "高"}),
          F("note", FieldType::kText, false)};
}

NewReportForm Valid() {
  NewReportForm in;
  in.title = "防汛隐患排查";
  in.fields = Fields();
  in.to_units = {"d"};
  in.due_by = kNow + kDay;
  return in;
}

TEST(ReportFormTest, AValidFormPasses) {
  auto fields = ValidateForm(Valid(), kNow);
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_EQ(fields->size(), 5u);
}

TEST(ReportFormTest, BadFormsNameTheirField) {
  auto expect = [](NewReportForm in, std::string field, std::string reason) {
    auto r = ValidateForm(in, kNow);
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, field) << r.error().message;
    EXPECT_EQ(r.error().reason, reason) << r.error().message;
  };
  NewReportForm in = Valid();
  in.fields.push_back(F("households", FieldType::kText, false));
  expect(in, "fields[5].key", "duplicate");
  in = Valid();
  in.fields[0].key = "Households";
  expect(in, "fields[0].key", "invalid");
  in = Valid();
  in.fields[3].options.clear();
  expect(in, "fields[3].options", "required");
  in = Valid();
  in.fields[3].options = {"低", "低"};
  expect(in, "fields[3].options", "duplicate");
  in = Valid();
  in.fields[0].options = {"x"};
  expect(in, "fields[0].options", "invalid");
  in = Valid();
  in.fields.clear();
  expect(in, "fields", "required");
  in = Valid();
  in.fields.clear();
  for (int i = 0; i <= static_cast<int>(kMaxFormFields); ++i)
    in.fields.push_back(F("f" + std::to_string(i), FieldType::kText, false));
  expect(in, "fields", "too_many");
  in = Valid();
  in.fields[1].title = "";
  expect(in, "fields[1].title", "empty");
  in = Valid();
  in.title = std::string(101, 'x');
  expect(in, "title", "too_long");
  in = Valid();
  in.title = "bad \xff utf8";
  expect(in, "title", "invalid_utf8");
  in = Valid();
  in.due_by = kNow - 1;
  expect(in, "due_by", "past");
  in = Valid();
  in.due_by = 0;
  expect(in, "due_by", "required");
  in = Valid();
  in.to_units.clear();
  expect(in, "to_units", "required");
  in = Valid();
  in.unit_kinds = {"village-ish"};
  expect(in, "unit_kinds", "unknown");
}

TEST(ReportFormTest, RecipientsAreUnitsOfTheChosenKindsNeverTheSender) {
  const std::vector<OrgUnit> all = {kDistrict, kDept, kStreet, kC1, kC2, kOther};
  const std::vector<OrgUnit> district = {kDistrict};
  const std::vector<std::string> communities = {"community"};
  auto r = ResolveFormRecipients(district, true, communities, all, "d");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].unit_id, "c1");
  EXPECT_EQ(r[1].unit_id, "c2");
  // Without kinds: every unit below, by code; the sending district is left out.
  r = ResolveFormRecipients(district, true, {}, all, "d");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].unit_code, "JL-01-01");
  EXPECT_EQ(r[3].unit_code, "JL-01-D1");
  // Without the subtree: the named units only.
  const std::vector<OrgUnit> two = {kStreet, kDept};
  r = ResolveFormRecipients(two, false, {}, all, "d");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].unit_id, "s");
  EXPECT_EQ(r[1].unit_id, "w");
}

TEST(ReportFormTest, AnswersAreCheckedAndNormalizedByField) {
  const auto fields = Fields();
  auto ok = ValidateAnswer(fields, json::Json{{"households", "12"},
                                              {"area", 3.5},
                                              {"checked_on", "2026-11-30"},
                                              {"level", "中"},
                                              {"note", ""}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)["households"], 12);
  EXPECT_TRUE((*ok)["households"].is_number_integer());
  EXPECT_EQ((*ok)["area"], 3.5);
  EXPECT_FALSE(ok->contains("note"));  // empty and optional: left out
  auto bad = [&](json::Json values, std::string field, std::string reason) {
    auto r = ValidateAnswer(fields, values);
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().field, field) << r.error().message;
    EXPECT_EQ(r.error().reason, reason) << r.error().message;
    EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
  };
  bad({{"level", "低"}}, "values.households", "required");
  bad({{"households", 1.5}, {"level", "低"}}, "values.households", "wrong_type");
  bad({{"households", "12户"}, {"level", "低"}}, "values.households", "wrong_type");
  bad({{"households", 1}, {"level", "极高"}}, "values.level", "not_an_option");
  bad({{"households", 1}, {"level", "低"}, {"area", "1e5"}}, "values.area", "wrong_type");
  bad({{"households", 1}, {"level", "低"}, {"area", 1e16}}, "values.area", "out_of_range");
  bad({{"households", 1}, {"level", "低"}, {"checked_on", "2026-02-30"}}, "values.checked_on",
      "wrong_type");
  bad({{"households", 1}, {"level", "低"}, {"note", std::string(2001, 'x')}}, "values.note",
      "too_long");
  bad({{"households", 1}, {"level", "低"}, {"note", "bad \xc3 utf8"}}, "values.note",
      "invalid_utf8");
  bad({{"households", 1}, {"level", "低"}, {"surprise", 1}}, "values.surprise", "unknown");
  auto not_object = ValidateAnswer(fields, json::Json::array());
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().field, "values");
}

TEST(ReportFormTest, PrefillKeepsWhatStillFits) {
  auto fields = Fields();
  fields[3].options = {"低", "高"};  // "中" is gone
  const json::Json earlier = {{"households", 40},   {"area", 2.5}, {"level", "中"},
                              {"note", "上次填报"}, {"gone", "x"}, {"checked_on", 7}};
  const json::Json p = PrefillFrom(fields, earlier);
  EXPECT_EQ(p, (json::Json{{"households", 40}, {"area", 2.5}, {"note", "上次填报"}}));
}

TEST(ReportFormTest, CompletionFlagsLateAndOverdueUnits) {
  ReportForm f;
  f.title = "月报";
  f.fields = Fields();
  f.due_by = kNow + kDay;
  const std::vector<FormRecipient> rs = {
      {"a", "甲社区", "A1", "/a/"}, {"b", "乙社区", "A2", "/b/"}, {"c", "丙社区", "A3", "/c/"}};
  FormAnswer on_time;
  on_time.unit_id = "a";
  on_time.first_submitted_at = kNow;
  on_time.submitted_at = kNow + 2 * kDay;  // revised after the deadline: still on time
  on_time.revision = 2;
  on_time.values = {{"households", 3}, {"level", "低"}};
  FormAnswer late;
  late.unit_id = "b";
  late.first_submitted_at = late.submitted_at = kNow + 2 * kDay;
  late.revision = 1;
  late.values = {{"households", 5}, {"level", "高"}, {"note", "=cmd()"}};
  const std::vector<FormAnswer> answers = {late, on_time};

  auto before = Tabulate(f, rs, answers, kNow + kDay);
  EXPECT_EQ(before.units[2].status, Completion::kMissing);
  auto t = Tabulate(f, rs, answers, kNow + 3 * kDay);
  ASSERT_EQ(t.units.size(), 3u);
  EXPECT_EQ(t.units[0].status, Completion::kSubmitted);
  EXPECT_EQ(t.units[1].status, Completion::kLate);
  EXPECT_EQ(t.units[2].status, Completion::kOverdue);
  EXPECT_EQ(t.recipients, 3);
  EXPECT_EQ(t.submitted, 1);
  EXPECT_EQ(t.late, 1);
  EXPECT_EQ(t.overdue, 1);
  EXPECT_EQ(t.missing, 0);

  const auto rows = AnswerRows(f, t, answers);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0], "单位");
  EXPECT_EQ(rows[0][6], "题households");
  EXPECT_EQ(rows[1][2], "已报送");
  EXPECT_EQ(rows[1][5], "1");  // revised once
  EXPECT_EQ(rows[1][6], "3");
  EXPECT_EQ(rows[2][2], "逾期报送");
  EXPECT_EQ(rows[3][2], "逾期未报");
  EXPECT_EQ(rows[3][6], "");
  const std::string csv = AnswersCsv(f, t, answers);
  EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBF月报\r\n"));
  EXPECT_EQ(csv.find(",=cmd()"), std::string::npos);  // never a formula
  auto xlsx = AnswersXlsx(f, t, answers);
  ASSERT_TRUE(xlsx) << xlsx.error().message;
  EXPECT_TRUE(LooksLikeZip(*xlsx));
}

TEST(ReportFormTest, FieldsRoundTripThroughJson) {
  FormField f = F("level", FieldType::kChoice, true, {"低", "高"});
  f.unit = "户";
  f.hint = "按实填写";
  auto back = FieldFromJson(FieldJson(f), "fields[0]");
  ASSERT_TRUE(back);
  EXPECT_EQ(FieldJson(*back), FieldJson(f));
  auto bad =
      FieldFromJson(json::Json{{"key", "k"}, {"title", "t"}, {"type", "colour"}}, "fields[2]");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "fields[2].type");
}

}  // namespace
}  // namespace xietong::collab
