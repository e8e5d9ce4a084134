// SQL of points rules and participation settings (participation migration 2,
// whose DDL is in points_store.cc with the ledger's). Decides no rule.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "participation/rules.h"
#include "participation/settings.h"
#include "storage/database.h"

namespace xietong::participation::store {

using storage::Executor;

// Conflict (rule_exists) when the unit already has an active rule for the trigger.
Result<void> InsertRule(Executor& ex, const Rule& r);
Result<std::optional<Rule>> FindRule(Executor& ex, std::string_view id);
Result<std::optional<Rule>> ActiveRule(Executor& ex, std::string_view unit_id, Trigger t);
Result<std::vector<Rule>> RetiredRules(Executor& ex, std::string_view unit_id, Trigger t);
// Retires the rule at `version`; false when it changed meanwhile or is retired.
Result<bool> RetireRule(Executor& ex, const Rule& retired);
// The rules of `trigger` on any of `units` whose window holds `at`.
Result<std::vector<Rule>> RulesAt(Executor& ex, Trigger t, std::span<const std::string> units,
                                  Timestamp at);
// Rules of units whose path starts with one of `paths`, or of exactly `unit_ids`;
// status "" for both. Newest first, at most 500.
Result<std::vector<Rule>> ListRules(Executor& ex, std::span<const std::string> paths,
                                    std::span<const std::string> unit_ids, std::string_view status);

// Writes the unit's row when its version is `if_match` (0: no row yet);
// false when someone else changed it.
Result<bool> SaveSettings(Executor& ex, const ParticipationSettings& s, std::int64_t if_match);

}  // namespace xietong::participation::store
