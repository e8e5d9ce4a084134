// IdentityService: the commands and queries of the identity module.
//
// Each method authorizes the principal, loads what it needs, decides, and
// stores the change together with its audit event in one transaction. Slow
// work (argon2 hashing) happens outside transactions so it never holds up
// the writer. Authenticate keeps the principal of a session for
// principal_cache_ttl: a logout or an identity change on this node takes
// effect at once, on other nodes within that time. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "identity/authorization.h"
#include "identity/identity.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::identity {

// The identity module's tables: org units, people, roles, sessions; needs audit.
const storage::Schema& Schema();

struct IdentityOptions {
  Timestamp session_ttl = 12 * kMicrosPerHour;
  // One account from one address: free_failures, then a lock that starts at
  // first_lock and doubles with each further failure up to longest_lock.
  // Guesses from another address never lock the owner's address out.
  int free_failures = 5;                    // failed logins before a lock
  Timestamp first_lock = kMicrosPerMinute;  // doubles with each further failure
  Timestamp longest_lock = 15 * kMicrosPerMinute;
  // One address, whatever the accounts (one password tried on many): at
  // most address_failures in address_window, then locked to the window's end.
  int address_failures = 30;
  Timestamp address_window = 15 * kMicrosPerMinute;
  // The whole instance (many addresses at once): at most overall_failures a
  // minute, then logins wait for the next minute (argon2 is the CPU's).
  int overall_failures = 600;
  // Throttle rows untouched this long are deleted (up to 100 per failure).
  Timestamp throttle_retention = 24 * kMicrosPerHour;
  // How long an authenticated session's principal is reused without reading
  // the database; 0 turns the cache off.
  Timestamp principal_cache_ttl = 5 * kMicrosPerSecond;
};

struct LoginResult {
  std::string token;       // secret: the session cookie and bearer token
  std::string csrf_token;  // sent back in X-CSRF-Token with cookie-authenticated writes
  Timestamp expires_at;
  Account account;
};

struct NewUnit {
  std::optional<std::string> parent_id;
  UnitKind kind;
  std::string code;
  std::string name;
  std::optional<std::string> geometry;  // GeoJSON text
};

struct NewAccount {
  std::string username;
  std::string display_name;
  AccountKind kind = AccountKind::kStaff;
  std::optional<std::string> phone;
  std::string password;
  // Optional first membership; a non-root admin must give one inside their scope.
  std::optional<std::string> unit_id;
  std::optional<Role> role;
};

struct AccountUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> phone;
  std::optional<bool> disabled;
  std::optional<std::string> password;
};

struct AccountListQuery {
  std::optional<std::string> unit_id;  // accounts with a membership in this unit's subtree
  std::optional<std::string> search;
  std::optional<std::string> cursor;
  int limit = 50;
};

struct AccountPage {
  std::vector<Account> items;
  std::optional<std::string> next_cursor;
};

class IdentityService {
 public:
  IdentityService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                  IdentityOptions options = {});

  // `address` is the client's (the HTTP remote address; "" for local tools).
  Result<LoginResult> Login(std::string_view username, std::string_view password,
                            std::string_view address = "");
  Result<void> Logout(std::string_view token);
  // A session token (cookie or bearer) → who it is.
  Result<Principal> Authenticate(std::string_view token);
  Result<Principal> AuthenticateApiKey(std::string_view key);
  // Returns the new key; only its digest is stored.
  Result<std::string> CreateApiKey(const Principal& actor, std::string_view name);

  // A unit the caller may read. Units never change once created: the same
  // unit object is shared by every caller (kept in memory after the first read).
  Result<std::shared_ptr<const OrgUnit>> GetUnit(const Principal& actor, std::string_view id);
  Result<std::vector<OrgUnit>> ListChildren(const Principal& actor, std::string_view parent_id);
  Result<std::vector<OrgUnit>> Tree(const Principal& actor);
  Result<OrgUnit> CreateUnit(const Principal& actor, const NewUnit& unit);
  Result<std::optional<OrgUnit>> FindUnitByCode(std::string_view code);
  // Every unit with its geometry, for other modules' in-memory indexes (the
  // org tree is public within the platform, so no actor is needed).
  Result<std::vector<OrgUnit>> AllUnits();
  // Every unit of one kind with its polygon (units without one are left
  // out), for maps; needs org.read like Tree.
  Result<std::vector<OrgUnit>> UnitsWithShape(const Principal& actor, UnitKind kind);
  // Bumped by every change to the org tree, so indexes know when to reload.
  std::uint64_t units_generation() const { return units_generation_.load(); }

  Result<Account> CreateAccount(const Principal& actor, const NewAccount& input);
  // Personal data stays masked unless reveal is set; a reveal is an audit event.
  Result<Account> GetAccount(const Principal& actor, std::string_view id, bool reveal = false);
  Result<std::optional<Account>> FindAccountByUsername(std::string_view username);
  Result<AccountPage> ListAccounts(const Principal& actor, const AccountListQuery& query);
  // The staff directory (通讯录): any staff member with a membership may look
  // up the active staff of any unit's subtree (query.unit_id, or words in
  // query.search) — names, usernames and memberships, never phones — to
  // pick colleagues from other departments and levels (task force members,
  // directive recipients). Residents and API keys: PermissionDenied.
  Result<AccountPage> Directory(const Principal& actor, const AccountListQuery& query);
  Result<Account> UpdateAccount(const Principal& actor, std::string_view id,
                                std::int64_t expected_version, const AccountUpdate& update);
  Result<Membership> AddMembership(const Principal& actor, std::string_view account_id,
                                   std::string_view unit_id, Role role);
  Result<void> RemoveMembership(const Principal& actor, std::string_view membership_id);
  // For other modules' figures (capacity: handlers per unit), on behalf of the system: per
  // unit id, the active accounts (not disabled) with a `role` membership exactly at that unit;
  // units without any are left out. Counts only, no personal data.
  Result<std::unordered_map<std::string, int>> CountMembers(Role role);

 private:
  // TooManyRequests while any counter of this login attempt is locked.
  Result<void> CheckThrottles(storage::Executor& ex, std::string_view username,
                              std::string_view address, Timestamp now);
  // Counts one failed login on each counter, prunes old ones and audits it.
  Result<void> CountFailure(storage::Executor& ex, std::string_view username,
                            std::string_view address, Timestamp now);
  Result<Principal> PrincipalFor(storage::Executor& ex, std::string_view account_id,
                                 Principal::Via via);
  Result<void> RequireOnAccount(const Principal& actor, const Account& target, Action action);

  void ForgetPrincipals();
  struct ForgetOnExit {
    IdentityService* service;
    ~ForgetOnExit();
  };

  std::atomic<std::uint64_t> units_generation_{0};
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  const IdentityOptions options_;

  struct CachedPrincipal {
    Principal principal;
    Timestamp session_expires_at;
    Timestamp cached_until;
  };
  std::mutex cache_mutex_;
  std::uint64_t cache_generation_ = 0;  // GUARDED_BY(cache_mutex_): bumped by every forget
  std::unordered_map<std::string, CachedPrincipal>
      principals_;  // GUARDED_BY(cache_mutex_), by token digest
  // Org units are never changed once created (there is no UPDATE of a
  // unit): a unit read once is the unit on every node, for good.
  std::mutex units_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const OrgUnit>>
      units_;  // GUARDED_BY(units_mutex_), by id
};

}  // namespace xietong::identity
