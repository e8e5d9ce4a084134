#include "requests/request_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "files/file_service.h"
#include "identity/authorization.h"
#include "requests/request_store.h"

namespace xietong::requests {
namespace {

using identity::Action;
using identity::Can;
using identity::Principal;
using storage::Executor;

// The JSON an audit event keeps of a request's state change.
// The deadline timers of a dispatch: sign (warning, due), then finish.
std::array<store::Timer, 4> TimersOf(const Request& r) {
  return {store::Timer{r.id, "sign_warn", r.sign_warn_at},
          {r.id, "sign_due", r.sign_due},
          {r.id, "finish_warn", r.finish_warn_at},
          {r.id, "finish_due", r.finish_due}};
}

json::Json Change(const Request& before, const Request& after) {
  json::Json j = {{"number", after.number}};
  if (before.status != after.status) {
    j["from"] = StatusName(before.status);
    j["to"] = StatusName(after.status);
  }
  if (before.unit_id != after.unit_id) {
    j["unit_id"] = after.unit_id;
    j["unit_name"] = after.unit_name;
  }
  return j;
}

Result<void> Require(bool ok, std::string_view message) {
  if (!ok) return Fail(Error::InvalidArgument(std::string(message)));
  return {};
}

Result<void> RequireText(std::string_view field, const std::string& value, std::size_t max) {
  const std::size_t n = json::CountCodePoints(value);
  bool blank = true;
  for (char c : value)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') blank = false;
  if (blank) return Fail(Error::InvalidArgument(fmt::format("'{}' must not be empty", field)));
  if (n > max)
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' has {} characters; at most {} are allowed", field, n, max)));
  return {};
}

bool IsStaffOf(const Principal& actor, Action action, const std::string& path) {
  return !path.empty() && Can(actor, action, path);
}

// Residents see what happened and who handles it; not notes, names or numbers.
void ForResident(audit::Event& e) {
  auto payload = json::Json::parse(e.payload, nullptr, false);
  json::Json shown = json::Json::object();
  for (const char* key : {"from", "to", "unit_name", "reply", "satisfaction"})
    if (payload.is_object() && payload.contains(key)) shown[key] = payload[key];
  e.payload = shown.dump();
  e.actor.clear();
}

// The open request a new or existing one is merged into; `field` names the
// argument in the error.
Result<Request> MergeTarget(Executor& ex, std::string_view id, std::string_view field) {
  XT_ASSIGN_OR_RETURN(auto parent, store::Find(ex, id));
  if (!parent)
    return Fail(Error::InvalidArgument(fmt::format("'{}' {} is not a request", field, id)));
  if (!IsOpen(parent->status))
    return Fail(Error::Conflict(fmt::format("request {} is {}; merge into an open request",
                                            parent->number, StatusName(parent->status))));
  return std::move(*parent);
}

}  // namespace

RequestService::RequestService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                               const WorkCalendar& calendar, identity::IdentityService& identity,
                               matters::MatterService& matters, RequestOptions options)
    : db_(db),
      clock_(clock),
      ids_(ids),
      calendar_(calendar),
      identity_(identity),
      matters_(matters),
      options_(std::move(options)),
      recent_(db, clock) {}

Result<std::shared_ptr<const Directory>> RequestService::directory() {
  const std::uint64_t generation = identity_.units_generation();
  {
    std::lock_guard lock(directory_mutex_);
    if (directory_ && directory_generation_ == generation) return directory_;
  }
  XT_ASSIGN_OR_RETURN(auto units, identity_.AllUnits());
  XT_ASSIGN_OR_RETURN(auto dir, Directory::Build(std::move(units)));
  std::lock_guard lock(directory_mutex_);
  directory_ = dir;
  directory_generation_ = generation;
  return dir;
}

// --- intake -----------------------------------------------------------------

void RequestService::SetClassifier(std::shared_ptr<const text::Classifier> classifier) {
  std::lock_guard lock(classifier_mutex_);
  classifier_ = std::move(classifier);
}

// The city's classifier when it has one and it recognises the text; else the
// matters' keywords. A label that is no longer an active leaf is passed over.
RoutePreview RequestService::SuggestFor(const matters::Catalog& catalog, const Intake& in) {
  RoutePreview out;
  std::shared_ptr<const text::Classifier> classifier;
  {
    std::lock_guard lock(classifier_mutex_);
    classifier = classifier_;
  }
  if (classifier) {
    const std::string fields[] = {in.title, in.text};
    if (auto choices = classifier->Predict(fields, 3)) {
      for (const auto& c : *choices)
        if (const matters::Matter* m = catalog.FindByCode(c.label); m && m->level == 3 && m->active)
          out.suggestions.push_back({*m, c.confidence});
    }
    if (!out.suggestions.empty()) {
      out.suggested_by = "classifier";
      return out;
    }
  }
  for (const auto& s : catalog.Suggest(in.title + "\n" + in.text, 3))
    out.suggestions.push_back({*s.matter, s.confidence});
  if (!out.suggestions.empty()) out.suggested_by = "keywords";
  return out;
}

Result<RoutePreview> RequestService::Preview(const Principal& actor, const Intake& in) {
  (void)actor;  // any signed-in user may ask where a request would go
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
  RoutePreview out;
  // A category the caller chose needs no suggestion (an operator's intake).
  if (in.matter_id.empty()) out = SuggestFor(*catalog, in);
  if (!in.matter_id.empty()) {
    const matters::Matter* m = catalog->Find(in.matter_id);
    if (!m || m->level != 3 || !m->active)
      return Fail(Error::InvalidArgument(
          fmt::format("'matter_id' {} is not an active category of the list", in.matter_id)));
    out.matter = *m;
  } else if (!out.suggestions.empty()) {
    out.matter = out.suggestions.front().matter;
  }
  auto located = Locate(*dir, in.place, in.place_unit_id);
  if (!located) {
    // An unknown unit in the body is bad input, not a missing resource.
    if (located.error().code == ErrorCode::kNotFound)
      return Fail(Error::InvalidArgument(located.error().message));
    return Fail(located.error());
  }
  out.place = std::move(*located);
  if (!out.matter) {
    out.problem = "请选择事项类别 (choose a category)";
    return out;
  }
  auto route = RouteFor(*dir, *out.matter, out.place);
  if (!route) {
    out.problem = route.error().message;
    return out;
  }
  out.route = *route;
  const Timestamp now = clock_.Now();
  out.sign_due = matters::Deadline(calendar_, now, out.matter->sign_limit);
  out.finish_due = matters::Deadline(calendar_, now, out.matter->finish_limit);
  out.return_until = matters::Deadline(calendar_, now, out.matter->return_window);
  return out;
}

