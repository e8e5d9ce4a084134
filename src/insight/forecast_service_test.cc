// ForecastService on every backend: 126 days of imported history (a weekday pattern with
// noise on two streets of one district, two categories) → one run stored with its series and
// one audit event; the city's, the district's, a street's, a category's and a unit's forecasts
// answer from memory with intervals around the point forecasts; a second service (another
// node) loads the same run from the store; bad input is refused naming the field and nothing
// is stored; residents and a street's handler are refused the city; before any run the
// answer is "unavailable". The store keeps the newest five runs.
#include "insight/forecast_service.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "insight/forecast_store.h"
#include "insight/test_city.h"
#include "storage/testing.h"

namespace xietong::insight {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;

constexpr Timestamp kMonday10 = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00
constexpr int kDays = 126;

class ForecastServiceTest : public TestCity {
 protected:
  ForecastServiceTest() : TestCity(kMonday10) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TestCity::SetUp());
    service_ = Make();
    leader_ = As("leader", city_, Role::kLeader);
    handler_ = As("handler", street_a_, Role::kHandler);
    resident_ = As("resident", street_a_, Role::kResident);
    resident_.kind = identity::AccountKind::kResident;
  }

  std::unique_ptr<ForecastService> Make() {
    return std::make_unique<ForecastService>(db(), clock_, ids_, *calendar_, *requests_, *matters_,
                                             *identity_);
  }

  // kDays days before today: street A gets stalls (more on working days), street B fumes
  // handled by the environment bureau; small pseudo-random noise so no series is flat.
  void ImportHistory() {
    std::vector<requests::Request> rows;
    std::uint32_t seed = 11;
    auto noise = [&] { return static_cast<int>((seed = seed * 1664525u + 1013904223u) >> 30); };
    const Day today = DayOf(clock_.Now());
    int serial = 0;
    for (Day d = today - kDays; d < today; ++d) {
      const bool weekend = Weekday(d) >= 5;
      const int stalls = (weekend ? 2 : 6) + noise();
      const int fumes = (weekend ? 4 : 2) + noise();
      for (int i = 0; i < stalls + fumes; ++i) {
        const bool stall = i < stalls;
        const OrgUnit& street = stall ? street_a_ : street_b_;
        const OrgUnit& unit = stall ? street_a_ : env_;
        requests::Request r;
        r.external_id = fmt::format("t:{}", ++serial);
        r.title = stall ? "占道经营" : "油烟扰民";
        r.text = r.title;
        r.matter_id = stall ? stalls_ : fumes_;
        r.matter_version = 1;
        r.place.street_id = street.id;
        r.place.district_id = district_.id;
        r.unit_id = unit.id;
        r.unit_path = unit.path;
        r.unit_name = unit.name;
        r.status = requests::Status::kDispatched;
        r.received_at = r.dispatched_at = StartOfDay(d) + (9 + i % 8) * kMicrosPerHour;
        rows.push_back(std::move(r));
      }
    }
    auto n = requests_->ImportHistory(Principal::System(), std::move(rows));
    ASSERT_TRUE(n) << n.error().message;
  }

  static RunOptions Small() {
    RunOptions o;
    o.backtest.origins = 4;  // 126 days: 28 scored + 3 weeks of origins + 56 to train
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

  std::unique_ptr<ForecastService> service_;
  Principal leader_, handler_, resident_;
};

void ExpectBands(const SeriesForecast& f, int horizon, Day after) {
  ASSERT_EQ(static_cast<int>(f.forecast.size()), horizon) << f.key;
  for (int i = 0; i < horizon; ++i) {
    const ForecastPoint& p = f.forecast[static_cast<std::size_t>(i)];
    EXPECT_EQ(p.day, after + 1 + i) << f.key;
    EXPECT_GE(p.value, 0) << f.key;
    EXPECT_LE(p.lo95, p.lo80) << f.key;
    EXPECT_LE(p.lo80, p.value) << f.key;
    EXPECT_LE(p.value, p.hi80) << f.key;
    EXPECT_LE(p.hi80, p.hi95) << f.key;
    EXPECT_LT(p.lo80, p.hi80) << f.key;
  }
}

