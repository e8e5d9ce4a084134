// StaffingService: hotline seats per half-hour for one day and a rota that covers them
// (docs/plans/decision-support.md §3.2–3.3). Calls per day come from the latest forecast run
// (the city's phone series; without one, all requests × calls_per_request), spread over the
// day by the last 28 days' half-hourly intake (phone calls; without them every channel; without
// any, evenly), then Erlang C (staffing.h) per slot with the city's settings
// (insight_settings "staffing" at scope "city", else the defaults). Talk time is not measured
// yet: the answer's `basis` says the settings' talk time and after-call work were used.
//
// Who may read: kStatsRead over the hotline centre (the city's when there is no centre unit) —
// RequestService::FiguresPath. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "identity/identity_service.h"
#include "insight/forecast_service.h"
#include "insight/staffing.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::insight {

struct StaffingSlot {
  int slot = 0;  // 0 = 00:00–00:30
  double calls = 0, lo80 = 0, hi80 = 0;
  SlotNeed need;
};

struct StaffingAnswer {
  Day date = 0;
  std::string day_type;  // "mon" … "sun", "holiday", "makeup"
  std::string run_id;
  StaffingSettings settings;
  double aht_s = 0;
  std::string aht_source;    // "default": the settings' talk time + after-call work
  std::string basis;         // what the numbers rest on, in words (zh-CN, then English)
  std::string calls_series;  // the forecast series the day's calls came from
  std::string profile;       // "phone", "all", "uniform": the intraday shape used
  double day_calls = 0, day_lo80 = 0, day_hi80 = 0;
  std::vector<StaffingSlot> slots;  // 48
  DayPlan plan;
};

class StaffingService {
 public:
  StaffingService(storage::Database& db, const Clock& clock, ForecastService& forecasts,
                  requests::RequestService& requests, identity::IdentityService& identity)
      : db_(db), clock_(clock), forecasts_(forecasts), requests_(requests), identity_(identity) {}

  // InvalidArgument: a date outside the latest run's forecast days; Unavailable: no run yet.
  Result<StaffingAnswer> Staffing(const identity::Principal& actor, Day date);
  // The settings in effect (stored or the defaults).
  Result<StaffingSettings> Settings();

 private:
  storage::Database& db_;
  const Clock& clock_;
  ForecastService& forecasts_;
  requests::RequestService& requests_;
  identity::IdentityService& identity_;
};

}  // namespace xietong::insight
