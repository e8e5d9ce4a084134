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

// The timers of a transition as the store keeps them.
std::vector<store::Timer> StoreTimers(std::string_view request_id,
                                      const lifecycle::TimerChange& change) {
  std::vector<store::Timer> out;
  for (const auto& [kind, due] : change.timers) out.push_back({std::string(request_id), kind, due});
  return out;
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
      rules_{.warn_fraction = options_.warn_fraction,
             .summons_report_limit = options_.summons_report_limit,
             .max_extension_days = options_.max_extension_days},
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

void RequestService::SetClassifier(std::shared_ptr<const text::Classifier> classifier,
                                   std::string version) {
  std::lock_guard lock(classifier_mutex_);
  classifier_ = std::move(classifier);
  classifier_version_ = classifier_ ? std::move(version) : std::string();
}

// The city's classifier when it has one and it recognises the text; else the
// matters' keywords. A label that is no longer an active leaf is passed over.
RoutePreview RequestService::SuggestFor(const matters::Catalog& catalog, const Intake& in) {
  RoutePreview out;
  std::shared_ptr<const text::Classifier> classifier;
  std::string version;
  {
    std::lock_guard lock(classifier_mutex_);
    classifier = classifier_;
    version = classifier_version_;
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
      out.model_version = std::move(version);
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
  // An operator who chose the category is still shown suggestions: what they
  // were is recorded beside the choice, the label a retraining learns from
  // (plan §7.1). Outside the write transaction.
  if (!in.matter_id.empty() && !in.text.empty() &&
      Can(actor, Action::kRequestCreate, centre->path)) {
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    RoutePreview suggested = SuggestFor(*catalog, in);
    preview.suggestions = std::move(suggested.suggestions);
    preview.suggested_by = std::move(suggested.suggested_by);
    preview.model_version = std::move(suggested.model_version);
  }
  SubmitResult result;
  result.suggestions = preview.suggestions;
  json::Json suggestions = json::Json::array();
  for (const auto& s : preview.suggestions)
    suggestions.push_back({{"matter_id", s.matter.id},
                           {"code", s.matter.code},
                           {"confidence", std::round(s.confidence * 1000) / 1000}});
  const std::string suggested_by = preview.suggested_by;
  const std::string model_version = preview.model_version;
  // A category the caller did not choose is only taken when it is confident.
  std::optional<matters::Matter> matter = preview.matter;
  if (in.matter_id.empty() &&
      (preview.suggestions.empty() ||
       preview.suggestions.front().confidence < options_.auto_route_confidence))
    matter.reset();
  // Suggestion 1 taken without anyone choosing it.
  const bool auto_routed = in.matter_id.empty() && matter.has_value();
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
    // Early warning (emergency.warnings) counts intakes per street without reading the row.
    if (!req.place.street_id.empty()) payload["street_id"] = req.place.street_id;
    if (keyword_finder_) {
      if (auto words = keyword_finder_(req.title, req.text); !words.empty())
        payload["keywords"] = std::move(words);
    }
    if (place_finder_) {
      if (auto places = place_finder_(req.title, req.text); !places.empty())
        payload["places"] = std::move(places);
    }
    // What was suggested, beside what was chosen: the record a retraining and
    // an audit of automatic routing both need.
    if (!suggestions.empty()) {
      payload["suggested_by"] = suggested_by;
      payload["suggestions"] = suggestions;
      payload["model_version"] = model_version;
      payload["auto_routed"] = auto_routed;
    }
    std::vector<audit::EventInput> events = {
        {actor.account_id, "request.received", req.id, std::move(payload)}};
    // Dispatched at once: the row is written once, already dispatched, as the
    // second version, and both steps are recorded (fewer statements per intake).
    const Request received = req;
    std::optional<lifecycle::Transition> step;
    if (!in.merge_into.empty() || target) {
      // The same decision as a later merge or dispatch command.
      CommandInput command;
      command.command = in.merge_into.empty() ? Command::kDispatch : Command::kMerge;
      command.unit_id = target ? target->id : "";
      command.parent_id = in.merge_into;
      std::optional<Request> parent;
      if (!in.merge_into.empty()) {
        XT_ASSIGN_OR_RETURN(parent, store::FindByIdOrNumber(ex, in.merge_into));
      }
      lifecycle::Context ctx{.now = now,
                             .calendar = calendar_,
                             .directory = *dir,
                             .rules = rules_,
                             .matter = matter ? &*matter : nullptr,
                             .merge_parent = parent ? &*parent : nullptr,
                             .merge_field = "merge_into"};
      XT_ASSIGN_OR_RETURN(step, lifecycle::Decide(received, command, ctx));
      req = step->after;
      req.version = received.version + 1;
      events.push_back({actor.account_id, step->action, req.id, step->payload});
    }
    XT_TRY_VOID(store::Insert(ex, req, idem_key));
    XT_TRY_VOID(files::Attach(ex, actor.account_id, req.attachment_ids, req.id));
    if (step) {
      std::vector<store::Timer> timers;
      for (const auto& change : step->timers) {
        auto some = StoreTimers(req.id, change);
        timers.insert(timers.end(), some.begin(), some.end());
      }
      XT_TRY_VOID(store::InsertTimers(ex, timers));
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

const Summons* RequestService::ReportingSummons(const Principal& actor,
                                                std::span<const Summons> summonses,
                                                const CommandInput& in) const {
  for (const auto& s : summonses) {
    if (s.reported_at != 0 || !IsStaffOf(actor, Action::kRequestHandle, s.department_path))
      continue;
    if (!in.summons_id.empty() && s.id != in.summons_id) continue;
    return &s;
  }
  return nullptr;
}

Result<Request> RequestService::Commit(Executor& ex, const Request& before,
                                       std::span<const Summons> summonses,
                                       lifecycle::Transition step, std::string_view actor,
                                       Timestamp now) {
  for (const auto& s : step.summoned) {
    XT_TRY_VOID(store::InsertSummons(ex, s));
    XT_TRY_VOID(rates::Apply(ex, std::nullopt, rates::ContributionOf(s)));
  }
  if (step.reported) {
    const auto was = std::find_if(summonses.begin(), summonses.end(),
                                  [&](const Summons& s) { return s.id == step.reported->id; });
    if (was == summonses.end()) return Fail(Error::Internal("a report of an unknown summons"));
    XT_TRY_VOID(store::UpdateSummons(ex, *step.reported));
    XT_TRY_VOID(
        rates::Apply(ex, rates::ContributionOf(*was), rates::ContributionOf(*step.reported)));
  }
  if (!step.attached.empty()) XT_TRY_VOID(files::Attach(ex, actor, step.attached, before.id));
  for (const auto& change : step.timers)
    XT_TRY_VOID(store::ReplaceTimers(ex, before.id, change.prefix, StoreTimers(before.id, change)));
  Request& r = step.after;
  XT_TRY_VOID(Store(ex, before, r, actor, step.action, std::move(step.payload), now));
  // Merged requests follow their parent's reply and closing.
  if (step.children_follow) {
    XT_ASSIGN_OR_RETURN(auto children, store::Children(ex, r.id));
    for (auto& child : children) {
      if (child.status != Status::kMerged) continue;
      const Request child_before = child;
      child.reply = r.reply;
      child.replied_at = r.replied_at;
      child.closed_at = r.closed_at;
      XT_TRY_VOID(Store(ex, child_before, child, actor, "request.followed_parent",
                        {{"number", child.number}, {"parent_number", r.number}}, now));
    }
  }
  return r;
}

Result<Request> RequestService::Apply(const Principal& actor, std::string_view id,
                                      const CommandInput& in) {
  return ApplyAs(actor, id, in, nullptr);
}

Result<Request> RequestService::ReplyOnBehalf(const Principal& actor, std::string_view id,
                                              const CommandInput& in, const OnBehalf& of) {
  if (in.command != Command::kReply)
    return Fail(Error::InvalidArgument("only a reply is made on behalf of a task force"));
  return ApplyAs(actor, id, in, &of);
}

Result<Request> RequestService::ApplyAs(const Principal& actor, std::string_view id,
                                        const CommandInput& in, const OnBehalf* of) {
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
    // On behalf of a force, the caller has authorized the actor (see ReplyOnBehalf).
    if (!of && !MayRead(actor, r, summonses) && !actor.is_system())
      return Fail(
          Error::PermissionDenied(fmt::format("request {} is not in your units' work", r.number)));
    if (!of && !actor.is_system()) XT_TRY_VOID(Authorize(actor, r, in.command, summonses));
    if (!in.idempotency_key.empty()) {
      XT_ASSIGN_OR_RETURN(bool fresh, store::RecordCommandKey(ex, r.id, in.idempotency_key, now));
      if (!fresh) return r;  // a retry: the first answer's effect is already here
    }
    if (in.if_match && *in.if_match != r.version && in.command != Command::kSign)
      return Fail(Error::Conflict(fmt::format("request {} is at version {}, not {}; reload it",
                                              r.number, r.version, *in.if_match)));
    lifecycle::Context ctx{.now = now,
                           .calendar = calendar_,
                           .directory = *dir,
                           .rules = rules_,
                           .matter = matter ? &*matter : nullptr,
                           .summonses = summonses,
                           .actor_id = actor.account_id,
                           .next_id = [this] { return ids_.Next(); }};
    std::optional<Request> parent;
    std::vector<Request> children;
    if (in.command == Command::kMerge && !in.parent_id.empty()) {
      XT_ASSIGN_OR_RETURN(parent, store::FindByIdOrNumber(ex, in.parent_id));
      XT_ASSIGN_OR_RETURN(children, store::Children(ex, r.id));
      ctx.merge_parent = parent ? &*parent : nullptr;
      ctx.merged_into_this = children.size();
    }
    if (in.command == Command::kReport) ctx.reporting = ReportingSummons(actor, summonses, in);
    XT_ASSIGN_OR_RETURN(auto step, lifecycle::Decide(r, in, ctx));
    if (step.unchanged) return r;
    if (of) step.payload["on_behalf_of"] = {{"kind", of->kind}, {"id", of->id}, {"name", of->name}};
    if (in.if_match && *in.if_match != r.version)
      return Fail(Error::Conflict(fmt::format("request {} is at version {}, not {}; reload it",
                                              r.number, r.version, *in.if_match)));
    return Commit(ex, r, summonses, std::move(step), actor.account_id, now);
  }));
  if (actor.kind == identity::AccountKind::kResident) ShowToResident(done);
  return done;
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

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "requests",
      .needs = {&matters::Schema(), &files::Schema(), &identity::Schema(), &audit::Schema()},
      .migrations = {store::Migrations(), rates::Migrations()}};
  return schema;
}

}  // namespace xietong::requests
