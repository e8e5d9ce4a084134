// Router: method + path pattern → handler. Patterns are literal segments and
// {name} parameters ("/api/v1/units/{id}"); a literal segment wins over a
// parameter at the same place. Built at start-up, then read-only: thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"

namespace xietong::http {

enum class Auth {
  kPublic,    // anyone (login, health, static files)
  kRequired,  // a session or bearer token
  kApiKey,    // a session, a bearer token or an API key of another system
};

using Handler = std::function<Result<Response>(Request&)>;

struct Route {
  std::string method;
  std::string pattern;
  Auth auth;
  Handler handler;
  std::vector<std::string> segments;  // split pattern
};

struct Match {
  const Route* route = nullptr;              // set when found
  std::vector<std::string> allowed_methods;  // set when the path exists with other methods
  std::map<std::string, std::string, std::less<>> params;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Auth auth, Handler handler);
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace xietong::http
