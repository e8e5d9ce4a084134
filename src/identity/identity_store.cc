#include "identity/identity_store.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/core.h>

namespace xietong::identity::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"identity", 1, "org units, accounts, memberships, sessions, api keys, throttling",
     "CREATE TABLE org_units ("
     " id TEXT PRIMARY KEY, parent_id TEXT REFERENCES org_units (id), kind TEXT NOT NULL,"
     " code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, path TEXT NOT NULL, geometry TEXT,"
     " created_at BIGINT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX org_units_parent ON org_units (parent_id, code);"
     "CREATE INDEX org_units_path ON org_units (path);"
     "CREATE TABLE accounts ("
     " id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,"
     " kind TEXT NOT NULL, phone TEXT, password_hash TEXT NOT NULL,"
     " disabled BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, version BIGINT NOT NULL);"
     "CREATE TABLE memberships ("
     " id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (id),"
     " unit_id TEXT NOT NULL REFERENCES org_units (id), role TEXT NOT NULL,"
     " created_at BIGINT NOT NULL, UNIQUE (account_id, unit_id, role));"
     "CREATE INDEX memberships_unit ON memberships (unit_id);"
     "CREATE TABLE sessions ("
     " token_digest TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (id),"
     " csrf_token TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
     " revoked_at BIGINT);"
     "CREATE INDEX sessions_account ON sessions (account_id);"
     "CREATE TABLE api_keys ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, key_digest TEXT NOT NULL UNIQUE,"
     " created_at BIGINT NOT NULL, revoked_at BIGINT);"
     "CREATE TABLE login_throttle ("
     " username TEXT PRIMARY KEY, failures BIGINT NOT NULL, locked_until BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL)"},
    // Counted per (address, account), per address and overall, so that a
    // stranger's guesses do not lock the owner out; pruned by updated_at.
    {"identity", 2, "login throttling per address and account, per address, overall",
     "DROP TABLE login_throttle;"
     "CREATE TABLE login_throttle ("
     " throttle_key TEXT PRIMARY KEY, failures BIGINT NOT NULL, window_start BIGINT NOT NULL,"
     " locked_until BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
     "CREATE INDEX login_throttle_updated ON login_throttle (updated_at)"},
};

constexpr std::string_view kUnitColumns =
    "id, parent_id, kind, code, name, path, created_at, version";

OrgUnit UnitFrom(const storage::Row& r, bool with_geometry) {
  OrgUnit u;
  u.id = r.Text(0);
  u.parent_id = r.OptText(1);
  u.kind = ParseUnitKind(r.Text(2)).value_or(UnitKind::kDepartment);
  u.code = r.Text(3);
  u.name = r.Text(4);
  u.path = r.Text(5);
  u.created_at = r.Int(6);
  u.version = r.Int(7);
  if (with_geometry) u.geometry = r.OptText(8);
  return u;
}

constexpr std::string_view kAccountColumns =
    "id, username, display_name, kind, phone, disabled, created_at, version, password_hash";

AccountRecord AccountFrom(const storage::Row& r) {
  AccountRecord rec;
  Account& a = rec.account;
  a.id = r.Text(0);
  a.username = r.Text(1);
  a.display_name = r.Text(2);
  a.kind = ParseAccountKind(r.Text(3)).value_or(AccountKind::kResident);
  a.phone = r.OptText(4);
  a.disabled = r.Int(5) != 0;
  a.created_at = r.Int(6);
  a.version = r.Int(7);
  rec.password_hash = r.Text(8);
  return rec;
}

Result<std::optional<AccountRecord>> FindAccountWhere(Executor& ex, std::string_view column,
                                                      std::string_view value) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM accounts WHERE {} = ?",
                                                      kAccountColumns, column),
                                          {value}));
  if (rows.empty()) return std::optional<AccountRecord>{};
  AccountRecord rec = AccountFrom(rows.front());
  XT_ASSIGN_OR_RETURN(rec.account.memberships, LoadMemberships(ex, rec.account.id));
  return std::optional<AccountRecord>{std::move(rec)};
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<void> InsertUnit(Executor& ex, const OrgUnit& u) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO org_units (id, parent_id, kind, code, name, path, geometry, created_at, version)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {u.id, u.parent_id, UnitKindName(u.kind), u.code, u.name, u.path, u.geometry, u.created_at,
       u.version}));
  return {};
}

Result<std::optional<OrgUnit>> FindUnit(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {}, geometry FROM org_units WHERE id = ?", kUnitColumns), {id}));
  if (rows.empty()) return std::optional<OrgUnit>{};
  return std::optional<OrgUnit>{UnitFrom(rows.front(), true)};
}

Result<std::optional<OrgUnit>> FindUnitByCode(Executor& ex, std::string_view code) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {}, geometry FROM org_units WHERE code = ?", kUnitColumns),
               {code}));
  if (rows.empty()) return std::optional<OrgUnit>{};
  return std::optional<OrgUnit>{UnitFrom(rows.front(), true)};
}

