// CapacityService on every backend, over a small city: 18 weeks of imported history (street A
// handles stalls with two handlers, the environment bureau fumes with one, and a street with
// work but no handler account), some of it replied, the last days open. Without a forecast run
// the arrivals are the weekday means ("history"); after a run they are the units' forecasts
// and the baseline is rebuilt, and kept for 15 minutes otherwise. Handlers and per-handler
// throughput come out of the history; settings override them; the sliders move the scenario
// and never the baseline; every bad slider is refused naming it; residents and handlers are
// refused; a unit's lead gets their unit by default; nothing is stored.
#include "insight/capacity_service.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "insight/job_store.h"
#include "insight/test_city.h"
#include "storage/testing.h"

namespace xietong::insight {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;

constexpr Timestamp kMonday10 = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00
constexpr int kDays = 126;

class CapacityServiceTest : public TestCity {
 protected:
  CapacityServiceTest() : TestCity(kMonday10, {.finish_limits = true}) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TestCity::SetUp());
    forecasts_ = std::make_unique<ForecastService>(db(), clock_, ids_, *calendar_, *requests_,
                                                   *matters_, *identity_);
    service_ = std::make_unique<CapacityService>(db(), clock_, *calendar_, *forecasts_, *requests_,
                                                 *matters_, *identity_);
    leader_ = As("leader", city_, Role::kLeader);
    handler_ = As("handler", street_a_, Role::kHandler);
    As("handler2", street_a_, Role::kHandler);
    As("envhandler", env_, Role::kHandler);
    lead_ = As("lead", street_a_, Role::kUnitLead);
    resident_ = As("resident", street_a_, Role::kResident);
    resident_.kind = identity::AccountKind::kResident;
  }

  // kDays days before today: street A 6 stalls a working day and 2 on other days, the
  // environment bureau 2 fumes a day, street B 1 stall a day (no handler account). Replied a
  // day after arrival, except the last 4 days' (open, due by their limits).
  void ImportHistory() {
    std::vector<requests::Request> rows;
    const Day today = DayOf(clock_.Now());
    int serial = 0;
    for (Day d = today - kDays; d < today; ++d) {
      const bool weekend = Weekday(d) >= 5;
      auto add = [&](const OrgUnit& unit, const OrgUnit& street, const std::string& matter, int n,
                     int limit_days) {
        for (int i = 0; i < n; ++i) {
          requests::Request r;
          r.external_id = fmt::format("c:{}", ++serial);
          r.title = r.text = "诉求";
          r.matter_id = matter;
          r.matter_version = 1;
          r.place.street_id = street.id;
          r.place.district_id = district_.id;
          r.unit_id = unit.id;
          r.unit_path = unit.path;
          r.unit_name = unit.name;
          r.received_at = r.dispatched_at = StartOfDay(d) + (9 + i % 8) * kMicrosPerHour;
          r.finish_due = StartOfDay(d + limit_days) + 18 * kMicrosPerHour;
          if (d >= today - 4) {
            r.status = requests::Status::kDispatched;
          } else {
            r.status = requests::Status::kReplied;
            r.replied_at = r.received_at + kMicrosPerDay;
          }
          rows.push_back(std::move(r));
        }
      };
      add(street_a_, street_a_, stalls_, weekend ? 2 : 6, 7);
      add(env_, street_b_, fumes_, 2, 1);
      add(street_b_, street_b_, stalls_, 1, 7);
    }
    auto n = requests_->ImportHistory(Principal::System(), std::move(rows));
    ASSERT_TRUE(n) << n.error().message;
  }

  static RunOptions Small() {
    RunOptions o;
    o.backtest.origins = 4;
    o.backtest.min_train_days = 56;
    o.backtest.min_earlier_origins = 2;
    o.backtest.models = {ModelKind::kSeasonalNaive, ModelKind::kHistoricalAverage,
                         ModelKind::kHoltWinters, ModelKind::kCombo};
    return o;
  }

  std::int64_t Count(std::string_view table) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT COUNT(*) FROM {}", table)));
      return row ? row->Int(0) : 0;
    });
    return n.value_or(-1);
  }

  const UnitProjection* Find(const WhatIfAnswer& a, const OrgUnit& u) {
    for (const auto& x : a.projection.units)
      if (x.unit_id == u.id) return &x;
    return nullptr;
  }

  std::unique_ptr<ForecastService> forecasts_;
  std::unique_ptr<CapacityService> service_;
  Principal leader_, handler_, lead_, resident_;
};

