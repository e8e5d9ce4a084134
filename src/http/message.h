// Request and Response as handlers see them: plain values, no Beast types,
// so handlers stay short and compile fast. The server fills a Request from
// the wire; the pipeline adds the request id, path parameters and principal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "identity/identity.h"

namespace xietong::http {

struct Request {
  std::string method;                                      // "GET", "POST", …
  std::string target;                                      // path and query as sent
  std::string path;                                        // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::unordered_map<std::string, std::string> headers;    // names lower-cased
  std::string body;
  std::string remote;  // peer address

  // Set by the pipeline.
  std::string request_id;
  std::string route;  // the matched pattern, e.g. "/api/v1/units/{id}"
  std::map<std::string, std::string, std::less<>> params;
  std::optional<identity::Principal> principal;

  std::string_view Header(std::string_view lower_name) const;
  std::optional<std::string> Query(std::string_view name) const;
  std::optional<std::string> Cookie(std::string_view name) const;
  std::string_view Param(std::string_view name) const;
  // The principal; the pipeline guarantees it for routes that require login.
  const identity::Principal& actor() const { return *principal; }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response Json(int status, const json::Json& body);
  static Response NoContent();
  void SetHeader(std::string name, std::string value);
};

// Parses the body as a JSON object; requires Content-Type: application/json.
Result<json::Json> JsonBody(const Request& req);
// The same, or an empty object when there is no body (commands whose body is optional).
Result<json::Json> OptionalJsonBody(const Request& req);
// A string member of a body: required (1..max characters) or optional ("" when absent).
Result<std::string> TextField(const json::Json& body, std::string_view field, bool required,
                              std::size_t max = 2000);
// "limit" query parameter: default 50, 1..500.
Result<int> LimitParam(const Request& req);

// The ETag of a resource's version: "\"7\"".
std::string VersionETag(std::int64_t version);
// The version in If-Match ("\"7\"", W/"7" or 7); nullopt when the header is absent.
Result<std::optional<std::int64_t>> IfMatchVersion(const Request& req);
// The same, required: an absent header says to read `what` first.
Result<std::int64_t> RequireIfMatch(const Request& req, std::string_view what);

// The bytes of an HTTP/1.1 answer: status line, Server, Content-Type
// (JSON with its charset), the response's headers, Content-Length (none for
// 1xx, 204 and 304), "Connection: close" unless keep_alive, then the body
// (not for HEAD, whose Content-Length is still the body's). CR and LF in a
// header value become spaces: no value can start another header.
std::string WireBytes(const Response& res, bool keep_alive, bool head);

// Percent-decoding of a path or query component ('+' is a space only in queries).
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);
// Splits a target into path and decoded query pairs; nullopt when malformed.
bool ParseTarget(std::string_view target, std::string& path,
                 std::vector<std::pair<std::string, std::string>>& query);

}  // namespace xietong::http
