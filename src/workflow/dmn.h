// DecisionModel: the decisions of one DMN 1.3 file (as Camunda Modeler writes
// it) — decision tables with hit policies UNIQUE, FIRST, ANY, RULE ORDER and
// COLLECT (with SUM/COUNT/MIN/MAX), literal-expression decisions, and required
// decisions whose results are visible under their ids. Parse checks everything
// at once and reports every problem with its line; every FEEL text is compiled
// then, never at evaluation. Immutable after Parse: Evaluate is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "workflow/feel.h"
#include "workflow/feel_value.h"

namespace xietong::dmn {

inline constexpr std::string_view kDmn13Namespace = "https://www.omg.org/spec/DMN/20191111/MODEL/";
// Hostile files stop here: a DOCTYPE is refused outright (no entity can
// expand), and so is a file above these sizes.
inline constexpr std::size_t kMaxDmnBytes = 2 << 20;
inline constexpr std::size_t kMaxDmnElements = 20'000;

struct Problem {
  std::string decision_id;  // empty when the problem is not inside a decision
  int line = 0;             // 1-based; 0 when unknown
  std::string reason;
  friend bool operator==(const Problem&, const Problem&) = default;
};

// One evaluation, with the ids of the rules that matched (for the audit trail).
struct DecisionResult {
  feel::Value value;
  std::vector<std::string> matched_rules;
};

class DecisionModel {
 public:
  // Every problem in the file, or empty when Parse would succeed.
  static std::vector<Problem> Check(std::string_view xml);
  // Error::InvalidArgument listing every problem ("line 12, decision
  // 'approve': ..."), Error::TooLarge above kMaxDmnBytes.
  static Result<DecisionModel> Parse(std::string_view xml);

  // The decision's value: one output → its value; several → a context by
  // output name; RULE ORDER and COLLECT → a list (or the aggregate). No match
  // is null (an empty list for RULE ORDER/COLLECT, 0 for COUNT). More than one
  // match under UNIQUE, or different outputs under ANY, is an Error naming the
  // rules; so is any FEEL error, naming the decision, rule and cell.
  Result<feel::Value> Evaluate(std::string_view decision_id, const feel::Context& vars,
                               const feel::EvalEnv& env) const;
  Result<DecisionResult> EvaluateWithRules(std::string_view decision_id, const feel::Context& vars,
                                           const feel::EvalEnv& env) const;

  std::vector<std::string> decision_ids() const;

  struct Impl;

 private:
  explicit DecisionModel(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace xietong::dmn
