// XLSX workbooks, both ways.
//
// Writing: one workbook as bytes. libxlsxwriter writes only to a file, so the
// workbook goes to a private temporary file that is read back and removed.
// Used by every spreadsheet the platform writes (requests rates and export,
// services figures).
//
// Reading: the first worksheet of a workbook someone uploads (data imports),
// as rows of text, with libzip and pugixml. The file is hostile until read:
// every part has a size cap (a zip bomb stops at the cap), the XML parser
// expands no entities, and a broken file is InvalidArgument naming the part.
// Thread-safe: each call has its own file or buffers.
#pragma once

#include <xlsxwriter.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace xietong {

// fill adds the sheets and returns the first error it met (LXW_NO_ERROR);
// Internal when the workbook cannot be written or read back.
Result<std::string> WorkbookBytes(const std::function<lxw_error(lxw_workbook*)>& fill);

// Whether bytes start like a ZIP archive (every XLSX does).
bool LooksLikeZip(std::string_view bytes);

struct SheetRow {
  std::int64_t number = 0;         // the row's 1-based number in the sheet
  std::vector<std::string> cells;  // column A first; "" for an empty cell
};

struct SheetLimits {
  std::size_t max_part_bytes = std::size_t{256} << 20;  // any one XML part, uncompressed
  std::size_t max_cells = 20'000'000;
};

// The first worksheet (in the workbook's order) as rows that have at least one
// non-empty cell, trailing empty cells dropped. Cells read as a person sees
// them: shared and inline strings as written (rich-text runs joined, phonetic
// runs left out, _xHHHH_ escapes decoded), formulas as their cached value,
// booleans TRUE/FALSE, errors as written (#N/A), numbers as stored, and a
// number whose style is a date or time format as YYYY-MM-DD, HH:MM:SS or
// both (1900 and 1904 date systems). InvalidArgument for a file that is not
// a workbook, a part over its cap, malformed XML, or too many cells.
Result<std::vector<SheetRow>> ReadFirstSheet(std::string_view bytes,
                                             const SheetLimits& limits = {});

}  // namespace xietong
