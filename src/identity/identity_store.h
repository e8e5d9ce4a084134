// The identity module's SQL: org units, accounts, memberships, sessions, API
// keys and login throttling. Written once for SQLite and PostgreSQL. Each
// function runs inside the caller's transaction; none decides a rule.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "identity/identity.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::identity::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

Result<void> InsertUnit(Executor& ex, const OrgUnit& unit);
Result<std::optional<OrgUnit>> FindUnit(Executor& ex, std::string_view id);
Result<std::optional<OrgUnit>> FindUnitByCode(Executor& ex, std::string_view code);
// Children of parent_id, or the roots when parent_id is empty; by code.
Result<std::vector<OrgUnit>> ListChildren(Executor& ex, std::string_view parent_id,
                                          bool with_geometry);
// Every unit, ordered by path.
Result<std::vector<OrgUnit>> ListAllUnits(Executor& ex, bool with_geometry = false);
Result<std::int64_t> CountUnits(Executor& ex);

struct AccountRecord {
  Account account;
  std::string password_hash;
};
Result<void> InsertAccount(Executor& ex, const Account& account, std::string_view password_hash);
Result<std::optional<AccountRecord>> FindAccount(Executor& ex, std::string_view id);
Result<std::optional<AccountRecord>> FindAccountByUsername(Executor& ex, std::string_view username);

struct AccountQuery {
  std::optional<std::string> unit_path;  // only accounts with a membership in this subtree
  std::optional<std::string> search;     // substring of username or display name
  std::optional<std::string> after_id;   // cursor: ids greater than this
  int limit = 50;
};
// Accounts in id order, memberships not loaded.
Result<std::vector<Account>> ListAccounts(Executor& ex, const AccountQuery& q);

struct AccountChanges {
  std::optional<std::string> display_name;
  std::optional<std::string> phone;  // "" clears it
  std::optional<bool> disabled;
  std::optional<std::string> password_hash;
};
// Applies changes if the stored version is expected_version; returns the new
// version, or nullopt when the version did not match.
Result<std::optional<std::int64_t>> UpdateAccount(Executor& ex, std::string_view id,
                                                  std::int64_t expected_version,
                                                  const AccountChanges& changes);

Result<std::vector<Membership>> LoadMemberships(Executor& ex, std::string_view account_id);
// Fills each account's memberships (replacing what it held), in one query per
// 500 accounts instead of one per account; ordered by membership id as
// LoadMemberships. Accounts with none get an empty list.
Result<void> LoadMembershipsOf(Executor& ex, std::vector<Account>& accounts);
Result<void> InsertMembership(Executor& ex, const Membership& m, Timestamp now);
Result<std::optional<Membership>> FindMembership(Executor& ex, std::string_view id);
Result<void> DeleteMembership(Executor& ex, std::string_view id);
// Per unit, the accounts not disabled that hold `role` exactly at it (units without any are
// left out).
Result<std::unordered_map<std::string, int>> CountMembers(Executor& ex, Role role);

struct SessionRecord {
  std::string account_id;
  std::string csrf_token;
  Timestamp expires_at;
  std::optional<Timestamp> revoked_at;
};
Result<void> InsertSession(Executor& ex, std::string_view token_digest, const SessionRecord& s,
                           Timestamp now);
Result<std::optional<SessionRecord>> FindSession(Executor& ex, std::string_view token_digest);
Result<bool> RevokeSession(Executor& ex, std::string_view token_digest, Timestamp now);
// Revokes every live session of an account (disabled account, new password).
Result<void> RevokeSessionsOf(Executor& ex, std::string_view account_id, Timestamp now);

struct ApiKeyRecord {
  std::string id;
  std::string name;
  std::optional<Timestamp> revoked_at;
};
Result<void> InsertApiKey(Executor& ex, std::string_view id, std::string_view name,
                          std::string_view key_digest, Timestamp now);
Result<std::optional<ApiKeyRecord>> FindApiKey(Executor& ex, std::string_view key_digest);

// Failed logins counted under one key (an account from one address, an
// address, the whole instance; IdentityService::Login names the keys).
struct Throttle {
  std::int64_t failures = 0;
  Timestamp window_start = 0;  // when counting began (the key's window)
  Timestamp locked_until = 0;
};
Result<Throttle> GetThrottle(Executor& ex, std::string_view key);
Result<void> SetThrottle(Executor& ex, std::string_view key, const Throttle& t, Timestamp now);
// Deletes at most `limit` keys untouched since `before`; returns how many.
Result<std::int64_t> PruneThrottles(Executor& ex, Timestamp before, int limit);

}  // namespace xietong::identity::store
