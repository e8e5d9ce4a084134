#include "insight/schema.h"

#include "audit/audit_log.h"
#include "identity/identity_service.h"
#include "insight/forecast_store.h"
#include "insight/job_store.h"
#include "insight/report_store.h"
#include "insight/routing_store.h"
#include "insight/target_store.h"
#include "requests/request_service.h"

namespace xietong::insight {

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "insight",
      .needs = {&identity::Schema(), &requests::Schema(), &audit::Schema()},
      // One span per part; each part owns its own versions.
      .migrations = {
          store::ForecastMigrations(),  // 1: A, forecasts
          store::JobMigrations(),       // 2
          store::TargetMigrations(),    // 3: B, targets and 考核
          store::ReportMigrations(),    // 4: C, generated reports
          store::RoutingMigrations(),   // 5: C, intake decisions and routing models
      }};
  return schema;
}

}  // namespace xietong::insight
