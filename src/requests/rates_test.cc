// The three rates: what each stage of a request counts, the formulas, the
// rollup on every backend (transfer, ranking, trend) and the exports.
#include "requests/rates.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/csv.h"
#include "storage/testing.h"

namespace xietong::requests::rates {
namespace {

Timestamp At(std::string_view rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t) << rfc3339;
  return t.value_or(0);
}

// A request dispatched to street S1 on 2026-03-10 with a day to sign and ten to finish.
Request Dispatched() {
  Request r;
  r.id = "R1";
  r.status = Status::kDispatched;
  r.unit_id = "S1";
  r.unit_path = "/C/D1/S1/";
  r.received_at = At("2026-03-10T09:00:00+08:00");
  r.dispatched_at = At("2026-03-10T10:00:00+08:00");
  r.sign_due = At("2026-03-11T10:00:00+08:00");
  r.finish_due = At("2026-03-20T10:00:00+08:00");
  return r;
}

Request Signed(Timestamp when) {
  Request r = Dispatched();
  r.status = Status::kSigned;
  r.signed_at = when;
  return r;
}

Request Replied(Timestamp when) {
  Request r = Signed(At("2026-03-10T11:00:00+08:00"));
  r.status = Status::kReplied;
  r.replied_at = when;
  return r;
}

Request Rated(bool resolved, Satisfaction s) {
  Request r = Replied(At("2026-03-15T10:00:00+08:00"));
  r.status = s == Satisfaction::kDissatisfied ? Status::kCallback : Status::kClosed;
  r.resolved = resolved;
  r.satisfaction = s;
  return r;
}

Counters Only(std::int64_t Counters::*field) {
  Counters c;
  c.*field = 1;
  return c;
}

TEST(RatesContribution, NothingBeforeDispatch) {
  Request r;
  r.status = Status::kReceived;
  r.received_at = At("2026-03-10T09:00:00+08:00");
  EXPECT_FALSE(ContributionOf(r));
}

TEST(RatesContribution, DispatchCountsForTheUnitInTheShanghaiMonth) {
  Request r = Dispatched();
  r.dispatched_at = At("2026-03-31T17:00:00Z");  // 2026-04-01 01:00 in Shanghai
  auto c = ContributionOf(r);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->unit_id, "S1");
  EXPECT_EQ(c->unit_path, "/C/D1/S1/");
  EXPECT_EQ(c->month, "2026-04");
  EXPECT_EQ(c->counters, Only(&Counters::dispatched));
}

TEST(RatesContribution, SigningByTheDueTimeIsOnTime) {
  auto on_time = ContributionOf(Signed(At("2026-03-11T10:00:00+08:00")));
  ASSERT_TRUE(on_time);
  EXPECT_EQ(on_time->counters.dispatched, 1);
  EXPECT_EQ(on_time->counters.responded_on_time, 1);
  auto late = ContributionOf(Signed(At("2026-03-11T10:00:01+08:00")));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->counters, Only(&Counters::dispatched));
}

TEST(RatesContribution, ReplyOnOrAfterTheDueTime) {
  auto on_time = ContributionOf(Replied(At("2026-03-20T10:00:00+08:00")));
  ASSERT_TRUE(on_time);
  EXPECT_EQ(on_time->counters.replied, 1);
  EXPECT_EQ(on_time->counters.replied_on_time, 1);
  EXPECT_EQ(on_time->counters.rated, 0);
  auto late = ContributionOf(Replied(At("2026-03-21T10:00:00+08:00")));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->counters.replied, 1);
  EXPECT_EQ(late->counters.replied_on_time, 0);
}

