// Reading BPMN XML (Camunda 8 dialect) into a Process, collecting every
// problem instead of stopping at the first.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <pugixml.hpp>
#include <set>

#include "workflow/bpmn.h"

namespace xietong::workflow {
namespace {

using pugi::xml_node;

// Element names in the bpmn namespace and what they become.
struct KindName {
  std::string_view name;
  ElementKind kind;
};
constexpr KindName kKinds[] = {
    {"startEvent", ElementKind::kStartEvent},
    {"endEvent", ElementKind::kEndEvent},
    {"intermediateCatchEvent", ElementKind::kIntermediateCatchEvent},
    {"intermediateThrowEvent", ElementKind::kIntermediateThrowEvent},
    {"boundaryEvent", ElementKind::kBoundaryEvent},
    {"exclusiveGateway", ElementKind::kExclusiveGateway},
    {"parallelGateway", ElementKind::kParallelGateway},
    {"inclusiveGateway", ElementKind::kInclusiveGateway},
    {"eventBasedGateway", ElementKind::kEventBasedGateway},
    {"task", ElementKind::kTask},
    {"manualTask", ElementKind::kTask},
    {"userTask", ElementKind::kUserTask},
    {"serviceTask", ElementKind::kServiceTask},
    {"sendTask", ElementKind::kServiceTask},
    {"receiveTask", ElementKind::kReceiveTask},
    {"scriptTask", ElementKind::kScriptTask},
    {"businessRuleTask", ElementKind::kBusinessRuleTask},
    {"subProcess", ElementKind::kSubProcess},
    {"callActivity", ElementKind::kCallActivity},
};
// Children of a process that carry no behaviour.
constexpr std::string_view kInert[] = {"documentation",
                                       "extensionElements",
                                       "laneSet",
                                       "textAnnotation",
                                       "association",
                                       "dataObject",
                                       "dataObjectReference",
                                       "dataStoreReference",
                                       "property",
                                       "ioSpecification",
                                       "group",
                                       "category"};

bool IsActivity(ElementKind k) {
  switch (k) {
    case ElementKind::kTask:
    case ElementKind::kUserTask:
    case ElementKind::kServiceTask:
    case ElementKind::kReceiveTask:
    case ElementKind::kScriptTask:
    case ElementKind::kBusinessRuleTask:
    case ElementKind::kSubProcess:
    case ElementKind::kCallActivity:
      return true;
    default:
      return false;
  }
}

bool IsGateway(ElementKind k) {
  return k == ElementKind::kExclusiveGateway || k == ElementKind::kParallelGateway ||
         k == ElementKind::kInclusiveGateway || k == ElementKind::kEventBasedGateway;
}

class Reader {
 public:
  explicit Reader(std::string_view xml) : xml_(xml) {
    for (std::size_t i = 0; i < xml.size(); ++i)
      if (xml[i] == '\n') newlines_.push_back(i);
  }

  std::expected<std::shared_ptr<const Process>, std::vector<Problem>> Read() {
    if (xml_.size() > kMaxBpmnBytes)
      return Refuse({"", 0,
                     fmt::format("the file has {} bytes; at most {} are accepted", xml_.size(),
                                 kMaxBpmnBytes)});
    if (ContainsDoctype())
      return Refuse({"", 0, "a DOCTYPE is not accepted in BPMN files (no entities are expanded)"});
    const pugi::xml_parse_result result = doc_.load_buffer(xml_.data(), xml_.size());
    if (!result)
      return Refuse({"",
                     LineOf(static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0))),
                     fmt::format("the XML cannot be read: {}", result.description())});
    std::size_t count = 0;
    for (auto it = doc_.begin(); it != doc_.end(); ++it) count += CountNodes(*it, 0);
    if (count > kMaxBpmnElements)
      return Refuse(
          {"", 0,
           fmt::format("the file has more than {} elements; split the process", kMaxBpmnElements)});
    xml_node root = doc_.document_element();
    ReadNamespaces(root);
    if (!Is(root, kBpmnNamespace, "definitions"))
      return Refuse({"", Line(root),
                     "the root element is not BPMN 2.0 definitions (namespace " +
                         std::string(kBpmnNamespace) + ")"});
    ReadDefinitionsLevel(root);

