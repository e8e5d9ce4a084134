#include "app/report_commands.h"

#include <fmt/core.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "app/cli_support.h"
#include "insight/monthly_report.h"
#include "insight/pdf_render.h"
#include "insight/report_model.h"
#include "insight/xlsx_render.h"
#include "text/normalize.h"

namespace xietong::app {
namespace {

struct ReportArgs {
  std::string month, unit, out, format;
};

int Monthly(const PlatformOptions& popts, const ReportArgs& a) {
  std::string format = a.format;
  if (format.empty()) format = a.out.ends_with(".xlsx") ? "xlsx" : "pdf";
  if (format != "pdf" && format != "xlsx")
    return Report(Error::InvalidArgument(fmt::format("--format {}: pdf or xlsx", format)));
  const auto start = std::chrono::steady_clock::now();
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  Platform& p = **platform;
  std::string unit_id = a.unit;
  if (!unit_id.empty()) {  // a code (JL-01) works as well as an id
    auto dir = p.requests().directory();
    if (!dir) return Report(dir.error());
    if (!(*dir)->Find(unit_id))
      if (const auto* u = (*dir)->FindByCode(unit_id)) unit_id = u->id;
  }
  auto normalizer = text::Normalizer::Open();
  if (!normalizer) return Report(normalizer.error());
  insight::MonthlyReportBuilder builder(p.clock(), p.requests(), p.matters(), p.hotspots(),
                                        *normalizer, &p.forecasts());
  auto report = builder.Build(identity::Principal::System(), {a.month, unit_id});
  if (!report) return Report(report.error());
  std::string bytes;
  int pages = 0;
  if (format == "pdf") {
    auto pdf = insight::RenderPdf(report->document);
    if (!pdf) return Report(pdf.error());
    bytes = std::move(pdf->bytes);
    pages = pdf->pages;
  } else {
    auto xlsx = insight::RenderXlsx(report->document);
    if (!xlsx) return Report(xlsx.error());
    bytes = std::move(*xlsx);
  }
  std::ofstream f(a.out, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return Report(Error::Internal(fmt::format("could not write {}", a.out)));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string size = insight::Thousands(static_cast<std::int64_t>(bytes.size()));
  if (pages > 0)
    fmt::print("wrote {} ({} pages, {} bytes, {:.1f} s)\n", a.out, pages, size, seconds);
  else
    fmt::print("wrote {} ({} bytes, {:.1f} s)\n", a.out, size, seconds);
  return 0;
}

}  // namespace

void RegisterReportCommands(CLI::App& cli, PlatformOptions& popts,
                            const std::function<void(CLI::App*)>& add_common) {
  auto* report = cli.add_subcommand("report", "reports for leaders (接诉即办工作月报)");
  report->require_subcommand(1);
  auto a = std::make_shared<ReportArgs>();
  auto* monthly = report->add_subcommand(
      "monthly", "the monthly report of the city or one unit as a PDF or XLSX file");
  add_common(monthly);
  monthly->add_option("--month", a->month, "the month, yyyy-mm")->required();
  monthly->add_option("--unit", a->unit, "a unit's id or code (default: the whole city)");
  monthly->add_option("--out", a->out, "the file to write (.pdf or .xlsx)")->required();
  monthly->add_option("--format", a->format, "pdf or xlsx (default: from --out)");
  monthly->callback([&popts, a] {
    const int rc = Monthly(popts, *a);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace xietong::app