Result<std::vector<LikelyDuplicate>> RequestService::Duplicates(const Principal& actor,
                                                                const Intake& in,
                                                                const Place& located,
                                                                std::size_t limit) {
  std::vector<LikelyDuplicate> out;
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  const identity::OrgUnit* centre = dir->Centre();
  // Others' requests are shown only to the staff who may merge them.
  if (!centre || !(actor.is_system() || IsStaffOf(actor, Action::kRequestDispatch, centre->path)))
    return out;
  XT_ASSIGN_OR_RETURN(auto found, recent_.Find(in.title, in.text, located, limit));
  if (found.empty()) return out;
  return db_.Read([&](Executor& ex) -> Result<std::vector<LikelyDuplicate>> {
    for (const auto& c : found) {
      XT_ASSIGN_OR_RETURN(auto r, store::Find(ex, c.request_id));
      if (r && r->parent_id.empty()) {
        const bool open = IsOpen(r->status);
        out.push_back({std::move(*r), c.score, open});
      }
    }
    return out;
  });
}

Result<SubmitResult> RequestService::Submit(const Principal& actor, Intake in) {
  XT_TRY_VOID(ValidateIntake(in));
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  const identity::OrgUnit* centre = dir->Centre();
  if (!centre) return Fail(Error::Unavailable("no hotline centre is set up in the org tree"));

  Request r;
  r.created_by = actor.account_id;
  if (actor.via == Principal::Via::kApiKey) {
    if (in.channel != Channel::kOpen311) in.channel = Channel::kApi;
  } else if (Can(actor, Action::kRequestCreate, centre->path)) {
    if (in.channel == Channel::kImport || in.channel == Channel::kOpen311)
      in.channel = Channel::kPhone;
  } else if (actor.kind == identity::AccountKind::kResident) {
    in.channel = Channel::kWeb;
    r.requester_id = actor.account_id;
    in.dispatch = false;
  } else {
    return Fail(Error::PermissionDenied(
        "only residents, the hotline centre's operators and API clients record requests"));
  }
  if (in.dispatch && !Can(actor, Action::kRequestDispatch, centre->path))
    return Fail(Error::PermissionDenied("only the centre's operators dispatch at intake"));
  if (!in.merge_into.empty() && !Can(actor, Action::kRequestDispatch, centre->path))
    return Fail(Error::PermissionDenied("only the centre's operators merge at intake"));

  XT_ASSIGN_OR_RETURN(auto preview, Preview(actor, in));
  SubmitResult result;
  result.suggestions = preview.suggestions;
  json::Json suggestions = json::Json::array();
  for (const auto& s : preview.suggestions)
    suggestions.push_back({{"matter_id", s.matter.id},
                           {"code", s.matter.code},
                           {"confidence", std::round(s.confidence * 1000) / 1000}});
  const std::string suggested_by = preview.suggested_by;
  // A category the caller did not choose is only taken when it is confident.
  std::optional<matters::Matter> matter = preview.matter;
  if (in.matter_id.empty() &&
      (preview.suggestions.empty() ||
       preview.suggestions.front().confidence < options_.auto_route_confidence))
    matter.reset();
  if (in.dispatch && (!matter || !preview.route))
    return Fail(Error::InvalidArgument(
        fmt::format("cannot dispatch yet: {}",
                    matter ? preview.problem : std::string("choose a category ('matter_id')"))));

  r.channel = in.channel;
  r.title = in.title;
  r.text = in.text;
  r.place = preview.place;
  r.contact_name = in.anonymous ? "" : in.contact_name;
  r.contact_phone = in.contact_phone;
  r.anonymous = in.anonymous;
  r.external_id = in.external_id;
  r.attachment_ids = in.attachment_ids;
  r.centre_id = centre->id;
  r.centre_path = centre->path;
  if (matter) {
    r.matter_id = matter->id;
    r.matter_version = matter->version;
  }
  const std::string idem_key =
      in.idempotency_key.empty() ? "" : actor.account_id + "\x1f" + in.idempotency_key;
  const identity::OrgUnit* target =
      in.dispatch && preview.route ? dir->Find(preview.route->unit_id) : nullptr;

  return db_.Write([&](Executor& ex) -> Result<SubmitResult> {
    const Timestamp now = clock_.Now();
    if (!idem_key.empty()) {
      XT_ASSIGN_OR_RETURN(auto existing, store::FindByIdempotencyKey(ex, idem_key));
      if (existing) {
        SubmitResult again = result;
        again.request = std::move(*existing);
        again.created = false;
        return again;
      }
    }
    Request req = r;
    req.id = ids_.Next();
    XT_ASSIGN_OR_RETURN(auto n, store::NextNumber(ex, DayKey(now)));
    req.number = FormatNumber(now, n);
    req.received_at = now;
    req.updated_at = now;
    json::Json payload = {{"number", req.number},         {"channel", ChannelName(req.channel)},
                          {"matter_id", req.matter_id},   {"matter_version", req.matter_version},
                          {"grid_id", req.place.grid_id}, {"anonymous", req.anonymous}};
    // What was suggested, beside what was chosen: the record a retraining and
    // an audit of automatic routing both need.
    if (!suggestions.empty()) {
      payload["suggested_by"] = suggested_by;
      payload["suggestions"] = suggestions;
    }
    std::vector<audit::EventInput> events = {
        {actor.account_id, "request.received", req.id, std::move(payload)}};
    // Dispatched at once: the row is written once, already dispatched, as the
    // second version, and both steps are recorded (fewer statements per intake).
    const Request received = req;
    if (!in.merge_into.empty()) {
      XT_ASSIGN_OR_RETURN(auto parent, MergeTarget(ex, in.merge_into, "merge_into"));
      req.status = Status::kMerged;
      req.parent_id = parent.id;
      req.version = received.version + 1;
      json::Json change = Change(received, req);
      change["parent_id"] = parent.id;
      change["parent_number"] = parent.number;
      events.push_back({actor.account_id, "request.merged", req.id, std::move(change)});
    } else if (target) {
      SetDispatched(req, *target, *matter, now);
      req.version = received.version + 1;
      json::Json change = Change(received, req);
      change["rule"] = preview.route->rule;
      events.push_back({actor.account_id, "request.dispatched", req.id, std::move(change)});
    }
    XT_TRY_VOID(store::Insert(ex, req, idem_key));
    XT_TRY_VOID(files::Attach(ex, actor.account_id, req.attachment_ids, req.id));
    if (target) {
      XT_TRY_VOID(store::InsertTimers(ex, TimersOf(req)));
      XT_TRY_VOID(rates::Apply(ex, rates::ContributionOf(received), rates::ContributionOf(req)));
    }
    XT_TRY_VOID(audit::AppendMany(ex, now, events));
    SubmitResult out = result;
    out.request = std::move(req);
    return out;
  });
}

