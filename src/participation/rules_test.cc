// Triggers from real-shaped payloads (docs/plans/participation.md §4.2's
// table, not the emitters' code), rule choice, amounts, caps and holds.
#include "participation/rules.h"

#include <gtest/gtest.h>

namespace xietong::participation {
namespace {

audit::Event Ev(std::string action, std::string subject, std::string actor, json::Json payload) {
  return {.seq = 7,
          .at = 1'700'000'000'000'000,
          .actor = std::move(actor),
          .action = std::move(action),
          .subject = std::move(subject),
          .payload = payload.dump(),
          .prev_hash = "",
          .hash = ""};
}

json::Json Callback(std::string to, bool satisfied) {
  return {{"number", "20261123-0001"},
          {"from", "replied"},
          {"to", to},
          {"resolved", satisfied},
          {"satisfaction", satisfied ? "satisfied" : "dissatisfied"},
          {"requester_id", "R1"},
          {"community_id", "C1"},
          {"street_id", "S1"},
          {"district_id", "D1"}};
}

TEST(RulesTest, TriggerNamesAndCodes) {
  ASSERT_EQ(Triggers().size(), 7u);
  EXPECT_EQ(TriggerCode(Trigger::kReportVerified), "report_verified");
  EXPECT_EQ(InfoOf(Trigger::kVolunteerHour).per, "hour");
  EXPECT_EQ(InfoOf(Trigger::kRequestFixed).name_zh, "诉求办结");
  EXPECT_EQ(ParseTrigger("ballot_cast"), Trigger::kBallotCast);
  EXPECT_FALSE(ParseTrigger("satisfied_callback"));
  EXPECT_FALSE(ParseTrigger("manual"));
}

TEST(RulesTest, ARequestClosedPaysItsRequesterWhateverTheRating) {
  for (bool satisfied : {true, false}) {
    auto hits = TriggerOf(Ev("request.callback", "REQ1", "OP1", Callback("closed", satisfied)));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].trigger, Trigger::kRequestFixed);
    EXPECT_EQ(hits[0].subject_id, "REQ1");
    EXPECT_EQ(hits[0].earner, "R1");
    EXPECT_EQ(hits[0].decider, "OP1");
    EXPECT_EQ(hits[0].units, (std::vector<std::string>{"C1", "S1", "D1"}));
    EXPECT_EQ(hits[0].quantity, 1);
  }
  auto closed = TriggerOf(Ev("request.closed", "REQ1", "OP1",
                             {{"number", "n"},
                              {"from", "replied"},
                              {"to", "closed"},
                              {"requester_id", "R1"},
                              {"street_id", "S1"}}));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].units, (std::vector<std::string>{"S1"}));
}

TEST(RulesTest, NoTriggerWhenNotClosedOrNoRequester) {
  EXPECT_TRUE(
      TriggerOf(Ev("request.callback", "REQ1", "OP1", Callback("handling", false))).empty());
  auto anon = Callback("closed", true);
  anon.erase("requester_id");
  EXPECT_TRUE(TriggerOf(Ev("request.callback", "REQ1", "OP1", anon)).empty());
  EXPECT_TRUE(TriggerOf(Ev("request.received", "REQ1", "OP1", Callback("closed", true))).empty());
  EXPECT_TRUE(TriggerOf(Ev("request.callback", "REQ1", "OP1", json::Json::array())).empty());
}

TEST(RulesTest, VerifiedWebReportPaysItsReporterByTheCommandingUnit) {
  json::Json p = {
      {"incident_id", "I1"}, {"verdict", "verified"}, {"duplicate_of", ""},         {"note", ""},
      {"need_id", ""},       {"reporter_id", "R2"},   {"unit_path", "/CITY/D1/S1/"}};
  auto hits = TriggerOf(Ev("emergency.report.verified", "REP1", "V1", p));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].trigger, Trigger::kReportVerified);
  EXPECT_EQ(hits[0].earner, "R2");
  EXPECT_EQ(hits[0].decider, "V1");
  EXPECT_EQ(hits[0].units, (std::vector<std::string>{"S1", "D1", "CITY"}));
  p["verdict"] = "rejected";
  EXPECT_TRUE(TriggerOf(Ev("emergency.report.verified", "REP1", "V1", p)).empty());
  p["verdict"] = "verified";
  p.erase("reporter_id");  // a phone record by an operator: nobody earns
  EXPECT_TRUE(TriggerOf(Ev("emergency.report.verified", "REP1", "V1", p)).empty());
}

