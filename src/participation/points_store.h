// SQL of the points ledger (migrations 1–5 of module "participation"):
// accounts, postings and entries, claims, usage counters, rules, settings,
// rewards, redemptions, the review queue, households, statements.
// docs/plans/participation.md §2 is the contract for these tables.
#pragma once

#include <span>

#include "storage/migrations.h"

namespace xietong::participation::store {

std::span<const storage::Migration> PointsMigrations();

}  // namespace xietong::participation::store
