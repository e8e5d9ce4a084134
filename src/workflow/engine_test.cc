// The token engine on real processes: what waits, what a completion moves,
// what fires, what is caught, and what stops with an incident instead of
// going on silently or hanging.
#include "workflow/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "workflow/bpmn_fixture.h"

namespace xietong::workflow {
namespace {

constexpr Timestamp kNow = 1'795'399'200'000'000;  // 2026-11-23 10:00 +08:00

Environment At(Timestamp now) {
  Environment env;
  env.now = now;
  return env;
}

std::shared_ptr<const Process> Parse(const std::string& xml) {
  auto p = ParseBpmn(xml);
  if (!p) {
    for (const auto& problem : p.error()) ADD_FAILURE() << FormatProblem("test", problem);
    return nullptr;
  }
  return *p;
}

// The peer benchmark's three shapes, from our own fixtures.
std::shared_ptr<const Process> Peer(std::string_view name) {
  return Parse(name == "linear" ? Linear() : name == "timer" ? Timer() : OneThing());
}

// A process with an engine and one instance, driven step by step.
class Driver {
 public:
  explicit Driver(std::shared_ptr<const Process> p, Timestamp now = kNow)
      : process_(std::move(p)), now_(now) {}

  Effects Start(const json::Json& vars = json::Json::object()) {
    return Check(engine().Start(state, vars));
  }
  Effects Complete(std::int64_t key, const json::Json& vars = json::Json::object()) {
    return Check(engine().Complete(state, key, vars));
  }
  Effects Fire(const WaitItem& item) {
    return Check(engine().FireTimer(state, item.element_key, item.element));
  }
  Effects Correlate(const WaitItem& item, const json::Json& vars = json::Json::object()) {
    return Check(engine().Correlate(state, item.element_key, item.element, vars));
  }
  Effects Throw(std::int64_t key, std::string_view code) {
    return Check(engine().ThrowError(state, key, code, json::Json::object()));
  }

  // The wait items still open, as the caller's tables would hold them.
  std::vector<WaitItem> Open(WaitItem::Kind kind) const {
    std::vector<WaitItem> out;
    for (const auto& w : open_)
      if (w.kind == kind) out.push_back(w);
    return out;
  }
  const Element& ElementOf(const WaitItem& w) const { return process_->elements[w.element]; }
  std::string Var(const std::string& name) const {
    const feel::Value* v = state.variables.Find(name);
    return v ? feel::ToDebugString(*v) : "<none>";
  }
  void Advance(Timestamp by) { now_ += by; }

  InstanceState state;
  Environment env;
  std::vector<int> flows;

 private:
  Engine engine() {
    Environment e = env;
    e.now = now_;
    return Engine(*process_, e);
  }
  Effects Check(Result<Effects> r) {
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (!r) return {};
    for (const auto& w : r->opened) open_.push_back(w);
    for (std::int64_t k : r->closed)
      std::erase_if(open_, [&](const WaitItem& w) { return w.element_key == k; });
    flows.insert(flows.end(), r->flows_taken.begin(), r->flows_taken.end());
    return std::move(*r);
  }

