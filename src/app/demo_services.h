// The demo city's one-thing services, for `xietong demo`: the three bundles
// of data/services/ (开办餐饮店, 新生儿出生, 退休) deployed with their BPMN
// processes, and two months of applications in every state — completed with
// licences, refused, corrected once, waiting in the departments' queues,
// waiting for the applicant's 补正 — so that the step analytics and the
// figures have something to show.
//
// The applications go through the real commands (ServicesService, with its
// reactions run in place), acting as the demo residents and department
// handlers on a clock set back in time. Idempotent: when any application
// exists, only missing bundles are added. Deterministic but for the times,
// which follow the day it runs.
#pragma once

#include <string>

#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

struct DemoServicesReport {
  int services = 0;      // bundles defined (new versions)
  int applications = 0;  // applications made
  bool existed = false;  // applications were there already
  std::string skipped;   // why no applications were made, when none were
};

// services_dir: where the bundles' .bpmn and .json files are ("" = the
// shipped data/services).
Result<DemoServicesReport> CreateDemoServices(Platform& platform, const std::string& staff_password,
                                              const std::string& services_dir = "");

}  // namespace xietong::app
