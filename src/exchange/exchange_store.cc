#include "exchange/exchange_store.h"

#include <fmt/core.h>

namespace xietong::exchange::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"exchange", 1, "data catalogue, records, quality, access requests, grants, access log",
     "CREATE TABLE exchange_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
     "CREATE TABLE exchange_elements ("
     " code TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_by TEXT NOT NULL,"
     " updated_at BIGINT NOT NULL);"
     "CREATE TABLE exchange_resources ("
     " id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, owner_unit_id TEXT NOT NULL,"
     " owner_path TEXT NOT NULL, doc TEXT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX exchange_resources_owner ON exchange_resources (owner_path);"
     "CREATE TABLE exchange_records ("
     " resource_id TEXT NOT NULL, record_key TEXT NOT NULL, data TEXT NOT NULL,"
     " import_id TEXT NOT NULL, PRIMARY KEY (resource_id, record_key));"
     "CREATE TABLE exchange_imports ("
     " id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL,"
     " encoding TEXT NOT NULL, rows_read BIGINT NOT NULL, rows_stored BIGINT NOT NULL,"
     " defects BIGINT NOT NULL, blocking BIGINT NOT NULL, accepted BIGINT NOT NULL,"
     " scores TEXT NOT NULL, problems TEXT NOT NULL);"
     "CREATE INDEX exchange_imports_resource ON exchange_imports (resource_id, at);"
     "CREATE TABLE exchange_quality ("
     " resource_id TEXT NOT NULL, day BIGINT NOT NULL, scores TEXT NOT NULL,"
     " PRIMARY KEY (resource_id, day));"
     "CREATE TABLE exchange_grade_changes ("
     " id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, field TEXT NOT NULL,"
     " from_grade TEXT NOT NULL, to_grade TEXT NOT NULL, reason TEXT NOT NULL,"
     " proposed_by TEXT NOT NULL, proposed_by_name TEXT NOT NULL, proposed_at BIGINT NOT NULL,"
     " status TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at BIGINT NOT NULL);"
     "CREATE INDEX exchange_grade_changes_resource ON exchange_grade_changes (resource_id);"
     "CREATE TABLE exchange_requests ("
     " id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, owner_path TEXT NOT NULL,"
     " consumer_unit_id TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " doc TEXT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX exchange_requests_owner ON exchange_requests (owner_path, status);"
     "CREATE INDEX exchange_requests_consumer ON exchange_requests (consumer_unit_id, created_at);"
     "CREATE TABLE exchange_grants ("
     " id TEXT PRIMARY KEY, request_id TEXT NOT NULL, resource_id TEXT NOT NULL,"
     " owner_unit_id TEXT NOT NULL, consumer_unit_id TEXT NOT NULL, consumer_path TEXT NOT NULL,"
     " consumer_name TEXT NOT NULL, purpose_code TEXT NOT NULL, purpose TEXT NOT NULL,"
     " legal_basis TEXT NOT NULL, fields TEXT NOT NULL, starts_at BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL, revoked_reason TEXT NOT NULL,"
     " rate_per_minute BIGINT NOT NULL, created_at BIGINT NOT NULL);"
     "CREATE INDEX exchange_grants_lookup ON exchange_grants"
     " (resource_id, consumer_unit_id, purpose_code);"
     "CREATE INDEX exchange_grants_owner ON exchange_grants (owner_unit_id, created_at);"
     "CREATE INDEX exchange_grants_consumer ON exchange_grants (consumer_unit_id, created_at);"
     "CREATE TABLE exchange_access_log ("
     " id TEXT PRIMARY KEY, at BIGINT NOT NULL, grant_id TEXT NOT NULL,"
     " resource_id TEXT NOT NULL, consumer_unit_id TEXT NOT NULL, actor TEXT NOT NULL,"
     " subject_digest TEXT NOT NULL, record_key TEXT NOT NULL, fields TEXT NOT NULL,"
     " purpose_code TEXT NOT NULL, found BIGINT NOT NULL, audit_seq BIGINT NOT NULL);"
     "CREATE INDEX exchange_access_subject ON exchange_access_log (subject_digest, at);"
     "CREATE INDEX exchange_access_resource ON exchange_access_log (resource_id, at);"
     "CREATE TABLE exchange_person_links ("
     " account_id TEXT PRIMARY KEY, subject_digest TEXT NOT NULL, linked_by TEXT NOT NULL,"
     " linked_at BIGINT NOT NULL)"},
    // A defect batch is work for the owner: filed in the hub as a request by
    // a worker outside this module (app/exchange_work.h), idempotently.
    {"exchange", 2, "data quality defect batches waiting to be filed as requests",
     "CREATE TABLE exchange_defect_work ("
     " import_id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, owner_unit_id TEXT NOT NULL,"
     " title TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " request_id TEXT NOT NULL, filed_at BIGINT NOT NULL);"
     "CREATE INDEX exchange_defect_work_pending ON exchange_defect_work (filed_at, created_at)"},
    // What the gateway caches per node (data elements, grants) carries a
    // version that every change bumps in its own transaction, so a node
    // checks one row instead of re-reading and re-parsing them per lookup.
    {"exchange", 3, "change counters of the data elements and the grants",
     "CREATE TABLE exchange_versions (what TEXT PRIMARY KEY, version BIGINT NOT NULL);"
     "INSERT INTO exchange_versions (what, version) VALUES ('elements', 0);"
     "INSERT INTO exchange_versions (what, version) VALUES ('grants', 0)"},
    // One person, one vote (participation) asks which accounts share a
    // person: by digest, not by a scan of every linked resident.
    {"exchange", 4, "accounts of one person, found by the person's digest",
     "CREATE INDEX exchange_person_links_digest ON exchange_person_links (subject_digest)"},
};

