// The demo city's 多元参与 (issue 18), for `xietong demo`, in two steps.
//
// CreateDemoNeighbours, right after the city: neighbours for the demo's
// two residents — hupan01…hupan11 in 湖畔社区 (with `resident`) and
// liuxiang01…liuxiang05 in 柳巷社区 (with `resident02`) — so that a
// proposal can gather supports and a budget has voters; and three
// organisations (社会组织, org units of kind organisation) with their
// members. Before the emergency demo, whose crowd reports some of them
// send signed in.
//
// CreateDemoParticipation, last: what the residents did over the last
// eight weeks that the points rules pay for — requests they filed on the
// web, handled and called back; hours they volunteered on 湖畔社区's
// clean-up task force, confirmed by its lead — through the real services
// on a clock set back in time; then the participation reactions catch up
// on that clock, so the ledger, the caps and the audit chain are what
// production would have. The rules, rewards and households before the
// history, and the redemptions after it, come from demo_points; the
// proposals, meetings and budgets from demo_deliberation.
// Idempotent: what exists is not made again.
#pragma once

#include <string>

#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

struct DemoNeighboursReport {
  int neighbours = 0;     // resident accounts created
  int organisations = 0;  // organisation units created
  bool existed = false;
};

Result<DemoNeighboursReport> CreateDemoNeighbours(Platform& platform,
                                                  const std::string& staff_password);

struct DemoParticipationReport {
  int requests = 0;            // filed by residents on the web and closed after the callback
  int volunteer_days = 0;      // confirmed days of volunteer hours
  int rules = 0, rewards = 0;  // demo_points
  int redemptions = 0;
  int proposals = 0, budgets = 0, ballots = 0;  // demo_deliberation
  std::int64_t postings = 0;                    // points postings on the ledger at the end
  bool existed = false;
  std::string skipped;  // why nothing was made, when nothing was
};

Result<DemoParticipationReport> CreateDemoParticipation(Platform& platform,
                                                        const std::string& staff_password);

}  // namespace xietong::app
