// The what-if route of insight (issue 19, docs/plans/decision-support.md §4.2, §8.2):
// POST /api/v1/insight/whatif takes the sliders (volume, handlers per unit, finish limits per
// matter, weeks) and answers the baseline and the scenario per week and per unit. Thin: parse
// and type-check the body, call CapacityService (which validates ranges, authorizes and
// computes), encode. It stores nothing.
#pragma once

#include "core/json.h"
#include "http/api.h"
#include "insight/capacity_service.h"

namespace xietong::http {

void RegisterCapacityRoutes(Api& api, insight::CapacityService& capacity);
// The components the route takes and answers with, mirroring the parser and the encoder.
json::Json CapacitySchemas();

}  // namespace xietong::http
