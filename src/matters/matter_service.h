// MatterService: the commands and queries of the list of matters.
//
// Changes (create, update, seed) need the city-wide matter.manage permission
// (an administrator at the root unit). Each one authorizes, loads, decides and
// stores the new row, its version snapshot and its audit event in one
// transaction, so a request dispatched under version n can always read the
// rules of version n back. Snapshot() serves an immutable Catalog for intake:
// loaded on first use, dropped after every change made through this service
// and reloaded when older than snapshot_ttl, so changes made on another
// server node show within that time. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "identity/identity.h"
#include "matters/catalog.h"
#include "matters/matter.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::matters {

// The matters module's tables: the matter catalogue; needs identity and audit.
const storage::Schema& Schema();

struct MatterOptions {
  // How long a loaded Catalog is served before it is read again; 0 reloads on
  // every call.
  Timestamp snapshot_ttl = 30 * kMicrosPerSecond;
};

// The fields an update may change; unset fields keep their value. Leaf-only
// fields (handler, department_code, tier and the limits) may be set on leaves
// only. A handler changed to community or street drops the department code.
struct MatterUpdate {
  std::optional<std::string> name;
  std::optional<std::string> name_en;
  std::optional<HandlerLevel> handler;
  std::optional<std::string> department_code;
  std::optional<Tier> tier;
  std::optional<Limit> sign_limit;
  std::optional<Limit> finish_limit;
  std::optional<Limit> return_window;
  std::optional<std::string> legal_basis;
  std::optional<std::vector<std::string>> keywords;
  std::optional<bool> active;
};

class MatterService {
 public:
  MatterService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                MatterOptions options = {});

  // An immutable snapshot of every matter (active and not); cheap to call on
  // every request intake.
  Result<std::shared_ptr<const Catalog>> Snapshot();

  Result<Matter> Get(std::string_view id);  // kNotFound names the id
  Result<Matter> GetVersion(std::string_view id, std::int64_t version);
  Result<std::vector<Matter>> Versions(std::string_view id);  // newest first

  // Assigns the id, version 1 and updated_at; level follows from parent_id
  // (none: level 1), whose matter must exist and be on level 1 or 2, and the
  // code must extend the parent's code by one part. A code in use is kConflict.
  Result<Matter> Create(const identity::Principal& actor, Matter input);
  // A stored version other than expected_version is kConflict. Changing
  // nothing returns the matter as it is, without a new version.
  Result<Matter> Update(const identity::Principal& actor, std::string_view id,
                        std::int64_t expected_version, const MatterUpdate& changes);
  // Creates the matters whose codes do not exist yet, in one transaction;
  // parents are found by code (parent_id and level of the input are ignored)
  // and must exist or come earlier in the list. Existing codes are left
  // alone. Returns how many were created.
  Result<int> Seed(const identity::Principal& actor, const std::vector<Matter>& matters);

 private:
  Result<void> RequireManage(const identity::Principal& actor) const;
  // Inserts one new matter under its parent (found by parent_id) inside ex.
  Result<Matter> CreateIn(storage::Executor& ex, const identity::Principal& actor, Matter m,
                          Timestamp now);
  void ForgetSnapshot();

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  const MatterOptions options_;

  // Held while a snapshot loads, so concurrent callers wait for one load and
  // a change's ForgetSnapshot (after its commit) always follows any load that
  // may have missed it.
  std::mutex mutex_;
  std::shared_ptr<const Catalog> catalog_;  // GUARDED_BY(mutex_); null: load on next use
  Timestamp loaded_at_ = 0;                 // GUARDED_BY(mutex_)
};

}  // namespace xietong::matters
