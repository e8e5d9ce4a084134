#include "services/services_store.h"

#include <fmt/core.h>

namespace xietong::services::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"services", 1, "one-thing services, applications, their parts' queue, certificates",
     "CREATE TABLE service_bundles ("
     " id TEXT PRIMARY KEY, code TEXT NOT NULL, version BIGINT NOT NULL,"
     " definition TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " UNIQUE (code, version));"
     "CREATE TABLE service_applications ("
     " id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, bundle_id TEXT NOT NULL,"
     " service_code TEXT NOT NULL, applicant_id TEXT NOT NULL, applicant_name TEXT NOT NULL,"
     " idem_key TEXT NOT NULL, status TEXT NOT NULL, instance_id TEXT NOT NULL,"
     " submitted_at BIGINT NOT NULL, promised_at BIGINT NOT NULL, finished_at BIGINT NOT NULL,"
     " doc TEXT NOT NULL, version BIGINT NOT NULL);"
     "CREATE UNIQUE INDEX service_applications_idem ON service_applications (idem_key)"
     " WHERE idem_key <> '';"
     "CREATE INDEX service_applications_applicant ON service_applications"
     " (applicant_id, submitted_at);"
     "CREATE INDEX service_applications_service ON service_applications"
     " (service_code, submitted_at);"
     "CREATE INDEX service_applications_instance ON service_applications (instance_id);"
     "CREATE TABLE service_parts ("
     " application_id TEXT NOT NULL, part_key TEXT NOT NULL, unit_code TEXT NOT NULL,"
     " status TEXT NOT NULL, due_at BIGINT NOT NULL, PRIMARY KEY (application_id, part_key));"
     "CREATE INDEX service_parts_queue ON service_parts (unit_code, status, due_at);"
     "CREATE TABLE service_certificates ("
     " code TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, application_id TEXT NOT NULL,"
     " part_key TEXT NOT NULL, title TEXT NOT NULL, title_en TEXT NOT NULL,"
     " holder TEXT NOT NULL, unit_code TEXT NOT NULL, issued_at BIGINT NOT NULL);"
     "CREATE INDEX service_certificates_application ON service_certificates (application_id);"
     "CREATE TABLE service_numbers (name TEXT PRIMARY KEY, last BIGINT NOT NULL)"},
};

constexpr std::string_view kBundleColumns = "id, code, version, definition, created_by, created_at";
constexpr std::string_view kAppColumns =
    "id, number, bundle_id, service_code, applicant_id, applicant_name, status, instance_id,"
    " submitted_at, promised_at, finished_at, doc, version";

Result<Bundle> BundleFrom(const storage::Row& row) {
  auto doc = json::Json::parse(row.Text(3), nullptr, false);
  auto b = ParseBundle(doc);
  if (!b)
    return Fail(Error::Internal(
        fmt::format("stored service {} does not parse: {}", row.Text(1), b.error().message)));
  b->id = row.Text(0);
  b->version = row.Int(2);
  b->created_by = row.Text(4);
  b->created_at = row.Int(5);
  return b;
}

Result<Application> AppFrom(const storage::Row& row) {
  Application a;
  a.id = row.Text(0);
  a.number = row.Text(1);
  a.bundle_id = row.Text(2);
  a.service_code = row.Text(3);
  a.applicant_id = row.Text(4);
  a.applicant_name = row.Text(5);
  auto status = ParseAppStatus(row.Text(6));
  if (!status) return Fail(Error::Internal(fmt::format("application {} has no status", a.id)));
  a.status = *status;
  a.instance_id = row.Text(7);
  a.submitted_at = row.Int(8);
  a.promised_at = row.Int(9);
  a.finished_at = row.Int(10);
  auto doc = json::Json::parse(row.Text(11), nullptr, false);
  if (doc.is_discarded())
    return Fail(Error::Internal(fmt::format("application {}'s document is not JSON", a.id)));
  XT_TRY_VOID(DecodeDoc(doc, a));
  a.version = row.Int(12);
  return a;
}

Result<std::optional<Application>> OneApp(Executor& ex, std::string_view where,
                                          std::string_view value) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne(fmt::format("SELECT {} FROM service_applications WHERE {} = ?",
                                              kAppColumns, where),
                                  {value}));
  if (!row) return std::optional<Application>{};
  XT_ASSIGN_OR_RETURN(auto a, AppFrom(*row));
  return std::optional<Application>(std::move(a));
}

