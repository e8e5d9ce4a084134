#include "identity/identity_service.h"

#include <fmt/core.h>

#include <algorithm>

#include "audit/audit_log.h"
#include "core/json.h"
#include "identity/identity_store.h"
#include "identity/password.h"

namespace xietong::identity {
namespace {

using storage::Executor;

Error OutsideScope(std::string_view what) {
  return Error::PermissionDenied(fmt::format("{} is outside the units you may act for", what));
}

json::Json UnitJsonForAudit(const OrgUnit& u) {
  return {{"kind", UnitKindName(u.kind)},
          {"code", u.code},
          {"name", u.name},
          {"parent_id", u.parent_id.value_or("")}};
}

Result<OrgUnit> RequireUnit(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto unit, store::FindUnit(ex, id));
  if (!unit) return Fail(Error::NotFound(fmt::format("there is no org unit with id '{}'", id)));
  return std::move(*unit);
}

Result<void> ValidateAccountFields(const std::optional<std::string>& display_name,
                                   const std::optional<std::string>& phone) {
  if (display_name && (display_name->empty() || json::CountCodePoints(*display_name) > 64))
    return Fail(Error::InvalidArgument("field 'display_name' must have 1 to 64 characters"));
  if (phone && !phone->empty() && !IsValidPhone(*phone))
    return Fail(Error::InvalidArgument(fmt::format(
        "field 'phone' must be a mobile number like 13812345678 or a landline like 0571-88886666, "
        "not '{}'",
        *phone)));
  return {};
}

}  // namespace

IdentityService::IdentityService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                 IdentityOptions options)
    : db_(db), clock_(clock), ids_(ids), options_(options) {}

Result<Principal> IdentityService::PrincipalFor(Executor& ex, std::string_view account_id,
                                                Principal::Via via) {
  XT_ASSIGN_OR_RETURN(auto rec, store::FindAccount(ex, account_id));
  if (!rec || rec->account.disabled)
    return Fail(
        Error::Unauthenticated("this account is disabled or no longer exists; log in again"));
  Principal p;
  p.account_id = rec->account.id;
  p.username = rec->account.username;
  p.display_name = rec->account.display_name;
  p.phone = rec->account.phone;
  p.kind = rec->account.kind;
  p.via = via;
  p.memberships = std::move(rec->account.memberships);
  return p;
}

namespace {

// The three counters a failed login adds to (see IdentityOptions).
struct ThrottleKeys {
  std::string account;  // this account from this address
  std::string address;  // this address, any account
  static constexpr std::string_view kOverall = "all";
};

ThrottleKeys KeysFor(std::string_view username, std::string_view address) {
  return {fmt::format("account:{}|{}", address, username), fmt::format("address:{}", address)};
}

}  // namespace

Result<void> IdentityService::CheckThrottles(Executor& ex, std::string_view username,
                                             std::string_view address, Timestamp now) {
  const ThrottleKeys keys = KeysFor(username, address);
  auto wait = [&](Timestamp until, std::string_view why) {
    const auto minutes = (until - now + kMicrosPerMinute - 1) / kMicrosPerMinute;
    return Fail(Error::TooManyRequests(
        fmt::format("{}; try again in {} minute(s), at {}", why, minutes, FormatRfc3339(until))));
  };
  XT_ASSIGN_OR_RETURN(auto account, store::GetThrottle(ex, keys.account));
  if (account.locked_until > now)
    return wait(account.locked_until, fmt::format("too many failed logins for '{}'", username));
  XT_ASSIGN_OR_RETURN(auto from, store::GetThrottle(ex, keys.address));
  if (from.locked_until > now)
    return wait(from.locked_until, "too many failed logins from your address");
  XT_ASSIGN_OR_RETURN(auto all, store::GetThrottle(ex, ThrottleKeys::kOverall));
  if (all.locked_until > now)
    return wait(all.locked_until, "too many failed logins on this service right now");
  return {};
}

