#include "workflow/dmn.h"

#include <fmt/core.h>
#include <pugixml.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "workflow/feel_internal.h"

namespace xietong::dmn {

enum class HitPolicy { kUnique, kFirst, kAny, kRuleOrder, kCollect };
enum class Aggregation { kNone, kSum, kCount, kMin, kMax };

namespace {
constexpr int kMaxRequirementDepth = 32;
}  // namespace

struct Input {
  std::string label;
  feel::Expression expression;
};

struct Output {
  std::string name;
  std::string type_ref;
};

struct Rule {
  std::string id;
  std::vector<feel::UnaryTests> inputs;
  std::vector<feel::Expression> outputs;
};

struct Decision {
  std::string id;
  std::string name;
  HitPolicy hit_policy = HitPolicy::kUnique;
  Aggregation aggregation = Aggregation::kNone;
  std::vector<Input> inputs;
  std::vector<Output> outputs;
  std::vector<Rule> rules;
  std::optional<feel::Expression> literal;  // a literal-expression decision
  std::string literal_type_ref;
  std::vector<std::string> required;  // decisions evaluated first, visible by id
};

struct DecisionModel::Impl {
  std::vector<Decision> decisions;
  const Decision* Find(std::string_view id) const {
    for (const Decision& d : decisions) {
      if (d.id == id) return &d;
    }
    return nullptr;
  }
};

namespace {

std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view Prefix(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& n, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) out.push_back(c);
  }
  return out;
}

pugi::xml_node Child(const pugi::xml_node& n, std::string_view local) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) return c;
  }
  return {};
}

std::string Text(const pugi::xml_node& n) { return Child(n, "text").text().get(); }

bool KnownTypeRef(std::string_view t) {
  static const std::set<std::string_view> kKnown = {"",
                                                    "Any",
                                                    "any",
                                                    "string",
                                                    "boolean",
                                                    "number",
                                                    "integer",
                                                    "long",
                                                    "double",
                                                    "date",
                                                    "time",
                                                    "dateTime",
                                                    "date and time",
                                                    "dayTimeDuration",
                                                    "yearMonthDuration",
                                                    "days and time duration",
                                                    "years and months duration"};
  return kKnown.contains(t);
}

// Whether `v` fits the declared type (null fits every type).
bool FitsType(const feel::Value& v, std::string_view t) {
  using K = feel::Value::Kind;
  if (v.is_null() || t.empty() || t == "Any" || t == "any" || t == "time") return true;
  if (t == "string") return v.kind() == K::kString;
  if (t == "boolean") return v.kind() == K::kBoolean;
  if (t == "number" || t == "double") return v.kind() == K::kNumber;
  if (t == "integer" || t == "long") return v.kind() == K::kNumber && v.number().IsInteger();
  if (t == "date") return v.kind() == K::kDate;
  if (t == "dateTime" || t == "date and time") return v.kind() == K::kDateTime;
  if (t == "dayTimeDuration" || t == "days and time duration")
    return v.kind() == K::kDaysTimeDuration;
  return v.kind() == K::kYearsMonthsDuration;
}