    std::vector<xml_node> processes;
    for (xml_node child : root.children())
      if (Is(child, kBpmnNamespace, "process") &&
          std::string_view(child.attribute("isExecutable").as_string("true")) != "false")
        processes.push_back(child);
    if (processes.empty()) return Refuse({"", Line(root), "the file has no executable process"});
    if (processes.size() > 1) {
      for (std::size_t i = 1; i < processes.size(); ++i)
        Report(processes[i].attribute("id").as_string(), Line(processes[i]),
               "a second executable process; deploy one process per file");
    }
    auto process = std::make_shared<Process>();
    p_ = process.get();
    p_->id = processes[0].attribute("id").as_string();
    p_->name = processes[0].attribute("name").as_string();
    if (p_->id.empty()) Report("", Line(processes[0]), "the process has no id");
    ReadScope(processes[0], -1);
    ResolveFlows();
    ResolveBoundaries();
    Validate();
    if (!problems_.empty()) {
      std::stable_sort(problems_.begin(), problems_.end(),
                       [](const Problem& a, const Problem& b) { return a.line < b.line; });
      return std::unexpected(std::move(problems_));
    }
    return std::shared_ptr<const Process>(std::move(process));
  }

 private:
  // --- XML helpers ---------------------------------------------------------

  bool ContainsDoctype() const {
    static constexpr std::string_view kDoctype = "<!doctype";
    auto it = std::search(
        xml_.begin(), xml_.end(), kDoctype.begin(), kDoctype.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    return it != xml_.end();
  }

  static std::size_t CountNodes(xml_node n, int depth) {
    if (depth > 200) return kMaxBpmnElements + 1;  // absurd nesting counts as too large
    std::size_t count = 1;
    for (xml_node c : n.children()) count += CountNodes(c, depth + 1);
    return count;
  }

  int LineOf(std::size_t offset) const {
    return static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), offset) -
                            newlines_.begin()) +
           1;
  }
  int Line(xml_node n) const {
    const auto off = n.offset_debug();
    return off < 0 ? 0 : LineOf(static_cast<std::size_t>(off));
  }

  void ReadNamespaces(xml_node root) {
    for (pugi::xml_attribute a : root.attributes()) {
      std::string_view name = a.name();
      if (name == "xmlns")
        prefixes_[""] = a.value();
      else if (name.starts_with("xmlns:"))
        prefixes_[std::string(name.substr(6))] = a.value();
    }
  }

  // The namespace and local name of a node, from the root's declarations.
  std::pair<std::string_view, std::string_view> NameOf(xml_node n) const {
    std::string_view full = n.name();
    const auto colon = full.find(':');
    const std::string prefix =
        colon == std::string_view::npos ? "" : std::string(full.substr(0, colon));
    const std::string_view local = colon == std::string_view::npos ? full : full.substr(colon + 1);
    auto it = prefixes_.find(prefix);
    return {it == prefixes_.end() ? std::string_view() : std::string_view(it->second), local};
  }
  bool Is(xml_node n, std::string_view ns, std::string_view local) const {
    auto [node_ns, node_local] = NameOf(n);
    return node_ns == ns && node_local == local;
  }
  xml_node Child(xml_node n, std::string_view ns, std::string_view local) const {
    for (xml_node c : n.children())
      if (Is(c, ns, local)) return c;
    return {};
  }
  xml_node Zeebe(xml_node element, std::string_view local) const {
    xml_node ext = Child(element, kBpmnNamespace, "extensionElements");
    return ext ? Child(ext, kZeebeNamespace, local) : xml_node();
  }

  void Report(std::string element_id, int line, std::string reason) {
    problems_.push_back({std::move(element_id), line, std::move(reason)});
  }
  std::unexpected<std::vector<Problem>> Refuse(Problem p) {
    return std::unexpected(std::vector<Problem>{std::move(p)});
  }

  // A zeebe: attribute: "=expr" parsed as FEEL, anything else kept as is.
  Text ReadText(std::string_view value, const std::string& id, int line, std::string_view what) {
    Text t;
    auto split = feel::SplitAttribute(value);
    if (!split.is_expression) {
      t.literal = std::string(value);
      return t;
    }
    auto e = feel::Expression::Parse(split.text);
    if (!e)
      Report(id, line,
             fmt::format("{}: the FEEL expression '{}' cannot be read: {}", what, split.text,
                         e.error().message));
    else
      t.expr = std::move(*e);
    return t;
  }
  std::optional<feel::Expression> ReadExpression(std::string_view value, const std::string& id,
                                                 int line, std::string_view what) {
    auto e = feel::Expression::Parse(feel::SplitAttribute(value).text);
    if (!e) {
      Report(id, line,
             fmt::format("{}: the FEEL expression '{}' cannot be read: {}", what, value,
                         e.error().message));
      return std::nullopt;
    }
    return std::move(*e);
  }

  // --- definitions-level messages and errors --------------------------------

  void ReadDefinitionsLevel(xml_node root) {
    for (xml_node c : root.children()) {
      const std::string id = c.attribute("id").as_string();
      if (Is(c, kBpmnNamespace, "message")) {
        MessageDef m;
        m.line = Line(c);
        m.name = ReadText(c.attribute("name").as_string(), id, m.line, "message name");
        if (xml_node sub = Zeebe(c, "subscription"))
          if (auto key = sub.attribute("correlationKey"); !key.empty())
            m.correlation_key = ReadExpression(key.as_string(), id, m.line, "correlationKey");
        messages_[id] = std::move(m);
      } else if (Is(c, kBpmnNamespace, "error")) {
        errors_[id] = c.attribute("errorCode").as_string();
      }
    }
  }

  // --- elements ---------------------------------------------------------------

  void ReadScope(xml_node scope, int parent) {
    for (xml_node c : scope.children()) {
      if (c.type() != pugi::node_element) continue;
      auto [ns, local] = NameOf(c);
      if (ns != kBpmnNamespace) continue;  // bpmndi and vendor extensions at this level
      if (local == "sequenceFlow") {
        ReadFlow(c);
        continue;
      }
      if (std::find(std::begin(kInert), std::end(kInert), local) != std::end(kInert)) continue;
      const auto kind = std::find_if(std::begin(kKinds), std::end(kKinds),
                                     [&](const KindName& k) { return k.name == local; });
      const std::string id = c.attribute("id").as_string();
      if (kind == std::end(kKinds)) {
        Report(id, Line(c), fmt::format("'{}' is not supported by this engine", local));
        continue;
      }
      if (id.empty()) {
        Report("", Line(c), fmt::format("a {} has no id", local));
        continue;
      }
      if (p_->by_id.contains(id)) {
        Report(id, Line(c), "the id is used twice");
        continue;
      }
      Element e;
      e.index = static_cast<int>(p_->elements.size());
      e.id = id;
      e.name = c.attribute("name").as_string();
      e.kind = kind->kind;
      e.line = Line(c);
      e.parent = parent;
      p_->by_id[id] = e.index;
      p_->elements.push_back(std::move(e));
      const int index = p_->elements.back().index;
      if (parent >= 0) p_->elements[parent].children.push_back(index);
      ReadElement(c, index);
      if (p_->elements[index].kind == ElementKind::kSubProcess) {
        if (c.attribute("triggeredByEvent").as_bool(false))
          Report(id, p_->elements[index].line, "event subprocesses are not supported");
        ReadScope(c, index);
      }
    }
  }

  void ReadElement(xml_node c, int index) {
    Element& e = p_->elements[index];
    const std::string& id = e.id;
    const int line = e.line;
    if (auto d = c.attribute("default"); !d.empty())
      pending_defaults_.push_back({index, d.value()});
    if (e.kind == ElementKind::kBoundaryEvent) {
      pending_boundaries_.push_back({index, c.attribute("attachedToRef").as_string()});
      e.cancel_activity = c.attribute("cancelActivity").as_bool(true);
    }
    ReadEventDefinition(c, e);
    if (xml_node mi = Child(c, kBpmnNamespace, "multiInstanceLoopCharacteristics")) {
      MultiInstance m{.sequential = mi.attribute("isSequential").as_bool(false),
                      .input_collection = *feel::Expression::Parse("null"),
                      .input_element = {},
                      .output_collection = {},
                      .output_element = std::nullopt};
      xml_node z = Child(Child(mi, kBpmnNamespace, "extensionElements"), kZeebeNamespace,
                         "loopCharacteristics");
      if (!z || z.attribute("inputCollection").empty()) {
        Report(id, line,
               "a multi-instance activity needs zeebe:loopCharacteristics inputCollection");
      } else if (auto in = ReadExpression(z.attribute("inputCollection").as_string(), id, line,
                                          "inputCollection")) {
        m.input_collection = std::move(*in);
      }
      if (z) {
        m.input_element = z.attribute("inputElement").as_string();
        m.output_collection = z.attribute("outputCollection").as_string();
        if (auto out = z.attribute("outputElement"); !out.empty())
          m.output_element = ReadExpression(out.as_string(), id, line, "outputElement");
      }
      e.multi = std::move(m);
    }
    if (Child(c, kBpmnNamespace, "standardLoopCharacteristics"))
      Report(id, line, "standard loops are not supported; use multi-instance");
    if (xml_node io = Zeebe(c, "ioMapping")) {
      for (xml_node m : io.children()) {
        const bool input = Is(m, kZeebeNamespace, "input");
        if (!input && !Is(m, kZeebeNamespace, "output")) continue;
        std::string target = m.attribute("target").as_string();
        if (target.empty()) Report(id, line, "a zeebe:ioMapping entry has no target");
        (input ? e.inputs : e.outputs)
            .push_back({ReadText(m.attribute("source").as_string(), id, line, "ioMapping source"),
                        std::move(target)});
      }
    }
    if (xml_node td = Zeebe(c, "taskDefinition")) {
      e.job_type = ReadText(td.attribute("type").as_string(), id, line, "job type");
      e.retries = ReadText(td.attribute("retries").as_string("3"), id, line, "retries");
    }
    if (xml_node th = Zeebe(c, "taskHeaders"))
      for (xml_node h : th.children())
        if (Is(h, kZeebeNamespace, "header"))
          e.headers.emplace_back(h.attribute("key").as_string(), h.attribute("value").as_string());
    if (xml_node a = Zeebe(c, "assignmentDefinition")) {
      e.assignee = ReadText(a.attribute("assignee").as_string(), id, line, "assignee");
      e.candidate_groups =
          ReadText(a.attribute("candidateGroups").as_string(), id, line, "candidateGroups");
      e.candidate_users =
          ReadText(a.attribute("candidateUsers").as_string(), id, line, "candidateUsers");
    }
    if (xml_node s = Zeebe(c, "taskSchedule"))
      e.due_date = ReadText(s.attribute("dueDate").as_string(), id, line, "dueDate");
    if (xml_node s = Zeebe(c, "script")) {
      e.script = ReadExpression(s.attribute("expression").as_string(), id, line, "script");
      e.result_variable = s.attribute("resultVariable").as_string();
    }
    if (xml_node d = Zeebe(c, "calledDecision")) {
      e.decision_id = ReadText(d.attribute("decisionId").as_string(), id, line, "decisionId");
      e.result_variable = d.attribute("resultVariable").as_string();
    }
    if (xml_node ce = Zeebe(c, "calledElement")) {
      e.called_process = ReadText(ce.attribute("processId").as_string(), id, line, "processId");
      e.propagate_all_child_variables = ce.attribute("propagateAllChildVariables").as_bool(true);
    }
    if (e.kind == ElementKind::kReceiveTask)
      ReadMessageRef(c.attribute("messageRef").as_string(), e);
    if (Zeebe(c, "executionListeners")) Report(id, line, "execution listeners are not supported");
  }

  void ReadEventDefinition(xml_node c, Element& e) {
    int definitions = 0;
    for (xml_node d : c.children()) {
      auto [ns, local] = NameOf(d);
      if (ns != kBpmnNamespace || !local.ends_with("EventDefinition")) continue;
      ++definitions;
      if (local == "timerEventDefinition") {
        e.event = EventKind::kTimer;
        TimerDefinition t;
        xml_node value;
        if ((value = Child(d, kBpmnNamespace, "timeDuration"))) {
          t.kind = TimerDefinition::Kind::kDuration;
        } else if ((value = Child(d, kBpmnNamespace, "timeDate"))) {
          t.kind = TimerDefinition::Kind::kDate;
        } else if ((value = Child(d, kBpmnNamespace, "timeCycle"))) {
          t.kind = TimerDefinition::Kind::kCycle;
        }
        if (!value) {
          Report(e.id, e.line, "a timer needs timeDuration, timeDate or timeCycle");
          continue;
        }
        std::string text = value.text().as_string();
        t.value = ReadText(Trim(text), e.id, e.line, "timer");
        if (!t.value.expr) CheckStaticTimer(t, e);
        e.timer = std::move(t);
      } else if (local == "messageEventDefinition") {
        e.event = EventKind::kMessage;
        ReadMessageRef(d.attribute("messageRef").as_string(), e);
      } else if (local == "errorEventDefinition") {
        e.event = EventKind::kError;
        if (auto ref = d.attribute("errorRef"); !ref.empty()) {
          auto it = errors_.find(ref.as_string());
          if (it == errors_.end())
            Report(e.id, e.line, fmt::format("errorRef '{}' names no bpmn:error", ref.as_string()));
          else
            e.error_code = it->second;
        }
      } else if (local == "terminateEventDefinition") {
        e.event = EventKind::kTerminate;
      } else {
        Report(e.id, e.line, fmt::format("'{}' is not supported by this engine", local));
      }
    }
    if (definitions > 1) Report(e.id, e.line, "an event with several definitions is not supported");
  }

  static std::string Trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto end = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, end - b + 1);
  }

  void CheckStaticTimer(const TimerDefinition& t, const Element& e) {
    const std::string& v = t.value.literal;
    switch (t.kind) {
      case TimerDefinition::Kind::kDuration:
        if (!feel::ParseDuration(v))
          Report(e.id, e.line, fmt::format("timeDuration '{}' is not an ISO 8601 duration", v));
        break;
      case TimerDefinition::Kind::kDate:
        if (!feel::ParseDateTime(v))
          Report(e.id, e.line, fmt::format("timeDate '{}' is not an ISO 8601 date-time", v));
        break;
      case TimerDefinition::Kind::kCycle: {
        const auto slash = v.find('/');
        if (!v.starts_with('R') || slash == std::string::npos ||
            !feel::ParseDuration(v.substr(slash + 1)))
          Report(e.id, e.line,
                 fmt::format("timeCycle '{}' is not R<n>/<duration> (e.g. R3/PT10M)", v));
        break;
      }
    }
  }

  void ReadMessageRef(std::string_view ref, Element& e) {
    if (ref.empty()) {
      Report(e.id, e.line, "a message event or receive task needs a messageRef");
      return;
    }
    auto it = messages_.find(std::string(ref));
    if (it == messages_.end()) {
      Report(e.id, e.line, fmt::format("messageRef '{}' names no bpmn:message", ref));
      return;
    }
    e.message_name = it->second.name;
    e.correlation_key = it->second.correlation_key;
  }

  void ReadFlow(xml_node c) {
    Flow f;
    f.index = static_cast<int>(p_->flows.size());
    f.id = c.attribute("id").as_string();
    f.line = Line(c);
    if (xml_node cond = Child(c, kBpmnNamespace, "conditionExpression"))
      f.condition = ReadExpression(Trim(cond.text().as_string()), f.id, f.line, "condition");
    pending_flows_.push_back(
        {f.index, c.attribute("sourceRef").as_string(), c.attribute("targetRef").as_string()});
    p_->flows.push_back(std::move(f));
  }

  // --- linking ------------------------------------------------------------------

  int IndexOf(std::string_view id) const {
    auto it = p_->by_id.find(id);
    return it == p_->by_id.end() ? -1 : it->second;
  }

  void ResolveFlows() {
    for (const auto& [index, source, target] : pending_flows_) {
      Flow& f = p_->flows[index];
      f.source = IndexOf(source);
      f.target = IndexOf(target);
      if (f.source < 0)
        Report(f.id, f.line,
               fmt::format("the flow starts at '{}', which is not an element", source));
      if (f.target < 0)
        Report(f.id, f.line,
               fmt::format("the flow leads to '{}', which is not an element", target));
      if (f.source < 0 || f.target < 0) continue;
      Element& s = p_->elements[f.source];
      Element& t = p_->elements[f.target];
      if (s.parent != t.parent) {
        Report(f.id, f.line, "the flow crosses a subprocess border");
        continue;
      }
      s.outgoing.push_back(f.index);
      t.incoming.push_back(f.index);
    }
    for (const auto& [index, flow_id] : pending_defaults_) {
      Element& e = p_->elements[index];
      auto it = std::find_if(e.outgoing.begin(), e.outgoing.end(),
                             [&](int f) { return p_->flows[f].id == flow_id; });
      if (it == e.outgoing.end())
        Report(e.id, e.line,
               fmt::format("the default flow '{}' is not one of its outgoing flows", flow_id));
      else
        e.default_flow = *it;
    }
  }

  void ResolveBoundaries() {
    for (const auto& [index, attached] : pending_boundaries_) {
      Element& b = p_->elements[index];
      const int a = IndexOf(attached);
      if (a < 0 || !IsActivity(p_->elements[a].kind)) {
        Report(b.id, b.line, fmt::format("attachedToRef '{}' is not an activity", attached));
        continue;
      }
      if (p_->elements[a].parent != b.parent) {
        Report(b.id, b.line, "the boundary event and its activity are in different scopes");
        continue;
      }
      b.attached_to = a;
      p_->elements[a].boundaries.push_back(index);
    }
  }

  // --- validation ------------------------------------------------------------------

  void Validate() {
    for (Element& e : p_->elements) ValidateElement(e);
    // Start events per scope.
    std::vector<int> scopes{-1};
    for (const Element& e : p_->elements)
      if (e.kind == ElementKind::kSubProcess) scopes.push_back(e.index);
    for (int scope : scopes) {
      int none = 0;
      for (const Element& e : p_->elements) {
        if (e.parent != scope || e.kind != ElementKind::kStartEvent) continue;
        if (e.event == EventKind::kNone) {
          ++none;
          if (scope < 0)
            p_->none_start = e.index;
          else
            p_->elements[scope].none_start = e.index;
        } else if (scope >= 0) {
          Report(e.id, e.line, "a subprocess starts with a none start event only");
        } else if (e.event == EventKind::kMessage) {
          p_->message_starts.push_back(e.index);
        } else if (e.event == EventKind::kTimer) {
          p_->timer_starts.push_back(e.index);
        } else {
          Report(e.id, e.line, "a process starts with a none, message or timer start event");
        }
      }
      if (none > 1) {
        const std::string id = scope < 0 ? p_->id : p_->elements[scope].id;
        Report(id, scope < 0 ? 0 : p_->elements[scope].line, "more than one none start event");
      }
      if (scope >= 0 && none == 0)
        Report(p_->elements[scope].id, p_->elements[scope].line,
               "the subprocess has no none start event");
    }
    if (p_->none_start < 0 && p_->message_starts.empty() && p_->timer_starts.empty())
      Report(p_->id, 0, "the process has no start event");
  }

  void ValidateElement(Element& e) {
    const std::string& id = e.id;
    const int line = e.line;
    if (e.kind == ElementKind::kStartEvent && !e.incoming.empty())
      Report(id, line, "a start event cannot have incoming flows");
    if (e.kind == ElementKind::kBoundaryEvent && !e.incoming.empty())
      Report(id, line, "a boundary event cannot have incoming flows");
    if (e.kind == ElementKind::kEndEvent && !e.outgoing.empty())
      Report(id, line, "an end event cannot have outgoing flows");
    if (e.kind == ElementKind::kInclusiveGateway && e.incoming.size() > 1)
      Report(id, line,
             "a joining inclusive gateway is not supported (nor by Camunda 8 before 8.6); join "
             "with a parallel gateway when every branch runs, else an exclusive one");
    if (IsGateway(e.kind) && e.outgoing.empty())
      Report(id, line, "the gateway has no outgoing flow");
    if (e.kind == ElementKind::kBoundaryEvent && e.outgoing.empty())
      Report(id, line, "the boundary event has no outgoing flow");
    for (int f : e.outgoing) {
      const Flow& flow = p_->flows[f];
      const bool conditional_source =
          e.kind == ElementKind::kExclusiveGateway || e.kind == ElementKind::kInclusiveGateway;
      if (flow.condition && !conditional_source)
        Report(flow.id, flow.line,
               "only flows out of exclusive and inclusive gateways may have conditions");
      if (conditional_source && e.outgoing.size() > 1 && !flow.condition && f != e.default_flow)
        Report(flow.id, flow.line,
               "a flow out of a gateway with several flows needs a condition or "
               "must be the default flow");
    }
    if (e.default_flow >= 0 && p_->flows[e.default_flow].condition)
      Report(p_->flows[e.default_flow].id, p_->flows[e.default_flow].line,
             "the default flow cannot have a condition");
    switch (e.kind) {
      case ElementKind::kServiceTask:
        if (e.job_type.empty())
          Report(id, line, "a service or send task needs zeebe:taskDefinition type");
        break;
      case ElementKind::kScriptTask:
        if (!e.script && e.job_type.empty())
          Report(id, line, "a script task needs zeebe:script expression (or a job type)");
        if (e.script && e.result_variable.empty())
          Report(id, line, "a script task needs zeebe:script resultVariable");
        break;
      case ElementKind::kBusinessRuleTask:
        if (e.decision_id.empty() && e.job_type.empty())
          Report(id, line, "a business rule task needs zeebe:calledDecision decisionId");
        if (!e.decision_id.empty() && e.result_variable.empty())
          Report(id, line, "a business rule task needs zeebe:calledDecision resultVariable");
        break;
      case ElementKind::kCallActivity:
        if (e.called_process.empty())
          Report(id, line, "a call activity needs zeebe:calledElement processId");
        break;
      case ElementKind::kReceiveTask:
        if (!e.message_name.empty() && !e.correlation_key)
          Report(id, line, "the message needs zeebe:subscription correlationKey");
        break;
      case ElementKind::kIntermediateCatchEvent:
        if (e.event != EventKind::kTimer && e.event != EventKind::kMessage)
          Report(id, line, "an intermediate catch event waits for a timer or a message");
        if (e.event == EventKind::kMessage && !e.message_name.empty() && !e.correlation_key)
          Report(id, line, "the message needs zeebe:subscription correlationKey");
        break;
      case ElementKind::kIntermediateThrowEvent:
        if (e.event != EventKind::kNone)
          Report(id, line, "only none intermediate throw events are supported");
        break;
      case ElementKind::kBoundaryEvent:
        if (e.event != EventKind::kTimer && e.event != EventKind::kMessage &&
            e.event != EventKind::kError)
          Report(id, line, "a boundary event is a timer, message or error event");
        if (e.event == EventKind::kError && !e.cancel_activity)
          Report(id, line, "an error boundary event always interrupts");
        if (e.event == EventKind::kMessage && !e.message_name.empty() && !e.correlation_key)
          Report(id, line, "the message needs zeebe:subscription correlationKey");
        break;
      case ElementKind::kEndEvent:
        if (e.event == EventKind::kTimer || e.event == EventKind::kMessage)
          Report(id, line, "an end event is none, terminate or error");
        break;
      case ElementKind::kEventBasedGateway:
        if (e.outgoing.size() < 2)
          Report(id, line, "an event-based gateway needs two or more flows");
        for (int f : e.outgoing) {
          const Element& t = p_->elements[p_->flows[f].target];
          const bool catches = (t.kind == ElementKind::kIntermediateCatchEvent) ||
                               t.kind == ElementKind::kReceiveTask;
          if (!catches || t.incoming.size() != 1)
            Report(t.id, t.line,
                   "after an event-based gateway comes a timer or message catch event reached "
                   "only from it");
        }
        break;
      default:
        break;
    }
    if (e.multi && !IsActivity(e.kind)) Report(id, line, "only activities can be multi-instance");
  }

  struct MessageDef {
    Text name;
    std::optional<feel::Expression> correlation_key;
    int line = 0;
  };
  struct PendingFlow {
    int index;
    std::string source, target;
  };
  struct PendingRef {
    int index;
    std::string ref;
  };

  std::string_view xml_;
  std::vector<std::size_t> newlines_;
  pugi::xml_document doc_;
  std::map<std::string, std::string> prefixes_;
  std::map<std::string, MessageDef> messages_;
  std::map<std::string, std::string> errors_;
  Process* p_ = nullptr;
  std::vector<PendingFlow> pending_flows_;
  std::vector<PendingRef> pending_defaults_, pending_boundaries_;
  std::vector<Problem> problems_;
};

}  // namespace

std::string_view ElementKindName(ElementKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.name;
  return "task";
}

const Element* Process::Find(std::string_view element_id) const {
  auto it = by_id.find(element_id);
  return it == by_id.end() ? nullptr : &elements[it->second];
}

std::expected<std::shared_ptr<const Process>, std::vector<Problem>> ParseBpmn(
    std::string_view xml) {
  return Reader(xml).Read();
}

std::string FormatProblem(std::string_view file, const Problem& p) {
  return fmt::format("{}:{}: {}: {}", file, p.line, p.element_id.empty() ? "-" : p.element_id,
                     p.reason);
}

}  // namespace xietong::workflow
