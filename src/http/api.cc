#include "http/api.h"

#include <fmt/core.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>

#include "http/api_schemas.h"
#include "http/errors.h"

namespace xietong::http {
namespace {

// s as a JSON string: printable ASCII as it is, anything else through the
// JSON library (escapes, and U+FFFD for bytes that are not UTF-8).
void AppendJsonString(std::string& out, std::string_view s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; });
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += json::Json(std::string(s)).dump(-1, ' ', false, json::Json::error_handler_t::replace);
}

// The clock's current second in RFC 3339, formatted once per second per thread.
std::string_view CurrentSecond(const Clock& clock) {
  thread_local Timestamp second = -1;
  thread_local std::string text;
  const Timestamp now = clock.Now() / kMicrosPerSecond;
  if (now != second) {
    text = FormatRfc3339(now * kMicrosPerSecond);
    second = now;
  }
  return text;
}

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

// Whether an Origin ("https://host:port") names the Host header's
// authority, ignoring case and the scheme's default port. "null" and other
// opaque origins name no host.
bool SameOrigin(std::string_view origin, std::string_view host) {
  const auto sep = origin.find("://");
  if (sep == std::string_view::npos || host.empty()) return false;
  const std::string_view scheme = origin.substr(0, sep);
  std::string_view authority = origin.substr(sep + 3);
  authority = authority.substr(0, authority.find('/'));
  const std::string_view default_port =
      scheme == "https" ? ":443" : (scheme == "http" ? ":80" : "");
  auto normal = [&](std::string_view a) {
    std::string out(a);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!default_port.empty() && out.ends_with(default_port))
      out.resize(out.size() - default_port.size());
    return out;
  };
  return normal(authority) == normal(host);
}

}  // namespace

bool IsLoopback(std::string_view remote) {
  if (remote.starts_with("::ffff:")) remote.remove_prefix(7);
  return remote.starts_with("127.") || remote == "::1";
}

Api::Api(identity::IdentityService& identity, storage::Database& db, const Clock& clock,
         IdGenerator& ids, ApiOptions options)
    : identity_(identity),
      db_(db),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)),
      access_log_(spdlog::get("access")) {
  if (!options_.web_root.empty()) static_files_ = std::make_unique<StaticFiles>(options_.web_root);

  router_.Add("GET", "/healthz", Auth::kPublic,
              {.summary = "Whether the server and its database answer",
               .summary_zh = "健康检查",
               .tag = "operations",
               .answers = {doc::Ok(doc::Object({{"status", {{"const", "ok"}}}}, {"status"}))}},
              [this](Request&) -> Result<Response> {
                // Healthy means the database answers, not merely that the process runs.
                XT_TRY_VOID(db_.Read([](storage::Executor& ex) { return ex.Query("SELECT 1"); }));
                return Response::Json(200, {{"status", "ok"}});
              });
  router_.Add(
      "GET", "/metrics", Auth::kPublic,
      {.summary = "Prometheus metrics: with the server's --metrics-token, or from loopback",
       .summary_zh = "运行指标 (Prometheus)",
       .tag = "operations",
       .answers = {{200,
                    "Prometheus text exposition format",
                    {{"text/plain; version=0.0.4; charset=utf-8", doc::String()}},
                    {}}},
       .errors = {401, 403},
       .security = {"metrics_token", ""}},
      [this](Request& req) -> Result<Response> {
        // What the server does is not for everyone to read: a token, or loopback
        // (a Prometheus on the same host, or behind the same proxy with a token).
        if (!options_.metrics_token.empty()) {
          std::string_view auth = req.Header("authorization");
          if (!auth.starts_with("Bearer ") ||
              !ConstantTimeEquals(auth.substr(7), options_.metrics_token))
            return Fail(Error::Unauthenticated(
                "/metrics needs 'Authorization: Bearer <the server's --metrics-token>'"));
        } else if (!IsLoopback(req.remote) || !req.Header("x-forwarded-for").empty() ||
                   !req.Header("forwarded").empty()) {
          // Through a proxy on this host the peer is loopback too: not enough.
          return Fail(Error::PermissionDenied(
              "/metrics answers only on the loopback interface; start serve with --metrics-token "
              "to read it from elsewhere"));
        }
        Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics_.Render();
        for (const auto& source : metrics_sources_) r.body += source();
        return r;
      });
  // Written by Seal() from every route, this one too.
  router_.Add(
      "GET", "/api/v1/openapi.json", Auth::kPublic,
      {.summary = "This API's OpenAPI 3.1 document, written from its routes",
       .summary_zh = "接口说明 (OpenAPI 3.1)",
       .tag = "operations",
       .answers = {doc::Ok(doc::Object({{"openapi", {{"const", "3.1.0"}}},
                                        {"info", {{"type", "object"}}},
                                        {"paths", {{"type", "object"}}},
                                        {"components", {{"type", "object"}}}},
                                       {"openapi", "info", "paths", "components"}, false))}},
      [this](Request&) -> Result<Response> {
        Response r;
        r.body = openapi_body_;
        return r;
      });
}