class Checker {
 public:
  explicit Checker(std::string_view xml) : xml_(xml) {
    for (std::size_t i = 0; i < xml.size(); ++i) {
      if (xml[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::shared_ptr<DecisionModel::Impl> Run() {
    std::string lower(xml_.substr(0, std::min<std::size_t>(xml_.size(), kMaxDmnBytes)));
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    if (const auto at = lower.find("<!doctype"); at != std::string::npos) {
      Add("", LineAt(at), "a DOCTYPE is not allowed in a DMN file (entities could expand)");
      return nullptr;
    }
    if (const auto at = lower.find("<!entity"); at != std::string::npos) {
      Add("", LineAt(at), "an ENTITY declaration is not allowed in a DMN file");
      return nullptr;
    }
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed =
        doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
      Add("", LineAt(static_cast<std::size_t>(parsed.offset)),
          fmt::format("not well-formed XML: {}", parsed.description()));
      return nullptr;
    }
    if (!CountElements(doc)) return nullptr;
    const pugi::xml_node root = doc.document_element();
    if (LocalName(root) != "definitions") {
      Add("", Line(root), "the root element must be DMN <definitions>");
      return nullptr;
    }
    const std::string ns_attr =
        Prefix(root).empty() ? "xmlns" : fmt::format("xmlns:{}", Prefix(root));
    if (std::string_view ns = root.attribute(ns_attr.c_str()).value(); ns != kDmn13Namespace) {
      Add("", Line(root),
          fmt::format("the namespace is '{}', expected DMN 1.3 '{}'", ns, kDmn13Namespace));
      return nullptr;
    }
    auto impl = std::make_shared<DecisionModel::Impl>();
    std::map<std::string, int> lines;
    for (const pugi::xml_node& node : Children(root, "decision")) {
      std::optional<Decision> d = ReadDecision(node);
      if (!d) continue;
      if (lines.contains(d->id)) {
        Add(d->id, Line(node), fmt::format("decision id also used at line {}", lines[d->id]));
        continue;
      }
      lines[d->id] = Line(node);
      impl->decisions.push_back(std::move(*d));
    }
    if (impl->decisions.empty() && problems_.empty())
      Add("", Line(root), "the file has no decision");
    CheckRequirements(*impl, lines);
    return problems_.empty() ? impl : nullptr;
  }

  std::vector<Problem> TakeProblems() { return std::move(problems_); }

 private:
  void Add(std::string decision, int line, std::string reason) {
    problems_.push_back({std::move(decision), line, std::move(reason)});
  }

  int LineAt(std::size_t offset) const {
    return 1 + static_cast<int>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
                                line_starts_.begin());
  }
  int Line(const pugi::xml_node& n) const {
    const std::ptrdiff_t offset = n.offset_debug();
    return offset < 0 ? 0 : LineAt(static_cast<std::size_t>(offset));
  }

  bool CountElements(const pugi::xml_document& doc) {
    std::size_t count = 0;
    std::vector<pugi::xml_node> stack = {doc.document_element()};
    while (!stack.empty()) {
      const pugi::xml_node n = stack.back();
      stack.pop_back();
      if (++count > kMaxDmnElements) {
        Add("", Line(n), fmt::format("the file has more than {} elements", kMaxDmnElements));
        return false;
      }
      for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
        if (c.type() == pugi::node_element) stack.push_back(c);
      }
    }
    return true;
  }

  std::optional<feel::Expression> ParseExpression(const std::string& id, const pugi::xml_node& at,
                                                  std::string_view where, std::string_view text) {
    auto e = feel::Expression::Parse(text);
    if (!e) {
      Add(id, Line(at), fmt::format("{}: {}", where, e.error().message));
      return std::nullopt;
    }
    return std::move(*e);
  }

  std::optional<Decision> ReadDecision(const pugi::xml_node& node) {
    Decision d;
    d.id = node.attribute("id").value();
    d.name = node.attribute("name").value();
    if (d.id.empty()) {
      Add("", Line(node), "a decision has no id");
      return std::nullopt;
    }
    const std::size_t before = problems_.size();
    for (const pugi::xml_node& req : Children(node, "informationRequirement")) {
      const pugi::xml_node required = Child(req, "requiredDecision");
      if (!required) continue;  // required inputs are plain variables
      std::string_view href = required.attribute("href").value();
      if (!href.starts_with("#") || href.size() == 1) {
        Add(d.id, Line(required),
            fmt::format("requiredDecision href '{}' must be '#<decision id>'", href));
        continue;
      }
      d.required.emplace_back(href.substr(1));
    }
    const pugi::xml_node table = Child(node, "decisionTable");
    const pugi::xml_node literal = Child(node, "literalExpression");
    if (literal && !table) {
      const std::string text = Text(literal);
      if (text.empty()) {
        Add(d.id, Line(literal), "the literal expression is empty");
      } else {
        d.literal = ParseExpression(d.id, literal, "literal expression", text);
      }
      d.literal_type_ref = literal.attribute("typeRef").value();
      const pugi::xml_node variable = Child(node, "variable");
      if (variable && !KnownTypeRef(variable.attribute("typeRef").value())) {
        Add(d.id, Line(variable),
            fmt::format("unknown typeRef '{}'", variable.attribute("typeRef").value()));
      } else if (variable) {
        d.literal_type_ref = variable.attribute("typeRef").value();
      }
    } else if (table) {
      ReadTable(d, table);
    } else {
      Add(d.id, Line(node), "the decision has neither a decisionTable nor a literalExpression");
    }
    if (problems_.size() != before) return std::nullopt;
    return d;
  }

  void ReadTable(Decision& d, const pugi::xml_node& table) {
    const std::string_view policy = table.attribute("hitPolicy").value();
    if (policy.empty() || policy == "UNIQUE") {
      d.hit_policy = HitPolicy::kUnique;
    } else if (policy == "FIRST") {
      d.hit_policy = HitPolicy::kFirst;
    } else if (policy == "ANY") {
      d.hit_policy = HitPolicy::kAny;
    } else if (policy == "RULE ORDER") {
      d.hit_policy = HitPolicy::kRuleOrder;
    } else if (policy == "COLLECT") {
      d.hit_policy = HitPolicy::kCollect;
    } else {
      Add(d.id, Line(table),
          fmt::format("hit policy '{}' is not supported (use UNIQUE, FIRST, ANY, "
                      "RULE ORDER or COLLECT)",
                      policy));
    }
    const std::string_view aggregation = table.attribute("aggregation").value();
    if (!aggregation.empty()) {
      if (d.hit_policy != HitPolicy::kCollect) {
        Add(d.id, Line(table), "an aggregation needs the COLLECT hit policy");
      } else if (aggregation == "SUM") {
        d.aggregation = Aggregation::kSum;
      } else if (aggregation == "COUNT") {
        d.aggregation = Aggregation::kCount;
      } else if (aggregation == "MIN") {
        d.aggregation = Aggregation::kMin;
      } else if (aggregation == "MAX") {
        d.aggregation = Aggregation::kMax;
      } else {
        Add(d.id, Line(table),
            fmt::format("aggregation '{}' is not one of SUM, COUNT, MIN, MAX", aggregation));
      }
    }
    for (const pugi::xml_node& input : Children(table, "input")) {
      const pugi::xml_node expression = Child(input, "inputExpression");
      std::string label = input.attribute("label").value();
      if (label.empty()) label = input.attribute("id").value();
      const std::string text = Text(expression);
      if (text.empty()) {
        Add(d.id, Line(input), fmt::format("input '{}' has no inputExpression text", label));
        continue;
      }
      auto e = ParseExpression(d.id, expression, fmt::format("input '{}'", label), text);
      if (e) d.inputs.push_back({label, std::move(*e)});
    }
    for (const pugi::xml_node& output : Children(table, "output")) {
      Output o{output.attribute("name").value(), output.attribute("typeRef").value()};
      if (!KnownTypeRef(o.type_ref)) {
        Add(d.id, Line(output),
            fmt::format("output '{}' has unknown typeRef '{}'", o.name, o.type_ref));
      }
      d.outputs.push_back(std::move(o));
    }
    const std::vector<pugi::xml_node> outputs = Children(table, "output");
    if (outputs.empty()) Add(d.id, Line(table), "the decision table has no output");
    if (outputs.size() > 1) {
      std::set<std::string> names;
      for (std::size_t i = 0; i < d.outputs.size(); ++i) {
        if (d.outputs[i].name.empty() || !names.insert(d.outputs[i].name).second) {
          Add(d.id, Line(outputs[i]), "with several outputs, each needs its own name");
        }
      }
      if (d.aggregation != Aggregation::kNone) {
        Add(d.id, Line(table), "an aggregation needs exactly one output");
      }
    }
    const std::size_t input_count = Children(table, "input").size();
    for (const pugi::xml_node& rule : Children(table, "rule")) {
      Rule r;
      r.id = rule.attribute("id").value();
      const std::string name = r.id.empty() ? fmt::format("at line {}", Line(rule)) : r.id;
      const std::vector<pugi::xml_node> entries = Children(rule, "inputEntry");
      const std::vector<pugi::xml_node> results = Children(rule, "outputEntry");
      if (entries.size() != input_count || results.size() != outputs.size()) {
        Add(d.id, Line(rule),
            fmt::format("rule '{}' has {} input and {} output entries, the table has "
                        "{} inputs and {} outputs",
                        name, entries.size(), results.size(), input_count, outputs.size()));
        continue;
      }
      for (std::size_t i = 0; i < entries.size(); ++i) {
        auto tests = feel::UnaryTests::Parse(Text(entries[i]));
        if (!tests) {
          Add(d.id, Line(entries[i]),
              fmt::format("rule '{}' input {}: {}", name, i + 1, tests.error().message));
          continue;
        }
        r.inputs.push_back(std::move(*tests));
      }
      for (std::size_t i = 0; i < results.size(); ++i) {
        std::string text = Text(results[i]);
        if (text.find_first_not_of(" \t\r\n") == std::string::npos) text = "null";  // empty cell
        auto e = ParseExpression(d.id, results[i], fmt::format("rule '{}' output {}", name, i + 1),
                                 text);
        if (e) r.outputs.push_back(std::move(*e));
      }
      d.rules.push_back(std::move(r));
    }
  }

  void CheckRequirements(const DecisionModel::Impl& impl, const std::map<std::string, int>& lines) {
    for (const Decision& d : impl.decisions) {
      for (const std::string& req : d.required) {
        if (impl.Find(req) == nullptr) {
          Add(d.id, lines.at(d.id), fmt::format("required decision '{}' does not exist", req));
        }
      }
    }
    // Depth-first search for cycles and over-long chains.
    std::map<std::string, int> depth;  // -1 while on the stack
    std::function<int(const Decision&)> visit = [&](const Decision& d) -> int {
      if (const auto it = depth.find(d.id); it != depth.end()) return it->second;
      depth[d.id] = -1;
      int deepest = 0;
      for (const std::string& req : d.required) {
        const Decision* r = impl.Find(req);
        if (r == nullptr) continue;
        const int sub = visit(*r);
        if (sub < 0) {
          Add(d.id, lines.at(d.id), fmt::format("requirement cycle through '{}'", req));
          depth[d.id] = 0;
          return 0;
        }
        deepest = std::max(deepest, sub + 1);
      }
      if (deepest > kMaxRequirementDepth) {
        Add(d.id, lines.at(d.id),
            fmt::format("required decisions nest deeper than {}", kMaxRequirementDepth));
        deepest = 0;
      }
      depth[d.id] = deepest;
      return deepest;
    };
    for (const Decision& d : impl.decisions) visit(d);
  }

  std::string_view xml_;
  std::vector<std::size_t> line_starts_;
  std::vector<Problem> problems_;
};

Error EvalError(const Decision& d, std::string_view where, const Error& e) {
  Error out = e;
  out.message = fmt::format("decision '{}' {}: {}", d.id, where, e.message);
  return out;
}

class Evaluation {
 public:
  Evaluation(const DecisionModel::Impl& impl, const feel::EvalEnv& env) : impl_(impl), env_(env) {}

