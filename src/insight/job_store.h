// SQL of insight's shared tables (insight migration 2): the named daily jobs
// a node claims before running them (forecast run, model retrain, reports),
// and the settings the city changes (staffing targets, weights, capacity
// assumptions) as versioned text values per scope.
//
// A job is claimed by a compare-and-set on its row: of the nodes sharing the
// database, one runs it; a claim lapses at `claimed_until`, so a node that
// died mid-run does not hold the job for ever.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::insight::store {

using storage::Executor;

std::span<const storage::Migration> JobMigrations();  // insight 2

struct JobRow {
  std::string name;
  Timestamp next_run_at = 0;
  std::string claimed_by;  // "" when nobody holds it
  Timestamp claimed_until = 0;
  Timestamp last_run_at = 0;  // 0: never ran
  std::string last_result;    // "ok: …" or "error: …"
};

// Adds the job when it is not there yet (its first run at `first_run_at`).
Result<void> EnsureJob(Executor& ex, std::string_view name, Timestamp first_run_at);
// Claims the job for `node` until `until` when it is due at `now` and nobody
// holds it; false when it is not due or held.
Result<bool> ClaimJob(Executor& ex, std::string_view name, std::string_view node, Timestamp now,
                      Timestamp until);
// Releases the claim of `node` and records the run; false when the claim was
// not (or no longer) this node's.
Result<bool> FinishJob(Executor& ex, std::string_view name, std::string_view node, Timestamp ran_at,
                       Timestamp next_run_at, std::string_view result);
Result<std::vector<JobRow>> ListJobs(Executor& ex);

struct SettingRow {
  std::string scope_id;  // a unit id, or "city"
  std::string name;
  std::string value;  // JSON text, parsed by the part that owns the name
  std::string set_by;
  Timestamp set_at = 0;
  std::int64_t version = 0;
};

Result<std::optional<SettingRow>> FindSetting(Executor& ex, std::string_view scope_id,
                                              std::string_view name);
// Every setting of one name, any scope.
Result<std::vector<SettingRow>> ListSettings(Executor& ex, std::string_view name);
// Writes `s` (its version is the new one) when the stored version is
// `if_version` (0: the setting must not exist yet); false otherwise.
Result<bool> PutSetting(Executor& ex, const SettingRow& s, std::int64_t if_version);

}  // namespace xietong::insight::store
