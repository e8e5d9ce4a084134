// Levels (from the points one has earned over a lifetime, reversals taken
// back) and badges (from how many awards one has of each trigger). Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace xietong::participation {

struct Level {
  std::string_view code;     // sprout | active | core | exemplar
  std::string_view name_zh;  // 新芽 | 热心 | 骨干 | 楷模
  std::string_view name_en;
  std::int64_t from = 0;     // lifetime points where it starts
  std::int64_t next_at = 0;  // lifetime points of the next level; 0 at the top
};
// The level of lifetime_earned points (below 0 counts as 0).
Level LevelOf(std::int64_t lifetime_earned);

struct Badge {
  std::string_view code;
  std::string_view name_zh;
  std::string_view name_en;
};
// The badges earned with these award counts per trigger code.
std::vector<Badge> BadgesOf(
    const std::map<std::string, std::int64_t, std::less<>>& awards_by_trigger);
// The awards each trigger's badges need at most: counting further changes
// no badge, so a count may stop there.
std::map<std::string_view, std::int64_t> BadgeThresholds();

}  // namespace xietong::participation
