// The durable workflow on every backend: a one-thing process deployed,
// started, worked by departments and workers, across restarts of the service
// (a new object over the same rows), with timers claimed once, incidents
// raised and resolved, and the audit chain intact.
#include "workflow/workflow_service.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "audit/verify.h"
#include "storage/testing.h"
#include "workflow/bpmn_fixture.h"

namespace xietong::workflow {
namespace {

using identity::Membership;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kMonday10 = 1'795'399'200'000'000;  // 2026-11-23 10:00 +08:00

// 开办餐饮店: three departments in parallel, each a user task of its own
// unit; then the licence is issued by a job, or the application is refused.
const std::string kRestaurant = Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="market"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="fire"/>
    <bpmn:userTask id="market" name="食品经营许可">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="JL-D07"/><zeebe:taskSchedule dueDate="P3D"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="fire" name="消防安全检查">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="JL-D11:handler"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="market" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="fire" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="ok"/>
    <bpmn:exclusiveGateway id="ok" default="no"/>
    <bpmn:sequenceFlow id="yes" sourceRef="ok" targetRef="issue"><bpmn:conditionExpression>=marketOk and fireOk</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="ok" targetRef="refused"/>
    <bpmn:serviceTask id="issue"><bpmn:extensionElements><zeebe:taskDefinition type="issue-licence" retries="2"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f7" sourceRef="issue" targetRef="issued"/>
    <bpmn:endEvent id="issued"/>
    <bpmn:endEvent id="refused"/>)");

class WorkflowServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    market_ = Unit(city_.id, UnitKind::kDepartment, "JL-D07", "市市场监督管理局");
    fire_ = Unit(city_.id, UnitKind::kDepartment, "JL-D11", "市消防救援支队");
    admin_ = As("admin", city_, Role::kAdmin);
    market_handler_ = As("mk", market_, Role::kHandler);
    fire_handler_ = As("fh", fire_, Role::kHandler);
    fire_lead_ = As("fl", fire_, Role::kUnitLead);
    Restart();
  }

  // A new service over the same database, as after a process restart.
  void Restart() {
    service_ = std::make_unique<WorkflowService>(t_->db(), clock_, ids_, *identity_);
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }
  static Principal As(std::string name, const OrgUnit& unit, Role role) {
    Principal p;
    p.account_id = "acct-" + name;
    p.username = name;
    p.memberships.push_back(
        Membership{"m-" + name, p.account_id, unit.id, unit.name, unit.path, role});
    return p;
  }

  std::string DeployRestaurant() {
    auto d = service_->Deploy(admin_, kRestaurant);
    EXPECT_TRUE(d) << d.error().message;
    if (!d || !d->deployed) {
      for (const auto& p : d->problems) ADD_FAILURE() << FormatProblem("restaurant", p);
      return "";
    }
    return d->deployed->id;
  }

  TaskView TaskFor(const Principal& who, std::string_view element) {
    auto tasks = service_->Tasks(who);
    EXPECT_TRUE(tasks);
    for (const auto& t : *tasks)
      if (t.element_id == element) return t;
    ADD_FAILURE() << "no task " << element << " for " << who.username;
    return {};
  }

  std::int64_t Count(std::string_view sql) {
    auto r = t_->db().Read([&](storage::Executor& ex) { return ex.QueryOne(sql); });
    return r && *r ? (*r)->Int(0) : -1;
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kMonday10};
  IdGenerator ids_{clock_};
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<WorkflowService> service_;
  OrgUnit city_, market_, fire_;
  Principal admin_, market_handler_, fire_handler_, fire_lead_;
};

