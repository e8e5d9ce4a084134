// The token game: a queue of elements to enter, run until every token waits.
#include "workflow/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>

namespace xietong::workflow {
namespace {

using feel::Context;
using feel::Value;

// A token about to enter an element.
struct Entry {
  int element = -1;
  std::int64_t scope = 0;
  int via_flow = -1;
  bool mi_inner = false;  // an inner instance of a multi-instance body (scope is the body)
  int loop_counter = 0;
  Context locals;
  bool triggered = false;  // a catch event whose trigger already came (event-based gateway)
  json::Json variables;    // set when triggered
};

std::string ErrorText(const Error& e) { return e.message; }

}  // namespace

std::string_view StatusName(InstanceState::Status s) {
  switch (s) {
    case InstanceState::Status::kActive:
      return "active";
    case InstanceState::Status::kCompleted:
      return "completed";
    case InstanceState::Status::kTerminated:
      return "terminated";
    case InstanceState::Status::kIncident:
      return "incident";
  }
  return "active";
}

namespace {

// A timer's literal value: a date-time, a duration, or a cycle's text.
Result<Value> LiteralTimerValue(const TimerDefinition& t) {
  if (t.kind == TimerDefinition::Kind::kDate) {
    auto d = feel::ParseDateTime(t.value.literal);
    if (!d) return Fail(Error::InvalidArgument("timeDate is not a date-time"));
    return *d;
  }
  if (t.kind == TimerDefinition::Kind::kDuration) {
    auto d = feel::ParseDuration(t.value.literal);
    if (!d) return Fail(Error::InvalidArgument("timeDuration is not a duration"));
    return *d;
  }
  return Value(t.value.literal);
}

// When a timer whose value is v is due, counted from env.now; a cycle also
// sets the item's repetitions and interval.
Result<Timestamp> DueOf(const TimerDefinition& t, Value v, const Environment& env, WaitItem& item) {
  if (t.kind == TimerDefinition::Kind::kCycle) {
    if (v.kind() != Value::Kind::kString)
      return Fail(Error::InvalidArgument("timeCycle must be text like R3/PT10M"));
    const std::string& text = v.string();
    const auto slash = text.find('/');
    auto d =
        slash == std::string::npos ? std::nullopt : feel::ParseDuration(text.substr(slash + 1));
    if (!text.starts_with('R') || !d || d->kind() != Value::Kind::kDaysTimeDuration)
      return Fail(
          Error::InvalidArgument(fmt::format("timeCycle '{}' is not R<n>/<duration>", text)));
    const std::string count = text.substr(1, slash - 1);
    int n = -1;
    if (!count.empty()) {
      n = 0;
      for (char c : count) {
        if (c < '0' || c > '9' || n > 1'000'000)
          return Fail(Error::InvalidArgument(fmt::format("timeCycle '{}': bad repetitions", text)));
        n = n * 10 + (c - '0');
      }
    }
    item.interval_us = d->days_time().micros;
    item.repeat = n < 0 ? -1 : std::max(0, n - 1);
    return env.now + item.interval_us;
  }
  if (v.kind() == Value::Kind::kString) {
    if (auto d = feel::ParseDuration(v.string()))
      v = *d;
    else if (auto dt = feel::ParseDateTime(v.string()))
      v = *dt;
  }
  switch (v.kind()) {
    case Value::Kind::kDaysTimeDuration:
      return env.now + std::max<std::int64_t>(0, v.days_time().micros);
    case Value::Kind::kDateTime: {
      const feel::DateTime d = v.date_time();
      return d.offset_seconds ? d.micros
                              : d.micros - std::int64_t{env.zone_offset_seconds} * kMicrosPerSecond;
    }
    default:
      return Fail(Error::InvalidArgument(
          fmt::format("the timer is {} ({}); it needs a days-time duration or a date-time",
                      feel::ToDebugString(v), feel::KindName(v.kind()))));
  }
}

}  // namespace

// One command's run over one instance.
struct Engine::Run {
  const Process& p;
  const Environment& env;
  InstanceState& s;
  Effects fx;
  std::deque<Entry> queue;
  int steps = 0;

  Run(const Process& process, const Environment& environment, InstanceState& state)
      : p(process), env(environment), s(state) {}

  feel::EvalEnv Eval() const {
    return {.now = env.now, .zone_offset_seconds = env.zone_offset_seconds};
  }

  // --- instances and scopes -------------------------------------------------

  ElementInstance* Find(std::int64_t key) {
    for (auto& w : s.waiting)
      if (w.key == key) return &w;
    return nullptr;
  }
  int& Tokens(std::int64_t scope) {
    if (scope == 0) return s.root_tokens;
    return Find(scope)->tokens;
  }
  bool ScopeAlive(std::int64_t scope) {
    if (s.status == InstanceState::Status::kCompleted ||
        s.status == InstanceState::Status::kTerminated)
      return false;
    return scope == 0 || Find(scope) != nullptr;
  }

  Context Visible(std::int64_t scope, const Context* extra = nullptr) {
    std::vector<const Context*> chain;
    for (std::int64_t k = scope; k != 0;) {
      const ElementInstance* w = Find(k);
      if (!w) break;
      chain.push_back(&w->locals);
      k = w->scope;
    }
    Context out = s.variables;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      for (const auto& [name, value] : (*it)->entries()) out.Put(name, value);
    if (extra)
      for (const auto& [name, value] : extra->entries()) out.Put(name, value);
    return out;
  }

  // Sets a variable where it is defined, from scope outwards; the process
  // scope when no local scope has it (Zeebe's propagation).
  void SetVariable(std::int64_t scope, const std::string& name, Value value) {
    for (std::int64_t k = scope; k != 0;) {
      ElementInstance* w = Find(k);
      if (!w) break;
      if (w->locals.Find(name)) {
        w->locals.Put(name, std::move(value));
        return;
      }
      k = w->scope;
    }
    s.variables.Put(name, std::move(value));
  }

