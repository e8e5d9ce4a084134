// The monthly report as a document: blocks (headings, paragraphs, key-figure
// cards, tables, charts as data, digests, formula boxes, notes) that the PDF
// renderer (pdf_render.h) lays out on A4 pages and the XLSX renderer
// (xlsx_render.h) writes as sheets — one document, the same numbers in both.
// Also the Chinese conventions the report is written in: 12,345 and 1.23万,
// 95.2%, 同比/环比 with arrows, 一、二、 section numerals, and the narrative
// templates whose blanks the gatherer fills. Pure: no database, no clock, no
// I/O; thread-safe (plain values).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::insight {

// Red/amber/green against a target (5.2 of the plan); kNone = no target.
enum class Rag { kNone, kGreen, kAmber, kRed };
std::string_view RagLabel(Rag rag);  // 绿 / 黄 / 红 / ""

enum class Align { kLeft, kCenter, kRight };

// How a number is written: counts 12,345, one decimal 92.5, rates 95.2%.
enum class ValueFormat { kCount, kDecimal1, kPercent };
std::string FormatValue(double value, ValueFormat format);  // NaN → —
std::string_view XlsxNumberFormat(ValueFormat format);      // "#,##0", "0.0", "0.0%"

struct Cell {
  std::string text = {};              // as printed in the PDF
  std::optional<double> number = {};  // the XLSX cell's value when it is a number
  std::string number_format = {};     // the XLSX format of number ("#,##0", "0.0%")
  Rag rag = Rag::kNone;               // drawn as a coloured dot + 绿/黄/红
  bool bold = false;
};
Cell TextCell(std::string text, bool bold = false);
Cell CountCell(std::int64_t n);                               // 12,345
Cell RateCell(std::optional<double> rate, int decimals = 1);  // 95.2% | —
Cell ScoreCell(std::optional<double> score);                  // 92.5 | —
Cell ChangeCell(std::optional<double> ratio);                 // ↑3.2% | ↓1.5% | 持平 | —
Cell RagCell(Rag rag);                                        // 绿 | 黄 | 红 | —

struct Heading {
  std::string text = {};  // with its numeral: "一、总体情况"
  int level = 1;          // 1 = section (a PDF bookmark), 2 = subsection
};
struct Paragraph {
  std::string text = {};
};
// One key-figure card: 受理量 / 7,214件 / 环比↑3.2%.
struct Figure {
  enum class Tone { kNeutral, kGood, kBad };  // colours the change
  std::string label = {}, value = {}, change = {};
  Tone tone = Tone::kNeutral;
  std::optional<double> number = {};  // the XLSX value when value is a number
  ValueFormat format = ValueFormat::kCount;
};
struct FigureRow {
  std::vector<Figure> figures = {};
};
struct Table {
  std::string title = {};  // above the table; also names its XLSX sheet
  std::vector<std::string> header = {};
  std::vector<double> widths_mm = {};  // empty = equal widths; else one per column
  std::vector<Align> align = {};       // empty = first column left, the rest right
  std::vector<std::vector<Cell>> rows = {};
  std::string note = {};   // under the table, small
  std::string sheet = {};  // XLSX sheet name; "" = from the title
};
struct ChartSeries {
  std::string name = {};
  std::vector<double> values = {};       // one per category; NaN = no value (a gap)
  std::vector<double> lo = {}, hi = {};  // interval band (lines) or whiskers (bars); empty = none
  std::vector<Rag> colours = {};         // per bar (score bars by RAG); empty = the series colour
  std::string band_name = {};            // the band's legend, e.g. 80%预测区间; "" = 区间
};
struct Chart {
  enum class Kind { kBars, kHorizontalBars, kLine };
  Kind kind = Kind::kBars;
  std::string title = {}, y_unit = {};  // y_unit: 件, 分, …
  std::vector<std::string> categories = {};
  std::vector<ChartSeries> series = {};
  ValueFormat format = ValueFormat::kCount;
  int forecast_from = -1;  // lines: categories from this index on are a forecast (dashed)
  double height_mm = 70;
  std::string sheet = {};  // XLSX sheet name; "" = from the title
};
struct DigestEntry {
  std::string heading = {};  // 城乡建设·望湖街道
  std::string title = {};    // 菜场门口占道摆摊
  std::string excerpt = {};  // the representative words, already masked
  std::int64_t count = 0;
};
struct Digest {
  std::vector<DigestEntry> entries = {};
};
// The evaluation's formula, or any boxed explanation.
struct FormulaBox {
  std::string title = {};
  std::vector<std::string> lines = {};
};
struct Note {
  std::string text = {};  // small grey print: sources, caveats
};
struct PageBreak {};

