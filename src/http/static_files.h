// Serves the web application's files from one folder, with the right
// Content-Type, and answers unknown page paths with index.html so the
// single-page app can route them. Never serves outside its folder.
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
  std::optional<Response> Serve(std::string_view path) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

std::string_view ContentTypeFor(std::string_view path);

}  // namespace xietong::http
