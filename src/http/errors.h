// The one place where an Error becomes an HTTP status and the JSON body
// {"error":{"code","message"}}. 5xx answers never carry internals: their
// message is replaced by a fixed text naming the request id, and the real
// message goes to the log.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace xietong::http {

int StatusFor(ErrorCode code);
Response ErrorResponse(const Error& error, std::string_view request_id);
// Protocol-level answers that have no domain Error.
Response RouteNotFound(std::string_view method, std::string_view path);
Response MethodNotAllowed(std::string_view method, const std::vector<std::string>& allowed);
Response ProtocolError(int status, std::string_view code, std::string_view message);

}  // namespace xietong::http
