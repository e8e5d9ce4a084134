// The SQL of volunteer hours confirmed on tasks (collab migration 6). Decides
// no rule; only CollabService calls it.
#pragma once

#include <span>
#include <vector>

#include "collab/volunteer.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::collab::store {

std::span<const storage::Migration> VolunteerMigrations();

// Inserts the confirmation; false when (task, volunteer, day) is confirmed already.
Result<bool> InsertVolunteerHours(storage::Executor& ex, const VolunteerHours& h);
// A task's confirmations, by day then time of confirmation.
Result<std::vector<VolunteerHours>> VolunteerHoursOfTask(storage::Executor& ex,
                                                         std::string_view task_id);

}  // namespace xietong::collab::store
