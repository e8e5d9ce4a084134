// The demo city's requests, for `xietong demo`: the city's past
// (demo_history.h: by default 400 days, about 240 requests a day, so the
// rates, the ranking, forecasts and the monthly report have something to
// show) and a handful of live requests in every state of the lifecycle, in
// the inboxes of the well-known demo logins (operator, street.handler,
// dept.handler, supervisor, resident).
//
// Idempotent: when any demo request exists, nothing is added. Deterministic:
// the texts, places and outcomes come from fixed tables and a fixed-seed
// generator, so two runs on two machines tell the same story; only the times
// follow the day it runs. The live requests go through the real commands,
// acting as the demo accounts (logged in with the staff password); when those
// logins fail (passwords changed), only the history is added.
#pragma once

#include <string>

#include "app/demo_history.h"
#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

struct DemoRequestReport {
  int history = 0;       // requests of the past (closed, and open in the last days)
  int live = 0;          // requests created now, in every state
  bool existed = false;  // demo requests were there already; nothing was added
  std::string skipped;   // why the live requests were not made, when they were not
};

Result<DemoRequestReport> CreateDemoRequests(Platform& platform, const std::string& staff_password,
                                             const DemoHistoryOptions& history = {});

}  // namespace xietong::app
