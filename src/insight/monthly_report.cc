#include "insight/monthly_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "requests/request.h"
#include "text/digest.h"

namespace xietong::insight {
namespace {

using identity::OrgUnit;
using identity::UnitKind;

constexpr std::int64_t kBeijingOffset = 8 * 3600 * kMicrosPerSecond;
constexpr int kTopStreets = 10;
constexpr int kTopHotspots = 5;
constexpr int kDigestHotspots = 4;
constexpr int kMaxDigestInput = 2000;
constexpr int kMaxForecastHorizon = 42;  // what a run forecasts (RunOptions::horizon)

std::string DayLabel(std::int32_t day, bool with_year = false) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  if (with_year)
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return fmt::format("{:02}-{:02}", static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::int32_t DayOfInstant(Timestamp t) {
  return static_cast<std::int32_t>((t + kBeijingOffset) / kMicrosPerDay);
}

Figure::Tone ToneOf(std::optional<double> change, bool higher_is_better) {
  if (!change || std::abs(*change) < 0.0005) return Figure::Tone::kNeutral;
  return (*change > 0) == higher_is_better ? Figure::Tone::kGood : Figure::Tone::kBad;
}

std::optional<double> Delta(std::optional<double> now, std::optional<double> before) {
  if (!now || !before) return std::nullopt;
  return *now - *before;
}

struct Scope {
  std::string path;  // "" = the city
  const OrgUnit* unit = nullptr;
  std::shared_ptr<const requests::Directory> dir;
  std::unordered_map<std::string, bool> memo;

  bool Contains(const std::string& unit_id) {
    if (path.empty()) return true;
    if (unit_id.empty()) return false;
    auto [it, fresh] = memo.try_emplace(unit_id, false);
    if (fresh) {
      const OrgUnit* u = dir->Find(unit_id);
      it->second = u && u->path.starts_with(path);
    }
    return it->second;
  }
  bool Holds(const requests::DailyCount& c) {
    return Contains(c.unit_id) || Contains(c.street_id) || Contains(c.district_id);
  }
  std::string Name(const std::string& id) const {
    const OrgUnit* u = dir->Find(id);
    return u ? u->name : id;
  }
};

// Received requests of a period in the scope, as the report counts them.
struct Counts {
  std::int64_t total = 0, phone = 0, merged = 0;
  std::map<std::int32_t, std::int64_t> by_day;
  std::map<std::int32_t, std::int64_t> unmerged_by_day;  // as the forecast counts them
  std::map<std::string, std::int64_t> by_category;       // level-1 name
  std::map<std::string, std::int64_t> by_street;         // street id
};

Counts Tally(const std::vector<requests::DailyCount>& rows, std::int32_t from_day,
             std::int32_t to_day, Scope& scope, const matters::Catalog& catalog) {
  Counts c;
  std::unordered_map<std::string, std::string> level1;
  auto category = [&](const std::string& id) -> const std::string& {
    auto [it, fresh] = level1.try_emplace(id, "未分类");
    if (fresh && !id.empty()) {
      const matters::Matter* m = catalog.Find(id);
      while (m && m->parent_id) m = catalog.Find(*m->parent_id);
      if (m) it->second = m->name;
    }
    return it->second;
  };
  for (const auto& r : rows) {
    if (r.day < from_day || r.day >= to_day || !scope.Holds(r)) continue;
    c.total += r.n;
    if (r.channel == requests::Channel::kPhone) c.phone += r.n;
    if (r.merged) c.merged += r.n;
    c.by_day[r.day] += r.n;
    if (!r.merged) c.unmerged_by_day[r.day] += r.n;
    c.by_category[category(r.matter_id)] += r.n;
    if (!r.street_id.empty()) c.by_street[r.street_id] += r.n;
  }
  return c;
}

std::string Plain(double v) { return FormatValue(v, ValueFormat::kDecimal1); }

// The forecast series of a report's scope (forecast_service.cc's keys): the city's, a
// district's or a street's place series per category; a department's own series (all
// categories only); "" when the scope has none (communities, grids, organisations).
std::string ScopeSeriesKey(const OrgUnit* unit, std::string_view category_id) {
  const std::string cat = category_id.empty() ? "all" : std::string(category_id);
  if (!unit || unit->kind == UnitKind::kCity) return fmt::format("place:city|cat:{}|ch:all", cat);
  switch (unit->kind) {
    case UnitKind::kDistrict:
    case UnitKind::kStreet:
    case UnitKind::kTownship:
      return fmt::format("place:{}|cat:{}|ch:all", unit->id, cat);
    case UnitKind::kDepartment:
    case UnitKind::kCentre:
      return category_id.empty() ? fmt::format("unit:{}|cat:all|ch:all", unit->id) : "";
    default:
      return "";
  }
}

// Next month as the latest run sees it: days up to the run's last complete day are counted,
// later days forecast; days past the forecast's horizon are left out (counted in `missing`).
// The interval is the sum of the days' 80 % intervals: wider than the month total's own
// interval when daily errors are independent, about right when they move together.
struct MonthOutlook {
  double value = 0, lo80 = 0, hi80 = 0;
  std::int64_t observed = 0;
  int observed_days = 0, forecast_days = 0, missing = 0;
  std::int32_t forecast_to = 0;  // the last forecast day used
};

MonthOutlook Outlook(const SeriesForecast& f, std::int32_t from, std::int32_t to,
                     const std::map<std::int32_t, std::int64_t>& observed) {
  MonthOutlook o;
  std::unordered_map<std::int32_t, const ForecastPoint*> at;
  for (const auto& p : f.forecast) at.emplace(p.day, &p);
  for (std::int32_t d = from; d < to; ++d) {
    if (d <= f.run.data_to) {
      auto it = observed.find(d);
      const std::int64_t n = it == observed.end() ? 0 : it->second;
      o.observed += n;
      ++o.observed_days;
      o.value += static_cast<double>(n);
      o.lo80 += static_cast<double>(n);
      o.hi80 += static_cast<double>(n);
    } else if (auto it = at.find(d); it != at.end()) {
      ++o.forecast_days;
      o.forecast_to = d;
      o.value += it->second->value;
      o.lo80 += it->second->lo80;
      o.hi80 += it->second->hi80;
    } else {
      ++o.missing;
    }
  }
  return o;
}

// Of the forecast days of [from, to): the mean daily forecast and 80 % bounds, or nullopt
// when none.
std::optional<ForecastPoint> ForecastDailyMean(const SeriesForecast& f, std::int32_t from,
                                               std::int32_t to) {
  ForecastPoint sum;
  int n = 0;
  for (const auto& p : f.forecast)
    if (p.day >= from && p.day < to && p.day > f.run.data_to)
      sum.value += p.value, sum.lo80 += p.lo80, sum.hi80 += p.hi80, ++n;
  if (n == 0) return std::nullopt;
  return ForecastPoint{.value = sum.value / n, .lo80 = sum.lo80 / n, .hi80 = sum.hi80 / n};
}

}  // namespace

std::string AddMonths(std::string_view yyyy_mm, int n) {
  const int y = std::stoi(std::string(yyyy_mm.substr(0, 4)));
  const int m = std::stoi(std::string(yyyy_mm.substr(5, 2)));
  int index = y * 12 + (m - 1) + n;
  return fmt::format("{:04}-{:02}", index / 12, index % 12 + 1);
}

Result<MonthlyReport> MonthlyReportBuilder::Build(const identity::Principal& actor,
                                                  const MonthlyReportRequest& in) {
  XT_ASSIGN_OR_RETURN(const auto span, requests::MonthSpan(in.month, "month"));
  const Timestamp now = clock_.Now();
  if (span.first > now)
    return Fail(Error::InvalidArgument(fmt::format("month {} has not begun", in.month))
                    .About("month", "future"));
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  Scope scope;
  scope.dir = dir;
  if (!in.unit_id.empty()) {
    scope.unit = dir->Find(in.unit_id);
    if (!scope.unit)
      return Fail(Error::NotFound(fmt::format("unit {} does not exist", in.unit_id)).About("unit"));
  }
  XT_ASSIGN_OR_RETURN(scope.path, requests_.FiguresPath(actor, in.unit_id));
  XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());

