// Tampering with the chain in each way an insider could is found and named.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "storage/testing.h"

namespace xietong::audit {
namespace {

using storage::Executor;

class AuditChain : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplyMigrations(db(), Migrations(), 0));
    key_dir_ = storage::testing::MakeTempDir();
    auto key = SigningKey::LoadOrCreate(key_dir_ + "/keys/instance.key");
    ASSERT_TRUE(key) << key.error().message;
    key_.emplace(std::move(*key));
  }
  void TearDown() override { std::filesystem::remove_all(key_dir_); }

  storage::Database& db() { return t_->db(); }

  void AppendEvents(int n, Timestamp start = 1'000'000) {
    auto r = db().Write([&](Executor& ex) -> Result<void> {
      for (int i = 0; i < n; ++i) {
        EventInput e{"acct-1",
                     "test.thing.update",
                     fmt::format("thing-{}", i % 5),
                     {{"n", i}, {"note", "处理完毕 \"ok\"\n"}}};
        XT_TRY_VOID(Append(ex, start + i, e));
      }
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  VerifyReport Check(std::int64_t chunk = 7) {
    VerifyOptions o;
    o.trusted_public_keys = {key_->PublicKeyHex()};
    o.chunk_size = chunk;  // small ranges so the seams between workers are exercised
    auto r = Verify(db(), o);
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(VerifyReport{});
  }

  void Sql(const std::string& sql, std::initializer_list<storage::Value> params = {}) {
    std::vector<storage::Value> p(params);
    auto r = db().Write([&](Executor& ex) { return ex.Exec(sql, storage::Params(p)); });
    ASSERT_TRUE(r) << r.error().message;
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::string key_dir_;
  std::optional<SigningKey> key_;
};

TEST_P(AuditChain, IntactChainWithCheckpointVerifies) {
  AppendEvents(30);
  ASSERT_TRUE(Checkpoint(db(), *key_, 5));
  AppendEvents(12, 2'000'000);
  auto report = Check();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 42);
  EXPECT_EQ(report.checkpoints, 1);
}

TEST_P(AuditChain, EmptyChainVerifies) {
  auto report = Check();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 0);
}

TEST_P(AuditChain, ChangedPayloadIsNamed) {
  AppendEvents(30);
  Sql("UPDATE audit_events SET payload = ? WHERE seq = 17", {R"({"n":999})"});
  auto report = Check();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 17);
  EXPECT_NE(report.problem.find("does not match its hash"), std::string::npos) << report.problem;
}

TEST_P(AuditChain, ChangedTimeIsNamed) {
  AppendEvents(20);
  Sql("UPDATE audit_events SET at = at + 3600000000 WHERE seq = 8");
  auto report = Check();
  EXPECT_EQ(report.first_bad_seq, 8);
}

TEST_P(AuditChain, DeletedEventIsNamed) {
  AppendEvents(30);
  Sql("DELETE FROM audit_events WHERE seq = 23");
  auto report = Check();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 23);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
}

TEST_P(AuditChain, DeletedEventAtARangeSeamIsNamed) {
  AppendEvents(30);
  Sql("DELETE FROM audit_events WHERE seq = 14");  // the last of the second range of 7
  EXPECT_EQ(Check().first_bad_seq, 14);
}

TEST_P(AuditChain, TruncatedTailIsNamed) {
  AppendEvents(30);
  Sql("DELETE FROM audit_events WHERE seq >= 29");
  auto report = Check();
  EXPECT_EQ(report.first_bad_seq, 29) << report.problem;
}

TEST_P(AuditChain, SwappedEventsAreNamed) {
  AppendEvents(30);
  // Move event 11's content to seq 10 and back: the order of history changed.
  Sql("UPDATE audit_events SET seq = -1 WHERE seq = 10");
  Sql("UPDATE audit_events SET seq = 10 WHERE seq = 11");
  Sql("UPDATE audit_events SET seq = 11 WHERE seq = -1");
  auto report = Check();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 10) << report.problem;
}