TEST(RatesContribution, EachCallbackResultCountsOnce) {
  struct Case {
    bool resolved;
    Satisfaction satisfaction;
    std::int64_t Counters::*bucket;
  };
  for (const Case& k :
       {Case{true, Satisfaction::kSatisfied, &Counters::satisfied},
        Case{true, Satisfaction::kBasicallySatisfied, &Counters::basically_satisfied},
        Case{false, Satisfaction::kDissatisfied, &Counters::dissatisfied},
        Case{false, Satisfaction::kSatisfied, &Counters::satisfied}}) {
    SCOPED_TRACE(SatisfactionName(k.satisfaction));
    auto c = ContributionOf(Rated(k.resolved, k.satisfaction));
    ASSERT_TRUE(c);
    Counters want;
    want.dispatched = want.responded_on_time = want.replied = want.replied_on_time = 1;
    want.rated = 1;
    want.resolved = k.resolved ? 1 : 0;
    want.*k.bucket = 1;
    EXPECT_EQ(c->counters, want);
  }
}

TEST(RatesContribution, MergedReturnedAndUnassignedRequestsCountNothing) {
  Request merged = Dispatched();
  merged.status = Status::kMerged;
  merged.parent_id = "R0";
  EXPECT_FALSE(ContributionOf(merged));
  Request returned = Dispatched();
  returned.status = Status::kReceived;  // 退单 approved: back at the centre
  EXPECT_FALSE(ContributionOf(returned));
  Request no_unit = Dispatched();
  no_unit.unit_id.clear();
  EXPECT_FALSE(ContributionOf(no_unit));
}

TEST(RatesContribution, ReopenedRequestNoLongerCountsItsOldReplyAndRating) {
  Request r = Rated(false, Satisfaction::kDissatisfied);
  r.status = Status::kDispatched;  // reopened; the old fields may linger
  r.reopen_count = 1;
  auto c = ContributionOf(r);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->counters.replied, 0);
  EXPECT_EQ(c->counters.rated, 0);
  EXPECT_EQ(c->counters.dissatisfied, 0);
}

TEST(RatesContribution, SummonsOnTimeLateAndUnreported) {
  Summons s;
  s.department_id = "DEP";
  s.department_path = "/C/DEP/";
  s.created_at = At("2026-02-28T23:30:00+08:00");
  s.report_due = At("2026-03-01T23:30:00+08:00");

  Contribution open = ContributionOf(s);
  EXPECT_EQ(open.unit_id, "DEP");
  EXPECT_EQ(open.unit_path, "/C/DEP/");
  EXPECT_EQ(open.month, "2026-02");
  EXPECT_EQ(open.counters, Only(&Counters::summoned));

  Summons overdue = s;
  overdue.late = true;  // still unreported past report_due
  EXPECT_EQ(ContributionOf(overdue).counters.summons_late, 1);
  EXPECT_EQ(ContributionOf(overdue).counters.summons_reported_on_time, 0);

  Summons on_time = s;
  on_time.reported_at = s.report_due;
  EXPECT_EQ(ContributionOf(on_time).counters.summons_reported_on_time, 1);
  EXPECT_EQ(ContributionOf(on_time).counters.summons_late, 0);

  Summons late = s;
  late.reported_at = s.report_due + kMicrosPerMinute;
  late.late = true;
  EXPECT_EQ(ContributionOf(late).counters.summons_reported_on_time, 0);
  EXPECT_EQ(ContributionOf(late).counters.summons_late, 1);
}

TEST(RatesFormula, RatesAreExactRatios) {
  Counters c;
  c.dispatched = 8;
  c.responded_on_time = 6;
  c.rated = 4;
  c.resolved = 3;
  c.satisfied = 2;
  c.basically_satisfied = 1;
  c.dissatisfied = 1;
  UnitRates r = RatesOf("S1", "/C/D1/S1/", c, Weights{});
  EXPECT_EQ(r.unit_id, "S1");
  EXPECT_EQ(r.counters, c);
  ASSERT_TRUE(r.response_rate && r.resolution_rate && r.satisfaction_rate);
  EXPECT_DOUBLE_EQ(*r.response_rate, 0.75);
  EXPECT_DOUBLE_EQ(*r.resolution_rate, 0.75);
  EXPECT_DOUBLE_EQ(*r.satisfaction_rate, 0.7);  // (2 + 1 × 0.8) / 4
  EXPECT_DOUBLE_EQ(r.score, 72.75);             // 100 × (0.1·0.75 + 0.45·0.75 + 0.45·0.7)
  EXPECT_EQ(r.rank, 0);

  Weights basically_full;
  basically_full.basically = 1;
  EXPECT_DOUBLE_EQ(*RatesOf("S1", "", c, basically_full).satisfaction_rate, 0.75);
}