  const std::string city = std::string(dir->CityName());
  const std::string scope_name = scope.unit ? scope.unit->name : "全市";
  XT_ASSIGN_OR_RETURN(const std::string month_zh, ChineseMonth(in.month));
  const std::string prev_month = AddMonths(in.month, -1);
  const std::string year_ago = AddMonths(in.month, -12);
  XT_ASSIGN_OR_RETURN(const std::string prev_zh, ChineseMonth(prev_month));
  XT_ASSIGN_OR_RETURN(const auto prev_span, requests::MonthSpan(prev_month));
  XT_ASSIGN_OR_RETURN(const auto chart_span, requests::MonthSpan(AddMonths(in.month, -2)));
  XT_ASSIGN_OR_RETURN(const auto year_span, requests::MonthSpan(year_ago));
  const bool closed = span.second <= now;
  const Timestamp data_to = std::min(span.second, now);
  const std::int32_t day0 = DayOfInstant(span.first), day_end = DayOfInstant(span.second);
  const int days = std::max(1, DayOfInstant(data_to - 1) - day0 + 1);

  // --- figures ---
  XT_ASSIGN_OR_RETURN(auto recent, requests_.DailyCounts(chart_span.first, span.second));
  XT_ASSIGN_OR_RETURN(auto last_year, requests_.DailyCounts(year_span.first, year_span.second));
  const Counts cur = Tally(recent, day0, day_end, scope, *catalog);
  const Counts prev =
      Tally(recent, DayOfInstant(prev_span.first), DayOfInstant(prev_span.second), scope, *catalog);
  const Counts year = Tally(last_year, DayOfInstant(year_span.first),
                            DayOfInstant(year_span.second), scope, *catalog);
  const Counts chart = Tally(recent, DayOfInstant(chart_span.first), day_end, scope, *catalog);

