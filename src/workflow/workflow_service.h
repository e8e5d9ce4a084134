// Durable workflow: deployments, instances, user tasks, jobs, messages,
// timers and incidents over the pure engine (engine.h). Every command is one
// write transaction: load the instance, run the engine, store the new state,
// insert and delete its wait items, count the analytics and append the audit
// event — all of it commits, fsync'd, or none. A restart therefore resumes
// every instance from its rows; timers and jobs are claimed (SKIP LOCKED on
// PostgreSQL) so no node fires a timer twice.
//
// Who may do what: administrators (identity::Action::kWorkflowManage)
// deploy, start, work jobs, publish messages and resolve incidents; a user
// task is worked by accounts in its candidate groups — "<unit code>" (any
// staff role there) or "<unit code>:<role>" — or by its assignee (username).
// Thread-safe; parsed definitions are cached (they never change).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/json.h"
#include "core/result.h"
#include "identity/identity_service.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "workflow/bpmn.h"
#include "workflow/dmn.h"
#include "workflow/engine.h"

namespace xietong::workflow {
namespace store {
struct InstanceRow;
struct WaitRow;
}  // namespace store

const storage::Schema& Schema();

struct DefinitionView {
  std::string id;
  std::string process_id;
  std::int64_t version = 0;
  std::string name;
  std::string xml;  // "" in lists
  std::string deployed_by;
  Timestamp deployed_at = 0;
};

struct Deployed {
  std::string id;
  std::string process_id;
  std::int64_t version = 0;
  bool unchanged = false;  // the same XML as the newest version: no new version
};

// A deployment either gives a definition or lists every problem of the file.
struct Deployment {
  std::optional<Deployed> deployed;
  std::vector<Problem> problems;
};

// A DMN file either deploys its decisions or lists every problem.
struct DecisionDeployment {
  std::string file_id;                    // "" when refused (or unchanged)
  std::vector<std::string> decision_ids;  // the decisions it holds
  std::vector<dmn::Problem> problems;
};

struct DecisionView {
  std::string decision_id;
  std::int64_t version = 0;
  std::string file_id;
  Timestamp deployed_at = 0;
};

struct InstanceView {
  std::string id;
  std::string definition_id;
  std::string process_id;
  std::int64_t version = 0;                  // the definition's
  std::string status;                        // active, completed, terminated, incident
  std::vector<std::string> active_elements;  // ids of the waiting elements
  json::Json variables = json::Json::object();
  std::string incident;
  Timestamp started_at = 0, ended_at = 0;
};

struct TaskView {
  std::string id;
  std::string instance_id;
  std::string process_id;
  std::string element_id;
  std::string name;
  std::string candidate_groups;  // comma-separated
  std::string assignee;
  Timestamp due = 0;
  Timestamp created_at = 0;
  json::Json variables = json::Json::object();
};

struct JobView {
  std::string key;
  std::string type;
  std::string instance_id;
  std::string element_id;
  std::int64_t retries = 0;
  Timestamp deadline = 0;  // the lock ends
  json::Json headers = json::Json::object();
  json::Json variables = json::Json::object();
};

struct IncidentView {
  std::string instance_id;
  std::string element_id;
  std::string job_key;  // "" unless a job ran out of retries
  std::string message;
};

struct ElementStats {
  std::string element_id;
  std::int64_t visits = 0;
  std::int64_t median_wait_us = 0;
  std::int64_t p90_wait_us = 0;
};
struct DefinitionStats {
  std::vector<ElementStats> elements;                       // slowest median first
  std::vector<std::pair<std::string, std::int64_t>> flows;  // flow id → times taken
};

class WorkflowService {
 public:
  // Jobs a worker takes are locked at most this long.
  static constexpr std::int64_t kMaxLockMs = 24LL * 3600 * 1000;
  static constexpr int kMaxJobsPerActivation = 100;

  WorkflowService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                  identity::IdentityService& identity, const WorkCalendar* calendar = nullptr)
      : db_(db), clock_(clock), ids_(ids), identity_(identity), calendar_(calendar) {}

  // A new version of the file's process, or its problems. The same XML as
  // the newest version deploys nothing new.
  Result<Deployment> Deploy(const identity::Principal& actor, std::string_view xml);
  Result<std::vector<DefinitionView>> Definitions(const identity::Principal& actor);
  // Deploys a DMN 1.3 file: each decision in it gets a new version, which
  // business rule tasks (zeebe:calledDecision) evaluate from then on.
  Result<DecisionDeployment> DeployDecisions(const identity::Principal& actor,
                                             std::string_view xml);
  Result<std::vector<DecisionView>> Decisions(const identity::Principal& actor);
  Result<DefinitionView> Definition(const identity::Principal& actor, std::string_view id);
  Result<DefinitionStats> Stats(const identity::Principal& actor, std::string_view definition_id);

  // Starts the newest version of process_id; answers the instance id.
  Result<std::string> Start(const identity::Principal& actor, std::string_view process_id,
                            const json::Json& variables);
  Result<InstanceView> Instance(const identity::Principal& actor, std::string_view id);
  // Moves a waiting instance to another version of its process (the newest
  // when definition_id is ""), when every element it waits at still exists.
  Result<InstanceView> Migrate(const identity::Principal& actor, std::string_view instance_id,
                               std::string_view definition_id);

