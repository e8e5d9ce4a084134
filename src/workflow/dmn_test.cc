#include "workflow/dmn.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "core/clock.h"

namespace xietong::dmn {

void PrintTo(const Problem& p, std::ostream* os) {
  *os << "{\"" << p.decision_id << "\", " << p.line << ", \"" << p.reason << "\"}";
}

namespace {

using feel::Context;
using feel::Value;

feel::EvalEnv Env() {
  feel::EvalEnv env;
  env.now = *ParseRfc3339("2026-12-01T10:00:00+08:00");
  return env;
}

std::string Definitions(std::string_view decisions) {
  return fmt::format(R"(<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="miaopi" name="秒批" namespace="http://camunda.org/schema/1.0/dmn">
{}
</definitions>
)",
                     decisions);
}

// One rule: the input cells, then the output cells.
struct Row {
  std::string id;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
};

std::string Escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Rules(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& r : rows) {
    out += fmt::format("      <rule id=\"{}\">\n", r.id);
    for (const auto& c : r.inputs)
      out += fmt::format("        <inputEntry><text>{}</text></inputEntry>\n", Escape(c));
    for (const auto& c : r.outputs)
      out += fmt::format("        <outputEntry><text>{}</text></outputEntry>\n", Escape(c));
    out += "      </rule>\n";
  }
  return out;
}

// 秒批 of a small restaurant licence: area (面积), street-facing (是否临街),
// health certificates of all staff (从业人员健康证) → approve + reason.
std::string ApprovalTable(std::string_view hit_policy, const std::vector<Row>& rows) {
  return Definitions(fmt::format(R"(  <decision id="restaurant_licence" name="小餐饮许可秒批">
    <decisionTable id="table" hitPolicy="{}">
      <input id="i1" label="面积">
        <inputExpression id="e1" typeRef="number"><text>area</text></inputExpression>
      </input>
      <input id="i2" label="是否临街">
        <inputExpression id="e2" typeRef="boolean"><text>street_facing</text></inputExpression>
      </input>
      <input id="i3" label="从业人员健康证">
        <inputExpression id="e3" typeRef="boolean"><text>all_health_certs</text></inputExpression>
      </input>
      <output id="o1" label="批准" name="approve" typeRef="boolean" />
      <output id="o2" label="理由" name="reason" typeRef="string" />
{}    </decisionTable>
  </decision>)",
                                 hit_policy, Rules(rows)));
}

const std::vector<Row> kUniqueRules = {
    {"small_inside", {"<= 100", "false", "true"}, {"true", R"("符合秒批条件")"}},
    {"small_street", {"<= 100", "true", "true"}, {"false", R"("临街店铺需现场核查")"}},
    {"no_certs", {"<= 100", "-", "false"}, {"false", R"("从业人员健康证不全")"}},
    {"too_large", {"> 100", "-", "-"}, {"false", R"("面积超过100平方米，转人工审核")"}},
};

Context Applicant(std::optional<int> area, bool street, bool certs) {
  return {{"area", area ? Value::Number(*area) : Value()},
          {"street_facing", Value(street)},
          {"all_health_certs", Value(certs)}};
}

std::string Show(const Result<Value>& r) {
  return r ? feel::ToDebugString(*r) : "ERROR: " + r.error().message;
}

TEST(DmnTest, UniqueApprovalTable) {
  auto model = DecisionModel::Parse(ApprovalTable("UNIQUE", kUniqueRules));
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->decision_ids(), std::vector<std::string>{"restaurant_licence"});
  const auto eval = [&](std::optional<int> area, bool street, bool certs) {
    return Show(model->Evaluate("restaurant_licence", Applicant(area, street, certs), Env()));
  };
  EXPECT_EQ(eval(60, false, true), R"({approve: true, reason: "符合秒批条件"})");
  EXPECT_EQ(eval(100, true, true), R"({approve: false, reason: "临街店铺需现场核查"})");
  EXPECT_EQ(eval(80, false, false), R"({approve: false, reason: "从业人员健康证不全"})");
  EXPECT_EQ(eval(150, false, true), R"({approve: false, reason: "面积超过100平方米，转人工审核"})");
  EXPECT_EQ(eval(std::nullopt, false, true), "null");  // no rule matches an unknown area

  auto traced = model->EvaluateWithRules("restaurant_licence", Applicant(60, false, true), Env());
  ASSERT_TRUE(traced);
  EXPECT_EQ(traced->matched_rules, std::vector<std::string>{"small_inside"});
  EXPECT_EQ(model->Evaluate("nope", {}, Env()).error().code, ErrorCode::kNotFound);
}