TEST(RatesFormula, UndefinedRatesAreLeftOutOfTheScore) {
  Counters c;
  c.dispatched = 2;
  c.responded_on_time = 1;
  UnitRates r = RatesOf("S1", "", c, Weights{});
  ASSERT_TRUE(r.response_rate);
  EXPECT_DOUBLE_EQ(*r.response_rate, 0.5);
  EXPECT_FALSE(r.resolution_rate);
  EXPECT_FALSE(r.satisfaction_rate);
  EXPECT_DOUBLE_EQ(r.score, 50);  // 0.1·0.5 / 0.1

  UnitRates none = RatesOf("S2", "", Counters{}, Weights{});
  EXPECT_FALSE(none.response_rate);
  EXPECT_FALSE(none.resolution_rate);
  EXPECT_FALSE(none.satisfaction_rate);
  EXPECT_EQ(none.score, 0);

  Weights without_response{0, 0.5, 0.5, 0.8};
  EXPECT_EQ(RatesOf("S1", "", c, without_response).score, 0);  // the only rate weighs nothing
}

TEST(RatesFormula, WeightsShiftTheScore) {
  Counters c;
  c.dispatched = 4;
  c.responded_on_time = 4;  // response 1
  c.rated = 4;
  c.resolved = 1;  // resolution 0.25
  c.satisfied = 2;
  c.dissatisfied = 2;  // satisfaction 0.5
  EXPECT_DOUBLE_EQ(RatesOf("S", "", c, Weights{1, 0, 0, 0.8}).score, 100);
  EXPECT_DOUBLE_EQ(RatesOf("S", "", c, Weights{0, 1, 0, 0.8}).score, 25);
  EXPECT_DOUBLE_EQ(RatesOf("S", "", c, Weights{0.2, 0.4, 0.4, 0.8}).score, 50);
}

