// The SQL of incidents, written once for both backends: the incident row
// (its area as GeoJSON text and grid ids as a JSON array), its timeline and
// its level changes. Decides no rule; IncidentService calls it, and the
// other parts of the module read an incident through FindIncident.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emergency/incident.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::emergency::store {

using storage::Executor;

// emergency/1: incidents, timeline, level changes, command force link.
std::span<const storage::Migration> IncidentMigrations();

Result<void> InsertIncident(Executor& ex, const Incident& i);
Result<std::optional<Incident>> FindIncident(Executor& ex, std::string_view id);
// The incident a warning was escalated to (at most one: a unique index).
Result<std::optional<Incident>> FindIncidentByWarning(Executor& ex, std::string_view warning_id);
// Writes every mutable field when the row is still at i.version - 1; false
// when someone changed it meanwhile.
Result<bool> UpdateIncident(Executor& ex, const Incident& i);
// Sets the force id once; false when one is set already.
Result<bool> SetForceId(Executor& ex, std::string_view incident_id, std::string_view force_id);

struct IncidentFilter {
  std::vector<std::string> unit_paths = {};      // under any of these ("" in the list = all)
  std::vector<std::string> own_unit_paths = {};  // or commanded from a unit above one of these
  std::string status = {};                       // "" = any
  int limit = 100;
};
// Newest first.
Result<std::vector<Incident>> ListIncidents(Executor& ex, const IncidentFilter& f);
// Active incidents without a force (the retry of forming one).
Result<std::vector<std::string>> IncidentsWithoutForce(Executor& ex, int limit);

// Appends one timeline entry, numbered after the last; returns its seq.
// The schedule of 情况报告 (migration 5): when the next round is due (0 = none).
Result<void> SetNextReportAt(Executor& ex, std::string_view incident_id, Timestamp at);
struct DueRound {
  std::string incident_id = {};
  Timestamp due_at = 0;
};
// Active incidents whose round is due at `now`, the longest overdue first.
Result<std::vector<DueRound>> DueReportRounds(Executor& ex, Timestamp now, int limit);
// Moves the round to `next` if nobody did since it was read: true for the one
// node (or pass) that then sends it.
Result<bool> ClaimReportRound(Executor& ex, const DueRound& round, Timestamp next);

Result<std::int64_t> AppendTimeline(Executor& ex, TimelineEntry e);
Result<std::vector<TimelineEntry>> Timeline(Executor& ex, std::string_view incident_id);

Result<void> InsertLevelChange(Executor& ex, std::string_view incident_id, int from, int to,
                               std::string_view reason, std::string_view actor_id, Timestamp at);

}  // namespace xietong::emergency::store
