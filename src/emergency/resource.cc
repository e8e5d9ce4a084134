#include "emergency/resource.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/json.h"

namespace xietong::emergency {
namespace {

struct Kind {
  std::string_view key, zh;
};
constexpr Kind kNeedKinds[] = {
    {"rescue", "救援"}, {"supplies", "物资"}, {"medical", "医疗"}, {"evacuation", "转移"}};
constexpr Kind kResourceKinds[] = {{"warehouse", "仓库"},
                                   {"vehicle", "车辆"},
                                   {"team", "队伍"},
                                   {"volunteers", "志愿者"},
                                   {"shelter", "避难场所"}};
// need kind → the resource kinds that meet it.
constexpr std::pair<std::string_view, std::string_view> kCompatible[] = {
    {"rescue", "team"},        {"rescue", "volunteers"},     {"rescue", "vehicle"},
    {"supplies", "warehouse"}, {"supplies", "vehicle"},      {"supplies", "volunteers"},
    {"medical", "team"},       {"medical", "vehicle"},       {"evacuation", "shelter"},
    {"evacuation", "vehicle"}, {"evacuation", "volunteers"},
};

Error Bad(std::string field, std::string reason, std::string message) {
  return Error::InvalidArgument(std::move(message)).About(std::move(field), std::move(reason));
}

Result<void> CheckText(std::string_view field, std::string_view s, std::size_t min,
                       std::size_t max) {
  const auto n = json::CountCodePoints(s);
  if (n < min) {
    return Fail(Bad(std::string(field), "required", fmt::format("{} is required", field)));
  }
  if (n > max) {
    return Fail(Bad(std::string(field), "too_long",
                    fmt::format("{} is longer than {} characters", field, max)));
  }
  if (json::FindMisleadingChar(s)) {
    return Fail(Bad(std::string(field), "control_char",
                    fmt::format("{} contains a control or direction character", field)));
  }
  return {};
}

Result<void> CheckQuantity(std::int64_t q) {
  if (q < 1 || q > kMaxQuantity) {
    return Fail(Bad("quantity", "out_of_range", fmt::format("quantity is 1–{}", kMaxQuantity)));
  }
  return {};
}

Result<void> CheckLocation(const std::optional<GeoPoint>& p) {
  if (p && (!std::isfinite(p->lat) || !std::isfinite(p->lng) || p->lat < -90 || p->lat > 90 ||
            p->lng < -180 || p->lng > 180)) {
    return Fail(Bad("location", "out_of_range", "location needs lat −90…90 and lng −180…180"));
  }
  return {};
}

template <std::size_t N>
std::string_view ZhOf(const Kind (&kinds)[N], std::string_view key) {
  for (const auto& k : kinds)
    if (k.key == key) return k.zh;
  return key;
}

}  // namespace

Result<std::string> ParseNeedKind(std::string_view s) {
  for (const auto& k : kNeedKinds)
    if (k.key == s) return std::string(s);
  return Fail(Bad("kind", "unknown", "need kind is rescue, supplies, medical or evacuation"));
}
std::string_view NeedKindZh(std::string_view key) { return ZhOf(kNeedKinds, key); }

Result<std::string> ParseResourceKind(std::string_view s) {
  for (const auto& k : kResourceKinds)
    if (k.key == s) return std::string(s);
  return Fail(
      Bad("kind", "unknown", "resource kind is warehouse, vehicle, team, volunteers or shelter"));
}
std::string_view ResourceKindZh(std::string_view key) { return ZhOf(kResourceKinds, key); }

bool Compatible(std::string_view need_kind, std::string_view resource_kind) {
  return std::any_of(std::begin(kCompatible), std::end(kCompatible), [&](const auto& p) {
    return p.first == need_kind && p.second == resource_kind;
  });
}

double HaversineKm(GeoPoint a, GeoPoint b) {
  constexpr double kEarthKm = 6371.0088;
  const double rad = std::numbers::pi / 180.0;
  const double dlat = (b.lat - a.lat) * rad, dlng = (b.lng - a.lng) * rad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * rad) * std::cos(b.lat * rad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarthKm * std::asin(std::min(1.0, std::sqrt(h)));
}

Result<void> ValidateNeed(const NeedInput& in) {
  XT_TRY_VOID(ParseNeedKind(in.kind));
  XT_TRY_VOID(CheckText("title", in.title, 1, kMaxTitleChars));
  XT_TRY_VOID(CheckText("description", in.description, 0, kMaxDescriptionChars));
  if (in.priority < 1 || in.priority > 4) {
    return Fail(Bad("priority", "out_of_range", "priority is 1 (urgent) … 4 (low)"));
  }
  XT_TRY_VOID(CheckQuantity(in.quantity));
  XT_TRY_VOID(CheckText("unit_label", in.unit_label, 0, 20));
  XT_TRY_VOID(CheckText("place", in.place, 0, kMaxPlaceChars));
  XT_TRY_VOID(CheckLocation(in.location));
  if (in.place.empty() && !in.location) {
    return Fail(Bad("place", "required", "a need needs a place or a location"));
  }
  XT_TRY_VOID(CheckText("contact_name", in.contact_name, 0, 100));
  XT_TRY_VOID(CheckText("contact_phone", in.contact_phone, 0, 40));
  return CheckText("source_report_id", in.source_report_id, 0, 64);
}

Need MakeNeed(const NeedInput& in, std::string id, std::string incident_id, std::string by,
              Timestamp now) {
  return {.id = std::move(id),
          .incident_id = std::move(incident_id),
          .kind = in.kind,
          .title = in.title,
          .description = in.description,
          .priority = in.priority,
          .quantity = in.quantity,
          .unit_label = in.unit_label,
          .place = in.place,
          .location = in.location,
          .contact_name = in.contact_name,
          .contact_phone = in.contact_phone,
          .source_report_id = in.source_report_id,
          .created_by = std::move(by),
          .created_at = now,
          .updated_at = now};
}

std::string_view Coverage(const Need& n) {
  if (n.delivered >= n.quantity) return "met";
  if (n.committed >= n.quantity) return "committed";
  if (n.committed > 0) return "partial";
  return "open";
}

Result<void> ValidateResource(const ResourceInput& in) {
  XT_TRY_VOID(ParseResourceKind(in.kind));
  XT_TRY_VOID(CheckText("name", in.name, 1, kMaxNameChars));
  XT_TRY_VOID(CheckQuantity(in.quantity));
  XT_TRY_VOID(CheckText("unit_label", in.unit_label, 0, 20));
  XT_TRY_VOID(CheckText("place", in.place, 0, kMaxPlaceChars));
  XT_TRY_VOID(CheckLocation(in.location));
  return CheckText("contact_phone", in.contact_phone, 0, 40);
}

Resource MakeResource(const ResourceInput& in, std::string id, std::string incident_id,
                      std::string by, Timestamp now) {
  return {.id = std::move(id),
          .incident_id = std::move(incident_id),
          .kind = in.kind,
          .name = in.name,
          .quantity = in.quantity,
          .unit_label = in.unit_label,
          .place = in.place,
          .location = in.location,
          .available = in.available,
          .contact_phone = in.contact_phone,
          .created_by = std::move(by),
          .created_at = now,
          .updated_at = now};
}

bool Consumable(std::string_view resource_kind) { return resource_kind == "warehouse"; }

Result<DeployDecision> DecideDeploy(const Resource& reserve, std::int64_t quantity, std::string id,
                                    std::string incident_id, std::string by, Timestamp now) {
  if (!reserve.incident_id.empty()) {
    return Fail(Error::InvalidArgument("not a reserve: it already belongs to an incident")
                    .About("reserve_id", "invalid"));
  }
  if (quantity < 0 || quantity > kMaxQuantity) {
    return Fail(Error::InvalidArgument(fmt::format("quantity: must be 0 to {}", kMaxQuantity))
                    .About("quantity", "out_of_range"));
  }
  if (!reserve.available) {
    return Fail(Error::Conflict(fmt::format("{} is not available", reserve.name)));
  }
  if (reserve.remaining() <= 0) {
    return Fail(Error::Conflict(fmt::format("{} has nothing left to lend", reserve.name)));
  }
  if (quantity > reserve.remaining()) {
    return Fail(Error::InvalidArgument(fmt::format("quantity: {} has only {}{} left", reserve.name,
                                                   reserve.remaining(), reserve.unit_label))
                    .About("quantity", "out_of_range"));
  }
  const std::int64_t n = quantity == 0 ? reserve.remaining() : quantity;
  DeployDecision d{.reserve = reserve, .deployed = reserve};
  d.reserve.committed += n;
  d.reserve.updated_at = now;
  ++d.reserve.version;
  d.deployed.id = std::move(id);
  d.deployed.incident_id = std::move(incident_id);
  d.deployed.source_id = reserve.id;
  d.deployed.quantity = n;
  d.deployed.committed = 0;
  d.deployed.created_by = std::move(by);
  d.deployed.created_at = d.deployed.updated_at = now;
  d.deployed.version = 1;
  return d;
}

Resource ReturnToReserve(const Resource& reserve, const Resource& deployed, std::int64_t delivered,
                         Timestamp now) {
  Resource r = reserve;
  r.committed = std::max<std::int64_t>(0, r.committed - deployed.quantity);
  if (Consumable(deployed.kind)) {
    r.quantity = std::max<std::int64_t>(0, r.quantity - std::min(delivered, deployed.quantity));
  }
  r.updated_at = now;
  ++r.version;
  return r;
}

std::string_view CommitmentStatusName(CommitmentStatus s) {
  switch (s) {
    case CommitmentStatus::kCommitted:
      return "committed";
    case CommitmentStatus::kDelivered:
      return "delivered";
    case CommitmentStatus::kCancelled:
      return "cancelled";
  }
  return "committed";
}

CommitmentStatus CommitmentStatusOf(std::string_view s) {
  if (s == "delivered") return CommitmentStatus::kDelivered;
  if (s == "cancelled") return CommitmentStatus::kCancelled;
  return CommitmentStatus::kCommitted;
}

Result<CommitDecision> DecideCommit(const Need& need, const Resource& resource,
                                    std::int64_t quantity, std::string note, std::string id,
                                    std::string by, Timestamp now) {
  if (need.incident_id != resource.incident_id) {
    return Fail(Bad("resource_id", "other_incident", "the resource belongs to another incident"));
  }
  if (!Compatible(need.kind, resource.kind)) {
    return Fail(
        Bad("resource_id", "incompatible",
            fmt::format("a {} resource does not meet a {} need", resource.kind, need.kind)));
  }
  if (!resource.available) {
    return Fail(
        Error::Conflict("the resource is not available").About("resource_id", "unavailable"));
  }
  if (need.remaining() <= 0) {
    return Fail(Error::Conflict("the need is already fully committed").About("need_id", "covered"));
  }
  if (resource.remaining() <= 0) {
    return Fail(Error::Conflict("the resource has nothing left").About("resource_id", "exhausted"));
  }
  const std::int64_t most = std::min(need.remaining(), resource.remaining());
  if (quantity == 0) quantity = most;
  XT_TRY_VOID(CheckQuantity(quantity));
  if (quantity > need.remaining()) {
    return Fail(Bad("quantity", "more_than_needed",
                    fmt::format("the need has {} left to commit", need.remaining())));
  }
  if (quantity > resource.remaining()) {
    return Fail(Bad("quantity", "more_than_available",
                    fmt::format("the resource has {} left", resource.remaining())));
  }
  XT_TRY_VOID(CheckText("note", note, 0, kMaxReasonChars));
  CommitDecision d{.need = need, .resource = resource};
  d.commitment = {.id = std::move(id),
                  .incident_id = need.incident_id,
                  .need_id = need.id,
                  .resource_id = resource.id,
                  .quantity = quantity,
                  .complete = quantity == need.remaining(),
                  .note = std::move(note),
                  .created_by = std::move(by),
                  .created_at = now};
  d.need.committed += quantity;
  d.need.updated_at = now;
  ++d.need.version;
  d.resource.committed += quantity;
  d.resource.updated_at = now;
  ++d.resource.version;
  return d;
}

Result<std::pair<Commitment, Need>> DecideDeliver(const Commitment& c, const Need& need,
                                                  Timestamp now) {
  if (c.status != CommitmentStatus::kCommitted) {
    return Fail(
        Error::Conflict(fmt::format("the commitment is already {}", CommitmentStatusName(c.status)))
            .About("status", std::string(CommitmentStatusName(c.status))));
  }
  std::pair<Commitment, Need> out{c, need};
  out.first.status = CommitmentStatus::kDelivered;
  out.first.delivered_at = now;
  out.second.delivered += c.quantity;
  out.second.updated_at = now;
  ++out.second.version;
  return out;
}

Result<CommitDecision> DecideCancel(const Commitment& c, const Need& need, const Resource& resource,
                                    Timestamp now) {
  if (c.status != CommitmentStatus::kCommitted) {
    return Fail(
        Error::Conflict(fmt::format("the commitment is already {}", CommitmentStatusName(c.status)))
            .About("status", std::string(CommitmentStatusName(c.status))));
  }
  CommitDecision d{.commitment = c, .need = need, .resource = resource};
  d.commitment.status = CommitmentStatus::kCancelled;
  d.commitment.cancelled_at = now;
  d.need.committed -= c.quantity;
  d.need.updated_at = now;
  ++d.need.version;
  d.resource.committed -= c.quantity;
  d.resource.updated_at = now;
  ++d.resource.version;
  return d;
}

std::vector<Match> Suggest(const Need& need, std::span<const Resource> resources,
                           std::size_t limit) {
  std::vector<Match> out;
  if (need.remaining() <= 0) return out;
  for (const auto& r : resources) {
    if (!r.available || r.remaining() <= 0 || !Compatible(need.kind, r.kind)) continue;
    Match m{.resource_id = r.id, .kind = r.kind, .name = r.name, .distance_km = std::nullopt};
    m.can_give = std::min(need.remaining(), r.remaining());
    m.complete = m.can_give == need.remaining();
    if (need.location && r.location) m.distance_km = HaversineKm(*need.location, *r.location);
    out.push_back(std::move(m));
  }
  std::stable_sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    if (a.complete != b.complete) return a.complete;
    // A resource whose distance is known ranks before one whose is not.
    if (a.distance_km.has_value() != b.distance_km.has_value()) return a.distance_km.has_value();
    if (a.distance_km && *a.distance_km != *b.distance_km) return *a.distance_km < *b.distance_km;
    if (a.can_give != b.can_give) return a.can_give > b.can_give;
    return a.resource_id < b.resource_id;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace xietong::emergency