TEST_P(CapacityServiceTest, WithoutARunTheArrivalsAreTheWeekdayMeans) {
  ImportHistory();
  if (HasFatalFailure()) return;
  const std::int64_t events = Count("audit_events");
  auto a = service_->WhatIf(leader_, {.weeks = 2, .volume_pct = 50});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->arrivals_source, "history");
  EXPECT_EQ(a->forecast_run_id, "");
  EXPECT_EQ(a->as_of, DayOf(kMonday10));
  EXPECT_NE(a->basis.find("最早到期先办"), std::string::npos);
  ASSERT_EQ(a->projection.weeks.size(), 2u);
  EXPECT_EQ(a->projection.weeks[0], DayOf(kMonday10));  // a Monday
  ASSERT_EQ(a->projection.units.size(), 3u);
  const UnitProjection* s = Find(*a, street_a_);
  const UnitProjection* e = Find(*a, env_);
  const UnitProjection* b = Find(*a, street_b_);
  ASSERT_TRUE(s && e && b);
  EXPECT_EQ(s->handlers, 2);
  EXPECT_EQ(e->handlers, 1);
  EXPECT_EQ(b->handlers, 1);
  EXPECT_TRUE(b->handlers_assumed);
  EXPECT_FALSE(s->handlers_assumed);
  // 14 days: 10 working days × 6 + 4 others × 2 for street A (the history is exact).
  EXPECT_NEAR(s->baseline.arrivals, 10 * 6 + 4 * 2, 1e-6);
  EXPECT_NEAR(s->scenario.arrivals, 1.5 * s->baseline.arrivals, 1e-6);
  EXPECT_NEAR(e->baseline.arrivals, 14 * 2, 1e-6);
  // Throughput per handler: street A replies 34 a week over 5 working days by 2 handlers
  // (3.4); the bureau 14 by one (2.8); street B 7 by the assumed one (1.4): the median 2.8 is
  // the floor.
  EXPECT_GE(s->per_handler_per_day, 3.0);
  EXPECT_NEAR(b->per_handler_per_day, e->per_handler_per_day, 1e-9);
  EXPECT_GE(a->projection.total_scenario.backlog_end, a->projection.total_baseline.backlog_end);
  // The open work of the last 4 days is in the backlog at the start.
  EXPECT_GT(a->projection.total_baseline.workload, a->projection.total_baseline.arrivals);
  EXPECT_GE(a->computed_ms, 0);
  EXPECT_EQ(Count("audit_events"), events);  // it stores nothing
  EXPECT_EQ(Count("insight_settings"), 0);
}

TEST_P(CapacityServiceTest, AForecastRunFeedsTheBaselineWhichIsCachedFifteenMinutes) {
  ImportHistory();
  if (HasFatalFailure()) return;
  auto first = service_->WhatIf(leader_, {});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->arrivals_source, "history");
  auto run = forecasts_->Run(Small());
  ASSERT_TRUE(run) << run.error().message;
  auto a = service_->WhatIf(leader_, {});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->forecast_run_id, run->run.id);
  EXPECT_EQ(a->arrivals_source, "forecast:" + run->run.id);
  EXPECT_NE(a->basis.find(run->run.id), std::string::npos);
  EXPECT_EQ(a->projection.weeks.size(), 6u);
  const UnitProjection* s = Find(*a, street_a_);
  ASSERT_NE(s, nullptr);
  EXPECT_GT(s->baseline.arrivals, 0);
  clock_.Advance(10 * kMicrosPerMinute);
  auto cached = service_->WhatIf(leader_, {});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->baseline_built_at, a->baseline_built_at);
  clock_.Advance(6 * kMicrosPerMinute);
  auto rebuilt = service_->WhatIf(leader_, {});
  ASSERT_TRUE(rebuilt);
  EXPECT_GT(rebuilt->baseline_built_at, a->baseline_built_at);
}

