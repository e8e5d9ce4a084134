// SQL of the review queue and the households (participation migration 4,
// whose DDL is in points_store.cc; reviews are inserted by awards.cc through
// store::InsertReview). A review is decided once, by a compare-and-set on its
// pending status. An account is in at most one household (its primary key).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "participation/review.h"
#include "storage/database.h"

namespace xietong::participation::store {

using storage::Executor;

Result<std::optional<PointsReview>> FindReview(Executor& ex, std::string_view id);
// The reviews of the units under `path` (itself included), newest first;
// status "" for any.
Result<std::vector<PointsReview>> ListReviews(Executor& ex, std::string_view path,
                                              std::string_view status, int limit);
// Records the decision when the review is still pending; false otherwise.
Result<bool> DecideReview(Executor& ex, const PointsReview& decided);

// Households with their members (no display names), by id or per community.
Result<std::optional<Household>> FindHousehold(Executor& ex, std::string_view id);
Result<std::vector<Household>> ListHouseholds(Executor& ex, std::string_view community_id);
Result<void> InsertHousehold(Executor& ex, const Household& h);
// The household an account is in ("" for none).
Result<std::string> HouseholdOf(Executor& ex, std::string_view account_id);
// Adds a member; false when the account is already in a household.
Result<bool> AddHouseholdMember(Executor& ex, std::string_view household_id,
                                const HouseholdMember& m, std::string_view by, Timestamp at);
// Removes a member; false when they were not in this household.
Result<bool> RemoveHouseholdMember(Executor& ex, std::string_view household_id,
                                   std::string_view account_id);
// Bumps the household's version (each change of its members).
Result<void> TouchHousehold(Executor& ex, std::string_view household_id);

}  // namespace xietong::participation::store