Result<int> RequestService::ImportHistory(const Principal& actor, std::vector<Request> rows) {
  if (!actor.is_system() && !Can(actor, Action::kMatterManage, ""))
    return Fail(Error::PermissionDenied("only an administrator imports history"));
  return db_.Write([&](Executor& ex) -> Result<int> {
    const Timestamp now = clock_.Now();
    int stored = 0;
    for (auto& r : rows) {
      if (r.id.empty()) r.id = ids_.Next();
      XT_ASSIGN_OR_RETURN(auto n, store::NextNumber(ex, DayKey(r.received_at)));
      r.number = FormatNumber(r.received_at, n);
      r.channel = Channel::kImport;
      r.created_by = actor.account_id;
      r.updated_at = now;
      XT_TRY_VOID(store::Insert(ex, r, "import\x1f" + r.external_id));
      XT_TRY_VOID(rates::Apply(ex, std::nullopt, rates::ContributionOf(r)));
      ++stored;
    }
    json::Json payload = {{"rows", stored}};
    if (!rows.empty()) {
      payload["first_number"] = rows.front().number;
      payload["last_number"] = rows.back().number;
    }
    XT_TRY_VOID(
        audit::Append(ex, now, {actor.account_id, "request.imported", "requests", payload}));
    return stored;
  });
}

// --- commands -----------------------------------------------------------------

Result<void> RequestService::Authorize(const Principal& actor, const Request& r, Command c,
                                       const std::vector<Summons>& summonses) const {
  switch (AuthorityFor(c)) {
    case Authority::kCentre:
      if (IsStaffOf(actor, Action::kRequestDispatch, r.centre_path)) return {};
      if (c == Command::kCallback && !r.requester_id.empty() && actor.account_id == r.requester_id)
        return {};
      return Fail(Error::PermissionDenied(
          fmt::format("{} is decided by the hotline centre's operators", CommandName(c))));
    case Authority::kUnit:
      if (IsStaffOf(actor, Action::kRequestHandle, r.unit_path)) return {};
      return Fail(Error::PermissionDenied(
          fmt::format("only the handling unit ({}) may {} this request",
                      r.unit_name.empty() ? "none yet" : r.unit_name, CommandName(c))));
    case Authority::kSupervisor:
      if (IsStaffOf(actor, Action::kRequestSupervise, r.centre_path)) return {};
      return Fail(Error::PermissionDenied(fmt::format("only a supervisor may {}", CommandName(c))));
    case Authority::kSummoned:
      for (const auto& s : summonses)
        if (s.reported_at == 0 && IsStaffOf(actor, Action::kRequestHandle, s.department_path))
          return {};
      return Fail(Error::PermissionDenied(
          "only a department summoned to this request and not yet reported may report"));
  }
  return Fail(Error::PermissionDenied("not allowed"));
}

bool RequestService::MayRead(const Principal& actor, const Request& r,
                             const std::vector<Summons>& summonses) const {
  if (!r.requester_id.empty() && r.requester_id == actor.account_id) return true;
  return StaffMayRead(actor, r, summonses);
}

bool RequestService::StaffMayRead(const Principal& actor, const Request& r,
                                  const std::vector<Summons>& summonses) const {
  if (actor.is_system()) return true;
  if (IsStaffOf(actor, Action::kRequestRead, r.unit_path)) return true;
  if (IsStaffOf(actor, Action::kRequestRead, r.centre_path)) return true;
  for (const auto& s : summonses)
    if (IsStaffOf(actor, Action::kRequestRead, s.department_path)) return true;
  return false;
}

Result<matters::Matter> RequestService::MatterOf(const Request& r) {
  if (r.matter_id.empty())
    return Fail(Error::InvalidArgument("the request has no category yet: give 'matter_id'"));
  return matters_.GetVersion(r.matter_id, r.matter_version);
}

Result<void> RequestService::Dispatch(Executor& ex, Request& r, const identity::OrgUnit& unit,
                                      const matters::Matter& matter, Timestamp now) {
  SetDispatched(r, unit, matter, now);
  const auto timers = TimersOf(r);
  XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "sign", std::span(timers).first(2)));
  XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "finish", std::span(timers).last(2)));
  return {};
}

void RequestService::SetDispatched(Request& r, const identity::OrgUnit& unit,
                                   const matters::Matter& matter, Timestamp now) const {
  r.status = Status::kDispatched;
  r.unit_id = unit.id;
  r.unit_path = unit.path;
  r.unit_name = unit.name;
  r.matter_id = matter.id;
  r.matter_version = matter.version;
  r.dispatched_at = now;
  r.signed_at = 0;
  r.replied_at = 0;
  r.closed_at = 0;
  r.sign_due = matters::Deadline(calendar_, now, matter.sign_limit);
  r.finish_due = matters::Deadline(calendar_, now, matter.finish_limit);
  r.sign_warn_at = matters::WarnAt(calendar_, now, matter.sign_limit, options_.warn_fraction);
  r.finish_warn_at = matters::WarnAt(calendar_, now, matter.finish_limit, options_.warn_fraction);
  r.return_until = matters::Deadline(calendar_, now, matter.return_window);
  r.sign_late = r.finish_late = r.warned = false;
  r.return_requested = false;
  r.return_reason.clear();
  r.extension_days = 0;
  r.extension_reason.clear();
  ++r.dispatch_count;
}

Result<void> RequestService::Store(Executor& ex, const Request& before, Request& after,
                                   std::string_view actor, std::string_view action,
                                   json::Json payload, Timestamp now) {
  after.version = before.version + 1;
  after.updated_at = now;
  XT_ASSIGN_OR_RETURN(bool updated, store::Update(ex, after));
  if (!updated)
    return Fail(Error::Conflict(
        fmt::format("request {} changed meanwhile; reload it and try again", before.number)));
  XT_TRY_VOID(rates::Apply(ex, rates::ContributionOf(before), rates::ContributionOf(after)));
  XT_TRY_VOID(audit::Append(
      ex, now, {std::string(actor), std::string(action), after.id, std::move(payload)}));
  return {};
}