TEST(DmnTest, UniqueWithTwoMatchesIsAnErrorNamingTheRules) {
  std::vector<Row> rows = kUniqueRules;
  rows.push_back({"any_small", {"< 200", "-", "true"}, {"true", R"("重叠规则")"}});
  auto model = DecisionModel::Parse(ApprovalTable("UNIQUE", rows));
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(Show(model->Evaluate("restaurant_licence", Applicant(60, false, true), Env())),
            "ERROR: decision 'restaurant_licence' has hit policy UNIQUE but rules 'small_inside', "
            "'any_small' all match");
  // Where only one matches, the table still answers.
  EXPECT_EQ(Show(model->Evaluate("restaurant_licence", Applicant(250, false, true), Env())),
            R"({approve: false, reason: "面积超过100平方米，转人工审核"})");
}

const std::vector<Row> kOverlapping = {
    {"certs_missing", {"-", "-", "false"}, {"false", R"("健康证不全")"}},
    {"large", {"> 100", "-", "-"}, {"false", R"("面积过大")"}},
    {"default", {"-", "-", "-"}, {"true", R"("秒批")"}},
};

TEST(DmnTest, FirstTakesTheFirstMatch) {
  auto model = DecisionModel::Parse(ApprovalTable("FIRST", kOverlapping));
  ASSERT_TRUE(model) << model.error().message;
  auto r = model->EvaluateWithRules("restaurant_licence", Applicant(150, false, false), Env());
  ASSERT_TRUE(r);
  EXPECT_EQ(feel::ToDebugString(r->value), R"({approve: false, reason: "健康证不全"})");
  EXPECT_EQ(r->matched_rules, std::vector<std::string>{"certs_missing"});
  EXPECT_EQ(Show(model->Evaluate("restaurant_licence", Applicant(150, false, true), Env())),
            R"({approve: false, reason: "面积过大"})");
  EXPECT_EQ(Show(model->Evaluate("restaurant_licence", Applicant(50, true, true), Env())),
            R"({approve: true, reason: "秒批"})");
}

TEST(DmnTest, RuleOrderAndCollectListEveryMatch) {
  auto ordered = DecisionModel::Parse(ApprovalTable("RULE ORDER", kOverlapping));
  ASSERT_TRUE(ordered) << ordered.error().message;
  EXPECT_EQ(Show(ordered->Evaluate("restaurant_licence", Applicant(150, false, false), Env())),
            R"([{approve: false, reason: "健康证不全"}, {approve: false, reason: "面积过大"}, )"
            R"({approve: true, reason: "秒批"}])");
  auto collect = DecisionModel::Parse(ApprovalTable("COLLECT", kOverlapping));
  ASSERT_TRUE(collect) << collect.error().message;
  EXPECT_EQ(Show(collect->Evaluate("restaurant_licence", Applicant(50, false, true), Env())),
            R"([{approve: true, reason: "秒批"}])");
}

TEST(DmnTest, AnyAcceptsAgreeingRulesOnly) {
  const std::vector<Row> agreeing = {
      {"a", {"> 100", "-", "-"}, {"false", R"("不符合")"}},
      {"b", {"-", "-", "false"}, {"false", R"("不符合")"}},
  };
  auto model = DecisionModel::Parse(ApprovalTable("ANY", agreeing));
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(Show(model->Evaluate("restaurant_licence", Applicant(150, false, false), Env())),
            R"({approve: false, reason: "不符合"})");
  auto differing = DecisionModel::Parse(ApprovalTable("ANY", kOverlapping));
  ASSERT_TRUE(differing);
  EXPECT_EQ(Show(differing->Evaluate("restaurant_licence", Applicant(150, false, false), Env())),
            "ERROR: decision 'restaurant_licence' has hit policy ANY but rules 'certs_missing', "
            "'large', 'default' give different outputs");
}

