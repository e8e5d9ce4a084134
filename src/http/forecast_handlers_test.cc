// Forecasts and staffing over the real routes, on every backend: 503 before any run; after a
// run over 126 days of imported history the city's, a street's and a category's forecasts with
// their intervals, weekly sums, and the 4xx (horizon 0, 29 or not a number, a bad resolution or
// channel 400; an unknown unit or category 404; a resident 403); the staffing of a forecast day
// (48 half-hours, a rota covering the agents, the basis saying the talk time is a default), a
// bad, missing or out-of-range date 400, a resident 403. Every answer conforms to the OpenAPI
// document.
#include "http/openapi.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class ForecastRoutesTest : public RequestRoutesTest {
 protected:
  // 126 days to yesterday on both streets, more on working days, with a little noise.
  void ImportHistory() {
    std::vector<requests::Request> rows;
    std::uint32_t seed = 3;
    const insight::Day today = insight::DayOf(clock_.Now());
    for (insight::Day d = today - 126; d < today; ++d) {
      const int n = (insight::Weekday(d) >= 5 ? 3 : 7) +
                    static_cast<int>((seed = seed * 1664525u + 1013904223u) >> 30);
      for (int i = 0; i < n; ++i) {
        const OrgUnit& s = i % 2 ? street_a_ : street_b_;
        requests::Request r;
        r.external_id = fmt::format("f{}-{}", d, i);
        r.title = "占道";
        r.text = "摆摊";
        r.matter_id = stalls_;
        r.matter_version = 1;
        r.place.street_id = s.id;
        r.place.district_id = *s.parent_id;
        r.unit_id = s.id;
        r.unit_path = s.path;
        r.unit_name = s.name;
        r.status = requests::Status::kDispatched;
        r.received_at = r.dispatched_at = insight::StartOfDay(d) + (8 + i) * kMicrosPerHour;
        rows.push_back(std::move(r));
      }
    }
    auto n = requests_->ImportHistory(identity::Principal::System(), std::move(rows));
    ASSERT_TRUE(n) << n.error().message;
    insight::RunOptions o;
    o.backtest.origins = 4;
    o.backtest.min_train_days = 56;
    o.backtest.min_earlier_origins = 2;
    o.backtest.models = {insight::ModelKind::kSeasonalNaive, insight::ModelKind::kHistoricalAverage,
                         insight::ModelKind::kHoltWinters, insight::ModelKind::kCombo};
    auto run = forecasts_->Run(o);
    ASSERT_TRUE(run) << run.error().message;
  }

  void Conforms(const std::string& pattern, const ClientResponse& r) {
    const json::Json& d = api_->openapi();
    const auto& op = d["paths"][pattern]["get"];
    const std::string status = std::to_string(r.status);
    ASSERT_TRUE(op["responses"].contains(status)) << pattern << " " << r.status << " " << r.body;
    auto body = json::Json::parse(r.body);
    const auto& schema = op["responses"][status]["content"]["application/json"]["schema"];
    auto e = CheckAgainstSchema(body, schema, d["components"]["schemas"]);
    EXPECT_FALSE(e) << pattern << ": " << *e << "\n" << body.dump(2);
  }

  ClientResponse Forecast(const std::string& who, const std::string& query) {
    auto r = Get(who, "/api/v1/insight/forecast" + query);
    Conforms("/api/v1/insight/forecast", r);
    return r;
  }
  ClientResponse Staffing(const std::string& who, const std::string& query) {
    auto r = Get(who, "/api/v1/insight/staffing" + query);
    Conforms("/api/v1/insight/staffing", r);
    return r;
  }
};