  Result<void> SetVariables(std::int64_t scope, const json::Json& vars) {
    if (vars.is_null()) return {};
    if (!vars.is_object())
      return Fail(Error::InvalidArgument("'variables' must be a JSON object").About("variables"));
    XT_ASSIGN_OR_RETURN(Context c, feel::ContextFromJson(vars));
    for (const auto& [name, value] : c.entries()) SetVariable(scope, name, value);
    return {};
  }

  std::int64_t NewKey() { return s.next_key++; }

  // The element instance a token entering e becomes (key 0: one that
  // completes at once and is never stored).
  ElementInstance InstanceOf(const Entry& e, std::int64_t key) const {
    ElementInstance w;
    w.key = key;
    w.element = e.element;
    w.scope = e.scope;
    w.entered_at = env.now;
    w.locals = e.locals;
    w.mi_inner = e.mi_inner;
    w.loop_counter = e.mi_inner ? e.loop_counter : 0;
    return w;
  }

  // --- incidents --------------------------------------------------------------

  // The token stops at the element: stored as an incident instance that
  // Retry enters again.
  void Incident(const Entry& e, std::string message) {
    ElementInstance w = InstanceOf(e, NewKey());
    w.incident = kStoppedEntering;
    const std::string text = fmt::format("{}: {}", p.elements[e.element].id, message);
    s.waiting.push_back(std::move(w));
    s.status = InstanceState::Status::kIncident;
    s.incident = text;
    fx.incident = text;
  }

  // --- evaluation helpers -----------------------------------------------------

  Result<Value> Evaluate(const feel::Expression& expr, std::int64_t scope,
                         const Context* extra = nullptr) {
    return expr.Evaluate(Visible(scope, extra), Eval());
  }

  Result<std::string> TextOf(const Text& t, std::int64_t scope, const Context* extra = nullptr) {
    if (!t.expr) return t.literal;
    XT_ASSIGN_OR_RETURN(Value v, Evaluate(*t.expr, scope, extra));
    if (v.kind() == Value::Kind::kList) {
      std::string out;
      for (const auto& item : v.list()) {
        if (!out.empty()) out += ',';
        out += feel::ToText(item);
      }
      return out;
    }
    if (v.is_null()) return std::string();
    return feel::ToText(v);
  }

  Result<Timestamp> TimerDue(const TimerDefinition& t, std::int64_t scope, const Context* extra,
                             WaitItem& item) {
    Value v;
    if (t.value.expr) {
      XT_ASSIGN_OR_RETURN(v, Evaluate(*t.value.expr, scope, extra));
    } else {
      XT_ASSIGN_OR_RETURN(v, LiteralTimerValue(t));
    }
    return DueOf(t, std::move(v), env, item);
  }

  Result<Timestamp> DueDate(const Text& t, std::int64_t scope, const Context* extra) {
    if (t.empty()) return 0;
    Value v;
    if (t.expr) {
      XT_ASSIGN_OR_RETURN(v, Evaluate(*t.expr, scope, extra));
    } else {
      v = t.literal;
    }
    if (v.is_null()) return 0;
    if (v.kind() == Value::Kind::kString) {
      if (auto d = feel::ParseDuration(v.string()))
        v = *d;
      else if (auto dt = feel::ParseDateTime(v.string()))
        v = *dt;
    }
    if (v.kind() == Value::Kind::kDaysTimeDuration) {
      const std::int64_t micros = v.days_time().micros;
      // Whole days count as working days when the platform calendar is given.
      if (env.add_working_days && micros > 0 && micros % kMicrosPerDay == 0)
        return env.add_working_days(env.now, static_cast<int>(micros / kMicrosPerDay));
      return env.now + micros;
    }
    if (v.kind() == Value::Kind::kDateTime) {
      const feel::DateTime d = v.date_time();
      return d.offset_seconds ? d.micros
                              : d.micros - std::int64_t{env.zone_offset_seconds} * kMicrosPerSecond;
    }
    return Fail(Error::InvalidArgument(
        fmt::format("dueDate is {}; it needs a date-time or a duration", feel::ToDebugString(v))));
  }

  // --- entering elements ----------------------------------------------------------

  void Enqueue(Entry e) {
    ++Tokens(e.scope);
    queue.push_back(std::move(e));
  }

  void TakeFlow(int flow, std::int64_t scope) {
    fx.flows_taken.push_back(flow);
    Entry next;
    next.element = p.flows[flow].target;
    next.scope = scope;
    next.via_flow = flow;
    Enqueue(std::move(next));
  }

  // The token leaves a non-gateway element: every outgoing flow gets one.
  void TakeOutgoing(const Element& e, std::int64_t scope) {
    --Tokens(scope);
    for (int f : e.outgoing) TakeFlow(f, scope);
    if (e.outgoing.empty()) TokenEnded(scope);
  }

  void TokenEnded(std::int64_t scope) {
    if (Tokens(scope) > 0) return;
    // A token parked at a join keeps its scope alive.
    for (const auto& [where, arrivals] : s.joins)
      if (where.first == scope)
        for (int a : arrivals)
          if (a > 0) return;
    if (scope == 0) {
      s.status = InstanceState::Status::kCompleted;
      fx.ended = true;
      return;
    }
    ElementInstance* sub = Find(scope);
    if (!sub) return;
    const ElementInstance done = *sub;
    Leave(done, json::Json());
  }

  void Drain() {
    while (!queue.empty()) {
      Entry e = std::move(queue.front());
      queue.pop_front();
      if (!ScopeAlive(e.scope)) continue;  // terminated meanwhile
      if (++steps > kMaxStepsPerCommand) {
        Incident(e, fmt::format("more than {} steps without a wait state; does the process loop?",
                                kMaxStepsPerCommand));
        while (!queue.empty()) {
          Entry rest = std::move(queue.front());
          queue.pop_front();
          if (ScopeAlive(rest.scope)) Incident(rest, "stopped with the loop above");
        }
        return;
      }
      Enter(std::move(e));
    }
  }

