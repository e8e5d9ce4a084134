#include "workflow/workflow_service.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <span>

#include "audit/audit_log.h"
#include "identity/authorization.h"
#include "workflow/workflow_store.h"

namespace xietong::workflow {
namespace {

using identity::Principal;
using storage::Executor;

// Call activities deeper than this are refused (a process calling itself).
constexpr int kMaxCallDepth = 16;
// A node holds the timers it claimed this long before another may fire them.
constexpr std::int64_t kTimerClaimUs = 60 * kMicrosPerSecond;

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string hex;
  for (unsigned char c : digest) hex += fmt::format("{:02x}", c);
  return hex;
}

std::string_view KindName(WaitItem::Kind k) {
  switch (k) {
    case WaitItem::Kind::kJob:
      return "job";
    case WaitItem::Kind::kUserTask:
      return "user_task";
    case WaitItem::Kind::kTimer:
      return "timer";
    case WaitItem::Kind::kMessage:
      return "message";
    case WaitItem::Kind::kCallActivity:
      return "call";
  }
  return "job";
}

// ",a,b," so that one LIKE '%,a,%' finds a member.
std::string GroupList(std::string_view groups) {
  std::string out = ",";
  std::size_t start = 0;
  while (start <= groups.size()) {
    auto comma = groups.find(',', start);
    if (comma == std::string_view::npos) comma = groups.size();
    std::string_view g = groups.substr(start, comma - start);
    while (!g.empty() && g.front() == ' ') g.remove_prefix(1);
    while (!g.empty() && g.back() == ' ') g.remove_suffix(1);
    if (!g.empty()) out += std::string(g) + ",";
    start = comma + 1;
  }
  return out == "," ? "" : out;
}

std::string Trimmed(std::string_view groups) {
  std::string g(groups);
  if (g.size() >= 2 && g.front() == ',') g = g.substr(1, g.size() - 2);
  return g;
}

json::Json ContextJson(const feel::Context& c) {
  json::Json o = json::Json::object();
  for (const auto& [name, value] : c.entries()) o[name] = feel::ToJson(value);
  return o;
}

Result<void> RequireObject(const json::Json& variables) {
  if (!variables.is_null() && !variables.is_object())
    return Fail(Error::InvalidArgument("'variables' must be a JSON object")
                    .About("variables", "wrong_type"));
  return {};
}

}  // namespace

const storage::Schema& Schema() {
  static const storage::Schema schema{.module = "workflow",
                                      .needs = {&identity::Schema(), &audit::Schema()},
                                      .migrations = {store::Migrations()}};
  return schema;
}

Environment WorkflowService::Env(Timestamp now, Executor* ex) {
  Environment env;
  env.now = now;
  if (ex) env.decisions = [this, ex](std::string_view id) { return DecisionIn(*ex, id); };
  if (calendar_)
    env.add_working_days = [cal = calendar_](Timestamp from, int days) {
      return cal->AddWorkingDays(from, days);
    };
  return env;
}

Result<void> WorkflowService::Manage(const Principal& actor) const {
  if (identity::Can(actor, identity::Action::kWorkflowManage, "")) return {};
  return Fail(Error::PermissionDenied("only the platform's administrators manage processes"));
}

Result<std::shared_ptr<const Process>> WorkflowService::ProcessOf(Executor& ex,
                                                                  std::string_view definition_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = processes_.find(std::string(definition_id)); it != processes_.end())
      return it->second;
  }
  XT_ASSIGN_OR_RETURN(auto def, store::FindDefinition(ex, definition_id));
  if (!def) return Fail(Error::NotFound(fmt::format("no process definition '{}'", definition_id)));
  auto parsed = ParseBpmn(def->xml);
  if (!parsed)
    return Fail(Error::Internal(fmt::format("stored definition {} no longer parses", def->id)));
  std::lock_guard lock(mutex_);
  processes_.emplace(def->id, *parsed);
  return *parsed;
}

// --- definitions -------------------------------------------------------------------