  XT_ASSIGN_OR_RETURN(auto trend, requests_.Trend(actor, {prev_month, in.month, in.unit_id}));
  const requests::rates::UnitRates* rates_now = trend.size() == 2 ? &trend[1].second : nullptr;
  const requests::rates::UnitRates* rates_prev = trend.size() == 2 ? &trend[0].second : nullptr;
  XT_ASSIGN_OR_RETURN(auto streets,
                      requests_.Ranking(actor, {in.month, in.month, "street", in.unit_id, {}}));
  XT_ASSIGN_OR_RETURN(auto departments,
                      requests_.Ranking(actor, {in.month, in.month, "department", in.unit_id, {}}));
  XT_ASSIGN_OR_RETURN(auto streets_prev,
                      requests_.Ranking(actor, {prev_month, prev_month, "", in.unit_id, {}}));
  std::unordered_map<std::string, double> prev_score;
  for (const auto& r : streets_prev) prev_score[r.rates.unit_id] = r.rates.score;
  std::unordered_map<std::string, std::int64_t> dispatched_of;
  for (const auto* list : {&streets, &departments})
    for (const auto& r : *list) dispatched_of[r.rates.unit_id] = r.rates.counters.dispatched;

  XT_ASSIGN_OR_RETURN(auto late_rows, requests_.OpenLateByUnit(in.month));
  std::vector<requests::UnitCount> late;
  std::int64_t late_total = 0;
  for (auto& r : late_rows)
    if (scope.Contains(r.unit_id) && r.n > 0) {
      late_total += r.n;
      late.push_back(std::move(r));
    }
  std::sort(late.begin(), late.end(), [](const auto& x, const auto& y) {
    return x.n != y.n ? x.n > y.n : x.unit_id < y.unit_id;
  });
  XT_ASSIGN_OR_RETURN(auto late_prev_rows, requests_.OpenLateByUnit(prev_month));
  std::int64_t late_prev = 0;
  for (const auto& r : late_prev_rows)
    if (scope.Contains(r.unit_id)) late_prev += r.n;

  HotspotRequest hq;
  hq.from = span.first;
  hq.to = data_to;
  hq.unit_id = in.unit_id;
  hq.limit = kTopHotspots;
  XT_ASSIGN_OR_RETURN(auto hot, hotspots_.Hotspots(actor, hq));

  // --- the document ---
  MonthlyReport out;
  ReportDocument& doc = out.document;
  doc.title = city + "12345市民服务热线 接诉即办工作月报";
  doc.period = month_zh;
  doc.scope_name = scope.unit ? scope.unit->name : "全市";
  const OrgUnit* centre = dir->Centre();
  doc.author = centre ? centre->name : city + "12345市民服务热线中心";
  doc.running_head = fmt::format("{}接诉即办月报 · {}{}", city, month_zh,
                                 scope.unit ? " · " + scope.unit->name : "");
  doc.data_to = closed ? fmt::format("数据截至 {} 24:00", DayLabel(day_end - 1, true))
                       : fmt::format("数据截至 {}（本月尚未结束）", BeijingDateTime(now));
  doc.generated_at = now;
  out.facts = {scope_name, scope.unit ? scope.unit->code : "", cur.total, closed};
  auto& b = doc.blocks;
  int section = 0, table_no = 0, chart_no = 0;
  auto heading = [&](std::string_view text) {
    b.push_back(Heading{fmt::format("{}、{}", SectionNumeral(++section), text)});
  };

