// A server killed with SIGKILL in the middle of writes loses no acknowledged
// change, and the audit chain still verifies afterwards (every backend).
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "app/platform.h"
#include "audit/audit_log.h"
#include "audit/verify.h"
#include "core/json.h"
#include "http/test_client.h"
#include "identity/bulk_seed.h"
#include "identity/password.h"
#include "storage/testing.h"

extern char** environ;

namespace xietong::app {
namespace {

std::uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class CrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    data_dir_ = storage::testing::MakeTempDir();
    popts_ = PlatformOptions{data_dir_, t_->url(), "", 2};
    auto p = Platform::Open(popts_);
    ASSERT_TRUE(p) << p.error().message;
    const auto sys = identity::Principal::System();
    auto city = (*p)->identity().CreateUnit(
        sys, {std::nullopt, identity::UnitKind::kCity, "JL", "江澜市", std::nullopt});
    ASSERT_TRUE(city);
    city_id_ = city->id;
    ASSERT_TRUE((*p)->identity().CreateAccount(
        sys, {"admin", "管理员", identity::AccountKind::kStaff, std::nullopt, "secret-pass-1",
              city_id_, identity::Role::kAdmin}));
  }
  void TearDown() override {
    // A failed assertion may have returned before the kill: never leave a
    // server behind (it would hold ctest's output open).
    if (pid_ > 0 && !dead_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(data_dir_);
  }

  // Starts `xietong serve` on the test database and logs in as the admin.
  void Serve() {
    port_ = FreePort();
    const std::string listen = fmt::format("127.0.0.1:{}", port_);
    std::vector<std::string> args = {
        XIETONG_BINARY, "serve",    "--data-dir", data_dir_,      "--database",
        t_->url(),      "--listen", listen,       "--access-log", data_dir_ + "/access.jsonl"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&pid_, XIETONG_BINARY, nullptr, nullptr, argv.data(), environ), 0);
    bool up = false;
    for (int i = 0; i < 200 && !up; ++i) {
      try {
        up = http::testing::Send(port_, "GET", "/healthz").status == 200;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_TRUE(up) << "the server did not start";
    auto login = http::testing::Send(port_, "POST", "/api/v1/auth/login",
                                     R"({"username":"admin","password":"secret-pass-1"})",
                                     {{"Content-Type", "application/json"}});
    ASSERT_EQ(login.status, 200) << login.body;
    token_ = json::Json::parse(login.body)["token"];
  }

  http::testing::ClientResponse Post(const std::string& target, const std::string& body,
                                     const std::string& type = "application/json") {
    return http::testing::Send(port_, "POST", target, body,
                               {{"Content-Type", type}, {"Authorization", "Bearer " + token_}});
  }

  // Runs `writer` on 8 threads until SIGKILL ends the server after `after`.
  void LoadThenKill(const std::function<void(int thread)>& writer,
                    std::chrono::milliseconds after = std::chrono::milliseconds(1500)) {
    std::vector<std::thread> writers;
    for (int w = 0; w < 8; ++w)
      writers.emplace_back([&, w] {
        try {
          writer(w);
        } catch (const std::exception&) {
          // the server is gone
        }
      });
    std::this_thread::sleep_for(after);
    ASSERT_EQ(::kill(pid_, SIGKILL), 0);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    dead_ = true;
    for (auto& th : writers) th.join();
    EXPECT_TRUE(WIFSIGNALED(status));
  }

  void ExpectTheChainVerifies(Platform& p, std::size_t at_least) {
    audit::VerifyOptions vo;
    auto keys = TrustedKeys(data_dir_);
    ASSERT_TRUE(keys);
    vo.trusted_public_keys = *keys;
    auto report = audit::Verify(p.db(), vo);
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok()) << report->problem;
    EXPECT_GE(report->events, static_cast<std::int64_t>(at_least));
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::string data_dir_, city_id_, token_;
  PlatformOptions popts_;
  std::uint16_t port_ = 0;
  pid_t pid_ = 0;
  std::atomic<bool> dead_{false};
};

TEST_P(CrashTest, SigkillMidWriteLosesNothingAcknowledged) {
  Serve();
  std::mutex mutex;
  std::vector<std::string> acknowledged;  // GUARDED_BY(mutex)
  LoadThenKill([&](int w) {
    for (int i = 0; !dead_.load(); ++i) {
      auto r = Post(
          "/api/v1/units",
          fmt::format(R"({{"parent_id":"{}","kind":"district","code":"K-{}-{}","name":"区{}"}})",
                      city_id_, w, i, i));
      if (r.status == 201) {
        std::lock_guard lock(mutex);
        acknowledged.push_back(json::Json::parse(r.body)["id"]);
      }
    }
  });
  ASSERT_GT(acknowledged.size(), 10u)
      << "too few writes happened before the kill to prove anything";

  auto p = Platform::Open(popts_);
  ASSERT_TRUE(p) << p.error().message;
  for (const auto& id : acknowledged) {
    auto unit = (*p)->identity().GetUnit(identity::Principal::System(), id);
    EXPECT_TRUE(unit) << "acknowledged unit " << id << " was lost";
  }
  ExpectTheChainVerifies(**p, acknowledged.size());
}

// The same for process instances: every acknowledged start exists and every
// acknowledged job completion moved its instance past that step.
TEST_P(CrashTest, SigkillUnderWorkflowLoadLosesNoAcknowledgedStep) {
  const std::string bpmn = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="twoSteps" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
    <bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="step"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
    <bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="step"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>)";
  Serve();
  ASSERT_EQ(Post("/api/v1/workflow/definitions", bpmn, "application/xml").status, 201);
  std::mutex mutex;
  std::vector<std::string> started;                            // GUARDED_BY(mutex)
  std::vector<std::pair<std::string, std::string>> completed;  // instance, element
  LoadThenKill([&](int w) {
    while (!dead_.load()) {
      auto r = Post("/api/v1/workflow/instances", R"({"process_id":"twoSteps"})");
      if (r.status == 201) {
        std::lock_guard lock(mutex);
        started.push_back(json::Json::parse(r.body)["id"]);
      }
      auto jobs = Post("/api/v1/workflow/jobs/activate",
                       fmt::format(R"({{"type":"step","max_jobs":2,"worker":"w{}"}})", w));
      if (jobs.status != 200) continue;
      const json::Json taken = json::Json::parse(jobs.body);
      for (const auto& j : taken["jobs"]) {
        auto done =
            Post("/api/v1/workflow/jobs/" + j["key"].get<std::string>() + "/complete", "{}");
        if (done.status == 204) {
          std::lock_guard lock(mutex);
          completed.emplace_back(j["instance_id"], j["element_id"]);
        }
      }
    }
  });
  ASSERT_GT(started.size(), 10u) << "too few starts before the kill to prove anything";
  ASSERT_GT(completed.size(), 10u) << "too few completions before the kill to prove anything";

  auto p = Platform::Open(popts_);
  ASSERT_TRUE(p) << p.error().message;
  const auto sys = identity::Principal::System();
  for (const auto& id : started)
    EXPECT_TRUE((*p)->workflow().Instance(sys, id)) << "acknowledged instance " << id << " lost";
  for (const auto& [id, element] : completed) {
    auto v = (*p)->workflow().Instance(sys, id);
    ASSERT_TRUE(v) << id;
    EXPECT_EQ(std::count(v->active_elements.begin(), v->active_elements.end(), element), 0)
        << "instance " << id << " is back at " << element << " after its job was acknowledged";
  }
  ExpectTheChainVerifies(**p, started.size() + completed.size());
}

// An incident under load: residents' crowd reports (signed in, so each
// reporter has their own rate limit; each with an Idempotency-Key) and
// commitments of a warehouse to a need, SIGKILL at a random moment between
// 0.6 and 1.8 s, restart: every acknowledged report and commitment is
// there, and the chain verifies.
TEST_P(CrashTest, SigkillDuringAnIncidentLosesNoAcknowledgedReportOrCommitment) {
  constexpr int kReporters = 8;
  std::vector<std::string> reporters;  // session tokens
  {
    auto p = Platform::Open(popts_);
    ASSERT_TRUE(p) << p.error().message;
    const auto sys = identity::Principal::System();
    for (int i = 0; i < kReporters; ++i) {
      const std::string name = fmt::format("reporter{}", i);
      ASSERT_TRUE((*p)->identity().CreateAccount(
          sys, {name, fmt::format("报告人{}", i), identity::AccountKind::kStaff, std::nullopt,
                "secret-pass-1", city_id_, identity::Role::kHandler}));
      auto login = (*p)->identity().Login(name, "secret-pass-1");
      ASSERT_TRUE(login) << login.error().message;
      reporters.push_back(login->token);
    }
  }
  Serve();
  auto opened = Post("/api/v1/incidents", json::Json({{"type", "waterlogging"},
                                                      {"level", "IV"},
                                                      {"title", "江澜市城区内涝"},
                                                      {"area", {{"grid_ids", {"JL-G1"}}}},
                                                      {"unit_id", city_id_}})
                                              .dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string base =
      "/api/v1/incidents/" + json::Json::parse(opened.body)["id"].get<std::string>();
  auto need = Post(base + "/needs", json::Json({{"kind", "supplies"},
                                                {"title", "安置点饮用水"},
                                                {"quantity", 1'000'000},
                                                {"place", "文化路小学"}})
                                        .dump());
  ASSERT_EQ(need.status, 201) << need.body;
  auto stock = Post(base + "/resources", json::Json({{"kind", "warehouse"},
                                                     {"name", "市应急物资储备库"},
                                                     {"quantity", 1'000'000},
                                                     {"place", "仓储路 1 号"}})
                                             .dump());
  ASSERT_EQ(stock.status, 201) << stock.body;
  const std::string commitment = json::Json({{"need_id", json::Json::parse(need.body)["id"]},
                                             {"resource_id", json::Json::parse(stock.body)["id"]},
                                             {"quantity", 1}})
                                     .dump();

  std::mutex mutex;
  std::vector<std::string> reports, commitments;  // acknowledged; GUARDED_BY(mutex)
  std::random_device random;
  const auto after = std::chrono::milliseconds(600 + random() % 1200);
  LoadThenKill(
      [&](int w) {
        for (int i = 0; !dead_.load(); ++i) {
          const std::string key = fmt::format("w{}-{}", w, i);
          if (i % 2 == 0) {  // a report every other round: the rate limit lasts longer
            auto r = http::testing::Send(
                port_, "POST", base + "/reports",
                json::Json({{"text", fmt::format("文化路{}号院积水齐腰，{}人被困", i, w + 2)},
                            {"kind", "need"},
                            {"need_type", "救援"},
                            {"count", w + 2},
                            {"place", {{"lat", 30.05}, {"lng", 120.05}, {"address", "文化路"}}}})
                    .dump(),
                {{"Content-Type", "application/json"},
                 {"Authorization", "Bearer " + reporters[static_cast<std::size_t>(w)]},
                 {"Idempotency-Key", "r-" + key}});
            if (r.status == 201) {
              std::lock_guard lock(mutex);
              reports.push_back(json::Json::parse(r.body)["id"]);
            }
          }
          auto c = http::testing::Send(port_, "POST", base + "/commitments", commitment,
                                       {{"Content-Type", "application/json"},
                                        {"Authorization", "Bearer " + token_},
                                        {"Idempotency-Key", "c-" + key}});
          if (c.status == 201) {
            std::lock_guard lock(mutex);
            commitments.push_back(json::Json::parse(c.body)["id"]);
          }
        }
      },
      after);
  ASSERT_GT(reports.size(), 10u) << "too few reports before the kill to prove anything";
  ASSERT_GT(commitments.size(), 10u) << "too few commitments before the kill to prove anything";

  auto p = Platform::Open(popts_);
  ASSERT_TRUE(p) << p.error().message;
  auto ids = [&](std::string_view table) {
    std::set<std::string> out;
    auto read = (*p)->db().Read([&](storage::Executor& ex) -> Result<void> {
      return ex.QueryEach(fmt::format("SELECT id FROM {}", table), {},
                          [&](const storage::Row& row) {
                            out.insert(row.Text(0));
                            return true;
                          });
    });
    EXPECT_TRUE(read) << read.error().message;
    return out;
  };
  const std::set<std::string> stored_reports = ids("emergency_crowd_reports");
  const std::set<std::string> stored_commitments = ids("emergency_commitments");
  for (const auto& id : reports)
    EXPECT_TRUE(stored_reports.contains(id)) << "acknowledged report " << id << " was lost";
  for (const auto& id : commitments)
    EXPECT_TRUE(stored_commitments.contains(id)) << "acknowledged commitment " << id << " was lost";
  ExpectTheChainVerifies(**p, reports.size() + commitments.size());
}

// A directive to 10,000 people, the server SIGKILLed while the directive's
// transaction is open (the fan-out is being written), restarted, and the
// same request retried with its Idempotency-Key: every recipient ends with
// exactly one receipt of exactly one directive. "While open" is observed
// from outside: on SQLite the database's write lock is held (a probe's
// BEGIN IMMEDIATE is refused for 30 ms in a row), on PostgreSQL a backend
// is inside a transaction whose last statement inserted receipts.
TEST_P(CrashTest, SigkillDuringDirectiveFanOutLeavesEveryRecipientOneReceipt) {
  constexpr int kPeople = 10'000, kCommunities = 20;
  std::set<std::string> people;
  {
    auto p = Platform::Open(popts_);
    ASSERT_TRUE(p) << p.error().message;
    const auto sys = identity::Principal::System();
    auto district = (*p)->identity().CreateUnit(
        sys, {city_id_, identity::UnitKind::kDistrict, "JL-D", "临江区", std::nullopt});
    ASSERT_TRUE(district);
    auto street = (*p)->identity().CreateUnit(
        sys, {district->id, identity::UnitKind::kStreet, "JL-S", "望湖街道", std::nullopt});
    ASSERT_TRUE(street);
    std::vector<identity::OrgUnit> communities;
    for (int c = 0; c < kCommunities; ++c) {
      auto u = (*p)->identity().CreateUnit(
          sys, {street->id, identity::UnitKind::kCommunity, fmt::format("JL-C{}", c),
                fmt::format("第{}社区", c), std::nullopt});
      ASSERT_TRUE(u);
      communities.push_back(*u);
    }
    // Straight through the store: 10,000 logins' worth of argon2 would take minutes.
    const std::string hash = identity::DummyPasswordHash();
    const Timestamp now = (*p)->clock().Now();
    std::vector<identity::SeededStaff> seeds;
    for (int i = 0; i < kPeople; ++i) {
      const auto& unit = communities[static_cast<std::size_t>(i % kCommunities)];
      const std::string id = (*p)->ids().Next();
      seeds.push_back(
          {id,
           fmt::format("staff{:05}", i),
           fmt::format("工作人员{}", i),
           {(*p)->ids().Next(), id, unit.id, unit.name, unit.path, identity::Role::kHandler},
           ""});
      people.insert(id);
    }
    auto seeded = identity::SeedStaffAccounts((*p)->db(), seeds, hash, now);
    ASSERT_TRUE(seeded) << seeded.error().message;
  }

  const std::string request = fmt::format(
      R"({{"title":"关于开展安全生产大检查的通知","body":"请各社区于本周五前完成排查并签收。","to_units":["{}"],"include_subtree":true}})",
      city_id_);
  auto send = [&] {
    return http::testing::Send(port_, "POST", "/api/v1/directives", request,
                               {{"Content-Type", "application/json"},
                                {"Authorization", "Bearer " + token_},
                                {"Idempotency-Key", "fan-out-crash-1"}});
  };

  // Is the fan-out's transaction open now?
  std::unique_ptr<storage::Database> probe_db;
  if (t_->db().dialect() == storage::Dialect::kSqlite) {
    auto opened = storage::OpenDatabase(
        {.url = t_->url(), .reader_connections = 1, .busy_timeout_ms = 0, .max_batch = 1});
    ASSERT_TRUE(opened) << opened.error().message;
    probe_db = std::move(*opened);
  }
  auto writing = [&]() -> bool {
    if (probe_db) return !probe_db->Write([](storage::Executor&) -> Result<void> { return {}; });
    auto n = t_->db().Read([](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM pg_stat_activity"
                                                " WHERE state <> 'idle' AND pid <> pg_backend_pid()"
                                                " AND query LIKE 'INSERT INTO collab%'"));
      return row ? row->Int(0) : 0;
    });
    return n && *n > 0;
  };

