#include "http/matter_handlers.h"

#include <fmt/core.h>

#include <charconv>
#include <set>

#include "http/api_schemas.h"

namespace xietong::http {

using matters::Limit;
using matters::Matter;
using matters::MatterService;

namespace {

Response MatterResponse(int status, const Matter& m) {
  Response r = Response::Json(status, MatterJson(m));
  r.SetHeader("ETag", VersionETag(m.version));
  return r;
}

json::Json Items(const std::vector<const Matter*>& list) {
  json::Json items = json::Json::array();
  for (const Matter* m : list) items.push_back(MatterJson(*m));
  return {{"items", std::move(items)}};
}

Result<std::int64_t> WholeNumber(std::string_view text, std::string_view what) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 1)
    return Fail(Error::InvalidArgument(
        fmt::format("{} must be a whole number from 1, not '{}'", what, text)));
  return n;
}

// "true" or "false"; nullopt when the parameter is absent.
Result<std::optional<bool>> BoolQuery(const Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v) return std::optional<bool>{};
  if (*v == "true") return std::optional<bool>{true};
  if (*v == "false") return std::optional<bool>{false};
  return Fail(
      Error::InvalidArgument(fmt::format("'{}' must be true or false, not '{}'", name, *v)));
}

// {"amount": 2, "unit": "working_hours"}; nullopt when absent or null.
Result<std::optional<Limit>> OptionalLimit(const json::Json& body, std::string_view field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<Limit>{};
  if (!it->is_object())
    return Fail(Error::InvalidArgument(fmt::format(
        "field '{}' must be an object like {{\"amount\": 2, \"unit\": \"working_hours\"}}",
        field)));
  const std::string amount_field = fmt::format("{}.amount", field);
  auto amount = it->find("amount");
  if (amount == it->end() || !amount->is_number_integer())
    return Fail(Error::InvalidArgument(fmt::format("field '{}' must be an integer", amount_field)));
  const auto n = amount->get<std::int64_t>();
  if (n < 1 || n > matters::kMaxLimitAmount)
    return Fail(Error::InvalidArgument(fmt::format("field '{}' must be from 1 to {}, not {}",
                                                   amount_field, matters::kMaxLimitAmount, n)));
  // A missing or mistyped unit gets the same answer as an unknown one: the choices.
  auto unit_name = it->find("unit");
  XT_ASSIGN_OR_RETURN(auto unit,
                      matters::ParseLimitUnit(unit_name != it->end() && unit_name->is_string()
                                                  ? unit_name->get<std::string>()
                                                  : std::string(),
                                              fmt::format("{}.unit", field)));
  return std::optional<Limit>{Limit{static_cast<int>(n), unit}};
}

Result<void> OnlyFields(const json::Json& body, const std::set<std::string_view>& allowed,
                        std::string_view what) {
  for (const auto& [key, value] : body.items()) {
    if (allowed.contains(key)) continue;
    std::string names;
    for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
    return Fail(Error::InvalidArgument(
        fmt::format("field '{}' cannot be {}; send only {}", key, what, names)));
  }
  return {};
}

const std::set<std::string_view> kChangeable = {
    "name",         "name_en",       "handler",     "department_code", "tier",  "sign_limit",
    "finish_limit", "return_window", "legal_basis", "keywords",        "active"};

constexpr json::StringLimits kNameLimits{1, matters::kMaxNameChars};
constexpr json::StringLimits kNameEnLimits{0, matters::kMaxNameEnChars};
constexpr json::StringLimits kLegalBasisLimits{0, matters::kMaxLegalBasisChars};
constexpr json::StringLimits kDepartmentLimits{0, 16};
constexpr json::StringLimits kEnumLimits{1, 32};

Result<Matter> NewMatterFrom(const json::Json& body) {
  std::set<std::string_view> allowed = kChangeable;
  allowed.insert({"parent_id", "code"});
  XT_TRY_VOID(OnlyFields(body, allowed, "set on a new matter"));
  Matter m;
  XT_ASSIGN_OR_RETURN(m.parent_id, json::OptionalString(body, "parent_id", {1, 64}));
  XT_ASSIGN_OR_RETURN(m.code, json::RequireString(body, "code", {1, 8}));
  XT_ASSIGN_OR_RETURN(m.name, json::RequireString(body, "name", kNameLimits));
  XT_ASSIGN_OR_RETURN(auto name_en, json::OptionalString(body, "name_en", kNameEnLimits));
  m.name_en = name_en.value_or("");
  XT_ASSIGN_OR_RETURN(auto handler, json::OptionalString(body, "handler", kEnumLimits));
  if (handler) {
    XT_ASSIGN_OR_RETURN(m.handler, matters::ParseHandlerLevel(*handler));
  }
  XT_ASSIGN_OR_RETURN(auto department,
                      json::OptionalString(body, "department_code", kDepartmentLimits));
  m.department_code = department.value_or("");
  XT_ASSIGN_OR_RETURN(auto tier, json::OptionalString(body, "tier", kEnumLimits));
  if (tier) {
    XT_ASSIGN_OR_RETURN(m.tier, matters::ParseTier(*tier));
  }
  XT_ASSIGN_OR_RETURN(auto sign, OptionalLimit(body, "sign_limit"));
  XT_ASSIGN_OR_RETURN(auto finish, OptionalLimit(body, "finish_limit"));
  XT_ASSIGN_OR_RETURN(auto back, OptionalLimit(body, "return_window"));
  if (sign) m.sign_limit = *sign;
  m.finish_limit = finish.value_or(matters::DefaultFinishLimit(m.tier));
  if (back) m.return_window = *back;
  XT_ASSIGN_OR_RETURN(auto legal_basis,
                      json::OptionalString(body, "legal_basis", kLegalBasisLimits));
  m.legal_basis = legal_basis.value_or("");
  XT_ASSIGN_OR_RETURN(m.keywords, json::StringArray(body, "keywords"));
  XT_ASSIGN_OR_RETURN(auto active, json::OptionalBool(body, "active"));
  m.active = active.value_or(true);
  return m;
}