  // 一、总体情况
  heading("总体情况");
  const std::optional<double> mom = Change(static_cast<double>(cur.total), prev.total);
  const std::optional<double> yoy = Change(static_cast<double>(cur.total), year.total);
  const std::int64_t dispatched = rates_now ? rates_now->counters.dispatched : 0;
  const std::optional<double> score =
      rates_now && rates_now->counters.dispatched + rates_now->counters.rated > 0
          ? std::optional<double>(rates_now->score)
          : std::nullopt;
  const std::optional<double> score_prev =
      rates_prev && rates_prev->counters.dispatched + rates_prev->counters.rated > 0
          ? std::optional<double>(rates_prev->score)
          : std::nullopt;
  auto rate_figure = [&](std::string label, std::optional<double> now_rate,
                         std::optional<double> prev_rate) {
    const auto d = Delta(now_rate, prev_rate);
    return Figure{
        std::move(label), Percent(now_rate), d ? fmt::format("环比{:+.1f}个百分点", *d * 100) : "",
        ToneOf(d, true),  now_rate,          ValueFormat::kPercent};
  };
  const double daily = static_cast<double>(cur.total) / days;
  b.push_back(FigureRow{{
      {"受理量", Thousands(cur.total) + "件", Compared("环比", mom), Figure::Tone::kNeutral,
       static_cast<double>(cur.total)},
      {"日均", Plain(daily) + "件", Compared("同比", yoy), Figure::Tone::kNeutral, daily,
       ValueFormat::kDecimal1},
      {"派单量", Thousands(dispatched) + "件",
       Compared("环比", rates_prev ? Change(static_cast<double>(dispatched),
                                            static_cast<double>(rates_prev->counters.dispatched))
                                   : std::nullopt),
       Figure::Tone::kNeutral, static_cast<double>(dispatched)},
      {"电话占比",
       Percent(cur.total ? std::optional<double>(double(cur.phone) / cur.total) : std::nullopt), "",
       Figure::Tone::kNeutral,
       cur.total ? std::optional<double>(double(cur.phone) / cur.total) : std::nullopt,
       ValueFormat::kPercent},
      rate_figure("响应率", rates_now ? rates_now->response_rate : std::nullopt,
                  rates_prev ? rates_prev->response_rate : std::nullopt),
      rate_figure("解决率", rates_now ? rates_now->resolution_rate : std::nullopt,
                  rates_prev ? rates_prev->resolution_rate : std::nullopt),
      rate_figure("满意率", rates_now ? rates_now->satisfaction_rate : std::nullopt,
                  rates_prev ? rates_prev->satisfaction_rate : std::nullopt),
      {"超期未办结", Thousands(late_total) + "件",
       Compared("环比", Change(static_cast<double>(late_total), static_cast<double>(late_prev))),
       ToneOf(Change(static_cast<double>(late_total), static_cast<double>(late_prev)), false),
       static_cast<double>(late_total)},
      {"考核得分", score ? Plain(*score) + "分" : "—",
       score ? SignedPoints(Delta(score, score_prev)) : "", ToneOf(Delta(score, score_prev), true),
       score, ValueFormat::kDecimal1},
      {"重复来电", Thousands(cur.merged) + "件",
       Compared("环比", Change(static_cast<double>(cur.merged), static_cast<double>(prev.merged))),
       ToneOf(Change(static_cast<double>(cur.merged), static_cast<double>(prev.merged)), false),
       static_cast<double>(cur.merged)},
  }});
  OverviewFigures f{.month = month_zh,
                    .scope = scope_name,
                    .received = cur.total,
                    .phone = cur.phone,
                    .dispatched = dispatched,
                    .days = days,
                    .month_on_month = mom,
                    .year_on_year = yoy,
                    .response_rate = rates_now ? rates_now->response_rate : std::nullopt,
                    .resolution_rate = rates_now ? rates_now->resolution_rate : std::nullopt,
                    .satisfaction_rate = rates_now ? rates_now->satisfaction_rate : std::nullopt,
                    .score = score,
                    .score_change = Delta(score, score_prev)};
  XT_ASSIGN_OR_RETURN(std::string overview, OverviewParagraph(f));
  b.push_back(Paragraph{std::move(overview)});
  {
    Chart line{.kind = Chart::Kind::kLine,
               .title = fmt::format("图{}  每日受理量（{}—{}）", ++chart_no,
                                    ChineseMonth(AddMonths(in.month, -2)).value_or(""), month_zh),
               .y_unit = "件",
               .height_mm = 62,
               .sheet = "每日受理"};
    ChartSeries s{.name = "受理量"};
    const std::int32_t last = closed ? day_end : DayOfInstant(now) + 1;
    for (std::int32_t d = DayOfInstant(chart_span.first); d < last; ++d) {
      line.categories.push_back(DayLabel(d));
      auto it = chart.by_day.find(d);
      s.values.push_back(it == chart.by_day.end() ? 0.0 : static_cast<double>(it->second));
    }
    line.series = {s};
    if (!line.categories.empty()) b.push_back(line);
  }