Result<void> IdentityService::CountFailure(Executor& ex, std::string_view username,
                                           std::string_view address, Timestamp now) {
  const ThrottleKeys keys = KeysFor(username, address);
  // The account from this address: a lock that grows with each failure.
  XT_ASSIGN_OR_RETURN(auto account, store::GetThrottle(ex, keys.account));
  ++account.failures;
  if (account.failures >= options_.free_failures) {
    const int extra =
        static_cast<int>(std::min<std::int64_t>(account.failures - options_.free_failures, 10));
    account.locked_until = now + std::min(options_.first_lock << extra, options_.longest_lock);
  }
  // The chain's head first, the counters after: every failed login takes
  // its locks in the order a group-commit batch that appended before it
  // does, so two nodes' batches cannot wait on each other (the overall
  // counter is one row every failure writes).
  XT_TRY_VOID(audit::Append(ex, now,
                            {"anonymous",
                             "identity.login.fail",
                             std::string(username),
                             {{"failures", account.failures}, {"address", address}}}));
  XT_TRY_VOID(store::SetThrottle(ex, keys.account, account, now));
  // A window of failures per address and per minute overall.
  auto windowed = [&](std::string_view key, Timestamp window, int most) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto t, store::GetThrottle(ex, key));
    if (now - t.window_start >= window) t = {0, now, 0};
    if (++t.failures >= most) t.locked_until = t.window_start + window;
    return store::SetThrottle(ex, key, t, now);
  };
  XT_TRY_VOID(windowed(keys.address, options_.address_window, options_.address_failures));
  XT_TRY_VOID(windowed(ThrottleKeys::kOverall, kMicrosPerMinute, options_.overall_failures));
  // Every failure clears some old counters: the table holds about the keys
  // of the last retention period, however many names are tried.
  XT_TRY_VOID(store::PruneThrottles(ex, now - options_.throttle_retention, 100));
  return {};
}

Result<LoginResult> IdentityService::Login(std::string_view username, std::string_view password,
                                           std::string_view address) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto found,
                      db_.Read([&](Executor& ex) -> Result<std::optional<store::AccountRecord>> {
                        XT_TRY_VOID(CheckThrottles(ex, username, address, now));
                        return store::FindAccountByUsername(ex, username);
                      }));

  // Verify outside any transaction: argon2 takes tens of milliseconds.
  const bool ok = found ? VerifyPassword(found->password_hash, password)
                        : (VerifyPassword(DummyPasswordHash(), password), false);
  if (!ok) {
    XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
      XT_TRY_VOID(CountFailure(ex, username, address, now));
      return {};
    }));
    // The failure that reached a limit says so (and when to come back).
    XT_TRY_VOID(db_.Read([&](Executor& ex) { return CheckThrottles(ex, username, address, now); }));
    return Fail(
        Error::Unauthenticated("wrong username or password").About("", "wrong_credentials"));
  }
  Account account = std::move(found->account);
  if (account.disabled)
    return Fail(Error::Unauthenticated("this account is disabled; ask an administrator")
                    .About("", "account_disabled"));

  LoginResult out{RandomToken(), RandomToken(16), now + options_.session_ttl, std::move(account)};
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    // Guesses sent in parallel all passed the first check; one of them may
    // have locked the account while this password was being verified.
    XT_TRY_VOID(CheckThrottles(ex, username, address, now));
    XT_TRY_VOID(store::SetThrottle(ex, KeysFor(username, address).account, {}, now));
    XT_TRY_VOID(store::InsertSession(ex, TokenDigest(out.token),
                                     {out.account.id, out.csrf_token, out.expires_at, std::nullopt},
                                     now));
    XT_TRY_VOID(audit::Append(ex, now,
                              {out.account.id,
                               "identity.session.create",
                               out.account.id,
                               {{"expires_at", out.expires_at}}}));
    return {};
  }));
  if (out.account.phone) out.account.phone = MaskPhone(*out.account.phone);
  return out;
}

Result<void> IdentityService::Logout(std::string_view token) {
  const Timestamp now = clock_.Now();
  const ForgetOnExit forget{this};  // after the revoke has committed
  return db_.Write([&](Executor& ex) -> Result<void> {
    const std::string digest = TokenDigest(token);
    XT_ASSIGN_OR_RETURN(auto session, store::FindSession(ex, digest));
    if (!session) return Fail(Error::Unauthenticated("this session does not exist; log in again"));
    XT_ASSIGN_OR_RETURN(bool revoked, store::RevokeSession(ex, digest, now));
    if (revoked) {
      XT_TRY_VOID(audit::Append(ex, now,
                                {session->account_id, "identity.session.revoke",
                                 session->account_id, json::Json::object()}));
    }
    return {};
  });
}

