// The demo city's 应急协同 and 预警, for `xietong demo`: early-warning rules
// for the usual categories (道路积水, 燃气泄漏, 供水管道爆裂, 停水, 下水道堵塞);
// last month's storm in 望湖街道 — a burst of 道路积水 calls that raised a
// warning, escalated by the street to a level IV incident with its 指挥部,
// crowd reports verified, marked duplicate or false, needs met from the
// street's warehouse, rescue team, pump trucks and shelter, commitments
// delivered, and the incident closed with its summary; a 燃气泄漏 warning of
// two weeks ago that the supervisor dismissed, and a 停水 warning of three
// days ago that went quiet by itself.
//
// The calls go through the real intake and the warnings through the real
// reaction (caught up here, on a clock set back in time), so the evidence,
// the curve and the audit chain are what production would have. Run before
// the live demo requests: the detector sees intake in time order.
// Idempotent: when the demo's rules exist, nothing is done.
#pragma once

#include <string>

#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

struct DemoEmergencyReport {
  int rules = 0, calls = 0, warnings = 0, incidents = 0, reports = 0, needs = 0, commitments = 0;
  int reserves = 0;  // the standing reserves of the street and its district
  int closed = 0;    // the calls handled, called back and closed
  bool existed = false;
  std::string skipped;  // why nothing was made, when nothing was
};

Result<DemoEmergencyReport> CreateDemoEmergency(Platform& platform,
                                                const std::string& staff_password);

}  // namespace xietong::app
