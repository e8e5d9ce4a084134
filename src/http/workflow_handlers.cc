#include "http/workflow_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using workflow::WorkflowService;

// "variables": an object, absent or null meaning none.
Result<json::Json> Variables(const json::Json& body) {
  auto it = body.find("variables");
  if (it == body.end() || it->is_null()) return json::Json::object();
  if (!it->is_object())
    return Fail(Error::InvalidArgument("field 'variables' must be a JSON object")
                    .About("variables", "wrong_type"));
  return *it;
}

Result<std::int64_t> IntField(const json::Json& body, std::string_view field,
                              std::int64_t fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  return json::RequireInt(body, field);
}

// A JSON object body, or {} when there is none (commands without arguments).
Result<json::Json> OptionalBody(const Request& req) {
  if (req.body.empty()) return json::Json::object();
  return JsonBody(req);
}

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }

json::Json InstanceJson(const workflow::InstanceView& v) {
  return {{"id", v.id},
          {"definition_id", v.definition_id},
          {"process_id", v.process_id},
          {"version", v.version},
          {"state", v.status},
          {"active_elements", v.active_elements},
          {"variables", v.variables},
          {"incident", v.incident.empty() ? json::Json(nullptr) : json::Json(v.incident)},
          {"started_at", Time(v.started_at)},
          {"ended_at", Time(v.ended_at)}};
}

json::Json TaskJson(const workflow::TaskView& t) {
  return {{"id", t.id},
          {"instance_id", t.instance_id},
          {"process_id", t.process_id},
          {"element_id", t.element_id},
          {"name", t.name},
          {"candidate_groups", t.candidate_groups},
          {"assignee", t.assignee},
          {"due", Time(t.due)},
          {"created_at", Time(t.created_at)},
          {"variables", t.variables}};
}

json::Json JobJson(const workflow::JobView& j) {
  return {{"key", j.key},
          {"type", j.type},
          {"instance_id", j.instance_id},
          {"element_id", j.element_id},
          {"retries", j.retries},
          {"deadline", Time(j.deadline)},
          {"headers", j.headers},
          {"variables", j.variables}};
}

json::Json DefinitionJson(const workflow::DefinitionView& d) {
  json::Json j = {
      {"id", d.id},     {"process_id", d.process_id},   {"version", d.version},
      {"name", d.name}, {"deployed_by", d.deployed_by}, {"deployed_at", Time(d.deployed_at)}};
  if (!d.xml.empty()) j["xml"] = d.xml;
  return j;
}

Response ErrorResponse(int status, std::string_view code, std::string message) {
  return Response::Json(status, {{"error", {{"code", code}, {"message", std::move(message)}}}});
}

bool IsXml(std::string_view type) {
  return type.starts_with("application/xml") || type.starts_with("text/xml") ||
         type.starts_with("application/bpmn+xml");
}

json::Json VariablesBody(std::vector<std::pair<std::string, json::Json>> extra = {},
                         std::vector<std::string> required = {}) {
  json::Json props = {{"variables", doc::Nullable({{"type", "object"}})}};
  for (auto& [k, v] : extra) props[k] = std::move(v);
  return doc::Object(std::move(props), std::move(required));
}

}  // namespace

