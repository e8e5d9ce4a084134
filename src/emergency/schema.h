// The emergency module's tables: one storage::Schema over the migration
// lists of its parts. Versions inside module "emergency" are fixed:
//   1 incidents, timeline, level changes, command force link (incident_store)
//   2 warning rules, warnings, baseline state               (warning_store)
//   3 crowd reports and their verification                  (crowd_store)
//   4 needs, resources (shelters among them), commitments   (resource_store)
#pragma once

#include "storage/migrations.h"

namespace xietong::emergency {

// Needs identity, collab and audit.
const storage::Schema& Schema();

}  // namespace xietong::emergency
