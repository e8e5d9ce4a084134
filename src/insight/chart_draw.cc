#include "insight/chart_draw.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace xietong::insight {

namespace {

struct FontDescFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct AttrListUnref {
  void operator()(PangoAttrList* a) const { pango_attr_list_unref(a); }
};

// Series colours: the report's blue, a light blue, orange, grey, green.
constexpr unsigned kPalette[] = {0x1F5FA8, 0x8FB3DE, 0xE07B39, 0x7F7F7F, 0x4E9A5B};
constexpr unsigned kGrid = 0xE3E6EA;
constexpr unsigned kAxis = 0x8A9099;
constexpr unsigned kLabel = 0x444B55;
constexpr double kLabelSize = 8.5;

Rgb SeriesColour(std::size_t i) { return Hex(kPalette[i % std::size(kPalette)]); }

void SetColour(cairo_t* cr, Rgb c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

std::string AxisLabel(double v, ValueFormat format) {
  if (format == ValueFormat::kPercent) {
    return fmt::format("{}%", std::round(v * 1000) / 10);
  }
  if (std::abs(v) >= 1e5) return Amount(std::llround(v));
  if (std::abs(v - std::round(v)) < 1e-9) return Thousands(std::llround(v));
  return fmt::format("{:g}", v);
}

bool Finite(double v) { return std::isfinite(v); }

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    if (!Finite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

Range ValueRange(const Chart& chart) {
  Range r;
  for (const auto& s : chart.series) {
    for (double v : s.values) r.Add(v);
    for (double v : s.lo) r.Add(v);
    for (double v : s.hi) r.Add(v);
  }
  if (!Finite(r.lo)) r = {0, 1};
  return r;
}

// The legend across the top; returns its height.
double DrawLegend(cairo_t* cr, PangoContext* pc, const ReportFonts& fonts, const Chart& chart,
                  double x, double y, double w) {
  struct Entry {
    std::string name;
    Rgb colour;
    bool band;
  };
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const auto& s = chart.series[i];
    if (!s.colours.empty()) continue;  // RAG bars: the colours explain themselves
    entries.push_back({s.name, SeriesColour(i), false});
    if (!s.lo.empty() && chart.kind == Chart::Kind::kLine) {
      entries.push_back(
          {s.band_name.empty() ? std::string("区间") : s.band_name, SeriesColour(i), true});
    }
  }
  if (entries.size() < 2) return 0;
  const TextStyle style{.family = &fonts.sans, .size = kLabelSize, .colour = Hex(kLabel)};
  std::vector<LayoutPtr> layouts;
  double total = 0;
  for (const auto& e : entries) {
    layouts.push_back(MakeLayout(pc, e.name, style));
    total += 14 + Width(layouts.back().get()) + 10;
  }
  double cx = x + std::max(0.0, w - total);
  const double h = Height(layouts.front().get());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.band || chart.kind != Chart::Kind::kLine) {
      SetColour(cr, e.colour, e.band ? 0.2 : 1);
      cairo_rectangle(cr, cx, y + h / 2 - 4, 11, 8);
      cairo_fill(cr);
    } else {
      SetColour(cr, e.colour);
      cairo_set_line_width(cr, 2);
      cairo_move_to(cr, cx, y + h / 2);
      cairo_line_to(cr, cx + 11, y + h / 2);
      cairo_stroke(cr);
    }
    Show(cr, layouts[i].get(), cx + 14, y, Hex(kLabel));
    cx += 14 + Width(layouts[i].get()) + 10;
  }
  return h + 4;
}

// The value axis' labels and grid lines for a vertical value axis.
double YLabelWidth(PangoContext* pc, const ReportFonts& fonts, const Axis& axis,
                   ValueFormat format) {
  double wmax = 0;
  for (double t : axis.ticks) {
    auto l = MakeLayout(pc, AxisLabel(t, format), {.family = &fonts.sans, .size = kLabelSize});
    wmax = std::max(wmax, Width(l.get()));
  }
  return wmax;
}

