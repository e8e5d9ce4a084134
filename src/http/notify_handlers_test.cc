// Notifications and webhooks over the real routes, on every backend: a
// directive's recipients are told exactly once (across a restart of the
// reaction too), a mention and a task assignment reach the one named, a
// reminder reaches who has not acknowledged by the deadline, once; a
// webhook is delivered to a local HTTP server with a signature it can
// check, a failing endpoint is retried; a unit's webhook is its lead's.
#include <deque>
#include <mutex>

#include "collab/notify.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

constexpr const char* kSecret = "s3cret-for-the-test-hook";

class NotifyRoutesTest : public RequestRoutesTest {
 protected:
  void SetUp() override {
    RequestRoutesTest::SetUp();
    if (HasFatalFailure()) return;
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    receiver_ = std::make_unique<Server>(o, [this](Request& r) {
      std::lock_guard lock(mutex_);
      Received got;
      got.path = r.path;
      got.body = r.body;
      for (const char* h : {"x-xietong-signature", "x-xietong-timestamp", "x-xietong-event",
                            "x-xietong-delivery", "content-type"})
        got.headers[h] = std::string(r.Header(h));
      received_.push_back(std::move(got));
      Response answer;
      answer.status = answers_.empty() ? 200 : answers_.front();
      if (!answers_.empty()) answers_.pop_front();
      answer.body = "{}";
      return answer;
    });
    auto port = receiver_->Start();
    ASSERT_TRUE(port) << port.error().message;
    hook_url_ = fmt::format("http://127.0.0.1:{}/hook", *port);
  }
  void TearDown() override {
    receiver_.reset();
    RequestRoutesTest::TearDown();
  }

  ClientResponse Put(const std::string& who, const std::string& target, const json::Json& body) {
    return Send(
        port_, "PUT", target, body.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_.at(who)}});
  }
  ClientResponse Delete(const std::string& who, const std::string& target) {
    return Send(port_, "DELETE", target, "", {{"Authorization", "Bearer " + tokens_.at(who)}});
  }

  // The city leader sends a directive to street A (ha and sl receive it).
  std::string SendDirective(const std::string& ack_by = "") {
    json::Json body = {{"title", "关于做好防汛工作的通知"},
                       {"body", "请各街道做好防汛准备。"},
                       {"to_units", {street_a_.id}},
                       {"include_subtree", true}};
    if (!ack_by.empty()) body["ack_by"] = ack_by;
    auto r = Post("lead", "/api/v1/directives", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }

  json::Json Mine(const std::string& who) {
    auto r = Get(who, "/api/v1/notifications");
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }
  // How many of who's notifications are of kind about subject.
  int Count(const std::string& who, const std::string& kind, const std::string& subject) {
    int n = 0;
    const json::Json mine = Mine(who);
    const json::Json items = mine.value("items", json::Json::array());
    for (const auto& x : items)
      if (x["kind"] == kind && x["subject_id"] == subject) ++n;
    return n;
  }

  struct Received {
    std::string path, body;
    std::map<std::string, std::string> headers;
  };
  std::vector<Received> Got() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  std::unique_ptr<Server> receiver_;
  std::string hook_url_;
  std::mutex mutex_;
  std::vector<Received> received_;  // GUARDED_BY(mutex_)
  std::deque<int> answers_;         // GUARDED_BY(mutex_): statuses to answer, then 200
};

