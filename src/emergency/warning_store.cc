#include "emergency/warning_store.h"

#include <fmt/core.h>

#include "core/json.h"

namespace xietong::emergency::store {
namespace {

using warning::Kind;
using warning::Status;
using warning::Warning;

constexpr storage::Migration kMigrations[] = {
    // Early warning: one open warning per (kind, key, street) is the partial
    // unique index; the list is read newest first, optionally by status.
    {"emergency", 2, "early warning: warnings, rules, detector state",
     "CREATE TABLE emergency_warnings ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, wkey TEXT NOT NULL, category TEXT NOT NULL,"
     " street_id TEXT NOT NULL, status TEXT NOT NULL, opened_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL, closed_at BIGINT NOT NULL, observed BIGINT NOT NULL,"
     " expected DOUBLE PRECISION NOT NULL, evidence TEXT NOT NULL, target_units TEXT NOT NULL,"
     " incident_id TEXT NOT NULL, closed_by TEXT NOT NULL, note TEXT NOT NULL);"
     "CREATE UNIQUE INDEX emergency_warnings_open ON emergency_warnings (kind, wkey, street_id)"
     " WHERE status = 'open';"
     "CREATE INDEX emergency_warnings_status ON emergency_warnings (status, opened_at);"
     "CREATE INDEX emergency_warnings_opened ON emergency_warnings (opened_at);"
     "CREATE TABLE emergency_warning_rules ("
     " id TEXT PRIMARY KEY, category TEXT NOT NULL, street_id TEXT NOT NULL,"
     " threshold BIGINT NOT NULL, window_hours BIGINT NOT NULL, enabled BIGINT NOT NULL,"
     " created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
     "CREATE TABLE emergency_warning_state ("
     " name TEXT PRIMARY KEY, seq BIGINT NOT NULL, snapshot TEXT NOT NULL,"
     " updated_at BIGINT NOT NULL)"},
};

constexpr std::string_view kColumns =
    "id, kind, wkey, category, street_id, status, opened_at, updated_at, closed_at, observed,"
    " expected, evidence, target_units, incident_id, closed_by, note";

Warning WarningFrom(const storage::Row& row) {
  Warning w;
  w.id = row.Text(0);
  w.kind = warning::ParseKind(row.TextView(1)).value_or(Kind::kVolume);
  w.key = row.Text(2);
  w.category = row.Text(3);
  w.street_id = row.Text(4);
  w.status = warning::ParseStatus(row.TextView(5)).value_or(Status::kOpen);
  w.opened_at = row.Int(6);
  w.updated_at = row.Int(7);
  w.closed_at = row.Int(8);
  w.observed = static_cast<int>(row.Int(9));
  w.expected = row.Real(10);
  w.evidence = row.Text(11);
  auto units = json::Json::parse(row.TextView(12), nullptr, false);
  if (units.is_array()) {
    for (const auto& u : units) {
      if (u.is_string()) w.target_unit_ids.push_back(u.get<std::string>());
    }
  }
  w.incident_id = row.Text(13);
  w.closed_by = row.Text(14);
  w.note = row.Text(15);
  return w;
}

constexpr std::string_view kRuleColumns =
    "id, category, street_id, threshold, window_hours, enabled, created_by, created_at, updated_at";

warning::StoredRule RuleFrom(const storage::Row& row) {
  warning::StoredRule r;
  r.rule.id = row.Text(0);
  r.rule.category = row.Text(1);
  r.rule.street_id = row.Text(2);
  r.rule.threshold = static_cast<int>(row.Int(3));
  r.rule.window_hours = static_cast<int>(row.Int(4));
  r.rule.enabled = row.Int(5) != 0;
  r.created_by = row.Text(6);
  r.created_at = row.Int(7);
  r.updated_at = row.Int(8);
  return r;
}

}  // namespace

std::span<const storage::Migration> WarningMigrations() { return kMigrations; }

Result<void> InsertWarning(Executor& ex, const Warning& w) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec(fmt::format("INSERT INTO emergency_warnings ({}) VALUES ({})", kColumns,
                          storage::Placeholders(16)),
              {w.id, warning::KindName(w.kind), w.key, w.category, w.street_id,
               warning::StatusName(w.status), w.opened_at, w.updated_at, w.closed_at, w.observed,
               w.expected, w.evidence, json::Json(w.target_unit_ids).dump(), w.incident_id,
               w.closed_by, w.note}));
  if (n != 1) return Fail(Error::Internal("warning not inserted"));
  return {};
}