Result<Deployment> WorkflowService::Deploy(const Principal& actor, std::string_view xml) {
  XT_TRY_VOID(Manage(actor));
  auto parsed = ParseBpmn(xml);
  if (!parsed) return Deployment{std::nullopt, std::move(parsed.error())};
  const Process& process = **parsed;
  const std::string sha = Sha256Hex(xml);
  // Timer start events: their first firing, from now (a literal each).
  const Timestamp now = clock_.Now();
  std::vector<WaitItem> start_timers;
  std::vector<Problem> problems;
  for (int index : process.timer_starts) {
    auto item = Engine(process, Env(now)).StartTimer(index);
    const Element& el = process.elements[index];
    if (item)
      start_timers.push_back(std::move(*item));
    else
      problems.push_back({el.id, el.line, item.error().message});
  }
  if (!problems.empty()) return Deployment{std::nullopt, std::move(problems)};
  XT_ASSIGN_OR_RETURN(Deployed d, db_.Write([&](Executor& ex) -> Result<Deployed> {
    XT_ASSIGN_OR_RETURN(auto latest, store::LatestDefinition(ex, process.id));
    if (latest && latest->sha256 == sha)
      return Deployed{latest->id, process.id, latest->version, true};
    store::DefinitionRow row{ids_.Next(),
                             process.id,
                             latest ? latest->version + 1 : 1,
                             process.name,
                             std::string(xml),
                             sha,
                             actor.account_id,
                             now};
    XT_TRY_VOID(store::InsertDefinition(ex, row));
    // The newest version's start timers replace the older ones'.
    XT_TRY_VOID(store::DeleteStartTimers(ex, process.id));
    std::vector<store::WaitRow> timers;
    for (const auto& item : start_timers) {
      store::WaitRow w;
      w.id = ids_.Next();
      w.element_id = process.elements[item.element].id;
      w.kind = "timer";
      w.job_type = row.id;
      w.due = item.due;
      w.repeat = item.repeat;
      w.interval_us = item.interval_us;
      w.headers = "{}";
      w.created_at = now;
      timers.push_back(std::move(w));
    }
    XT_TRY_VOID(store::InsertWaits(ex, timers));
    XT_TRY_VOID(audit::Append(ex, row.deployed_at,
                              {actor.account_id,
                               "workflow.definition.deployed",
                               row.id,
                               {{"process_id", row.process_id},
                                {"version", row.version},
                                {"sha256", sha},
                                {"elements", process.elements.size()}}}));
    return Deployed{row.id, row.process_id, row.version, false};
  }));
  {
    std::lock_guard lock(mutex_);
    processes_.emplace(d.id, *parsed);
  }
  return Deployment{d, {}};
}

Result<DecisionDeployment> WorkflowService::DeployDecisions(const Principal& actor,
                                                            std::string_view xml) {
  XT_TRY_VOID(Manage(actor));
  DecisionDeployment out;
  out.problems = dmn::DecisionModel::Check(xml);
  if (!out.problems.empty()) return out;
  auto model = dmn::DecisionModel::Parse(xml);
  if (!model) {
    out.problems.push_back({"", 0, model.error().message});
    return out;
  }
  out.decision_ids = model->decision_ids();
  store::DecisionFileRow row{ids_.Next(),      "",          std::string(xml), Sha256Hex(xml),
                             actor.account_id, clock_.Now()};
  for (const auto& id : out.decision_ids) row.name += (row.name.empty() ? "" : ",") + id;
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertDecisionFile(ex, row, out.decision_ids));
    XT_TRY_VOID(audit::Append(ex, row.deployed_at,
                              {actor.account_id,
                               "workflow.decisions.deployed",
                               row.id,
                               {{"decisions", out.decision_ids}, {"sha256", row.sha256}}}));
    return {};
  }));
  {
    std::lock_guard lock(mutex_);
    decision_files_.emplace(row.id, std::make_shared<const dmn::DecisionModel>(std::move(*model)));
  }
  out.file_id = row.id;
  return out;
}

Result<std::vector<DecisionView>> WorkflowService::Decisions(const Principal& actor) {
  XT_TRY_VOID(Manage(actor));
  XT_ASSIGN_OR_RETURN(auto rows, db_.Read([](Executor& ex) { return store::ListDecisions(ex); }));
  std::vector<DecisionView> out;
  for (const auto& r : rows) out.push_back({r.decision_id, r.version, r.file_id, r.deployed_at});
  return out;
}

const dmn::DecisionModel* WorkflowService::DecisionIn(Executor& ex, std::string_view decision_id) {
  auto file = store::LatestDecisionFile(ex, decision_id);
  if (!file || !*file) return nullptr;
  {
    std::lock_guard lock(mutex_);
    if (auto it = decision_files_.find(**file); it != decision_files_.end())
      return it->second.get();
  }
  auto row = store::FindDecisionFile(ex, **file);
  if (!row || !*row) return nullptr;
  auto model = dmn::DecisionModel::Parse((*row)->xml);
  if (!model) return nullptr;
  std::lock_guard lock(mutex_);
  auto [it, fresh] = decision_files_.emplace(
      **file, std::make_shared<const dmn::DecisionModel>(std::move(*model)));
  return it->second.get();
}

Result<std::vector<DefinitionView>> WorkflowService::Definitions(const Principal& actor) {
  XT_TRY_VOID(Manage(actor));
  XT_ASSIGN_OR_RETURN(auto rows,
                      db_.Read([](Executor& ex) { return store::ListDefinitions(ex, 500); }));
  std::vector<DefinitionView> out;
  for (auto& r : rows)
    out.push_back({r.id, r.process_id, r.version, r.name, "", r.deployed_by, r.deployed_at});
  return out;
}

Result<DefinitionView> WorkflowService::Definition(const Principal& actor, std::string_view id) {
  XT_TRY_VOID(Manage(actor));
  XT_ASSIGN_OR_RETURN(auto row,
                      db_.Read([&](Executor& ex) { return store::FindDefinition(ex, id); }));
  if (!row) return Fail(Error::NotFound(fmt::format("no process definition '{}'", id)));
  return DefinitionView{row->id,  row->process_id,  row->version,    row->name,
                        row->xml, row->deployed_by, row->deployed_at};
}

