// IncidentService's incidents: open, read, list, change level, close, and
// the 指挥部 and 情况报告 formed through collab after the incident commits.
// Each command: authorize → load → decide (incident.h) → store
// (incident_store.h) + one timeline entry + one audit event, in one
// transaction.
#include "emergency/incident_service.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "audit/audit_log.h"
#include "emergency/incident_store.h"
#include "identity/authorization.h"

namespace xietong::emergency {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

constexpr Timestamp kHourUs = 3'600'000'000;
constexpr Timestamp kForceDaysUs = 30 * 24 * kHourUs;  // the 指挥部's first deadline

Error NoIncident(std::string_view id) {
  return Error::NotFound(fmt::format("no incident '{}'", id.substr(0, 64)));
}

json::Json IncidentAuditJson(const Incident& i) {
  return {{"type", i.type},
          {"level", i.level},
          {"title", i.title},
          {"unit_id", i.unit_id},
          {"area", PolygonJson(i.area)},
          {"grid_ids", i.area.grid_ids},
          {"source_warning_id", i.source_warning_id}};
}

TimelineEntry Entry(const Incident& i, const Principal& actor, Timestamp at, std::string kind,
                    std::string text, json::Json data = json::Json::object()) {
  return {.incident_id = i.id,
          .at = at,
          .actor_id = actor.account_id,
          .actor_name = actor.display_name,
          .kind = std::move(kind),
          .text = std::move(text),
          .data = std::move(data)};
}

// The 情况报告 form: the same keys every round, so a round is prefilled from
// the unit's previous answer (collab's series).
std::vector<collab::FormField> SituationFields() {
  using collab::FieldType;
  return {
      {.key = "situation", .title = "现场情况", .type = FieldType::kText, .required = true},
      {.key = "casualties", .title = "伤亡人数", .type = FieldType::kInteger, .unit = "人"},
      {.key = "trapped", .title = "被困人数", .type = FieldType::kInteger, .unit = "人"},
      {.key = "evacuated", .title = "已转移人数", .type = FieldType::kInteger, .unit = "人"},
      {.key = "needs", .title = "急需支援", .type = FieldType::kText},
  };
}

}  // namespace

Result<Incident> IncidentService::Visible(Executor& ex, const Principal& actor,
                                          std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto inc, store::FindIncident(ex, id));
  if (!inc || !MayRead(actor, *inc)) return Fail(NoIncident(id));
  return std::move(*inc);
}

Result<Incident> IncidentService::Open(const Principal& actor, const IncidentInput& in) {
  XT_TRY_VOID(ValidateIncidentInput(in));
  if (!actor.is_system() && actor.kind != identity::AccountKind::kStaff) {
    return Fail(Error::PermissionDenied("only staff open incidents"));
  }
  // The commanding unit: the one named, or the caller's first they may command from.
  std::shared_ptr<const identity::OrgUnit> unit;
  if (in.unit_id.empty()) {
    for (const auto& m : actor.memberships) {
      if (!identity::RoleAllows(m.role, Action::kIncidentCommand)) continue;
      XT_ASSIGN_OR_RETURN(unit, identity_.GetUnit(actor, m.unit_id));
      break;
    }
    if (!unit) return Fail(Error::PermissionDenied("you may not command incidents from any unit"));
  } else {
    auto u = identity_.GetUnit(actor, in.unit_id);
    if (!u) {
      if (u.error().code != ErrorCode::kNotFound) return Fail(u.error());
      return Fail(Error::InvalidArgument(fmt::format("no unit '{}'", in.unit_id.substr(0, 64)))
                      .About("unit_id", "unknown"));
    }
    unit = *u;
  }
  if (!identity::Can(actor, Action::kIncidentCommand, unit->path)) {
    return Fail(
        Error::PermissionDenied(fmt::format("you may not command incidents from {}", unit->name)));
  }
  const Timestamp now = clock_.Now();
  Incident inc{.id = ids_.Next(),
               .type = in.type,
               .level = in.level,
               .title = in.title,
               .description = in.description,
               .area = in.area,
               .unit_id = unit->id,
               .unit_path = unit->path,
               .unit_name = unit->name,
               .source_warning_id = in.source_warning_id.value_or(""),
               .created_by = actor.account_id,
               .created_at = now,
               .updated_at = now};
  inc.report_series = "incident:" + inc.id;
  bool again = false;  // the warning's incident exists: a retried escalation
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    if (!inc.source_warning_id.empty()) {
      XT_ASSIGN_OR_RETURN(auto existing, store::FindIncidentByWarning(ex, inc.source_warning_id));
      if (existing) {
        inc = std::move(*existing);
        again = true;
        return {};
      }
    }
    XT_TRY_VOID(store::InsertIncident(ex, inc));
    XT_TRY_VOID(store::AppendTimeline(
        ex, Entry(inc, actor, now, "opened",
                  fmt::format("{}级（{}）{}事件：{}", LevelRoman(inc.level), LevelZh(inc.level),
                              ParseIncidentType(inc.type)->zh, inc.title),
                  {{"source_warning_id", inc.source_warning_id}})));
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "emergency.incident.opened", inc.id, IncidentAuditJson(inc)}));
    return {};
  }));
  // After the commit (see incident_service.h): the 指挥部, then the first
  // round of 情况报告. Either may fail without undoing the incident; the
  // caller (or POST …/force) retries EnsureForce, which is idempotent.
  auto formed = EnsureForce(actor, inc.id);
  if (formed) {
    inc = std::move(*formed);
  } else {
    spdlog::warn("incident {}: forming the 指挥部 failed: {}", inc.id, formed.error().message);
  }
  if (again) return inc;  // its first round went out when it was opened
  if (auto sent = RequestSituationReports(actor, inc.id); !sent) {
    spdlog::warn("incident {}: the first 情况报告 round failed: {}", inc.id, sent.error().message);
  }
  return inc;
}

