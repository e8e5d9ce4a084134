// SQL of insight's targets and 考核 (insight migration 3, docs/plans/decision-support.md §5.4):
// the indicator targets per unit or unit kind and period, the evaluation weights per period,
// and the published evaluations (each revision kept). Written once for SQLite and PostgreSQL;
// each function runs inside the caller's transaction and decides no rule.
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

std::span<const storage::Migration> TargetMigrations();  // insight 3

struct TargetRow {
  std::string id = {};
  std::string scope = {};      // "unit" | "kind"
  std::string unit_id = {};    // "" when scope = kind
  std::string unit_kind = {};  // "street" | "department" when scope = kind; "" otherwise
  std::string unit_path = {};  // "" when scope = kind
  std::string period = {};     // yyyy-mm | yyyy-Qn | yyyy | *
  std::string indicator = {};
  double target = 0;
  double amber_margin = 0;
  std::string set_by = {};
  Timestamp set_at = 0;
  std::int64_t version = 0;
};

// Every target (a city has a few thousand at most), by scope, unit, kind, period, indicator.
Result<std::vector<TargetRow>> ListTargets(Executor& ex);
Result<std::optional<TargetRow>> FindTarget(Executor& ex, std::string_view id);
Result<std::optional<TargetRow>> FindTargetByKey(Executor& ex, const TargetRow& key);
// Inserts t; false when a target with its key exists.
Result<bool> InsertTarget(Executor& ex, const TargetRow& t);
// Writes target, margin, set_by, set_at and version (t.version, the new one) when the stored
// version is if_version; false otherwise.
Result<bool> UpdateTarget(Executor& ex, const TargetRow& t, std::int64_t if_version);
Result<bool> DeleteTarget(Executor& ex, std::string_view id, std::int64_t if_version);

struct WeightsRow {
  std::string period = {};   // yyyy-mm | *
  std::string weights = {};  // JSON {"response_rate":0.1,…}
  std::int64_t min_dispatched = 0;
  std::string set_by = {};
  Timestamp set_at = 0;
  std::int64_t version = 0;
};
Result<std::optional<WeightsRow>> FindWeights(Executor& ex, std::string_view period);
// Writes w (its version is the new one) when the stored version is if_version (0: the period
// must have no row yet); false otherwise.
Result<bool> PutWeights(Executor& ex, const WeightsRow& w, std::int64_t if_version);

struct EvaluationRecord {
  std::string id = {};
  std::string month = {};
  std::string unit_kind = {};
  std::int64_t revision = 0;
  std::string weights = {};  // JSON
  std::string formula = {};
  std::string rows = {};  // JSON, as published
  std::string reason = {};
  std::string sha256 = {};
  std::string published_by = {};
  Timestamp published_at = 0;
};
// The highest revision of a month and kind, if any.
Result<std::optional<EvaluationRecord>> LatestEvaluation(Executor& ex, std::string_view month,
                                                         std::string_view unit_kind);
// false when the revision exists (someone published meanwhile).
Result<bool> InsertEvaluation(Executor& ex, const EvaluationRecord& e);

}  // namespace xietong::insight::store
