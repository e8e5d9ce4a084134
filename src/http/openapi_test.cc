// The OpenAPI document: it names every route the server registers, in a
// valid OpenAPI 3.1 shape, and what real routes answer over a real socket,
// on every backend, conforms to it. And the schema checker the comparison
// rests on, which must be able to fail.
#include "http/openapi.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/xlsx.h"
#include "http/api_schemas.h"
#include "http/request_routes_fixture.h"
#include "workflow/bpmn_fixture.h"

namespace xietong::http {
namespace {

using namespace std::string_literals;

const json::Json kNoComponents = json::Json::object();

// --- the schema checker ------------------------------------------------------

TEST(CheckAgainstSchema, TypesIncludingListsOfTypesAndNull) {
  const json::Json nullable = {{"type", {"string", "null"}}};
  EXPECT_FALSE(CheckAgainstSchema("x", nullable, kNoComponents));
  EXPECT_FALSE(CheckAgainstSchema(nullptr, nullable, kNoComponents));
  auto e = CheckAgainstSchema(3, nullable, kNoComponents);
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("not of type"), std::string::npos) << *e;

  const json::Json integer = {{"type", "integer"}};
  EXPECT_FALSE(CheckAgainstSchema(7, integer, kNoComponents));
  EXPECT_FALSE(CheckAgainstSchema(7.0, integer, kNoComponents));  // 2020-12: integral is integer
  EXPECT_TRUE(CheckAgainstSchema(7.5, integer, kNoComponents));
  EXPECT_FALSE(CheckAgainstSchema(7, {{"type", "number"}}, kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema("7", {{"type", "number"}}, kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema(false, integer, kNoComponents));
}

TEST(CheckAgainstSchema, ObjectsNameTheMissingOrUndeclaredMember) {
  const json::Json schema = doc::Object(
      {{"id", doc::String(1)}, {"place", doc::Object({{"lat", doc::Number()}}, {"lat"})}},
      {"id", "place"});
  EXPECT_FALSE(
      CheckAgainstSchema({{"id", "a"}, {"place", {{"lat", 30.0}}}}, schema, kNoComponents));

  auto missing = CheckAgainstSchema({{"place", {{"lat", 30.0}}}}, schema, kNoComponents);
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->find("\"id\" is missing"), std::string::npos) << *missing;

  auto extra = CheckAgainstSchema({{"id", "a"}, {"place", {{"lat", 30.0}, {"lon", 120.0}}}}, schema,
                                  kNoComponents);
  ASSERT_TRUE(extra);
  EXPECT_NE(extra->find("/place"), std::string::npos) << *extra;
  EXPECT_NE(extra->find("\"lon\" is not a property"), std::string::npos) << *extra;

  auto nested =
      CheckAgainstSchema({{"id", "a"}, {"place", {{"lat", "north"}}}}, schema, kNoComponents);
  ASSERT_TRUE(nested);
  EXPECT_NE(nested->find("/place/lat"), std::string::npos) << *nested;

  // Open objects take members they do not declare.
  const json::Json open = doc::Object({{"id", doc::String(1)}}, {"id"}, false);
  EXPECT_FALSE(CheckAgainstSchema({{"id", "a"}, {"more", 1}}, open, kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema({{"id", ""}}, open, kNoComponents));  // minLength 1
}

TEST(CheckAgainstSchema, EnumsItemsAndNullableEnums) {
  const json::Json status = doc::Enum({"received", "closed"});
  EXPECT_FALSE(CheckAgainstSchema("closed", status, kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema("lost", status, kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema(nullptr, status, kNoComponents));
  // Nullable adds null to the type and to the enum.
  EXPECT_FALSE(CheckAgainstSchema(nullptr, doc::Nullable(status), kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema("lost", doc::Nullable(status), kNoComponents));

  const json::Json list = doc::ArrayOf(status);
  EXPECT_FALSE(CheckAgainstSchema({"received", "closed"}, list, kNoComponents));
  auto e = CheckAgainstSchema({"received", "lost"}, list, kNoComponents);
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("/1"), std::string::npos) << *e;
}

TEST(CheckAgainstSchema, RefsResolveInTheComponentsOrFail) {
  const json::Json components = {{"Place", doc::Object({{"lat", doc::Number()}}, {"lat"})}};
  const json::Json ref = doc::Ref("Place");
  EXPECT_FALSE(CheckAgainstSchema({{"lat", 30.0}}, ref, components));
  EXPECT_TRUE(CheckAgainstSchema({{"lat", "x"}}, ref, components));
  EXPECT_FALSE(CheckAgainstSchema(nullptr, doc::Nullable(ref), components));
  auto dangling = CheckAgainstSchema({{"lat", 30.0}}, doc::Ref("Nowhere"), components);
  ASSERT_TRUE(dangling);
  EXPECT_NE(dangling->find("resolves to nothing"), std::string::npos) << *dangling;
}

TEST(CheckAgainstSchema, FormatsLengthsAndCombinations) {
  EXPECT_FALSE(CheckAgainstSchema("2026-11-23T10:00:00+08:00", doc::DateTime(), kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema("23 Nov 2026", doc::DateTime(), kNoComponents));
  const json::Json day = {{"type", "string"}, {"format", "date"}};
  EXPECT_FALSE(CheckAgainstSchema("2026-02-28", day, kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema("2026-02-30", day, kNoComponents));
  // Lengths count characters, not bytes.
  EXPECT_FALSE(CheckAgainstSchema("占道经营", doc::String(1, 4), kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema("占道经营!", doc::String(1, 4), kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema(0, doc::IntegerIn(1, 9), kNoComponents));
  const json::Json one_of = {{"oneOf", {doc::Integer(), doc::Number()}}};
  EXPECT_TRUE(CheckAgainstSchema(3, one_of, kNoComponents));  // both match
  EXPECT_FALSE(CheckAgainstSchema(3.5, one_of, kNoComponents));
  const json::Json starts_with_a = {{"type", "string"}, {"pattern", "^a"}};
  EXPECT_FALSE(CheckAgainstSchema("abc", starts_with_a, kNoComponents));
  EXPECT_TRUE(CheckAgainstSchema("cab", starts_with_a, kNoComponents));
}

// --- the document, from a router -----------------------------------------------

Result<Response> Ok(Request&) { return Response::NoContent(); }

TEST(OpenApiDocument, SecurityAndThePipelinesAnswersFollowTheRoutesAuth) {
  Router router;
  const RouteDoc documented{.summary = "x", .answers = {doc::NoContent("done")}};
  router.Add("GET", "/a/{id}", Auth::kPublic, documented, Ok);
  router.Add("GET", "/b", Auth::kRequired, documented, Ok);
  RouteDoc with_body = documented;
  with_body.body = {doc::Json(doc::Object(json::Json::object(), {}))};
  router.Add("POST", "/b", Auth::kRequired, with_body, Ok);
  router.Add("POST", "/c", Auth::kApiKey, documented, Ok);
  router.Add("GET", "/d", Auth::kRequired, Ok);  // undocumented
  const json::Json d = OpenApiDocument(router, {});
  const json::Json& paths = d.at("paths");

  const json::Json& pub = paths.at("/a/{id}").at("get");
  EXPECT_EQ(pub["security"], json::Json::array());
  EXPECT_FALSE(pub["responses"].contains("401"));
  EXPECT_TRUE(pub["responses"].contains("500"));
  ASSERT_EQ(pub["parameters"].size(), 1u);
  EXPECT_EQ(pub["parameters"][0]["name"], "id");
  EXPECT_EQ(pub["parameters"][0]["in"], "path");
  EXPECT_EQ(pub["parameters"][0]["required"], true);

  const json::Json& b = paths.at("/b");
  const json::Json read = b.at("get")["security"];
  EXPECT_EQ(read, json::Json::parse(R"([{"bearer":[]},{"session":[]}])"));
  const json::Json write = b.at("post")["security"];
  EXPECT_EQ(write, json::Json::parse(R"([{"bearer":[]},{"csrf":[],"session":[]}])"));
  for (const char* status : {"401", "403", "413", "500", "503"})
    EXPECT_TRUE(b.at("post")["responses"].contains(status)) << status;
  EXPECT_FALSE(b.at("get")["responses"].contains("413"));
  EXPECT_EQ(b.at("post")["responses"].at("401")["content"]["application/json"]["schema"],
            doc::Ref("Error"));

  EXPECT_EQ(paths.at("/c").at("post")["security"].back(), json::Json::parse(R"({"api_key":[]})"));
  const json::Json& undocumented = paths.at("/d").at("get");
  EXPECT_EQ(undocumented.value("x-undocumented", false), true);
  EXPECT_FALSE(undocumented.contains("responses"));
}

// --- the server's document -------------------------------------------------------

bool IsParamSegment(std::string_view s) {
  return s.size() > 2 && s.front() == '{' && s.back() == '}';
}

// Every "$ref" in v names a component; the dangling ones otherwise.
void CollectDanglingRefs(const json::Json& v, const json::Json& schemas, const std::string& at,
                         std::vector<std::string>& out) {
  if (v.is_object()) {
    if (auto ref = v.find("$ref"); ref != v.end()) {
      const std::string text = ref->is_string() ? ref->get<std::string>() : ref->dump();
      constexpr std::string_view kPrefix = "#/components/schemas/";
      if (!text.starts_with(kPrefix) || !schemas.contains(text.substr(kPrefix.size())))
        out.push_back(at + ": " + text);
    }
    for (const auto& [key, child] : v.items())
      CollectDanglingRefs(child, schemas, at + "/" + key, out);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      CollectDanglingRefs(v[i], schemas, at + "/" + std::to_string(i), out);
  }
}

// Each schema's "required" names only properties it declares.
void CollectUndeclaredRequired(const json::Json& v, const std::string& at,
                               std::vector<std::string>& out) {
  if (v.is_object()) {
    if (v.contains("required") && v.contains("properties") && v["required"].is_array())
      for (const auto& name : v["required"])
        if (!v["properties"].contains(name.get<std::string>()))
          out.push_back(at + ": " + name.get<std::string>());
    for (const auto& [key, child] : v.items())
      CollectUndeclaredRequired(child, at + "/" + key, out);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      CollectUndeclaredRequired(v[i], at + "/" + std::to_string(i), out);
  }
}

std::string MediaBase(std::string_view type) {
  std::string out(type.substr(0, type.find(';')));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class OpenApiRoutesTest : public RequestRoutesTest {
 protected:
  const json::Json& Document() const { return api_->openapi(); }
  const json::Json& Components() const { return Document()["components"]["schemas"]; }

  // The operation the document has for a route; null when none.
  const json::Json* Operation(const std::string& method, const std::string& pattern) const {
    const json::Json& paths = Document()["paths"];
    auto path = paths.find(pattern);
    if (path == paths.end()) return nullptr;
    auto op = path->find(Lower(method));
    return op == path->end() ? nullptr : &*op;
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  // An answer of (method, pattern) is one the document lists, in a media
  // type it lists, and a JSON body conforms to that schema.
  ::testing::AssertionResult Conforms(const std::string& method, const std::string& pattern,
                                      const ClientResponse& r) {
    const json::Json* op = Operation(method, pattern);
    if (!op) return ::testing::AssertionFailure() << method << " " << pattern << " is undocumented";
    exercised_.insert(method + " " + pattern);
    const std::string status = std::to_string(r.status);
    if (!op->contains("responses") || !(*op)["responses"].contains(status))
      return ::testing::AssertionFailure() << method << " " << pattern << " answered " << status
                                           << ", which the document does not list: " << r.body;
    const json::Json& answer = (*op)["responses"][status];
    if (r.body.empty() && !answer.contains("content")) return ::testing::AssertionSuccess();
    if (!answer.contains("content"))
      return ::testing::AssertionFailure()
             << method << " " << pattern << " " << status << " has a body the document lacks";
    const std::string type = r.Header("content-type");
    const json::Json* schema = nullptr;
    for (const auto& [media, content] : answer["content"].items())
      if (media == type || MediaBase(media) == MediaBase(type)) schema = &content["schema"];
    if (!schema)
      return ::testing::AssertionFailure() << method << " " << pattern << " " << status
                                           << " answered " << type << ", which is not listed";
    if (MediaBase(type).find("json") == std::string::npos) return ::testing::AssertionSuccess();
    auto body = json::Json::parse(r.body, nullptr, false);
    if (body.is_discarded())
      return ::testing::AssertionFailure() << method << " " << pattern << ": not JSON: " << r.body;
    if (auto e = CheckAgainstSchema(body, *schema, Components()))
      return ::testing::AssertionFailure()
             << method << " " << pattern << " " << status << ": " << *e << "\n"
             << body.dump(2);
    return ::testing::AssertionSuccess();
  }

  // A JSON body we send conforms to the route's request body schema.
  ::testing::AssertionResult BodyConforms(const std::string& method, const std::string& pattern,
                                          const json::Json& body) {
    const json::Json* op = Operation(method, pattern);
    if (!op || !op->contains("requestBody"))
      return ::testing::AssertionFailure() << method << " " << pattern << " takes no body";
    const json::Json& schema = (*op)["requestBody"]["content"]["application/json"]["schema"];
    if (auto e = CheckAgainstSchema(body, schema, Components()))
      return ::testing::AssertionFailure() << method << " " << pattern << " body: " << *e;
    return ::testing::AssertionSuccess();
  }

  // Sends a request as `who` ("" : no credential) and checks its answer.
  ClientResponse Call(const std::string& who, const std::string& method, const std::string& pattern,
                      const std::string& target, const std::string& body = "", Headers h = {}) {
    if (!who.empty()) h.emplace_back("Authorization", "Bearer " + tokens_.at(who));
    if (!body.empty() &&
        std::none_of(h.begin(), h.end(), [](const auto& kv) { return kv.first == "Content-Type"; }))
      h.emplace_back("Content-Type", "application/json");
    auto r = Send(port_, method, target, body, h);
    EXPECT_TRUE(Conforms(method, pattern, r));
    return r;
  }

  std::set<std::string> exercised_;
};

TEST_P(OpenApiRoutesTest, EveryRegisteredRouteIsDocumentedWithItsParametersAndAnswers) {
  const json::Json& d = Document();
  EXPECT_EQ(d["openapi"], "3.1.0");
  EXPECT_FALSE(d["info"]["title"].get<std::string>().empty());
  EXPECT_FALSE(d["info"]["version"].get<std::string>().empty());
  ASSERT_TRUE(d["components"]["schemas"].is_object());
  const json::Json& schemes = d["components"]["securitySchemes"];

  std::set<std::string> operation_ids, tags;
  for (const auto& t : d["tags"]) tags.insert(t["name"].get<std::string>());
  std::size_t operations = 0;
  for (const auto& [pattern, item] : d["paths"].items()) operations += item.size();
  EXPECT_EQ(operations, api_->router().routes().size()) << "an operation without a route";

  for (const auto& route : api_->router().routes()) {
    const std::string name = route->method + " " + route->pattern;
    SCOPED_TRACE(name);
    const json::Json* op = Operation(route->method, route->pattern);
    ASSERT_NE(op, nullptr) << name << " is missing from the document";
    EXPECT_FALSE(op->contains("x-undocumented")) << name << " has no RouteDoc";
    EXPECT_FALSE((*op)["summary"].get<std::string>().empty());
    EXPECT_TRUE(operation_ids.insert((*op)["operationId"].get<std::string>()).second);
    ASSERT_TRUE(op->contains("tags"));
    EXPECT_TRUE(tags.contains((*op)["tags"][0].get<std::string>()));

    // Each {x} of the pattern is a declared path parameter, and no other.
    std::set<std::string> in_pattern, declared;
    for (const auto& segment : route->segments)
      if (IsParamSegment(segment)) in_pattern.insert(segment.substr(1, segment.size() - 2));
    for (const auto& p : op->value("parameters", json::Json::array())) {
      EXPECT_TRUE(p.contains("schema")) << p.dump();
      if (p["in"] == "path") {
        EXPECT_EQ(p["required"], true) << p.dump();
        declared.insert(p["name"].get<std::string>());
      }
    }
    EXPECT_EQ(in_pattern, declared);

    // A success with a schema for each media type it answers in.
    ASSERT_TRUE(op->contains("responses"));
    bool success = false;
    for (const auto& [status, answer] : (*op)["responses"].items()) {
      EXPECT_FALSE(answer["description"].get<std::string>().empty()) << status;
      const int code = std::stoi(status);
      if (code < 100 || code >= 300) {
        ASSERT_TRUE(answer.contains("content")) << status << ": an error without its body";
        continue;
      }
      success = true;
      if (code == 204 || code == 101) continue;
      ASSERT_TRUE(answer.contains("content")) << status << " has no response schema";
      for (const auto& [media, content] : answer["content"].items())
        EXPECT_TRUE(content.contains("schema") && !content["schema"].empty())
            << status << " " << media << " has no schema";
    }
    EXPECT_TRUE(success) << name << " documents no success";

    // Every security requirement names a declared scheme.
    for (const auto& requirement : (*op)["security"])
      for (const auto& [scheme, scopes] : requirement.items())
        EXPECT_TRUE(schemes.contains(scheme)) << scheme;
    if (route->auth != Auth::kPublic) {
      EXPECT_TRUE((*op)["responses"].contains("401"));
      EXPECT_FALSE((*op)["security"].empty());
    }
  }

  std::vector<std::string> dangling, undeclared;
  CollectDanglingRefs(d, d["components"]["schemas"], "", dangling);
  EXPECT_TRUE(dangling.empty()) << fmt::format("{}", fmt::join(dangling, "\n"));
  CollectUndeclaredRequired(d, "", undeclared);
  EXPECT_TRUE(undeclared.empty()) << fmt::format("{}", fmt::join(undeclared, "\n"));
}

TEST_P(OpenApiRoutesTest, EachCommandsBodyIsPartOfTheCommandBody) {
  const json::Json* op = Operation("POST", "/api/v1/requests/{id}/{command}");
  ASSERT_NE(op, nullptr);
  const json::Json& bodies = (*op)["x-command-bodies"];
  const json::Json& all = Components()["CommandBody"]["properties"];
  for (auto c : requests::AllCommands()) {
    const std::string name(requests::CommandName(c));
    ASSERT_TRUE(bodies.contains(name)) << name;
    for (const auto& [field, schema] : bodies[name]["properties"].items())
      EXPECT_TRUE(all.contains(field)) << name << "." << field;
    EXPECT_NE((*op)["description"].get<std::string>().find("- " + name + ":"), std::string::npos);
  }
  // What the commands need is refused without it, by the document too.
  EXPECT_TRUE(CheckAgainstSchema(json::Json::object(), bodies["reply"], Components()));
  EXPECT_FALSE(CheckAgainstSchema({{"text", "已清理"}}, bodies["reply"], Components()));
  EXPECT_TRUE(CheckAgainstSchema({{"resolved", true}}, bodies["callback"], Components()));
  EXPECT_FALSE(CheckAgainstSchema(json::Json::object(), bodies["sign"], Components()));
}

TEST_P(OpenApiRoutesTest, TheServedDocumentIsPublicAndNamesItself) {
  auto r = Call("", "GET", "/api/v1/openapi.json", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(MediaBase(r.Header("content-type")), "application/json");
  const auto served = json::Json::parse(r.body);
  EXPECT_EQ(served, Document());
  EXPECT_TRUE(served["paths"].contains("/api/v1/openapi.json"));
  EXPECT_TRUE(served["paths"]["/api/v1/requests/{id}/{command}"].contains("post"));
}

TEST_P(OpenApiRoutesTest, RealAnswersOfTheMainRoutesConformToTheDocument) {
  // Identity.
  const json::Json login = {{"username", "user.op"}, {"password", kPassword}};
  EXPECT_TRUE(BodyConforms("POST", "/api/v1/auth/login", login));
  EXPECT_EQ(Call("", "POST", "/api/v1/auth/login", "/api/v1/auth/login", login.dump()).status, 200);
  json::Json wrong = login;
  wrong["password"] = "not-it";
  EXPECT_EQ(Call("", "POST", "/api/v1/auth/login", "/api/v1/auth/login", wrong.dump()).status, 401);
  EXPECT_EQ(Call("", "GET", "/api/v1/me", "/api/v1/me").status, 401);
  EXPECT_EQ(Call("op", "GET", "/api/v1/me", "/api/v1/me").status, 200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/units", "/api/v1/units").status, 200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/units", "/api/v1/units?parent_id=" + city_.id).status, 200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/units/tree", "/api/v1/units/tree").status, 200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/units/map", "/api/v1/units/map?kind=street").status, 200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/units/{id}", "/api/v1/units/" + street_a_.id).status, 200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/units/{id}", "/api/v1/units/nowhere").status, 404);
  Call("lead", "GET", "/api/v1/accounts", "/api/v1/accounts?limit=5");

  // Matters.
  EXPECT_EQ(Call("op", "GET", "/api/v1/matters", "/api/v1/matters").status, 200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/matters", "/api/v1/matters?leaves=yes").status, 400);
  EXPECT_EQ(Call("op", "GET", "/api/v1/matters/{id}", "/api/v1/matters/" + stalls_).status, 200);
  EXPECT_EQ(
      Call("op", "GET", "/api/v1/matters/{id}/versions", "/api/v1/matters/" + stalls_ + "/versions")
          .status,
      200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/matters/suggest",
                 "/api/v1/matters/suggest?text=%E5%B0%8F%E8%B4%A9%E6%91%86%E6%91%8A")
                .status,
            200);

  // Intake: preview, create, and a retry with the same key.
  EXPECT_TRUE(BodyConforms("POST", "/api/v1/requests", Stalls()));
  EXPECT_EQ(
      Call("op", "POST", "/api/v1/requests/preview", "/api/v1/requests/preview", Stalls().dump())
          .status,
      200);
  json::Json intake = Stalls();
  intake["dispatch"] = true;
  auto created = Call("op", "POST", "/api/v1/requests", "/api/v1/requests", intake.dump(),
                      {{"Idempotency-Key", "openapi-1"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json::Json request = Body(created)["request"];
  const std::string id = request["id"];
  auto again = Call("op", "POST", "/api/v1/requests", "/api/v1/requests", intake.dump(),
                    {{"Idempotency-Key", "openapi-1"}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Call("op", "POST", "/api/v1/requests", "/api/v1/requests", R"({"title":"x"})").status,
            400);

  // The inbox, one request, its timeline.
  EXPECT_EQ(Call("op", "GET", "/api/v1/requests", "/api/v1/requests").status, 200);
  EXPECT_EQ(Call("ha", "GET", "/api/v1/requests",
                 "/api/v1/requests?status=dispatched,signed&from=2026-11-01&limit=10")
                .status,
            200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/requests/{id}", "/api/v1/requests/" + id).status, 200);
  // Whoever may or may not reveal, the answer is one the document lists.
  Call("op", "GET", "/api/v1/requests/{id}", "/api/v1/requests/" + id + "?reveal=contact");
  EXPECT_EQ(Call("hb", "GET", "/api/v1/requests/{id}", "/api/v1/requests/" + id).status, 403);

  // Commands, with their bodies held against the document too.
  const std::string command = "/api/v1/requests/{id}/{command}";
  const std::string base = "/api/v1/requests/" + id + "/";
  EXPECT_EQ(Call("ha", "POST", command, base + "sign", "{}").status, 200);
  const json::Json reply = {{"text", "已清理占道摊位，并安排城管每晚巡查。"}};
  EXPECT_TRUE(BodyConforms("POST", command, reply));
  EXPECT_EQ(Call("ha", "POST", command, base + "reply", reply.dump()).status, 200);
  EXPECT_EQ(Call("ha", "POST", command, base + "sign", "{}").status, 409);  // replied
  EXPECT_EQ(Call("ha", "POST", command, base + "fly", "{}").status, 404);
  EXPECT_EQ(Call("ha", "POST", command, base + "reply", R"({"colour":"red"})").status, 400);
  const json::Json callback = {{"resolved", true}, {"satisfaction", "satisfied"}};
  EXPECT_TRUE(BodyConforms("POST", command, callback));
  EXPECT_EQ(Call("op", "POST", command, base + "callback", callback.dump()).status, 200);
  auto timeline = Call("op", "GET", "/api/v1/requests/{id}/timeline", base + "timeline");
  EXPECT_EQ(timeline.status, 200);
  EXPECT_GE(Body(timeline)["items"].size(), 4u);
  EXPECT_EQ(Call("sup", "GET", "/api/v1/supervision", "/api/v1/supervision").status, 200);

  // Public tracking.
  const std::string number = request["number"];
  EXPECT_EQ(Call("", "GET", "/api/v1/track", "/api/v1/track?number=" + number + "&phone_last4=1234")
                .status,
            200);
  EXPECT_EQ(Call("", "GET", "/api/v1/track", "/api/v1/track?number=" + number).status, 400);

  // A photo.
  const std::string jpeg = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00 a photo"s;
  auto upload = Call("res", "POST", "/api/v1/attachments", "/api/v1/attachments", jpeg,
                     {{"Content-Type", "image/jpeg"}});
  ASSERT_EQ(upload.status, 201) << upload.body;
  EXPECT_EQ(Call("res", "GET", "/api/v1/attachments/{file_id}", upload.Header("location")).status,
            200);
  EXPECT_EQ(Call("res", "POST", "/api/v1/attachments", "/api/v1/attachments", "not a photo",
                 {{"Content-Type", "image/jpeg"}})
                .status,
            400);

  // Statistics and the calendar.
  EXPECT_EQ(
      Call("lead", "GET", "/api/v1/stats/ranking", "/api/v1/stats/ranking?from=2026-11").status,
      200);
  EXPECT_EQ(
      Call("lead", "GET", "/api/v1/stats/ranking", "/api/v1/stats/ranking?from=2026-11&format=csv")
          .status,
      200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/stats/ranking", "/api/v1/stats/ranking").status, 400);
  EXPECT_EQ(
      Call("lead", "GET", "/api/v1/stats/trend", "/api/v1/stats/trend?from=2026-10&to=2026-11")
          .status,
      200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/stats/grids",
                 "/api/v1/stats/grids?from=2026-11-01&to=2026-11-30")
                .status,
            200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/stats/places",
                 "/api/v1/stats/places?from=2026-11-01&to=2026-11-30&level=street")
                .status,
            200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/stats/hotspots",
                 "/api/v1/stats/hotspots?from=2026-11-01&to=2026-11-30")
                .status,
            200);
  EXPECT_EQ(Call("op", "GET", "/api/v1/calendar", "/api/v1/calendar?year=2026").status, 200);

  // Open311, in both formats and with its own error body.
  const std::string o = "/open311/v2/";
  EXPECT_EQ(Call("", "GET", o + "{file}", o + "discovery.json").status, 200);
  EXPECT_EQ(Call("", "GET", o + "{file}", o + "services.json").status, 200);
  EXPECT_EQ(Call("", "GET", o + "{file}", o + "services.xml").status, 200);
  EXPECT_EQ(Call("", "GET", o + "{file}", o + "requests.json").status, 200);
  EXPECT_EQ(Call("", "GET", o + "requests/{file}", o + "requests/" + number + ".json").status, 200);
  EXPECT_EQ(Call("", "GET", o + "tokens/{file}", o + "tokens/" + id + ".json").status, 200);
  EXPECT_EQ(Call("", "GET", o + "services/{file}", o + "services/01-01-01.json").status, 200);
  EXPECT_EQ(Call("", "GET", o + "services/{file}", o + "services/99-99-99.xml").status, 404);
  EXPECT_EQ(Call("", "POST", o + "{file}", o + "requests.json", "service_code=01-01-01",
                 {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            403);

  // The workflow engine's routes.
  const std::string bpmn = workflow::Wrap(R"(
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="doc"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="u"/><bpmn:userTask id="u"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="user.adm"/></bpmn:extensionElements></bpmn:userTask>)");
  const std::string defs = "/api/v1/workflow/definitions";
  auto deployed = Call("adm", "POST", defs, defs, bpmn, {{"Content-Type", "application/xml"}});
  EXPECT_EQ(deployed.status, 201);
  EXPECT_EQ(Call("adm", "POST", defs, defs, "<x", {{"Content-Type", "application/xml"}}).status,
            422);
  EXPECT_EQ(Call("adm", "GET", defs, defs).status, 200);
  EXPECT_EQ(Call("adm", "GET", defs + "/{id}", defs + "/" + Body(deployed)["id"].get<std::string>())
                .status,
            200);
  const std::string insts = "/api/v1/workflow/instances";
  auto inst = Call("adm", "POST", insts, insts, R"({"process_id":"oneProcess"})");
  EXPECT_EQ(inst.status, 201);
  const std::string inst_id = Body(inst)["id"];
  auto jobs = Call("adm", "POST", "/api/v1/workflow/jobs/activate",
                   "/api/v1/workflow/jobs/activate", R"({"type":"doc"})");
  EXPECT_EQ(jobs.status, 200);
  const std::string job = Body(jobs)["jobs"][0]["key"];
  EXPECT_EQ(Call("adm", "POST", "/api/v1/workflow/jobs/{key}/fail",
                 "/api/v1/workflow/jobs/" + job + "/fail", R"({"retries":3})")
                .status,
            204);
  EXPECT_EQ(Call("adm", "POST", "/api/v1/workflow/jobs/{key}/error",
                 "/api/v1/workflow/jobs/" + job + "/error", R"({"error_code":"none"})")
                .status,
            204);  // uncaught: an incident
  EXPECT_EQ(Call("adm", "GET", "/api/v1/workflow/incidents", "/api/v1/workflow/incidents").status,
            200);
  EXPECT_EQ(
      Call("adm", "POST", insts + "/{id}/resolve", insts + "/" + inst_id + "/resolve", "{}").status,
      200);
  jobs = Call("adm", "POST", "/api/v1/workflow/jobs/activate", "/api/v1/workflow/jobs/activate",
              R"({"type":"doc"})");
  EXPECT_EQ(
      Call("adm", "POST", "/api/v1/workflow/jobs/{key}/complete",
           "/api/v1/workflow/jobs/" + Body(jobs)["jobs"][0]["key"].get<std::string>() + "/complete",
           "{}")
          .status,
      204);
  auto tasks = Call("adm", "GET", "/api/v1/workflow/tasks", "/api/v1/workflow/tasks");
  EXPECT_EQ(tasks.status, 200);
  EXPECT_EQ(Call("adm", "POST", "/api/v1/workflow/tasks/{id}/complete",
                 "/api/v1/workflow/tasks/" + Body(tasks)["items"][0]["id"].get<std::string>() +
                     "/complete",
                 "{}")
                .status,
            204);
  EXPECT_EQ(Call("adm", "GET", insts + "/{id}", insts + "/" + inst_id).status, 200);
  EXPECT_EQ(Call("adm", "GET", insts, insts + "?state=active&limit=5").status, 200);
  EXPECT_EQ(Call("adm", "GET", insts, insts + "?state=sleeping").status, 400);
  EXPECT_EQ(
      Call("adm", "POST", insts + "/{id}/migrate", insts + "/" + inst_id + "/migrate", "{}").status,
      409);
  EXPECT_EQ(Call("adm", "POST", "/api/v1/workflow/messages", "/api/v1/workflow/messages",
                 R"({"name":"m","correlation_key":"k"})")
                .status,
            200);

  const std::string decisions = "/api/v1/workflow/decisions";
  const std::string dmn =
      R"(<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
  <decision id="fast"><decisionTable id="t"><input id="i"><inputExpression id="e" typeRef="number"><text>area</text></inputExpression></input>
  <output id="o" name="ok" typeRef="boolean"/><rule id="r"><inputEntry id="a"><text>&lt; 100</text></inputEntry><outputEntry id="b"><text>true</text></outputEntry></rule></decisionTable></decision></definitions>)";
  EXPECT_EQ(
      Call("adm", "POST", decisions, decisions, dmn, {{"Content-Type", "application/xml"}}).status,
      201);
  EXPECT_EQ(Call("adm", "POST", decisions, decisions, "<definitions/>",
                 {{"Content-Type", "application/xml"}})
                .status,
            422);
  EXPECT_EQ(Call("adm", "GET", decisions, decisions).status, 200);

  // The one-thing services' routes.
  std::string permit = workflow::Wrap(R"(
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="JL-D12"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/><bpmn:endEvent id="e"/>)");
  permit.replace(permit.find("oneProcess"), 10, "permitFlow");
  EXPECT_EQ(Call("adm", "POST", defs, defs, permit, {{"Content-Type", "application/xml"}}).status,
            201);
  const json::Json bundle = {
      {"code", "permit"},
      {"title", "许可"},
      {"process_id", "permitFlow"},
      {"promised_days", 3},
      {"materials", {{{"key", "plan"}, {"name", "方案"}, {"required", true}}}},
      {"fields",
       {{{"key", "organiser"}, {"label", "主办单位"}, {"type", "text"}, {"required", true}}}},
      {"parts",
       {{{"key", "review"},
         {"title", "审查"},
         {"unit_code", "JL-D12"},
         {"promised_days", 3},
         {"certificate", "许可决定书"},
         {"certificate_prefix", "XK"}}}}};
  EXPECT_EQ(Call("adm", "POST", "/api/v1/services", "/api/v1/services", bundle.dump()).status, 201);
  EXPECT_EQ(Call("", "GET", "/api/v1/services", "/api/v1/services").status, 200);
  EXPECT_EQ(Call("", "GET", "/api/v1/services/{code}", "/api/v1/services/permit").status, 200);
  EXPECT_EQ(Call("res", "GET", "/api/v1/services/{code}/prefill", "/api/v1/services/permit/prefill")
                .status,
            200);
  auto plan = Call("res", "POST", "/api/v1/attachments", "/api/v1/attachments", "%PDF-1.7 plan",
                   {{"Content-Type", "application/pdf"}});
  EXPECT_EQ(plan.status, 201);
  const std::string apps = "/api/v1/applications";
  const json::Json application = {{"service", "permit"},
                                  {"form", {{"organiser", "江澜市体育发展中心"}}},
                                  {"materials", {{"plan", {Body(plan)["id"]}}}}};
  auto applied = Call("res", "POST", apps, apps, application.dump());
  EXPECT_EQ(applied.status, 201);
  EXPECT_EQ(Call("res", "POST", apps, apps, R"({"service":"permit","form":{}})").status, 400);
  const std::string app_id = Body(applied)["id"];
  React();
  EXPECT_EQ(Call("pol", "GET", apps + "/parts", apps + "/parts").status, 200);
  EXPECT_EQ(Call("res", "GET", apps, apps).status, 200);
  EXPECT_EQ(Call("pol", "POST", apps + "/{id}/parts/{key}/correction",
                 apps + "/" + app_id + "/parts/review/correction",
                 R"({"reason":"补充","items":["organiser"]})")
                .status,
            200);
  EXPECT_EQ(Call("res", "POST", apps + "/{id}/corrections", apps + "/" + app_id + "/corrections",
                 R"({"form":{"organiser":"江澜市体育中心"}})")
                .status,
            200);
  EXPECT_EQ(Call("pol", "POST", apps + "/{id}/parts/{key}/reject",
                 apps + "/" + app_id + "/parts/review/reject", "{}")
                .status,
            400);
  EXPECT_EQ(Call("pol", "POST", apps + "/{id}/parts/{key}/approve",
                 apps + "/" + app_id + "/parts/review/approve", "{}")
                .status,
            200);
  React();
  auto finished = Call("res", "GET", apps + "/{id}", apps + "/" + app_id);
  EXPECT_EQ(finished.status, 200);
  const json::Json done = Body(finished);
  ASSERT_EQ(done["certificates"].size(), 1u);
  EXPECT_EQ(
      Call("", "GET", "/api/v1/certificates/verify/{code}",
           "/api/v1/certificates/verify/" + done["certificates"][0]["code"].get<std::string>())
          .status,
      200);
  EXPECT_EQ(Call("pol", "GET", apps + "/{id}/materials/{file_id}",
                 apps + "/" + app_id + "/materials/" + Body(plan)["id"].get<std::string>())
                .status,
            200);
  EXPECT_EQ(Call("res", "POST", apps + "/{id}/rating", apps + "/" + app_id + "/rating",
                 R"({"score":5,"reasons":["fast"]})")
                .status,
            200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/services/figures",
                 "/api/v1/services/figures?from=2026-11-01&to=2026-11-30")
                .status,
            200);
  EXPECT_EQ(Call("lead", "GET", "/api/v1/services/figures",
                 "/api/v1/services/figures?from=2026-11-01&to=2026-11-30&format=csv")
                .status,
            200);

  // 数据共享: publish, import, ask, decide, look up, and the resident's log.
  const std::string ex = "/api/v1/exchange";
  const json::Json household = {
      {"code", "JL-GA-001"},
      {"title", "户籍人口基本信息"},
      {"description", "户籍人口的姓名、身份号码与联系电话"},
      {"share", "conditional"},
      {"share_condition", "社会救助核验"},
      {"key_field", "id_number"},
      {"fields",
       {{{"name", "id_number"}, {"title", "公民身份号码"}, {"element", "id_number"}},
        {{"name", "name"}, {"title", "姓名"}, {"element", "person_name"}},
        {{"name", "phone"}, {"title", "联系电话"}, {"element", "mobile"}},
        {{"name", "address"}, {"title", "户籍地址"}, {"element", "address"}}}}};
  auto published = Call("pdo", "POST", ex + "/resources", ex + "/resources", household.dump());
  EXPECT_EQ(published.status, 201);
  const std::string rid = Body(published)["id"];
  EXPECT_EQ(Call("ha", "POST", ex + "/resources", ex + "/resources", household.dump()).status, 403);
  const std::string rows =
      "id_number,name,phone,address\n330102199003071230,林晓,13812345678,江澜市临江区滨江路88号\n";
  const Headers csv = {{"Content-Type", "text/csv"}};
  EXPECT_EQ(Call("pdo", "PUT", ex + "/resources/{id}/records",
                 ex + "/resources/" + rid + "/records", rows, csv)
                .status,
            200);
  EXPECT_EQ(
      Call("pdo", "PUT", ex + "/resources/{id}/records", ex + "/resources/" + rid + "/records",
           rows + "330102199003071231,坏号,13800000000,地址\n", csv)
          .status,
      400);
  // The same row from an Excel workbook, Chinese titles as the header.
  auto workbook = WorkbookBytes([](lxw_workbook* wb) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    const char* cells[2][4] = {
        {"公民身份号码", "姓名", "联系电话", "户籍地址"},
        {"330102199003071230", "林晓", "13812345678", "江澜市临江区滨江路88号"}};
    for (lxw_row_t row = 0; row < 2; ++row)
      for (lxw_col_t col = 0; col < 4; ++col)
        worksheet_write_string(ws, row, col, cells[row][col], nullptr);
    return LXW_NO_ERROR;
  });
  ASSERT_TRUE(workbook);
  auto from_xlsx =
      Call("pdo", "PUT", ex + "/resources/{id}/records", ex + "/resources/" + rid + "/records",
           *workbook,
           {{"Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  EXPECT_EQ(from_xlsx.status, 200) << from_xlsx.body;
  EXPECT_EQ(Body(from_xlsx)["encoding"], "xlsx");
  EXPECT_EQ(Body(from_xlsx)["stored"], 1);
  EXPECT_EQ(
      Call("pdo", "GET", ex + "/resources/{id}/records", ex + "/resources/" + rid + "/records")
          .status,
      200);
  EXPECT_EQ(Call("ha", "GET", ex + "/resources/{id}/records", ex + "/resources/" + rid + "/records")
                .status,
            403);
  EXPECT_EQ(Call("lead", "GET", ex + "/resources", ex + "/resources?grade=general").status, 200);
  EXPECT_EQ(Call("lead", "GET", ex + "/resources", ex + "/resources?grade=secret").status, 400);
  EXPECT_EQ(Call("lead", "GET", ex + "/resources/{id}", ex + "/resources/" + rid).status, 200);
  EXPECT_EQ(Call("lead", "GET", ex + "/resources/{id}", ex + "/resources/nope").status, 404);
  EXPECT_EQ(
      Call("pdo", "GET", ex + "/resources/{id}/imports", ex + "/resources/" + rid + "/imports")
          .status,
      200);
  EXPECT_EQ(
      Call("pdo", "GET", ex + "/resources/{id}/quality", ex + "/resources/" + rid + "/quality")
          .status,
      200);
  EXPECT_EQ(Call("lead", "GET", ex + "/scorecards", ex + "/scorecards?days=30").status, 200);
  EXPECT_EQ(Call("lead", "GET", ex + "/elements", ex + "/elements").status, 200);
  EXPECT_EQ(Call("pdo", "POST", ex + "/elements", ex + "/elements",
                 R"({"code":"house_no","name":"门牌号","rule":"pattern","pattern":"^[0-9]+号$"})")
                .status,
            201);
  EXPECT_EQ(Call("", "GET", ex + "/catalog.jsonld", ex + "/catalog.jsonld").status, 200);
  EXPECT_EQ(Call("", "GET", ex + "/catalog.ttl", ex + "/catalog.ttl").status, 200);
  auto grade = Call("pdo", "POST", ex + "/resources/{id}/grade-changes",
                    ex + "/resources/" + rid + "/grade-changes",
                    R"({"field":"phone","grade":"important","reason":"号码属敏感信息"})");
  EXPECT_EQ(grade.status, 201);
  EXPECT_EQ(Call("pdo", "GET", ex + "/resources/{id}/grade-changes",
                 ex + "/resources/" + rid + "/grade-changes")
                .status,
            200);
  EXPECT_EQ(Call("pdo", "POST", ex + "/grade-changes/{id}/approve",
                 ex + "/grade-changes/" + Body(grade)["id"].get<std::string>() + "/approve")
                .status,
            409);  // the steward proposed it: applied already
  const json::Json ask = {{"resource_id", rid},
                          {"fields", {"name", "phone", "address"}},
                          {"purpose_code", "grid-visit"},
                          {"purpose", "网格走访"},
                          {"legal_basis", "《基层治理数据回流管理办法》"}};
  auto asked = Call("sl", "POST", ex + "/access-requests", ex + "/access-requests", ask.dump());
  EXPECT_EQ(asked.status, 201);
  const std::string req_id = Body(asked)["id"];
  EXPECT_EQ(
      Call("pdo", "GET", ex + "/access-requests", ex + "/access-requests?box=incoming").status,
      200);
  EXPECT_EQ(
      Call("sl", "GET", ex + "/access-requests/{id}", ex + "/access-requests/" + req_id).status,
      200);
  EXPECT_EQ(Call("pdo", "POST", ex + "/access-requests/{id}/approve",
                 ex + "/access-requests/" + req_id + "/approve", R"({"fields":["name","phone"]})")
                .status,
            200);
  auto refused = Call("sl", "POST", ex + "/access-requests", ex + "/access-requests", ask.dump());
  EXPECT_EQ(Call("pdo", "POST", ex + "/access-requests/{id}/reject",
                 ex + "/access-requests/" + Body(refused)["id"].get<std::string>() + "/reject",
                 R"({"reason":"已有授权"})")
                .status,
            200);
  const Headers purpose = {{"X-Purpose", "grid-visit"}};
  EXPECT_EQ(Call("ha", "GET", ex + "/resources/{id}/records/{key}",
                 ex + "/resources/" + rid + "/records/330102199003071230", "", purpose)
                .status,
            200);
  EXPECT_EQ(
      Call("ha", "GET", ex + "/resources/{id}/records/{key}",
           ex + "/resources/" + rid + "/records/330102199003071230?fields=address", "", purpose)
          .status,
      403);
  EXPECT_EQ(
      Call("ha", "POST", ex + "/resources/{id}/lookups", ex + "/resources/" + rid + "/lookups",
           R"({"keys":["330102199003071230","11010519491231002X"]})", purpose)
          .status,
      200);
  EXPECT_EQ(Call("lead", "GET", ex + "/usage", ex + "/usage?days=7").status, 200);
  auto grants = Call("ha", "GET", ex + "/grants", ex + "/grants");
  EXPECT_EQ(grants.status, 200);
  ASSERT_EQ(Body(grants)["items"].size(), 1u);
  EXPECT_EQ(Call("res", "GET", "/api/v1/me/data-access-log", "/api/v1/me/data-access-log").status,
            200);
  EXPECT_EQ(Call("adm", "POST", ex + "/residents/{account_id}/identity",
                 ex + "/residents/" + AccountId("res") + "/identity",
                 R"({"id_number":"330102199003071230"})")
                .status,
            204);
  auto mine = Call("res", "GET", "/api/v1/me/data-access-log", "/api/v1/me/data-access-log");
  EXPECT_EQ(Body(mine)["items"].size(), 2u);
  EXPECT_EQ(
      Call("res", "GET", "/api/v1/me/data-access-log", "/api/v1/me/data-access-log?format=csv")
          .status,
      200);
  EXPECT_EQ(Call("pdo", "POST", ex + "/grants/{id}/revoke",
                 ex + "/grants/" + Body(grants)["items"][0]["id"].get<std::string>() + "/revoke",
                 R"({"reason":"走访结束"})")
                .status,
            200);

  // 专班 and 协同办公: a task force with tasks, its channel, a group, a directive and 签收.
  const std::string tf = "/api/v1/taskforces";
  const json::Json force_in = {{"title", "望湖街道占道经营整治专班"},
                               {"subject_kind", "hotspot"},
                               {"subject_id", "hotspot-1"},
                               {"goal", "一个月内消除占道经营"},
                               {"deadline", "2026-12-23T17:30:00+08:00"},
                               {"members",
                                {{{"account_id", AccountId("ha")}, {"role", "member"}},
                                 {{"account_id", AccountId("sl")}, {"role", "liaison"}},
                                 {{"account_id", AccountId("pol")}}}},
                               {"request_ids", {id}}};
  EXPECT_TRUE(BodyConforms("POST", tf, force_in));
  auto force = Call("lead", "POST", tf, tf, force_in.dump());
  ASSERT_EQ(force.status, 201) << force.body;
  const std::string fid = Body(force)["id"];
  const std::string channel = Body(force)["channel_id"];
  EXPECT_EQ(Call("ha", "POST", tf, tf, force_in.dump()).status, 403);
  EXPECT_EQ(Call("ha", "GET", tf + "/{id}", tf + "/" + fid).status, 200);
  EXPECT_EQ(Call("hb", "GET", tf + "/{id}", tf + "/" + fid).status, 404);
  EXPECT_EQ(Call("ha", "GET", tf, tf).status, 200);
  EXPECT_EQ(Call("lead", "GET", tf, tf + "?scope=overseen").status, 200);
  // What the force works on: every member reads the linked request's summary.
  auto linked = Call("pol", "GET", tf + "/{id}/requests", tf + "/" + fid + "/requests");
  ASSERT_EQ(linked.status, 200) << linked.body;
  ASSERT_EQ(Body(linked)["items"].size(), 1u);
  EXPECT_EQ(Body(linked)["items"][0]["id"], id);
  EXPECT_EQ(Call("hb", "GET", tf + "/{id}/requests", tf + "/" + fid + "/requests").status, 404);
  EXPECT_EQ(Call("lead", "POST", tf + "/{id}/requests", tf + "/" + fid + "/requests",
                 R"({"request_ids":[")" + id + R"("]})")
                .status,
            200);
  EXPECT_EQ(Call("lead", "POST", tf + "/{id}/requests", tf + "/" + fid + "/requests",
                 R"({"request_ids":["../etc"]})")
                .status,
            400);
  EXPECT_EQ(Call("lead", "POST", tf + "/{id}/requests", tf + "/" + fid + "/requests",
                 R"({"request_ids":["01JZZZZZZZZZZZZZZZZZZZZZZZ"]})")
                .status,
            404);
  EXPECT_EQ(Call("ha", "POST", tf + "/{id}/requests", tf + "/" + fid + "/requests",
                 R"({"request_ids":[")" + id + R"("]})")
                .status,
            403);
  EXPECT_EQ(Call("lead", "GET", tf, tf + "?scope=everything").status, 400);
  EXPECT_EQ(Call("sl", "POST", tf + "/{id}/members", tf + "/" + fid + "/members",
                 json::Json({{"account_id", AccountId("hb")}}).dump())
                .status,
            201);
  EXPECT_EQ(Call("ha", "POST", tf + "/{id}/members", tf + "/" + fid + "/members",
                 json::Json({{"account_id", AccountId("op")}}).dump())
                .status,
            403);
  EXPECT_EQ(Call("lead", "POST", tf + "/{id}/members/{account_id}/remove",
                 tf + "/" + fid + "/members/" + AccountId("hb") + "/remove")
                .status,
            204);
  auto survey =
      Call("lead", "POST", tf + "/{id}/tasks", tf + "/" + fid + "/tasks",
           json::Json(
               {{"title", "摸排摊点"}, {"owner_account_id", AccountId("ha")}, {"deadline_days", 3}})
               .dump());
  ASSERT_EQ(survey.status, 201) << survey.body;
  const std::string t1 = Body(survey)["id"];
  auto clear = Call("sl", "POST", tf + "/{id}/tasks", tf + "/" + fid + "/tasks",
                    json::Json({{"title", "集中清理"},
                                {"owner_account_id", AccountId("pol")},
                                {"deadline_days", 5},
                                {"depends_on", {t1}}})
                        .dump());
  ASSERT_EQ(clear.status, 201) << clear.body;
  const std::string t2 = Body(clear)["id"];
  const std::string tk = "/api/v1/tasks";
  EXPECT_EQ(
      Call("pol", "POST", tk + "/{id}/status", tk + "/" + t2 + "/status", R"({"status":"doing"})")
          .status,
      409);
  EXPECT_EQ(Call("lead", "POST", tk + "/{id}/dependencies", tk + "/" + t1 + "/dependencies",
                 json::Json({{"depends_on", {t2}}}).dump())
                .status,
            400);
  EXPECT_EQ(Call("ha", "POST", tk + "/{id}/reports", tk + "/" + t1 + "/reports",
                 R"({"text":"已摸排23处","percent":50})")
                .status,
            201);
  EXPECT_EQ(Call("lead", "GET", tk + "/{id}/reports", tk + "/" + t1 + "/reports").status, 200);
  EXPECT_EQ(
      Call("ha", "POST", tk + "/{id}/status", tk + "/" + t1 + "/status", R"({"status":"done"})")
          .status,
      200);
  EXPECT_EQ(Call("lead", "GET", tk + "/overdue", tk + "/overdue").status, 200);
  auto stage =
      Call("lead", "POST", tf + "/{id}/milestones", tf + "/" + fid + "/milestones",
           R"({"stage":"initiation","due":"2026-11-30T17:30:00+08:00","budget_fen":500000})");
  ASSERT_EQ(stage.status, 201) << stage.body;
  EXPECT_EQ(Call("lead", "POST", "/api/v1/milestones/{id}/record",
                 "/api/v1/milestones/" + Body(stage)["id"].get<std::string>() + "/record",
                 R"({"spent_fen":120000,"reached":true})")
                .status,
            200);

  const std::string ch = "/api/v1/channels";
  auto posted = Call("ha", "POST", ch + "/{id}/messages", ch + "/" + channel + "/messages",
                     R"({"text":"@user.sl 摸排表已上传"})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  EXPECT_EQ(Body(posted)["mentions"].size(), 1u);
  EXPECT_EQ(Call("hb", "POST", ch + "/{id}/messages", ch + "/" + channel + "/messages",
                 R"({"text":"我已离开"})")
                .status,
            403);
  EXPECT_EQ(Call("ha", "POST", ch + "/{id}/messages", ch + "/" + channel + "/messages",
                 json::Json({{"text", std::string(9000, 'x')}}).dump())
                .status,
            413);
  auto page = Call("sl", "GET", ch + "/{id}/messages", ch + "/" + channel + "/messages?limit=10");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(Call("sl", "GET", ch + "/{id}/messages",
                 ch + "/" + channel +
                     "/messages?cursor=" + Body(page)["resume_cursor"].get<std::string>())
                .status,
            200);
  EXPECT_EQ(
      Call("sl", "GET", ch + "/{id}/messages", ch + "/" + channel + "/messages?cursor=zz").status,
      400);
  // 摸排, percent-encoded: found by a member, in that channel and in all of theirs.
  const std::string ms = "/api/v1/messages/search";
  auto found = Call("sl", "GET", ms, ms + "?q=%E6%91%B8%E6%8E%92&channel_id=" + channel);
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(Body(found)["items"].size(), 1u);
  EXPECT_EQ(Body(found)["items"][0]["channel_kind"], "force");
  EXPECT_EQ(Call("sl", "GET", ms, ms + "?q=%E6%91%B8%E6%8E%92").status, 200);
  EXPECT_EQ(Call("sl", "GET", ms, ms + "?q=").status, 400);
  EXPECT_EQ(Call("sl", "GET", ms, ms + "?q=%FF").status, 400);
  // hb left the force: its messages are no longer searchable for hb.
  EXPECT_EQ(Call("hb", "GET", ms, ms + "?q=x&channel_id=" + channel).status, 403);
  EXPECT_EQ(
      Call("sl", "POST", ch + "/{id}/read", ch + "/" + channel + "/read", R"({"seq":1})").status,
      204);
  EXPECT_EQ(Call("sl", "GET", ch, ch).status, 200);
  EXPECT_EQ(Call("sl", "GET", ch + "/{id}/members", ch + "/" + channel + "/members").status, 200);
  auto group = Call("ha", "POST", ch, ch,
                    json::Json({{"title", "街道网格员"}, {"members", {AccountId("hb")}}}).dump());
  ASSERT_EQ(group.status, 201) << group.body;
  const std::string gid = Body(group)["id"];
  EXPECT_EQ(Call("ha", "POST", ch + "/{id}/members", ch + "/" + gid + "/members",
                 json::Json({{"account_id", AccountId("pol")}}).dump())
                .status,
            201);
  EXPECT_EQ(Call("hb", "POST", ch + "/{id}/leave", ch + "/" + gid + "/leave").status, 204);
  EXPECT_EQ(Call("ha", "POST", ch + "/direct", ch + "/direct",
                 json::Json({{"account_id", AccountId("hb")}}).dump())
                .status,
            200);
  EXPECT_EQ(Call("lead", "POST", tk + "/{id}/reassign", tk + "/" + t2 + "/reassign",
                 json::Json({{"owner_account_id", AccountId("sl")}}).dump())
                .status,
            200);
  EXPECT_EQ(
      Call("lead", "POST", tf + "/{id}/dissolve", tf + "/" + fid + "/dissolve",
           json::Json({{"summary", "整治完成"}, {"handover", {{t2, AccountId("sl")}}}}).dump())
          .status,
      200);
  EXPECT_EQ(
      Call("lead", "POST", tf + "/{id}/tasks", tf + "/" + fid + "/tasks",
           json::Json(
               {{"title", "复查"}, {"owner_account_id", AccountId("ha")}, {"deadline_days", 1}})
               .dump())
          .status,
      409);

  const std::string dir = "/api/v1/directives";
  const json::Json notice = {{"title", "关于开展消防安全检查的通知"},
                             {"body", "请于本周五前完成辖区检查。"},
                             {"to_units", {street_a_.id}},
                             {"include_subtree", true},
                             {"ack_by", "2026-11-27T17:30:00+08:00"}};
  EXPECT_TRUE(BodyConforms("POST", dir, notice));
  auto sent = Call("lead", "POST", dir, dir, notice.dump(), {{"Idempotency-Key", "fire-check-1"}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  auto resent =
      Call("lead", "POST", dir, dir, notice.dump(), {{"Idempotency-Key", "fire-check-1"}});
  EXPECT_EQ(Body(resent)["id"], Body(sent)["id"]) << "a retry is the first directive";
  EXPECT_EQ(Body(sent)["recipients"], 2);  // ha and sl; the resident is not staff
  const std::string did = Body(sent)["id"];
  EXPECT_EQ(Call("ha", "GET", dir, dir).status, 200);
  EXPECT_EQ(Call("lead", "GET", dir, dir + "?box=sent").status, 200);
  EXPECT_EQ(Call("ha", "GET", dir + "/{id}", dir + "/" + did).status, 200);
  EXPECT_EQ(Call("hb", "GET", dir + "/{id}", dir + "/" + did).status, 404);
  EXPECT_EQ(Call("ha", "POST", dir + "/{id}/read", dir + "/" + did + "/read").status, 200);
  EXPECT_EQ(Call("ha", "POST", dir + "/{id}/ack", dir + "/" + did + "/ack",
                 json::Json({{"unit_id", street_b_.id}}).dump())
                .status,
            403);
  EXPECT_EQ(
      Call("ha", "POST", dir + "/{id}/ack", dir + "/" + did + "/ack", R"({"note":"收到"})").status,
      200);
  EXPECT_EQ(Call("hb", "POST", dir + "/{id}/ack", dir + "/" + did + "/ack").status, 404);
  auto receipts = Call("lead", "GET", dir + "/{id}/receipts", dir + "/" + did + "/receipts");
  ASSERT_EQ(receipts.status, 200);
  EXPECT_EQ(Body(receipts)["acknowledged"], 1);
  EXPECT_EQ(Call("ha", "GET", dir + "/{id}/receipts", dir + "/" + did + "/receipts").status, 403);
  EXPECT_EQ(Call("lead", "GET", dir + "/{id}/reminders", dir + "/" + did + "/reminders").status,
            200);

  // 议事厅.
  const std::string props = "/api/v1/proposals";
  const json::Json proposal = {
      {"title", "三号楼加装扶手"},
      {"text", "老人上下不便。"},
      {"place", {{"address", "湖畔社区3号楼"}, {"lat", 30.25}, {"lng", 120.16}}},
      {"cost_fen", 350000}};
  EXPECT_TRUE(BodyConforms("POST", props, proposal));
  auto proposed = Call("res", "POST", props, props, proposal.dump());
  ASSERT_EQ(proposed.status, 201) << proposed.body;
  const std::string pid = Body(proposed)["id"];
  const std::string one = props + "/" + pid;
  EXPECT_EQ(Call("res", "GET", props, props).status, 200);
  EXPECT_EQ(Call("res", "GET", props + "/{id}", one).status, 200);
  EXPECT_EQ(Call("res", "POST", props + "/{id}/support", one + "/support", "{}").status, 409);
  EXPECT_EQ(Call("sl", "GET", props + "/{id}/supporters", one + "/supporters").status, 200);
  EXPECT_EQ(
      Call("res", "POST", props + "/{id}/comments", one + "/comments", R"({"text":"三楼也要"})")
          .status,
      201);
  EXPECT_EQ(Call("res", "GET", props + "/{id}/comments", one + "/comments").status, 200);
  EXPECT_EQ(Call("res", "GET", "/api/v1/agenda", "/api/v1/agenda").status, 200);
  EXPECT_EQ(Call("res", "GET", "/api/v1/meetings", "/api/v1/meetings").status, 200);
  EXPECT_EQ(Call("sl", "POST", props + "/{id}/implementation", one + "/implementation").status,
            409);  // not accepted yet
  EXPECT_EQ(
      Call("sl", "POST", props + "/{id}/hide", one + "/hide", R"({"reason":"重复提案"})").status,
      200);

  // Participatory budgets: create, a project, open, a ballot, then after the close the results
  // and the proof.
  const std::string bud = "/api/v1/budgets";
  const json::Json new_budget = {{"community_id", community_a_.id},
                                 {"title", "湖畔社区微更新"},
                                 {"total_fen", 1000000},
                                 {"voting_opens", FormatRfc3339(clock_.Now())},
                                 {"voting_closes", FormatRfc3339(clock_.Now() + kMicrosPerHour)}};
  EXPECT_TRUE(BodyConforms("POST", bud, new_budget));
  auto budget = Call("sl", "POST", bud, bud, new_budget.dump());
  ASSERT_EQ(budget.status, 201) << budget.body;
  const std::string bone = bud + "/" + Body(budget)["id"].get<std::string>();
  auto project = Call("sl", "POST", bud + "/{id}/projects", bone + "/projects",
                      R"({"title":"路灯","cost_fen":300000})");
  ASSERT_EQ(project.status, 201) << project.body;
  EXPECT_EQ(Call("sl", "POST", bud + "/{id}/open", bone + "/open").status, 200);
  const json::Json ballot = {{"project_ids", json::Json::array({Body(project)["id"]})}};
  EXPECT_TRUE(BodyConforms("POST", bud + "/{id}/ballots", ballot));
  EXPECT_EQ(Call("res", "POST", bud + "/{id}/ballots", bone + "/ballots", ballot.dump()).status,
            201);
  EXPECT_EQ(Call("res", "GET", bud + "/{id}/my-ballot", bone + "/my-ballot").status, 200);
  EXPECT_EQ(Call("res", "GET", bud, bud).status, 200);
  // Two hours on, within the sessions' 12 hours.
  clock_.Advance(2 * kMicrosPerHour);
  ASSERT_TRUE(deliberation_->RunDue());
  EXPECT_EQ(Call("res", "GET", bud + "/{id}", bone).status, 200);
  EXPECT_EQ(Call("res", "GET", bud + "/{id}/results", bone + "/results").status, 200);
  EXPECT_EQ(Call("res", "GET", bud + "/{id}/proof", bone + "/proof").status, 200);

  // The pipeline's own routes.
  EXPECT_EQ(Call("", "GET", "/healthz", "/healthz").status, 200);
  EXPECT_EQ(Call("", "GET", "/metrics", "/metrics").status, 200);  // from loopback
  EXPECT_EQ(Call("op", "GET", "/api/v1/live", "/api/v1/live").status, 426);

  // Most of the API was exercised, not a corner of it.
  EXPECT_GE(exercised_.size(), 30u) << fmt::format("{}", fmt::join(exercised_, ", "));
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenApiRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
