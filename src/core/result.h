// Result<T> and Error: how every expected failure travels in xietong.
//
// Expected failures (bad input, missing rows, forbidden actions, a database
// that is down) are values, never exceptions. Exceptions thrown by libraries
// are caught at the adapter that calls them and turned into an Error there.
// Error messages are written for the person who must change something: they
// name the field, the id or the allowed alternatives. Thread-safe: plain values.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xietong {

enum class ErrorCode {
  kInvalidArgument,   // the caller sent something wrong; the message says what
  kNotFound,          // the id or name does not exist (or is invisible to the caller)
  kConflict,          // the state does not allow it now: stale version, forbidden transition
  kPermissionDenied,  // authenticated, but outside the caller's roles or scope
  kUnauthenticated,   // no valid session, token or key
  kTooLarge,          // a body or a file is larger than the limit
  kTooManyRequests,   // throttled (e.g. repeated failed logins); the message says when to retry
  kUnavailable,       // a dependency (database, disk) cannot be reached now; retrying may work
  kUpstreamFailed,    // another system we called answered with an error or garbage (502)
  kUpstreamTimeout,   // another system we called did not answer in time (504)
  kInternal,          // a bug or an invariant broken; details go to the log, not to the caller
};

// The wire name of a code, e.g. "invalid_argument".
std::string_view ErrorCodeName(ErrorCode code);

// One of several problems of the same input (a form with three bad fields):
// the field, its reason and a message, each as in Error.
struct ErrorDetail {
  std::string field;
  std::string reason;
  std::string message;
};

struct Error {
  ErrorCode code;
  std::string message;
  // Optional, for clients that show errors in their own words: the request
  // field the error concerns (e.g. "text", "location.lat") and a stable
  // reason within the code (e.g. "required", "empty", "too_long",
  // "wrong_credentials"). The message stays the English explanation.
  std::string field = {};
  std::string reason = {};
  // Every problem when there are several (field and reason name the first).
  std::vector<ErrorDetail> details = {};

  // The same error, naming the field and reason.
  Error About(std::string f, std::string r = {}) && {
    field = std::move(f);
    reason = std::move(r);
    return std::move(*this);
  }

  static Error InvalidArgument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
  }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Error PermissionDenied(std::string m) {
    return {ErrorCode::kPermissionDenied, std::move(m)};
  }
  static Error Unauthenticated(std::string m) {
    return {ErrorCode::kUnauthenticated, std::move(m)};
  }
  static Error TooLarge(std::string m) { return {ErrorCode::kTooLarge, std::move(m)}; }
  static Error TooManyRequests(std::string m) {
    return {ErrorCode::kTooManyRequests, std::move(m)};
  }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error UpstreamFailed(std::string m) { return {ErrorCode::kUpstreamFailed, std::move(m)}; }
  static Error UpstreamTimeout(std::string m) {
    return {ErrorCode::kUpstreamTimeout, std::move(m)};
  }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for returning an error from a function that returns Result<T>.
inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace xietong

// XT_TRY_VOID(expr): evaluates a Result; on error returns it from the enclosing function.
#define XT_CONCAT_INNER(a, b) a##b
#define XT_CONCAT(a, b) XT_CONCAT_INNER(a, b)
#define XT_TRY_VOID(expr) XT_TRY_IMPL(XT_CONCAT(xt_try_, __COUNTER__), expr)
#define XT_TRY_IMPL(tmp, expr)                                                     \
  do {                                                                             \
    if (auto tmp = (expr); !tmp) return ::std::unexpected(std::move(tmp.error())); \
  } while (0)
// XT_ASSIGN_OR_RETURN(auto x, expr): binds the value of a Result or returns its error.
#define XT_ASSIGN_OR_RETURN(lhs, expr) XT_ASSIGN_IMPL(XT_CONCAT(xt_res_, __COUNTER__), lhs, expr)
#define XT_ASSIGN_IMPL(tmp, lhs, expr)                        \
  auto tmp = (expr);                                          \
  if (!tmp) return ::std::unexpected(std::move(tmp.error())); \
  lhs = std::move(*tmp)
