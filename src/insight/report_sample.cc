#include "insight/report_sample.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace xietong::insight {

ReportDocument SampleReport() {
  ReportDocument doc;
  doc.title = "江澜市12345市民服务热线 接诉即办工作月报";
  doc.period = "2026年11月";
  doc.scope_name = "全市";
  doc.author = "江澜市12345市民服务热线中心";
  doc.running_head = "江澜市接诉即办月报 · 2026年11月";
  doc.data_to = "数据截至 2026-11-30 24:00";
  doc.generated_at = 1'796'068'800'000'000;  // 2026-12-01 04:00 Beijing time
  auto& b = doc.blocks;
  const double nan = std::numeric_limits<double>::quiet_NaN();

  // 一、总体情况
  b.push_back(Heading{"一、总体情况"});
  b.push_back(FigureRow{{
      {"受理量", "7,214件", Compared("环比", 0.032), Figure::Tone::kNeutral, 7214},
      {"日均", "240.5件", Compared("同比", 0.087), Figure::Tone::kNeutral, 240.5,
       ValueFormat::kDecimal1},
      {"派单量", "5,106件", Compared("环比", 0.021), Figure::Tone::kNeutral, 5106},
      {"电话占比", "61.3%", "", Figure::Tone::kNeutral, 0.613, ValueFormat::kPercent},
      {"响应率", "95.2%", Compared("环比", 0.004), Figure::Tone::kGood, 0.952,
       ValueFormat::kPercent},
      {"解决率", "83.7%", Compared("环比", -0.012), Figure::Tone::kBad, 0.837,
       ValueFormat::kPercent},
      {"满意率", "88.9%", Compared("环比", 0.006), Figure::Tone::kGood, 0.889,
       ValueFormat::kPercent},
      {"超期件数", "37件", Compared("环比", -0.18), Figure::Tone::kGood, 37},
      {"考核得分", "87.6分", SignedPoints(0.8), Figure::Tone::kGood, 87.6, ValueFormat::kDecimal1},
      {"重复来电", "412件", Compared("环比", 0.05), Figure::Tone::kBad, 412},
  }});
  OverviewFigures f{.month = "2026年11月",
                    .scope = "全市",
                    .received = 7214,
                    .phone = 4422,
                    .dispatched = 5106,
                    .days = 30,
                    .month_on_month = 0.032,
                    .year_on_year = 0.087,
                    .response_rate = 0.952,
                    .resolution_rate = 0.837,
                    .satisfaction_rate = 0.889,
                    .score = 87.6,
                    .score_change = 0.8};
  b.push_back(Paragraph{OverviewParagraph(f).value()});
  {
    Chart trend{.kind = Chart::Kind::kLine,
                .title = "图1  每日受理量（9月—11月）与12月预测（80%区间）",
                .y_unit = "件",
                .forecast_from = 91,
                .height_mm = 62,
                .sheet = "趋势与预测"};
    ChartSeries actual{.name = "受理量"}, forecast{.name = "预测", .band_name = "80%预测区间"};
    for (int d = 0; d < 122; ++d) {
      const int month = d < 30 ? 9 : d < 61 ? 10 : d < 91 ? 11 : 12;
      const int day = d < 30 ? d + 1 : d < 61 ? d - 29 : d < 91 ? d - 60 : d - 90;
      trend.categories.push_back(fmt::format("{:02}-{:02}", month, day));
      const int weekday = (d + 1) % 7;  // 2026-09-01 is a Tuesday
      const double level =
          220 + 0.25 * d + (weekday == 0 || weekday == 6 ? -55 : 12) + 18 * std::sin(d * 0.9);
      if (d < 91) {
        actual.values.push_back(std::round(level));
        forecast.values.push_back(d == 90 ? std::round(level) : nan);
        forecast.lo.push_back(nan);
        forecast.hi.push_back(nan);
      } else {
        const double mean = 220 + 0.25 * d + (weekday == 0 || weekday == 6 ? -55 : 12);
        const double spread = 18 + 0.8 * (d - 91);
        actual.values.push_back(nan);
        forecast.values.push_back(std::round(mean));
        forecast.lo.push_back(std::round(mean - spread));
        forecast.hi.push_back(std::round(mean + spread));
      }
    }
    trend.series = {actual, forecast};
    b.push_back(trend);
  }

  // 二、诉求分布
  b.push_back(Heading{"二、诉求分布"});
  const std::vector<CategoryCount> categories = {{"城乡建设", 1482, 1391}, {"市场监管", 1107, 1150},
                                                 {"环境保护", 964, 802},   {"交通运输", 871, 860},
                                                 {"劳动保障", 653, 700},   {"教育卫生", 588, 540},
                                                 {"住房保障", 512, 498},   {"公共安全", 431, 420},
                                                 {"民政服务", 344, 351},   {"其他", 262, 270}};
  b.push_back(Paragraph{DistributionSentence(categories)});
  {
    Chart bars{.kind = Chart::Kind::kHorizontalBars,
               .title = "图2  一级类别受理量：本月与上月",
               .y_unit = "件",
               .height_mm = 78,
               .sheet = "分类"};
    ChartSeries now{.name = "2026年11月"}, before{.name = "2026年10月"};
    for (const auto& c : categories) {
      bars.categories.push_back(c.name);
      now.values.push_back(static_cast<double>(c.count));
      before.values.push_back(static_cast<double>(c.previous));
    }
    bars.series = {now, before};
    b.push_back(bars);
  }

  // 三、考核排名
  b.push_back(Heading{"三、考核排名"});
  b.push_back(
      FormulaBox{"考核得分计算公式",
                 {"得分 = 100 ×（0.10 × 按时响应率 + 0.45 × 问题解决率 + 0.45 × 群众满意率）",
                  "群众满意率 =（满意 + 0.8 × 基本满意）÷ 参评件数；派单不足20件的单位不参加排名。",
                  "状态：得分不低于目标为绿，低于目标5分以内为黄，其余为红。"}});
  static const char* kStreets[] = {
      "望湖街道", "柳巷街道", "临江街道", "东门街道", "西关街道", "南湖街道",
      "北塔街道", "新港街道", "青山镇",   "白沙镇",   "石桥街道", "滨江街道",
      "文昌街道", "古城街道", "花园街道", "桃源镇",   "梅林街道", "松山街道",
      "金沙街道", "银湖街道", "翠屏街道", "凤凰镇",   "龙泉街道", "五里街道",
      "长安街道", "永和镇",   "太平街道", "高新街道", "湖滨街道", "东湖街道",
      "春江街道", "秋水镇",   "云门街道", "月湾街道", "星河街道", "江澜经济开发区管委会"};
  Table ranking{.title = "表1  街道（乡镇）考核排名",
                .header = {"名次", "单位", "派单", "响应率", "解决率", "满意率", "超期率", "得分",
                           "状态", "较上月"},
                .widths_mm = {10, 34, 14, 15, 15, 15, 14, 13, 12, 14},
                .align = {Align::kCenter, Align::kLeft, Align::kRight, Align::kRight, Align::kRight,
                          Align::kRight, Align::kRight, Align::kRight, Align::kLeft, Align::kRight},
                .note = "注：超期率 = 本月到期未办结件数 ÷ 本月到期件数；目标值 85.0 分。",
                .sheet = "排名-街道"};
  std::vector<RankedUnit> ranked;
  Chart score_bars{.kind = Chart::Kind::kHorizontalBars,
                   .title = "图3  街道（乡镇）考核得分（前12名与后3名）",
                   .y_unit = "分",
                   .format = ValueFormat::kDecimal1,
                   .height_mm = 80,
                   .sheet = "得分"};
  ChartSeries scores{.name = "考核得分"};
  for (int i = 0; i < 36; ++i) {
    const double score = 96.4 - i * 0.62 - (i > 30 ? (i - 30) * 2.1 : 0);
    const double overdue = 0.004 + i * 0.0011 + (i > 32 ? 0.03 : 0);
    const Rag rag = score >= 85 ? Rag::kGreen : score >= 80 ? Rag::kAmber : Rag::kRed;
    const auto dispatched = static_cast<std::int64_t>(60 + (i * 37) % 190);
    ranking.rows.push_back(
        {TextCell(std::to_string(i + 1)), TextCell(kStreets[i], i < 3), CountCell(dispatched),
         RateCell(0.99 - i * 0.0013), RateCell(0.90 - i * 0.0031), RateCell(0.93 - i * 0.0024),
         RateCell(overdue), ScoreCell(score), RagCell(rag),
         ChangeCell(i % 5 == 0 ? std::optional<double>() : (i % 3 - 1) * 0.011)});
    ranked.push_back({kStreets[i], score, overdue});
    if (i < 12 || i >= 33) {
      score_bars.categories.push_back(kStreets[i]);
      scores.values.push_back(std::round(score * 10) / 10);
      scores.colours.push_back(rag);
    }
  }
  score_bars.series = {scores};
  b.push_back(Paragraph{RankingSentence(ranked)});
  b.push_back(ranking);
  b.push_back(score_bars);

  // 四、热点问题
  b.push_back(Heading{"四、热点问题"});
  b.push_back(Paragraph{
      "本月共发现热点5个，集中在望湖街道、临江街道的市容环境和噪声扰民问题，其中“菜场门口占道摆摊”"
      "近30天诉求较前30天增长一倍以上，已转望湖街道城管执法队专项整治。"});
  b.push_back(Table{.title = "表2  热点问题（前5位）",
                    .header = {"标题", "地点", "件数", "近30天/前30天"},
                    .widths_mm = {62, 40, 18, 30},
                    .rows = {{TextCell("菜场门口占道摆摊"), TextCell("望湖街道 湖畔菜场"),
                              CountCell(46), TextCell("38 / 15")},
                             {TextCell("夜间施工噪声扰民"), TextCell("临江街道 滨江花园"),
                              CountCell(31), TextCell("27 / 9")},
                             {TextCell("小区电梯频繁故障"), TextCell("柳巷街道 柳巷小区"),
                              CountCell(24), TextCell("20 / 11")},
                             {TextCell("公交站台缺少遮雨棚"), TextCell("东门街道 东门路口"),
                              CountCell(19), TextCell("16 / 4")},
                             {TextCell("供暖温度不达标"), TextCell("北塔街道 北塔新村"),
                              CountCell(17), TextCell("17 / 0")}}});

  // 五、超期与督办
  b.push_back(Heading{"五、超期与督办"});
  b.push_back(Paragraph{
      "截至月末，全市尚有超期未办结诉求37件，涉及9个单位，较上月减少8件；其中江澜经济开发区管委会"
      "超期率最高，最久超期21天，已列入下月重点督办。"});
  b.push_back(Table{
      .title = "表3  超期未办结单位",
      .header = {"单位", "超期件数", "超期率", "最久超期天数"},
      .rows = {{TextCell("江澜经济开发区管委会"), CountCell(9), RateCell(0.071), TextCell("21")},
               {TextCell("星河街道"), CountCell(6), RateCell(0.052), TextCell("12")},
               {TextCell("市住房和城乡建设局"), CountCell(5), RateCell(0.018), TextCell("9")},
               {TextCell("月湾街道"), CountCell(4), RateCell(0.041), TextCell("7")}}});

  // 六、下月预测与资源研判
  b.push_back(Heading{"六、下月预测与资源研判"});
  b.push_back(
      Paragraph{"按现有人员和办理能力测算，星河街道自下月第2周起积压将超过60件，可能新增超期14件，"
                "建议增派人员或"
                "协调分流。12月预计受理7,480件（80%区间7,050—7,930件），热线高峰时段需坐席18个。"});
  {
    Chart next{.kind = Chart::Kind::kBars,
               .title = "图4  12月各类别预测受理量（竖线为80%区间）",
               .y_unit = "件",
               .height_mm = 66,
               .sheet = "预测"};
    ChartSeries s{.name = "12月预测"};
    for (const auto& c : categories) {
      next.categories.push_back(c.name);
      const double m = std::round(static_cast<double>(c.count) * 1.04);
      s.values.push_back(m);
      s.lo.push_back(std::round(m * 0.9));
      s.hi.push_back(std::round(m * 1.11));
    }
    next.series = {s};
    b.push_back(next);
  }

  // 七、典型诉求摘要
  b.push_back(Heading{"七、典型诉求摘要"});
  b.push_back(Digest{{
      {"城乡建设·望湖街道", "菜场门口占道摆摊",
       "每天早上菜场门口有十几个摊贩占道经营，电动车和行人都过不去，"
       "垃圾也没人清扫……",
       12},
      {"环境保护·临江街道", "夜间施工噪声扰民",
       "滨江花园旁边工地晚上十一点以后还在打桩，老人孩子都睡不着，"
       "希望尽快处理。",
       9},
      {"住房保障·柳巷街道", "小区电梯频繁故障",
       "柳巷小区3号楼电梯一个月坏了四次，住在高层的老人只能爬楼，"
       "物业说在等配件。",
       7},
      {"交通运输·东门街道", "公交站台缺少遮雨棚",
       "东门路口公交站没有遮雨棚，下雨天等车的人只能站在雨里，"
       "建议加装。",
       5},
  }});

  // 附：指标口径
  b.push_back(Heading{"附：指标口径"});
  b.push_back(
      Note{"按时响应率 = 按时签收件数 ÷ 派单件数；问题解决率 = 已解决件数 ÷ 参评件数；群众满意率 "
           "=（满意 + "
           "0.8 × 基本满意）÷ 参评件数。"});
  b.push_back(Note{
      "数据来源：江澜市12345市民服务热线接诉即办平台。预测方法：按类别与日期类型（工作日、休息日、"
      "节假日）分别建模，以滚动回测选择误差最小的模型，区间为回测误差的经验分位数。"});
  return doc;
}

}  // namespace xietong::insight
