// 议事厅: proposals by residents of a community, supports with a threshold
// that puts a proposal on the community's agenda, discussion, meetings and
// their decisions, accepted proposals carried out as collab tasks or hub
// requests with their progress shown to supporters; and participatory
// budgets where each verified resident votes once, secretly, and the tally
// can be checked from the audit chain. The contract is
// docs/plans/participation.md §§2–3, §7 and §8. Thread-safe.
#pragma once

#include <functional>
#include <vector>

#include "audit/audit_log.h"
#include "collab/collab_service.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "identity/identity_service.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::participation {

struct DeliberationOptions {
  int max_ballot_events_per_close = 100000;
};

class DeliberationService {
 public:
  DeliberationService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                      identity::IdentityService& identity, collab::CollabService& collab,
                      requests::RequestService& requests, DeliberationOptions options = {});

  // The progress reaction: runs inside the consumer's batch transaction.
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);
  // Periodic: expires proposals, opens and closes budgets; how many changed.
  Result<int> RunDue();

  // Called after each command commits. Add before serving.
  void AddOnCommit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }

 private:
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  collab::CollabService& collab_;
  requests::RequestService& requests_;
  DeliberationOptions options_;
  std::vector<std::function<void()>> on_commit_;
};

}  // namespace xietong::participation