TEST(RatesFormula, ValidateNamesTheBadWeight) {
  EXPECT_TRUE(Validate(Weights{}));
  EXPECT_TRUE(Validate(Weights{0.3, 0.3, 0.4, 0}));
  auto negative = Validate(Weights{-0.1, 0.6, 0.5, 0.8});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(negative.error().message.find("'response'"), std::string::npos);
  auto basically = Validate(Weights{0.1, 0.45, 0.45, 1.5});
  ASSERT_FALSE(basically);
  EXPECT_NE(basically.error().message.find("'basically'"), std::string::npos);
  auto nan = Validate(Weights{0.1, std::nan(""), 0.45, 0.8});
  ASSERT_FALSE(nan);
  EXPECT_NE(nan.error().message.find("'resolution'"), std::string::npos);
  auto sum = Validate(Weights{0.2, 0.45, 0.45, 0.8});
  ASSERT_FALSE(sum);
  EXPECT_EQ(sum.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(sum.error().message.find("add up to 1"), std::string::npos);
}

NamedRates Named(std::string name, std::string kind, const Counters& c, int rank) {
  UnitRates r = RatesOf("U-" + name, "/C/", c, Weights{});
  r.rank = rank;
  return {std::move(name), std::move(kind), std::move(r)};
}

std::vector<NamedRates> ExportRows() {
  Counters best;
  best.dispatched = best.responded_on_time = 4;
  best.rated = best.resolved = best.satisfied = 2;
  Counters unrated;
  unrated.dispatched = 3;
  unrated.responded_on_time = 1;
  return {Named("望湖街道,东区", "街道", best, 1), Named("市水务局", "委办局", unrated, 2)};
}

TEST(RatesExport, CsvHasBomTitleChineseHeaderAndQuotedNames) {
  const std::string out = RankingCsv(ExportRows(), "2026-01至2026-02");
  ASSERT_EQ(out.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_EQ(out.substr(3),
            "接诉即办三率排名 2026-01至2026-02\r\n"
            "排名,单位,类型,受理量,及时响应,响应率,参评量,已解决,解决率,满意,基本满意,不满意,"
            "满意率,综合得分\r\n"
            "1,\"望湖街道,东区\",街道,4,4,100.00%,2,2,100.00%,2,0,0,100.00%,100.00\r\n"
            "2,市水务局,委办局,3,1,33.33%,0,0,,0,0,0,,33.33\r\n");
  // And a CSV reader gets the name back whole.
  auto reader = csv::Reader::FromString(out);
  for (int skip = 0; skip < 2; ++skip) ASSERT_TRUE(reader.Next());
  auto first = reader.Next();
  ASSERT_TRUE(first && *first);
  ASSERT_EQ((*first)->size(), 14u);
  EXPECT_EQ((**first)[1], "望湖街道,东区");
}

TEST(RatesExport, XlsxIsAWorkbook) {
  auto out = RankingXlsx(ExportRows(), "2026-01至2026-02");
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_GT(out->size(), 1000u);
  EXPECT_EQ(out->substr(0, 2), "PK");
  EXPECT_NE(out->find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_NE(out->find("xl/sharedStrings.xml"), std::string::npos);
}

// The rollup on a real database.
class RatesStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = storage::ApplyMigrations(db(), Migrations(), 0);
    ASSERT_TRUE(applied) << applied.error().message;
  }

  storage::Database& db() { return t_->db(); }

  void Move(const std::optional<Contribution>& before, const std::optional<Contribution>& after) {
    auto r =
        db().Write([&](storage::Executor& ex) -> Result<void> { return Apply(ex, before, after); });
    ASSERT_TRUE(r) << r.error().message;
  }

  void Add(std::string unit_id, std::string path, std::string month, const Counters& c) {
    Move(std::nullopt, Contribution{std::move(unit_id), std::move(path), std::move(month), c});
  }

  // The stored counters of one unit and month (zero when there is no row).
  Counters Stored(std::string_view unit_id, std::string_view month) {
    auto t = db().Read([&](storage::Executor& ex) { return Trend(ex, unit_id, month, month, {}); });
    EXPECT_TRUE(t) << t.error().message;
    return t && t->size() == 1 ? t->front().second.counters : Counters{};
  }

  std::int64_t RowCount() {
    auto n = db().Read([](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM request_stats"));
      return row->Int(0);
    });
    return n.value_or(-1);
  }

  Result<std::vector<UnitRates>> Rank(RankingQuery q) {
    return db().Read([&](storage::Executor& ex) { return Ranking(ex, q); });
  }

  static Counters Make(std::int64_t dispatched, std::int64_t responded, std::int64_t rated,
                       std::int64_t resolved, std::int64_t satisfied, std::int64_t dissatisfied) {
    Counters c;
    c.dispatched = dispatched;
    c.responded_on_time = responded;
    c.rated = rated;
    c.resolved = resolved;
    c.satisfied = satisfied;
    c.dissatisfied = dissatisfied;
    return c;
  }

  // S1 scores 100, S3 and S2 both 50 (S3 handled more), S4 0; S5 nets to zero.
  void SeedCity() {
    Add("S1", "/C/D1/S1/", "2025-12", Make(10, 0, 0, 0, 0, 0));  // outside the range
    Add("S1", "/C/D1/S1/", "2026-01", Make(2, 2, 2, 2, 2, 0));
    Add("S1", "/C/D1/S1/", "2026-02", Make(2, 2, 0, 0, 0, 0));
    Add("S2", "/C/D1/S2/", "2026-01", Make(2, 1, 2, 1, 1, 1));
    Add("S3", "/C/D2/S3/", "2026-02", Make(4, 2, 4, 2, 2, 2));
    Add("S4", "/C/D2/S4/", "2026-01", Make(1, 0, 1, 0, 0, 1));
    Contribution gone{"S5", "/C/D2/S5/", "2026-01", Make(1, 1, 0, 0, 0, 0)};
    Move(std::nullopt, gone);
    Move(gone, std::nullopt);
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
};

TEST_P(RatesStoreTest, ARequestThroughItsLifeCountsOnce) {
  std::optional<Contribution> last;
  for (const Request& stage :
       {Dispatched(), Signed(At("2026-03-10T11:00:00+08:00")),
        Replied(At("2026-03-15T10:00:00+08:00")), Rated(true, Satisfaction::kSatisfied)}) {
    auto now = ContributionOf(stage);
    Move(last, now);
    last = now;
  }
  Counters want;
  want.dispatched = want.responded_on_time = want.replied = want.replied_on_time = 1;
  want.rated = want.resolved = want.satisfied = 1;
  EXPECT_EQ(Stored("S1", "2026-03"), want);
  EXPECT_EQ(RowCount(), 1);
}

TEST_P(RatesStoreTest, TransferMovesTheCountToTheNewUnit) {
  Request r = Signed(At("2026-03-10T11:00:00+08:00"));
  auto before = ContributionOf(r);
  Move(std::nullopt, before);
  r.status = Status::kDispatched;  // transferred to S2 in April
  r.unit_id = "S2";
  r.unit_path = "/C/D1/S2/";
  r.dispatched_at = At("2026-04-01T09:00:00+08:00");
  r.signed_at = 0;
  auto after = ContributionOf(r);
  Move(before, after);
  EXPECT_TRUE(Stored("S1", "2026-03").IsZero());
  EXPECT_EQ(Stored("S2", "2026-04"), Only(&Counters::dispatched));
}

TEST_P(RatesStoreTest, EqualContributionsChangeNothing) {
  auto c = ContributionOf(Dispatched());
  Move(c, c);
  Move(std::nullopt, std::nullopt);
  EXPECT_EQ(RowCount(), 0);
  Move(std::nullopt, c);
  Move(c, c);
  EXPECT_EQ(Stored("S1", "2026-03"), Only(&Counters::dispatched));
}

TEST_P(RatesStoreTest, RankingSumsMonthsAndSharesRanksOnTies) {
  SeedCity();
  auto r = Rank({"2026-01", "2026-02", std::nullopt, {}, {}});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  const std::pair<std::string, int> want[] = {{"S1", 1}, {"S3", 2}, {"S2", 2}, {"S4", 4}};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ((*r)[k].unit_id, want[k].first) << k;
    EXPECT_EQ((*r)[k].rank, want[k].second) << k;
  }
  const UnitRates& s1 = (*r)[0];
  EXPECT_EQ(s1.unit_path, "/C/D1/S1/");
  EXPECT_EQ(s1.counters, Make(4, 4, 2, 2, 2, 0));
  EXPECT_DOUBLE_EQ(s1.score, 100);
  EXPECT_DOUBLE_EQ((*r)[1].score, 50);
  EXPECT_DOUBLE_EQ((*r)[3].score, 0);
}

TEST_P(RatesStoreTest, RankingFiltersBySubtreeAndByUnits) {
  SeedCity();
  auto d1 = Rank({"2026-01", "2026-02", "/C/D1/", {}, {}});
  ASSERT_TRUE(d1) << d1.error().message;
  ASSERT_EQ(d1->size(), 2u);
  EXPECT_EQ((*d1)[0].unit_id, "S1");
  EXPECT_EQ((*d1)[1].unit_id, "S2");
  EXPECT_EQ((*d1)[1].rank, 2);

  auto picked = Rank({"2026-01", "2026-02", std::nullopt, {"S4", "S2"}, {}});
  ASSERT_TRUE(picked) << picked.error().message;
  ASSERT_EQ(picked->size(), 2u);
  EXPECT_EQ((*picked)[0].unit_id, "S2");
  EXPECT_EQ((*picked)[0].rank, 1);
  EXPECT_EQ((*picked)[1].unit_id, "S4");
  EXPECT_EQ((*picked)[1].rank, 2);

  auto nobody = Rank({"2026-01", "2026-02", "/C/D9/", {}, {}});
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->empty());
}

