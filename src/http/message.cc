#include "http/message.h"

#include <fmt/core.h>
#include <boost/beast/http/status.hpp>

#include <charconv>
#include <iterator>

namespace xietong::http {

std::string_view Request::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string_view{} : std::string_view(it->second);
}

std::optional<std::string> Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  std::string_view all = Header("cookie");
  while (!all.empty()) {
    auto semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    all = semi == std::string_view::npos ? std::string_view{} : all.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string(part.substr(eq + 1));
  }
  return std::nullopt;
}

std::string_view Request::Param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view{} : std::string_view(it->second);
}

Response Response::Json(int status, const json::Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::Json::error_handler_t::replace);
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

void Response::SetHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

Result<json::Json> JsonBody(const Request& req) {
  std::string_view type = req.Header("content-type");
  if (!type.starts_with("application/json"))
    return Fail(
        Error::InvalidArgument("send the body as JSON with 'Content-Type: application/json'"));
  return json::ParseObject(req.body);
}

std::string VersionETag(std::int64_t version) { return fmt::format("\"{}\"", version); }

Result<std::optional<std::int64_t>> IfMatchVersion(const Request& req) {
  std::string_view v = req.Header("if-match");
  if (v.empty()) return std::optional<std::int64_t>{};
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  // "0" is what a thing not stored yet carries (a unit's participation settings
  // before their first change); anything else that exists is at 1 or more.
  if (ec != std::errc() || p != v.data() + v.size() || n < 0)
    return Fail(
        Error::InvalidArgument("'If-Match' must be an ETag this server gave out, like \"3\""));
  return std::optional<std::int64_t>{n};
}

Result<std::int64_t> RequireIfMatch(const Request& req, std::string_view what) {
  XT_ASSIGN_OR_RETURN(auto version, IfMatchVersion(req));
  if (!version)
    return Fail(Error::InvalidArgument(
        fmt::format("send 'If-Match' with the ETag from reading the {}, so changes by others "
                    "are not overwritten",
                    what)));
  return *version;
}

Result<json::Json> OptionalJsonBody(const Request& req) {
  if (req.body.empty()) return json::Json::object();
  return JsonBody(req);
}

Result<std::string> TextField(const json::Json& body, std::string_view field, bool required,
                              std::size_t max) {
  if (required) return json::RequireString(body, field, {1, max});
  XT_ASSIGN_OR_RETURN(auto v, json::OptionalString(body, field, {0, max}));
  return v.value_or("");
}

Result<int> LimitParam(const Request& req) {
  auto v = req.Query("limit");
  if (!v) return 50;
  int n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 1 || n > 500)
    return Fail(Error::InvalidArgument(
        fmt::format("'limit' must be a number from 1 to 500, not '{}'", *v)));
  return n;
}

std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      unsigned v = 0;
      auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      if (ec != std::errc() || p != in.data() + i + 3) return std::nullopt;
      out.push_back(static_cast<char>(v));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (json::FindInvalidUtf8(out)) return std::nullopt;
  return out;
}

bool ParseTarget(std::string_view target, std::string& path,
                 std::vector<std::pair<std::string, std::string>>& query) {
  auto q = target.find('?');
  auto p = PercentDecode(target.substr(0, q), false);
  if (!p || p->empty() || p->front() != '/') return false;
  path = std::move(*p);
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto k = PercentDecode(pair.substr(0, eq), true);
    auto v = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!k || !v) return false;
    query.emplace_back(std::move(*k), std::move(*v));
  }
  return true;
}

namespace {

std::string_view ReasonPhrase(int status) {
  const auto known = boost::beast::http::int_to_status(static_cast<unsigned>(status));
  const auto text = boost::beast::http::obsolete_reason(known);
  return {text.data(), text.size()};
}

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  const std::size_t from = out.size();
  out += value;
  for (std::size_t i = from; i < out.size(); ++i)
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  out += "\r\n";
}

}  // namespace

std::string WireBytes(const Response& res, bool keep_alive, bool head) {
  std::string out;
  out.reserve(256 + res.body.size());
  fmt::format_to(std::back_inserter(out), "HTTP/1.1 {} {}\r\nServer: xietong\r\n", res.status,
                 ReasonPhrase(res.status));
  if (!res.content_type.empty())
    AppendHeader(out, "Content-Type",
                 res.content_type == "application/json" ? "application/json; charset=utf-8"
                                                        : std::string_view(res.content_type));
  for (const auto& [name, value] : res.headers) AppendHeader(out, name, value);
  const bool bodiless = res.status < 200 || res.status == 204 || res.status == 304;
  if (!bodiless) fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", res.body.size());
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head && !bodiless) out += res.body;
  return out;
}

}  // namespace xietong::http
