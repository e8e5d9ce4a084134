#include "exchange/exchange_service.h"

#include <fmt/core.h>
#include <sodium.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "audit/audit_log.h"
#include "core/identifiers.h"
#include "exchange/dcat.h"
#include "identity/authorization.h"

namespace xietong::exchange {

using identity::Action;
using identity::Principal;
using storage::Executor;

const storage::Schema& Schema() {
  static const storage::Schema schema{.module = "exchange",
                                      .needs = {&identity::Schema(), &audit::Schema()},
                                      .migrations = {store::Migrations()}};
  return schema;
}

namespace {

constexpr Timestamp kDay = kMicrosPerDay;

// The memberships through which actor may do action.
std::vector<const identity::Membership*> Through(const Principal& actor, Action action) {
  std::vector<const identity::Membership*> out;
  for (const auto& m : actor.memberships)
    if (identity::RoleAllows(m.role, action)) out.push_back(&m);
  return out;
}

std::vector<std::string> UnitIds(const std::vector<const identity::Membership*>& ms) {
  std::vector<std::string> out;
  for (const auto* m : ms)
    if (std::find(out.begin(), out.end(), m->unit_id) == out.end()) out.push_back(m->unit_id);
  return out;
}

Error NoResource(std::string_view id) {
  return Error::NotFound(fmt::format("no data resource '{}'", id.substr(0, 64)));
}

bool Staff(const Principal& actor) {
  return actor.is_system() || actor.kind == identity::AccountKind::kStaff;
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), buf.data(), buf.size());
  hex.pop_back();
  return hex;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Timestamp DayOf(Timestamp t) {  // the city's (UTC+8) day, as its first second
  return ((t + kShanghaiOffset) / kDay) * kDay - kShanghaiOffset;
}

}  // namespace

// --- helpers -------------------------------------------------------------------------

Result<Elements> ExchangeService::ElementMap(Executor& ex) {
  XT_ASSIGN_OR_RETURN(const auto versions, store::ReadVersions(ex));
  XT_ASSIGN_OR_RETURN(const auto cached, CachedElements(ex, versions.elements));
  return *cached;
}

Result<std::shared_ptr<const Elements>> ExchangeService::CachedElements(Executor& ex,
                                                                        std::int64_t version) {
  {
    std::lock_guard lock(mutex_);
    if (elements_ && elements_version_ == version) return elements_;
  }
  auto out = std::make_shared<Elements>();
  for (const auto& e : StandardElements()) out->emplace(e.code, e);
  XT_ASSIGN_OR_RETURN(auto custom, store::CustomElements(ex));
  for (auto& e : custom)
    if (!out->contains(e.code)) out->emplace(e.code, std::move(e));
  std::lock_guard lock(mutex_);
  // Another thread may have read a newer version meanwhile: keep the newest.
  if (version >= elements_version_) {
    elements_version_ = version;
    elements_ = out;
  }
  return std::shared_ptr<const Elements>(std::move(out));
}

Result<std::shared_ptr<const std::vector<Grant>>> ExchangeService::CachedGrants(
    Executor& ex, std::int64_t version, std::string_view resource_id,
    const std::vector<std::string>& consumer_unit_ids) {
  std::string key(resource_id);
  for (const auto& u : consumer_unit_ids) key += "|" + u;
  {
    std::lock_guard lock(mutex_);
    if (grants_version_ == version)
      if (auto it = grants_.find(key); it != grants_.end()) return it->second;
  }
  XT_ASSIGN_OR_RETURN(auto read, store::GrantsFor(ex, resource_id, consumer_unit_ids, ""));
  auto out = std::make_shared<const std::vector<Grant>>(std::move(read));
  std::lock_guard lock(mutex_);
  if (version > grants_version_) {
    grants_.clear();
    grants_version_ = version;
  }
  if (version == grants_version_) {
    if (grants_.size() > 10'000) grants_.clear();
    grants_[key] = out;
  }
  return out;
}

Result<std::string> ExchangeService::Digest(std::string_view id_number) {
  std::string pepper;
  {
    std::lock_guard lock(mutex_);
    pepper = pepper_;
  }
  if (pepper.empty()) {
    XT_ASSIGN_OR_RETURN(pepper, db_.Write([&](Executor& ex) {
      return store::Secret(ex, "subject_digest_key", RandomHex(32));
    }));
    std::lock_guard lock(mutex_);
    pepper_ = pepper;
  }
  // Keyed BLAKE2b: identity numbers are few enough to guess, so an unkeyed
  // hash in the log would be as good as the number itself.
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(id_number.data()),
                     id_number.size(), reinterpret_cast<const unsigned char*>(pepper.data()),
                     std::min<std::size_t>(pepper.size(), crypto_generichash_KEYBYTES_MAX));
  std::string hex(sizeof out * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out, sizeof out);
  hex.pop_back();
  return hex;
}

Result<std::shared_ptr<const Resource>> ExchangeService::CachedResource(Executor& ex,
                                                                        std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto version, store::ResourceVersion(ex, id));
  if (!version) return Fail(NoResource(id));
  {
    std::lock_guard lock(mutex_);
    if (auto it = resources_.find(id); it != resources_.end() && it->second->version == *version)
      return it->second;
  }
  XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, id));
  if (!r) return Fail(NoResource(id));
  auto shared = std::make_shared<const Resource>(std::move(*r));
  std::lock_guard lock(mutex_);
  if (resources_.size() > 10'000) resources_.clear();
  resources_[shared->id] = shared;
  return shared;
}

Result<std::shared_ptr<const identity::OrgUnit>> ExchangeService::Unit(std::string_view id) {
  return identity_.GetUnit(Principal::System(), id);
}

bool ExchangeService::MayPublish(const Principal& actor, const Resource& r) const {
  return identity::Can(actor, Action::kDataPublish, r.owner_path);
}

Result<void> ExchangeService::TakeToken(const Grant& g) {
  const auto now = std::chrono::steady_clock::now();
  const double rate = std::max(1, g.rate_per_minute) / 60.0;  // tokens per second
  const double burst = std::max(10.0, g.rate_per_minute / 6.0);
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(g.id, Bucket{burst, now});
  Bucket& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst, b.tokens + std::chrono::duration<double>(now - b.at).count() * rate);
    b.at = now;
  }
  if (b.tokens < 1)
    return Fail(Error::TooManyRequests(
        fmt::format("grant {} allows {} lookups a minute; try again in {:.0f} s", g.id,
                    g.rate_per_minute, std::ceil((1 - b.tokens) / rate))));
  b.tokens -= 1;
  return {};
}

// --- elements and catalogue ------------------------------------------------------------

Result<std::vector<DataElement>> ExchangeService::ListElements() {
  XT_ASSIGN_OR_RETURN(auto map, db_.Read([&](Executor& ex) { return ElementMap(ex); }));
  std::vector<DataElement> out;
  for (auto& [code, e] : map) out.push_back(std::move(e));
  return out;
}