TEST_P(NotifyRoutesTest, ADirectivesRecipientsAreToldExactlyOnceAcrossARestart) {
  const std::string id = SendDirective();
  React();
  EXPECT_EQ(Count("ha", "directive", id), 1);
  EXPECT_EQ(Count("sl", "directive", id), 1);
  EXPECT_EQ(Count("hb", "directive", id), 0);  // street B is not a recipient
  EXPECT_EQ(Mine("ha")["unread"], 1);
  const auto first = Mine("ha")["items"][0];
  EXPECT_EQ(first["title"], "关于做好防汛工作的通知");
  EXPECT_EQ(first["link"], "/collab/directives");
  EXPECT_EQ(first["read_at"], nullptr);

  // The reaction restarts (a new process: a new consumer of the same name)
  // and catches up: nothing is told twice.
  audit::Consumer again(
      t_->db(), clock_, "test-2", {.name = "collab.notify", .action_prefix = "collab."},
      [this](storage::Executor& ex, const audit::Event& e) { return notify_->OnEvent(ex, e); });
  auto caught = again.CatchUp();
  ASSERT_TRUE(caught) << caught.error().message;
  EXPECT_EQ(*caught, 0);
  // Even a handler run twice on the same event (a crash after the effect
  // and before the cursor could not commit apart, but still) adds nothing.
  auto events = t_->db().Read(
      [](storage::Executor& ex) { return audit::EventsAfter(ex, 0, "collab.directive.sent", 10); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  auto twice =
      t_->db().Write([&](storage::Executor& ex) { return notify_->OnEvent(ex, events->front()); });
  ASSERT_TRUE(twice) << twice.error().message;
  EXPECT_EQ(Count("ha", "directive", id), 1);

  // Read up to the newest: unread drops to 0.
  auto read = Post("ha", "/api/v1/notifications/read", {{"up_to", first["id"]}});
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(Body(read)["unread"], 0);
  EXPECT_NE(Mine("ha")["items"][0]["read_at"], nullptr);
  EXPECT_EQ(Mine("sl")["unread"], 1);  // only one's own
  EXPECT_EQ(Post("ha", "/api/v1/notifications/read", {{"up_to", "not an id"}}).status, 400);
  EXPECT_EQ(Post("ha", "/api/v1/notifications/read", json::Json::object()).status, 400);
}

TEST_P(NotifyRoutesTest, MentionsAndAssignedTasksReachWhoIsNamed) {
  auto group = Post("ha", "/api/v1/channels",
                    {{"title", "值班群"}, {"members", {AccountId("sl"), AccountId("hb")}}});
  ASSERT_EQ(group.status, 201) << group.body;
  const std::string channel = Body(group)["id"];
  ASSERT_EQ(Post("ha", "/api/v1/channels/" + channel + "/messages",
                 {{"text", "@user.sl 请今晚到岗，@user.ha 我自己也在"}})
                .status,
            201);
  auto force = Post("sl", "/api/v1/taskforces",
                    {{"title", "湖畔社区占道整治专班"},
                     {"goal", "两周内清理占道"},
                     {"deadline", "2026-12-20T17:00:00+08:00"},
                     {"members", {{{"account_id", AccountId("ha")}, {"role", "member"}}}}});
  ASSERT_EQ(force.status, 201) << force.body;
  const std::string force_id = Body(force)["id"];
  auto task =
      Post("sl", "/api/v1/taskforces/" + force_id + "/tasks",
           {{"title", "清点摊位"}, {"owner_account_id", AccountId("ha")}, {"deadline_days", 2}});
  ASSERT_EQ(task.status, 201) << task.body;
  React();
  EXPECT_EQ(Count("sl", "mention", channel), 1);
  EXPECT_EQ(Count("hb", "mention", channel), 0);  // a member, not named
  EXPECT_EQ(Count("ha", "mention", channel), 0);  // the author naming themself
  const std::string task_id = Body(task)["id"];
  EXPECT_EQ(Count("ha", "task_assigned", task_id), 1);

  // Two working days later the task is overdue: its lead (sl) is told once.
  clock_.Advance(5 * kMicrosPerDay);
  for (const char* who : {"ha", "sl"}) tokens_[who] = LoginAs(who);  // the sessions expired
  auto due = notify_->RemindDue();
  ASSERT_TRUE(due) << due.error().message;
  EXPECT_EQ(*due, 1);
  React();
  EXPECT_EQ(Count("sl", "task_overdue", task_id), 1);
  EXPECT_EQ(Count("ha", "task_overdue", task_id), 0);  // a member, not a lead or liaison
  due = notify_->RemindDue();
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, 0);
  React();
  EXPECT_EQ(Count("sl", "task_overdue", task_id), 1);
}

TEST_P(NotifyRoutesTest, ThoseWhoHaveNotAcknowledgedByTheDeadlineAreRemindedOnce) {
  const std::string id = SendDirective("2026-11-23T12:00:00+08:00");  // two hours from now
  ASSERT_EQ(Post("ha", "/api/v1/directives/" + id + "/ack", {{"note", "收到"}}).status, 200);
  auto early = notify_->RemindDue();
  ASSERT_TRUE(early);
  EXPECT_EQ(*early, 0);  // not yet due
  clock_.Advance(3 * kMicrosPerHour);
  for (const char* who : {"ha", "sl"}) tokens_[who] = LoginAs(who);
  auto due = notify_->RemindDue();
  ASSERT_TRUE(due) << due.error().message;
  EXPECT_EQ(*due, 1);
  React();
  EXPECT_EQ(Count("sl", "reminder", id), 1);
  EXPECT_EQ(Count("ha", "reminder", id), 0);  // acknowledged in time
  due = notify_->RemindDue();
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, 0);
  React();
  EXPECT_EQ(Count("sl", "reminder", id), 1);
}