Result<std::vector<OrgUnit>> ListChildren(Executor& ex, std::string_view parent_id,
                                          bool with_geometry) {
  const std::string sql =
      parent_id.empty()
          ? fmt::format("SELECT {}, geometry FROM org_units WHERE parent_id IS NULL ORDER BY code",
                        kUnitColumns)
          : fmt::format("SELECT {}, geometry FROM org_units WHERE parent_id = ? ORDER BY code",
                        kUnitColumns);
  std::vector<storage::Value> params;
  if (!parent_id.empty()) params.emplace_back(parent_id);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<OrgUnit> out;
  for (const auto& r : rows) out.push_back(UnitFrom(r, with_geometry));
  return out;
}

Result<std::vector<OrgUnit>> ListAllUnits(Executor& ex, bool with_geometry) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {}{} FROM org_units ORDER BY path", kUnitColumns,
                                           with_geometry ? ", geometry" : "")));
  std::vector<OrgUnit> out;
  for (const auto& r : rows) out.push_back(UnitFrom(r, with_geometry));
  return out;
}

Result<std::int64_t> CountUnits(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM org_units"));
  return row->Int(0);
}

Result<void> InsertAccount(Executor& ex, const Account& a, std::string_view password_hash) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO accounts (id, username, display_name, kind, phone, password_hash, disabled,"
      " created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {a.id, a.username, a.display_name, AccountKindName(a.kind), a.phone, password_hash,
       a.disabled, a.created_at, a.version}));
  return {};
}

Result<std::optional<AccountRecord>> FindAccount(Executor& ex, std::string_view id) {
  return FindAccountWhere(ex, "id", id);
}

Result<std::optional<AccountRecord>> FindAccountByUsername(Executor& ex,
                                                           std::string_view username) {
  return FindAccountWhere(ex, "username", username);
}

Result<std::vector<Account>> ListAccounts(Executor& ex, const AccountQuery& q) {
  std::string sql = fmt::format("SELECT {} FROM accounts a WHERE 1 = 1", kAccountColumns);
  std::vector<storage::Value> params;
  if (q.unit_path) {
    sql +=
        " AND EXISTS (SELECT 1 FROM memberships m JOIN org_units u ON u.id = m.unit_id"
        " WHERE m.account_id = a.id AND u.path LIKE ?)";
    params.emplace_back(*q.unit_path + "%");
  }
  if (q.search) {
    sql += " AND (a.username LIKE ? OR a.display_name LIKE ?)";
    params.emplace_back("%" + *q.search + "%");
    params.emplace_back("%" + *q.search + "%");
  }
  if (q.after_id) {
    sql += " AND a.id > ?";
    params.emplace_back(*q.after_id);
  }
  sql += " ORDER BY a.id LIMIT ?";
  params.emplace_back(q.limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<Account> out;
  for (const auto& r : rows) out.push_back(AccountFrom(r).account);
  return out;
}

Result<std::optional<std::int64_t>> UpdateAccount(Executor& ex, std::string_view id,
                                                  std::int64_t expected_version,
                                                  const AccountChanges& c) {
  std::string sql = "UPDATE accounts SET version = version + 1";
  std::vector<storage::Value> params;
  if (c.display_name) {
    sql += ", display_name = ?";
    params.emplace_back(*c.display_name);
  }
  if (c.phone) {
    sql += ", phone = ?";
    params.emplace_back(c.phone->empty() ? storage::Value() : storage::Value(*c.phone));
  }
  if (c.disabled) {
    sql += ", disabled = ?";
    params.emplace_back(*c.disabled);
  }
  if (c.password_hash) {
    sql += ", password_hash = ?";
    params.emplace_back(*c.password_hash);
  }
  sql += " WHERE id = ? AND version = ? RETURNING version";
  params.emplace_back(id);
  params.emplace_back(expected_version);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  if (rows.empty()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{rows.front().Int(0)};
}

Result<std::vector<Membership>> LoadMemberships(Executor& ex, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT m.id, m.account_id, m.unit_id, u.name, u.path, m.role"
                               " FROM memberships m JOIN org_units u ON u.id = m.unit_id"
                               " WHERE m.account_id = ? ORDER BY m.id",
                               {account_id}));
  std::vector<Membership> out;
  for (const auto& r : rows) {
    XT_ASSIGN_OR_RETURN(Role role, ParseRole(r.Text(5)));
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), role});
  }
  return out;
}

Result<void> LoadMembershipsOf(Executor& ex, std::vector<Account>& accounts) {
  constexpr std::size_t kChunk = 500;  // parameters per statement, far below either backend's cap
  std::unordered_map<std::string_view, Account*> by_id;
  for (auto& a : accounts) {
    a.memberships.clear();
    by_id.emplace(a.id, &a);
  }
  for (std::size_t from = 0; from < accounts.size(); from += kChunk) {
    const std::size_t n = std::min(kChunk, accounts.size() - from);
    std::string sql =
        "SELECT m.id, m.account_id, m.unit_id, u.name, u.path, m.role"
        " FROM memberships m JOIN org_units u ON u.id = m.unit_id WHERE m.account_id IN (";
    std::vector<storage::Value> params;
    params.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.emplace_back(accounts[from + i].id);
    }
    sql += ") ORDER BY m.id";
    XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
    for (const auto& r : rows) {
      XT_ASSIGN_OR_RETURN(Role role, ParseRole(r.Text(5)));
      Membership m{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), role};
      const auto owner = by_id.find(m.account_id);
      if (owner != by_id.end()) owner->second->memberships.push_back(std::move(m));
    }
  }
  return {};
}

