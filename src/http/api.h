// Api: everything every request goes through, in one place — request id,
// routing (404/405), authentication (cookie session with CSRF check, bearer
// token, API key), the handler, the one error mapping, metrics and the
// JSON-lines access log. Handlers only parse, call one service method and
// encode. Routes are registered at start-up; afterwards Handle is thread-safe.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/id.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/openapi.h"
#include "http/router.h"
#include "http/static_files.h"
#include "identity/identity_service.h"
#include "storage/database.h"

namespace spdlog {
class logger;
}

namespace xietong::http {

// The session cookie's name; HttpOnly, SameSite=Strict.
inline constexpr std::string_view kSessionCookie = "xt_session";

struct ApiOptions {
  std::string web_root;         // folder with index.html; empty: no static files
  bool secure_cookies = false;  // add the Secure flag (behind TLS)
  // GET /metrics: with a token, only for 'Authorization: Bearer <token>';
  // without one, only for clients on the loopback interface.
  std::string metrics_token;
  OpenApiInfo openapi{};  // the info and server of GET /api/v1/openapi.json
};

// Whether a remote address (as the server reports it) is on the loopback
// interface: 127.0.0.0/8, ::1 or an IPv4-mapped 127.x.
bool IsLoopback(std::string_view remote);

class Api {
 public:
  Api(identity::IdentityService& identity, storage::Database& db, const Clock& clock,
      IdGenerator& ids, ApiOptions options);

  Router& router() { return router_; }
  // Call once after every route is registered. Writes the OpenAPI document
  // (GET /api/v1/openapi.json) from the routes as they are then.
  void Seal();
  // The document Seal wrote.
  const json::Json& openapi() const { return openapi_; }
  Response Handle(Request& req);
  // For a request whose body is large (an upload), before the body is read
  // (Server::BodyGate): an unknown route or a caller the route would not
  // authenticate is answered now; nullopt lets the body be read.
  std::optional<Response> CheckBeforeBody(Request& req);
  // A WebSocket upgrade (a GET) to a path the caller serves, checked as a
  // route's request is: request id, login by session cookie or bearer token
  // (no CSRF token: the handshake is a GET whose answer another site cannot
  // read). Browsers let any site open a WebSocket anywhere, so a request
  // with an Origin must come from the Host it is sent to (cross-site
  // WebSocket hijacking; a proxy in front must pass Host on). Counted and
  // access-logged under the path (status 101 when accepted). The principal,
  // or the answer that refuses it.
  std::expected<identity::Principal, Response> AcceptUpgrade(Request& req);
  Metrics& metrics() { return metrics_; }
  // More Prometheus text for /metrics (e.g. the consumers' lag); call before
  // Seal. Each source is called on every scrape.
  void AddMetricsSource(std::function<std::string()> render) {
    metrics_sources_.push_back(std::move(render));
  }
  const Clock& clock() const { return clock_; }
  const ApiOptions& options() const { return options_; }

 private:
  Result<Response> Dispatch(Request& req, const Match& match);
  Result<void> Authenticate(Request& req, Auth auth);
  void NewRequestId(Request& req);
  // Metrics and the access line of one answered request.
  void Record(const Request& req, int status, std::size_t bytes, Metrics::Slot* slot,
              std::chrono::steady_clock::time_point started);

  identity::IdentityService& identity_;
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  ApiOptions options_;
  Router router_;
  Metrics metrics_;
  std::vector<std::function<std::string()>> metrics_sources_;  // set before Seal
  std::unique_ptr<StaticFiles> static_files_;
  std::map<const Route*, Metrics::Slot*> slots_;  // filled by Seal(), then read-only
  Metrics::Slot* unmatched_slot_ = nullptr;
  Metrics::Slot* static_slot_ = nullptr;
  json::Json openapi_;        // written by Seal(), then read-only
  std::string openapi_body_;  // the same, as served
  // The "access" logger when the process set one up before building the Api.
  std::shared_ptr<spdlog::logger> access_log_;
};

}  // namespace xietong::http
