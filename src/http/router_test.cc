#include "http/router.h"

#include <gtest/gtest.h>

namespace xietong::http {
namespace {

Result<Response> Ok(Request&) { return Response::NoContent(); }

TEST(Router, LiteralsBeatParametersAndParamsAreCaptured) {
  Router r;
  r.Add("GET", "/api/v1/units/{id}", Auth::kRequired, Ok);
  r.Add("GET", "/api/v1/units/tree", Auth::kRequired, Ok);
  r.Add("POST", "/api/v1/accounts/{id}/memberships", Auth::kRequired, Ok);
  auto tree = r.Find("GET", "/api/v1/units/tree");
  ASSERT_NE(tree.route, nullptr);
  EXPECT_EQ(tree.route->pattern, "/api/v1/units/tree");
  auto one = r.Find("GET", "/api/v1/units/ABC");
  ASSERT_NE(one.route, nullptr);
  EXPECT_EQ(one.params.at("id"), "ABC");
  auto m = r.Find("POST", "/api/v1/accounts/X1/memberships");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("id"), "X1");
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
  Router r;
  r.Add("GET", "/api/v1/me", Auth::kRequired, Ok);
  auto m = r.Find("DELETE", "/api/v1/me");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_EQ(m.allowed_methods.size(), 1u);
  EXPECT_EQ(m.allowed_methods[0], "GET");
  auto none = r.Find("GET", "/api/v1/nothing");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed_methods.empty());
  EXPECT_EQ(r.Find("GET", "/api/v1/me/").route, nullptr);  // trailing slash is another path
}

TEST(Message, TargetsDecodeAndRejectBadEncoding) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> q;
  ASSERT_TRUE(ParseTarget("/api/v1/accounts?q=%E5%BC%A0+%E4%B8%89&limit=5", path, q));
  EXPECT_EQ(path, "/api/v1/accounts");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].second, "张 三");
  std::string p2;
  std::vector<std::pair<std::string, std::string>> q2;
  EXPECT_FALSE(ParseTarget("/a?x=%FF", p2, q2));  // not UTF-8
  EXPECT_FALSE(ParseTarget("/a?x=%4", p2, q2));   // truncated escape
  EXPECT_FALSE(ParseTarget("relative", p2, q2));
}

TEST(Message, WireBytesAreOneHttp11AnswerThatNoHeaderValueCanSplit) {
  Response r = Response::Json(201, {{"ok", true}});
  r.SetHeader("Location", "/a\r\nSet-Cookie: stolen=1");
  const std::string wire = WireBytes(r, true, false);
  EXPECT_TRUE(wire.starts_with("HTTP/1.1 201 Created\r\nServer: xietong\r\n")) << wire;
  EXPECT_NE(wire.find("Content-Type: application/json; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(wire.find("Location: /a  Set-Cookie: stolen=1\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_NE(wire.find("Content-Length: 11\r\n"), std::string::npos);
  EXPECT_EQ(wire.find("Connection:"), std::string::npos);
  EXPECT_TRUE(wire.ends_with("\r\n\r\n{\"ok\":true}")) << wire;

  // HEAD: the length of the body it would have had, and no body.
  const std::string head = WireBytes(r, false, true);
  EXPECT_NE(head.find("Content-Length: 11\r\n"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;

  // 204 and 304 carry no body and no length.
  const std::string none = WireBytes(Response::NoContent(), true, false);
  EXPECT_TRUE(none.starts_with("HTTP/1.1 204 No Content\r\n"));
  EXPECT_EQ(none.find("Content-Length"), std::string::npos);
  EXPECT_TRUE(none.ends_with("\r\n\r\n"));
}

}  // namespace
}  // namespace xietong::http