Result<DataElement> ExchangeService::DefineElement(const Principal& actor, const json::Json& doc) {
  if (Through(actor, Action::kDataPublish).empty() && !actor.is_system())
    return Fail(Error::PermissionDenied(
        "registering a data element needs the data officer (首席数据官) role"));
  XT_ASSIGN_OR_RETURN(auto e, ParseElement(doc));
  for (const auto& s : StandardElements())
    if (s.code == e.code)
      return Fail(Error::Conflict(fmt::format(
          "'{}' is a standard data element ({}); it cannot be changed", e.code, s.name)));
  return db_.Write([&](Executor& ex) -> Result<DataElement> {
    const Timestamp now = clock_.Now();
    XT_TRY_VOID(store::UpsertElement(ex, e, actor.account_id, now));
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id, "exchange.element.defined", "element:" + e.code, ElementJson(e)}));
    return e;
  });
}

Result<Resource> ExchangeService::Publish(const Principal& actor, const json::Json& doc) {
  const auto publishers = Through(actor, Action::kDataPublish);
  if (publishers.empty() && !actor.is_system())
    return Fail(Error::PermissionDenied(
        "publishing data resources needs the data officer (首席数据官) role"));
  // The owner unit.
  std::shared_ptr<const identity::OrgUnit> owner;
  if (doc.is_object() && doc.contains("owner_unit_id")) {
    if (!doc["owner_unit_id"].is_string())
      return Fail(Error::InvalidArgument("field 'owner_unit_id': must be a string")
                      .About("owner_unit_id", "wrong_type"));
    auto unit = Unit(doc["owner_unit_id"].get<std::string>());
    if (!unit) return Fail(std::move(unit.error()).About("owner_unit_id", "unknown"));
    owner = *unit;
  } else if (!publishers.empty()) {
    XT_ASSIGN_OR_RETURN(owner, Unit(publishers.front()->unit_id));
  } else {
    return Fail(Error::InvalidArgument("field 'owner_unit_id': is required")
                    .About("owner_unit_id", "required"));
  }
  if (!identity::Can(actor, Action::kDataPublish, owner->path))
    return Fail(Error::PermissionDenied(
        fmt::format("you are not a data officer (首席数据官) of {}", owner->name)));
  std::string steward = actor.account_id;
  if (doc.is_object() && doc.contains("steward_id") && doc["steward_id"].is_string()) {
    steward = doc["steward_id"].get<std::string>();
    auto account = identity_.GetAccount(Principal::System(), steward);
    if (!account) return Fail(std::move(account.error()).About("steward_id", "unknown"));
    const bool officer =
        std::any_of(account->memberships.begin(), account->memberships.end(), [&](const auto& m) {
          return m.unit_id == owner->id && m.role == identity::Role::kDataOfficer;
        });
    if (!officer)
      return Fail(Error::InvalidArgument(
                      fmt::format("field 'steward_id': {} is not a data officer (首席数据官) of {}",
                                  account->display_name, owner->name))
                      .About("steward_id", "not_data_officer"));
  }
  return db_.Write([&](Executor& ex) -> Result<Resource> {
    XT_ASSIGN_OR_RETURN(auto elements, ElementMap(ex));
    XT_ASSIGN_OR_RETURN(Resource r, ParseResource(doc, elements));
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(auto existing, store::FindResourceByCode(ex, r.code));
    r.owner_unit_id = owner->id;
    r.owner_path = owner->path;
    r.owner_name = owner->name;
    r.steward_id = steward;
    r.updated_at = now;
    if (!existing) {
      r.id = ids_.Next();
      r.created_at = now;
      XT_TRY_VOID(store::InsertResource(ex, r));
      XT_TRY_VOID(audit::Append(ex, now,
                                {actor.account_id,
                                 "exchange.resource.published",
                                 r.id,
                                 {{"code", r.code},
                                  {"owner_unit_id", r.owner_unit_id},
                                  {"grade", GradeName(EffectiveGrade(r))},
                                  {"share", ShareName(r.share)}}}));
      return r;
    }
    if (existing->owner_unit_id != r.owner_unit_id)
      return Fail(Error::Conflict(fmt::format("{} belongs to {}; only its owner changes it", r.code,
                                              existing->owner_name)));
    // Grades change only through ProposeGrade (the steward's approval).
    if (r.grade != existing->grade)
      return Fail(Error::Conflict("field 'grade': a grade changes only through a grade change "
                                  "the steward approves (POST …/grade-changes)")
                      .About("grade", "grade_change_needed"));
    for (const auto& f : r.fields) {
      const Field* old = FindField(*existing, f.name);
      if ((old && old->grade != f.grade) ||
          (!old && f.grade != Grade::kGeneral && f.grade < EffectiveGrade(*existing)))
        return Fail(Error::Conflict(fmt::format("field '{}': its grade changes only through a "
                                                "grade change the steward approves",
                                                f.name))
                        .About("fields", "grade_change_needed"));
    }
    r.id = existing->id;
    r.created_at = existing->created_at;
    r.last_import_at = existing->last_import_at;
    r.rows = existing->rows;
    r.version = existing->version;
    if (r.key_field != existing->key_field && existing->rows > 0)
      return Fail(Error::Conflict("field 'key_field': the key of a resource with records cannot "
                                  "change; publish a new resource")
                      .About("key_field", "has_records"));
    XT_ASSIGN_OR_RETURN(const bool written, store::UpdateResource(ex, r));
    if (!written) return Fail(Error::Conflict(fmt::format("{} was changed meanwhile", r.code)));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "exchange.resource.changed",
                               r.id,
                               {{"code", r.code}, {"version", r.version}}}));
    return r;
  });
}

