#include "participation/deliberation_service.h"

namespace xietong::participation {

DeliberationService::DeliberationService(storage::Database& db, const Clock& clock,
                                         IdGenerator& ids, identity::IdentityService& identity,
                                         collab::CollabService& collab,
                                         requests::RequestService& requests,
                                         DeliberationOptions options)
    : db_(db),
      clock_(clock),
      ids_(ids),
      identity_(identity),
      collab_(collab),
      requests_(requests),
      options_(options) {}

Result<void> DeliberationService::OnEvent(storage::Executor& /*ex*/, const audit::Event& /*e*/) {
  return {};
}

Result<int> DeliberationService::RunDue() { return 0; }

}  // namespace xietong::participation