Result<void> Bump(Executor& ex, std::string_view what) {
  XT_TRY_VOID(ex.Exec("UPDATE exchange_versions SET version = version + 1 WHERE what = ?", {what}));
  return {};
}

json::Json ParseDoc(std::string_view text) { return json::Json::parse(text, nullptr, false); }

Result<Resource> ResourceFrom(const storage::Row& row) {
  auto doc = ParseDoc(row.TextView(1));
  auto r = DecodeResource(doc);
  if (!r) return r;
  r->id = row.Text(0);
  r->owner_path = row.Text(2);
  r->version = row.Int(3);
  return r;
}

constexpr std::string_view kResourceColumns = "id, doc, owner_path, version";

Result<AccessRequest> RequestFrom(const storage::Row& row) {
  auto r = DecodeRequest(ParseDoc(row.TextView(0)));
  if (!r) return r;
  r->version = row.Int(1);
  return r;
}

constexpr std::string_view kGrantColumns =
    "id, request_id, resource_id, owner_unit_id, consumer_unit_id, consumer_path, consumer_name,"
    " purpose_code, purpose, legal_basis, fields, starts_at, expires_at, revoked_at,"
    " revoked_reason, rate_per_minute, created_at";

Grant GrantFrom(const storage::Row& r) {
  Grant g;
  g.id = r.Text(0);
  g.request_id = r.Text(1);
  g.resource_id = r.Text(2);
  g.owner_unit_id = r.Text(3);
  g.consumer_unit_id = r.Text(4);
  g.consumer_path = r.Text(5);
  g.consumer_name = r.Text(6);
  g.purpose_code = r.Text(7);
  g.purpose = r.Text(8);
  g.legal_basis = r.Text(9);
  g.fields = DecodeGrantFields(ParseDoc(r.TextView(10)));
  g.starts_at = r.Int(11);
  g.expires_at = r.Int(12);
  g.revoked_at = r.Int(13);
  g.revoked_reason = r.Text(14);
  g.rate_per_minute = static_cast<int>(r.Int(15));
  g.created_at = r.Int(16);
  return g;
}

constexpr std::string_view kGradeColumns =
    "id, resource_id, field, from_grade, to_grade, reason, proposed_by, proposed_by_name,"
    " proposed_at, status, decided_by, decided_at";

