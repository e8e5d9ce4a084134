// SQL of deliberation (migrations 6–8 of module "participation"): proposals,
// supports, comments, progress updates, meetings, budgets, projects, voters
// and sealed ballots. docs/plans/participation.md §2 is the contract.
#pragma once

#include <span>

#include "storage/migrations.h"

namespace xietong::participation::store {

std::span<const storage::Migration> DeliberationMigrations();

}  // namespace xietong::participation::store
