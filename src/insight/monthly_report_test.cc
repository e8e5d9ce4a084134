// The monthly report gathered on every backend from a small imported city
// (one district with two streets, a department, two categories; October and
// November 2026): the figures of the city, the district and one street, the
// ranking, the requests open past their limit, a hotspot with its digest;
// who may not read it and the months and units that are refused.
#include "insight/monthly_report.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>

#include "insight/forecast_service.h"
#include "insight/pdf_render.h"
#include "insight/report_service.h"
#include "insight/series.h"
#include "insight/test_city.h"
#include "storage/testing.h"

namespace xietong::insight {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;

constexpr Timestamp kDec7 = 1'796'608'800'000'000;  // Mon 2026-12-07 10:00 +08:00

class MonthlyReportTest : public TestCity {
 protected:
  MonthlyReportTest() : TestCity(kDec7, {.catalogue = Catalogue::kTwoBranches}) {}

  static void SetUpTestSuite() {
    auto n = text::Normalizer::Open();
    if (n) normalizer_ = *n;
  }
  static void TearDownTestSuite() { normalizer_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(normalizer_);
    ASSERT_NO_FATAL_FAILURE(TestCity::SetUp());
    hotspots_ = std::make_unique<HotspotService>(*requests_);
    builder_ = std::make_unique<MonthlyReportBuilder>(clock_, *requests_, *matters_, *hotspots_,
                                                      normalizer_);
    reports_ =
        std::make_unique<ReportService>(db(), clock_, ids_, *requests_, *matters_, *hotspots_);
    leader_ = As("leader", city_, Role::kLeader);
    handler_ = As("handler_a", street_a_, Role::kHandler);
    lead_b_ = As("lead_b", street_b_, Role::kUnitLead);
    resident_ = As("resident", street_a_, Role::kResident);
    resident_.kind = identity::AccountKind::kResident;
    Import();
  }

  // October: 20 stalls on street A, 10 fumes on street B. November: 30
  // stalls on street A (one market's stalls, a hotspot; 4 still open past
  // their limit, one with a phone number in it), 12 fumes on street B.
  void Import() {
    std::vector<requests::Request> rows;
    int serial = 0;
    auto add = [&](Day day, bool stall, bool late, std::string title, std::string text,
                   requests::Channel channel) {
      const OrgUnit& street = stall ? street_a_ : street_b_;
      const OrgUnit& unit = stall ? street_a_ : env_;
      requests::Request r;
      r.external_id = fmt::format("t:{}", ++serial);
      r.title = std::move(title);
      r.text = std::move(text);
      r.channel = channel;
      r.matter_id = stall ? stalls_ : fumes_;
      r.matter_version = 1;
      r.place.street_id = street.id;
      r.place.district_id = district_.id;
      r.unit_id = unit.id;
      r.unit_path = unit.path;
      r.unit_name = unit.name;
      r.status = requests::Status::kDispatched;
      r.received_at = r.dispatched_at = StartOfDay(day) + 10 * kMicrosPerHour;
      r.finish_due = r.received_at + 7 * kMicrosPerDay;
      r.finish_late = late;
      rows.push_back(std::move(r));
    };
    const Day oct1 = DayOf(1'790'784'000'000'000);  // 2026-10-01 00:00 +08:00
    const Day nov1 = oct1 + 31;
    for (int i = 0; i < 20; ++i)
      add(oct1 + i, true, false, "人行道占道经营", "人行道上有商贩占道经营。",
          requests::Channel::kWeb);
    for (int i = 0; i < 10; ++i)
      add(oct1 + i * 2, false, false, "饭店油烟扰民", "楼下饭店油烟直排。",
          requests::Channel::kWeb);
    const char* variants[] = {"湖畔菜场门口占道摆摊", "湖畔菜场门口摊贩占道经营",
                              "湖畔菜场门口占道摆摊严重"};
    for (int i = 0; i < 30; ++i)
      add(nov1 + i % 28, true, i < 4, variants[i % 3],
          i == 0 ? "每天早上湖畔菜场门口有十几个摊贩占道摆摊，行人过不去，我的电话13812345678。"
                 : "湖畔菜场门口每天早上都有摊贩占道摆摊，电动车和行人都过不去。",
          requests::Channel::kWeb);
    for (int i = 0; i < 12; ++i)
      add(nov1 + i * 2, false, false, "饭店油烟扰民", "楼下饭店油烟直排，窗户都不敢开。",
          requests::Channel::kPhone);
    auto n = requests_->ImportHistory(Principal::System(), std::move(rows));
    ASSERT_TRUE(n) << n.error().message;
  }

  static const Table* FindTable(const ReportDocument& doc, std::string_view title_part) {
    for (const auto& b : doc.blocks)
      if (auto* t = std::get_if<Table>(&b); t && t->title.find(title_part) != std::string::npos)
        return t;
    return nullptr;
  }
  static std::string AllText(const ReportDocument& doc) {
    std::string out;
    for (const auto& b : doc.blocks) {
      if (auto* h = std::get_if<Heading>(&b)) out += h->text + "\n";
      if (auto* p = std::get_if<Paragraph>(&b)) out += p->text + "\n";
      if (auto* f = std::get_if<FigureRow>(&b))
        for (const auto& x : f->figures) out += x.label + " " + x.value + " " + x.change + "\n";
      if (auto* d = std::get_if<Digest>(&b))
        for (const auto& e : d->entries) out += e.heading + " " + e.title + " " + e.excerpt + "\n";
      if (auto* t = std::get_if<Table>(&b))
        for (const auto& row : t->rows)
          for (const auto& c : row) out += c.text + " ";
    }
    return out;
  }

  std::int64_t Count(std::string sql) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql));
      return row ? row->Int(0) : 0;
    });
    return n.value_or(-1);
  }
  std::int64_t Generated() {
    return Count("SELECT COUNT(*) FROM audit_events WHERE action = 'insight.report.generated'");
  }

  static inline std::shared_ptr<const text::Normalizer> normalizer_;
  std::unique_ptr<HotspotService> hotspots_;
  std::unique_ptr<MonthlyReportBuilder> builder_;
  std::unique_ptr<ReportService> reports_;
  Principal leader_, handler_, lead_b_, resident_;
};

