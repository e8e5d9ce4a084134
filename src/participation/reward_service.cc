// PointsService's rewards and redemptions (积分兑换), docs/plans/participation.md
// §2.3: a redemption debits the holder into the community's reward pool
// through the ledger's conditional debit and takes the stock conditionally,
// in one transaction; reject and cancel post a refund naming the redemption's
// posting and give the stock back.
#include <fmt/core.h>

#include <algorithm>

#include "identity/authorization.h"
#include "participation/points_service.h"
#include "participation/points_store.h"
#include "participation/reward_store.h"

namespace xietong::participation {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

constexpr std::size_t kMaxNote = 200;

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool StaffOver(const Principal& a, std::string_view path) {
  return identity::Can(a, Action::kParticipationStaff, path);
}

bool ReadsAsStaff(const Principal& a, std::string_view path) {
  return StaffOver(a, path) || identity::Can(a, Action::kParticipationOversee, path) ||
         identity::Can(a, Action::kPointsManage, path);
}

// A registered resident of exactly this community (plan §14 decision 1).
bool IsResidentOf(const Principal& actor, std::string_view community_id) {
  if (actor.is_system() || actor.kind != identity::AccountKind::kResident) return false;
  return std::any_of(actor.memberships.begin(), actor.memberships.end(), [&](const auto& m) {
    return m.role == identity::Role::kResident && m.unit_id == community_id;
  });
}

Error NoRedemption(std::string_view id) {
  return Error::NotFound(fmt::format("no redemption '{}'", id.substr(0, 64)));
}

}  // namespace

Result<Reward> PointsService::CreateReward(const Principal& actor, const NewReward& in) {
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(ValidateNewReward(in));
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), in.community_id));
  if (unit->kind != identity::UnitKind::kCommunity)
    return Fail(Error::InvalidArgument(fmt::format("{} is not a community", unit->name))
                    .About("community_id", "not_community"));
  if (!StaffOver(actor, unit->path))
    return Fail(
        Error::PermissionDenied(fmt::format("the rewards of {} are set by its staff", unit->name)));
  auto out = db_.Write([&](Executor& ex) -> Result<Reward> {
    Reward r;
    r.id = ids_.Next();
    r.community_id = unit->id;
    r.kind = *ParseRewardKind(in.kind);
    r.title = in.title;
    r.description = in.description;
    r.cost = in.cost;
    r.stock = in.stock;
    r.per_person_limit = in.per_person_limit;
    r.needs_approval = in.needs_approval;
    r.created_by = actor.account_id;
    r.created_at = now;
    XT_TRY_VOID(store::InsertReward(ex, r));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "points.reward.created",
                               r.id,
                               {{"community_id", r.community_id},
                                {"kind", in.kind},
                                {"title", r.title},
                                {"cost", r.cost},
                                {"stock", r.stock ? json::Json(*r.stock) : json::Json(nullptr)},
                                {"per_person_limit", r.per_person_limit},
                                {"needs_approval", r.needs_approval}}}));
    return r;
  });
  if (out) Committed();
  return out;
}

