// 志愿服务时长: hours a resident volunteered on a task force's task, confirmed
// by a lead of the force (issue 18). The volunteer is not made a member of
// the force; the confirmation is one row and one `collab.volunteer.confirmed`
// event, which participation's volunteer_hour rule pays from
// (docs/plans/participation.md §4.3). Pure rules here; SQL in
// volunteer_store.h; the command in CollabService::ConfirmVolunteerHours.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::collab {

inline constexpr std::int64_t kMinVolunteerMinutes = 15;
inline constexpr std::int64_t kMaxVolunteerMinutes = 720;  // one day's service at most
inline constexpr std::int64_t kVolunteerMinuteStep = 15;
inline constexpr int kMaxVolunteerDaysBack = 30;
inline constexpr std::size_t kMaxVolunteerNoteChars = 200;

struct VolunteerHoursInput {
  std::string volunteer_account_id = {};
  std::string day = {};  // YYYY-MM-DD, Asia/Shanghai
  std::int64_t minutes = 0;
  std::string note = {};
};

struct VolunteerHours {
  std::string id = {};
  std::string force_id = {};
  std::string task_id = {};
  std::string volunteer_id = {};
  std::string volunteer_name = {};  // display name when read back ("" in the event)
  std::string day = {};
  std::int64_t minutes = 0;
  std::string note = {};
  std::string confirmed_by = {};
  Timestamp confirmed_at = 0;
};

// The Asia/Shanghai calendar day of t, "YYYY-MM-DD".
std::string ShanghaiDay(Timestamp t);

// Minutes 15–720 in steps of 15, a real day neither after today nor more than
// 30 days before it (at now, Shanghai time), a note of at most 200
// characters of UTF-8, a volunteer named. Errors name the field.
Result<void> ValidateVolunteerHours(const VolunteerHoursInput& in, Timestamp now);

}  // namespace xietong::collab