  std::shared_ptr<const Process> process_;
  Timestamp now_;
  std::vector<WaitItem> open_;
};

std::vector<std::string> Ids(const Process& p, const std::vector<int>& flows) {
  std::vector<std::string> out;
  for (int f : flows) out.push_back(p.flows[f].id);
  return out;
}

TEST(EngineTest, LinearRunsItsThreeJobsInOrder) {
  auto p = Peer("linear");
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start();
  for (int i = 0; i < 3; ++i) {
    auto jobs = d.Open(WaitItem::Kind::kJob);
    ASSERT_EQ(jobs.size(), 1u) << i;
    EXPECT_EQ(d.state.status, InstanceState::Status::kActive);
    d.Complete(jobs[0].element_key, {{"step", i + 1}});
  }
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_EQ(d.Var("step"), "3");
  EXPECT_TRUE(d.state.waiting.empty());
}

TEST(EngineTest, OneThingApprovesInParallelThenIssuesTheLicence) {
  auto p = Peer("one-thing");
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start({{"approved", true}});
  auto jobs = d.Open(WaitItem::Kind::kJob);
  ASSERT_EQ(jobs.size(), 3u);
  for (const auto& j : jobs) EXPECT_EQ(j.job_type, "approve");
  // Two answers: the join still waits for the third.
  d.Complete(jobs[0].element_key);
  d.Complete(jobs[2].element_key);
  EXPECT_TRUE(d.Open(WaitItem::Kind::kUserTask).empty());
  d.Complete(jobs[1].element_key);
  auto tasks = d.Open(WaitItem::Kind::kUserTask);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(d.ElementOf(tasks[0]).id, "issueLicence");
  auto fx = d.Complete(tasks[0].element_key, {{"licence", "JL-2026-0001"}});
  EXPECT_TRUE(fx.ended);
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_EQ(d.Var("licence"), "\"JL-2026-0001\"");
  auto taken = Ids(*p, d.flows);
  EXPECT_EQ(std::count(taken.begin(), taken.end(), "f_approved"), 1);
  EXPECT_EQ(std::count(taken.begin(), taken.end(), "f_rejected"), 0);
}

TEST(EngineTest, OneThingTakesTheDefaultFlowWhenNotApproved) {
  auto p = Peer("one-thing");
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start({{"approved", true}});
  auto jobs = d.Open(WaitItem::Kind::kJob);
  ASSERT_EQ(jobs.size(), 3u);
  d.Complete(jobs[0].element_key);
  d.Complete(jobs[1].element_key, {{"approved", false}});  // one department says no
  d.Complete(jobs[2].element_key);
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_TRUE(d.Open(WaitItem::Kind::kUserTask).empty());
  auto taken = Ids(*p, d.flows);
  EXPECT_EQ(std::count(taken.begin(), taken.end(), "f_rejected"), 1);
}

TEST(EngineTest, AnInterruptingBoundaryTimerEscalates) {
  auto p = Peer("timer");
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start();
  auto timers = d.Open(WaitItem::Kind::kTimer);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].due, kNow);  // PT0S
  ASSERT_EQ(d.Open(WaitItem::Kind::kUserTask).size(), 1u);
  const std::int64_t review = d.Open(WaitItem::Kind::kUserTask)[0].element_key;
  d.Fire(timers[0]);
  EXPECT_TRUE(d.Open(WaitItem::Kind::kUserTask).empty());  // interrupted
  auto jobs = d.Open(WaitItem::Kind::kJob);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].job_type, "escalate");
  // The interrupted task can no longer be completed.
  Engine e(*p, At(kNow));
  EXPECT_EQ(e.Complete(d.state, review, json::Json::object()).error().code, ErrorCode::kNotFound);
  d.Complete(jobs[0].element_key);
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
}

TEST(EngineTest, ANonInterruptingTimerRemindsAndTheTaskGoesOn) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review"/>
    <bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="remind" targetRef="notify"/>
    <bpmn:serviceTask id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="notify"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start();
  auto timer = d.Open(WaitItem::Kind::kTimer).at(0);
  EXPECT_EQ(timer.due, kNow + kMicrosPerDay);
  d.Fire(timer);
  ASSERT_EQ(d.Open(WaitItem::Kind::kUserTask).size(), 1u);  // still there
  auto notify = d.Open(WaitItem::Kind::kJob).at(0);
  d.Complete(d.Open(WaitItem::Kind::kUserTask)[0].element_key);
  EXPECT_EQ(d.state.status, InstanceState::Status::kActive);  // the reminder branch runs on
  d.Complete(notify.element_key);
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
}

TEST(EngineTest, NoTrueConditionAndNoDefaultIsAnIncidentNotAWrongTurn) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="which"/>
    <bpmn:exclusiveGateway id="which"/>
    <bpmn:sequenceFlow id="big" sourceRef="which" targetRef="end"><bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="odd" sourceRef="which" targetRef="end"><bpmn:conditionExpression>=amount * "x" = 1</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(p);
  {
    Driver d(p);
    auto fx = d.Start({{"amount", 50}, {"x", 1}});
    // 50 > 100 is false; the second condition cannot be evaluated: incident.
    ASSERT_TRUE(fx.incident);
    EXPECT_NE(fx.incident->find("odd"), std::string::npos) << *fx.incident;
    EXPECT_EQ(d.state.status, InstanceState::Status::kIncident);
  }
  {
    Driver d(p);
    auto fx = d.Start();  // amount missing: null > 100 is null, not true
    ASSERT_TRUE(fx.incident);
    EXPECT_EQ(d.state.status, InstanceState::Status::kIncident);
  }
  {
    Driver d(p);
    d.Start({{"amount", 500}});
    EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  }
}

