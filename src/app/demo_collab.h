// The demo city's 专班 and 协同办公, for `xietong demo`: three active task
// forces (a hotspot of waterlogging in 望湖街道 led by 临江区, the city's
// key project of lifts for old residential blocks with its milestones and
// spend, and a hotspot of square-dance noise with its requests linked) and one
// dissolved after the National Day holiday with its summary and handover;
// a week of traffic in their channels, an ad-hoc group and a 1-1 channel;
// a directive from the city to every community, read and acknowledged by
// some of them, one more from 临江区 still open; and 临江区's weekly flood
// report form to its communities, last week's nearly all answered (two
// late), this week's half.
//
// Everything goes through CollabService's real commands as the demo's
// people, on a clock set back in time. Idempotent: when the first force
// exists, nothing is done. Deterministic but for the times and ids.
#pragma once

#include <string>

#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

struct DemoCollabReport {
  int forces = 0, tasks = 0, messages = 0, directives = 0, receipts = 0, acknowledged = 0;
  int linked = 0;
  int forms = 0,
      form_answers =
          0;  // 报送/填报  // requests linked to the hotspot force (0 without demo requests)
  bool existed = false;
};

Result<DemoCollabReport> CreateDemoCollab(Platform& platform, const std::string& staff_password);

}  // namespace xietong::app
