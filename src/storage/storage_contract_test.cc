// The store contract: every backend must behave the same for these.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <thread>

#include "storage/migrations.h"
#include "storage/testing.h"

namespace xietong::storage {
namespace {

constexpr Migration kMigrations[] = {
    {"test", 1, "create items",
     "CREATE TABLE items (id TEXT PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, label TEXT)"},
    {"test", 2, "index labels", "CREATE UNIQUE INDEX items_label ON items (label)"},
};

class StorageContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = ApplyMigrations(t_->db(), kMigrations, 1);
    ASSERT_TRUE(applied) << applied.error().message;
    ASSERT_EQ(*applied, 2);
  }
  Database& db() { return t_->db(); }
  Result<std::int64_t> Insert(std::string id, Value n, Value x, Value label) {
    return db().Write([&](Executor& ex) {
      return ex.Exec("INSERT INTO items (id, n, x, label) VALUES (?, ?, ?, ?)", {id, n, x, label});
    });
  }
  std::int64_t Count() {
    auto n = db().Read([](Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM items"));
      return row->Int(0);
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
  }
  std::unique_ptr<testing::TestDatabase> t_;
};

TEST_P(StorageContract, ValuesRoundTripExactly) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::min() + 1;
  ASSERT_TRUE(Insert("a", big, 0.1, "朝阳街道 ? 'quoted' \"double\""));
  ASSERT_TRUE(Insert("b", nullptr, nullptr, nullptr));
  auto rows = db().Read([](Executor& ex) {
    return ex.Query("SELECT id, n, x, label FROM items WHERE id IN (?, ?) ORDER BY id", {"a", "b"});
  });
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const Row& a = (*rows)[0];
  EXPECT_EQ(a.Text(0), "a");
  EXPECT_EQ(a.Int(1), big);
  EXPECT_DOUBLE_EQ(a.Real(2), 0.1);
  EXPECT_EQ(a.Text(3), "朝阳街道 ? 'quoted' \"double\"");
  const Row& b = (*rows)[1];
  EXPECT_TRUE(b.IsNull(1));
  EXPECT_TRUE(b.IsNull(2));
  EXPECT_EQ(b.OptText(3), std::nullopt);
}

TEST_P(StorageContract, TheDatabaseSaysItsSizeAndItGrowsWithRows) {
  auto size = [&] { return db().Read([](Executor& ex) { return DatabaseBytes(ex); }); };
  auto before = size();
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_GT(*before, 0);
  // One transaction of 200 rows of 2 KB: growth far beyond any page slack.
  ASSERT_TRUE(db().Write([](Executor& ex) -> Result<void> {
    for (int i = 0; i < 200; ++i)
      XT_TRY_VOID(
          ex.Exec("INSERT INTO items (id, n, x, label) VALUES (?, ?, ?, ?)",
                  {"k" + std::to_string(i), i, 1.0, std::string(2000, 'x') + std::to_string(i)}));
    return {};
  }));
  auto after = size();
  ASSERT_TRUE(after);
  EXPECT_GT(*after, *before);
}

TEST_P(StorageContract, DuplicateKeyIsConflictAndChangesNothing) {
  ASSERT_TRUE(Insert("a", 1, 1.0, "x"));
  auto again = Insert("b", 2, 2.0, "x");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Count(), 1);
}