TEST(EngineTest, ALoopWithoutAWaitStateStopsWithAnIncident) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a"/>
    <bpmn:exclusiveGateway id="a"/>
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
    <bpmn:task id="b"/>
    <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="a"/>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  auto fx = d.Start();
  ASSERT_TRUE(fx.incident);
  EXPECT_NE(fx.incident->find("steps"), std::string::npos);
  EXPECT_EQ(d.state.status, InstanceState::Status::kIncident);
}

TEST(EngineTest, AnErrorEndInASubprocessIsCaughtByItsBoundary) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:subProcess id="check">
      <bpmn:startEvent id="s2"/>
      <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="valid"/>
      <bpmn:exclusiveGateway id="valid" default="g3"/>
      <bpmn:sequenceFlow id="g2" sourceRef="valid" targetRef="bad"><bpmn:conditionExpression>=count(materials) &lt; 2</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="g3" sourceRef="valid" targetRef="ok"/>
      <bpmn:endEvent id="bad"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>
      <bpmn:endEvent id="ok"/>
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="missing" attachedToRef="check"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="review"/>
    <bpmn:userTask id="review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="missing" targetRef="correct"/>
    <bpmn:userTask id="correct" name="补正材料"/>)",
                      R"(<bpmn:error id="E1" errorCode="materials_missing"/>)"));
  ASSERT_TRUE(p);
  {
    Driver d(p);
    d.Start({{"materials", {"身份证"}}});
    auto tasks = d.Open(WaitItem::Kind::kUserTask);
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(d.ElementOf(tasks[0]).id, "correct");
  }
  {
    Driver d(p);
    d.Start({{"materials", {"身份证", "营业执照"}}});
    auto tasks = d.Open(WaitItem::Kind::kUserTask);
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(d.ElementOf(tasks[0]).id, "review");
  }
}

TEST(EngineTest, AJobsBpmnErrorIsCaughtOrBecomesAnIncident) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="lookup"/>
    <bpmn:serviceTask id="lookup"><bpmn:extensionElements><zeebe:taskDefinition type="exchange-lookup"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="nf" attachedToRef="lookup"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="lookup" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="nf" targetRef="manual"/>
    <bpmn:userTask id="manual"/>
    <bpmn:endEvent id="end"/>)",
                      R"(<bpmn:error id="E" errorCode="not_found"/>)"));
  ASSERT_TRUE(p);
  {
    Driver d(p);
    d.Start();
    d.Throw(d.Open(WaitItem::Kind::kJob).at(0).element_key, "not_found");
    EXPECT_TRUE(d.Open(WaitItem::Kind::kJob).empty());
    EXPECT_EQ(d.ElementOf(d.Open(WaitItem::Kind::kUserTask).at(0)).id, "manual");
  }
  {
    Driver d(p);
    d.Start();
    auto fx = d.Throw(d.Open(WaitItem::Kind::kJob).at(0).element_key, "timeout");
    ASSERT_TRUE(fx.incident);
    EXPECT_EQ(d.state.status, InstanceState::Status::kIncident);
    EXPECT_TRUE(d.Open(WaitItem::Kind::kJob).empty());
    // Resolving it creates the job again.
    const auto stopped = std::find_if(d.state.waiting.begin(), d.state.waiting.end(),
                                      [](const ElementInstance& w) { return w.incident != 0; });
    ASSERT_NE(stopped, d.state.waiting.end());
    Engine e(*p, At(kNow));
    auto retried = e.Retry(d.state, stopped->key);
    ASSERT_TRUE(retried);
    EXPECT_EQ(d.state.status, InstanceState::Status::kActive);
    EXPECT_EQ(retried->opened.size(), 1u);
    EXPECT_EQ(retried->opened[0].job_type, "exchange-lookup");
  }
}