  Result<DecisionResult> Run(const Decision& d, const feel::Context& vars, int depth) {
    if (depth > kMaxRequirementDepth)
      return Fail(Error::Internal("required decisions nest too deep"));
    feel::Context scope;
    const feel::Context* names = &vars;
    if (!d.required.empty()) {
      scope = vars;
      for (const std::string& req : d.required) {
        XT_ASSIGN_OR_RETURN(DecisionResult r, Run(*impl_.Find(req), vars, depth + 1));
        scope.Put(req, std::move(r.value));
      }
      names = &scope;
    }
    if (d.literal) {
      auto v = d.literal->Evaluate(*names, env_);
      if (!v) return Fail(EvalError(d, "literal expression", v.error()));
      if (!FitsType(*v, d.literal_type_ref)) {
        return Fail(
            Error::InvalidArgument(fmt::format("decision '{}': result {} is not a {}", d.id,
                                               feel::ToDebugString(*v), d.literal_type_ref)));
      }
      return DecisionResult{std::move(*v), {}};
    }
    return Table(d, *names);
  }

 private:
  Result<DecisionResult> Table(const Decision& d, const feel::Context& names) {
    std::vector<feel::Value> inputs;
    inputs.reserve(d.inputs.size());
    for (const Input& input : d.inputs) {
      auto v = input.expression.Evaluate(names, env_);
      if (!v) return Fail(EvalError(d, fmt::format("input '{}'", input.label), v.error()));
      inputs.push_back(std::move(*v));
    }
    std::vector<const Rule*> matched;
    for (const Rule& rule : d.rules) {
      bool all = true;
      for (std::size_t i = 0; i < rule.inputs.size() && all; ++i) {
        auto m = rule.inputs[i].Matches(inputs[i], names, env_);
        if (!m) {
          return Fail(EvalError(d, fmt::format("rule '{}' input '{}'", rule.id, d.inputs[i].label),
                                m.error()));
        }
        all = *m;
      }
      if (!all) continue;
      matched.push_back(&rule);
      if (d.hit_policy == HitPolicy::kFirst) break;
    }
    DecisionResult result;
    std::vector<feel::Value> values;
    for (const Rule* rule : matched) {
      result.matched_rules.push_back(rule->id);
      XT_ASSIGN_OR_RETURN(feel::Value v, Outputs(d, *rule, names));
      values.push_back(std::move(v));
    }
    const auto rule_list = [&] {
      std::string out;
      for (const std::string& id : result.matched_rules)
        out += (out.empty() ? "'" : ", '") + id + "'";
      return out;
    };
    switch (d.hit_policy) {
      case HitPolicy::kUnique:
        if (values.size() > 1) {
          return Fail(Error::InvalidArgument(fmt::format(
              "decision '{}' has hit policy UNIQUE but rules {} all match", d.id, rule_list())));
        }
        [[fallthrough]];
      case HitPolicy::kFirst:
        if (!values.empty()) result.value = std::move(values[0]);
        return result;
      case HitPolicy::kAny:
        for (const feel::Value& v : values) {
          if (!feel::Equal(v, values[0], env_)) {
            return Fail(Error::InvalidArgument(
                fmt::format("decision '{}' has hit policy ANY but rules {} give different outputs",
                            d.id, rule_list())));
          }
        }
        if (!values.empty()) result.value = std::move(values[0]);
        return result;
      case HitPolicy::kRuleOrder:
        result.value = feel::Value(std::move(values));
        return result;
      case HitPolicy::kCollect:
        XT_ASSIGN_OR_RETURN(result.value, Aggregate(d, std::move(values)));
        return result;
    }
    return result;
  }

