#include "emergency/warning_service.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "core/json.h"
#include "emergency/warning_store.h"
#include "identity/authorization.h"
#include "requests/directory.h"

namespace xietong::emergency {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;
using warning::Status;
using warning::Warning;

constexpr std::string_view kConsumer = "emergency.warnings";
constexpr std::size_t kMaxDispatchMemory = 200000;

// The incident type a keyword suggests (incident.h's types).
std::string TypeFor(const Warning& w) {
  if (w.kind != warning::Kind::kKeyword) return "other";
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"积水", "waterlogging"},  {"内涝", "waterlogging"},  {"燃气", "gas_leak"},
      {"煤气", "gas_leak"},      {"漏气", "gas_leak"},      {"停水", "water_outage"},
      {"塌陷", "road_collapse"}, {"坍塌", "road_collapse"}, {"火", "fire"},
      {"冒烟", "fire"},          {"中毒", "public_health"}};
  for (const auto& [word, type] : kTypes) {
    if (w.key.find(word) != std::string::npos) return std::string(type);
  }
  return "other";
}

// City-level supervision: 督办 over the whole city, or at the hotline centre.
bool CitySupervisor(const Principal& actor, const requests::Directory& dir) {
  if (identity::Can(actor, Action::kRequestSupervise, "")) return true;
  const auto* centre = dir.Centre();
  return centre && identity::Can(actor, Action::kRequestSupervise, centre->path);
}

json::Json AuditPayload(const Warning& w) {
  return {{"kind", warning::KindName(w.kind)},
          {"key", w.key},
          {"category", w.category},
          {"street_id", w.street_id},
          {"status", warning::StatusName(w.status)},
          {"observed", w.observed},
          {"target_unit_ids", w.target_unit_ids}};
}

}  // namespace

WarningService::WarningService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                               requests::RequestService& requests, const WorkCalendar* calendar,
                               warning::Options options, int snapshot_every)
    : db_(db),
      clock_(clock),
      ids_(ids),
      requests_(requests),
      snapshot_every_(std::max(1, snapshot_every)),
      keywords_(options.keywords),
      detector_(std::move(options), calendar) {}

audit::ConsumerOptions WarningService::ConsumerOptions() {
  return {.name = std::string(kConsumer), .action_prefix = "request.", .batch = 2000};
}

Result<void> WarningService::Rebuild(Executor& ex, std::int64_t upto) {
  XT_ASSIGN_OR_RETURN(auto rules, store::ListRules(ex));
  std::vector<warning::Rule> rs;
  for (auto& r : rules) rs.push_back(std::move(r.rule));
  detector_.SetRules(std::move(rs));
  XT_ASSIGN_OR_RETURN(auto state, store::LoadDetectorState(ex, kConsumer));
  std::int64_t seq = 0;
  if (state) {
    XT_TRY_VOID(detector_.Restore(state->snapshot));
    seq = state->seq;
  } else {
    detector_.Restore(warning::Detector(detector_.options()).Snapshot()).value();
  }
  dispatched_to_.clear();
  // The committed events after the snapshot: their effects are stored already.
  while (seq < upto) {
    XT_ASSIGN_OR_RETURN(auto events, audit::EventsAfter(ex, seq, "request.", 5000));
    if (events.empty()) break;
    for (const auto& e : events) {
      if (e.seq > upto) break;
      XT_TRY_VOID(Feed(ex, e, false));
      seq = e.seq;
    }
    if (events.back().seq > upto) break;
  }
  detector_.TakeQuiet();
  fed_seq_ = upto;
  since_snapshot_ = 0;
  loaded_ = true;
  return {};
}

Result<void> WarningService::OnEvent(Executor& ex, const audit::Event& e) {
  std::lock_guard lock(mutex_);
  if (!loaded_ || e.seq <= fed_seq_) XT_TRY_VOID(Rebuild(ex, e.seq - 1));
  XT_TRY_VOID(Feed(ex, e, true));
  fed_seq_ = e.seq;
  if (++since_snapshot_ >= snapshot_every_) {
    XT_TRY_VOID(store::SaveDetectorState(ex, kConsumer, {e.seq, detector_.Snapshot()}, e.at));
    since_snapshot_ = 0;
  }
  return {};
}

