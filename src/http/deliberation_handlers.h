// Routes of 议事厅 (docs/plans/participation.md §8 "Deliberation"):
// proposals, supports, comments, the agenda, meetings and their record,
// participatory budgets, ballots, results and the proof. Thin: parse, call
// DeliberationService, encode.
#pragma once

#include "http/api.h"
#include "participation/deliberation_service.h"

namespace xietong::http {

void RegisterDeliberationRoutes(Api& api, participation::DeliberationService& deliberation);

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json DeliberationSchemas();

}  // namespace xietong::http