// Points that each missing item costs: one output, so COLLECT can aggregate.
std::string PointsTable(std::string_view aggregation) {
  const std::vector<Row> rows = {
      {"street", {"true", "-"}, {"2"}},
      {"certs", {"-", "false"}, {"5"}},
      {"always", {"-", "-"}, {"1"}},
  };
  return Definitions(fmt::format(
      R"(  <decision id="points" name="扣分">
    <decisionTable id="t" hitPolicy="COLLECT"{}>
      <input id="i1"><inputExpression typeRef="boolean"><text>street_facing</text></inputExpression></input>
      <input id="i2"><inputExpression typeRef="boolean"><text>all_health_certs</text></inputExpression></input>
      <output id="o1" name="points" typeRef="number" />
{}    </decisionTable>
  </decision>)",
      aggregation.empty() ? "" : fmt::format(" aggregation=\"{}\"", aggregation), Rules(rows)));
}

TEST(DmnTest, CollectAggregates) {
  const Context both = {{"street_facing", Value(true)}, {"all_health_certs", Value(false)}};
  const auto eval = [&](std::string_view aggregation, const Context& vars) {
    auto model = DecisionModel::Parse(PointsTable(aggregation));
    if (!model) return "PARSE ERROR: " + model.error().message;
    return Show(model->Evaluate("points", vars, Env()));
  };
  EXPECT_EQ(eval("", both), "[2, 5, 1]");
  EXPECT_EQ(eval("SUM", both), "8");
  EXPECT_EQ(eval("COUNT", both), "3");
  EXPECT_EQ(eval("MIN", both), "1");
  EXPECT_EQ(eval("MAX", both), "5");
  const Context clean = {{"street_facing", Value(false)}, {"all_health_certs", Value(true)}};
  EXPECT_EQ(eval("SUM", clean), "1");
}

TEST(DmnTest, CollectWithoutMatchesIsEmptyOrNull) {
  const std::vector<Row> rows = {{"only", {"> 1000", "-", "-"}, {"false", R"("x")"}}};
  auto model = DecisionModel::Parse(ApprovalTable("COLLECT", rows));
  ASSERT_TRUE(model);
  EXPECT_EQ(Show(model->Evaluate("restaurant_licence", Applicant(5, false, true), Env())), "[]");
}

TEST(DmnTest, RequiredDecisionsAndLiteralExpressions) {
  const std::string xml = Definitions(R"(
  <decision id="fee" name="收费">
    <informationRequirement id="r1"><requiredDecision href="#base" /></informationRequirement>
    <variable id="v1" name="fee" typeRef="number" />
    <literalExpression id="l1"><text>if base &gt; 100 then base * 0.9 else base</text></literalExpression>
  </decision>
  <decision id="base" name="基础费用">
    <literalExpression id="l2"><text>area * 2</text></literalExpression>
  </decision>)");
  auto model = DecisionModel::Parse(xml);
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(Show(model->Evaluate("fee", {{"area", Value::Number(80)}}, Env())), "144");
  EXPECT_EQ(Show(model->Evaluate("fee", {{"area", Value::Number(40)}}, Env())), "80");
}

TEST(DmnTest, EvaluationErrorsNameDecisionRuleAndCell) {
  auto model = DecisionModel::Parse(ApprovalTable("UNIQUE", kUniqueRules));
  ASSERT_TRUE(model);
  const Context text_area = {
      {"area", Value("六十")}, {"street_facing", Value(false)}, {"all_health_certs", Value(true)}};
  EXPECT_EQ(Show(model->Evaluate("restaurant_licence", text_area, Env())),
            "ERROR: decision 'restaurant_licence' rule 'small_inside' input '面积': at column 1: "
            "cannot compare string with number");
  const std::vector<Row> wrong_type = {{"r", {"-", "-", "-"}, {R"("yes")", R"("x")"}}};
  auto typed = DecisionModel::Parse(ApprovalTable("UNIQUE", wrong_type));
  ASSERT_TRUE(typed);
  EXPECT_EQ(
      Show(typed->Evaluate("restaurant_licence", Applicant(1, false, true), Env())),
      R"(ERROR: decision 'restaurant_licence' rule 'r' output 'approve': "yes" is not a boolean)");
}

