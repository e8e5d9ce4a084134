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

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "app/platform.h"
#include "audit/verify.h"
#include "core/json.h"
#include "http/test_client.h"
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

class CrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTest, SigkillMidWriteLosesNothingAcknowledged) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  const std::string data_dir = storage::testing::MakeTempDir();
  PlatformOptions popts{data_dir, t->url(), "", 2};
  std::string city_id;
  {
    auto p = Platform::Open(popts);
    ASSERT_TRUE(p) << p.error().message;
    const auto sys = identity::Principal::System();
    auto city = (*p)->identity().CreateUnit(
        sys, {std::nullopt, identity::UnitKind::kCity, "JL", "江澜市", std::nullopt});
    ASSERT_TRUE(city);
    city_id = city->id;
    ASSERT_TRUE((*p)->identity().CreateAccount(
        sys, {"admin", "管理员", identity::AccountKind::kStaff, std::nullopt, "secret-pass-1",
              city_id, identity::Role::kAdmin}));
  }

  const std::uint16_t port = FreePort();
  const std::string listen = fmt::format("127.0.0.1:{}", port);
  std::vector<std::string> args = {
      XIETONG_BINARY, "serve",    "--data-dir", data_dir,       "--database",
      t->url(),       "--listen", listen,       "--access-log", data_dir + "/access.jsonl"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, XIETONG_BINARY, nullptr, nullptr, argv.data(), environ), 0);

  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    try {
      up = http::testing::Send(port, "GET", "/healthz").status == 200;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_TRUE(up) << "the server did not start";
  auto login = http::testing::Send(port, "POST", "/api/v1/auth/login",
                                   R"({"username":"admin","password":"secret-pass-1"})",
                                   {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = json::Json::parse(login.body)["token"];

  std::mutex mutex;
  std::vector<std::string> acknowledged;  // GUARDED_BY(mutex)
  std::atomic<bool> dead{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !dead.load(); ++i) {
        try {
          auto r = http::testing::Send(
              port, "POST", "/api/v1/units",
              fmt::format(
                  R"({{"parent_id":"{}","kind":"district","code":"K-{}-{}","name":"区{}"}})",
                  city_id, w, i, i),
              {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
          if (r.status == 201) {
            std::lock_guard lock(mutex);
            acknowledged.push_back(json::Json::parse(r.body)["id"]);
          }
        } catch (const std::exception&) {
          return;  // the server is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  dead = true;
  for (auto& th : writers) th.join();
  EXPECT_TRUE(WIFSIGNALED(status));
  ASSERT_GT(acknowledged.size(), 10u)
      << "too few writes happened before the kill to prove anything";

  auto p = Platform::Open(popts);
  ASSERT_TRUE(p) << p.error().message;
  for (const auto& id : acknowledged) {
    auto unit = (*p)->identity().GetUnit(identity::Principal::System(), id);
    EXPECT_TRUE(unit) << "acknowledged unit " << id << " was lost";
  }
  audit::VerifyOptions vo;
  auto keys = TrustedKeys(data_dir);
  ASSERT_TRUE(keys);
  vo.trusted_public_keys = *keys;
  auto report = audit::Verify((*p)->db(), vo);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_GE(report->events, static_cast<std::int64_t>(acknowledged.size()));
  std::filesystem::remove_all(data_dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
