// IncidentService's register of standing reserves (储备): a unit's
// warehouses, teams, vehicles and shelters that exist before any incident,
// lent to an incident when it needs them and given back when it closes.
// Each command: authorize → load → decide (resource.h) → store
// (resource_store.h) + one audit event, in one transaction.
#include <fmt/core.h>

#include <map>

#include "audit/audit_log.h"
#include "emergency/incident_service.h"
#include "emergency/incident_store.h"
#include "emergency/resource_store.h"

namespace xietong::emergency {
namespace {

using identity::Principal;
using storage::Executor;

Result<Resource> ReserveIn(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, id));
  if (!r || !r->incident_id.empty()) {
    return Fail(Error::NotFound(fmt::format("no reserve '{}'", id.substr(0, 64)))
                    .About("reserve_id", "unknown"));
  }
  return std::move(*r);
}

Error Raced() { return Error::Conflict("the reserve changed meanwhile; try again"); }

}  // namespace

Result<Resource> IncidentService::AddReserve(const Principal& actor, std::string_view unit_id,
                                             const ResourceInput& in) {
  XT_TRY_VOID(ValidateResource(in));
  auto unit = identity_.GetUnit(actor, unit_id);
  if (!unit) {
    if (unit.error().code != ErrorCode::kNotFound) return Fail(unit.error());
    return Fail(Error::InvalidArgument(fmt::format("no unit '{}'", unit_id.substr(0, 64)))
                    .About("unit_id", "unknown"));
  }
  if (!MayManageReserve(actor, (*unit)->path)) {
    return Fail(
        Error::PermissionDenied(fmt::format("you may not register reserves of {}", (*unit)->name)));
  }
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Resource> {
    auto r = MakeResource(in, ids_.Next(), "", actor.account_id, now);
    r.unit_id = (*unit)->id;
    XT_TRY_VOID(store::InsertResource(ex, r));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "emergency.reserve.added",
                               r.id,
                               {{"unit_id", r.unit_id},
                                {"kind", r.kind},
                                {"name", r.name},
                                {"quantity", r.quantity},
                                {"available", r.available}}}));
    return r;
  });
}

Result<std::vector<IncidentService::ReserveView>> IncidentService::Reserves(const Principal& actor,
                                                                            std::string_view kind) {
  if (!MayReadReserves(actor)) {
    return Fail(Error::PermissionDenied("only emergency staff read the reserves"));
  }
  if (!kind.empty()) XT_TRY_VOID(ParseResourceKind(kind));
  XT_ASSIGN_OR_RETURN(auto list, db_.Read([&](Executor& ex) { return store::Reserves(ex, kind); }));
  std::map<std::string, std::string> names;
  std::vector<ReserveView> out;
  out.reserve(list.size());
  for (auto& r : list) {
    auto [it, fresh] = names.try_emplace(r.unit_id);
    if (fresh) {
      auto u = identity_.GetUnit(identity::Principal::System(), r.unit_id);
      it->second = u ? (*u)->name : "";
    }
    out.push_back({.resource = std::move(r), .unit_name = it->second});
  }
  return out;
}

Result<Resource> IncidentService::UpdateReserve(const Principal& actor, std::string_view reserve_id,
                                                std::int64_t quantity, bool available) {
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Resource> {
    XT_ASSIGN_OR_RETURN(auto r, ReserveIn(ex, reserve_id));
    auto unit = identity_.GetUnit(identity::Principal::System(), r.unit_id);
    if (!unit || !MayManageReserve(actor, (*unit)->path)) {
      return Fail(Error::PermissionDenied("you may not change this unit's reserves"));
    }
    if (quantity < r.committed || quantity < 1 || quantity > kMaxQuantity) {
      return Fail(
          Error::InvalidArgument(fmt::format("quantity: must be between {} (lent out now) and {}",
                                             std::max<std::int64_t>(1, r.committed), kMaxQuantity))
              .About("quantity", "out_of_range"));
    }
    const std::int64_t before = r.quantity;
    r.quantity = quantity;
    r.available = available;
    r.updated_at = now;
    ++r.version;
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateResource(ex, r));
    if (!ok) return Fail(Raced());
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id,
         "emergency.reserve.updated",
         r.id,
         {{"quantity", r.quantity}, {"quantity_before", before}, {"available", r.available}}}));
    return r;
  });
}

Result<Resource> IncidentService::Deploy(const Principal& actor, std::string_view incident_id,
                                         std::string_view reserve_id, std::int64_t quantity) {
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Resource> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, incident_id));
    if (!MayRespond(actor, inc)) {
      return Fail(Error::PermissionDenied("you may not respond to this incident"));
    }
    XT_TRY_VOID(RequireActive(inc));
    XT_ASSIGN_OR_RETURN(auto reserve, ReserveIn(ex, reserve_id));
    XT_ASSIGN_OR_RETURN(
        auto d, DecideDeploy(reserve, quantity, ids_.Next(), inc.id, actor.account_id, now));
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateResource(ex, d.reserve));
    if (!ok) return Fail(Raced());
    XT_TRY_VOID(store::InsertResource(ex, d.deployed));
    XT_TRY_VOID(store::AppendTimeline(
        ex, {.incident_id = inc.id,
             .at = now,
             .actor_id = actor.account_id,
             .actor_name = actor.display_name,
             .kind = "resource_deployed",
             .text = fmt::format("调拨储备 {}：{}（{}{}）", ResourceKindZh(d.deployed.kind),
                                 d.deployed.name, d.deployed.quantity, d.deployed.unit_label),
             .data = {{"resource_id", d.deployed.id}, {"reserve_id", reserve.id}}}));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "emergency.reserve.deployed",
                               d.deployed.id,
                               {{"incident_id", inc.id},
                                {"reserve_id", reserve.id},
                                {"unit_id", reserve.unit_id},
                                {"kind", d.deployed.kind},
                                {"quantity", d.deployed.quantity}}}));
    return d.deployed;
  });
}

Result<json::Json> IncidentService::ReturnDeployed(Executor& ex, const Incident& inc,
                                                   Timestamp now) {
  json::Json returned = json::Json::array();
  XT_ASSIGN_OR_RETURN(auto resources, store::Resources(ex, inc.id));
  XT_ASSIGN_OR_RETURN(auto commitments, store::Commitments(ex, inc.id));
  for (const auto& r : resources) {
    if (r.source_id.empty()) continue;
    std::int64_t delivered = 0;
    for (const auto& c : commitments)
      if (c.resource_id == r.id && c.status == CommitmentStatus::kDelivered)
        delivered += c.quantity;
    XT_ASSIGN_OR_RETURN(auto reserve, store::FindResource(ex, r.source_id));
    if (!reserve) continue;  // a reserve is never deleted; nothing to give back to
    const Resource back = ReturnToReserve(*reserve, r, delivered, now);
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateResource(ex, back));
    if (!ok) return Fail(Raced());
    returned.push_back({{"reserve_id", back.id},
                        {"lent", r.quantity},
                        {"used", Consumable(r.kind) ? std::min(delivered, r.quantity) : 0}});
  }
  return returned;
}

}  // namespace xietong::emergency