  void Enter(Entry e) {
    const Element& el = p.elements[e.element];
    if (el.multi && !e.mi_inner) {
      EnterMultiInstance(std::move(e));
      return;
    }
    // Input mappings, into the element's own locals.
    for (const auto& m : el.inputs) {
      Context extra = e.locals;
      Value v;
      if (m.source.expr) {
        auto r = Evaluate(*m.source.expr, e.scope, &extra);
        if (!r) return Incident(e, "input '" + m.target + "': " + ErrorText(r.error()));
        v = std::move(*r);
      } else {
        v = m.source.literal;
      }
      e.locals.Put(m.target, std::move(v));
    }
    switch (el.kind) {
      case ElementKind::kStartEvent:
      case ElementKind::kTask:
      case ElementKind::kIntermediateThrowEvent:
        return PassThrough(e);
      case ElementKind::kEndEvent:
        return EnterEnd(e);
      case ElementKind::kExclusiveGateway:
      case ElementKind::kInclusiveGateway:
        return EnterChoice(e);
      case ElementKind::kParallelGateway:
        return EnterParallel(e);
      case ElementKind::kEventBasedGateway:
        return EnterEventGateway(e);
      case ElementKind::kScriptTask:
        if (el.script) return EnterScript(e);
        return EnterJob(e);
      case ElementKind::kBusinessRuleTask:
        if (!el.decision_id.empty()) return EnterDecision(e);
        return EnterJob(e);
      case ElementKind::kServiceTask:
        return EnterJob(e);
      case ElementKind::kUserTask:
        return EnterUserTask(e);
      case ElementKind::kReceiveTask:
      case ElementKind::kIntermediateCatchEvent:
        if (e.triggered) return PassThrough(e);
        return EnterCatch(e);
      case ElementKind::kBoundaryEvent:
        return PassThrough(e);
      case ElementKind::kSubProcess:
        return EnterSubProcess(e);
      case ElementKind::kCallActivity:
        return EnterCallActivity(e);
    }
  }

  // An element that completes as soon as it is entered.
  void PassThrough(const Entry& e) {
    Leave(InstanceOf(e, 0), e.triggered ? e.variables : json::Json());
  }

  // Boundary timers and messages of an activity that starts waiting.
  Result<void> OpenBoundaries(const ElementInstance& w) {
    const Element& el = p.elements[w.element];
    for (int b : el.boundaries) {
      const Element& be = p.elements[b];
      WaitItem item;
      item.element_key = w.key;
      item.element = b;
      if (be.event == EventKind::kTimer) {
        item.kind = WaitItem::Kind::kTimer;
        XT_ASSIGN_OR_RETURN(item.due, TimerDue(*be.timer, w.scope, &w.locals, item));
      } else if (be.event == EventKind::kMessage) {
        item.kind = WaitItem::Kind::kMessage;
        XT_TRY_VOID(Subscription(be, w.scope, &w.locals, item));
      } else {
        continue;  // errors are caught when thrown
      }
      fx.opened.push_back(std::move(item));
    }
    return {};
  }

  Result<void> Subscription(const Element& el, std::int64_t scope, const Context* extra,
                            WaitItem& item) {
    XT_ASSIGN_OR_RETURN(item.message_name, TextOf(el.message_name, scope, extra));
    if (el.correlation_key) {
      XT_ASSIGN_OR_RETURN(Value key, Evaluate(*el.correlation_key, scope, extra));
      if (key.is_null())
        return Fail(
            Error::InvalidArgument("the correlation key is null; set the variable it reads"));
      item.correlation_key = feel::ToText(key);
    }
    return {};
  }

  // Records a waiting activity with its wait item and boundary events; an
  // incident instead when an expression fails.
  void WaitWith(const Entry& e, WaitItem item) {
    const std::int64_t key = NewKey();
    ElementInstance w = InstanceOf(e, key);
    if (auto r = OpenBoundaries(w); !r) {
      --s.next_key;
      return Incident(e, "boundary event: " + ErrorText(r.error()));
    }
    item.element_key = key;
    if (item.element < 0) item.element = e.element;
    fx.opened.push_back(std::move(item));
    s.waiting.push_back(std::move(w));
  }

  void EnterJob(const Entry& e) {
    const Element& el = p.elements[e.element];
    WaitItem item;
    item.kind = WaitItem::Kind::kJob;
    auto type = TextOf(el.job_type, e.scope, &e.locals);
    if (!type) return Incident(e, "job type: " + ErrorText(type.error()));
    if (type->empty()) return Incident(e, "the job type is empty");
    item.job_type = std::move(*type);
    auto retries = TextOf(el.retries, e.scope, &e.locals);
    if (!retries) return Incident(e, "retries: " + ErrorText(retries.error()));
    item.retries = 0;
    for (char c : *retries) {
      if (c < '0' || c > '9' || item.retries > 1000)
        return Incident(e, fmt::format("retries '{}' is not a small whole number", *retries));
      item.retries = item.retries * 10 + (c - '0');
    }
    item.headers = el.headers;
    WaitWith(e, std::move(item));
  }

  void EnterUserTask(const Entry& e) {
    const Element& el = p.elements[e.element];
    WaitItem item;
    item.kind = WaitItem::Kind::kUserTask;
    auto groups = TextOf(el.candidate_groups, e.scope, &e.locals);
    auto users = TextOf(el.candidate_users, e.scope, &e.locals);
    auto assignee = TextOf(el.assignee, e.scope, &e.locals);
    auto due = DueDate(el.due_date, e.scope, &e.locals);
    for (const auto* r : {&groups, &users, &assignee})
      if (!*r) return Incident(e, "assignment: " + ErrorText(r->error()));
    if (!due) return Incident(e, "dueDate: " + ErrorText(due.error()));
    item.candidate_groups = std::move(*groups);
    item.candidate_users = std::move(*users);
    item.assignee = std::move(*assignee);
    item.due = *due;
    WaitWith(e, std::move(item));
  }