Result<DefinitionStats> WorkflowService::Stats(const Principal& actor,
                                               std::string_view definition_id) {
  XT_TRY_VOID(Manage(actor));
  return db_.Read([&](Executor& ex) -> Result<DefinitionStats> {
    DefinitionStats out;
    XT_ASSIGN_OR_RETURN(auto waits, store::Waits(ex, definition_id));
    for (const auto& w : waits) {
      const auto n = w.waits_us.size();
      out.elements.push_back({w.element_id, static_cast<std::int64_t>(n), w.waits_us[n / 2],
                              w.waits_us[std::min(n - 1, n * 9 / 10)]});
    }
    std::sort(out.elements.begin(), out.elements.end(),
              [](const ElementStats& a, const ElementStats& b) {
                return a.median_wait_us > b.median_wait_us;
              });
    XT_ASSIGN_OR_RETURN(out.flows, store::FlowCounts(ex, definition_id));
    return out;
  });
}

// --- instances ---------------------------------------------------------------------

Result<std::string> WorkflowService::Start(const Principal& actor, std::string_view process_id,
                                           const json::Json& variables) {
  XT_TRY_VOID(Manage(actor));
  XT_TRY_VOID(RequireObject(variables));
  return db_.Write(
      [&](Executor& ex) { return StartIn(ex, process_id, variables, actor.account_id, "", 0, 0); });
}

Result<std::string> WorkflowService::StartIn(Executor& ex, std::string_view process_id,
                                             const json::Json& variables, std::string_view actor,
                                             std::string_view parent_id, std::int64_t parent_key,
                                             int depth, std::string_view start_element) {
  if (depth > kMaxCallDepth)
    return Fail(Error::InvalidArgument(fmt::format(
        "call activities nest deeper than {}; does {} call itself?", kMaxCallDepth, process_id)));
  XT_ASSIGN_OR_RETURN(auto def, store::LatestDefinition(ex, process_id));
  if (!def)
    return Fail(Error::NotFound(fmt::format("no process '{}' is deployed", process_id))
                    .About("process_id", "unknown"));
  XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, def->id));
  const Timestamp now = clock_.Now();
  InstanceState state;
  Engine engine(*process, Env(now, &ex));
  XT_ASSIGN_OR_RETURN(Effects fx, engine.Start(state, variables, start_element));
  store::InstanceRow row;
  row.id = ids_.Next();
  row.definition_id = def->id;
  row.process_id = def->process_id;
  row.status = "active";
  row.state = "{}";
  row.parent_id = std::string(parent_id);
  row.parent_element_key = parent_key;
  row.started_by = std::string(actor);
  row.started_at = now;
  row.version = 0;  // Store writes version 1
  XT_TRY_VOID(store::InsertInstance(ex, row));
  XT_TRY_VOID(audit::Append(
      ex, now,
      {std::string(actor),
       "workflow.instance.started",
       row.id,
       {{"process_id", row.process_id}, {"version", def->version}, {"parent_id", row.parent_id}}}));
  XT_TRY_VOID(Store(ex, *process, row, state, fx, actor, depth));
  return row.id;
}

Result<void> WorkflowService::Store(Executor& ex, const Process& process, store::InstanceRow loaded,
                                    InstanceState& state, const Effects& fx, std::string_view actor,
                                    int depth) {
  const Timestamp now = clock_.Now();
  const std::string instance_id = loaded.id;
  const std::int64_t version = loaded.version;
  auto row = &loaded;
  std::vector<store::WaitRow> waits;
  std::vector<const WaitItem*> calls;
  for (const auto& item : fx.opened) {
    store::WaitRow w;
    w.id = ids_.Next();
    w.instance_id = std::string(instance_id);
    w.element_key = item.element_key;
    w.element_id = process.elements[item.element].id;
    w.kind = std::string(KindName(item.kind));
    w.job_type = item.job_type;
    w.retries = item.retries;
    w.candidate_groups = GroupList(item.candidate_groups);
    w.assignee = item.assignee;
    w.due = item.due;
    w.message_name = item.message_name;
    w.correlation_key = item.correlation_key;
    w.repeat = item.repeat;
    w.interval_us = item.interval_us;
    json::Json headers = json::Json::object();
    for (const auto& [k, v] : item.headers) headers[k] = v;
    w.headers = headers.dump();
    w.created_at = now;
    waits.push_back(std::move(w));
    if (item.kind == WaitItem::Kind::kCallActivity) calls.push_back(&item);
  }
  XT_TRY_VOID(store::InsertWaits(ex, waits));
  XT_TRY_VOID(store::DeleteWaits(ex, instance_id, fx.closed));
  std::vector<store::Visit> visits;
  for (const auto& v : fx.visits)
    visits.push_back(
        {row->definition_id, process.elements[v.element].id, v.left_at - v.entered_at, v.left_at});
  XT_TRY_VOID(store::InsertVisits(ex, visits));
  std::vector<std::string> flows;
  for (int f : fx.flows_taken) flows.push_back(process.flows[f].id);
  XT_TRY_VOID(store::CountFlows(ex, row->definition_id, flows));

  row->status = std::string(StatusName(state.status));
  row->state = EncodeState(state).dump();
  if (fx.ended) row->ended_at = now;
  row->version = version + 1;
  XT_ASSIGN_OR_RETURN(bool updated, store::UpdateInstance(ex, *row));
  if (!updated)
    return Fail(
        Error::Conflict(fmt::format("instance {} changed meanwhile; try again", instance_id)));
  if (fx.incident)
    XT_TRY_VOID(audit::Append(ex, now,
                              {std::string(actor),
                               "workflow.incident.raised",
                               std::string(instance_id),
                               {{"message", *fx.incident}}}));
  // Children start after the parent's row is stored: a child that ends at
  // once completes its call activity in the parent straight away.
  for (const WaitItem* call : calls)
    XT_TRY_VOID(StartIn(ex, call->called_process, call->variables, actor, instance_id,
                        call->element_key, depth + 1));
  if (fx.ended && !row->parent_id.empty() && state.status == InstanceState::Status::kCompleted) {
    const json::Json out = ContextJson(state.variables);
    const std::int64_t key = row->parent_element_key;
    XT_TRY_VOID(Command(
        ex, row->parent_id, actor, "workflow.call.completed", {{"child_id", row->id}},
        [&](Engine& e, InstanceState& s) { return e.Complete(s, key, out); }, depth + 1));
  }
  return {};
}

