// The exchange module's SQL, written once for both backends: data elements,
// resources (indexed columns plus the definition document), hosted records,
// imports and their reports, daily quality scores, grade changes, access
// requests, grants, the gateway's access log (one row per record answered,
// keyed by the subject's digest for the resident's log), residents' links to
// their identity digest, and the module's secrets. Only exchange_service.cc
// calls it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exchange/access.h"
#include "exchange/catalog.h"
#include "exchange/quality.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::exchange::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

// A random secret kept in the database (so every node shares it), created
// on first use.
Result<std::string> Secret(Executor& ex, std::string_view name, std::string_view fresh_value);

Result<void> UpsertElement(Executor& ex, const DataElement& e, std::string_view actor,
                           Timestamp at);
Result<std::vector<DataElement>> CustomElements(Executor& ex);

// Change counters: UpsertElement bumps elements; InsertGrant and RevokeGrant
// bump grants (in the caller's transaction).
struct Versions {
  std::int64_t elements = 0, grants = 0;
};
Result<Versions> ReadVersions(Executor& ex);

Result<void> InsertResource(Executor& ex, const Resource& r);
// Writes r when its stored version is still r.version; false when someone
// else wrote first. Bumps r.version on success.
Result<bool> UpdateResource(Executor& ex, Resource& r);
Result<std::optional<Resource>> FindResource(Executor& ex, std::string_view id);
Result<std::optional<Resource>> FindResourceByCode(Executor& ex, std::string_view code);
// The resource's version (to check a cached copy), nullopt when absent.
Result<std::optional<std::int64_t>> ResourceVersion(Executor& ex, std::string_view id);
Result<std::vector<Resource>> Resources(Executor& ex);

// Replaces the resource's records with these (an import is a full copy of
// the owner's data as of now).
Result<void> ReplaceRecords(Executor& ex, const Resource& r, std::span<const ImportRecord> records,
                            std::string_view import_id);
struct StoredRecord {
  std::string key;
  std::string data;  // JSON object text
};
Result<std::vector<StoredRecord>> FindRecords(Executor& ex, std::string_view resource_id,
                                              std::span<const std::string> keys);
Result<std::vector<StoredRecord>> RecordsPage(Executor& ex, std::string_view resource_id,
                                              std::string_view after_key, int limit);

struct ImportRow {
  std::string id, resource_id, actor;
  Timestamp at = 0;
  std::string encoding;
  std::int64_t rows = 0, stored = 0, defects = 0, blocking = 0;
  bool accepted = false;
  json::Json scores = json::Json::object();
  json::Json problems = json::Json::array();
};
Result<void> InsertImport(Executor& ex, const ImportRow& i);
Result<std::vector<ImportRow>> ImportsOf(Executor& ex, std::string_view resource_id, int limit);

Result<void> PutQuality(Executor& ex, std::string_view resource_id, Timestamp day,
                        const json::Json& scores);
struct QualityPoint {
  std::string resource_id;
  Timestamp day = 0;
  json::Json scores;
};
// Oldest first; resource_id "" = every resource.
Result<std::vector<QualityPoint>> QualityHistory(Executor& ex, std::string_view resource_id,
                                                 Timestamp from);

struct GradeChange {
  std::string id, resource_id;
  std::string field;  // "" = the resource itself
  std::string from_grade, to_grade, reason;
  std::string proposed_by, proposed_by_name;
  Timestamp proposed_at = 0;
  std::string status = "pending";  // pending | approved | rejected
  std::string decided_by = {};
  Timestamp decided_at = 0;
};
Result<void> InsertGradeChange(Executor& ex, const GradeChange& g);
Result<bool> UpdateGradeChange(Executor& ex, const GradeChange& g);  // only while pending
Result<std::optional<GradeChange>> FindGradeChange(Executor& ex, std::string_view id);
Result<std::vector<GradeChange>> GradeChangesOf(Executor& ex, std::string_view resource_id);

Result<void> InsertRequest(Executor& ex, const AccessRequest& r);
Result<bool> UpdateRequest(Executor& ex, AccessRequest& r);
Result<std::optional<AccessRequest>> FindRequest(Executor& ex, std::string_view id);
struct RequestFilter {
  std::vector<std::string> owner_paths = {};  // owned by a unit under one of these
  std::vector<std::string> consumer_unit_ids = {};
  std::string status = {};
  int limit = 100;
};
// Newest first. Both owner_paths and consumer_unit_ids given: either matches.
Result<std::vector<AccessRequest>> Requests(Executor& ex, const RequestFilter& f);

Result<void> InsertGrant(Executor& ex, const Grant& g);
Result<bool> RevokeGrant(Executor& ex, std::string_view id, Timestamp at, std::string_view reason);
Result<std::optional<Grant>> FindGrant(Executor& ex, std::string_view id);
// The grants of a resource held by any of the units with this purpose code.
Result<std::vector<Grant>> GrantsFor(Executor& ex, std::string_view resource_id,
                                     std::span<const std::string> consumer_unit_ids,
                                     std::string_view purpose_code);
struct GrantFilter {
  std::vector<std::string> owner_unit_ids = {};
  std::vector<std::string> consumer_unit_ids = {};
  std::string resource_id = {};
  int limit = 200;
};
Result<std::vector<Grant>> Grants(Executor& ex, const GrantFilter& f);

struct AccessEntry {
  std::string id;
  Timestamp at = 0;
  std::string grant_id, resource_id, consumer_unit_id, actor;
  std::string subject_digest;  // keyed digest of the identity number the record is about
  std::string record_key;      // masked
  std::vector<std::string> fields;
  std::string purpose_code;
  bool found = false;
  std::int64_t audit_seq = 0;
};
Result<void> InsertAccess(Executor& ex, std::span<const AccessEntry> entries);
Result<std::vector<AccessEntry>> AccessBySubject(Executor& ex, std::string_view digest, int limit);
struct UsageRow {
  Timestamp day = 0;
  std::string resource_id, consumer_unit_id;
  std::int64_t lookups = 0, found = 0;
};
// Lookups per day, resource and consumer in [from, to); resource_ids empty = all.
Result<std::vector<UsageRow>> Usage(Executor& ex, std::span<const std::string> resource_ids,
                                    Timestamp from, Timestamp to);

struct DefectWork {
  std::string import_id, resource_id, owner_unit_id;
  std::string title, body;  // the request's title and text
  Timestamp created_at = 0;
};
Result<void> InsertDefectWork(Executor& ex, const DefectWork& w);
// Oldest first, not filed yet.
Result<std::vector<DefectWork>> PendingDefectWork(Executor& ex, int limit);
Result<bool> MarkDefectWorkFiled(Executor& ex, std::string_view import_id,
                                 std::string_view request_id, Timestamp at);

Result<void> LinkPerson(Executor& ex, std::string_view account_id, std::string_view digest,
                        std::string_view by, Timestamp at);
Result<std::optional<std::string>> PersonDigest(Executor& ex, std::string_view account_id);
// Every account linked to the person with this digest, by id.
Result<std::vector<std::string>> AccountsOfPerson(Executor& ex, std::string_view digest);

}  // namespace xietong::exchange::store
