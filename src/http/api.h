// Api: everything every request goes through, in one place — request id,
// routing (404/405), authentication (cookie session with CSRF check, bearer
// token, API key), the handler, the one error mapping, metrics and the
// JSON-lines access log. Handlers only parse, call one service method and
// encode. Routes are registered at start-up; afterwards Handle is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/id.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/static_files.h"
#include "identity/identity_service.h"
#include "storage/database.h"

namespace xietong::http {

// The session cookie's name; HttpOnly, SameSite=Strict.
inline constexpr std::string_view kSessionCookie = "xt_session";

struct ApiOptions {
  std::string web_root;         // folder with index.html; empty: no static files
  bool secure_cookies = false;  // add the Secure flag (behind TLS)
};

class Api {
 public:
  Api(identity::IdentityService& identity, storage::Database& db, const Clock& clock,
      IdGenerator& ids, ApiOptions options);

  Router& router() { return router_; }
  // Call once after every route is registered.
  void Seal();
  Response Handle(Request& req);
  Metrics& metrics() { return metrics_; }
  const ApiOptions& options() const { return options_; }

 private:
  Result<Response> Dispatch(Request& req, const Match& match);
  Result<void> Authenticate(Request& req, Auth auth);

  identity::IdentityService& identity_;
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  ApiOptions options_;
  Router router_;
  Metrics metrics_;
  std::unique_ptr<StaticFiles> static_files_;
  std::map<const Route*, Metrics::Slot*> slots_;  // filled by Seal(), then read-only
  Metrics::Slot* unmatched_slot_ = nullptr;
  Metrics::Slot* static_slot_ = nullptr;
};

}  // namespace xietong::http
