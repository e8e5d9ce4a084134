// SQL of rewards and redemptions (participation migration 3, declared with
// the other points migrations in points_store.cc): the conditional stock
// update that never goes below 0, the per-person count, the redemption rows.
// docs/plans/participation.md §2.3. Decides nothing; only PointsService
// (reward_service.cc) calls it, inside its transactions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "participation/reward.h"
#include "storage/database.h"

namespace xietong::participation::store {

using storage::Executor;

Result<void> InsertReward(Executor& ex, const Reward& r);
Result<std::optional<Reward>> FindReward(Executor& ex, std::string_view id);
// A community's rewards, cheapest first; active only unless `all`.
Result<std::vector<Reward>> ListRewards(Executor& ex, std::string_view community_id, bool all);

// Takes `quantity` from an active reward's stock (unlimited stock always
// gives); false — nothing changed — when it is sold out or retired.
Result<bool> TakeStock(Executor& ex, std::string_view reward_id, std::int64_t quantity);
// Gives `quantity` back (unlimited stock stays unlimited).
Result<void> ReturnStock(Executor& ex, std::string_view reward_id, std::int64_t quantity);

// Items of a reward an account holds in open or fulfilled redemptions.
Result<std::int64_t> RedeemedQuantity(Executor& ex, std::string_view reward_id,
                                      std::string_view account_id);

Result<void> InsertRedemption(Executor& ex, const Redemption& r);
Result<std::optional<Redemption>> FindRedemption(Executor& ex, std::string_view id);
Result<std::optional<Redemption>> FindRedemptionByIdemKey(Executor& ex, std::string_view account_id,
                                                          std::string_view idem_key);
// Saves status, refund, decision and note when the row still has version
// r.version − 1; false when someone changed it meanwhile.
Result<bool> UpdateRedemption(Executor& ex, const Redemption& r);

struct RedemptionFilter {
  std::string account_id = {};    // "" for any
  std::string community_id = {};  // "" for any
  std::string status = {};        // "" for any
  int limit = 100;
};
// Newest first.
Result<std::vector<Redemption>> ListRedemptions(Executor& ex, const RedemptionFilter& f);

}  // namespace xietong::participation::store