  // 二、诉求分布
  heading("诉求分布");
  std::vector<CategoryCount> categories;
  for (const auto& [name, n] : cur.by_category) {
    auto it = prev.by_category.find(name);
    categories.push_back({name, n, it == prev.by_category.end() ? 0 : it->second});
  }
  std::sort(categories.begin(), categories.end(), [](const auto& x, const auto& y) {
    return x.count != y.count ? x.count > y.count : x.name < y.name;
  });
  if (categories.empty()) {
    b.push_back(Paragraph{fmt::format("{}，{}未受理群众诉求。", month_zh, scope_name)});
  } else {
    b.push_back(Paragraph{DistributionSentence(categories)});
    Chart bars{.kind = Chart::Kind::kHorizontalBars,
               .title = fmt::format("图{}  一级类别受理量：本月与上月", ++chart_no),
               .y_unit = "件",
               .height_mm = std::clamp(20.0 + 7.0 * categories.size(), 50.0, 90.0),
               .sheet = "分类"};
    ChartSeries now_s{.name = month_zh}, before{.name = prev_zh};
    for (const auto& c : categories) {
      bars.categories.push_back(c.name);
      now_s.values.push_back(static_cast<double>(c.count));
      before.values.push_back(static_cast<double>(c.previous));
    }
    bars.series = {now_s, before};
    b.push_back(bars);
  }
  {
    std::vector<std::pair<std::string, std::int64_t>> top(cur.by_street.begin(),
                                                          cur.by_street.end());
    std::sort(top.begin(), top.end(), [](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    if (top.size() > kTopStreets) top.resize(kTopStreets);
    if (top.size() > 1) {
      Chart bars{.kind = Chart::Kind::kBars,
                 .title = fmt::format("图{}  受理量居前{}位的街道（乡镇）", ++chart_no, top.size()),
                 .y_unit = "件",
                 .height_mm = 60,
                 .sheet = "街道受理"};
      ChartSeries s{.name = month_zh};
      for (const auto& [id, n] : top) {
        bars.categories.push_back(scope.Name(id));
        s.values.push_back(static_cast<double>(n));
      }
      bars.series = {s};
      b.push_back(bars);
    }
  }

  // 三、考核排名
  heading("考核排名");
  const requests::rates::Weights& w = requests_.options().weights;
  b.push_back(FormulaBox{
      "考核得分计算公式",
      {fmt::format(
           "得分 = 100 ×（{:.2f} × 按时响应率 + {:.2f} × 问题解决率 + {:.2f} × 群众满意率）",
           w.response, w.resolution, w.satisfaction),
       fmt::format("群众满意率 =（满意 + {:.1f} × 基本满意）÷ "
                   "参评件数；某项比率无数据时，按其余各项权重折算。",
                   w.basically)}});
  auto ranking_table = [&](const std::vector<requests::RankedUnit>& rows, std::string title,
                           std::string sheet) {
    Table t{
        .title = fmt::format("表{}  {}", ++table_no, title),
        .header = {"名次", "单位", "派单", "响应率", "解决率", "满意率", "超期未办结", "得分",
                   "较上月"},
        .widths_mm = {11, 40, 14, 15, 15, 15, 17, 13, 16},
        .align = {Align::kCenter, Align::kLeft, Align::kRight, Align::kRight, Align::kRight,
                  Align::kRight, Align::kRight, Align::kRight, Align::kRight},
        .note =
            "注：超期未办结 = 本月派单中至统计时仍在办理且已超过办结时限的件数；较上月为得分变化。",
        .sheet = std::move(sheet)};
    std::unordered_map<std::string, std::int64_t> late_of;
    for (const auto& l : late) late_of[l.unit_id] = l.n;
    for (const auto& r : rows) {
      auto p = prev_score.find(r.rates.unit_id);
      const std::optional<double> change =
          p == prev_score.end() ? std::nullopt : std::optional<double>(r.rates.score - p->second);
      auto lt = late_of.find(r.rates.unit_id);
      t.rows.push_back({TextCell(r.rates.rank ? std::to_string(r.rates.rank) : "—"),
                        TextCell(r.unit_name, r.rates.rank > 0 && r.rates.rank <= 3),
                        CountCell(r.rates.counters.dispatched), RateCell(r.rates.response_rate),
                        RateCell(r.rates.resolution_rate), RateCell(r.rates.satisfaction_rate),
                        CountCell(lt == late_of.end() ? 0 : lt->second), ScoreCell(r.rates.score),
                        Cell{.text = change ? SignedPoints(*change) : "—",
                             .number = change,
                             .number_format = "+0.0;-0.0;0.0"}});
    }
    return t;
  };
  if (streets.empty() && departments.empty()) {
    b.push_back(Paragraph{"本月暂无派单，无考核排名。"});
  }
  if (!streets.empty()) {
    std::vector<RankedUnit> ranked;
    std::unordered_map<std::string, std::int64_t> late_of;
    for (const auto& l : late) late_of[l.unit_id] = l.n;
    for (const auto& r : streets) {
      auto lt = late_of.find(r.rates.unit_id);
      const auto d = r.rates.counters.dispatched;
      ranked.push_back(
          {r.unit_name, r.rates.score,
           d > 0 ? std::optional<double>(double(lt == late_of.end() ? 0 : lt->second) / double(d))
                 : std::nullopt});
    }
    b.push_back(Paragraph{RankingSentence(ranked)});
    b.push_back(ranking_table(streets, "街道（乡镇）考核排名", "排名-街道"));
    Chart bars{.kind = Chart::Kind::kHorizontalBars,
               .title = fmt::format("图{}  街道（乡镇）考核得分", ++chart_no),
               .y_unit = "分",
               .format = ValueFormat::kDecimal1,
               .height_mm =
                   std::clamp(16.0 + 5.5 * std::min<std::size_t>(streets.size(), 15), 40.0, 100.0),
               .sheet = "得分"};
    ChartSeries s{.name = "考核得分"};
    for (std::size_t i = 0; i < streets.size(); ++i) {
      if (streets.size() > 15 && i >= 12 && i + 3 < streets.size()) continue;
      bars.categories.push_back(streets[i].unit_name);
      s.values.push_back(std::round(streets[i].rates.score * 10) / 10);
    }
    if (streets.size() > 15)
      bars.title = fmt::format("图{}  街道（乡镇）考核得分（前12名与后3名）", chart_no);
    bars.series = {s};
    b.push_back(bars);
  }
  if (!departments.empty()) b.push_back(ranking_table(departments, "部门考核排名", "排名-部门"));

  // 四、热点问题
  heading("热点问题");
  if (hot.hotspots.empty()) {
    b.push_back(Paragraph{
        fmt::format("本月{}诉求较为分散，未发现同一地点、同一问题集中反映的热点。", scope_name)});
  } else {
    std::vector<std::string> names;
    for (const auto& h : hot.hotspots)
      names.push_back(fmt::format("“{}”（{}件）", h.title, h.count));
    if (names.size() > 3) names.resize(3);
    b.push_back(Paragraph{fmt::format(
        "本月共发现热点{}个（同一地点、同一问题在30天内被多次反映），件数居前的是{}。{}",
        hot.hotspots.size(), ListWords(names),
        hot.truncated ? fmt::format("（按本月最新的{}件诉求分析。）", hot.requests) : "")});
    Table t{.title = fmt::format("表{}  热点问题（前{}位）", ++table_no, hot.hotspots.size()),
            .header = {"序号", "问题", "地点", "件数", "首次—最近"},
            .widths_mm = {11, 62, 34, 14, 35},
            .align = {Align::kCenter, Align::kLeft, Align::kLeft, Align::kRight, Align::kCenter},
            .sheet = "热点"};
    for (std::size_t i = 0; i < hot.hotspots.size(); ++i) {
      const auto& h = hot.hotspots[i];
      t.rows.push_back({TextCell(std::to_string(i + 1)), TextCell(text::MaskDigits(h.title)),
                        TextCell(h.place.empty() ? "—" : h.place),
                        CountCell(static_cast<std::int64_t>(h.count)),
                        TextCell(fmt::format("{}—{}", DayLabel(DayOfInstant(h.first_us)),
                                             DayLabel(DayOfInstant(h.last_us))))});
    }
    b.push_back(t);
  }

  // 五、超期与督办
  heading("超期与督办");
  if (late.empty()) {
    b.push_back(Paragraph{
        fmt::format("截至统计时，{}本月派单中没有超过办结时限仍未办结的诉求。", scope_name)});
  } else {
    std::vector<std::string> worst;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, late.size()); ++i)
      worst.push_back(fmt::format("{}（{}件）", scope.Name(late[i].unit_id), late[i].n));
    b.push_back(Paragraph{fmt::format(
        "截至统计时，{}本月派单中尚有超期未办结诉求{}件，涉及{}个单位，较上月{}；其中{}超期较多，"
        "建议列入重点督办。",
        scope_name, Thousands(late_total), late.size(),
        late_prev > 0 ? ChangeWords(Change(double(late_total), double(late_prev))) : "无可比数据",
        ListWords(worst))});
    Table t{.title = fmt::format("表{}  超期未办结单位", ++table_no),
            .header = {"单位", "超期未办结", "本月派单", "超期率"},
            .widths_mm = {70, 28, 28, 30},
            .sheet = "超期"};
    for (const auto& l : late) {
      auto d = dispatched_of.find(l.unit_id);
      const std::int64_t n = d == dispatched_of.end() ? 0 : d->second;
      t.rows.push_back(
          {TextCell(scope.Name(l.unit_id)), CountCell(l.n), CountCell(n),
           RateCell(n > 0 ? std::optional<double>(double(l.n) / double(n)) : std::nullopt)});
    }
    b.push_back(t);
  }