TEST_P(NotifyRoutesTest, AWebhookIsDeliveredSignedAndAFailingOneRetried) {
  auto set = Put("ha", "/api/v1/notify/webhooks",
                 {{"url", hook_url_}, {"kinds", {"directive"}}, {"secret", kSecret}});
  ASSERT_EQ(set.status, 200) << set.body;
  const auto hook = Body(set)["webhook"];
  EXPECT_EQ(hook["secret_set"], true);
  EXPECT_FALSE(hook.contains("secret"));
  EXPECT_EQ(hook["owner_kind"], "account");
  {
    std::lock_guard lock(mutex_);
    answers_ = {500};  // the first attempt fails
  }
  const std::string id = SendDirective();
  React();
  auto attempted = notify_->DeliverDue();
  ASSERT_TRUE(attempted) << attempted.error().message;
  EXPECT_EQ(*attempted, 1);
  auto deliveries =
      Get("ha", "/api/v1/notify/webhooks/" + hook["id"].get<std::string>() + "/deliveries");
  ASSERT_EQ(deliveries.status, 200) << deliveries.body;
  auto d = Body(deliveries)["items"];
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]["status"], "pending");
  EXPECT_EQ(d[0]["attempts"], 1);
  EXPECT_EQ(d[0]["last_status"], 500);

  // Not due again before the backoff has passed.
  attempted = notify_->DeliverDue();
  ASSERT_TRUE(attempted);
  EXPECT_EQ(*attempted, 0);
  clock_.Advance(31 * kMicrosPerSecond);
  attempted = notify_->DeliverDue();
  ASSERT_TRUE(attempted);
  EXPECT_EQ(*attempted, 1);
  d = Body(Get(
      "ha", "/api/v1/notify/webhooks/" + hook["id"].get<std::string>() + "/deliveries"))["items"];
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]["status"], "delivered");
  EXPECT_EQ(d[0]["attempts"], 2);

  // What the endpoint received, twice: the same delivery, each signed.
  const auto got = Got();
  ASSERT_EQ(got.size(), 2u);
  for (const auto& g : got) {
    EXPECT_EQ(g.path, "/hook");
    EXPECT_EQ(g.headers.at("content-type"), "application/json");
    EXPECT_EQ(g.headers.at("x-xietong-event"), "directive");
    EXPECT_EQ(g.headers.at("x-xietong-delivery"), d[0]["id"]);
    const std::int64_t ts = std::stoll(g.headers.at("x-xietong-timestamp"));
    EXPECT_EQ(g.headers.at("x-xietong-signature"), collab::SignDelivery(kSecret, ts, g.body));
    EXPECT_NE(g.headers.at("x-xietong-signature"),
              collab::SignDelivery("another-secret-123", ts, g.body));
    auto body = json::Json::parse(g.body);
    EXPECT_EQ(body["kind"], "directive");
    EXPECT_EQ(body["subject_id"], id);
    EXPECT_EQ(body["account_id"], AccountId("ha"));
  }
  // sl has no webhook; hb got nothing: still two posts after more passes.
  ASSERT_TRUE(notify_->DeliverDue());
  EXPECT_EQ(Got().size(), 2u);
  // Another's deliveries are not mine to see.
  EXPECT_EQ(
      Get("sl", "/api/v1/notify/webhooks/" + hook["id"].get<std::string>() + "/deliveries").status,
      404);
}

