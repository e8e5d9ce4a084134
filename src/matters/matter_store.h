// The matters module's SQL: the current row of each matter and a snapshot of
// every version it has had. Written once for SQLite and PostgreSQL. Each
// function runs inside the caller's transaction; none decides a rule. Every
// write of a matter also writes its version snapshot, so the two cannot
// drift apart.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "matters/matter.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::matters::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

// Inserts the matter (its version as given) and its version snapshot.
Result<void> InsertMatter(Executor& ex, const Matter& m);
// Replaces the stored row with m (m.version must be expected_version + 1) and
// adds the snapshot of m.version. False, and nothing written, when the stored
// version is not expected_version.
Result<bool> UpdateMatter(Executor& ex, const Matter& m, std::int64_t expected_version);

Result<std::optional<Matter>> FindMatter(Executor& ex, std::string_view id);
Result<std::optional<Matter>> FindMatterByCode(Executor& ex, std::string_view code);
// Every matter, ordered by code.
Result<std::vector<Matter>> ListMatters(Executor& ex);

// The matter as it was at version, from its snapshot.
Result<std::optional<Matter>> FindVersion(Executor& ex, std::string_view id, std::int64_t version);
// Every version of the matter, newest first (empty for an unknown id).
Result<std::vector<Matter>> ListVersions(Executor& ex, std::string_view id);

}  // namespace xietong::matters::store
