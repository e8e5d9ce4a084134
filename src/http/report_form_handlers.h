// Routes of report forms (报送/填报, n-1): send a form down to units, the
// inbox of my units' forms and the forms my units sent, one form (the
// sender's completion by unit, or my unit's answer and what prefills it),
// a unit's answer, and the roll-up as JSON, CSV or XLSX. Thin: parse, call
// CollabService, encode. Registered with the other collab routes.
#pragma once

#include "collab/collab_service.h"
#include "http/api.h"

namespace xietong::http {

void RegisterReportFormRoutes(Api& api, collab::CollabService& collab);

// components.schemas of the routes above (merged by ComponentSchemas).
json::Json ReportFormSchemas();

}  // namespace xietong::http
