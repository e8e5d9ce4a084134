// The BPMN engine's pure core: a process instance's state and the commands
// that move it (start, complete a task or job, fire a timer, correlate a
// message, throw an error, resolve an incident). A command runs the instance
// until every token waits again, and answers what must be stored with the
// new state: wait items opened (jobs, user tasks, timers, message
// subscriptions, child instances) and closed, visits and flows taken for the
// step analytics, and whether the instance ended or met an incident.
//
// No I/O and no clock: the caller passes `now` and owns persistence (see
// workflow_service.h). An expression that cannot be evaluated, or a loop
// without a wait state past kMaxStepsPerCommand, stops the token with an
// incident; it never reads as false and never hangs. Plain values; a
// Process is shared read-only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "workflow/bpmn.h"
#include "workflow/dmn.h"
#include "workflow/feel.h"

namespace xietong::workflow {

// Elements activated by one command before the engine calls it a loop.
inline constexpr int kMaxStepsPerCommand = 10'000;

// One element of the instance that is waiting (a task, a catch event, a
// subprocess or multi-instance body holding its inner tokens, a call
// activity) or stopped by an incident.
struct ElementInstance {
  std::int64_t key = 0;    // unique within the instance
  int element = -1;        // Process::elements index
  std::int64_t scope = 0;  // the subprocess/body instance it runs in; 0: the process
  Timestamp entered_at = 0;
  // 0: none; kStoppedEntering: Retry enters the element again (a new job,
  // timer, …); kStoppedLeaving: Retry completes it again with `pending`.
  int incident = 0;
  json::Json pending;        // the completion's variables, while stopped leaving
  bool mi_body = false;      // the multi-instance body around inner instances
  bool mi_inner = false;     // an inner instance (its scope is the body)
  int loop_counter = 0;      // inner instances: 1-based index in the collection
  int mi_pending = 0;        // bodies: inner instances not yet completed
  int mi_next = 0;           // sequential bodies: next index to start (0-based)
  feel::Context locals;      // local variables (inputs, inputElement, subprocess scope)
  int tokens = 0;            // scopes (subprocess instances): live tokens inside
  std::int64_t gateway = 0;  // catch events after an event-based gateway: its instance
};

inline constexpr int kStoppedEntering = 1;
inline constexpr int kStoppedLeaving = 2;

struct InstanceState {
  enum class Status { kActive, kCompleted, kTerminated, kIncident };
  Status status = Status::kActive;
  std::int64_t next_key = 1;
  int root_tokens = 0;      // live tokens at the process level
  feel::Context variables;  // the process scope
  std::vector<ElementInstance> waiting;
  // Parallel joins: (scope key, gateway element) → arrivals per incoming flow.
  std::map<std::pair<std::int64_t, int>, std::vector<int>> joins;
  std::string incident;  // the last incident's message while status is kIncident
};
std::string_view StatusName(InstanceState::Status s);  // "active", "completed", …

// What a command asks the caller to store besides the state.
struct WaitItem {
  enum class Kind { kJob, kUserTask, kTimer, kMessage, kCallActivity };
  Kind kind = Kind::kJob;
  std::int64_t element_key = 0;  // the waiting element instance (for boundaries: the activity's)
  int element = -1;              // the waiting element, or the boundary/catch event
  std::string job_type;          // jobs
  int retries = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string candidate_groups, candidate_users, assignee;  // user tasks
  Timestamp due = 0;         // timers: when; user tasks: the due date (0: none)
  std::string message_name;  // messages
  std::string correlation_key;
  std::string called_process;  // call activities
  json::Json variables;        // call activities: the child's variables
  // Timers with a cycle: repetitions left after this one (-1: unbounded).
  int repeat = 0;
  std::int64_t interval_us = 0;
};

struct Visit {
  int element = -1;
  Timestamp entered_at = 0, left_at = 0;
};

struct Effects {
  std::vector<WaitItem> opened;
  // Element instances whose wait items are gone (completed, interrupted,
  // cancelled); the caller deletes every item of these keys. A key may name
  // items opened by the same command: store `opened` first, then delete.
  std::vector<std::int64_t> closed;
  std::vector<Visit> visits;            // waiting elements that were left
  std::vector<int> flows_taken;         // Flow indices, once per token
  std::optional<std::string> incident;  // raised by this command
  bool ended = false;                   // completed or terminated by this command
};

// How the engine finds a DMN decision for a business rule task; null: none.
using DecisionLookup = std::function<const dmn::DecisionModel*(std::string_view decision_id)>;

struct Environment {
  Timestamp now = 0;
  std::int32_t zone_offset_seconds = 8 * 3600;
  DecisionLookup decisions;
  // Working days for zeebe:taskSchedule due dates given as "P<n>D": when set,
  // maps (from, days) to the deadline; otherwise days are calendar days.
  std::function<Timestamp(Timestamp from, int days)> add_working_days;
};

class Engine {
 public:
  Engine(const Process& process, Environment env) : p_(process), env_(std::move(env)) {}

  // A new instance from the none start event (or the named start event).
  Result<Effects> Start(InstanceState& s, const json::Json& variables,
                        std::string_view start_element_id = {}) const;
  // A job, user task or call activity answered, with the variables it sets.
  Result<Effects> Complete(InstanceState& s, std::int64_t element_key,
                           const json::Json& variables) const;
  // The first firing of a timer start event (element), counted from now;
  // cycles carry their repetitions. Its value must be a literal.
  Result<WaitItem> StartTimer(int element) const;
  // A timer of a waiting element fired: the catch event itself, or a
  // boundary timer (element = the boundary event) of the activity.
  Result<Effects> FireTimer(InstanceState& s, std::int64_t element_key, int element) const;
  // A message correlated to a subscription of element_key (see FireTimer).
  Result<Effects> Correlate(InstanceState& s, std::int64_t element_key, int element,
                            const json::Json& variables) const;
  // A job threw a BPMN error: caught by the nearest matching error boundary,
  // an incident otherwise.
  Result<Effects> ThrowError(InstanceState& s, std::int64_t element_key, std::string_view code,
                             const json::Json& variables) const;
  // Runs the element stopped by an incident again.
  Result<Effects> Retry(InstanceState& s, std::int64_t element_key) const;
  // Cancels the instance: every wait item closes.
  Effects Cancel(InstanceState& s) const;

  // The variables an expression in element_key sees (the scope chain merged).
  feel::Context VisibleVariables(const InstanceState& s, std::int64_t scope) const;

 private:
  struct Run;
  const Process& p_;
  Environment env_;
};

// Moves a state from one version of a process to another: every waiting
// element (and every join with arrivals) must exist in `to` with the same id
// and kind, and wait items keep their element keys. InvalidArgument naming
// each element that does not fit; the state is unchanged then.
Result<void> MigrateState(InstanceState& s, const Process& from, const Process& to);

// The instance state as compact JSON and back (stored per instance).
json::Json EncodeState(const InstanceState& s);
Result<InstanceState> DecodeState(const json::Json& j);

}  // namespace xietong::workflow