std::optional<WarningService::Parsed> WarningService::Parse(const audit::Event& e) {
  const bool received = e.action == "request.received";
  if (!received && e.action != "request.dispatched" && e.action != "request.transferred") {
    return std::nullopt;
  }
  auto p = json::Json::parse(e.payload, nullptr, false);
  if (!p.is_object()) return std::nullopt;
  Parsed out;
  out.received = received;
  if (!received) {
    if (!p.contains("unit_id") || !p["unit_id"].is_string()) return std::nullopt;
    out.unit_id = p["unit_id"].get<std::string>();
    return out;
  }
  warning::Observation& o = out.observation;
  o.request_id = e.subject;
  o.at = e.at;
  o.category = p.value("matter_id", "");
  o.street_id = p.value("street_id", "");
  // The words intake found (RequestService::SetKeywordFinder), never the text itself.
  if (const auto k = p.find("keywords"); k != p.end() && k->is_array()) {
    for (const auto& word : *k) {
      if (!word.is_string()) continue;
      if (!o.text.empty()) o.text += ' ';
      o.text += word.get<std::string>();
    }
  }
  // The places intake named (RequestService::SetPlaceFinder).
  if (const auto k = p.find("places"); k != p.end() && k->is_array()) {
    for (const auto& place : *k) {
      if (place.is_string()) o.places.push_back(place.get<std::string>());
    }
  }
  return out;
}

void WarningService::Prepare(const std::vector<audit::Event>& events) {
  std::unordered_map<std::int64_t, Parsed> parsed;
  for (const auto& e : events) {
    if (auto p = Parse(e)) parsed.emplace(e.seq, std::move(*p));
  }
  std::lock_guard lock(prepared_mutex_);
  // A batch read ahead and then not used (its cursor moved) leaves entries
  // nobody takes: bounded by starting over.
  if (prepared_.size() > 100000) prepared_.clear();
  prepared_.merge(parsed);
}

std::optional<WarningService::Parsed> WarningService::TakePrepared(std::int64_t seq) {
  std::lock_guard lock(prepared_mutex_);
  auto node = prepared_.extract(seq);
  if (node.empty()) return std::nullopt;
  return std::move(node.mapped());
}

Result<void> WarningService::Feed(Executor& ex, const audit::Event& e, bool effects) {
  auto parsed = TakePrepared(e.seq);
  if (!parsed) parsed = Parse(e);
  if (!parsed) return {};
  if (!parsed->received) {
    if (dispatched_to_.size() >= kMaxDispatchMemory) dispatched_to_.clear();
    dispatched_to_[e.subject] = std::move(parsed->unit_id);
    return {};
  }
  const warning::Observation& o = parsed->observation;
  const auto alerts = detector_.Add(o);
  if (!effects) return {};
  for (const auto& a : alerts) XT_TRY_VOID(Raise(ex, a, e.at));
  for (const auto& q : detector_.TakeQuiet()) {
    XT_ASSIGN_OR_RETURN(auto w, store::FindOpenWarning(ex, q.kind, q.key, q.street_id));
    if (!w) continue;
    w->status = Status::kQuiet;
    w->closed_at = q.at;
    w->updated_at = q.at;
    XT_TRY_VOID(store::UpdateWarning(ex, *w));
  }
  return {};
}

Result<std::vector<std::string>> WarningService::Targets(const warning::Alert& a) {
  std::vector<std::string> out;
  if (!a.street_id.empty()) out.push_back(a.street_id);
  for (const auto& id : a.request_ids) {
    const auto it = dispatched_to_.find(id);
    if (it != dispatched_to_.end() && std::find(out.begin(), out.end(), it->second) == out.end()) {
      out.push_back(it->second);
    }
    if (out.size() >= 10) break;
  }
  return out;
}

Result<void> WarningService::Raise(Executor& ex, const warning::Alert& a, Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto open, store::FindOpenWarning(ex, a.kind, a.key, a.street_id));
  XT_ASSIGN_OR_RETURN(auto targets, Targets(a));
  if (open) {
    open->observed = std::max(open->observed, a.observed);
    open->expected = a.expected;
    open->evidence = warning::EvidenceJson(a);
    open->updated_at = now;
    for (auto& t : targets) {
      if (std::find(open->target_unit_ids.begin(), open->target_unit_ids.end(), t) ==
          open->target_unit_ids.end()) {
        open->target_unit_ids.push_back(t);
      }
    }
    return store::UpdateWarning(ex, *open);
  }
  Warning w;
  w.id = ids_.Next();
  w.kind = a.kind;
  w.key = a.key;
  w.category = a.category;
  w.street_id = a.street_id;
  w.opened_at = w.updated_at = now;
  w.observed = a.observed;
  w.expected = a.expected;
  w.evidence = warning::EvidenceJson(a);
  w.target_unit_ids = std::move(targets);
  XT_TRY_VOID(store::InsertWarning(ex, w));
  XT_TRY_VOID(
      audit::Append(ex, now, {"system", "emergency.warning.raised", w.id, AuditPayload(w)}));
  return {};
}

