// Routes of the one-thing services (一件事): the services and their notice
// (public), the prefilled form, applications (Idempotency-Key), the
// departments' commands on their parts (approve, reject, 补正), the
// applicant's corrections and rating, materials, the public certificate
// check and the figures (JSON, CSV, XLSX). Thin: parse, call
// ServicesService, encode; the encoders and their schemas live together here.
#pragma once

#include "http/api.h"
#include "services/services_service.h"

namespace xietong::http {

void RegisterServicesRoutes(Api& api, services::ServicesService& services);

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json ServicesSchemas();

}  // namespace xietong::http