// The parts' queue rows follow the document.
Result<void> WriteParts(Executor& ex, const Application& a) {
  for (const auto& p : a.parts)
    XT_TRY_VOID(
        ex.Exec("INSERT INTO service_parts (application_id, part_key, unit_code, status, due_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (application_id, part_key) DO UPDATE SET"
                " status = excluded.status, due_at = excluded.due_at",
                {a.id, p.key, p.unit_code, std::string(PartStatusName(p.status)), p.due_at}));
  return {};
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<void> InsertBundle(Executor& ex, const Bundle& b) {
  XT_TRY_VOID(ex.Exec(
      fmt::format("INSERT INTO service_bundles ({}) VALUES (?, ?, ?, ?, ?, ?)", kBundleColumns),
      {b.id, b.code, b.version, BundleJson(b).dump(), b.created_by, b.created_at}));
  return {};
}

Result<std::vector<Bundle>> LatestBundles(Executor& ex) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM service_bundles b WHERE version = (SELECT MAX(version)"
                           " FROM service_bundles o WHERE o.code = b.code) ORDER BY code",
                           kBundleColumns)));
  std::vector<Bundle> out;
  for (const auto& row : rows) {
    XT_ASSIGN_OR_RETURN(auto b, BundleFrom(row));
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::optional<Bundle>> LatestBundle(Executor& ex, std::string_view code) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM service_bundles WHERE"
                                                        " code = ? ORDER BY version DESC LIMIT 1",
                                                        kBundleColumns),
                                            {code}));
  if (!row) return std::optional<Bundle>{};
  XT_ASSIGN_OR_RETURN(auto b, BundleFrom(*row));
  return std::optional<Bundle>(std::move(b));
}

Result<std::optional<Bundle>> FindBundle(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM service_bundles WHERE id = ?", kBundleColumns),
                  {id}));
  if (!row) return std::optional<Bundle>{};
  XT_ASSIGN_OR_RETURN(auto b, BundleFrom(*row));
  return std::optional<Bundle>(std::move(b));
}

Result<std::int64_t> CountApplications(Executor& ex, std::string_view service_code) {
  XT_ASSIGN_OR_RETURN(
      auto row, ex.QueryOne("SELECT COUNT(*) FROM service_applications WHERE service_code = ?",
                            {service_code}));
  return row ? row->Int(0) : 0;
}

Result<std::int64_t> NextNumber(Executor& ex, std::string_view counter) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("INSERT INTO service_numbers (name, last) VALUES (?, 1)"
                                          " ON CONFLICT (name) DO UPDATE SET"
                                          " last = service_numbers.last + 1 RETURNING last",
                                          {counter}));
  if (rows.empty()) return Fail(Error::Internal("a number counter returned nothing"));
  return rows.front().Int(0);
}

Result<void> InsertApplication(Executor& ex, const Application& a, std::string_view idem_key) {
  XT_TRY_VOID(
      ex.Exec(fmt::format("INSERT INTO service_applications ({}, idem_key) VALUES"
                          " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          kAppColumns),
              {a.id, a.number, a.bundle_id, a.service_code, a.applicant_id, a.applicant_name,
               std::string(AppStatusName(a.status)), a.instance_id, a.submitted_at, a.promised_at,
               a.finished_at, EncodeDoc(a).dump(), a.version, idem_key}));
  return WriteParts(ex, a);
}

Result<bool> UpdateApplication(Executor& ex, Application& a) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE service_applications SET status = ?, instance_id = ?,"
                      " promised_at = ?, finished_at = ?, doc = ?, version = ?"
                      " WHERE id = ? AND version = ?",
                      {std::string(AppStatusName(a.status)), a.instance_id, a.promised_at,
                       a.finished_at, EncodeDoc(a).dump(), a.version + 1, a.id, a.version}));
  if (n != 1) return false;
  a.version += 1;
  XT_TRY_VOID(WriteParts(ex, a));
  return true;
}

