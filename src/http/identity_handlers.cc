#include "http/identity_handlers.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/api_schemas.h"

namespace xietong::http {

using identity::IdentityService;

json::Json MembershipJson(const identity::Membership& m) {
  return {{"id", m.id},
          {"unit_id", m.unit_id},
          {"unit_name", m.unit_name},
          {"role", identity::RoleName(m.role)}};
}

json::Json UnitJson(const identity::OrgUnit& u) {
  json::Json j = {{"id", u.id},
                  {"parent_id", u.parent_id ? json::Json(*u.parent_id) : json::Json(nullptr)},
                  {"kind", identity::UnitKindName(u.kind)},
                  {"code", u.code},
                  {"name", u.name},
                  {"created_at", FormatRfc3339(u.created_at)},
                  {"version", u.version}};
  if (u.geometry) {
    auto g = json::Json::parse(*u.geometry, nullptr, false);
    if (!g.is_discarded()) j["geometry"] = std::move(g);
  }
  return j;
}

namespace {

// One unit with its polygon. The GeoJSON was validated when stored, so its
// text is spliced in as it is rather than parsed and printed again.
std::string UnitBody(const identity::OrgUnit& u) {
  identity::OrgUnit bare = u;
  bare.geometry.reset();
  std::string body = UnitJson(bare).dump();
  if (u.geometry) {
    body.pop_back();  // the closing '}'
    body += ",\"geometry\":" + *u.geometry + "}";
  }
  return body;
}

// The answer of GET /units/{id} per unit, written once: units never change
// once created (identity_service.h), so neither does their JSON.
class UnitBodies {
 public:
  std::string Of(const identity::OrgUnit& u) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = bodies_.find(u.id); it != bodies_.end()) return it->second;
    }
    std::string body = UnitBody(u);
    std::lock_guard lock(mutex_);
    if (bodies_.size() > 100'000) bodies_.clear();  // bound memory; refills on demand
    bodies_.emplace(u.id, body);
    return body;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> bodies_;  // GUARDED_BY(mutex_), by unit id
};

}  // namespace

namespace {
json::Json MembershipsJson(const std::vector<identity::Membership>& list) {
  json::Json out = json::Json::array();
  for (const auto& m : list) out.push_back(MembershipJson(m));
  return out;
}
}  // namespace

json::Json AccountJson(const identity::Account& a) {
  return {{"id", a.id},
          {"username", a.username},
          {"display_name", a.display_name},
          {"kind", identity::AccountKindName(a.kind)},
          {"phone", a.phone ? json::Json(*a.phone) : json::Json(nullptr)},
          {"disabled", a.disabled},
          {"created_at", FormatRfc3339(a.created_at)},
          {"version", a.version},
          {"memberships", MembershipsJson(a.memberships)}};
}

namespace {
json::Json AccountPageJson(const identity::AccountPage& page) {
  json::Json items = json::Json::array();
  for (const auto& a : page.items) items.push_back(AccountJson(a));
  return {{"items", std::move(items)},
          {"next_cursor", page.next_cursor ? json::Json(*page.next_cursor) : json::Json(nullptr)}};
}

std::string SessionCookie(std::string_view token, Timestamp max_age_us, bool secure) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}", kSessionCookie,
                     token, max_age_us / kMicrosPerSecond, secure ? "; Secure" : "");
}

Response AccountResponse(int status, const identity::Account& a) {
  Response r = Response::Json(status, AccountJson(a));
  r.SetHeader("ETag", VersionETag(a.version));
  return r;
}

json::Json PrincipalJson(const identity::Principal& p) {
  return {{"id", p.account_id},
          {"username", p.username},
          {"display_name", p.display_name},
          {"phone", p.phone ? json::Json(*p.phone) : json::Json(nullptr)},
          {"kind", identity::AccountKindName(p.kind)},
          {"memberships", MembershipsJson(p.memberships)}};
}

}  // namespace

