#include "emergency/resource_store.h"

#include <fmt/core.h>

#include "core/json.h"
#include "emergency/incident_store.h"

namespace xietong::emergency::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"emergency", 4, "needs, resources (shelters among them), commitments",
     "CREATE TABLE emergency_needs ("
     " id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,"
     " description TEXT NOT NULL, priority BIGINT NOT NULL, quantity BIGINT NOT NULL,"
     " committed BIGINT NOT NULL, delivered BIGINT NOT NULL, unit_label TEXT NOT NULL,"
     " place TEXT NOT NULL, lat DOUBLE PRECISION, lng DOUBLE PRECISION,"
     " contact_name TEXT NOT NULL, contact_phone TEXT NOT NULL, source_report_id TEXT NOT NULL,"
     " created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
     " version BIGINT NOT NULL);"
     "CREATE INDEX emergency_needs_incident ON emergency_needs (incident_id, priority, created_at);"
     "CREATE TABLE emergency_resources ("
     " id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,"
     " quantity BIGINT NOT NULL, committed BIGINT NOT NULL, unit_label TEXT NOT NULL,"
     " place TEXT NOT NULL, lat DOUBLE PRECISION, lng DOUBLE PRECISION,"
     " available BIGINT NOT NULL, contact_phone TEXT NOT NULL, created_by TEXT NOT NULL,"
     " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX emergency_resources_incident ON emergency_resources (incident_id, kind);"
     "CREATE TABLE emergency_commitments ("
     " id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, need_id TEXT NOT NULL,"
     " resource_id TEXT NOT NULL, quantity BIGINT NOT NULL, complete BIGINT NOT NULL,"
     " status TEXT NOT NULL, note TEXT NOT NULL, created_by TEXT NOT NULL,"
     " created_at BIGINT NOT NULL, delivered_at BIGINT NOT NULL, cancelled_at BIGINT NOT NULL);"
     "CREATE INDEX emergency_commitments_incident ON emergency_commitments (incident_id, "
     "created_at);"
     "CREATE INDEX emergency_commitments_need ON emergency_commitments (need_id);"
     // A client that got no answer (a crash, a dropped connection) retries
     // with the same key and gets the first commitment, not a second one.
     "CREATE TABLE emergency_commitment_keys ("
     " actor_id TEXT NOT NULL, idem_key TEXT NOT NULL, commitment_id TEXT NOT NULL,"
     " PRIMARY KEY (actor_id, idem_key))"},
    // 储备: a unit's standing resources (incident_id ''), and the incident's
    // resources that were lent from one (source_id).
    {"emergency", 6, "resource reserves held by units, and deployments from them",
     "ALTER TABLE emergency_resources ADD COLUMN unit_id TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE emergency_resources ADD COLUMN source_id TEXT NOT NULL DEFAULT '';"
     "CREATE INDEX emergency_resources_unit ON emergency_resources (unit_id, kind)"},
};

constexpr std::string_view kNeedColumns =
    "id, incident_id, kind, title, description, priority, quantity, committed, delivered,"
    " unit_label, place, lat, lng, contact_name, contact_phone, source_report_id, created_by,"
    " created_at, updated_at, version";
constexpr std::string_view kResourceColumns =
    "id, incident_id, kind, name, quantity, committed, unit_label, place, lat, lng, available,"
    " contact_phone, created_by, created_at, updated_at, version, unit_id, source_id";
constexpr std::string_view kCommitmentColumns =
    "id, incident_id, need_id, resource_id, quantity, complete, status, note, created_by,"
    " created_at, delivered_at, cancelled_at";

std::optional<GeoPoint> PointAt(const storage::Row& r, std::size_t i) {
  if (r.IsNull(i) || r.IsNull(i + 1)) return std::nullopt;
  return GeoPoint{.lat = r.Real(i), .lng = r.Real(i + 1)};
}
storage::Value Lat(const std::optional<GeoPoint>& p) {
  return p ? storage::Value(p->lat) : storage::Value();
}
storage::Value Lng(const std::optional<GeoPoint>& p) {
  return p ? storage::Value(p->lng) : storage::Value();
}

