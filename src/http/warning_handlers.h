// Routes of early warning (预警): the warnings my units may see (filter by
// status), one warning with its evidence (requests, the observed curve and
// the baseline with its bounds, the statistic that fired), escalate to an
// incident, dismiss, and the admin rules (CRUD). Thin: parse, call
// WarningService, encode.
#pragma once

#include "emergency/warning_service.h"
#include "http/api.h"

namespace xietong::http {

void RegisterWarningRoutes(Api& api, emergency::WarningService& warnings);

// components.schemas of the routes above (merged by ComponentSchemas).
json::Json WarningSchemas();

}  // namespace xietong::http