  void EnterCatch(const Entry& e) {
    const Element& el = p.elements[e.element];
    WaitItem item;
    if (el.event == EventKind::kTimer) {
      item.kind = WaitItem::Kind::kTimer;
      auto due = TimerDue(*el.timer, e.scope, &e.locals, item);
      if (!due) return Incident(e, "timer: " + ErrorText(due.error()));
      item.due = *due;
    } else {
      item.kind = WaitItem::Kind::kMessage;
      if (auto r = Subscription(el, e.scope, &e.locals, item); !r)
        return Incident(e, "message: " + ErrorText(r.error()));
    }
    WaitWith(e, std::move(item));
  }

  void EnterScript(const Entry& e) {
    const Element& el = p.elements[e.element];
    auto v = Evaluate(*el.script, e.scope, &e.locals);
    if (!v) return Incident(e, "script: " + ErrorText(v.error()));
    PassWithResult(e, el.result_variable, std::move(*v));
  }

  void EnterDecision(const Entry& e) {
    const Element& el = p.elements[e.element];
    auto id = TextOf(el.decision_id, e.scope, &e.locals);
    if (!id) return Incident(e, "decisionId: " + ErrorText(id.error()));
    const dmn::DecisionModel* model = env.decisions ? env.decisions(*id) : nullptr;
    if (!model) return Incident(e, fmt::format("no deployed decision '{}'", *id));
    auto v = model->Evaluate(*id, Visible(e.scope, &e.locals), Eval());
    if (!v) return Incident(e, "decision: " + ErrorText(v.error()));
    PassWithResult(e, el.result_variable, std::move(*v));
  }

  void PassWithResult(const Entry& e, const std::string& name, Value v) {
    json::Json vars = json::Json::object();
    vars[name] = feel::ToJson(v);
    Leave(InstanceOf(e, 0), vars);
  }

  void EnterSubProcess(const Entry& e) {
    const Element& el = p.elements[e.element];
    const std::int64_t key = NewKey();
    ElementInstance w = InstanceOf(e, key);
    if (auto r = OpenBoundaries(w); !r) {
      --s.next_key;
      return Incident(e, "boundary event: " + ErrorText(r.error()));
    }
    s.waiting.push_back(std::move(w));
    Entry start;
    start.element = el.none_start;
    start.scope = key;
    Enqueue(std::move(start));
  }

  void EnterCallActivity(const Entry& e) {
    const Element& el = p.elements[e.element];
    WaitItem item;
    item.kind = WaitItem::Kind::kCallActivity;
    auto process = TextOf(el.called_process, e.scope, &e.locals);
    if (!process) return Incident(e, "processId: " + ErrorText(process.error()));
    item.called_process = std::move(*process);
    item.variables = json::Json::object();
    const Context visible = Visible(e.scope, &e.locals);
    for (const auto& [name, value] : visible.entries()) item.variables[name] = feel::ToJson(value);
    WaitWith(e, std::move(item));
  }

  void EnterEnd(const Entry& e) {
    const Element& el = p.elements[e.element];
    if (el.event == EventKind::kTerminate) {
      --Tokens(e.scope);
      return TerminateScope(e.scope);
    }
    if (el.event == EventKind::kError) {
      --Tokens(e.scope);
      if (e.scope == 0) {
        ++Tokens(e.scope);
        return Incident(e, fmt::format("the error '{}' is not caught", el.error_code));
      }
      // Thrown from inside a subprocess: its boundaries are the first to catch.
      if (!CatchError(e.scope, el.error_code, json::Json())) {
        ++Tokens(e.scope);
        Incident(e, fmt::format("the error '{}' is not caught", el.error_code));
      }
      return;
    }
    --Tokens(e.scope);
    TokenEnded(e.scope);
  }

  void EnterChoice(const Entry& e) {
    const Element& el = p.elements[e.element];
    if (el.outgoing.size() == 1 && !p.flows[el.outgoing[0]].condition) {
      --Tokens(e.scope);
      return TakeFlow(el.outgoing[0], e.scope);
    }
    std::vector<int> taken;
    for (int f : el.outgoing) {
      if (f == el.default_flow) continue;
      const Flow& flow = p.flows[f];
      auto v = Evaluate(*flow.condition, e.scope, &e.locals);
      if (!v) return Incident(e, fmt::format("condition of {}: {}", flow.id, ErrorText(v.error())));
      if (v->kind() == Value::Kind::kBoolean && v->boolean()) {
        taken.push_back(f);
        if (el.kind == ElementKind::kExclusiveGateway) break;
      } else if (!v->is_null() && v->kind() != Value::Kind::kBoolean) {
        return Incident(e, fmt::format("condition of {} is {}, not true or false", flow.id,
                                       feel::ToDebugString(*v)));
      }
    }
    if (taken.empty() && el.default_flow >= 0) taken.push_back(el.default_flow);
    if (taken.empty()) return Incident(e, "no condition is true and there is no default flow");
    --Tokens(e.scope);
    for (int f : taken) TakeFlow(f, e.scope);
  }

