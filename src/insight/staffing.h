// Hotline seats per half-hour with Erlang C and a rota that covers them
// (docs/plans/decision-support.md §3.1, §3.3). Offered load A = λ·AHT Erlangs; Erlang B by
// its stable recursion (no factorials, no overflow at A in the thousands), Erlang C, the
// service level P(wait ≤ T), the average speed of answer, the smallest number of seats that
// meets the target and the occupancy cap, agents to schedule after shrinkage, and a greedy
// interval cover of the agents per slot by shifts. Pure: no clock, no SQL, no state; every
// function is thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace xietong::insight {

constexpr int kSlotsPerDay = 48;  // half-hours, 00:00–24:00
constexpr double kSlotSeconds = 1800;

// Erlang B: the probability that a call finds all n servers busy in a loss system with
// offered load a Erlangs. B(0, a) = 1; B(n, a) = a·B(n−1, a) / (n + a·B(n−1, a)).
double ErlangB(int n, double a);
// Erlang C: the probability that a call waits, n·B / (n − a·(1 − B)) for n > a; 1 for n <= a
// (the queue grows without bound).
double ErlangC(int n, double a);
// P(wait <= target_s) = 1 − C·exp(−(n − a)·target_s / aht_s); 0 for n <= a.
double ServiceLevel(int n, double a, double aht_s, double target_s);
// Average speed of answer C·aht_s / (n − a) in seconds; +infinity for n <= a.
double AverageSpeedOfAnswer(int n, double a, double aht_s);

// What a city sets for its hotline (insight_settings "staffing.*"; the defaults of §3.2).
struct StaffingSettings {
  double talk_s = 240;        // talk time when it is not measured
  double acw_s = 60;          // after-call work (not measurable on the platform)
  double target_level = 0.8;  // share of calls answered within target_s
  double target_s = 20;
  double shrinkage = 0.3;      // breaks, training, leave: agents = ⌈seats / (1 − shrinkage)⌉
  double max_occupancy = 0.9;  // a / seats at most this
  double calls_per_request = 1;  // calls per recorded request (answered enquiries are not requests)
  double talk_offset_s = 15;     // added to a measured talk time (greeting before typing)
  int min_seats = 2;             // the line is open 24 h
  std::vector<int> shift_slots = {16};  // shift lengths in half-hours, the longest used first
};
// kInvalidArgument naming the field for a value outside its range.
Result<void> Validate(const StaffingSettings& settings);

// One slot's requirement.
struct SlotNeed {
  double calls = 0;
  double erlangs = 0;
  int seats = 0;   // answering at once
  int agents = 0;  // to schedule: ⌈seats / (1 − shrinkage)⌉
  double service_level = 0;
  double asa_s = 0;
  double occupancy = 0;
};
// The smallest n > a with ServiceLevel >= target_level and a/n <= max_occupancy, at least
// min_seats, for `calls` arriving in slot_seconds with handling time aht_s (talk + ACW).
// calls <= 0 gives min_seats (service level 1, occupancy 0).
SlotNeed SeatsFor(double calls, double slot_seconds, double aht_s,
                  const StaffingSettings& settings);

struct Shift {
  int start_slot = 0;
  int length_slots = 0;  // clipped at the end of the day
  int count = 0;
  friend bool operator==(const Shift&, const Shift&) = default;
};
// Covers agents[t] (t = 0…47, the day treated as linear: a shift is cut at 24:00) by shifts:
// at the first slot still short, start the missing number of shifts. The longest template is
// used, except that a shorter one is used when everything still uncovered in the day lies
// within it. For one template length this "first uncovered slot" rule is optimal (interval
// covering). Starts are in time order.
std::vector<Shift> CoverRota(std::span<const int> agents, std::span<const int> shift_slots);

// "07:30" for slot 15; "24:00" for slot 48.
std::string SlotTime(int slot);

struct DayPlan {
  std::vector<SlotNeed> slots = {};  // one per entry of calls
  std::vector<Shift> rota = {};
  double calls = 0;
  double seat_hours = 0;            // Σ seats · 0.5 h
  double agent_hours = 0;           // Σ shift count · length · 0.5 h (what the rota schedules)
  double required_agent_hours = 0;  // Σ agents · 0.5 h (over-cover = agent_hours − this)
  int peak_seats = 0;
  int peak_slot = 0;  // the first slot with peak_seats
};
// Seats for every half-hour of a day (calls per slot, already calls, not requests) and the
// rota over the agents to schedule.
DayPlan PlanDay(std::span<const double> calls, double aht_s, const StaffingSettings& settings);

}  // namespace xietong::insight
