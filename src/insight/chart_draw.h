// Charts of the monthly report drawn with cairo, their words laid out with
// pango (CJK): vertical and horizontal bars (grouped series, per-bar RAG
// colours, whiskers for an interval, value labels), lines with a shaded
// interval band and the forecast part dashed, light grids on "nice" ticks
// (1, 2, 5 × 10^k), legends. Also the small text helpers the PDF renderer
// shares. Every cairo/pango object made here is owned by a unique_ptr.
// Not thread-safe per cairo_t/PangoContext; separate renders on separate
// threads are fine.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "insight/report_model.h"

namespace xietong::insight {

// An axis from lo to hi cut at 1/2/5·10^k steps into about `target` ticks;
// the range always covers [lo, hi] and starts at 0 when lo ≥ 0. Pure.
struct Axis {
  double min = 0, max = 1, step = 1;
  std::vector<double> ticks = {};
};
Axis NiceAxis(double lo, double hi, int target = 5);
// A round 1, 2 or 5 × 10^k near x (> 0): rounded to the nearest, or the
// next one up when round is false.
double NiceNumber(double x, bool round);

// Font families; both must be CJK. Sizes are in points.
struct ReportFonts {
  std::string sans = "Noto Sans CJK SC";
  std::string serif = "Noto Serif CJK SC";
};

struct Rgb {
  double r = 0, g = 0, b = 0;
};
Rgb Hex(unsigned rgb);  // 0x2E7D32 → {0.18, 0.49, 0.2}
Rgb RagColour(Rag rag);

struct GObjectUnref {
  void operator()(void* p) const { g_object_unref(p); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectUnref>;

struct TextStyle {
  const std::string* family = nullptr;
  double size = 10.5;  // points
  bool bold = false;
  Rgb colour = {};
  PangoAlignment align = PANGO_ALIGN_LEFT;
  double width = -1;        // wrap width in points; < 0 = one line, no wrap
  int max_lines = 0;        // > 0: ellipsize after that many lines
  double line_spacing = 0;  // factor (1.5); 0 = the font's
  double indent = 0;        // first-line indent in points
  bool tabular_figures = false;
};
LayoutPtr MakeLayout(PangoContext* pc, std::string_view text, const TextStyle& style);
double Width(PangoLayout* layout);   // logical extent, points
double Height(PangoLayout* layout);  // logical extent, points
// Draws layout with its top-left at (x, y) in colour.
void Show(cairo_t* cr, PangoLayout* layout, double x, double y, Rgb colour);

// Draws chart (without its title; the caller prints that) into the box.
void DrawChart(cairo_t* cr, PangoContext* pc, const ReportFonts& fonts, const Chart& chart,
               double x, double y, double w, double h);

}  // namespace xietong::insight