  Serve();
  std::atomic<int> answered{0};
  std::thread sender([&] {
    try {
      answered = send().status;
    } catch (const std::exception&) {
      answered = -1;  // the server died under it
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int in_a_row = 0;
  const int needed = probe_db ? 6 : 1;  // polls 5 ms apart: SQLite's lock held for 30 ms
  while (in_a_row < needed && answered == 0 && std::chrono::steady_clock::now() < deadline) {
    in_a_row = writing() ? in_a_row + 1 : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const bool caught = in_a_row >= needed;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  dead_ = true;
  sender.join();
  probe_db.reset();
  ASSERT_TRUE(caught) << "the fan-out's transaction was never seen open (answer: " << answered
                      << ")";
  ASSERT_NE(answered, 201) << "the directive was answered before the kill";

  struct Stored {
    std::int64_t directives = 0, receipts = 0;
  };
  auto stored = [&](Platform& p) {
    auto got = p.db().Read([](storage::Executor& ex) -> Result<Stored> {
      Stored s;
      XT_ASSIGN_OR_RETURN(auto d, ex.QueryOne("SELECT COUNT(*) FROM collab_directives"));
      XT_ASSIGN_OR_RETURN(auto r, ex.QueryOne("SELECT COUNT(*) FROM collab_receipts"));
      s.directives = d->Int(0);
      s.receipts = r->Int(0);
      return s;
    });
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : Stored{};
  };
  {
    auto p = Platform::Open(popts_);
    ASSERT_TRUE(p) << p.error().message;
    const Stored after_kill = stored(**p);
    // All or nothing: the kill came before the commit (nobody) or after it.
    EXPECT_TRUE((after_kill.directives == 0 && after_kill.receipts == 0) ||
                (after_kill.directives == 1 && after_kill.receipts == kPeople))
        << after_kill.directives << " directives, " << after_kill.receipts << " receipts";
  }

  // Restarted, the sender retries the request it got no answer to.
  dead_ = false;
  Serve();
  const auto retried = send();
  ASSERT_EQ(retried.status, 201) << retried.body;
  const json::Json first = json::Json::parse(retried.body);
  EXPECT_EQ(first["recipients"], kPeople);
  const auto again = send();  // and once more: still the same directive
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(json::Json::parse(again.body)["id"], first["id"]);
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  dead_ = true;

  auto p = Platform::Open(popts_);
  ASSERT_TRUE(p) << p.error().message;
  const Stored end = stored(**p);
  EXPECT_EQ(end.directives, 1);
  EXPECT_EQ(end.receipts, kPeople);
  // Who has it, as the collab service reads the receipts back.
  auto view =
      (*p)->collab().Receipts(identity::Principal::System(), first["id"].get<std::string>());
  ASSERT_TRUE(view) << view.error().message;
  std::set<std::string> receipts;
  for (const auto& r : view->receipts) receipts.insert(r.account_id);
  EXPECT_EQ(view->receipts.size(), static_cast<std::size_t>(kPeople));
  EXPECT_EQ(receipts.size(), view->receipts.size()) << "somebody has it twice";
  EXPECT_TRUE(receipts == people) << "the receipts are not exactly the 10,000 people";
  ExpectTheChainVerifies(**p, 1);
}

// 积分 awards are a durable reaction: killed in the middle of a burst of
// awards, the restarted server finishes them, and no event is paid twice
// (the claim is taken in the batch's transaction with the cursor move);
// every balance equals the sum of its entries and the ledger sums to 0.
TEST_P(CrashTest, SigkillDuringABurstOfAwardsPaysEachEventOnce) {
  constexpr int kEvents = 3'000;
  {
    auto p = Platform::Open(popts_);
    ASSERT_TRUE(p) << p.error().message;
    const auto sys = identity::Principal::System();
    auto city = (*p)->identity().GetUnit(sys, city_id_);
    ASSERT_TRUE(city) << city.error().message;
    auto rule = (*p)->points().CreateRule(sys, {.unit_id = city_id_,
                                                .trigger = "volunteer_hour",
                                                .title = "志愿服务",
                                                .points = 10,
                                                .daily_cap = 1000,
                                                .monthly_cap = 10'000});
    ASSERT_TRUE(rule) << rule.error().message;
    // Hours confirmed for 3,000 volunteers, one each, as collab records them.
    std::vector<audit::EventInput> events;
    for (int i = 0; i < kEvents; ++i)
      events.push_back({"lead-1",
                        "collab.volunteer.confirmed",
                        fmt::format("vh-{:05}", i),
                        {{"force_id", "force-1"},
                         {"task_id", "task-1"},
                         {"volunteer_id", fmt::format("volunteer-{:05}", i)},
                         {"day", "2026-12-05"},
                         {"minutes", 60},
                         {"unit_path", (*city)->path}}});
    auto appended = (*p)->db().Write([&](storage::Executor& ex) -> Result<void> {
      for (std::size_t at = 0; at < events.size(); at += 500) {
        const std::size_t n = std::min<std::size_t>(500, events.size() - at);
        XT_TRY_VOID(audit::AppendMany(ex, (*p)->clock().Now(),
                                      std::span<const audit::EventInput>(&events[at], n)));
      }
      return {};
    });
    ASSERT_TRUE(appended) << appended.error().message;
  }
  auto postings = [&]() -> std::int64_t {
    auto n = t_->db().Read([](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM points_postings"));
      return row ? row->Int(0) : 0;
    });
    return n ? *n : -1;
  };
  auto wait_for = [&](std::int64_t at_least, std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    std::int64_t n = postings();
    while (n < at_least && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      n = postings();
    }
    return n;
  };

  // The server's participation.collab reaction starts paying at once.
  Serve();
  const std::int64_t seen = wait_for(1, std::chrono::seconds(60));
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  dead_ = true;
  ASSERT_GT(seen, 0) << "no award was paid before the kill";
  const std::int64_t at_kill = postings();
  ASSERT_LT(at_kill, kEvents) << "the burst was over before the kill";

  dead_ = false;
  Serve();
  EXPECT_EQ(wait_for(kEvents, std::chrono::seconds(120)), kEvents);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more comes
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  dead_ = true;

  auto p = Platform::Open(popts_);
  ASSERT_TRUE(p) << p.error().message;
  auto counts = (*p)->db().Read([](storage::Executor& ex) -> Result<std::vector<std::int64_t>> {
    std::vector<std::int64_t> n;
    for (const char* sql : {"SELECT COUNT(*) FROM points_postings",
                            // each volunteer holds exactly one award of 10 (1 h × 10 an hour)
                            "SELECT COUNT(*) FROM points_accounts WHERE kind = 'person'"
                            " AND postings = 1 AND balance = 10",
                            "SELECT COUNT(*) FROM points_accounts WHERE kind = 'person'",
                            "SELECT COUNT(*) FROM audit_events WHERE action = 'points.posted'"}) {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql));
      n.push_back(row->Int(0));
    }
    return n;
  });
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ((*counts)[0], kEvents) << "postings (" << at_kill << " at the kill)";
  EXPECT_EQ((*counts)[1], kEvents) << "a volunteer paid twice or not at all";
  EXPECT_EQ((*counts)[2], kEvents);
  EXPECT_EQ((*counts)[3], kEvents) << "one points.posted event a posting";
  auto check = (*p)->points().CheckLedger(identity::Principal::System(), "");
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->postings, kEvents);
  EXPECT_EQ(check->sum_of_balances, 0);
  EXPECT_TRUE(check->mismatched.empty()) << "a balance is not the sum of its entries";
  ExpectTheChainVerifies(**p, kEvents * 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
