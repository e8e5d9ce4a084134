// Data quality defects become the owner's work in the hub: each defect
// batch an accepted import left (ExchangeService::PendingDefectWork) is
// filed as a request — matter 政务数据质量 (code 06-03-04) — and dispatched to the
// department that owns the data, so it is counted, timed and ranked like
// any other request. Idempotent by import id (the request's
// Idempotency-Key): a node that dies between filing and marking files the
// same request again, never a second one. `serve` runs it every minute.
#pragma once

#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

inline constexpr std::string_view kDataQualityMatterCode = "06-03-04";

// Files what is pending; answers how many were filed. Without the matter
// (a city that has not defined it) nothing is filed and it says so.
Result<int> FileDataQualityWork(Platform& p);

}  // namespace xietong::app
