// Routes of 积分制 (docs/plans/participation.md §8 "Points"): accounts and
// postings, rules, triggers, manual awards and reversals, rewards and
// redemptions, reviews, the honour roll, signed statements and their
// verification, households, settings. Thin: parse, call PointsService, encode.
#pragma once

#include "http/api.h"
#include "participation/points_service.h"

namespace xietong::http {

void RegisterPointsRoutes(Api& api, participation::PointsService& points);

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json PointsSchemas();

}  // namespace xietong::http