GradeChange GradeFrom(const storage::Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),  r.Text(5),
          r.Text(6), r.Text(7), r.Int(8),  r.Text(9), r.Text(10), r.Int(11)};
}

void In(std::string& sql, std::vector<storage::Value>& params, std::string_view column,
        std::span<const std::string> values) {
  sql += fmt::format("{} IN ({})", column, storage::Placeholders(values.size()));
  for (const auto& v : values) params.emplace_back(v);
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<std::string> Secret(Executor& ex, std::string_view name, std::string_view fresh_value) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT value FROM exchange_secrets WHERE name = ?", {name}));
  if (row) return row->Text(0);
  XT_TRY_VOID(
      ex.Exec("INSERT INTO exchange_secrets (name, value) VALUES (?, ?)"
              " ON CONFLICT (name) DO NOTHING",
              {name, fresh_value}));
  XT_ASSIGN_OR_RETURN(row,
                      ex.QueryOne("SELECT value FROM exchange_secrets WHERE name = ?", {name}));
  if (!row) return Fail(Error::Internal("the exchange secret could not be stored"));
  return row->Text(0);
}

Result<void> UpsertElement(Executor& ex, const DataElement& e, std::string_view actor,
                           Timestamp at) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO exchange_elements (code, doc, updated_by, updated_at) VALUES (?, ?, ?, ?)"
      " ON CONFLICT (code) DO UPDATE SET doc = excluded.doc,"
      " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
      {e.code, ElementJson(e).dump(), actor, at}));
  return Bump(ex, "elements");
}

Result<std::vector<DataElement>> CustomElements(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT doc FROM exchange_elements ORDER BY code"));
  std::vector<DataElement> out;
  for (const auto& row : rows) {
    auto e = ParseElement(ParseDoc(row.TextView(0)));
    if (!e)
      return Fail(Error::Internal("a stored data element does not read: " + e.error().message));
    out.push_back(std::move(*e));
  }
  return out;
}

Result<void> InsertResource(Executor& ex, const Resource& r) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO exchange_resources (id, code, owner_unit_id, owner_path, doc,"
              " version) VALUES (?, ?, ?, ?, ?, ?)",
              {r.id, r.code, r.owner_unit_id, r.owner_path, ResourceJson(r).dump(), r.version}));
  return {};
}

Result<bool> UpdateResource(Executor& ex, Resource& r) {
  Resource next = r;
  ++next.version;
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE exchange_resources SET doc = ?, version = ?"
                              " WHERE id = ? AND version = ?",
                              {ResourceJson(next).dump(), next.version, r.id, r.version}));
  if (n == 0) return false;
  r.version = next.version;
  return true;
}

Result<std::optional<Resource>> FindResource(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM exchange_resources"
                                                        " WHERE id = ?",
                                                        kResourceColumns),
                                            {id}));
  if (!row) return std::optional<Resource>{};
  XT_ASSIGN_OR_RETURN(auto r, ResourceFrom(*row));
  return std::optional<Resource>{std::move(r)};
}

Result<std::optional<Resource>> FindResourceByCode(Executor& ex, std::string_view code) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM exchange_resources"
                                                        " WHERE code = ?",
                                                        kResourceColumns),
                                            {code}));
  if (!row) return std::optional<Resource>{};
  XT_ASSIGN_OR_RETURN(auto r, ResourceFrom(*row));
  return std::optional<Resource>{std::move(r)};
}

Result<std::optional<std::int64_t>> ResourceVersion(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT version FROM exchange_resources WHERE id = ?", {id}));
  if (!row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{row->Int(0)};
}

Result<std::vector<Resource>> Resources(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM exchange_resources"
                                                      " ORDER BY code",
                                                      kResourceColumns)));
  std::vector<Resource> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    XT_ASSIGN_OR_RETURN(auto r, ResourceFrom(row));
    out.push_back(std::move(r));
  }
  return out;
}