  void EnterParallel(const Entry& e) {
    const Element& el = p.elements[e.element];
    if (el.incoming.size() > 1) {
      auto& arrivals = s.joins[{e.scope, e.element}];
      arrivals.resize(el.incoming.size());
      const auto at = std::find(el.incoming.begin(), el.incoming.end(), e.via_flow);
      if (at == el.incoming.end()) return Incident(e, "entered a join without a flow");
      ++arrivals[at - el.incoming.begin()];
      for (int a : arrivals)
        if (a == 0) return;  // the token waits at the join (still counted)
      for (int& a : arrivals) --a;
      // The parked tokens merge into this one.
      Tokens(e.scope) -= static_cast<int>(el.incoming.size()) - 1;
      if (std::all_of(arrivals.begin(), arrivals.end(), [](int a) { return a == 0; }))
        s.joins.erase({e.scope, e.element});
    }
    --Tokens(e.scope);
    for (int f : el.outgoing) TakeFlow(f, e.scope);
    if (el.outgoing.empty()) TokenEnded(e.scope);
  }

  void EnterEventGateway(const Entry& e) {
    const Element& el = p.elements[e.element];
    const std::int64_t key = NewKey();
    std::vector<WaitItem> items;
    for (int f : el.outgoing) {
      const Element& target = p.elements[p.flows[f].target];
      WaitItem item;
      item.element_key = key;
      item.element = target.index;
      if (target.event == EventKind::kTimer) {
        item.kind = WaitItem::Kind::kTimer;
        auto due = TimerDue(*target.timer, e.scope, &e.locals, item);
        if (!due) {
          --s.next_key;
          return Incident(e, target.id + " timer: " + ErrorText(due.error()));
        }
        item.due = *due;
      } else {
        item.kind = WaitItem::Kind::kMessage;
        if (auto r = Subscription(target, e.scope, &e.locals, item); !r) {
          --s.next_key;
          return Incident(e, target.id + " message: " + ErrorText(r.error()));
        }
      }
      items.push_back(std::move(item));
    }
    s.waiting.push_back(InstanceOf(e, key));
    for (auto& item : items) fx.opened.push_back(std::move(item));
  }

  void EnterMultiInstance(Entry e) {
    const Element& el = p.elements[e.element];
    const MultiInstance& mi = *el.multi;
    auto collection = Evaluate(mi.input_collection, e.scope, &e.locals);
    if (!collection) return Incident(e, "inputCollection: " + ErrorText(collection.error()));
    if (collection->kind() != Value::Kind::kList)
      return Incident(
          e, fmt::format("inputCollection is {}, not a list", feel::ToDebugString(*collection)));
    const feel::List items = collection->list();
    const std::int64_t key = NewKey();
    ElementInstance body;
    body.key = key;
    body.element = e.element;
    body.scope = e.scope;
    body.entered_at = env.now;
    body.mi_body = true;
    body.locals = e.locals;
    body.locals.Put("__items", Value(items));
    body.locals.Put("__out", Value(feel::List(items.size())));
    body.mi_pending = static_cast<int>(items.size());
    body.mi_next = mi.sequential ? 1 : static_cast<int>(items.size());
    if (auto r = OpenBoundaries(body); !r) {
      --s.next_key;
      return Incident(e, "boundary event: " + ErrorText(r.error()));
    }
    s.waiting.push_back(std::move(body));
    if (items.empty()) return CompleteBody(key);
    const int first_batch = mi.sequential ? 1 : static_cast<int>(items.size());
    for (int i = 0; i < first_batch; ++i) StartInner(key, i);
  }

  void StartInner(std::int64_t body_key, int index) {
    ElementInstance* body = Find(body_key);
    const Element& el = p.elements[body->element];
    Entry inner;
    inner.element = body->element;
    inner.scope = body_key;
    inner.mi_inner = true;
    inner.loop_counter = index + 1;
    if (!el.multi->input_element.empty())
      inner.locals.Put(el.multi->input_element, body->locals.Find("__items")->list()[index]);
    inner.locals.Put("loopCounter", Value::Number(index + 1));
    Enqueue(std::move(inner));
  }

  void CompleteBody(std::int64_t body_key) {
    ElementInstance* body = Find(body_key);
    const Element& el = p.elements[body->element];
    const ElementInstance done = *body;
    if (!el.multi->output_collection.empty()) {
      json::Json vars = json::Json::object();
      vars[el.multi->output_collection] = feel::ToJson(*done.locals.Find("__out"));
      Leave(done, vars, /*body_done=*/true);
    } else {
      Leave(done, json::Json(), true);
    }
  }

  // --- leaving elements --------------------------------------------------------------

  // Removes w and everything inside it from the waiting list; their keys close.
  void Remove(std::int64_t key) {
    std::set<std::int64_t> gone{key};
    bool grew = true;
    while (grew) {
      grew = false;
      for (const auto& w : s.waiting)
        if (!gone.contains(w.key) && gone.contains(w.scope))
          grew = gone.insert(w.key).second || grew;
    }
    std::erase_if(s.waiting, [&](const ElementInstance& w) { return gone.contains(w.key); });
    std::erase_if(s.joins, [&](const auto& j) { return gone.contains(j.first.first); });
    for (std::int64_t k : gone) fx.closed.push_back(k);
  }