Result<std::vector<ResourceView>> ExchangeService::Catalog(const Principal& actor,
                                                           const CatalogQuery& query) {
  if (!Staff(actor))
    return Fail(Error::PermissionDenied("the data catalogue is for government staff"));
  std::optional<Grade> grade;
  if (!query.grade.empty()) {
    auto g = ParseGrade(query.grade);
    if (!g) return Fail(std::move(g.error()).About("grade", "invalid"));
    grade = *g;
  }
  std::optional<Share> share;
  if (!query.share.empty()) {
    auto s = ParseShare(query.share);
    if (!s) return Fail(std::move(s.error()).About("share", "invalid"));
    share = *s;
  }
  return db_.Read([&](Executor& ex) -> Result<std::vector<ResourceView>> {
    XT_ASSIGN_OR_RETURN(auto all, store::Resources(ex));
    XT_ASSIGN_OR_RETURN(auto latest, store::QualityHistory(ex, "", clock_.Now() - 7 * kDay));
    std::map<std::string, json::Json> scores;
    for (auto& p : latest) scores[p.resource_id] = std::move(p.scores);  // oldest first: last wins
    std::vector<ResourceView> out;
    for (auto& r : all) {
      if (!query.owner_unit_id.empty() && r.owner_unit_id != query.owner_unit_id) continue;
      if (grade && EffectiveGrade(r) != *grade) continue;
      if (share && r.share != *share) continue;
      if (!query.q.empty() && r.title.find(query.q) == std::string::npos &&
          r.description.find(query.q) == std::string::npos &&
          r.code.find(query.q) == std::string::npos &&
          std::none_of(r.keywords.begin(), r.keywords.end(),
                       [&](const std::string& k) { return k.find(query.q) != std::string::npos; }))
        continue;
      ResourceView v;
      v.resource = std::move(r);
      v.effective_grade = EffectiveGrade(v.resource);
      if (auto it = scores.find(v.resource.id); it != scores.end()) {
        const auto& s = it->second;
        v.scores = {s.value("completeness", 1.0), s.value("validity", 1.0),
                    s.value("uniqueness", 1.0), s.value("timeliness", 1.0),
                    s.value("consistency", 1.0)};
        v.scored = true;
      }
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<ResourceView> ExchangeService::Get(const Principal& actor, std::string_view id) {
  if (!Staff(actor))
    return Fail(Error::PermissionDenied("the data catalogue is for government staff"));
  return db_.Read([&](Executor& ex) -> Result<ResourceView> {
    XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, id));
    if (!r) return Fail(NoResource(id));
    ResourceView v;
    v.resource = std::move(*r);
    v.effective_grade = EffectiveGrade(v.resource);
    XT_ASSIGN_OR_RETURN(auto history, store::QualityHistory(ex, id, clock_.Now() - 7 * kDay));
    if (!history.empty()) {
      const auto& s = history.back().scores;
      v.scores = {s.value("completeness", 1.0), s.value("validity", 1.0),
                  s.value("uniqueness", 1.0), s.value("timeliness", 1.0),
                  s.value("consistency", 1.0)};
      v.scored = true;
    }
    return v;
  });
}

Result<std::string> ExchangeService::CatalogExport(std::string_view base_url, bool turtle) {
  XT_ASSIGN_OR_RETURN(auto resources, db_.Read([&](Executor& ex) { return store::Resources(ex); }));
  CatalogInfo info;
  info.base_url = std::string(base_url);
  while (info.base_url.ends_with('/')) info.base_url.pop_back();
  XT_ASSIGN_OR_RETURN(auto units, identity_.AllUnits());
  for (const auto& u : units) {
    if (u.parent_id) continue;
    info.publisher_id = u.id;
    info.publisher_name = u.name;
    break;
  }
  if (info.publisher_id.empty()) {
    info.publisher_id = "city";
    info.publisher_name = "江澜市";
  }
  for (const auto& r : resources)
    info.modified = std::max({info.modified, r.updated_at, r.last_import_at});
  if (info.modified == 0) info.modified = clock_.Now();
  return turtle ? CatalogTurtle(info, resources) : CatalogJsonLd(info, resources);
}

// --- imports and quality ---------------------------------------------------------------

Result<ImportReport> ExchangeService::Import(const Principal& actor, std::string_view resource_id,
                                             std::string bytes, bool accept_defects) {
  if (bytes.size() > kMaxImportBytes)
    return Fail(Error::TooLarge(
        fmt::format("an import is at most {} MiB; split the file", kMaxImportBytes >> 20)));
  XT_ASSIGN_OR_RETURN(auto resource, db_.Read([&](Executor& ex) -> Result<Resource> {
    XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, resource_id));
    if (!r) return Fail(NoResource(resource_id));
    return std::move(*r);
  }));
  if (!MayPublish(actor, resource))
    return Fail(Error::PermissionDenied(
        fmt::format("only the data officers of {} import {}", resource.owner_name, resource.code)));
  if (resource.kind != "hosted")
    return Fail(Error::Conflict(
        fmt::format("{} is answered by its owner's system ({}); it has no records to import",
                    resource.code, resource.endpoint)));
  XT_ASSIGN_OR_RETURN(auto elements, db_.Read([&](Executor& ex) { return ElementMap(ex); }));
  XT_ASSIGN_OR_RETURN(ImportCheck check, CheckImport(resource, elements, std::move(bytes)));
  ImportReport report;
  report.encoding = check.encoding;
  report.rows = check.rows;
  report.defects = check.defects;
  report.blocking = check.blocking;
  report.problems = check.problems;
  report.scores = check.scores;
  report.accepted = check.blocking == 0 && (check.defects == 0 || accept_defects) && check.rows > 0;
  const Timestamp now = clock_.Now();
  json::Json problems = json::Json::array();
  for (std::size_t i = 0; i < check.problems.size() && i < 200; ++i) {
    const auto& p = check.problems[i];
    problems.push_back({{"line", p.line},
                        {"column", p.column},
                        {"reason", p.reason},
                        {"message", p.message},
                        {"defect", p.defect}});
  }
  if (!report.accepted) {
    // Nothing of it is stored: the refusal is the report the caller gets.
    return report;
  }
  report.scores.timeliness = 1;
  report.import_id = ids_.Next();
  report.stored = static_cast<std::int64_t>(check.records.size());
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto current, store::FindResource(ex, resource_id));
    if (!current) return Fail(NoResource(resource_id));
    XT_TRY_VOID(store::ReplaceRecords(ex, *current, check.records, report.import_id));
    current->rows = report.stored;
    current->last_import_at = now;
    XT_ASSIGN_OR_RETURN(const bool written, store::UpdateResource(ex, *current));
    if (!written)
      return Fail(
          Error::Conflict(fmt::format("{} was changed meanwhile; import again", current->code)));
    XT_TRY_VOID(
        store::InsertImport(ex, {report.import_id, current->id, actor.account_id, now,
                                 report.encoding, report.rows, report.stored, report.defects,
                                 report.blocking, true, ScoresJson(report.scores), problems}));
    XT_TRY_VOID(store::PutQuality(ex, current->id, DayOf(now), ScoresJson(report.scores)));
    json::Json payload = {{"code", current->code},
                          {"rows", report.stored},
                          {"encoding", report.encoding},
                          {"defects", report.defects},
                          {"scores", ScoresJson(report.scores)}};
    XT_TRY_VOID(
        audit::Append(ex, now, {actor.account_id, "exchange.import.stored", current->id, payload}));
    if (report.defects > 0) {
      // A defect batch is work for the owner: it is filed in the hub as a
      // request to the owner (app/exchange_work.h), counted like any other.
      json::Json sample = json::Json::array();
      for (std::size_t i = 0; i < check.problems.size() && sample.size() < 5; ++i)
        if (check.problems[i].defect) sample.push_back(check.problems[i].message);
      std::string body = fmt::format(
          "{}（{}）{} 导入时发现 {} 处数据质量缺陷。数据已入库，质量评分随之下降；请核实、更正后"
          "重新导入。\n",
          current->title, current->code, FormatRfc3339(now), report.defects);
      for (const auto& line : sample) body += "· " + line.get<std::string>() + "\n";
      XT_TRY_VOID(store::InsertDefectWork(
          ex, {report.import_id, current->id, current->owner_unit_id,
               fmt::format("数据质量缺陷：{}（{} 处）", current->title, report.defects),
               std::move(body), now}));
      XT_TRY_VOID(audit::Append(ex, now,
                                {actor.account_id,
                                 "exchange.quality.defects",
                                 current->id,
                                 {{"code", current->code},
                                  {"title", current->title},
                                  {"owner_unit_id", current->owner_unit_id},
                                  {"import_id", report.import_id},
                                  {"defects", report.defects},
                                  {"sample", std::move(sample)}}}));
    }
    return {};
  }));
  return report;
}