bool WarningService::Visible(const Principal& actor, const Warning& w) {
  if (actor.is_system()) return true;
  auto dir = requests_.directory();
  if (!dir) return false;
  for (const auto& id : w.target_unit_ids) {
    const auto* unit = (*dir)->Find(id);
    if (unit && identity::Can(actor, Action::kRequestRead, unit->path)) return true;
  }
  return CitySupervisor(actor, **dir);
}

Result<Warning> WarningService::Load(Executor& ex, const Principal& actor, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto w, store::FindWarning(ex, id));
  if (!w || !Visible(actor, *w)) return Fail(Error::NotFound(fmt::format("warning {}", id)));
  return *w;
}

Result<std::vector<Warning>> WarningService::List(const Principal& actor,
                                                  std::optional<Status> status, int limit) {
  limit = std::clamp(limit, 1, kMaxList);
  return db_.Read([&](Executor& ex) -> Result<std::vector<Warning>> {
    XT_ASSIGN_OR_RETURN(auto all, store::ListWarnings(ex, status, kMaxList * 4));
    std::vector<Warning> out;
    for (auto& w : all) {
      if (std::ssize(out) >= limit) break;
      if (Visible(actor, w)) out.push_back(std::move(w));
    }
    return out;
  });
}

Result<Warning> WarningService::Get(const Principal& actor, std::string_view id) {
  return db_.Read([&](Executor& ex) { return Load(ex, actor, id); });
}

Result<Incident> WarningService::Escalate(const Principal& actor, std::string_view id,
                                          const EscalateInput& in) {
  XT_ASSIGN_OR_RETURN(auto w, Get(actor, id));
  XT_TRY_VOID(warning::CheckCanClose(w));
  if (!incidents_) return Fail(Error::Unavailable("incidents are not wired"));
  IncidentInput input;
  input.type = in.type.empty() ? TypeFor(w) : in.type;
  input.level = in.level;
  input.title = !in.title.empty()
                    ? in.title
                    : fmt::format("预警升级：{} {}", w.key, w.street_id).substr(0, 200);
  input.description = "由预警 " + w.id + " 升级";
  input.unit_id = in.unit_id;
  input.source_warning_id = w.id;
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  if (const auto* street = dir->Find(w.street_id)) {
    for (const auto* grid : dir->OfKind(identity::UnitKind::kGrid)) {
      if (grid->path.starts_with(street->path)) input.area.grid_ids.push_back(grid->id);
      if (input.area.grid_ids.size() >= 200) break;
    }
  }
  if (input.area.grid_ids.empty()) input.area.grid_ids.push_back(w.street_id);
  // Open commits the incident in its own transaction (IncidentService owns its writes).
  XT_ASSIGN_OR_RETURN(auto incident, incidents_->Open(actor, input));
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto cur, Load(ex, actor, id));
    XT_TRY_VOID(warning::CheckCanClose(cur));
    const Timestamp now = clock_.Now();
    cur.status = Status::kEscalated;
    cur.incident_id = incident.id;
    cur.closed_by = actor.account_id;
    cur.closed_at = cur.updated_at = now;
    XT_TRY_VOID(store::UpdateWarning(ex, cur));
    json::Json payload = AuditPayload(cur);
    payload["incident_id"] = incident.id;
    XT_TRY_VOID(
        audit::Append(ex, now, {actor.account_id, "emergency.warning.escalated", cur.id, payload}));
    return {};
  }));
  return incident;
}

Result<Warning> WarningService::Dismiss(const Principal& actor, std::string_view id,
                                        std::string_view note) {
  const std::size_t chars = json::CountCodePoints(note);
  if (chars < 1 || chars > 500) {
    return Fail(Error::InvalidArgument("note: required, at most 500 characters"));
  }
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  return db_.Write([&](Executor& ex) -> Result<Warning> {
    XT_ASSIGN_OR_RETURN(auto w, Load(ex, actor, id));
    bool allowed = actor.is_system() || CitySupervisor(actor, *dir);
    for (const auto& u : w.target_unit_ids) {
      const auto* unit = dir->Find(u);
      if (unit && identity::Can(actor, Action::kRequestSupervise, unit->path)) allowed = true;
    }
    if (!allowed) return Fail(Error::PermissionDenied("dismissing a warning needs 督办 rights"));
    XT_TRY_VOID(warning::CheckCanClose(w));
    const Timestamp now = clock_.Now();
    w.status = Status::kDismissed;
    w.note = std::string(note);
    w.closed_by = actor.account_id;
    w.closed_at = w.updated_at = now;
    XT_TRY_VOID(store::UpdateWarning(ex, w));
    json::Json payload = AuditPayload(w);
    payload["note"] = w.note;
    XT_TRY_VOID(
        audit::Append(ex, now, {actor.account_id, "emergency.warning.dismissed", w.id, payload}));
    return w;
  });
}

