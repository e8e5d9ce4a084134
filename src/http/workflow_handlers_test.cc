// The workflow API over a real socket, on every backend, with the names
// other systems rely on: deploy (and what a refused, malformed, mistyped or
// oversized file answers), instances, user tasks, jobs for an external
// worker, messages and incidents.
#include "http/workflow_handlers.h"

#include "http/request_routes_fixture.h"
#include "workflow/bpmn_fixture.h"

namespace xietong::http {
namespace {

// 餐饮店开办: the street (JL-01-01) checks the signage while an external
// worker looks up the business licence; a fee message closes it.
const std::string kProcess = workflow::Wrap(
    R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="signage"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="licence"/>
    <bpmn:userTask id="signage" name="户外招牌审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="JL-01-01"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:serviceTask id="licence"><bpmn:extensionElements><zeebe:taskDefinition type="licence-lookup" retries="1"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="signage" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="licence" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="fee"/>
    <bpmn:receiveTask id="fee" messageRef="paid"/>
    <bpmn:sequenceFlow id="f7" sourceRef="fee" targetRef="end"/>
    <bpmn:endEvent id="end"/>)",
    R"(<bpmn:message id="paid" name="fee-paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=shop"/></bpmn:extensionElements></bpmn:message>)");

class WorkflowRoutesTest : public RequestRoutesTest {
 protected:
  ClientResponse Deploy(const std::string& who, const std::string& xml,
                        const std::string& type = "application/xml") {
    return Send(port_, "POST", "/api/v1/workflow/definitions", xml,
                {{"Content-Type", type}, {"Authorization", "Bearer " + tokens_.at(who)}});
  }
};

TEST_P(WorkflowRoutesTest, AnApplicationRunsThroughStreetWorkerAndMessage) {
  auto deployed = Deploy("adm", kProcess);
  ASSERT_EQ(deployed.status, 201) << deployed.body;
  EXPECT_EQ(Body(deployed)["process_id"], "oneProcess");
  EXPECT_EQ(Body(deployed)["version"], 1);
  EXPECT_EQ(Deploy("adm", kProcess).status, 200);  // unchanged

  auto started = Post("adm", "/api/v1/workflow/instances",
                      {{"process_id", "oneProcess"}, {"variables", {{"shop", "江澜面馆"}}}});
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = Body(started)["id"];
  auto inst = Body(Get("adm", "/api/v1/workflow/instances/" + id));
  EXPECT_EQ(inst["state"], "active");
  EXPECT_EQ(inst["active_elements"].size(), 2u);

  // The street's handler has the task; another street has none.
  auto tasks = Body(Get("ha", "/api/v1/workflow/tasks"))["items"];
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["name"], "户外招牌审核");
  EXPECT_EQ(tasks[0]["variables"]["shop"], "江澜面馆");
  EXPECT_TRUE(Body(Get("hb", "/api/v1/workflow/tasks"))["items"].empty());
  const std::string task = tasks[0]["id"];
  EXPECT_EQ(Post("hb", "/api/v1/workflow/tasks/" + task + "/complete", json::Json::object()).status,
            403);
  EXPECT_EQ(Post("ha", "/api/v1/workflow/tasks/" + task + "/complete",
                 {{"variables", {{"signageOk", true}}}})
                .status,
            204);

