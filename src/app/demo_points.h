// The demo city's points (积分制, issue 18; docs/plans/participation.md §10),
// in two steps that demo_participation's orchestrator calls around the
// history it makes, through the real PointsService on the demo's clock.
//
// SeedDemoPoints, before the history: the participation settings (湖畔社区
// threshold 5, 柳巷社区 4), the seven rules for every street and township
// (valid from 60 days before today) plus 湖畔社区's own report_verified rule
// (25 分: the most specific rule wins), every community's rewards (and
// 湖畔社区's three more, one with a single item left), and the households
// (street.lead + hupan07, hupan01 + hupan02, resident alone), so that what
// the lead confirms for hupan07 is held for review. Idempotent: when the
// first street already has rules, nothing is made.
//
// SpendDemoPoints, after the reactions have caught up: redemptions in each
// state (6 fulfilled, 2 approved, 1 waiting for 兑换审批, 1 rejected with its
// refund) by 湖畔社区's residents who can afford them, a mistaken manual
// award to hupan03 and its reversal (误发冲正), 望湖便民超市's 诚信经营 award,
// and last month's honour roll published for 湖畔社区 and 柳巷社区.
// Idempotent: when 湖畔社区 has redemptions, nothing is made.
#pragma once

#include <string>

#include "app/platform.h"
#include "core/clock.h"
#include "core/result.h"
#include "participation/points_service.h"

namespace xietong::app {

struct DemoPointsSeedReport {
  int rules = 0;
  int rewards = 0;
  int households = 0;
  bool existed = false;
};

// `points` runs on `clock` (the orchestrator's); the rules' validity starts
// 60 days before the platform clock's today.
Result<DemoPointsSeedReport> SeedDemoPoints(Platform& platform, ManualClock& clock,
                                            participation::PointsService& points);

struct DemoPointsSpendReport {
  int redemptions = 0;
  int manual_awards = 0;  // including the mistaken one
  int reversals = 0;
  int honour_rolls = 0;
  bool existed = false;
};

Result<DemoPointsSpendReport> SpendDemoPoints(Platform& platform, ManualClock& clock,
                                              participation::PointsService& points);

}  // namespace xietong::app