Result<void> ReplaceRecords(Executor& ex, const Resource& r, std::span<const ImportRecord> records,
                            std::string_view import_id) {
  XT_TRY_VOID(ex.Exec("DELETE FROM exchange_records WHERE resource_id = ?", {r.id}));
  constexpr std::size_t kBatch = 200;  // 4 parameters a row, well under every backend's limit
  std::vector<storage::Value> params;
  for (std::size_t at = 0; at < records.size(); at += kBatch) {
    const std::size_t n = std::min(kBatch, records.size() - at);
    std::string sql =
        "INSERT INTO exchange_records (resource_id, record_key, data, import_id) VALUES ";
    params.clear();
    params.reserve(4 * n);
    for (std::size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
      const ImportRecord& rec = records[at + i];
      params.insert(params.end(), {r.id, rec.key, RecordJson(r, rec), import_id});
    }
    XT_TRY_VOID(ex.Defer(sql, storage::Params(params)));
  }
  return {};
}

Result<std::vector<StoredRecord>> FindRecords(Executor& ex, std::string_view resource_id,
                                              std::span<const std::string> keys) {
  std::vector<StoredRecord> out;
  if (keys.empty()) return out;
  std::string sql = "SELECT record_key, data FROM exchange_records WHERE resource_id = ? AND ";
  std::vector<storage::Value> params{resource_id};
  In(sql, params, "record_key", keys);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back({row.Text(0), row.Text(1)});
  return out;
}

Result<std::vector<StoredRecord>> RecordsPage(Executor& ex, std::string_view resource_id,
                                              std::string_view after_key, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT record_key, data FROM exchange_records"
                                           " WHERE resource_id = ? AND record_key > ?"
                                           " ORDER BY record_key LIMIT {}",
                                           limit),
                               {resource_id, after_key}));
  std::vector<StoredRecord> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back({row.Text(0), row.Text(1)});
  return out;
}

Result<void> InsertImport(Executor& ex, const ImportRow& i) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO exchange_imports (id, resource_id, at, actor, encoding, rows_read, rows_stored,"
      " defects, blocking, accepted, scores, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {i.id, i.resource_id, i.at, i.actor, i.encoding, i.rows, i.stored, i.defects, i.blocking,
       std::int64_t{i.accepted ? 1 : 0}, i.scores.dump(), i.problems.dump()}));
  return {};
}

Result<std::vector<ImportRow>> ImportsOf(Executor& ex, std::string_view resource_id, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT id, resource_id, at, actor, encoding, rows_read, rows_stored,"
                           " defects, blocking, accepted, scores, problems FROM exchange_imports"
                           " WHERE resource_id = ? ORDER BY at DESC, id DESC LIMIT {}",
                           limit),
               {resource_id}));
  std::vector<ImportRow> out;
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(3), r.Int(2), r.Text(4), r.Int(5), r.Int(6),
                   r.Int(7), r.Int(8), r.Int(9) != 0, ParseDoc(r.TextView(10)),
                   ParseDoc(r.TextView(11))});
  return out;
}

Result<void> PutQuality(Executor& ex, std::string_view resource_id, Timestamp day,
                        const json::Json& scores) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO exchange_quality (resource_id, day, scores) VALUES (?, ?, ?)"
              " ON CONFLICT (resource_id, day) DO UPDATE SET scores = excluded.scores",
              {resource_id, day, scores.dump()}));
  return {};
}

Result<std::vector<QualityPoint>> QualityHistory(Executor& ex, std::string_view resource_id,
                                                 Timestamp from) {
  std::string sql = "SELECT resource_id, day, scores FROM exchange_quality WHERE day >= ?";
  std::vector<storage::Value> params{from};
  if (!resource_id.empty()) {
    sql += " AND resource_id = ?";
    params.emplace_back(resource_id);
  }
  sql += " ORDER BY day, resource_id";
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<QualityPoint> out;
  for (const auto& r : rows) out.push_back({r.Text(0), r.Int(1), ParseDoc(r.TextView(2))});
  return out;
}

