// Routes of crowd reports (救命文档): the public intake (anyone; a session or
// bearer token, when sent, names the reporter; rate-limited per client
// address, or per account when signed in), the verifiers' queue and verdicts,
// and the public view of verified reports. Thin: parse, call
// CrowdReportService, encode.
#pragma once

#include "emergency/crowd_service.h"
#include "http/api.h"
#include "http/rate_limit.h"

namespace xietong::http {

// The intake's limit per address: a burst of 20, then one every 5 seconds.
void RegisterCrowdReportRoutes(Api& api, emergency::CrowdReportService& crowd,
                               identity::IdentityService& identity, RateLimitOptions limits = {});

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json CrowdReportSchemas();

// A verified report as everyone may see it (no personal data).
json::Json PublicCrowdReportJson(const emergency::PublicReport& p);

}  // namespace xietong::http
