// The list of government matters (权责清单): a three-level category tree whose
// leaves say who handles a request of that kind, within which time limits and
// on which legal basis. Plain value types, their validation and the deadline
// arithmetic of their limits; no I/O. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"

namespace xietong::matters {

// Who handles a leaf matter. kCommunity means "the grid's community" (grids
// have no staff of their own).
enum class HandlerLevel { kCommunity, kStreet, kDistrictDepartment, kCityDepartment };
// The parsers' errors name `field`, the JSON field the text came from.
std::string_view HandlerLevelName(HandlerLevel h);
Result<HandlerLevel> ParseHandlerLevel(std::string_view s, std::string_view field = "handler");
// Whether the handler is a department and so needs a department_code.
bool IsDepartment(HandlerLevel h);

enum class LimitUnit { kNaturalHours, kWorkingHours, kWorkingDays };
std::string_view LimitUnitName(LimitUnit u);
Result<LimitUnit> ParseLimitUnit(std::string_view s, std::string_view field = "unit");

struct Limit {
  int amount = 0;
  LimitUnit unit = LimitUnit::kWorkingDays;
  friend bool operator==(const Limit&, const Limit&) = default;
};

// Urgency tiers with their default finish limits: emergency 2 natural hours,
// urgent 24 natural hours, general 7 working days, complex 15 working days.
enum class Tier { kEmergency, kUrgent, kGeneral, kComplex };
std::string_view TierName(Tier t);
Result<Tier> ParseTier(std::string_view s, std::string_view field = "tier");
Limit DefaultFinishLimit(Tier t);
// {"amount": 2, "unit": "working_hours"}: how limits look in JSON everywhere.
json::Json LimitJson(Limit l);

inline constexpr int kLeafLevel = 3;

struct Matter {
  std::string id;                        // IdGenerator id; stable across versions
  std::optional<std::string> parent_id;  // none for level 1
  int level = 1;                         // 1..3; only level-3 nodes are leaves that requests use
  std::string code;  // "03", "03-02", "03-02-05": parent's code + "-" + 2 digits; unique
  std::string name;  // zh-CN
  std::string name_en;
  // Leaf fields (level 3); ignored and kept at their defaults on levels 1-2:
  HandlerLevel handler = HandlerLevel::kStreet;
  // kCityDepartment: the unit code of a city department, e.g. "JL-D03";
  // kDistrictDepartment: the suffix of the place's district department, e.g.
  // "D01" (→ "JL-02-D01"). Empty for the other handlers.
  std::string department_code;
  Tier tier = Tier::kGeneral;
  Limit sign_limit{2, LimitUnit::kWorkingHours};     // 签收 within
  Limit finish_limit{7, LimitUnit::kWorkingDays};    // 办结 within
  Limit return_window{8, LimitUnit::kWorkingHours};  // 退单 allowed within this after dispatch
  // On every level:
  std::string legal_basis;            // e.g. 《城市市容和环境卫生管理条例》
  std::vector<std::string> keywords;  // zh words residents write, for category suggestion
  bool active = true;
  std::int64_t version = 1;  // bumps on every change
  Timestamp updated_at = 0;

  bool is_leaf() const { return level == kLeafLevel; }
  friend bool operator==(const Matter&, const Matter&) = default;
};

// Limits of the fields, as Validate enforces them.
inline constexpr std::size_t kMaxNameChars = 60;
inline constexpr std::size_t kMaxNameEnChars = 120;
inline constexpr std::size_t kMaxLegalBasisChars = 200;
inline constexpr std::size_t kMaxKeywords = 30;
inline constexpr std::size_t kMaxKeywordChars = 20;
inline constexpr int kMaxLimitAmount = 999;

// Whether code has the shape of a code at level: "NN", "NN-NN" or "NN-NN-NN"
// with two-digit parts from 01 to 99.
bool IsValidCode(std::string_view code, int level);
// The level a well-formed code belongs to (its number of parts), or 0.
int LevelOfCode(std::string_view code);
// "03-02-05" → "03-02"; "03" → "".
std::string_view ParentCode(std::string_view code);

// Checks the matter's own fields (not its place in the tree): name 1..60
// characters, code shaped for its level, level 1..3, and on leaves the limits
// (1..999), a department_code shaped for the handler (and none for community
// or street), at most 30 keywords of 1..20 characters. Error::InvalidArgument
// names the field.
Result<void> Validate(const Matter& m);

// When a limit counted from start runs out: natural hours are wall-clock
// hours; working hours and days follow the calendar (see core/calendar.h).
Timestamp Deadline(const WorkCalendar& calendar, Timestamp start, Limit limit);
// The instant at which `fraction` (clamped to 0..1) of the limit's time has
// passed, e.g. 0.75 for an early warning. Working limits count working time
// only, so a warning never falls on a weekend unless the limit is natural.
Timestamp WarnAt(const WorkCalendar& calendar, Timestamp start, Limit limit, double fraction);

}  // namespace xietong::matters
