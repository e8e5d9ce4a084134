// The services module's SQL, written once for both backends: bundles
// (versioned definitions), applications (indexed columns plus one document:
// form, materials, parts, timeline, rating), the parts' queue index that
// departments list, certificates (looked up by their public code) and the
// counters behind human numbers. Only services_service.cc calls it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "services/application.h"
#include "services/bundle.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::services::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

Result<void> InsertBundle(Executor& ex, const Bundle& b);
// The newest version of every service, by code.
Result<std::vector<Bundle>> LatestBundles(Executor& ex);
Result<std::optional<Bundle>> LatestBundle(Executor& ex, std::string_view code);
Result<std::optional<Bundle>> FindBundle(Executor& ex, std::string_view id);
Result<std::int64_t> CountApplications(Executor& ex, std::string_view service_code);

// "<name>" counters: the n-th application of a day, the n-th certificate of
// a prefix and year.
Result<std::int64_t> NextNumber(Executor& ex, std::string_view counter);

// idem_key: "<applicant>\x1f<Idempotency-Key>" or "".
Result<void> InsertApplication(Executor& ex, const Application& a, std::string_view idem_key);
// Writes a's new state when its stored version is still a.version; answers
// false when someone else wrote first. Bumps a.version on success.
Result<bool> UpdateApplication(Executor& ex, Application& a);
Result<std::optional<Application>> FindApplication(Executor& ex, std::string_view id);
Result<std::optional<Application>> FindByIdempotencyKey(Executor& ex, std::string_view idem_key);
Result<std::optional<Application>> FindByInstance(Executor& ex, std::string_view instance_id);

struct ApplicationFilter {
  std::string applicant_id = {};             // "" = anyone's
  std::vector<std::string> unit_codes = {};  // a part in one of these units; empty = any
  std::string status = {};                   // "" = any
  std::string service_code = {};             // "" = any
  Timestamp from = 0, to = 0;                // submitted in [from, to); 0 = open
  int limit = 50;
};
// Newest first.
Result<std::vector<Application>> ListApplications(Executor& ex, const ApplicationFilter& f);

struct QueueRow {
  std::string application_id;
  std::string part_key;
};
// Parts of the units in one of statuses, oldest due first.
Result<std::vector<QueueRow>> Queue(Executor& ex, std::span<const std::string> unit_codes,
                                    std::span<const std::string> statuses, int limit);

struct CertificateRow {
  std::string code;    // the public verification code
  std::string number;  // printed on the licence
  std::string application_id;
  std::string part_key;
  std::string title, title_en;
  std::string holder;
  std::string unit_code;
  Timestamp issued_at = 0;
};
Result<void> InsertCertificate(Executor& ex, const CertificateRow& c);
Result<std::optional<CertificateRow>> FindCertificate(Executor& ex, std::string_view code);
Result<std::vector<CertificateRow>> CertificatesOf(Executor& ex, std::string_view application_id);

}  // namespace xietong::services::store
