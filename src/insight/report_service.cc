#include "insight/report_service.h"

#include <fmt/core.h>
#include <openssl/sha.h>

#include "audit/audit_log.h"
#include "insight/pdf_render.h"
#include "insight/report_store.h"
#include "insight/xlsx_render.h"
#include "requests/request.h"

namespace xietong::insight {
namespace {

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string hex;
  hex.reserve(2 * sizeof digest);
  for (unsigned char c : digest) hex += fmt::format("{:02x}", c);
  return hex;
}

constexpr std::string_view kMonthly = "monthly";

}  // namespace

std::string_view ReportFormatName(ReportFormat f) {
  return f == ReportFormat::kPdf ? "pdf" : "xlsx";
}

Result<ReportFormat> ParseReportFormat(std::string_view text) {
  if (text == "pdf" || text.empty()) return ReportFormat::kPdf;
  if (text == "xlsx") return ReportFormat::kXlsx;
  return Fail(Error::InvalidArgument(fmt::format("format '{}': pdf or xlsx", text))
                  .About("format", "invalid"));
}

std::string_view ReportContentType(ReportFormat f) {
  return f == ReportFormat::kPdf
             ? "application/pdf"
             : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

ReportService::ReportService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                             requests::RequestService& requests, matters::MatterService& matters,
                             HotspotService& hotspots, ForecastService* forecasts)
    : db_(db),
      clock_(clock),
      ids_(ids),
      requests_(requests),
      matters_(matters),
      hotspots_(hotspots),
      forecasts_(forecasts) {}

Result<std::shared_ptr<const text::Normalizer>> ReportService::normalizer() {
  std::lock_guard lock(normalizer_mutex_);
  if (!normalizer_) {
    XT_ASSIGN_OR_RETURN(normalizer_, text::Normalizer::Open());
  }
  return normalizer_;
}

Result<ReportFile> ReportService::Monthly(const identity::Principal& actor, std::string_view month,
                                          std::string_view unit_id, ReportFormat format,
                                          bool refresh) {
  XT_ASSIGN_OR_RETURN(const auto span, requests::MonthSpan(month, "month"));
  const Timestamp now = clock_.Now();
  if (span.first > now)
    return Fail(Error::InvalidArgument(fmt::format("month {} has not begun", month))
                    .About("month", "future"));
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  const identity::OrgUnit* unit = nullptr;
  if (!unit_id.empty()) {
    unit = dir->Find(unit_id);
    if (!unit)
      return Fail(Error::NotFound(fmt::format("unit {} does not exist", unit_id)).About("unit"));
  }
  XT_TRY_VOID(requests_.FiguresPath(actor, unit_id));  // authorize before serving anything
  const bool closed = span.second <= now;
  const std::string format_name(ReportFormatName(format));
  XT_ASSIGN_OR_RETURN(const std::string month_zh, ChineseMonth(month));
  auto file_of = [&](store::ReportRow&& r, bool from_store) {
    ReportFile f{.id = r.id,
                 .period = r.period,
                 .unit_id = r.unit_id,
                 .format = format,
                 .bytes = std::move(r.bytes),
                 .sha256 = r.sha256,
                 .pages = static_cast<int>(r.pages),
                 .generated_at = r.generated_at,
                 .from_store = from_store};
    f.filename = fmt::format("report-{}{}.{}", r.period, unit ? "-" + unit->code : "", format_name);
    f.filename_zh =
        fmt::format("接诉即办工作月报-{}-{}.{}", month_zh, unit ? unit->name : "全市", format_name);
    return f;
  };
  auto stored = [&]() -> Result<std::optional<store::ReportRow>> {
    return db_.Read([&](storage::Executor& ex) {
      return store::NewestReport(ex, kMonthly, month, unit_id, format_name);
    });
  };
  auto usable = [&](const std::optional<store::ReportRow>& r) {
    if (!r) return false;
    if (closed) return r->data_to >= span.second;  // made after the month ended
    return !refresh && now - r->generated_at < kCurrentMonthMaxAge;
  };
  {
    XT_ASSIGN_OR_RETURN(auto r, stored());
    if (usable(r)) return file_of(std::move(*r), true);
  }
  std::lock_guard lock(render_);
  {  // another caller may have made it while this one waited
    XT_ASSIGN_OR_RETURN(auto r, stored());
    if (usable(r)) return file_of(std::move(*r), true);
  }
  XT_ASSIGN_OR_RETURN(auto text, normalizer());
  MonthlyReportBuilder builder(clock_, requests_, matters_, hotspots_, text, forecasts_);
  XT_ASSIGN_OR_RETURN(auto report,
                      builder.Build(actor, {std::string(month), std::string(unit_id)}));
  store::ReportRow row{.id = ids_.Next(),
                       .kind = std::string(kMonthly),
                       .period = std::string(month),
                       .unit_id = std::string(unit_id),
                       .format = format_name,
                       .data_to = std::min(now, span.second),
                       .generated_by = actor.account_id,
                       .generated_at = now};
  if (format == ReportFormat::kPdf) {
    XT_ASSIGN_OR_RETURN(auto pdf, RenderPdf(report.document));
    row.bytes = std::move(pdf.bytes);
    row.pages = pdf.pages;
  } else {
    XT_ASSIGN_OR_RETURN(row.bytes, RenderXlsx(report.document));
  }
  row.size = static_cast<std::int64_t>(row.bytes.size());
  row.sha256 = Sha256Hex(row.bytes);
  XT_TRY_VOID(db_.Write([&](storage::Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertReport(ex, row));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "insight.report.generated",
                               row.id,
                               {{"report_id", row.id},
                                {"kind", row.kind},
                                {"period", row.period},
                                {"unit_id", row.unit_id},
                                {"format", row.format},
                                {"sha256", row.sha256},
                                {"size", row.size},
                                {"pages", row.pages}}}));
    return {};
  }));
  return file_of(std::move(row), false);
}

Result<std::vector<ReportSummary>> ReportService::List(const identity::Principal& actor,
                                                       std::string_view month) {
  XT_TRY_VOID(requests::MonthSpan(month, "month"));
  XT_ASSIGN_OR_RETURN(
      auto rows, db_.Read([&](storage::Executor& ex) { return store::ListReports(ex, month); }));
  std::vector<ReportSummary> out;
  for (auto& r : rows) {
    if (!requests_.FiguresPath(actor, r.unit_id)) continue;  // not the actor's to read
    out.push_back({r.id, r.period, r.unit_id, r.format, r.sha256, r.generated_by, r.size, r.pages,
                   r.generated_at});
  }
  return out;
}

}  // namespace xietong::insight
