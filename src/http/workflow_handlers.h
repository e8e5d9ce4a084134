// Routes of the BPMN engine under /api/v1/workflow: deploy definitions (BPMN
// XML; a refused file answers 422 with every problem), start and read
// instances, the caller's user tasks, messages, jobs for workers (activate,
// complete, fail, throw an error) and incidents. Thin: parse, call
// WorkflowService, encode.
#pragma once

#include "http/api.h"
#include "workflow/workflow_service.h"

namespace xietong::http {

void RegisterWorkflowRoutes(Api& api, workflow::WorkflowService& workflow);

}  // namespace xietong::http