Result<void> UpdateWarning(Executor& ex, const Warning& w) {
  return ex.Defer(
      "UPDATE emergency_warnings SET status = ?, updated_at = ?, closed_at = ?, observed = ?,"
      " expected = ?, evidence = ?, incident_id = ?, closed_by = ?, note = ? WHERE id = ?",
      {warning::StatusName(w.status), w.updated_at, w.closed_at, w.observed, w.expected, w.evidence,
       w.incident_id, w.closed_by, w.note, w.id});
}

Result<std::optional<Warning>> FindWarning(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM emergency_warnings WHERE id = ?", kColumns), {id}));
  if (!row) return std::optional<Warning>();
  return std::optional<Warning>(WarningFrom(*row));
}

Result<std::optional<Warning>> FindOpenWarning(Executor& ex, Kind kind, std::string_view key,
                                               std::string_view street_id) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne(fmt::format("SELECT {} FROM emergency_warnings WHERE kind = ?"
                                              " AND wkey = ? AND street_id = ? AND status = 'open'",
                                              kColumns),
                                  {warning::KindName(kind), key, street_id}));
  if (!row) return std::optional<Warning>();
  return std::optional<Warning>(WarningFrom(*row));
}

Result<std::vector<Warning>> ListWarnings(Executor& ex, std::optional<Status> status, int limit) {
  std::vector<storage::Row> rows;
  if (status) {
    XT_ASSIGN_OR_RETURN(rows, ex.Query(fmt::format("SELECT {} FROM emergency_warnings WHERE"
                                                   " status = ? ORDER BY opened_at DESC, id DESC"
                                                   " LIMIT ?",
                                                   kColumns),
                                       {warning::StatusName(*status), limit}));
  } else {
    XT_ASSIGN_OR_RETURN(rows, ex.Query(fmt::format("SELECT {} FROM emergency_warnings"
                                                   " ORDER BY opened_at DESC, id DESC LIMIT ?",
                                                   kColumns),
                                       {limit}));
  }
  std::vector<Warning> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(WarningFrom(r));
  return out;
}

Result<void> InsertRule(Executor& ex, const warning::StoredRule& r) {
  return ex.Defer(fmt::format("INSERT INTO emergency_warning_rules ({}) VALUES ({})", kRuleColumns,
                              storage::Placeholders(9)),
                  {r.rule.id, r.rule.category, r.rule.street_id, r.rule.threshold,
                   r.rule.window_hours, r.rule.enabled, r.created_by, r.created_at, r.updated_at});
}

Result<bool> UpdateRule(Executor& ex, const warning::StoredRule& r) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec("UPDATE emergency_warning_rules SET category = ?, street_id = ?, threshold = ?,"
              " window_hours = ?, enabled = ?, updated_at = ? WHERE id = ?",
              {r.rule.category, r.rule.street_id, r.rule.threshold, r.rule.window_hours,
               r.rule.enabled, r.updated_at, r.rule.id}));
  return n > 0;
}

Result<bool> DeleteRule(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("DELETE FROM emergency_warning_rules WHERE id = ?", {id}));
  return n > 0;
}

Result<std::optional<warning::StoredRule>> FindRule(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM emergency_warning_rules WHERE id = ?", kRuleColumns),
                  {id}));
  if (!row) return std::optional<warning::StoredRule>();
  return std::optional<warning::StoredRule>(RuleFrom(*row));
}

Result<std::vector<warning::StoredRule>> ListRules(Executor& ex) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM emergency_warning_rules ORDER BY created_at, id",
                           kRuleColumns)));
  std::vector<warning::StoredRule> out;
  for (const auto& r : rows) out.push_back(RuleFrom(r));
  return out;
}

Result<std::optional<DetectorState>> LoadDetectorState(Executor& ex, std::string_view name) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne("SELECT seq, snapshot FROM emergency_warning_state WHERE name = ?", {name}));
  if (!row) return std::optional<DetectorState>();
  return std::optional<DetectorState>(DetectorState{row->Int(0), row->Text(1)});
}

Result<void> SaveDetectorState(Executor& ex, std::string_view name, const DetectorState& s,
                               Timestamp at) {
  return ex.Defer(
      "INSERT INTO emergency_warning_state (name, seq, snapshot, updated_at) VALUES (?, ?, ?, ?)"
      " ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, snapshot = excluded.snapshot,"
      " updated_at = excluded.updated_at",
      {name, s.seq, s.snapshot, at});
}

}  // namespace xietong::emergency::store
