#include "workflow/workflow_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace xietong::workflow::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"workflow", 1, "process definitions, instances, wait items and step analytics",
     "CREATE TABLE workflow_definitions ("
     " id TEXT PRIMARY KEY, process_id TEXT NOT NULL, version BIGINT NOT NULL,"
     " name TEXT NOT NULL, xml TEXT NOT NULL, sha256 TEXT NOT NULL,"
     " deployed_by TEXT NOT NULL, deployed_at BIGINT NOT NULL,"
     " UNIQUE (process_id, version));"
     "CREATE TABLE workflow_instances ("
     " id TEXT PRIMARY KEY, definition_id TEXT NOT NULL, process_id TEXT NOT NULL,"
     " status TEXT NOT NULL, state TEXT NOT NULL, parent_id TEXT NOT NULL,"
     " parent_element_key BIGINT NOT NULL, started_by TEXT NOT NULL,"
     " started_at BIGINT NOT NULL, ended_at BIGINT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX workflow_instances_status ON workflow_instances (status, id);"
     "CREATE TABLE workflow_waits ("
     " id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, element_key BIGINT NOT NULL,"
     " element_id TEXT NOT NULL, kind TEXT NOT NULL, job_type TEXT NOT NULL,"
     " retries BIGINT NOT NULL, worker TEXT NOT NULL, lock_until BIGINT NOT NULL,"
     " candidate_groups TEXT NOT NULL, assignee TEXT NOT NULL, due BIGINT NOT NULL,"
     " message_name TEXT NOT NULL, correlation_key TEXT NOT NULL, repeat BIGINT NOT NULL,"
     " interval_us BIGINT NOT NULL, incident TEXT NOT NULL, headers TEXT NOT NULL,"
     " created_at BIGINT NOT NULL);"
     "CREATE INDEX workflow_waits_instance ON workflow_waits (instance_id, element_key);"
     "CREATE INDEX workflow_waits_jobs ON workflow_waits (job_type, lock_until) WHERE kind = 'job';"
     "CREATE INDEX workflow_waits_timers ON workflow_waits (due) WHERE kind = 'timer';"
     "CREATE INDEX workflow_waits_messages ON workflow_waits (message_name, correlation_key)"
     " WHERE kind = 'message';"
     "CREATE TABLE workflow_visits ("
     " definition_id TEXT NOT NULL, element_id TEXT NOT NULL, wait_us BIGINT NOT NULL,"
     " at BIGINT NOT NULL);"
     "CREATE INDEX workflow_visits_definition ON workflow_visits (definition_id, element_id);"
     "CREATE TABLE workflow_flow_counts ("
     " definition_id TEXT NOT NULL, flow_id TEXT NOT NULL, count BIGINT NOT NULL,"
     " PRIMARY KEY (definition_id, flow_id))"},
    {"workflow", 2, "DMN decision files and the newest version of each decision",
     "CREATE TABLE workflow_decision_files ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, xml TEXT NOT NULL, sha256 TEXT NOT NULL,"
     " deployed_by TEXT NOT NULL, deployed_at BIGINT NOT NULL);"
     "CREATE TABLE workflow_decisions ("
     " decision_id TEXT NOT NULL, version BIGINT NOT NULL, file_id TEXT NOT NULL,"
     " PRIMARY KEY (decision_id, version))"},
};

constexpr std::string_view kDefinitionColumns =
    "id, process_id, version, name, xml, sha256, deployed_by, deployed_at";

DefinitionRow DefinitionFrom(const storage::Row& r) {
  return {r.Text(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Int(7)};
}

constexpr std::string_view kInstanceColumns =
    "id, definition_id, process_id, status, state, parent_id, parent_element_key, started_by,"
    " started_at, ended_at, version";

InstanceRow InstanceFrom(const storage::Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
          r.Int(6),  r.Text(7), r.Int(8),  r.Int(9),  r.Int(10)};
}

constexpr std::string_view kWaitColumns =
    "id, instance_id, element_key, element_id, kind, job_type, retries, worker, lock_until,"
    " candidate_groups, assignee, due, message_name, correlation_key, repeat, interval_us,"
    " incident, headers, created_at";
constexpr std::size_t kWaitColumnCount = 19;

WaitRow WaitFrom(const storage::Row& r) {
  WaitRow w;
  std::size_t i = 0;
  w.id = r.Text(i++);
  w.instance_id = r.Text(i++);
  w.element_key = r.Int(i++);
  w.element_id = r.Text(i++);
  w.kind = r.Text(i++);
  w.job_type = r.Text(i++);
  w.retries = r.Int(i++);
  w.worker = r.Text(i++);
  w.lock_until = r.Int(i++);
  w.candidate_groups = r.Text(i++);
  w.assignee = r.Text(i++);
  w.due = r.Int(i++);
  w.message_name = r.Text(i++);
  w.correlation_key = r.Text(i++);
  w.repeat = r.Int(i++);
  w.interval_us = r.Int(i++);
  w.incident = r.Text(i++);
  w.headers = r.Text(i++);
  w.created_at = r.Int(i++);
  return w;
}