Need NeedOf(const storage::Row& r) {
  return {.id = r.Text(0),
          .incident_id = r.Text(1),
          .kind = r.Text(2),
          .title = r.Text(3),
          .description = r.Text(4),
          .priority = static_cast<int>(r.Int(5)),
          .quantity = r.Int(6),
          .committed = r.Int(7),
          .delivered = r.Int(8),
          .unit_label = r.Text(9),
          .place = r.Text(10),
          .location = PointAt(r, 11),
          .contact_name = r.Text(13),
          .contact_phone = r.Text(14),
          .source_report_id = r.Text(15),
          .created_by = r.Text(16),
          .created_at = r.Int(17),
          .updated_at = r.Int(18),
          .version = r.Int(19)};
}

Resource ResourceOf(const storage::Row& r) {
  return {.id = r.Text(0),
          .incident_id = r.Text(1),
          .unit_id = r.Text(16),
          .source_id = r.Text(17),
          .kind = r.Text(2),
          .name = r.Text(3),
          .quantity = r.Int(4),
          .committed = r.Int(5),
          .unit_label = r.Text(6),
          .place = r.Text(7),
          .location = PointAt(r, 8),
          .available = r.Int(10) != 0,
          .contact_phone = r.Text(11),
          .created_by = r.Text(12),
          .created_at = r.Int(13),
          .updated_at = r.Int(14),
          .version = r.Int(15)};
}

Commitment CommitmentOf(const storage::Row& r) {
  return {.id = r.Text(0),
          .incident_id = r.Text(1),
          .need_id = r.Text(2),
          .resource_id = r.Text(3),
          .quantity = r.Int(4),
          .complete = r.Int(5) != 0,
          .status = CommitmentStatusOf(r.TextView(6)),
          .note = r.Text(7),
          .created_by = r.Text(8),
          .created_at = r.Int(9),
          .delivered_at = r.Int(10),
          .cancelled_at = r.Int(11)};
}

}  // namespace

std::span<const storage::Migration> ResourceMigrations() { return kMigrations; }

Result<Need> InsertNeed(Executor& ex, const Need& n, std::string_view actor_name) {
  XT_TRY_VOID(ex.Defer(
      fmt::format("INSERT INTO emergency_needs ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                  " ?, ?, ?, ?, ?, ?, ?, ?)",
                  kNeedColumns),
      {n.id,
       n.incident_id,
       n.kind,
       n.title,
       n.description,
       n.priority,
       n.quantity,
       n.committed,
       n.delivered,
       n.unit_label,
       n.place,
       Lat(n.location),
       Lng(n.location),
       n.contact_name,
       n.contact_phone,
       n.source_report_id,
       n.created_by,
       n.created_at,
       n.updated_at,
       n.version}));
  XT_TRY_VOID(AppendTimeline(
      ex,
      {.incident_id = n.incident_id,
       .at = n.created_at,
       .actor_id = n.created_by,
       .actor_name = std::string(actor_name),
       .kind = "need_added",
       .text = fmt::format("{}：{}（{}{}）", NeedKindZh(n.kind), n.title, n.quantity, n.unit_label),
       .data = {{"need_id", n.id}, {"source_report_id", n.source_report_id}}}));
  return n;
}

Result<std::optional<Need>> FindNeed(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM emergency_needs WHERE id = ?", kNeedColumns), {id}));
  if (!row) return std::optional<Need>();
  return std::optional<Need>(NeedOf(*row));
}

Result<std::vector<Need>> Needs(Executor& ex, std::string_view incident_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM emergency_needs WHERE incident_id = ?"
                                           " ORDER BY priority, created_at, id",
                                           kNeedColumns),
                               {incident_id}));
  std::vector<Need> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(NeedOf(r));
  return out;
}

Result<bool> UpdateNeed(Executor& ex, const Need& n) {
  XT_ASSIGN_OR_RETURN(
      auto c, ex.Exec("UPDATE emergency_needs SET committed = ?, delivered = ?,"
                      " updated_at = ?, version = ? WHERE id = ? AND version = ?",
                      {n.committed, n.delivered, n.updated_at, n.version, n.id, n.version - 1}));
  return c == 1;
}

