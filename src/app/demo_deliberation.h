// The demo city's 议事厅 and participatory budgets (plan §10), made through
// the real DeliberationService on the demo's clock, for the orchestrator
// CreateDemoParticipation (demo_participation.h), which calls it before its
// reactions catch up (they write the implemented proposals' progress and
// complete the one whose task is done).
//
// In 湖畔社区 (the community of `resident`, with hupan01…hupan11): a
// proposal in every state — collecting (2), qualified, scheduled for next
// week's meeting, implementing as a task (40 %, two progress reports) and
// as a hub request (signed by its unit), done, rejected, expired, withdrawn
// and hidden — a meeting recorded about five weeks ago with 9 attendees and
// one scheduled in 5 days; two budgets: 湖畔社区微更新 (200,000 元, five
// projects) closed with its results after 11 residents voted, and
// 口袋公园提升 (150,000 元, four projects) voting until 14 days from now,
// with 6 ballots and none from `resident`. In 柳巷社区 (resident02,
// liuxiang01…05): one collecting proposal and one qualified when its
// threshold can be reached. Staff is street.lead (unit lead of 望湖街道,
// who may also form the community's 议事厅项目专班); task owners are
// street.handler.
//
// Idempotent: when 湖畔社区 has the first budget, nothing is made. Leaves
// `clock` at some time before `today`; the caller sets it again.
#pragma once

#include <string>

#include "app/demo_people.h"
#include "app/platform.h"
#include "collab/collab_service.h"
#include "core/clock.h"
#include "core/result.h"
#include "participation/deliberation_service.h"
#include "requests/request_service.h"

namespace xietong::app {

struct DemoDeliberationReport {
  int proposals = 0;
  int meetings = 0;
  int budgets = 0;
  int ballots = 0;
  bool existed = false;
  std::string skipped;  // why nothing was made, when nothing was
};

// `today`: midnight in 江澜 (UTC+8) of the real day. The services run on
// `clock` (a ManualClock the function moves) over the platform's database.
Result<DemoDeliberationReport> CreateDemoDeliberation(
    Platform& platform, ManualClock& clock, DemoPeople& people,
    participation::DeliberationService& deliberation, collab::CollabService& collab,
    requests::RequestService& requests, Timestamp today);

}  // namespace xietong::app