Result<Request> RequestService::Apply(const Principal& actor, std::string_view id,
                                      const CommandInput& in) {
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  // Matter versions and units are read before the write transaction.
  std::optional<matters::Matter> matter;
  if (!in.matter_id.empty()) {
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    const matters::Matter* m = catalog->Find(in.matter_id);
    if (!m || m->level != 3 || !m->active)
      return Fail(Error::InvalidArgument(
          fmt::format("'matter_id' {} is not an active category of the list", in.matter_id)));
    matter = *m;
  }
  if (!matter && (in.command == Command::kDispatch || in.command == Command::kTransfer ||
                  in.command == Command::kReopen)) {
    XT_ASSIGN_OR_RETURN(auto current, db_.Read([&](Executor& ex) { return store::Find(ex, id); }));
    if (current && !current->matter_id.empty()) {
      XT_ASSIGN_OR_RETURN(auto m, MatterOf(*current));
      matter = std::move(m);
    }
  }

  XT_ASSIGN_OR_RETURN(Request done, db_.Write([&](Executor& ex) -> Result<Request> {
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(auto found, store::Find(ex, id));
    if (!found) return Fail(Error::NotFound(fmt::format("no request with id '{}'", id)));
    Request r = std::move(*found);
    XT_ASSIGN_OR_RETURN(auto summonses, store::SummonsOf(ex, r.id));
    if (!MayRead(actor, r, summonses) && !actor.is_system())
      return Fail(
          Error::PermissionDenied(fmt::format("request {} is not in your units' work", r.number)));
    if (!actor.is_system()) XT_TRY_VOID(Authorize(actor, r, in.command, summonses));
    if (!in.idempotency_key.empty()) {
      XT_ASSIGN_OR_RETURN(bool fresh, store::RecordCommandKey(ex, r.id, in.idempotency_key, now));
      if (!fresh) return r;  // a retry: the first answer's effect is already here
    }
    // Signing twice is harmless: the second click answers with the same state.
    if (in.command == Command::kSign && r.status != Status::kDispatched && r.signed_at != 0 &&
        IsOpen(r.status) && r.status != Status::kReplied && r.status != Status::kCallback)
      return r;
    if (in.if_match && *in.if_match != r.version)
      return Fail(Error::Conflict(fmt::format("request {} is at version {}, not {}; reload it",
                                              r.number, r.version, *in.if_match)));
    XT_TRY_VOID(Check(r, in.command, now));

    const Request before = r;
    json::Json payload = json::Json::object();
    std::string action = fmt::format("request.{}", CommandName(in.command));
    switch (in.command) {
      case Command::kDispatch:
      case Command::kTransfer: {
        if (!matter)
          return Fail(Error::InvalidArgument("the request has no category yet: give 'matter_id'"));
        const identity::OrgUnit* unit = nullptr;
        std::string rule;
        if (!in.unit_id.empty()) {
          unit = dir->Find(in.unit_id);
          if (!unit)
            return Fail(
                Error::InvalidArgument(fmt::format("'unit_id' {} is not a unit", in.unit_id)));
          using identity::UnitKind;
          if (unit->kind != UnitKind::kStreet && unit->kind != UnitKind::kTownship &&
              unit->kind != UnitKind::kCommunity && unit->kind != UnitKind::kDepartment)
            return Fail(Error::InvalidArgument(fmt::format(
                "'unit_id' {} is a {}; requests go to streets, townships, communities or "
                "departments",
                unit->name, identity::UnitKindName(unit->kind))));
        }
        auto route = RouteFor(*dir, *matter, r.place);
        if (!unit) {
          if (!route) return Fail(route.error());
          unit = dir->Find(route->unit_id);
          rule = route->rule;
        } else if (!route || route->unit_id != unit->id) {
          // An override of the computed route needs a reason (or a transfer).
          if (in.command == Command::kDispatch)
            XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
          rule = route ? fmt::format("人工改派 (computed: {})", route->unit_name) : "人工指定";
        } else {
          rule = route->rule;
        }
        if (!unit) return Fail(Error::Internal("route names a unit the directory lacks"));
        if (in.command == Command::kTransfer) {
          XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
          if (unit->id == r.unit_id)
            return Fail(Error::InvalidArgument("'unit_id' is the unit that already has it"));
        }
        XT_TRY_VOID(Dispatch(ex, r, *unit, *matter, now));
        payload = Change(before, r);
        payload["rule"] = rule;
        if (!in.reason.empty()) payload["reason"] = in.reason;
        action = in.command == Command::kDispatch ? "request.dispatched" : "request.transferred";
        break;
      }
      case Command::kSign:
        r.status = Status::kSigned;
        r.signed_at = now;
        r.sign_late = r.sign_late || now > r.sign_due;
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "sign", {}));
        payload = Change(before, r);
        payload["late"] = r.sign_late;
        action = "request.signed";
        break;
      case Command::kHandle:
        XT_TRY_VOID(RequireText("text", in.text, kMaxReplyChars));
        r.status = Status::kHandling;
        payload = Change(before, r);
        payload["note"] = in.text;
        action = "request.progress";
        break;
      case Command::kReply:
        XT_TRY_VOID(RequireText("text", in.text, kMaxReplyChars));
        r.status = Status::kReplied;
        r.reply = in.text;
        r.replied_at = now;
        r.extension_days = 0;  // nothing left to extend
        r.finish_late = r.finish_late || now > r.finish_due;
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "finish", {}));
        payload = Change(before, r);
        payload["reply"] = in.text;
        payload["late"] = r.finish_late;
        action = "request.replied";
        break;
      case Command::kRequestReturn:
        XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
        r.return_requested = true;
        r.return_reason = in.reason;
        payload = {{"number", r.number}, {"reason", in.reason}};
        action = "request.return_requested";
        break;
      case Command::kApproveReturn:
        r.status = Status::kReceived;
        r.unit_id.clear();
        r.unit_path.clear();
        r.unit_name.clear();
        r.dispatched_at = r.signed_at = 0;
        r.sign_due = r.finish_due = r.sign_warn_at = r.finish_warn_at = r.return_until = 0;
        r.sign_late = r.finish_late = r.warned = false;
        r.return_requested = false;
        r.extension_days = 0;
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "sign", {}));
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "finish", {}));
        payload = Change(before, r);
        payload["returned_by"] = before.unit_name;
        payload["reason"] = before.return_reason;
        action = "request.return_approved";
        break;
      case Command::kRejectReturn:
        XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
        r.return_requested = false;
        payload = {{"number", r.number}, {"reason", in.reason}};
        action = "request.return_rejected";
        break;
      case Command::kRequestExtension:
        XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
        XT_TRY_VOID(Require(
            in.days >= 1 && in.days <= options_.max_extension_days,
            fmt::format("'days' must be 1 to {} working days", options_.max_extension_days)));
        r.extension_days = in.days;
        r.extension_reason = in.reason;
        payload = {{"number", r.number}, {"days", in.days}, {"reason", in.reason}};
        action = "request.extension_requested";
        break;
      case Command::kApproveExtension: {
        const Timestamp old_due = r.finish_due;
        // To the end of the n-th working day after the day it was due.
        r.finish_due = calendar_.AddWorkingDays(r.finish_due - 1, r.extension_days);
        if (now < r.finish_due) r.finish_late = false;
        const store::Timer finish[] = {{r.id, "finish_due", r.finish_due}};
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "finish", finish));
        payload = {{"number", r.number},
                   {"days", r.extension_days},
                   {"from", FormatRfc3339(old_due)},
                   {"to", FormatRfc3339(r.finish_due)}};
        r.extension_days = 0;
        action = "request.extension_approved";
        break;
      }
      case Command::kRejectExtension:
        XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
        payload = {{"number", r.number}, {"days", r.extension_days}, {"reason", in.reason}};
        r.extension_days = 0;
        action = "request.extension_rejected";
        break;
      case Command::kMerge: {
        XT_TRY_VOID(Require(!in.parent_id.empty(), "'parent_id' names the request to merge into"));
        if (in.parent_id == r.id)
          return Fail(Error::InvalidArgument("a request cannot be merged into itself"));
        XT_ASSIGN_OR_RETURN(auto parent, MergeTarget(ex, in.parent_id, "parent_id"));
        XT_ASSIGN_OR_RETURN(auto own_children, store::Children(ex, r.id));
        if (!own_children.empty())
          return Fail(Error::Conflict(
              fmt::format("request {} has {} merged into it; merge the other way round", r.number,
                          own_children.size())));
        r.status = Status::kMerged;
        r.parent_id = parent.id;
        // Summonses keep their report timers: a late report still counts.
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "sign", {}));
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "finish", {}));
        payload = Change(before, r);
        payload["parent_id"] = parent.id;
        payload["parent_number"] = parent.number;
        action = "request.merged";
        break;
      }
      case Command::kCallback: {
        XT_TRY_VOID(Require(in.resolved.has_value(), "'resolved' (true or false) is needed"));
        XT_TRY_VOID(Require(in.satisfaction.has_value(),
                            "'satisfaction' is needed: satisfied, basically_satisfied or "
                            "dissatisfied"));
        if (json::CountCodePoints(in.text) > static_cast<std::size_t>(kMaxReasonChars))
          return Fail(Error::InvalidArgument("'text' (the resident's words) is too long"));
        const bool dissatisfied = *in.satisfaction == Satisfaction::kDissatisfied;
        r.resolved = in.resolved;
        r.satisfaction = in.satisfaction;
        r.feedback = in.text;
        r.status = NextStatus(r, Command::kCallback, dissatisfied);
        if (r.status == Status::kClosed) r.closed_at = now;
        payload = Change(before, r);
        payload["resolved"] = *in.resolved;
        payload["satisfaction"] = SatisfactionName(*in.satisfaction);
        action = "request.callback";
        break;
      }
      case Command::kClose:
        r.status = Status::kClosed;
        r.closed_at = now;
        payload = Change(before, r);
        if (!in.reason.empty()) payload["reason"] = in.reason;
        action = "request.closed";
        break;
      case Command::kReopen: {
        XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
        if (!matter) return Fail(Error::Conflict("the request has no category to reopen under"));
        const identity::OrgUnit* unit = dir->Find(r.unit_id);
        if (!unit)
          return Fail(Error::Conflict("the unit that handled it no longer exists; dispatch anew"));
        r.resolved.reset();
        r.satisfaction.reset();
        r.reply.clear();
        XT_TRY_VOID(Dispatch(ex, r, *unit, *matter, now));
        --r.dispatch_count;
        ++r.reopen_count;
        payload = Change(before, r);
        payload["reason"] = in.reason;
        action = "request.reopened";
        break;
      }
      case Command::kSummon: {
        const identity::OrgUnit* owner = dir->Find(r.unit_id);
        if (!owner || (owner->kind != identity::UnitKind::kStreet &&
                       owner->kind != identity::UnitKind::kTownship))
          return Fail(Error::Conflict("only a street or township summons departments (吹哨)"));
        XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
        XT_TRY_VOID(Require(!in.department_ids.empty() && in.department_ids.size() <= 10,
                            "'department_ids' names 1 to 10 departments to summon"));
        json::Json summoned = json::Json::array();
        std::set<std::string> seen;
        for (const auto& dep_id : in.department_ids) {
          if (!seen.insert(dep_id).second)
            return Fail(
                Error::InvalidArgument(fmt::format("'department_ids' names {} twice", dep_id)));
          const identity::OrgUnit* dep = dir->Find(dep_id);
          if (!dep || dep->kind != identity::UnitKind::kDepartment)
            return Fail(Error::InvalidArgument(
                fmt::format("'department_ids' {} is not a department", dep_id)));
          for (const auto& s : summonses)
            if (s.department_id == dep_id && s.reported_at == 0)
              return Fail(Error::Conflict(
                  fmt::format("{} is already summoned and has not reported", dep->name)));
          Summons s;
          s.id = ids_.Next();
          s.request_id = r.id;
          s.department_id = dep->id;
          s.department_path = dep->path;
          s.department_name = dep->name;
          s.summoned_by = actor.account_id;
          s.reason = in.reason;
          s.created_at = now;
          s.report_due = matters::Deadline(calendar_, now, options_.summons_report_limit);
          XT_TRY_VOID(store::InsertSummons(ex, s));
          const store::Timer due[] = {{r.id, "summons_due:" + s.id, s.report_due}};
          XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "summons_due:" + s.id, due));
          XT_TRY_VOID(rates::Apply(ex, std::nullopt, rates::ContributionOf(s)));
          summoned.push_back({{"summons_id", s.id},
                              {"department_id", dep->id},
                              {"department_name", dep->name},
                              {"report_due", FormatRfc3339(s.report_due)}});
        }
        payload = {{"number", r.number}, {"reason", in.reason}, {"departments", summoned}};
        action = "request.summoned";
        break;
      }
      case Command::kReport: {
        XT_TRY_VOID(RequireText("text", in.text, kMaxReplyChars));
        const Summons* target = nullptr;
        for (const auto& s : summonses) {
          if (s.reported_at != 0 || !IsStaffOf(actor, Action::kRequestHandle, s.department_path))
            continue;
          if (!in.summons_id.empty() && s.id != in.summons_id) continue;
          target = &s;
          break;
        }
        if (!target)
          return Fail(Error::InvalidArgument(
              in.summons_id.empty() ? "no pending summons of your department on this request"
                                    : fmt::format("'summons_id' {} is not a pending summons of "
                                                  "your department",
                                                  in.summons_id)));
        Summons after = *target;
        after.reported_at = now;
        after.report = in.text;
        after.late = now > after.report_due;
        XT_TRY_VOID(store::UpdateSummons(ex, after));
        XT_TRY_VOID(store::ReplaceTimers(ex, r.id, "summons_due:" + after.id, {}));
        XT_TRY_VOID(rates::Apply(ex, rates::ContributionOf(*target), rates::ContributionOf(after)));
        payload = {{"number", r.number},
                   {"summons_id", after.id},
                   {"department_name", after.department_name},
                   {"report", in.text},
                   {"late", after.late}};
        action = "request.reported";
        break;
      }
      case Command::kUrge:
        XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
        payload = {{"number", r.number}, {"reason", in.reason}, {"unit_name", r.unit_name}};
        action = "request.urged";
        break;
    }
    XT_TRY_VOID(Store(ex, before, r, actor.account_id, action, std::move(payload), now));
    // Merged requests follow their parent's reply and closing.
    if (in.command == Command::kReply || r.status == Status::kClosed) {
      XT_ASSIGN_OR_RETURN(auto children, store::Children(ex, r.id));
      for (auto& child : children) {
        if (child.status != Status::kMerged) continue;
        const Request child_before = child;
        child.reply = r.reply;
        child.replied_at = r.replied_at;
        child.closed_at = r.closed_at;
        XT_TRY_VOID(Store(ex, child_before, child, actor.account_id, "request.followed_parent",
                          {{"number", child.number}, {"parent_number", r.number}}, now));
      }
    }
    return r;
  }));
  if (actor.kind == identity::AccountKind::kResident) ShowToResident(done);
  return done;
}