TEST(EngineTest, ScriptAndDecisionTasksComputeWithoutWaiting) {
  const std::string dmn = R"(<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
  <decision id="autoApprove" name="秒批">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1"><inputExpression id="e1" typeRef="number"><text>area</text></inputExpression></input>
      <output id="o1" name="approve" typeRef="boolean"/>
      <rule id="r1"><inputEntry id="a1"><text>&lt;= 150</text></inputEntry><outputEntry id="b1"><text>true</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="a2"><text>-</text></inputEntry><outputEntry id="b2"><text>false</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>)";
  auto model = dmn::DecisionModel::Parse(dmn);
  ASSERT_TRUE(model) << model.error().message;
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fee"/>
    <bpmn:scriptTask id="fee"><bpmn:extensionElements><zeebe:script expression="=area * 2 + 10" resultVariable="fee"/></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fee" targetRef="rule"/>
    <bpmn:businessRuleTask id="rule"><bpmn:extensionElements><zeebe:calledDecision decisionId="autoApprove" resultVariable="approve"/></bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f3" sourceRef="rule" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  d.env.decisions = [&](std::string_view id) -> const dmn::DecisionModel* {
    return id == "autoApprove" ? &*model : nullptr;
  };
  d.Start({{"area", 120}});
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_EQ(d.Var("fee"), "250");
  EXPECT_EQ(d.Var("approve"), "true");
  Driver big(p);
  big.env = d.env;
  big.Start({{"area", 400}});
  EXPECT_EQ(big.Var("approve"), "false");
  Driver none(p);  // no decision deployed: an incident, not a guess
  auto fx = none.Start({{"area", 120}});
  ASSERT_TRUE(fx.incident);
  EXPECT_NE(fx.incident->find("autoApprove"), std::string::npos);
}

TEST(EngineTest, ParallelMultiInstanceCollectsEachDepartmentsAnswer) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <bpmn:serviceTask id="approve">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="approve"/>
        <zeebe:ioMapping><zeebe:input source="=department" target="unit"/></zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=departments" inputElement="department" outputCollection="answers" outputElement="=ok"/>
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start({{"departments", {"市场监管局", "消防救援支队", "城管委"}}});
  auto jobs = d.Open(WaitItem::Kind::kJob);
  ASSERT_EQ(jobs.size(), 3u);
  // Each inner instance sees its own department.
  Engine e(*p, At(kNow));
  std::vector<std::string> units;
  for (const auto& j : jobs) {
    auto vars = e.VisibleVariables(d.state, j.element_key);
    units.push_back(feel::ToText(*vars.Find("unit")));
  }
  std::sort(units.begin(), units.end());
  EXPECT_EQ(units, (std::vector<std::string>{"城管委", "市场监管局", "消防救援支队"}));
  d.Complete(jobs[2].element_key, {{"ok", false}});
  d.Complete(jobs[0].element_key, {{"ok", true}});
  EXPECT_EQ(d.state.status, InstanceState::Status::kActive);
  d.Complete(jobs[1].element_key, {{"ok", true}});
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_EQ(d.Var("answers"), "[true, true, false]");
}

TEST(EngineTest, SequentialMultiInstanceRunsOneAfterAnother) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign"/>
    <bpmn:userTask id="sign">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2,3]" inputElement="n"/></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start();
  for (int i = 0; i < 3; ++i) {
    auto tasks = d.Open(WaitItem::Kind::kUserTask);
    ASSERT_EQ(tasks.size(), 1u) << i;
    d.Complete(tasks[0].element_key);
  }
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
}

