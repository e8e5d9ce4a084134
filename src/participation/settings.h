// Each community's participation settings (participation migration 2): the
// support threshold and window proposals use (deliberation reads these), the
// fraud controls' velocity limits and the largest manual award. A unit
// without a row has the defaults; a community without a row inherits its
// street's (SettingsFor takes the units most specific first). Pure values
// and validation here; the SQL is in rule_store.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace xietong::participation {

struct ParticipationSettings {
  std::string unit_id = {};                 // "" for the defaults (no row)
  std::int64_t support_threshold = 10;      // supports that put a proposal on the agenda
  std::int64_t support_days = 60;           // how long a proposal collects supports
  std::int64_t velocity_per_hour = 10;      // awards per earner per hour, all rules, before a hold
  std::int64_t velocity_per_day = 30;       // awards per earner per day, all rules, before a hold
  std::int64_t same_decider_per_month = 8;  // awards from one decider to one earner per month
  std::int64_t manual_award_max = 200;      // points per manual award
  std::string updated_by = {};
  Timestamp updated_at = 0;
  std::int64_t version = 0;  // 0: no row (defaults or inherited)
};

// The defaults (no row anywhere).
ParticipationSettings DefaultSettings();

// Every field in range (thresholds 1–1000, support_days 1–365, velocity 1–10000,
// same_decider 1–1000, manual_award_max 1–100000); InvalidArgument names the field.
Result<void> ValidateSettings(const ParticipationSettings& s);

namespace store {
// The settings that apply to the first of `units` (most specific first,
// e.g. {community_id, street_id}): the first unit with a row, else the
// defaults (with unit_id = units[0] and version 0). Defined in rule_store.cc.
Result<ParticipationSettings> SettingsFor(storage::Executor& ex,
                                          std::span<const std::string> units);
Result<ParticipationSettings> SettingsFor(storage::Executor& ex, std::string_view unit_id);
}  // namespace store

}  // namespace xietong::participation