std::vector<WaitRow> WaitsFrom(const std::vector<storage::Row>& rows) {
  std::vector<WaitRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(WaitFrom(r));
  return out;
}

std::string_view SkipLocked(Executor& ex) {
  return ex.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<void> InsertDefinition(Executor& ex, const DefinitionRow& d) {
  return ex.Defer(
      fmt::format("INSERT INTO workflow_definitions ({}) VALUES ({})", kDefinitionColumns,
                  storage::Placeholders(8)),
      {d.id, d.process_id, d.version, d.name, d.xml, d.sha256, d.deployed_by, d.deployed_at});
}

Result<std::optional<DefinitionRow>> LatestDefinition(Executor& ex, std::string_view process_id) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne(fmt::format("SELECT {} FROM workflow_definitions WHERE "
                                              "process_id = ? ORDER BY version DESC LIMIT 1",
                                              kDefinitionColumns),
                                  {process_id}));
  if (!row) return std::nullopt;
  return DefinitionFrom(*row);
}

Result<std::optional<DefinitionRow>> FindDefinition(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne(fmt::format("SELECT {} FROM workflow_definitions WHERE id = ?",
                                              kDefinitionColumns),
                                  {id}));
  if (!row) return std::nullopt;
  return DefinitionFrom(*row);
}

Result<std::vector<DefinitionRow>> ListDefinitions(Executor& ex, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT id, process_id, version, name, '', sha256, deployed_by,"
                               " deployed_at FROM workflow_definitions"
                               " ORDER BY process_id, version DESC LIMIT ?",
                               {limit}));
  std::vector<DefinitionRow> out;
  for (const auto& r : rows) out.push_back(DefinitionFrom(r));
  return out;
}

Result<void> InsertInstance(Executor& ex, const InstanceRow& r) {
  return ex.Defer(fmt::format("INSERT INTO workflow_instances ({}) VALUES ({})", kInstanceColumns,
                              storage::Placeholders(11)),
                  {r.id, r.definition_id, r.process_id, r.status, r.state, r.parent_id,
                   r.parent_element_key, r.started_by, r.started_at, r.ended_at, r.version});
}

Result<bool> UpdateInstance(Executor& ex, const InstanceRow& r) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE workflow_instances SET status = ?, state = ?,"
                                      " ended_at = ?, definition_id = ?, version = ?"
                                      " WHERE id = ? AND version = ?",
                                      {r.status, r.state, r.ended_at, r.definition_id, r.version,
                                       r.id, r.version - 1}));
  return n == 1;
}

Result<std::optional<InstanceRow>> FindInstance(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM workflow_instances"
                                                        " WHERE id = ?",
                                                        kInstanceColumns),
                                            {id}));
  if (!row) return std::nullopt;
  return InstanceFrom(*row);
}

Result<std::int64_t> CountOpenInstances(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM workflow_instances WHERE status"
                                            " IN ('active', 'incident')"));
  return row ? row->Int(0) : 0;
}

Result<std::vector<InstanceRow>> ListInstances(Executor& ex, std::string_view status,
                                               std::string_view definition_id, int limit) {
  std::string sql = fmt::format("SELECT {} FROM workflow_instances WHERE 1 = 1", kInstanceColumns);
  std::vector<storage::Value> params;
  if (!status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(status);
  }
  if (!definition_id.empty()) {
    sql += " AND definition_id = ?";
    params.emplace_back(definition_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<InstanceRow> out;
  for (const auto& r : rows) out.push_back(InstanceFrom(r));
  return out;
}

Result<void> InsertWaits(Executor& ex, std::span<const WaitRow> rows) {
  static const std::string sql = fmt::format("INSERT INTO workflow_waits ({}) VALUES ({})",
                                             kWaitColumns, storage::Placeholders(kWaitColumnCount));
  for (const auto& w : rows)
    XT_TRY_VOID(ex.Defer(
        sql, {w.id, w.instance_id, w.element_key, w.element_id, w.kind, w.job_type, w.retries,
              w.worker, w.lock_until, w.candidate_groups, w.assignee, w.due, w.message_name,
              w.correlation_key, w.repeat, w.interval_us, w.incident, w.headers, w.created_at}));
  return {};
}

Result<void> DeleteWaits(Executor& ex, std::string_view instance_id,
                         std::span<const std::int64_t> element_keys) {
  if (element_keys.empty()) return {};
  std::vector<storage::Value> params{std::string(instance_id)};
  for (std::int64_t k : element_keys) params.emplace_back(k);
  return ex.Defer(fmt::format("DELETE FROM workflow_waits WHERE instance_id = ? AND element_key"
                              " IN ({})",
                              storage::Placeholders(element_keys.size())),
                  storage::Params(params));
}

Result<void> DeleteStartTimers(Executor& ex, std::string_view process_id) {
  XT_TRY_VOID(
      ex.Exec("DELETE FROM workflow_waits WHERE kind = 'timer' AND instance_id = '' AND"
              " job_type IN (SELECT id FROM workflow_definitions WHERE process_id = ?)",
              {process_id}));
  return {};
}

Result<std::optional<WaitRow>> FindWait(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM workflow_waits WHERE id = ?", kWaitColumns), {id}));
  if (!row) return std::nullopt;
  return WaitFrom(*row);
}

Result<std::vector<WaitRow>> WaitsOf(Executor& ex, std::string_view instance_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM workflow_waits WHERE "
                                                      "instance_id = ? ORDER BY id",
                                                      kWaitColumns),
                                          {instance_id}));
  return WaitsFrom(rows);
}

