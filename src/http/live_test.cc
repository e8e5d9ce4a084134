// Live updates over a real WebSocket: a street's handler hears of work
// dispatched to their street and not of the other street's; the handshake
// needs a login and the page's own origin; Stop() closes open sockets
// instead of waiting for them.
// Debian's Boost 1.74 with g++ 12 in C++23 needs <utility> before asio.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "http/live.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

// Bounds for what should happen at once; only reached when a test fails.
constexpr auto kPatience = std::chrono::seconds(10);

// A blocking WebSocket client on 127.0.0.1 with a bounded wait per message.
class LiveClient {
 public:
  // The handshake; its error (websocket::error::upgrade_declined when the
  // server answered with something other than 101) is returned.
  beast::error_code Open(std::uint16_t port, const Headers& headers) {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return ec;
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [name, value] : headers) req.set(name, value);
    }));
    // Asynchronous: Boost 1.74's blocking handshake keeps a refusal's answer to itself.
    std::optional<beast::error_code> result;
    ws_.async_handshake(response_, fmt::format("127.0.0.1:{}", port), std::string(kLivePath),
                        [&](beast::error_code e) { result = e; });
    ioc_.restart();
    ioc_.run_for(kPatience);
    if (!result) {
      beast::get_lowest_layer(ws_).socket().close(ec);
      ioc_.restart();
      ioc_.run();
      return asio::error::timed_out;
    }
    return *result;
  }
  int status() const { return static_cast<int>(response_.result_int()); }
  std::string body() const { return response_.body(); }

  // The next message, or nullopt when the socket ended (see error()) or
  // nothing came within limit.
  std::optional<json::Json> Next(std::chrono::steady_clock::duration limit = kPatience) {
    std::optional<beast::error_code> result;
    ws_.async_read(in_, [&](beast::error_code ec, std::size_t) { result = ec; });
    ioc_.restart();
    ioc_.run_for(limit);
    if (!result) {
      error_ = asio::error::timed_out;
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      ioc_.restart();
      ioc_.run();  // lets the cancelled read finish while result still exists
      return std::nullopt;
    }
    if (*result) {
      error_ = *result;
      return std::nullopt;
    }
    std::string text = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    return json::Json::parse(text);
  }
  beast::error_code error() const { return error_; }
  websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_{ioc_};
  websocket::response_type response_;
  beast::flat_buffer in_;
  beast::error_code error_;
};

class LiveTest : public RequestRoutesTest {
 protected:
  void SetUp() override {
    upgrade_ = [this](Request& r) { return LiveUpgradeHandler(*api_, hub_)(r); };
    RequestRoutesTest::SetUp();
    feed_ = std::make_unique<LiveFeed>(t_->db(), *requests_, *identity_, hub_,
                                       std::chrono::milliseconds(100), kRenewEvery);
    feed_->AlsoCollab(*collab_);
    collab_->AddOnCommit([this] {
      if (feed_) feed_->Nudge();
    });
    auto started = feed_->Start();
    ASSERT_TRUE(started) << started.error().message;
  }
  void TearDown() override {
    feed_.reset();
    RequestRoutesTest::TearDown();
  }

  // As the browser connects: the session cookie and the page's origin.
  Headers BrowserOf(const std::string& who) const {
    return {{"Cookie", fmt::format("{}={}", kSessionCookie, tokens_.at(who))},
            {"Origin", fmt::format("http://127.0.0.1:{}", port_)}};
  }

  // A socket counts once the server has subscribed it, a moment after the
  // client's handshake has returned, and stops counting a moment after it
  // has gone.
  void AwaitSubscribers(std::size_t n) {
    const auto until = std::chrono::steady_clock::now() + kPatience;
    while (hub_.size() != n && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(hub_.size(), n);
  }

  static json::Json OnStreetB() {
    auto body = Stalls();
    body["place"] = {{"lat", 30.05}, {"lon", 120.15}, {"address", "柳岸社区南门"}};
    return body;
  }

  // The next push of this type that satisfies wanted, skipping others (a
  // push of what happened just before the socket opened may come first);
  // nullopt when none comes in time.
  static std::optional<json::Json> NextOf(
      LiveClient& c, const std::string& type,
      const std::function<bool(const json::Json&)>& wanted = [](const json::Json&) {
        return true;
      }) {
    const auto until = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < until) {
      auto m = c.Next(until - std::chrono::steady_clock::now());
      if (!m) return std::nullopt;
      if ((*m)["type"] == type && wanted(*m)) return m;
    }
    return std::nullopt;
  }

