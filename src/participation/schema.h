// The participation module's tables: one storage::Schema over the migration
// lists of its two parts. Versions inside module "participation" are fixed
// (docs/plans/participation.md §2):
//   1–5 points: accounts, postings, claims, rules, settings, rewards,
//       redemptions, reviews, households, statements   (points_store etc.)
//   6–8 deliberation: proposals, supports, meetings, budgets, ballots
//                                                     (deliberation_store etc.)
#pragma once

#include "storage/migrations.h"

namespace xietong::participation {

// Needs identity, files, collab, requests and audit.
const storage::Schema& Schema();

}  // namespace xietong::participation