void RegisterIdentityRoutes(Api& api, IdentityService& identity) {
  Router& r = api.router();
  const bool secure = api.options().secure_cookies;
  const Clock& clock = api.clock();

  r.Add("POST", "/api/v1/auth/login", Auth::kPublic,
        {.summary = "Log in: a session token, its CSRF token and the session cookie",
         .summary_zh = "登录",
         .tag = "identity",
         .body = {doc::Json(doc::Ref("LoginBody"))},
         .answers = {doc::Ok(doc::Ref("Login"), 200,
                             {{"Set-Cookie", "the session cookie (HttpOnly, SameSite=Strict)",
                               doc::String(1), true}})},
         .errors = {400, 401, 429}},
        [&identity, &clock, secure](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto username, json::RequireString(body, "username", {1, 64}));
          XT_ASSIGN_OR_RETURN(auto password, json::RequireString(body, "password", {1, 256}));
          XT_ASSIGN_OR_RETURN(auto login, identity.Login(username, password, req.remote));
          Response res = Response::Json(200, {{"token", login.token},
                                              {"csrf_token", login.csrf_token},
                                              {"expires_at", FormatRfc3339(login.expires_at)},
                                              {"account", AccountJson(login.account)}});
          // Max-Age is the seconds the session has left, not its end.
          res.SetHeader(
              "Set-Cookie",
              SessionCookie(login.token, std::max<Timestamp>(0, login.expires_at - clock.Now()),
                            secure));
          res.SetHeader("Cache-Control", "no-store");
          return res;
        });

  r.Add("POST", "/api/v1/auth/logout", Auth::kRequired,
        {.summary = "Log out: the session ends and the cookie is cleared",
         .summary_zh = "退出登录",
         .tag = "identity",
         .answers = {doc::NoContent("the session has ended")}},
        [&identity, secure](Request& req) -> Result<Response> {
          std::string_view auth = req.Header("authorization");
          std::string token = auth.starts_with("Bearer ") ? std::string(auth.substr(7))
                                                          : req.Cookie(kSessionCookie).value_or("");
          XT_TRY_VOID(identity.Logout(token));
          Response res = Response::NoContent();
          res.SetHeader("Set-Cookie", SessionCookie("", 0, secure));
          return res;
        });

  r.Add("GET", "/api/v1/me", Auth::kRequired,
        {.summary = "Who is logged in, with the units and roles they hold",
         .summary_zh = "当前用户",
         .tag = "identity",
         .answers = {doc::Ok(doc::Ref("Principal"))}},
        [](Request& req) -> Result<Response> {
          return Response::Json(200, PrincipalJson(req.actor()));
        });

  r.Add("GET", "/api/v1/units", Auth::kRequired,
        {.summary = "The units directly under a unit (the roots without parent_id)",
         .summary_zh = "下级单位",
         .tag = "identity",
         .query = {doc::QueryParam("parent_id", "the unit whose children are listed")},
         .answers = {doc::Ok(doc::Ref("UnitList"))},
         .errors = {404}},
        [&identity](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(
              auto units, identity.ListChildren(req.actor(), req.Query("parent_id").value_or("")));
          json::Json items = json::Json::array();
          for (const auto& u : units) items.push_back(UnitJson(u));
          return Response::Json(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
        });

  r.Add("GET", "/api/v1/units/tree", Auth::kRequired,
        {.summary = "Every unit the caller may see, parents before children",
         .summary_zh = "组织树",
         .tag = "identity",
         .answers = {doc::Ok(doc::Ref("UnitList"))}},
        [&identity](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto units, identity.Tree(req.actor()));
          json::Json items = json::Json::array();
          for (const auto& u : units) items.push_back(UnitJson(u));
          return Response::Json(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
        });

  // One kind of unit (grids by default) as a GeoJSON FeatureCollection, for
  // the maps of the web application; each feature's id is the unit's id.
  r.Add(
      "GET", "/api/v1/units/map", Auth::kRequired,
      {.summary = "One kind of unit with their polygons, as a GeoJSON FeatureCollection",
       .summary_zh = "单位地图",
       .tag = "identity",
       .query = {doc::QueryParam("kind", "the kind of unit; grids by default",
                                 {{"$ref", "#/components/schemas/UnitKind"}, {"default", "grid"}})},
       .answers = {{200, "", {{"application/geo+json", doc::Ref("UnitMap")}}, {}}},
       .errors = {400}},
      [&identity](Request& req) -> Result<Response> {
        XT_ASSIGN_OR_RETURN(auto kind, identity::ParseUnitKind(req.Query("kind").value_or("grid")));
        XT_ASSIGN_OR_RETURN(auto units, identity.UnitsWithShape(req.actor(), kind));
        Response res;
        res.body = R"({"type":"FeatureCollection","features":[)";
        for (std::size_t i = 0; i < units.size(); ++i) {
          const auto& u = units[i];
          json::Json props = {
              {"id", u.id},
              {"name", u.name},
              {"kind", identity::UnitKindName(u.kind)},
              {"parent_id", u.parent_id ? json::Json(*u.parent_id) : json::Json(nullptr)}};
          // The polygons were validated when stored: spliced in as they are.
          res.body +=
              fmt::format(R"({}{{"type":"Feature","id":{},"properties":{},"geometry":{}}})",
                          i == 0 ? "" : ",", json::Json(u.id).dump(), props.dump(), *u.geometry);
        }
        res.body += "]}";
        res.content_type = "application/geo+json";
        return res;
      });

  r.Add("GET", "/api/v1/units/{id}", Auth::kRequired,
        {.summary = "One unit with its polygon",
         .summary_zh = "单位详情",
         .tag = "identity",
         .path = {doc::PathId("id", "the unit's id")},
         .answers = {doc::Ok(doc::Ref("Unit"), 200, {doc::ETag()})},
         .errors = {404}},
        [&identity, bodies = std::make_shared<UnitBodies>()](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto unit, identity.GetUnit(req.actor(), req.Param("id")));
          Response res;
          res.body = bodies->Of(*unit);
          res.SetHeader("ETag", VersionETag(unit->version));
          return res;
        });

  r.Add("POST", "/api/v1/units", Auth::kRequired,
        {.summary = "Create a unit under a parent (administrators)",
         .summary_zh = "新建单位",
         .tag = "identity",
         .body = {doc::Json(doc::Ref("NewUnit"))},
         .answers = {doc::Ok(doc::Ref("Unit"), 201)},
         .errors = {400, 404, 409}},
        [&identity](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          identity::NewUnit in;
          XT_ASSIGN_OR_RETURN(in.parent_id, json::OptionalString(body, "parent_id", {1, 64}));
          XT_ASSIGN_OR_RETURN(auto kind, json::RequireString(body, "kind", {1, 32}));
          XT_ASSIGN_OR_RETURN(in.kind, identity::ParseUnitKind(kind));
          XT_ASSIGN_OR_RETURN(in.code, json::RequireString(body, "code", {1, 32}));
          XT_ASSIGN_OR_RETURN(in.name, json::RequireString(body, "name", {1, 64}));
          if (body.contains("geometry") && !body["geometry"].is_null()) {
            if (!body["geometry"].is_object())
              return Fail(Error::InvalidArgument("field 'geometry' must be a GeoJSON object"));
            in.geometry = body["geometry"].dump();
          }
          XT_ASSIGN_OR_RETURN(auto unit, identity.CreateUnit(req.actor(), in));
          return Response::Json(201, UnitJson(unit));
        });

  r.Add("GET", "/api/v1/accounts", Auth::kRequired,
        {.summary = "Accounts the caller may manage, by unit or words",
         .summary_zh = "账号列表",
         .tag = "identity",
         .query = {doc::QueryParam("unit_id", "only members of this unit's subtree"),
                   doc::QueryParam("q", "words of the username or display name"), doc::Cursor(),
                   doc::Limit()},
         .answers = {doc::Ok(doc::Ref("AccountList"))},
         .errors = {400}},
        [&identity](Request& req) -> Result<Response> {
          identity::AccountListQuery q;
          q.unit_id = req.Query("unit_id");
          q.search = req.Query("q");
          q.cursor = req.Query("cursor");
          XT_ASSIGN_OR_RETURN(q.limit, LimitParam(req));
          XT_ASSIGN_OR_RETURN(auto page, identity.ListAccounts(req.actor(), q));
          return Response::Json(200, AccountPageJson(page));
        });

  r.Add("GET", "/api/v1/directory", Auth::kRequired,
        {.summary = "The staff directory: who works in a unit (any staff member; no phones)",
         .summary_zh = "通讯录",
         .tag = "identity",
         .query = {doc::QueryParam("unit_id", "members of this unit's subtree"),
                   doc::QueryParam("q", "words of the username or display name"), doc::Cursor(),
                   doc::Limit()},
         .answers = {doc::Ok(doc::Ref("AccountList"))},
         .errors = {400, 403, 404}},
        [&identity](Request& req) -> Result<Response> {
          identity::AccountListQuery q;
          q.unit_id = req.Query("unit_id");
          q.search = req.Query("q");
          q.cursor = req.Query("cursor");
          XT_ASSIGN_OR_RETURN(q.limit, LimitParam(req));
          XT_ASSIGN_OR_RETURN(auto page, identity.Directory(req.actor(), q));
          return Response::Json(200, AccountPageJson(page));
        });

  r.Add("POST", "/api/v1/accounts", Auth::kRequired,
        {.summary = "Create an account, optionally with a first membership",
         .summary_zh = "新建账号",
         .tag = "identity",
         .body = {doc::Json(doc::Ref("NewAccount"))},
         .answers = {doc::Ok(doc::Ref("Account"), 201, {doc::ETag()})},
         .errors = {400, 404, 409}},
        [&identity](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          identity::NewAccount in;
          XT_ASSIGN_OR_RETURN(in.username, json::RequireString(body, "username", {1, 32}));
          XT_ASSIGN_OR_RETURN(in.display_name, json::RequireString(body, "display_name", {1, 64}));
          XT_ASSIGN_OR_RETURN(auto kind, json::OptionalString(body, "kind", {1, 16}));
          if (kind) {
            XT_ASSIGN_OR_RETURN(in.kind, identity::ParseAccountKind(*kind));
          }
          XT_ASSIGN_OR_RETURN(in.phone, json::OptionalString(body, "phone", {1, 20}));
          XT_ASSIGN_OR_RETURN(in.password, json::RequireString(body, "password", {1, 256}));
          XT_ASSIGN_OR_RETURN(in.unit_id, json::OptionalString(body, "unit_id", {1, 64}));
          XT_ASSIGN_OR_RETURN(auto role, json::OptionalString(body, "role", {1, 32}));
          if (role) {
            XT_ASSIGN_OR_RETURN(in.role, identity::ParseRole(*role));
          }
          XT_ASSIGN_OR_RETURN(auto account, identity.CreateAccount(req.actor(), in));
          return AccountResponse(201, account);
        });

  r.Add("GET", "/api/v1/accounts/{id}", Auth::kRequired,
        {.summary = "One account; its phone unmasked with reveal=phone (audited)",
         .summary_zh = "账号详情",
         .tag = "identity",
         .path = {doc::PathId("id", "the account's id")},
         .query = {doc::QueryParam("reveal", "phone: show the phone number unmasked",
                                   doc::Enum({"phone"}))},
         .answers = {doc::Ok(doc::Ref("Account"), 200, {doc::ETag()})},
         .errors = {400, 404}},
        [&identity](Request& req) -> Result<Response> {
          auto reveal = req.Query("reveal");
          if (reveal && *reveal != "phone")
            return Fail(Error::InvalidArgument("'reveal' may only be 'phone'"));
          XT_ASSIGN_OR_RETURN(
              auto account, identity.GetAccount(req.actor(), req.Param("id"), reveal.has_value()));
          return AccountResponse(200, account);
        });

  r.Add(
      "PATCH", "/api/v1/accounts/{id}", Auth::kRequired,
      {.summary = "Change an account's name, phone, password or whether it is disabled",
       .summary_zh = "修改账号",
       .tag = "identity",
       .path = {doc::PathId("id", "the account's id")},
       .headers = {doc::IfMatch(true)},
       .body = {doc::Json(doc::Ref("AccountUpdate"))},
       .answers = {doc::Ok(doc::Ref("Account"), 200, {doc::ETag()})},
       .errors = {400, 404, 409}},
      [&identity](Request& req) -> Result<Response> {
        XT_ASSIGN_OR_RETURN(auto version, RequireIfMatch(req, "account"));
        XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
        for (const auto& [key, value] : body.items()) {
          if (key != "display_name" && key != "phone" && key != "disabled" && key != "password")
            return Fail(Error::InvalidArgument(fmt::format(
                "field '{}' cannot be changed here; send display_name, phone, disabled or password",
                key)));
        }
        identity::AccountUpdate u;
        XT_ASSIGN_OR_RETURN(u.display_name, json::OptionalString(body, "display_name", {1, 64}));
        XT_ASSIGN_OR_RETURN(u.phone, json::OptionalString(body, "phone", {0, 20}));
        XT_ASSIGN_OR_RETURN(u.disabled, json::OptionalBool(body, "disabled"));
        XT_ASSIGN_OR_RETURN(u.password, json::OptionalString(body, "password", {1, 256}));
        XT_ASSIGN_OR_RETURN(auto account,
                            identity.UpdateAccount(req.actor(), req.Param("id"), version, u));
        return AccountResponse(200, account);
      });

  r.Add("POST", "/api/v1/accounts/{id}/memberships", Auth::kRequired,
        {.summary = "Give an account a role in a unit",
         .summary_zh = "添加任职",
         .tag = "identity",
         .path = {doc::PathId("id", "the account's id")},
         .body = {doc::Json(doc::Ref("NewMembership"))},
         .answers = {doc::Ok(doc::Ref("Membership"), 201)},
         .errors = {400, 404, 409}},
        [&identity](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto unit_id, json::RequireString(body, "unit_id", {1, 64}));
          XT_ASSIGN_OR_RETURN(auto role_name, json::RequireString(body, "role", {1, 32}));
          XT_ASSIGN_OR_RETURN(auto role, identity::ParseRole(role_name));
          XT_ASSIGN_OR_RETURN(auto m,
                              identity.AddMembership(req.actor(), req.Param("id"), unit_id, role));
          return Response::Json(201, MembershipJson(m));
        });

  r.Add("DELETE", "/api/v1/memberships/{id}", Auth::kRequired,
        {.summary = "Take a role in a unit away",
         .summary_zh = "移除任职",
         .tag = "identity",
         .path = {doc::PathId("id", "the membership's id")},
         .answers = {doc::NoContent("the membership is removed")},
         .errors = {404}},
        [&identity](Request& req) -> Result<Response> {
          XT_TRY_VOID(identity.RemoveMembership(req.actor(), req.Param("id")));
          return Response::NoContent();
        });
}

}  // namespace xietong::http