Result<Principal> IdentityService::Authenticate(std::string_view token) {
  const Timestamp now = clock_.Now();
  if (token.size() != 64)
    return Fail(Error::Unauthenticated("the session token is malformed; log in again"));
  const std::string digest = TokenDigest(token);
  if (options_.principal_cache_ttl > 0) {
    std::lock_guard lock(cache_mutex_);
    auto it = principals_.find(digest);
    if (it != principals_.end() && now < it->second.cached_until &&
        now < it->second.session_expires_at)
      return it->second.principal;
  }
  std::uint64_t generation;
  {
    std::lock_guard lock(cache_mutex_);
    generation = cache_generation_;
  }
  Timestamp expires_at = 0;
  XT_ASSIGN_OR_RETURN(Principal p, db_.Read([&](Executor& ex) -> Result<Principal> {
    XT_ASSIGN_OR_RETURN(auto session, store::FindSession(ex, digest));
    if (!session) return Fail(Error::Unauthenticated("this session does not exist; log in again"));
    if (session->revoked_at)
      return Fail(Error::Unauthenticated("this session was logged out; log in again")
                      .About("", "session_ended"));
    if (session->expires_at <= now)
      return Fail(Error::Unauthenticated("this session has expired; log in again")
                      .About("", "session_expired"));
    XT_ASSIGN_OR_RETURN(Principal found,
                        PrincipalFor(ex, session->account_id, Principal::Via::kSession));
    found.csrf_token = session->csrf_token;
    expires_at = session->expires_at;
    return found;
  }));
  if (options_.principal_cache_ttl > 0) {
    std::lock_guard lock(cache_mutex_);
    // A change forgotten while we were reading may not be cached again.
    if (generation == cache_generation_) {
      if (principals_.size() > 100'000) principals_.clear();  // bound memory; refills on demand
      principals_[digest] = {p, expires_at, now + options_.principal_cache_ttl};
    }
  }
  return p;
}

IdentityService::ForgetOnExit::~ForgetOnExit() { service->ForgetPrincipals(); }

void IdentityService::ForgetPrincipals() {
  std::lock_guard lock(cache_mutex_);
  principals_.clear();
  ++cache_generation_;
}

Result<Principal> IdentityService::AuthenticateApiKey(std::string_view key) {
  return db_.Read([&](Executor& ex) -> Result<Principal> {
    XT_ASSIGN_OR_RETURN(auto rec, store::FindApiKey(ex, TokenDigest(key)));
    if (!rec || rec->revoked_at)
      return Fail(Error::Unauthenticated("this API key is unknown or revoked"));
    Principal p;
    p.account_id = "apikey:" + rec->id;
    p.username = rec->name;
    p.display_name = rec->name;
    p.via = Principal::Via::kApiKey;
    return p;
  });
}

Result<std::string> IdentityService::CreateApiKey(const Principal& actor, std::string_view name) {
  if (!Can(actor, Action::kAccountManage, ""))
    return Fail(Error::PermissionDenied("only a platform administrator may create API keys"));
  if (name.empty() || json::CountCodePoints(name) > 64)
    return Fail(Error::InvalidArgument("the API key name must have 1 to 64 characters"));
  const Timestamp now = clock_.Now();
  const std::string key = "xtk_" + RandomToken();
  const std::string id = ids_.Next();
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertApiKey(ex, id, name, TokenDigest(key), now));
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "identity.apikey.create", id, {{"name", std::string(name)}}}));
    return {};
  }));
  return key;
}