TEST(DmnTest, InvalidFileReportsEveryProblemWithLines) {
  const std::string xml = Definitions(R"(  <decision id="broken" name="坏表">
    <decisionTable id="t" hitPolicy="PRIORITY">
      <input id="i1"><inputExpression><text>foo(area)</text></inputExpression></input>
      <output id="o1" name="ok" typeRef="boolean" />
      <rule id="r1">
        <inputEntry><text>&lt; (5</text></inputEntry>
        <outputEntry><text>true</text></outputEntry>
      </rule>
      <rule id="r2">
        <outputEntry><text>true</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry><text>-</text></inputEntry>
        <outputEntry><text>1 +</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="other">
    <informationRequirement><requiredDecision href="#ghost" /></informationRequirement>
    <literalExpression><text>1</text></literalExpression>
  </decision>)");
  const std::vector<Problem> problems = DecisionModel::Check(xml);
  const std::vector<Problem> expected = {
      {"broken", 4,
       "hit policy 'PRIORITY' is not supported (use UNIQUE, FIRST, ANY, RULE ORDER or COLLECT)"},
      {"broken", 5, "input 'i1': at column 1: unknown function 'foo'"},
      {"broken", 8, "rule 'r1' input 1: at column 5: expected ')' to close '(', found end of text"},
      {"broken", 11,
       "rule 'r2' has 0 input and 1 output entries, the table has 1 inputs and 1 outputs"},
      {"broken", 16, "rule 'r3' output 1: at column 4: expected an expression, found end of text"},
      {"other", 20, "required decision 'ghost' does not exist"},
  };
  EXPECT_EQ(problems, expected);
  auto parsed = DecisionModel::Parse(xml);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(parsed.error().message.starts_with(
      "the DMN file has 6 problems:\n  line 4, decision 'broken'"));
}

TEST(DmnTest, RefusesHostileAndForeignFiles) {
  const std::string laughs = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/">&lol3;</definitions>)";
  EXPECT_EQ(DecisionModel::Check(laughs),
            (std::vector<Problem>{
                {"", 2, "a DOCTYPE is not allowed in a DMN file (entities could expand)"}}));

  std::string many = R"(<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/">)";
  for (int i = 0; i < 100000; ++i) many += "<x/>";
  many += "</definitions>";
  const auto problems = DecisionModel::Check(many);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].reason, fmt::format("the file has more than {} elements", kMaxDmnElements));

  const std::string huge(kMaxDmnBytes + 1, ' ');
  EXPECT_EQ(DecisionModel::Parse(huge).error().code, ErrorCode::kTooLarge);

  const auto broken = DecisionModel::Check("<definitions>\n<decision>\n</definitions>");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].line, 3);
  EXPECT_TRUE(broken[0].reason.starts_with("not well-formed XML"));

  const auto old = DecisionModel::Check(
      R"(<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd"><decision id="d"/></definitions>)");
  ASSERT_EQ(old.size(), 1u);
  EXPECT_NE(old[0].reason.find("expected DMN 1.3"), std::string::npos);
}

TEST(DmnTest, PrefixedElementsAreRead) {
  const std::string xml =
      R"(<dmn:definitions xmlns:dmn="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d">
  <dmn:decision id="double">
    <dmn:literalExpression><dmn:text>x * 2</dmn:text></dmn:literalExpression>
  </dmn:decision>
</dmn:definitions>)";
  auto model = DecisionModel::Parse(xml);
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(Show(model->Evaluate("double", {{"x", Value::Number(21)}}, Env())), "42");
}

}  // namespace
}  // namespace xietong::dmn
