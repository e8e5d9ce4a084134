#include "participation/points_service.h"

namespace xietong::participation {

PointsService::PointsService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                             identity::IdentityService& identity, const audit::SigningKey& key,
                             PointsOptions options)
    : db_(db), clock_(clock), ids_(ids), identity_(identity), key_(key), options_(options) {}

Result<void> PointsService::OnEvent(storage::Executor& /*ex*/, const audit::Event& /*e*/) {
  return {};
}

}  // namespace xietong::participation