Result<IncidentView> IncidentService::Get(const Principal& actor, std::string_view id) {
  return db_.Read([&](Executor& ex) -> Result<IncidentView> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, id));
    XT_ASSIGN_OR_RETURN(auto timeline, store::Timeline(ex, id));
    IncidentView v{.incident = std::move(inc), .timeline = std::move(timeline)};
    v.force_template = TemplateFor(v.incident.type, v.incident.level);
    for (const auto& e : v.timeline)
      if (e.kind == "situation_reports_requested" && e.data.contains("form_id"))
        v.latest_report_form_id = e.data["form_id"].get<std::string>();
    return v;
  });
}

Result<std::vector<Incident>> IncidentService::List(const Principal& actor,
                                                    const IncidentListQuery& q) {
  if (q.limit < 1 || q.limit > kMaxPage) {
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  }
  if (!q.status.empty()) XT_TRY_VOID(ParseStatus(q.status));
  store::IncidentFilter f{.status = q.status, .limit = q.limit};
  if (actor.is_system()) {
    f.unit_paths.push_back("");
  } else if (actor.kind == identity::AccountKind::kStaff) {
    for (const auto& m : actor.memberships) {
      // Incidents under a unit where the role reaches, and those commanded
      // from above any unit of theirs (the units in the area).
      if (identity::RoleAllows(m.role, Action::kIncidentRespond) ||
          identity::RoleAllows(m.role, Action::kIncidentCommand) ||
          identity::RoleAllows(m.role, Action::kCollabOversee)) {
        f.unit_paths.push_back(m.unit_path);
      }
      f.own_unit_paths.push_back(m.unit_path);
    }
  }
  return db_.Read([&](Executor& ex) { return store::ListIncidents(ex, f); });
}

Result<Incident> IncidentService::ChangeLevel(const Principal& actor, std::string_view id,
                                              int level, std::string_view reason) {
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Incident> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, id));
    if (!MayCommand(actor, inc)) {
      return Fail(Error::PermissionDenied("only the incident's command changes its level"));
    }
    XT_ASSIGN_OR_RETURN(auto change, DecideLevelChange(inc, level, reason));
    inc.level = change.to;
    inc.updated_at = now;
    ++inc.version;
    XT_ASSIGN_OR_RETURN(bool updated, store::UpdateIncident(ex, inc));
    if (!updated) return Fail(Error::Conflict("the incident changed meanwhile; reload it"));
    XT_TRY_VOID(store::InsertLevelChange(ex, inc.id, change.from, change.to, reason,
                                         actor.account_id, now));
    // The new level's interval counts from now.
    XT_TRY_VOID(store::SetNextReportAt(
        ex, inc.id, now + TemplateFor(inc.type, inc.level).situation_report_hours * kHourUs));
    XT_TRY_VOID(store::AppendTimeline(
        ex, Entry(inc, actor, now, change.raised ? "level_raised" : "level_lowered",
                  fmt::format("{} {}级 → {}级（{}）：{}", change.raised ? "升级" : "降级",
                              LevelRoman(change.from), LevelRoman(change.to), LevelZh(change.to),
                              reason),
                  {{"from", change.from}, {"to", change.to}, {"reason", reason}})));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "emergency.incident.level_changed",
                               inc.id,
                               {{"from", change.from},
                                {"to", change.to},
                                {"raised", change.raised},
                                {"reason", reason}}}));
    return inc;
  });
}

