// Serves the web application's files from one folder, with the right
// Content-Type, and answers unknown page paths with index.html so the
// single-page app can route them. Never serves outside its folder.
// Where the build left a precompressed copy beside a file (name.br,
// name.gz) and the client accepts that encoding, the copy is sent as it is,
// with Content-Encoding and Vary: Accept-Encoding.
// Read-only after construction; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "http/message.h"

namespace xietong::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  // nullopt when the path names no file and is not a page path.
  // accept_encoding: the request's Accept-Encoding header.
  std::optional<Response> Serve(std::string_view path, std::string_view accept_encoding = {}) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

std::string_view ContentTypeFor(std::string_view path);
// Whether an Accept-Encoding header accepts `coding` ("br", "gzip"): named
// (or "*") with a q-value above 0.
bool AcceptsEncoding(std::string_view accept_encoding, std::string_view coding);

// Sent with every file of the web application.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

}  // namespace xietong::http