void DrawVerticalBars(cairo_t* cr, PangoContext* pc, const ReportFonts& fonts, const Chart& chart,
                      double x, double y, double w, double h) {
  const Range r = ValueRange(chart);
  const Axis axis = NiceAxis(std::min(0.0, r.lo), r.hi);
  const std::size_t n = chart.categories.size();
  const double label_w = YLabelWidth(pc, fonts, axis, chart.format);
  const double left = x + label_w + 6, right = x + w - 2;
  const double group = n > 0 ? (right - left) / static_cast<double>(n) : (right - left);
  // Category labels wrap to two lines under their group.
  std::vector<LayoutPtr> cats;
  double cat_h = 0;
  for (const auto& c : chart.categories) {
    cats.push_back(MakeLayout(pc, c,
                              {.family = &fonts.sans,
                               .size = kLabelSize,
                               .align = PANGO_ALIGN_CENTER,
                               .width = std::max(group - 2, 10.0),
                               .max_lines = 2}));
    cat_h = std::max(cat_h, Height(cats.back().get()));
  }
  const double top = y + 6, bottom = y + h - cat_h - 4;
  const auto Y = [&](double v) {
    return bottom - (v - axis.min) / (axis.max - axis.min) * (bottom - top);
  };
  cairo_set_line_width(cr, 0.5);
  for (double t : axis.ticks) {
    SetColour(cr, Hex(kGrid));
    cairo_move_to(cr, left, Y(t));
    cairo_line_to(cr, right, Y(t));
    cairo_stroke(cr);
    auto l =
        MakeLayout(pc, AxisLabel(t, chart.format), {.family = &fonts.sans, .size = kLabelSize});
    Show(cr, l.get(), left - 4 - Width(l.get()), Y(t) - Height(l.get()) / 2, Hex(kLabel));
  }
  const std::size_t ns = chart.series.size();
  const double bar = group * 0.7 / static_cast<double>(ns);
  const bool labels = n * ns <= 24;
  for (std::size_t s = 0; s < ns; ++s) {
    const auto& series = chart.series[s];
    for (std::size_t i = 0; i < n; ++i) {
      const double v = series.values[i];
      if (!Finite(v)) continue;
      const double bx =
          left + group * static_cast<double>(i) + group * 0.15 + bar * static_cast<double>(s);
      const double y0 = Y(std::max(axis.min, 0.0)), y1 = Y(v);
      SetColour(cr, series.colours.empty() || series.colours[i] == Rag::kNone
                        ? SeriesColour(s)
                        : RagColour(series.colours[i]));
      cairo_rectangle(cr, bx, std::min(y0, y1), bar, std::abs(y0 - y1));
      cairo_fill(cr);
      double label_top = std::min(y0, y1);
      if (!series.lo.empty() && Finite(series.lo[i]) && Finite(series.hi[i])) {
        // The interval as a whisker.
        SetColour(cr, Hex(0x333333));
        cairo_set_line_width(cr, 0.8);
        const double cx = bx + bar / 2;
        cairo_move_to(cr, cx, Y(series.lo[i]));
        cairo_line_to(cr, cx, Y(series.hi[i]));
        cairo_move_to(cr, cx - bar / 4, Y(series.lo[i]));
        cairo_line_to(cr, cx + bar / 4, Y(series.lo[i]));
        cairo_move_to(cr, cx - bar / 4, Y(series.hi[i]));
        cairo_line_to(cr, cx + bar / 4, Y(series.hi[i]));
        cairo_stroke(cr);
        label_top = std::min(label_top, Y(series.hi[i]));
      }
      if (labels) {
        auto l = MakeLayout(pc, FormatValue(v, chart.format),
                            {.family = &fonts.sans, .size = 7.5, .tabular_figures = true});
        Show(cr, l.get(), bx + bar / 2 - Width(l.get()) / 2, label_top - Height(l.get()) - 1,
             Hex(kLabel));
      }
    }
  }
  // The base line and the category labels.
  SetColour(cr, Hex(kAxis));
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, left, Y(std::max(axis.min, 0.0)));
  cairo_line_to(cr, right, Y(std::max(axis.min, 0.0)));
  cairo_stroke(cr);
  for (std::size_t i = 0; i < n; ++i) {
    Show(cr, cats[i].get(), left + group * static_cast<double>(i) + 1, bottom + 3, Hex(kLabel));
  }
}