Result<matters::MatterUpdate> UpdateFrom(const json::Json& body) {
  XT_TRY_VOID(OnlyFields(body, kChangeable, "changed here"));
  matters::MatterUpdate u;
  XT_ASSIGN_OR_RETURN(u.name, json::OptionalString(body, "name", kNameLimits));
  XT_ASSIGN_OR_RETURN(u.name_en, json::OptionalString(body, "name_en", kNameEnLimits));
  XT_ASSIGN_OR_RETURN(auto handler, json::OptionalString(body, "handler", kEnumLimits));
  if (handler) {
    XT_ASSIGN_OR_RETURN(u.handler, matters::ParseHandlerLevel(*handler));
  }
  XT_ASSIGN_OR_RETURN(u.department_code,
                      json::OptionalString(body, "department_code", kDepartmentLimits));
  XT_ASSIGN_OR_RETURN(auto tier, json::OptionalString(body, "tier", kEnumLimits));
  if (tier) {
    XT_ASSIGN_OR_RETURN(u.tier, matters::ParseTier(*tier));
  }
  XT_ASSIGN_OR_RETURN(u.sign_limit, OptionalLimit(body, "sign_limit"));
  XT_ASSIGN_OR_RETURN(u.finish_limit, OptionalLimit(body, "finish_limit"));
  XT_ASSIGN_OR_RETURN(u.return_window, OptionalLimit(body, "return_window"));
  XT_ASSIGN_OR_RETURN(u.legal_basis, json::OptionalString(body, "legal_basis", kLegalBasisLimits));
  if (body.contains("keywords") && !body["keywords"].is_null()) {
    XT_ASSIGN_OR_RETURN(u.keywords, json::StringArray(body, "keywords"));
  }
  XT_ASSIGN_OR_RETURN(u.active, json::OptionalBool(body, "active"));
  return u;
}

constexpr int kDefaultSuggestions = 3;
constexpr int kMaxSuggestions = 10;
constexpr std::size_t kMaxSuggestTextChars = 2000;

}  // namespace

json::Json MatterJson(const Matter& m) {
  json::Json j = {{"id", m.id},
                  {"parent_id", m.parent_id ? json::Json(*m.parent_id) : json::Json(nullptr)},
                  {"level", m.level},
                  {"code", m.code},
                  {"name", m.name},
                  {"name_en", m.name_en},
                  {"legal_basis", m.legal_basis},
                  {"keywords", m.keywords},
                  {"active", m.active},
                  {"version", m.version},
                  {"updated_at", FormatRfc3339(m.updated_at)}};
  if (m.is_leaf()) {
    j["handler"] = matters::HandlerLevelName(m.handler);
    j["department_code"] = m.department_code;
    j["tier"] = matters::TierName(m.tier);
    j["sign_limit"] = matters::LimitJson(m.sign_limit);
    j["finish_limit"] = matters::LimitJson(m.finish_limit);
    j["return_window"] = matters::LimitJson(m.return_window);
  }
  return j;
}