TEST_P(StorageContract, FailedWriteRollsBackOnlyItsOwnChanges) {
  // Both writes may share one group commit; the failing one must leave no row.
  auto failing = db().Write([](Executor& ex) -> Result<void> {
    XT_TRY_VOID(ex.Exec("INSERT INTO items (id, n) VALUES ('keep-not', 1)"));
    return Fail(Error::InvalidArgument("rejected after its insert"));
  });
  ASSERT_FALSE(failing);
  EXPECT_EQ(failing.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(Insert("kept", 1, 1.0, "k"));
  EXPECT_EQ(Count(), 1);
}

TEST_P(StorageContract, DeferredStatementsRunInOrderAndTheirErrorsEndTheWrite) {
  ASSERT_TRUE(Insert("taken", 1, 1.0, "t"));
  // Deferred writes are seen by the statements after them.
  auto seen = db().Write([](Executor& ex) -> Result<std::int64_t> {
    XT_TRY_VOID(ex.Defer("INSERT INTO items (id, n) VALUES ('d1', 10)"));
    XT_TRY_VOID(ex.Defer("UPDATE items SET n = n + 5 WHERE id = 'd1'"));
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT n FROM items WHERE id = 'd1'"));
    return row ? row->Int(0) : -1;
  });
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(*seen, 15);

  // A failed deferred statement fails the next statement that needs an answer…
  auto queried = db().Write([](Executor& ex) -> Result<void> {
    XT_TRY_VOID(ex.Defer("INSERT INTO items (id, n) VALUES ('d2', 1)"));
    XT_TRY_VOID(ex.Defer("INSERT INTO items (id, n) VALUES ('taken', 2)"));
    XT_TRY_VOID(ex.QueryOne("SELECT COUNT(*) FROM items"));
    return {};
  });
  ASSERT_FALSE(queried);
  EXPECT_EQ(queried.error().code, ErrorCode::kConflict);
  // …or, with none after it, the write itself; either way nothing of it is kept.
  auto last = db().Write([](Executor& ex) -> Result<void> {
    XT_TRY_VOID(ex.Defer("INSERT INTO items (id, n) VALUES ('d3', 1)"));
    return ex.Defer("INSERT INTO items (id, n) VALUES ('taken', 3)");
  });
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, ErrorCode::kConflict);
  // A function that fails on its own after deferring leaves nothing either.
  auto refused = db().Write([](Executor& ex) -> Result<void> {
    XT_TRY_VOID(ex.Defer("INSERT INTO items (id, n) VALUES ('d4', 1)"));
    return Fail(Error::InvalidArgument("refused after deferring"));
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(Count(), 2);                      // taken, d1
  ASSERT_TRUE(Insert("after", 1, 1.0, "a"));  // the connection is fine afterwards
  EXPECT_EQ(Count(), 3);
}

TEST_P(StorageContract, DeferredErrorsInABatchStayWithTheirOwnWrite) {
  ASSERT_TRUE(Insert("taken", 1, 1.0, "t"));
  constexpr int kThreads = 8, kEach = 30;
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = db().Write([&](Executor& ex) -> Result<void> {
          XT_TRY_VOID(
              ex.Defer("INSERT INTO items (id, n) VALUES (?, ?)", {fmt::format("{}/{}", t, i), i}));
          // Every 5th write also repeats a key, after its good insert.
          if (i % 5 == 4) XT_TRY_VOID(ex.Defer("INSERT INTO items (id, n) VALUES ('taken', 0)"));
          return {};
        });
        if (r)
          ++ok;
        else if (r.error().code == ErrorCode::kConflict)
          ++conflicts;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts.load(), kThreads * (kEach / 5));
  EXPECT_EQ(ok.load(), kThreads * kEach - conflicts.load());
  EXPECT_EQ(Count(), ok.load() + 1);
}

TEST_P(StorageContract, ConcurrentWritersAreAllCommittedOrCleanlyRejected) {
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every 10th label repeats one already written, so some writes in a
        // batch fail while their neighbours must still commit.
        std::string label =
            i % 10 == 9 ? fmt::format("{}-{}", t, i - 1) : fmt::format("{}-{}", t, i);
        auto r = Insert(fmt::format("{}/{}", t, i), i, 0.5, label);
        if (r)
          ++ok;
        else if (r.error().code == ErrorCode::kConflict)
          ++conflicts;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts.load(), kThreads * (kEach / 10));
  EXPECT_EQ(ok.load(), kThreads * kEach - conflicts.load());
  EXPECT_EQ(Count(), ok.load());
}

TEST_P(StorageContract, CommittedDataSurvivesReopen) {
  ASSERT_TRUE(Insert("durable", 42, 4.2, "d"));
  t_->Reopen();
  auto row = db().Read(
      [](Executor& ex) { return ex.QueryOne("SELECT n FROM items WHERE id = ?", {"durable"}); });
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->Int(0), 42);
}

TEST_P(StorageContract, MigrationsApplyOnceAcrossRestarts) {
  t_->Reopen();
  auto applied = ApplyMigrations(db(), kMigrations, 2);
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, 0);
}

TEST_P(StorageContract, WriteReturnsValueAndReadSeesIt) {
  auto n = db().Write([](Executor& ex) -> Result<std::int64_t> {
    XT_TRY_VOID(ex.Exec("INSERT INTO items (id, n) VALUES ('r', 7)"));
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT n * 6 FROM items WHERE id = 'r'"));
    return row->Int(0);
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 42);
  EXPECT_EQ(Count(), 1);
}

TEST_P(StorageContract, BadSqlIsInternalWithoutLeakingDetail) {
  auto r = db().Read([](Executor& ex) { return ex.Query("SELEC nonsense FROM nowhere"); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_EQ(r.error().message.find("nowhere"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageContract, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::storage
