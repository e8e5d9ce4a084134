#include "insight/xlsx_render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "core/xlsx.h"

namespace xietong::insight {

namespace {

constexpr lxw_color_t kHeaderFill = 0xDCE6F2;
constexpr lxw_color_t kAccent = 0x1F5FA8;
constexpr lxw_color_t kPalette[] = {0x1F5FA8, 0x8FB3DE, 0xE07B39, 0x7F7F7F, 0x4E9A5B};

lxw_color_t RagFill(Rag rag) {
  switch (rag) {
    case Rag::kGreen:
      return 0xC8E6C9;
    case Rag::kAmber:
      return 0xFFF59D;
    case Rag::kRed:
      return 0xFFCDD2;
    case Rag::kNone:
      break;
  }
  return LXW_COLOR_WHITE;
}

lxw_color_t RagStrong(Rag rag) {
  switch (rag) {
    case Rag::kGreen:
      return 0x2E7D32;
    case Rag::kAmber:
      return 0xF9A825;
    case Rag::kRed:
      return 0xC62828;
    case Rag::kNone:
      break;
  }
  return kPalette[0];
}

// Display width in Excel's columns: a CJK character takes two.
double DisplayWidth(std::string_view s) {
  double w = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      w += 1;
    } else if ((c & 0xC0) != 0x80) {
      w += 2;  // a lead byte: count the character once
    }
  }
  return w;
}

class Book {
 public:
  explicit Book(lxw_workbook* wb) : wb_(wb) {}

  lxw_error Write(const ReportDocument& doc) {
    // Sheet names first, so 概况 can say where each table and chart went.
    names_.push_back("概况");
    std::vector<std::string> placed(doc.blocks.size());
    std::string last_heading;
    for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
      if (const auto* h = std::get_if<Heading>(&doc.blocks[b])) {
        last_heading = h->text;
      } else if (const auto* t = std::get_if<Table>(&doc.blocks[b])) {
        placed[b] = SheetName(!t->sheet.empty()   ? t->sheet
                              : !t->title.empty() ? t->title
                                                  : last_heading,
                              names_);
      } else if (const auto* c = std::get_if<Chart>(&doc.blocks[b])) {
        placed[b] = SheetName(!c->sheet.empty()   ? c->sheet
                              : !c->title.empty() ? c->title
                                                  : last_heading,
                              names_);
      }
    }
    const bool has_digest = std::any_of(doc.blocks.begin(), doc.blocks.end(), [](const Block& b) {
      return std::holds_alternative<Digest>(b);
    });
    const bool has_notes = std::any_of(doc.blocks.begin(), doc.blocks.end(), [](const Block& b) {
      return std::holds_alternative<FormulaBox>(b) || std::holds_alternative<Note>(b);
    });
    const std::string digest_name = has_digest ? SheetName("摘要", names_) : "";
    const std::string notes_name = has_notes ? SheetName("说明", names_) : "";