  Result<feel::Value> Outputs(const Decision& d, const Rule& rule, const feel::Context& names) {
    feel::Context out;
    for (std::size_t i = 0; i < rule.outputs.size(); ++i) {
      const Output& o = d.outputs[i];
      auto v = rule.outputs[i].Evaluate(names, env_);
      if (!v)
        return Fail(EvalError(d, fmt::format("rule '{}' output '{}'", rule.id, o.name), v.error()));
      if (!FitsType(*v, o.type_ref)) {
        return Fail(Error::InvalidArgument(
            fmt::format("decision '{}' rule '{}' output '{}': {} is not a {}", d.id, rule.id,
                        o.name, feel::ToDebugString(*v), o.type_ref)));
      }
      if (rule.outputs.size() == 1) return std::move(*v);
      out.Put(o.name, std::move(*v));
    }
    return feel::Value(std::move(out));
  }

  Result<feel::Value> Aggregate(const Decision& d, std::vector<feel::Value> values) {
    if (d.aggregation == Aggregation::kNone) return feel::Value(std::move(values));
    if (d.aggregation == Aggregation::kCount) {
      return feel::Value::Number(static_cast<std::int64_t>(values.size()));
    }
    if (values.empty()) return feel::Value();
    feel::Value best = values[0];
    feel::Decimal total;
    for (const feel::Value& v : values) {
      if (d.aggregation == Aggregation::kSum) {
        if (v.kind() != feel::Value::Kind::kNumber) {
          return Fail(Error::InvalidArgument(fmt::format(
              "decision '{}': SUM needs numbers, a rule gave {}", d.id, feel::ToDebugString(v))));
        }
        const auto next = feel::Decimal::Add(total, v.number());
        if (!next)
          return Fail(
              Error::InvalidArgument(fmt::format("decision '{}': sum is out of range", d.id)));
        total = *next;
        continue;
      }
      auto order = feel::Compare(v, best, env_, 1);
      if (!order) return Fail(EvalError(d, "aggregation", order.error()));
      if (*order && **order == (d.aggregation == Aggregation::kMin ? -1 : 1)) best = v;
    }
    if (d.aggregation == Aggregation::kSum) return feel::Value(total);
    return best;
  }