Result<void> WorkflowService::Command(
    Executor& ex, std::string_view instance_id, std::string_view actor, std::string_view action,
    json::Json payload, const std::function<Result<Effects>(Engine&, InstanceState&)>& fn,
    int depth) {
  if (depth > kMaxCallDepth) return Fail(Error::Internal("call activities nest too deep"));
  XT_ASSIGN_OR_RETURN(auto row, store::FindInstance(ex, instance_id));
  if (!row) return Fail(Error::NotFound(fmt::format("no process instance '{}'", instance_id)));
  XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, row->definition_id));
  XT_ASSIGN_OR_RETURN(InstanceState state,
                      DecodeState(json::Json::parse(row->state, nullptr, false)));
  Engine engine(*process, Env(clock_.Now(), &ex));
  XT_ASSIGN_OR_RETURN(Effects fx, fn(engine, state));
  payload["status"] = StatusName(state.status);
  XT_TRY_VOID(audit::Append(
      ex, clock_.Now(), {std::string(actor), std::string(action), row->id, std::move(payload)}));
  return Store(ex, *process, std::move(*row), state, fx, actor, depth);
}

Result<InstanceView> WorkflowService::Instance(const Principal& actor, std::string_view id) {
  XT_TRY_VOID(Manage(actor));
  return db_.Read([&](Executor& ex) -> Result<InstanceView> {
    XT_ASSIGN_OR_RETURN(auto row, store::FindInstance(ex, id));
    if (!row) return Fail(Error::NotFound(fmt::format("no process instance '{}'", id)));
    XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, row->definition_id));
    XT_ASSIGN_OR_RETURN(auto def, store::FindDefinition(ex, row->definition_id));
    XT_ASSIGN_OR_RETURN(InstanceState state,
                        DecodeState(json::Json::parse(row->state, nullptr, false)));
    InstanceView v;
    v.id = row->id;
    v.definition_id = row->definition_id;
    v.process_id = row->process_id;
    v.version = def ? def->version : 0;
    v.status = row->status;
    v.incident = state.incident;
    std::set<std::string> seen;
    for (const auto& w : state.waiting)
      if (seen.insert(process->elements[w.element].id).second)
        v.active_elements.push_back(process->elements[w.element].id);
    v.variables = ContextJson(state.variables);
    v.started_at = row->started_at;
    v.ended_at = row->ended_at;
    XT_ASSIGN_OR_RETURN(auto waits, store::WaitsOf(ex, id));
    for (const auto& w : waits)
      if (!w.incident.empty()) {
        v.status = "incident";
        v.incident = fmt::format("{}: {}", w.element_id, w.incident);
      }
    return v;
  });
}

Result<std::vector<InstanceView>> WorkflowService::Instances(const Principal& actor,
                                                             std::string_view status,
                                                             std::string_view definition_id,
                                                             int limit) {
  XT_TRY_VOID(Manage(actor));
  return db_.Read([&](Executor& ex) -> Result<std::vector<InstanceView>> {
    XT_ASSIGN_OR_RETURN(
        auto rows, store::ListInstances(ex, status, definition_id, std::clamp(limit, 1, 100000)));
    std::vector<InstanceView> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
      InstanceView v;
      v.id = r.id;
      v.definition_id = r.definition_id;
      v.process_id = r.process_id;
      v.status = r.status;
      v.started_at = r.started_at;
      v.ended_at = r.ended_at;
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<std::int64_t> WorkflowService::OpenInstances(const Principal& actor) {
  XT_TRY_VOID(Manage(actor));
  return db_.Read([](Executor& ex) { return store::CountOpenInstances(ex); });
}

Result<InstanceView> WorkflowService::Migrate(const Principal& actor, std::string_view instance_id,
                                              std::string_view definition_id) {
  XT_TRY_VOID(Manage(actor));
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto row, store::FindInstance(ex, instance_id));
    if (!row) return Fail(Error::NotFound(fmt::format("no process instance '{}'", instance_id)));
    if (row->status == "completed" || row->status == "terminated")
      return Fail(Error::Conflict(fmt::format("instance {} has ended", instance_id)));
    std::optional<store::DefinitionRow> target;
    if (definition_id.empty()) {
      XT_ASSIGN_OR_RETURN(target, store::LatestDefinition(ex, row->process_id));
    } else {
      XT_ASSIGN_OR_RETURN(target, store::FindDefinition(ex, definition_id));
    }
    if (!target)
      return Fail(Error::NotFound(fmt::format("no definition '{}'", definition_id))
                      .About("definition_id", "unknown"));
    if (target->process_id != row->process_id)
      return Fail(
          Error::InvalidArgument(fmt::format("definition {} is of process {}, not {}", target->id,
                                             target->process_id, row->process_id))
              .About("definition_id", "other_process"));
    if (target->id == row->definition_id)
      return Fail(Error::Conflict("the instance already runs that version"));
    XT_ASSIGN_OR_RETURN(auto from, ProcessOf(ex, row->definition_id));
    XT_ASSIGN_OR_RETURN(auto to, ProcessOf(ex, target->id));
    XT_ASSIGN_OR_RETURN(InstanceState state,
                        DecodeState(json::Json::parse(row->state, nullptr, false)));
    XT_TRY_VOID(MigrateState(state, *from, *to));
    const std::string was = row->definition_id;
    row->definition_id = target->id;
    row->state = EncodeState(state).dump();
    row->version += 1;
    XT_ASSIGN_OR_RETURN(bool updated, store::UpdateInstance(ex, *row));
    if (!updated) return Fail(Error::Conflict("the instance changed meanwhile; try again"));
    XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                              {actor.account_id,
                               "workflow.instance.migrated",
                               row->id,
                               {{"from", was}, {"to", target->id}, {"version", target->version}}}));
    return {};
  }));
  return Instance(actor, instance_id);
}

