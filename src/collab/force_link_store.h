// The SQL of what a task force works on: the requests linked to it (formed
// from a hotspot, or handed to it later). Decides no rule; only
// CollabService calls it.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::collab::store {

// collab/5: the force ↔ request links (a third list of the collab schema's migrations).
std::span<const storage::Migration> ForceLinkMigrations();

// Links each request once; ones already linked are left as they were.
Result<void> LinkRequests(storage::Executor& ex, std::string_view force_id,
                          std::span<const std::string> request_ids, std::string_view by,
                          Timestamp at);
// In the order they were linked.
Result<std::vector<std::string>> LinkedRequestIds(storage::Executor& ex, std::string_view force_id);

}  // namespace xietong::collab::store
