#include "matters/matter.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <utility>

#include "core/json.h"

namespace xietong::matters {
namespace {

constexpr std::array<std::pair<HandlerLevel, std::string_view>, 4> kHandlers = {{
    {HandlerLevel::kCommunity, "community"},
    {HandlerLevel::kStreet, "street"},
    {HandlerLevel::kDistrictDepartment, "district_department"},
    {HandlerLevel::kCityDepartment, "city_department"},
}};

constexpr std::array<std::pair<LimitUnit, std::string_view>, 3> kUnits = {{
    {LimitUnit::kNaturalHours, "natural_hours"},
    {LimitUnit::kWorkingHours, "working_hours"},
    {LimitUnit::kWorkingDays, "working_days"},
}};

constexpr std::array<std::pair<Tier, std::string_view>, 4> kTiers = {{
    {Tier::kEmergency, "emergency"},
    {Tier::kUrgent, "urgent"},
    {Tier::kGeneral, "general"},
    {Tier::kComplex, "complex"},
}};

template <typename E, std::size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table)
    if (value == e) return name;
  return "unknown";
}

template <typename E, std::size_t N>
Result<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table,
                  std::string_view field, std::string_view s) {
  std::string choices;
  for (const auto& [value, name] : table) {
    if (name == s) return value;
    choices += (choices.empty() ? "" : ", ") + std::string(name);
  }
  return Fail(Error::InvalidArgument(
      fmt::format("field '{}' must be one of {}, not '{}'", field, choices, s)));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// "D01".."D99".
bool IsDistrictDepartmentSuffix(std::string_view s) {
  return s.size() == 3 && s[0] == 'D' && IsDigit(s[1]) && IsDigit(s[2]) && s.substr(1) != "00";
}

// "<CITY>-D01": the city's unit code (2 to 8 capitals) and a department suffix.
bool IsCityDepartmentCode(std::string_view s) {
  const auto dash = s.find('-');
  if (dash == std::string_view::npos || dash < 2 || dash > 8) return false;
  if (!std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(dash), IsUpper)) return false;
  return IsDistrictDepartmentSuffix(s.substr(dash + 1));
}

Result<void> ValidateLimit(std::string_view field, Limit limit) {
  if (limit.amount < 1 || limit.amount > kMaxLimitAmount)
    return Fail(Error::InvalidArgument(fmt::format("field '{}.amount' must be from 1 to {}, not {}",
                                                   field, kMaxLimitAmount, limit.amount)));
  return {};
}

Result<void> ValidateChars(std::string_view field, std::string_view value, std::size_t min,
                           std::size_t max) {
  const std::size_t n = json::CountCodePoints(value);
  if (n < min || n > max)
    return Fail(Error::InvalidArgument(
        min == 0
            ? fmt::format("field '{}' may have at most {} characters, not {}", field, max, n)
            : fmt::format("field '{}' must have {} to {} characters, not {}", field, min, max, n)));
  return {};
}

}  // namespace

std::string_view HandlerLevelName(HandlerLevel h) { return NameIn(kHandlers, h); }
Result<HandlerLevel> ParseHandlerLevel(std::string_view s, std::string_view field) {
  return ParseIn(kHandlers, field, s);
}
bool IsDepartment(HandlerLevel h) {
  return h == HandlerLevel::kDistrictDepartment || h == HandlerLevel::kCityDepartment;
}

std::string_view LimitUnitName(LimitUnit u) { return NameIn(kUnits, u); }
Result<LimitUnit> ParseLimitUnit(std::string_view s, std::string_view field) {
  return ParseIn(kUnits, field, s);
}

std::string_view TierName(Tier t) { return NameIn(kTiers, t); }
Result<Tier> ParseTier(std::string_view s, std::string_view field) {
  return ParseIn(kTiers, field, s);
}

Limit DefaultFinishLimit(Tier t) {
  switch (t) {
    case Tier::kEmergency:
      return {2, LimitUnit::kNaturalHours};
    case Tier::kUrgent:
      return {24, LimitUnit::kNaturalHours};
    case Tier::kGeneral:
      return {7, LimitUnit::kWorkingDays};
    case Tier::kComplex:
      return {15, LimitUnit::kWorkingDays};
  }
  return {7, LimitUnit::kWorkingDays};
}

json::Json LimitJson(Limit l) { return {{"amount", l.amount}, {"unit", LimitUnitName(l.unit)}}; }