// --- user tasks ----------------------------------------------------------------------

bool WorkflowService::MayWork(const Principal& actor, std::string_view groups,
                              std::string_view assignee) {
  if (actor.is_system()) return true;
  if (!assignee.empty() && assignee == actor.username) return true;
  for (const auto& m : actor.memberships) {
    auto unit = identity_.GetUnit(Principal::System(), m.unit_id);
    if (!unit) continue;
    for (const std::string& g :
         {(*unit)->code, (*unit)->code + ":" + std::string(identity::RoleName(m.role))})
      if (groups.find("," + g + ",") != std::string_view::npos) return true;
  }
  return false;
}

Result<std::vector<TaskView>> WorkflowService::Tasks(const Principal& actor, int limit,
                                                     bool with_variables) {
  std::vector<std::string> groups;
  for (const auto& m : actor.memberships) {
    auto unit = identity_.GetUnit(Principal::System(), m.unit_id);
    if (!unit) continue;
    groups.push_back((*unit)->code);
    groups.push_back((*unit)->code + ":" + std::string(identity::RoleName(m.role)));
  }
  return db_.Read([&](Executor& ex) -> Result<std::vector<TaskView>> {
    XT_ASSIGN_OR_RETURN(auto rows, store::OpenTasks(ex, groups, actor.username,
                                                    std::clamp(limit, 1, 500), actor.is_system()));
    std::vector<TaskView> out;
    for (const auto& w : rows) {
      TaskView t;
      t.id = w.id;
      t.instance_id = w.instance_id;
      t.element_id = w.element_id;
      t.candidate_groups = Trimmed(w.candidate_groups);
      t.assignee = w.assignee;
      t.due = w.due;
      t.created_at = w.created_at;
      if (with_variables) {
        XT_ASSIGN_OR_RETURN(auto inst, store::FindInstance(ex, w.instance_id));
        if (!inst) continue;
        XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, inst->definition_id));
        XT_ASSIGN_OR_RETURN(InstanceState state,
                            DecodeState(json::Json::parse(inst->state, nullptr, false)));
        t.process_id = inst->process_id;
        if (const Element* e = process->Find(w.element_id)) t.name = e->name;
        t.variables = ContextJson(Engine(*process, Env(0)).VisibleVariables(state, w.element_key));
      }
      out.push_back(std::move(t));
    }
    return out;
  });
}

Result<void> WorkflowService::CompleteTask(const Principal& actor, std::string_view task_id,
                                           const json::Json& variables) {
  XT_TRY_VOID(RequireObject(variables));
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindWait(ex, task_id));
    if (!task || task->kind != "user_task")
      return Fail(Error::NotFound(fmt::format("no open task '{}'", task_id)));
    if (!MayWork(actor, task->candidate_groups, task->assignee))
      return Fail(
          Error::PermissionDenied(fmt::format("task {} is for {}; you are not in those groups",
                                              task->element_id, Trimmed(task->candidate_groups))));
    const std::int64_t key = task->element_key;
    return Command(ex, task->instance_id, actor.account_id, "workflow.task.completed",
                   {{"task_id", task->id}, {"element_id", task->element_id}},
                   [&](Engine& e, InstanceState& s) { return e.Complete(s, key, variables); });
  });
}

// --- for modules that run processes -------------------------------------------------------

Result<std::string> WorkflowService::StartWithin(Executor& ex, std::string_view process_id,
                                                 const json::Json& variables,
                                                 std::string_view actor) {
  XT_TRY_VOID(RequireObject(variables));
  return StartIn(ex, process_id, variables, actor, "", 0, 0);
}

