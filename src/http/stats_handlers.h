// Routes of the three rates (三率) under /api/v1/stats: the monthly ranking
// of streets or departments as JSON, CSV or XLSX, the trend of a unit's
// subtree month by month, and requests per grid for the map. Thin: parse,
// call RequestService (which authorizes), encode.
#pragma once

#include "http/api.h"
#include "requests/request_service.h"

namespace xietong::http {

void RegisterStatsRoutes(Api& api, requests::RequestService& requests);

}  // namespace xietong::http
