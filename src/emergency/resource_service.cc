// IncidentService's needs, resources, commitments and matching. Each
// command: authorize → load → decide (resource.h) → store (resource_store.h)
// + one timeline entry + one audit event, in one transaction.
#include <fmt/core.h>

#include "audit/audit_log.h"
#include "emergency/incident_service.h"
#include "emergency/incident_store.h"
#include "emergency/resource_store.h"

namespace xietong::emergency {
namespace {

using identity::Principal;
using storage::Executor;

Error NotFoundIn(std::string_view what, std::string_view id, std::string_view field) {
  return Error::NotFound(fmt::format("no {} '{}' in this incident", what, id.substr(0, 64)))
      .About(std::string(field), "unknown");
}

Result<void> CheckResponder(const Principal& actor, const Incident& inc) {
  if (!MayRespond(actor, inc)) {
    return Fail(Error::PermissionDenied("you may not respond to this incident"));
  }
  return RequireActive(inc);
}

Result<Need> NeedIn(Executor& ex, std::string_view incident_id, std::string_view need_id) {
  XT_ASSIGN_OR_RETURN(auto n, store::FindNeed(ex, need_id));
  if (!n || n->incident_id != incident_id) return Fail(NotFoundIn("need", need_id, "need_id"));
  return std::move(*n);
}

Result<Resource> ResourceIn(Executor& ex, std::string_view incident_id,
                            std::string_view resource_id) {
  XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, resource_id));
  if (!r || r->incident_id != incident_id) {
    return Fail(NotFoundIn("resource", resource_id, "resource_id"));
  }
  return std::move(*r);
}

Result<Commitment> CommitmentIn(Executor& ex, std::string_view incident_id,
                                std::string_view commitment_id) {
  XT_ASSIGN_OR_RETURN(auto c, store::FindCommitment(ex, commitment_id));
  if (!c || c->incident_id != incident_id) {
    return Fail(NotFoundIn("commitment", commitment_id, "commitment_id"));
  }
  return std::move(*c);
}

Error Raced() { return Error::Conflict("the need or resource changed meanwhile; try again"); }

TimelineEntry Entry(std::string_view incident_id, const Principal& actor, Timestamp at,
                    std::string kind, std::string text, json::Json data) {
  return {.incident_id = std::string(incident_id),
          .at = at,
          .actor_id = actor.account_id,
          .actor_name = actor.display_name,
          .kind = std::move(kind),
          .text = std::move(text),
          .data = std::move(data)};
}

json::Json CommitmentAuditJson(const Commitment& c) {
  return {{"need_id", c.need_id},
          {"resource_id", c.resource_id},
          {"quantity", c.quantity},
          {"complete", c.complete},
          {"status", CommitmentStatusName(c.status)}};
}

}  // namespace

Result<Need> IncidentService::AddNeed(const Principal& actor, std::string_view incident_id,
                                      const NeedInput& in) {
  XT_TRY_VOID(ValidateNeed(in));
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Need> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, incident_id));
    XT_TRY_VOID(CheckResponder(actor, inc));
    auto need = MakeNeed(in, ids_.Next(), inc.id, actor.account_id, now);
    XT_ASSIGN_OR_RETURN(need, store::InsertNeed(ex, need, actor.display_name));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "emergency.need.added",
                               need.id,
                               {{"incident_id", inc.id},
                                {"kind", need.kind},
                                {"title", need.title},
                                {"priority", need.priority},
                                {"quantity", need.quantity},
                                {"place", need.place}}}));
    return need;
  });
}

Result<NeedsView> IncidentService::Needs(const Principal& actor, std::string_view incident_id) {
  return db_.Read([&](Executor& ex) -> Result<NeedsView> {
    XT_TRY_VOID(Visible(ex, actor, incident_id));
    NeedsView v;
    XT_ASSIGN_OR_RETURN(v.needs, store::Needs(ex, incident_id));
    XT_ASSIGN_OR_RETURN(v.commitments, store::Commitments(ex, incident_id));
    return v;
  });
}

