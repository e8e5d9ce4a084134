// The fan-out on every backend: 10,000 receipts stored in batches in one
// transaction, and none at all when that transaction fails part way (as a
// killed process's would), so every recipient has a directive exactly once
// or nobody has it.
#include "collab/collab_store.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <chrono>

#include "collab/collab_service.h"
#include "storage/testing.h"

namespace xietong::collab {
namespace {

constexpr Timestamp kNow = 1'795'399'200'000'000;

class CollabStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
  }

  static Directive MakeDirective(std::string id, std::int64_t recipients) {
    Directive d;
    d.id = std::move(id);
    d.title = "通知";
    d.body = "内容";
    d.from_unit_id = "u";
    d.from_unit_path = "/u/";
    d.sender_id = "s";
    d.to_units = {"u"};
    d.created_at = kNow;
    d.recipients = recipients;
    return d;
  }

  static std::vector<Receipt> People(int n) {
    std::vector<Receipt> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      auto& r = out[static_cast<std::size_t>(i)];
      r.account_id = fmt::format("acct-{:05}", i);
      r.display_name = fmt::format("用户{}", i);
      r.unit_id = fmt::format("unit-{}", i % 40);
      r.unit_name = fmt::format("第{}社区", i % 40);
      r.unit_path = fmt::format("/c/unit-{}/", i % 40);
    }
    return out;
  }

  std::int64_t Receipts(std::string_view directive_id) {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row,
                          ex.QueryOne("SELECT COUNT(*) FROM collab_receipts WHERE directive_id = ?",
                                      {directive_id}));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
};

TEST_P(CollabStoreTest, TenThousandReceiptsInOneTransaction) {
  const auto people = People(10'000);
  const auto started = std::chrono::steady_clock::now();
  auto ok = t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertDirective(ex, MakeDirective("d1", 10'000)));
    return store::InsertReceipts(ex, "d1", kNow, people, 500);
  });
  ASSERT_TRUE(ok) << ok.error().message;
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(Receipts("d1"), 10'000);
  // Generous for a sanitizer build; the benchmark holds the 2 s target.
  EXPECT_LT(took, std::chrono::seconds(20));
  auto back = t_->db().Read([](storage::Executor& ex) { return store::Receipts(ex, "d1"); });
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 10'000u);
  EXPECT_EQ(back->front().account_id, "acct-00000");
  EXPECT_EQ(back->back().account_id, "acct-09999");
  EXPECT_EQ(back->back().received_at, kNow);
  EXPECT_EQ(back->back().read_at, 0);
}

TEST_P(CollabStoreTest, AFailedFanOutLeavesNobodyWithIt) {
  const auto people = People(3'000);
  auto failed = t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertDirective(ex, MakeDirective("d2", 3'000)));
    XT_TRY_VOID(store::InsertReceipts(ex, "d2", kNow, people, 500));
    return Fail(Error::Unavailable("the process died here"));
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(Receipts("d2"), 0);
  auto d = t_->db().Read([](storage::Executor& ex) { return store::FindDirective(ex, "d2"); });
  ASSERT_TRUE(d);
  EXPECT_FALSE(*d);
  // A recipient listed twice breaks the batch, and with it the whole directive.
  auto twice = People(600);
  twice[599].account_id = twice[0].account_id;
  auto dup = t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertDirective(ex, MakeDirective("d3", 600)));
    return store::InsertReceipts(ex, "d3", kNow, twice, 500);
  });
  EXPECT_FALSE(dup);
  EXPECT_EQ(Receipts("d3"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CollabStoreTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::collab
