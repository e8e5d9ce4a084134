#include "insight/pdf_render.h"

#include <cairo-pdf.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

namespace xietong::insight {

namespace {

constexpr double kMm = 72.0 / 25.4;
constexpr double kPageWidth = 595.276, kPageHeight = 841.890;  // A4 in points
constexpr double kLeft = 28 * kMm, kRight = kPageWidth - 26 * kMm;
constexpr double kTop = 37 * kMm, kBottom = kPageHeight - 35 * kMm;
constexpr double kTextWidth = kRight - kLeft;

constexpr unsigned kInk = 0x1A1A1A;
constexpr unsigned kGrey = 0x6B7280;
constexpr unsigned kAccent = 0x1F5FA8;
constexpr unsigned kRed = 0xC00000;
constexpr unsigned kRule = 0xC9D3DF;
constexpr unsigned kHeaderFill = 0xDCE6F2;
constexpr unsigned kZebra = 0xF5F8FC;
constexpr unsigned kCardFill = 0xF3F6FA;

struct SurfaceDestroy {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDestroy {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct FontDescFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct FontOptionsDestroy {
  void operator()(cairo_font_options_t* o) const { cairo_font_options_destroy(o); }
};
struct IterFree {
  void operator()(PangoLayoutIter* i) const { pango_layout_iter_free(i); }
};
using ContextPtr = std::unique_ptr<PangoContext, GObjectUnref>;

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// A context whose sizes are points (72 dpi) and whose glyph positions are
// not hinted or rounded: PDF is scaled by the reader, so metrics must be exact.
ContextPtr NewContext() {
  PangoFontMap* map = pango_cairo_font_map_get_default();  // per thread, not ours to free
  ContextPtr pc(pango_font_map_create_context(map));
  pango_cairo_context_set_resolution(pc.get(), 72);
  std::unique_ptr<cairo_font_options_t, FontOptionsDestroy> fo(cairo_font_options_create());
  cairo_font_options_set_hint_metrics(fo.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(pc.get(), fo.get());
  pango_context_set_round_glyph_positions(pc.get(), FALSE);
  return pc;
}

void Fill(cairo_t* cr, unsigned rgb, double x, double y, double w, double h) {
  const Rgb c = Hex(rgb);
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill(cr);
}

void Line(cairo_t* cr, unsigned rgb, double width, double x0, double y0, double x1, double y1) {
  const Rgb c = Hex(rgb);
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
}

class Writer {
 public:
  Writer(cairo_surface_t* surface, cairo_t* cr, PangoContext* pc, const ReportFonts& fonts,
         const ReportDocument& doc)
      : surface_(surface), cr_(cr), pc_(pc), fonts_(fonts), doc_(doc) {}

  int Write() {
    StartPage();
    TitleBlock();
    for (const auto& block : doc_.blocks) {
      std::visit([this](const auto& b) { Draw(b); }, block);
    }
    cairo_show_page(cr_);
    return page_;
  }

 private:
  TextStyle Sans(double size, bool bold = false, unsigned colour = kInk) const {
    return {.family = &fonts_.sans, .size = size, .bold = bold, .colour = Hex(colour)};
  }
  TextStyle Serif(double size, bool bold = false, unsigned colour = kInk) const {
    return {.family = &fonts_.serif, .size = size, .bold = bold, .colour = Hex(colour)};
  }

  void StartPage() {
    y_ = kTop;
    if (page_ > 1 && !doc_.running_head.empty()) {
      auto head = MakeLayout(pc_, doc_.running_head, Sans(9, false, kGrey));
      const double hy = kTop - 12 * kMm;
      Show(cr_, head.get(), kRight - Width(head.get()), hy, Hex(kGrey));
      Line(cr_, kRule, 0.6, kLeft, hy + Height(head.get()) + 2, kRight,
           hy + Height(head.get()) + 2);
    }
    auto foot = MakeLayout(pc_, fmt::format("— {} —", page_), Serif(14));
    Show(cr_, foot.get(), (kPageWidth - Width(foot.get())) / 2, kBottom + 12 * kMm, Hex(kInk));
  }

  void NewPage() {
    cairo_show_page(cr_);
    ++page_;
    StartPage();
  }

  // Breaks the page unless h more points fit (a block never starts a page
  // and then breaks again: at the top everything that can fit does).
  void Need(double h) {
    if (y_ + h > kBottom && y_ > kTop + 0.5) NewPage();
  }

  // Draws layout line by line from y_, continuing on the next page when a
  // line does not fit; x is the layout's left edge.
  void Flow(PangoLayout* layout, double x, Rgb colour) {
    std::unique_ptr<PangoLayoutIter, IterFree> it(pango_layout_get_iter(layout));
    double shift = y_;  // page y of the layout's top
    double end = y_;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it.get(), nullptr, &logical);
      const double top = static_cast<double>(logical.y) / PANGO_SCALE;
      const double height = static_cast<double>(logical.height) / PANGO_SCALE;
      if (shift + top + height > kBottom && shift + top > kTop + 0.5) {
        NewPage();
        shift = y_ - top;
      }
      const double baseline =
          static_cast<double>(pango_layout_iter_get_baseline(it.get())) / PANGO_SCALE;
      PangoLayoutLine* line = pango_layout_iter_get_line_readonly(it.get());
      cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
      cairo_move_to(cr_, x + static_cast<double>(logical.x) / PANGO_SCALE, shift + baseline);
      pango_cairo_show_layout_line(cr_, line);
      end = shift + top + height;
    } while (pango_layout_iter_next_line(it.get()));
    y_ = end;
  }

