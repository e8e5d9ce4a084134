// Needs, resources and commitments (Sahana Eden's request → commit → deliver,
// on one incident). Pure: no I/O.
//
//   a need:       救援 rescue | 物资 supplies | 医疗 medical | 转移 evacuation,
//                 a priority 1 (urgent) … 4 (low), a count of what is needed
//                 (people, boxes, …) and a place; its `committed` counts what
//                 live and delivered commitments promise, `delivered` what
//                 arrived. Coverage: open (nothing committed) → partial →
//                 committed (fully promised) → met (fully delivered).
//   a resource:   仓库 warehouse | 车辆 vehicle | 队伍 team | 志愿者 volunteers |
//                 避难场所 shelter, with a quantity (stock, seats, members,
//                 a shelter's capacity), a place and availability; its
//                 `committed` counts what live and delivered commitments take.
//   compatible:   which resource kinds meet which need kind (kCompatible in
//                 resource.cc): rescue ← team, volunteers, vehicle; supplies ←
//                 warehouse, vehicle, volunteers; medical ← team, vehicle;
//                 evacuation ← shelter, vehicle, volunteers.
//   a commitment: resource → need, a quantity ≤ both remainders; partial when
//                 it leaves the need short, complete when it covers the rest;
//                 committed → delivered | cancelled (each final). Cancelling
//                 gives the quantity back to both.
//   matching:     Suggest ranks the available, compatible resources with
//                 something left: those that cover the whole remainder
//                 first, then by distance (haversine), then by what they have.
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "emergency/incident.h"

namespace xietong::emergency {

inline constexpr std::int64_t kMaxQuantity = 1'000'000;
inline constexpr std::size_t kMaxNameChars = 200;
inline constexpr std::size_t kMaxPlaceChars = 300;

// Keys: rescue, supplies, medical, evacuation.
Result<std::string> ParseNeedKind(std::string_view s);
std::string_view NeedKindZh(std::string_view key);
// Keys: warehouse, vehicle, team, volunteers, shelter.
Result<std::string> ParseResourceKind(std::string_view s);
std::string_view ResourceKindZh(std::string_view key);
bool Compatible(std::string_view need_kind, std::string_view resource_kind);

// Great-circle distance in kilometres.
double HaversineKm(GeoPoint a, GeoPoint b);

struct NeedInput {
  std::string kind = {};
  std::string title = {};
  std::string description = {};
  int priority = 3;  // 1 urgent … 4 low
  std::int64_t quantity = 1;
  std::string unit_label = {};  // 人, 箱, 份 …
  std::string place = {};
  std::optional<GeoPoint> location = {};
  // Personal: never on the public map.
  std::string contact_name = {}, contact_phone = {};
  std::string source_report_id = {};  // a verified crowd report it came from
};
Result<void> ValidateNeed(const NeedInput& in);

struct Need {
  std::string id = {}, incident_id = {};
  std::string kind = {}, title = {}, description = {};
  int priority = 3;
  std::int64_t quantity = 1, committed = 0, delivered = 0;
  std::string unit_label = {}, place = {};
  std::optional<GeoPoint> location = {};
  std::string contact_name = {}, contact_phone = {};
  std::string source_report_id = {};
  std::string created_by = {};
  Timestamp created_at = 0, updated_at = 0;
  std::int64_t version = 1;