Result<ExchangeService::RecordsPage> ExchangeService::Records(const Principal& actor,
                                                              std::string_view resource_id,
                                                              std::string_view after_key,
                                                              int limit) {
  limit = std::clamp(limit, 1, 500);
  XT_ASSIGN_OR_RETURN(auto r,
                      db_.Read([&](Executor& ex) { return store::FindResource(ex, resource_id); }));
  if (!r) return Fail(NoResource(resource_id));
  if (!MayPublish(actor, *r))
    return Fail(Error::PermissionDenied(fmt::format(
        "only the data officers of {} see its records whole; others use the gateway under a "
        "grant",
        r->owner_name)));
  RecordsPage page;
  XT_ASSIGN_OR_RETURN(page.records, db_.Read([&](Executor& ex) {
    return store::RecordsPage(ex, resource_id, after_key, limit);
  }));
  if (static_cast<int>(page.records.size()) == limit) page.next_after = page.records.back().key;
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(audit::Append(
        ex, clock_.Now(),
        {actor.account_id,
         "exchange.records.viewed",
         r->id,
         {{"after", after_key.empty() ? "" : "(a key)"}, {"records", page.records.size()}}}));
    return {};
  }));
  return page;
}

Result<std::vector<store::ImportRow>> ExchangeService::Imports(const Principal& actor,
                                                               std::string_view resource_id) {
  XT_TRY_VOID(Get(actor, resource_id));
  return db_.Read([&](Executor& ex) { return store::ImportsOf(ex, resource_id, 50); });
}

Result<std::vector<store::DefectWork>> ExchangeService::PendingDefectWork(int limit) {
  return db_.Read([&](Executor& ex) { return store::PendingDefectWork(ex, limit); });
}

Result<void> ExchangeService::DefectWorkFiled(std::string_view import_id,
                                              std::string_view request_id) {
  return db_.Write([&](Executor& ex) -> Result<void> {
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(const bool marked,
                        store::MarkDefectWorkFiled(ex, import_id, request_id, now));
    if (!marked) return {};  // another node filed it first (the same request, by idempotency)
    XT_TRY_VOID(audit::Append(ex, now,
                              {"system",
                               "exchange.quality.filed",
                               std::string(import_id),
                               {{"request_id", request_id}}}));
    return {};
  });
}

Result<int> ExchangeService::ScoreAll(Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto elements, db_.Read([&](Executor& ex) { return ElementMap(ex); }));
  XT_ASSIGN_OR_RETURN(auto resources, db_.Read([&](Executor& ex) { return store::Resources(ex); }));
  constexpr int kPage = 5000;
  // Calls visit(page) for every page of a hosted resource's records.
  auto each_page = [&](const Resource& r, auto visit) -> Result<void> {
    std::string after;
    for (;;) {
      XT_ASSIGN_OR_RETURN(auto page, db_.Read([&](Executor& ex) {
        return store::RecordsPage(ex, r.id, after, kPage);
      }));
      if (page.empty()) return {};
      visit(page);
      if (page.size() < static_cast<std::size_t>(kPage)) return {};
      after = page.back().key;
    }
  };
  // First pass: the keys of the resources keyed by each data element —
  // what a field of that element elsewhere should point to (consistency).
  std::map<std::string, std::unordered_set<std::string>> keys_by_element;
  for (const auto& r : resources) {
    const Field* key = FindField(r, r.key_field);
    if (r.kind != "hosted" || !key || key->element.empty()) continue;
    auto& keys = keys_by_element[key->element];
    XT_TRY_VOID(each_page(r, [&](const std::vector<store::StoredRecord>& page) {
      for (const auto& row : page) keys.insert(row.key);
    }));
  }
  // Second pass: each resource's own figures, page by page.
  int scored = 0;
  for (const auto& r : resources) {
    Scores s;
    if (r.kind == "hosted") {
      RecordTally tally(r, elements);
      std::int64_t refs = 0, found = 0;
      XT_TRY_VOID(each_page(r, [&](const std::vector<store::StoredRecord>& page) {
        for (const auto& row : page) {
          const auto rec = json::Json::parse(row.data, nullptr, false);
          if (!rec.is_object()) continue;
          tally.Add(rec);
          for (const auto& f : r.fields) {
            if (f.name == r.key_field || f.element.empty()) continue;
            const auto it = keys_by_element.find(f.element);
            const auto v = rec.find(f.name);
            if (it == keys_by_element.end() || v == rec.end() || !v->is_string()) continue;
            ++refs;
            found += it->second.contains(v->get<std::string>()) ? 1 : 0;
          }
        }
      }));
      s = tally.scores();
      if (refs > 0) s.consistency = static_cast<double>(found) / static_cast<double>(refs);
    }
    s.timeliness = Timeliness(r, now);
    XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
      return store::PutQuality(ex, r.id, DayOf(now), ScoresJson(s));
    }));
    ++scored;
  }
  return scored;
}

Result<std::vector<Scorecard>> ExchangeService::Scorecards(const Principal& actor, Timestamp from) {
  if (!Staff(actor))
    return Fail(Error::PermissionDenied("the data catalogue is for government staff"));
  return db_.Read([&](Executor& ex) -> Result<std::vector<Scorecard>> {
    XT_ASSIGN_OR_RETURN(auto resources, store::Resources(ex));
    XT_ASSIGN_OR_RETURN(auto history, store::QualityHistory(ex, "", from));
    std::map<std::string, const Resource*> by_id;
    for (const auto& r : resources) by_id[r.id] = &r;
    std::map<std::string, Scorecard> cards;
    std::map<std::string, std::map<Timestamp, std::pair<double, int>>> trend;
    std::map<std::string, json::Json> latest;
    for (const auto& p : history) {
      const auto it = by_id.find(p.resource_id);
      if (it == by_id.end()) continue;
      latest[p.resource_id] = p.scores;
      auto& t = trend[it->second->owner_unit_id][p.day];
      t.first += p.scores.value("overall", 1.0);
      t.second += 1;
    }
    for (const auto& r : resources) {
      auto& c = cards[r.owner_unit_id];
      c.unit_id = r.owner_unit_id;
      c.unit_name = r.owner_name;
      ++c.resources;
    }
    std::map<std::string, int> counted;
    for (const auto& [id, s] : latest) {
      auto& c = cards[by_id[id]->owner_unit_id];
      const int n = ++counted[c.unit_id];
      auto mean = [&](double& into, const char* key) {
        into = (into * (n - 1) + s.value(key, 1.0)) / n;
      };
      mean(c.mean.completeness, "completeness");
      mean(c.mean.validity, "validity");
      mean(c.mean.uniqueness, "uniqueness");
      mean(c.mean.timeliness, "timeliness");
      mean(c.mean.consistency, "consistency");
    }
    std::vector<Scorecard> out;
    for (auto& [unit, c] : cards) {
      for (const auto& [day, sum] : trend[unit]) c.trend.push_back({day, sum.first / sum.second});
      out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const Scorecard& a, const Scorecard& b) {
      return a.mean.overall() > b.mean.overall();
    });
    return out;
  });
}

Result<std::vector<store::QualityPoint>> ExchangeService::QualityTrend(const Principal& actor,
                                                                       std::string_view resource_id,
                                                                       Timestamp from) {
  XT_TRY_VOID(Get(actor, resource_id));
  return db_.Read([&](Executor& ex) { return store::QualityHistory(ex, resource_id, from); });
}

// --- grades ----------------------------------------------------------------------------