  const DecisionModel::Impl& impl_;
  const feel::EvalEnv& env_;
};

}  // namespace

std::vector<Problem> DecisionModel::Check(std::string_view xml) {
  if (xml.size() > kMaxDmnBytes) {
    return {{"", 0, fmt::format("the file is larger than {} bytes", kMaxDmnBytes)}};
  }
  Checker checker(xml);
  checker.Run();
  return checker.TakeProblems();
}

Result<DecisionModel> DecisionModel::Parse(std::string_view xml) {
  if (xml.size() > kMaxDmnBytes) {
    return Fail(Error::TooLarge(fmt::format("the DMN file is larger than {} bytes", kMaxDmnBytes)));
  }
  Checker checker(xml);
  std::shared_ptr<const Impl> impl = checker.Run();
  if (impl) return DecisionModel(std::move(impl));
  const std::vector<Problem> problems = checker.TakeProblems();
  std::string message = problems.size() == 1
                            ? "the DMN file has a problem:"
                            : fmt::format("the DMN file has {} problems:", problems.size());
  for (const Problem& p : problems) {
    message += fmt::format("\n  line {}", p.line);
    if (!p.decision_id.empty()) message += fmt::format(", decision '{}'", p.decision_id);
    message += ": " + p.reason;
  }
  return Fail(Error::InvalidArgument(std::move(message)));
}

Result<DecisionResult> DecisionModel::EvaluateWithRules(std::string_view decision_id,
                                                        const feel::Context& vars,
                                                        const feel::EvalEnv& env) const {
  const Decision* d = impl_->Find(decision_id);
  if (d == nullptr) {
    return Fail(Error::NotFound(fmt::format("no decision '{}' in this DMN file", decision_id)));
  }
  return Evaluation(*impl_, env).Run(*d, vars, 0);
}

Result<feel::Value> DecisionModel::Evaluate(std::string_view decision_id, const feel::Context& vars,
                                            const feel::EvalEnv& env) const {
  XT_ASSIGN_OR_RETURN(DecisionResult r, EvaluateWithRules(decision_id, vars, env));
  return std::move(r.value);
}

std::vector<std::string> DecisionModel::decision_ids() const {
  std::vector<std::string> out;
  for (const Decision& d : impl_->decisions) out.push_back(d.id);
  return out;
}

}  // namespace xietong::dmn