TEST_P(ForecastServiceTest, ARunIsStoredAndServedFromMemory) {
  ImportHistory();
  auto before = service_->Forecast(leader_, {.horizon = 7});
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code, ErrorCode::kUnavailable);

  int calls = 0, last_total = 0;
  auto report = service_->Run(Small(), [&](int, int total) {
    ++calls;
    last_total = total;
  });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->stored);
  const Day yesterday = DayOf(kMonday10) - 1;
  EXPECT_EQ(report->run.data_to, yesterday);
  EXPECT_EQ(report->run.data_from, yesterday - kDays + 1);
  // city, district: all, 01, 01-01 each; two streets: all, 01, 01-01 each; two units.
  EXPECT_EQ(report->run.series, 3 + 3 + 6 + 2);
  EXPECT_EQ(calls, report->run.series);
  EXPECT_EQ(last_total, report->run.series);
  EXPECT_GT(report->requests, kDays * 8);
  EXPECT_TRUE(report->text.rfind("mase_7d=") != std::string::npos);
  EXPECT_EQ(report->text.substr(report->text.rfind('\n', report->text.size() - 2) + 1, 8),
            "mase_7d=");
  EXPECT_EQ(Count("insight_forecast_runs"), 1);
  EXPECT_EQ(Count("insight_forecast_series"), report->run.series);
  auto events = db().Read(
      [](storage::Executor& ex) { return audit::EventsAfter(ex, 0, "insight.forecast.", 10); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].subject, report->run.id);

  auto city = service_->Forecast(leader_, {.horizon = 14});
  ASSERT_TRUE(city) << city.error().message;
  EXPECT_EQ(city->run.id, report->run.id);
  EXPECT_EQ(city->key, "place:city|cat:all|ch:all");
  EXPECT_EQ(city->scope_kind, "city");
  EXPECT_EQ(city->actual.size(), 56u);
  EXPECT_EQ(city->actual.back().first, yesterday);
  ExpectBands(*city, 14, yesterday);
  EXPECT_FALSE(city->models[0].empty());
  EXPECT_EQ(city->backtest.origins, 4);
  EXPECT_TRUE(std::isfinite(city->backtest.mase_7d));
  EXPECT_GT(city->backtest.mase_7d, 0);
  // 10.4 a day on average: stalls (5·6 + 2·2)/7 + 1.5 of noise, fumes (5·2 + 2·4)/7 + 1.5.
  double week = 0;
  for (int i = 0; i < 7; ++i) week += city->forecast[static_cast<std::size_t>(i)].value;
  EXPECT_NEAR(week / 7, 10.43, 1.5);

  auto district = service_->Forecast(leader_, {.unit_id = district_.id, .horizon = 28});
  ASSERT_TRUE(district) << district.error().message;
  EXPECT_EQ(district->scope_kind, "district");
  EXPECT_EQ(district->scope_name, "临江区");
  ExpectBands(*district, 28, yesterday);
  auto street =
      service_->Forecast(leader_, {.unit_id = street_a_.id, .category_id = level1_, .horizon = 3});
  ASSERT_TRUE(street) << street.error().message;
  EXPECT_EQ(street->key, fmt::format("place:{}|cat:{}|ch:all", street_a_.id, level1_));
  EXPECT_EQ(street->category_name, "城乡建设");
  ExpectBands(*street, 3, yesterday);
  auto unit = service_->Forecast(leader_, {.unit_id = env_.id, .horizon = 7});
  ASSERT_TRUE(unit) << unit.error().message;
  EXPECT_EQ(unit->key, fmt::format("unit:{}|cat:all|ch:all", env_.id));
  auto weekly =
      service_->Forecast(leader_, {.category_id = level2_, .horizon = 28, .weekly = true});
  ASSERT_TRUE(weekly) << weekly.error().message;
  ASSERT_GE(weekly->forecast.size(), 3u);
  for (const ForecastPoint& w : weekly->forecast) {
    EXPECT_EQ(Weekday(w.day), 0);
    EXPECT_LE(w.lo80, w.value);
    EXPECT_GE(w.hi95, w.hi80);
  }
  // A street's handler has no figures (kStatsRead), not even the city's.
  auto city_for_handler = service_->Forecast(handler_, {.horizon = 7});
  ASSERT_FALSE(city_for_handler);
  EXPECT_EQ(city_for_handler.error().code, ErrorCode::kPermissionDenied);

  // Another node loads the same run from the store on first use.
  auto other = Make();
  auto again = other->Forecast(leader_, {.unit_id = district_.id, .horizon = 28});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->run.id, report->run.id);
  ASSERT_EQ(again->forecast.size(), district->forecast.size());
  for (std::size_t i = 0; i < again->forecast.size(); ++i) {
    EXPECT_NEAR(again->forecast[i].value, district->forecast[i].value, 1e-3);
    EXPECT_NEAR(again->forecast[i].hi95, district->forecast[i].hi95, 1e-3);
  }
  auto found = other->Find("place:city|cat:all|ch:all", 42);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->forecast.size(), 42u);
  auto missing = other->Find("place:nowhere|cat:all|ch:all", 7);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  auto latest = other->LatestRun(leader_);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, report->run.id);
}