TEST_P(WorkflowServiceTest, DeploymentsAreVersionedAndRefusalsListEveryProblem) {
  auto first = service_->Deploy(admin_, kRestaurant);
  ASSERT_TRUE(first && first->deployed);
  EXPECT_EQ(first->deployed->process_id, "oneProcess");
  EXPECT_EQ(first->deployed->version, 1);
  auto same = service_->Deploy(admin_, kRestaurant);
  ASSERT_TRUE(same && same->deployed);
  EXPECT_TRUE(same->deployed->unchanged);
  EXPECT_EQ(same->deployed->id, first->deployed->id);
  std::string changed = kRestaurant;
  changed.replace(changed.find("食品经营许可"), std::string("食品经营许可").size(), "食品许可");
  auto second = service_->Deploy(admin_, changed);
  ASSERT_TRUE(second && second->deployed);
  EXPECT_EQ(second->deployed->version, 2);

  auto broken = service_->Deploy(admin_, Wrap(R"(
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="gone"/>
    <bpmn:serviceTask id="t"/>)"));
  ASSERT_TRUE(broken);
  EXPECT_FALSE(broken->deployed);
  EXPECT_GE(broken->problems.size(), 2u);
  EXPECT_EQ(service_->Deploy(market_handler_, kRestaurant).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM workflow_definitions"), 2);
  for (const auto& xml : {Linear(), OneThing(), Timer()}) {
    auto d = service_->Deploy(admin_, xml);
    ASSERT_TRUE(d && d->deployed);
  }
}

TEST_P(WorkflowServiceTest, DepartmentsApproveInParallelAcrossARestartAndTheLicenceIsIssued) {
  ASSERT_FALSE(DeployRestaurant().empty());
  auto id = service_->Start(admin_, "oneProcess", {{"applicant", "江澜面馆"}});
  ASSERT_TRUE(id) << id.error().message;
  auto view = service_->Instance(admin_, *id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->status, "active");
  EXPECT_EQ(view->active_elements.size(), 2u);

  // Each department sees only its own part.
  auto market_tasks = service_->Tasks(market_handler_);
  ASSERT_TRUE(market_tasks);
  ASSERT_EQ(market_tasks->size(), 1u);
  EXPECT_EQ((*market_tasks)[0].element_id, "market");
  EXPECT_EQ((*market_tasks)[0].name, "食品经营许可");
  EXPECT_EQ((*market_tasks)[0].variables["applicant"], "江澜面馆");
  EXPECT_GT((*market_tasks)[0].due, kMonday10);
  EXPECT_EQ(service_->Tasks(fire_lead_)->size(), 0u);  // the group is JL-D11:handler
  const TaskView fire = TaskFor(fire_handler_, "fire");
  EXPECT_EQ(service_->CompleteTask(market_handler_, fire.id, {{"fireOk", true}}).error().code,
            ErrorCode::kPermissionDenied);

  ASSERT_TRUE(service_->CompleteTask(market_handler_, (*market_tasks)[0].id, {{"marketOk", true}}));
  Restart();  // nothing of the instance lives in memory
  clock_.Advance(2 * kMicrosPerHour);
  ASSERT_TRUE(service_->CompleteTask(fire_handler_, fire.id, {{"fireOk", true}}));
  EXPECT_EQ(service_->CompleteTask(fire_handler_, fire.id, {}).error().code, ErrorCode::kNotFound);

  auto jobs = service_->ActivateJobs(admin_, "issue-licence", 10, 30'000, "licence-worker");
  ASSERT_TRUE(jobs) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].variables["marketOk"], true);
  // A second worker gets nothing while the lock holds.
  EXPECT_EQ(service_->ActivateJobs(admin_, "issue-licence", 10, 30'000, "other")->size(), 0u);
  ASSERT_TRUE(service_->CompleteJob(admin_, (*jobs)[0].key, {{"licence", "JY-2026-0007"}}));
  view = service_->Instance(admin_, *id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->status, "completed");
  EXPECT_EQ(view->variables["licence"], "JY-2026-0007");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM workflow_waits"), 0);

  // Step analytics: the fire check waited two hours, the market check none.
  auto stats = service_->Stats(admin_, view->definition_id);
  ASSERT_TRUE(stats);
  ASSERT_FALSE(stats->elements.empty());
  EXPECT_EQ(stats->elements[0].element_id, "fire");
  EXPECT_EQ(stats->elements[0].median_wait_us, 2 * kMicrosPerHour);
  bool yes_counted = false;
  for (const auto& [flow, n] : stats->flows)
    if (flow == "yes") yes_counted = n == 1;
  EXPECT_TRUE(yes_counted);
  auto verified = audit::Verify(t_->db(), {});
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_TRUE(verified->ok()) << verified->problem;
  EXPECT_GE(verified->events, 6);
}

TEST_P(WorkflowServiceTest, AWorkerThatNeverAnswersLosesItsLockAndFailuresBecomeAnIncident) {
  ASSERT_FALSE(DeployRestaurant().empty());
  auto id = service_->Start(admin_, "oneProcess", {});
  ASSERT_TRUE(id);
  ASSERT_TRUE(service_->CompleteTask(market_handler_, TaskFor(market_handler_, "market").id,
                                     {{"marketOk", true}}));
  ASSERT_TRUE(
      service_->CompleteTask(fire_handler_, TaskFor(fire_handler_, "fire").id, {{"fireOk", true}}));
  auto taken = service_->ActivateJobs(admin_, "issue-licence", 1, 10'000, "silent");
  ASSERT_EQ(taken->size(), 1u);
  clock_.Advance(11 * kMicrosPerSecond);  // the lock ran out
  auto again = service_->ActivateJobs(admin_, "issue-licence", 1, 10'000, "second");
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].key, (*taken)[0].key);
  // Two failures use up the retries: an incident an administrator sees.
  ASSERT_TRUE(service_->FailJob(admin_, (*again)[0].key, 1, "证照库超时", 0));
  auto third = service_->ActivateJobs(admin_, "issue-licence", 1, 10'000, "second");
  ASSERT_EQ(third->size(), 1u);
  ASSERT_TRUE(service_->FailJob(admin_, (*third)[0].key, 0, "证照库超时", 0));
  EXPECT_EQ(service_->ActivateJobs(admin_, "issue-licence", 1, 10'000, "x")->size(), 0u);
  EXPECT_EQ(service_->Instance(admin_, *id)->status, "incident");
  auto incidents = service_->Incidents(admin_);
  ASSERT_TRUE(incidents);
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].message, "证照库超时");
  ASSERT_TRUE(service_->Resolve(admin_, *id, 2));
  EXPECT_EQ(service_->Instance(admin_, *id)->status, "active");
  auto back = service_->ActivateJobs(admin_, "issue-licence", 1, 10'000, "x");
  ASSERT_EQ(back->size(), 1u);
  ASSERT_TRUE(service_->CompleteJob(admin_, (*back)[0].key, {}));
  EXPECT_EQ(service_->Instance(admin_, *id)->status, "completed");
  EXPECT_EQ(service_->Resolve(admin_, *id, 2).error().code, ErrorCode::kConflict);
}

TEST_P(WorkflowServiceTest, TimersFireOnceAndMessagesCorrelateByKey) {
  auto d = service_->Deploy(
      admin_,
      Wrap(
          R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:eventBasedGateway id="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="paid"/>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="late"/>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="done"/>
    <bpmn:sequenceFlow id="f5" sourceRef="late" targetRef="cancelled"/>
    <bpmn:endEvent id="done"/>
    <bpmn:endEvent id="cancelled"/>)",
          R"(<bpmn:message id="M" name="fee-paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=applicationId"/></bpmn:extensionElements></bpmn:message>)"));
  ASSERT_TRUE(d && d->deployed);
  auto a = service_->Start(admin_, "oneProcess", {{"applicationId", "A-1"}});
  auto b = service_->Start(admin_, "oneProcess", {{"applicationId", "B-2"}});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*service_->Publish(admin_, "fee-paid", "A-1", {{"paidFen", 3000}}), 1);
  EXPECT_EQ(*service_->Publish(admin_, "fee-paid", "A-1", {}), 0);  // already correlated
  EXPECT_EQ(service_->Instance(admin_, *a)->status, "completed");
  EXPECT_EQ(service_->Instance(admin_, *a)->variables["paidFen"], 3000);
  EXPECT_EQ(*service_->FireDueTimers(), 0);  // B's timer is not due yet
  clock_.Advance(kMicrosPerHour);
  EXPECT_EQ(*service_->FireDueTimers(), 1);
  EXPECT_EQ(*service_->FireDueTimers(), 0);  // never twice
  EXPECT_EQ(service_->Instance(admin_, *b)->status, "completed");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM workflow_waits"), 0);
}

// Camunda's most-asked operation: a waiting instance moves to the new
// version when what it waits at still exists there.
TEST_P(WorkflowServiceTest, WaitingInstancesMigrateToANewerVersionWhenTheirStepsRemain) {
  ASSERT_FALSE(DeployRestaurant().empty());
  auto id = service_->Start(admin_, "oneProcess", {});
  ASSERT_TRUE(id);
  ASSERT_TRUE(service_->CompleteTask(market_handler_, TaskFor(market_handler_, "market").id,
                                     {{"marketOk", true}}));
  // v2 renames the market step and adds a signage check after the licence.
  std::string v2 = kRestaurant;
  v2.replace(v2.find("食品经营许可"), std::string("食品经营许可").size(),
             "食品经营许可（告知承诺）");
  auto d2 = service_->Deploy(admin_, v2);
  ASSERT_TRUE(d2 && d2->deployed);
  auto migrated = service_->Migrate(admin_, *id, "");
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_EQ(migrated->definition_id, d2->deployed->id);
  EXPECT_EQ(migrated->version, 2);
  // It goes on under v2: the fire check completes and the licence job comes.
  ASSERT_TRUE(
      service_->CompleteTask(fire_handler_, TaskFor(fire_handler_, "fire").id, {{"fireOk", true}}));
  EXPECT_EQ(service_->ActivateJobs(admin_, "issue-licence", 1, 1000, "w")->size(), 1u);
  EXPECT_EQ(service_->Migrate(admin_, *id, d2->deployed->id).error().code, ErrorCode::kConflict);

  // v3 renames the fire check's element: an instance waiting there cannot move.
  auto other = service_->Start(admin_, "oneProcess", {});
  ASSERT_TRUE(other);
  std::string v3 = v2;
  for (const std::string from : {"id=\"fire\"", "targetRef=\"fire\"", "sourceRef=\"fire\""}) {
    std::string to = from;
    to.replace(to.find("fire"), 4, "fireReview");
    v3.replace(v3.find(from), from.size(), to);
  }
  auto d3 = service_->Deploy(admin_, v3);
  ASSERT_TRUE(d3);
  ASSERT_TRUE(d3->deployed) << (d3->problems.empty() ? "" : d3->problems[0].reason);
  auto refused = service_->Migrate(admin_, *other, d3->deployed->id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("fire"), std::string::npos) << refused.error().message;
  EXPECT_EQ(service_->Instance(admin_, *other)->version, 2);  // unchanged
}

TEST_P(WorkflowServiceTest, AMessageStartEventStartsAnInstancePerMessage) {
  auto d = service_->Deploy(admin_, Wrap(R"(
    <bpmn:startEvent id="submitted"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="submitted" targetRef="review"/>
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="JL-D07"/></bpmn:extensionElements></bpmn:userTask>)",
                                         R"(<bpmn:message id="M" name="application-submitted"/>)"));
  ASSERT_TRUE(d && d->deployed) << (d && !d->problems.empty() ? d->problems[0].reason : "");
  // No none start event: starting it plainly is refused, a message starts it.
  EXPECT_EQ(service_->Start(admin_, "oneProcess", {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(*service_->Publish(admin_, "application-submitted", "", {{"applicant", "李雷"}}), 1);
  EXPECT_EQ(*service_->Publish(admin_, "application-submitted", "", {{"applicant", "韩梅梅"}}), 1);
  EXPECT_EQ(*service_->Publish(admin_, "something-else", "", {}), 0);
  auto tasks = service_->Tasks(market_handler_);
  ASSERT_TRUE(tasks);
  ASSERT_EQ(tasks->size(), 2u);
  std::set<std::string> applicants;
  for (const auto& t : *tasks) applicants.insert(t.variables["applicant"].get<std::string>());
  EXPECT_EQ(applicants, (std::set<std::string>{"李雷", "韩梅梅"}));
}

// A timer that cannot fire (its task stopped by an incident) holds back no
// other timer.
TEST_P(WorkflowServiceTest, ATimerThatCannotFireDoesNotHoldBackTheOthers) {
  auto d = service_->Deploy(admin_, Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="JL-D07"/>
        <zeebe:ioMapping><zeebe:output source="=score * 2" target="double"/></zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="review"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(d && d->deployed);
  auto stuck = service_->Start(admin_, "oneProcess", {});
  ASSERT_TRUE(stuck);
  // The first instance's task completes with a score its output cannot use:
  // an incident while leaving, the boundary timer still open.
  auto tasks = service_->Tasks(market_handler_);
  ASSERT_EQ(tasks->size(), 1u);
  ASSERT_TRUE(service_->CompleteTask(market_handler_, (*tasks)[0].id, {{"score", "高"}}));
  EXPECT_EQ(service_->Instance(admin_, *stuck)->status, "incident");
  clock_.Advance(kMicrosPerMinute);
  auto fine = service_->Start(admin_, "oneProcess", {});
  ASSERT_TRUE(fine);
  clock_.Advance(kMicrosPerHour);
  auto fired = service_->FireDueTimers();
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(*fired, 1);
  EXPECT_EQ(service_->Instance(admin_, *fine)->status, "completed");
  EXPECT_EQ(service_->Instance(admin_, *stuck)->status, "incident");
}

// 秒批: a business rule task evaluates the newest deployed version of its
// decision; none deployed is an incident that resolves once it is.
TEST_P(WorkflowServiceTest, ABusinessRuleTaskUsesTheNewestDeployedDecision) {
  auto table = [](std::string_view limit) {
    return fmt::format(R"(<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="rules" name="秒批规则" namespace="x">
  <decision id="autoApprove" name="自动审批">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i"><inputExpression id="e" typeRef="number"><text>area</text></inputExpression></input>
      <output id="o" name="approve" typeRef="boolean"/>
      <rule id="r1"><inputEntry id="a1"><text>&lt;= {}</text></inputEntry><outputEntry id="b1"><text>true</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="a2"><text>-</text></inputEntry><outputEntry id="b2"><text>false</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>)",
                       limit);
  };
  auto deployed = service_->Deploy(admin_, Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rule"/>
    <bpmn:businessRuleTask id="rule"><bpmn:extensionElements><zeebe:calledDecision decisionId="autoApprove" resultVariable="approve"/></bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="rule" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(deployed && deployed->deployed);
  auto early = service_->Start(admin_, "oneProcess", {{"area", 120}});
  ASSERT_TRUE(early);
  EXPECT_EQ(service_->Instance(admin_, *early)->status, "incident");

  auto refused = service_->DeployDecisions(admin_, "<definitions>");
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->problems.empty());
  EXPECT_FALSE(service_->DeployDecisions(market_handler_, table("150")));
  auto first = service_->DeployDecisions(admin_, table("150"));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->problems.empty()) << first->problems.front().reason;
  EXPECT_EQ(first->decision_ids, std::vector<std::string>{"autoApprove"});
  ASSERT_TRUE(service_->Resolve(admin_, *early));
  auto resolved = service_->Instance(admin_, *early);
  EXPECT_EQ(resolved->status, "completed");
  EXPECT_EQ(resolved->variables["approve"], true);

  ASSERT_TRUE(service_->DeployDecisions(admin_, table("100")));  // the rule gets stricter
  Restart();  // and a new process reads it from the rows
  auto later = service_->Start(admin_, "oneProcess", {{"area", 120}});
  ASSERT_TRUE(later);
  EXPECT_EQ(service_->Instance(admin_, *later)->variables["approve"], false);
  auto versions = service_->Decisions(admin_);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ(versions->front().version, 2);
}

// A timer start event starts an instance each time it fires, once across
// callers, and a new version replaces the old one's timer.
TEST_P(WorkflowServiceTest, ATimerStartEventStartsInstancesOnItsCycle) {
  auto cycle = [](std::string_view value) {
    return Wrap(fmt::format(R"(
    <bpmn:startEvent id="daily"><bpmn:timerEventDefinition><bpmn:timeCycle>{}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="daily" targetRef="check"/>
    <bpmn:userTask id="check"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="JL-D07"/></bpmn:extensionElements></bpmn:userTask>)",
                            value));
  };
  auto first = service_->Deploy(admin_, cycle("R2/PT1H"));
  ASSERT_TRUE(first && first->deployed) << (first ? first->problems.front().reason : "");
  EXPECT_EQ(*service_->FireDueTimers(), 0);  // not due yet
  clock_.Advance(kMicrosPerHour);
  EXPECT_EQ(*service_->FireDueTimers(), 1);
  EXPECT_EQ(*service_->FireDueTimers(), 0);  // fired once
  EXPECT_EQ(*service_->OpenInstances(admin_), 1);
  clock_.Advance(kMicrosPerHour);
  EXPECT_EQ(*service_->FireDueTimers(), 1);
  clock_.Advance(kMicrosPerHour);
  EXPECT_EQ(*service_->FireDueTimers(), 0);  // R2: two repetitions, then done
  EXPECT_EQ(*service_->OpenInstances(admin_), 2);

  auto second = service_->Deploy(admin_, cycle("R/PT30M"));
  ASSERT_TRUE(second && second->deployed);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM workflow_waits WHERE instance_id = ''"), 1);
  auto third = service_->Deploy(admin_, cycle("R/PT10M"));
  ASSERT_TRUE(third && third->deployed);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM workflow_waits WHERE instance_id = ''"), 1);  // replaced
  clock_.Advance(10 * 60 * kMicrosPerSecond);
  EXPECT_EQ(*service_->FireDueTimers(), 1);
  auto started = service_->Instances(admin_, "active", third->deployed->id);
  ASSERT_TRUE(started);
  EXPECT_EQ(started->size(), 1u);

  // A start timer's value is a literal: a variable cannot exist yet.
  auto refused = service_->Deploy(admin_, cycle("=interval"));
  ASSERT_TRUE(refused);
  ASSERT_FALSE(refused->deployed);
  EXPECT_EQ(refused->problems.front().element_id, "daily");
}

TEST_P(WorkflowServiceTest, BadInputIsRefusedNamingWhatToChange) {
  ASSERT_FALSE(DeployRestaurant().empty());
  auto unknown = service_->Start(admin_, "noSuchProcess", {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Start(admin_, "oneProcess", json::Json::array()).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_->ActivateJobs(admin_, "", 1, 1000, "w").error().field, "type");
  EXPECT_EQ(service_->ActivateJobs(admin_, "x", 0, 1000, "w").error().field, "max_jobs");
  EXPECT_EQ(service_->ActivateJobs(admin_, "x", 1, 0, "w").error().field, "timeout_ms");
  EXPECT_EQ(service_->CompleteJob(admin_, "nope", {}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->CompleteTask(admin_, "nope", {}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Instance(admin_, "nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Instance(market_handler_, "nope").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM workflow_instances"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkflowServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::workflow