TEST_P(AuditChain, ConsistentRewriteIsCaughtByTheCheckpoint) {
  AppendEvents(20);
  ASSERT_TRUE(Checkpoint(db(), *key_, 5));
  // An insider rewrites event 6 and re-hashes everything after it, head
  // included, so every link checks out again; only the signature can tell.
  auto rows = db().Read([](Executor& ex) {
    return ex.Query(
        "SELECT seq, at, actor, action, subject, payload FROM audit_events ORDER BY seq");
  });
  ASSERT_TRUE(rows);
  std::string prev(kGenesisHash);
  for (const auto& r : *rows) {
    std::string payload = r.Int(0) == 6 ? R"({"n":-6})" : r.Text(5);
    std::string hash =
        ChainHash(prev, Canonical(r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), payload));
    Sql("UPDATE audit_events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
        {payload, prev, hash, r.Int(0)});
    prev = hash;
  }
  Sql("UPDATE audit_head SET hash = ? WHERE id = 1", {prev});
  auto report = Check();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 20);
  EXPECT_NE(report.problem.find("checkpoint"), std::string::npos) << report.problem;
}

TEST_P(AuditChain, ForgedCheckpointSignatureIsNamed) {
  AppendEvents(10);
  ASSERT_TRUE(Checkpoint(db(), *key_, 5));
  Sql("UPDATE audit_checkpoints SET signed_at = signed_at + 1");
  auto report = Check();
  EXPECT_EQ(report.first_bad_seq, 10);
  EXPECT_NE(report.problem.find("invalid signature"), std::string::npos) << report.problem;
}

TEST_P(AuditChain, CheckpointByAnUntrustedKeyIsNamed) {
  AppendEvents(10);
  auto other = SigningKey::LoadOrCreate(key_dir_ + "/other.key");
  ASSERT_TRUE(other);
  ASSERT_TRUE(Checkpoint(db(), *other, 5));
  auto report = Check();
  EXPECT_EQ(report.first_bad_seq, 10);
  EXPECT_NE(report.problem.find("untrusted"), std::string::npos) << report.problem;
}

TEST_P(AuditChain, RolledBackChangeLeavesNoEvent) {
  AppendEvents(3);
  auto r = db().Write([](Executor& ex) -> Result<void> {
    XT_TRY_VOID(Append(ex, 9, {"a", "test.fail", "s", json::Json::object()}));
    return Fail(Error::Conflict("the change itself failed"));
  });
  ASSERT_FALSE(r);
  AppendEvents(2);
  auto report = Check();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 5);
}

TEST_P(AuditChain, TwoNodesAppendingAtOnceKeepOneChain) {
  auto second = t_->OpenAnother();
  ASSERT_NE(second, nullptr);
  auto work = [](storage::Database& d, int node) {
    for (int i = 0; i < 40; ++i) {
      auto r = d.Write([&](Executor& ex) {
        return Append(ex, i, {fmt::format("node-{}", node), "test.concurrent", "s", {{"i", i}}});
      });
      EXPECT_TRUE(r) << r.error().message;
    }
  };
  std::thread a([&] { work(db(), 1); });
  std::thread b([&] { work(*second, 2); });
  a.join();
  b.join();
  auto report = Check();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 80);
}

// Many writers share each commit (group commit); appends after the first in
// a transaction go on from the head the transaction holds. A function that
// appends and then fails must leave no trace in what the next one links to.
TEST_P(AuditChain, WritersSharingACommitKeepOneChainWhenSomeFail) {
  auto second = t_->OpenAnother();
  ASSERT_NE(second, nullptr);
  std::atomic<int> committed{0};
  auto work = [&](storage::Database& d, int writer) {
    for (int i = 0; i < 30; ++i) {
      auto r = d.Write([&](Executor& ex) -> Result<void> {
        XT_TRY_VOID(Append(ex, i, {fmt::format("w-{}", writer), "test.shared", "s", {{"i", i}}}));
        XT_TRY_VOID(Append(ex, i, {fmt::format("w-{}", writer), "test.shared2", "s", {{"i", i}}}));
        if ((i + writer) % 4 == 0)
          return Fail(Error::Conflict("this change failed after its events"));
        return {};
      });
      const bool should_fail = (i + writer) % 4 == 0;
      EXPECT_EQ(static_cast<bool>(r), !should_fail) << (r ? "" : r.error().message);
      if (r) committed += 2;
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) threads.emplace_back([&, w] { work(w % 2 ? *second : db(), w); });
  for (auto& th : threads) th.join();
  ASSERT_TRUE(Checkpoint(db(), *key_, 5'000'000));
  auto report = Check();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, committed.load());
  EXPECT_GT(committed.load(), 0);
}

