// The workflow module's SQL, written once for SQLite and PostgreSQL:
// definitions (versioned per process id), instances (state as one compact
// JSON document), wait items (jobs, user tasks, timers, message
// subscriptions, call activities: the rows other nodes and workers query),
// and the step analytics. Decides no rule; every function runs inside the
// caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::workflow::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

struct DefinitionRow {
  std::string id;
  std::string process_id;
  std::int64_t version = 0;
  std::string name;
  std::string xml;
  std::string sha256;
  std::string deployed_by;
  Timestamp deployed_at = 0;
};
Result<void> InsertDefinition(Executor& ex, const DefinitionRow& d);
// The newest version of process_id, or nullopt.
Result<std::optional<DefinitionRow>> LatestDefinition(Executor& ex, std::string_view process_id);
Result<std::optional<DefinitionRow>> FindDefinition(Executor& ex, std::string_view id);
// Newest first, without the XML.
Result<std::vector<DefinitionRow>> ListDefinitions(Executor& ex, int limit);

struct InstanceRow {
  std::string id;
  std::string definition_id;
  std::string process_id;
  std::string status;     // active, completed, terminated, incident
  std::string state;      // EncodeState's JSON
  std::string parent_id;  // the calling instance ("" for none)
  std::int64_t parent_element_key = 0;
  std::string started_by;
  Timestamp started_at = 0;
  Timestamp ended_at = 0;
  std::int64_t version = 1;
};
Result<void> InsertInstance(Executor& ex, const InstanceRow& r);
// Writes state, status and ended_at when the row is still at version - 1;
// false when it changed meanwhile.
Result<bool> UpdateInstance(Executor& ex, const InstanceRow& r);
Result<std::optional<InstanceRow>> FindInstance(Executor& ex, std::string_view id);
Result<std::int64_t> CountOpenInstances(Executor& ex);
Result<std::vector<InstanceRow>> ListInstances(Executor& ex, std::string_view status,
                                               std::string_view definition_id, int limit);

// A wait item as stored; kind is job, user_task, timer, message or call.
struct WaitRow {
  std::string id;  // the job key, task id, timer id
  std::string instance_id;
  std::int64_t element_key = 0;
  std::string element_id;  // the waiting element, or the boundary/catch event for timers/messages
  std::string kind;
  std::string job_type;
  std::int64_t retries = 0;
  std::string worker;        // jobs: the worker holding the lock
  Timestamp lock_until = 0;  // jobs: locked until; timers: claimed until
  std::string candidate_groups;
  std::string assignee;
  Timestamp due = 0;  // timers: when; user tasks: due date
  std::string message_name;
  std::string correlation_key;
  std::int64_t repeat = 0;  // timer cycles: repetitions left (-1 unbounded)
  std::int64_t interval_us = 0;
  std::string incident;  // jobs whose retries ran out: the last error
  std::string headers;   // jobs: JSON object
  Timestamp created_at = 0;
};
Result<void> InsertWaits(Executor& ex, std::span<const WaitRow> rows);
// Deletes every wait item of these element instances.
Result<void> DeleteWaits(Executor& ex, std::string_view instance_id,
                         std::span<const std::int64_t> element_keys);
// Timer start events wait as timers of no instance (instance_id ""), their
// definition's id in job_type; a new version of the process replaces them.
Result<void> DeleteStartTimers(Executor& ex, std::string_view process_id);
Result<std::optional<WaitRow>> FindWait(Executor& ex, std::string_view id);
Result<std::vector<WaitRow>> WaitsOf(Executor& ex, std::string_view instance_id);
// Whether a job of the type is free to take at now (a read, before locking).
Result<bool> AnyJobFree(Executor& ex, std::string_view type, Timestamp now);
// Jobs of a type free to take at now (not locked, retries left, no incident),
// oldest first; locks them for worker until lock_until. PostgreSQL skips
// rows another transaction holds.
Result<std::vector<WaitRow>> LockJobs(Executor& ex, std::string_view type, int max,
                                      std::string_view worker, Timestamp now, Timestamp lock_until);
// Job failure: retries left, the lock kept until retry_at (back-off), the
// error as the incident when retries reached 0.
Result<void> UpdateJob(Executor& ex, const WaitRow& job);
// User tasks open under any of these candidate groups (or assigned to
// assignee); every open task when `all`.
Result<std::vector<WaitRow>> OpenTasks(Executor& ex, std::span<const std::string> groups,
                                       std::string_view assignee, int limit, bool all = false);
// Subscriptions waiting for name and key.
Result<std::vector<WaitRow>> Subscriptions(Executor& ex, std::string_view name,
                                           std::string_view correlation_key);
// Timers due at now, not claimed by another node; claims them until
// claim_until.
Result<std::vector<WaitRow>> ClaimDueTimers(Executor& ex, Timestamp now, Timestamp claim_until,
                                            int limit);
Result<void> DeleteWait(Executor& ex, std::string_view id);
// A cycle timer's next round: due again at `due`, `repeat` rounds left after it.
Result<void> RearmTimer(Executor& ex, std::string_view id, Timestamp due, std::int64_t repeat);
// Jobs whose retries ran out (incidents), newest first.
Result<std::vector<WaitRow>> JobIncidents(Executor& ex, int limit);

// Step analytics: one row per element left after waiting, and flow counts.
struct Visit {
  std::string definition_id;
  std::string element_id;
  std::int64_t wait_us = 0;
  Timestamp at = 0;
};
Result<void> InsertVisits(Executor& ex, std::span<const Visit> visits);
Result<void> CountFlows(Executor& ex, std::string_view definition_id,
                        std::span<const std::string> flow_ids);
struct ElementWait {
  std::string element_id;
  std::vector<std::int64_t> waits_us;  // sorted
};
Result<std::vector<ElementWait>> Waits(Executor& ex, std::string_view definition_id);
Result<std::vector<std::pair<std::string, std::int64_t>>> FlowCounts(
    Executor& ex, std::string_view definition_id);

// DMN files as deployed; each decision in a file gets its next version.
struct DecisionFileRow {
  std::string id;
  std::string name;  // the file's definitions name (or id)
  std::string xml;
  std::string sha256;
  std::string deployed_by;
  Timestamp deployed_at = 0;
};
struct DecisionRow {
  std::string decision_id;
  std::int64_t version = 0;
  std::string file_id;
  std::string file_name;
  Timestamp deployed_at = 0;
};
Result<void> InsertDecisionFile(Executor& ex, const DecisionFileRow& f,
                                std::span<const std::string> decision_ids);
// The file holding the newest version of decision_id.
Result<std::optional<std::string>> LatestDecisionFile(Executor& ex, std::string_view decision_id);
Result<std::optional<DecisionFileRow>> FindDecisionFile(Executor& ex, std::string_view id);
// Every version of every decision, newest first per decision.
Result<std::vector<DecisionRow>> ListDecisions(Executor& ex);

}  // namespace xietong::workflow::store
