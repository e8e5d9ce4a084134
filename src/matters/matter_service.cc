#include "matters/matter_service.h"

#include <fmt/core.h>

#include <algorithm>

#include "audit/audit_log.h"
#include "core/json.h"
#include "identity/authorization.h"
#include "identity/identity_service.h"
#include "matters/matter_store.h"

namespace xietong::matters {
namespace {

using storage::Executor;

Error NoSuchMatter(std::string_view id) {
  return Error::NotFound(fmt::format("there is no matter with id '{}'", id));
}

Result<Matter> RequireMatter(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto m, store::FindMatter(ex, id));
  if (!m) return Fail(NoSuchMatter(id));
  return std::move(*m);
}

// The fields an update may change, as the audit log records them.
json::Json ChangeableFields(const Matter& m) {
  json::Json j = {{"name", m.name},
                  {"name_en", m.name_en},
                  {"legal_basis", m.legal_basis},
                  {"keywords", m.keywords},
                  {"active", m.active}};
  if (m.is_leaf()) {
    j["handler"] = HandlerLevelName(m.handler);
    j["department_code"] = m.department_code;
    j["tier"] = TierName(m.tier);
    j["sign_limit"] = LimitJson(m.sign_limit);
    j["finish_limit"] = LimitJson(m.finish_limit);
    j["return_window"] = LimitJson(m.return_window);
  }
  return j;
}

// {"field": {"from": old, "to": new}} for every field that differs.
json::Json Diff(const Matter& before, const Matter& after) {
  const json::Json a = ChangeableFields(before);
  const json::Json b = ChangeableFields(after);
  json::Json out = json::Json::object();
  for (const auto& [key, value] : b.items()) {
    auto was = a.find(key);
    if (was == a.end() || *was != value)
      out[key] = {{"from", was == a.end() ? json::Json(nullptr) : *was}, {"to", value}};
  }
  return out;
}

// Leaf-only fields on levels 1-2 keep their defaults, so that two versions
// of a category never differ in fields nobody can see or change.
void ClearLeafFields(Matter& m) {
  const Matter defaults;
  m.handler = defaults.handler;
  m.department_code.clear();
  m.tier = defaults.tier;
  m.sign_limit = defaults.sign_limit;
  m.finish_limit = defaults.finish_limit;
  m.return_window = defaults.return_window;
}

std::string Describe(const Matter& m) { return fmt::format("{} {}", m.code, m.name); }

}  // namespace

MatterService::MatterService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                             MatterOptions options)
    : db_(db), clock_(clock), ids_(ids), options_(options) {}

Result<void> MatterService::RequireManage(const identity::Principal& actor) const {
  if (!identity::Can(actor, identity::Action::kMatterManage, ""))
    return Fail(
        Error::PermissionDenied("only a city-wide administrator may change the list of matters"));
  return {};
}

Result<std::shared_ptr<const Catalog>> MatterService::Snapshot() {
  std::lock_guard lock(mutex_);
  const Timestamp now = clock_.Now();
  if (catalog_ && now >= loaded_at_ && now - loaded_at_ < options_.snapshot_ttl) return catalog_;
  XT_ASSIGN_OR_RETURN(auto all, db_.Read([](Executor& ex) { return store::ListMatters(ex); }));
  catalog_ = std::make_shared<const Catalog>(std::move(all));
  loaded_at_ = now;
  return catalog_;
}

void MatterService::ForgetSnapshot() {
  std::lock_guard lock(mutex_);
  catalog_.reset();
}

Result<Matter> MatterService::Get(std::string_view id) {
  return db_.Read([&](Executor& ex) { return RequireMatter(ex, id); });
}

Result<Matter> MatterService::GetVersion(std::string_view id, std::int64_t version) {
  return db_.Read([&](Executor& ex) -> Result<Matter> {
    XT_ASSIGN_OR_RETURN(auto m, store::FindVersion(ex, id, version));
    if (m) return std::move(*m);
    XT_ASSIGN_OR_RETURN(Matter current, RequireMatter(ex, id));
    return Fail(
        Error::NotFound(fmt::format("matter '{}' has no version {}; its versions are 1 to {}",
                                    Describe(current), version, current.version)));
  });
}

Result<std::vector<Matter>> MatterService::Versions(std::string_view id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<Matter>> {
    XT_ASSIGN_OR_RETURN(auto versions, store::ListVersions(ex, id));
    if (versions.empty()) return Fail(NoSuchMatter(id));
    return versions;
  });
}

Result<Matter> MatterService::CreateIn(Executor& ex, const identity::Principal& actor, Matter m,
                                       Timestamp now) {
  std::optional<Matter> parent;
  if (m.parent_id) {
    XT_ASSIGN_OR_RETURN(parent, RequireMatter(ex, *m.parent_id));
    if (parent->is_leaf())
      return Fail(Error::InvalidArgument(fmt::format(
          "matter '{}' is a level-3 leaf and cannot have children; choose a level-1 or level-2 "
          "parent",
          Describe(*parent))));
    m.level = parent->level + 1;
  } else {
    m.level = 1;
  }
  if (!m.is_leaf()) ClearLeafFields(m);
  m.version = 1;
  m.updated_at = now;
  XT_TRY_VOID(Validate(m));
  if (parent && ParentCode(m.code) != parent->code)
    return Fail(Error::InvalidArgument(fmt::format(
        "field 'code' must extend the parent's code '{}' by one part, like '{}-01', not '{}'",
        parent->code, parent->code, m.code)));
  XT_ASSIGN_OR_RETURN(auto clash, store::FindMatterByCode(ex, m.code));
  if (clash)
    return Fail(Error::Conflict(
        fmt::format("matter code '{}' is already used by '{}'", m.code, clash->name)));
  XT_TRY_VOID(store::InsertMatter(ex, m));
  json::Json payload = ChangeableFields(m);
  payload["code"] = m.code;
  payload["level"] = m.level;
  payload["parent_id"] = m.parent_id ? json::Json(*m.parent_id) : json::Json(nullptr);
  payload["version"] = m.version;
  XT_TRY_VOID(
      audit::Append(ex, now, {actor.account_id, "matter.created", m.id, std::move(payload)}));
  return m;
}

