// Versioned schema migrations, applied at start on both backends.
//
// Each module owns its migrations (its SQL lives with its store) and
// publishes them as one `Schema` that names the schemas its tables refer to;
// `ApplySchemas` orders them (a schema after those it needs), so no caller
// writes the ordered list by hand. A migration is applied once, in one
// transaction with the row that records it in schema_migrations; on
// PostgreSQL an advisory lock keeps two starting nodes from racing.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "storage/database.h"

namespace xietong::storage {

struct Migration {
  std::string_view module;  // e.g. "identity"
  int version;              // 1, 2, … within the module; never reused
  std::string_view name;    // what it does, for the log
  std::string_view sql;     // portable DDL; several statements separated by ';'
  // When set, PostgreSQL runs this instead: for what has no portable form
  // (a full-text index is an FTS5 table in SQLite, a tsvector in PostgreSQL).
  std::string_view sql_postgres = {};
};

// One module's part of the database: its migrations (in version order) and
// the schemas whose tables its own refer to. Each module's service header
// exposes its one `Schema()`; the object lives for the whole program.
struct Schema {
  std::string_view module;
  std::vector<const Schema*> needs;
  std::vector<std::span<const Migration>> migrations;
};

// Every migration of `schemas` and of the schemas they need, transitively:
// each schema once, after every schema it needs.
std::vector<Migration> Ordered(std::initializer_list<const Schema*> schemas);

// Applies every migration not yet recorded; returns how many it applied.
Result<int> ApplyMigrations(Database& db, std::span<const Migration> migrations,
                            std::int64_t now_us);
// ApplyMigrations(db, Ordered(schemas), now_us).
Result<int> ApplySchemas(Database& db, std::initializer_list<const Schema*> schemas,
                         std::int64_t now_us);

}  // namespace xietong::storage
