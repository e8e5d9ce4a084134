// Routes of the three rates (三率) under /api/v1/stats: the monthly ranking
// of streets or departments as JSON, CSV or XLSX. Thin: parse, call
// RequestService::Ranking (which authorizes), encode.
#pragma once

#include "http/api.h"
#include "requests/request_service.h"

namespace xietong::http {

void RegisterStatsRoutes(Api& api, requests::RequestService& requests);

}  // namespace xietong::http