Result<void> InsertMembership(Executor& ex, const Membership& m, Timestamp now) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO memberships (id, account_id, unit_id, role, created_at) VALUES (?, ?, ?, ?, ?)",
      {m.id, m.account_id, m.unit_id, RoleName(m.role), now}));
  return {};
}

Result<std::optional<Membership>> FindMembership(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT m.id, m.account_id, m.unit_id, u.name, u.path, m.role"
                               " FROM memberships m JOIN org_units u ON u.id = m.unit_id"
                               " WHERE m.id = ?",
                               {id}));
  if (rows.empty()) return std::optional<Membership>{};
  const auto& r = rows.front();
  XT_ASSIGN_OR_RETURN(Role role, ParseRole(r.Text(5)));
  return std::optional<Membership>{
      Membership{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), role}};
}

Result<void> DeleteMembership(Executor& ex, std::string_view id) {
  XT_TRY_VOID(ex.Exec("DELETE FROM memberships WHERE id = ?", {id}));
  return {};
}

Result<std::unordered_map<std::string, int>> CountMembers(Executor& ex, Role role) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT m.unit_id, COUNT(DISTINCT m.account_id)"
                               " FROM memberships m JOIN accounts a ON a.id = m.account_id"
                               " WHERE m.role = ? AND a.disabled = 0 GROUP BY m.unit_id",
                               {RoleName(role)}));
  std::unordered_map<std::string, int> out;
  for (const auto& r : rows) out[r.Text(0)] = static_cast<int>(r.Int(1));
  return out;
}

Result<void> InsertSession(Executor& ex, std::string_view token_digest, const SessionRecord& s,
                           Timestamp now) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO sessions (token_digest, account_id, csrf_token, created_at, expires_at)"
              " VALUES (?, ?, ?, ?, ?)",
              {token_digest, s.account_id, s.csrf_token, now, s.expires_at}));
  return {};
}

Result<std::optional<SessionRecord>> FindSession(Executor& ex, std::string_view token_digest) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT account_id, csrf_token, expires_at, revoked_at"
                                            " FROM sessions WHERE token_digest = ?",
                                            {token_digest}));
  if (!row) return std::optional<SessionRecord>{};
  return std::optional<SessionRecord>{
      SessionRecord{row->Text(0), row->Text(1), row->Int(2), row->OptInt(3)}};
}

Result<bool> RevokeSession(Executor& ex, std::string_view token_digest, Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE sessions SET revoked_at = ?"
                                      " WHERE token_digest = ? AND revoked_at IS NULL",
                                      {now, token_digest}));
  return n > 0;
}

Result<void> RevokeSessionsOf(Executor& ex, std::string_view account_id, Timestamp now) {
  XT_TRY_VOID(
      ex.Exec("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
              {now, account_id}));
  return {};
}

Result<void> InsertApiKey(Executor& ex, std::string_view id, std::string_view name,
                          std::string_view key_digest, Timestamp now) {
  XT_TRY_VOID(ex.Exec("INSERT INTO api_keys (id, name, key_digest, created_at) VALUES (?, ?, ?, ?)",
                      {id, name, key_digest, now}));
  return {};
}

Result<std::optional<ApiKeyRecord>> FindApiKey(Executor& ex, std::string_view key_digest) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT id, name, revoked_at FROM api_keys"
                                            " WHERE key_digest = ?",
                                            {key_digest}));
  if (!row) return std::optional<ApiKeyRecord>{};
  return std::optional<ApiKeyRecord>{ApiKeyRecord{row->Text(0), row->Text(1), row->OptInt(2)}};
}

Result<Throttle> GetThrottle(Executor& ex, std::string_view key) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT failures, window_start, locked_until FROM login_throttle"
                                  " WHERE throttle_key = ?",
                                  {key}));
  if (!row) return Throttle{};
  return Throttle{row->Int(0), row->Int(1), row->Int(2)};
}

Result<void> SetThrottle(Executor& ex, std::string_view key, const Throttle& t, Timestamp now) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until, updated_at)"
      " VALUES (?, ?, ?, ?, ?) ON CONFLICT (throttle_key) DO UPDATE SET"
      " failures = excluded.failures, window_start = excluded.window_start,"
      " locked_until = excluded.locked_until, updated_at = excluded.updated_at",
      {key, t.failures, t.window_start, t.locked_until, now}));
  return {};
}

Result<std::int64_t> PruneThrottles(Executor& ex, Timestamp before, int limit) {
  return ex.Exec(
      "DELETE FROM login_throttle WHERE throttle_key IN (SELECT throttle_key FROM login_throttle"
      " WHERE updated_at < ? AND locked_until < ? LIMIT ?)",
      {before, before, static_cast<std::int64_t>(limit)});
}

}  // namespace xietong::identity::store
