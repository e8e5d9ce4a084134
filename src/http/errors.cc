#include "http/errors.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

namespace xietong::http {
namespace {

// Messages name their field the one way ("field 'x' …"); an Error that did
// not set `field` still tells the client which field it concerns.
std::string FieldNamedIn(std::string_view message) {
  constexpr std::string_view kMarker = "field '";
  const auto start = message.find(kMarker);
  if (start == std::string_view::npos) return {};
  const auto from = start + kMarker.size();
  const auto end = message.find('\'', from);
  if (end == std::string_view::npos || end == from || end - from > 64) return {};
  return std::string(message.substr(from, end - from));
}

}  // namespace

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kTooManyRequests:
      return 429;
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kUpstreamFailed:
      return 502;
    case ErrorCode::kUpstreamTimeout:
      return 504;
  }
  return 500;
}

Response ProtocolError(int status, std::string_view code, std::string_view message) {
  return Response::Json(status, {{"error", {{"code", code}, {"message", message}}}});
}

Response ErrorResponse(const Error& error, std::string_view request_id) {
  const int status = StatusFor(error.code);
  // A department's system that failed or timed out is named to the caller
  // (it is not our secret, and the caller must know whom to ask).
  if (status >= 500 && status != 502 && status != 504) {
    spdlog::error("request {} failed: {}: {}", request_id, ErrorCodeName(error.code),
                  error.message);
    const std::string message =
        status == 503
            ? fmt::format(
                  "the service is temporarily unavailable; try again shortly "
                  "(request {})",
                  request_id)
            : fmt::format("an internal error occurred; it was logged as request {}", request_id);
    Response r = ProtocolError(status, ErrorCodeName(error.code), message);
    if (status == 503) r.SetHeader("Retry-After", "5");
    return r;
  }
  json::Json body = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
  const std::string field = error.field.empty() ? FieldNamedIn(error.message) : error.field;
  if (!field.empty()) body["field"] = field;
  if (!error.reason.empty()) body["reason"] = error.reason;
  if (!error.details.empty()) {
    json::Json details = json::Json::array();
    for (const auto& d : error.details)
      details.push_back({{"field", d.field}, {"reason", d.reason}, {"message", d.message}});
    body["details"] = std::move(details);
  }
  Response r = Response::Json(status, {{"error", std::move(body)}});
  if (status == 401) r.SetHeader("WWW-Authenticate", "Bearer");
  return r;
}

Response RouteNotFound(std::string_view method, std::string_view path) {
  return ProtocolError(404, "not_found", fmt::format("there is no {} {}", method, path));
}

Response MethodNotAllowed(std::string_view method, const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& m : allowed) list += (list.empty() ? "" : ", ") + m;
  Response r = ProtocolError(405, "method_not_allowed",
                             fmt::format("{} is not allowed here; use {}", method, list));
  r.SetHeader("Allow", list);
  return r;
}

}  // namespace xietong::http
