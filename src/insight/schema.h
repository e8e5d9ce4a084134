// insight's part of the database: one schema, one span of migrations per
// part, each part owning fixed versions (forecasts 1, jobs and settings 2,
// targets and 考核 3, reports 4, the routing model 5).
#pragma once

#include "storage/migrations.h"

namespace xietong::insight {

const storage::Schema& Schema();

}  // namespace xietong::insight
