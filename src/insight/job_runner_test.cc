// The insight job runner on every backend: a new job runs at once, then at
// its local time each day; of two nodes one runs a due job; a failed run is
// retried after its retry interval; a dead node's claim lapses with its
// lease; settings are written only at the version the writer read.
#include "insight/job_runner.h"

#include <gtest/gtest.h>

#include "insight/schema.h"
#include "storage/testing.h"

namespace xietong::insight {
namespace {

// 2026-12-07 01:00 in Shanghai (2026-12-06 17:00 UTC).
constexpr Timestamp kOneAmLocal = 1'796'576'400'000'000;

class JobRunnerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = storage::ApplySchemas(t_->db(), {&Schema()}, 0);
    ASSERT_TRUE(applied) << applied.error().message;
  }

  JobSpec Counting(std::string name, int* runs, bool fail = false) {
    return JobSpec{.name = std::move(name),
                   .local_minute = 2 * 60,
                   .run = [runs, fail]() -> Result<std::string> {
                     ++*runs;
                     if (fail) return Fail(Error::Unavailable("the model is not ready"));
                     return std::string("did it");
                   }};
  }

  store::JobRow Row(JobRunner& r, std::string_view name) {
    auto rows = r.Statuses();
    EXPECT_TRUE(rows);
    for (const auto& row : *rows)
      if (row.name == name) return row;
    ADD_FAILURE() << "no job " << name;
    return {};
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kOneAmLocal};
};

TEST(JobRunnerNextLocal, IsTheNextLocalTimeStrictlyAfter) {
  // 01:00 local → 02:00 the same local day.
  EXPECT_EQ(JobRunner::NextLocal(kOneAmLocal, 120), kOneAmLocal + kMicrosPerHour);
  // At 02:00 exactly → 02:00 the next day.
  EXPECT_EQ(JobRunner::NextLocal(kOneAmLocal + kMicrosPerHour, 120),
            kOneAmLocal + kMicrosPerHour + kMicrosPerDay);
  // 23:30 local → 00:15 the next local day.
  EXPECT_EQ(JobRunner::NextLocal(kOneAmLocal + 22 * kMicrosPerHour + 30 * kMicrosPerMinute, 15),
            kOneAmLocal + 23 * kMicrosPerHour + 15 * kMicrosPerMinute);
}

TEST_P(JobRunnerTest, ANewJobRunsAtOnceThenDailyAtItsLocalTime) {
  JobRunner runner(t_->db(), clock_, "node-a");
  int runs = 0;
  runner.Add(Counting("forecast.nightly", &runs));
  auto first = runner.RunDue();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, std::vector<std::string>{"forecast.nightly"});
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Row(runner, "forecast.nightly").last_result, "ok: did it");
  EXPECT_EQ(Row(runner, "forecast.nightly").next_run_at, kOneAmLocal + kMicrosPerHour);

  clock_.Advance(30 * kMicrosPerMinute);  // 01:30: not due
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 1);
  clock_.Advance(30 * kMicrosPerMinute);  // 02:00: due
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 2);
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(Row(runner, "forecast.nightly").next_run_at,
            kOneAmLocal + kMicrosPerHour + kMicrosPerDay);
}

TEST_P(JobRunnerTest, OfTwoNodesOneRunsADueJob) {
  auto other_db = t_->OpenAnother();
  JobRunner a(t_->db(), clock_, "node-a");
  JobRunner b(*other_db, clock_, "node-b");
  int runs = 0;
  a.Add(Counting("report.monthly", &runs));
  b.Add(Counting("report.monthly", &runs));
  ASSERT_TRUE(a.RunDue());
  ASSERT_TRUE(b.RunDue());
  EXPECT_EQ(runs, 1);
  clock_.Advance(kMicrosPerHour);
  ASSERT_TRUE(b.RunDue());
  ASSERT_TRUE(a.RunDue());
  EXPECT_EQ(runs, 2);
}

TEST_P(JobRunnerTest, AFailedRunIsRetriedAfterItsRetryInterval) {
  JobRunner runner(t_->db(), clock_, "node-a");
  int runs = 0;
  runner.Add(Counting("routing.retrain", &runs, /*fail=*/true));
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Row(runner, "routing.retrain").last_result, "error: the model is not ready");
  EXPECT_EQ(Row(runner, "routing.retrain").next_run_at, kOneAmLocal + 30 * kMicrosPerMinute);
  clock_.Advance(29 * kMicrosPerMinute);
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 1);
  clock_.Advance(kMicrosPerMinute);
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 2);
}

TEST_P(JobRunnerTest, ADeadNodesClaimLapsesWithItsLease) {
  ASSERT_TRUE(t_->db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::EnsureJob(ex, "forecast.nightly", kOneAmLocal));
    XT_ASSIGN_OR_RETURN(const bool claimed,
                        store::ClaimJob(ex, "forecast.nightly", "dead-node", kOneAmLocal,
                                        kOneAmLocal + 2 * kMicrosPerHour));
    EXPECT_TRUE(claimed);
    return {};
  }));
  JobRunner runner(t_->db(), clock_, "node-a");
  int runs = 0;
  runner.Add(Counting("forecast.nightly", &runs));
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 0);  // held
  clock_.Advance(2 * kMicrosPerHour + 1);
  ASSERT_TRUE(runner.RunDue());
  EXPECT_EQ(runs, 1);
  // The dead node's late finish does not overwrite this node's record.
  auto late = t_->db().Write([&](storage::Executor& ex) {
    return store::FinishJob(ex, "forecast.nightly", "dead-node", clock_.Now(), 0, "ok: late");
  });
  ASSERT_TRUE(late);
  EXPECT_FALSE(*late);
  EXPECT_EQ(Row(runner, "forecast.nightly").last_result, "ok: did it");
}

TEST_P(JobRunnerTest, ASettingIsWrittenOnlyAtTheVersionItsWriterRead) {
  auto put = [&](std::string value, std::int64_t version, std::int64_t if_version) {
    return t_->db().Write([&](storage::Executor& ex) {
      return store::PutSetting(ex,
                               store::SettingRow{.scope_id = "city",
                                                 .name = "staffing",
                                                 .value = value,
                                                 .set_by = "leader",
                                                 .set_at = kOneAmLocal,
                                                 .version = version},
                               if_version);
    });
  };
  ASSERT_TRUE(put(R"({"target":0.8})", 1, 0));
  auto twice = put(R"({"target":0.9})", 1, 0);
  ASSERT_TRUE(twice);
  EXPECT_FALSE(*twice);  // exists already
  auto stale = put(R"({"target":0.9})", 3, 2);
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
  auto ok = put(R"({"target":0.85})", 2, 1);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
  auto back = t_->db().Read(
      [](storage::Executor& ex) { return store::FindSetting(ex, "city", "staffing"); });
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->value, R"({"target":0.85})");
  EXPECT_EQ((*back)->version, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobRunnerTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace xietong::insight
