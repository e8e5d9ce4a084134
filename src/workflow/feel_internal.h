// Private to the FEEL implementation: the parsed tree, the built-in function
// table and the operators' semantics shared by the evaluator and the
// built-ins. Trees are immutable once parsed; EvalState belongs to one
// evaluation (one thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "workflow/feel.h"
#include "workflow/feel_value.h"

namespace xietong::feel {

enum class NodeKind {
  kLiteral,       // literal
  kName,          // name
  kPath,          // kids[0] . name
  kFilter,        // kids[0] [ kids[1] ]
  kCall,          // builtin ( kids... )
  kNegate,        // - kids[0]
  kArithmetic,    // kids[0] op kids[1]: + - * / **
  kAnd,           // kids[0] and kids[1]
  kOr,            // kids[0] or kids[1]
  kCompare,       // kids[0] op kids[1]: = != < <= > >=
  kBetween,       // kids[0] between kids[1] and kids[2]
  kIn,            // kids[0] in kids[1] (a test or an expression)
  kIf,            // if kids[0] then kids[1] else kids[2]
  kFor,           // for names[i] in kids[i] ... return kids.back()
  kSome,          // some names[i] in kids[i] ... satisfies kids.back()
  kEvery,         // every names[i] in kids[i] ... satisfies kids.back()
  kIterRange,     // kids[0] .. kids[1] as an iteration source
  kList,          // [ kids... ]
  kContext,       // { names[i]: kids[i] }
  kRange,         // [kids[0] .. kids[1]] with open_start / open_end
  kUnaryCompare,  // op kids[0], a test against the input
  kAnyTest,       // "-"
  kTestList,      // kids: tests; passes when one passes
  kNotTests,      // not( kids... )
};

enum class Op { kNone, kAdd, kSub, kMul, kDiv, kPow, kEq, kNe, kLt, kLe, kGt, kGe };

struct Builtin;

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  Op op = Op::kNone;
  int column = 1;  // where the node starts, in code points from 1
  int height = 1;  // 1 + the tallest child
  Value literal;
  std::string name;
  std::vector<std::string> names;
  std::vector<std::unique_ptr<Node>> kids;
  bool open_start = false;
  bool open_end = false;
  bool uses_input = false;  // the tree names `?` (unary tests)
  const Builtin* builtin = nullptr;
};

// "at column 7: <message>" as Error::InvalidArgument.
Error ErrorAt(int column, std::string_view message);

// One evaluation's budget.
struct EvalState {
  const EvalEnv& env;
  std::int64_t steps = 0;
  Result<void> Spend(int column, std::int64_t n = 1);
  Result<void> CheckSize(const Value& v, int column) const;
};

// Semantics shared by operators and built-ins.
bool Equal(const Value& a, const Value& b, const EvalEnv& env);
// nullopt when either side is null; an Error when the kinds cannot be ordered.
Result<std::optional<int>> Compare(const Value& a, const Value& b, const EvalEnv& env, int column);
Result<Value> Arithmetic(Op op, const Value& a, const Value& b, const EvalEnv& env, int column);
std::string_view OpSymbol(Op op);

struct BuiltinCall {
  const Builtin& builtin;
  EvalState& state;
  int column;
};
using BuiltinFn = Result<Value> (*)(const BuiltinCall& call, std::span<const Value> args);

struct Builtin {
  std::string_view name;
  int min_args;
  int max_args;          // -1: any number
  bool null_propagates;  // a null argument makes the answer null without calling fn
  BuiltinFn fn;
};

// The built-in named exactly `name`, or nullptr.
const Builtin* FindBuiltin(std::string_view name);
// The most words a built-in's name has ("years and months duration": 4).
inline constexpr int kMaxBuiltinWords = 4;

}  // namespace xietong::feel
