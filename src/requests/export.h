// 工单导出: the inbox's filtered list as the spreadsheet staff open — CSV
// (UTF-8 with BOM, formula-safe) or XLSX — in the page's words. What to list
// is RequestService::ListForExport's (the same filters and scope as the
// inbox, up to kMaxExportRows); this file only writes the table.
// Thread-safe: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "requests/request.h"

namespace xietong::requests {

inline constexpr int kMaxExportRows = 10'000;

// The name of a request's category ("" when it has none).
using MatterNameOf = std::function<std::string(const Request&)>;

// The column titles, in order.
const std::vector<std::string>& ExportHeader();
// One request as the export's cells (times in the city's zone, minutes).
std::vector<std::string> ExportCells(const Request& r, const MatterNameOf& matter_name);

// title: the sheet's first line, e.g. "工单导出 2026-12-02 10:30（共 12 件）".
std::string ExportCsv(const std::vector<Request>& rows, const MatterNameOf& matter_name,
                      std::string_view title);
// Internal when the workbook cannot be written.
Result<std::string> ExportXlsx(const std::vector<Request>& rows, const MatterNameOf& matter_name,
                               std::string_view title);

}  // namespace xietong::requests