Result<std::shared_ptr<const OrgUnit>> IdentityService::GetUnit(const Principal& actor,
                                                                std::string_view id) {
  std::shared_ptr<const OrgUnit> unit;
  {
    std::lock_guard lock(units_mutex_);
    if (auto it = units_.find(std::string(id)); it != units_.end()) unit = it->second;
  }
  if (!unit) {
    XT_ASSIGN_OR_RETURN(OrgUnit read, db_.Read([&](Executor& ex) { return RequireUnit(ex, id); }));
    unit = std::make_shared<const OrgUnit>(std::move(read));
    std::lock_guard lock(units_mutex_);
    if (units_.size() > 100'000) units_.clear();  // bound memory; refills on demand
    units_.emplace(unit->id, unit);
  }
  if (!Can(actor, Action::kOrgRead, unit->path)) return Fail(OutsideScope("this unit"));
  return unit;
}

Result<std::vector<OrgUnit>> IdentityService::ListChildren(const Principal& actor,
                                                           std::string_view parent_id) {
  if (!Can(actor, Action::kOrgRead, "")) return Fail(OutsideScope("the org tree"));
  return db_.Read([&](Executor& ex) -> Result<std::vector<OrgUnit>> {
    if (!parent_id.empty()) XT_TRY_VOID(RequireUnit(ex, parent_id));
    return store::ListChildren(ex, parent_id, false);
  });
}

Result<std::vector<OrgUnit>> IdentityService::Tree(const Principal& actor) {
  if (!Can(actor, Action::kOrgRead, "")) return Fail(OutsideScope("the org tree"));
  return db_.Read([](Executor& ex) { return store::ListAllUnits(ex); });
}

Result<std::optional<OrgUnit>> IdentityService::FindUnitByCode(std::string_view code) {
  return db_.Read([&](Executor& ex) { return store::FindUnitByCode(ex, code); });
}

Result<std::unordered_map<std::string, int>> IdentityService::CountMembers(Role role) {
  return db_.Read([&](Executor& ex) { return store::CountMembers(ex, role); });
}

Result<std::vector<OrgUnit>> IdentityService::AllUnits() {
  return db_.Read([&](Executor& ex) { return store::ListAllUnits(ex, true); });
}

Result<std::vector<OrgUnit>> IdentityService::UnitsWithShape(const Principal& actor,
                                                             UnitKind kind) {
  if (!Can(actor, Action::kOrgRead, "")) return Fail(OutsideScope("the org tree"));
  XT_ASSIGN_OR_RETURN(auto all,
                      db_.Read([](Executor& ex) { return store::ListAllUnits(ex, true); }));
  std::erase_if(all, [kind](const OrgUnit& u) { return u.kind != kind || !u.geometry; });
  return all;
}

Result<OrgUnit> IdentityService::CreateUnit(const Principal& actor, const NewUnit& in) {
  if (in.code.empty() || in.code.size() > 32)
    return Fail(Error::InvalidArgument("field 'code' must have 1 to 32 characters"));
  if (in.name.empty() || json::CountCodePoints(in.name) > 64)
    return Fail(Error::InvalidArgument("field 'name' must have 1 to 64 characters"));
  if (in.geometry) {
    auto g = json::ParseObject(*in.geometry);
    if (!g || !g->contains("type") ||
        ((*g)["type"] != "Polygon" && (*g)["type"] != "MultiPolygon") ||
        !g->contains("coordinates"))
      return Fail(Error::InvalidArgument(
          "field 'geometry' must be a GeoJSON Polygon or MultiPolygon object"));
  }
  const Timestamp now = clock_.Now();
  OrgUnit unit{ids_.Next(), in.parent_id, in.kind, in.code, in.name, "", in.geometry, now, 1};
  auto created = db_.Write([&](Executor& ex) -> Result<OrgUnit> {
    if (in.parent_id) {
      XT_ASSIGN_OR_RETURN(OrgUnit parent, RequireUnit(ex, *in.parent_id));
      if (!Can(actor, Action::kUnitManage, parent.path))
        return Fail(OutsideScope("the parent unit"));
      if (!MayContain(parent.kind, in.kind))
        return Fail(Error::InvalidArgument(fmt::format(
            "a {} cannot be placed under a {}", UnitKindName(in.kind), UnitKindName(parent.kind))));
      unit.path = parent.path + unit.id + "/";
    } else {
      if (!Can(actor, Action::kUnitManage, "")) return Fail(OutsideScope("a new root unit"));
      if (in.kind != UnitKind::kCity)
        return Fail(Error::InvalidArgument("only a city can be a root unit; give 'parent_id'"));
      unit.path = "/" + unit.id + "/";
    }
    XT_ASSIGN_OR_RETURN(auto clash, store::FindUnitByCode(ex, in.code));
    if (clash)
      return Fail(Error::Conflict(
          fmt::format("unit code '{}' is already used by {}", in.code, clash->name)));
    XT_TRY_VOID(store::InsertUnit(ex, unit));
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "identity.unit.create", unit.id, UnitJsonForAudit(unit)}));
    return unit;
  });
  // After the commit, so an index that reloads sees the unit.
  if (created) units_generation_.fetch_add(1);
  return created;
}

