// FEEL (DMN 1.3 Friendly Enough Expression Language) as Camunda 8 uses it:
// an Expression or UnaryTests is parsed once into an immutable tree and then
// evaluated any number of times, from any number of threads, against a
// Context of variables. Evaluation never reads the wall clock (EvalEnv::now)
// and stops with an Error when it exceeds its step or size budget.
//
// Null versus Error — the caller must tell "evaluated to null/false" from
// "could not be evaluated" (the engine raises an incident for the latter):
//   null (the spec's answer): a missing variable or context entry; any
//     arithmetic or ordering comparison with a null operand; a filter or path
//     on null; an index out of range; division by zero; a conversion function
//     given text it cannot read (number("x"), date("2026-13-01"), duration("5"));
//     a built-in given null where it needs a value (string length(null)).
//   Error (ours; the spec says null): an operator on kinds it does not
//     accept ("a" * 2, 1 < "a", date + 5); and/or/not/if/filters/some/every
//     given a non-boolean that is not null; a built-in given an argument of
//     the wrong kind; a path on a number or string; numbers out of range; an
//     exceeded budget. Unknown functions and wrong argument counts are found
//     by Parse already.
//   `=` and `!=` never fail: values of different kinds are unequal and
//   null = null is true.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "workflow/feel_value.h"

namespace xietong::feel {

struct Node;  // the parsed tree (feel_ast.h)

// What evaluation may know and spend.
struct EvalEnv {
  Timestamp now = 0;  // what now() and today() answer, UTC microseconds
  // The zone of now() and today(), and of local date-times compared with
  // ones that carry an offset. Asia/Shanghai by default.
  std::int32_t zone_offset_seconds = 8 * 3600;
  std::int64_t max_steps = 100'000;        // tree nodes visited plus loop iterations
  std::size_t max_string_bytes = 1 << 20;  // any string a step produces
  std::size_t max_list_size = 100'000;     // any list a step produces
};

// Parsing limits: text longer than kMaxExpressionBytes or nested deeper than
// kMaxDepth is refused with an error, so hostile text cannot exhaust the stack.
inline constexpr std::size_t kMaxExpressionBytes = 256 * 1024;
inline constexpr int kMaxDepth = 128;

class Expression {
 public:
  // Errors are Error::InvalidArgument naming the column, e.g.
  // "at column 7: expected ')' after arguments".
  static Result<Expression> Parse(std::string_view text);

  Result<Value> Evaluate(const Context& vars, const EvalEnv& env) const;
  const std::string& text() const { return text_; }

 private:
  Expression(std::shared_ptr<const Node> root, std::string text)
      : root_(std::move(root)), text_(std::move(text)) {}
  std::shared_ptr<const Node> root_;
  std::string text_;
};

// A DMN input entry: "-", `"a","b"`, "< 5", "[1..10]", `not("x")`,
// `>= date("2026-01-01")`, or any expression, which may name the input as `?`.
class UnaryTests {
 public:
  static Result<UnaryTests> Parse(std::string_view text);

  // True when `input` passes; a test that compares with null does not pass.
  Result<bool> Matches(const Value& input, const Context& vars, const EvalEnv& env) const;
  const std::string& text() const { return text_; }

 private:
  UnaryTests(std::shared_ptr<const Node> root, std::string text)
      : root_(std::move(root)), text_(std::move(text)) {}
  std::shared_ptr<const Node> root_;
  std::string text_;
};

// A BPMN attribute as Camunda 8 writes it: "=a > 5" is an expression (the
// text after '='), anything else a static value used as it is.
struct AttributeText {
  bool is_expression;
  std::string_view text;
};
AttributeText SplitAttribute(std::string_view attribute);

// A variables context from a JSON object (FromJson, then its entries).
Result<Context> ContextFromJson(const json::Json& object);

}  // namespace xietong::feel
