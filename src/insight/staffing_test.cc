#include "insight/staffing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

namespace xietong::insight {
namespace {

// Reference values below were computed independently of this code, with the closed forms
//   B(n, A) = (Aⁿ/n!) / Σ_{k=0..n} Aᵏ/k!
//   C(n, A) = (Aⁿ/n!)·n/(n−A) / (Σ_{k<n} Aᵏ/k! + (Aⁿ/n!)·n/(n−A))
// evaluated with factorials in a throw-away Python script, and checked against the usual
// textbook table entry B(5, 3) = 0.1101.

TEST(ErlangTest, ErlangBMatchesTheTextbookTable) {
  EXPECT_NEAR(ErlangB(5, 3), 0.110054, 1e-6);
  EXPECT_DOUBLE_EQ(ErlangB(0, 3), 1.0);
  EXPECT_NEAR(ErlangB(1, 1), 0.5, 1e-12);  // A/(1+A)
}

TEST(ErlangTest, ErlangCAgainstTheClosedForm) {
  EXPECT_NEAR(ErlangC(5, 3), 0.236152, 1e-6);
  // 100 calls in 30 minutes, AHT 180 s: A = 10 Erlangs.
  EXPECT_NEAR(ErlangC(13, 10), 0.285270, 1e-6);
  EXPECT_NEAR(ErlangC(14, 10), 0.174132, 1e-6);
  EXPECT_DOUBLE_EQ(ErlangC(10, 10), 1.0);  // n <= A: everyone waits
  EXPECT_DOUBLE_EQ(ErlangC(3, 10), 1.0);
}

TEST(ErlangTest, ServiceLevelAndSpeedOfAnswer) {
  // SL = 1 − C·exp(−(n − A)·20/180).
  EXPECT_NEAR(ServiceLevel(13, 10, 180, 20), 0.795595, 1e-6);
  EXPECT_NEAR(ServiceLevel(14, 10, 180, 20), 0.888350, 1e-6);
  EXPECT_NEAR(AverageSpeedOfAnswer(14, 10, 180), 7.835937, 1e-5);
  EXPECT_NEAR(AverageSpeedOfAnswer(13, 10, 180), 17.116227, 1e-5);
  EXPECT_DOUBLE_EQ(ServiceLevel(10, 10, 180, 20), 0.0);
  EXPECT_TRUE(std::isinf(AverageSpeedOfAnswer(9, 10, 180)));
}

TEST(ErlangTest, LargeLoadsStayFinite) {
  // A = 1,000 Erlangs: factorials would overflow; the recursion does not.
  const double c = ErlangC(1100, 1000);
  EXPECT_TRUE(std::isfinite(c));
  EXPECT_NEAR(c, 0.0010448, 1e-6);
  EXPECT_NEAR(ServiceLevel(1100, 1000, 270, 20), 0.99999937, 1e-7);
  EXPECT_TRUE(std::isfinite(ErlangB(5000, 4000.5)));
}

TEST(ErlangTest, MoreSeatsNeverServeWorse) {
  for (double a : {0.7, 4.0, 10.0, 37.5, 150.0}) {
    double last_c = 1.0, last_sl = 0.0, last_asa = std::numeric_limits<double>::infinity();
    for (int n = static_cast<int>(a) + 1; n < static_cast<int>(a) + 60; ++n) {
      const double c = ErlangC(n, a), sl = ServiceLevel(n, a, 240, 20),
                   asa = AverageSpeedOfAnswer(n, a, 240);
      EXPECT_LE(c, last_c + 1e-12) << a << " " << n;
      EXPECT_GE(sl, last_sl - 1e-12) << a << " " << n;
      EXPECT_LE(asa, last_asa + 1e-9) << a << " " << n;
      last_c = c, last_sl = sl, last_asa = asa;
    }
  }
  // More load on the same seats: more waiting.
  EXPECT_GT(ErlangC(20, 15), ErlangC(20, 12));
}

TEST(SeatsTest, ThePlanVectors) {
  StaffingSettings s;
  s.max_occupancy = 1.0;  // the service level alone
  s.min_seats = 0;
  SlotNeed a10 = SeatsFor(100, 1800, 180, s);
  EXPECT_DOUBLE_EQ(a10.erlangs, 10);
  EXPECT_EQ(a10.seats, 14);  // 13 seats reach only 79.6 %
  EXPECT_NEAR(a10.service_level, 0.888350, 1e-6);
  EXPECT_NEAR(a10.asa_s, 7.84, 0.01);
  EXPECT_EQ(a10.agents, 20);  // ⌈14 / 0.7⌉
  EXPECT_EQ(SeatsFor(180, 1800, 240, s).seats, 29);
  SlotNeed a150 = SeatsFor(1000, 1800, 270, s);
  EXPECT_EQ(a150.seats, 159);
  EXPECT_NEAR(a150.service_level, 0.814585, 1e-6);
  EXPECT_NEAR(a150.occupancy, 0.943396, 1e-6);
  s.max_occupancy = 0.9;  // the cap raises it to ⌈150 / 0.9⌉
  EXPECT_EQ(SeatsFor(1000, 1800, 270, s).seats, 167);
  s.min_seats = 2;
  SlotNeed low = SeatsFor(5, 1800, 255, s);
  EXPECT_EQ(low.seats, 2);
  EXPECT_NEAR(low.service_level, 0.832592, 1e-6);
}

TEST(SeatsTest, NoCallsStillKeepsTheLineOpen) {
  StaffingSettings s;
  SlotNeed none = SeatsFor(0, 1800, 300, s);
  EXPECT_EQ(none.seats, 2);
  EXPECT_EQ(none.agents, 3);
  EXPECT_DOUBLE_EQ(none.service_level, 1.0);
  EXPECT_DOUBLE_EQ(none.occupancy, 0.0);
  s.min_seats = 0;
  EXPECT_EQ(SeatsFor(0, 1800, 300, s).seats, 0);
}

TEST(SeatsTest, SeatsRiseWithCallsAndHandlingTime) {
  StaffingSettings s;
  int last = 0;
  for (double calls = 0; calls <= 2000; calls += 25) {
    SlotNeed n = SeatsFor(calls, 1800, 300, s);
    EXPECT_GE(n.seats, last) << calls;
    EXPECT_GE(n.service_level, s.target_level) << calls;
    EXPECT_LE(n.occupancy, s.max_occupancy + 1e-12) << calls;
    // The smallest: one seat fewer misses the target or the cap (or the minimum).
    if (n.seats > s.min_seats) {
      const int fewer = n.seats - 1;
      EXPECT_TRUE(ServiceLevel(fewer, n.erlangs, 300, 20) < s.target_level ||
                  n.erlangs / fewer > s.max_occupancy)
          << calls;
    }
    last = n.seats;
  }
  EXPECT_GT(SeatsFor(100, 1800, 400, s).seats, SeatsFor(100, 1800, 200, s).seats);
  StaffingSettings strict = s;
  strict.target_level = 0.95;
  EXPECT_GT(SeatsFor(100, 1800, 300, strict).seats, SeatsFor(100, 1800, 300, s).seats);
}

TEST(SettingsTest, ValidateNamesTheField) {
  EXPECT_TRUE(Validate(StaffingSettings{}).has_value());
  StaffingSettings s;
  s.shrinkage = 0.95;
  auto r = Validate(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "shrinkage");
  s = {};
  s.talk_s = 0;
  EXPECT_EQ(Validate(s).error().field, "talk_seconds");
  s = {};
  s.target_level = 1.0;
  EXPECT_EQ(Validate(s).error().field, "target_level");
  s = {};
  s.shift_slots = {};
  EXPECT_EQ(Validate(s).error().field, "shift_slots");
  s.shift_slots = {16, 49};
  EXPECT_EQ(Validate(s).error().field, "shift_slots");
  s = {};
  s.max_occupancy = std::nan("");
  EXPECT_EQ(Validate(s).error().field, "max_occupancy");
}

// Checks a rota covers the need at every slot.
void ExpectCovers(const std::vector<Shift>& rota, const std::vector<int>& need) {
  std::vector<int> covered(need.size(), 0);
  for (const Shift& s : rota) {
    ASSERT_GE(s.start_slot, 0);
    ASSERT_LE(s.start_slot + s.length_slots, static_cast<int>(need.size()));
    for (int t = s.start_slot; t < s.start_slot + s.length_slots; ++t) covered[t] += s.count;
  }
  for (std::size_t t = 0; t < need.size(); ++t) EXPECT_GE(covered[t], need[t]) << t;
}

int Agents(const std::vector<Shift>& rota) {
  int n = 0;
  for (const Shift& s : rota) n += s.count;
  return n;
}

TEST(RotaTest, OneBlockNeedsOneStart) {
  std::vector<int> need(48, 0);
  for (int t = 16; t < 30; ++t) need[t] = 3;  // 08:00–15:00
  const std::vector<int> lengths{16};
  auto rota = CoverRota(need, lengths);
  ASSERT_EQ(rota.size(), 1u);
  EXPECT_EQ(rota[0], (Shift{.start_slot = 16, .length_slots = 16, .count = 3}));
  ExpectCovers(rota, need);
}

TEST(RotaTest, TwoPeaksByHand) {
  // 2 agents all day, 5 from 09:00 to 12:00, 4 from 14:00 to 18:00, 8-h shifts. No rota has
  // fewer than 11 agents: 00:00, 09:00 and 17:00 are pairwise 8 h or more apart, so no shift
  // covers two of them, and they need 2 + 5 + 4. The greedy reaches 11.
  std::vector<int> need(48, 2);
  for (int t = 18; t < 24; ++t) need[t] = 5;
  for (int t = 28; t < 36; ++t) need[t] = 4;
  const std::vector<int> lengths{16};
  auto rota = CoverRota(need, lengths);
  ExpectCovers(rota, need);
  EXPECT_EQ(Agents(rota), 11);
  ASSERT_EQ(rota.size(), 5u);
  EXPECT_EQ(rota[0], (Shift{0, 16, 2}));
  EXPECT_EQ(rota[1], (Shift{16, 16, 2}));
  EXPECT_EQ(rota[2], (Shift{18, 16, 3}));
  EXPECT_EQ(rota[3], (Shift{32, 16, 1}));
  EXPECT_EQ(rota[4], (Shift{34, 14, 3}));  // cut at 24:00
  EXPECT_EQ(SlotTime(rota[2].start_slot), "09:00");
  EXPECT_EQ(SlotTime(48), "24:00");
}

TEST(RotaTest, AShortShiftOnlyForATailThatFitsIt) {
  // 4 agents 08:00–16:00 and 1 more 16:00–19:00: the last 6 slots fit a 4-h shift.
  std::vector<int> need(48, 0);
  for (int t = 16; t < 32; ++t) need[t] = 4;
  for (int t = 32; t < 38; ++t) need[t] = 1;
  const std::vector<int> lengths{16, 8};
  auto rota = CoverRota(need, lengths);
  ExpectCovers(rota, need);
  ASSERT_EQ(rota.size(), 2u);
  EXPECT_EQ(rota[0], (Shift{16, 16, 4}));
  EXPECT_EQ(rota[1], (Shift{32, 8, 1}));
  // Only the long template: the tail takes a full shift.
  auto only_long = CoverRota(need, std::vector<int>{16});
  EXPECT_EQ(only_long[1], (Shift{32, 16, 1}));
}

TEST(RotaTest, GreedyIsOptimalForOneLengthOnRandomNeeds) {
  // Against exhaustive search on small days (8 slots, shifts of 3): the greedy count equals the
  // least number of shifts that covers the need.
  std::uint32_t seed = 7;
  auto next = [&] { return (seed = seed * 1664525u + 1013904223u) >> 28; };
  for (int round = 0; round < 40; ++round) {
    std::vector<int> need(8);
    for (int& n : need) n = static_cast<int>(next() % 3);
    auto rota = CoverRota(need, std::vector<int>{3});
    ExpectCovers(rota, need);
    // Lower bound by LP duality for interval covering: the maximum over slots sets pairwise
    // ≥ 3 apart of Σ need — equal to the optimum for interval matrices.
    int best = 0;
    for (int mask = 0; mask < 256; ++mask) {
      int sum = 0, last = -10;
      bool ok = true;
      for (int t = 0; t < 8 && ok; ++t) {
        if (!(mask >> t & 1)) continue;
        ok = t - last >= 3;
        last = t;
        sum += need[t];
      }
      if (ok) best = std::max(best, sum);
    }
    EXPECT_EQ(Agents(rota), best) << round;
  }
}

TEST(PlanDayTest, TotalsAndPeak) {
  std::vector<double> calls(48, 4.0);
  calls[20] = 120;  // 10:00
  StaffingSettings s;
  DayPlan plan = PlanDay(calls, 300, s);
  ASSERT_EQ(plan.slots.size(), 48u);
  EXPECT_DOUBLE_EQ(plan.calls, 47 * 4.0 + 120);
  EXPECT_EQ(plan.peak_slot, 20);
  EXPECT_EQ(plan.peak_seats, plan.slots[20].seats);
  double seat_hours = 0, need_hours = 0;
  std::vector<int> agents;
  for (const SlotNeed& n : plan.slots) {
    seat_hours += 0.5 * n.seats;
    need_hours += 0.5 * n.agents;
    agents.push_back(n.agents);
  }
  EXPECT_DOUBLE_EQ(plan.seat_hours, seat_hours);
  EXPECT_DOUBLE_EQ(plan.required_agent_hours, need_hours);
  EXPECT_GE(plan.agent_hours, plan.required_agent_hours);
  ExpectCovers(plan.rota, agents);
}

}  // namespace
}  // namespace xietong::insight