Result<store::GradeChange> ExchangeService::ProposeGrade(const Principal& actor,
                                                         std::string_view resource_id,
                                                         std::string field, std::string_view grade,
                                                         std::string reason) {
  auto to = ParseGrade(grade);
  if (!to) return Fail(std::move(to.error()).About("grade", "invalid"));
  if (reason.empty() || json::CountCodePoints(reason) > 500)
    return Fail(Error::InvalidArgument("field 'reason': says why the grade changes (1–500 "
                                       "characters)")
                    .About("reason", "required"));
  return db_.Write([&](Executor& ex) -> Result<store::GradeChange> {
    XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, resource_id));
    if (!r) return Fail(NoResource(resource_id));
    if (!MayPublish(actor, *r))
      return Fail(Error::PermissionDenied(fmt::format(
          "only the data officers of {} change the grades of {}", r->owner_name, r->code)));
    Grade from = r->grade;
    if (!field.empty()) {
      const Field* f = FindField(*r, field);
      if (!f)
        return Fail(Error::InvalidArgument(fmt::format("field 'field': '{}' is not a field of {}",
                                                       field.substr(0, 48), r->code))
                        .About("field", "unknown"));
      from = f->grade;
    }
    if (from == *to)
      return Fail(Error::Conflict(fmt::format("the grade is already {}", GradeZh(*to))));
    const Timestamp now = clock_.Now();
    store::GradeChange g{ids_.Next(),
                         r->id,
                         field,
                         std::string(GradeName(from)),
                         std::string(GradeName(*to)),
                         std::move(reason),
                         actor.account_id,
                         actor.display_name,
                         now};
    const bool steward = actor.account_id == r->steward_id;
    if (steward) {
      g.status = "approved";
      g.decided_by = actor.account_id;
      g.decided_at = now;
      if (field.empty()) {
        r->grade = *to;
      } else {
        for (auto& f : r->fields)
          if (f.name == field) f.grade = *to;
      }
      r->updated_at = now;
      XT_ASSIGN_OR_RETURN(const bool written, store::UpdateResource(ex, *r));
      if (!written) return Fail(Error::Conflict(fmt::format("{} was changed meanwhile", r->code)));
    }
    XT_TRY_VOID(store::InsertGradeChange(ex, g));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               steward ? "exchange.grade.changed" : "exchange.grade.proposed",
                               r->id,
                               {{"change_id", g.id},
                                {"field", g.field},
                                {"from", g.from_grade},
                                {"to", g.to_grade},
                                {"reason", g.reason}}}));
    return g;
  });
}

Result<store::GradeChange> ExchangeService::DecideGrade(const Principal& actor,
                                                        std::string_view change_id, bool approve) {
  return db_.Write([&](Executor& ex) -> Result<store::GradeChange> {
    XT_ASSIGN_OR_RETURN(auto g, store::FindGradeChange(ex, change_id));
    if (!g)
      return Fail(Error::NotFound(fmt::format("no grade change '{}'", change_id.substr(0, 64))));
    XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, g->resource_id));
    if (!r) return Fail(NoResource(g->resource_id));
    if (actor.account_id != r->steward_id && !actor.is_system())
      return Fail(Error::PermissionDenied(
          fmt::format("only the steward (首席数据官) of {} decides its grade changes", r->code)));
    if (g->status != "pending")
      return Fail(Error::Conflict(fmt::format("grade change {} is already {}", g->id, g->status)));
    const Timestamp now = clock_.Now();
    g->status = approve ? "approved" : "rejected";
    g->decided_by = actor.account_id;
    g->decided_at = now;
    XT_ASSIGN_OR_RETURN(const bool decided, store::UpdateGradeChange(ex, *g));
    if (!decided) return Fail(Error::Conflict("the grade change was decided meanwhile"));
    if (approve) {
      XT_ASSIGN_OR_RETURN(const Grade to, ParseGrade(g->to_grade));
      if (g->field.empty()) {
        r->grade = to;
      } else {
        for (auto& f : r->fields)
          if (f.name == g->field) f.grade = to;
      }
      r->updated_at = now;
      XT_ASSIGN_OR_RETURN(const bool written, store::UpdateResource(ex, *r));
      if (!written) return Fail(Error::Conflict(fmt::format("{} was changed meanwhile", r->code)));
    }
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               approve ? "exchange.grade.changed" : "exchange.grade.refused",
                               r->id,
                               {{"change_id", g->id},
                                {"field", g->field},
                                {"from", g->from_grade},
                                {"to", g->to_grade}}}));
    return std::move(*g);
  });
}

Result<std::vector<store::GradeChange>> ExchangeService::GradeChanges(
    const Principal& actor, std::string_view resource_id) {
  XT_TRY_VOID(Get(actor, resource_id));
  return db_.Read([&](Executor& ex) { return store::GradeChangesOf(ex, resource_id); });
}

// --- access requests and grants ----------------------------------------------------------

Result<AccessRequest> ExchangeService::RequestAccess(const Principal& actor,
                                                     const json::Json& doc) {
  const auto requesters = Through(actor, Action::kDataRequest);
  if (requesters.empty())
    return Fail(Error::PermissionDenied(
        "asking for another unit's data needs the data officer or unit lead role"));
  if (!doc.is_object()) return Fail(Error::InvalidArgument("an access request is a JSON object"));
  const identity::Membership* consumer = requesters.front();
  if (auto it = doc.find("consumer_unit_id"); it != doc.end()) {
    if (!it->is_string())
      return Fail(Error::InvalidArgument("field 'consumer_unit_id': must be a string")
                      .About("consumer_unit_id", "wrong_type"));
    const auto match = std::find_if(requesters.begin(), requesters.end(), [&](const auto* m) {
      return m->unit_id == it->get<std::string>();
    });
    if (match == requesters.end())
      return Fail(Error::PermissionDenied(
          "field 'consumer_unit_id': you may ask only for a unit where you are data officer or "
          "unit lead"));
    consumer = *match;
  }
  XT_ASSIGN_OR_RETURN(auto resource_id, json::RequireString(doc, "resource_id", {1, 64}));
  return db_.Write([&](Executor& ex) -> Result<AccessRequest> {
    XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, resource_id));
    if (!r) return Fail(std::move(NoResource(resource_id)).About("resource_id", "unknown"));
    if (r->owner_unit_id == consumer->unit_id)
      return Fail(Error::Conflict(fmt::format("{} is your own unit's data", r->code)));
    XT_ASSIGN_OR_RETURN(AccessRequest req, ParseAccessRequest(doc, *r));
    const Timestamp now = clock_.Now();
    req.id = ids_.Next();
    req.owner_unit_id = r->owner_unit_id;
    req.owner_path = r->owner_path;
    req.consumer_unit_id = consumer->unit_id;
    req.consumer_path = consumer->unit_path;
    req.consumer_name = consumer->unit_name;
    req.requester_id = actor.account_id;
    req.requester_name = actor.display_name;
    req.created_at = now;
    XT_TRY_VOID(store::InsertRequest(ex, req));
    json::Json fields = json::Json::array();
    for (const auto& f : req.fields) fields.push_back(f.name);
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "exchange.access.requested",
                               req.id,
                               {{"resource_id", r->id},
                                {"consumer_unit_id", req.consumer_unit_id},
                                {"fields", fields},
                                {"purpose_code", req.purpose_code}}}));
    return req;
  });
}