Result<bool> AnyJobFree(Executor& ex, std::string_view type, Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT 1 FROM workflow_waits WHERE kind = 'job' AND"
                                            " job_type = ? AND lock_until <= ? AND retries > 0"
                                            " AND incident = '' LIMIT 1",
                                            {type, now}));
  return row.has_value();
}

Result<std::vector<WaitRow>> LockJobs(Executor& ex, std::string_view type, int max,
                                      std::string_view worker, Timestamp now,
                                      Timestamp lock_until) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM workflow_waits WHERE kind = 'job' AND job_type = ?"
                           " AND lock_until <= ? AND retries > 0 AND incident = ''"
                           " ORDER BY lock_until, id LIMIT ?{}",
                           kWaitColumns, SkipLocked(ex)),
               {type, now, max}));
  auto jobs = WaitsFrom(rows);
  for (auto& j : jobs) {
    j.worker = std::string(worker);
    j.lock_until = lock_until;
    XT_TRY_VOID(ex.Defer("UPDATE workflow_waits SET worker = ?, lock_until = ? WHERE id = ?",
                         {j.worker, j.lock_until, j.id}));
  }
  return jobs;
}

Result<void> UpdateJob(Executor& ex, const WaitRow& job) {
  return ex.Defer(
      "UPDATE workflow_waits SET retries = ?, worker = ?, lock_until = ?, incident = ? WHERE id = "
      "?",
      {job.retries, job.worker, job.lock_until, job.incident, job.id});
}

Result<std::vector<WaitRow>> OpenTasks(Executor& ex, std::span<const std::string> groups,
                                       std::string_view assignee, int limit, bool all) {
  if (all) {
    XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM workflow_waits WHERE kind"
                                                        " = 'user_task' ORDER BY id LIMIT ?",
                                                        kWaitColumns),
                                            {limit}));
    return WaitsFrom(rows);
  }
  std::string sql =
      fmt::format("SELECT {} FROM workflow_waits WHERE kind = 'user_task' AND (", kWaitColumns);
  std::vector<storage::Value> params;
  sql += "assignee = ?";
  params.emplace_back(assignee.empty() ? std::string("\x01") : std::string(assignee));
  // Candidate groups are stored as ",a,b," so one LIKE finds a member.
  for (const auto& g : groups) {
    sql += " OR candidate_groups LIKE ?";
    params.emplace_back("%," + g + ",%");
  }
  sql += ") ORDER BY due, id LIMIT ?";
  params.emplace_back(limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  return WaitsFrom(rows);
}

Result<std::vector<WaitRow>> Subscriptions(Executor& ex, std::string_view name,
                                           std::string_view correlation_key) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM workflow_waits WHERE "
                                                      "kind = 'message' AND message_name = ? AND "
                                                      "correlation_key = ? ORDER BY id{}",
                                                      kWaitColumns, SkipLocked(ex)),
                                          {name, correlation_key}));
  return WaitsFrom(rows);
}

Result<std::vector<WaitRow>> ClaimDueTimers(Executor& ex, Timestamp now, Timestamp claim_until,
                                            int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM workflow_waits WHERE kind = 'timer' AND due <= ?"
                           " AND lock_until <= ? ORDER BY due, id LIMIT ?{}",
                           kWaitColumns, SkipLocked(ex)),
               {now, now, limit}));
  auto timers = WaitsFrom(rows);
  for (auto& t : timers) {
    t.lock_until = claim_until;
    XT_TRY_VOID(
        ex.Defer("UPDATE workflow_waits SET lock_until = ? WHERE id = ?", {claim_until, t.id}));
  }
  return timers;
}

