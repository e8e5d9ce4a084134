// Consumers of the audit chain, on every backend: each event's effect
// happens exactly once — across failures, two nodes racing, a lease taken
// over, and a node killed (SIGKILL) in the middle of a batch.
#include "audit/consumer.h"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "storage/testing.h"

extern char** environ;

namespace xietong::audit {
namespace {

using storage::Executor;

constexpr Timestamp kStart = 1'790'000'000'000'000;

// What a consumer does in these tests: one row per event, keyed by seq, so
// that a second effect of the same event fails the batch loudly.
Result<void> RecordEffect(Executor& ex, const Event& e) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO consumer_effects (seq, action) VALUES (?, ?)", {e.seq, e.action}));
  return {};
}

Result<void> PrepareSchema(storage::Database& db) {
  XT_TRY_VOID(storage::ApplySchemas(db, {&Schema()}, 0));
  return db.Write([](Executor& ex) {
    return ex.ExecScript(
        "CREATE TABLE IF NOT EXISTS consumer_effects (seq BIGINT PRIMARY KEY, action TEXT)");
  });
}

Result<void> AppendMany(storage::Database& db, int n, std::string_view action) {
  return db.Write([&](Executor& ex) -> Result<void> {
    for (int i = 0; i < n; ++i)
      XT_TRY_VOID(Append(ex, kStart, {"test", std::string(action), fmt::format("s{}", i), {}}));
    return {};
  });
}

class ConsumerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto ready = PrepareSchema(db());
    ASSERT_TRUE(ready) << ready.error().message;
  }
  storage::Database& db() { return t_->db(); }

  std::int64_t Count(std::string_view sql) {
    auto n = db().Read([&](Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql));
      return row->Int(0);
    });
    EXPECT_TRUE(n) << n.error().message;
    return n.value_or(-1);
  }
  std::int64_t Effects() { return Count("SELECT COUNT(*) FROM consumer_effects"); }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kStart};
};

TEST_P(ConsumerTest, EachMatchingEventIsHandledOnceWithTheCursor) {
  ASSERT_TRUE(AppendMany(db(), 7, "test.thing.made"));
  ASSERT_TRUE(AppendMany(db(), 5, "other.thing"));
  ASSERT_TRUE(AppendMany(db(), 6, "test.thing.made"));
  Consumer c(db(), clock_, "node-a", {.name = "test.effects", .action_prefix = "test.", .batch = 4},
             RecordEffect);
  auto n = c.CatchUp();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 13);
  EXPECT_EQ(Effects(), 13);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consumer_effects WHERE action <> 'test.thing.made'"), 0);
  auto s = c.Status();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->cursor, 18);  // passed over the last events too: nothing is searched twice
  EXPECT_EQ(s->lag(), 0);
  EXPECT_EQ(s->handled, 13);
  EXPECT_EQ(s->owner, "node-a");
  // Nothing new: nothing handled; three more: those three.
  EXPECT_EQ(c.RunOnce().value_or(-1), 0);
  ASSERT_TRUE(AppendMany(db(), 3, "test.thing.made"));
  EXPECT_EQ(c.CatchUp().value_or(-1), 3);
  EXPECT_EQ(Effects(), 16);
  const std::string metrics = RenderConsumerMetrics({*c.Status()});
  EXPECT_NE(metrics.find("xietong_consumer_lag_events{consumer=\"test.effects\"} 0"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("xietong_consumer_handled_total{consumer=\"test.effects\"} 16"),
            std::string::npos);
}

TEST_P(ConsumerTest, AFailingHandlerLeavesNoTraceAndIsRetried) {
  ASSERT_TRUE(AppendMany(db(), 10, "test.x"));
  bool broken = true;
  Consumer c(db(), clock_, "node-a", {.name = "test.retry", .batch = 10},
             [&](Executor& ex, const Event& e) -> Result<void> {
               XT_TRY_VOID(RecordEffect(ex, e));
               if (broken && e.seq == 6) return Fail(Error::Unavailable("the ledger is down"));
               return {};
             });
  auto failed = c.RunOnce();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "the ledger is down");
  EXPECT_EQ(Effects(), 0);  // seq 1–5's effects rolled back with the batch
  EXPECT_EQ(c.Status()->cursor, 0);
  EXPECT_EQ(c.Status()->lag(), 10);
  broken = false;
  EXPECT_EQ(c.CatchUp().value_or(-1), 10);
  EXPECT_EQ(Effects(), 10);
}

