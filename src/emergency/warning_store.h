// The SQL of early warning (emergency migration 2), written once for both
// backends: warnings with their evidence (JSON) and target units, the rules
// administrators write, and the detector's durable snapshot (one row per
// consumer: the state after the event at `seq`). Decides no rule; only
// WarningService calls it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emergency/warning.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::emergency::store {

using storage::Executor;

std::span<const storage::Migration> WarningMigrations();

Result<void> InsertWarning(Executor& ex, const warning::Warning& w);
// Status, figures, evidence, incident and closing; by id.
Result<void> UpdateWarning(Executor& ex, const warning::Warning& w);
Result<std::optional<warning::Warning>> FindWarning(Executor& ex, std::string_view id);
// The open warning of a key, when there is one.
Result<std::optional<warning::Warning>> FindOpenWarning(Executor& ex, warning::Kind kind,
                                                        std::string_view key,
                                                        std::string_view street_id);
// Newest first; status nullopt = all.
Result<std::vector<warning::Warning>> ListWarnings(Executor& ex,
                                                   std::optional<warning::Status> status,
                                                   int limit);

Result<void> InsertRule(Executor& ex, const warning::StoredRule& r);
// False when the rule does not exist.
Result<bool> UpdateRule(Executor& ex, const warning::StoredRule& r);
Result<bool> DeleteRule(Executor& ex, std::string_view id);
Result<std::optional<warning::StoredRule>> FindRule(Executor& ex, std::string_view id);
Result<std::vector<warning::StoredRule>> ListRules(Executor& ex);

struct DetectorState {
  std::int64_t seq = 0;
  std::string snapshot;
};
Result<std::optional<DetectorState>> LoadDetectorState(Executor& ex, std::string_view name);
Result<void> SaveDetectorState(Executor& ex, std::string_view name, const DetectorState& s,
                               Timestamp at);

}  // namespace xietong::emergency::store