TEST_P(RatesStoreTest, RankingRejectsBadMonthsAndWeights) {
  auto backwards = Rank({"2026-03", "2026-01", std::nullopt, {}, {}});
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, ErrorCode::kInvalidArgument);
  auto bad_month = Rank({"2026-13", "2026-12", std::nullopt, {}, {}});
  ASSERT_FALSE(bad_month);
  EXPECT_NE(bad_month.error().message.find("from_month"), std::string::npos);
  auto bad_weights = Rank({"2026-01", "2026-02", std::nullopt, {}, Weights{0.5, 0.5, 0.5, 0.8}});
  ASSERT_FALSE(bad_weights);
  EXPECT_EQ(bad_weights.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(RatesStoreTest, TrendGivesEveryMonthInOrder) {
  SeedCity();
  auto t = db().Read(
      [](storage::Executor& ex) { return Trend(ex, "S1", "2025-11", "2026-03", Weights{}); });
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->size(), 5u);
  const char* months[] = {"2025-11", "2025-12", "2026-01", "2026-02", "2026-03"};
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ((*t)[k].first, months[k]);
    EXPECT_EQ((*t)[k].second.unit_id, "S1");
    EXPECT_EQ((*t)[k].second.unit_path, "/C/D1/S1/");
  }
  EXPECT_TRUE((*t)[0].second.counters.IsZero());
  EXPECT_FALSE((*t)[0].second.response_rate);
  EXPECT_DOUBLE_EQ(*(*t)[1].second.response_rate, 0);
  EXPECT_EQ((*t)[1].second.counters.dispatched, 10);
  EXPECT_DOUBLE_EQ((*t)[2].second.score, 100);
  EXPECT_DOUBLE_EQ(*(*t)[3].second.response_rate, 1);
  EXPECT_FALSE((*t)[3].second.satisfaction_rate);
  EXPECT_EQ((*t)[4].second.score, 0);
}