TEST_P(ConsumerTest, ANewConsumerMayStartAtTheHead) {
  ASSERT_TRUE(AppendMany(db(), 5, "test.old"));
  Consumer c(db(), clock_, "node-a", {.name = "test.fresh", .start_at_head = true}, RecordEffect);
  EXPECT_EQ(c.Status()->lag(), 0);
  EXPECT_EQ(c.CatchUp().value_or(-1), 0);
  ASSERT_TRUE(AppendMany(db(), 2, "test.new"));
  EXPECT_EQ(c.CatchUp().value_or(-1), 2);
  EXPECT_EQ(Count("SELECT MIN(seq) FROM consumer_effects"), 6);
}

TEST_P(ConsumerTest, OneNodeRunsItAndAnotherTakesOverWhenTheLeaseEnds) {
  ASSERT_TRUE(AppendMany(db(), 4, "test.a"));
  auto other_db = t_->OpenAnother();
  ASSERT_NE(other_db, nullptr);
  const ConsumerOptions o{.name = "test.lease", .lease = 30 * kMicrosPerSecond};
  Consumer a(db(), clock_, "node-a", o, RecordEffect);
  Consumer b(*other_db, clock_, "node-b", o, RecordEffect);
  EXPECT_EQ(a.CatchUp().value_or(-1), 4);
  ASSERT_TRUE(AppendMany(db(), 3, "test.a"));
  EXPECT_EQ(b.CatchUp().value_or(-1), 0);  // a holds the lease
  clock_.Advance(10 * kMicrosPerSecond);
  EXPECT_EQ(a.CatchUp().value_or(-1), 3);  // a renews it
  ASSERT_TRUE(AppendMany(db(), 2, "test.a"));
  clock_.Advance(31 * kMicrosPerSecond);  // a has gone quiet past its lease
  EXPECT_EQ(b.CatchUp().value_or(-1), 2);
  EXPECT_EQ(b.Status()->owner, "node-b");
  EXPECT_EQ(a.CatchUp().value_or(-1), 0);  // now a waits
  EXPECT_EQ(Effects(), 9);
}

TEST_P(ConsumerTest, TwoNodesRacingNeverHandleAnEventTwice) {
  auto other_db = t_->OpenAnother();
  ASSERT_NE(other_db, nullptr);
  // No lease: both nodes may run every batch; only the row lock and the
  // cursor keep the effects single. A second effect would break the key.
  const ConsumerOptions o{.name = "test.race", .batch = 7, .lease = 0};
  Consumer a(db(), clock_, "node-a", o, RecordEffect);
  Consumer b(*other_db, clock_, "node-b", o, RecordEffect);
  std::atomic<bool> writing{true};
  std::atomic<int> errors{0};
  auto run = [&](Consumer& c) {
    while (writing.load()) {
      if (!c.RunOnce()) ++errors;
    }
    if (!c.CatchUp()) ++errors;
  };
  std::thread ta(run, std::ref(a)), tb(run, std::ref(b));
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(AppendMany(db(), 5, "test.race"));
  writing = false;
  ta.join();
  tb.join();
  ASSERT_TRUE(a.CatchUp());
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(Effects(), 200);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT seq) FROM consumer_effects"), 200);
}

