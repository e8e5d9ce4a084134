// Capacity and what-if (issue 19, docs/plans/decision-support.md §4): a fluid queue per
// handling unit over the next weeks, served earliest-due-first (units work to deadlines), fed
// by the forecast arrivals split into finish-limit classes by the unit's matter mix and by the
// open work already in its hands. A what-if (Scenario) changes volume, handlers and limits; the
// baseline it runs on is built once (capacity_service.h), so Project() is pure arithmetic.
// Pure: no clock, no SQL; every function is thread-safe over a const baseline.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "insight/series.h"

namespace xietong::insight {

inline constexpr int kMaxWhatIfWeeks = 8;
inline constexpr int kMaxLimitDays = 60;

// One handling unit's inputs.
struct UnitBaseline {
  std::string unit_id = {}, unit_name = {}, unit_path = {};
  int handlers = 0;                   // H_u (accounts, or 1 assumed: handlers_assumed)
  bool handlers_assumed = false;      // the unit has work but no handler account
  double per_handler_per_day = 0;     // μ_u, requests a handler finishes on a working day
  std::vector<double> arrivals = {};  // A_{u,d} per day of the horizon (the baseline's days)
  // Share of the unit's arrivals per leaf matter and per level-1/level-2 category (last 8
  // weeks); each map sums to ≤ 1 (the rest: matters unknown to the catalogue, default limit).
  std::unordered_map<std::string, double> matter_share = {}, category_share = {};
  std::vector<std::pair<int, double>> open_due = {};  // (day index, count); index < 0: overdue
};

struct CapacityBaseline {
  Day today = 0;  // day index 0
  int days = 0;   // the longest horizon the arrivals cover (8 weeks from this week's Monday)
  // Per calendar day from today, beyond the horizon by enough for a 60-working-day limit:
  // 1 on working days (the platform calendar).
  std::vector<char> working = {};
  double weekend_factor = 0.2;  // capacity on other days, as a share of a working day's
  int default_limit_days = 7;   // for matters without a known limit
  std::unordered_map<std::string, int> matter_limit_days = {};  // leaf → finish working days
  std::vector<UnitBaseline> units = {};
  Timestamp built_at = 0;
  std::string forecast_run_id = {};  // "" when the arrivals came from history
  int history_units = 0;             // units whose arrivals came from history all the same
  double median_per_handler = 0;     // the city's floor for μ
  double build_ms = 0;               // how long building it took
};

struct Scenario {
  int weeks = 6;                        // 1…8 calendar weeks; the first one starts today
  double volume_pct = 0;                // −50…+100
  std::string volume_category_id = {};  // "" = all; a level-1/2 category or a leaf matter
  std::vector<std::pair<std::string, int>> extra_handlers = {};  // unit_id → delta
  std::vector<std::pair<std::string, int>> limit_days = {};      // leaf → finish working days
  std::string under_path = {};  // only units whose path starts with it ("" = all)
};

struct UnitResult {
  std::vector<double> backlog = {}, new_overdue = {}, done = {};  // per week
  double arrivals = 0;                                            // over the horizon
  double workload = 0;  // arrivals + the open work not yet overdue at the start
  double backlog_end = 0, new_overdue_total = 0;
  double overdue_share = 0;  // new overdue / workload (0 without any)
  int clears_in_days = -1;   // first day the backlog is below a working day's capacity; -1 never
};

struct UnitProjection {
  std::string unit_id = {}, unit_name = {};
  int handlers = 0, scenario_handlers = 0;
  bool handlers_assumed = false;
  double per_handler_per_day = 0;
  UnitResult baseline, scenario;
};

struct Projection {
  std::vector<Day> weeks = {};             // the Monday of each week
  int days = 0;                            // days projected (today … the last week's Sunday)
  std::vector<UnitProjection> units = {};  // scenario overdue share, highest first
  UnitResult total_baseline, total_scenario;
};

// The days from today to the Sunday ending the weeks-th calendar week (this week is the first).
int HorizonDays(Day today, int weeks);
// The baseline and the scenario for the units under scenario.under_path. Unknown units in
// extra_handlers and unknown matters in limit_days change nothing (the service validates
// them); weeks is clamped to 1…8 and to the baseline's days; a handler count never goes below 0.
Projection Project(const CapacityBaseline& baseline, const Scenario& scenario);

}  // namespace xietong::insight
