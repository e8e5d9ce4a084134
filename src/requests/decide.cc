#include "requests/decide.h"

#include <fmt/format.h>

#include <set>

#include "requests/routing.h"

namespace xietong::requests::lifecycle {
namespace {

// A command's argument `field` is missing or out of range (`reason`).
Result<void> Require(bool ok, std::string_view field, std::string_view reason,
                     std::string_view message) {
  if (!ok)
    return Fail(Error::InvalidArgument(std::string(message))
                    .About(std::string(field), std::string(reason)));
  return {};
}

Result<void> RequireText(std::string_view field, const std::string& value, std::size_t max) {
  bool blank = true;
  for (char c : value)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') blank = false;
  if (blank)
    return Fail(Error::InvalidArgument(fmt::format("'{}' must not be empty", field))
                    .About(std::string(field), "empty"));
  if (const std::size_t n = json::CountCodePoints(value); n > max)
    return Fail(Error::InvalidArgument(
                    fmt::format("'{}' has {} characters; at most {} are allowed", field, n, max))
                    .About(std::string(field), "too_long"));
  return {};
}

// On request.callback and request.closed: who filed it (only a resident filing on the web has an
// account) and where, so a reaction that awards points for a fixed request (participation's
// request_fixed) reads its earner and the place's rules from the event alone.
void AddRequesterAndPlace(const Request& r, json::Json& payload) {
  if (!r.requester_id.empty()) payload["requester_id"] = r.requester_id;
  if (!r.place.community_id.empty()) payload["community_id"] = r.place.community_id;
  if (!r.place.street_id.empty()) payload["street_id"] = r.place.street_id;
  if (!r.place.district_id.empty()) payload["district_id"] = r.place.district_id;
}

// Who may be given a request to handle.
bool Receives(identity::UnitKind kind) {
  using identity::UnitKind;
  return kind == UnitKind::kStreet || kind == UnitKind::kTownship || kind == UnitKind::kCommunity ||
         kind == UnitKind::kDepartment;
}

// dispatch and transfer: to the unit named, or to the computed route.
Result<Transition> DecideDispatch(const Request& r, const CommandInput& in, const Context& ctx) {
  if (!ctx.matter)
    return Fail(Error::InvalidArgument("the request has no category yet: give 'matter_id'"));
  const Directory& dir = ctx.directory;
  const identity::OrgUnit* unit = nullptr;
  std::string rule;
  if (!in.unit_id.empty()) {
    unit = dir.Find(in.unit_id);
    if (!unit)
      return Fail(Error::InvalidArgument(fmt::format("'unit_id' {} is not a unit", in.unit_id)));
    if (!Receives(unit->kind))
      return Fail(Error::InvalidArgument(fmt::format(
          "'unit_id' {} is a {}; requests go to streets, townships, communities or departments",
          unit->name, identity::UnitKindName(unit->kind))));
  }
  auto route = RouteFor(dir, *ctx.matter, r.place);
  if (!unit) {
    if (!route) return Fail(route.error());
    unit = dir.Find(route->unit_id);
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
  Transition t;
  t.after = Dispatched(r, *unit, *ctx.matter, ctx.now, ctx.calendar, ctx.rules);
  t.timers = DeadlineTimers(t.after);
  t.payload = Change(r, t.after);
  t.payload["rule"] = rule;
  if (!in.reason.empty()) t.payload["reason"] = in.reason;
  t.action = in.command == Command::kDispatch ? "request.dispatched" : "request.transferred";
  return t;
}

Result<Transition> DecideSummon(const Request& r, const CommandInput& in, const Context& ctx) {
  const identity::OrgUnit* owner = ctx.directory.Find(r.unit_id);
  if (!owner ||
      (owner->kind != identity::UnitKind::kStreet && owner->kind != identity::UnitKind::kTownship))
    return Fail(Error::Conflict("only a street or township summons departments (吹哨)"));
  XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
  XT_TRY_VOID(Require(!in.department_ids.empty() && in.department_ids.size() <= 10,
                      "department_ids", in.department_ids.empty() ? "required" : "too_long",
                      "'department_ids' names 1 to 10 departments to summon"));
  Transition t;
  t.after = r;
  json::Json summoned = json::Json::array();
  std::set<std::string> seen;
  for (const auto& dep_id : in.department_ids) {
    if (!seen.insert(dep_id).second)
      return Fail(Error::InvalidArgument(fmt::format("'department_ids' names {} twice", dep_id)));
    const identity::OrgUnit* dep = ctx.directory.Find(dep_id);
    if (!dep || dep->kind != identity::UnitKind::kDepartment)
      return Fail(
          Error::InvalidArgument(fmt::format("'department_ids' {} is not a department", dep_id)));
    for (const auto& s : ctx.summonses)
      if (s.department_id == dep_id && s.reported_at == 0)
        return Fail(
            Error::Conflict(fmt::format("{} is already summoned and has not reported", dep->name)));
    Summons s;
    s.id = ctx.next_id();
    s.request_id = r.id;
    s.department_id = dep->id;
    s.department_path = dep->path;
    s.department_name = dep->name;
    s.summoned_by = ctx.actor_id;
    s.reason = in.reason;
    s.created_at = ctx.now;
    s.report_due = matters::Deadline(ctx.calendar, ctx.now, ctx.rules.summons_report_limit);
    const std::string kind = "summons_due:" + s.id;
    t.timers.push_back({kind, {{kind, s.report_due}}});
    summoned.push_back({{"summons_id", s.id},
                        {"department_id", dep->id},
                        {"department_name", dep->name},
                        {"report_due", FormatRfc3339(s.report_due)}});
    t.summoned.push_back(std::move(s));
  }
  t.payload = {{"number", r.number}, {"reason", in.reason}, {"departments", summoned}};
  t.action = "request.summoned";
  return t;
}

Result<Transition> DecideReport(const Request& r, const CommandInput& in, const Context& ctx) {
  XT_TRY_VOID(RequireText("text", in.text, kMaxReplyChars));
  if (!ctx.reporting)
    return Fail(Error::InvalidArgument(
        in.summons_id.empty()
            ? "no pending summons of your department on this request"
            : fmt::format("'summons_id' {} is not a pending summons of your department",
                          in.summons_id)));
  Summons after = *ctx.reporting;
  after.reported_at = ctx.now;
  after.report = in.text;
  after.late = ctx.now > after.report_due;
  Transition t;
  t.after = r;
  t.timers.push_back({"summons_due:" + after.id, {}});
  t.payload = {{"number", r.number},
               {"summons_id", after.id},
               {"department_name", after.department_name},
               {"report", in.text},
               {"late", after.late}};
  t.action = "request.reported";
  t.reported = std::move(after);
  return t;
}

}  // namespace

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
  // A category given or changed (re-categorisation): the label the routing
  // model learns from (insight.intake).
  if (before.matter_id != after.matter_id) {
    j["matter_id"] = after.matter_id;
    j["from_matter_id"] = before.matter_id;
  }
  return j;
}

Request Dispatched(Request r, const identity::OrgUnit& unit, const matters::Matter& matter,
                   Timestamp now, const WorkCalendar& calendar, const Rules& rules) {
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
  r.sign_due = matters::Deadline(calendar, now, matter.sign_limit);
  r.finish_due = matters::Deadline(calendar, now, matter.finish_limit);
  r.sign_warn_at = matters::WarnAt(calendar, now, matter.sign_limit, rules.warn_fraction);
  r.finish_warn_at = matters::WarnAt(calendar, now, matter.finish_limit, rules.warn_fraction);
  r.return_until = matters::Deadline(calendar, now, matter.return_window);
  r.sign_late = r.finish_late = r.warned = false;
  r.return_requested = false;
  r.return_reason.clear();
  r.extension_days = 0;
  r.extension_reason.clear();
  ++r.dispatch_count;
  return r;
}

std::vector<TimerChange> DeadlineTimers(const Request& r) {
  return {{"sign", {{"sign_warn", r.sign_warn_at}, {"sign_due", r.sign_due}}},
          {"finish", {{"finish_warn", r.finish_warn_at}, {"finish_due", r.finish_due}}}};
}

Result<Transition> Decide(const Request& r, const CommandInput& in, const Context& ctx) {
  // Signing twice is harmless: the second click answers with the same state.
  if (in.command == Command::kSign && r.status != Status::kDispatched && r.signed_at != 0 &&
      IsOpen(r.status) && r.status != Status::kReplied && r.status != Status::kCallback) {
    Transition same;
    same.after = r;
    same.unchanged = true;
    return same;
  }
  XT_TRY_VOID(Check(r, in.command, ctx.now));
  XT_TRY_VOID(Require(in.attachment_ids.empty() || in.command == Command::kReply, "attachment_ids",
                      "not_allowed", "'attachment_ids' go with a reply (处置后照片) only"));
  const Timestamp now = ctx.now;
  switch (in.command) {
    case Command::kDispatch:
    case Command::kTransfer:
      return DecideDispatch(r, in, ctx);
    case Command::kSummon:
      return DecideSummon(r, in, ctx);
    case Command::kReport:
      return DecideReport(r, in, ctx);
    default:
      break;
  }
  Transition t;
  Request& a = t.after;
  a = r;
  switch (in.command) {
    case Command::kSign:
      a.status = Status::kSigned;
      a.signed_at = now;
      a.sign_late = a.sign_late || now > a.sign_due;
      t.timers.push_back({"sign", {}});
      t.payload = Change(r, a);
      t.payload["late"] = a.sign_late;
      t.action = "request.signed";
      break;
    case Command::kHandle:
      XT_TRY_VOID(RequireText("text", in.text, kMaxReplyChars));
      a.status = Status::kHandling;
      t.payload = Change(r, a);
      t.payload["note"] = in.text;
      t.action = "request.progress";
      break;
    case Command::kReply:
      XT_TRY_VOID(RequireText("text", in.text, kMaxReplyChars));
      a.status = Status::kReplied;
      XT_TRY_VOID(Require(in.attachment_ids.size() <= static_cast<std::size_t>(kMaxAttachments),
                          "attachment_ids", "too_long",
                          fmt::format("a reply has at most {} photos, not {}", kMaxAttachments,
                                      in.attachment_ids.size())));
      a.reply = in.text;
      a.reply_attachment_ids = in.attachment_ids;
      t.attached = in.attachment_ids;
      a.replied_at = now;
      a.extension_days = 0;  // nothing left to extend
      a.finish_late = a.finish_late || now > a.finish_due;
      t.timers.push_back({"finish", {}});
      t.payload = Change(r, a);
      t.payload["reply"] = in.text;
      if (!in.attachment_ids.empty()) t.payload["attachment_ids"] = in.attachment_ids;
      t.payload["late"] = a.finish_late;
      t.action = "request.replied";
      t.children_follow = true;
      break;
    case Command::kRequestReturn:
      XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
      a.return_requested = true;
      a.return_reason = in.reason;
      t.payload = {{"number", r.number}, {"reason", in.reason}};
      t.action = "request.return_requested";
      break;
    case Command::kApproveReturn:
      a.status = Status::kReceived;
      a.unit_id.clear();
      a.unit_path.clear();
      a.unit_name.clear();
      a.dispatched_at = a.signed_at = 0;
      a.sign_due = a.finish_due = a.sign_warn_at = a.finish_warn_at = a.return_until = 0;
      a.sign_late = a.finish_late = a.warned = false;
      a.return_requested = false;
      a.extension_days = 0;
      t.timers = {{"sign", {}}, {"finish", {}}};
      t.payload = Change(r, a);
      t.payload["returned_by"] = r.unit_name;
      t.payload["reason"] = r.return_reason;
      t.action = "request.return_approved";
      break;
    case Command::kRejectReturn:
      XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
      a.return_requested = false;
      t.payload = {{"number", r.number}, {"reason", in.reason}};
      t.action = "request.return_rejected";
      break;
    case Command::kRequestExtension:
      XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
      XT_TRY_VOID(Require(
          in.days >= 1 && in.days <= ctx.rules.max_extension_days, "days", "out_of_range",
          fmt::format("'days' must be 1 to {} working days", ctx.rules.max_extension_days)));
      a.extension_days = in.days;
      a.extension_reason = in.reason;
      t.payload = {{"number", r.number}, {"days", in.days}, {"reason", in.reason}};
      t.action = "request.extension_requested";
      break;
    case Command::kApproveExtension:
      // To the end of the n-th working day after the day it was due.
      a.finish_due = ctx.calendar.AddWorkingDays(r.finish_due - 1, r.extension_days);
      if (now < a.finish_due) a.finish_late = false;
      a.extension_days = 0;
      t.timers.push_back({"finish", {{"finish_due", a.finish_due}}});
      t.payload = {{"number", r.number},
                   {"days", r.extension_days},
                   {"from", FormatRfc3339(r.finish_due)},
                   {"to", FormatRfc3339(a.finish_due)}};
      t.action = "request.extension_approved";
      break;
    case Command::kRejectExtension:
      XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
      t.payload = {{"number", r.number}, {"days", r.extension_days}, {"reason", in.reason}};
      a.extension_days = 0;
      t.action = "request.extension_rejected";
      break;
    case Command::kMerge: {
      XT_TRY_VOID(Require(!in.parent_id.empty(), ctx.merge_field, "required",
                          fmt::format("'{}' names the request to merge into", ctx.merge_field)));
      if (in.parent_id == r.id)
        return Fail(Error::InvalidArgument("a request cannot be merged into itself"));
      const Request* parent = ctx.merge_parent;
      if (!parent)
        return Fail(Error::InvalidArgument(
            fmt::format("'{}' {} is not a request", ctx.merge_field, in.parent_id)));
      if (parent->id == r.id)
        return Fail(Error::InvalidArgument("a request cannot be merged into itself"));
      if (!IsOpen(parent->status))
        return Fail(Error::Conflict(fmt::format("request {} is {}; merge into an open request",
                                                parent->number, StatusName(parent->status))));
      if (ctx.merged_into_this > 0)
        return Fail(Error::Conflict(
            fmt::format("request {} has {} merged into it; merge the other way round", r.number,
                        ctx.merged_into_this)));
      a.status = Status::kMerged;
      a.parent_id = parent->id;
      // Summonses keep their report timers: a late report still counts.
      t.timers = {{"sign", {}}, {"finish", {}}};
      t.payload = Change(r, a);
      t.payload["parent_id"] = parent->id;
      t.payload["parent_number"] = parent->number;
      t.action = "request.merged";
      break;
    }
    case Command::kCallback: {
      XT_TRY_VOID(Require(in.resolved.has_value(), "resolved", "required",
                          "'resolved' (true or false) is needed"));
      XT_TRY_VOID(Require(in.satisfaction.has_value(), "satisfaction", "required",
                          "'satisfaction' is needed: satisfied, basically_satisfied or "
                          "dissatisfied"));
      if (json::CountCodePoints(in.text) > static_cast<std::size_t>(kMaxReasonChars))
        return Fail(Error::InvalidArgument("'text' (the resident's words) is too long")
                        .About("text", "too_long"));
      const bool dissatisfied = *in.satisfaction == Satisfaction::kDissatisfied;
      a.resolved = in.resolved;
      a.satisfaction = in.satisfaction;
      a.feedback = in.text;
      a.status = NextStatus(a, Command::kCallback, dissatisfied);
      if (a.status == Status::kClosed) {
        a.closed_at = now;
        t.children_follow = true;
      }
      t.payload = Change(r, a);
      t.payload["resolved"] = *in.resolved;
      t.payload["satisfaction"] = SatisfactionName(*in.satisfaction);
      if (!in.text.empty()) t.payload["comment"] = in.text;  // the resident's own words
      AddRequesterAndPlace(r, t.payload);
      t.action = "request.callback";
      break;
    }
    case Command::kClose:
      a.status = Status::kClosed;
      a.closed_at = now;
      t.children_follow = true;
      t.payload = Change(r, a);
      if (!in.reason.empty()) t.payload["reason"] = in.reason;
      AddRequesterAndPlace(r, t.payload);
      t.action = "request.closed";
      break;
    case Command::kReopen: {
      XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
      if (!ctx.matter) return Fail(Error::Conflict("the request has no category to reopen under"));
      const identity::OrgUnit* unit = ctx.directory.Find(r.unit_id);
      if (!unit)
        return Fail(Error::Conflict("the unit that handled it no longer exists; dispatch anew"));
      a.resolved.reset();
      a.satisfaction.reset();
      a.reply.clear();
      a = Dispatched(std::move(a), *unit, *ctx.matter, now, ctx.calendar, ctx.rules);
      --a.dispatch_count;
      ++a.reopen_count;
      t.timers = DeadlineTimers(a);
      t.payload = Change(r, a);
      t.payload["reason"] = in.reason;
      t.action = "request.reopened";
      break;
    }
    case Command::kUrge:
      XT_TRY_VOID(RequireText("reason", in.reason, kMaxReasonChars));
      t.payload = {{"number", r.number}, {"reason", in.reason}, {"unit_name", r.unit_name}};
      t.action = "request.urged";
      break;
    case Command::kDispatch:
    case Command::kTransfer:
    case Command::kSummon:
    case Command::kReport:
      break;  // decided above
  }
  return t;
}

}  // namespace xietong::requests::lifecycle
