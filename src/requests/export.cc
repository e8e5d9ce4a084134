#include "requests/export.h"

#include "core/clock.h"
#include "core/csv.h"
#include "core/xlsx.h"

namespace xietong::requests {
namespace {

std::string_view StatusZh(Status s) {
  switch (s) {
    case Status::kReceived:
      return "已受理";
    case Status::kDispatched:
      return "已派单";
    case Status::kSigned:
      return "已签收";
    case Status::kHandling:
      return "办理中";
    case Status::kReplied:
      return "已答复";
    case Status::kCallback:
      return "待回访";
    case Status::kClosed:
      return "已办结";
    case Status::kMerged:
      return "已合并";
  }
  return "";
}

std::string_view SatisfactionZh(const std::optional<Satisfaction>& s) {
  if (!s) return "";
  switch (*s) {
    case Satisfaction::kSatisfied:
      return "满意";
    case Satisfaction::kBasicallySatisfied:
      return "基本满意";
    case Satisfaction::kDissatisfied:
      return "不满意";
  }
  return "";
}

// "2026-12-02 17:30" in the city's zone; "" for no time.
std::string Minute(Timestamp t) {
  if (t <= 0) return "";
  std::string s = FormatRfc3339(t);  // 2026-12-02T17:30:00+08:00
  s.resize(16);
  s[10] = ' ';
  return s;
}

}  // namespace

const std::vector<std::string>& ExportHeader() {
  static const std::vector<std::string> header = {
      "工单编号", "受理时间", "标题",     "诉求内容", "诉求类别", "地址",  "承办单位",
      "状态",     "签收时限", "办结时限", "是否超期", "答复",     "满意度"};
  return header;
}

std::vector<std::string> ExportCells(const Request& r, const MatterNameOf& matter_name) {
  return {r.number,
          Minute(r.received_at),
          r.title,
          r.text,
          matter_name ? matter_name(r) : std::string(),
          r.place.address,
          r.unit_name,
          std::string(StatusZh(r.status)),
          Minute(r.sign_due),
          Minute(r.finish_due),
          r.sign_late || r.finish_late ? "超期" : "",
          r.reply,
          std::string(SatisfactionZh(r.satisfaction))};
}

std::string ExportCsv(const std::vector<Request>& rows, const MatterNameOf& matter_name,
                      std::string_view title) {
  std::string out = "\xEF\xBB\xBF";  // spreadsheets read UTF-8 only with the mark
  csv::AppendRecord(out, {std::string(title)});
  csv::AppendRecord(out, ExportHeader());
  for (const Request& r : rows) csv::AppendRecord(out, ExportCells(r, matter_name));
  return out;
}

Result<std::string> ExportXlsx(const std::vector<Request>& rows, const MatterNameOf& matter_name,
                               std::string_view title) {
  return WorkbookBytes([&](lxw_workbook* wb) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, "工单");
    lxw_format* bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_font_size(bold, 14);
    lxw_format* header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_bg_color(header, 0xD9E1F2);
    format_set_border(header, LXW_BORDER_THIN);
    lxw_format* wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);

    lxw_error first_error = LXW_NO_ERROR;
    auto check = [&](lxw_error e) {
      if (first_error == LXW_NO_ERROR) first_error = e;
    };
    const auto& head = ExportHeader();
    check(worksheet_write_string(ws, 0, 0, std::string(title).c_str(), bold));
    for (lxw_col_t col = 0; col < head.size(); ++col)
      check(worksheet_write_string(ws, 1, col, head[col].c_str(), header));
    lxw_row_t line = 2;
    for (const Request& r : rows) {
      const auto cells = ExportCells(r, matter_name);
      for (lxw_col_t col = 0; col < cells.size(); ++col)
        if (!cells[col].empty())  // XLSX cells are text: no formula can start here
          check(worksheet_write_string(ws, line, col, cells[col].c_str(), wrap));
      ++line;
    }
    const double widths[] = {16, 17, 24, 48, 16, 28, 20, 8, 17, 17, 8, 40, 9};
    for (lxw_col_t col = 0; col < std::size(widths); ++col)
      check(worksheet_set_column(ws, col, col, widths[col], nullptr));
    worksheet_freeze_panes(ws, 2, 1);
    check(worksheet_autofilter(ws, 1, 0, line > 2 ? line - 1 : 1,
                               static_cast<lxw_col_t>(head.size() - 1)));
    return first_error;
  });
}

}  // namespace xietong::requests