  void TitleBlock() {
    std::string title = doc_.title;
    // 江澜市12345市民服务热线 接诉即办工作月报: the issuer above the document's name.
    if (const auto sp = title.find(' '); sp != std::string::npos) title[sp] = '\n';
    auto t = MakeLayout(pc_, title,
                        {.family = &fonts_.serif,
                         .size = 22,
                         .bold = true,
                         .align = PANGO_ALIGN_CENTER,
                         .width = kTextWidth,
                         .line_spacing = 1.3});
    Show(cr_, t.get(), kLeft, y_, Hex(kRed));
    y_ += Height(t.get()) + 4 * kMm;
    if (!doc_.period.empty()) {
      auto p = MakeLayout(
          pc_, doc_.period,
          {.family = &fonts_.serif, .size = 16, .align = PANGO_ALIGN_CENTER, .width = kTextWidth});
      Show(cr_, p.get(), kLeft, y_, Hex(kInk));
      y_ += Height(p.get()) + 3 * kMm;
    }
    // The red double rule of a 红头 document.
    Line(cr_, kRed, 2.2, kLeft, y_, kRight, y_);
    Line(cr_, kRed, 0.6, kLeft, y_ + 3, kRight, y_ + 3);
    y_ += 3 + 3 * kMm;
    std::string meta;
    if (!doc_.scope_name.empty()) meta += "范围：" + doc_.scope_name;
    if (doc_.generated_at > 0) {
      meta += (meta.empty() ? "" : "　　") + std::string("生成时间：") +
              BeijingDateTime(doc_.generated_at);
    }
    if (!doc_.data_to.empty()) meta += (meta.empty() ? "" : "　　") + doc_.data_to;
    if (!meta.empty()) {
      auto m = MakeLayout(
          pc_, meta,
          {.family = &fonts_.sans, .size = 10, .align = PANGO_ALIGN_CENTER, .width = kTextWidth});
      Show(cr_, m.get(), kLeft, y_, Hex(kGrey));
      y_ += Height(m.get()) + 6 * kMm;
    }
  }

  void Draw(const Heading& h) {
    const bool section = h.level == 1;
    auto l = MakeLayout(pc_, h.text,
                        {.family = section ? &fonts_.sans : &fonts_.sans,
                         .size = section ? 16.0 : 13.0,
                         .bold = true,
                         .width = kTextWidth});
    const double before = section ? 5 * kMm : 3 * kMm;
    // Keep a heading with the first lines of what follows it.
    Need(before + Height(l.get()) + 28 * kMm);
    if (y_ > kTop + 0.5) y_ += before;
    if (section) {
      Fill(cr_, kAccent, kLeft, y_ + 3, 3, Height(l.get()) - 6);
      Show(cr_, l.get(), kLeft + 8, y_, Hex(kAccent));
      const std::string link = fmt::format("page={} pos=[{:.1f} {:.1f}]", page_, kLeft, y_);
      last_section_ =
          cairo_pdf_surface_add_outline(surface_, CAIRO_PDF_OUTLINE_ROOT, h.text.c_str(),
                                        link.c_str(), CAIRO_PDF_OUTLINE_FLAG_OPEN);
    } else {
      Show(cr_, l.get(), kLeft, y_, Hex(kInk));
      const std::string link = fmt::format("page={} pos=[{:.1f} {:.1f}]", page_, kLeft, y_);
      cairo_pdf_surface_add_outline(surface_, last_section_, h.text.c_str(), link.c_str(),
                                    static_cast<cairo_pdf_outline_flags_t>(0));
    }
    y_ += Height(l.get()) + 2 * kMm;
  }