Result<std::vector<RewardView>> PointsService::Rewards(const Principal& actor,
                                                       std::string_view community_id) {
  if (community_id.empty())
    return Fail(
        Error::InvalidArgument("'community_id' is required").About("community_id", "required"));
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), community_id));
  const bool staff = actor.is_system() || ReadsAsStaff(actor, unit->path);
  if (!staff && !IsResidentOf(actor, unit->id))
    return Fail(Error::PermissionDenied(
                    fmt::format("the rewards of {} are for its residents and staff", unit->name))
                    .About("community_id", "not_resident"));
  const std::string mine = actor.is_system() ? "" : PersonAccount(actor.account_id);
  return db_.Read([&](Executor& ex) -> Result<std::vector<RewardView>> {
    XT_ASSIGN_OR_RETURN(auto list, store::ListRewards(ex, unit->id, staff));
    std::vector<RewardView> out;
    out.reserve(list.size());
    for (auto& r : list) {
      RewardView v{.reward = std::move(r)};
      if (!mine.empty()) {
        XT_ASSIGN_OR_RETURN(v.my_redeemed, store::RedeemedQuantity(ex, v.reward.id, mine));
      }
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<Redemption> PointsService::Redeem(const Principal& actor, const NewRedemption& in) {
  const Timestamp now = clock_.Now();
  if (in.quantity < 1 || in.quantity > 100)
    return Fail(Error::InvalidArgument("'quantity' is 1–100").About("quantity", "out_of_range"));
  if (in.idempotency_key.size() > 200)
    return Fail(Error::InvalidArgument("the Idempotency-Key has at most 200 characters")
                    .About("Idempotency-Key", "too_long"));
  if (in.reward_id.empty())
    return Fail(Error::InvalidArgument("'reward_id' is required").About("reward_id", "required"));
  XT_ASSIGN_OR_RETURN(auto found,
                      db_.Read([&](Executor& ex) { return store::FindReward(ex, in.reward_id); }));
  if (!found)
    return Fail(Error::NotFound(fmt::format("no reward '{}'", in.reward_id.substr(0, 64))));
  if (!IsResidentOf(actor, found->community_id)) {
    auto unit = identity_.GetUnit(Principal::System(), found->community_id);
    return Fail(Error::PermissionDenied(
                    fmt::format("the rewards of {} are redeemed by its registered residents",
                                unit ? (*unit)->name : found->community_id))
                    .About("community_id", "not_resident"));
  }
  const std::string account = PersonAccount(actor.account_id);
  const std::string fingerprint = fmt::format("{}\x1f{}", in.reward_id, in.quantity);
  std::optional<std::string> idem;
  if (!in.idempotency_key.empty()) idem = in.idempotency_key;
  bool replayed = false;
  auto out = db_.Write([&](Executor& ex) -> Result<Redemption> {
    if (idem) {
      XT_ASSIGN_OR_RETURN(auto first, store::FindRedemptionByIdemKey(ex, account, *idem));
      if (first) {
        if (first->fingerprint != fingerprint)
          return Fail(Error::Conflict("this Idempotency-Key was used for a different redemption")
                          .About("Idempotency-Key", "already_used"));
        replayed = true;
        return *first;
      }
    }
    XT_ASSIGN_OR_RETURN(auto reward, store::FindReward(ex, in.reward_id));
    if (!reward) return Fail(Error::NotFound("the reward is gone"));
    if (reward->status != "active")
      return Fail(Error::Conflict(fmt::format("'{}' is no longer offered", reward->title))
                      .About("reward_id", "reward_retired"));
    const std::int64_t points = reward->cost * in.quantity;
    Redemption d;
    d.id = ids_.Next();
    // The conditional debit locks the holder's row: a second redemption by
    // the same person waits here, then sees what the first one left.
    XT_ASSIGN_OR_RETURN(auto posting, DecidePosting({.id = ids_.Next(),
                                                     .kind = PostingKind::kRedemption,
                                                     .debit = account,
                                                     .credit = PoolAccount(reward->community_id),
                                                     .amount = points,
                                                     .unit_id = reward->community_id,
                                                     .subject_id = d.id,
                                                     .memo = reward->title,
                                                     .actor = actor.account_id}));
    XT_ASSIGN_OR_RETURN(auto posted, store::Post(ex, posting, now));
    if (reward->per_person_limit > 0) {
      XT_ASSIGN_OR_RETURN(auto held, store::RedeemedQuantity(ex, reward->id, account));
      if (held + in.quantity > reward->per_person_limit)
        return Fail(Error::Conflict(fmt::format("'{}' is at most {} per person; you hold {}",
                                                reward->title, reward->per_person_limit, held))
                        .About("quantity", "per_person_limit"));
    }
    XT_ASSIGN_OR_RETURN(bool taken, store::TakeStock(ex, reward->id, in.quantity));
    if (!taken) {
      XT_ASSIGN_OR_RETURN(auto now_reward, store::FindReward(ex, reward->id));
      if (now_reward && now_reward->status != "active")
        return Fail(Error::Conflict(fmt::format("'{}' is no longer offered", reward->title))
                        .About("reward_id", "reward_retired"));
      return Fail(
          Error::Conflict(fmt::format("'{}' is sold out ({} left)", reward->title,
                                      now_reward && now_reward->stock ? *now_reward->stock : 0))
              .About("reward_id", "sold_out"));
    }
    d.reward_id = reward->id;
    d.reward_title = reward->title;
    d.community_id = reward->community_id;
    d.account_id = account;
    d.requested_by = actor.account_id;
    d.quantity = in.quantity;
    d.points = points;
    d.status = reward->needs_approval ? RedemptionStatus::kRequested : RedemptionStatus::kApproved;
    d.posting_id = posted.id;
    d.idem_key = idem;
    d.fingerprint = fingerprint;
    d.requested_at = now;
    XT_TRY_VOID(store::InsertRedemption(ex, d));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "points.redemption.requested",
                               d.id,
                               {{"reward_id", d.reward_id},
                                {"account", d.account_id},
                                {"quantity", d.quantity},
                                {"points", d.points},
                                {"posting_id", d.posting_id},
                                {"status", RedemptionStatusName(d.status)}}}));
    return d;
  });
  if (out && !replayed) Committed();
  return out;
}

