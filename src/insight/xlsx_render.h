// A ReportDocument as an XLSX workbook, the twin of the PDF (same document,
// same numbers): 概况 first (the title, the key figures as numbers with their
// formats, the headings and paragraphs in order, and where each table and
// chart went), then one sheet per table (bold header, frozen panes, numbers
// as numbers, RAG cells filled), one sheet per chart with its data and a
// native Excel chart over it (lines with the band's bounds and the forecast
// dashed; columns or bars coloured by RAG), 摘要 for the digest and 说明 for
// formula boxes and notes. Pure apart from core/xlsx.h's temporary file;
// thread-safe.
#pragma once

#include <string>

#include "core/result.h"
#include "insight/report_model.h"

namespace xietong::insight {

// InvalidArgument when the document does not validate; Internal when the
// workbook cannot be written.
Result<std::string> RenderXlsx(const ReportDocument& doc);

}  // namespace xietong::insight