  // 六、下月预测与资源研判
  heading("下月预测与资源研判");
  {
    const std::string next_month = AddMonths(in.month, 1);
    XT_ASSIGN_OR_RETURN(const std::string next_zh, ChineseMonth(next_month));
    XT_ASSIGN_OR_RETURN(const auto next_span, requests::MonthSpan(next_month));
    const std::int32_t next0 = DayOfInstant(next_span.first);
    const std::int32_t next_end = DayOfInstant(next_span.second);
    const std::string key = ScopeSeriesKey(scope.unit, "");
    std::optional<SeriesForecast> total;
    if (forecasts_ && !key.empty()) {
      XT_ASSIGN_OR_RETURN(total, forecasts_->Find(key, kMaxForecastHorizon));
    }
    const double this_month_unmerged = static_cast<double>(cur.total - cur.merged);
    if (!total) {
      b.push_back(Paragraph{fmt::format(
          "暂无：尚无{}{}的受理量预测（预测每日02:00生成；社区、网格不单独预测）。按本月日均{}件"
          "估算，{}受理量约{}件，仅供参考。",
          scope_name, next_zh, Plain(daily), next_zh,
          Thousands(static_cast<std::int64_t>(std::llround(daily * (next_end - next0)))))});
    } else {
      // Next month's days already past when the run was made are counted, not forecast.
      std::map<std::int32_t, std::int64_t> observed;
      if (total->run.data_to >= next0) {
        XT_ASSIGN_OR_RETURN(auto rows, requests_.DailyCounts(next_span.first, next_span.second));
        observed = Tally(rows, next0, next_end, scope, *catalog).unmerged_by_day;
      }
      const MonthOutlook o = Outlook(*total, next0, next_end, observed);
      std::string text = fmt::format(
          "据{}的受理量预测（每条序列按回测选用模型，7日预测的MASE为{}），{}{}预计受理群众诉求约"
          "{}件（80%预测区间{}—{}件，不含合并的重复来电），日均{}件，较本月{}。",
          DayLabel(total->run.data_to, true),
          std::isnan(total->backtest.mase_7d) ? std::string("—")
                                              : fmt::format("{:.2f}", total->backtest.mase_7d),
          next_zh, scope_name, Thousands(std::llround(o.value)), Thousands(std::llround(o.lo80)),
          Thousands(std::llround(o.hi80)), Plain(o.value / std::max(1, next_end - next0)),
          ChangeWords(Change(o.value / std::max(1, next_end - next0), this_month_unmerged / days)));
      if (o.observed_days > 0)
        text +=
            fmt::format("其中前{}天已过，实际受理{}件。", o.observed_days, Thousands(o.observed));
      if (o.missing > 0)
        text += fmt::format("预测只到{}，其后{}天未计入，合计偏低。", DayLabel(o.forecast_to, true),
                            o.missing);
      b.push_back(Paragraph{std::move(text)});

      // The month's last four weeks as counted, then next month: counted, then forecast.
      Chart line{.kind = Chart::Kind::kLine,
                 .title = fmt::format("图{}  每日受理量与{}预测", ++chart_no, next_zh),
                 .y_unit = "件",
                 .forecast_from = -1,
                 .height_mm = 62,
                 .sheet = "下月预测"};
      ChartSeries s{.name = "受理量", .band_name = "80%预测区间"};
      std::unordered_map<std::int32_t, const ForecastPoint*> at;
      for (const auto& p : total->forecast) at.emplace(p.day, &p);
      for (std::int32_t d = std::max(day0, day_end - 28); d < next_end; ++d) {
        const auto& counted = d < day_end ? cur.unmerged_by_day : observed;
        double v = kNaN, lo = kNaN, hi = kNaN;
        if (d <= total->run.data_to) {
          auto it = counted.find(d);
          v = it == counted.end() ? 0.0 : static_cast<double>(it->second);
        } else if (auto it = at.find(d); it != at.end()) {
          if (line.forecast_from < 0) line.forecast_from = static_cast<int>(line.categories.size());
          v = it->second->value;
          lo = it->second->lo80;
          hi = it->second->hi80;
        }
        line.categories.push_back(DayLabel(d));
        s.values.push_back(v);
        s.lo.push_back(lo);
        s.hi.push_back(hi);
      }
      line.series = {s};
      if (line.forecast_from >= 0) b.push_back(line);

      // Level-1 categories: this month's daily mean against next month's forecast one.
      Table t{.title = fmt::format("表{}  {}主要类别预测（日均）", ++table_no, next_zh),
              .header = {"一级类别", "本月日均", "下月预测日均", "80%区间", "变化"},
              .widths_mm = {52, 26, 30, 34, 24},
              .sheet = "类别预测"};
      struct Row {
        std::string name;
        double now, next, lo, hi;
      };
      std::vector<Row> rows;
      for (const matters::Matter* m : catalog->Children("")) {
        const std::string k = ScopeSeriesKey(scope.unit, m->id);
        if (k.empty()) break;
        XT_ASSIGN_OR_RETURN(auto series, forecasts_->Find(k, kMaxForecastHorizon));
        if (!series) continue;
        const auto mean = ForecastDailyMean(*series, next0, next_end);
        if (!mean) continue;
        auto it = cur.by_category.find(m->name);
        const double now_mean =
            it == cur.by_category.end() ? 0.0 : static_cast<double>(it->second) / days;
        rows.push_back({m->name, now_mean, mean->value, mean->lo80, mean->hi80});
      }
      std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
        return x.next != y.next ? x.next > y.next : x.name < y.name;
      });
      if (rows.size() > 8) rows.resize(8);
      for (const Row& r : rows)
        t.rows.push_back({TextCell(r.name), Cell{Plain(r.now), r.now, "0.0"},
                          Cell{Plain(r.next), r.next, "0.0"},
                          TextCell(fmt::format("{}—{}", Plain(r.lo), Plain(r.hi))),
                          ChangeCell(Change(r.next, r.now))});
      t.note = "本月日均含合并的重复来电，预测不含，变化略偏低；类别按预测日均排序，最多8类。";
      if (!t.rows.empty()) b.push_back(t);
    }
  }

  // 七、典型诉求摘要
  heading("典型诉求摘要");
  {
    std::vector<text::DigestMessage> messages;
    std::vector<std::string> headings;
    if (!hot.hotspots.empty() && normalizer_) {
      XT_ASSIGN_OR_RETURN(
          auto texts, requests_.ReceivedTexts(span.first, data_to, scope.path, kMaxDigestInput));
      std::unordered_map<std::string, const requests::ReceivedText*> by_id;
      for (const auto& t : texts) by_id.emplace(t.id, &t);
      const std::size_t n = std::min<std::size_t>(kDigestHotspots, hot.hotspots.size());
      for (std::size_t i = 0; i < n; ++i) {
        const auto& h = hot.hotspots[i];
        headings.push_back(fmt::format("热点{}·{}", SectionNumeral(static_cast<int>(i) + 1),
                                       h.place.empty() ? scope_name : h.place));
        for (const auto& id : h.member_ids) {
          auto it = by_id.find(id);
          if (it == by_id.end()) continue;
          messages.push_back(
              {id, it->second->title, it->second->text, std::to_string(i), it->second->merged});
        }
      }
    }
    std::vector<DigestEntry> entries;
    if (!messages.empty()) {
      XT_ASSIGN_OR_RETURN(
          auto items, text::Digest(*normalizer_, messages,
                                   {.per_group = 2, .mmr_lambda = 0.7, .max_excerpt_chars = 80}));
      std::set<std::pair<std::string, std::string>> quoted;  // (group, excerpt)
      for (const auto& item : items) {
        // Two residents who sent the same words are one quote.
        if (!quoted.insert({item.group, item.excerpt}).second) continue;
        const std::size_t g = std::stoul(item.group);
        entries.push_back({headings[g], item.title, item.excerpt,
                           static_cast<std::int64_t>(hot.hotspots[g].count)});
      }
    }
    if (entries.empty()) {
      b.push_back(Paragraph{"本月无热点，暂无典型诉求摘要。"});
    } else {
      b.push_back(Paragraph{
          "以下按热点列出最能代表群众诉求的原话（每个热点选取与同组诉求最相近且互不重复的1—2件，"
          "电话、证件号码已隐去）。"});
      b.push_back(Digest{std::move(entries)});
    }
  }

  // 附：指标口径
  b.push_back(Heading{"附：指标口径"});
  b.push_back(Note{fmt::format(
      "受理量：本月受理的全部群众诉求（含合并的重复来电）；环比、同比分别与上月、上年同月相比。"
      "按时响应率 = 按时签收件数 ÷ 派单件数；问题解决率 = 已解决件数 ÷ 参评件数；群众满意率 "
      "=（满意 + "
      "{:.1f} × 基本满意）÷ 参评件数。",
      w.basically)});
  b.push_back(Note{
      "热点：同一地点、同一问题在30天内多次反映的诉求组（按文字相似度归并）。典型诉求：按与同组诉求"
      "的文字相似度选取最具代表性且互不重复的原话，电话号码、证件号码已隐去。"});
  b.push_back(
      Note{fmt::format("数据来源：{}接诉即办平台。生成时间：{}。", city, BeijingDateTime(now))});
  return out;
}

}  // namespace xietong::insight
