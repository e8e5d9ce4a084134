// Versioned schema migrations, applied at start on both backends.
//
// Each module owns its migrations (its SQL lives with its store) and the app
// passes them all here in dependency order. A migration is applied once, in
// one transaction with the row that records it in schema_migrations; on
// PostgreSQL an advisory lock keeps two starting nodes from racing.
#pragma once

#include <span>
#include <string_view>

#include "storage/database.h"

namespace xietong::storage {

struct Migration {
  std::string_view module;  // e.g. "identity"
  int version;              // 1, 2, … within the module; never reused
  std::string_view name;    // what it does, for the log
  std::string_view sql;     // portable DDL; several statements separated by ';'
};

// Applies every migration not yet recorded; returns how many it applied.
Result<int> ApplyMigrations(Database& db, std::span<const Migration> migrations,
                            std::int64_t now_us);

}  // namespace xietong::storage
