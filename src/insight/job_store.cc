#include "insight/job_store.h"

#include <fmt/core.h>

namespace xietong::insight::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"insight", 2, "named daily jobs claimed by one node; the city's insight settings",
     "CREATE TABLE insight_jobs (name TEXT PRIMARY KEY, next_run_at BIGINT NOT NULL,"
     " claimed_by TEXT NOT NULL, claimed_until BIGINT NOT NULL, last_run_at BIGINT NOT NULL,"
     " last_result TEXT NOT NULL);"
     "CREATE TABLE insight_settings (scope_id TEXT NOT NULL, name TEXT NOT NULL,"
     " value TEXT NOT NULL, set_by TEXT NOT NULL, set_at BIGINT NOT NULL,"
     " version BIGINT NOT NULL, PRIMARY KEY (scope_id, name))"},
};

constexpr std::string_view kSettingColumns = "scope_id, name, value, set_by, set_at, version";

SettingRow SettingFrom(const storage::Row& r) {
  return SettingRow{.scope_id = r.Text(0),
                    .name = r.Text(1),
                    .value = r.Text(2),
                    .set_by = r.Text(3),
                    .set_at = r.Int(4),
                    .version = r.Int(5)};
}

}  // namespace

std::span<const storage::Migration> JobMigrations() { return kMigrations; }

Result<void> EnsureJob(Executor& ex, std::string_view name, Timestamp first_run_at) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO insight_jobs (name, next_run_at, claimed_by, claimed_until, last_run_at,"
              " last_result) VALUES (?, ?, '', 0, 0, '') ON CONFLICT (name) DO NOTHING",
              {name, first_run_at}));
  return {};
}

Result<bool> ClaimJob(Executor& ex, std::string_view name, std::string_view node, Timestamp now,
                      Timestamp until) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE insight_jobs SET claimed_by = ?, claimed_until = ?"
                                      " WHERE name = ? AND next_run_at <= ? AND claimed_until < ?",
                                      {node, until, name, now, now}));
  return n == 1;
}

Result<bool> FinishJob(Executor& ex, std::string_view name, std::string_view node, Timestamp ran_at,
                       Timestamp next_run_at, std::string_view result) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE insight_jobs SET claimed_by = '', claimed_until = 0,"
                                      " last_run_at = ?, last_result = ?, next_run_at = ?"
                                      " WHERE name = ? AND claimed_by = ?",
                                      {ran_at, result, next_run_at, name, node}));
  return n == 1;
}

Result<std::vector<JobRow>> ListJobs(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT name, next_run_at, claimed_by, claimed_until,"
                                          " last_run_at, last_result FROM insight_jobs"
                                          " ORDER BY name",
                                          {}));
  std::vector<JobRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(JobRow{.name = r.Text(0),
                         .next_run_at = r.Int(1),
                         .claimed_by = r.Text(2),
                         .claimed_until = r.Int(3),
                         .last_run_at = r.Int(4),
                         .last_result = r.Text(5)});
  return out;
}

Result<std::optional<SettingRow>> FindSetting(Executor& ex, std::string_view scope_id,
                                              std::string_view name) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM insight_settings"
                                                        " WHERE scope_id = ? AND name = ?",
                                                        kSettingColumns),
                                            {scope_id, name}));
  if (!row) return std::optional<SettingRow>();
  return std::optional<SettingRow>(SettingFrom(*row));
}

Result<std::vector<SettingRow>> ListSettings(Executor& ex, std::string_view name) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM insight_settings WHERE name = ? ORDER BY scope_id",
                           kSettingColumns),
               {name}));
  std::vector<SettingRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(SettingFrom(r));
  return out;
}

Result<bool> PutSetting(Executor& ex, const SettingRow& s, std::int64_t if_version) {
  if (if_version == 0) {
    XT_ASSIGN_OR_RETURN(
        auto n, ex.Exec("INSERT INTO insight_settings (scope_id, name, value, set_by, set_at,"
                        " version) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope_id, name)"
                        " DO NOTHING",
                        {s.scope_id, s.name, s.value, s.set_by, s.set_at, s.version}));
    return n == 1;
  }
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE insight_settings SET value = ?, set_by = ?, set_at = ?, version = ?"
                      " WHERE scope_id = ? AND name = ? AND version = ?",
                      {s.value, s.set_by, s.set_at, s.version, s.scope_id, s.name, if_version}));
  return n == 1;
}

}  // namespace xietong::insight::store