Result<Redemption> PointsService::DecideRedemption(const Principal& actor,
                                                   std::string_view redemption_id,
                                                   RedemptionMove move, std::string_view note) {
  const Timestamp now = clock_.Now();
  if (CodePoints(note) > kMaxNote)
    return Fail(Error::InvalidArgument(fmt::format("'note' has at most {} characters", kMaxNote))
                    .About("note", "too_long"));
  if (move == RedemptionMove::kReject && note.empty())
    return Fail(
        Error::InvalidArgument("a rejection says why ('reason')").About("reason", "required"));
  XT_ASSIGN_OR_RETURN(
      auto found, db_.Read([&](Executor& ex) { return store::FindRedemption(ex, redemption_id); }));
  if (!found) return Fail(NoRedemption(redemption_id));
  const bool holder = !actor.is_system() && found->requested_by == actor.account_id;
  auto unit = identity_.GetUnit(Principal::System(), found->community_id);
  const bool staff = actor.is_system() || (unit && StaffOver(actor, (*unit)->path));
  if (move == RedemptionMove::kCancel) {
    if (!holder && !staff) {
      if (unit && ReadsAsStaff(actor, (*unit)->path))
        return Fail(Error::PermissionDenied("a redemption is cancelled by its holder"));
      return Fail(NoRedemption(redemption_id));
    }
  } else {
    if (holder)
      return Fail(Error::PermissionDenied("nobody decides their own redemption")
                      .About("redemption_id", "self_dealing"));
    if (!staff) {
      if (unit && ReadsAsStaff(actor, (*unit)->path))
        return Fail(Error::PermissionDenied(
            "redemptions are approved, rejected and fulfilled by the community's staff"));
      return Fail(NoRedemption(redemption_id));
    }
  }
  auto out = db_.Write([&](Executor& ex) -> Result<Redemption> {
    XT_ASSIGN_OR_RETURN(auto d, store::FindRedemption(ex, redemption_id));
    if (!d) return Fail(NoRedemption(redemption_id));
    if (move != RedemptionMove::kCancel && !actor.is_system()) {
      XT_ASSIGN_OR_RETURN(bool household,
                          store::SameHousehold(ex, actor.account_id, d->requested_by));
      if (household)
        return Fail(Error::PermissionDenied("nobody decides a redemption of their own household")
                        .About("redemption_id", "self_dealing"));
    }
    XT_ASSIGN_OR_RETURN(auto next, NextStatus(d->status, move));
    json::Json payload = {{"note", std::string(note)}};
    if (Refunds(move)) {
      // The pool gives back exactly what it took; the refund names the
      // redemption's posting, so a redemption is refunded at most once.
      XT_ASSIGN_OR_RETURN(auto refund, DecidePosting({.id = ids_.Next(),
                                                      .kind = PostingKind::kRefund,
                                                      .debit = PoolAccount(d->community_id),
                                                      .credit = d->account_id,
                                                      .amount = d->points,
                                                      .unit_id = d->community_id,
                                                      .subject_id = d->id,
                                                      .reverses = d->posting_id,
                                                      .memo = d->reward_title,
                                                      .actor = actor.account_id}));
      XT_ASSIGN_OR_RETURN(auto posted, store::Post(ex, refund, now));
      XT_TRY_VOID(store::ReturnStock(ex, d->reward_id, d->quantity));
      d->refund_posting_id = posted.id;
      payload["refund_posting_id"] = posted.id;
      if (move == RedemptionMove::kReject) {
        payload["reason"] = std::string(note);
        payload.erase("note");
      }
    }
    d->status = next;
    d->note = std::string(note);
    if (move == RedemptionMove::kFulfil) {
      d->fulfilled_at = now;
    } else {
      d->decided_by = actor.account_id;
      d->decided_at = now;
    }
    d->version += 1;
    XT_ASSIGN_OR_RETURN(bool saved, store::UpdateRedemption(ex, *d));
    if (!saved) return Fail(Error::Conflict("the redemption changed meanwhile; read it again"));
    static constexpr std::string_view kEvents[] = {"approved", "rejected", "fulfilled",
                                                   "cancelled"};
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id, fmt::format("points.redemption.{}", kEvents[static_cast<int>(move)]),
         d->id, std::move(payload)}));
    return *d;
  });
  if (out) Committed();
  return out;
}

Result<std::vector<Redemption>> PointsService::Redemptions(const Principal& actor,
                                                           const RedemptionQuery& q) {
  if (q.limit < 1 || q.limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  if (!q.status.empty() && !ParseRedemptionStatus(q.status))
    return Fail(
        Error::InvalidArgument("'status' is requested, approved, fulfilled, rejected or cancelled")
            .About("status", "invalid"));
  store::RedemptionFilter f{.status = q.status, .limit = q.limit};
  if (q.scope == "mine") {
    if (actor.is_system() || actor.account_id.starts_with("apikey:"))
      return Fail(
          Error::InvalidArgument("'mine' needs a signed-in person").About("scope", "invalid"));
    f.account_id = PersonAccount(actor.account_id);
    f.community_id = q.community_id;
  } else if (q.scope == "community") {
    if (q.community_id.empty())
      return Fail(Error::InvalidArgument("'community_id' is required for scope community")
                      .About("community_id", "required"));
    XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), q.community_id));
    if (!actor.is_system() && !ReadsAsStaff(actor, unit->path))
      return Fail(Error::PermissionDenied(
          fmt::format("the redemptions of {} are for its staff", unit->name)));
    f.community_id = unit->id;
  } else {
    return Fail(Error::InvalidArgument("'scope' is mine or community").About("scope", "invalid"));
  }
  return db_.Read([&](Executor& ex) { return store::ListRedemptions(ex, f); });
}

}  // namespace xietong::participation
