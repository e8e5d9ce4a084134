// Routes of insight's reports (plan §8.3): GET
// /api/v1/insight/reports/monthly?month=&unit=&format=pdf|xlsx[&refresh=1]
// sends the monthly report as an attachment; GET /api/v1/insight/reports?month=
// lists the reports generated for a month. Thin: parse, call ReportService
// (which authorizes), send.
#pragma once

#include "http/api.h"
#include "insight/report_service.h"

namespace xietong::http {

void RegisterReportRoutes(Api& api, insight::ReportService& reports);

}  // namespace xietong::http