void RegisterWorkflowRoutes(Api& api, WorkflowService& workflow) {
  Router& r = api.router();

  r.Add("POST", "/api/v1/workflow/definitions", Auth::kRequired,
        {.summary = "Deploy a BPMN process (Camunda 8 dialect); a refused file lists every problem",
         .summary_zh = "部署流程",
         .tag = "workflow",
         .body = {{"application/xml", {{"type", "string"}}}},
         .answers = {doc::Ok(doc::Ref("Deployed"), 201), doc::Ok(doc::Ref("Deployed"))},
         .errors = {400, 403, 415, 422},
         .error_body = {doc::Json(doc::Ref("WorkflowError"))}},
        [&workflow](Request& req) -> Result<Response> {
          if (!IsXml(req.Header("content-type")))
            return ErrorResponse(415, "unsupported_media_type",
                                 "send the BPMN file with 'Content-Type: application/xml'");
          XT_ASSIGN_OR_RETURN(auto d, workflow.Deploy(req.actor(), req.body));
          if (!d.deployed) {
            json::Json details = json::Json::array();
            for (const auto& p : d.problems)
              details.push_back({{"element_id", p.element_id.empty() ? json::Json(nullptr)
                                                                     : json::Json(p.element_id)},
                                 {"line", p.line},
                                 {"reason", p.reason}});
            return Response::Json(
                422, {{"error",
                       {{"code", "invalid_bpmn"},
                        {"message", fmt::format("the process cannot be deployed: {} problem(s); "
                                                "see details",
                                                d.problems.size())},
                        {"details", std::move(details)}}}});
          }
          const auto& v = *d.deployed;
          return Response::Json(v.unchanged ? 200 : 201, {{"id", v.id},
                                                          {"process_id", v.process_id},
                                                          {"version", v.version},
                                                          {"unchanged", v.unchanged}});
        });

  r.Add("POST", "/api/v1/workflow/decisions", Auth::kRequired,
        {.summary = "Deploy a DMN 1.3 file: each decision gets a new version (秒批 rules)",
         .summary_zh = "部署决策表",
         .tag = "workflow",
         .description = "Business rule tasks (zeebe:calledDecision) evaluate the newest version "
                        "of their decision. A refused file answers 422 invalid_dmn with every "
                        "problem (details[].element_id is the decision's id).",
         .body = {{"application/xml", {{"type", "string"}}}},
         .answers = {doc::Ok(
             doc::Object({{"id", doc::String(1)}, {"decision_ids", doc::ArrayOf(doc::String(1))}},
                         {"id", "decision_ids"}),
             201)},
         .errors = {400, 403, 415, 422},
         .error_body = {doc::Json(doc::Ref("WorkflowError"))}},
        [&workflow](Request& req) -> Result<Response> {
          if (!IsXml(req.Header("content-type")))
            return ErrorResponse(415, "unsupported_media_type",
                                 "send the DMN file with 'Content-Type: application/xml'");
          XT_ASSIGN_OR_RETURN(auto d, workflow.DeployDecisions(req.actor(), req.body));
          if (!d.problems.empty()) {
            json::Json details = json::Json::array();
            for (const auto& p : d.problems)
              details.push_back({{"element_id", p.decision_id.empty() ? json::Json(nullptr)
                                                                      : json::Json(p.decision_id)},
                                 {"line", p.line},
                                 {"reason", p.reason}});
            return Response::Json(422,
                                  {{"error",
                                    {{"code", "invalid_dmn"},
                                     {"message", fmt::format("the decisions cannot be deployed: {} "
                                                             "problem(s); see details",
                                                             d.problems.size())},
                                     {"details", std::move(details)}}}});
          }
          return Response::Json(201, {{"id", d.file_id}, {"decision_ids", d.decision_ids}});
        });

  r.Add("GET", "/api/v1/workflow/decisions", Auth::kRequired,
        {.summary = "Deployed decisions, every version, newest first",
         .summary_zh = "决策表列表",
         .tag = "workflow",
         .answers = {doc::Ok(doc::Object(
             {{"items",
               doc::ArrayOf(doc::Object({{"decision_id", doc::String(1)},
                                         {"version", doc::Integer()},
                                         {"file_id", doc::String(1)},
                                         {"deployed_at", doc::DateTime()}},
                                        {"decision_id", "version", "file_id", "deployed_at"}))}},
             {"items"}))},
         .errors = {403}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto list, workflow.Decisions(req.actor()));
          json::Json items = json::Json::array();
          for (const auto& d : list)
            items.push_back({{"decision_id", d.decision_id},
                             {"version", d.version},
                             {"file_id", d.file_id},
                             {"deployed_at", FormatRfc3339(d.deployed_at)}});
          return Response::Json(200, {{"items", std::move(items)}});
        });

  r.Add("GET", "/api/v1/workflow/definitions", Auth::kRequired,
        {.summary = "Deployed process definitions, every version",
         .summary_zh = "流程定义列表",
         .tag = "workflow",
         .answers = {doc::Ok(
             doc::Object({{"items", doc::ArrayOf(doc::Ref("Definition"))}}, {"items"}))},
         .errors = {403}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto defs, workflow.Definitions(req.actor()));
          json::Json items = json::Json::array();
          for (const auto& d : defs) items.push_back(DefinitionJson(d));
          return Response::Json(200, {{"items", std::move(items)}});
        });

  r.Add("GET", "/api/v1/workflow/definitions/{id}", Auth::kRequired,
        {.summary = "A definition with its XML and step analytics",
         .summary_zh = "流程定义与环节分析",
         .tag = "workflow",
         .path = {doc::PathId("id", "the definition's id")},
         .answers = {doc::Ok(doc::Ref("DefinitionDetail"))},
         .errors = {403, 404}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto d, workflow.Definition(req.actor(), req.Param("id")));
          XT_ASSIGN_OR_RETURN(auto stats, workflow.Stats(req.actor(), d.id));
          json::Json elements = json::Json::array();
          for (const auto& e : stats.elements)
            elements.push_back({{"element_id", e.element_id},
                                {"visits", e.visits},
                                {"median_wait_ms", e.median_wait_us / 1000},
                                {"p90_wait_ms", e.p90_wait_us / 1000}});
          json::Json flows = json::Json::array();
          for (const auto& [flow, n] : stats.flows)
            flows.push_back({{"flow_id", flow}, {"taken", n}});
          json::Json j = DefinitionJson(d);
          j["analytics"] = {{"elements", std::move(elements)}, {"flows", std::move(flows)}};
          return Response::Json(200, j);
        });

  r.Add("POST", "/api/v1/workflow/instances", Auth::kRequired,
        {.summary = "Start an instance of a process's newest version",
         .summary_zh = "发起流程实例",
         .tag = "workflow",
         .body = {doc::Json(VariablesBody({{"process_id", doc::String(1, 200)}}, {"process_id"}))},
         .answers = {doc::Ok(doc::Object({{"id", doc::String(1)}}, {"id"}), 201)},
         .errors = {400, 403, 404}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto process_id, json::RequireString(body, "process_id", {1, 200}));
          XT_ASSIGN_OR_RETURN(auto vars, Variables(body));
          XT_ASSIGN_OR_RETURN(auto id, workflow.Start(req.actor(), process_id, vars));
          return Response::Json(201, {{"id", id}});
        });

  r.Add("GET", "/api/v1/workflow/instances", Auth::kRequired,
        {.summary = "Instances, newest first, of one state and definition if given (without "
                    "variables and waiting elements: GET /instances/{id} has them)",
         .summary_zh = "流程实例列表",
         .tag = "workflow",
         .query = {doc::QueryParam("state", "active, completed, terminated or incident",
                                   doc::Enum({"active", "completed", "terminated", "incident"})),
                   doc::QueryParam("definition_id", "one version of a process"), doc::Limit()},
         .answers = {doc::Ok(
             doc::Object({{"items", doc::ArrayOf(doc::Ref("Instance"))}}, {"items"}))},
         .errors = {400, 403}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(int limit, LimitParam(req));
          const std::string state = req.Query("state").value_or("");
          if (!state.empty() && state != "active" && state != "completed" &&
              state != "terminated" && state != "incident")
            return Fail(Error::InvalidArgument(
                            fmt::format("'state' is active, completed, terminated or incident, "
                                        "not '{}'",
                                        state))
                            .About("state", "unknown"));
          XT_ASSIGN_OR_RETURN(auto list,
                              workflow.Instances(req.actor(), state,
                                                 req.Query("definition_id").value_or(""), limit));
          json::Json items = json::Json::array();
          for (const auto& v : list) items.push_back(InstanceJson(v));
          return Response::Json(200, {{"items", std::move(items)}});
        });

  r.Add("GET", "/api/v1/workflow/instances/{id}", Auth::kRequired,
        {.summary = "An instance: its state, where it waits, its variables",
         .summary_zh = "流程实例",
         .tag = "workflow",
         .path = {doc::PathId("id", "the instance's id")},
         .answers = {doc::Ok(doc::Ref("Instance"))},
         .errors = {403, 404}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto v, workflow.Instance(req.actor(), req.Param("id")));
          return Response::Json(200, InstanceJson(v));
        });

  r.Add("POST", "/api/v1/workflow/instances/{id}/resolve", Auth::kRequired,
        {.summary = "Resolve the instance's incident: the job gets retries, the element runs again",
         .summary_zh = "处理流程异常",
         .tag = "workflow",
         .path = {doc::PathId("id", "the instance's id")},
         .body = {doc::Json(doc::Object({{"retries", doc::IntegerIn(1, 100)}}, {}))},
         .body_required = false,
         .answers = {doc::Ok(doc::Ref("Instance"))},
         .errors = {400, 403, 404, 409}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, OptionalBody(req));
          XT_ASSIGN_OR_RETURN(auto retries, IntField(body, "retries", 3));
          if (retries < 1 || retries > 100)
            return Fail(Error::InvalidArgument("field 'retries' is 1 to 100").About("retries"));
          XT_TRY_VOID(workflow.Resolve(req.actor(), req.Param("id"), static_cast<int>(retries)));
          XT_ASSIGN_OR_RETURN(auto v, workflow.Instance(req.actor(), req.Param("id")));
          return Response::Json(200, InstanceJson(v));
        });

  r.Add("POST", "/api/v1/workflow/instances/{id}/migrate", Auth::kRequired,
        {.summary = "Move a waiting instance to a newer version of its process",
         .summary_zh = "迁移流程实例",
         .tag = "workflow",
         .description = "Allowed when every element the instance waits at exists in the target "
                        "version with the same id and kind; the newest version by default.",
         .path = {doc::PathId("id", "the instance's id")},
         .body = {doc::Json(doc::Object({{"definition_id", doc::String(1, 64)}}, {}))},
         .body_required = false,
         .answers = {doc::Ok(doc::Ref("Instance"))},
         .errors = {400, 403, 404, 409}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, OptionalBody(req));
          XT_ASSIGN_OR_RETURN(auto target, json::OptionalString(body, "definition_id", {1, 64}));
          XT_ASSIGN_OR_RETURN(auto v,
                              workflow.Migrate(req.actor(), req.Param("id"), target.value_or("")));
          return Response::Json(200, InstanceJson(v));
        });

  r.Add("GET", "/api/v1/workflow/tasks", Auth::kRequired,
        {.summary = "User tasks the caller may work on (candidate group or assignee)",
         .summary_zh = "我的待办",
         .tag = "workflow",
         .query = {doc::Limit()},
         .answers = {doc::Ok(doc::Object({{"items", doc::ArrayOf(doc::Ref("Task"))}}, {"items"}))},
         .errors = {400}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(int limit, LimitParam(req));
          XT_ASSIGN_OR_RETURN(auto tasks, workflow.Tasks(req.actor(), limit));
          json::Json items = json::Json::array();
          for (const auto& t : tasks) items.push_back(TaskJson(t));
          return Response::Json(200, {{"items", std::move(items)}});
        });

  r.Add("POST", "/api/v1/workflow/tasks/{id}/complete", Auth::kRequired,
        {.summary = "Complete a user task with the variables it sets",
         .summary_zh = "办理待办",
         .tag = "workflow",
         .path = {doc::PathId("id", "the task's id")},
         .body = {doc::Json(VariablesBody())},
         .body_required = false,
         .answers = {doc::NoContent("completed")},
         .errors = {400, 403, 404, 409}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, OptionalBody(req));
          XT_ASSIGN_OR_RETURN(auto vars, Variables(body));
          XT_TRY_VOID(workflow.CompleteTask(req.actor(), req.Param("id"), vars));
          return Response::NoContent();
        });

  r.Add("POST", "/api/v1/workflow/messages", Auth::kRequired,
        {.summary = "Publish a message; it correlates to every instance waiting for it",
         .summary_zh = "发布消息",
         .tag = "workflow",
         .body = {doc::Json(VariablesBody(
             {{"name", doc::String(1, 200)}, {"correlation_key", doc::String(0, 200)}}, {"name"}))},
         .answers = {doc::Ok(doc::Object({{"correlated", doc::Integer()}}, {"correlated"}))},
         .errors = {400, 403}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto name, json::RequireString(body, "name", {1, 200}));
          XT_ASSIGN_OR_RETURN(auto key, json::OptionalString(body, "correlation_key", {0, 200}));
          XT_ASSIGN_OR_RETURN(auto vars, Variables(body));
          XT_ASSIGN_OR_RETURN(int n, workflow.Publish(req.actor(), name, key.value_or(""), vars));
          return Response::Json(200, {{"correlated", n}});
        });

  r.Add("POST", "/api/v1/workflow/jobs/activate", Auth::kRequired,
        {.summary = "Take jobs of a type for a worker, locked for timeout_ms",
         .summary_zh = "领取作业",
         .tag = "workflow",
         .body = {doc::Json(
             doc::Object({{"type", doc::String(1, 200)},
                          {"max_jobs", doc::IntegerIn(1, WorkflowService::kMaxJobsPerActivation)},
                          {"timeout_ms", doc::IntegerIn(1, WorkflowService::kMaxLockMs)},
                          {"worker", doc::String(0, 200)}},
                         {"type"}))},
         .answers = {doc::Ok(doc::Object({{"jobs", doc::ArrayOf(doc::Ref("Job"))}}, {"jobs"}))},
         .errors = {400, 403}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto type, json::RequireString(body, "type", {1, 200}));
          XT_ASSIGN_OR_RETURN(auto max_jobs, IntField(body, "max_jobs", 10));
          XT_ASSIGN_OR_RETURN(auto timeout, IntField(body, "timeout_ms", 300'000));
          XT_ASSIGN_OR_RETURN(auto worker, json::OptionalString(body, "worker", {0, 200}));
          if (max_jobs < 1 || max_jobs > WorkflowService::kMaxJobsPerActivation)
            return Fail(Error::InvalidArgument(fmt::format("field 'max_jobs' is 1 to {}",
                                                           WorkflowService::kMaxJobsPerActivation))
                            .About("max_jobs", "out_of_range"));
          XT_ASSIGN_OR_RETURN(auto jobs,
                              workflow.ActivateJobs(req.actor(), type, static_cast<int>(max_jobs),
                                                    timeout, worker.value_or("")));
          json::Json items = json::Json::array();
          for (const auto& j : jobs) items.push_back(JobJson(j));
          return Response::Json(200, {{"jobs", std::move(items)}});
        });

  r.Add("POST", "/api/v1/workflow/jobs/{key}/complete", Auth::kRequired,
        {.summary = "Complete a job with the variables it sets",
         .summary_zh = "完成作业",
         .tag = "workflow",
         .path = {doc::PathId("key", "the job's key")},
         .body = {doc::Json(VariablesBody())},
         .body_required = false,
         .answers = {doc::NoContent("completed")},
         .errors = {400, 403, 404, 409}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, OptionalBody(req));
          XT_ASSIGN_OR_RETURN(auto vars, Variables(body));
          XT_TRY_VOID(workflow.CompleteJob(req.actor(), req.Param("key"), vars));
          return Response::NoContent();
        });

  r.Add("POST", "/api/v1/workflow/jobs/{key}/fail", Auth::kRequired,
        {.summary = "A job failed: retries left (0 raises an incident) and a back-off",
         .summary_zh = "作业失败",
         .tag = "workflow",
         .path = {doc::PathId("key", "the job's key")},
         .body = {doc::Json(
             doc::Object({{"retries", doc::IntegerIn(0, 1000)},
                          {"error_message", doc::String(0, 2000)},
                          {"retry_backoff_ms", doc::IntegerIn(0, WorkflowService::kMaxLockMs)}},
                         {"retries"}))},
         .answers = {doc::NoContent("recorded")},
         .errors = {400, 403, 404}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto retries, json::RequireInt(body, "retries"));
          XT_ASSIGN_OR_RETURN(auto message, json::OptionalString(body, "error_message", {0, 2000}));
          XT_ASSIGN_OR_RETURN(auto backoff, IntField(body, "retry_backoff_ms", 0));
          if (retries < 0 || retries > 1000)
            return Fail(Error::InvalidArgument("field 'retries' is 0 to 1000").About("retries"));
          XT_TRY_VOID(workflow.FailJob(req.actor(), req.Param("key"), static_cast<int>(retries),
                                       message.value_or(""), backoff));
          return Response::NoContent();
        });

  r.Add("POST", "/api/v1/workflow/jobs/{key}/error", Auth::kRequired,
        {.summary = "A job throws a BPMN error, caught by the nearest error boundary event",
         .summary_zh = "作业抛出业务错误",
         .tag = "workflow",
         .path = {doc::PathId("key", "the job's key")},
         .body = {doc::Json(VariablesBody(
             {{"error_code", doc::String(1, 200)}, {"error_message", doc::String(0, 2000)}},
             {"error_code"}))},
         .answers = {doc::NoContent("thrown")},
         .errors = {400, 403, 404, 409}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto code, json::RequireString(body, "error_code", {1, 200}));
          XT_ASSIGN_OR_RETURN(auto vars, Variables(body));
          XT_TRY_VOID(workflow.ThrowError(req.actor(), req.Param("key"), code, vars));
          return Response::NoContent();
        });

  r.Add("GET", "/api/v1/workflow/incidents", Auth::kRequired,
        {.summary = "Incidents: jobs out of retries and elements stopped by an expression",
         .summary_zh = "流程异常",
         .tag = "workflow",
         .query = {doc::Limit()},
         .answers = {doc::Ok(
             doc::Object({{"items", doc::ArrayOf(doc::Ref("Incident"))}}, {"items"}))},
         .errors = {400, 403}},
        [&workflow](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(int limit, LimitParam(req));
          XT_ASSIGN_OR_RETURN(auto incidents, workflow.Incidents(req.actor(), limit));
          json::Json items = json::Json::array();
          for (const auto& i : incidents)
            items.push_back(
                {{"instance_id", i.instance_id},
                 {"element_id", i.element_id},
                 {"job_key", i.job_key.empty() ? json::Json(nullptr) : json::Json(i.job_key)},
                 {"message", i.message}});
          return Response::Json(200, {{"items", std::move(items)}});
        });
}

}  // namespace xietong::http
