#include "emergency/incident_store.h"

#include <fmt/core.h>

#include "core/json.h"

namespace xietong::emergency::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"emergency", 1, "incidents, their timeline and level changes, the command force link",
     "CREATE TABLE emergency_incidents ("
     " id TEXT PRIMARY KEY, type TEXT NOT NULL, level BIGINT NOT NULL, title TEXT NOT NULL,"
     " description TEXT NOT NULL, area_polygon TEXT NOT NULL, grid_ids TEXT NOT NULL,"
     " centre_lat DOUBLE PRECISION, centre_lng DOUBLE PRECISION,"
     " unit_id TEXT NOT NULL, unit_path TEXT NOT NULL, unit_name TEXT NOT NULL,"
     " status TEXT NOT NULL, source_warning_id TEXT NOT NULL, force_id TEXT NOT NULL,"
     " report_series TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL, closed_at BIGINT NOT NULL, summary TEXT NOT NULL,"
     " timeline_seq BIGINT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX emergency_incidents_unit ON emergency_incidents (unit_path, created_at);"
     "CREATE INDEX emergency_incidents_status ON emergency_incidents (status, created_at);"
     // One incident per warning: an escalation retried after a crash finds it.
     "CREATE UNIQUE INDEX emergency_incidents_warning ON emergency_incidents"
     " (source_warning_id) WHERE source_warning_id <> '';"
     "CREATE TABLE emergency_timeline ("
     " incident_id TEXT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL,"
     " actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, kind TEXT NOT NULL,"
     " text TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (incident_id, seq));"
     "CREATE TABLE emergency_level_changes ("
     " incident_id TEXT NOT NULL, at BIGINT NOT NULL, from_level BIGINT NOT NULL,"
     " to_level BIGINT NOT NULL, reason TEXT NOT NULL, actor_id TEXT NOT NULL);"
     "CREATE INDEX emergency_level_changes_incident ON emergency_level_changes (incident_id, at)"},
    {"emergency", 5, "when each active incident's next round of 情况报告 is due",
     "ALTER TABLE emergency_incidents ADD COLUMN next_report_at BIGINT NOT NULL DEFAULT 0;"
     "CREATE INDEX emergency_incidents_next_report ON emergency_incidents"
     " (status, next_report_at)"},
};

constexpr std::string_view kColumns =
    "id, type, level, title, description, area_polygon, grid_ids, unit_id, unit_path,"
    " unit_name, status, source_warning_id, force_id, report_series, created_by, created_at,"
    " updated_at, closed_at, summary, version";

std::string GridText(const Area& a) { return json::Json(a.grid_ids).dump(); }

std::string PolygonText(const Area& a) {
  const auto p = PolygonJson(a);
  return p.is_null() ? std::string() : p.dump();
}

Incident FromRow(const storage::Row& r) {
  Incident i;
  i.id = r.Text(0);
  i.type = r.Text(1);
  i.level = static_cast<int>(r.Int(2));
  i.title = r.Text(3);
  i.description = r.Text(4);
  if (const auto poly = r.TextView(5); !poly.empty()) {
    if (auto ring = ParsePolygon(json::Json::parse(poly, nullptr, false))) i.area.ring = *ring;
  }
  const auto grids = json::Json::parse(r.TextView(6), nullptr, false);
  if (grids.is_array())
    for (const auto& g : grids)
      if (g.is_string()) i.area.grid_ids.push_back(g.get<std::string>());
  i.unit_id = r.Text(7);
  i.unit_path = r.Text(8);
  i.unit_name = r.Text(9);
  i.status = r.TextView(10) == "closed" ? IncidentStatus::kClosed : IncidentStatus::kActive;
  i.source_warning_id = r.Text(11);
  i.force_id = r.Text(12);
  i.report_series = r.Text(13);
  i.created_by = r.Text(14);
  i.created_at = r.Int(15);
  i.updated_at = r.Int(16);
  i.closed_at = r.Int(17);
  i.summary = r.Text(18);
  i.version = r.Int(19);
  return i;
}

}  // namespace

std::span<const storage::Migration> IncidentMigrations() { return kMigrations; }

Result<void> InsertIncident(Executor& ex, const Incident& i) {
  const auto c = Centre(i.area);
  return ex.Defer(
      "INSERT INTO emergency_incidents (id, type, level, title, description, area_polygon,"
      " grid_ids, centre_lat, centre_lng, unit_id, unit_path, unit_name, status,"
      " source_warning_id, force_id, report_series, created_by, created_at, updated_at,"
      " closed_at, summary, timeline_seq, version)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
      {i.id,
       i.type,
       i.level,
       i.title,
       i.description,
       PolygonText(i.area),
       GridText(i.area),
       c ? storage::Value(c->lat) : storage::Value(),
       c ? storage::Value(c->lng) : storage::Value(),
       i.unit_id,
       i.unit_path,
       i.unit_name,
       StatusName(i.status),
       i.source_warning_id,
       i.force_id,
       i.report_series,
       i.created_by,
       i.created_at,
       i.updated_at,
       i.closed_at,
       i.summary,
       i.version});
}

Result<std::optional<Incident>> FindIncident(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM emergency_incidents WHERE id = ?", kColumns), {id}));
  if (!row) return std::optional<Incident>();
  return std::optional<Incident>(FromRow(*row));
}