// --- queries ------------------------------------------------------------------

Result<Detail> RequestService::Get(const Principal& actor, std::string_view id_or_number,
                                   bool reveal_contact) {
  auto load = [&](Executor& ex) -> Result<Detail> {
    XT_ASSIGN_OR_RETURN(auto found, store::Find(ex, id_or_number));
    if (!found) {
      XT_ASSIGN_OR_RETURN(found, store::FindByNumber(ex, id_or_number));
    }
    if (!found)
      return Fail(Error::NotFound(fmt::format("no request with id or number '{}'", id_or_number)));
    Detail d;
    d.request = std::move(*found);
    XT_ASSIGN_OR_RETURN(d.summonses, store::SummonsOf(ex, d.request.id));
    if (!actor.is_system() && !MayRead(actor, d.request, d.summonses))
      return Fail(Error::PermissionDenied(
          fmt::format("request {} is not in your units' work", d.request.number)));
    XT_ASSIGN_OR_RETURN(d.merged, store::Children(ex, d.request.id));
    if (!StaffMayRead(actor, d.request, d.summonses)) {
      // The resident who filed it sees which departments came, not who summoned them or why.
      for (auto& s : d.summonses) {
        s.summoned_by.clear();
        s.reason.clear();
        s.report.clear();
      }
      ShowToResident(d.request);
    }
    const Timestamp now = clock_.Now();
    for (Command c : Allowed(d.request, now))
      if (actor.is_system() || Authorize(actor, d.request, c, d.summonses)) d.allowed.push_back(c);
    if (d.request.replied_at > 0 && !d.request.reply.empty() &&
        (actor.is_system() || IsStaffOf(actor, Action::kRequestSupervise, d.request.centre_path) ||
         IsStaffOf(actor, Action::kStatsRead, d.request.centre_path)))
      d.reply_quality = ScoreReply(d.request);
    return d;
  };
  if (!reveal_contact) return db_.Read(load);
  // Showing the contact unmasked is for the centre that calls back, and is recorded.
  return db_.Write([&](Executor& ex) -> Result<Detail> {
    XT_ASSIGN_OR_RETURN(auto d, load(ex));
    if (!actor.is_system() && !IsStaffOf(actor, Action::kRequestDispatch, d.request.centre_path))
      return Fail(Error::PermissionDenied("only the centre's staff see the caller's full number"));
    XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                              {actor.account_id,
                               "request.contact_revealed",
                               d.request.id,
                               {{"number", d.request.number}}}));
    d.contact_revealed = true;
    return d;
  });
}