Result<std::vector<AccessRequest>> ExchangeService::AccessRequests(const Principal& actor,
                                                                   std::string_view box,
                                                                   std::string_view status) {
  if (!status.empty()) {
    auto s = ParseRequestStatus(status);
    if (!s) return Fail(std::move(s.error()).About("status", "invalid"));
  }
  if (box != "" && box != "incoming" && box != "outgoing")
    return Fail(
        Error::InvalidArgument("field 'box': is incoming or outgoing").About("box", "invalid"));
  store::RequestFilter f;
  f.status = std::string(status);
  if (box != "outgoing")
    for (const auto* m : Through(actor, Action::kDataPublish))
      f.owner_paths.push_back(m->unit_path);
  if (box != "incoming") {
    for (const auto& m : actor.memberships)
      if (std::find(f.consumer_unit_ids.begin(), f.consumer_unit_ids.end(), m.unit_id) ==
          f.consumer_unit_ids.end())
        f.consumer_unit_ids.push_back(m.unit_id);
  }
  if (f.owner_paths.empty() && f.consumer_unit_ids.empty()) return std::vector<AccessRequest>{};
  return db_.Read([&](Executor& ex) { return store::Requests(ex, f); });
}

Result<AccessRequest> ExchangeService::GetAccessRequest(const Principal& actor,
                                                        std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto req, db_.Read([&](Executor& ex) { return store::FindRequest(ex, id); }));
  const bool mine =
      req && std::any_of(actor.memberships.begin(), actor.memberships.end(),
                         [&](const auto& m) { return m.unit_id == req->consumer_unit_id; });
  if (!req || (!mine && !identity::Can(actor, Action::kDataPublish, req->owner_path)))
    return Fail(Error::NotFound(fmt::format("no access request '{}'", id.substr(0, 64))));
  return std::move(*req);
}

Result<AccessRequest> ExchangeService::Approve(const Principal& actor, std::string_view id,
                                               const std::vector<std::string>& fields,
                                               const std::vector<std::string>& unmasked,
                                               std::string note) {
  return db_.Write([&](Executor& ex) -> Result<AccessRequest> {
    XT_ASSIGN_OR_RETURN(auto req, store::FindRequest(ex, id));
    if (!req) return Fail(Error::NotFound(fmt::format("no access request '{}'", id.substr(0, 64))));
    if (!identity::Can(actor, Action::kDataPublish, req->owner_path))
      return Fail(Error::PermissionDenied(
          "only the data officers (首席数据官) of the owning unit decide access to its data"));
    XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, req->resource_id));
    if (!r) return Fail(NoResource(req->resource_id));
    const Timestamp now = clock_.Now();
    std::string action;
    if (req->status == RequestStatus::kAwaitingSecond) {
      XT_TRY_VOID(Confirm(*req, actor.account_id, actor.display_name, now));
      action = "exchange.access.confirmed";
    } else {
      XT_ASSIGN_OR_RETURN(const bool second, Decide(*req, *r, fields, unmasked, actor.account_id,
                                                    actor.display_name, std::move(note), now));
      action = second ? "exchange.access.first_approved" : "exchange.access.approved";
    }
    json::Json granted = json::Json::array();
    for (const auto& d : req->decisions)
      if (d.approved) granted.push_back({{"name", d.name}, {"unmasked", d.unmasked}});
    if (req->status == RequestStatus::kApproved) {
      Grant g = GrantFor(*req, ids_.Next(), now);
      req->grant_id = g.id;
      XT_TRY_VOID(store::InsertGrant(ex, g));
      XT_TRY_VOID(audit::Append(ex, now,
                                {actor.account_id,
                                 "exchange.grant.issued",
                                 g.id,
                                 {{"request_id", req->id},
                                  {"resource_id", g.resource_id},
                                  {"consumer_unit_id", g.consumer_unit_id},
                                  {"fields", granted},
                                  {"purpose_code", g.purpose_code},
                                  {"expires_at", g.expires_at}}}));
    }
    XT_ASSIGN_OR_RETURN(const bool written, store::UpdateRequest(ex, *req));
    if (!written) return Fail(Error::Conflict("the access request was decided meanwhile"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               action,
                               req->id,
                               {{"fields", granted}, {"status", RequestStatusName(req->status)}}}));
    return std::move(*req);
  });
}

Result<AccessRequest> ExchangeService::Reject(const Principal& actor, std::string_view id,
                                              std::string reason) {
  return db_.Write([&](Executor& ex) -> Result<AccessRequest> {
    XT_ASSIGN_OR_RETURN(auto req, store::FindRequest(ex, id));
    if (!req) return Fail(Error::NotFound(fmt::format("no access request '{}'", id.substr(0, 64))));
    if (!identity::Can(actor, Action::kDataPublish, req->owner_path))
      return Fail(Error::PermissionDenied(
          "only the data officers (首席数据官) of the owning unit decide access to its data"));
    const Timestamp now = clock_.Now();
    XT_TRY_VOID(
        exchange::Reject(*req, actor.account_id, actor.display_name, std::move(reason), now));
    XT_ASSIGN_OR_RETURN(const bool written, store::UpdateRequest(ex, *req));
    if (!written) return Fail(Error::Conflict("the access request was decided meanwhile"));
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id, "exchange.access.rejected", req->id, {{"reason", req->reason}}}));
    return std::move(*req);
  });
}

Result<std::vector<Grant>> ExchangeService::Grants(const Principal& actor,
                                                   std::string_view resource_id) {
  store::GrantFilter f;
  f.resource_id = std::string(resource_id);
  for (const auto& m : actor.memberships) {
    f.consumer_unit_ids.push_back(m.unit_id);
    if (identity::RoleAllows(m.role, Action::kDataPublish)) f.owner_unit_ids.push_back(m.unit_id);
  }
  const bool everything = identity::Can(actor, Action::kDataPublish, "");
  if (everything) {
    f.owner_unit_ids.clear();
    f.consumer_unit_ids.clear();
  } else if (f.consumer_unit_ids.empty()) {
    return std::vector<Grant>{};
  }
  return db_.Read([&](Executor& ex) -> Result<std::vector<Grant>> {
    if (everything) return store::Grants(ex, f);
    // A data officer sees the grants of their unit's resources and of
    // resources in their subtree: owner_unit_ids lists the units; the
    // subtree is resolved by owner path.
    XT_ASSIGN_OR_RETURN(auto resources, store::Resources(ex));
    for (const auto& r : resources)
      if (MayPublish(actor, r) && std::find(f.owner_unit_ids.begin(), f.owner_unit_ids.end(),
                                            r.owner_unit_id) == f.owner_unit_ids.end())
        f.owner_unit_ids.push_back(r.owner_unit_id);
    return store::Grants(ex, f);
  });
}