    Overview(doc, placed, digest_name, notes_name);
    for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
      if (const auto* t = std::get_if<Table>(&doc.blocks[b])) TableSheet(*t, placed[b]);
      if (const auto* c = std::get_if<Chart>(&doc.blocks[b])) ChartSheet(*c, placed[b]);
    }
    if (has_digest) DigestSheet(doc, digest_name);
    if (has_notes) NotesSheet(doc, notes_name);
    return error_;
  }

 private:
  void Check(lxw_error e) {
    if (error_ == LXW_NO_ERROR) error_ = e;
  }

  // Formats are made once per distinct look.
  lxw_format* Format(std::string_view num_format, bool bold = false, Rag rag = Rag::kNone,
                     bool header = false, bool wrap = false, double size = 0) {
    const auto key = std::make_tuple(std::string(num_format), bold, rag, header, wrap, size);
    if (auto it = formats_.find(key); it != formats_.end()) return it->second;
    lxw_format* f = workbook_add_format(wb_);
    if (!num_format.empty()) format_set_num_format(f, std::string(num_format).c_str());
    if (bold || header) format_set_bold(f);
    if (header) {
      format_set_bg_color(f, kHeaderFill);
      format_set_border(f, LXW_BORDER_THIN);
      format_set_align(f, LXW_ALIGN_CENTER);
      format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
      format_set_text_wrap(f);
    }
    if (rag != Rag::kNone) {
      format_set_bg_color(f, RagFill(rag));
      format_set_align(f, LXW_ALIGN_CENTER);
    }
    if (wrap) {
      format_set_text_wrap(f);
      format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    }
    if (size > 0) format_set_font_size(f, size);
    formats_.emplace(key, f);
    return f;
  }

  void Text(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, const std::string& s,
            lxw_format* f = nullptr) {
    Check(worksheet_write_string(ws, r, c, s.c_str(), f));
  }

  // A paragraph across columns A–H, tall enough for its lines.
  void Wide(lxw_worksheet* ws, lxw_row_t r, const std::string& s, lxw_format* f,
            double columns_width) {
    Check(worksheet_merge_range(ws, r, 0, r, 7, s.c_str(), f));
    const double lines = std::max(1.0, std::ceil(DisplayWidth(s) / columns_width));
    Check(worksheet_set_row(ws, r, 16 * lines, nullptr));
  }

  void Overview(const ReportDocument& doc, const std::vector<std::string>& placed,
                const std::string& digest_name, const std::string& notes_name) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, "概况");
    const double widths[] = {18, 14, 14, 12, 12, 12, 12, 12};
    double total = 0;
    for (lxw_col_t c = 0; c < 8; ++c) {
      Check(worksheet_set_column(ws, c, c, widths[c], nullptr));
      total += widths[c];
    }
    lxw_row_t r = 0;
    Text(ws, r++, 0, doc.title, Format("", true, Rag::kNone, false, false, 16));
    std::string line = doc.period;
    if (!doc.scope_name.empty()) line += "　范围：" + doc.scope_name;
    Text(ws, r++, 0, line, Format("", true));
    std::string meta;
    if (doc.generated_at > 0) meta = "生成时间：" + BeijingDateTime(doc.generated_at);
    if (!doc.data_to.empty()) meta += (meta.empty() ? "" : "　") + doc.data_to;
    if (!meta.empty()) Text(ws, r++, 0, meta);
    ++r;
    lxw_format* wrap = Format("", false, Rag::kNone, false, true);
    bool figures_header = false;
    for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
      const Block& block = doc.blocks[b];
      if (const auto* h = std::get_if<Heading>(&block)) {
        ++r;
        Text(ws, r++, 0, h->text,
             Format("", true, Rag::kNone, false, false, h->level == 1 ? 13 : 11));
        figures_header = false;
      } else if (const auto* p = std::get_if<Paragraph>(&block)) {
        Wide(ws, r++, p->text, wrap, total);
      } else if (const auto* fr = std::get_if<FigureRow>(&block)) {
        if (!figures_header) {
          Text(ws, r, 0, "指标", Format("", false, Rag::kNone, true));
          Text(ws, r, 1, "数值", Format("", false, Rag::kNone, true));
          Text(ws, r, 2, "变化", Format("", false, Rag::kNone, true));
          ++r;
          figures_header = true;
        }
        for (const Figure& f : fr->figures) {
          Text(ws, r, 0, f.label);
          if (f.number) {
            Check(worksheet_write_number(ws, r, 1, *f.number, Format(XlsxNumberFormat(f.format))));
          } else {
            Text(ws, r, 1, f.value);
          }
          if (!f.change.empty()) Text(ws, r, 2, f.change);
          ++r;
        }
      } else if (std::holds_alternative<Table>(block) || std::holds_alternative<Chart>(block)) {
        Text(ws, r++, 0, "见工作表「" + placed[b] + "」");
      } else if (std::holds_alternative<Digest>(block)) {
        Text(ws, r++, 0, "见工作表「" + digest_name + "」");
      } else if (const auto* fb = std::get_if<FormulaBox>(&block)) {
        Text(ws, r++, 0, fb->title + "（见工作表「" + notes_name + "」）");
      }
    }
  }

  void TableSheet(const Table& t, const std::string& name) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    const std::size_t cols = t.header.size();
    lxw_row_t r = 0;
    if (!t.title.empty()) Text(ws, r++, 0, t.title, Format("", true, Rag::kNone, false, false, 13));
    const lxw_row_t header_row = r;
    std::vector<double> widths(cols, 6);
    for (std::size_t c = 0; c < cols; ++c) {
      Text(ws, r, static_cast<lxw_col_t>(c), t.header[c], Format("", false, Rag::kNone, true));
      widths[c] = std::max(widths[c], DisplayWidth(t.header[c]) + 2);
    }
    ++r;
    for (const auto& row : t.rows) {
      for (std::size_t c = 0; c < cols; ++c) {
        const Cell& cell = row[c];
        const auto col = static_cast<lxw_col_t>(c);
        if (cell.number) {
          Check(worksheet_write_number(ws, r, col, *cell.number,
                                       Format(cell.number_format, cell.bold, cell.rag)));
        } else {
          Text(ws, r, col, cell.text, Format("", cell.bold, cell.rag));
        }
        widths[c] = std::max(widths[c], DisplayWidth(cell.text) + 2);
      }
      ++r;
    }
    for (std::size_t c = 0; c < cols; ++c) {
      Check(worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                 std::min(widths[c], 60.0), nullptr));
    }
    worksheet_freeze_panes(ws, header_row + 1, 1);
    if (!t.note.empty()) Text(ws, r + 1, 0, t.note);
  }

  void ChartSheet(const Chart& chart, const std::string& name) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    lxw_row_t r = 0;
    if (!chart.title.empty()) {
      Text(ws, r++, 0, chart.title, Format("", true, Rag::kNone, false, false, 13));
    }
    // The data: categories down column A, then each series and its bounds.
    const lxw_row_t head = r;
    Text(ws, head, 0, "类别", Format("", false, Rag::kNone, true));
    struct Column {
      lxw_col_t col;
      const ChartSeries* series;
      std::size_t index;
      int part;  // 0 values, 1 lo, 2 hi
    };
    std::vector<Column> columns;
    lxw_col_t col = 1;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const ChartSeries& cs = chart.series[s];
      columns.push_back({col++, &cs, s, 0});
      if (!cs.lo.empty()) {
        columns.push_back({col++, &cs, s, 1});
        columns.push_back({col++, &cs, s, 2});
      }
    }
    for (const Column& c : columns) {
      const std::string label = c.part == 0   ? c.series->name
                                : c.part == 1 ? c.series->name + "下限"
                                              : c.series->name + "上限";
      Text(ws, head, c.col, label, Format("", false, Rag::kNone, true));
    }
    lxw_format* number = Format(XlsxNumberFormat(chart.format));
    const std::size_t n = chart.categories.size();
    for (std::size_t i = 0; i < n; ++i) {
      const lxw_row_t row = head + 1 + static_cast<lxw_row_t>(i);
      Text(ws, row, 0, chart.categories[i]);
      for (const Column& c : columns) {
        const double v = c.part == 0   ? c.series->values[i]
                         : c.part == 1 ? c.series->lo[i]
                                       : c.series->hi[i];
        if (std::isfinite(v)) Check(worksheet_write_number(ws, row, c.col, v, number));
      }
    }
    double first_w = 8;
    for (const auto& c : chart.categories) first_w = std::max(first_w, DisplayWidth(c) + 2);
    Check(worksheet_set_column(ws, 0, 0, std::min(first_w, 40.0), nullptr));
    Check(worksheet_set_column(ws, 1, col, 12, nullptr));
    if (n == 0) return;

    const uint8_t type = chart.kind == Chart::Kind::kLine             ? LXW_CHART_LINE
                         : chart.kind == Chart::Kind::kHorizontalBars ? LXW_CHART_BAR
                                                                      : LXW_CHART_COLUMN;
    lxw_chart* xc = workbook_add_chart(wb_, type);
    if (!chart.title.empty()) chart_title_set_name(xc, chart.title.c_str());
    const lxw_row_t first = head + 1, last = head + static_cast<lxw_row_t>(n);
    for (const Column& c : columns) {
      lxw_chart_series* s = chart_add_series(xc, nullptr, nullptr);
      chart_series_set_categories(s, name.c_str(), first, 0, last, 0);
      chart_series_set_values(s, name.c_str(), first, c.col, last, c.col);
      chart_series_set_name_range(s, name.c_str(), head, c.col);
      const lxw_color_t colour = kPalette[c.index % std::size(kPalette)];
      if (chart.kind == Chart::Kind::kLine) {
        lxw_chart_line line = {
            .color = colour,
            .none = 0,
            .width = c.part == 0 ? 2.0f : 0.75f,
            .dash_type = static_cast<uint8_t>(c.part == 0 ? LXW_CHART_LINE_DASH_SOLID
                                                          : LXW_CHART_LINE_DASH_ROUND_DOT),
            .transparency = static_cast<uint8_t>(c.part == 0 ? 0 : 40)};
        chart_series_set_line(s, &line);
        if (c.part == 0 && chart.forecast_from >= 0) {
          // Excel formats the segment that ends at a point with the point's line.
          dashed_.push_back(std::make_unique<lxw_chart_line>(line));
          dashed_.back()->dash_type = LXW_CHART_LINE_DASH_DASH;
          std::vector<lxw_chart_point*> points;
          auto& store = point_store_.emplace_back(n);
          for (std::size_t i = 0; i < n; ++i) {
            if (static_cast<int>(i) >= chart.forecast_from) store[i].line = dashed_.back().get();
            points.push_back(&store[i]);
          }
          points.push_back(nullptr);
          Check(chart_series_set_points(s, points.data()));
        }
      } else {
        lxw_chart_fill fill = {.color = colour, .none = 0, .transparency = 0};
        chart_series_set_fill(s, &fill);
        if (!c.series->colours.empty()) {
          auto& store = point_store_.emplace_back(n);
          std::vector<lxw_chart_point*> points;
          for (std::size_t i = 0; i < n; ++i) {
            fills_.push_back(std::make_unique<lxw_chart_fill>(lxw_chart_fill{
                .color = RagStrong(c.series->colours[i]), .none = 0, .transparency = 0}));
            store[i].fill = fills_.back().get();
            points.push_back(&store[i]);
          }
          points.push_back(nullptr);
          Check(chart_series_set_points(s, points.data()));
        }
      }
    }
    const std::string num = std::string(XlsxNumberFormat(chart.format));
    if (chart.kind == Chart::Kind::kHorizontalBars) {
      chart_axis_set_reverse(xc->x_axis);  // the first category on top, as in the PDF
      chart_axis_set_num_format(xc->y_axis, num.c_str());
    } else {
      chart_axis_set_num_format(xc->y_axis, num.c_str());
      if (!chart.y_unit.empty()) chart_axis_set_name(xc->y_axis, chart.y_unit.c_str());
    }
    chart_legend_set_position(xc,
                              columns.size() > 1 ? LXW_CHART_LEGEND_BOTTOM : LXW_CHART_LEGEND_NONE);
    lxw_chart_options options = {.x_offset = 10,
                                 .y_offset = 0,
                                 .x_scale = 1.6,
                                 .y_scale = std::max(1.0, chart.height_mm / 60.0),
                                 .object_position = 0,
                                 .description = nullptr,
                                 .decorative = 0};
    Check(worksheet_insert_chart_opt(ws, head, col + 1, xc, &options));
  }

  void DigestSheet(const ReportDocument& doc, const std::string& name) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    const char* header[] = {"分组", "标题", "件数", "摘录"};
    const double widths[] = {24, 30, 8, 80};
    for (lxw_col_t c = 0; c < 4; ++c) {
      Text(ws, 0, c, header[c], Format("", false, Rag::kNone, true));
      Check(worksheet_set_column(ws, c, c, widths[c], nullptr));
    }
    worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t r = 1;
    lxw_format* wrap = Format("", false, Rag::kNone, false, true);
    for (const Block& block : doc.blocks) {
      const auto* d = std::get_if<Digest>(&block);
      if (!d) continue;
      for (const DigestEntry& e : d->entries) {
        Text(ws, r, 0, e.heading, wrap);
        Text(ws, r, 1, e.title, wrap);
        Check(worksheet_write_number(ws, r, 2, static_cast<double>(e.count), Format("#,##0")));
        Text(ws, r, 3, e.excerpt, wrap);
        Check(worksheet_set_row(ws, r, 16 * std::max(1.0, std::ceil(DisplayWidth(e.excerpt) / 78)),
                                nullptr));
        ++r;
      }
    }
  }

  void NotesSheet(const ReportDocument& doc, const std::string& name) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    Check(worksheet_set_column(ws, 0, 7, 14, nullptr));
    lxw_format* wrap = Format("", false, Rag::kNone, false, true);
    lxw_row_t r = 0;
    for (const Block& block : doc.blocks) {
      if (const auto* f = std::get_if<FormulaBox>(&block)) {
        Text(ws, r++, 0, f->title, Format("", true));
        for (const auto& line : f->lines) Wide(ws, r++, line, wrap, 8 * 14);
        ++r;
      } else if (const auto* n = std::get_if<Note>(&block)) {
        Wide(ws, r++, n->text, wrap, 8 * 14);
      }
    }
  }

  lxw_workbook* wb_;
  lxw_error error_ = LXW_NO_ERROR;
  std::vector<std::string> names_;
  std::map<std::tuple<std::string, bool, Rag, bool, bool, double>, lxw_format*> formats_;
  // What the chart points point to, kept while libxlsxwriter copies them.
  std::vector<std::vector<lxw_chart_point>> point_store_;
  std::vector<std::unique_ptr<lxw_chart_line>> dashed_;
  std::vector<std::unique_ptr<lxw_chart_fill>> fills_;
};

}  // namespace

Result<std::string> RenderXlsx(const ReportDocument& doc) {
  if (auto v = Validate(doc); !v) return std::unexpected(v.error());
  return WorkbookBytes([&](lxw_workbook* wb) { return Book(wb).Write(doc); });
}

}  // namespace xietong::insight
