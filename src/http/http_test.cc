// The HTTP API over a real socket, on every backend: what a client sees for
// good requests, bad input, missing or wrong credentials and shutdown.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/audit_log.h"
#include "http/api.h"
#include "http/identity_handlers.h"
#include "http/server.h"
#include "http/test_client.h"
#include "storage/testing.h"

namespace xietong::http {
namespace {

using testing::ClientResponse;
using testing::Send;
using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&identity::Schema()}, 0));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    const auto sys = identity::Principal::System();
    city_ = *identity_->CreateUnit(
        sys, {std::nullopt, identity::UnitKind::kCity, "JL", "江澜市", std::nullopt});
    auto d = *identity_->CreateUnit(
        sys, {city_.id, identity::UnitKind::kDistrict, "JL-01", "临江区", std::nullopt});
    street_a_ = *identity_->CreateUnit(
        sys, {d.id, identity::UnitKind::kStreet, "JL-01-01", "望湖街道", std::nullopt});
    street_b_ = *identity_->CreateUnit(
        sys, {d.id, identity::UnitKind::kStreet, "JL-01-02", "柳巷街道", std::nullopt});
    for (auto [name, unit, role] :
         {std::tuple{"admin", city_.id, identity::Role::kAdmin},
          std::tuple{"lead.a", street_a_.id, identity::Role::kUnitLead},
          std::tuple{"handler.b", street_b_.id, identity::Role::kHandler}}) {
      ASSERT_TRUE(identity_->CreateAccount(
          sys, {name, std::string("测试") + name, identity::AccountKind::kStaff, std::nullopt,
                "secret-pass-1", unit, role}));
    }
    web_root_ = storage::testing::MakeTempDir();
    std::ofstream(web_root_ + "/index.html") << "<!doctype html><title>协同</title>";
    std::filesystem::create_directories(web_root_ + "/assets");
    std::ofstream(web_root_ + "/assets/app.js") << "console.log(1)";
    StartServer();
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(web_root_);
  }

  void StartServer() {
    api_ = std::make_unique<Api>(*identity_, t_->db(), clock_, ids_,
                                 ApiOptions{web_root_, false, metrics_token_});
    RegisterIdentityRoutes(*api_, *identity_);
    // Bodies up to 64 KiB for signed-in callers only: an upload route.
    api_->router().Add("POST", "/api/v1/test/upload", Auth::kRequired,
                       [](Request& req) -> Result<Response> {
                         return Response::Json(200, {{"bytes", req.body.size()}});
                       });
    api_->router().Add("GET", "/api/v1/test/slow", Auth::kPublic, [](Request&) -> Result<Response> {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      return Response::Json(200, {{"slow", true}});
    });
    api_->Seal();
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 4;
    o.body_limit = 8 * 1024;
    o.upload_prefix = "/api/v1/test/upload";
    o.upload_limit = 64 * 1024;
    o.max_connections_per_address = max_connections_per_address_;
    o.trusted_proxies = trusted_proxies_;
    server_ = std::make_unique<Server>(
        o, [this](Request& r) { return api_->Handle(r); }, Server::UpgradeHandler{},
        [this](Request& r) { return api_->CheckBeforeBody(r); });
    auto port = server_->Start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  ClientResponse Post(const std::string& target, const std::string& body, Headers h = {}) {
    h.emplace_back("Content-Type", "application/json");
    return Send(port_, "POST", target, body, h);
  }

  struct Login {
    std::string token, csrf, cookie;
  };
  Login LoginAs(const std::string& user) {
    auto r = Post("/api/v1/auth/login",
                  fmt::format(R"({{"username":"{}","password":"secret-pass-1"}})", user));
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = json::Json::parse(r.body);
    std::string cookie = r.Header("set-cookie");
    return {j["token"], j["csrf_token"], cookie.substr(0, cookie.find(';'))};
  }
  Headers Bearer(const Login& l) { return {{"Authorization", "Bearer " + l.token}}; }

  static std::string ErrorCodeOf(const ClientResponse& r) {
    auto j = json::Json::parse(r.body, nullptr, false);
    return j.is_discarded() ? "" : j["error"]["code"].get<std::string>();
  }
  static std::string MessageOf(const ClientResponse& r) {
    return json::Json::parse(r.body)["error"]["message"].get<std::string>();
  }
  // "field/reason" of an error body; "" for a part it does not carry.
  static std::string FieldAndReasonOf(const ClientResponse& r) {
    const auto e = json::Json::parse(r.body)["error"];
    return e.value("field", "") + "/" + e.value("reason", "");
  }

  ManualClock clock_{1'790'000'000'000'000};
  IdGenerator ids_{clock_};
  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::string web_root_;
  std::string metrics_token_;
  int max_connections_per_address_ = 512;
  std::vector<std::string> trusted_proxies_;
  identity::OrgUnit city_, street_a_, street_b_;
};

// A socket connected to 127.0.0.1:port, closed when destroyed.
struct RawSocket {
  explicit RawSocket(std::uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawSocket() { ::close(fd); }
  // Whether every byte went out (a peer that closed at once may refuse them).
  bool Write(std::string_view bytes) const {
    return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // What arrives until the peer closes or 2 s pass without a byte.
  std::string ReadAll() const {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, n);
    return out;
  }
  int fd = -1;
  bool connected = false;
};

TEST_P(HttpApiTest, LoginThenMeWithBearerAndWithCookie) {
  Login l = LoginAs("admin");
  EXPECT_EQ(l.token.size(), 64u);
  EXPECT_TRUE(l.cookie.starts_with("xt_session="));
  auto me = Send(port_, "GET", "/api/v1/me", "", Bearer(l));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::Json::parse(me.body)["username"], "admin");
  EXPECT_FALSE(me.Header("x-request-id").empty());
  auto by_cookie = Send(port_, "GET", "/api/v1/me", "", {{"Cookie", l.cookie}});
  EXPECT_EQ(by_cookie.status, 200);
}

TEST_P(HttpApiTest, MissingOrBadCredentialsAre401) {
  auto none = Send(port_, "GET", "/api/v1/me");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(ErrorCodeOf(none), "unauthenticated");
  auto junk = Send(port_, "GET", "/api/v1/me", "", {{"Authorization", "Bearer nonsense"}});
  EXPECT_EQ(junk.status, 401);
  Login l = LoginAs("admin");
  clock_.Advance(13 * kMicrosPerHour);
  auto expired = Send(port_, "GET", "/api/v1/me", "", Bearer(l));
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(MessageOf(expired).find("expired"), std::string::npos);
  auto wrong = Post("/api/v1/auth/login", R"({"username":"admin","password":"not-it-at-all"})");
  EXPECT_EQ(wrong.status, 401);
}

TEST_P(HttpApiTest, LogoutEndsTheSession) {
  Login l = LoginAs("admin");
  auto out = Send(port_, "POST", "/api/v1/auth/logout", "", Bearer(l));
  EXPECT_EQ(out.status, 204);
  EXPECT_EQ(Send(port_, "GET", "/api/v1/me", "", Bearer(l)).status, 401);
}

TEST_P(HttpApiTest, RepeatedFailedLoginsAre429) {
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(
        Post("/api/v1/auth/login", R"({"username":"lead.a","password":"guess-guess"})").status,
        401);
  auto locked = Post("/api/v1/auth/login", R"({"username":"lead.a","password":"guess-guess"})");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(ErrorCodeOf(locked), "too_many_requests");
}

TEST_P(HttpApiTest, BadBodiesAre400NamingTheProblem) {
  auto malformed = Post("/api/v1/auth/login", R"({"username": "admin",)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(MessageOf(malformed).find("not valid JSON"), std::string::npos);
  auto wrong_type = Post("/api/v1/auth/login", R"({"username": 42, "password": "x"})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(MessageOf(wrong_type), "field 'username' must be a string");
  EXPECT_EQ(FieldAndReasonOf(wrong_type), "username/wrong_type");
  auto missing = Post("/api/v1/auth/login", R"({"username": "admin"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(MessageOf(missing), "field 'password' is required");
  EXPECT_EQ(FieldAndReasonOf(missing), "password/required");
  // A client shows errors in its own words from the field and reason.
  auto wrong = Post("/api/v1/auth/login", R"({"username": "admin", "password": "not-it-at-all"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(FieldAndReasonOf(wrong), "/wrong_credentials");
  auto bad_utf8 =
      Post("/api/v1/auth/login", "{\"username\": \"ad\xC3\x28min\", \"password\": \"x\"}");
  EXPECT_EQ(bad_utf8.status, 400);
  EXPECT_NE(MessageOf(bad_utf8).find("'username'"), std::string::npos);
  auto not_json = Send(port_, "POST", "/api/v1/auth/login", "username=admin",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_NE(MessageOf(not_json).find("Content-Type: application/json"), std::string::npos);
  auto bad_query = Send(port_, "GET", "/api/v1/accounts?limit=9999", "", Bearer(LoginAs("admin")));
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_NE(MessageOf(bad_query).find("'limit'"), std::string::npos);
}

TEST_P(HttpApiTest, OversizedBodyIs413AndHugeHeadersAre431) {
  auto big = Post("/api/v1/auth/login", std::string(20 * 1024, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(ErrorCodeOf(big), "too_large");
  auto raw = testing::SendRaw(
      port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 431")) << raw.substr(0, 40);
  auto garbage = testing::SendRaw(port_, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage.substr(0, 40);
}

TEST_P(HttpApiTest, UnknownRouteIs404AndWrongMethodIs405) {
  Login l = LoginAs("admin");
  auto none = Send(port_, "GET", "/api/v1/nothing-here", "", Bearer(l));
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(ErrorCodeOf(none), "not_found");
  auto wrong = Send(port_, "DELETE", "/api/v1/me", "", Bearer(l));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("allow"), "GET");
  auto unknown_unit = Send(port_, "GET", "/api/v1/units/01ARZ3NDEKTSV4RRFFQ69G5FAV", "", Bearer(l));
  EXPECT_EQ(unknown_unit.status, 404);
}

TEST_P(HttpApiTest, CookieWritesNeedTheCsrfToken) {
  Login l = LoginAs("admin");
  const std::string body =
      R"({"username":"new.staff","display_name":"新同事","password":"secret-pass-1"})";
  auto no_csrf = Post("/api/v1/accounts", body, {{"Cookie", l.cookie}});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_NE(MessageOf(no_csrf).find("X-CSRF-Token"), std::string::npos);
  auto with_csrf = Post("/api/v1/accounts", body, {{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}});
  EXPECT_EQ(with_csrf.status, 201) << with_csrf.body;
}

TEST_P(HttpApiTest, OutsideOnesScopeIs403) {
  Login lead = LoginAs("lead.a");
  auto own = Send(port_, "GET", "/api/v1/accounts?unit_id=" + street_a_.id, "", Bearer(lead));
  EXPECT_EQ(own.status, 200) << own.body;
  auto other = Send(port_, "GET", "/api/v1/accounts?unit_id=" + street_b_.id, "", Bearer(lead));
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(ErrorCodeOf(other), "permission_denied");
  auto create =
      Post("/api/v1/accounts",
           R"({"username":"sneaky","display_name":"x","password":"secret-pass-1"})", Bearer(lead));
  EXPECT_EQ(create.status, 403);
}

TEST_P(HttpApiTest, AccountsRoundTripWithVersions) {
  Login l = LoginAs("admin");
  auto created =
      Post("/api/v1/accounts",
           fmt::format(R"({{"username":"wang.fang","display_name":"王芳","phone":"13912345678",)"
                       R"("password":"secret-pass-1","unit_id":"{}","role":"handler"}})",
                       street_a_.id),
           Bearer(l));
  ASSERT_EQ(created.status, 201) << created.body;
  auto j = json::Json::parse(created.body);
  EXPECT_EQ(j["phone"], "139****5678");
  EXPECT_EQ(j["memberships"][0]["role"], "handler");
  const std::string id = j["id"];
  const std::string etag = created.Header("etag");
  EXPECT_EQ(etag, "\"1\"");
  auto no_if_match =
      Send(port_, "PATCH", "/api/v1/accounts/" + id, R"({"display_name":"王芳芳"})",
           {{"Authorization", "Bearer " + l.token}, {"Content-Type", "application/json"}});
  EXPECT_EQ(no_if_match.status, 400);
  Headers h = {{"Authorization", "Bearer " + l.token},
               {"Content-Type", "application/json"},
               {"If-Match", etag}};
  auto updated = Send(port_, "PATCH", "/api/v1/accounts/" + id, R"({"display_name":"王芳芳"})", h);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Header("etag"), "\"2\"");
  auto stale = Send(port_, "PATCH", "/api/v1/accounts/" + id, R"({"display_name":"冲突"})", h);
  EXPECT_EQ(stale.status, 409);
  // "0" is an ETag the server gives out (for what is not stored yet), so it is a stale
  // version here, not a malformed one; "-1" is neither.
  h.back().second = "\"0\"";
  EXPECT_EQ(Send(port_, "PATCH", "/api/v1/accounts/" + id, R"({"display_name":"零"})", h).status,
            409);
  h.back().second = "\"-1\"";
  EXPECT_EQ(Send(port_, "PATCH", "/api/v1/accounts/" + id, R"({"display_name":"负"})", h).status,
            400);
  auto status_field = Send(port_, "PATCH", "/api/v1/accounts/" + id, R"({"username":"x"})",
                           {{"Authorization", "Bearer " + l.token},
                            {"Content-Type", "application/json"},
                            {"If-Match", "\"2\""}});
  EXPECT_EQ(status_field.status, 400);
  auto revealed = Send(port_, "GET", "/api/v1/accounts/" + id + "?reveal=phone", "", Bearer(l));
  EXPECT_EQ(json::Json::parse(revealed.body)["phone"], "13912345678");
  auto page = Send(port_, "GET", "/api/v1/accounts?limit=2", "", Bearer(l));
  auto pj = json::Json::parse(page.body);
  EXPECT_EQ(pj["items"].size(), 2u);
  ASSERT_TRUE(pj["next_cursor"].is_string());
  auto next =
      Send(port_, "GET", "/api/v1/accounts?limit=2&cursor=" + pj["next_cursor"].get<std::string>(),
           "", Bearer(l));
  auto nj = json::Json::parse(next.body);
  EXPECT_EQ(nj["items"].size(), 2u);  // 4 accounts in all
  EXPECT_NE(nj["items"][0]["id"], pj["items"][0]["id"]);
}

TEST_P(HttpApiTest, OrgTreeAndUnits) {
  Login l = LoginAs("lead.a");
  auto tree = Send(port_, "GET", "/api/v1/units/tree", "", Bearer(l));
  ASSERT_EQ(tree.status, 200);
  EXPECT_EQ(json::Json::parse(tree.body)["items"].size(), 4u);
  auto roots = Send(port_, "GET", "/api/v1/units", "", Bearer(l));
  auto rj = json::Json::parse(roots.body);
  ASSERT_EQ(rj["items"].size(), 1u);
  EXPECT_EQ(rj["items"][0]["name"], "江澜市");
  auto unit = Send(port_, "GET", "/api/v1/units/" + street_a_.id, "", Bearer(l));
  EXPECT_EQ(json::Json::parse(unit.body)["code"], "JL-01-01");
}

TEST_P(HttpApiTest, HealthMetricsAndTheWebApp) {
  EXPECT_EQ(Send(port_, "GET", "/healthz").status, 200);
  LoginAs("admin");
  auto metrics = Send(port_, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find(
          R"(xietong_http_requests_total{method="POST",route="/api/v1/auth/login",status="2xx"} 1)"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("xietong_http_request_duration_seconds_bucket"), std::string::npos);
  auto index = Send(port_, "GET", "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
  auto spa = Send(port_, "GET", "/inbox/some/page");
  EXPECT_EQ(spa.status, 200);
  EXPECT_NE(spa.body.find("协同"), std::string::npos);
  auto js = Send(port_, "GET", "/assets/app.js");
  EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Send(port_, "GET", "/missing.png").status, 404);
  EXPECT_EQ(Send(port_, "GET", "/../../etc/passwd").status, 404);
  // An empty first segment would make the file path absolute.
  EXPECT_EQ(Send(port_, "GET", "//etc/passwd").status, 404);
  EXPECT_EQ(Send(port_, "GET", "/%2Fetc/passwd").status, 404);
  EXPECT_EQ(Send(port_, "GET", "/assets//app.js").status, 404);
}

TEST_P(HttpApiTest, PrecompressedCopiesGoToClientsThatAcceptThem) {
  std::ofstream(web_root_ + "/assets/app.js.gz") << "GZIP-BYTES";
  std::ofstream(web_root_ + "/assets/app.js.br") << "BROTLI-BYTES";
  auto br = Send(port_, "GET", "/assets/app.js", "", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(br.body, "BROTLI-BYTES");
  EXPECT_EQ(br.Header("content-encoding"), "br");
  EXPECT_EQ(br.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(br.Header("content-type"), "text/javascript; charset=utf-8");
  auto gz = Send(port_, "GET", "/assets/app.js", "", {{"Accept-Encoding", "gzip;q=1, br;q=0"}});
  EXPECT_EQ(gz.body, "GZIP-BYTES");
  EXPECT_EQ(gz.Header("content-encoding"), "gzip");
  auto plain = Send(port_, "GET", "/assets/app.js");
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");  // caches must key on it
  // index.html has no compressed copy here: sent as it is, no Vary.
  auto index = Send(port_, "GET", "/", "", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(index.Header("content-encoding"), "");
  EXPECT_EQ(index.Header("vary"), "");
}

// One JSON line per answered request, strings escaped however odd the path.
TEST_P(HttpApiTest, EachAnswerWritesOneAccessLine) {
  std::ostringstream lines;
  auto logger = std::make_shared<spdlog::logger>(
      "access", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
  logger->set_pattern("%v");
  spdlog::register_logger(logger);
  server_.reset();
  StartServer();  // the Api picks up the access logger when it is built
  spdlog::drop("access");
  Login l = LoginAs("admin");
  EXPECT_EQ(Send(port_, "GET", "/api/v1/me", "", Bearer(l)).status, 200);
  EXPECT_EQ(Send(port_, "GET", "/api/v1/no/%22quoted%22/%E8%B7%AF%E7%81%AF").status, 404);
  server_.reset();
  std::vector<json::Json> parsed;
  std::istringstream in(lines.str());
  for (std::string line; std::getline(in, line);) {
    auto j = json::Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    parsed.push_back(j);
  }
  ASSERT_EQ(parsed.size(), 3u) << lines.str();  // login, me, the odd path
  EXPECT_EQ(parsed[1]["route"], "/api/v1/me");
  EXPECT_EQ(parsed[1]["status"], 200);
  EXPECT_FALSE(parsed[1].value("actor", "").empty());
  EXPECT_EQ(parsed[1]["method"], "GET");
  EXPECT_TRUE(parsed[1]["micros"].is_number_integer());
  EXPECT_EQ(parsed[1]["time"].get<std::string>().size(),
            std::string("2026-12-02T17:30:00+08:00").size());
  EXPECT_EQ(parsed[2]["status"], 404);
  EXPECT_EQ(parsed[2]["path"], "/api/v1/no/\"quoted\"/路灯");
  EXPECT_FALSE(parsed[2].contains("actor"));
}

TEST(AcceptsEncoding, ReadsTokensAndQValues) {
  EXPECT_TRUE(AcceptsEncoding("gzip, deflate, br", "br"));
  EXPECT_TRUE(AcceptsEncoding("GZIP", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("gzip", "br"));
  EXPECT_FALSE(AcceptsEncoding("br;q=0, gzip", "br"));
  EXPECT_FALSE(AcceptsEncoding("br; q=0.000", "br"));
  EXPECT_TRUE(AcceptsEncoding("br;q=0.5", "br"));
  EXPECT_TRUE(AcceptsEncoding("*", "br"));
  EXPECT_FALSE(AcceptsEncoding("*, br;q=0", "br"));
  EXPECT_FALSE(AcceptsEncoding("", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("identity", "gzip"));
}

TEST_P(HttpApiTest, LargeBodiesAreCheckedBeforeAByteOfThemIsRead) {
  // An upload announced by a stranger is answered at its headers: the
  // body is never sent, and the 401 still arrives.
  RawSocket stranger(port_);
  ASSERT_TRUE(stranger.connected);
  ASSERT_TRUE(stranger.Write(
      "POST /api/v1/test/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n"));
  const std::string refused = stranger.ReadAll();
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 401")) << refused.substr(0, 60);
  EXPECT_NE(refused.find("unauthenticated"), std::string::npos);
  // A garbage token is refused the same way; so is a large body to no route.
  RawSocket forged(port_);
  ASSERT_TRUE(
      forged.Write("POST /api/v1/test/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n"
                   "Content-Length: 60000\r\n\r\n"));
  EXPECT_TRUE(forged.ReadAll().starts_with("HTTP/1.1 401"));
  // The signed-in caller's upload is read whole.
  const Login l = LoginAs("admin");
  auto ok = Send(port_, "POST", "/api/v1/test/upload", std::string(60000, 'x'), Bearer(l));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::Json::parse(ok.body)["bytes"], 60000);
}

TEST_P(HttpApiTest, A413NamesTheLimitOfItsRouteOnAFreshConnection) {
  // The Content-Length is over every limit: refused while reading the header.
  auto raw = testing::SendRaw(
      port_, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n");
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 413")) << raw.substr(0, 40);
  EXPECT_NE(raw.find("limit of 8192 bytes"), std::string::npos) << raw;
  auto upload = testing::SendRaw(
      port_, "POST /api/v1/test/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n");
  EXPECT_NE(upload.find("limit of 65536 bytes"), std::string::npos) << upload;
}

TEST_P(HttpApiTest, AmbiguousFramingIs400) {
  auto no_host = testing::SendRaw(port_, "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(no_host.starts_with("HTTP/1.1 400")) << no_host.substr(0, 40);
  EXPECT_NE(no_host.find("Host"), std::string::npos);
  auto xchunked = testing::SendRaw(port_,
                                   "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                                   "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_TRUE(xchunked.starts_with("HTTP/1.1 400")) << xchunked.substr(0, 40);
  // HTTP/1.0 needs no Host; chunked is fine.
  EXPECT_TRUE(testing::SendRaw(port_, "GET /healthz HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 200"));
  auto chunked = testing::SendRaw(port_,
                                  "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                  "Connection: close\r\n\r\n"
                                  "2\r\n{}\r\n0\r\n\r\n");
  EXPECT_TRUE(chunked.starts_with("HTTP/1.1 400")) << chunked.substr(0, 40);
  EXPECT_NE(chunked.find("'username'"), std::string::npos) << chunked;  // parsed, then refused
}

TEST_P(HttpApiTest, ANumberBeyondADoubleIs400NamingTheField) {
  for (const char* body : {R"({"username":"admin","password":1e400})", R"({"x":-1e999})"}) {
    auto r = Post("/api/v1/auth/login", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(ErrorCodeOf(r), "invalid_argument");
  }
  EXPECT_NE(MessageOf(Post("/api/v1/auth/login", R"({"password":1e400})")).find("'password'"),
            std::string::npos);
}

TEST_P(HttpApiTest, TheSessionCookieLivesAsLongAsTheSession) {
  auto r = Post("/api/v1/auth/login", R"({"username":"admin","password":"secret-pass-1"})");
  ASSERT_EQ(r.status, 200);
  const std::string cookie = r.Header("set-cookie");
  const auto at = cookie.find("Max-Age=");
  ASSERT_NE(at, std::string::npos) << cookie;
  const long max_age = std::stol(cookie.substr(at + 8));
  const auto expires = ParseRfc3339(json::Json::parse(r.body)["expires_at"].get<std::string>());
  ASSERT_TRUE(expires);
  EXPECT_EQ(max_age, (*expires - clock_.Now()) / kMicrosPerSecond);
  EXPECT_GT(max_age, 0);
  EXPECT_LE(max_age, 31 * 24 * 3600);                   // not the absolute time (≈ 57 years)
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // this server is not behind TLS
}

TEST_P(HttpApiTest, TheAppsPagesForbidForeignScriptsAndFrames) {
  for (const char* path : {"/", "/inbox/x", "/assets/app.js"}) {
    auto page = Send(port_, "GET", path);
    ASSERT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.Header("content-security-policy"), kContentSecurityPolicy) << path;
    EXPECT_EQ(page.Header("x-frame-options"), "DENY") << path;
  }
  EXPECT_NE(std::string(kContentSecurityPolicy).find("script-src 'self';"), std::string::npos);
  EXPECT_NE(std::string(kContentSecurityPolicy).find("frame-ancestors 'none'"), std::string::npos);
}

TEST_P(HttpApiTest, MetricsNeedTheTokenWhenOneIsSet) {
  // Loopback (this test) reads them without a token by default.
  EXPECT_EQ(Send(port_, "GET", "/metrics").status, 200);
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("::ffff:127.0.0.9"));
  EXPECT_FALSE(IsLoopback("10.0.0.1"));
  EXPECT_FALSE(IsLoopback("128.0.0.1"));
  EXPECT_FALSE(IsLoopback(""));
  server_.reset();
  metrics_token_ = "m3trics-t0ken";
  StartServer();
  EXPECT_EQ(Send(port_, "GET", "/metrics").status, 401);
  EXPECT_EQ(Send(port_, "GET", "/metrics", "", {{"Authorization", "Bearer wrong"}}).status, 401);
  auto ok = Send(port_, "GET", "/metrics", "", {{"Authorization", "Bearer m3trics-t0ken"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("xietong_http_requests_total"), std::string::npos);
}

TEST_P(HttpApiTest, OneAddressHoldsOnlySoManyConnections) {
  server_.reset();
  max_connections_per_address_ = 3;
  StartServer();
  std::vector<std::unique_ptr<RawSocket>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawSocket>(port_));
    ASSERT_TRUE(held.back()->connected);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // The fourth is closed unanswered (the kernel accepted it; the server drops it).
  RawSocket extra(port_);
  (void)extra.Write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(extra.ReadAll(), "");
  // One closes: a new connection is served again.
  held.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Send(port_, "GET", "/healthz").status, 200);
}

TEST_P(HttpApiTest, BehindATrustedProxyTheClientIsTheForwardedAddress) {
  auto login = [&](const char* password, const char* client) {
    return Post("/api/v1/auth/login",
                fmt::format(R"({{"username":"admin","password":"{}"}})", password),
                {{"X-Forwarded-For", fmt::format("10.9.9.9, {}", client)}})
        .status;
  };
  // Not trusted (the default): the header changes nothing; every try is 127.0.0.1's.
  for (int i = 0; i < 5; ++i) login("wrong-pass-0", "203.0.113.7");
  EXPECT_EQ(login("secret-pass-1", "198.51.100.1"), 429);
  // Trusted: a stranger's guesses count against the stranger's address only.
  server_.reset();
  trusted_proxies_ = {"127.0.0.1"};
  max_connections_per_address_ = 2;
  clock_.Advance(kMicrosPerHour);
  StartServer();
  for (int i = 0; i < 5; ++i) login("wrong-pass-0", "203.0.113.8");
  EXPECT_EQ(login("secret-pass-1", "203.0.113.8"), 429);
  EXPECT_EQ(login("secret-pass-1", "198.51.100.2"), 200);
  // The proxy's own connections are not limited per address.
  std::vector<std::unique_ptr<RawSocket>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawSocket>(port_));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(held.back()->Write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_TRUE(held.back()->ReadAll().starts_with("HTTP/1.1 200"));
  // A proxy on this host makes every peer loopback: forwarded requests do
  // not read /metrics without the token.
  EXPECT_EQ(Send(port_, "GET", "/metrics", "", {{"X-Forwarded-For", "127.0.0.1"}}).status, 403);
  EXPECT_EQ(Send(port_, "GET", "/metrics").status, 200);
}

TEST_P(HttpApiTest, StopFinishesRequestsInFlight) {
  ClientResponse slow;
  std::thread client([&] { slow = Send(port_, "GET", "/api/v1/test/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server_->Stop();
  client.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_THROW(Send(port_, "GET", "/healthz"), std::exception);  // no longer accepting
}

INSTANTIATE_TEST_SUITE_P(Backends, HttpApiTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

// A database that stops answering gives 503 without internals, and the
// service recovers when it is back. PostgreSQL only: a SQLite file has no
// connection to lose.
class HttpUnavailableTest : public HttpApiTest {};

TEST_P(HttpUnavailableTest, DatabaseGoneIs503WithoutInternals) {
  Login l = LoginAs("admin");
  const char* admin_url = std::getenv("XIETONG_TEST_PG_URL");
  ASSERT_NE(admin_url, nullptr);
  PGconn* c = PQconnectdb(admin_url);
  ASSERT_EQ(PQstatus(c), CONNECTION_OK);
  // Only this test's connections: other tests may run against the same database at once.
  const std::string schema = t_->url().substr(t_->url().rfind('=') + 1);
  const char* params[] = {schema.c_str()};
  PQclear(PQexecParams(c,
                       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE pid <> pg_backend_pid() AND application_name = $1",
                       1, nullptr, params, nullptr, nullptr, 0));
  PQfinish(c);
  // The unit tree is read from the database on every request (/me may come
  // from the principal cache).
  auto gone = Send(port_, "GET", "/api/v1/units/tree", "", Bearer(l));
  EXPECT_EQ(gone.status, 503);
  EXPECT_EQ(ErrorCodeOf(gone), "unavailable");
  EXPECT_EQ(MessageOf(gone).find("postgres"), std::string::npos);
  EXPECT_EQ(MessageOf(gone).find("terminat"), std::string::npos);
  EXPECT_FALSE(gone.Header("retry-after").empty());
  // The pool reconnects: within a few tries every connection is fresh again.
  int status = 0;
  for (int i = 0; i < 10 && status != 200; ++i)
    status = Send(port_, "GET", "/api/v1/me", "", Bearer(l)).status;
  EXPECT_EQ(status, 200);
}

std::vector<std::string> PostgresOnly() {
  std::vector<std::string> out;
  for (const auto& b : storage::testing::Backends())
    if (b == "postgres") out.push_back(b);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Postgres, HttpUnavailableTest, ::testing::ValuesIn(PostgresOnly()),
                         [](const auto& p) { return p.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HttpUnavailableTest);

}  // namespace
}  // namespace xietong::http
