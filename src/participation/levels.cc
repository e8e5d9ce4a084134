#include "participation/levels.h"

#include <algorithm>
#include <array>

namespace xietong::participation {
namespace {

constexpr std::array<Level, 4> kLevels = {{
    {"sprout", "新芽", "Sprout", 0, 0},
    {"active", "热心", "Active", 100, 0},
    {"core", "骨干", "Mainstay", 500, 0},
    {"exemplar", "楷模", "Exemplar", 2000, 0},
}};

struct BadgeRule {
  Badge badge;
  std::string_view trigger;
  std::int64_t awards;
};
constexpr std::array<BadgeRule, 7> kBadges = {{
    {{"fixer", "办结参与者", "Follow-through"}, "request_fixed", 5},
    {{"sentinel", "应急哨兵", "Sentinel"}, "report_verified", 3},
    {{"volunteer", "志愿之星", "Volunteer star"}, "volunteer_hour", 5},
    {{"supporter", "热心支持者", "Supporter"}, "proposal_supported", 10},
    {{"voter", "预算投票人", "Budget voter"}, "ballot_cast", 1},
    {{"councillor", "议事达人", "Councillor"}, "meeting_attended", 3},
    {{"idea", "金点子", "Good idea"}, "proposal_accepted", 1},
}};

}  // namespace

Level LevelOf(std::int64_t lifetime_earned) {
  std::size_t i = 0;
  while (i + 1 < kLevels.size() && lifetime_earned >= kLevels[i + 1].from) ++i;
  Level l = kLevels[i];
  l.next_at = i + 1 < kLevels.size() ? kLevels[i + 1].from : 0;
  return l;
}

std::map<std::string_view, std::int64_t> BadgeThresholds() {
  std::map<std::string_view, std::int64_t> out;
  for (const auto& b : kBadges) out[b.trigger] = std::max(out[b.trigger], b.awards);
  return out;
}

std::vector<Badge> BadgesOf(
    const std::map<std::string, std::int64_t, std::less<>>& awards_by_trigger) {
  std::vector<Badge> out;
  for (const auto& b : kBadges) {
    auto it = awards_by_trigger.find(b.trigger);
    if (it != awards_by_trigger.end() && it->second >= b.awards) out.push_back(b.badge);
  }
  return out;
}

}  // namespace xietong::participation