TEST(EngineTest, MessagesAndTimersRaceAtAnEventBasedGateway) {
  auto p = Parse(Wrap(
      R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:eventBasedGateway id="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="paid"/>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="late"/>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition><bpmn:timeDuration>=duration("P" + string(days) + "D")</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="done"/>
    <bpmn:sequenceFlow id="f5" sourceRef="late" targetRef="cancelled"/>
    <bpmn:endEvent id="done"/>
    <bpmn:endEvent id="cancelled"/>)",
      R"(<bpmn:message id="M" name="fee-paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=applicationId"/></bpmn:extensionElements></bpmn:message>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start({{"applicationId", "A-17"}, {"days", 3}});
  auto messages = d.Open(WaitItem::Kind::kMessage);
  auto timers = d.Open(WaitItem::Kind::kTimer);
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(messages[0].message_name, "fee-paid");
  EXPECT_EQ(messages[0].correlation_key, "A-17");
  EXPECT_EQ(timers[0].due, kNow + 3 * kMicrosPerDay);
  d.Correlate(messages[0], {{"paidFen", 5000}});
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_TRUE(d.Open(WaitItem::Kind::kTimer).empty());  // the other event is withdrawn
  EXPECT_EQ(d.Var("paidFen"), "5000");
  auto taken = Ids(*p, d.flows);
  EXPECT_EQ(std::count(taken.begin(), taken.end(), "f4"), 1);
  EXPECT_EQ(std::count(taken.begin(), taken.end(), "f5"), 0);
}

TEST(EngineTest, ATerminateEndStopsEveryOtherBranch) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="slow"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="stop"/>
    <bpmn:userTask id="slow"/>
    <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  auto fx = d.Start();
  EXPECT_TRUE(fx.ended);
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_TRUE(d.Open(WaitItem::Kind::kUserTask).empty());
}

TEST(EngineTest, UserTasksCarryAssignmentAndAWorkingDayDueDate) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="=[unit + &quot;:handler&quot;, unit + &quot;:unit_lead&quot;]"/>
        <zeebe:taskSchedule dueDate="P3D"/>
      </bpmn:extensionElements>
    </bpmn:userTask>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  int asked_days = 0;
  d.env.add_working_days = [&](Timestamp from, int days) {
    asked_days = days;
    return from + 5 * kMicrosPerDay;  // the calendar skips a weekend
  };
  d.Start({{"unit", "JL-D07"}});
  auto task = d.Open(WaitItem::Kind::kUserTask).at(0);
  EXPECT_EQ(task.candidate_groups, "JL-D07:handler,JL-D07:unit_lead");
  EXPECT_EQ(asked_days, 3);
  EXPECT_EQ(task.due, kNow + 5 * kMicrosPerDay);
}

TEST(EngineTest, StateSurvivesEncodingAndAWaitingOneThingIsSmall) {
  auto p = Peer("one-thing");
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start({{"approved", true}, {"applicant", "张三"}});
  const json::Json encoded = EncodeState(d.state);
  const std::string text = encoded.dump();
  EXPECT_LT(text.size(), 1024u) << text;
  auto decoded = DecodeState(json::Json::parse(text));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(EncodeState(*decoded), encoded);
  // The decoded state goes on as the original would.
  d.state = std::move(*decoded);
  for (const auto& j : d.Open(WaitItem::Kind::kJob)) d.Complete(j.element_key);
  ASSERT_EQ(d.Open(WaitItem::Kind::kUserTask).size(), 1u);
  EXPECT_FALSE(DecodeState(json::Json::parse(R"({"st":"odd"})")));
  EXPECT_FALSE(DecodeState(json::Json::parse(R"({"st":"active"})")));
}

TEST(EngineTest, CallActivitiesHandTheirVariablesToTheChild) {
  auto p = Parse(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="child"/>
    <bpmn:callActivity id="child"><bpmn:extensionElements><zeebe:calledElement processId="fireSafety" propagateAllChildVariables="true"/></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="child" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(p);
  Driver d(p);
  d.Start({{"shop", "江澜面馆"}});
  auto calls = d.Open(WaitItem::Kind::kCallActivity);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].called_process, "fireSafety");
  EXPECT_EQ(calls[0].variables["shop"], "江澜面馆");
  d.Complete(calls[0].element_key, {{"fireCertificate", "XF-2026-88"}});
  EXPECT_EQ(d.state.status, InstanceState::Status::kCompleted);
  EXPECT_EQ(d.Var("fireCertificate"), "\"XF-2026-88\"");
}

}  // namespace
}  // namespace xietong::workflow