TEST(RulesTest, VolunteerHoursCarryTheirMinutes) {
  json::Json p = {{"force_id", "F1"},    {"task_id", "T1"}, {"volunteer_id", "R3"},
                  {"day", "2026-11-23"}, {"minutes", 90},   {"unit_path", "/CITY/D1/S1/"}};
  auto hits = TriggerOf(Ev("collab.volunteer.confirmed", "VC1", "LEAD", p));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].trigger, Trigger::kVolunteerHour);
  EXPECT_EQ(hits[0].quantity, 90);
  EXPECT_EQ(hits[0].subject_id, "VC1");
  Rule r{.trigger = Trigger::kVolunteerHour, .points = 15};
  EXPECT_EQ(AwardAmount(r, hits[0]), 22);  // ⌊15 × 90 / 60⌋
  EXPECT_TRUE(TriggerOf(Ev("collab.task.progress", "T1", "LEAD", p)).empty());
}

TEST(RulesTest, DeliberationTriggers) {
  const std::string path = "/CITY/D1/S1/C1/";
  auto sup = TriggerOf(Ev("deliberation.proposal.supported", "PR1", "R4",
                          {{"community_id", "C1"}, {"unit_path", path}, {"supports", 3}}));
  ASSERT_EQ(sup.size(), 1u);
  EXPECT_EQ(sup[0].trigger, Trigger::kProposalSupported);
  EXPECT_EQ(sup[0].earner, "R4");
  EXPECT_EQ(sup[0].decider, "");
  EXPECT_EQ(sup[0].units.front(), "C1");

  auto ballot = TriggerOf(Ev("deliberation.ballot.cast", "B1", "R5",
                             {{"community_id", "C1"}, {"unit_path", path}, {"commitment", "ab"}}));
  ASSERT_EQ(ballot.size(), 1u);
  EXPECT_EQ(ballot[0].trigger, Trigger::kBallotCast);
  EXPECT_EQ(ballot[0].subject_id, "B1");

  auto meeting = TriggerOf(Ev("deliberation.meeting.recorded", "M1", "STAFF",
                              {{"community_id", "C1"},
                               {"unit_path", path},
                               {"attendees", {"R1", "R2", "R1"}},
                               {"minutes_sha256", "x"},
                               {"decisions", json::Json::array()}}));
  ASSERT_EQ(meeting.size(), 2u);
  EXPECT_EQ(meeting[0].earner, "R1");
  EXPECT_EQ(meeting[1].earner, "R2");
  EXPECT_EQ(meeting[1].decider, "STAFF");

  json::Json decided = {{"meeting_id", "M1"}, {"community_id", "C1"},   {"unit_path", path},
                        {"author_id", "R6"},  {"decision", "accepted"}, {"reason", ""},
                        {"implement", "task"}};
  auto acc = TriggerOf(Ev("deliberation.proposal.decided", "PR2", "STAFF", decided));
  ASSERT_EQ(acc.size(), 1u);
  EXPECT_EQ(acc[0].trigger, Trigger::kProposalAccepted);
  EXPECT_EQ(acc[0].earner, "R6");
  decided["decision"] = "rejected";
  EXPECT_TRUE(TriggerOf(Ev("deliberation.proposal.decided", "PR2", "STAFF", decided)).empty());
}

TEST(RulesTest, PickRuleTakesTheMostSpecificValidUnit) {
  std::vector<Rule> rules = {
      {.id = "street", .unit_id = "S1", .points = 20, .valid_from = 100},
      {.id = "community", .unit_id = "C1", .points = 25, .valid_from = 100, .valid_until = 200},
  };
  std::vector<std::string> units = {"C1", "S1", "D1"};
  EXPECT_EQ(PickRule(rules, units, 150)->id, "community");
  EXPECT_EQ(PickRule(rules, units, 200)->id, "street");  // the community rule retired at 200
  EXPECT_EQ(PickRule(rules, units, 99), nullptr);        // before both
  std::vector<std::string> other = {"C2", "S2"};
  EXPECT_EQ(PickRule(rules, other, 150), nullptr);
}