Result<void> IdentityService::RequireOnAccount(const Principal& actor, const Account& target,
                                               Action action) {
  if (Can(actor, action, "")) return {};
  if (action == Action::kAccountManage) {
    // Changing an account (its password, say) acts for all its roles: a
    // district admin may not take over someone who also holds a city-wide role.
    bool all = !target.memberships.empty();
    for (const auto& m : target.memberships) all = all && Can(actor, action, m.unit_path);
    if (all) return {};
  } else {
    for (const auto& m : target.memberships)
      if (Can(actor, action, m.unit_path)) return {};
  }
  return Fail(OutsideScope(fmt::format("account '{}'", target.username)));
}

Result<Account> IdentityService::CreateAccount(const Principal& actor, const NewAccount& in) {
  if (!IsValidUsername(in.username))
    return Fail(Error::InvalidArgument(
        "field 'username' must have 3 to 32 characters of a-z, 0-9, '.', '_' or '-', starting "
        "with a letter"));
  XT_TRY_VOID(ValidateAccountFields(in.display_name, in.phone));
  if (in.display_name.empty())
    return Fail(Error::InvalidArgument("field 'display_name' is required"));
  XT_TRY_VOID(CheckPasswordPolicy(in.password));
  if (in.unit_id.has_value() != in.role.has_value())
    return Fail(Error::InvalidArgument(
        "give both 'unit_id' and 'role' for the first membership, or neither"));
  XT_ASSIGN_OR_RETURN(std::string hash, HashPassword(in.password));
  const Timestamp now = clock_.Now();
  Account account{ids_.Next(), in.username, in.display_name, in.kind, in.phone, false, now, 1, {}};
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    std::optional<OrgUnit> unit;
    if (in.unit_id) {
      XT_ASSIGN_OR_RETURN(unit, RequireUnit(ex, *in.unit_id));
      if (!Can(actor, Action::kAccountManage, unit->path)) return Fail(OutsideScope("this unit"));
    } else if (!Can(actor, Action::kAccountManage, "")) {
      return Fail(Error::PermissionDenied(
          "only a platform administrator may create an account without a unit; give 'unit_id' "
          "and 'role'"));
    }
    XT_ASSIGN_OR_RETURN(auto clash, store::FindAccountByUsername(ex, in.username));
    if (clash) return Fail(Error::Conflict(fmt::format("username '{}' is taken", in.username)));
    XT_TRY_VOID(store::InsertAccount(ex, account, hash));
    json::Json payload = {{"username", in.username},
                          {"display_name", in.display_name},
                          {"kind", AccountKindName(in.kind)}};
    if (unit) {
      Membership m{ids_.Next(), account.id, unit->id, unit->name, unit->path, *in.role};
      XT_TRY_VOID(store::InsertMembership(ex, m, now));
      payload["membership"] = {{"id", m.id}, {"unit_id", unit->id}, {"role", RoleName(*in.role)}};
      account.memberships.push_back(std::move(m));
    }
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "identity.account.create", account.id, std::move(payload)}));
    return {};
  }));
  if (account.phone) account.phone = MaskPhone(*account.phone);
  return account;
}

Result<Account> IdentityService::GetAccount(const Principal& actor, std::string_view id,
                                            bool reveal) {
  XT_ASSIGN_OR_RETURN(Account account, db_.Read([&](Executor& ex) -> Result<Account> {
    XT_ASSIGN_OR_RETURN(auto rec, store::FindAccount(ex, id));
    if (!rec) return Fail(Error::NotFound(fmt::format("there is no account with id '{}'", id)));
    return std::move(rec->account);
  }));
  if (account.id != actor.account_id)
    XT_TRY_VOID(RequireOnAccount(actor, account, Action::kAccountRead));
  if (!reveal || !account.phone) {
    if (account.phone) account.phone = MaskPhone(*account.phone);
    return account;
  }
  XT_TRY_VOID(RequireOnAccount(actor, account, Action::kRevealPersonal));
  // Every unmasked read of personal data is recorded (DESIGN.md §4).
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id, "identity.account.reveal", account.id, {{"fields", {"phone"}}}}));
    return {};
  }));
  return account;
}

