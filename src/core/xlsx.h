// One XLSX workbook as bytes: libxlsxwriter writes only to a file, so the
// workbook goes to a private temporary file that is read back and removed.
// Used by every spreadsheet the platform writes (requests rates and export,
// services figures).
// Thread-safe: each call has its own file.
#pragma once

#include <xlsxwriter.h>

#include <functional>
#include <string>

#include "core/result.h"

namespace xietong {

// fill adds the sheets and returns the first error it met (LXW_NO_ERROR);
// Internal when the workbook cannot be written or read back.
Result<std::string> WorkbookBytes(const std::function<lxw_error(lxw_workbook*)>& fill);

}  // namespace xietong
