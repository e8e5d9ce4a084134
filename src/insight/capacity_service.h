// CapacityService: the what-if of issue 19 (docs/plans/decision-support.md §4.3, §8.2). It
// keeps one immutable CapacityBaseline per node — handlers per unit (IdentityService), the
// per-handler throughput of the last 12 weeks and the matter mix and arrivals of the last 8
// (RequestService reads), the forecast of each unit's series from the latest run
// (ForecastService::Find; without one, the unit's mean per weekday over the last 8 weeks), the
// open work in units' hands and the working-day calendar — rebuilt when the forecast run
// changes or it is older than 15 minutes. A what-if validates the sliders and runs the pure
// Project() (capacity.h) on it: it computes and stores nothing.
//
// Who may read: kStatsRead over the scope unit (RequestService::FiguresPath). Settings: the
// optional insight setting "capacity" at scope "city" — {"weekend_factor": 0.2,
// "handlers": {unit_id: n}, "per_handler_per_day": {unit_id: x}}. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "identity/identity_service.h"
#include "insight/capacity.h"
#include "insight/forecast_service.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::insight {

inline constexpr double kMinVolumePct = -50, kMaxVolumePct = 100;
inline constexpr int kMaxHandlerDelta = 100;  // per unit, either way

struct WhatIfInput {
  std::string unit_id = {};  // the scope; "" = the actor's widest (the city when allowed)
  int weeks = 6;             // 1…8
  double volume_pct = 0;     // −50…+100
  std::string volume_category_id = {};                     // "" or a level-1/2 category
  std::vector<std::pair<std::string, int>> handlers = {};  // unit_id → delta (−100…+100)
  std::vector<std::pair<std::string, int>> limits = {};    // leaf matter → 1…60 working days
};

struct WhatIfAnswer {
  Day as_of = 0;
  std::string unit_id = {};          // the scope answered ("" = the city)
  std::string forecast_run_id = {};  // "" without a run
  std::string arrivals_source = {};  // "forecast:<run id>" | "history"
  std::string basis = {};            // the assumptions in words (zh-CN, then English)
  double computed_ms = 0;            // the projection itself
  double baseline_ms = 0;            // how long building the baseline in use took
  Timestamp baseline_built_at = 0;
  Projection projection;
};

class CapacityService {
 public:
  CapacityService(storage::Database& db, const Clock& clock, const WorkCalendar& calendar,
                  ForecastService& forecasts, requests::RequestService& requests,
                  matters::MatterService& matters, identity::IdentityService& identity)
      : db_(db),
        clock_(clock),
        calendar_(calendar),
        forecasts_(forecasts),
        requests_(requests),
        matters_(matters),
        identity_(identity) {}

  // The baseline and the scenario over the scope. InvalidArgument: a slider out of range (the
  // message names it); NotFound: an unknown unit or matter; PermissionDenied: the actor may
  // not read the scope's figures.
  Result<WhatIfAnswer> WhatIf(const identity::Principal& actor, const WhatIfInput& in);
  // The baseline in effect, built when there is none, the forecast run changed or it is older
  // than 15 minutes (the first caller builds; others wait for it).
  Result<std::shared_ptr<const CapacityBaseline>> Baseline();

 private:
  Result<std::shared_ptr<const CapacityBaseline>> Build(Day today, const std::string& run_id);

  storage::Database& db_;
  const Clock& clock_;
  const WorkCalendar& calendar_;
  ForecastService& forecasts_;
  requests::RequestService& requests_;
  matters::MatterService& matters_;
  identity::IdentityService& identity_;

  std::mutex mutex_;                                  // one build at a time; guards baseline_
  std::shared_ptr<const CapacityBaseline> baseline_;  // GUARDED_BY(mutex_)
};

}  // namespace xietong::insight