Result<Grant> ExchangeService::Revoke(const Principal& actor, std::string_view grant_id,
                                      std::string reason) {
  if (reason.empty())
    return Fail(Error::InvalidArgument("field 'reason': says why the grant is revoked")
                    .About("reason", "required"));
  return db_.Write([&](Executor& ex) -> Result<Grant> {
    XT_ASSIGN_OR_RETURN(auto g, store::FindGrant(ex, grant_id));
    if (!g) return Fail(Error::NotFound(fmt::format("no grant '{}'", grant_id.substr(0, 64))));
    XT_ASSIGN_OR_RETURN(auto r, store::FindResource(ex, g->resource_id));
    if (!r || !MayPublish(actor, *r))
      return Fail(Error::PermissionDenied(
          "only the data officers (首席数据官) of the owning unit revoke its grants"));
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(const bool revoked, store::RevokeGrant(ex, g->id, now, reason));
    if (!revoked) return Fail(Error::Conflict(fmt::format("grant {} is already revoked", g->id)));
    g->revoked_at = now;
    g->revoked_reason = reason;
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "exchange.grant.revoked", g->id, {{"reason", reason}}}));
    return std::move(*g);
  });
}

// --- the gateway -----------------------------------------------------------------------

Result<GatewayAnswer> ExchangeService::Lookup(const Principal& actor, std::string_view resource_id,
                                              const std::vector<std::string>& keys,
                                              std::string_view purpose_code,
                                              const std::vector<std::string>& fields) {
  if (keys.empty() || keys.size() > kMaxBatch)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'keys': one lookup asks for 1–{} records", kMaxBatch))
                    .About("keys", "out_of_range"));
  for (const auto& k : keys)
    if (k.empty() || k.size() > 128 || json::FindInvalidUtf8(k))
      return Fail(Error::InvalidArgument("field 'keys': a record key is 1–128 bytes of UTF-8")
                      .About("keys", "invalid"));
  if (purpose_code.empty())
    return Fail(Error::InvalidArgument(
                    "the purpose is required: send X-Purpose with the purpose code of your "
                    "unit's grant")
                    .About("X-Purpose", "required"));
  const auto queriers = UnitIds(Through(actor, Action::kDataQuery));
  if (queriers.empty())
    return Fail(
        Error::PermissionDenied("querying shared data needs a handler, unit lead, "
                                "operator or data officer role"));
  // One read for everything the answer needs; the records are read before
  // the grant is checked only to save a round trip; nothing leaves unchecked.
  // What does not change between lookups (the resource, the grants, the
  // data elements) comes from this node's caches after one version check.
  struct Read {
    std::shared_ptr<const Resource> resource;
    std::shared_ptr<const std::vector<Grant>> grants;
    std::vector<store::StoredRecord> records;
    std::shared_ptr<const Elements> elements;
  };
  XT_ASSIGN_OR_RETURN(Read read, db_.Read([&](Executor& ex) -> Result<Read> {
    Read out;
    XT_ASSIGN_OR_RETURN(const auto versions, store::ReadVersions(ex));
    XT_ASSIGN_OR_RETURN(out.resource, CachedResource(ex, resource_id));
    XT_ASSIGN_OR_RETURN(out.grants, CachedGrants(ex, versions.grants, resource_id, queriers));
    const bool held = std::any_of(out.grants->begin(), out.grants->end(),
                                  [&](const Grant& g) { return g.purpose_code == purpose_code; });
    if (held && out.resource->kind == "hosted") {
      XT_ASSIGN_OR_RETURN(out.records, store::FindRecords(ex, resource_id, keys));
    }
    XT_ASSIGN_OR_RETURN(out.elements, CachedElements(ex, versions.elements));
    return out;
  }));
  const Resource& r = *read.resource;
  const Timestamp now = clock_.Now();
  const Grant* grant = nullptr;
  std::vector<std::string> held;
  for (const auto& g : *read.grants) {
    if (!g.active(now)) continue;
    held.push_back(g.purpose_code);
    if (g.purpose_code == purpose_code && !grant) grant = &g;
  }
  auto refuse = [&](Error e) -> Result<GatewayAnswer> {
    // Refusals are on the record too: who tried what.
    XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
      XT_TRY_VOID(audit::Append(
          ex, now,
          {actor.account_id,
           "exchange.gateway.refused",
           r.id,
           {{"purpose_code", purpose_code}, {"keys", keys.size()}, {"reason", e.message}}}));
      return {};
    }));
    return Fail(std::move(e));
  };
  if (!grant)
    return refuse(Error::PermissionDenied(
        held.empty()
            ? fmt::format("your unit holds no active grant of {} ({}); ask its owner {} for access",
                          r.title, r.code, r.owner_name)
            : fmt::format("your unit holds no active grant of {} for purpose '{}'; its grants "
                          "are for: {}",
                          r.code, purpose_code.substr(0, 64), Join(held))));
  std::vector<std::string> wanted = fields;
  if (wanted.empty())
    for (const auto& f : grant->fields) wanted.push_back(f.name);
  std::vector<std::string> missing;
  for (const auto& f : wanted)
    if (!grant->field(f)) missing.push_back(f.substr(0, 48));
  if (!missing.empty())
    return refuse(Error::PermissionDenied(
        fmt::format("grant {} does not cover field(s) {} of {}; it covers: {}", grant->id,
                    Join(missing), r.code, [&] {
                      std::vector<std::string> names;
                      for (const auto& f : grant->fields) names.push_back(f.name);
                      return Join(names);
                    }())));
  XT_TRY_VOID(TakeToken(*grant));

  // The records.
  std::map<std::string, json::Json> found;
  if (r.kind == "remote") {
    if (!fetch_) return Fail(Error::Unavailable("remote resources are not enabled on this node"));
    for (const auto& k : keys) {
      auto got = fetch_(r.endpoint, k, remote_timeout_);
      if (!got) {
        const Error failure = got.error();
        XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
          XT_TRY_VOID(audit::Append(
              ex, clock_.Now(),
              {actor.account_id,
               "exchange.gateway.failed",
               grant->id,
               {{"resource_id", r.id}, {"endpoint", r.endpoint}, {"error", failure.message}}}));
          return {};
        }));
        return Fail(failure);
      }
      if (*got) found.emplace(k, std::move(**got));
    }
  } else {
    for (auto& row : read.records)
      found.emplace(row.key, json::Json::parse(row.data, nullptr, false));
  }
  const Elements& elements = *read.elements;
  const Field* key_field = FindField(r, r.key_field);
  auto element = [&](const Field* f) -> const DataElement* {
    if (!f) return nullptr;
    const auto it = elements.find(f->element);
    return it == elements.end() ? nullptr : &it->second;
  };
  GatewayAnswer answer;
  answer.grant_id = grant->id;
  answer.resource_id = r.id;
  answer.purpose_code = grant->purpose_code;
  answer.fields = wanted;
  std::vector<store::AccessEntry> log;
  json::Json masked_keys = json::Json::array();
  for (const auto& k : keys) {
    GatewayRecord out;
    out.key = k;
    const auto it = found.find(k);
    out.found = it != found.end() && it->second.is_object();
    std::string subject;
    if (key_field && key_field->element == "id_number") {
      XT_ASSIGN_OR_RETURN(subject, Digest(k));
    }
    if (out.found) {
      for (const auto& name : wanted) {
        const Field* f = FindField(r, name);
        const auto v = it->second.find(name);
        if (!f || v == it->second.end() || v->is_null()) continue;
        const std::string value = v->is_string() ? v->get<std::string>() : v->dump();
        out.data[name] = grant->field(name)->unmasked ? value : MaskValue(*f, element(f), value);
      }
      // A record about a person (an owner's identity number in a property
      // record) shows in that person's log even when the key is not theirs.
      if (subject.empty()) {
        for (const auto& f : r.fields) {
          if (f.element != "id_number") continue;
          const auto v = it->second.find(f.name);
          if (v != it->second.end() && v->is_string()) {
            XT_ASSIGN_OR_RETURN(subject, Digest(v->get<std::string>()));
            break;
          }
        }
      }
    }
    const std::string masked_key =
        MaskValue(key_field ? *key_field : Field{}, element(key_field), k);
    masked_keys.push_back(masked_key);
    store::AccessEntry e;
    e.id = ids_.Next();
    e.at = now;
    e.grant_id = grant->id;
    e.resource_id = r.id;
    e.consumer_unit_id = grant->consumer_unit_id;
    e.actor = actor.account_id;
    e.subject_digest = std::move(subject);
    e.record_key = masked_key;
    e.fields = wanted;
    e.purpose_code = grant->purpose_code;
    e.found = out.found;
    log.push_back(std::move(e));
    answer.records.push_back(std::move(out));
  }
  // Nothing leaves before its record is durable.
  XT_ASSIGN_OR_RETURN(answer.audit_seq, db_.Write([&](Executor& ex) -> Result<std::int64_t> {
    XT_ASSIGN_OR_RETURN(
        const auto seq,
        audit::Append(
            ex, now,
            {actor.account_id,
             "exchange.gateway.answered",
             grant->id,
             {{"resource_id", r.id},
              {"unit_id", grant->consumer_unit_id},
              {"purpose_code", grant->purpose_code},
              {"fields", wanted},
              {"keys", masked_keys},
              {"found", std::count_if(answer.records.begin(), answer.records.end(),
                                      [](const GatewayRecord& x) { return x.found; })}}}));
    for (auto& e : log) e.audit_seq = seq;
    XT_TRY_VOID(store::InsertAccess(ex, log));
    return seq;
  }));
  return answer;
}