Result<void> WorkflowService::CompleteTaskWithin(Executor& ex, std::string_view task_id,
                                                 const json::Json& variables,
                                                 std::string_view actor) {
  XT_TRY_VOID(RequireObject(variables));
  XT_ASSIGN_OR_RETURN(auto task, store::FindWait(ex, task_id));
  if (!task || task->kind != "user_task")
    return Fail(Error::NotFound(fmt::format("no open task '{}'", task_id)));
  const std::int64_t key = task->element_key;
  return Command(ex, task->instance_id, actor, "workflow.task.completed",
                 {{"task_id", task->id}, {"element_id", task->element_id}},
                 [&](Engine& e, InstanceState& s) { return e.Complete(s, key, variables); });
}

Result<WorkflowService::Progress> WorkflowService::ProgressWithin(Executor& ex,
                                                                  std::string_view instance_id) {
  XT_ASSIGN_OR_RETURN(auto inst, store::FindInstance(ex, instance_id));
  if (!inst) return Fail(Error::NotFound(fmt::format("no process instance '{}'", instance_id)));
  Progress out{.status = inst->status, .tasks = {}};
  XT_ASSIGN_OR_RETURN(auto waits, store::WaitsOf(ex, instance_id));
  for (const auto& w : waits) {
    if (w.kind != "user_task") continue;
    TaskView t;
    t.id = w.id;
    t.instance_id = w.instance_id;
    t.process_id = inst->process_id;
    t.element_id = w.element_id;
    t.candidate_groups = w.candidate_groups;
    t.assignee = w.assignee;
    t.due = w.due;
    t.created_at = w.created_at;
    out.tasks.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<std::string>> WorkflowService::UserTaskIds(Executor& ex,
                                                              std::string_view process_id) {
  XT_ASSIGN_OR_RETURN(auto def, store::LatestDefinition(ex, process_id));
  if (!def)
    return Fail(Error::NotFound(fmt::format("no process '{}' is deployed", process_id))
                    .About("process_id", "unknown"));
  XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, def->id));
  std::vector<std::string> out;
  for (const auto& e : process->elements)
    if (e.kind == ElementKind::kUserTask) out.push_back(e.id);
  return out;
}

// --- jobs -------------------------------------------------------------------------------

Result<std::vector<JobView>> WorkflowService::ActivateJobs(const Principal& actor,
                                                           std::string_view type, int max_jobs,
                                                           std::int64_t timeout_ms,
                                                           std::string_view worker) {
  XT_TRY_VOID(Manage(actor));
  if (type.empty())
    return Fail(
        Error::InvalidArgument("'type' names the job type to work").About("type", "required"));
  if (max_jobs < 1 || max_jobs > kMaxJobsPerActivation)
    return Fail(Error::InvalidArgument(fmt::format("'max_jobs' is 1 to {}", kMaxJobsPerActivation))
                    .About("max_jobs", "out_of_range"));
  if (timeout_ms < 1 || timeout_ms > kMaxLockMs)
    return Fail(Error::InvalidArgument(fmt::format("'timeout_ms' is 1 to {}", kMaxLockMs))
                    .About("timeout_ms", "out_of_range"));
  // Workers poll: most polls find nothing, and a read answers that without
  // a write transaction.
  XT_ASSIGN_OR_RETURN(
      bool any, db_.Read([&](Executor& ex) { return store::AnyJobFree(ex, type, clock_.Now()); }));
  if (!any) return std::vector<JobView>{};
  return db_.Write([&](Executor& ex) -> Result<std::vector<JobView>> {
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(auto jobs,
                        store::LockJobs(ex, type, max_jobs, worker, now, now + timeout_ms * 1000));
    std::vector<JobView> out;
    for (const auto& j : jobs) {
      XT_ASSIGN_OR_RETURN(auto inst, store::FindInstance(ex, j.instance_id));
      if (!inst) continue;
      XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, inst->definition_id));
      XT_ASSIGN_OR_RETURN(InstanceState state,
                          DecodeState(json::Json::parse(inst->state, nullptr, false)));
      JobView v;
      v.key = j.id;
      v.type = j.job_type;
      v.instance_id = j.instance_id;
      v.element_id = j.element_id;
      v.retries = j.retries;
      v.deadline = j.lock_until;
      v.headers = json::Json::parse(j.headers, nullptr, false);
      v.variables = ContextJson(Engine(*process, Env(now)).VisibleVariables(state, j.element_key));
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<void> WorkflowService::CompleteJob(const Principal& actor, std::string_view key,
                                          const json::Json& variables) {
  XT_TRY_VOID(Manage(actor));
  XT_TRY_VOID(RequireObject(variables));
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto job, store::FindWait(ex, key));
    if (!job || job->kind != "job") return Fail(Error::NotFound(fmt::format("no job '{}'", key)));
    const std::int64_t element_key = job->element_key;
    return Command(
        ex, job->instance_id, actor.account_id, "workflow.job.completed",
        {{"job_key", job->id}, {"type", job->job_type}, {"element_id", job->element_id}},
        [&](Engine& e, InstanceState& s) { return e.Complete(s, element_key, variables); });
  });
}