std::optional<text::ReplyQuality> RequestService::ScoreReply(const Request& r) {
  std::shared_ptr<const text::ReplyScorer> scorer;
  {
    std::lock_guard lock(reply_scorer_mutex_);
    if (!reply_scorer_ && !reply_scorer_unavailable_) {
      auto created = [&]() -> Result<std::shared_ptr<const text::ReplyScorer>> {
        XT_ASSIGN_OR_RETURN(auto normalizer, text::Normalizer::Open());
        return text::ReplyScorer::Create(std::move(normalizer), {.calendar = &calendar_});
      }();
      if (created) {
        reply_scorer_ = *created;
      } else {
        reply_scorer_unavailable_ = true;
        spdlog::warn("reply quality is off: {}", created.error().message);
      }
    }
    scorer = reply_scorer_;
  }
  if (!scorer) return std::nullopt;
  // Measured against the request's own deadline when it has one.
  auto q = scorer->Score({r.title, r.text, r.reply, r.received_at,
                          std::max(r.replied_at, r.received_at), r.finish_due});
  if (!q) return std::nullopt;
  return std::move(*q);
}

Result<files::File> RequestService::Attachment(const Principal& actor,
                                               std::string_view id_or_number,
                                               std::string_view file_id) {
  XT_ASSIGN_OR_RETURN(auto d, Get(actor, id_or_number, false));
  return db_.Read([&](Executor& ex) { return files::ReadAttached(ex, file_id, d.request.id); });
}

