// 积分制: the points ledger. Double-entry and append-only: every movement is
// one posting between two accounts, stored with its audit event in one
// transaction; balances are derived and never negative (issuers aside);
// a mistake is reversed by a new posting naming the one it reverses.
// Awards come from rules over events the platform already sees (OnEvent,
// run by a durable reaction), each (trigger, subject, earner) at most once.
// The contract is docs/plans/participation.md §§2–6 and §8. Thread-safe.
#pragma once

#include <functional>
#include <vector>

#include "audit/audit_log.h"
#include "audit/signing_key.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "identity/identity_service.h"
#include "storage/database.h"

namespace xietong::participation {

struct PointsOptions {
  int max_statement_postings = 5000;
  Timestamp statement_valid = 30 * kMicrosPerDay;
};

class PointsService {
 public:
  PointsService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                identity::IdentityService& identity, const audit::SigningKey& key,
                PointsOptions options = {});

  // The awards reaction: runs inside the consumer's batch transaction.
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);

  // Called after each command commits. Add before serving.
  void AddOnCommit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }

 private:
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  const audit::SigningKey& key_;
  PointsOptions options_;
  std::vector<std::function<void()>> on_commit_;
};

}  // namespace xietong::participation
