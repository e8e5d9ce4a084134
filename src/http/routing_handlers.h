// Routes of the routing model that learns (issue 19, docs/plans/decision-support.md §7.3, §7.4,
// §8.3) under /api/v1/insight/routing: how well the model's suggestions matched what operators
// and the centre decided, per model version, with the most-mixed categories; the stored model
// versions, retraining by hand and activating a version (a rollback). Thin: parse, call
// RoutingService (which authorizes, trains and computes), encode.
#pragma once

#include "core/json.h"
#include "http/api.h"
#include "insight/routing_service.h"

namespace xietong::http {

void RegisterRoutingRoutes(Api& api, insight::RoutingService& routing);
// The components the routes answer with, mirroring the encoders.
json::Json RoutingSchemas();

}  // namespace xietong::http