TEST_P(NotifyRoutesTest, AUnitsWebhookIsItsLeadsAndGetsOneDeliveryPerEvent) {
  const std::string unit = "/api/v1/notify/webhooks?unit=" + street_a_.id;
  const json::Json body = {{"url", hook_url_}, {"secret", kSecret}};
  // A handler of the street is not its lead; nobody leads another unit.
  EXPECT_EQ(Put("ha", unit, body).status, 403);
  EXPECT_EQ(Put("sl", "/api/v1/notify/webhooks?unit=" + street_b_.id, body).status, 403);
  EXPECT_EQ(Get("ha", unit).status, 403);
  EXPECT_EQ(Delete("ha", unit).status, 403);
  EXPECT_EQ(Put("sl", "/api/v1/notify/webhooks?unit=nowhere", body).status, 404);
  auto set = Put("sl", unit, body);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Body(set)["webhook"]["owner_kind"], "unit");
  EXPECT_EQ(Put("adm", unit, body).status, 200);  // an administrator over it may too

  SendDirective();  // ha and sl, both through street A
  React();
  ASSERT_TRUE(notify_->DeliverDue());
  const auto got = Got();
  ASSERT_EQ(got.size(), 1u);  // one per unit and event, not one per person
  auto posted = json::Json::parse(got[0].body);
  EXPECT_EQ(posted["unit_id"], street_a_.id);

  EXPECT_EQ(Delete("sl", unit).status, 204);
  EXPECT_EQ(Body(Get("sl", unit))["webhook"], nullptr);
  EXPECT_EQ(Delete("sl", unit).status, 404);
}

TEST_P(NotifyRoutesTest, BadWebhooksAreRefusedAndNothingIsStored) {
  const std::string mine = "/api/v1/notify/webhooks";
  for (const json::Json& bad : {
           json::Json{{"url", "http://example.com/hook"}, {"secret", kSecret}},
           json::Json{{"url", "ftp://127.0.0.1/hook"}, {"secret", kSecret}},
           json::Json{{"url", "https://user:pw@example.com/"}, {"secret", kSecret}},
           json::Json{{"url", hook_url_}, {"secret", "short"}},
           json::Json{{"url", hook_url_}},  // no secret the first time
           json::Json{{"url", hook_url_}, {"secret", kSecret}, {"kinds", {"everything"}}},
           json::Json{{"url", 7}, {"secret", kSecret}},
           json::Json{{"secret", kSecret}},
       }) {
    auto r = Put("ha", mine, bad);
    EXPECT_EQ(r.status, 400) << bad.dump() << " " << r.body;
  }
  EXPECT_EQ(Body(Get("ha", mine))["webhook"], nullptr);
  // Set once; later changes may leave the secret as it was.
  ASSERT_EQ(Put("ha", mine, {{"url", hook_url_}, {"secret", kSecret}}).status, 200);
  auto changed = Put("ha", mine, {{"url", "https://oapi.dingtalk.com/robot/send?access_token=x"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Body(changed)["webhook"]["secret_set"], true);
  EXPECT_EQ(Get("ha", "/api/v1/notify/webhooks/nowhere/deliveries").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, NotifyRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