Result<void> WorkflowService::FailJob(const Principal& actor, std::string_view key, int retries,
                                      std::string_view message, std::int64_t backoff_ms) {
  XT_TRY_VOID(Manage(actor));
  if (retries < 0)
    return Fail(Error::InvalidArgument("'retries' cannot be negative").About("retries"));
  if (backoff_ms < 0 || backoff_ms > kMaxLockMs)
    return Fail(
        Error::InvalidArgument("'retry_backoff_ms' is out of range").About("retry_backoff_ms"));
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto job, store::FindWait(ex, key));
    if (!job || job->kind != "job") return Fail(Error::NotFound(fmt::format("no job '{}'", key)));
    const Timestamp now = clock_.Now();
    job->retries = retries;
    job->worker.clear();
    job->lock_until = now + backoff_ms * 1000;
    job->incident = retries == 0
                        ? (message.empty() ? std::string("no retries left") : std::string(message))
                        : std::string();
    XT_TRY_VOID(store::UpdateJob(ex, *job));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               retries == 0 ? "workflow.incident.raised" : "workflow.job.failed",
                               job->instance_id,
                               {{"job_key", job->id},
                                {"element_id", job->element_id},
                                {"retries", retries},
                                {"message", std::string(message)}}}));
    return {};
  });
}

Result<void> WorkflowService::ThrowError(const Principal& actor, std::string_view key,
                                         std::string_view code, const json::Json& variables) {
  XT_TRY_VOID(Manage(actor));
  XT_TRY_VOID(RequireObject(variables));
  if (code.empty())
    return Fail(Error::InvalidArgument("'error_code' names the BPMN error")
                    .About("error_code", "required"));
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto job, store::FindWait(ex, key));
    if (!job || job->kind != "job") return Fail(Error::NotFound(fmt::format("no job '{}'", key)));
    const std::int64_t element_key = job->element_key;
    return Command(
        ex, job->instance_id, actor.account_id, "workflow.job.error",
        {{"job_key", job->id}, {"error_code", std::string(code)}},
        [&](Engine& e, InstanceState& s) { return e.ThrowError(s, element_key, code, variables); });
  });
}

// --- messages and timers ------------------------------------------------------------------

Result<int> WorkflowService::Publish(const Principal& actor, std::string_view name,
                                     std::string_view correlation_key,
                                     const json::Json& variables) {
  XT_TRY_VOID(Manage(actor));
  XT_TRY_VOID(RequireObject(variables));
  if (name.empty())
    return Fail(Error::InvalidArgument("'name' names the message").About("name", "required"));
  return db_.Write([&](Executor& ex) -> Result<int> {
    XT_ASSIGN_OR_RETURN(auto subs, store::Subscriptions(ex, name, correlation_key));
    int n = 0;
    for (const auto& sub : subs) {
      XT_ASSIGN_OR_RETURN(auto still, store::FindWait(ex, sub.id));
      if (!still) continue;  // withdrawn by an earlier correlation in this publish
      XT_ASSIGN_OR_RETURN(auto inst, store::FindInstance(ex, sub.instance_id));
      if (!inst) continue;
      XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, inst->definition_id));
      const Element* el = process->Find(sub.element_id);
      if (!el) continue;
      const int element = el->index;
      const std::int64_t key = sub.element_key;
      XT_TRY_VOID(Command(
          ex, sub.instance_id, actor.account_id, "workflow.message.correlated",
          {{"name", std::string(name)},
           {"correlation_key", std::string(correlation_key)},
           {"element_id", sub.element_id}},
          [&](Engine& e, InstanceState& s) { return e.Correlate(s, key, element, variables); }));
      ++n;
    }
    // Message start events of the newest version of each process.
    XT_ASSIGN_OR_RETURN(auto defs, store::ListDefinitions(ex, 10'000));
    std::string last_process;
    for (const auto& d : defs) {
      if (d.process_id == last_process) continue;  // an older version
      last_process = d.process_id;
      XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, d.id));
      for (int start : process->message_starts) {
        const Element& e = process->elements[start];
        if (e.message_name.expr || e.message_name.literal != name) continue;
        XT_TRY_VOID(StartIn(ex, d.process_id, variables, actor.account_id, "", 0, 0, e.id));
        ++n;
      }
    }
    return n;
  });
}

Result<bool> WorkflowService::FireClaimedTimer(Executor& ex, const store::WaitRow& timer) {
  XT_ASSIGN_OR_RETURN(auto still, store::FindWait(ex, timer.id));
  if (!still || still->lock_until != timer.lock_until) return false;  // gone or reclaimed
  if (timer.instance_id.empty()) {  // a timer start event: a new instance
    XT_ASSIGN_OR_RETURN(auto def, store::FindDefinition(ex, timer.job_type));
    if (!def) return false;
    XT_TRY_VOID(
        StartIn(ex, def->process_id, json::Json::object(), "system", "", 0, 0, timer.element_id));
    if (timer.repeat != 0 && timer.interval_us > 0)
      XT_TRY_VOID(store::RearmTimer(ex, timer.id, timer.due + timer.interval_us,
                                    timer.repeat > 0 ? timer.repeat - 1 : -1));
    else
      XT_TRY_VOID(store::DeleteWait(ex, timer.id));
    return true;
  }
  XT_ASSIGN_OR_RETURN(auto inst, store::FindInstance(ex, timer.instance_id));
  if (!inst) return false;
  XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, inst->definition_id));
  const Element* el = process->Find(timer.element_id);
  if (!el) return false;
  const int element = el->index;
  XT_TRY_VOID(Command(
      ex, timer.instance_id, "system", "workflow.timer.fired",
      {{"element_id", timer.element_id}, {"due", timer.due}},
      [&](Engine& e, InstanceState& s) { return e.FireTimer(s, timer.element_key, element); }));
  // A non-interrupting boundary timer stays with its activity: the next
  // round of a cycle, or gone.
  XT_ASSIGN_OR_RETURN(auto after, store::FindWait(ex, timer.id));
  if (after) {
    if (timer.repeat != 0 && timer.interval_us > 0)
      XT_TRY_VOID(store::RearmTimer(ex, timer.id, timer.due + timer.interval_us,
                                    timer.repeat > 0 ? timer.repeat - 1 : -1));
    else
      XT_TRY_VOID(store::DeleteWait(ex, timer.id));
  }
  return true;
}

