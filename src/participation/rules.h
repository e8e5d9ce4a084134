// Points rules (积分规则), as pure code: the triggers a rule may award on,
// which event is which trigger (TriggerOf, reading the payloads of
// docs/plans/participation.md §3/§4.2), which rule pays (PickRule: the most
// specific unit whose validity window holds the event's time), how much
// (AwardAmount) and whether an award is posted, held for review or capped
// (DecideAward). A satisfied callback is never a reason for points:
// TriggerOf never reads `satisfaction` or `resolved`, and no such trigger
// exists.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/result.h"

namespace xietong::participation {

enum class Trigger {
  kRequestFixed,       // request_fixed 诉求办结: request.callback / request.closed to "closed"
  kReportVerified,     // report_verified 应急信息核实: emergency.report.verified "verified"
  kVolunteerHour,      // volunteer_hour 志愿服务: collab.volunteer.confirmed (per hour)
  kProposalSupported,  // proposal_supported 支持提案: deliberation.proposal.supported
  kBallotCast,         // ballot_cast 参与式预算投票: deliberation.ballot.cast
  kMeetingAttended,    // meeting_attended 出席议事会: deliberation.meeting.recorded
  kProposalAccepted,   // proposal_accepted 提案获采纳: deliberation.proposal.decided accepted
};

struct TriggerInfo {
  Trigger trigger;
  std::string_view code;          // "request_fixed"
  std::string_view name_zh;       // "诉求办结"
  std::string_view name_en;       // "Request resolved"
  std::string_view per;           // "event" | "hour"
  std::string_view source_event;  // "request.callback, request.closed"
  bool self_action;               // the earner is the actor: no self-dealing check
};

// The seven rule triggers, in this order.
std::span<const TriggerInfo> Triggers();
const TriggerInfo& InfoOf(Trigger t);
std::string_view TriggerCode(Trigger t);
// nullopt for an unknown code.
std::optional<Trigger> ParseTrigger(std::string_view code);
// "manual" 社区表彰: the trigger name manual awards carry (no rule).
inline constexpr std::string_view kManualTrigger = "manual";

// One earner's claim on one event.
struct TriggerHit {
  Trigger trigger = Trigger::kRequestFixed;
  std::string subject_id = {};  // request / report / confirmation / proposal / budget / meeting
  std::string earner = {};      // identity account id
  std::string decider = {};     // "" for self actions
  std::vector<std::string> units = {};  // place units, most specific first
  std::int64_t quantity = 1;            // minutes for volunteer_hour, else 1
};

// The claims an event makes (none for an event no trigger knows, or one
// whose payload lacks the earner). Pure; never reads satisfaction.
std::vector<TriggerHit> TriggerOf(const audit::Event& e);

// The unit ids of a path "/a/b/c/", most specific first: {c, b, a}.
std::vector<std::string> UnitsOfPath(std::string_view path);

struct Rule {
  std::string id = {};
  std::string unit_id = {};
  std::string unit_path = {};
  std::string unit_name = {};
  Trigger trigger = Trigger::kRequestFixed;
  std::string title = {};
  std::int64_t points = 0;  // per event; per hour for volunteer_hour
  std::int64_t daily_cap = 0;
  std::int64_t monthly_cap = 0;
  Timestamp valid_from = 0;
  Timestamp valid_until = 0;      // 0: open
  std::string status = "active";  // active | retired
  std::string created_by = {};
  Timestamp created_at = 0;
  std::string retired_by = {};
  std::string retire_reason = {};
  std::int64_t version = 1;
};

bool RuleValidAt(const Rule& r, Timestamp at);
// The rule of the most specific of `units` whose window holds `at`; nullptr when none.
const Rule* PickRule(std::span<const Rule> rules, std::span<const std::string> units, Timestamp at);
// Points for one hit: rule.points × quantity, or ⌊rule.points × minutes / 60⌋ per hour.
std::int64_t AwardAmount(const Rule& r, const TriggerHit& hit);

struct NewRule {
  std::string unit_id = {};
  std::string trigger = {};
  std::string title = {};
  std::int64_t points = 0;
  std::int64_t daily_cap = 0;
  std::int64_t monthly_cap = 0;
  std::optional<Timestamp> valid_from = {};  // default: now
};
// Checks a new rule (trigger known — 400 unknown_trigger lists the valid ones —,
// title 1–40 characters, 1 ≤ points ≤ 1000, points ≤ daily_cap ≤ monthly_cap,
// valid_from not in the past unless `may_backdate`, and no overlap with the
// window of a retired rule of the same unit and trigger); returns the trigger.
Result<Trigger> ValidateNewRule(const NewRule& in, Timestamp now, bool may_backdate,
                                std::span<const Rule> retired_same_unit_and_trigger);

// What the awards reaction knows when it decides one award.
struct AwardFacts {
  bool within_caps = true;                   // the rule's day and month usage took this amount
  bool self_action = false;                  // the trigger is the earner's own act
  bool self = false;                         // decider == earner
  bool household = false;                    // decider and earner in one household
  std::int64_t awards_this_hour = 0;         // this earner's awards in the hour, this one included
  std::int64_t awards_today = 0;             // and in the day
  std::int64_t from_decider_this_month = 0;  // from this decider to this earner, this one included
  std::int64_t velocity_per_hour = 10;
  std::int64_t velocity_per_day = 30;
  std::int64_t same_decider_per_month = 8;
};

enum class AwardOutcome { kPost, kHold, kCapped };
struct AwardDecision {
  AwardOutcome outcome = AwardOutcome::kPost;
  std::vector<std::string> reasons = {};  // for kHold: self, household, velocity_hour,
                                          // velocity_day, same_decider
};
AwardDecision DecideAward(const AwardFacts& f);
std::string_view OutcomeName(AwardOutcome o);  // posted | held | capped

// Usage periods (Asia/Shanghai, of the event's time): "h2026112310", "d20261123", "m202611".
std::string HourPeriod(Timestamp t);
std::string DayPeriod(Timestamp t);
std::string MonthPeriod(Timestamp t);

}  // namespace xietong::participation