Result<Resource> IncidentService::AddResource(const Principal& actor, std::string_view incident_id,
                                              const ResourceInput& in) {
  XT_TRY_VOID(ValidateResource(in));
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Resource> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, incident_id));
    XT_TRY_VOID(CheckResponder(actor, inc));
    auto r = MakeResource(in, ids_.Next(), inc.id, actor.account_id, now);
    XT_TRY_VOID(store::InsertResource(ex, r));
    XT_TRY_VOID(
        store::AppendTimeline(ex, Entry(inc.id, actor, now, "resource_added",
                                        fmt::format("{}：{}（{}{}）", ResourceKindZh(r.kind),
                                                    r.name, r.quantity, r.unit_label),
                                        {{"resource_id", r.id}})));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "emergency.resource.added",
                               r.id,
                               {{"incident_id", inc.id},
                                {"kind", r.kind},
                                {"name", r.name},
                                {"quantity", r.quantity},
                                {"available", r.available}}}));
    return r;
  });
}

Result<std::vector<Resource>> IncidentService::Resources(const Principal& actor,
                                                         std::string_view incident_id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<Resource>> {
    XT_TRY_VOID(Visible(ex, actor, incident_id));
    return store::Resources(ex, incident_id);
  });
}

Result<Commitment> IncidentService::Commit(const Principal& actor, std::string_view incident_id,
                                           const CommitInput& in) {
  if (in.need_id.empty()) {
    return Fail(Error::InvalidArgument("need_id is required").About("need_id", "required"));
  }
  if (in.resource_id.empty()) {
    return Fail(Error::InvalidArgument("resource_id is required").About("resource_id", "required"));
  }
  if (in.quantity < 0 || in.quantity > kMaxQuantity) {
    return Fail(
        Error::InvalidArgument(fmt::format("quantity is 0 (all that fits) … {}", kMaxQuantity))
            .About("quantity", "out_of_range"));
  }
  if (in.idempotency_key.size() > 128) {
    return Fail(Error::InvalidArgument("the idempotency key is at most 128 bytes")
                    .About("idempotency_key", "too_long"));
  }
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Commitment> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, incident_id));
    if (!in.idempotency_key.empty()) {
      XT_ASSIGN_OR_RETURN(auto first,
                          store::CommitmentForKey(ex, actor.account_id, in.idempotency_key));
      if (first) return CommitmentIn(ex, inc.id, *first);
    }
    XT_TRY_VOID(CheckResponder(actor, inc));
    XT_ASSIGN_OR_RETURN(auto need, NeedIn(ex, inc.id, in.need_id));
    XT_ASSIGN_OR_RETURN(auto resource, ResourceIn(ex, inc.id, in.resource_id));
    XT_ASSIGN_OR_RETURN(auto d, DecideCommit(need, resource, in.quantity, in.note, ids_.Next(),
                                             actor.account_id, now));
    XT_ASSIGN_OR_RETURN(bool need_ok, store::UpdateNeed(ex, d.need));
    if (!need_ok) return Fail(Raced());
    XT_ASSIGN_OR_RETURN(bool resource_ok, store::UpdateResource(ex, d.resource));
    if (!resource_ok) return Fail(Raced());
    XT_TRY_VOID(store::InsertCommitment(ex, d.commitment));
    if (!in.idempotency_key.empty()) {
      XT_TRY_VOID(
          store::InsertCommitmentKey(ex, actor.account_id, in.idempotency_key, d.commitment.id));
    }
    XT_TRY_VOID(store::AppendTimeline(
        ex,
        Entry(inc.id, actor, now, "committed",
              fmt::format("{} → {}：{}{}（{}）", resource.name, need.title, d.commitment.quantity,
                          need.unit_label, d.commitment.complete ? "全部" : "部分"),
              {{"commitment_id", d.commitment.id},
               {"need_id", need.id},
               {"resource_id", resource.id}})));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id, "emergency.commitment.made", d.commitment.id,
                               CommitmentAuditJson(d.commitment)}));
    return d.commitment;
  });
}

