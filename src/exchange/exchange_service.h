// 数据按需共享: the data catalogue, hosted data and its quality, access
// requests and grants, the gateway whose every answer is on the audit
// chain, and the log residents read of who looked at their records.
//
// Who may do what (identity::Action):
//   any signed-in staff reads the catalogue; anyone reads its DCAT-AP export;
//   kDataPublish (a unit's 首席数据官 data_officer, admin) defines and
//   imports the unit's resources, proposes grade changes, and decides the
//   access requests made to the unit; the resource's steward approves grade
//   changes; kDataRequest (data_officer, unit_lead) asks for access for their
//   own unit; kDataQuery (handler, unit_lead, operator, data_officer) calls
//   the gateway under a grant held by their own unit; a resident reads the
//   accesses to records about them (once their identity is linked).
//
// The gateway (Lookup): finds the caller's unit's active grant for the
// resource and purpose, refuses fields outside it (403 naming them), fetches
// the records (hosted: this database; remote: the owner's system over HTTP,
// 502/504 when it fails, never retried here), masks each field unless the
// grant says unmasked, and commits one audit event ("exchange.gateway.answered":
// who, grant, masked keys, fields, purpose) and one access-log row per record
// before answering: nothing leaves without its record. Group commit makes
// that one fsync for many concurrent lookups. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "exchange/access.h"
#include "exchange/catalog.h"
#include "exchange/exchange_store.h"
#include "exchange/quality.h"
#include "identity/identity_service.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::exchange {

// The exchange module's tables; needs identity and audit.
const storage::Schema& Schema();

// Calls a remote resource's endpoint for one key; answers the record as a
// JSON object of field → value, nullopt when the owner says it has none
// (404), kUpstreamFailed / kUpstreamTimeout otherwise.
using RemoteFetch = std::function<Result<std::optional<json::Json>>(
    const std::string& endpoint, const std::string& key, std::chrono::milliseconds timeout)>;

struct ResourceView {
  Resource resource;
  Grade effective_grade = Grade::kGeneral;  // 就高从严
  Scores scores = {};                       // the latest quality figures
  bool scored = false;
};

struct ImportReport {
  std::string import_id;  // "" when refused
  bool accepted = false;
  std::string encoding;
  std::int64_t rows = 0, stored = 0, defects = 0, blocking = 0;
  Scores scores;
  std::vector<RowProblem> problems;
};

struct GatewayRecord {
  std::string key;
  bool found = false;
  json::Json data = json::Json::object();  // granted fields only, masked unless granted whole
};
struct GatewayAnswer {
  std::string grant_id, resource_id, purpose_code;
  std::vector<std::string> fields;
  std::vector<GatewayRecord> records;
  std::int64_t audit_seq = 0;
};

struct AccessLogEntry {
  Timestamp at = 0;
  std::string unit_name, resource_code, resource_title, purpose_code, purpose, record_key;
  std::vector<std::string> fields;
  std::vector<std::string> field_titles;  // the fields' Chinese titles, in the same order
  bool found = false;
  std::int64_t audit_seq = 0;
};

struct UsageFigure {
  Timestamp day = 0;
  std::string resource_id, resource_title, consumer_unit_id, consumer_name;
  std::int64_t lookups = 0, found = 0;
};

struct Scorecard {
  std::string unit_id, unit_name;
  std::int64_t resources = 0;
  Scores mean;
  std::vector<std::pair<Timestamp, double>> trend;  // day → mean overall
};

class ExchangeService {
 public:
  static constexpr int kMaxBatch = 100;  // keys per gateway call
  static constexpr std::size_t kMaxImportBytes = 64 << 20;

