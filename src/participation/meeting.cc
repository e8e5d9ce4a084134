#include "participation/meeting.h"

#include <fmt/core.h>

#include <map>
#include <set>
#include <utility>

namespace xietong::participation {
namespace {

constexpr std::pair<MeetingKind, std::string_view> kKinds[] = {
    {MeetingKind::kCouncil, "council"},
    {MeetingKind::kBuilding, "building"},
    {MeetingKind::kHearing, "hearing"},
};
constexpr std::pair<MeetingStatus, std::string_view> kStatuses[] = {
    {MeetingStatus::kScheduled, "scheduled"},
    {MeetingStatus::kRecorded, "recorded"},
    {MeetingStatus::kCancelled, "cancelled"},
};

Error Bad(std::string field, std::string message, std::string reason) {
  return Error::InvalidArgument(fmt::format("field '{}': {}", field, message))
      .About(std::move(field), std::move(reason));
}

}  // namespace

std::string_view MeetingKindName(MeetingKind k) {
  for (const auto& [v, name] : kKinds)
    if (v == k) return name;
  return "unknown";
}

Result<MeetingKind> ParseMeetingKind(std::string_view s) {
  for (const auto& [v, name] : kKinds)
    if (name == s) return v;
  return Fail(Bad("kind",
                  fmt::format("'{}' is not one of council, building, hearing", s.substr(0, 32)),
                  "unknown"));
}

std::string_view MeetingStatusName(MeetingStatus s) {
  for (const auto& [v, name] : kStatuses)
    if (v == s) return name;
  return "unknown";
}

Result<MeetingStatus> ParseMeetingStatus(std::string_view s) {
  for (const auto& [v, name] : kStatuses)
    if (name == s) return v;
  return Fail(
      Bad("status", fmt::format("'{}' is not a meeting status", s.substr(0, 32)), "unknown"));
}

json::Json ImplementJson(const Implement& i) {
  json::Json j = {{"kind", i.kind}};
  if (i.kind == "task") {
    j["owner_account_id"] = i.owner_account_id;
    j["deadline_days"] = i.deadline_days;
  } else if (i.kind == "request") {
    j["matter_id"] = i.matter_id;
  }
  return j;
}

json::Json ItemDecisionJson(const ItemDecision& d) {
  return {{"proposal_id", d.proposal_id},
          {"decision", DecisionName(d.decision)},
          {"reason", d.reason},
          {"implement", ImplementJson(d.implement)}};
}

Result<NewMeeting> ValidateNewMeeting(NewMeeting in) {
  XT_ASSIGN_OR_RETURN(in.title, CheckText("title", in.title, kMaxTitleChars, true));
  XT_ASSIGN_OR_RETURN(in.place, CheckText("place", in.place, kMaxAddressChars, true));
  if (in.scheduled_at <= 0) return Fail(Bad("scheduled_at", "is required", "empty"));
  if (in.agenda.empty())
    return Fail(Bad("agenda", "a meeting needs at least one qualified proposal", "empty"));
  if (in.agenda.size() > kMaxAgenda)
    return Fail(Bad("agenda", fmt::format("at most {} proposals", kMaxAgenda), "too_many"));
  std::set<std::string> seen(in.agenda.begin(), in.agenda.end());
  if (seen.size() != in.agenda.size())
    return Fail(Bad("agenda", "a proposal is listed twice", "duplicate"));
  return in;
}

Result<MeetingRecord> ValidateRecord(const Meeting& m, MeetingRecord in) {
  if (m.status != MeetingStatus::kScheduled)
    return Fail(Error::Conflict(fmt::format("the meeting is {}; only a scheduled meeting is "
                                            "recorded",
                                            MeetingStatusName(m.status)))
                    .About("status", "not_scheduled"));
  XT_ASSIGN_OR_RETURN(in.minutes, CheckText("minutes", in.minutes, kMaxMinutesChars, true));
  if (in.attendees.size() > kMaxAttendees)
    return Fail(Bad("attendees", fmt::format("at most {} attendees", kMaxAttendees), "too_many"));
  std::set<std::string> people(in.attendees.begin(), in.attendees.end());
  if (people.size() != in.attendees.size())
    return Fail(Bad("attendees", "an attendee is listed twice", "duplicate"));
  std::set<std::string> agenda(m.agenda.begin(), m.agenda.end());
  std::set<std::string> decided;
  for (auto& d : in.decisions) {
    if (!agenda.contains(d.proposal_id))
      return Fail(Bad(
          "decisions",
          fmt::format("proposal '{}' is not on this meeting's agenda", d.proposal_id.substr(0, 64)),
          "not_on_agenda"));
    if (!decided.insert(d.proposal_id).second)
      return Fail(Bad("decisions",
                      fmt::format("proposal '{}' is decided twice", d.proposal_id.substr(0, 64)),
                      "duplicate"));
    if (d.decision == Decision::kRejected) {
      XT_ASSIGN_OR_RETURN(d.reason, ValidateReason(d.reason, "decisions.reason"));
    } else {
      XT_ASSIGN_OR_RETURN(d.reason,
                          CheckText("decisions.reason", d.reason, kMaxReasonChars, false));
    }
    if (d.decision != Decision::kAccepted) {
      d.implement = {};
      continue;
    }
    auto& im = d.implement;
    if (im.kind == "task") {
      if (im.owner_account_id.empty())
        return Fail(Bad("decisions.implement.owner_account_id",
                        "a task needs the account that carries it out", "empty"));
      if (im.deadline_days < 1 || im.deadline_days > kMaxDeadlineDays)
        return Fail(Bad("decisions.implement.deadline_days",
                        fmt::format("between 1 and {} days", kMaxDeadlineDays), "out_of_range"));
      im.matter_id.clear();
    } else if (im.kind == "request") {
      if (im.matter_id.empty())
        return Fail(Bad("decisions.implement.matter_id",
                        "a request needs the matter (事项) it is about", "empty"));
      im.owner_account_id.clear();
      im.deadline_days = 0;
    } else if (im.kind == "none") {
      im = {};
    } else {
      return Fail(Bad("decisions.implement.kind",
                      fmt::format("'{}' is not one of task, request, none", im.kind.substr(0, 32)),
                      "unknown"));
    }
  }
  for (const auto& id : m.agenda)
    if (!decided.contains(id))
      return Fail(Bad("decisions",
                      fmt::format("agenda item '{}' has no decision", id.substr(0, 64)),
                      "missing"));
  return in;
}

}  // namespace xietong::participation
