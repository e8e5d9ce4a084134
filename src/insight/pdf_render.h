// A ReportDocument as a PDF: cairo's PDF surface, text laid out by pango in
// Noto Sans/Serif CJK (embedded as subsets with ToUnicode maps, so the
// Chinese can be searched and copied). A4 with the margins of GB/T 9704
// (top 37, bottom 35, left 28, right 26 mm); a title block, 一、二、 headings
// as PDF bookmarks, justified paragraphs that continue on the next page,
// key-figure cards, tables that break between rows and repeat their header,
// charts (chart_draw.h), a grey running head and "— n —" page numbers, and
// the document's title, author and creation time as PDF metadata (the
// report's generation time, so the same document gives the same bytes).
// Thread-safe: each call has its own surface and pango context (pango's font
// map is per thread); a render takes a CPU for about a second, so callers
// serialise them (ReportService).
#pragma once

#include <string>

#include "core/result.h"
#include "insight/chart_draw.h"
#include "insight/report_model.h"

namespace xietong::insight {

struct PdfOptions {
  ReportFonts fonts = {};  // checked with CheckFonts before use
};

struct PdfDocument {
  std::string bytes = {};
  int pages = 0;
  ReportFonts fonts = {};  // the families actually used
};

// InvalidArgument when the document does not validate (report_model.h),
// Internal when cairo fails.
Result<PdfDocument> RenderPdf(const ReportDocument& doc, const PdfOptions& options = {});

// The families fontconfig gives for the wanted ones. A family that resolves
// to something else (Noto CJK not installed) is replaced by WenQuanYi Micro
// Hei with a warning in the log, so the Chinese still shows.
ReportFonts CheckFonts(const ReportFonts& wanted = {});

}  // namespace xietong::insight