  std::int64_t remaining() const { return quantity - committed; }
};
// A new need from checked input.
Need MakeNeed(const NeedInput& in, std::string id, std::string incident_id, std::string by,
              Timestamp now);
// open | partial | committed | met
std::string_view Coverage(const Need& n);

struct ResourceInput {
  std::string kind = {};
  std::string name = {};
  std::int64_t quantity = 1;  // stock, seats, members or a shelter's capacity
  std::string unit_label = {};
  std::string place = {};
  std::optional<GeoPoint> location = {};
  bool available = true;
  std::string contact_phone = {};  // personal: never on the public map
};
Result<void> ValidateResource(const ResourceInput& in);

struct Resource {
  std::string id = {};
  std::string incident_id = {};  // "" for a reserve (储备) held by unit_id
  // The unit that holds a reserve, or whose reserve a deployed resource came
  // from; source_id names that reserve ("" for a resource registered on the
  // incident itself).
  std::string unit_id = {}, source_id = {};
  std::string kind = {}, name = {};
  std::int64_t quantity = 1, committed = 0;
  std::string unit_label = {}, place = {};
  std::optional<GeoPoint> location = {};
  bool available = true;
  std::string contact_phone = {};
  std::string created_by = {};
  Timestamp created_at = 0, updated_at = 0;
  std::int64_t version = 1;

  std::int64_t remaining() const { return quantity - committed; }
};
Resource MakeResource(const ResourceInput& in, std::string id, std::string incident_id,
                      std::string by, Timestamp now);

enum class CommitmentStatus { kCommitted, kDelivered, kCancelled };
std::string_view CommitmentStatusName(CommitmentStatus s);
CommitmentStatus CommitmentStatusOf(std::string_view s);

struct Commitment {
  std::string id = {}, incident_id = {}, need_id = {}, resource_id = {};
  std::int64_t quantity = 0;
  bool complete = false;  // covered the need's whole remainder when made
  CommitmentStatus status = CommitmentStatus::kCommitted;
  std::string note = {};
  std::string created_by = {};
  Timestamp created_at = 0, delivered_at = 0, cancelled_at = 0;
};

// The commitment and the need and resource as they become. quantity 0 means
// "as much as both have left". InvalidArgument when the kinds do not match
// or the quantity is more than either has left; Conflict when the resource
// is unavailable or the need is already fully committed.
struct CommitDecision {
  Commitment commitment = {};
  Need need = {};
  Resource resource = {};
};
Result<CommitDecision> DecideCommit(const Need& need, const Resource& resource,
                                    std::int64_t quantity, std::string note, std::string id,
                                    std::string by, Timestamp now);
// committed → delivered: the need's delivered grows. Conflict otherwise.
Result<std::pair<Commitment, Need>> DecideDeliver(const Commitment& c, const Need& need,
                                                  Timestamp now);
// committed → cancelled: both get the quantity back. Conflict otherwise.
Result<CommitDecision> DecideCancel(const Commitment& c, const Need& need, const Resource& resource,
                                    Timestamp now);

// 储备调拨: a unit's standing reserve (a warehouse's stock, a team, vehicles,
// a shelter) lends `quantity` (0: all it has left) to an incident. The
// reserve's `committed` grows by it and a new resource on the incident holds
// it, naming the reserve. InvalidArgument for a quantity out of range,
// Conflict when the reserve is unavailable or has nothing left; the reserve
// must be one (incident_id "").
struct DeployDecision {
  Resource reserve = {};   // as it becomes
  Resource deployed = {};  // the incident's new resource
};
Result<DeployDecision> DecideDeploy(const Resource& reserve, std::int64_t quantity, std::string id,
                                    std::string incident_id, std::string by, Timestamp now);
// What goes back when the incident closes: a warehouse's stock that was
// delivered is used up (the reserve's quantity shrinks by it); everything
// else — vehicles, teams, volunteers, shelters — comes back whole. The
// reserve as it becomes.
Resource ReturnToReserve(const Resource& reserve, const Resource& deployed, std::int64_t delivered,
                         Timestamp now);
// Whether a resource kind is used up when delivered (warehouse stock).
bool Consumable(std::string_view resource_kind);

struct Match {
  std::string resource_id = {};
  std::string kind = {}, name = {};
  std::int64_t can_give = 0;          // min(need remainder, resource remainder)
  bool complete = false;              // covers the need's whole remainder
  std::optional<double> distance_km;  // when both have a location
};
// Ranked suggestions, at most limit.
std::vector<Match> Suggest(const Need& need, std::span<const Resource> resources,
                           std::size_t limit = 20);

}  // namespace xietong::emergency
