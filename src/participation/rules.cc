#include "participation/rules.h"

#include <fmt/core.h>

#include <array>

#include "core/json.h"

namespace xietong::participation {
namespace {

constexpr std::array<TriggerInfo, 7> kTriggers = {{
    {Trigger::kRequestFixed, "request_fixed", "诉求办结", "Request resolved", "event",
     "request.callback, request.closed", false},
    {Trigger::kReportVerified, "report_verified", "应急信息核实", "Emergency report verified",
     "event", "emergency.report.verified", false},
    {Trigger::kVolunteerHour, "volunteer_hour", "志愿服务", "Volunteer service", "hour",
     "collab.volunteer.confirmed", false},
    {Trigger::kProposalSupported, "proposal_supported", "支持提案", "Supported a proposal", "event",
     "deliberation.proposal.supported", true},
    {Trigger::kBallotCast, "ballot_cast", "参与式预算投票", "Voted on a participatory budget",
     "event", "deliberation.ballot.cast", true},
    {Trigger::kMeetingAttended, "meeting_attended", "出席议事会", "Attended a council meeting",
     "event", "deliberation.meeting.recorded", false},
    {Trigger::kProposalAccepted, "proposal_accepted", "提案获采纳", "Proposal accepted", "event",
     "deliberation.proposal.decided", false},
}};

constexpr std::size_t kMaxTitle = 40;

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string Str(const json::Json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool Earner(std::string_view id) { return !id.empty() && id != "system"; }

// Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
struct Civil {
  int y;
  unsigned m, d;
};
Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

std::span<const TriggerInfo> Triggers() { return kTriggers; }
const TriggerInfo& InfoOf(Trigger t) { return kTriggers[static_cast<int>(t)]; }
std::string_view TriggerCode(Trigger t) { return InfoOf(t).code; }

std::optional<Trigger> ParseTrigger(std::string_view code) {
  for (const auto& t : kTriggers)
    if (t.code == code) return t.trigger;
  return std::nullopt;
}

std::vector<std::string> UnitsOfPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return {out.rbegin(), out.rend()};
}

std::vector<TriggerHit> TriggerOf(const audit::Event& e) {
  std::vector<TriggerHit> out;
  const std::string_view a = e.action;
  // Only these actions are read; every other event costs one compare each.
  const bool known = a == "request.callback" || a == "request.closed" ||
                     a == "emergency.report.verified" || a == "collab.volunteer.confirmed" ||
                     a == "deliberation.proposal.supported" || a == "deliberation.ballot.cast" ||
                     a == "deliberation.meeting.recorded" || a == "deliberation.proposal.decided";
  if (!known) return out;
  const auto p = json::Json::parse(e.payload, nullptr, false);
  if (!p.is_object()) return out;
  auto hit = [&](Trigger t, std::string earner, std::string decider,
                 std::vector<std::string> units) {
    if (!Earner(earner) || e.subject.empty()) return;
    out.push_back({.trigger = t,
                   .subject_id = e.subject,
                   .earner = std::move(earner),
                   .decider = std::move(decider),
                   .units = std::move(units),
                   .quantity = 1});
  };
  if (a == "request.callback" || a == "request.closed") {
    // Closed is what pays; the rating (satisfaction, resolved) is never read.
    if (Str(p, "to") != "closed") return out;
    std::vector<std::string> units;
    for (auto key : {"community_id", "street_id", "district_id"})
      if (auto u = Str(p, key); !u.empty()) units.push_back(std::move(u));
    hit(Trigger::kRequestFixed, Str(p, "requester_id"), e.actor, std::move(units));
  } else if (a == "emergency.report.verified") {
    if (Str(p, "verdict") != "verified") return out;
    hit(Trigger::kReportVerified, Str(p, "reporter_id"), e.actor, UnitsOfPath(Str(p, "unit_path")));
  } else if (a == "collab.volunteer.confirmed") {
    auto it = p.find("minutes");
    if (it == p.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0) return out;
    hit(Trigger::kVolunteerHour, Str(p, "volunteer_id"), e.actor, UnitsOfPath(Str(p, "unit_path")));
    if (!out.empty()) out.back().quantity = it->get<std::int64_t>();
  } else if (a == "deliberation.proposal.supported") {
    hit(Trigger::kProposalSupported, e.actor, "", UnitsOfPath(Str(p, "unit_path")));
  } else if (a == "deliberation.ballot.cast") {
    hit(Trigger::kBallotCast, e.actor, "", UnitsOfPath(Str(p, "unit_path")));
  } else if (a == "deliberation.meeting.recorded") {
    auto it = p.find("attendees");
    if (it == p.end() || !it->is_array()) return out;
    const auto units = UnitsOfPath(Str(p, "unit_path"));
    for (const auto& who : *it)
      if (who.is_string()) {
        const auto id = who.get<std::string>();
        bool seen = false;
        for (const auto& h : out) seen = seen || h.earner == id;
        if (!seen) hit(Trigger::kMeetingAttended, id, e.actor, units);
      }
  } else if (a == "deliberation.proposal.decided") {
    if (Str(p, "decision") != "accepted") return out;
    hit(Trigger::kProposalAccepted, Str(p, "author_id"), e.actor, UnitsOfPath(Str(p, "unit_path")));
  }
  return out;
}

bool RuleValidAt(const Rule& r, Timestamp at) {
  return r.valid_from <= at && (r.valid_until == 0 || r.valid_until > at);
}

const Rule* PickRule(std::span<const Rule> rules, std::span<const std::string> units,
                     Timestamp at) {
  for (const auto& u : units)
    for (const auto& r : rules)
      if (r.unit_id == u && RuleValidAt(r, at)) return &r;
  return nullptr;
}

std::int64_t AwardAmount(const Rule& r, const TriggerHit& hit) {
  if (r.trigger == Trigger::kVolunteerHour) return r.points * hit.quantity / 60;
  return r.points * hit.quantity;
}

Result<Trigger> ValidateNewRule(const NewRule& in, Timestamp now, bool may_backdate,
                                std::span<const Rule> retired) {
  auto trigger = ParseTrigger(in.trigger);
  if (!trigger) {
    std::string names;
    for (const auto& t : kTriggers) names += fmt::format("{}{}", names.empty() ? "" : ", ", t.code);
    return Fail(Error::InvalidArgument(
                    fmt::format("'{}' is not a points trigger (a satisfied callback is not a "
                                "reason for points); the triggers are {}",
                                in.trigger.substr(0, 40), names))
                    .About("trigger", "unknown_trigger"));
  }
  if (in.title.empty())
    return Fail(Error::InvalidArgument("'title' is required").About("title", "required"));
  if (CodePoints(in.title) > kMaxTitle)
    return Fail(Error::InvalidArgument(fmt::format("'title' has at most {} characters", kMaxTitle))
                    .About("title", "too_long"));
  if (in.points < 1 || in.points > 1000)
    return Fail(Error::InvalidArgument(
                    fmt::format("'points' must be between 1 and 1000, not {}", in.points))
                    .About("points", "out_of_range"));
  if (in.daily_cap < in.points)
    return Fail(
        Error::InvalidArgument(
            fmt::format("'daily_cap' ({}) may not be below 'points' ({})", in.daily_cap, in.points))
            .About("daily_cap", "out_of_range"));
  if (in.monthly_cap < in.daily_cap)
    return Fail(
        Error::InvalidArgument(fmt::format("'monthly_cap' ({}) may not be below 'daily_cap' ({})",
                                           in.monthly_cap, in.daily_cap))
            .About("monthly_cap", "out_of_range"));
  const Timestamp from = in.valid_from.value_or(now);
  if (from < now - kMicrosPerMinute && !may_backdate)
    return Fail(Error::InvalidArgument(
                    "'valid_from' may not be in the past: a rule never pays for what happened "
                    "before it")
                    .About("valid_from", "in_past"));
  for (const auto& r : retired)
    if (r.trigger == *trigger && r.valid_until > from)
      return Fail(Error::Conflict(fmt::format("the retired rule {} of this unit paid for {} until "
                                              "{}; a new one starts after that",
                                              r.id, in.trigger, r.valid_until))
                      .About("valid_from", "overlaps_retired"));
  return *trigger;
}

AwardDecision DecideAward(const AwardFacts& f) {
  AwardDecision d;
  if (!f.within_caps) {
    d.outcome = AwardOutcome::kCapped;
    return d;
  }
  if (!f.self_action) {
    if (f.self) d.reasons.emplace_back("self");
    if (f.household) d.reasons.emplace_back("household");
    if (f.from_decider_this_month > f.same_decider_per_month)
      d.reasons.emplace_back("same_decider");
  }
  if (f.awards_this_hour > f.velocity_per_hour) d.reasons.emplace_back("velocity_hour");
  if (f.awards_today > f.velocity_per_day) d.reasons.emplace_back("velocity_day");
  d.outcome = d.reasons.empty() ? AwardOutcome::kPost : AwardOutcome::kHold;
  return d;
}

std::string_view OutcomeName(AwardOutcome o) {
  switch (o) {
    case AwardOutcome::kPost:
      return "posted";
    case AwardOutcome::kHold:
      return "held";
    case AwardOutcome::kCapped:
      return "capped";
  }
  return "posted";
}

std::string HourPeriod(Timestamp t) {
  const std::int64_t local = t + kShanghaiOffset;
  const auto c = CivilFromDays(FloorDiv(local, kMicrosPerDay));
  const auto hour = FloorDiv(local, kMicrosPerHour) - FloorDiv(local, kMicrosPerDay) * 24;
  return fmt::format("h{:04}{:02}{:02}{:02}", c.y, c.m, c.d, hour);
}
std::string DayPeriod(Timestamp t) {
  const auto c = CivilFromDays(FloorDiv(t + kShanghaiOffset, kMicrosPerDay));
  return fmt::format("d{:04}{:02}{:02}", c.y, c.m, c.d);
}
std::string MonthPeriod(Timestamp t) {
  const auto c = CivilFromDays(FloorDiv(t + kShanghaiOffset, kMicrosPerDay));
  return fmt::format("m{:04}{:02}", c.y, c.m);
}

}  // namespace xietong::participation