Result<void> InsertGradeChange(Executor& ex, const GradeChange& g) {
  XT_TRY_VOID(
      ex.Exec(fmt::format("INSERT INTO exchange_grade_changes ({}) VALUES"
                          " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          kGradeColumns),
              {g.id, g.resource_id, g.field, g.from_grade, g.to_grade, g.reason, g.proposed_by,
               g.proposed_by_name, g.proposed_at, g.status, g.decided_by, g.decided_at}));
  return {};
}

Result<bool> UpdateGradeChange(Executor& ex, const GradeChange& g) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE exchange_grade_changes SET status = ?, decided_by = ?,"
                              " decided_at = ? WHERE id = ? AND status = 'pending'",
                              {g.status, g.decided_by, g.decided_at, g.id}));
  return n == 1;
}

Result<std::optional<GradeChange>> FindGradeChange(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM exchange_grade_changes"
                                                        " WHERE id = ?",
                                                        kGradeColumns),
                                            {id}));
  if (!row) return std::optional<GradeChange>{};
  return std::optional<GradeChange>{GradeFrom(*row)};
}

Result<std::vector<GradeChange>> GradeChangesOf(Executor& ex, std::string_view resource_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM exchange_grade_changes"
                                                      " WHERE resource_id = ?"
                                                      " ORDER BY proposed_at DESC, id DESC",
                                                      kGradeColumns),
                                          {resource_id}));
  std::vector<GradeChange> out;
  for (const auto& r : rows) out.push_back(GradeFrom(r));
  return out;
}

Result<void> InsertRequest(Executor& ex, const AccessRequest& r) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO exchange_requests (id, resource_id, owner_path, consumer_unit_id, status,"
      " created_at, doc, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {r.id, r.resource_id, r.owner_path, r.consumer_unit_id, RequestStatusName(r.status),
       r.created_at, EncodeRequest(r).dump(), r.version}));
  return {};
}

Result<bool> UpdateRequest(Executor& ex, AccessRequest& r) {
  AccessRequest next = r;
  ++next.version;
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE exchange_requests SET status = ?, doc = ?, version = ?"
                              " WHERE id = ? AND version = ?",
                              {RequestStatusName(next.status), EncodeRequest(next).dump(),
                               next.version, r.id, r.version}));
  if (n == 0) return false;
  r.version = next.version;
  return true;
}

Result<std::optional<AccessRequest>> FindRequest(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT doc, version FROM exchange_requests WHERE id = ?", {id}));
  if (!row) return std::optional<AccessRequest>{};
  XT_ASSIGN_OR_RETURN(auto r, RequestFrom(*row));
  return std::optional<AccessRequest>{std::move(r)};
}

Result<std::vector<AccessRequest>> Requests(Executor& ex, const RequestFilter& f) {
  std::string sql = "SELECT doc, version FROM exchange_requests WHERE 1 = 1";
  std::vector<storage::Value> params;
  if (!f.owner_paths.empty() || !f.consumer_unit_ids.empty()) {
    sql += " AND (";
    bool first = true;
    for (const auto& p : f.owner_paths) {
      sql += first ? "" : " OR ";
      sql += "substr(owner_path, 1, " + std::to_string(p.size()) + ") = ?";
      params.emplace_back(p);
      first = false;
    }
    if (!f.consumer_unit_ids.empty()) {
      sql += first ? "" : " OR ";
      In(sql, params, "consumer_unit_id", f.consumer_unit_ids);
    }
    sql += ")";
  }
  if (!f.status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(f.status);
  }
  sql += fmt::format(" ORDER BY created_at DESC, id DESC LIMIT {}", f.limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<AccessRequest> out;
  for (const auto& row : rows) {
    XT_ASSIGN_OR_RETURN(auto r, RequestFrom(row));
    out.push_back(std::move(r));
  }
  return out;
}

Result<void> InsertGrant(Executor& ex, const Grant& g) {
  XT_TRY_VOID(ex.Exec(fmt::format("INSERT INTO exchange_grants ({}) VALUES"
                                  " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  kGrantColumns),
                      {g.id, g.request_id, g.resource_id, g.owner_unit_id, g.consumer_unit_id,
                       g.consumer_path, g.consumer_name, g.purpose_code, g.purpose, g.legal_basis,
                       EncodeGrantFields(g.fields).dump(), g.starts_at, g.expires_at, g.revoked_at,
                       g.revoked_reason, std::int64_t{g.rate_per_minute}, g.created_at}));
  return Bump(ex, "grants");
}

Result<bool> RevokeGrant(Executor& ex, std::string_view id, Timestamp at, std::string_view reason) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE exchange_grants SET revoked_at = ?, revoked_reason = ?"
                              " WHERE id = ? AND revoked_at = 0",
                              {at, reason, id}));
  if (n == 1) {
    XT_TRY_VOID(Bump(ex, "grants"));
  }
  return n == 1;
}