TEST_P(ForecastRoutesTest, ForecastsAnswerWithIntervalsAndRefuseBadInput) {
  EXPECT_EQ(Forecast("lead", "?horizon=7").status, 503);
  const std::string tomorrow = insight::DayText(insight::DayOf(clock_.Now()) + 1);
  EXPECT_EQ(Staffing("sup", "?date=" + tomorrow).status, 503);
  ImportHistory();
  if (HasFatalFailure()) return;

  auto city = Forecast("lead", "?horizon=7");
  ASSERT_EQ(city.status, 200) << city.body;
  auto j = json::Json::parse(city.body);
  EXPECT_EQ(j["series"]["key"], "place:city|cat:all|ch:all");
  ASSERT_EQ(j["forecast"].size(), 7u);
  // The first day forecast is today: the run's data end with yesterday.
  EXPECT_EQ(j["forecast"][0]["date"], insight::DayText(insight::DayOf(clock_.Now())));
  for (const auto& p : j["forecast"]) {
    EXPECT_LE(p["lo95"].get<double>(), p["lo80"].get<double>());
    EXPECT_LE(p["lo80"].get<double>(), p["value"].get<double>());
    EXPECT_LE(p["value"].get<double>(), p["hi80"].get<double>());
    EXPECT_LE(p["hi80"].get<double>(), p["hi95"].get<double>());
  }
  EXPECT_EQ(j["actual"].size(), 56u);
  EXPECT_TRUE(j["backtest"]["mase_7d"].is_number()) << city.body;
  EXPECT_FALSE(j["models"]["1-3"].get<std::string>().empty());

  auto street = Forecast("lead", "?unit=" + street_a_.id + "&horizon=28&resolution=week");
  ASSERT_EQ(street.status, 200) << street.body;
  auto s = json::Json::parse(street.body);
  EXPECT_EQ(s["series"]["scope_name"], "望湖街道");
  EXPECT_EQ(s["resolution"], "week");
  EXPECT_GE(s["forecast"].size(), 3u);
  auto matter = matters_->Snapshot();
  ASSERT_TRUE(matter);
  const std::string level1 = (*matter)->FindByCode("01")->id;
  EXPECT_EQ(Forecast("sl", "?unit=" + street_a_.id + "&category=" + level1).status, 200);

  EXPECT_EQ(Forecast("lead", "?horizon=0").status, 400);
  EXPECT_EQ(Forecast("lead", "?horizon=29").status, 400);
  EXPECT_EQ(Forecast("lead", "?horizon=two").status, 400);
  EXPECT_EQ(Forecast("lead", "?resolution=month").status, 400);
  EXPECT_EQ(Forecast("lead", "?channel=fax").status, 400);
  EXPECT_EQ(Forecast("lead", "?category=" + stalls_).status, 400);  // a leaf
  EXPECT_EQ(Forecast("lead", "?unit=01JD0000000000000000000000").status, 404);
  EXPECT_EQ(Forecast("lead", "?category=01JD0000000000000000000000").status, 404);
  EXPECT_EQ(Forecast("lead", "?channel=phone").status, 404);  // no phone calls imported
  auto resident = Forecast("res", "?horizon=7");
  EXPECT_EQ(resident.status, 403) << resident.body;
  EXPECT_EQ(Forecast("ha", "?horizon=7").status, 403);
}

TEST_P(ForecastRoutesTest, StaffingOfAForecastDay) {
  ImportHistory();
  if (HasFatalFailure()) return;
  const std::string tomorrow = insight::DayText(insight::DayOf(clock_.Now()) + 1);
  auto r = Staffing("sup", "?date=" + tomorrow);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::Json::parse(r.body);
  EXPECT_EQ(j["date"], tomorrow);
  ASSERT_EQ(j["slots"].size(), 48u);
  EXPECT_EQ(j["slots"][15]["start"], "07:30");
  EXPECT_EQ(j["settings"]["aht_source"], "default");
  EXPECT_NE(j["basis"].get<std::string>().find("默认值"), std::string::npos);
  EXPECT_EQ(j["profile"], "all");  // no phone calls: every channel's shape
  // The rota covers every slot's agents; the line always has its minimum of seats.
  std::vector<int> covered(48, 0);
  for (const auto& s : j["rota"]) {
    const std::string start = s["start"], end = s["end"];
    const int a = std::stoi(start.substr(0, 2)) * 2 + (start.substr(3) == "30");
    const int b = std::stoi(end.substr(0, 2)) * 2 + (end.substr(3) == "30");
    for (int t = a; t < b; ++t) covered[static_cast<std::size_t>(t)] += s["count"].get<int>();
  }
  for (std::size_t t = 0; t < 48; ++t) {
    EXPECT_GE(j["slots"][t]["seats"].get<int>(), 2);
    EXPECT_GE(covered[t], j["slots"][t]["agents"].get<int>()) << t;
  }
  EXPECT_GT(j["totals"]["calls"].get<double>(), 0);
  EXPECT_GE(j["totals"]["agent_hours"].get<double>(),
            j["totals"]["required_agent_hours"].get<double>());
  EXPECT_EQ(Staffing("lead", "?date=" + tomorrow).status, 200);

  EXPECT_EQ(Staffing("sup", "").status, 400);
  EXPECT_EQ(Staffing("sup", "?date=2026-13-01").status, 400);
  EXPECT_EQ(Staffing("sup", "?date=tomorrow").status, 400);
  EXPECT_EQ(Staffing("sup", "?date=2020-01-01").status, 400);  // not a forecast day
  EXPECT_EQ(Staffing("res", "?date=" + tomorrow).status, 403);
}

INSTANTIATE_TEST_SUITE_P(Backends, ForecastRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