void DrawHorizontalBars(cairo_t* cr, PangoContext* pc, const ReportFonts& fonts, const Chart& chart,
                        double x, double y, double w, double h) {
  const Range r = ValueRange(chart);
  const Axis axis = NiceAxis(std::min(0.0, r.lo), r.hi);
  const std::size_t n = chart.categories.size();
  std::vector<LayoutPtr> cats;
  double cat_w = 0;
  for (const auto& c : chart.categories) {
    cats.push_back(MakeLayout(
        pc, c, {.family = &fonts.sans, .size = kLabelSize, .width = w * 0.28, .max_lines = 1}));
    cat_w = std::max(cat_w, Width(cats.back().get()));
  }
  // Room on the right for the longest value label.
  double value_w = 0;
  for (const auto& s : chart.series) {
    for (double v : s.values) {
      auto l = MakeLayout(pc, FormatValue(v, chart.format), {.family = &fonts.sans, .size = 7.5});
      value_w = std::max(value_w, Width(l.get()));
    }
  }
  auto probe = MakeLayout(pc, "0", {.family = &fonts.sans, .size = kLabelSize});
  const double tick_h = Height(probe.get());
  const double left = x + cat_w + 6, right = x + w - value_w - 4;
  const double top = y + 2, bottom = y + h - tick_h - 4;
  const auto X = [&](double v) {
    return left + (v - axis.min) / (axis.max - axis.min) * (right - left);
  };
  cairo_set_line_width(cr, 0.5);
  for (double t : axis.ticks) {
    SetColour(cr, Hex(kGrid));
    cairo_move_to(cr, X(t), top);
    cairo_line_to(cr, X(t), bottom);
    cairo_stroke(cr);
    auto l =
        MakeLayout(pc, AxisLabel(t, chart.format), {.family = &fonts.sans, .size = kLabelSize});
    Show(cr, l.get(), X(t) - Width(l.get()) / 2, bottom + 3, Hex(kLabel));
  }
  const std::size_t ns = chart.series.size();
  const double band = n > 0 ? (bottom - top) / static_cast<double>(n) : 0;
  const double bar = band * 0.7 / static_cast<double>(ns);
  for (std::size_t i = 0; i < n; ++i) {
    Show(cr, cats[i].get(), left - 4 - Width(cats[i].get()),
         top + band * (static_cast<double>(i) + 0.5) - Height(cats[i].get()) / 2, Hex(kLabel));
    for (std::size_t s = 0; s < ns; ++s) {
      const auto& series = chart.series[s];
      const double v = series.values[i];
      if (!Finite(v)) continue;
      const double by =
          top + band * static_cast<double>(i) + band * 0.15 + bar * static_cast<double>(s);
      const double x0 = X(std::max(axis.min, 0.0)), x1 = X(v);
      SetColour(cr, series.colours.empty() || series.colours[i] == Rag::kNone
                        ? SeriesColour(s)
                        : RagColour(series.colours[i]));
      cairo_rectangle(cr, std::min(x0, x1), by, std::abs(x1 - x0), bar);
      cairo_fill(cr);
      auto l = MakeLayout(pc, FormatValue(v, chart.format),
                          {.family = &fonts.sans, .size = 7.5, .tabular_figures = true});
      Show(cr, l.get(), std::max(x0, x1) + 2, by + bar / 2 - Height(l.get()) / 2, Hex(kLabel));
    }
  }
  SetColour(cr, Hex(kAxis));
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, X(std::max(axis.min, 0.0)), top);
  cairo_line_to(cr, X(std::max(axis.min, 0.0)), bottom);
  cairo_stroke(cr);
}