Result<std::optional<Account>> IdentityService::FindAccountByUsername(std::string_view username) {
  return db_.Read([&](Executor& ex) -> Result<std::optional<Account>> {
    XT_ASSIGN_OR_RETURN(auto rec, store::FindAccountByUsername(ex, username));
    if (!rec) return std::optional<Account>{};
    return std::optional<Account>{std::move(rec->account)};
  });
}

Result<AccountPage> IdentityService::ListAccounts(const Principal& actor,
                                                  const AccountListQuery& q) {
  if (q.limit < 1 || q.limit > 500)
    return Fail(Error::InvalidArgument("'limit' must be between 1 and 500"));
  if (q.cursor && !IsValidId(*q.cursor))
    return Fail(Error::InvalidArgument("'cursor' is not one this server gave out"));
  return db_.Read([&](Executor& ex) -> Result<AccountPage> {
    store::AccountQuery sq{std::nullopt, q.search, q.cursor, q.limit + 1};
    if (q.unit_id) {
      XT_ASSIGN_OR_RETURN(OrgUnit unit, RequireUnit(ex, *q.unit_id));
      if (!Can(actor, Action::kAccountRead, unit.path)) return Fail(OutsideScope("this unit"));
      sq.unit_path = unit.path;
    } else if (!Can(actor, Action::kAccountRead, "")) {
      return Fail(Error::PermissionDenied(
          "listing every account needs a city-wide role; give 'unit_id' to list one unit's"));
    }
    XT_ASSIGN_OR_RETURN(auto accounts, store::ListAccounts(ex, sq));
    AccountPage page;
    if (static_cast<int>(accounts.size()) > q.limit) {
      accounts.pop_back();
      page.next_cursor = accounts.back().id;
    }
    for (auto& a : accounts)
      if (a.phone) a.phone = MaskPhone(*a.phone);
    XT_TRY_VOID(store::LoadMembershipsOf(ex, accounts));
    page.items = std::move(accounts);
    return page;
  });
}

Result<AccountPage> IdentityService::Directory(const Principal& actor, const AccountListQuery& q) {
  if (!actor.is_system() && (actor.kind != AccountKind::kStaff ||
                             actor.via != Principal::Via::kSession || actor.memberships.empty()))
    return Fail(Error::PermissionDenied("the staff directory is for staff members"));
  if (q.limit < 1 || q.limit > 500)
    return Fail(Error::InvalidArgument("'limit' must be between 1 and 500"));
  if (q.cursor && !IsValidId(*q.cursor))
    return Fail(Error::InvalidArgument("'cursor' is not one this server gave out"));
  if (!q.unit_id && (!q.search || q.search->empty()))
    return Fail(Error::InvalidArgument("give 'unit_id' or 'q' to look someone up")
                    .About("unit_id", "missing"));
  return db_.Read([&](Executor& ex) -> Result<AccountPage> {
    store::AccountQuery sq{std::nullopt, q.search, q.cursor, q.limit + 1};
    if (q.unit_id) {
      XT_ASSIGN_OR_RETURN(OrgUnit unit, RequireUnit(ex, *q.unit_id));
      sq.unit_path = unit.path;
    }
    XT_ASSIGN_OR_RETURN(auto accounts, store::ListAccounts(ex, sq));
    AccountPage page;
    if (static_cast<int>(accounts.size()) > q.limit) {
      accounts.pop_back();
      page.next_cursor = accounts.back().id;
    }
    for (auto& a : accounts) {
      if (a.kind != AccountKind::kStaff || a.disabled) continue;
      a.phone.reset();
      page.items.push_back(std::move(a));
    }
    XT_TRY_VOID(store::LoadMembershipsOf(ex, page.items));
    return page;
  });
}