  // A group channel of ha and sl (both of street A); its id.
  std::string GroupOfHaAndSl() {
    auto r = Post("ha", "/api/v1/channels",
                  {{"title", "望湖街道值班群"}, {"members", {AccountId("sl")}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r)["id"];
  }
  void Say(const std::string& who, const std::string& channel, const std::string& text) {
    auto r = Post(who, "/api/v1/channels/" + channel + "/messages", {{"text", text}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // One page of catch-up from cursor: its messages' seqs and the next resume_cursor.
  std::pair<std::vector<std::int64_t>, std::string> CatchUp(const std::string& who,
                                                            const std::string& channel,
                                                            const std::string& cursor) {
    auto r = Get(who, "/api/v1/channels/" + channel + "/messages?cursor=" + cursor);
    EXPECT_EQ(r.status, 200) << r.body;
    auto page = Body(r);
    std::vector<std::int64_t> seqs;
    for (const auto& m : page["items"]) seqs.push_back(m["seq"].get<std::int64_t>());
    return {seqs, page["resume_cursor"].get<std::string>()};
  }

  static constexpr std::chrono::milliseconds kRenewEvery{300};
  LiveHub hub_;
  std::unique_ptr<LiveFeed> feed_;
};

// A role removed while the page is open stops showing its work after the
// next renewal, though the session itself goes on.
TEST_P(LiveTest, ASocketLosesWhatARemovedRoleShowed) {
  LiveClient ha;
  ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
  AwaitSubscribers(1);
  auto who = identity_->Authenticate(tokens_.at("ha"));
  ASSERT_TRUE(who) << who.error().message;
  ASSERT_EQ(who->memberships.size(), 1u);
  auto removed = identity_->RemoveMembership(identity::Principal::System(), who->memberships[0].id);
  ASSERT_TRUE(removed) << removed.error().message;
  std::this_thread::sleep_for(kRenewEvery * 3);
  AwaitSubscribers(1);  // still signed in
  Submit(Stalls());
  EXPECT_FALSE(ha.Next(std::chrono::seconds(1)));
}

// A socket stands for a session: once the session is logged out, the next
// renewal drops it and it hears of no more work.
TEST_P(LiveTest, ASocketWhoseSessionEndedHearsNothingMore) {
  LiveClient ha;
  ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
  AwaitSubscribers(1);
  auto out = Post("ha", "/api/v1/auth/logout", json::Json::object());
  ASSERT_LT(out.status, 300) << out.body;
  std::this_thread::sleep_for(kRenewEvery * 3);
  AwaitSubscribers(0);
  Submit(Stalls());
  EXPECT_FALSE(ha.Next(std::chrono::seconds(1)));
}

TEST_P(LiveTest, WithoutLoginTheUpgradeIsRefused) {
  LiveClient client;
  auto ec = client.Open(port_, {{"Origin", fmt::format("http://127.0.0.1:{}", port_)}});
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
  EXPECT_EQ(client.status(), 401);
  EXPECT_EQ(hub_.size(), 0u);

  LiveClient stale;
  EXPECT_EQ(stale.Open(port_, {{"Cookie", fmt::format("{}=not-a-session", kSessionCookie)}}),
            websocket::error::upgrade_declined);
  EXPECT_EQ(stale.status(), 401);
}

TEST_P(LiveTest, AnotherSitesPageIsRefused) {
  LiveClient client;
  auto headers = BrowserOf("ha");
  headers[1].second = "http://evil.example";
  EXPECT_EQ(client.Open(port_, headers), websocket::error::upgrade_declined);
  EXPECT_EQ(client.status(), 403);
  EXPECT_NE(client.body().find("another site"), std::string::npos) << client.body();
  EXPECT_EQ(hub_.size(), 0u);
  // The same page on the same host, other letter case: the same origin.
  LiveClient same;
  headers[1].second = fmt::format("HTTP://127.0.0.1:{}", port_);
  EXPECT_FALSE(same.Open(port_, headers));
}

TEST_P(LiveTest, OtherPathsAreOrdinaryRequests) {
  auto r = Send(port_, "GET", "/api/v1/nowhere", "",
                {{"Connection", "Upgrade"},
                 {"Upgrade", "websocket"},
                 {"Sec-WebSocket-Version", "13"},
                 {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                 {"Authorization", "Bearer " + tokens_.at("ha")}});
  EXPECT_EQ(r.status, 404);
}

TEST_P(LiveTest, HandlersHearOfWorkOnTheirOwnStreetOnly) {
  LiveClient ha, hb;
  ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
  // Not a browser: a bearer token and no Origin.
  ASSERT_FALSE(hb.Open(port_, {{"Authorization", "Bearer " + tokens_.at("hb")}}));
  AwaitSubscribers(2);

  const std::string on_a = Submit(Stalls())["id"];
  auto heard = ha.Next();
  ASSERT_TRUE(heard) << ha.error().message();
  EXPECT_EQ((*heard)["type"], "request");
  EXPECT_EQ((*heard)["request_id"], on_a);
  EXPECT_EQ((*heard)["action"], "request.dispatched");

  // hb hears nothing of street A's request: its first message is its own.
  const std::string on_b = Submit(OnStreetB())["id"];
  auto first = hb.Next();
  ASSERT_TRUE(first) << hb.error().message();
  EXPECT_EQ((*first)["request_id"], on_b);

  // And ha hears when its request moves on.
  ASSERT_EQ(Command("ha", on_a, "sign").status, 200);
  auto signed_ = ha.Next();
  ASSERT_TRUE(signed_) << ha.error().message();
  EXPECT_EQ((*signed_)["request_id"], on_a);
  EXPECT_EQ((*signed_)["action"], "request.signed");
}

TEST_P(LiveTest, WorkDoneOnAnotherNodeIsHeard) {
  LiveClient ha;
  ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
  AwaitSubscribers(1);
  const std::string id = Submit(Stalls())["id"];
  auto dispatched = ha.Next();
  ASSERT_TRUE(dispatched) << ha.error().message();
  EXPECT_EQ((*dispatched)["request_id"], id);

  // A second node: its own handle on the database and its own services.
  auto db = t_->OpenAnother();
  identity::IdentityService identity(*db, clock_, ids_);
  matters::MatterService matters(*db, clock_, ids_);
  requests::RequestService requests(*db, clock_, ids_, *calendar_, identity, matters);
  auto handler = identity.Authenticate(tokens_.at("ha"));
  ASSERT_TRUE(handler) << handler.error().message;
  requests::CommandInput sign;
  sign.command = requests::Command::kSign;
  auto r = requests.Apply(*handler, id, sign);
  ASSERT_TRUE(r) << r.error().message;

  auto heard = ha.Next();
  ASSERT_TRUE(heard) << ha.error().message();
  EXPECT_EQ((*heard)["request_id"], id);
  EXPECT_EQ((*heard)["action"], "request.signed");
}

TEST_P(LiveTest, ClosedSocketsAreForgotten) {
  {
    LiveClient ha;
    ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
    AwaitSubscribers(1);
  }  // the client goes away without a close handshake
  AwaitSubscribers(0);
  // Publishing to nobody is no error. (Work done just before a socket
  // opens may still reach it: the feed sends what it has not yet sent.)
  Submit(Stalls());
  LiveClient again;
  ASSERT_FALSE(again.Open(port_, BrowserOf("ha")));
  AwaitSubscribers(1);
  const std::string id = Submit(Stalls())["id"];
  for (;;) {
    auto heard = again.Next();
    ASSERT_TRUE(heard) << again.error().message();
    if ((*heard)["request_id"] == id) break;
  }
}

TEST_P(LiveTest, StopClosesOpenSocketsWithoutWaitingForTheDrain) {
  LiveClient ha;
  ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
  AwaitSubscribers(1);
  const auto started = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  EXPECT_FALSE(ha.Next());
  EXPECT_EQ(ha.error(), websocket::error::closed) << ha.error().message();
  EXPECT_EQ(ha.close_reason().code, websocket::close_code::going_away);
  ASSERT_EQ(stopped.wait_for(kPatience), std::future_status::ready);
  // The drain timeout (10 s by default) would have ended a Stop that waited.
  EXPECT_LT(std::chrono::steady_clock::now() - started, ServerOptions{}.drain_timeout);
  AwaitSubscribers(0);
}

// A channel's new message is pushed to its members' sockets, not to others'.
TEST_P(LiveTest, AChannelsMembersHearOfItsMessagesOthersDoNot) {
  const std::string channel = GroupOfHaAndSl();
  LiveClient sl, hb;
  ASSERT_FALSE(sl.Open(port_, BrowserOf("sl")));
  ASSERT_FALSE(hb.Open(port_, {{"Authorization", "Bearer " + tokens_.at("hb")}}));
  AwaitSubscribers(2);
  Say("ha", channel, "今晚谁值班？");
  auto heard = NextOf(sl, "channel", [](const json::Json& m) { return m["seq"] == 1; });
  ASSERT_TRUE(heard) << sl.error().message();
  EXPECT_EQ((*heard)["channel_id"], channel);
  EXPECT_FALSE(hb.Next(std::chrono::seconds(1)));  // not a member: nothing at all
}

// A collab command wakes the feed when it commits: the push does not wait
// for the poll (here ten seconds).
TEST_P(LiveTest, ACommitWakesTheFeedAtOnce) {
  feed_.reset();
  feed_ = std::make_unique<LiveFeed>(t_->db(), *requests_, *identity_, hub_,
                                     std::chrono::seconds(10), kRenewEvery);
  feed_->AlsoCollab(*collab_);
  ASSERT_TRUE(feed_->Start());
  const std::string channel = GroupOfHaAndSl();
  LiveClient sl;
  ASSERT_FALSE(sl.Open(port_, BrowserOf("sl")));
  AwaitSubscribers(1);
  const auto posted = std::chrono::steady_clock::now();
  Say("ha", channel, "马上到");
  auto heard = NextOf(sl, "channel", [](const json::Json& m) { return m["seq"] == 1; });
  const auto latency = std::chrono::steady_clock::now() - posted;
  ASSERT_TRUE(heard) << sl.error().message();
  EXPECT_LT(latency, std::chrono::seconds(2));
  RecordProperty(
      "push_latency_us",
      std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(latency).count()));
}

// A directive is pushed to its recipients; their 签收 to whoever reads the
// receipt table (the sender), and to nobody else.
TEST_P(LiveTest, ADirectiveReachesItsRecipientsAndTheirReceiptsItsSender) {
  LiveClient ha, hb, lead;
  ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
  ASSERT_FALSE(hb.Open(port_, BrowserOf("hb")));
  ASSERT_FALSE(lead.Open(port_, BrowserOf("lead")));
  AwaitSubscribers(3);
  auto sent = Post("lead", "/api/v1/directives",
                   {{"title", "关于做好防汛工作的通知"},
                    {"body", "请各街道做好防汛准备。"},
                    {"to_units", {street_a_.id}},
                    {"include_subtree", true}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  const std::string id = Body(sent)["id"];
  auto heard = NextOf(ha, "directive");
  ASSERT_TRUE(heard) << ha.error().message();
  EXPECT_EQ((*heard)["directive_id"], id);

  ASSERT_EQ(Post("ha", "/api/v1/directives/" + id + "/ack", {{"note", "收到"}}).status, 200);
  auto receipt = NextOf(lead, "receipt");
  ASSERT_TRUE(receipt) << lead.error().message();
  EXPECT_EQ((*receipt)["directive_id"], id);
  // hb (street B) got neither the directive nor its receipts.
  EXPECT_FALSE(hb.Next(std::chrono::seconds(1)));
}

// A socket that drops misses the pushes meanwhile; on reconnecting the page
// catches up from the resume_cursor it kept: every message exactly once.
TEST_P(LiveTest, AReconnectedSocketCatchesUpWithoutLossOrDuplicates) {
  const std::string channel = GroupOfHaAndSl();
  auto [none, cursor] = CatchUp("sl", channel, "");
  EXPECT_TRUE(none.empty());
  std::vector<std::int64_t> seen;
  {
    LiveClient sl;
    ASSERT_FALSE(sl.Open(port_, BrowserOf("sl")));
    AwaitSubscribers(1);
    Say("ha", channel, "第一条");
    ASSERT_TRUE(NextOf(sl, "channel", [](const json::Json& m) { return m["seq"] == 1; }))
        << sl.error().message();
    auto [got, next] = CatchUp("sl", channel, cursor);
    seen.insert(seen.end(), got.begin(), got.end());
    cursor = next;
  }  // the socket drops
  AwaitSubscribers(0);
  Say("ha", channel, "第二条");
  Say("ha", channel, "第三条");
  LiveClient again;
  ASSERT_FALSE(again.Open(port_, BrowserOf("sl")));
  AwaitSubscribers(1);
  Say("ha", channel, "第四条");
  ASSERT_TRUE(NextOf(again, "channel", [](const json::Json& m) { return m["seq"] == 4; }))
      << again.error().message();
  auto [got, next] = CatchUp("sl", channel, cursor);
  seen.insert(seen.end(), got.begin(), got.end());
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4}));
  // Nothing new: the next catch-up is empty and keeps its place.
  auto [after, same] = CatchUp("sl", channel, next);
  EXPECT_TRUE(after.empty());
  EXPECT_EQ(same, next);
}

// A task force's change is pushed to its members.
TEST_P(LiveTest, ATaskForcesMembersHearOfItsChanges) {
  LiveClient ha;
  ASSERT_FALSE(ha.Open(port_, BrowserOf("ha")));
  AwaitSubscribers(1);
  auto formed = Post("sl", "/api/v1/taskforces",
                     {{"title", "湖畔社区占道整治专班"},
                      {"subject_kind", "other"},
                      {"goal", "两周内清理占道"},
                      {"deadline", "2026-12-20T17:00:00+08:00"},
                      {"members", {{{"account_id", AccountId("ha")}, {"role", "member"}}}}});
  ASSERT_EQ(formed.status, 201) << formed.body;
  const std::string id = Body(formed)["id"];
  auto heard = NextOf(ha, "taskforce");
  ASSERT_TRUE(heard) << ha.error().message();
  EXPECT_EQ((*heard)["force_id"], id);
}

INSTANTIATE_TEST_SUITE_P(Backends, LiveTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