TEST(RulesTest, ValidateNewRule) {
  const Timestamp now = 1'000'000'000;
  NewRule ok{.unit_id = "S1",
             .trigger = "report_verified",
             .title = "应急信息核实",
             .points = 20,
             .daily_cap = 60,
             .monthly_cap = 300};
  EXPECT_EQ(ValidateNewRule(ok, now, false, {}), Trigger::kReportVerified);

  auto bad = ok;
  bad.trigger = "satisfied_callback";
  auto r = ValidateNewRule(bad, now, false, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "unknown_trigger");
  EXPECT_NE(r.error().message.find("request_fixed"), std::string::npos);

  bad = ok;
  bad.daily_cap = 10;
  EXPECT_EQ(ValidateNewRule(bad, now, false, {}).error().field, "daily_cap");
  bad = ok;
  bad.monthly_cap = 59;
  EXPECT_EQ(ValidateNewRule(bad, now, false, {}).error().field, "monthly_cap");
  bad = ok;
  bad.points = 1001;
  EXPECT_EQ(ValidateNewRule(bad, now, false, {}).error().field, "points");
  bad = ok;
  bad.title = "";
  EXPECT_EQ(ValidateNewRule(bad, now, false, {}).error().field, "title");

  auto past = ok;
  past.valid_from = now - kMicrosPerDay;
  EXPECT_EQ(ValidateNewRule(past, now, false, {}).error().reason, "in_past");
  EXPECT_TRUE(ValidateNewRule(past, now, true, {}));  // the platform itself (demo, import)

  std::vector<Rule> retired = {{.id = "old",
                                .trigger = Trigger::kReportVerified,
                                .valid_from = now - 10 * kMicrosPerDay,
                                .valid_until = now + kMicrosPerDay}};
  EXPECT_EQ(ValidateNewRule(ok, now, false, retired).error().reason, "overlaps_retired");
  auto later = ok;
  later.valid_from = now + kMicrosPerDay;
  EXPECT_TRUE(ValidateNewRule(later, now, false, retired));
}

TEST(RulesTest, DecideAward) {
  AwardFacts f{.awards_this_hour = 1, .awards_today = 1, .from_decider_this_month = 1};
  EXPECT_EQ(DecideAward(f).outcome, AwardOutcome::kPost);
  auto capped = f;
  capped.within_caps = false;
  capped.self = true;
  EXPECT_EQ(DecideAward(capped).outcome, AwardOutcome::kCapped);
  auto held = f;
  held.self = true;
  held.household = true;
  held.awards_this_hour = 11;
  held.awards_today = 31;
  held.from_decider_this_month = 9;
  auto d = DecideAward(held);
  EXPECT_EQ(d.outcome, AwardOutcome::kHold);
  EXPECT_EQ(d.reasons, (std::vector<std::string>{"self", "household", "same_decider",
                                                 "velocity_hour", "velocity_day"}));
  // A self action (a support, a ballot) is only velocity-checked.
  held.self_action = true;
  d = DecideAward(held);
  EXPECT_EQ(d.reasons, (std::vector<std::string>{"velocity_hour", "velocity_day"}));
  f.awards_this_hour = 10;  // the tenth is still fine
  f.awards_today = 30;
  f.from_decider_this_month = 8;
  EXPECT_EQ(DecideAward(f).outcome, AwardOutcome::kPost);
}

TEST(RulesTest, PeriodsAreShanghaiDays) {
  // 2026-11-23T15:59:59Z is 23:59:59 in Shanghai; a second later it is the 24th.
  const Timestamp t = 1795449599LL * kMicrosPerSecond;
  EXPECT_EQ(DayPeriod(t), "d20261123");
  EXPECT_EQ(DayPeriod(t + kMicrosPerSecond), "d20261124");
  EXPECT_EQ(HourPeriod(t), "h2026112323");
  EXPECT_EQ(HourPeriod(t + kMicrosPerSecond), "h2026112400");
  EXPECT_EQ(MonthPeriod(t), "m202611");
  // 2026-11-30T16:00:00Z: December 1st in Shanghai.
  EXPECT_EQ(MonthPeriod(1796054400LL * kMicrosPerSecond), "m202612");
  EXPECT_EQ(MonthPeriod(1796054399LL * kMicrosPerSecond), "m202611");
}

}  // namespace
}  // namespace xietong::participation