Result<Matter> MatterService::Create(const identity::Principal& actor, Matter input) {
  XT_TRY_VOID(RequireManage(actor));
  const Timestamp now = clock_.Now();
  input.id = ids_.Next();
  auto created =
      db_.Write([&](Executor& ex) -> Result<Matter> { return CreateIn(ex, actor, input, now); });
  if (created) ForgetSnapshot();
  return created;
}

Result<Matter> MatterService::Update(const identity::Principal& actor, std::string_view id,
                                     std::int64_t expected_version, const MatterUpdate& u) {
  XT_TRY_VOID(RequireManage(actor));
  const Timestamp now = clock_.Now();
  bool changed = false;
  auto updated = db_.Write([&](Executor& ex) -> Result<Matter> {
    XT_ASSIGN_OR_RETURN(Matter current, RequireMatter(ex, id));
    if (current.version != expected_version)
      return Fail(Error::Conflict(fmt::format(
          "matter '{}' was changed by someone else (now version {}, you sent {}); reload and try "
          "again",
          Describe(current), current.version, expected_version)));
    if (!current.is_leaf()) {
      const char* leaf_field = u.handler           ? "handler"
                               : u.department_code ? "department_code"
                               : u.tier            ? "tier"
                               : u.sign_limit      ? "sign_limit"
                               : u.finish_limit    ? "finish_limit"
                               : u.return_window   ? "return_window"
                                                   : nullptr;
      if (leaf_field)
        return Fail(Error::InvalidArgument(
            fmt::format("field '{}' applies to level-3 matters only; '{}' is on level {}",
                        leaf_field, Describe(current), current.level)));
    }
    Matter next = current;
    if (u.name) next.name = *u.name;
    if (u.name_en) next.name_en = *u.name_en;
    if (u.handler) {
      next.handler = *u.handler;
      // A department code means nothing to a community or street handler.
      if (!IsDepartment(next.handler) && !u.department_code) next.department_code.clear();
    }
    if (u.department_code) next.department_code = *u.department_code;
    if (u.tier) next.tier = *u.tier;
    if (u.sign_limit) next.sign_limit = *u.sign_limit;
    if (u.finish_limit) next.finish_limit = *u.finish_limit;
    if (u.return_window) next.return_window = *u.return_window;
    if (u.legal_basis) next.legal_basis = *u.legal_basis;
    if (u.keywords) next.keywords = *u.keywords;
    if (u.active) next.active = *u.active;
    if (next == current) return current;
    XT_TRY_VOID(Validate(next));
    next.version = current.version + 1;
    next.updated_at = now;
    XT_ASSIGN_OR_RETURN(bool stored, store::UpdateMatter(ex, next, expected_version));
    if (!stored)
      return Fail(Error::Conflict(fmt::format(
          "matter '{}' was changed by someone else at the same time; reload and try again",
          Describe(current))));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "matter.updated",
                               next.id,
                               {{"version", next.version}, {"changes", Diff(current, next)}}}));
    changed = true;
    return next;
  });
  if (changed) ForgetSnapshot();
  return updated;
}

Result<int> MatterService::Seed(const identity::Principal& actor,
                                const std::vector<Matter>& matters) {
  XT_TRY_VOID(RequireManage(actor));
  std::vector<Matter> ordered = matters;
  // A parent's code is a prefix of its children's, so it sorts before them.
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Matter& a, const Matter& b) { return a.code < b.code; });
  const Timestamp now = clock_.Now();
  auto created = db_.Write([&](Executor& ex) -> Result<int> {
    int count = 0;
    for (Matter& m : ordered) {
      if (LevelOfCode(m.code) == 0)
        return Fail(Error::InvalidArgument(
            fmt::format("matter '{}' has code '{}', which is not like '03', '03-02' or '03-02-05'",
                        m.name, m.code)));
      XT_ASSIGN_OR_RETURN(auto existing, store::FindMatterByCode(ex, m.code));
      if (existing) continue;
      m.parent_id.reset();
      if (const std::string_view parent_code = ParentCode(m.code); !parent_code.empty()) {
        XT_ASSIGN_OR_RETURN(auto parent, store::FindMatterByCode(ex, parent_code));
        if (!parent)
          return Fail(Error::InvalidArgument(fmt::format(
              "matter '{}' needs its parent '{}', which neither exists nor is in the list",
              Describe(m), parent_code)));
        m.parent_id = parent->id;
      }
      m.id = ids_.Next();
      XT_TRY_VOID(CreateIn(ex, actor, std::move(m), now));
      ++count;
    }
    return count;
  });
  if (created && *created > 0) ForgetSnapshot();
  return created;
}

const storage::Schema& Schema() {
  static const storage::Schema schema{.module = "matters",
                                      .needs = {&identity::Schema(), &audit::Schema()},
                                      .migrations = {store::Migrations()}};
  return schema;
}

}  // namespace xietong::matters