  void Draw(const Paragraph& p) {
    TextStyle style = Sans(12);
    style.width = kTextWidth;
    style.line_spacing = 1.5;
    style.indent = 24;  // two characters, as Chinese paragraphs begin
    auto l = MakeLayout(pc_, p.text, style);
    pango_layout_set_justify(l.get(), TRUE);
    Flow(l.get(), kLeft, Hex(kInk));
    y_ += 2 * kMm;
  }

  void Draw(const Note& n) {
    TextStyle style = Sans(9, false, kGrey);
    style.width = kTextWidth;
    style.line_spacing = 1.3;
    auto l = MakeLayout(pc_, n.text, style);
    Flow(l.get(), kLeft, Hex(kGrey));
    y_ += 2 * kMm;
  }

  void Draw(const FigureRow& row) {
    const std::size_t n = row.figures.size();
    if (n == 0) return;
    const std::size_t cols = n <= 4 ? n : n <= 6 ? 3 : n <= 8 ? 4 : 5;
    const double gap = 2.5 * kMm;
    const double w = (kTextWidth - gap * static_cast<double>(cols - 1)) / static_cast<double>(cols);
    for (std::size_t first = 0; first < n; first += cols) {
      struct Card {
        LayoutPtr label, value, change;
        Rgb change_colour;
      };
      std::vector<Card> cards;
      double h = 0;
      for (std::size_t i = first; i < std::min(n, first + cols); ++i) {
        const Figure& f = row.figures[i];
        Card c;
        c.label = MakeLayout(pc_, f.label,
                             {.family = &fonts_.sans, .size = 9, .width = w - 10, .max_lines = 1});
        c.value = MakeLayout(pc_, f.value,
                             {.family = &fonts_.sans,
                              .size = cols >= 5 ? 14.0 : 16.0,
                              .bold = true,
                              .width = w - 10,
                              .max_lines = 1,
                              .tabular_figures = true});
        c.change =
            MakeLayout(pc_, f.change.empty() ? " " : f.change,
                       {.family = &fonts_.sans, .size = 8.5, .width = w - 10, .max_lines = 1});
        c.change_colour = f.tone == Figure::Tone::kGood  ? RagColour(Rag::kGreen)
                          : f.tone == Figure::Tone::kBad ? RagColour(Rag::kRed)
                                                         : Hex(kGrey);
        h = std::max(h, 8 + Height(c.label.get()) + 2 + Height(c.value.get()) + 1 +
                            Height(c.change.get()) + 7);
        cards.push_back(std::move(c));
      }
      Need(h + gap);
      for (std::size_t i = 0; i < cards.size(); ++i) {
        const double x = kLeft + static_cast<double>(i) * (w + gap);
        Fill(cr_, kCardFill, x, y_, w, h);
        Fill(cr_, kAccent, x, y_, 2.5, h);
        double cy = y_ + 8;
        Show(cr_, cards[i].label.get(), x + 7, cy, Hex(kGrey));
        cy += Height(cards[i].label.get()) + 2;
        Show(cr_, cards[i].value.get(), x + 7, cy, Hex(kInk));
        cy += Height(cards[i].value.get()) + 1;
        Show(cr_, cards[i].change.get(), x + 7, cy, cards[i].change_colour);
      }
      y_ += h + gap;
    }
    y_ += 1 * kMm;
  }