int LevelOfCode(std::string_view code) {
  // Parts of two digits joined by '-': length 2, 5 or 8.
  if (code.size() != 2 && code.size() != 5 && code.size() != 8) return 0;
  int level = 0;
  for (std::size_t i = 0; i < code.size(); i += 3) {
    if (i > 0 && code[i - 1] != '-') return 0;
    if (!IsDigit(code[i]) || !IsDigit(code[i + 1])) return 0;
    if (code[i] == '0' && code[i + 1] == '0') return 0;
    ++level;
  }
  return level;
}

bool IsValidCode(std::string_view code, int level) {
  return level >= 1 && LevelOfCode(code) == level;
}

std::string_view ParentCode(std::string_view code) {
  return code.size() > 2 ? code.substr(0, code.size() - 3) : std::string_view();
}

Result<void> Validate(const Matter& m) {
  if (m.level < 1 || m.level > kLeafLevel)
    return Fail(
        Error::InvalidArgument(fmt::format("field 'level' must be 1, 2 or 3, not {}", m.level)));
  if (!IsValidCode(m.code, m.level)) {
    static constexpr std::string_view kShapes[] = {"", "03", "03-02", "03-02-05"};
    return Fail(Error::InvalidArgument(fmt::format(
        "field 'code' must look like '{}' for a level-{} matter (two digits 01-99 per level, "
        "joined by '-'), not '{}'",
        kShapes[m.level], m.level, m.code)));
  }
  XT_TRY_VOID(ValidateChars("name", m.name, 1, kMaxNameChars));
  XT_TRY_VOID(ValidateChars("name_en", m.name_en, 0, kMaxNameEnChars));
  XT_TRY_VOID(ValidateChars("legal_basis", m.legal_basis, 0, kMaxLegalBasisChars));
  if (m.keywords.size() > kMaxKeywords)
    return Fail(Error::InvalidArgument(fmt::format(
        "field 'keywords' may hold at most {} words, not {}", kMaxKeywords, m.keywords.size())));
  std::set<std::string_view> seen;
  for (const auto& k : m.keywords) {
    const std::size_t n = json::CountCodePoints(k);
    if (n < 1 || n > kMaxKeywordChars)
      return Fail(Error::InvalidArgument(
          fmt::format("field 'keywords' must hold words of 1 to {} characters; '{}' has {}",
                      kMaxKeywordChars, k, n)));
    if (!seen.insert(k).second)
      return Fail(
          Error::InvalidArgument(fmt::format("field 'keywords' lists '{}' more than once", k)));
  }
  if (!m.is_leaf()) return {};

  XT_TRY_VOID(ValidateLimit("sign_limit", m.sign_limit));
  XT_TRY_VOID(ValidateLimit("finish_limit", m.finish_limit));
  XT_TRY_VOID(ValidateLimit("return_window", m.return_window));
  switch (m.handler) {
    case HandlerLevel::kCommunity:
    case HandlerLevel::kStreet:
      if (!m.department_code.empty())
        return Fail(Error::InvalidArgument(fmt::format(
            "field 'department_code' must be empty when 'handler' is '{}'; it names a department",
            HandlerLevelName(m.handler))));
      break;
    case HandlerLevel::kDistrictDepartment:
      if (!IsDistrictDepartmentSuffix(m.department_code))
        return Fail(Error::InvalidArgument(fmt::format(
            "field 'department_code' must be a district department's suffix like 'D01' when "
            "'handler' is 'district_department', not '{}'",
            m.department_code)));
      break;
    case HandlerLevel::kCityDepartment:
      if (!IsCityDepartmentCode(m.department_code))
        return Fail(Error::InvalidArgument(fmt::format(
            "field 'department_code' must be a city department's unit code like 'JL-D03' when "
            "'handler' is 'city_department', not '{}'",
            m.department_code)));
      break;
  }
  return {};
}

Timestamp Deadline(const WorkCalendar& calendar, Timestamp start, Limit limit) {
  switch (limit.unit) {
    case LimitUnit::kNaturalHours:
      return start + std::int64_t{limit.amount} * kMicrosPerHour;
    case LimitUnit::kWorkingHours:
      return calendar.AddWorkingTime(start, std::int64_t{limit.amount} * kMicrosPerHour);
    case LimitUnit::kWorkingDays:
      return calendar.AddWorkingDays(start, limit.amount);
  }
  return start;
}

Timestamp WarnAt(const WorkCalendar& calendar, Timestamp start, Limit limit, double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const Timestamp deadline = Deadline(calendar, start, limit);
  if (limit.unit == LimitUnit::kNaturalHours)
    return start + std::llround(fraction * static_cast<double>(deadline - start));
  const Timestamp total = calendar.WorkingTimeBetween(start, deadline);
  if (fraction >= 1.0) return deadline;
  return calendar.AddWorkingTime(start, std::llround(fraction * static_cast<double>(total)));
}

}  // namespace xietong::matters