// --- rules ---

namespace {
Result<void> RequireAdmin(const Principal& actor) {
  if (!identity::Can(actor, Action::kMatterManage, "")) {
    return Fail(Error::PermissionDenied("warning rules are written by city administrators"));
  }
  return {};
}
json::Json RulePayload(const warning::Rule& r) {
  return {{"category", r.category},
          {"street_id", r.street_id},
          {"threshold", r.threshold},
          {"window_hours", r.window_hours},
          {"enabled", r.enabled}};
}
}  // namespace

Result<void> WarningService::ReloadRules() {
  XT_ASSIGN_OR_RETURN(auto rules, db_.Read([](Executor& ex) { return store::ListRules(ex); }));
  std::vector<warning::Rule> rs;
  for (auto& r : rules) rs.push_back(std::move(r.rule));
  std::lock_guard lock(mutex_);
  detector_.SetRules(std::move(rs));
  return {};
}

Result<std::vector<warning::StoredRule>> WarningService::Rules(const Principal& actor) {
  XT_TRY_VOID(RequireAdmin(actor));
  return db_.Read([](Executor& ex) { return store::ListRules(ex); });
}

Result<warning::StoredRule> WarningService::CreateRule(const Principal& actor,
                                                       const RuleInput& in) {
  XT_TRY_VOID(RequireAdmin(actor));
  warning::StoredRule r;
  r.rule = {.id = ids_.Next(),
            .category = in.category,
            .street_id = in.street_id,
            .threshold = in.threshold,
            .window_hours = in.window_hours,
            .enabled = in.enabled};
  XT_TRY_VOID(warning::ValidateRule(r.rule));
  r.created_by = actor.account_id;
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    r.created_at = r.updated_at = clock_.Now();
    XT_TRY_VOID(store::InsertRule(ex, r));
    XT_TRY_VOID(audit::Append(
        ex, r.created_at,
        {actor.account_id, "emergency.warning_rule.created", r.rule.id, RulePayload(r.rule)}));
    return {};
  }));
  XT_TRY_VOID(ReloadRules());
  return r;
}

Result<warning::StoredRule> WarningService::UpdateRule(const Principal& actor, std::string_view id,
                                                       const RuleInput& in) {
  XT_TRY_VOID(RequireAdmin(actor));
  XT_ASSIGN_OR_RETURN(auto r, db_.Write([&](Executor& ex) -> Result<warning::StoredRule> {
    XT_ASSIGN_OR_RETURN(auto cur, store::FindRule(ex, id));
    if (!cur) return Fail(Error::NotFound(fmt::format("warning rule {}", id)));
    cur->rule.category = in.category;
    cur->rule.street_id = in.street_id;
    cur->rule.threshold = in.threshold;
    cur->rule.window_hours = in.window_hours;
    cur->rule.enabled = in.enabled;
    XT_TRY_VOID(warning::ValidateRule(cur->rule));
    cur->updated_at = clock_.Now();
    XT_TRY_VOID(store::UpdateRule(ex, *cur));
    XT_TRY_VOID(audit::Append(ex, cur->updated_at,
                              {actor.account_id, "emergency.warning_rule.updated", cur->rule.id,
                               RulePayload(cur->rule)}));
    return *cur;
  }));
  XT_TRY_VOID(ReloadRules());
  return r;
}

Result<void> WarningService::DeleteRule(const Principal& actor, std::string_view id) {
  XT_TRY_VOID(RequireAdmin(actor));
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(const bool gone, store::DeleteRule(ex, id));
    if (!gone) return Fail(Error::NotFound(fmt::format("warning rule {}", id)));
    XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                              {actor.account_id, "emergency.warning_rule.deleted", std::string(id),
                               json::Json::object()}));
    return {};
  }));
  return ReloadRules();
}

}  // namespace xietong::emergency
