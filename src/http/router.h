// Router: method + path pattern → handler. Patterns are literal segments and
// {name} parameters ("/api/v1/units/{id}"); a literal segment wins over a
// parameter at the same place. Each route carries its documentation
// (RouteDoc), given where the handler is registered, from which openapi.h
// writes the API's OpenAPI document. Built at start-up, then read-only:
// thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "http/message.h"

namespace xietong::http {

enum class Auth {
  kPublic,    // anyone (login, health, static files)
  kRequired,  // a session or bearer token
  kApiKey,    // a session, a bearer token or an API key of another system
};

using Handler = std::function<Result<Response>(Request&)>;

// A path or query parameter or a header: its name, the JSON Schema of its
// value and what it means.
struct ParamDoc {
  std::string name{};
  std::string description{};
  json::Json schema = {{"type", "string"}};
  bool required = false;
};

// A body, sent or answered: its media type and the JSON Schema of its content.
struct BodyDoc {
  std::string media_type = "application/json";
  json::Json schema{};
};

// One answer that is not an error.
struct AnswerDoc {
  int status = 200;
  std::string description{};
  std::vector<BodyDoc> content{};   // empty: no body (204, 101)
  std::vector<ParamDoc> headers{};  // ETag, Location, …
};

// What a route says about itself, given where its handler is registered.
// The pipeline's own answers are added by the document (openapi.h), not
// listed here: 401 and 403 where a login is needed, 413 where a body is
// taken, 500 everywhere, 503 where the errors are the API's own shape.
struct RouteDoc {
  std::string summary{};     // one line, English
  std::string summary_zh{};  // the same in Chinese
  std::string tag{};         // the module: identity, matters, requests, …
  std::string description{};
  std::vector<ParamDoc> path{};  // what the {name} segments are; any left out is a plain string
  std::vector<ParamDoc> query{};
  std::vector<ParamDoc> headers{};  // Idempotency-Key, If-Match, …
  std::vector<BodyDoc> body{};      // the media types it takes; empty: no body
  bool body_required = true;
  std::vector<AnswerDoc> answers{};  // the usual success first
  std::vector<int> errors{};         // statuses the handler itself may answer with an error
  // The error body of this route's own errors; empty: {"error":{code,message}}.
  std::vector<BodyDoc> error_body{};
  // Names of security schemes when the handler authenticates by itself
  // (Open311's api_key), "" for "or none"; empty: derived from the route's Auth.
  std::vector<std::string> security{};
  json::Json extensions = json::Json::object();  // "x-…" members of the operation
};

struct Route {
  std::string method;
  std::string pattern;
  Auth auth;
  Handler handler;
  std::vector<std::string> segments;  // split pattern
  std::optional<RouteDoc> doc;        // nullopt: undocumented (openapi_test fails)
};

struct Match {
  const Route* route = nullptr;              // set when found
  std::vector<std::string> allowed_methods;  // set when the path exists with other methods
  std::map<std::string, std::string, std::less<>> params;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Auth auth, RouteDoc doc, Handler handler);
  // Without documentation: for tests of the router; every route the server
  // serves is documented (openapi_test checks).
  void Add(std::string method, std::string pattern, Auth auth, Handler handler);
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace xietong::http
