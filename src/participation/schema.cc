#include "participation/schema.h"

#include "audit/audit_log.h"
#include "collab/collab_service.h"
#include "files/file_service.h"
#include "identity/identity_service.h"
#include "participation/budget_store.h"
#include "participation/deliberation_store.h"
#include "participation/points_store.h"
#include "requests/request_service.h"

namespace xietong::participation {

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "participation",
      .needs = {&identity::Schema(), &files::Schema(), &collab::Schema(), &requests::Schema(),
                &audit::Schema()},
      // One span per part; each part owns its own versions.
      .migrations = {
          store::PointsMigrations(),        // 1–5, 9
          store::DeliberationMigrations(),  // 6–7
          store::BudgetMigrations(),        // 8
      }};
  return schema;
}

}  // namespace xietong::participation
