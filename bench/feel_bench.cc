// FEEL and DMN evaluation throughput on one core: a typical gateway condition
// and a 20-rule decision table, each parsed once and evaluated N times.
// Usage: feel_bench [N]   (default 200000)
#include <fmt/core.h>

#include <cstdlib>
#include <string>

#include "bench_util.h"
#include "workflow/dmn.h"
#include "workflow/feel.h"

namespace xietong::bench {
namespace {

std::string TwentyRuleTable() {
  std::string rules;
  for (int i = 0; i < 20; ++i) {
    rules += fmt::format(R"(
      <rule id="r{0}">
        <inputEntry><text>[{1}..{2})</text></inputEntry>
        <inputEntry><text>{3}</text></inputEntry>
        <inputEntry><text>"餐饮","零售"</text></inputEntry>
        <outputEntry><text>{4}</text></outputEntry>
        <outputEntry><text>"规则{0}"</text></outputEntry>
      </rule>)",
                         i, i * 10, i * 10 + 10, i % 2 == 0 ? "true" : "false",
                         i % 3 != 0 ? "true" : "false");
  }
  return fmt::format(
      R"(<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="b" name="b">
  <decision id="approve">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1"><inputExpression typeRef="number"><text>area</text></inputExpression></input>
      <input id="i2"><inputExpression typeRef="boolean"><text>all_health_certs</text></inputExpression></input>
      <input id="i3"><inputExpression typeRef="string"><text>category</text></inputExpression></input>
      <output id="o1" name="approve" typeRef="boolean" />
      <output id="o2" name="reason" typeRef="string" />{}
    </decisionTable>
  </decision>
</definitions>)",
      rules);
}

int Main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 200000;
  feel::EvalEnv env;
  env.now = 1'796'083'200'000'000;  // 2026-12-01T00:00:00Z
  const feel::Context vars = {
      {"amount", feel::Value::Number(12000)},
      {"category", feel::Value("餐饮")},
      {"area", feel::Value::Number(175)},
      {"all_health_certs", feel::Value(false)},
      {"items",
       feel::Value(feel::List{feel::Value(feel::Context{{"approved", feel::Value(true)}}),
                              feel::Value(feel::Context{{"approved", feel::Value(true)}})})},
  };

  const auto condition = Must(feel::Expression::Parse(
      R"(amount > 5000 and category in ["餐饮", "零售"] and count(items[approved = false]) = 0)"));
  auto start = SteadyClock::now();
  long hits = 0;
  for (long i = 0; i < n; ++i) hits += Must(condition.Evaluate(vars, env)).boolean() ? 1 : 0;
  double s = Seconds(start);
  fmt::print("gateway condition: {} evaluations in {:.3f} s = {:.0f} evaluations/s ({} true)\n", n,
             s, n / s, hits);

  const auto model = Must(dmn::DecisionModel::Parse(TwentyRuleTable()));
  start = SteadyClock::now();
  long approved = 0;
  for (long i = 0; i < n; ++i) {
    const feel::Value v = Must(model.Evaluate("approve", vars, env));
    approved += v.kind() == feel::Value::Kind::kContext && v.context().Find("approve")->boolean();
  }
  s = Seconds(start);
  fmt::print(
      "20-rule decision table: {} evaluations in {:.3f} s = {:.0f} evaluations/s ({} approved)\n",
      n, s, n / s, approved);
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Main(argc, argv); }