Result<std::vector<UsageFigure>> ExchangeService::Usage(const Principal& actor, Timestamp from,
                                                        Timestamp to) {
  if (!Staff(actor))
    return Fail(Error::PermissionDenied("the gateway's figures are for government staff"));
  return db_.Read([&](Executor& ex) -> Result<std::vector<UsageFigure>> {
    XT_ASSIGN_OR_RETURN(auto resources, store::Resources(ex));
    std::vector<std::string> ids;
    std::map<std::string, std::string> titles;
    const bool everything = identity::Can(actor, Action::kDataPublish, "");
    for (const auto& r : resources) {
      titles[r.id] = r.title;
      if (everything || MayPublish(actor, r)) ids.push_back(r.id);
    }
    std::set<std::string> own_units;
    for (const auto& m : actor.memberships) own_units.insert(m.unit_id);
    XT_ASSIGN_OR_RETURN(auto rows, store::Usage(ex, {}, from, to));
    std::vector<UsageFigure> out;
    for (const auto& u : rows) {
      const bool owner = std::find(ids.begin(), ids.end(), u.resource_id) != ids.end();
      if (!owner && !own_units.contains(u.consumer_unit_id)) continue;
      UsageFigure f{u.day,     u.resource_id, titles[u.resource_id], u.consumer_unit_id, "",
                    u.lookups, u.found};
      if (auto unit = Unit(u.consumer_unit_id)) f.consumer_name = (*unit)->name;
      out.push_back(std::move(f));
    }
    return out;
  });
}

// --- residents -------------------------------------------------------------------------

Result<void> ExchangeService::LinkResident(const Principal& actor, std::string_view account_id,
                                           std::string_view id_number) {
  if (!identity::Can(actor, Action::kAccountManage, ""))
    return Fail(Error::PermissionDenied(
        "linking a resident to an identity number (实名核验) is for administrators"));
  if (!ValidIdNumber(id_number))
    return Fail(Error::InvalidArgument("field 'id_number': is not a valid 公民身份号码")
                    .About("id_number", "invalid_id_number"));
  XT_ASSIGN_OR_RETURN(auto account, identity_.GetAccount(Principal::System(), account_id));
  if (account.kind != identity::AccountKind::kResident)
    return Fail(Error::InvalidArgument("only a resident's account is linked to an identity number")
                    .About("account_id", "not_resident"));
  XT_ASSIGN_OR_RETURN(const auto digest, Digest(id_number));
  return db_.Write([&](Executor& ex) -> Result<void> {
    const Timestamp now = clock_.Now();
    XT_TRY_VOID(store::LinkPerson(ex, account.id, digest, actor.account_id, now));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "exchange.resident.linked",
                               account.id,
                               {{"id_number", MaskKeepEnds(id_number)}}}));
    return {};
  });
}

Result<std::optional<ExchangeService::LinkedPerson>> ExchangeService::PersonOf(
    std::string_view account_id) {
  return db_.Read([&](Executor& ex) -> Result<std::optional<LinkedPerson>> {
    XT_ASSIGN_OR_RETURN(auto digest, store::PersonDigest(ex, account_id));
    if (!digest) return std::optional<LinkedPerson>{};
    LinkedPerson p;
    p.digest = std::move(*digest);
    XT_ASSIGN_OR_RETURN(p.account_ids, store::AccountsOfPerson(ex, p.digest));
    return std::optional<LinkedPerson>{std::move(p)};
  });
}

Result<std::vector<AccessLogEntry>> ExchangeService::MyAccessLog(const Principal& actor) {
  if (actor.is_system() || actor.account_id.starts_with("apikey:"))
    return Fail(Error::PermissionDenied("the data-use log is a signed-in person's own"));
  return db_.Read([&](Executor& ex) -> Result<std::vector<AccessLogEntry>> {
    XT_ASSIGN_OR_RETURN(auto digest, store::PersonDigest(ex, actor.account_id));
    std::vector<AccessLogEntry> out;
    if (!digest) return out;
    XT_ASSIGN_OR_RETURN(auto entries, store::AccessBySubject(ex, *digest, 500));
    std::map<std::string, std::optional<Grant>> grants;
    for (auto& e : entries) {
      AccessLogEntry x;
      x.at = e.at;
      x.fields = std::move(e.fields);
      x.found = e.found;
      x.purpose_code = e.purpose_code;
      x.record_key = e.record_key;
      x.audit_seq = e.audit_seq;
      XT_ASSIGN_OR_RETURN(auto r, CachedResource(ex, e.resource_id));
      x.resource_code = r->code;
      x.resource_title = r->title;
      for (const auto& name : x.fields) {
        const Field* f = FindField(*r, name);
        x.field_titles.push_back(f && !f->title.empty() ? f->title : name);
      }
      auto& g = grants[e.grant_id];
      if (!g) {
        XT_ASSIGN_OR_RETURN(g, store::FindGrant(ex, e.grant_id));
      }
      if (g) {
        x.purpose = g->purpose;
        x.unit_name = g->consumer_name;
      }
      out.push_back(std::move(x));
    }
    return out;
  });
}

}  // namespace xietong::exchange
