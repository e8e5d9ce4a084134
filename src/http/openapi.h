// The API's OpenAPI 3.1 document (GET /api/v1/openapi.json), written from
// the router's routes, their RouteDocs and the components of api_schemas.h,
// never by hand; and the small JSON Schema checker that tests hold real
// answers against it with. Pure functions; thread-safe.
//
// Besides what a RouteDoc lists, every operation gets the answers the
// pipeline gives: 401 and 403 where a login is needed (no or a bad
// credential; a missing X-CSRF-Token on a cookie's write; an API key where a
// person must act), 413 where a body is taken (the server's size limit), 500
// everywhere and 503 where the route's errors are the API's own shape. Its
// security follows the route's Auth: a bearer token or the session cookie
// (with X-CSRF-Token on writes), and an API key where Auth::kApiKey.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "http/router.h"

namespace xietong::http {

struct OpenApiInfo {
  std::string title = "xietong 协同 — city government platform API";
  std::string version = "1.0.0";  // of the /api/v1 interface, not of a build
  std::string description =
      "接诉即办 (the 12345 hotline's requests), the list of matters, the organisation, files, "
      "statistics and Open311 GeoReport v2. Ids are strings; times are RFC 3339 with offset; "
      "lists take limit and cursor and answer {\"items\": […], \"next_cursor\": …}. Every "
      "error is {\"error\": {\"code\", \"message\"}} with the HTTP status of its code (Open311 "
      "routes answer the spec's own error body); every answer carries X-Request-Id.";
  std::string server_url = "/";  // relative: the host the document was read from
};

json::Json OpenApiDocument(const Router& router, const OpenApiInfo& info);

// Whether value conforms to schema, for the part of JSON Schema 2020-12 the
// document uses: type (one or a list; an integral number is an integer),
// enum, const, required, properties, additionalProperties (false or a
// schema), items, minItems, minLength/maxLength (in code points),
// minimum/maximum, pattern, format date-time and date, anyOf, oneOf, allOf,
// and $ref "#/components/schemas/<name>" resolved in components (the
// document's components.schemas). Other keywords are ignored. nullopt when it
// conforms; otherwise where and why not, e.g.
// "/request/status: \"x\" is not one of the enum".
std::optional<std::string> CheckAgainstSchema(const json::Json& value, const json::Json& schema,
                                              const json::Json& components);

}  // namespace xietong::http
