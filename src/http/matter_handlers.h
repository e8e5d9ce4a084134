// Routes of the list of matters under /api/v1/matters: the tree, one matter
// with its versions, create and change (administrators), and category
// suggestions for a text. Thin: parse, call MatterService, encode.
#pragma once

#include "http/api.h"
#include "matters/matter_service.h"

namespace xietong::http {

void RegisterMatterRoutes(Api& api, matters::MatterService& matters);

// The JSON form of a matter, shared by other modules' handlers. Leaf-only
// fields (handler, department_code, tier and the limits) appear on leaves only.
json::Json MatterJson(const matters::Matter& m);

}  // namespace xietong::http