void Api::Seal() {
  for (const auto& r : router_.routes()) slots_[r.get()] = &metrics_.SlotFor(r->method, r->pattern);
  unmatched_slot_ = &metrics_.SlotFor("ANY", "unmatched");
  static_slot_ = &metrics_.SlotFor("GET", "static");
  openapi_ = OpenApiDocument(router_, options_.openapi);
  openapi_body_ = openapi_.dump(-1, ' ', false, json::Json::error_handler_t::replace);
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

void Api::NewRequestId(Request& req) {
  std::string_view incoming_id = req.Header("x-request-id");
  req.request_id = SaneRequestId(incoming_id) ? std::string(incoming_id) : ids_.Next();
}

std::expected<identity::Principal, Response> Api::AcceptUpgrade(Request& req) {
  const auto started = std::chrono::steady_clock::now();
  NewRequestId(req);
  req.route = req.path;
  auto checked = [&]() -> Result<void> {
    if (req.method != "GET") return Fail(Error::InvalidArgument("a WebSocket is opened with GET"));
    std::string_view origin = req.Header("origin");
    if (!origin.empty() && !SameOrigin(origin, req.Header("host")))
      return Fail(Error::PermissionDenied(fmt::format(
          "a WebSocket opened from another site ({}) is refused: open it from this server's pages",
          origin)));
    return Authenticate(req, Auth::kRequired);
  }();
  Metrics::Slot* slot = &metrics_.SlotFor("GET", req.path);
  if (!checked) {
    Response res = ErrorResponse(checked.error(), req.request_id);
    res.SetHeader("X-Request-Id", req.request_id);
    Record(req, res.status, res.body.size(), slot, started);
    return std::unexpected(std::move(res));
  }
  Record(req, 101, 0, slot, started);
  return *req.principal;
}

Response Api::Handle(Request& req) {
  const auto started = std::chrono::steady_clock::now();
  NewRequestId(req);

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
    auto file = static_files_->Serve(req.path, req.Header("accept-encoding"));
    res = file ? std::move(*file) : RouteNotFound(req.method, req.path);
    slot = static_slot_;
  } else {
    res = RouteNotFound(req.method, req.path);
  }
  res.SetHeader("X-Request-Id", req.request_id);
  Record(req, res.status, res.body.size(), slot, started);
  return res;
}

std::optional<Response> Api::CheckBeforeBody(Request& req) {
  const auto started = std::chrono::steady_clock::now();
  NewRequestId(req);
  Match match = router_.Find(req.method, req.path);
  Response res;
  if (!match.route) {
    res = match.allowed_methods.empty() ? RouteNotFound(req.method, req.path)
                                        : MethodNotAllowed(req.method, match.allowed_methods);
  } else if (auto auth = Authenticate(req, match.route->auth); !auth) {
    res = ErrorResponse(auth.error(), req.request_id);
  } else {
    return std::nullopt;  // authenticated again with the body, as every request is
  }
  res.SetHeader("X-Request-Id", req.request_id);
  Record(req, res.status, res.body.size(), match.route ? slots_.at(match.route) : unmatched_slot_,
         started);
  return res;
}

void Api::Record(const Request& req, int status, std::size_t bytes, Metrics::Slot* slot,
                 std::chrono::steady_clock::time_point started) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  if (slot) Metrics::Record(*slot, status, micros);
  if (!access_log_) return;
  // Written straight into one buffer: building a JSON object per request
  // showed in the read path's profile. The same line as json::Json would give.
  std::string line;
  line.reserve(256);
  line += "{\"time\":";
  AppendJsonString(line, CurrentSecond(clock_));
  line += ",\"request_id\":";
  AppendJsonString(line, req.request_id);
  line += ",\"method\":";
  AppendJsonString(line, req.method);
  line += ",\"path\":";
  AppendJsonString(line, req.path);
  line += ",\"route\":";
  AppendJsonString(line, req.route);
  fmt::format_to(std::back_inserter(line),
                 ",\"status\":{},\"micros\":{},\"bytes\":{},\"remote\":", status, micros, bytes);
  AppendJsonString(line, req.remote);
  if (req.principal) {
    line += ",\"actor\":";
    AppendJsonString(line, req.principal->account_id);
  }
  line += '}';
  access_log_->info(std::string_view(line));
}

}  // namespace xietong::http