  // w's element completed with vars: outputs, analytics, then the token moves on.
  void Leave(const ElementInstance& w, const json::Json& vars, bool body_done = false) {
    const Element& el = p.elements[w.element];
    const bool inner = w.mi_inner;
    // Outputs are computed before anything changes, so an incident leaves
    // the instance as it was.
    Context local = w.locals;
    if (vars.is_object()) {
      auto c = feel::ContextFromJson(vars);
      if (!c) return LeaveIncident(w, vars, "variables: " + ErrorText(c.error()));
      for (const auto& [name, value] : c->entries()) local.Put(name, value);
    }
    const bool propagate =
        !(el.kind == ElementKind::kCallActivity && !el.propagate_all_child_variables);
    std::vector<std::pair<std::string, Value>> writes;
    if (!(el.multi && !body_done && w.mi_body)) {
      const bool use_outputs = !el.outputs.empty() && !(el.multi && body_done);
      if (use_outputs) {
        for (const auto& m : el.outputs) {
          Value v;
          if (m.source.expr) {
            auto r = Evaluate(*m.source.expr, w.scope, &local);
            if (!r)
              return LeaveIncident(w, vars, "output '" + m.target + "': " + ErrorText(r.error()));
            v = std::move(*r);
          } else {
            v = m.source.literal;
          }
          writes.emplace_back(m.target, std::move(v));
        }
      } else if (vars.is_object() && (propagate || body_done)) {
        auto c = feel::ContextFromJson(vars);
        for (const auto& [name, value] : c->entries()) writes.emplace_back(name, value);
      }
    }
    Value inner_output;
    if (inner && el.multi->output_element) {
      auto r = Evaluate(*el.multi->output_element, w.scope, &local);
      if (!r) return LeaveIncident(w, vars, "outputElement: " + ErrorText(r.error()));
      inner_output = std::move(*r);
    }

    if (w.key != 0) {
      if (w.entered_at < env.now || el.kind != ElementKind::kSubProcess)
        fx.visits.push_back({w.element, w.entered_at, env.now});
      Remove(w.key);
    }
    // Inner instances write into the body's scope; others into their own.
    for (auto& [name, value] : writes) SetVariable(w.scope, name, std::move(value));

    if (inner) {
      ElementInstance* body = Find(w.scope);
      if (!body) return;
      --body->tokens;  // the inner token ends (it was counted in the body's scope)
      if (el.multi->output_element) {
        feel::List out = body->locals.Find("__out")->list();
        out[w.loop_counter - 1] = inner_output;
        body->locals.Put("__out", Value(std::move(out)));
      }
      --body->mi_pending;
      if (el.multi->sequential &&
          body->mi_next < static_cast<int>(body->locals.Find("__items")->list().size())) {
        const int next = body->mi_next++;
        return StartInner(w.scope, next);
      }
      if (body->mi_pending == 0) CompleteBody(w.scope);
      return;
    }
    TakeOutgoing(el, w.scope);
  }

  // Completing w failed (an output mapping): it stays, and Retry completes
  // it again with the same variables.
  void LeaveIncident(const ElementInstance& w, const json::Json& vars, std::string message) {
    ElementInstance* live = w.key ? Find(w.key) : nullptr;
    const std::string text = fmt::format("{}: {}", p.elements[w.element].id, message);
    if (!live) {
      ElementInstance copy = w;
      copy.key = NewKey();
      s.waiting.push_back(std::move(copy));
      live = &s.waiting.back();
    }
    live->incident = kStoppedLeaving;
    live->pending = vars;
    s.status = InstanceState::Status::kIncident;
    s.incident = text;
    fx.incident = text;
  }

  void TerminateScope(std::int64_t scope) {
    // Everything in the scope stops.
    std::vector<std::int64_t> inside;
    for (const auto& w : s.waiting)
      if (w.scope == scope) inside.push_back(w.key);
    for (std::int64_t k : inside) Remove(k);
    std::erase_if(s.joins, [&](const auto& j) { return j.first.first == scope; });
    Tokens(scope) = 0;
    if (scope == 0) {
      s.status = InstanceState::Status::kCompleted;
      fx.ended = true;
      return;
    }
    const ElementInstance done = *Find(scope);
    Leave(done, json::Json());
  }

  // Looks for an error boundary from the instance `from` outwards; true when
  // one caught it (the activity is interrupted and the boundary's flows run).
  bool CatchError(std::int64_t from, std::string_view code, const json::Json& vars) {
    for (std::int64_t k = from; k != 0;) {
      ElementInstance* w = Find(k);
      if (!w) return false;
      const Element& el = p.elements[w->element];
      for (int b : el.boundaries) {
        const Element& be = p.elements[b];
        if (be.event != EventKind::kError) continue;
        if (!be.error_code.empty() && be.error_code != code) continue;
        const std::int64_t scope = w->scope;
        // The caught activity's token moves to the boundary event.
        Remove(k);
        if (auto r = SetVariables(scope, vars); !r) {
          Entry e;
          e.element = b;
          e.scope = scope;
          Incident(e, ErrorText(r.error()));
          return true;
        }
        Entry boundary;
        boundary.element = b;
        boundary.scope = scope;
        queue.push_back(std::move(boundary));
        return true;
      }
      k = w->scope;
    }
    return false;
  }

  void FireBoundary(ElementInstance& w, int boundary, const json::Json& vars) {
    const Element& be = p.elements[boundary];
    const std::int64_t scope = w.scope;
    if (be.cancel_activity) {
      fx.visits.push_back({w.element, w.entered_at, env.now});
      Remove(w.key);  // its token moves to the boundary event
    } else {
      ++Tokens(scope);
    }
    if (auto r = SetVariables(scope, vars); !r) {
      Entry e;
      e.element = boundary;
      e.scope = scope;
      return Incident(e, ErrorText(r.error()));
    }
    Entry e;
    e.element = boundary;
    e.scope = scope;
    queue.push_back(std::move(e));
  }

