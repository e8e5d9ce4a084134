// Reading BPMN as Camunda Modeler writes it: the peer benchmark's three
// Camunda 8 files deploy unchanged, and a broken or hostile file is refused
// with every problem named by element and line.
#include "workflow/bpmn.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "workflow/bpmn_fixture.h"

namespace xietong::workflow {
namespace {

std::vector<Problem> ProblemsOf(std::string_view xml) {
  auto parsed = ParseBpmn(xml);
  EXPECT_FALSE(parsed) << "the file was accepted";
  return parsed ? std::vector<Problem>{} : parsed.error();
}

bool Has(const std::vector<Problem>& problems, std::string_view element, std::string_view words) {
  for (const auto& p : problems)
    if (p.element_id == element && p.reason.find(words) != std::string::npos) return true;
  return false;
}

TEST(BpmnTest, ThePeerBenchmarksCamunda8FilesDeployUnchanged) {
  if (!PeerFile("linear")) {
    // scripts/test.sh sets XIETONG_REQUIRE_DATA when ../shared is beside the repository.
    ASSERT_EQ(std::getenv("XIETONG_REQUIRE_DATA"), nullptr)
        << "the peer benchmark's files are missing under " << XIETONG_SHARED_BENCH_DIR;
    GTEST_SKIP() << "no ../shared/bench beside the repository";
  }
  for (const char* name : {"linear", "one-thing", "timer"}) {
    auto p = ParseBpmn(*PeerFile(name));
    ASSERT_TRUE(p) << name << ": " << (p ? "" : FormatProblem(name, p.error().front()));
  }
  auto p = ParseBpmn(*PeerFile("one-thing"));
  ASSERT_TRUE(p);
  const Process& one = **p;
  EXPECT_EQ(one.id, "oneThing");
  const Element* approve = one.Find("approveB");
  ASSERT_NE(approve, nullptr);
  EXPECT_EQ(approve->kind, ElementKind::kServiceTask);
  EXPECT_EQ(approve->job_type.literal, "approve");
  const Element* decide = one.Find("decide");
  ASSERT_NE(decide, nullptr);
  ASSERT_GE(decide->default_flow, 0);
  EXPECT_EQ(one.flows[decide->default_flow].id, "f_rejected");
  EXPECT_EQ(decide->outgoing.size(), 2u);
  auto timer = ParseBpmn(*PeerFile("timer"));
  ASSERT_TRUE(timer);
  const Element* deadline = (*timer)->Find("deadline");
  ASSERT_NE(deadline, nullptr);
  EXPECT_EQ(deadline->event, EventKind::kTimer);
  EXPECT_EQ((*timer)->elements[deadline->attached_to].id, "review");
  EXPECT_TRUE(deadline->cancel_activity);
}

TEST(BpmnTest, ExtensionsAreRead) {
  auto p = ParseBpmn(Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="窗口审核">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="=department + &quot;:handler&quot;" assignee="wang"/>
        <zeebe:taskSchedule dueDate="P3D"/>
        <zeebe:ioMapping>
          <zeebe:input source="=applicant.name" target="name"/>
          <zeebe:output source="=approved" target="reviewApproved"/>
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="notify"/>
    <bpmn:sendTask id="notify">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="notify" retries="5"/>
        <zeebe:taskHeaders><zeebe:header key="channel" value="sms"/></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="end"/>
    <bpmn:endEvent id="end"/>)"));
  ASSERT_TRUE(p) << FormatProblem("x", p.error().front());
  const Element& review = *(*p)->Find("review");
  EXPECT_EQ(review.kind, ElementKind::kUserTask);
  EXPECT_TRUE(review.candidate_groups.expr.has_value());
  EXPECT_EQ(review.assignee.literal, "wang");
  EXPECT_EQ(review.due_date.literal, "P3D");
  ASSERT_EQ(review.inputs.size(), 1u);
  EXPECT_EQ(review.inputs[0].target, "name");
  ASSERT_EQ(review.outputs.size(), 1u);
  const Element& notify = *(*p)->Find("notify");
  EXPECT_EQ(notify.kind, ElementKind::kServiceTask);
  EXPECT_EQ(notify.retries.literal, "5");
  ASSERT_EQ(notify.headers.size(), 1u);
  EXPECT_EQ(notify.headers[0].second, "sms");
}

TEST(BpmnTest, EveryProblemIsReportedAtOnceWithElementAndLine) {
  const std::string xml = Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:exclusiveGateway id="decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="nowhere"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="work">
      <bpmn:conditionExpression>=amount &gt;&gt; 5</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:serviceTask id="work"/>
    <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:complexGateway id="odd"/>)");
  const auto problems = ProblemsOf(xml);
  EXPECT_TRUE(Has(problems, "f2", "not an element")) << problems.size();
  EXPECT_TRUE(Has(problems, "f3", "cannot be read"));
  EXPECT_TRUE(Has(problems, "work", "taskDefinition type"));
  EXPECT_TRUE(Has(problems, "join", "no outgoing flow"));
  EXPECT_TRUE(Has(problems, "odd", "not supported"));
  EXPECT_GE(problems.size(), 5u);
  // Lines point into the file: the service task is on line 13 of it.
  for (const auto& p : problems) {
    if (p.element_id == "work" && p.reason.find("taskDefinition") != std::string::npos) {
      EXPECT_EQ(p.line, 13);
    }
  }
  EXPECT_EQ(FormatProblem("f.bpmn", {"work", 11, "x"}), "f.bpmn:11: work: x");
}

TEST(BpmnTest, MalformedHostileAndHugeFilesAreRefusedCleanly) {
  EXPECT_FALSE(ProblemsOf("<bpmn:definitions").empty());
  EXPECT_FALSE(ProblemsOf("not xml at all").empty());
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;\">]><bpmn:definitions "
      "xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">&lol2;</bpmn:definitions>";
  auto p = ProblemsOf(laughs);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].reason.find("DOCTYPE"), std::string::npos);
  std::string big(kMaxBpmnBytes + 1, ' ');
  EXPECT_NE(ProblemsOf(big)[0].reason.find("bytes"), std::string::npos);
  std::string many;
  for (int i = 0; i < 25'000; ++i) many += "<bpmn:task id=\"t" + std::to_string(i) + "\"/>";
  auto crowded = ProblemsOf(Wrap(many));
  ASSERT_FALSE(crowded.empty());
  EXPECT_NE(crowded[0].reason.find("more than"), std::string::npos);
  EXPECT_FALSE(
      ProblemsOf("<definitions xmlns=\"urn:other\"><process id=\"p\"/></definitions>").empty());
}

TEST(BpmnTest, StructuralRulesAreChecked) {
  auto problems = ProblemsOf(Wrap(R"(
    <bpmn:startEvent id="a"/>
    <bpmn:startEvent id="b"/>
    <bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="fork"/>
    <bpmn:sequenceFlow id="f1b" sourceRef="b" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="end">
      <bpmn:conditionExpression>=true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="end" targetRef="fork"/>
    <bpmn:boundaryEvent id="edge" attachedToRef="fork"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>soon</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>)"));
  EXPECT_TRUE(Has(problems, "oneProcess", "more than one none start event"));
  EXPECT_TRUE(Has(problems, "f2", "conditions"));
  EXPECT_TRUE(Has(problems, "end", "cannot have outgoing"));
  EXPECT_TRUE(Has(problems, "edge", "not an activity"));
  EXPECT_TRUE(Has(problems, "wait", "not an ISO 8601 duration"));
}

}  // namespace
}  // namespace xietong::workflow