Result<Versions> ReadVersions(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT what, version FROM exchange_versions"));
  Versions out;
  for (const auto& row : rows) {
    if (row.TextView(0) == "elements") out.elements = row.Int(1);
    if (row.TextView(0) == "grants") out.grants = row.Int(1);
  }
  return out;
}

Result<std::optional<Grant>> FindGrant(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM exchange_grants"
                                                        " WHERE id = ?",
                                                        kGrantColumns),
                                            {id}));
  if (!row) return std::optional<Grant>{};
  return std::optional<Grant>{GrantFrom(*row)};
}

Result<std::vector<Grant>> GrantsFor(Executor& ex, std::string_view resource_id,
                                     std::span<const std::string> consumer_unit_ids,
                                     std::string_view purpose_code) {
  std::vector<Grant> out;
  if (consumer_unit_ids.empty()) return out;
  std::string sql =
      fmt::format("SELECT {} FROM exchange_grants WHERE resource_id = ? AND ", kGrantColumns);
  std::vector<storage::Value> params{resource_id};
  In(sql, params, "consumer_unit_id", consumer_unit_ids);
  if (!purpose_code.empty()) {
    sql += " AND purpose_code = ?";
    params.emplace_back(purpose_code);
  }
  sql += " ORDER BY created_at DESC";
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  for (const auto& r : rows) out.push_back(GrantFrom(r));
  return out;
}

Result<std::vector<Grant>> Grants(Executor& ex, const GrantFilter& f) {
  std::string sql = fmt::format("SELECT {} FROM exchange_grants WHERE 1 = 1", kGrantColumns);
  std::vector<storage::Value> params;
  if (!f.owner_unit_ids.empty() || !f.consumer_unit_ids.empty()) {
    sql += " AND (";
    if (!f.owner_unit_ids.empty()) In(sql, params, "owner_unit_id", f.owner_unit_ids);
    if (!f.owner_unit_ids.empty() && !f.consumer_unit_ids.empty()) sql += " OR ";
    if (!f.consumer_unit_ids.empty()) In(sql, params, "consumer_unit_id", f.consumer_unit_ids);
    sql += ")";
  }
  if (!f.resource_id.empty()) {
    sql += " AND resource_id = ?";
    params.emplace_back(f.resource_id);
  }
  sql += fmt::format(" ORDER BY created_at DESC, id DESC LIMIT {}", f.limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<Grant> out;
  for (const auto& r : rows) out.push_back(GrantFrom(r));
  return out;
}

Result<void> InsertAccess(Executor& ex, std::span<const AccessEntry> entries) {
  constexpr std::size_t kBatch = 80;  // 12 parameters a row
  std::vector<storage::Value> params;
  for (std::size_t at = 0; at < entries.size(); at += kBatch) {
    const std::size_t n = std::min(kBatch, entries.size() - at);
    std::string sql =
        "INSERT INTO exchange_access_log (id, at, grant_id, resource_id, consumer_unit_id, actor,"
        " subject_digest, record_key, fields, purpose_code, found, audit_seq) VALUES ";
    params.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const AccessEntry& e = entries[at + i];
      sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      params.insert(params.end(),
                    {e.id, e.at, e.grant_id, e.resource_id, e.consumer_unit_id, e.actor,
                     e.subject_digest, e.record_key, json::Json(e.fields).dump(), e.purpose_code,
                     std::int64_t{e.found ? 1 : 0}, e.audit_seq});
    }
    XT_TRY_VOID(ex.Defer(sql, storage::Params(params)));
  }
  return {};
}