  void Draw(const Table& t) {
    const std::size_t cols = t.header.size();
    const double size = cols > 7 ? 9 : 10.5;
    const double pad_x = 4, pad_y = 3.5;
    std::vector<double> widths = t.widths_mm;
    if (widths.empty()) {
      // As wide as each column's longest text, the room left shared evenly;
      // narrowed in proportion when the texts are wider than the page.
      widths.assign(cols, 0);
      const auto widen = [&](std::size_t c, const std::string& text, bool bold) {
        auto l = MakeLayout(pc_, text, {.family = &fonts_.sans, .size = size, .bold = bold});
        widths[c] = std::max(widths[c], Width(l.get()) + 2 * pad_x + 12);
      };
      for (std::size_t c = 0; c < cols; ++c) widen(c, t.header[c], true);
      for (const auto& row : t.rows) {
        for (std::size_t c = 0; c < cols; ++c) widen(c, row[c].text, row[c].bold);
      }
      const double natural = std::accumulate(widths.begin(), widths.end(), 0.0);
      if (natural < kTextWidth) {
        for (double& w : widths) w += (kTextWidth - natural) / static_cast<double>(cols);
      }
    }
    const double sum = std::accumulate(widths.begin(), widths.end(), 0.0);
    for (double& w : widths) w = w / sum * kTextWidth;
    const auto align_of = [&](std::size_t c) {
      const Align a = t.align.empty() ? (c == 0 ? Align::kLeft : Align::kRight) : t.align[c];
      return a == Align::kLeft     ? PANGO_ALIGN_LEFT
             : a == Align::kCenter ? PANGO_ALIGN_CENTER
                                   : PANGO_ALIGN_RIGHT;
    };
    // One row's layouts and height.
    struct Row {
      std::vector<LayoutPtr> cells;
      double height = 0;
    };
    const auto layout_row = [&](const std::vector<Cell>* cells, bool header) {
      Row r;
      for (std::size_t c = 0; c < cols; ++c) {
        const Cell* cell = cells ? &(*cells)[c] : nullptr;
        const std::string& text = cell ? cell->text : t.header[c];
        const double dot = cell && cell->rag != Rag::kNone ? 10 : 0;
        r.cells.push_back(MakeLayout(pc_, text,
                                     {.family = &fonts_.sans,
                                      .size = size,
                                      .bold = header || (cell && cell->bold),
                                      .align = header ? PANGO_ALIGN_CENTER : align_of(c),
                                      .width = widths[c] - 2 * pad_x - dot,
                                      .tabular_figures = !header}));
        r.height = std::max(r.height, Height(r.cells.back().get()) + 2 * pad_y);
      }
      return r;
    };
    const Row header = layout_row(nullptr, true);
    LayoutPtr title;
    if (!t.title.empty()) title = MakeLayout(pc_, t.title, Sans(10.5, true));
    const auto draw_title = [&](bool continued) {
      if (!title) return;
      if (continued) {
        auto c = MakeLayout(pc_, t.title + "（续）", Sans(10.5, true));
        Show(cr_, c.get(), kLeft, y_, Hex(kInk));
        y_ += Height(c.get()) + 4;
      } else {
        Show(cr_, title.get(), kLeft, y_, Hex(kInk));
        y_ += Height(title.get()) + 4;
      }
    };
    const auto draw_row = [&](const Row& r, const std::vector<Cell>* cells, bool header_row,
                              bool zebra) {
      if (header_row) {
        Fill(cr_, kHeaderFill, kLeft, y_, kTextWidth, r.height);
        Line(cr_, kAccent, 1.2, kLeft, y_, kRight, y_);
      } else if (zebra) {
        Fill(cr_, kZebra, kLeft, y_, kTextWidth, r.height);
      }
      double x = kLeft;
      for (std::size_t c = 0; c < cols; ++c) {
        PangoLayout* l = r.cells[c].get();
        double tx = x + pad_x;
        if (cells && (*cells)[c].rag != Rag::kNone) {
          const Rgb rc = RagColour((*cells)[c].rag);
          cairo_set_source_rgb(cr_, rc.r, rc.g, rc.b);
          // The dot sits before the text where the alignment puts it, on
          // its first line.
          std::unique_ptr<PangoLayoutIter, IterFree> it(pango_layout_get_iter(l));
          PangoRectangle first;
          pango_layout_iter_get_line_extents(it.get(), nullptr, &first);
          const double text_x = tx + 10 + static_cast<double>(first.x) / PANGO_SCALE;
          const double mid =
              y_ + pad_y + static_cast<double>(first.y + first.height / 2) / PANGO_SCALE;
          cairo_arc(cr_, text_x - 6, mid, 3.2, 0, 2 * M_PI);
          cairo_fill(cr_);
          tx += 10;
          Show(cr_, l, tx, y_ + pad_y, rc);
        } else {
          Show(cr_, l, tx, y_ + pad_y, Hex(kInk));
        }
        x += widths[c];
      }
      y_ += r.height;
      Line(cr_, header_row ? kAccent : kRule, header_row ? 0.8 : 0.4, kLeft, y_, kRight, y_);
    };
    // Start where the title, the header and the first rows fit together:
    // a short table (≤ 8 rows) stays whole, a long one brings 5 rows along.
    double first_rows = 0;
    const std::size_t keep = t.rows.size() <= 8 ? t.rows.size() : 5;
    for (std::size_t i = 0; i < keep; ++i) {
      first_rows += layout_row(&t.rows[i], false).height;
    }
    Need((title ? Height(title.get()) + 4 : 0) + header.height + first_rows);
    draw_title(false);
    draw_row(header, nullptr, true, false);
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const Row r = layout_row(&t.rows[i], false);
      if (y_ + r.height > kBottom) {
        NewPage();
        draw_title(true);
        draw_row(header, nullptr, true, false);
      }
      draw_row(r, &t.rows[i], false, i % 2 == 1);
    }
    Line(cr_, kAccent, 1.0, kLeft, y_, kRight, y_);
    y_ += 2;
    if (!t.note.empty()) {
      y_ += 2;
      Draw(Note{t.note});
    } else {
      y_ += 3 * kMm;
    }
  }

