#include "workflow/feel.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "workflow/feel_decimal.h"
#include "workflow/feel_value.h"

namespace xietong::feel {
namespace {

EvalEnv Env() {
  EvalEnv env;
  env.now = *ParseRfc3339("2026-12-01T10:00:00+08:00");
  return env;
}

// The value as FEEL text ("[1, 2]", "\"a\"", "null"), or "ERROR: <message>".
std::string Feel(std::string_view text, const Context& vars = {}, const EvalEnv& env = Env()) {
  auto e = Expression::Parse(text);
  if (!e) return "PARSE ERROR: " + e.error().message;
  auto v = e->Evaluate(vars, env);
  if (!v) return "ERROR: " + v.error().message;
  return ToDebugString(*v);
}

bool IsError(std::string_view text, const Context& vars = {}) {
  return Feel(text, vars).starts_with("ERROR: ");
}

std::string ParseError(std::string_view text) {
  auto e = Expression::Parse(text);
  return e ? "parsed" : e.error().message;
}

Result<bool> Matches(std::string_view tests, const Value& input, const Context& vars = {}) {
  XT_ASSIGN_OR_RETURN(UnaryTests t, UnaryTests::Parse(tests));
  return t.Matches(input, vars, Env());
}

TEST(DecimalTest, KeepsDecimalFractionsExact) {
  EXPECT_EQ(Feel("0.1 + 0.2"), "0.3");
  EXPECT_EQ(Feel("0.1 + 0.2 = 0.3"), "true");
  EXPECT_EQ(Feel("1.10 * 3"), "3.3");
  EXPECT_EQ(Feel("0.3 - 0.1 = 0.2"), "true");
  EXPECT_EQ(Feel("123456789012345678 + 1"), "123456789012345679");
  EXPECT_EQ(Feel("1 / 3"), "0.333333333333333333");
  EXPECT_EQ(Feel("2 / 3"), "0.666666666666666667");
  EXPECT_EQ(Feel("10 / 4"), "2.5");
  EXPECT_EQ(Feel("2 ** 10"), "1024");
  EXPECT_EQ(Feel("2 ** -2"), "0.25");
  EXPECT_EQ(Feel("-(3 - 5) * 2"), "4");
  EXPECT_EQ(Feel("1 / 0"), "null");
}

TEST(DecimalTest, ParsesPrintsAndOrders) {
  EXPECT_EQ(Decimal::Parse("1e3")->ToString(), "1000");
  EXPECT_EQ(Decimal::Parse("-0.0500")->ToString(), "-0.05");
  EXPECT_EQ(Decimal::FromDouble(0.1)->ToString(), "0.1");
  EXPECT_EQ(Decimal::Parse("1e40")->ToString(), "1E+40");
  EXPECT_FALSE(Decimal::Parse("1.2.3"));
  EXPECT_FALSE(Decimal::Parse("1e99999"));
  EXPECT_LT(*Decimal::Parse("0.1"), *Decimal::Parse("0.10000000000000001"));
  EXPECT_LT(*Decimal::Parse("-2"), *Decimal::Parse("-1.5"));
  EXPECT_EQ(*Decimal::Parse("2.50"), *Decimal::Parse("2.5"));
  EXPECT_EQ(Decimal::Parse("2.5")->RoundToScale(0, Rounding::kHalfEven)->ToString(), "2");
  EXPECT_EQ(Decimal::Parse("3.5")->RoundToScale(0, Rounding::kHalfEven)->ToString(), "4");
}

TEST(FeelTest, RoundingFunctions) {
  EXPECT_EQ(Feel("decimal(1.125, 2)"), "1.12");
  EXPECT_EQ(Feel("round half up(1.125, 2)"), "1.13");
  EXPECT_EQ(Feel("floor(-1.5)"), "-2");
  EXPECT_EQ(Feel("ceiling(1.2)"), "2");
  EXPECT_EQ(Feel("abs(-3.5)"), "3.5");
  EXPECT_EQ(Feel("modulo(-12, 5)"), "3");
}

TEST(FeelTest, StringFunctions) {
  EXPECT_EQ(Feel(R"("协同" + "办公")"), R"("协同办公")");
  EXPECT_EQ(Feel(R"(string length("协同办公"))"), "4");
  EXPECT_EQ(Feel(R"(substring("协同办公", 2, 2))"), R"("同办")");
  EXPECT_EQ(Feel(R"(substring("abc", -2))"), R"("bc")");
  EXPECT_EQ(Feel(R"(upper case("abc街道"))"), R"("ABC街道")");
  EXPECT_EQ(Feel(R"(lower case("ABC"))"), R"("abc")");
  EXPECT_EQ(Feel(R"(contains("朝阳区望京街道", "望京"))"), "true");
  EXPECT_EQ(Feel(R"(starts with("foo", "fo") and ends with("foo", "oo"))"), "true");
  EXPECT_EQ(Feel("string(1.50)"), R"("1.5")");
  EXPECT_EQ(Feel(R"(number("1,000.5", ",", "."))"), "1000.5");
  EXPECT_EQ(Feel(R"(number("x"))"), "null");
  EXPECT_EQ(Feel(R"("a\"b\u4e2d\n")"), "\"a\\\"b中\n\"");
  EXPECT_EQ(Feel(R"(string join(["a", "b"], "-"))"), R"("a-b")");
}

TEST(FeelTest, VariablesPathsAndContexts) {
  const Context vars = {
      {"amount", Value::Number(120)},
      {"applicant", Value(Context{{"name", "张三"}, {"age", Value::Number(30)}})}};
  EXPECT_EQ(Feel("amount > 100", vars), "true");
  EXPECT_EQ(Feel("applicant.name", vars), R"("张三")");
  EXPECT_EQ(Feel("applicant.address.street", vars), "null");
  EXPECT_EQ(Feel("{a: 1, b: a + 1}.b"), "2");
  EXPECT_EQ(Feel(R"(get value({"b c": 2}, "b c"))"), "2");
  EXPECT_EQ(Feel(R"(context put({a: 1}, "b", 2))"), "{a: 1, b: 2}");
  EXPECT_EQ(Feel("is defined(amount)", vars), "true");
  EXPECT_EQ(Feel("is defined(missing)", vars), "false");
  EXPECT_EQ(Feel("is defined(applicant.age)", vars), "true");
  EXPECT_EQ(Feel("is defined(applicant.phone)", vars), "false");
}

// The null table: the spec's answers, and where we answer an Error instead.
TEST(FeelTest, NullSemantics) {
  EXPECT_EQ(Feel("null = null"), "true");
  EXPECT_EQ(Feel("1 = null"), "false");
  EXPECT_EQ(Feel("null != 1"), "true");
  EXPECT_EQ(Feel("null < 1"), "null");
  EXPECT_EQ(Feel("1 + null"), "null");
  EXPECT_EQ(Feel("missing"), "null");
  EXPECT_EQ(Feel("missing > 5"), "null");
  EXPECT_EQ(Feel(R"(1 = "1")"), "false");
  EXPECT_EQ(Feel("true and null"), "null");
  EXPECT_EQ(Feel("false and null"), "false");
  EXPECT_EQ(Feel("null and false"), "false");
  EXPECT_EQ(Feel("true or null"), "true");
  EXPECT_EQ(Feel("null or true"), "true");
  EXPECT_EQ(Feel("false or null"), "null");
  EXPECT_EQ(Feel("not(null)"), "null");
  EXPECT_EQ(Feel("if null then 1 else 2"), "2");
  EXPECT_EQ(Feel("string length(null)"), "null");
  EXPECT_EQ(Feel("missing.a.b"), "null");
  EXPECT_EQ(Feel("{a: 1}.b"), "null");
  EXPECT_EQ(Feel("null[1]"), "null");
}

TEST(FeelTest, TypeErrorsAreErrorsNotFalse) {
  EXPECT_EQ(Feel(R"("a" * 2)"), "ERROR: at column 5: cannot apply '*' to string and number");
  EXPECT_EQ(Feel(R"(1 < "a")"), "ERROR: at column 3: cannot compare number with string");
  EXPECT_TRUE(IsError(R"("a" and true)"));
  EXPECT_TRUE(IsError("not(1)"));
  EXPECT_TRUE(IsError("if 1 then 2 else 3"));
  EXPECT_TRUE(IsError(R"(date("2026-01-01") + 5)"));
  EXPECT_TRUE(IsError("x.y", {{"x", Value::Number(5)}}));
  EXPECT_TRUE(IsError(R"([1, 2][item > "a"])"));
  EXPECT_TRUE(IsError(R"(count("a"))"));
  EXPECT_TRUE(IsError(R"(string length(5))"));
  EXPECT_TRUE(IsError("[1..5]"));
  // Short-circuit: the right side is never looked at.
  EXPECT_EQ(Feel(R"(false and "a")"), "false");
}

TEST(FeelTest, RangesAndIn) {
  EXPECT_EQ(Feel("5 in [1..5]"), "true");
  EXPECT_EQ(Feel("5 in [1..5)"), "false");
  EXPECT_EQ(Feel("1 in (1..5]"), "false");
  EXPECT_EQ(Feel("1 in ]1..5]"), "false");
  EXPECT_EQ(Feel(R"("b" in ["a", "b"])"), "true");
  EXPECT_EQ(Feel(R"("c" in ["a", "b"])"), "false");
  EXPECT_EQ(Feel("3 in < 5"), "true");
  EXPECT_EQ(Feel("3 in (< 2, > 2)"), "true");
  EXPECT_EQ(Feel("x in [1..10]"), "null");
  EXPECT_EQ(Feel("3 in [1..5] and 2 in [3..4]"), "false");
  EXPECT_EQ(Feel(R"("a" in ["a", "b"] and 1 > 0)"), "true");
  EXPECT_EQ(Feel("5 between 1 and 10"), "true");
  EXPECT_EQ(Feel("11 between 1 and 10"), "false");
  EXPECT_EQ(Feel(R"(date("2026-06-01") in [date("2026-01-01")..date("2026-12-31")])"), "true");
}

TEST(FeelTest, FiltersAndIndexes) {
  const Context vars = {
      {"orders", Value(List{Value(Context{{"id", "a"}, {"amount", Value::Number(50)}}),
                            Value(Context{{"id", "b"}, {"amount", Value::Number(150)}})})}};
  EXPECT_EQ(Feel("[1, 2, 3, 4, 5][item > 3]"), "[4, 5]");
  EXPECT_EQ(Feel("[1, 2, 3][1]"), "1");
  EXPECT_EQ(Feel("[1, 2, 3][-1]"), "3");
  EXPECT_EQ(Feel("[1, 2, 3][4]"), "null");
  EXPECT_EQ(Feel("orders[amount > 100].id", vars), R"(["b"])");
  EXPECT_EQ(Feel("orders.amount", vars), "[50, 150]");
  EXPECT_EQ(Feel("sum(orders.amount)", vars), "200");
}

TEST(FeelTest, LoopsAndQuantifiers) {
  EXPECT_EQ(Feel("for x in [1, 2, 3] return x * 2"), "[2, 4, 6]");
  EXPECT_EQ(Feel("for i in 1..3 return i"), "[1, 2, 3]");
  EXPECT_EQ(Feel("for i in 3..1 return i"), "[3, 2, 1]");
  EXPECT_EQ(Feel("for x in [1, 2], y in [10, 20] return x + y"), "[11, 21, 12, 22]");
  EXPECT_EQ(Feel("some x in [1, 5] satisfies x > 4"), "true");
  EXPECT_EQ(Feel("every x in [1, 5] satisfies x > 4"), "false");
  EXPECT_EQ(Feel("every x in [] satisfies false"), "true");
  EXPECT_TRUE(IsError("some x in [1, 2] satisfies x"));
}

TEST(FeelTest, ListFunctions) {
  EXPECT_EQ(Feel("count([1, 2, 3])"), "3");
  EXPECT_EQ(Feel("sum([1, 2, 3])"), "6");
  EXPECT_EQ(Feel("sum(1, 2.5)"), "3.5");
  EXPECT_EQ(Feel("sum([])"), "null");
  EXPECT_EQ(Feel("min([3, 1, 2])"), "1");
  EXPECT_EQ(Feel(R"(max("a", "c", "b"))"), R"("c")");
  EXPECT_EQ(Feel("mean([1, 2, 3, 4])"), "2.5");
  EXPECT_EQ(Feel("list contains([1, null], null)"), "true");
  EXPECT_EQ(Feel("append([1], 2, 3)"), "[1, 2, 3]");
  EXPECT_EQ(Feel("concatenate([1], [], [2, 3])"), "[1, 2, 3]");
  EXPECT_EQ(Feel("distinct values([1, 2, 1, 2.0])"), "[1, 2]");
  EXPECT_EQ(Feel("flatten([1, [2, [3]]])"), "[1, 2, 3]");
  EXPECT_EQ(Feel("index of([1, 2, 1], 1)"), "[1, 3]");
  EXPECT_EQ(Feel("all([true, false])"), "false");
  EXPECT_EQ(Feel("any([false, true])"), "true");
}

TEST(FeelTest, DatesAndDurations) {
  EXPECT_EQ(Feel(R"(date("2026-12-01") + duration("P3D") = date("2026-12-04"))"), "true");
  EXPECT_EQ(Feel(R"(date("2026-12-04") - date("2026-12-01"))"), "P3D");
  EXPECT_EQ(Feel(R"(date("2026-01-31") + duration("P1M"))"), "2026-02-28");
  EXPECT_EQ(Feel(R"(date and time("2026-12-01T10:00:00") + duration("PT2H"))"),
            "2026-12-01T12:00:00");
  EXPECT_EQ(Feel(R"(duration("P1Y2M"))"), "P1Y2M");
  EXPECT_EQ(Feel(R"(duration("PT2H") * 3)"), "PT6H");
  EXPECT_EQ(Feel(R"(duration("P1D") / duration("PT6H"))"), "4");
  EXPECT_EQ(Feel(R"(duration("P1D") > duration("PT23H"))"), "true");
  EXPECT_EQ(Feel(R"(years and months duration(date("2020-01-15"), date("2026-03-14")))"), "P6Y1M");
  EXPECT_EQ(Feel(R"(date("2026-12-01").weekday)"), "2");
  EXPECT_EQ(Feel(R"(@"2026-12-01".month)"), "12");
  EXPECT_EQ(Feel(R"(date("2026-13-01"))"), "null");
  EXPECT_EQ(Feel("date(2026, 2, 30)"), "null");
  EXPECT_EQ(
      Feel(R"(date and time("2026-12-01T10:00:00+08:00") = date and time("2026-12-01T02:00:00Z"))"),
      "true");
  EXPECT_EQ(Feel(R"(duration("-P1DT0.5S"))"), "-P1DT0.5S");
}

TEST(FeelTest, NowAndTodayComeFromTheEnvironment) {
  EXPECT_EQ(Feel("now()"), "2026-12-01T10:00:00+08:00");
  EXPECT_EQ(Feel("today()"), "2026-12-01");
  // A local date-time is read in the environment's zone (+08:00).
  EXPECT_EQ(Feel(R"(now() > date and time("2026-12-01T09:59:59"))"), "true");
  EXPECT_EQ(Feel(R"(now() - date and time("2026-11-30T10:00:00"))"), "P1D");
  EvalEnv later = Env();
  later.now += 20 * kMicrosPerHour;
  EXPECT_EQ(Feel("today()", {}, later), "2026-12-02");
}

TEST(FeelTest, ParseErrorsNameTheColumn) {
  EXPECT_EQ(ParseError("count([1, 2]"),
            "at column 13: expected ')' after arguments, found end of text");
  EXPECT_EQ(ParseError("1 +"), "at column 4: expected an expression, found end of text");
  EXPECT_EQ(ParseError("foo(1)"), "at column 1: unknown function 'foo'");
  EXPECT_EQ(ParseError("count()"), "at column 1: count() takes 1 argument, got 0");
  EXPECT_EQ(ParseError(R"("abc)"), "at column 1: string is not closed with '\"'");
  EXPECT_EQ(ParseError("1 # 2"), "at column 3: unexpected character '#'");
  EXPECT_EQ(ParseError("面积 >"), "at column 5: expected an expression, found end of text");
  EXPECT_EQ(ParseError("if a then b"),
            "at column 12: expected 'else' after the then branch, found end of text");
}

TEST(FeelTest, HostileNestingIsRefused) {
  const std::string parens = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_NE(ParseError(parens).find("nested more than"), std::string::npos);
  EXPECT_NE(ParseError(std::string(100000, '-') + "1").find("nested more than"), std::string::npos);
  EXPECT_NE(ParseError(std::string(100000, '[')).find("nested more than"), std::string::npos);
  std::string chain = "1";
  for (int i = 0; i < 10000; ++i) chain += " + 1";
  EXPECT_NE(ParseError(chain).find("nested more than"), std::string::npos);
  EXPECT_EQ(ParseError(std::string(kMaxExpressionBytes + 1, ' ')),
            fmt::format("expression is longer than {} bytes", kMaxExpressionBytes));
  // Deep but within the limit still works.
  EXPECT_EQ(Feel(std::string(50, '(') + "1" + std::string(50, ')')), "1");
}

TEST(FeelTest, BudgetsStopRunawayEvaluation) {
  auto e = Expression::Parse("for i in 1..1000000000 return i");
  ASSERT_TRUE(e);
  auto v = e->Evaluate({}, Env());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(v.error().message.find("budget of 100000 steps"), std::string::npos);
  EXPECT_EQ(Feel("count(for i in 1..500 return i)"), "500");

  EvalEnv small = Env();
  small.max_string_bytes = 10;
  small.max_list_size = 5;
  EXPECT_TRUE(Feel(R"("abcdef" + "abcdef")", {}, small)
                  .starts_with("ERROR: at column 10: string is longer"));
  EXPECT_TRUE(
      Feel("[1, 2, 3, 4, 5, 6]", {}, small).starts_with("ERROR: at column 1: list has more"));
  EXPECT_EQ(Feel("[1, 2, 3, 4, 5]", {}, small), "[1, 2, 3, 4, 5]");
}

TEST(UnaryTestsTest, DmnInputEntries) {
  EXPECT_TRUE(*Matches("-", Value("anything")));
  EXPECT_TRUE(*Matches("", Value::Number(1)));
  EXPECT_TRUE(*Matches(R"("a","b")", Value("b")));
  EXPECT_FALSE(*Matches(R"("a","b")", Value("c")));
  EXPECT_TRUE(*Matches("< 5", Value::Number(3)));
  EXPECT_FALSE(*Matches("< 5", Value::Number(5)));
  EXPECT_TRUE(*Matches("[1..10]", Value::Number(10)));
  EXPECT_FALSE(*Matches("[1..10]", Value::Number(11)));
  EXPECT_TRUE(*Matches(R"(not("x"))", Value("y")));
  EXPECT_FALSE(*Matches(R"(not("x"))", Value("x")));
  EXPECT_TRUE(*Matches(R"(>= date("2026-01-01"))", Value(*ParseDate("2026-03-01"))));
  EXPECT_TRUE(*Matches("? > 3 and ? < 10", Value::Number(4)));
  EXPECT_FALSE(*Matches("? > 3 and ? < 10", Value::Number(10)));
  EXPECT_TRUE(*Matches("count(?) > 1", Value(List{Value::Number(1), Value::Number(2)})));
  EXPECT_TRUE(*Matches("limit", Value::Number(7), {{"limit", Value::Number(7)}}));
  EXPECT_TRUE(*Matches("true", Value(true)));
  EXPECT_FALSE(*Matches("true", Value(false)));
  EXPECT_TRUE(*Matches("null", Value()));
  // Null input: comparisons do not pass.
  EXPECT_FALSE(*Matches("< 5", Value()));
  EXPECT_FALSE(*Matches("? > 3", Value()));
  // A string where a number is compared is a modelling error.
  EXPECT_FALSE(Matches("< 5", Value("a")));
  EXPECT_FALSE(UnaryTests::Parse("< "));
}

TEST(FeelTest, AttributesWithEqualsAreExpressions) {
  const AttributeText expr = SplitAttribute("=a > 5");
  EXPECT_TRUE(expr.is_expression);
  EXPECT_EQ(expr.text, "a > 5");
  const AttributeText value = SplitAttribute("approve-task");
  EXPECT_FALSE(value.is_expression);
  EXPECT_EQ(value.text, "approve-task");
}

TEST(FeelTest, JsonRoundTrip) {
  const auto vars = ContextFromJson(json::Json::parse(
      R"({"a": 1, "b": [1.5, "x", null], "c": {"d": true}, "big": 12345678901234567890})"));
  ASSERT_TRUE(vars);
  EXPECT_EQ(Feel("b[1] + a", *vars), "2.5");
  EXPECT_EQ(Feel("c.d and b[3] = null", *vars), "true");
  EXPECT_EQ(Feel("big + 0", *vars), "12345678901234567900");  // 18 significant digits
  const auto value = Expression::Parse(
      R"({n: 0.1 + 0.2, i: 3, d: date("2026-12-01"), t: duration("PT2H"), l: [true, null]})");
  ASSERT_TRUE(value);
  const json::Json j = ToJson(*value->Evaluate({}, Env()));
  EXPECT_EQ(j.dump(), R"({"d":"2026-12-01","i":3,"l":[true,null],"n":0.3,"t":"PT2H"})");
  EXPECT_FALSE(ContextFromJson(json::Json::parse("[1]")));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  EXPECT_FALSE(FromJson(json::Json::parse(deep)));
}

}  // namespace
}  // namespace xietong::feel