using Block =
    std::variant<Heading, Paragraph, FigureRow, Table, Chart, Digest, FormulaBox, Note, PageBreak>;

struct ReportDocument {
  std::string title = {};         // 江澜市12345市民服务热线 接诉即办工作月报
  std::string period = {};        // 2026年11月
  std::string scope_name = {};    // 全市 | 临江区
  std::string author = {};        // 江澜市12345市民服务热线中心
  std::string running_head = {};  // grey header on pages after the first
  std::string data_to = {};       // 数据截至 2026-11-30 24:00
  Timestamp generated_at = 0;     // µs; printed in Beijing time and in the PDF's metadata
  std::vector<Block> blocks = {};
};

// InvalidArgument naming the block when a table row's cell count, its widths
// or alignments differ from its header, a chart's series lengths differ from
// its categories, or a band has one side only. Both renderers check first.
Result<void> Validate(const ReportDocument& doc);

// --- Chinese number and date conventions -------------------------------

std::string Thousands(std::int64_t n);  // 12,345 | -1,234
// Counts as a Chinese reader takes them in: below 10万 with separators,
// then 万 and 亿 with up to two decimals (trailing zeros dropped): 12.35万.
std::string Amount(std::int64_t n);
std::string Percent(std::optional<double> ratio, int decimals = 1);  // 0.952 → 95.2% | —
std::string SignedPercent(std::optional<double> ratio);              // +3.2% | -1.5% | —
// The relative change from previous to current; none when previous ≤ 0.
std::optional<double> Change(double current, double previous);
// ↑3.2% | ↓1.5% | 持平 (|change| < 0.05%) | —
std::string ChangeArrow(std::optional<double> ratio);
// 环比↑3.2% / 同比↓1.5% (label = 环比 | 同比).
std::string Compared(std::string_view label, std::optional<double> ratio);
// For sentences: 增长3.2% | 下降1.5% | 持平 | 无可比数据.
std::string ChangeWords(std::optional<double> ratio);
// Points: +1.2分 | -0.8分 | 持平.
std::string SignedPoints(std::optional<double> delta);
std::string SectionNumeral(int n);  // 1 → 一, 10 → 十, 12 → 十二 (1–99)
// A、B和C (the list as a sentence names it); "" for none.
std::string ListWords(const std::vector<std::string>& items);
// "2026-11" → 2026年11月; InvalidArgument otherwise.
Result<std::string> ChineseMonth(std::string_view yyyy_mm);
// In Beijing time (UTC+8, no summer time): 2026-12-01 04:00, and the
// ISO 8601 form PDF metadata takes: 2026-12-01T04:00:00+08:00.
std::string BeijingDateTime(Timestamp t);
std::string BeijingIso8601(Timestamp t);

// --- narrative templates -------------------------------------------------

// Fills {name} blanks from values; "{{" and "}}" are literal braces.
// InvalidArgument naming the blank when a value is missing or a brace is
// unbalanced, so a template never prints a half-filled sentence.
Result<std::string> FillTemplate(std::string_view tmpl,
                                 const std::map<std::string, std::string>& values);

// 一、总体情况's paragraph (plan 6.1).
struct OverviewFigures {
  std::string month = {};  // 2026年11月
  std::string scope = {};  // 全市
  std::int64_t received = 0, phone = 0, dispatched = 0;
  int days = 30;
  std::optional<double> month_on_month = {}, year_on_year = {};  // ratios of received
  std::optional<double> response_rate = {}, resolution_rate = {}, satisfaction_rate = {};
  std::optional<double> score = {}, score_change = {};  // 考核得分 and its change in points
};
extern const std::string_view kOverviewTemplate;
Result<std::string> OverviewParagraph(const OverviewFigures& f);

// 二、诉求分布's sentence: the top three by count and the fastest growing.
struct CategoryCount {
  std::string name = {};
  std::int64_t count = 0, previous = 0;
};
std::string DistributionSentence(const std::vector<CategoryCount>& categories);

// 三、考核排名's sentence over a ranking (best first).
struct RankedUnit {
  std::string name = {};
  std::optional<double> score = {}, overdue_rate = {};
};
std::string RankingSentence(const std::vector<RankedUnit>& ranking);

// XLSX sheet names: at most 31 characters, none of []:*?/\, not blank, and
// unique in the workbook (taken names get （2）, （3）…).
std::string SheetName(std::string_view wanted, std::vector<std::string>& taken);

}  // namespace xietong::insight
