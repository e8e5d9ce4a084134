#include "storage/migrations.h"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

namespace xietong::storage {

namespace {

void Visit(const Schema* schema, std::set<const Schema*>& done, std::vector<Migration>& out) {
  if (!done.insert(schema).second) return;
  for (const Schema* need : schema->needs) Visit(need, done, out);
  for (auto span : schema->migrations) out.insert(out.end(), span.begin(), span.end());
}

}  // namespace

std::vector<Migration> Ordered(std::initializer_list<const Schema*> schemas) {
  std::set<const Schema*> done;
  std::vector<Migration> out;
  for (const Schema* s : schemas) Visit(s, done, out);
  return out;
}

Result<int> ApplySchemas(Database& db, std::initializer_list<const Schema*> schemas,
                         std::int64_t now_us) {
  return ApplyMigrations(db, Ordered(schemas), now_us);
}

Result<int> ApplyMigrations(Database& db, std::span<const Migration> migrations,
                            std::int64_t now_us) {
  return db.Write([&](Executor& ex) -> Result<int> {
    if (ex.dialect() == Dialect::kPostgres) {
      // Serialises concurrent starts of several nodes; released at commit.
      XT_TRY_VOID(ex.Query("SELECT pg_advisory_xact_lock(7310042)", {}));
    }
    XT_TRY_VOID(
        ex.ExecScript("CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " module TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL,"
                      " applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))"));
    XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT module, version FROM schema_migrations", {}));
    std::set<std::pair<std::string, std::int64_t>> applied;
    for (const auto& r : rows) applied.emplace(r.Text(0), r.Int(1));
    int count = 0;
    for (const auto& m : migrations) {
      if (applied.contains({std::string(m.module), m.version})) continue;
      const bool postgres = ex.dialect() == Dialect::kPostgres && !m.sql_postgres.empty();
      XT_TRY_VOID(ex.ExecScript(postgres ? m.sql_postgres : m.sql));
      XT_TRY_VOID(ex.Exec(
          "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)",
          {m.module, m.version, m.name, now_us}));
      spdlog::info("applied migration {}/{}: {}", m.module, m.version, m.name);
      ++count;
    }
    return count;
  });
}

}  // namespace xietong::storage
