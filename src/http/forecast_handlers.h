// Routes of insight's forecasts and staffing (issue 19, docs/plans/decision-support.md §8.1)
// under /api/v1/insight: one series' forecast with 80/95 % intervals, the model chosen per
// horizon bucket and its backtest figures; the hotline's seats per half-hour for a day with
// a rota. Thin: parse, call ForecastService / StaffingService (which authorize), encode.
#pragma once

#include "core/json.h"
#include "http/api.h"
#include "insight/forecast_service.h"
#include "insight/staffing_service.h"

namespace xietong::http {

void RegisterForecastRoutes(Api& api, insight::ForecastService& forecasts,
                            insight::StaffingService& staffing);
// The components the routes answer with, mirroring the encoders.
json::Json ForecastSchemas();

}  // namespace xietong::http