Result<void> DeleteWait(Executor& ex, std::string_view id) {
  return ex.Defer("DELETE FROM workflow_waits WHERE id = ?", {id});
}

Result<void> RearmTimer(Executor& ex, std::string_view id, Timestamp due, std::int64_t repeat) {
  return ex.Defer("UPDATE workflow_waits SET due = ?, repeat = ?, lock_until = 0 WHERE id = ?",
                  {due, repeat, id});
}

Result<std::vector<WaitRow>> JobIncidents(Executor& ex, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM workflow_waits WHERE "
                                                      "kind = 'job' AND incident <> '' "
                                                      "ORDER BY id DESC LIMIT ?",
                                                      kWaitColumns),
                                          {limit}));
  return WaitsFrom(rows);
}

Result<void> InsertVisits(Executor& ex, std::span<const Visit> visits) {
  for (const auto& v : visits)
    XT_TRY_VOID(
        ex.Defer("INSERT INTO workflow_visits (definition_id, element_id, wait_us, at)"
                 " VALUES (?, ?, ?, ?)",
                 {v.definition_id, v.element_id, v.wait_us, v.at}));
  return {};
}

Result<void> CountFlows(Executor& ex, std::string_view definition_id,
                        std::span<const std::string> flow_ids) {
  std::map<std::string_view, std::int64_t> counts;
  for (const auto& f : flow_ids) ++counts[f];
  for (const auto& [flow, n] : counts)
    XT_TRY_VOID(
        ex.Defer("INSERT INTO workflow_flow_counts (definition_id, flow_id, count)"
                 " VALUES (?, ?, ?) ON CONFLICT (definition_id, flow_id) DO UPDATE SET"
                 " count = workflow_flow_counts.count + excluded.count",
                 {definition_id, flow, n}));
  return {};
}

Result<std::vector<ElementWait>> Waits(Executor& ex, std::string_view definition_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT element_id, wait_us FROM workflow_visits"
                                          " WHERE definition_id = ? ORDER BY element_id, wait_us",
                                          {definition_id}));
  std::vector<ElementWait> out;
  for (const auto& r : rows) {
    if (out.empty() || out.back().element_id != r.TextView(0)) out.push_back({r.Text(0), {}});
    out.back().waits_us.push_back(r.Int(1));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> FlowCounts(
    Executor& ex, std::string_view definition_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT flow_id, count FROM workflow_flow_counts"
                                          " WHERE definition_id = ? ORDER BY flow_id",
                                          {definition_id}));
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r : rows) out.emplace_back(r.Text(0), r.Int(1));
  return out;
}

// --- decisions ---------------------------------------------------------------------------

Result<void> InsertDecisionFile(Executor& ex, const DecisionFileRow& f,
                                std::span<const std::string> decision_ids) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO workflow_decision_files (id, name, xml, sha256, deployed_by,"
              " deployed_at) VALUES (?, ?, ?, ?, ?, ?)",
              {f.id, f.name, f.xml, f.sha256, f.deployed_by, f.deployed_at}));
  for (const auto& d : decision_ids)
    XT_TRY_VOID(
        ex.Exec("INSERT INTO workflow_decisions (decision_id, version, file_id)"
                " SELECT ?, COALESCE(MAX(version), 0) + 1, ? FROM workflow_decisions"
                " WHERE decision_id = ?",
                {d, f.id, d}));
  return {};
}

Result<std::optional<std::string>> LatestDecisionFile(Executor& ex, std::string_view decision_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT file_id FROM workflow_decisions WHERE"
                                            " decision_id = ? ORDER BY version DESC LIMIT 1",
                                            {decision_id}));
  if (!row) return std::optional<std::string>{};
  return std::optional<std::string>(row->Text(0));
}

Result<std::optional<DecisionFileRow>> FindDecisionFile(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT id, name, xml, sha256, deployed_by,"
                                            " deployed_at FROM workflow_decision_files"
                                            " WHERE id = ?",
                                            {id}));
  if (!row) return std::optional<DecisionFileRow>{};
  return std::optional<DecisionFileRow>(DecisionFileRow{row->Text(0), row->Text(1), row->Text(2),
                                                        row->Text(3), row->Text(4), row->Int(5)});
}

Result<std::vector<DecisionRow>> ListDecisions(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT d.decision_id, d.version, d.file_id, f.name, f.deployed_at"
                               " FROM workflow_decisions d JOIN workflow_decision_files f"
                               " ON f.id = d.file_id ORDER BY d.decision_id, d.version DESC"));
  std::vector<DecisionRow> out;
  for (const auto& r : rows) out.push_back({r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4)});
  return out;
}

}  // namespace xietong::workflow::store