// The batch is read ahead of the write transaction; when another run moved
// the cursor meanwhile, the batch read ahead is dropped and the events are
// read again inside: still each once. An idle consumer writes nothing until
// its lease is half gone.
TEST_P(ConsumerTest, ABatchReadAheadIsDroppedWhenTheCursorMovedMeanwhile) {
  ASSERT_TRUE(AppendMany(db(), 4, "test.a"));
  const ConsumerOptions o{.name = "test.ahead", .batch = 4, .lease = 30 * kMicrosPerSecond};
  Consumer other(db(), clock_, "node-a", o, RecordEffect);
  ASSERT_EQ(other.RunOnce().value_or(-1), 4);
  ASSERT_TRUE(AppendMany(db(), 6, "test.a"));
  std::vector<std::int64_t> prepared;
  bool interfere = true;
  Consumer c(db(), clock_, "node-a", o, RecordEffect, [&](const std::vector<Event>& events) {
    for (const auto& e : events) prepared.push_back(e.seq);
    if (interfere) {
      interfere = false;
      EXPECT_EQ(other.RunOnce().value_or(-1), 4);  // handles 5–8 while c holds them
    }
  });
  EXPECT_EQ(c.RunOnce().value_or(-1), 2);  // 9 and 10, read inside
  EXPECT_EQ(prepared, (std::vector<std::int64_t>{5, 6, 7, 8}));
  EXPECT_EQ(Effects(), 10);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT seq) FROM consumer_effects"), 10);

  // Nothing new: no write while the lease has more than half its length left.
  const std::string updated = "SELECT updated_at FROM audit_consumers WHERE name = 'test.ahead'";
  const std::int64_t written = Count(updated);
  clock_.Advance(14 * kMicrosPerSecond);
  EXPECT_EQ(c.RunOnce().value_or(-1), 0);
  EXPECT_EQ(Count(updated), written);
  clock_.Advance(2 * kMicrosPerSecond);  // 16 s after: the lease is renewed
  EXPECT_EQ(c.RunOnce().value_or(-1), 0);
  EXPECT_EQ(Count(updated), written + 16 * kMicrosPerSecond);
  // A new event is prepared, then handled.
  prepared.clear();
  ASSERT_TRUE(AppendMany(db(), 1, "test.a"));
  EXPECT_EQ(c.RunOnce().value_or(-1), 1);
  EXPECT_EQ(prepared, (std::vector<std::int64_t>{11}));
  EXPECT_EQ(Effects(), 11);
}

// Node A, in a child process, handles two batches and is killed with
// SIGKILL in the middle of its third; node B waits for A's lease to end,
// then carries on. Every event has exactly one effect.
TEST_P(ConsumerTest, ANodeKilledMidBatchLosesNothingAndDoublesNothing) {
  ASSERT_TRUE(AppendMany(db(), 45, "test.k"));
  const std::string die_at = "25";  // seq 21–30 is the third batch of 10
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only exec after fork: the test process has threads.
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
    env_store.push_back("XIETONG_CONSUMER_NODE_URL=" + t_->url());
    env_store.push_back("XIETONG_CONSUMER_DIE_AT=" + die_at);
    std::vector<char*> envp;
    for (auto& s : env_store) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string filter = "--gtest_filter=ConsumerNode.DISABLED_RunsUntilKilled";
    std::string also = "--gtest_also_run_disabled_tests";
    char* argv[] = {const_cast<char*>("/proc/self/exe"), filter.data(), also.data(), nullptr};
    execve("/proc/self/exe", argv, envp.data());
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the node was meant to be killed; exit status "
                                   << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  // What A committed: two batches; the third died with it.
  EXPECT_EQ(Effects(), 20);
  Consumer b(db(), clock_, "node-b", {.name = "test.kill", .batch = 10}, RecordEffect);
  EXPECT_EQ(b.Status()->cursor, 20);
  EXPECT_EQ(b.CatchUp().value_or(-1), 0);  // A's lease still runs
  clock_.Advance(31 * kMicrosPerSecond);
  EXPECT_EQ(b.CatchUp().value_or(-1), 25);
  EXPECT_EQ(Effects(), 45);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT seq) FROM consumer_effects"), 45);
  EXPECT_EQ(b.Status()->lag(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConsumerTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

// The child node of the kill test (run only by it, through
// --gtest_also_run_disabled_tests): handles batches of 10 until the event
// XIETONG_CONSUMER_DIE_AT, where it kills itself inside the transaction.
TEST(ConsumerNode, DISABLED_RunsUntilKilled) {
  const char* url = std::getenv("XIETONG_CONSUMER_NODE_URL");
  const char* die_at = std::getenv("XIETONG_CONSUMER_DIE_AT");
  ASSERT_TRUE(url && die_at) << "run by ConsumerTest.ANodeKilledMidBatch… only";
  auto db = storage::OpenDatabase({.url = url});
  ASSERT_TRUE(db) << db.error().message;
  ManualClock clock{kStart};
  const std::int64_t last = std::atoll(die_at);
  Consumer a(**db, clock, "node-a", {.name = "test.kill", .batch = 10},
             [&](Executor& ex, const Event& e) -> Result<void> {
               XT_TRY_VOID(RecordEffect(ex, e));
               if (e.seq == last) raise(SIGKILL);
               return {};
             });
  (void)a.CatchUp();
  FAIL() << "the node should have been killed at seq " << last;
}

}  // namespace
}  // namespace xietong::audit
