// A BPMN 2.0 process as Camunda Modeler and bpmn-js write it for Camunda 8
// (zeebe: extensions, FEEL expressions), read into an immutable graph the
// engine walks. ParseBpmn validates the whole file and refuses it with every
// problem at once (element id, line, reason); a Process that exists is
// runnable: every flow has both ends, every expression parsed, every wait
// state has what it waits for. Immutable once built; share it freely.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "workflow/feel.h"

namespace xietong::workflow {

inline constexpr std::string_view kBpmnNamespace = "http://www.omg.org/spec/BPMN/20100524/MODEL";
inline constexpr std::string_view kZeebeNamespace = "http://camunda.org/schema/zeebe/1.0";
// Hostile files stop here: a DOCTYPE is refused outright (no entity can
// expand), and so is a file above these sizes.
inline constexpr std::size_t kMaxBpmnBytes = 4 << 20;
inline constexpr std::size_t kMaxBpmnElements = 20'000;

enum class ElementKind {
  kStartEvent,
  kEndEvent,
  kIntermediateCatchEvent,
  kIntermediateThrowEvent,  // none: passes through
  kBoundaryEvent,
  kExclusiveGateway,
  kParallelGateway,
  kInclusiveGateway,
  kEventBasedGateway,
  kTask,  // bpmn:task and manualTask: pass through
  kUserTask,
  kServiceTask,  // and sendTask: a job of zeebe:taskDefinition type
  kReceiveTask,
  kScriptTask,
  kBusinessRuleTask,
  kSubProcess,
  kCallActivity,
};
std::string_view ElementKindName(ElementKind kind);  // "userTask", …

enum class EventKind { kNone, kTimer, kMessage, kError, kTerminate };

// A FEEL expression or a static value, as a zeebe: attribute holds it.
struct Text {
  std::string literal;                   // the static value when expr is empty
  std::optional<feel::Expression> expr;  // "=…" in the file
  bool empty() const { return literal.empty() && !expr; }
};

struct TimerDefinition {
  enum class Kind { kDuration, kDate, kCycle } kind = Kind::kDuration;
  Text value;  // ISO 8601 duration, date-time or R<n>/<duration>, or an expression
};

struct Mapping {
  Text source;         // usually "=expression"; a static value is a string
  std::string target;  // a variable name (dotted paths are not supported)
};

struct MultiInstance {
  bool sequential = false;
  feel::Expression input_collection;
  std::string input_element;  // variable of each inner instance; "" = none
  std::string output_collection;
  std::optional<feel::Expression> output_element;
};

struct Element {
  int index = 0;
  std::string id;
  std::string name;
  ElementKind kind = ElementKind::kTask;
  EventKind event = EventKind::kNone;
  int line = 0;
  int parent = -1;                      // the enclosing subprocess element; -1: the process itself
  std::vector<int> incoming, outgoing;  // flow indices
  int default_flow = -1;                // exclusive and inclusive gateways

  // Tasks.
  Text job_type;  // service/send/script-with-job/business-rule-with-job tasks
  Text retries;   // "3" by default
  std::vector<std::pair<std::string, std::string>> headers;  // zeebe:taskHeaders
  Text candidate_groups, candidate_users, assignee;          // user tasks
  Text due_date;                                             // zeebe:taskSchedule dueDate
  std::optional<feel::Expression> script;                    // zeebe:script expression
  std::string result_variable;                               // script and business rule tasks
  Text decision_id;                                          // zeebe:calledDecision decisionId
  Text called_process;                                       // zeebe:calledElement processId
  bool propagate_all_child_variables = true;

  // Events.
  std::optional<TimerDefinition> timer;
  Text message_name;
  std::optional<feel::Expression> correlation_key;  // zeebe:subscription correlationKey
  std::string error_code;  // error end events and error boundary events ("" = any)
  int attached_to = -1;    // boundary events: the activity
  bool cancel_activity = true;
  std::vector<int> boundaries;  // activities: their boundary events

  std::vector<Mapping> inputs, outputs;  // zeebe:ioMapping
  std::optional<MultiInstance> multi;

  std::vector<int> children;  // subprocesses: the elements directly inside
  int none_start = -1;        // subprocesses: their none start event
};

struct Flow {
  int index = 0;
  std::string id;
  int source = -1, target = -1;
  std::optional<feel::Expression> condition;
  int line = 0;
};

struct Process {
  std::string id;  // the BPMN process id, the key definitions are versioned by
  std::string name;
  std::vector<Element> elements;
  std::vector<Flow> flows;
  int none_start = -1;              // the process's none start event
  std::vector<int> message_starts;  // message start events at the top level
  std::vector<int> timer_starts;
  std::map<std::string, int, std::less<>> by_id;  // element id → index

  const Element* Find(std::string_view element_id) const;
};

struct Problem {
  std::string element_id;  // "" when the problem is not inside an element
  int line = 0;            // 1-based; 0 when unknown
  std::string reason;
  friend bool operator==(const Problem&, const Problem&) = default;
};

// The file's executable process, or every problem found (never an empty
// list). A file with several executable processes is refused: deploy one
// process per file.
std::expected<std::shared_ptr<const Process>, std::vector<Problem>> ParseBpmn(std::string_view xml);

// "file.bpmn:12: approveA: a service task needs zeebe:taskDefinition type".
std::string FormatProblem(std::string_view file, const Problem& p);

}  // namespace xietong::workflow
