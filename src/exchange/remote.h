// The gateway's call to a remote resource: the owning department's system
// answers GET <endpoint>/<key> with a JSON object of the record's fields
// (404 when it has no such record), like an X-Road security server calls
// the provider. One attempt, a hard deadline, and a clear error: a timeout
// is kUpstreamTimeout (504 to the caller), anything else that is not a JSON
// object within 1 MiB is kUpstreamFailed (502). No retry here: the caller
// decides, so a slow owner is not hit by a retry storm. http:// only.
// Thread-safe (each call has its own connection).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/result.h"

namespace xietong::exchange {

Result<std::optional<json::Json>> FetchRemote(const std::string& endpoint, const std::string& key,
                                              std::chrono::milliseconds timeout);

// POSTs body to url (http:// or https://, the server's certificate checked
// against the system's CA store and the host name) with these headers, one
// attempt under one deadline; answers the HTTP status, whatever it is (the
// caller decides what counts as delivered). kUpstreamTimeout when no answer
// came in time, kUpstreamFailed when none came at all. For outbound
// webhooks (collab notifications). Thread-safe.
Result<int> PostRemote(const std::string& url, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::chrono::milliseconds timeout);

// "%"-encodes everything but unreserved characters (RFC 3986 §2.3).
std::string PercentEncode(std::string_view s);

}  // namespace xietong::exchange