void DrawLines(cairo_t* cr, PangoContext* pc, const ReportFonts& fonts, const Chart& chart,
               double x, double y, double w, double h) {
  const Range r = ValueRange(chart);
  const Axis axis = NiceAxis(std::min(0.0, r.lo), r.hi);
  const std::size_t n = chart.categories.size();
  const double label_w = YLabelWidth(pc, fonts, axis, chart.format);
  const double left = x + label_w + 6, right = x + w - 4;
  auto probe = MakeLayout(pc, "0", {.family = &fonts.sans, .size = kLabelSize});
  const double top = y + 6, bottom = y + h - Height(probe.get()) - 4;
  const double dx = n > 1 ? (right - left) / static_cast<double>(n - 1) : 0;
  const auto X = [&](std::size_t i) {
    return n > 1 ? left + dx * static_cast<double>(i) : (left + right) / 2;
  };
  const auto Y = [&](double v) {
    return bottom - (v - axis.min) / (axis.max - axis.min) * (bottom - top);
  };
  cairo_set_line_width(cr, 0.5);
  for (double t : axis.ticks) {
    SetColour(cr, Hex(kGrid));
    cairo_move_to(cr, left, Y(t));
    cairo_line_to(cr, right, Y(t));
    cairo_stroke(cr);
    auto l =
        MakeLayout(pc, AxisLabel(t, chart.format), {.family = &fonts.sans, .size = kLabelSize});
    Show(cr, l.get(), left - 4 - Width(l.get()), Y(t) - Height(l.get()) / 2, Hex(kLabel));
  }
  // Category labels: as many as fit, evenly spaced, always the first.
  double widest = 0;
  for (const auto& c : chart.categories) {
    auto l = MakeLayout(pc, c, {.family = &fonts.sans, .size = kLabelSize});
    widest = std::max(widest, Width(l.get()));
  }
  const std::size_t every =
      dx > 0 ? std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil((widest + 6) / dx))) : 1;
  for (std::size_t i = 0; i < n; i += every) {
    auto l = MakeLayout(pc, chart.categories[i], {.family = &fonts.sans, .size = kLabelSize});
    const double lx = std::clamp(X(i) - Width(l.get()) / 2, x, x + w - Width(l.get()));
    Show(cr, l.get(), lx, bottom + 3, Hex(kLabel));
    SetColour(cr, Hex(kAxis));
    cairo_move_to(cr, X(i), bottom);
    cairo_line_to(cr, X(i), bottom + 2);
    cairo_stroke(cr);
  }
  // Where the forecast begins.
  if (chart.forecast_from > 0 && static_cast<std::size_t>(chart.forecast_from) < n) {
    const double fx = X(static_cast<std::size_t>(chart.forecast_from)) - dx / 2;
    SetColour(cr, Hex(kAxis));
    const double dash[] = {2, 2};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, fx, top);
    cairo_line_to(cr, fx, bottom);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    auto l = MakeLayout(pc, "预测", {.family = &fonts.sans, .size = 7.5});
    Show(cr, l.get(), fx + 2, top, Hex(kAxis));
  }
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const auto& series = chart.series[s];
    const Rgb colour = SeriesColour(s);
    // The band: one polygon per run of points that have both sides.
    if (!series.lo.empty()) {
      std::size_t i = 0;
      while (i < n) {
        while (i < n && !(Finite(series.lo[i]) && Finite(series.hi[i]))) ++i;
        std::size_t j = i;
        while (j < n && Finite(series.lo[j]) && Finite(series.hi[j])) ++j;
        if (j > i) {
          cairo_move_to(cr, X(i), Y(series.hi[i]));
          for (std::size_t k = i + 1; k < j; ++k) cairo_line_to(cr, X(k), Y(series.hi[k]));
          for (std::size_t k = j; k-- > i;) cairo_line_to(cr, X(k), Y(series.lo[k]));
          cairo_close_path(cr);
          SetColour(cr, colour, 0.2);
          cairo_fill(cr);
        }
        i = j;
      }
    }
    // The line; a segment ending in the forecast part is dashed.
    cairo_set_line_width(cr, 1.4);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (std::size_t i = 1; i < n; ++i) {
      if (!Finite(series.values[i - 1]) || !Finite(series.values[i])) continue;
      const bool forecast =
          chart.forecast_from >= 0 && i >= static_cast<std::size_t>(chart.forecast_from);
      if (forecast) {
        const double dash[] = {4, 2.5};
        cairo_set_dash(cr, dash, 2, 0);
      }
      SetColour(cr, colour);
      cairo_move_to(cr, X(i - 1), Y(series.values[i - 1]));
      cairo_line_to(cr, X(i), Y(series.values[i]));
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    if (n <= 40) {
      for (std::size_t i = 0; i < n; ++i) {
        if (!Finite(series.values[i])) continue;
        SetColour(cr, colour);
        cairo_arc(cr, X(i), Y(series.values[i]), 1.6, 0, 2 * M_PI);
        cairo_fill(cr);
      }
    }
  }
  SetColour(cr, Hex(kAxis));
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, left, Y(std::max(axis.min, 0.0)));
  cairo_line_to(cr, right, Y(std::max(axis.min, 0.0)));
  cairo_stroke(cr);
}

}  // namespace