  // A timer or message arrived for `element` at the instance `key`.
  Result<void> Trigger(std::int64_t key, int element, const json::Json& vars) {
    ElementInstance* w = Find(key);
    if (!w) return Fail(Error::NotFound("the element is no longer waiting"));
    if (w->incident != 0)
      return Fail(Error::Conflict("the element has an incident; resolve it first"));
    const Element& el = p.elements[w->element];
    if (element == w->element) {  // the catch event or receive task itself
      const ElementInstance done = *w;
      Leave(done, vars);
      return {};
    }
    if (el.kind == ElementKind::kEventBasedGateway) {
      const auto flow = std::find_if(el.outgoing.begin(), el.outgoing.end(),
                                     [&](int f) { return p.flows[f].target == element; });
      if (flow == el.outgoing.end()) return Fail(Error::NotFound("not an event of the gateway"));
      const std::int64_t scope = w->scope;
      fx.visits.push_back({w->element, w->entered_at, env.now});
      Remove(key);
      fx.flows_taken.push_back(*flow);
      Entry e;
      e.element = element;
      e.scope = scope;
      e.via_flow = *flow;
      e.triggered = true;
      e.variables = vars;
      queue.push_back(std::move(e));  // the gateway's token moves on: no count change
      return {};
    }
    if (std::find(el.boundaries.begin(), el.boundaries.end(), element) == el.boundaries.end())
      return Fail(Error::NotFound("not a boundary event of the waiting element"));
    FireBoundary(*w, element, vars);
    return {};
  }
};

Result<Effects> Engine::Start(InstanceState& s, const json::Json& variables,
                              std::string_view start_element_id) const {
  Run run(p_, env_, s);
  int start = p_.none_start;
  if (!start_element_id.empty()) {
    const Element* e = p_.Find(start_element_id);
    if (!e || e->kind != ElementKind::kStartEvent || e->parent != -1)
      return Fail(Error::InvalidArgument(
          fmt::format("'{}' is not a start event of process {}", start_element_id, p_.id)));
    start = e->index;
  }
  if (start < 0)
    return Fail(Error::InvalidArgument(
        fmt::format("process {} has no none start event; it starts by message or timer", p_.id)));
  XT_TRY_VOID(run.SetVariables(0, variables.is_null() ? json::Json::object() : variables));
  Entry e;
  e.element = start;
  run.Enqueue(std::move(e));
  run.Drain();
  return std::move(run.fx);
}

Result<Effects> Engine::Complete(InstanceState& s, std::int64_t element_key,
                                 const json::Json& variables) const {
  Run run(p_, env_, s);
  ElementInstance* w = run.Find(element_key);
  if (!w) return Fail(Error::NotFound("the task or job is no longer waiting"));
  if (w->incident != 0)
    return Fail(Error::Conflict("the element has an incident; resolve it first"));
  const ElementKind kind = p_.elements[w->element].kind;
  const bool completable = kind == ElementKind::kUserTask || kind == ElementKind::kServiceTask ||
                           kind == ElementKind::kScriptTask ||
                           kind == ElementKind::kBusinessRuleTask ||
                           kind == ElementKind::kCallActivity;
  if (!completable || w->mi_body)
    return Fail(Error::Conflict(fmt::format("{} waits for a timer or message, not a completion",
                                            p_.elements[w->element].id)));
  if (!variables.is_null() && !variables.is_object())
    return Fail(Error::InvalidArgument("'variables' must be a JSON object").About("variables"));
  const ElementInstance done = *w;
  run.Leave(done, variables);
  run.Drain();
  return std::move(run.fx);
}

Result<WaitItem> Engine::StartTimer(int element) const {
  if (element < 0 || element >= static_cast<int>(p_.elements.size()) || !p_.elements[element].timer)
    return Fail(Error::InvalidArgument("not a timer start event"));
  const TimerDefinition& t = *p_.elements[element].timer;
  if (t.value.expr)
    return Fail(Error::InvalidArgument(
        "a timer start event's date, duration or cycle is a literal: no variables exist before "
        "the instance does"));
  WaitItem item;
  item.kind = WaitItem::Kind::kTimer;
  item.element = element;
  XT_ASSIGN_OR_RETURN(Value v, LiteralTimerValue(t));
  XT_ASSIGN_OR_RETURN(item.due, DueOf(t, std::move(v), env_, item));
  return item;
}

Result<Effects> Engine::FireTimer(InstanceState& s, std::int64_t element_key, int element) const {
  Run run(p_, env_, s);
  XT_TRY_VOID(run.Trigger(element_key, element, json::Json()));
  run.Drain();
  return std::move(run.fx);
}

Result<Effects> Engine::Correlate(InstanceState& s, std::int64_t element_key, int element,
                                  const json::Json& variables) const {
  if (!variables.is_null() && !variables.is_object())
    return Fail(Error::InvalidArgument("'variables' must be a JSON object").About("variables"));
  Run run(p_, env_, s);
  XT_TRY_VOID(run.Trigger(element_key, element, variables));
  run.Drain();
  return std::move(run.fx);
}

Result<Effects> Engine::ThrowError(InstanceState& s, std::int64_t element_key,
                                   std::string_view code, const json::Json& variables) const {
  Run run(p_, env_, s);
  ElementInstance* w = run.Find(element_key);
  if (!w) return Fail(Error::NotFound("the job is no longer waiting"));
  if (w->incident != 0)
    return Fail(Error::Conflict("the element has an incident; resolve it first"));
  if (!run.CatchError(element_key, code, variables)) {
    // Uncaught: the job ends and the element stops; Retry creates a new job.
    Entry stopped;
    stopped.element = w->element;
    stopped.scope = w->scope;
    stopped.mi_inner = w->mi_inner;
    stopped.loop_counter = w->loop_counter;
    stopped.locals = w->locals;
    run.Remove(element_key);
    run.Incident(stopped, fmt::format("the error '{}' is not caught", code));
    return std::move(run.fx);
  }
  run.Drain();
  return std::move(run.fx);
}

Result<Effects> Engine::Retry(InstanceState& s, std::int64_t element_key) const {
  Run run(p_, env_, s);
  ElementInstance* w = run.Find(element_key);
  if (!w || w->incident == 0) return Fail(Error::NotFound("no incident at that element"));
  const int how = w->incident;
  w->incident = 0;
  const ElementInstance stopped = *w;
  if (std::none_of(s.waiting.begin(), s.waiting.end(),
                   [](const ElementInstance& x) { return x.incident != 0; })) {
    s.status = InstanceState::Status::kActive;
    s.incident.clear();
  }
  if (how == kStoppedLeaving) {
    run.Leave(stopped, stopped.pending);
  } else {
    std::erase_if(s.waiting, [&](const ElementInstance& x) { return x.key == element_key; });
    run.fx.closed.push_back(element_key);
    Entry e;
    e.element = stopped.element;
    e.scope = stopped.scope;
    e.mi_inner = stopped.mi_inner;
    e.loop_counter = stopped.loop_counter;
    e.locals = stopped.locals;
    run.queue.push_back(std::move(e));  // its token is still counted
  }
  run.Drain();
  return std::move(run.fx);
}

Effects Engine::Cancel(InstanceState& s) const {
  Effects fx;
  for (const auto& w : s.waiting) fx.closed.push_back(w.key);
  s.waiting.clear();
  s.joins.clear();
  s.root_tokens = 0;
  s.status = InstanceState::Status::kTerminated;
  fx.ended = true;
  return fx;
}

feel::Context Engine::VisibleVariables(const InstanceState& s, std::int64_t scope) const {
  Run run(p_, env_, const_cast<InstanceState&>(s));
  return run.Visible(scope);
}

Result<void> MigrateState(InstanceState& s, const Process& from, const Process& to) {
  std::vector<std::string> missing;
  auto map = [&](int element) -> int {
    const Element& e = from.elements[element];
    const Element* target = to.Find(e.id);
    if (!target || target->kind != e.kind || target->multi.has_value() != e.multi.has_value()) {
      missing.push_back(e.id);
      return -1;
    }
    return target->index;
  };
  std::vector<int> waiting;
  for (const auto& w : s.waiting) waiting.push_back(map(w.element));
  std::map<std::pair<std::int64_t, int>, std::vector<int>> joins;
  for (const auto& [where, arrivals] : s.joins) {
    const int target = map(where.second);
    if (target < 0) continue;
    if (to.elements[target].incoming.size() != arrivals.size()) {
      missing.push_back(to.elements[target].id + " (its incoming flows changed)");
      continue;
    }
    joins[{where.first, target}] = arrivals;
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    return Fail(Error::InvalidArgument(
        fmt::format("the instance waits at elements the new version lacks or changed: {}", names)));
  }
  for (std::size_t i = 0; i < s.waiting.size(); ++i) s.waiting[i].element = waiting[i];
  s.joins = std::move(joins);
  return {};
}

// --- encoding ---------------------------------------------------------------------

namespace {

json::Json ContextJson(const Context& c) {
  json::Json o = json::Json::object();
  for (const auto& [name, value] : c.entries()) o[name] = feel::ToJson(value);
  return o;
}

}  // namespace

json::Json EncodeState(const InstanceState& s) {
  json::Json waiting = json::Json::array();
  for (const auto& w : s.waiting) {
    json::Json o = {{"k", w.key}, {"e", w.element}};
    if (w.scope) o["s"] = w.scope;
    o["t"] = w.entered_at;
    if (w.incident) o["x"] = w.incident;
    if (!w.pending.is_null()) o["pv"] = w.pending;
    if (w.mi_body) o["b"] = 1;
    if (w.mi_inner) o["m"] = 1;
    if (w.loop_counter) o["l"] = w.loop_counter;
    if (w.mi_pending) o["p"] = w.mi_pending;
    if (w.mi_next) o["n"] = w.mi_next;
    if (w.tokens) o["o"] = w.tokens;
    if (!w.locals.empty()) o["v"] = ContextJson(w.locals);
    waiting.push_back(std::move(o));
  }
  json::Json joins = json::Json::array();
  for (const auto& [where, arrivals] : s.joins)
    joins.push_back({where.first, where.second, arrivals});
  json::Json out = {{"st", StatusName(s.status)},
                    {"nk", s.next_key},
                    {"rt", s.root_tokens},
                    {"v", ContextJson(s.variables)},
                    {"w", std::move(waiting)}};
  if (!joins.empty()) out["j"] = std::move(joins);
  if (!s.incident.empty()) out["i"] = s.incident;
  return out;
}

Result<InstanceState> DecodeState(const json::Json& j) {
  try {
    InstanceState s;
    const std::string st = j.at("st").get<std::string>();
    if (st == "active")
      s.status = InstanceState::Status::kActive;
    else if (st == "completed")
      s.status = InstanceState::Status::kCompleted;
    else if (st == "terminated")
      s.status = InstanceState::Status::kTerminated;
    else if (st == "incident")
      s.status = InstanceState::Status::kIncident;
    else
      return Fail(Error::Internal("stored instance state has an unknown status"));
    s.next_key = j.at("nk").get<std::int64_t>();
    s.root_tokens = j.at("rt").get<int>();
    XT_ASSIGN_OR_RETURN(s.variables, feel::ContextFromJson(j.at("v")));
    for (const auto& o : j.at("w")) {
      ElementInstance w;
      w.key = o.at("k").get<std::int64_t>();
      w.element = o.at("e").get<int>();
      w.scope = o.value("s", std::int64_t{0});
      w.entered_at = o.value("t", Timestamp{0});
      w.incident = o.value("x", 0);
      if (o.contains("pv")) w.pending = o.at("pv");
      w.mi_body = o.value("b", 0) != 0;
      w.mi_inner = o.value("m", 0) != 0;
      w.loop_counter = o.value("l", 0);
      w.mi_pending = o.value("p", 0);
      w.mi_next = o.value("n", 0);
      w.tokens = o.value("o", 0);
      if (o.contains("v")) {
        XT_ASSIGN_OR_RETURN(w.locals, feel::ContextFromJson(o.at("v")));
      }
      s.waiting.push_back(std::move(w));
    }
    if (j.contains("j"))
      for (const auto& a : j.at("j"))
        s.joins[{a.at(0).get<std::int64_t>(), a.at(1).get<int>()}] =
            a.at(2).get<std::vector<int>>();
    s.incident = j.value("i", std::string());
    return s;
  } catch (const json::Json::exception& e) {
    return Fail(Error::Internal(fmt::format("stored instance state cannot be read: {}", e.what())));
  }
}

}  // namespace xietong::workflow