TEST_P(AuditChain, TimelineListsASubjectsEventsInOrder) {
  AppendEvents(12);
  auto events = db().Read([](Executor& ex) { return EventsFor(ex, "thing-2"); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);  // i = 2 and i = 7
  EXPECT_LT((*events)[0].seq, (*events)[1].seq);
  EXPECT_NE((*events)[1].payload.find("\"n\":7"), std::string::npos);
}

TEST_P(AuditChain, TailReadsNewerEventsOfOneKindInOrder) {
  auto empty = db().Read([](Executor& ex) { return LastSeq(ex); });
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(*empty, 0);
  // An action differing only in case, or where the prefix's '_' stands for
  // another character, is not of the kind asked for.
  const std::vector<std::string> actions = {
      "request.received", "identity.account.create", "request.dispatched", "Request.signed",
      "request_x.made",   "requestXx.made",          "request.signed"};
  auto r = db().Write([&](Executor& ex) -> Result<void> {
    for (std::size_t i = 0; i < actions.size(); ++i)
      XT_TRY_VOID(Append(ex, 1'000 + static_cast<Timestamp>(i),
                         {"acct-1", actions[i], fmt::format("r-{}", i)}));
    return {};
  });
  ASSERT_TRUE(r) << r.error().message;
  auto last = db().Read([](Executor& ex) { return LastSeq(ex); });
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(*last, 7);

  auto subjects = [&](std::int64_t after, std::string_view prefix, int limit) {
    auto events = db().Read([&](Executor& ex) { return EventsAfter(ex, after, prefix, limit); });
    EXPECT_TRUE(events) << events.error().message;
    std::vector<std::string> out;
    for (const auto& e : events.value_or(std::vector<Event>{})) out.push_back(e.subject);
    return out;
  };
  EXPECT_EQ(subjects(0, "request.", 100), (std::vector<std::string>{"r-0", "r-2", "r-6"}));
  EXPECT_EQ(subjects(1, "request.", 100), (std::vector<std::string>{"r-2", "r-6"}));
  EXPECT_EQ(subjects(0, "request.", 2), (std::vector<std::string>{"r-0", "r-2"}));
  EXPECT_EQ(subjects(0, "request_", 100), (std::vector<std::string>{"r-4"}));
  EXPECT_EQ(subjects(4, "", 2), (std::vector<std::string>{"r-4", "r-5"}));
  EXPECT_TRUE(subjects(7, "", 100).empty());
  // What is read is the stored event, hash and all.
  auto events = db().Read([](Executor& ex) { return EventsAfter(ex, 6, "", 1); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].seq, 7);
  EXPECT_EQ((*events)[0].action, "request.signed");
  EXPECT_EQ((*events)[0].hash.size(), 64u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditChain, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

TEST(SigningKey, IsCreatedPrivateAndRefusedWhenOthersCanRead) {
  auto dir = storage::testing::MakeTempDir();
  auto path = dir + "/k/instance.key";
  auto key = SigningKey::LoadOrCreate(path);
  ASSERT_TRUE(key);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto again = SigningKey::LoadOrCreate(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->PublicKeyHex(), key->PublicKeyHex());
  std::filesystem::permissions(path, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  auto refused = SigningKey::LoadOrCreate(path);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xietong::audit