  void Draw(const Chart& c) {
    LayoutPtr title;
    double title_h = 0;
    if (!c.title.empty()) {
      title = MakeLayout(pc_, c.title,
                         {.family = &fonts_.sans,
                          .size = 10.5,
                          .bold = true,
                          .align = PANGO_ALIGN_CENTER,
                          .width = kTextWidth});
      title_h = Height(title.get()) + 3;
    }
    const double h = c.height_mm * kMm;
    Need(title_h + h + 2 * kMm);
    if (title) Show(cr_, title.get(), kLeft, y_, Hex(kInk));
    y_ += title_h;
    DrawChart(cr_, pc_, fonts_, c, kLeft, y_, kTextWidth, h);
    y_ += h + 4 * kMm;
  }

  void Draw(const Digest& d) {
    for (const auto& e : d.entries) {
      std::string head = "【" + e.heading + "】" + e.title;
      if (e.count > 0) head += fmt::format("（{}件）", Thousands(e.count));
      auto h = MakeLayout(pc_, head,
                          {.family = &fonts_.sans, .size = 11, .bold = true, .width = kTextWidth});
      auto x = MakeLayout(
          pc_, "“" + e.excerpt + "”",
          {.family = &fonts_.serif, .size = 11, .width = kTextWidth - 24, .line_spacing = 1.4});
      Need(Height(h.get()) + std::min(Height(x.get()), 40.0) + 3);
      Show(cr_, h.get(), kLeft, y_, Hex(kAccent));
      y_ += Height(h.get()) + 2;
      Flow(x.get(), kLeft + 24, Hex(0x374151));
      y_ += 3 * kMm;
    }
  }

  void Draw(const FormulaBox& f) {
    const double pad = 3 * kMm;
    auto title = MakeLayout(
        pc_, f.title,
        {.family = &fonts_.sans, .size = 10.5, .bold = true, .width = kTextWidth - 2 * pad});
    std::vector<LayoutPtr> lines;
    double h = pad + Height(title.get()) + 3;
    for (const auto& line : f.lines) {
      lines.push_back(MakeLayout(pc_, line,
                                 {.family = &fonts_.sans,
                                  .size = 10,
                                  .width = kTextWidth - 2 * pad,
                                  .line_spacing = 1.3}));
      h += Height(lines.back().get()) + 2;
    }
    h += pad;
    Need(h + 3 * kMm);
    Fill(cr_, kCardFill, kLeft, y_, kTextWidth, h);
    const Rgb a = Hex(kAccent);
    cairo_set_source_rgb(cr_, a.r, a.g, a.b);
    cairo_set_line_width(cr_, 0.8);
    cairo_rectangle(cr_, kLeft, y_, kTextWidth, h);
    cairo_stroke(cr_);
    double cy = y_ + pad;
    Show(cr_, title.get(), kLeft + pad, cy, Hex(kAccent));
    cy += Height(title.get()) + 3;
    for (const auto& l : lines) {
      Show(cr_, l.get(), kLeft + pad, cy, Hex(kInk));
      cy += Height(l.get()) + 2;
    }
    y_ += h + 4 * kMm;
  }

