// 议事会: meetings of a community that take qualified proposals as their
// agenda and record a decision on each. Value types and pure rules; no I/O.
//
// scheduled ──record──▶ recorded
//     └──────cancel───▶ cancelled   (its agenda goes back to qualified)
//
// Recording decides every agenda item exactly once: accepted (with how it is
// carried out: a collab task, a hub request, or nothing), rejected (with a
// reason) or deferred (back to qualified). Attendees are distinct.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "participation/proposal.h"

namespace xietong::participation {

enum class MeetingKind { kCouncil, kBuilding, kHearing };  // 居民议事会, 楼管会, 听证会
std::string_view MeetingKindName(MeetingKind k);
Result<MeetingKind> ParseMeetingKind(std::string_view s);

enum class MeetingStatus { kScheduled, kRecorded, kCancelled };
std::string_view MeetingStatusName(MeetingStatus s);
Result<MeetingStatus> ParseMeetingStatus(std::string_view s);

inline constexpr std::size_t kMaxAgenda = 20;
inline constexpr std::size_t kMaxAttendees = 500;
inline constexpr std::size_t kMaxMinutesChars = 20000;
inline constexpr int kMaxDeadlineDays = 365;

// How an accepted proposal is carried out.
struct Implement {
  std::string kind = "none";     // task | request | none
  std::string owner_account_id;  // task
  int deadline_days = 0;         // task: 1–365
  std::string matter_id;         // request
};
json::Json ImplementJson(const Implement& i);

struct ItemDecision {
  std::string proposal_id;
  Decision decision = Decision::kDeferred;
  std::string reason;
  Implement implement;
};
json::Json ItemDecisionJson(const ItemDecision& d);

struct Meeting {
  std::string id;
  std::string community_id;
  std::string title;
  MeetingKind kind = MeetingKind::kCouncil;
  Timestamp scheduled_at = 0;
  std::string place;
  std::vector<std::string> agenda;  // proposal ids
  MeetingStatus status = MeetingStatus::kScheduled;
  std::string minutes;
  std::vector<std::string> attendees;  // account ids
  std::vector<ItemDecision> decisions;
  std::string created_by;
  Timestamp created_at = 0;
  std::string recorded_by;
  Timestamp recorded_at = 0;
  std::int64_t version = 1;
};

struct NewMeeting {
  std::string community_id;
  std::string title;
  MeetingKind kind = MeetingKind::kCouncil;
  Timestamp scheduled_at = 0;
  std::string place;
  std::vector<std::string> agenda;
};
// Title, place, a non-empty agenda of distinct ids (≤ 20).
Result<NewMeeting> ValidateNewMeeting(NewMeeting in);

struct MeetingRecord {
  std::vector<std::string> attendees;
  std::string minutes;
  std::vector<ItemDecision> decisions;
};
// The meeting is scheduled; every agenda item is decided once and nothing
// else; attendees are distinct (≤ 500); rejections carry a reason; an
// accepted task names an owner and 1–365 days, a request names a matter.
Result<MeetingRecord> ValidateRecord(const Meeting& m, MeetingRecord in);

}  // namespace xietong::participation