Result<Incident> IncidentService::Close(const Principal& actor, std::string_view id,
                                        std::string_view summary) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto closed, db_.Write([&](Executor& ex) -> Result<Incident> {
    XT_ASSIGN_OR_RETURN(auto inc, Visible(ex, actor, id));
    if (!MayCommand(actor, inc)) {
      return Fail(Error::PermissionDenied("only the incident's command closes it"));
    }
    XT_TRY_VOID(DecideClose(inc, summary));
    inc.status = IncidentStatus::kClosed;
    inc.summary = std::string(summary);
    inc.closed_at = inc.updated_at = now;
    ++inc.version;
    XT_ASSIGN_OR_RETURN(bool updated, store::UpdateIncident(ex, inc));
    if (!updated) return Fail(Error::Conflict("the incident changed meanwhile; reload it"));
    XT_TRY_VOID(store::AppendTimeline(ex, Entry(inc, actor, now, "closed", inc.summary)));
    // What was lent from the units' reserves goes back with the closing.
    XT_ASSIGN_OR_RETURN(auto returned, ReturnDeployed(ex, inc, now));
    json::Json payload = {{"summary", inc.summary}};
    if (!returned.empty()) payload["returned"] = std::move(returned);
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "emergency.incident.closed", inc.id, std::move(payload)}));
    return inc;
  }));
  // After the commit, as forming it was: the 指挥部 is a temporary body and is
  // dissolved with the incident's summary (its open tasks stay with their
  // owners). Collab refuses anyone but the force's lead; then the force stays
  // for its lead to dissolve, and the incident is closed all the same.
  if (!closed.force_id.empty()) {
    auto dissolved = [&]() -> Result<collab::TaskForce> {
      XT_ASSIGN_OR_RETURN(auto view, collab_.GetForce(actor, closed.force_id));
      if (view.force.status != collab::ForceStatus::kActive) return view.force;
      std::map<std::string, std::string> handover;
      for (const auto& t : view.tasks)
        if (t.status != collab::TaskStatus::kDone)
          handover[t.id] = t.owner_account_id.empty() ? actor.account_id : t.owner_account_id;
      return collab_.Dissolve(actor, closed.force_id, closed.summary, handover);
    }();
    if (!dissolved) {
      spdlog::warn("incident {}: dissolving the 指挥部 {} failed: {}", closed.id, closed.force_id,
                   dissolved.error().message);
    }
  }
  return closed;
}

Result<Incident> IncidentService::EnsureForce(const Principal& actor, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto inc, db_.Read([&](Executor& ex) { return Visible(ex, actor, id); }));
  if (!inc.force_id.empty()) return inc;
  if (!MayCommand(actor, inc)) {
    return Fail(Error::PermissionDenied("only the incident's command forms its 指挥部"));
  }
  XT_TRY_VOID(RequireActive(inc));
  // Idempotent by incident id: a force this caller formed for the incident
  // earlier (a crash between forming it and recording it here) is adopted.
  std::string force_id;
  XT_ASSIGN_OR_RETURN(auto mine, collab_.MyForces(actor));
  for (const auto& f : mine) {
    if (f.subject_kind == collab::SubjectKind::kOther && f.subject_id == inc.id &&
        f.status == collab::ForceStatus::kActive) {
      force_id = f.id;
      break;
    }
  }
  const auto tmpl = TemplateFor(inc.type, inc.level);
  if (force_id.empty()) {
    XT_ASSIGN_OR_RETURN(
        auto view,
        collab_.CreateForce(actor, {.title = ForceTitle(inc),
                                    .subject_kind = "other",
                                    .subject_id = inc.id,
                                    .goal = fmt::format("处置{}，保障群众生命财产安全", inc.title),
                                    .charter = ForceCharter(inc, tmpl),
                                    .deadline = clock_.Now() + kForceDaysUs,
                                    .unit_id = inc.unit_id}));
    force_id = view.force.id;
  }
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Incident> {
    XT_ASSIGN_OR_RETURN(bool set, store::SetForceId(ex, inc.id, force_id));
    XT_ASSIGN_OR_RETURN(auto fresh, store::FindIncident(ex, inc.id));
    if (!fresh) return Fail(NoIncident(inc.id));
    if (!set) return std::move(*fresh);  // recorded meanwhile by another call
    json::Json deps = json::Json::array();
    for (auto d : tmpl.departments) deps.push_back(d);
    XT_TRY_VOID(store::AppendTimeline(
        ex, Entry(*fresh, actor, now, "force_formed",
                  fmt::format("成立指挥部：{}级牵头（{}）", tmpl.lead_unit_kind, tmpl.lead_role),
                  {{"force_id", force_id}, {"departments", deps}})));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "emergency.incident.force_formed",
                               inc.id,
                               {{"force_id", force_id},
                                {"lead_unit_kind", tmpl.lead_unit_kind},
                                {"departments", deps}}}));
    return std::move(*fresh);
  });
}