Result<std::optional<Incident>> FindIncidentByWarning(Executor& ex, std::string_view warning_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM emergency_incidents"
                                                        " WHERE source_warning_id = ?",
                                                        kColumns),
                                            {warning_id}));
  if (!row) return std::optional<Incident>();
  return std::optional<Incident>(FromRow(*row));
}

Result<bool> UpdateIncident(Executor& ex, const Incident& i) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE emergency_incidents SET level = ?, title = ?, description = ?,"
                      " status = ?, force_id = ?, updated_at = ?, closed_at = ?, summary = ?,"
                      " version = ? WHERE id = ? AND version = ?",
                      {i.level, i.title, i.description, StatusName(i.status), i.force_id,
                       i.updated_at, i.closed_at, i.summary, i.version, i.id, i.version - 1}));
  return n == 1;
}

Result<bool> SetForceId(Executor& ex, std::string_view incident_id, std::string_view force_id) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE emergency_incidents SET force_id = ?,"
                                      " version = version + 1 WHERE id = ? AND force_id = ''",
                                      {force_id, incident_id}));
  return n == 1;
}

Result<std::vector<Incident>> ListIncidents(Executor& ex, const IncidentFilter& f) {
  std::string sql = fmt::format("SELECT {} FROM emergency_incidents WHERE (", kColumns);
  std::vector<storage::Value> params;
  bool any = false, all = false;
  for (const auto& p : f.unit_paths) {
    if (p.empty()) all = true;
    sql += any ? " OR unit_path LIKE ?" : "unit_path LIKE ?";
    params.emplace_back(p + "%");
    any = true;
  }
  // Incidents commanded from a unit above one of the caller's: its path is a
  // prefix of theirs.
  for (const auto& p : f.own_unit_paths) {
    sql += any ? " OR ? LIKE unit_path || '%'" : "? LIKE unit_path || '%'";
    params.emplace_back(p);
    any = true;
  }
  if (all) {
    sql = fmt::format("SELECT {} FROM emergency_incidents WHERE (1 = 1", kColumns);
    params.clear();
  } else if (!any) {
    return std::vector<Incident>();
  }
  sql += ")";
  if (!f.status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(f.status);
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
  params.emplace_back(std::int64_t{f.limit});
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, params));
  std::vector<Incident> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(FromRow(r));
  return out;
}

Result<std::vector<std::string>> IncidentsWithoutForce(Executor& ex, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT id FROM emergency_incidents WHERE force_id = ''"
                                          " AND status = 'active' ORDER BY created_at LIMIT ?",
                                          {limit}));
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.Text(0));
  return out;
}

Result<std::int64_t> AppendTimeline(Executor& ex, TimelineEntry e) {
  // The counter's row lock orders concurrent appends to one incident.
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("UPDATE emergency_incidents SET timeline_seq ="
                                            " timeline_seq + 1 WHERE id = ? RETURNING timeline_seq",
                                            {e.incident_id}));
  if (!row) return Fail(Error::NotFound("no such incident"));
  e.seq = row->Int(0);
  XT_TRY_VOID(ex.Defer(
      "INSERT INTO emergency_timeline (incident_id, seq, at, actor_id, actor_name, kind, text,"
      " data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {e.incident_id, e.seq, e.at, e.actor_id, e.actor_name, e.kind, e.text, e.data.dump()}));
  return e.seq;
}

Result<std::vector<TimelineEntry>> Timeline(Executor& ex, std::string_view incident_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT incident_id, seq, at, actor_id, actor_name, kind, text, data"
                               " FROM emergency_timeline WHERE incident_id = ? ORDER BY seq",
                               {incident_id}));
  std::vector<TimelineEntry> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    auto data = json::Json::parse(r.TextView(7), nullptr, false);
    out.push_back({.incident_id = r.Text(0),
                   .seq = r.Int(1),
                   .at = r.Int(2),
                   .actor_id = r.Text(3),
                   .actor_name = r.Text(4),
                   .kind = r.Text(5),
                   .text = r.Text(6),
                   .data = data.is_discarded() ? json::Json::object() : std::move(data)});
  }
  return out;
}

Result<void> InsertLevelChange(Executor& ex, std::string_view incident_id, int from, int to,
                               std::string_view reason, std::string_view actor_id, Timestamp at) {
  return ex.Defer(
      "INSERT INTO emergency_level_changes (incident_id, at, from_level, to_level, reason,"
      " actor_id) VALUES (?, ?, ?, ?, ?, ?)",
      {incident_id, at, from, to, reason, actor_id});
}

Result<void> SetNextReportAt(Executor& ex, std::string_view incident_id, Timestamp at) {
  return ex.Defer("UPDATE emergency_incidents SET next_report_at = ? WHERE id = ?",
                  {at, std::string(incident_id)});
}

Result<std::vector<DueRound>> DueReportRounds(Executor& ex, Timestamp now, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT id, next_report_at FROM emergency_incidents"
                               " WHERE status = 'active' AND next_report_at > 0"
                               " AND next_report_at <= ? ORDER BY next_report_at LIMIT ?",
                               {now, static_cast<std::int64_t>(limit)}));
  std::vector<DueRound> out;
  for (const auto& r : rows) out.push_back({.incident_id = r.Text(0), .due_at = r.Int(1)});
  return out;
}

Result<bool> ClaimReportRound(Executor& ex, const DueRound& round, Timestamp next) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE emergency_incidents SET next_report_at = ?"
                                      " WHERE id = ? AND next_report_at = ? AND status = 'active'",
                                      {next, round.incident_id, round.due_at}));
  return n == 1;
}

}  // namespace xietong::emergency::store