Result<Account> IdentityService::UpdateAccount(const Principal& actor, std::string_view id,
                                               std::int64_t expected_version,
                                               const AccountUpdate& u) {
  // After the write commits: a disabled account's cached sessions end at once.
  const ForgetOnExit forget{this};
  XT_TRY_VOID(ValidateAccountFields(u.display_name, u.phone));
  store::AccountChanges changes{u.display_name, u.phone, u.disabled, std::nullopt};
  if (u.password) {
    XT_TRY_VOID(CheckPasswordPolicy(*u.password));
    XT_ASSIGN_OR_RETURN(changes.password_hash, HashPassword(*u.password));
  }
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto rec, store::FindAccount(ex, id));
    if (!rec) return Fail(Error::NotFound(fmt::format("there is no account with id '{}'", id)));
    XT_TRY_VOID(RequireOnAccount(actor, rec->account, Action::kAccountManage));
    if (u.disabled.value_or(false) && rec->account.id == actor.account_id)
      return Fail(Error::Conflict("you cannot disable your own account"));
    XT_ASSIGN_OR_RETURN(auto version, store::UpdateAccount(ex, id, expected_version, changes));
    if (!version)
      return Fail(Error::Conflict(fmt::format(
          "account '{}' was changed by someone else (now version {}, you sent {}); reload and "
          "try again",
          rec->account.username, rec->account.version, expected_version)));
    if (u.disabled.value_or(false) || u.password) XT_TRY_VOID(store::RevokeSessionsOf(ex, id, now));
    json::Json payload = json::Json::object();
    if (u.display_name) payload["display_name"] = *u.display_name;
    if (u.phone) payload["phone_changed"] = true;  // the number itself stays out of the log
    if (u.disabled) payload["disabled"] = *u.disabled;
    if (u.password) payload["password_changed"] = true;
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id, "identity.account.update", std::string(id), std::move(payload)}));
    return {};
  }));
  return GetAccount(actor, id);
}

Result<Membership> IdentityService::AddMembership(const Principal& actor,
                                                  std::string_view account_id,
                                                  std::string_view unit_id, Role role) {
  const Timestamp now = clock_.Now();
  // Runs after the write has committed (destructors run after the return value is made).
  const ForgetOnExit forget{this};
  return db_.Write([&](Executor& ex) -> Result<Membership> {
    XT_ASSIGN_OR_RETURN(auto rec, store::FindAccount(ex, account_id));
    if (!rec)
      return Fail(Error::NotFound(fmt::format("there is no account with id '{}'", account_id)));
    XT_ASSIGN_OR_RETURN(OrgUnit unit, RequireUnit(ex, unit_id));
    if (!Can(actor, Action::kAccountManage, unit.path)) return Fail(OutsideScope("this unit"));
    if ((rec->account.kind == AccountKind::kResident) != (role == Role::kResident))
      return Fail(Error::InvalidArgument(
          "residents hold only the 'resident' role, and staff never hold it"));
    for (const auto& m : rec->account.memberships)
      if (m.unit_id == unit.id && m.role == role)
        return Fail(Error::Conflict(fmt::format("'{}' already holds {} in {}",
                                                rec->account.username, RoleName(role), unit.name)));
    Membership m{ids_.Next(), rec->account.id, unit.id, unit.name, unit.path, role};
    XT_TRY_VOID(store::InsertMembership(ex, m, now));
    XT_TRY_VOID(
        audit::Append(ex, now,
                      {actor.account_id,
                       "identity.membership.add",
                       rec->account.id,
                       {{"membership_id", m.id}, {"unit_id", unit.id}, {"role", RoleName(role)}}}));
    return m;
  });
}

Result<void> IdentityService::RemoveMembership(const Principal& actor,
                                               std::string_view membership_id) {
  const Timestamp now = clock_.Now();
  // Runs after the write has committed (destructors run after the return value is made).
  const ForgetOnExit forget{this};
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto m, store::FindMembership(ex, membership_id));
    if (!m)
      return Fail(
          Error::NotFound(fmt::format("there is no membership with id '{}'", membership_id)));
    if (!Can(actor, Action::kAccountManage, m->unit_path))
      return Fail(OutsideScope("this membership"));
    if (m->account_id == actor.account_id && m->role == Role::kAdmin)
      return Fail(Error::Conflict(
          "you cannot remove your own administrator role; ask another administrator"));
    XT_TRY_VOID(store::DeleteMembership(ex, membership_id));
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id,
         "identity.membership.remove",
         m->account_id,
         {{"membership_id", m->id}, {"unit_id", m->unit_id}, {"role", RoleName(m->role)}}}));
    return {};
  });
}

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "identity", .needs = {&audit::Schema()}, .migrations = {store::Migrations()}};
  return schema;
}

}  // namespace xietong::identity
