// The monthly report's figures, gathered: a month's requests for the city or
// one unit's subtree through the requests module's public reads (counts per
// day, category and channel, the three rates and their trend, the ranking of
// streets and departments, requests still open past their limit), the
// month's hotspots (HotspotService) and the digest of their most
// representative requests (text/digest.h), written up as a ReportDocument
// (report_model.h) in the order of plan §6.1 — 一、总体情况 … 七、典型诉求摘要,
// 附：指标口径 — for the PDF and XLSX renderers.
//
// Permission: the ranking's (RequestService::FiguresPath): leaders,
// supervisors and administrators see the city, a unit's leads their subtree;
// NotFound for an unknown unit, InvalidArgument for a month that is not
// yyyy-mm or has not begun. 六、下月预测 comes from the latest forecast run
// (ForecastService::Find on the scope's series: the city's, a district's or
// street's place series, a department's unit series): days of next month
// already past are counted, the rest forecast with the 80 % interval; without
// a forecaster, a run or a series for the scope it says 暂无 rather than
// guess. Thread-safe when its services are.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "insight/forecast_service.h"
#include "insight/hotspot_service.h"
#include "insight/report_model.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"
#include "text/normalize.h"

namespace xietong::insight {

struct MonthlyReportRequest {
  std::string month = {};    // yyyy-mm (Asia/Shanghai)
  std::string unit_id = {};  // "" = the whole city
};

// What went into a report besides its blocks (for the store and the CLI).
struct MonthlyReportFacts {
  std::string scope_name = {};  // 全市 | 临江区
  std::string unit_code = {};   // JL-01; "" for the city
  std::int64_t received = 0;    // in the month and scope
  bool month_closed = false;    // the month had ended when gathered
};

struct MonthlyReport {
  ReportDocument document = {};
  MonthlyReportFacts facts = {};
};

class MonthlyReportBuilder {
 public:
  MonthlyReportBuilder(const Clock& clock, requests::RequestService& requests,
                       matters::MatterService& matters, HotspotService& hotspots,
                       std::shared_ptr<const text::Normalizer> normalizer,
                       ForecastService* forecasts = nullptr)
      : clock_(clock),
        requests_(requests),
        matters_(matters),
        hotspots_(hotspots),
        normalizer_(std::move(normalizer)),
        forecasts_(forecasts) {}

  Result<MonthlyReport> Build(const identity::Principal& actor, const MonthlyReportRequest& in);

 private:
  const Clock& clock_;
  requests::RequestService& requests_;
  matters::MatterService& matters_;
  HotspotService& hotspots_;
  std::shared_ptr<const text::Normalizer> normalizer_;
  ForecastService* forecasts_;  // null: no forecast section
};

// "2026-11" plus n months (n may be negative): "2026-12", "2025-11".
std::string AddMonths(std::string_view yyyy_mm, int n);

}  // namespace xietong::insight
