#include "insight/report_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "insight/chart_draw.h"
#include "insight/report_sample.h"

namespace xietong::insight {
namespace {

TEST(ReportNumbers, ThousandsAndAmountsAsAChineseReaderTakesThemIn) {
  EXPECT_EQ(Thousands(0), "0");
  EXPECT_EQ(Thousands(999), "999");
  EXPECT_EQ(Thousands(7214), "7,214");
  EXPECT_EQ(Thousands(1234567), "1,234,567");
  EXPECT_EQ(Thousands(-1234), "-1,234");
  EXPECT_EQ(Thousands(std::numeric_limits<std::int64_t>::min()), "-9,223,372,036,854,775,808");
  EXPECT_EQ(Amount(99'999), "99,999");
  EXPECT_EQ(Amount(123'456), "12.35万");
  EXPECT_EQ(Amount(120'000), "12万");
  EXPECT_EQ(Amount(250'000'000), "2.5亿");
  EXPECT_EQ(Amount(-150'000), "-15万");
}

TEST(ReportNumbers, PercentsChangesAndArrows) {
  EXPECT_EQ(Percent(0.952), "95.2%");
  EXPECT_EQ(Percent(0.95249, 2), "95.25%");
  EXPECT_EQ(Percent(1.0, 0), "100%");
  EXPECT_EQ(Percent(std::nullopt), "—");
  EXPECT_EQ(SignedPercent(0.032), "+3.2%");
  EXPECT_EQ(SignedPercent(-0.015), "-1.5%");
  EXPECT_EQ(SignedPercent(-0.00001), "+0.0%");
  EXPECT_EQ(SignedPercent(std::nullopt), "—");
  ASSERT_TRUE(Change(103, 100));
  EXPECT_NEAR(*Change(103, 100), 0.03, 1e-12);
  EXPECT_FALSE(Change(5, 0));  // no base, no ratio (not +inf%)
  EXPECT_EQ(ChangeArrow(0.032), "↑3.2%");
  EXPECT_EQ(ChangeArrow(-0.18), "↓18.0%");
  EXPECT_EQ(ChangeArrow(0.0001), "持平");
  EXPECT_EQ(ChangeArrow(std::nullopt), "—");
  EXPECT_EQ(Compared("环比", 0.032), "环比↑3.2%");
  EXPECT_EQ(Compared("同比", -0.015), "同比↓1.5%");
  EXPECT_EQ(ChangeWords(0.032), "增长3.2%");
  EXPECT_EQ(ChangeWords(-0.015), "下降1.5%");
  EXPECT_EQ(ChangeWords(std::nullopt), "无可比数据");
  EXPECT_EQ(SignedPoints(0.8), "+0.8分");
  EXPECT_EQ(SignedPoints(-1.25), "-1.2分");
  EXPECT_EQ(SignedPoints(0.01), "持平");
  EXPECT_EQ(FormatValue(std::nan(""), ValueFormat::kCount), "—");
  EXPECT_EQ(FormatValue(1234.4, ValueFormat::kCount), "1,234");
  EXPECT_EQ(FormatValue(0.8891, ValueFormat::kPercent), "88.9%");
}

TEST(ReportNumbers, CellsCarryTheSameNumberForTheSpreadsheet) {
  const Cell c = CountCell(5106);
  EXPECT_EQ(c.text, "5,106");
  EXPECT_EQ(c.number, 5106);
  EXPECT_EQ(c.number_format, "#,##0");
  const Cell r = RateCell(0.952);
  EXPECT_EQ(r.text, "95.2%");
  EXPECT_EQ(r.number, 0.952);
  EXPECT_EQ(r.number_format, "0.0%");
  EXPECT_EQ(RateCell(std::nullopt).text, "—");
  EXPECT_FALSE(RateCell(std::nullopt).number);
  EXPECT_EQ(RagCell(Rag::kRed).text, "红");
  EXPECT_EQ(RagCell(Rag::kRed).rag, Rag::kRed);
  EXPECT_EQ(ChangeCell(-0.011).text, "↓1.1%");
}

TEST(ReportWords, NumeralsListsMonthsAndBeijingTime) {
  EXPECT_EQ(SectionNumeral(1), "一");
  EXPECT_EQ(SectionNumeral(7), "七");
  EXPECT_EQ(SectionNumeral(10), "十");
  EXPECT_EQ(SectionNumeral(12), "十二");
  EXPECT_EQ(SectionNumeral(20), "二十");
  EXPECT_EQ(SectionNumeral(34), "三十四");
  EXPECT_EQ(ListWords({}), "");
  EXPECT_EQ(ListWords({"望湖街道"}), "望湖街道");
  EXPECT_EQ(ListWords({"望湖街道", "柳巷街道"}), "望湖街道和柳巷街道");
  EXPECT_EQ(ListWords({"甲", "乙", "丙"}), "甲、乙和丙");
  EXPECT_EQ(ChineseMonth("2026-11").value(), "2026年11月");
  EXPECT_EQ(ChineseMonth("2026-01").value(), "2026年1月");
  for (const char* bad : {"2026-13", "2026-00", "2026/11", "26-11", "2026-1", "abcd-ef"}) {
    auto m = ChineseMonth(bad);
    ASSERT_FALSE(m) << bad;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  }
  // 2026-11-30 20:00 UTC is 2026-12-01 04:00 in Beijing.
  EXPECT_EQ(BeijingDateTime(1'796'068'800'000'000), "2026-12-01 04:00");
  EXPECT_EQ(BeijingIso8601(1'796'068'800'000'000), "2026-12-01T04:00:00+08:00");
}

TEST(ReportTemplates, FillNamesTheMissingBlankInsteadOfPrintingHalfASentence) {
  EXPECT_EQ(FillTemplate("{a}受理{n}件{{注}}", {{"a", "全市"}, {"n", "7,214"}}).value(),
            "全市受理7,214件{注}");
  auto missing = FillTemplate("共{n}件，日均{avg}件", {{"n", "1"}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("{avg}"), std::string::npos);
  EXPECT_FALSE(FillTemplate("共{n件", {{"n", "1"}}));
  EXPECT_FALSE(FillTemplate("共n}件", {{"n", "1"}}));
}

TEST(ReportTemplates, OverviewParagraphReadsLikeThePlan) {
  OverviewFigures f{.month = "2026年11月",
                    .scope = "全市",
                    .received = 7214,
                    .phone = 4422,
                    .dispatched = 5106,
                    .days = 30,
                    .month_on_month = 0.032,
                    .year_on_year = -0.015,
                    .response_rate = 0.952,
                    .resolution_rate = 0.837,
                    .satisfaction_rate = 0.889,
                    .score = 87.6,
                    .score_change = 0.8};
  EXPECT_EQ(OverviewParagraph(f).value(),
            "2026年11月，全市共受理群众诉求7,214件，日均240件，环比增长3.2%，同比下降1.5%；"
            "其中电话4,422件（61.3%）。派单5,106件，按时响应率95.2%，问题解决率83.7%，"
            "群众满意率88.9%，考核得分87.6分，较上月+0.8分。");
  // A first month: nothing to compare, no score yet — said, not left blank.
  OverviewFigures first{.month = "2026年1月", .scope = "临江区", .received = 12, .days = 31};
  EXPECT_EQ(OverviewParagraph(first).value(),
            "2026年1月，临江区共受理群众诉求12件，日均0.4件，环比无可比数据，同比无可比数据；"
            "其中电话0件（0.0%）。派单0件，按时响应率—，问题解决率—，群众满意率—，考核得分暂无，"
            "较上月无可比数据。");
}

TEST(ReportTemplates, DistributionAndRankingSentences) {
  EXPECT_EQ(DistributionSentence({{"城乡建设", 1482, 1391},
                                  {"市场监管", 1107, 1150},
                                  {"环境保护", 964, 802},
                                  {"新类别", 40, 2}}),
            "受理量居前三位的类别是城乡建设（1,482件）、市场监管（1,107件）和环境保护（964件）；"
            "增长最快的是环境保护（+20.2%）。");
  EXPECT_EQ(DistributionSentence({}), "本月无诉求。");
  std::vector<RankedUnit> ranking;
  for (int i = 0; i < 7; ++i) {
    ranking.push_back({"单位" + std::to_string(i + 1), 90.0 - i, 0.01 * i});
  }
  EXPECT_EQ(RankingSentence(ranking),
            "排名前三：单位1、单位2和单位3；排名后三位：单位5、单位6和单位7，"
            "其中单位7超期率6.0%，需重点督办。");
  ranking.resize(4);
  EXPECT_EQ(RankingSentence(ranking),
            "排名前三：单位1、单位2和单位3；排名后一位：单位4，"
            "其中单位4超期率3.0%，需重点督办。");
}

TEST(ReportSheets, NamesFitExcelAndStayUnique) {
  std::vector<std::string> taken = {"概况"};
  EXPECT_EQ(SheetName("排名-街道", taken), "排名-街道");
  EXPECT_EQ(SheetName("排名-街道", taken), "排名-街道（2）");
  EXPECT_EQ(SheetName("a/b:c[d]*?", taken), "abcd");
  EXPECT_EQ(SheetName("", taken), "表");
  const std::string long_name = "表1  街道（乡镇）考核排名与各项指标明细及较上月变化情况一览";
  const std::string name = SheetName(long_name, taken);
  EXPECT_LE(name.size(), 31u * 3);
  EXPECT_EQ(name.rfind("表1  街道（乡镇）", 0), 0u);
  const std::string again = SheetName(long_name, taken);
  EXPECT_NE(again, name);
  EXPECT_NE(again.find("（2）"), std::string::npos);
}

TEST(ReportValidate, ShapesThatWouldDrawNonsenseAreRefused) {
  ReportDocument ok = SampleReport();
  EXPECT_TRUE(Validate(ok));

  ReportDocument row = ok;
  row.blocks.push_back(Table{.title = "坏表", .header = {"a", "b"}, .rows = {{TextCell("1")}}});
  auto r = Validate(row);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("坏表"), std::string::npos);
  EXPECT_NE(r.error().message.find("row 1 has 1 cells for 2 columns"), std::string::npos);

  ReportDocument widths = ok;
  widths.blocks.push_back(Table{.header = {"a", "b"}, .widths_mm = {10}});
  EXPECT_FALSE(Validate(widths));

  ReportDocument series = ok;
  series.blocks.push_back(
      Chart{.title = "坏图", .categories = {"x", "y"}, .series = {{.name = "s", .values = {1}}}});
  EXPECT_FALSE(Validate(series));

  ReportDocument band = ok;
  band.blocks.push_back(Chart{
      .title = "半边", .categories = {"x"}, .series = {{.name = "s", .values = {1}, .lo = {0}}}});
  EXPECT_FALSE(Validate(band));

  ReportDocument inf = ok;
  inf.blocks.push_back(
      Chart{.categories = {"x"},
            .series = {{.name = "s", .values = {std::numeric_limits<double>::infinity()}}}});
  EXPECT_FALSE(Validate(inf));

  ReportDocument level = ok;
  level.blocks.push_back(Heading{"三级", 3});
  EXPECT_FALSE(Validate(level));
}

TEST(ChartAxis, NiceTicksCoverTheDataInOneTwoFiveSteps) {
  const Axis a = NiceAxis(0, 287);
  EXPECT_EQ(a.min, 0);
  EXPECT_GE(a.max, 287);
  EXPECT_EQ(a.step, 100);
  EXPECT_EQ(a.ticks, (std::vector<double>{0, 100, 200, 300}));
  const Axis b = NiceAxis(12, 1482);  // counts start at zero
  EXPECT_EQ(b.min, 0);
  EXPECT_EQ(b.step, 500);
  EXPECT_EQ(b.max, 1500);
  const Axis c = NiceAxis(-0.18, 0.09);  // changes below zero
  EXPECT_LE(c.min, -0.18);
  EXPECT_GE(c.max, 0.09);
  EXPECT_NEAR(c.step, 0.05, 1e-12);
  EXPECT_TRUE(std::find(c.ticks.begin(), c.ticks.end(), 0.0) != c.ticks.end());
  const Axis d = NiceAxis(0, 0);  // an empty month still gets an axis
  EXPECT_GT(d.max, d.min);
  const Axis e = NiceAxis(0, std::nan(""));
  EXPECT_GT(e.max, e.min);
  for (double x : {0.7, 1.0, 1.4, 2.6, 4.9, 7.5, 31.0, 0.032}) {
    const double n = NiceNumber(x, false);
    EXPECT_GE(n, x);
    const double mantissa = n / std::pow(10.0, std::floor(std::log10(n)));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
                std::abs(mantissa - 5) < 1e-9)
        << x << " → " << n;
  }
}

}  // namespace
}  // namespace xietong::insight
