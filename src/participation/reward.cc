#include "participation/reward.h"

#include <fmt/core.h>

namespace xietong::participation {
namespace {

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Error Bad(std::string message, std::string field, std::string reason) {
  return Error::InvalidArgument(std::move(message)).About(std::move(field), std::move(reason));
}

}  // namespace

std::string_view RewardKindName(RewardKind k) {
  switch (k) {
    case RewardKind::kGoods:
      return "goods";
    case RewardKind::kService:
      return "service";
    case RewardKind::kHonour:
      return "honour";
    case RewardKind::kPolicy:
      return "policy";
  }
  return "goods";
}

std::optional<RewardKind> ParseRewardKind(std::string_view s) {
  for (auto k :
       {RewardKind::kGoods, RewardKind::kService, RewardKind::kHonour, RewardKind::kPolicy})
    if (RewardKindName(k) == s) return k;
  return std::nullopt;
}

Result<void> ValidateNewReward(const NewReward& in) {
  if (in.community_id.empty())
    return Fail(Bad("'community_id' is required", "community_id", "required"));
  if (!ParseRewardKind(in.kind))
    return Fail(Bad("'kind' is goods, service, honour or policy", "kind", "invalid"));
  if (in.title.empty() || CodePoints(in.title) > 40)
    return Fail(Bad("'title' has 1–40 characters", "title", "invalid"));
  if (CodePoints(in.description) > 500)
    return Fail(Bad("'description' has at most 500 characters", "description", "too_long"));
  if (in.cost < 1 || in.cost > 100'000)
    return Fail(Bad("'cost' is 1–100000 points", "cost", "out_of_range"));
  if (in.stock && (*in.stock < 0 || *in.stock > 1'000'000))
    return Fail(Bad("'stock' is 0–1000000, or null for unlimited", "stock", "out_of_range"));
  if (in.per_person_limit < 0 || in.per_person_limit > 1000)
    return Fail(Bad("'per_person_limit' is 0 (none) to 1000", "per_person_limit", "out_of_range"));
  return {};
}

std::string_view RedemptionStatusName(RedemptionStatus s) {
  switch (s) {
    case RedemptionStatus::kRequested:
      return "requested";
    case RedemptionStatus::kApproved:
      return "approved";
    case RedemptionStatus::kFulfilled:
      return "fulfilled";
    case RedemptionStatus::kRejected:
      return "rejected";
    case RedemptionStatus::kCancelled:
      return "cancelled";
  }
  return "requested";
}

std::optional<RedemptionStatus> ParseRedemptionStatus(std::string_view s) {
  for (auto x :
       {RedemptionStatus::kRequested, RedemptionStatus::kApproved, RedemptionStatus::kFulfilled,
        RedemptionStatus::kRejected, RedemptionStatus::kCancelled})
    if (RedemptionStatusName(x) == s) return x;
  return std::nullopt;
}

std::string_view RedemptionMoveName(RedemptionMove m) {
  switch (m) {
    case RedemptionMove::kApprove:
      return "approve";
    case RedemptionMove::kReject:
      return "reject";
    case RedemptionMove::kFulfil:
      return "fulfil";
    case RedemptionMove::kCancel:
      return "cancel";
  }
  return "approve";
}

std::optional<RedemptionMove> ParseRedemptionMove(std::string_view s) {
  for (auto m : {RedemptionMove::kApprove, RedemptionMove::kReject, RedemptionMove::kFulfil,
                 RedemptionMove::kCancel})
    if (RedemptionMoveName(m) == s) return m;
  return std::nullopt;
}

Result<RedemptionStatus> NextStatus(RedemptionStatus from, RedemptionMove move) {
  std::optional<RedemptionStatus> to;
  const bool open = from == RedemptionStatus::kRequested || from == RedemptionStatus::kApproved;
  switch (move) {
    case RedemptionMove::kApprove:
      if (from == RedemptionStatus::kRequested) to = RedemptionStatus::kApproved;
      break;
    case RedemptionMove::kFulfil:
      if (from == RedemptionStatus::kApproved) to = RedemptionStatus::kFulfilled;
      break;
    case RedemptionMove::kReject:
      if (open) to = RedemptionStatus::kRejected;
      break;
    case RedemptionMove::kCancel:
      if (open) to = RedemptionStatus::kCancelled;
      break;
  }
  if (!to)
    return Fail(Error::Conflict(fmt::format("a {} redemption cannot be {}",
                                            RedemptionStatusName(from), RedemptionMoveName(move)))
                    .About("status", "invalid_transition"));
  return *to;
}

bool Refunds(RedemptionMove move) {
  return move == RedemptionMove::kReject || move == RedemptionMove::kCancel;
}

}  // namespace xietong::participation