  // An external worker: activate, fail once (retries 1 → 0: an incident), resolve, complete.
  auto jobs = Post("adm", "/api/v1/workflow/jobs/activate",
                   {{"type", "licence-lookup"},
                    {"max_jobs", 5},
                    {"timeout_ms", 60000},
                    {"worker", "licence-system"}});
  ASSERT_EQ(jobs.status, 200) << jobs.body;
  ASSERT_EQ(Body(jobs)["jobs"].size(), 1u);
  const std::string key = Body(jobs)["jobs"][0]["key"];
  EXPECT_EQ(Post("adm", "/api/v1/workflow/jobs/" + key + "/fail",
                 {{"retries", 0}, {"error_message", "工商库无响应"}})
                .status,
            204);
  EXPECT_EQ(Body(Get("adm", "/api/v1/workflow/instances/" + id))["state"], "incident");
  auto incidents = Body(Get("adm", "/api/v1/workflow/incidents"))["items"];
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0]["message"], "工商库无响应");
  auto resolved = Post("adm", "/api/v1/workflow/instances/" + id + "/resolve", {{"retries", 2}});
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(Body(resolved)["state"], "active");
  jobs = Post("adm", "/api/v1/workflow/jobs/activate", {{"type", "licence-lookup"}});
  ASSERT_EQ(Body(jobs)["jobs"].size(), 1u);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/jobs/" + key + "/complete",
                 {{"variables", {{"licenceNo", "91330100MA2J"}}}})
                .status,
            204);

  auto msg = Post("adm", "/api/v1/workflow/messages",
                  {{"name", "fee-paid"}, {"correlation_key", "江澜面馆"}});
  ASSERT_EQ(msg.status, 200) << msg.body;
  EXPECT_EQ(Body(msg)["correlated"], 1);
  inst = Body(Get("adm", "/api/v1/workflow/instances/" + id));
  EXPECT_EQ(inst["state"], "completed");
  EXPECT_EQ(inst["variables"]["licenceNo"], "91330100MA2J");

  EXPECT_EQ(
      Post("adm", "/api/v1/workflow/instances/" + id + "/migrate", json::Json::object()).status,
      409);  // it has ended
  auto def = Get("adm", "/api/v1/workflow/definitions/" + inst["definition_id"].get<std::string>());
  ASSERT_EQ(def.status, 200) << def.body;
  EXPECT_NE(Body(def)["xml"].get<std::string>().find("户外招牌审核"), std::string::npos);
  EXPECT_FALSE(Body(def)["analytics"]["flows"].empty());
  EXPECT_EQ(Body(Get("adm", "/api/v1/workflow/definitions"))["items"].size(), 1u);
}

TEST_P(WorkflowRoutesTest, BadFilesAndBadInputAnswer4xxNever500) {
  // A refused file: 422 with every problem, element and line.
  auto refused = Deploy("adm", workflow::Wrap(R"(
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>
    <bpmn:exclusiveGateway id="g"/>)"));
  ASSERT_EQ(refused.status, 422) << refused.body;
  auto error = Body(refused)["error"];
  EXPECT_EQ(error["code"], "invalid_bpmn");
  ASSERT_GE(error["details"].size(), 2u);
  EXPECT_TRUE(error["details"][0].contains("line"));
  EXPECT_EQ(Deploy("adm", "<bpmn:definitions").status, 422);  // malformed XML: named, not 500
  EXPECT_EQ(Deploy("adm", kProcess, "application/json").status, 415);
  EXPECT_EQ(Deploy("ha", kProcess).status, 403);
  EXPECT_EQ(Deploy("adm", std::string(2 * 1024 * 1024, ' ')).status, 413);

  ASSERT_EQ(Deploy("adm", kProcess).status, 201);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/instances", {{"process_id", "nope"}}).status, 404);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/instances", {{"process_id", 5}}).status, 400);
  EXPECT_EQ(
      Post("adm", "/api/v1/workflow/instances", {{"process_id", "oneProcess"}, {"variables", 3}})
          .status,
      400);
  EXPECT_EQ(Post("ha", "/api/v1/workflow/instances", {{"process_id", "oneProcess"}}).status, 403);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/jobs/activate", {{"max_jobs", 5}}).status, 400);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/jobs/activate", {{"type", "x"}, {"max_jobs", 0}}).status,
            400);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/jobs/nope/complete", json::Json::object()).status, 404);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/jobs/nope/fail", {{"retries", -1}}).status, 400);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/messages", {{"correlation_key", "x"}}).status, 400);
  EXPECT_EQ(Get("adm", "/api/v1/workflow/instances/nope").status, 404);
  EXPECT_EQ(Post("adm", "/api/v1/workflow/instances/nope/resolve", json::Json::object()).status,
            404);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkflowRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