void RegisterMatterRoutes(Api& api, MatterService& matters) {
  Router& r = api.router();

  r.Add("GET", "/api/v1/matters", Auth::kRequired,
        {.summary = "The list of matters, every level, parents before children",
         .summary_zh = "事项清单",
         .tag = "matters",
         .query = {doc::QueryParam("active", "only those in effect (true) or not (false)",
                                   doc::Boolean()),
                   doc::QueryParam("leaves",
                                   "only leaves, the level-3 categories (true), or "
                                   "only levels 1 and 2 (false)",
                                   doc::Boolean())},
         .answers = {doc::Ok(doc::Ref("MatterList"))},
         .errors = {400}},
        [&matters](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto active, BoolQuery(req, "active"));
          XT_ASSIGN_OR_RETURN(auto leaves, BoolQuery(req, "leaves"));
          XT_ASSIGN_OR_RETURN(auto catalog, matters.Snapshot());
          std::vector<const Matter*> list;
          for (const Matter& m : catalog->all()) {
            if (active && catalog->InEffect(m) != *active) continue;
            if (leaves && m.is_leaf() != *leaves) continue;
            list.push_back(&m);
          }
          return Response::Json(200, Items(list));
        });

  r.Add("GET", "/api/v1/matters/suggest", Auth::kRequired,
        {.summary = "The categories a request's words most likely belong to",
         .summary_zh = "事项推荐",
         .tag = "matters",
         .query = {doc::QueryParam("text", "the words of the request",
                                   doc::String(1, kMaxSuggestTextChars), true),
                   doc::Limit(kMaxSuggestions, kDefaultSuggestions)},
         .answers = {doc::Ok(doc::Ref("MatterSuggestions"))},
         .errors = {400}},
        [&matters](Request& req) -> Result<Response> {
          auto text = req.Query("text");
          if (!text || text->empty())
            return Fail(Error::InvalidArgument("'text' is required: the words of the request"));
          if (json::FindInvalidUtf8(*text))
            return Fail(Error::InvalidArgument("'text' is not valid UTF-8"));
          if (json::CountCodePoints(*text) > kMaxSuggestTextChars)
            return Fail(Error::InvalidArgument(
                fmt::format("'text' may have at most {} characters", kMaxSuggestTextChars)));
          int n = kDefaultSuggestions;
          if (auto limit = req.Query("limit")) {
            auto parsed = WholeNumber(*limit, "'limit'");
            if (!parsed || *parsed > kMaxSuggestions)
              return Fail(Error::InvalidArgument(fmt::format(
                  "'limit' must be a number from 1 to {}, not '{}'", kMaxSuggestions, *limit)));
            n = static_cast<int>(*parsed);
          }
          XT_ASSIGN_OR_RETURN(auto catalog, matters.Snapshot());
          json::Json items = json::Json::array();
          for (const auto& s : catalog->Suggest(*text, n))
            items.push_back({{"matter", MatterJson(*s.matter)}, {"confidence", s.confidence}});
          return Response::Json(200, {{"items", std::move(items)}});
        });

  r.Add("GET", "/api/v1/matters/{id}", Auth::kRequired,
        {.summary = "One matter as it is now",
         .summary_zh = "事项详情",
         .tag = "matters",
         .path = {doc::PathId("id", "the matter's id")},
         .answers = {doc::Ok(doc::Ref("Matter"), 200, {doc::ETag()})},
         .errors = {404}},
        [&matters](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto m, matters.Get(req.Param("id")));
          return MatterResponse(200, m);
        });

  r.Add("GET", "/api/v1/matters/{id}/versions", Auth::kRequired,
        {.summary = "Every version of a matter, oldest first",
         .summary_zh = "事项历史版本",
         .tag = "matters",
         .path = {doc::PathId("id", "the matter's id")},
         .answers = {doc::Ok(doc::Ref("MatterList"))},
         .errors = {404}},
        [&matters](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto versions, matters.Versions(req.Param("id")));
          json::Json items = json::Json::array();
          for (const auto& m : versions) items.push_back(MatterJson(m));
          return Response::Json(200, {{"items", std::move(items)}});
        });

  r.Add("GET", "/api/v1/matters/{id}/versions/{version}", Auth::kRequired,
        {.summary = "One version of a matter, as requests of that time were handled under it",
         .summary_zh = "事项的某一版本",
         .tag = "matters",
         .path = {doc::PathId("id", "the matter's id"),
                  {"version", "the version, from 1", {{"type", "integer"}, {"minimum", 1}}, true}},
         .answers = {doc::Ok(doc::Ref("Matter"))},
         .errors = {400, 404}},
        [&matters](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto version, WholeNumber(req.Param("version"), "the version"));
          XT_ASSIGN_OR_RETURN(auto m, matters.GetVersion(req.Param("id"), version));
          return Response::Json(200, MatterJson(m));
        });

  r.Add("POST", "/api/v1/matters", Auth::kRequired,
        {.summary = "Add a matter to the list (city-wide administrators)",
         .summary_zh = "新增事项",
         .tag = "matters",
         .body = {doc::Json(doc::Ref("NewMatter"))},
         .answers = {doc::Ok(doc::Ref("Matter"), 201, {doc::ETag()})},
         .errors = {400, 404, 409}},
        [&matters](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto input, NewMatterFrom(body));
          XT_ASSIGN_OR_RETURN(auto m, matters.Create(req.actor(), std::move(input)));
          return MatterResponse(201, m);
        });

  r.Add("PATCH", "/api/v1/matters/{id}", Auth::kRequired,
        {.summary = "Change a matter: a new version (city-wide administrators)",
         .summary_zh = "修改事项",
         .tag = "matters",
         .path = {doc::PathId("id", "the matter's id")},
         .headers = {doc::IfMatch(true)},
         .body = {doc::Json(doc::Ref("MatterUpdate"))},
         .answers = {doc::Ok(doc::Ref("Matter"), 200, {doc::ETag()})},
         .errors = {400, 404, 409}},
        [&matters](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto version, RequireIfMatch(req, "matter"));
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto changes, UpdateFrom(body));
          XT_ASSIGN_OR_RETURN(auto m,
                              matters.Update(req.actor(), req.Param("id"), version, changes));
          return MatterResponse(200, m);
        });
}

}  // namespace xietong::http
