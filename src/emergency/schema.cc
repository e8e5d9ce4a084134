#include "emergency/schema.h"

#include "audit/audit_log.h"
#include "collab/collab_service.h"
#include "emergency/crowd_store.h"
#include "emergency/incident_store.h"
#include "emergency/resource_store.h"
#include "emergency/warning_store.h"
#include "identity/identity_service.h"

namespace xietong::emergency {

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "emergency",
      .needs = {&identity::Schema(), &collab::Schema(), &audit::Schema()},
      // One span per part; each helper adds its own on its own line.
      .migrations = {
          store::IncidentMigrations(),
          store::ResourceMigrations(),
          store::CrowdMigrations(),
          store::WarningMigrations(),
      }};
  return schema;
}

}  // namespace xietong::emergency
