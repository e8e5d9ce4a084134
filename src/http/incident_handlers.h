// Routes of incidents (应急协同, issue 17): open, list, read, change level,
// close, form the 指挥部 again, ask for a round of 情况报告; needs, resources
// and commitments with matching; the live map (GeoJSON) for the command and
// without personal data for the public page. Thin: parse, call
// IncidentService, encode.
#pragma once

#include "emergency/incident_service.h"
#include "http/api.h"

namespace xietong::http {

void RegisterIncidentRoutes(Api& api, emergency::IncidentService& incidents);

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json IncidentSchemas();

}  // namespace xietong::http
