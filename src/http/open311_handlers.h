// Open311 GeoReport v2 under /open311/v2, in XML (required) and JSON, as
// the spec (wiki.open311.org/GeoReport_v2) reads:
// discovery, the service list (the active leaf matters), service
// definitions, POST a request (form-urlencoded, with an API key), GET
// requests, one request and a token. Errors use the spec's bodies and its
// statuses: 404 for what does not exist (an unknown jurisdiction_id or
// format too), 403 for a missing or bad api_key, 400 for anything else.
//
// The API key travels as the form field api_key (or, for clients that
// prefer it, "Authorization: Bearer xtk_…"); the route is public in the Api
// and the handler authenticates the key itself, because the Api would answer
// a missing header with a JSON 401 where the spec wants its own 403.
//
// Reads need no key and are public, so they show what a requester gave to
// this open interface: requests that came in through Open311 show their
// description, address, coordinates and reply; requests from other channels
// (a resident's phone call) show only their category, status, handling unit,
// times and the community they lie in. Contact data never leaves.
// Registered at start-up; the handlers keep no state of their own.
#pragma once

#include <string>

#include "core/clock.h"
#include "emergency/crowd_service.h"
#include "emergency/incident_service.h"
#include "http/api.h"
#include "http/rate_limit.h"
#include "identity/identity_service.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"

namespace xietong::http {

struct Open311Options {
  std::string jurisdiction_id = "jianglan.gov.cn.example";
  // Scheme, host and port the endpoint is reached at, for discovery, e.g.
  // "https://12345.jianglan.gov.cn" (serve's --public-url); empty: discovery
  // gives the path only. Never taken from the request's Host header.
  std::string base_url;
  std::string city_name = "江澜市";
  // Emergencies (issue 17): with both set, each active incident is a
  // service "incident-<id>" (group 应急, metadata true: the crowd-report
  // attributes kind, need_type, count, priority), and a POST to it becomes a
  // crowd report on the open311 channel (CrowdReportService::Submit; the
  // answer's service_request_id is the report id; GET requests does not list
  // reports). Those posts are rate-limited per client address (429 with
  // Retry-After, in the spec's error body). A closed incident is no service.
  emergency::IncidentService* incidents = nullptr;
  emergency::CrowdReportService* crowd_reports = nullptr;
  RateLimitOptions report_limits = {};
};

// identity authenticates api_key; clock gives "now" for the default window
// of GET requests (the last 90 days).
void RegisterOpen311Routes(Api& api, identity::IdentityService& identity,
                           requests::RequestService& requests, matters::MatterService& matters,
                           const Clock& clock, Open311Options options);

}  // namespace xietong::http