TEST_P(ForecastServiceTest, BadQueriesAreRefusedNamingTheField) {
  ImportHistory();
  ASSERT_TRUE(service_->Run(Small()));
  const std::int64_t runs = Count("insight_forecast_runs");
  auto code = [&](const Principal& who, ForecastQuery q) {
    auto r = service_->Forecast(who, q);
    return r ? std::string("ok")
             : std::string(ErrorCodeName(r.error().code)) + ":" + r.error().field;
  };
  EXPECT_EQ(code(leader_, {.horizon = 0}), "invalid_argument:horizon");
  EXPECT_EQ(code(leader_, {.horizon = 29}), "invalid_argument:horizon");
  EXPECT_EQ(code(leader_, {.channel = "fax", .horizon = 7}), "invalid_argument:channel");
  EXPECT_EQ(code(leader_, {.unit_id = "01JD0000000000000000000000", .horizon = 7}),
            "not_found:unit");
  EXPECT_EQ(code(leader_, {.category_id = "01JD0000000000000000000000", .horizon = 7}),
            "not_found:category");
  EXPECT_EQ(code(leader_, {.category_id = stalls_, .horizon = 7}), "invalid_argument:category");
  EXPECT_EQ(code(leader_, {.unit_id = district_.id, .channel = "phone", .horizon = 7}),
            "invalid_argument:channel");
  // Imported history is not phone calls: the phone series does not exist.
  EXPECT_EQ(code(leader_, {.channel = "phone", .horizon = 7}), "not_found:series");
  EXPECT_EQ(code(resident_, {.horizon = 7}), "permission_denied:");
  EXPECT_EQ(code(leader_, {.horizon = 7}), "ok");
  EXPECT_EQ(Count("insight_forecast_runs"), runs);
}

TEST_P(ForecastServiceTest, NothingToForecastStoresNothing) {
  auto r = service_->Run(Small());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Count("insight_forecast_runs"), 0);
}

TEST_P(ForecastServiceTest, TheStoreKeepsTheNewestFiveRuns) {
  for (int i = 0; i < 7; ++i) {
    store::ForecastRunRow run{.id = fmt::format("run{}", i),
                              .started_at = 1000 + i,
                              .finished_at = 2000 + i,
                              .status = "done",
                              .summary = "{}",
                              .node = "t"};
    store::ForecastSeriesRow s{.series_key = "place:city|cat:all|ch:all",
                               .scope_kind = "city",
                               .resolution = "day",
                               .flags = "{}",
                               .models = "{}",
                               .metrics = "{}",
                               .actual = "[]",
                               .forecast = "[]",
                               .weekly = "[]"};
    auto w = db().Write([&](storage::Executor& ex) {
      return store::InsertRun(ex, run, std::span<const store::ForecastSeriesRow>(&s, 1));
    });
    ASSERT_TRUE(w) << w.error().message;
  }
  auto runs = db().Read([](storage::Executor& ex) { return store::ListRuns(ex); });
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 5u);
  EXPECT_EQ(runs->front().id, "run6");
  EXPECT_EQ(runs->back().id, "run2");
  EXPECT_EQ(Count("insight_forecast_series"), 5);
  auto latest = db().Read([](storage::Executor& ex) { return store::LatestDoneRun(ex); });
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->id, "run6");
}

INSTANTIATE_TEST_SUITE_P(Backends, ForecastServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::insight