Result<RequestPage> RequestService::List(const Principal& actor, const ListFilter& f) {
  store::ListQuery q;
  if (actor.is_system()) {
    q.scope.everything = true;
  } else {
    for (const auto& m : actor.memberships) {
      if (!identity::RoleAllows(m.role, Action::kRequestRead)) continue;
      const bool at_root = m.unit_path.find('/', 1) == m.unit_path.size() - 1;
      if (at_root) q.scope.everything = true;
      q.scope.unit_paths.push_back(m.unit_path);
      q.scope.centre_paths.push_back(m.unit_path);
      q.scope.summoned_paths.push_back(m.unit_path);
    }
    if (actor.kind == identity::AccountKind::kResident) q.scope.requester_id = actor.account_id;
  }
  q.statuses = f.statuses;
  if (!f.matter_id.empty()) {
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    const matters::Matter* m = catalog->Find(f.matter_id);
    if (!m)
      return Fail(
          Error::InvalidArgument(fmt::format("'matter_id' {} is not a category", f.matter_id)));
    if (m->level == 3) {
      q.matter_id = m->id;
    } else {
      for (const matters::Matter* leaf : catalog->Leaves())
        if (leaf->code.starts_with(m->code + "-")) q.matter_ids.push_back(leaf->id);
      if (q.matter_ids.empty()) q.matter_ids.push_back("-");
    }
  }
  q.unit_id = f.unit_id;
  q.received_from = f.received_from;
  q.received_to = f.received_to;
  q.finish_due_before = f.due_before;
  q.late_only = f.late_only;
  q.warned_only = f.warned_only;
  q.extension_pending = f.extension_pending;
  q.return_pending = f.return_pending;
  q.search = f.search;
  if (json::CountCodePoints(q.search) > 100)
    return Fail(Error::InvalidArgument("'q' (search) has more than 100 characters"));
  q.before_id = f.cursor;
  q.limit = std::clamp(f.limit, 1, 500);
  return db_.Read([&](Executor& ex) -> Result<RequestPage> {
    RequestPage page;
    XT_ASSIGN_OR_RETURN(page.items, store::List(ex, q));
    if (actor.kind == identity::AccountKind::kResident)
      for (auto& r : page.items) ShowToResident(r);
    XT_ASSIGN_OR_RETURN(page.total, store::Count(ex, q));
    if (static_cast<int>(page.items.size()) == q.limit) page.next_cursor = page.items.back().id;
    return page;
  });
}

Result<std::vector<audit::Event>> RequestService::Timeline(const Principal& actor,
                                                           std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto d, Get(actor, id));
  XT_ASSIGN_OR_RETURN(auto events,
                      db_.Read([&](Executor& ex) { return audit::EventsFor(ex, d.request.id); }));
  if (StaffMayRead(actor, d.request, d.summonses)) return events;
  for (auto& e : events) ForResident(e);
  return events;
}

Result<std::optional<RequestService::ReaderCheck>> RequestService::ReaderTest(std::string_view id) {
  return db_.Read([&](Executor& ex) -> Result<std::optional<ReaderCheck>> {
    XT_ASSIGN_OR_RETURN(auto found, store::Find(ex, id));
    if (!found) return std::nullopt;
    XT_ASSIGN_OR_RETURN(auto summonses, store::SummonsOf(ex, found->id));
    return ReaderCheck([this, r = std::move(*found), s = std::move(summonses)](const Principal& p) {
      return MayRead(p, r, s);
    });
  });
}

Result<Tracking> RequestService::Track(std::string_view number, std::string_view phone_last4,
                                       std::string_view client) {
  const Timestamp now = clock_.Now();
  const Timestamp stale = now - kTrackLockout;  // a count started then or earlier is over
  // Four budgets: this number from this client (the owner elsewhere is not
  // locked out by a stranger), this client over every number (one guess per
  // sequential number), this number from everywhere, and everything.
  struct Budget {
    std::string key;
    int most;
    std::string_view refusal;
  };
  const Budget budgets[] = {
      {fmt::format("n:{}|{}", number, client), kTrackFailures,
       "too many wrong tries for this number; try again in 15 minutes"},
      {fmt::format("c:{}", client), kTrackClientFailures,
       "too many wrong tries from your address; try again in 15 minutes"},
      {fmt::format("n:{}", number), kTrackNumberFailures,
       "too many wrong tries for this number; try again in 15 minutes"},
      {"*", kTrackOverallFailures,
       "tracking is refused for a while after too many wrong tries; "
       "try again in 15 minutes or call 12345"},
  };
  // nullopt: a wrong guess (an unknown number counts too, so probing is throttled alike).
  XT_ASSIGN_OR_RETURN(auto found, db_.Read([&](Executor& ex) -> Result<std::optional<Tracking>> {
    for (const Budget& b : budgets) {
      XT_ASSIGN_OR_RETURN(auto throttle, store::GetTrackThrottle(ex, b.key));
      if (throttle.failures >= b.most && throttle.since > stale)
        return Fail(Error::TooManyRequests(std::string(b.refusal)));
    }
    if (phone_last4.size() != 4 || !std::all_of(phone_last4.begin(), phone_last4.end(),
                                                [](char c) { return c >= '0' && c <= '9'; }))
      return Fail(Error::InvalidArgument("'phone_last4' must be the last 4 digits of the phone"));
    XT_ASSIGN_OR_RETURN(auto r, store::FindByNumber(ex, number));
    if (!r || r->contact_phone.size() < 4 || !r->contact_phone.ends_with(phone_last4))
      return std::optional<Tracking>{};
    Tracking t;
    t.request = std::move(*r);
    XT_ASSIGN_OR_RETURN(auto events, audit::EventsFor(ex, t.request.id));
    for (auto& e : events) {
      ForResident(e);
      t.timeline.push_back(std::move(e));
    }
    return std::optional<Tracking>{std::move(t)};
  }));
  if (found) return std::move(*found);
  // What can never be a number (yyyymmdd and a counter) is not worth a row.
  const bool plausible =
      number.size() <= 20 &&
      std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (plausible) {
    std::vector<std::string> keys;
    for (const Budget& b : budgets) keys.push_back(b.key);
    XT_TRY_VOID(db_.Write(
        [&](Executor& ex) { return store::AddTrackFailure(ex, keys, now, stale, kTrackPrune); }));
  }
  return Fail(Error::NotFound("no request matches this number and phone"));
}

std::string_view UnitKindZh(identity::UnitKind kind) {
  using identity::UnitKind;
  switch (kind) {
    case UnitKind::kCity:
      return "市";
    case UnitKind::kDistrict:
      return "区";
    case UnitKind::kStreet:
      return "街道";
    case UnitKind::kTownship:
      return "乡镇";
    case UnitKind::kCommunity:
      return "社区";
    case UnitKind::kGrid:
      return "网格";
    case UnitKind::kDepartment:
      return "部门";
    case UnitKind::kCentre:
      return "热线中心";
  }
  return "";
}

Result<std::string> RequestService::FiguresPath(const Principal& actor, std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  std::string path;
  if (!unit_id.empty()) {
    const identity::OrgUnit* unit = dir->Find(unit_id);
    if (!unit)
      return Fail(Error::InvalidArgument(fmt::format("'unit_id' {} is not a unit", unit_id)));
    path = unit->path;
  }
  if (!actor.is_system() && !Can(actor, Action::kStatsRead, path))
    return Fail(Error::PermissionDenied(
        path.empty() ? "the city-wide figures are for leaders, supervisors and administrators"
                     : "a unit's figures are shown to leaders and leads of the unit or above it"));
  return path;
}