Result<int> WorkflowService::FireDueTimers(int limit) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto claimed, db_.Write([&](Executor& ex) {
    return store::ClaimDueTimers(ex, now, now + kTimerClaimUs, limit);
  }));
  // Timers fire kFireBatch to a transaction (one commit instead of many, so
  // a node keeps up when thousands come due at once); when a batch fails,
  // its timers fire one by one, so one that cannot fire (its element
  // stopped by an incident, a database error) holds back no other: it
  // stays claimed until kTimerClaimUs has passed, then is tried again.
  constexpr std::size_t kFireBatch = 32;
  int fired = 0;
  for (std::size_t from = 0; from < claimed.size(); from += kFireBatch) {
    const std::span<const store::WaitRow> batch(claimed.data() + from,
                                                std::min(kFireBatch, claimed.size() - from));
    auto together = db_.Write([&](Executor& ex) -> Result<int> {
      int n = 0;
      for (const auto& timer : batch) {
        XT_ASSIGN_OR_RETURN(bool one, FireClaimedTimer(ex, timer));
        n += one ? 1 : 0;
      }
      return n;
    });
    if (together) {
      fired += *together;
      continue;
    }
    for (const auto& timer : batch) {
      auto r = db_.Write([&](Executor& ex) { return FireClaimedTimer(ex, timer); });
      if (!r) {
        spdlog::warn("process timer {} of instance {} ({}) did not fire: {}", timer.id,
                     timer.instance_id, timer.element_id, r.error().message);
        continue;
      }
      fired += *r ? 1 : 0;
    }
  }
  return fired;
}

// --- incidents -----------------------------------------------------------------------------

Result<std::vector<IncidentView>> WorkflowService::Incidents(const Principal& actor, int limit) {
  XT_TRY_VOID(Manage(actor));
  return db_.Read([&](Executor& ex) -> Result<std::vector<IncidentView>> {
    std::vector<IncidentView> out;
    XT_ASSIGN_OR_RETURN(auto jobs, store::JobIncidents(ex, limit));
    for (const auto& j : jobs) out.push_back({j.instance_id, j.element_id, j.id, j.incident});
    XT_ASSIGN_OR_RETURN(auto stopped, store::ListInstances(ex, "incident", "", limit));
    for (const auto& inst : stopped) {
      XT_ASSIGN_OR_RETURN(auto process, ProcessOf(ex, inst.definition_id));
      XT_ASSIGN_OR_RETURN(InstanceState state,
                          DecodeState(json::Json::parse(inst.state, nullptr, false)));
      for (const auto& w : state.waiting)
        if (w.incident != 0)
          out.push_back({inst.id, process->elements[w.element].id, "", state.incident});
    }
    return out;
  });
}

Result<void> WorkflowService::Resolve(const Principal& actor, std::string_view instance_id,
                                      int retries) {
  XT_TRY_VOID(Manage(actor));
  if (retries < 1 || retries > 100)
    return Fail(Error::InvalidArgument("'retries' is 1 to 100").About("retries", "out_of_range"));
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto inst, store::FindInstance(ex, instance_id));
    if (!inst) return Fail(Error::NotFound(fmt::format("no process instance '{}'", instance_id)));
    bool resolved = false;
    XT_ASSIGN_OR_RETURN(auto waits, store::WaitsOf(ex, instance_id));
    for (auto& w : waits) {
      if (w.kind != "job" || w.incident.empty()) continue;
      w.retries = retries;
      w.incident.clear();
      w.lock_until = 0;
      w.worker.clear();
      XT_TRY_VOID(store::UpdateJob(ex, w));
      resolved = true;
    }
    XT_ASSIGN_OR_RETURN(InstanceState state,
                        DecodeState(json::Json::parse(inst->state, nullptr, false)));
    std::vector<std::int64_t> stopped;
    for (const auto& w : state.waiting)
      if (w.incident != 0) stopped.push_back(w.key);
    for (std::int64_t key : stopped) {
      XT_TRY_VOID(Command(ex, instance_id, actor.account_id, "workflow.incident.resolved",
                          {{"element_key", key}},
                          [&](Engine& e, InstanceState& s) { return e.Retry(s, key); }));
      resolved = true;
    }
    if (!resolved)
      return Fail(Error::Conflict(fmt::format("instance {} has no incident", instance_id)));
    if (stopped.empty())
      XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                                {actor.account_id,
                                 "workflow.incident.resolved",
                                 std::string(instance_id),
                                 {{"retries", retries}}}));
    return {};
  });
}

}  // namespace xietong::workflow