double NiceNumber(double x, bool round) {
  if (!(x > 0) || !std::isfinite(x)) return 1;
  const double exp = std::floor(std::log10(x));
  const double base = std::pow(10.0, exp);
  const double f = x / base;
  double nice;
  if (round) {
    nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  } else {
    nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  }
  return nice * base;
}

Axis NiceAxis(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  if (lo >= 0) lo = 0;
  if (hi - lo < 1e-12) hi = lo + (lo == 0 ? 1 : std::abs(lo));
  target = std::max(target, 2);
  const double step = NiceNumber((hi - lo) / (target - 1), true);
  Axis a;
  a.step = step;
  a.min = std::floor(lo / step) * step;
  a.max = std::ceil(hi / step - 1e-9) * step;
  if (a.max <= a.min) a.max = a.min + step;
  for (double t = a.min; t <= a.max + step * 1e-6; t += step) {
    a.ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  }
  return a;
}

Rgb Hex(unsigned rgb) {
  return {static_cast<double>((rgb >> 16) & 0xFF) / 255.0,
          static_cast<double>((rgb >> 8) & 0xFF) / 255.0, static_cast<double>(rgb & 0xFF) / 255.0};
}

Rgb RagColour(Rag rag) {
  switch (rag) {
    case Rag::kGreen:
      return Hex(0x2E7D32);
    case Rag::kAmber:
      return Hex(0xF9A825);
    case Rag::kRed:
      return Hex(0xC62828);
    case Rag::kNone:
      break;
  }
  return Hex(0x9E9E9E);
}

LayoutPtr MakeLayout(PangoContext* pc, std::string_view text, const TextStyle& style) {
  LayoutPtr layout(pango_layout_new(pc));
  std::unique_ptr<PangoFontDescription, FontDescFree> desc(pango_font_description_new());
  pango_font_description_set_family(desc.get(),
                                    style.family ? style.family->c_str() : "Noto Sans CJK SC");
  pango_font_description_set_weight(desc.get(),
                                    style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_size(desc.get(), static_cast<int>(style.size * PANGO_SCALE));
  pango_layout_set_font_description(layout.get(), desc.get());
  if (style.width > 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(style.width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  if (style.max_lines > 0) {
    pango_layout_set_height(layout.get(), -style.max_lines);
    pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
  }
  pango_layout_set_alignment(layout.get(), style.align);
  if (style.line_spacing > 0)
    pango_layout_set_line_spacing(layout.get(), static_cast<float>(style.line_spacing));
  if (style.indent != 0)
    pango_layout_set_indent(layout.get(), static_cast<int>(style.indent * PANGO_SCALE));
  if (style.tabular_figures) {
    std::unique_ptr<PangoAttrList, AttrListUnref> attrs(pango_attr_list_new());
    pango_attr_list_insert(attrs.get(), pango_attr_font_features_new("tnum"));
    pango_layout_set_attributes(layout.get(), attrs.get());
  }
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

double Width(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return static_cast<double>(logical.width) / PANGO_SCALE;
}

double Height(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return static_cast<double>(logical.height) / PANGO_SCALE;
}

void Show(cairo_t* cr, PangoLayout* layout, double x, double y, Rgb colour) {
  SetColour(cr, colour);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
}

void DrawChart(cairo_t* cr, PangoContext* pc, const ReportFonts& fonts, const Chart& chart,
               double x, double y, double w, double h) {
  cairo_save(cr);
  double top = y;
  top += DrawLegend(cr, pc, fonts, chart, x, top, w);
  if (!chart.y_unit.empty() && chart.kind != Chart::Kind::kHorizontalBars) {
    auto l = MakeLayout(pc, "单位：" + chart.y_unit, {.family = &fonts.sans, .size = 7.5});
    Show(cr, l.get(), x, top, Hex(kLabel));
    top += Height(l.get()) + 1;
  }
  const double rest = y + h - top;
  switch (chart.kind) {
    case Chart::Kind::kBars:
      DrawVerticalBars(cr, pc, fonts, chart, x, top, w, rest);
      break;
    case Chart::Kind::kHorizontalBars:
      DrawHorizontalBars(cr, pc, fonts, chart, x, top, w, rest);
      break;
    case Chart::Kind::kLine:
      DrawLines(cr, pc, fonts, chart, x, top, w, rest);
      break;
  }
  cairo_restore(cr);
}

}  // namespace xietong::insight