Result<std::vector<RankedUnit>> RequestService::Ranking(const Principal& actor,
                                                        const RankingRequest& in) {
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  using identity::UnitKind;
  rates::RankingQuery q;
  q.from_month = in.from_month;
  q.to_month = in.to_month;
  q.weights = in.weights.value_or(options_.weights);
  XT_ASSIGN_OR_RETURN(const std::string path, FiguresPath(actor, in.unit_id));
  if (!path.empty()) q.under_path = path;
  if (!in.kind.empty()) {
    std::vector<UnitKind> kinds;
    if (in.kind == "street")
      kinds = {UnitKind::kStreet, UnitKind::kTownship};
    else if (in.kind == "department")
      kinds = {UnitKind::kDepartment};
    else
      return Fail(Error::InvalidArgument(
          fmt::format("'kind' must be street or department, not '{}'", in.kind)));
    for (UnitKind k : kinds)
      for (const identity::OrgUnit* u : dir->OfKind(k))
        if (u->path.starts_with(path)) q.unit_ids.push_back(u->id);
    if (q.unit_ids.empty()) return std::vector<RankedUnit>{};
  }
  XT_ASSIGN_OR_RETURN(auto ranked, db_.Read([&](Executor& ex) { return rates::Ranking(ex, q); }));
  std::vector<RankedUnit> out;
  out.reserve(ranked.size());
  for (auto& r : ranked) {
    const identity::OrgUnit* u = dir->Find(r.unit_id);
    RankedUnit ru;
    ru.unit_name = u ? u->name : r.unit_id;
    ru.kind = u ? u->kind : UnitKind::kDepartment;
    ru.rates = std::move(r);
    out.push_back(std::move(ru));
  }
  return out;
}

Result<std::vector<std::pair<std::string, rates::UnitRates>>> RequestService::Trend(
    const Principal& actor, const TrendRequest& in) {
  XT_ASSIGN_OR_RETURN(const std::string path, FiguresPath(actor, in.unit_id));
  return db_.Read([&](Executor& ex) {
    return rates::SubtreeTrend(ex, path, in.from_month, in.to_month, options_.weights);
  });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> RequestService::GridCounts(
    const Principal& actor, Timestamp from, Timestamp to, std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(const std::string path, FiguresPath(actor, unit_id));
  if (to <= from) return Fail(Error::InvalidArgument("'to' must be after 'from'"));
  return db_.Read([&](Executor& ex) { return store::CountByGrid(ex, from, to, path); });
}

// --- timers -------------------------------------------------------------------

Result<int> RequestService::FireTimer(Executor& ex, std::string_view request_id,
                                      std::string_view kind, Timestamp now) {
  XT_ASSIGN_OR_RETURN(auto found, store::Find(ex, request_id));
  if (!found) return 0;
  Request r = std::move(*found);
  const Request before = r;
  const bool at_unit = r.status == Status::kDispatched || r.status == Status::kSigned ||
                       r.status == Status::kHandling;
  std::string action;
  json::Json payload = {{"number", r.number}, {"unit_name", r.unit_name}};
  if (kind.starts_with("summons_due:")) {
    XT_ASSIGN_OR_RETURN(auto s, store::FindSummons(ex, kind.substr(12)));
    if (!s || s->reported_at != 0 || s->late) return 0;
    Summons after = *s;
    after.late = true;
    XT_TRY_VOID(store::UpdateSummons(ex, after));
    XT_TRY_VOID(rates::Apply(ex, rates::ContributionOf(*s), rates::ContributionOf(after)));
    payload["department_name"] = s->department_name;
    XT_TRY_VOID(audit::Append(ex, now, {"system", "request.report_overdue", r.id, payload}));
    return 1;
  }
  if (kind == "sign_warn" || kind == "finish_warn") {
    if (!at_unit || (kind == "sign_warn" && r.status != Status::kDispatched)) return 0;
    r.warned = true;
    action = "request.deadline_warning";
    payload["deadline"] = kind == "sign_warn" ? "sign" : "finish";
  } else if (kind == "sign_due") {
    if (r.status != Status::kDispatched) return 0;
    r.sign_late = true;
    action = "request.sign_overdue";
  } else if (kind == "finish_due") {
    if (!at_unit) return 0;
    r.finish_late = true;
    action = "request.overdue";
  } else {
    return 0;
  }
  XT_TRY_VOID(Store(ex, before, r, "system", action, std::move(payload), now));
  return 1;
}

Result<int> RequestService::FireDueTimers(int limit) {
  return db_.Write([&](Executor& ex) -> Result<int> {
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(auto timers, store::ClaimDueTimers(ex, now, limit));
    int fired = 0;
    for (const auto& t : timers) {
      XT_ASSIGN_OR_RETURN(int n, FireTimer(ex, t.request_id, t.kind, now));
      fired += n;
    }
    return fired;
  });
}

Result<std::optional<Timestamp>> RequestService::NextTimerDue() {
  return db_.Read([&](Executor& ex) { return store::NextTimerDue(ex); });
}

Result<std::vector<ReceivedText>> RequestService::ReceivedTexts(Timestamp from, Timestamp to,
                                                                std::string_view under_path,
                                                                int limit) {
  return db_.Read(
      [&](storage::Executor& ex) { return store::ReceivedTexts(ex, from, to, under_path, limit); });
}

Result<std::unordered_set<std::string>> RequestService::ExternalIds(Channel channel) {
  XT_ASSIGN_OR_RETURN(auto ids, db_.Read([&](storage::Executor& ex) {
    return store::ExternalIds(ex, ChannelName(channel));
  }));
  return std::unordered_set<std::string>(std::make_move_iterator(ids.begin()),
                                         std::make_move_iterator(ids.end()));
}

Result<std::int64_t> RequestService::CountExternalIdPrefix(std::string_view prefix) {
  return db_.Read([&](storage::Executor& ex) { return store::CountExternalIdPrefix(ex, prefix); });
}

Result<std::optional<Request>> RequestService::FindByExternalId(std::string_view external_id) {
  return db_.Read([&](storage::Executor& ex) { return store::FindByExternalId(ex, external_id); });
}

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "requests",
      .needs = {&matters::Schema(), &files::Schema(), &identity::Schema(), &audit::Schema()},
      .migrations = {store::Migrations(), rates::Migrations()}};
  return schema;
}

}  // namespace xietong::requests
