#include "http/openapi.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <regex>

#include "core/clock.h"
#include "http/api.h"
#include "http/api_schemas.h"

namespace xietong::http {
namespace {

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "POST /api/v1/requests/{id}/{command}" → "post_api_v1_requests_id_command".
std::string OperationId(const Route& r) {
  std::string id = Lower(r.method);
  for (const auto& segment : r.segments) {
    id += '_';
    for (char c : segment)
      if (std::isalnum(static_cast<unsigned char>(c))) id += c;
  }
  return id;
}

std::string_view StatusText(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "The request is not valid; the message says what to change";
    case 401:
      return "Not logged in: send the session cookie or 'Authorization: Bearer <token>'";
    case 403:
      return "Not allowed: outside the caller's roles or units, a missing X-CSRF-Token on a "
             "cookie's write, or an API key where a person must act";
    case 404:
      return "It does not exist, or the caller may not see it";
    case 409:
      return "The state does not allow it now (a stale If-Match version, a command the status "
             "does not take); the message says what is allowed";
    case 413:
      return "The body is larger than the server takes";
    case 415:
      return "The body is not of a media type this operation takes; the message names it";
    case 422:
      return "Understood but refused: every problem is listed in the error's details";
    case 426:
      return "Open it as a WebSocket";
    case 429:
      return "Too many tries; the message says when to try again";
    case 500:
      return "An internal error; the message names the request id it was logged under";
    case 502:
      return "Another department's system answered with an error or garbage; the message names it";
    case 503:
      return "The service is unavailable for a moment (Retry-After)";
    case 504:
      return "Another department's system did not answer in time; the message names it";
  }
  return "";
}

json::Json Content(const std::vector<BodyDoc>& bodies) {
  json::Json content = json::Json::object();
  for (const auto& b : bodies) content[b.media_type] = {{"schema", b.schema}};
  return content;
}

json::Json Parameter(const ParamDoc& p, std::string_view in) {
  json::Json j = {{"name", p.name}, {"in", in}, {"required", p.required}, {"schema", p.schema}};
  if (!p.description.empty()) j["description"] = p.description;
  return j;
}

json::Json Headers(const std::vector<ParamDoc>& headers) {
  json::Json out = json::Json::object();
  for (const auto& h : headers) {
    json::Json j = {{"schema", h.schema}};
    if (!h.description.empty()) j["description"] = h.description;
    out[h.name] = std::move(j);
  }
  return out;
}

json::Json Answer(const AnswerDoc& a) {
  json::Json j = {
      {"description", a.description.empty() ? std::string(StatusText(a.status)) : a.description}};
  if (!a.content.empty()) j["content"] = Content(a.content);
  if (!a.headers.empty()) j["headers"] = Headers(a.headers);
  return j;
}

bool IsUnsafe(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

json::Json Security(const Route& r) {
  json::Json any = json::Json::array();
  if (r.doc && !r.doc->security.empty()) {
    for (const auto& scheme : r.doc->security)
      any.push_back(scheme.empty() ? json::Json::object()  // {}: without a credential too
                                   : json::Json{{scheme, json::Json::array()}});
    return any;
  }
  if (r.auth == Auth::kPublic) return any;  // [] : no credential
  any.push_back({{"bearer", json::Json::array()}});
  json::Json session = {{"session", json::Json::array()}};
  if (IsUnsafe(r.method)) session["csrf"] = json::Json::array();
  any.push_back(std::move(session));
  if (r.auth == Auth::kApiKey) any.push_back({{"api_key", json::Json::array()}});
  return any;
}

json::Json Operation(const Route& r) {
  json::Json op = {{"operationId", OperationId(r)}};
  op["security"] = Security(r);
  json::Json parameters = json::Json::array();
  const RouteDoc* d = r.doc ? &*r.doc : nullptr;
  for (const auto& segment : r.segments) {
    if (!IsParam(segment)) continue;
    const std::string name = segment.substr(1, segment.size() - 2);
    ParamDoc p{name, "", {{"type", "string"}, {"minLength", 1}}, true};
    if (d)
      for (const auto& given : d->path)
        if (given.name == name) p = given;
    p.required = true;  // a path parameter always is
    parameters.push_back(Parameter(p, "path"));
  }
  if (!d) {
    op["summary"] = "(undocumented)";
    op["x-undocumented"] = true;
    if (!parameters.empty()) op["parameters"] = std::move(parameters);
    return op;
  }
  op["summary"] = d->summary;
  std::string description = d->summary_zh;
  if (!d->description.empty()) description += (description.empty() ? "" : "\n\n") + d->description;
  if (!description.empty()) op["description"] = description;
  if (!d->summary_zh.empty()) op["x-summary-zh"] = d->summary_zh;
  if (!d->tag.empty()) op["tags"] = json::Json::array({d->tag});
  for (const auto& q : d->query) parameters.push_back(Parameter(q, "query"));
  for (const auto& h : d->headers) parameters.push_back(Parameter(h, "header"));
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  if (!d->body.empty())
    op["requestBody"] = {{"required", d->body_required}, {"content", Content(d->body)}};

  json::Json responses = json::Json::object();
  for (const auto& a : d->answers) responses[std::to_string(a.status)] = Answer(a);
  const bool own_errors = !d->error_body.empty();
  const std::vector<BodyDoc> standard = {doc::Json(doc::Ref("Error"))};
  auto error = [&](int status, const std::vector<BodyDoc>& body) {
    const std::string key = std::to_string(status);
    if (responses.contains(key)) return;
    responses[key] = Answer({status, "", body, {}});
    if (status == 401 && !own_errors)
      responses[key]["headers"] = Headers({{"WWW-Authenticate", "Bearer", doc::String(1), true}});
    if (status == 503 && !own_errors)
      responses[key]["headers"] =
          Headers({{"Retry-After", "seconds to wait", doc::Integer(), true}});
  };
  for (int status : d->errors) error(status, own_errors ? d->error_body : standard);
  if (r.auth != Auth::kPublic) {
    error(401, standard);
    error(403, standard);
  }
  if (!d->body.empty()) error(413, standard);
  error(500, standard);
  if (!own_errors) error(503, standard);
  op["responses"] = std::move(responses);
  for (const auto& [key, value] : d->extensions.items())
    if (key.starts_with("x-")) op[key] = value;
  return op;
}

json::Json SecuritySchemes() {
  return {
      {"bearer",
       {{"type", "http"},
        {"scheme", "bearer"},
        {"description",
         "'Authorization: Bearer <token>' with the token of POST /api/v1/auth/login"}}},
      {"session",
       {{"type", "apiKey"},
        {"in", "cookie"},
        {"name", kSessionCookie},
        {"description",
         "the session cookie login sets (HttpOnly, SameSite=Strict); writes need csrf too"}}},
      {"csrf",
       {{"type", "apiKey"},
        {"in", "header"},
        {"name", "X-CSRF-Token"},
        {"description", "with the session cookie on a write: the csrf_token login answered"}}},
      {"api_key",
       {{"type", "http"},
        {"scheme", "bearer"},
        {"bearerFormat", "xtk_…"},
        {"description",
         "'Authorization: Bearer xtk_…', an API key the administrators issue to another system"}}},
      {"metrics_token",
       {{"type", "http"},
        {"scheme", "bearer"},
        {"description",
         "'Authorization: Bearer <the server's --metrics-token>'; without one, /metrics answers "
         "only on the loopback interface"}}},
      {"open311_api_key",
       {{"type", "apiKey"},
        {"in", "query"},
        {"name", "api_key"},
        {"description",
         "Open311's api_key, as a field of the form body or in the query (GeoReport v2)"}}}};
}

std::string_view TagDescription(std::string_view tag) {
  static constexpr std::pair<std::string_view, std::string_view> kTags[] = {
      {"identity", "login, the organisation (units) and accounts"},
      {"matters", "the list of matters (事项清单): the categories requests are handled under"},
      {"requests", "接诉即办: intake, the inbox, commands, tracking and supervision"},
      {"files", "photos attached to requests"},
      {"stats", "the three rates (三率), trends, hotspots and the map's counts"},
      {"calendar", "the working-day calendar deadlines are counted on"},
      {"live", "live updates over WebSocket"},
      {"workflow",
       "the BPMN engine (Camunda 8 dialect): definitions, instances, user tasks, jobs, "
       "messages, incidents"},
      {"collab",
       "专班 and 协同办公: task forces, their tasks and milestones, directives with receipts "
       "(签收), channels and messages"},
      {"emergency",
       "应急协同 and 预警: warnings, incidents with their command, crowd reports, needs, "
       "resources and commitments, the live map"},
      {"open311", "Open311 GeoReport v2 (XML and JSON, the spec's own error body)"},
      {"operations", "health, metrics and this document"}};
  for (auto [name, description] : kTags)
    if (name == tag) return description;
  return "";
}

// --- the schema checker ----------------------------------------------------------

constexpr int kMaxDepth = 64;

std::string Pointer(const std::string& at, std::string_view key) {
  std::string out = at + "/";
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string Where(const std::string& at) { return at.empty() ? "/" : at; }

std::string Shown(const json::Json& v) {
  std::string s = v.dump(-1, ' ', false, json::Json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

bool IsType(const json::Json& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_boolean();
  if (type == "string") return v.is_string();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "number") return v.is_number();
  if (type == "integer")
    return v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                     v.get<double>() == std::floor(v.get<double>()));
  return false;
}

bool IsDate(const std::string& s) {
  static const std::regex kDay("^([0-9]{4})-([0-9]{2})-([0-9]{2})$");
  std::smatch m;
  if (!std::regex_match(s, m, kDay)) return false;
  const std::chrono::year_month_day day{std::chrono::year{std::stoi(m[1])},
                                        std::chrono::month{static_cast<unsigned>(std::stoi(m[2]))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(m[3]))}};
  return day.ok();
}

class Checker {
 public:
  explicit Checker(const json::Json& components) : components_(components) {}

  std::optional<std::string> Check(const json::Json& v, const json::Json& s, const std::string& at,
                                   int depth) const {
    if (depth > kMaxDepth) return fmt::format("{}: the schema nests too deep", Where(at));
    if (s.is_boolean()) {
      if (s.get<bool>()) return std::nullopt;
      return fmt::format("{}: nothing is allowed here", Where(at));
    }
    if (!s.is_object()) return fmt::format("{}: the schema is not an object", Where(at));
    if (auto ref = s.find("$ref"); ref != s.end()) {
      auto target = Resolve(*ref);
      if (!target) return fmt::format("{}: $ref {} resolves to nothing", Where(at), ref->dump());
      if (auto e = Check(v, *target, at, depth + 1)) return e;
    }
    if (auto e = CheckType(v, s, at)) return e;
    if (auto values = s.find("enum"); values != s.end()) {
      if (std::find(values->begin(), values->end(), v) == values->end())
        return fmt::format("{}: {} is not one of the enum {}", Where(at), Shown(v), Shown(*values));
    }
    if (auto c = s.find("const"); c != s.end() && *c != v)
      return fmt::format("{}: {} is not {}", Where(at), Shown(v), Shown(*c));
    if (v.is_string()) {
      if (auto e = CheckString(v.get_ref<const std::string&>(), s, at)) return e;
    }
    if (v.is_number()) {
      const double n = v.get<double>();
      if (auto min = s.find("minimum"); min != s.end() && n < min->get<double>())
        return fmt::format("{}: {} is below the minimum {}", Where(at), Shown(v), min->dump());
      if (auto max = s.find("maximum"); max != s.end() && n > max->get<double>())
        return fmt::format("{}: {} is above the maximum {}", Where(at), Shown(v), max->dump());
    }
    if (v.is_object()) {
      if (auto e = CheckObject(v, s, at, depth)) return e;
    }
    if (v.is_array()) {
      if (auto min = s.find("minItems"); min != s.end() && v.size() < min->get<std::size_t>())
        return fmt::format("{}: fewer than {} items", Where(at), min->dump());
      if (auto items = s.find("items"); items != s.end()) {
        for (std::size_t i = 0; i < v.size(); ++i)
          if (auto e = Check(v[i], *items, Pointer(at, std::to_string(i)), depth + 1)) return e;
      }
    }
    return CheckCombinations(v, s, at, depth);
  }

 private:
  const json::Json* Resolve(const json::Json& ref) const {
    constexpr std::string_view kPrefix = "#/components/schemas/";
    if (!ref.is_string()) return nullptr;
    const std::string& text = ref.get_ref<const std::string&>();
    if (!text.starts_with(kPrefix)) return nullptr;
    auto it = components_.find(text.substr(kPrefix.size()));
    return it == components_.end() ? nullptr : &*it;
  }

  static std::optional<std::string> CheckType(const json::Json& v, const json::Json& s,
                                              const std::string& at) {
    auto type = s.find("type");
    if (type == s.end()) return std::nullopt;
    if (type->is_string()) {
      if (IsType(v, type->get_ref<const std::string&>())) return std::nullopt;
    } else if (type->is_array()) {
      for (const auto& t : *type)
        if (t.is_string() && IsType(v, t.get_ref<const std::string&>())) return std::nullopt;
    }
    return fmt::format("{}: {} is not of type {}", Where(at), Shown(v), type->dump());
  }

  static std::optional<std::string> CheckString(const std::string& text, const json::Json& s,
                                                const std::string& at) {
    const std::size_t chars = json::CountCodePoints(text);
    if (auto min = s.find("minLength"); min != s.end() && chars < min->get<std::size_t>())
      return fmt::format("{}: shorter than {} characters", Where(at), min->dump());
    if (auto max = s.find("maxLength"); max != s.end() && chars > max->get<std::size_t>())
      return fmt::format("{}: longer than {} characters", Where(at), max->dump());
    if (auto pattern = s.find("pattern"); pattern != s.end()) {
      const std::regex re(pattern->get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(text, re))
        return fmt::format("{}: \"{}\" does not match {}", Where(at), text, pattern->dump());
    }
    if (auto format = s.find("format"); format != s.end()) {
      if (*format == "date-time" && !ParseRfc3339(text))
        return fmt::format("{}: \"{}\" is not an RFC 3339 time", Where(at), text);
      if (*format == "date" && !IsDate(text))
        return fmt::format("{}: \"{}\" is not a day yyyy-mm-dd", Where(at), text);
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckObject(const json::Json& v, const json::Json& s,
                                         const std::string& at, int depth) const {
    if (auto required = s.find("required"); required != s.end()) {
      for (const auto& name : *required)
        if (!v.contains(name.get<std::string>()))
          return fmt::format("{}: \"{}\" is missing", Where(at), name.get<std::string>());
    }
    const auto properties = s.find("properties");
    const auto additional = s.find("additionalProperties");
    for (const auto& [key, member] : v.items()) {
      const std::string here = Pointer(at, key);
      if (properties != s.end() && properties->contains(key)) {
        if (auto e = Check(member, (*properties)[key], here, depth + 1)) return e;
      } else if (additional != s.end()) {
        if (auto e = Check(member, *additional, here, depth + 1))
          return additional->is_boolean()
                     ? fmt::format("{}: \"{}\" is not a property the schema declares", Where(at),
                                   key)
                     : e;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckCombinations(const json::Json& v, const json::Json& s,
                                               const std::string& at, int depth) const {
    if (auto all = s.find("allOf"); all != s.end()) {
      for (const auto& sub : *all)
        if (auto e = Check(v, sub, at, depth + 1)) return e;
    }
    if (auto any = s.find("anyOf"); any != s.end()) {
      std::string first;
      bool matched = false;
      for (const auto& sub : *any) {
        auto e = Check(v, sub, at, depth + 1);
        if (!e) {
          matched = true;
          break;
        }
        if (first.empty()) first = *e;
      }
      if (!matched) return fmt::format("{}: matches none of anyOf (first: {})", Where(at), first);
    }
    if (auto one = s.find("oneOf"); one != s.end()) {
      int matches = 0;
      for (const auto& sub : *one)
        if (!Check(v, sub, at, depth + 1)) ++matches;
      if (matches != 1)
        return fmt::format("{}: matches {} of oneOf, not exactly one", Where(at), matches);
    }
    return std::nullopt;
  }

  const json::Json& components_;
};

}  // namespace

json::Json OpenApiDocument(const Router& router, const OpenApiInfo& info) {
  json::Json paths = json::Json::object();
  json::Json tags = json::Json::array();
  std::vector<std::string> seen_tags;
  for (const auto& r : router.routes()) {
    paths[r->pattern][Lower(r->method)] = Operation(*r);
    if (r->doc && !r->doc->tag.empty() &&
        std::find(seen_tags.begin(), seen_tags.end(), r->doc->tag) == seen_tags.end()) {
      seen_tags.push_back(r->doc->tag);
      tags.push_back({{"name", r->doc->tag}, {"description", TagDescription(r->doc->tag)}});
    }
  }
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", info.title}, {"version", info.version}, {"description", info.description}}},
      {"servers", json::Json::array({json::Json{{"url", info.server_url}}})},
      {"tags", std::move(tags)},
      {"paths", std::move(paths)},
      {"components", {{"schemas", ComponentSchemas()}, {"securitySchemes", SecuritySchemes()}}}};
}

std::optional<std::string> CheckAgainstSchema(const json::Json& value, const json::Json& schema,
                                              const json::Json& components) {
  return Checker(components).Check(value, schema, "", 0);
}

}  // namespace xietong::http
