// Crowd reports (救命文档): intake from anyone, the verifiers' queue, verdicts,
// and the public view of verified reports.
//
// Who may do what:
//   anyone (signed in or not) submits a report on the web channel; the phone
//   and open311 channels (an operator taking a call, another system) need a
//   staff account with kRequestCreate (open311 also another system's API
//   key: Open311's incident services post with it). Photos: signed-in reporters only
//   (uploads need an account; files::Attach takes the uploader's own files).
//   verifiers — staff with kIncidentRespond over the incident's commanding
//   unit or from a unit below it, or members of its 指挥部 (task force) —
//   list the queue and give verdicts; anyone else gets PermissionDenied.
//   Everybody reads the public view.
// Submit: a closed incident is Conflict, an unknown one NotFound. With an
// Idempotency-Key (per incident) a retry answers the first report; the same
// key with a different report is Conflict. Intake is only that: validate,
// then one insert and one audit event (emergency.report.received) through the
// group commit.
// Duplicates: the durable reaction `emergency.crowd_duplicates` (OnEvent, an
// audit::Consumer the server runs) reads each committed
// emergency.report.received and, when nearly the same text came earlier in
// the same incident (text::DuplicateIndex in memory holding the first
// report of each kind, filled from the database on first use and topped up
// when another node held the consumer meanwhile), marks the report a duplicate candidate
// (duplicate_of, queued after fresh reports) with one
// emergency.report.candidate event in the consumer's transaction — exactly
// once across restarts; never dropped. A report that already has a verdict
// is left as it is.
// Verify: one transaction — the verdict, one audit event, and for a verified
// need the need (store::InsertNeed of the resource part).
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/consumer.h"
#include "collab/collab_service.h"
#include "core/clock.h"
#include "core/id.h"
#include "emergency/crowd_report.h"
#include "emergency/incident_service.h"
#include "identity/identity.h"
#include "storage/database.h"
#include "text/duplicates.h"

namespace xietong::emergency {

struct CrowdReportOptions {
  // Compared with reports of the same incident received this long before.
  text::DuplicateOptions duplicates = {.threshold = 0.6, .window_us = 14 * kMicrosPerDay};
};

struct ReportList {
  std::vector<CrowdReport> items;
  std::optional<std::string> next_cursor;
  // unverified, verified, duplicate, false: how many the incident has.
  std::int64_t unverified = 0, verified = 0, duplicate = 0, rejected = 0;
};

class CrowdReportService {
 public:
  static constexpr int kMaxPage = 500;

  CrowdReportService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                     collab::CollabService& collab, CrowdReportOptions options = {});
  ~CrowdReportService();

  // who: nullopt when not signed in. idempotency_key: "" for none.
  Result<CrowdReport> Submit(const std::optional<identity::Principal>& who,
                             std::string_view incident_id, const NewCrowdReport& in,
                             std::string_view idempotency_key);
  // One page of one state's reports (unverified: the queue order), with the counts.
  Result<ReportList> List(const identity::Principal& actor, std::string_view incident_id,
                          ReportState state, std::string_view cursor, int limit);
  Result<CrowdReport> Get(const identity::Principal& actor, std::string_view incident_id,
                          std::string_view report_id);
  Result<CrowdReport> Verify(const identity::Principal& actor, std::string_view incident_id,
                             std::string_view report_id, const Verdict& verdict);
  // The verified reports, latest verdict first, as the public sees them
  // (NotFound for an unknown incident). No authorization.
  Result<std::vector<PublicReport>> PublicReports(std::string_view incident_id, int limit);
  // The same as points of the incident's map (those with a place on it).
  Result<std::vector<MapPoint>> MapLayer(std::string_view incident_id);

  // The duplicate reaction (see above): its consumer's options and handler.
  static audit::ConsumerOptions ConsumerOptions();
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);

 private:
  class RecentReports;
  Result<void> CheckVerifier(const identity::Principal& actor, const Incident& incident);
  Result<Incident> LoadIncident(std::string_view incident_id);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  collab::CollabService& collab_;
  const CrowdReportOptions options_;
  std::unique_ptr<RecentReports> recent_;
};

}  // namespace xietong::emergency
