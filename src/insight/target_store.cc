#include "insight/target_store.h"

#include <fmt/core.h>

namespace xietong::insight::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"insight", 3, "indicator targets, evaluation weights, published evaluations", R"sql(
CREATE TABLE insight_targets (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  unit_kind TEXT NOT NULL,
  unit_path TEXT NOT NULL,
  period TEXT NOT NULL,
  indicator TEXT NOT NULL,
  target DOUBLE PRECISION NOT NULL,
  amber_margin DOUBLE PRECISION NOT NULL,
  set_by TEXT NOT NULL,
  set_at BIGINT NOT NULL,
  version BIGINT NOT NULL
);
CREATE UNIQUE INDEX insight_targets_key ON insight_targets (scope, unit_id, unit_kind, period, indicator);
CREATE INDEX insight_targets_path ON insight_targets (unit_path);
CREATE TABLE insight_weights (
  period TEXT PRIMARY KEY,
  weights TEXT NOT NULL,
  min_dispatched BIGINT NOT NULL,
  set_by TEXT NOT NULL,
  set_at BIGINT NOT NULL,
  version BIGINT NOT NULL
);
CREATE TABLE insight_evaluations (
  id TEXT PRIMARY KEY,
  month TEXT NOT NULL,
  unit_kind TEXT NOT NULL,
  revision BIGINT NOT NULL,
  weights TEXT NOT NULL,
  formula TEXT NOT NULL,
  rows_json TEXT NOT NULL,
  reason TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  published_by TEXT NOT NULL,
  published_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX insight_evaluations_key ON insight_evaluations (month, unit_kind, revision)
)sql"},
};

constexpr std::string_view kTargetColumns =
    "id, scope, unit_id, unit_kind, unit_path, period, indicator, target, amber_margin, set_by, "
    "set_at, version";

TargetRow TargetFrom(const storage::Row& r) {
  return TargetRow{.id = r.Text(0),
                   .scope = r.Text(1),
                   .unit_id = r.Text(2),
                   .unit_kind = r.Text(3),
                   .unit_path = r.Text(4),
                   .period = r.Text(5),
                   .indicator = r.Text(6),
                   .target = r.Real(7),
                   .amber_margin = r.Real(8),
                   .set_by = r.Text(9),
                   .set_at = r.Int(10),
                   .version = r.Int(11)};
}

constexpr std::string_view kEvaluationColumns =
    "id, month, unit_kind, revision, weights, formula, rows_json, reason, sha256, published_by, "
    "published_at";

}  // namespace

std::span<const storage::Migration> TargetMigrations() { return kMigrations; }

Result<std::vector<TargetRow>> ListTargets(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM insight_targets ORDER BY scope, unit_id,"
                                           " unit_kind, period, indicator",
                                           kTargetColumns),
                               {}));
  std::vector<TargetRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(TargetFrom(r));
  return out;
}

Result<std::optional<TargetRow>> FindTarget(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM insight_targets WHERE id = ?", kTargetColumns),
                  {id}));
  if (!row) return std::optional<TargetRow>();
  return std::optional<TargetRow>(TargetFrom(*row));
}

Result<std::optional<TargetRow>> FindTargetByKey(Executor& ex, const TargetRow& key) {
  XT_ASSIGN_OR_RETURN(
      auto row, ex.QueryOne(fmt::format("SELECT {} FROM insight_targets WHERE scope = ? AND"
                                        " unit_id = ? AND unit_kind = ? AND period = ? AND"
                                        " indicator = ?",
                                        kTargetColumns),
                            {key.scope, key.unit_id, key.unit_kind, key.period, key.indicator}));
  if (!row) return std::optional<TargetRow>();
  return std::optional<TargetRow>(TargetFrom(*row));
}