Result<std::optional<Application>> FindApplication(Executor& ex, std::string_view id) {
  return OneApp(ex, "id", id);
}
Result<std::optional<Application>> FindByIdempotencyKey(Executor& ex, std::string_view idem_key) {
  return OneApp(ex, "idem_key", idem_key);
}
Result<std::optional<Application>> FindByInstance(Executor& ex, std::string_view instance_id) {
  if (instance_id.empty()) return std::optional<Application>{};
  return OneApp(ex, "instance_id", instance_id);
}

Result<std::vector<Application>> ListApplications(Executor& ex, const ApplicationFilter& f) {
  std::string where = "1 = 1";
  std::vector<storage::Value> params;
  if (!f.applicant_id.empty()) {
    where += " AND applicant_id = ?";
    params.emplace_back(f.applicant_id);
  }
  if (!f.unit_codes.empty()) {
    where +=
        fmt::format(" AND id IN (SELECT application_id FROM service_parts WHERE unit_code IN ({}))",
                    storage::Placeholders(f.unit_codes.size()));
    for (const auto& u : f.unit_codes) params.emplace_back(u);
  }
  if (!f.status.empty()) {
    where += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (!f.service_code.empty()) {
    where += " AND service_code = ?";
    params.emplace_back(f.service_code);
  }
  if (f.from) {
    where += " AND submitted_at >= ?";
    params.emplace_back(f.from);
  }
  if (f.to) {
    where += " AND submitted_at < ?";
    params.emplace_back(f.to);
  }
  params.emplace_back(static_cast<std::int64_t>(f.limit));
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM service_applications WHERE {}"
                                           " ORDER BY submitted_at DESC, id DESC LIMIT ?",
                                           kAppColumns, where),
                               storage::Params(params.data(), params.size())));
  std::vector<Application> out;
  for (const auto& row : rows) {
    XT_ASSIGN_OR_RETURN(auto a, AppFrom(row));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<QueueRow>> Queue(Executor& ex, std::span<const std::string> unit_codes,
                                    std::span<const std::string> statuses, int limit) {
  if (unit_codes.empty() || statuses.empty()) return std::vector<QueueRow>{};
  std::vector<storage::Value> params;
  for (const auto& u : unit_codes) params.emplace_back(u);
  for (const auto& s : statuses) params.emplace_back(s);
  params.emplace_back(static_cast<std::int64_t>(limit));
  XT_ASSIGN_OR_RETURN(
      auto rows, ex.Query(fmt::format("SELECT application_id, part_key FROM service_parts WHERE"
                                      " unit_code IN ({}) AND status IN ({})"
                                      " ORDER BY due_at, application_id LIMIT ?",
                                      storage::Placeholders(unit_codes.size()),
                                      storage::Placeholders(statuses.size())),
                          storage::Params(params.data(), params.size())));
  std::vector<QueueRow> out;
  for (const auto& row : rows) out.push_back({row.Text(0), row.Text(1)});
  return out;
}

namespace {
constexpr std::string_view kCertColumns =
    "code, number, application_id, part_key, title, title_en, holder, unit_code, issued_at";
CertificateRow CertFrom(const storage::Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
          r.Text(5), r.Text(6), r.Text(7), r.Int(8)};
}
}  // namespace

Result<void> InsertCertificate(Executor& ex, const CertificateRow& c) {
  XT_TRY_VOID(ex.Exec(fmt::format("INSERT INTO service_certificates ({}) VALUES"
                                  " (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  kCertColumns),
                      {c.code, c.number, c.application_id, c.part_key, c.title, c.title_en,
                       c.holder, c.unit_code, c.issued_at}));
  return {};
}

Result<std::optional<CertificateRow>> FindCertificate(Executor& ex, std::string_view code) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM service_certificates WHERE code = ?", kCertColumns),
                  {code}));
  if (!row) return std::optional<CertificateRow>{};
  return std::optional<CertificateRow>(CertFrom(*row));
}

Result<std::vector<CertificateRow>> CertificatesOf(Executor& ex, std::string_view application_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM service_certificates WHERE"
                                           " application_id = ? ORDER BY issued_at, number",
                                           kCertColumns),
                               {application_id}));
  std::vector<CertificateRow> out;
  for (const auto& r : rows) out.push_back(CertFrom(r));
  return out;
}

}  // namespace xietong::services::store