TEST_P(CapacityServiceTest, SettingsOverrideHandlersAndThroughput) {
  ImportHistory();
  if (HasFatalFailure()) return;
  store::SettingRow row;
  row.scope_id = "city";
  row.name = "capacity";
  row.value = fmt::format(
      R"({{"weekend_factor": 0, "handlers": {{"{}": 5}}, "per_handler_per_day": {{"{}": 9}}}})",
      street_a_.id, env_.id);
  row.set_by = "test";
  ASSERT_TRUE(db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(bool ok, store::PutSetting(ex, row, 0));
    if (!ok) return Fail(Error::Conflict("setting"));
    return {};
  }));
  auto a = service_->WhatIf(leader_, {.weeks = 1, .handlers = {{street_a_.id, 2}}});
  ASSERT_TRUE(a) << a.error().message;
  const UnitProjection* s = Find(*a, street_a_);
  const UnitProjection* e = Find(*a, env_);
  ASSERT_TRUE(s && e);
  EXPECT_EQ(s->handlers, 5);
  EXPECT_EQ(s->scenario_handlers, 7);
  EXPECT_NEAR(e->per_handler_per_day, 9, 1e-9);
  EXPECT_NE(a->basis.find("工作日的 0%"), std::string::npos) << a->basis;
}

TEST_P(CapacityServiceTest, BadSlidersAreRefusedNamingThem) {
  ImportHistory();
  if (HasFatalFailure()) return;
  auto expect = [&](const WhatIfInput& in, ErrorCode code, std::string_view field) {
    auto r = service_->WhatIf(leader_, in);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
  };
  const auto bad = ErrorCode::kInvalidArgument;
  const auto missing = ErrorCode::kNotFound;
  const std::string nobody = "01JD0000000000000000000000";
  expect({.weeks = 0}, bad, "weeks");
  expect({.weeks = 9}, bad, "weeks");
  expect({.volume_pct = -51}, bad, "volume_pct");
  expect({.volume_pct = 100.5}, bad, "volume_pct");
  expect({.volume_category_id = stalls_}, bad, "volume_category_id");
  expect({.volume_category_id = nobody}, missing, "volume_category_id");
  expect({.handlers = {{nobody, 1}}}, missing, "handlers");
  expect({.handlers = {{street_a_.id, 101}}}, bad, "delta");
  expect({.handlers = {{street_a_.id, 1}, {street_a_.id, 2}}}, bad, "twice");
  expect({.limits = {{nobody, 3}}}, missing, "limits");
  expect({.limits = {{level2_, 3}}}, bad, "limits");
  expect({.limits = {{stalls_, 0}}}, bad, "finish_days");
  expect({.limits = {{stalls_, 61}}}, bad, "finish_days");
  expect({.unit_id = nobody}, missing, "unit_id");
  EXPECT_TRUE(
      service_->WhatIf(leader_, {.volume_category_id = level1_, .limits = {{stalls_, 60}}}));
}

TEST_P(CapacityServiceTest, WhoMaySeeWhichUnits) {
  ImportHistory();
  if (HasFatalFailure()) return;
  auto r = service_->WhatIf(resident_, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  auto h = service_->WhatIf(handler_, {});
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, ErrorCode::kPermissionDenied);
  auto other = service_->WhatIf(lead_, {.unit_id = street_b_.id});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  // A street's lead: their street by default, and only its units.
  auto own = service_->WhatIf(lead_, {});
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->unit_id, street_a_.id);
  ASSERT_EQ(own->projection.units.size(), 1u);
  EXPECT_EQ(own->projection.units[0].unit_id, street_a_.id);
  // The leader over the district: both streets, not the bureau.
  auto district = service_->WhatIf(leader_, {.unit_id = district_.id});
  ASSERT_TRUE(district) << district.error().message;
  EXPECT_EQ(district->projection.units.size(), 2u);
  EXPECT_EQ(Find(*district, env_), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, CapacityServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::insight
