// The SQL of crowd reports, written once for both backends: one row per
// report (photos as a JSON array; contact columns are personal data that
// only the verifiers' reads return) and the Idempotency-Keys of intake.
// Decides no rule; only CrowdReportService calls it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emergency/crowd_report.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::emergency::store {

using storage::Executor;

// emergency/3: crowd reports and their intake keys.
std::span<const storage::Migration> CrowdMigrations();

Result<void> InsertReport(Executor& ex, const CrowdReport& r);
Result<std::optional<CrowdReport>> FindReport(Executor& ex, std::string_view id);
// The verdict's columns, when the report is still unverified; false when a
// verdict was given meanwhile.
Result<bool> SetVerdict(Executor& ex, const CrowdReport& r);

// Marks an unverified report without a candidate a duplicate candidate
// (duplicate_of, duplicate_score, queue_rank); false when it has a verdict
// or a candidate already.
Result<bool> MarkCandidate(Executor& ex, const CrowdReport& r);

// Claims (incident, key) for report_id with the report's fingerprint. nullopt:
// claimed now; otherwise the first claim's report id and fingerprint.
struct KeyClaim {
  std::string report_id, fingerprint;
};
Result<std::optional<KeyClaim>> ClaimReportKey(Executor& ex, std::string_view incident_id,
                                               std::string_view key, std::string_view report_id,
                                               std::string_view fingerprint);
Result<std::optional<KeyClaim>> FindReportKey(Executor& ex, std::string_view incident_id,
                                              std::string_view key);

// One page of an incident's reports in one state. Unverified: queue order
// (queue_rank, received_at, id); the others: latest verdict first
// (verified_at DESC, id DESC). `after`: the cursor of the last row seen.
struct ReportPageQuery {
  std::string incident_id = {};
  ReportState state = ReportState::kUnverified;
  std::string after = {};  // "" = from the start; otherwise CursorOf(last row)
  int limit = 50;
};
// The cursor that continues after r in its state's order.
std::string CursorOf(const CrowdReport& r);
// InvalidArgument for a cursor this store did not write.
Result<std::vector<CrowdReport>> ReportPage(Executor& ex, const ReportPageQuery& q);
// Counts by state for one incident: unverified, verified, duplicate, false.
Result<std::vector<std::int64_t>> CountByState(Executor& ex, std::string_view incident_id);

struct RecentReport {
  std::string id, incident_id, text;
  Timestamp received_at = 0;
};
// Reports received at or after `since` (any incident), oldest first, for the
// duplicate index; false reports, duplicates and duplicate candidates left
// out (the index holds the first of each kind).
Result<std::vector<RecentReport>> ReceivedSince(Executor& ex, Timestamp since, int limit);

}  // namespace xietong::emergency::store
