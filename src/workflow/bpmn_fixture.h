// Test support: a process body wrapped in Camunda 8 definitions.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace xietong::workflow {

// `body` inside <bpmn:process id="oneProcess">; `extras` (messages, errors)
// beside it. The process starts on line 5 of the file, so its body's first
// line is line 6.
inline std::string Wrap(std::string_view body, std::string_view extras = {}) {
  return std::string(
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"\n"
             "    xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\"\n"
             "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" id=\"d\">\n"
             "  <bpmn:process id=\"oneProcess\" isExecutable=\"true\">") +
         std::string(body) + "\n  </bpmn:process>\n" + std::string(extras) +
         "\n</bpmn:definitions>\n";
}

// Our own versions of the peer benchmark's three shapes, with its element
// ids, for tests that must not depend on files outside the repository.
// linear: three service tasks of type "step" in a row.
inline std::string Linear() {
  return Wrap(R"(
    <bpmn:startEvent id="start" name="收到"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="s1"/>
    <bpmn:serviceTask id="s1" name="登记"><bpmn:extensionElements><zeebe:taskDefinition type="step"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="s1" targetRef="s2"/>
    <bpmn:serviceTask id="s2" name="核验"><bpmn:extensionElements><zeebe:taskDefinition type="step"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="s2" targetRef="s3"/>
    <bpmn:serviceTask id="s3" name="归档"><bpmn:extensionElements><zeebe:taskDefinition type="step"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="s3" targetRef="end"/>
    <bpmn:endEvent id="end" name="办结"/>)");
}

// one-thing: three parallel "approve" jobs, a join, =approved to the user
// task issueLicence, the default flow f_rejected to endRejected.
inline std::string OneThing() {
  return Wrap(R"(
    <bpmn:startEvent id="start" name="申请受理"/>
    <bpmn:sequenceFlow id="f_start_split" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f_split_a" sourceRef="split" targetRef="approveA"/>
    <bpmn:sequenceFlow id="f_split_b" sourceRef="split" targetRef="approveB"/>
    <bpmn:sequenceFlow id="f_split_c" sourceRef="split" targetRef="approveC"/>
    <bpmn:serviceTask id="approveA" name="市场监管审批"><bpmn:extensionElements><zeebe:taskDefinition type="approve"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="approveB" name="消防审批"><bpmn:extensionElements><zeebe:taskDefinition type="approve"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="approveC" name="城管审批"><bpmn:extensionElements><zeebe:taskDefinition type="approve"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f_a_join" sourceRef="approveA" targetRef="join"/>
    <bpmn:sequenceFlow id="f_b_join" sourceRef="approveB" targetRef="join"/>
    <bpmn:sequenceFlow id="f_c_join" sourceRef="approveC" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f_join_decide" sourceRef="join" targetRef="decide"/>
    <bpmn:exclusiveGateway id="decide" default="f_rejected"/>
    <bpmn:sequenceFlow id="f_approved" sourceRef="decide" targetRef="issueLicence"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=approved</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_rejected" sourceRef="decide" targetRef="endRejected"/>
    <bpmn:userTask id="issueLicence" name="发证"><bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f_issue_end" sourceRef="issueLicence" targetRef="endIssued"/>
    <bpmn:endEvent id="endIssued"/>
    <bpmn:endEvent id="endRejected"/>)");
}

// timer: the user task review with an interrupting boundary timer (PT0S)
// deadline leading to an "escalate" job.
inline std::string Timer() {
  return Wrap(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="审核"><bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:boundaryEvent id="deadline" attachedToRef="review" cancelActivity="true">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT0S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="endOnTime"/>
    <bpmn:sequenceFlow id="f3" sourceRef="deadline" targetRef="escalate"/>
    <bpmn:serviceTask id="escalate" name="上报督办"><bpmn:extensionElements><zeebe:taskDefinition type="escalate"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="endEscalated"/>
    <bpmn:endEvent id="endOnTime"/>
    <bpmn:endEvent id="endEscalated"/>)");
}

#ifdef XIETONG_SHARED_BENCH_DIR
// A file of the peer benchmark beside the repository
// (../shared/bench/bpmn-peer/bpmn-zeebe/NAME.bpmn), or nullopt when that
// folder is not there.
inline std::optional<std::string> PeerFile(std::string_view name) {
  const std::filesystem::path path = std::filesystem::path(XIETONG_SHARED_BENCH_DIR) / "bpmn-peer" /
                                     "bpmn-zeebe" / (std::string(name) + ".bpmn");
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
#endif

}  // namespace xietong::workflow