  void Draw(const PageBreak&) {
    if (y_ > kTop + 0.5) NewPage();
  }

  cairo_surface_t* surface_;
  cairo_t* cr_;
  PangoContext* pc_;
  const ReportFonts& fonts_;
  const ReportDocument& doc_;
  int page_ = 1;
  double y_ = kTop;
  int last_section_ = CAIRO_PDF_OUTLINE_ROOT;
};

std::string FamilyOf(PangoContext* pc, const std::string& family) {
  std::unique_ptr<PangoFontDescription, FontDescFree> desc(pango_font_description_new());
  pango_font_description_set_family(desc.get(), family.c_str());
  pango_font_description_set_size(desc.get(), 12 * PANGO_SCALE);
  std::unique_ptr<PangoFont, GObjectUnref> font(
      pango_font_map_load_font(pango_context_get_font_map(pc), pc, desc.get()));
  if (!font) return "";
  std::unique_ptr<PangoFontDescription, FontDescFree> got(pango_font_describe(font.get()));
  const char* name = pango_font_description_get_family(got.get());
  return name ? name : "";
}

}  // namespace

ReportFonts CheckFonts(const ReportFonts& wanted) {
  ContextPtr pc = NewContext();
  ReportFonts out = wanted;
  constexpr const char* kFallback = "WenQuanYi Micro Hei";
  for (std::string* family : {&out.sans, &out.serif}) {
    const std::string got = FamilyOf(pc.get(), *family);
    if (got != *family) {
      spdlog::warn("report font \"{}\" is not installed (fontconfig gives \"{}\"); using {}",
                   *family, got, kFallback);
      *family = kFallback;
    }
  }
  return out;
}

Result<PdfDocument> RenderPdf(const ReportDocument& doc, const PdfOptions& options) {
  if (auto v = Validate(doc); !v) return std::unexpected(v.error());
  PdfDocument out;
  out.fonts = CheckFonts(options.fonts);
  {
    std::unique_ptr<cairo_surface_t, SurfaceDestroy> surface(
        cairo_pdf_surface_create_for_stream(Append, &out.bytes, kPageWidth, kPageHeight));
    cairo_pdf_surface_restrict_to_version(surface.get(), CAIRO_PDF_VERSION_1_5);
    const std::string title = doc.title + (doc.period.empty() ? "" : " " + doc.period) +
                              (doc.scope_name.empty() ? "" : "（" + doc.scope_name + "）");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    if (!doc.author.empty()) {
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, doc.author.c_str());
    }
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "xietong");
    if (doc.generated_at > 0) {
      const std::string when = BeijingIso8601(doc.generated_at);
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, when.c_str());
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE, when.c_str());
    }
    std::unique_ptr<cairo_t, CairoDestroy> cr(cairo_create(surface.get()));
    ContextPtr pc = NewContext();
    pango_cairo_update_context(cr.get(), pc.get());
    Writer writer(surface.get(), cr.get(), pc.get(), out.fonts, doc);
    out.pages = writer.Write();
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      return std::unexpected(
          Error{ErrorCode::kInternal, fmt::format("drawing the report failed: {}",
                                                  cairo_status_to_string(cairo_status(cr.get())))});
    }
    cairo_surface_finish(surface.get());
    if (const auto st = cairo_surface_status(surface.get()); st != CAIRO_STATUS_SUCCESS) {
      return std::unexpected(Error{ErrorCode::kInternal, fmt::format("writing the PDF failed: {}",
                                                                     cairo_status_to_string(st))});
    }
  }
  return out;
}

}  // namespace xietong::insight