TEST_P(RatesStoreTest, SubtreeTrendSumsTheUnitsUnderAPath) {
  SeedCity();
  auto d2 = db().Read([](storage::Executor& ex) {
    return SubtreeTrend(ex, "/C/D2/", "2025-12", "2026-02", Weights{});
  });
  ASSERT_TRUE(d2) << d2.error().message;
  ASSERT_EQ(d2->size(), 3u);
  EXPECT_EQ((*d2)[0].first, "2025-12");
  EXPECT_TRUE((*d2)[0].second.counters.IsZero());
  EXPECT_EQ((*d2)[1].second.counters.dispatched, 1);  // S4; S5's move in and out left nothing
  EXPECT_EQ((*d2)[2].second.counters.dispatched, 4);  // S3
  EXPECT_EQ((*d2)[2].second.unit_path, "/C/D2/");

  auto city = db().Read(
      [](storage::Executor& ex) { return SubtreeTrend(ex, "", "2026-01", "2026-02", Weights{}); });
  ASSERT_TRUE(city) << city.error().message;
  ASSERT_EQ(city->size(), 2u);
  EXPECT_EQ((*city)[0].second.counters.dispatched, 2 + 2 + 1);  // S1, S2, S4 in January
  EXPECT_EQ((*city)[1].second.counters.dispatched, 2 + 4);      // S1, S3 in February
  EXPECT_EQ((*city)[0].second.counters.rated, 2 + 2 + 1);

  auto too_long = db().Read(
      [](storage::Executor& ex) { return SubtreeTrend(ex, "", "2000-01", "2026-02", Weights{}); });
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(RatesBackends, RatesStoreTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::requests::rates