  // Instances newest first, optionally of one status and definition.
  Result<std::vector<InstanceView>> Instances(const identity::Principal& actor,
                                              std::string_view status,
                                              std::string_view definition_id, int limit = 50);
  // How many instances have not ended (active or stopped by an incident).
  Result<std::int64_t> OpenInstances(const identity::Principal& actor);

  // User tasks the actor may work on (candidate group or assignee); the
  // platform itself (Principal::System) sees every open task.
  // with_variables: each task's visible variables (costs a read of its
  // instance); false for a worker that only needs the ids.
  Result<std::vector<TaskView>> Tasks(const identity::Principal& actor, int limit = 50,
                                      bool with_variables = true);
  Result<void> CompleteTask(const identity::Principal& actor, std::string_view task_id,
                            const json::Json& variables);

  // Locks up to max_jobs jobs of a type for worker for timeout_ms.
  Result<std::vector<JobView>> ActivateJobs(const identity::Principal& actor, std::string_view type,
                                            int max_jobs, std::int64_t timeout_ms,
                                            std::string_view worker);
  Result<void> CompleteJob(const identity::Principal& actor, std::string_view key,
                           const json::Json& variables);
  // retries: what is left; 0 makes it an incident. The job is offered again
  // after backoff_ms.
  Result<void> FailJob(const identity::Principal& actor, std::string_view key, int retries,
                       std::string_view message, std::int64_t backoff_ms);
  Result<void> ThrowError(const identity::Principal& actor, std::string_view key,
                          std::string_view code, const json::Json& variables);

  // Correlates to every subscription waiting for name and key, and starts an
  // instance of every process (newest version) whose message start event
  // has that name; answers how many instances it reached.
  Result<int> Publish(const identity::Principal& actor, std::string_view name,
                      std::string_view correlation_key, const json::Json& variables);

  // Fires the timers due now (claimed, each in its own transaction); answers
  // how many fired. Called by the timer runner on every node.
  Result<int> FireDueTimers(int limit = 200);

  // --- for modules that run processes (services/) -----------------------------
  // These run inside the caller's write transaction (a reaction to a
  // committed event, audit/consumer.h), so the module's rows and the
  // instance's move commit together. The caller has authorized the action;
  // actor names who is recorded on the audit event.

  // Starts the newest version of process_id; answers the instance id.
  Result<std::string> StartWithin(storage::Executor& ex, std::string_view process_id,
                                  const json::Json& variables, std::string_view actor);
  // Completes an open user task with the variables it sets.
  Result<void> CompleteTaskWithin(storage::Executor& ex, std::string_view task_id,
                                  const json::Json& variables, std::string_view actor);
  struct Progress {
    std::string status;           // active, completed, terminated, incident
    std::vector<TaskView> tasks;  // the open user tasks (without variables)
  };
  Result<Progress> ProgressWithin(storage::Executor& ex, std::string_view instance_id);
  // The ids of the user tasks of process_id's newest version, in document
  // order; NotFound when it is not deployed.
  Result<std::vector<std::string>> UserTaskIds(storage::Executor& ex, std::string_view process_id);

  Result<std::vector<IncidentView>> Incidents(const identity::Principal& actor, int limit = 100);
  // Resolves the instance's incident: a job gets `retries` again, an element
  // stopped by an expression runs again.
  Result<void> Resolve(const identity::Principal& actor, std::string_view instance_id,
                       int retries = 3);

 private:
  struct Definition;
  Result<std::shared_ptr<const Process>> ProcessOf(storage::Executor& ex,
                                                   std::string_view definition_id);
  // ex: the transaction business rule tasks read the newest decisions in.
  Environment Env(Timestamp now, storage::Executor* ex = nullptr);
  const dmn::DecisionModel* DecisionIn(storage::Executor& ex, std::string_view decision_id);
  Result<void> Manage(const identity::Principal& actor) const;
  // Loads the instance, runs fn on the engine, stores the outcome.
  Result<void> Command(storage::Executor& ex, std::string_view instance_id, std::string_view actor,
                       std::string_view action, json::Json payload,
                       const std::function<Result<Effects>(Engine&, InstanceState&)>& fn,
                       int depth = 0);
  // start_element: a message start event's id; "" for the none start event.
  Result<std::string> StartIn(storage::Executor& ex, std::string_view process_id,
                              const json::Json& variables, std::string_view actor,
                              std::string_view parent_id, std::int64_t parent_key, int depth,
                              std::string_view start_element = {});
  // Stores the engine's outcome for the instance `row` (as loaded).
  Result<void> Store(storage::Executor& ex, const Process& process, store::InstanceRow row,
                     InstanceState& state, const Effects& fx, std::string_view actor, int depth);
  // Fires one claimed timer (false: gone or reclaimed meanwhile).
  Result<bool> FireClaimedTimer(storage::Executor& ex, const store::WaitRow& timer);
  bool MayWork(const identity::Principal& actor, std::string_view groups,
               std::string_view assignee);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  const WorkCalendar* calendar_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Process>> processes_;  // GUARDED_BY(mutex_)
  // Parsed DMN files by id (never change once deployed).
  std::map<std::string, std::shared_ptr<const dmn::DecisionModel>>
      decision_files_;  // GUARDED_BY(mutex_)
};

}  // namespace xietong::workflow
