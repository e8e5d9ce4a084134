// 积分兑换: rewards a community offers for points, and the pure state machine
// of a redemption. docs/plans/participation.md §2.3 is the contract.
//
//   requested ──approve──▶ approved ──fulfil──▶ fulfilled
//       │                     │
//       └──reject|cancel──────┴──reject|cancel──▶ rejected | cancelled
//
// A redemption is created requested (or approved when the reward needs no
// approval). Reject and cancel refund the points (a refund posting naming
// the redemption's posting) and give the stock back; fulfil only changes
// the status. Fulfilled, rejected and cancelled are final.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::participation {

enum class RewardKind { kGoods, kService, kHonour, kPolicy };
std::string_view RewardKindName(RewardKind k);  // goods | service | honour | policy
std::optional<RewardKind> ParseRewardKind(std::string_view s);

struct Reward {
  std::string id = {};
  std::string community_id = {};
  RewardKind kind = RewardKind::kGoods;
  std::string title = {};
  std::string description = {};
  std::int64_t cost = 0;                   // points per item
  std::optional<std::int64_t> stock = {};  // nullopt: unlimited
  std::int64_t per_person_limit = 0;       // 0: none
  bool needs_approval = false;
  std::string status = "active";  // active | retired
  std::string created_by = {};
  Timestamp created_at = 0;
  std::int64_t version = 1;
};

struct NewReward {
  std::string community_id = {};
  std::string kind = {};
  std::string title = {};
  std::string description = {};
  std::int64_t cost = 0;
  std::optional<std::int64_t> stock = {};
  std::int64_t per_person_limit = 0;
  bool needs_approval = false;
};

// 400 with the field's reason: kind unknown, title 1–40 characters,
// description ≤ 500, cost 1–100000, stock 0–1000000 or unlimited,
// per_person_limit 0–1000.
Result<void> ValidateNewReward(const NewReward& in);

enum class RedemptionStatus { kRequested, kApproved, kFulfilled, kRejected, kCancelled };
std::string_view RedemptionStatusName(RedemptionStatus s);
std::optional<RedemptionStatus> ParseRedemptionStatus(std::string_view s);

enum class RedemptionMove { kApprove, kReject, kFulfil, kCancel };
std::string_view RedemptionMoveName(RedemptionMove m);  // approve | reject | fulfil | cancel
std::optional<RedemptionMove> ParseRedemptionMove(std::string_view s);

// The status after `move`; Conflict (reason invalid_transition) when the
// move is not allowed from `from`.
Result<RedemptionStatus> NextStatus(RedemptionStatus from, RedemptionMove move);
// Whether the move gives the points and the stock back (reject, cancel).
bool Refunds(RedemptionMove move);

struct Redemption {
  std::string id = {};
  std::string reward_id = {};
  std::string reward_title = {};  // filled by reads
  std::string community_id = {};
  std::string account_id = {};  // the points account that paid
  std::string requested_by = {};
  std::int64_t quantity = 0;
  std::int64_t points = 0;
  RedemptionStatus status = RedemptionStatus::kRequested;
  std::string posting_id = {};
  std::string refund_posting_id = {};
  std::optional<std::string> idem_key = {};
  std::string fingerprint = {};
  Timestamp requested_at = 0;
  std::string decided_by = {};
  Timestamp decided_at = 0;
  std::string note = {};
  Timestamp fulfilled_at = 0;
  std::int64_t version = 1;
};

}  // namespace xietong::participation