Result<Commitment> IncidentService::Deliver(const Principal& actor, std::string_view incident_id,
                                            std::string_view commitment_id) {
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Commitment> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, incident_id));
    XT_TRY_VOID(CheckResponder(actor, inc));
    XT_ASSIGN_OR_RETURN(auto c, CommitmentIn(ex, inc.id, commitment_id));
    XT_ASSIGN_OR_RETURN(auto need, NeedIn(ex, inc.id, c.need_id));
    XT_ASSIGN_OR_RETURN(auto d, DecideDeliver(c, need, now));
    XT_ASSIGN_OR_RETURN(bool moved,
                        store::UpdateCommitmentStatus(ex, d.first, CommitmentStatus::kCommitted));
    if (!moved) return Fail(Error::Conflict("the commitment changed meanwhile; reload it"));
    XT_ASSIGN_OR_RETURN(bool need_ok, store::UpdateNeed(ex, d.second));
    if (!need_ok) return Fail(Raced());
    XT_TRY_VOID(store::AppendTimeline(
        ex, Entry(inc.id, actor, now, "delivered",
                  fmt::format("已送达：{}（{}{}）", need.title, c.quantity, need.unit_label),
                  {{"commitment_id", c.id}, {"need_id", need.id}})));
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id, "emergency.commitment.delivered", c.id, CommitmentAuditJson(d.first)}));
    return d.first;
  });
}

Result<Commitment> IncidentService::Cancel(const Principal& actor, std::string_view incident_id,
                                           std::string_view commitment_id) {
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Commitment> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, incident_id));
    XT_TRY_VOID(CheckResponder(actor, inc));
    XT_ASSIGN_OR_RETURN(auto c, CommitmentIn(ex, inc.id, commitment_id));
    XT_ASSIGN_OR_RETURN(auto need, NeedIn(ex, inc.id, c.need_id));
    XT_ASSIGN_OR_RETURN(auto resource, ResourceIn(ex, inc.id, c.resource_id));
    XT_ASSIGN_OR_RETURN(auto d, DecideCancel(c, need, resource, now));
    XT_ASSIGN_OR_RETURN(
        bool moved, store::UpdateCommitmentStatus(ex, d.commitment, CommitmentStatus::kCommitted));
    if (!moved) return Fail(Error::Conflict("the commitment changed meanwhile; reload it"));
    XT_ASSIGN_OR_RETURN(bool need_ok, store::UpdateNeed(ex, d.need));
    if (!need_ok) return Fail(Raced());
    XT_ASSIGN_OR_RETURN(bool resource_ok, store::UpdateResource(ex, d.resource));
    if (!resource_ok) return Fail(Raced());
    XT_TRY_VOID(
        store::AppendTimeline(ex, Entry(inc.id, actor, now, "commitment_cancelled",
                                        fmt::format("取消承诺：{} → {}", resource.name, need.title),
                                        {{"commitment_id", c.id}})));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id, "emergency.commitment.cancelled", c.id,
                               CommitmentAuditJson(d.commitment)}));
    return d.commitment;
  });
}

Result<std::vector<Match>> IncidentService::Matches(const Principal& actor,
                                                    std::string_view incident_id,
                                                    std::string_view need_id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<Match>> {
    XT_TRY_VOID(Visible(ex, actor, incident_id));
    XT_ASSIGN_OR_RETURN(auto need, NeedIn(ex, incident_id, need_id));
    XT_ASSIGN_OR_RETURN(auto resources, store::Resources(ex, incident_id));
    return Suggest(need, resources);
  });
}

}  // namespace xietong::emergency
