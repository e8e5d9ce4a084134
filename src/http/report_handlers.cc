#include "http/report_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

// RFC 5987: the UTF-8 name for filename*.
std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

json::Json ReportJson(const insight::ReportSummary& r) {
  return {{"id", r.id},
          {"period", r.period},
          {"unit_id", r.unit_id},
          {"format", r.format},
          {"size", r.size},
          {"pages", r.pages},
          {"sha256", r.sha256},
          {"generated_by", r.generated_by},
          {"generated_at", FormatRfc3339(r.generated_at)}};
}

}  // namespace

void RegisterReportRoutes(Api& api, insight::ReportService& reports) {
  json::Json binary_pdf = {{"type", "string"}, {"contentMediaType", "application/pdf"}};
  json::Json binary_xlsx = {
      {"type", "string"},
      {"contentMediaType", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}};
  api.router().Add(
      "GET", "/api/v1/insight/reports/monthly", Auth::kRequired,
      {.summary = "The monthly report (接诉即办工作月报) of the city or a unit, as PDF or XLSX",
       .summary_zh = "接诉即办工作月报",
       .tag = "insight",
       .query = {doc::QueryParam("month", "the month, yyyy-mm", doc::String(7, 7), true),
                 doc::QueryParam("unit", "a unit's id: its subtree (default: the whole city)"),
                 doc::QueryParam("format", "pdf (default) or xlsx", doc::Enum({"pdf", "xlsx"})),
                 doc::QueryParam("refresh", "1: make the current month's report again",
                                 doc::Enum({"0", "1"}))},
       .answers =
           {{200,
             "",
             {{"application/pdf", binary_pdf},
              {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", binary_xlsx}},
             {{"Content-Disposition",
               "attachment; filename=\"report-2026-11-JL-01.pdf\"; filename*=UTF-8''…",
               doc::String(), false},
              {"X-Report-Sha256", "the sha256 of the bytes, as audited", doc::String(), false}}}},
       .errors = {400, 403, 404}},
      [&reports](Request& req) -> Result<Response> {
        const std::string month = req.Query("month").value_or("");
        if (month.empty())
          return Fail(
              Error::InvalidArgument("'month' (yyyy-mm) is needed").About("month", "required"));
        XT_ASSIGN_OR_RETURN(auto format,
                            insight::ParseReportFormat(req.Query("format").value_or("pdf")));
        const std::string refresh = req.Query("refresh").value_or("0");
        if (refresh != "0" && refresh != "1")
          return Fail(
              Error::InvalidArgument("'refresh' must be 0 or 1").About("refresh", "invalid"));
        XT_ASSIGN_OR_RETURN(
            auto file, reports.Monthly(req.actor(), month, req.Query("unit").value_or(""), format,
                                       refresh == "1"));
        Response out;
        out.content_type = std::string(insight::ReportContentType(format));
        out.body = std::move(file.bytes);
        out.SetHeader("Content-Disposition",
                      fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", file.filename,
                                  PercentEncode(file.filename_zh)));
        out.SetHeader("X-Report-Sha256", file.sha256);
        out.SetHeader("Cache-Control", "private, no-store");
        return out;
      });

  api.router().Add(
      "GET", "/api/v1/insight/reports", Auth::kRequired,
      {.summary = "The reports generated for a month that I may read",
       .summary_zh = "已生成的报告",
       .tag = "insight",
       .query = {doc::QueryParam("month", "the month, yyyy-mm", doc::String(7, 7), true)},
       .answers = {doc::Ok(
           {{"type", "object"},
            {"required", json::Json::array({"items"})},
            {"properties", {{"items", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}})},
       .errors = {400}},
      [&reports](Request& req) -> Result<Response> {
        XT_ASSIGN_OR_RETURN(auto list, reports.List(req.actor(), req.Query("month").value_or("")));
        json::Json items = json::Json::array();
        for (const auto& r : list) items.push_back(ReportJson(r));
        return Response::Json(200, {{"items", std::move(items)}});
      });
}

}  // namespace xietong::http