Result<bool> InsertTarget(Executor& ex, const TargetRow& t) {
  XT_ASSIGN_OR_RETURN(
      auto n,
      ex.Exec(fmt::format("INSERT INTO insight_targets ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                          " ?, ?) ON CONFLICT DO NOTHING",
                          kTargetColumns),
              {t.id, t.scope, t.unit_id, t.unit_kind, t.unit_path, t.period, t.indicator, t.target,
               t.amber_margin, t.set_by, t.set_at, t.version}));
  return n == 1;
}

Result<bool> UpdateTarget(Executor& ex, const TargetRow& t, std::int64_t if_version) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE insight_targets SET target = ?, amber_margin = ?, set_by = ?,"
                      " set_at = ?, version = ? WHERE id = ? AND version = ?",
                      {t.target, t.amber_margin, t.set_by, t.set_at, t.version, t.id, if_version}));
  return n == 1;
}

Result<bool> DeleteTarget(Executor& ex, std::string_view id, std::int64_t if_version) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("DELETE FROM insight_targets WHERE id = ? AND version = ?",
                                      {id, if_version}));
  return n == 1;
}

Result<std::optional<WeightsRow>> FindWeights(Executor& ex, std::string_view period) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT period, weights, min_dispatched, set_by, set_at, version"
                                  " FROM insight_weights WHERE period = ?",
                                  {period}));
  if (!row) return std::optional<WeightsRow>();
  return std::optional<WeightsRow>(WeightsRow{.period = row->Text(0),
                                              .weights = row->Text(1),
                                              .min_dispatched = row->Int(2),
                                              .set_by = row->Text(3),
                                              .set_at = row->Int(4),
                                              .version = row->Int(5)});
}

Result<bool> PutWeights(Executor& ex, const WeightsRow& w, std::int64_t if_version) {
  if (if_version == 0) {
    XT_ASSIGN_OR_RETURN(
        auto n, ex.Exec("INSERT INTO insight_weights (period, weights, min_dispatched, set_by,"
                        " set_at, version) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (period)"
                        " DO NOTHING",
                        {w.period, w.weights, w.min_dispatched, w.set_by, w.set_at, w.version}));
    return n == 1;
  }
  XT_ASSIGN_OR_RETURN(
      auto n,
      ex.Exec("UPDATE insight_weights SET weights = ?, min_dispatched = ?, set_by = ?,"
              " set_at = ?, version = ? WHERE period = ? AND version = ?",
              {w.weights, w.min_dispatched, w.set_by, w.set_at, w.version, w.period, if_version}));
  return n == 1;
}

Result<std::optional<EvaluationRecord>> LatestEvaluation(Executor& ex, std::string_view month,
                                                         std::string_view unit_kind) {
  XT_ASSIGN_OR_RETURN(
      auto row, ex.QueryOne(fmt::format("SELECT {} FROM insight_evaluations WHERE month = ? AND"
                                        " unit_kind = ? ORDER BY revision DESC LIMIT 1",
                                        kEvaluationColumns),
                            {month, unit_kind}));
  if (!row) return std::optional<EvaluationRecord>();
  const auto& r = *row;
  return std::optional<EvaluationRecord>(EvaluationRecord{.id = r.Text(0),
                                                          .month = r.Text(1),
                                                          .unit_kind = r.Text(2),
                                                          .revision = r.Int(3),
                                                          .weights = r.Text(4),
                                                          .formula = r.Text(5),
                                                          .rows = r.Text(6),
                                                          .reason = r.Text(7),
                                                          .sha256 = r.Text(8),
                                                          .published_by = r.Text(9),
                                                          .published_at = r.Int(10)});
}

Result<bool> InsertEvaluation(Executor& ex, const EvaluationRecord& e) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec(fmt::format("INSERT INTO insight_evaluations ({}) VALUES (?, ?, ?, ?, ?, ?,"
                                  " ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                  kEvaluationColumns),
                      {e.id, e.month, e.unit_kind, e.revision, e.weights, e.formula, e.rows,
                       e.reason, e.sha256, e.published_by, e.published_at}));
  return n == 1;
}

}  // namespace xietong::insight::store