TEST_P(MonthlyReportTest, TheCityMonthHasItsFiguresRankingOverdueHotspotAndDigest) {
  auto r = builder_->Build(leader_, {"2026-11", ""});
  ASSERT_TRUE(r) << r.error().message;
  const ReportDocument& doc = r->document;
  ASSERT_TRUE(Validate(doc)) << Validate(doc).error().message;
  EXPECT_EQ(r->facts.received, 42);
  EXPECT_TRUE(r->facts.month_closed);
  EXPECT_EQ(doc.title, "江澜市12345市民服务热线 接诉即办工作月报");
  EXPECT_EQ(doc.period, "2026年11月");
  EXPECT_EQ(doc.scope_name, "全市");
  EXPECT_EQ(doc.data_to, "数据截至 2026-11-30 24:00");
  const std::string text = AllText(doc);
  for (const char* h : {"一、总体情况", "二、诉求分布", "三、考核排名", "四、热点问题",
                        "五、超期与督办", "六、下月预测与资源研判", "七、典型诉求摘要"})
    EXPECT_NE(text.find(h), std::string::npos) << h;
  // 42 against 30: +40.0 %; imported history keeps its channels: the 12 fumes calls by phone.
  EXPECT_NE(text.find("受理量 42件 环比↑40.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("其中电话12件（28.6%）"), std::string::npos) << text;
  EXPECT_NE(text.find("超期未办结 4件"), std::string::npos) << text;
  const Table* streets = FindTable(doc, "街道（乡镇）考核排名");
  ASSERT_NE(streets, nullptr);
  ASSERT_EQ(streets->rows.size(), 1u);  // street B's requests went to the department
  EXPECT_EQ(streets->rows[0][1].text, "望湖街道");
  EXPECT_EQ(streets->rows[0][2].text, "30");
  EXPECT_EQ(streets->rows[0][6].text, "4");
  const Table* departments = FindTable(doc, "部门考核排名");
  ASSERT_NE(departments, nullptr);
  EXPECT_EQ(departments->rows[0][1].text, "市生态环境局");
  const Table* late = FindTable(doc, "超期未办结单位");
  ASSERT_NE(late, nullptr);
  ASSERT_EQ(late->rows.size(), 1u);
  EXPECT_EQ(late->rows[0][0].text, "望湖街道");
  EXPECT_EQ(late->rows[0][1].text, "4");
  const Table* hot = FindTable(doc, "热点问题");
  ASSERT_NE(hot, nullptr);
  ASSERT_GE(hot->rows.size(), 1u);
  EXPECT_NE(hot->rows[0][1].text.find("湖畔菜场"), std::string::npos);
  // The digest quotes the market's residents, without the phone number.
  const Digest* digest = nullptr;
  for (const auto& b : doc.blocks)
    if (auto* d = std::get_if<Digest>(&b)) digest = d;
  ASSERT_NE(digest, nullptr);
  ASSERT_GE(digest->entries.size(), 1u);
  EXPECT_NE(digest->entries[0].excerpt.find("菜场门口"), std::string::npos);
  EXPECT_EQ(text.find("13812345678"), std::string::npos);
  EXPECT_NE(text.find("暂无"), std::string::npos);  // no forecast yet: said, not guessed

  auto pdf = RenderPdf(doc);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_GE(pdf->pages, 3);
  EXPECT_EQ(pdf->bytes.rfind("%PDF-", 0), 0u);
}

TEST_P(MonthlyReportTest, NextMonthComesFromTheLatestForecastRun) {
  ForecastService forecasts(db(), clock_, ids_, *calendar_, *requests_, *matters_, *identity_);
  RunOptions options;
  options.threads = 1;
  auto run = forecasts.Run(options);
  ASSERT_TRUE(run) << run.error().message;
  auto city = forecasts.Find("place:city|cat:all|ch:all", 42);
  ASSERT_TRUE(city) << city.error().message;
  ASSERT_TRUE(city->has_value());
  const Day dec6 = (*city)->run.data_to;  // the last complete day before 12-07 10:00
  double december = 0;                    // 12-01…12-06 counted (none), 12-07…12-31 forecast
  for (const auto& p : (*city)->forecast)
    if (p.day > dec6 && p.day <= dec6 + 25) december += p.value;

  MonthlyReportBuilder with(clock_, *requests_, *matters_, *hotspots_, normalizer_, &forecasts);
  auto r = with.Build(leader_, {"2026-11", ""});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(Validate(r->document)) << Validate(r->document).error().message;
  const std::string text = AllText(r->document);
  EXPECT_EQ(text.find("暂无：尚无"), std::string::npos) << text;
  EXPECT_NE(text.find(fmt::format("2026年12月全市预计受理群众诉求约{}件",
                                  Thousands(std::llround(december)))),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("其中前6天已过，实际受理0件。"), std::string::npos) << text;
  const Chart* chart = nullptr;
  for (const auto& b : r->document.blocks)
    if (auto* c = std::get_if<Chart>(&b); c && c->title.find("2026年12月预测") != std::string::npos)
      chart = c;
  ASSERT_NE(chart, nullptr);
  ASSERT_GT(chart->forecast_from, 0);
  const ChartSeries& s = chart->series.at(0);
  EXPECT_TRUE(std::isnan(s.lo.at(chart->forecast_from - 1)));  // counted: no band
  EXPECT_LE(s.lo.at(chart->forecast_from), s.values.at(chart->forecast_from));
  EXPECT_GE(s.hi.at(chart->forecast_from), s.values.at(chart->forecast_from));

  // A street has its own place series; a report without a forecaster still says 暂无.
  auto street = with.Build(leader_, {"2026-11", street_a_.id});
  ASSERT_TRUE(street) << street.error().message;
  EXPECT_NE(AllText(street->document).find("2026年12月望湖街道预计受理"), std::string::npos);
  auto none = builder_->Build(leader_, {"2026-11", ""});
  ASSERT_TRUE(none);
  EXPECT_NE(AllText(none->document).find("暂无：尚无全市2026年12月的受理量预测"),
            std::string::npos);
}

TEST_P(MonthlyReportTest, AUnitsReportCountsItsSubtreeOnly) {
  auto district = builder_->Build(leader_, {"2026-11", district_.id});
  ASSERT_TRUE(district) << district.error().message;
  EXPECT_EQ(district->facts.received, 42);  // both streets are in the district
  EXPECT_EQ(district->document.scope_name, "临江区");
  auto street = builder_->Build(lead_b_, {"2026-11", street_b_.id});
  ASSERT_TRUE(street) << street.error().message;
  EXPECT_EQ(street->facts.received, 12);
  EXPECT_EQ(street->facts.unit_code, "JL-01-02");
  const std::string text = AllText(street->document);
  EXPECT_EQ(text.find("湖畔菜场"), std::string::npos);  // street A's hotspot is not B's
  EXPECT_NE(text.find("受理量 12件 环比↑20.0%"), std::string::npos) << text;
}

TEST_P(MonthlyReportTest, WhoMayNotAndWhatIsRefused) {
  for (const Principal* p : {&resident_, &handler_}) {
    auto r = builder_->Build(*p, {"2026-11", ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  }
  auto other = builder_->Build(lead_b_, {"2026-11", street_a_.id});  // a neighbour's street
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  auto unknown = builder_->Build(leader_, {"2026-11", "no-such-unit"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  for (const char* month : {"2026-13", "2026-1", "", "2027-01"}) {
    auto r = builder_->Build(leader_, {month, ""});
    ASSERT_FALSE(r) << month;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << month;
  }
}

// ReportService: a closed month is generated once (one row, one audit event
// with its sha256) and then served as stored, refresh or not; the current
// month is served from storage for ten minutes, then or on refresh made
// again; refusals store nothing.
TEST_P(MonthlyReportTest, ServiceStoresAClosedMonthOnceAndServesTheSameBytes) {
  auto first = reports_->Monthly(leader_, "2026-11", district_.id, ReportFormat::kPdf, false);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->from_store);
  EXPECT_EQ(first->bytes.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(first->sha256.size(), 64u);
  EXPECT_GE(first->pages, 3);
  EXPECT_EQ(first->filename, "report-2026-11-JL-01.pdf");
  EXPECT_EQ(first->filename_zh, "接诉即办工作月报-2026年11月-临江区.pdf");
  EXPECT_EQ(Generated(), 1);
  EXPECT_EQ(Count(fmt::format("SELECT COUNT(*) FROM audit_events WHERE payload LIKE '%{}%'",
                              first->sha256)),
            1);
  clock_.Set(kDec7 + kMicrosPerDay);
  auto again = reports_->Monthly(leader_, "2026-11", district_.id, ReportFormat::kPdf, true);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->from_store);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->sha256, first->sha256);
  EXPECT_EQ(again->bytes, first->bytes);
  EXPECT_EQ(Generated(), 1);
  auto list = reports_->List(leader_, "2026-11");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].sha256, first->sha256);
  auto none = reports_->List(lead_b_, "2026-11");  // a street's lead does not see the district's
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(MonthlyReportTest, ServiceRemakesTheCurrentMonthWhenOldOrAsked) {
  auto first = reports_->Monthly(leader_, "2026-12", "", ReportFormat::kXlsx, false);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->bytes.rfind("PK", 0), 0u);
  EXPECT_EQ(first->filename, "report-2026-12.xlsx");
  clock_.Set(kDec7 + 60 * kMicrosPerSecond);
  auto cached = reports_->Monthly(leader_, "2026-12", "", ReportFormat::kXlsx, false);
  ASSERT_TRUE(cached);
  EXPECT_TRUE(cached->from_store);
  auto asked = reports_->Monthly(leader_, "2026-12", "", ReportFormat::kXlsx, true);
  ASSERT_TRUE(asked);
  EXPECT_FALSE(asked->from_store);
  clock_.Set(kDec7 + 12 * 60 * kMicrosPerSecond);
  auto old = reports_->Monthly(leader_, "2026-12", "", ReportFormat::kXlsx, false);
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->from_store);
  EXPECT_EQ(Generated(), 3);
}

TEST_P(MonthlyReportTest, ServiceRefusalsStoreNothing) {
  auto resident = reports_->Monthly(resident_, "2026-11", "", ReportFormat::kPdf, false);
  ASSERT_FALSE(resident);
  EXPECT_EQ(resident.error().code, ErrorCode::kPermissionDenied);
  auto unknown = reports_->Monthly(leader_, "2026-11", "nope", ReportFormat::kPdf, false);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  for (const char* month : {"2026-13", "11-2026", "2027-01"}) {
    auto r = reports_->Monthly(leader_, month, "", ReportFormat::kPdf, false);
    ASSERT_FALSE(r) << month;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << month;
  }
  auto format = ParseReportFormat("docx");
  ASSERT_FALSE(format);
  EXPECT_EQ(format.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM insight_reports"), 0);
  EXPECT_EQ(Generated(), 0);
}

TEST(MonthlyReportMonths, AddMonthsCrossesYears) {
  EXPECT_EQ(AddMonths("2026-11", 1), "2026-12");
  EXPECT_EQ(AddMonths("2026-12", 1), "2027-01");
  EXPECT_EQ(AddMonths("2026-01", -1), "2025-12");
  EXPECT_EQ(AddMonths("2026-11", -12), "2025-11");
}

INSTANTIATE_TEST_SUITE_P(Backends, MonthlyReportTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::insight
