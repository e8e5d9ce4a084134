// Test support: a process body wrapped in Camunda 8 definitions.
#pragma once

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

}  // namespace xietong::workflow