Result<void> InsertResource(Executor& ex, const Resource& r) {
  return ex.Defer(
      fmt::format("INSERT INTO emergency_resources ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                  " ?, ?, ?, ?, ?, ?, ?)",
                  kResourceColumns),
      {r.id, r.incident_id, r.kind, r.name, r.quantity, r.committed, r.unit_label, r.place,
       Lat(r.location), Lng(r.location), r.available, r.contact_phone, r.created_by, r.created_at,
       r.updated_at, r.version, r.unit_id, r.source_id});
}

Result<std::optional<Resource>> FindResource(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM emergency_resources"
                                                        " WHERE id = ?",
                                                        kResourceColumns),
                                            {id}));
  if (!row) return std::optional<Resource>();
  return std::optional<Resource>(ResourceOf(*row));
}

Result<std::vector<Resource>> Resources(Executor& ex, std::string_view incident_id) {
  XT_ASSIGN_OR_RETURN(
      auto rows, ex.Query(fmt::format("SELECT {} FROM emergency_resources WHERE incident_id = ?"
                                      " ORDER BY kind, created_at, id",
                                      kResourceColumns),
                          {incident_id}));
  std::vector<Resource> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ResourceOf(r));
  return out;
}

Result<bool> UpdateResource(Executor& ex, const Resource& r) {
  XT_ASSIGN_OR_RETURN(
      auto c, ex.Exec("UPDATE emergency_resources SET quantity = ?, committed = ?, available = ?,"
                      " updated_at = ?, version = ? WHERE id = ? AND version = ?",
                      {r.quantity, r.committed, r.available, r.updated_at, r.version, r.id,
                       r.version - 1}));
  return c == 1;
}

Result<std::vector<Resource>> Reserves(Executor& ex, std::string_view kind) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM emergency_resources WHERE incident_id = ''"
                           " AND (? = '' OR kind = ?) ORDER BY kind, unit_id, created_at, id",
                           kResourceColumns),
               {kind, kind}));
  std::vector<Resource> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ResourceOf(r));
  return out;
}

Result<void> InsertCommitment(Executor& ex, const Commitment& c) {
  return ex.Defer(
      fmt::format("INSERT INTO emergency_commitments ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                  " ?, ?)",
                  kCommitmentColumns),
      {c.id, c.incident_id, c.need_id, c.resource_id, c.quantity, c.complete,
       CommitmentStatusName(c.status), c.note, c.created_by, c.created_at, c.delivered_at,
       c.cancelled_at});
}

Result<std::optional<Commitment>> FindCommitment(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM emergency_commitments"
                                                        " WHERE id = ?",
                                                        kCommitmentColumns),
                                            {id}));
  if (!row) return std::optional<Commitment>();
  return std::optional<Commitment>(CommitmentOf(*row));
}

Result<std::vector<Commitment>> Commitments(Executor& ex, std::string_view incident_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM emergency_commitments WHERE"
                                                      " incident_id = ? ORDER BY created_at, id",
                                                      kCommitmentColumns),
                                          {incident_id}));
  std::vector<Commitment> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(CommitmentOf(r));
  return out;
}

Result<bool> UpdateCommitmentStatus(Executor& ex, const Commitment& c, CommitmentStatus from) {
  XT_ASSIGN_OR_RETURN(auto n,
                      ex.Exec("UPDATE emergency_commitments SET status = ?, delivered_at = ?,"
                              " cancelled_at = ? WHERE id = ? AND status = ?",
                              {CommitmentStatusName(c.status), c.delivered_at, c.cancelled_at, c.id,
                               CommitmentStatusName(from)}));
  return n == 1;
}

Result<std::optional<std::string>> CommitmentForKey(Executor& ex, std::string_view actor_id,
                                                    std::string_view key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT commitment_id FROM emergency_commitment_keys"
                                            " WHERE actor_id = ? AND idem_key = ?",
                                            {actor_id, key}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

Result<void> InsertCommitmentKey(Executor& ex, std::string_view actor_id, std::string_view key,
                                 std::string_view commitment_id) {
  return ex.Defer(
      "INSERT INTO emergency_commitment_keys (actor_id, idem_key, commitment_id) VALUES (?, ?, ?)",
      {actor_id, key, commitment_id});
}

}  // namespace xietong::emergency::store