  ExchangeService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                  identity::IdentityService& identity, RemoteFetch fetch = {})
      : db_(db), clock_(clock), ids_(ids), identity_(identity), fetch_(std::move(fetch)) {}

  Timestamp Now() const { return clock_.Now(); }
  // How long the gateway waits for a remote resource's owner (default 3 s).
  void set_remote_timeout(std::chrono::milliseconds t) { remote_timeout_ = t; }

  // Data elements: the standard ones and those the city registered.
  Result<std::vector<DataElement>> ListElements();
  Result<DataElement> DefineElement(const identity::Principal& actor, const json::Json& doc);

  // Creates the resource `doc.code`, or changes it (same owner; grades only
  // through ProposeGrade). The owner is the actor's unit where they hold
  // kDataPublish (or doc.owner_unit_id for an administrator); the steward is
  // the actor unless doc.steward_id names another data officer of the unit.
  Result<Resource> Publish(const identity::Principal& actor, const json::Json& doc);
  struct CatalogQuery {
    std::string owner_unit_id = {}, grade = {}, share = {}, q = {};
  };
  Result<std::vector<ResourceView>> Catalog(const identity::Principal& actor,
                                            const CatalogQuery& query);
  Result<ResourceView> Get(const identity::Principal& actor, std::string_view id);
  // The public DCAT-AP 3.0 export (metadata only, never data): JSON-LD, or
  // Turtle when turtle is set; IRIs under base_url.
  Result<std::string> CatalogExport(std::string_view base_url, bool turtle);

  // Replaces a hosted resource's records with a CSV (UTF-8 or GBK) file's.
  Result<ImportReport> Import(const identity::Principal& actor, std::string_view resource_id,
                              std::string bytes, bool accept_defects);
  // The owner's own view of a hosted resource's records, whole (its data
  // officers check their data and its defects); each page read is audited.
  struct RecordsPage {
    std::vector<store::StoredRecord> records;
    std::string next_after;  // "" at the end
  };
  Result<RecordsPage> Records(const identity::Principal& actor, std::string_view resource_id,
                              std::string_view after_key, int limit);
  Result<std::vector<store::ImportRow>> Imports(const identity::Principal& actor,
                                                std::string_view resource_id);

  // A grade change of the resource (field "") or one field; applied at once
  // when the proposer is the steward, otherwise waiting for the steward.
  Result<store::GradeChange> ProposeGrade(const identity::Principal& actor,
                                          std::string_view resource_id, std::string field,
                                          std::string_view grade, std::string reason);
  Result<store::GradeChange> DecideGrade(const identity::Principal& actor,
                                         std::string_view change_id, bool approve);
  Result<std::vector<store::GradeChange>> GradeChanges(const identity::Principal& actor,
                                                       std::string_view resource_id);

  Result<AccessRequest> RequestAccess(const identity::Principal& actor, const json::Json& doc);
  // box: "incoming" (to the actor's units' resources), "outgoing" (by them), "" both.
  Result<std::vector<AccessRequest>> AccessRequests(const identity::Principal& actor,
                                                    std::string_view box, std::string_view status);
  Result<AccessRequest> GetAccessRequest(const identity::Principal& actor, std::string_view id);
  // Pending: the owner's decision field by field; awaiting_second: the
  // second approval (fields ignored; another person of the owner unit).
  Result<AccessRequest> Approve(const identity::Principal& actor, std::string_view id,
                                const std::vector<std::string>& fields,
                                const std::vector<std::string>& unmasked, std::string note);
  Result<AccessRequest> Reject(const identity::Principal& actor, std::string_view id,
                               std::string reason);
  Result<std::vector<Grant>> Grants(const identity::Principal& actor, std::string_view resource_id);
  Result<Grant> Revoke(const identity::Principal& actor, std::string_view grant_id,
                       std::string reason);

  // The gateway. fields empty = every granted field.
  Result<GatewayAnswer> Lookup(const identity::Principal& actor, std::string_view resource_id,
                               const std::vector<std::string>& keys, std::string_view purpose_code,
                               const std::vector<std::string>& fields);
  Result<std::vector<UsageFigure>> Usage(const identity::Principal& actor, Timestamp from,
                                         Timestamp to);

  // The resident's own log (empty until their identity number is linked).
  Result<std::vector<AccessLogEntry>> MyAccessLog(const identity::Principal& actor);
  // Links a resident account to the identity number it was verified with
  // (实名核验 at a service hall; administrators and the platform only).
  Result<void> LinkResident(const identity::Principal& actor, std::string_view account_id,
                            std::string_view id_number);
  // The person behind a resident account, for the platform's one-person
  // rules (participation: one vote per person, whichever account casts it):
  // the keyed digest of the identity number the account was linked to and
  // every account linked to the same number (itself included); nullopt for
  // an account never linked. No permission check: wiring only, never a route.
  struct LinkedPerson {
    std::string digest;
    std::vector<std::string> account_ids;
  };
  Result<std::optional<LinkedPerson>> PersonOf(std::string_view account_id);

  // Defect batches of accepted imports, waiting to be filed in the hub as
  // requests to the owner (app/exchange_work.h does it, idempotently by
  // import id), and the mark that they were.
  Result<std::vector<store::DefectWork>> PendingDefectWork(int limit);
  Result<void> DefectWorkFiled(std::string_view import_id, std::string_view request_id);

  // The nightly quality run: scores every resource as of now, consistency
  // across resources sharing a key element, one point per resource and day.
  Result<int> ScoreAll(Timestamp now);
  Result<std::vector<Scorecard>> Scorecards(const identity::Principal& actor, Timestamp from);
  Result<std::vector<store::QualityPoint>> QualityTrend(const identity::Principal& actor,
                                                        std::string_view resource_id,
                                                        Timestamp from);

 private:
  Result<Elements> ElementMap(storage::Executor& ex);
  // The gateway's per-node caches, valid while the change counter they were
  // read at (store::Versions, bumped in every change's transaction) holds.
  Result<std::shared_ptr<const Elements>> CachedElements(storage::Executor& ex,
                                                         std::int64_t version);
  Result<std::shared_ptr<const std::vector<Grant>>> CachedGrants(
      storage::Executor& ex, std::int64_t version, std::string_view resource_id,
      const std::vector<std::string>& consumer_unit_ids);
  Result<std::string> Digest(std::string_view id_number);
  Result<std::shared_ptr<const Resource>> CachedResource(storage::Executor& ex,
                                                         std::string_view id);
  Result<std::shared_ptr<const identity::OrgUnit>> Unit(std::string_view id);
  bool MayPublish(const identity::Principal& actor, const Resource& r) const;
  Result<void> TakeToken(const Grant& g);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  RemoteFetch fetch_;
  std::chrono::milliseconds remote_timeout_{3000};

  std::mutex mutex_;
  std::string pepper_;  // GUARDED_BY(mutex_): the key of subject digests, from the database
  std::map<std::string, std::shared_ptr<const Resource>, std::less<>> resources_;  // by id
  std::int64_t elements_version_ = -1;  // GUARDED_BY(mutex_)
  std::shared_ptr<const Elements> elements_;
  std::int64_t grants_version_ = -1;  // GUARDED_BY(mutex_); grants_ holds grants read at it
  // resource id + consumer units → their grants of it.
  std::map<std::string, std::shared_ptr<const std::vector<Grant>>, std::less<>> grants_;
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Bucket, std::less<>> buckets_;  // GUARDED_BY(mutex_): per grant
};

}  // namespace xietong::exchange
