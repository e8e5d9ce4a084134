#include "http/api.h"

#include <fmt/core.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "http/errors.h"

namespace xietong::http {
namespace {

bool IsUnsafe(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Api::Api(identity::IdentityService& identity, storage::Database& db, const Clock& clock,
         IdGenerator& ids, ApiOptions options)
    : identity_(identity), db_(db), clock_(clock), ids_(ids), options_(std::move(options)) {
  if (!options_.web_root.empty()) static_files_ = std::make_unique<StaticFiles>(options_.web_root);

  router_.Add("GET", "/healthz", Auth::kPublic, [this](Request&) -> Result<Response> {
    // Healthy means the database answers, not merely that the process runs.
    XT_TRY_VOID(db_.Read([](storage::Executor& ex) { return ex.Query("SELECT 1"); }));
    return Response::Json(200, {{"status", "ok"}});
  });
  router_.Add("GET", "/metrics", Auth::kPublic, [this](Request&) -> Result<Response> {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.Render();
    return r;
  });
}

void Api::Seal() {
  for (const auto& r : router_.routes()) slots_[r.get()] = &metrics_.SlotFor(r->method, r->pattern);
  unmatched_slot_ = &metrics_.SlotFor("ANY", "unmatched");
  static_slot_ = &metrics_.SlotFor("GET", "static");
}

Result<void> Api::Authenticate(Request& req, Auth auth) {
  if (auth == Auth::kPublic) return {};
  std::string_view authorization = req.Header("authorization");
  if (authorization.starts_with("Bearer ")) {
    std::string_view token = authorization.substr(7);
    if (token.starts_with("xtk_")) {
      if (auth != Auth::kApiKey)
        return Fail(Error::PermissionDenied(
            "an API key cannot be used here; this action needs a person's login"));
      XT_ASSIGN_OR_RETURN(req.principal, identity_.AuthenticateApiKey(token));
      return {};
    }
    XT_ASSIGN_OR_RETURN(req.principal, identity_.Authenticate(token));
    return {};  // a bearer token is never sent by a browser on its own: no CSRF check
  }
  if (auto cookie = req.Cookie(kSessionCookie)) {
    XT_ASSIGN_OR_RETURN(req.principal, identity_.Authenticate(*cookie));
    if (IsUnsafe(req.method) &&
        !ConstantTimeEquals(req.Header("x-csrf-token"), req.principal->csrf_token))
      return Fail(Error::PermissionDenied(
          "missing or wrong X-CSRF-Token header: send the csrf_token you received at login"));
    return {};
  }
  return Fail(Error::Unauthenticated(
      "log in first: send the session cookie or 'Authorization: Bearer <token>'"));
}

Result<Response> Api::Dispatch(Request& req, const Match& match) {
  req.route = match.route->pattern;
  req.params = match.params;
  XT_TRY_VOID(Authenticate(req, match.route->auth));
  try {
    return match.route->handler(req);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", req.method, req.route, e.what());
    return Fail(Error::Internal("the handler failed unexpectedly"));
  }
}

Response Api::Handle(Request& req) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view incoming_id = req.Header("x-request-id");
  req.request_id = SaneRequestId(incoming_id) ? std::string(incoming_id) : ids_.Next();

  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : req.method;
  Match match = router_.Find(method, req.path);
  Metrics::Slot* slot = unmatched_slot_;
  Response res;
  if (match.route) {
    slot = slots_.at(match.route);
    auto r = Dispatch(req, match);
    res = r ? std::move(*r) : ErrorResponse(r.error(), req.request_id);
  } else if (!match.allowed_methods.empty()) {
    res = MethodNotAllowed(req.method, match.allowed_methods);
  } else if (static_files_ && method == "GET" && !req.path.starts_with("/api/") &&
             !req.path.starts_with("/open311/")) {
    auto file = static_files_->Serve(req.path);
    res = file ? std::move(*file) : RouteNotFound(req.method, req.path);
    slot = static_slot_;
  } else {
    res = RouteNotFound(req.method, req.path);
  }
  res.SetHeader("X-Request-Id", req.request_id);

  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  if (slot) Metrics::Record(*slot, res.status, micros);
  if (auto log = spdlog::get("access")) {
    json::Json line = {{"time", FormatRfc3339(clock_.Now())},
                       {"request_id", req.request_id},
                       {"method", req.method},
                       {"path", req.path},
                       {"route", req.route},
                       {"status", res.status},
                       {"micros", micros},
                       {"bytes", res.body.size()},
                       {"remote", req.remote}};
    if (req.principal) line["actor"] = req.principal->account_id;
    log->info(line.dump(-1, ' ', false, json::Json::error_handler_t::replace));
  }
  return res;
}

}  // namespace xietong::http