Result<std::vector<AccessEntry>> AccessBySubject(Executor& ex, std::string_view digest, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT id, at, grant_id, resource_id, consumer_unit_id, actor,"
                           " subject_digest, record_key, fields, purpose_code, found, audit_seq"
                           " FROM exchange_access_log WHERE subject_digest = ?"
                           " ORDER BY at DESC, id DESC LIMIT {}",
                           limit),
               {digest}));
  std::vector<AccessEntry> out;
  for (const auto& r : rows) {
    AccessEntry e;
    e.id = r.Text(0);
    e.at = r.Int(1);
    e.grant_id = r.Text(2);
    e.resource_id = r.Text(3);
    e.consumer_unit_id = r.Text(4);
    e.actor = r.Text(5);
    e.subject_digest = r.Text(6);
    e.record_key = r.Text(7);
    auto fields = ParseDoc(r.TextView(8));
    if (fields.is_array())
      for (const auto& f : fields)
        if (f.is_string()) e.fields.push_back(f.get<std::string>());
    e.purpose_code = r.Text(9);
    e.found = r.Int(10) != 0;
    e.audit_seq = r.Int(11);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<UsageRow>> Usage(Executor& ex, std::span<const std::string> resource_ids,
                                    Timestamp from, Timestamp to) {
  // Days in UTC+8 (the city's day), computed in SQL the same way on both backends.
  std::string sql =
      "SELECT ((at + 28800000000) / 86400000000) * 86400000000 - 28800000000 AS day,"
      " resource_id, consumer_unit_id,"
      " COUNT(*), SUM(found) FROM exchange_access_log WHERE at >= ? AND at < ?";
  std::vector<storage::Value> params{from, to};
  if (!resource_ids.empty()) {
    sql += " AND ";
    In(sql, params, "resource_id", resource_ids);
  }
  sql += " GROUP BY day, resource_id, consumer_unit_id ORDER BY day, resource_id, consumer_unit_id";
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<UsageRow> out;
  for (const auto& r : rows) out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Int(3), r.Int(4)});
  return out;
}

Result<void> InsertDefectWork(Executor& ex, const DefectWork& w) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO exchange_defect_work (import_id, resource_id, owner_unit_id,"
              " title, body, created_at, request_id, filed_at)"
              " VALUES (?, ?, ?, ?, ?, ?, '', 0)",
              {w.import_id, w.resource_id, w.owner_unit_id, w.title, w.body, w.created_at}));
  return {};
}

Result<std::vector<DefectWork>> PendingDefectWork(Executor& ex, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT import_id, resource_id, owner_unit_id, title,"
                                           " body, created_at FROM exchange_defect_work"
                                           " WHERE filed_at = 0 ORDER BY created_at LIMIT {}",
                                           limit)));
  std::vector<DefectWork> out;
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)});
  return out;
}

Result<bool> MarkDefectWorkFiled(Executor& ex, std::string_view import_id,
                                 std::string_view request_id, Timestamp at) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE exchange_defect_work SET request_id = ?, filed_at = ?"
                              " WHERE import_id = ? AND filed_at = 0",
                              {request_id, at, import_id}));
  return n == 1;
}

Result<void> LinkPerson(Executor& ex, std::string_view account_id, std::string_view digest,
                        std::string_view by, Timestamp at) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO exchange_person_links (account_id, subject_digest, linked_by,"
              " linked_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
              " subject_digest = excluded.subject_digest, linked_by = excluded.linked_by,"
              " linked_at = excluded.linked_at",
              {account_id, digest, by, at}));
  return {};
}

Result<std::optional<std::string>> PersonDigest(Executor& ex, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT subject_digest FROM exchange_person_links"
                                            " WHERE account_id = ?",
                                            {account_id}));
  if (!row) return std::optional<std::string>{};
  return std::optional<std::string>{row->Text(0)};
}

Result<std::vector<std::string>> AccountsOfPerson(Executor& ex, std::string_view digest) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT account_id FROM exchange_person_links"
                                          " WHERE subject_digest = ? ORDER BY account_id",
                                          {digest}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.Text(0));
  return out;
}

}  // namespace xietong::exchange::store