Result<collab::ReportForm> IncidentService::RequestSituationReports(const Principal& actor,
                                                                    std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto inc, db_.Read([&](Executor& ex) { return Visible(ex, actor, id); }));
  if (!MayCommand(actor, inc)) {
    return Fail(Error::PermissionDenied("only the incident's command asks for 情况报告"));
  }
  XT_TRY_VOID(RequireActive(inc));
  return SendRound(actor, inc);
}

Result<collab::ReportForm> IncidentService::SendRound(const Principal& actor, const Incident& inc) {
  const auto tmpl = TemplateFor(inc.type, inc.level);
  const Timestamp now = clock_.Now();
  collab::NewReportForm form{
      .title = fmt::format("情况报告：{}", inc.title),
      .instructions =
          fmt::format("请于 {} 小时内报送本单位辖区内的现场情况、伤亡、被困与转移人数及急需支援。",
                      tmpl.situation_report_hours),
      .fields = SituationFields(),
      .from_unit_id = inc.unit_id,
      .to_units = {inc.unit_id},
      .include_subtree = true,
      // The territorial units below the command; grids answer through their community.
      .unit_kinds = {"district", "street", "township", "community", "department"},
      .due_by = now + tmpl.situation_report_hours * kHourUs,
      .series = inc.report_series};
  XT_ASSIGN_OR_RETURN(auto sent, collab_.CreateReportForm(actor, form));
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(
        store::AppendTimeline(ex, Entry(inc, actor, now, "situation_reports_requested",
                                        fmt::format("向 {} 个单位下发情况报告，{} 小时内报送",
                                                    sent.recipients, tmpl.situation_report_hours),
                                        {{"form_id", sent.id}, {"recipients", sent.recipients}})));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "emergency.incident.situation_reports_requested",
                               inc.id,
                               {{"form_id", sent.id}, {"due_by", sent.due_by}}}));
    return store::SetNextReportAt(ex, inc.id, now + tmpl.situation_report_hours * kHourUs);
  }));
  return sent;
}

Result<int> IncidentService::SendDueSituationReports() {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(
      auto due, db_.Read([&](Executor& ex) { return store::DueReportRounds(ex, now, kMaxPage); }));
  int sent = 0;
  for (const auto& round : due) {
    std::optional<Incident> claimed;
    XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
      XT_ASSIGN_OR_RETURN(auto inc, store::FindIncident(ex, round.incident_id));
      if (!inc || inc->status != IncidentStatus::kActive) return {};
      const Timestamp next =
          now + TemplateFor(inc->type, inc->level).situation_report_hours * kHourUs;
      XT_ASSIGN_OR_RETURN(const bool mine, store::ClaimReportRound(ex, round, next));
      if (mine) claimed = std::move(*inc);
      return {};
    }));
    if (!claimed) continue;  // another node (or pass) has it
    // Claimed, then sent: a failure here skips this round (logged); the next
    // is due at its interval, as a missed round in the field would be.
    if (auto r = SendRound(identity::Principal::System(), *claimed); !r) {
      spdlog::warn("incident {}: the scheduled 情况报告 round failed: {}", claimed->id,
                   r.error().message);
      continue;
    }
    ++sent;
  }
  return sent;
}

}  // namespace xietong::emergency
