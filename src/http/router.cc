#include "http/router.h"

#include <algorithm>

namespace xietong::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool IsParam(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

// Score of a match: more literal segments is more specific; -1 when no match.
int MatchScore(const Route& r, const std::vector<std::string_view>& parts,
               std::map<std::string, std::string, std::less<>>* params) {
  if (r.segments.size() != parts.size()) return -1;
  int score = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = r.segments[i];
    if (IsParam(seg)) {
      if (parts[i].empty()) return -1;
      if (params) params->emplace(seg.substr(1, seg.size() - 2), std::string(parts[i]));
    } else if (seg == parts[i]) {
      score += 1 << (parts.size() - i);  // earlier literals weigh more
    } else {
      return -1;
    }
  }
  return score;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Auth auth, RouteDoc doc,
                 Handler handler) {
  Add(std::move(method), std::move(pattern), auth, std::move(handler));
  routes_.back()->doc = std::move(doc);
}

void Router::Add(std::string method, std::string pattern, Auth auth, Handler handler) {
  auto route = std::make_unique<Route>();
  for (auto s : Split(pattern)) route->segments.emplace_back(s);
  route->method = std::move(method);
  route->pattern = std::move(pattern);
  route->auth = auth;
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  const auto parts = Split(path);
  int best = -1;
  for (const auto& r : routes_) {
    const int score = MatchScore(*r, parts, nullptr);
    if (score < 0) continue;
    if (r->method != method) {
      if (std::find(m.allowed_methods.begin(), m.allowed_methods.end(), r->method) ==
          m.allowed_methods.end())
        m.allowed_methods.push_back(r->method);
      continue;
    }
    if (score > best) {
      best = score;
      m.route = r.get();
    }
  }
  if (m.route) {
    m.allowed_methods.clear();
    MatchScore(*m.route, parts, &m.params);
  }
  return m;
}

}  // namespace xietong::http
