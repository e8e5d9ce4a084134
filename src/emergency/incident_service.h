// 应急协同: incidents with their command task force (指挥部), situation
// reports (情况报告), needs, resources and commitments, and the live map.
//
// Who may do what (identity/authorization.h):
//   kIncidentCommand (leader, unit_lead, supervisor, admin) opens an
//   incident commanded from a unit in its scope, raises or lowers its level
//   (with a reason) and closes it (with a summary) — over the commanding unit.
//   kIncidentRespond (operator, handler, unit_lead, supervisor, leader,
//   admin) records needs and resources and commits and delivers — over the
//   commanding unit, or from a unit below it (the units in the area).
//   Reading: anyone who may respond or command over the commanding unit, or
//   who belongs to a unit below it; anyone else gets NotFound. Every write
//   to a closed incident is Conflict.
//
// Each command runs one transaction: authorize → load → decide (incident.h,
// resource.h) → store + one audit event + one timeline entry.
//
// The 指挥部 is formed through CollabService::CreateForce, which runs its own
// transaction (CollabService owns its writes; there is no way to join the
// caller's). So Open commits the incident first and forms the force right
// after; EnsureForce is idempotent by incident id (the force's subject is
// the incident: subject_kind "other", subject_id = incident id, and an
// existing force of the caller's with that subject is adopted instead of a
// second one), and it is what a retry (POST …/force) calls after a crash
// between the two. The first round of 情况报告 goes out the same way.
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collab/collab_service.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/json.h"
#include "emergency/incident.h"
#include "emergency/resource.h"
#include "identity/identity_service.h"
#include "storage/database.h"

namespace xietong::emergency {

struct IncidentView {
  Incident incident = {};
  std::vector<TimelineEntry> timeline = {};
  ForceTemplate force_template = {};
  std::string latest_report_form_id = {};  // "" before the first round
};

struct IncidentListQuery {
  std::string status = {};  // "" | active | closed
  int limit = 100;
};

struct NeedsView {
  std::vector<Need> needs = {};
  std::vector<Commitment> commitments = {};
};

// One crowd report on the map (the crowd-report part provides them).
struct MapPoint {
  std::string id, kind, title, status;
  GeoPoint location;
  json::Json properties = json::Json::object();  // public fields only: the map may be public
};
// The verified crowd reports of an incident (app wiring sets it; empty until then).
using CrowdLayer = std::function<Result<std::vector<MapPoint>>(std::string_view incident_id)>;

class IncidentService {
 public:
  static constexpr int kMaxPage = 500;

  IncidentService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                  identity::IdentityService& identity, collab::CollabService& collab)
      : db_(db), clock_(clock), ids_(ids), identity_(identity), collab_(collab) {}

  // Opens the incident, then forms its 指挥部 and sends the first round of
  // 情况报告 (see above). A failure of those two is logged and left for
  // EnsureForce; the incident stays opened.
  Result<Incident> Open(const identity::Principal& actor, const IncidentInput& in);
  Result<IncidentView> Get(const identity::Principal& actor, std::string_view id);
  Result<std::vector<Incident>> List(const identity::Principal& actor, const IncidentListQuery& q);
  Result<Incident> ChangeLevel(const identity::Principal& actor, std::string_view id, int level,
                               std::string_view reason);
  Result<Incident> Close(const identity::Principal& actor, std::string_view id,
                         std::string_view summary);
  // Forms the 指挥部 when the incident has none yet; answers the incident.
  Result<Incident> EnsureForce(const identity::Principal& actor, std::string_view id);
  // Sends a round of 情况报告 to the units under the commanding unit, as a
  // report form of the incident's series (each round prefilled from the last).
  Result<collab::ReportForm> RequestSituationReports(const identity::Principal& actor,
                                                     std::string_view id);
  // The schedule: every round (the first at opening, one asked for by hand,
  // or this) sets the next one due `situation_report_hours` later (level I
  // every hour … IV every 12 h, incident.cc); a level change restarts the
  // count at its new interval. This sends the rounds that are due, as 系统,
  // each claimed by a compare-and-set on its due time, so that two nodes or
  // two passes never send one round twice. Returns how many went out. The
  // app calls it every minute (the consumer runner's periodic jobs).
  Result<int> SendDueSituationReports();

  // --- needs, resources, commitments ---
  Result<Need> AddNeed(const identity::Principal& actor, std::string_view incident_id,
                       const NeedInput& in);
  Result<NeedsView> Needs(const identity::Principal& actor, std::string_view incident_id);
  Result<Resource> AddResource(const identity::Principal& actor, std::string_view incident_id,
                               const ResourceInput& in);
  Result<std::vector<Resource>> Resources(const identity::Principal& actor,
                                          std::string_view incident_id);
  struct CommitInput {
    std::string need_id = {}, resource_id = {};
    std::int64_t quantity = 0;  // 0 = as much as both have left
    std::string note = {};
    std::string idempotency_key = {};  // a retry with the same key answers the first commitment
  };
  Result<Commitment> Commit(const identity::Principal& actor, std::string_view incident_id,
                            const CommitInput& in);
  Result<Commitment> Deliver(const identity::Principal& actor, std::string_view incident_id,
                             std::string_view commitment_id);
  Result<Commitment> Cancel(const identity::Principal& actor, std::string_view incident_id,
                            std::string_view commitment_id);
  Result<std::vector<Match>> Matches(const identity::Principal& actor, std::string_view incident_id,
                                     std::string_view need_id);

  // --- 储备: units' standing reserves, lent to incidents (reserve_service.cc) ---
  // A reserve held by unit_id (MayManageReserve over it).
  Result<Resource> AddReserve(const identity::Principal& actor, std::string_view unit_id,
                              const ResourceInput& in);
  // The whole register, of one kind or all (MayReadReserves); each with its
  // holding unit's name in `unit_name` of the view.
  struct ReserveView {
    Resource resource = {};
    std::string unit_name = {};
  };
  Result<std::vector<ReserveView>> Reserves(const identity::Principal& actor,
                                            std::string_view kind);
  // Restock or switch off: quantity never below what is lent out.
  Result<Resource> UpdateReserve(const identity::Principal& actor, std::string_view reserve_id,
                                 std::int64_t quantity, bool available);
  // Lends `quantity` (0: all it has left) of a reserve to the incident as a
  // new resource of it (a responder of the incident may; the reserve's unit
  // need not be theirs). Closing the incident gives it back (ReturnToReserve).
  Result<Resource> Deploy(const identity::Principal& actor, std::string_view incident_id,
                          std::string_view reserve_id, std::int64_t quantity);

  // The map as a GeoJSON FeatureCollection: the area, needs, resources
  // (shelters with capacity and occupancy) and verified crowd reports.
  // Public (actor = nullopt): only an incident's public facts, no contact,
  // no creator, no free text of needs.
  Result<json::Json> Map(const std::optional<identity::Principal>& actor,
                         std::string_view incident_id);
  void SetCrowdLayer(CrowdLayer layer) { crowd_layer_ = std::move(layer); }

 private:
  // One round of 情况报告 to the units under the command, recorded on the
  // timeline and the chain, the next one scheduled.
  Result<collab::ReportForm> SendRound(const identity::Principal& actor, const Incident& inc);
  Result<Incident> Visible(storage::Executor& ex, const identity::Principal& actor,
                           std::string_view id);
  // Inside Close's transaction: every resource lent from a reserve goes back.
  Result<json::Json> ReturnDeployed(storage::Executor& ex, const Incident& inc, Timestamp now);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  collab::CollabService& collab_;
  CrowdLayer crowd_layer_;
};

}  // namespace xietong::emergency
