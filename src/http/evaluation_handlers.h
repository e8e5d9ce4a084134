// Routes of insight's targets and 考核 (issue 19, docs/plans/decision-support.md §8.2) under
// /api/v1/insight: the targets in effect and the RAG table, setting and deleting targets, the
// monthly evaluation (live or published), publishing, and the city's weights. Thin: parse,
// call EvaluationService (which authorizes and decides), encode.
#pragma once

#include "core/json.h"
#include "http/api.h"
#include "insight/evaluation_service.h"

namespace xietong::http {

void RegisterEvaluationRoutes(Api& api, insight::EvaluationService& evaluation);
// The components the routes answer with, mirroring the encoders.
json::Json EvaluationSchemas();

}  // namespace xietong::http
