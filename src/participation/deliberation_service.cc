// DeliberationService's proposals, supports, comments, agenda and meetings.
// Each command: authorize → load → decide (proposal.h, meeting.h) → store
// (deliberation_store.h) + its audit event(s), in one transaction.
#include "participation/deliberation_service.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "files/file_service.h"
#include "identity/authorization.h"
#include "participation/budget.h"
#include "participation/settings.h"

namespace xietong::participation {
namespace {

using identity::Principal;
using storage::Executor;

constexpr int kCommentPage = 500;
constexpr int kExpireBatch = 200;

Error NoProposal(std::string_view id) {
  return Error::NotFound(fmt::format("no proposal '{}'", id.substr(0, 64)));
}
Error NoMeeting(std::string_view id) {
  return Error::NotFound(fmt::format("no meeting '{}'", id.substr(0, 64)));
}
Error Changed() {
  return Error::Conflict("the proposal changed meanwhile; reload and try again")
      .About("version", "changed");
}

// A verified resident of exactly this community (plan §7.2).
bool IsResidentOf(const Principal& actor, std::string_view community_id) {
  if (actor.is_system() || actor.kind != identity::AccountKind::kResident) return false;
  return std::any_of(actor.memberships.begin(), actor.memberships.end(), [&](const auto& m) {
    return m.role == identity::Role::kResident && m.unit_id == community_id;
  });
}

// The community's staff (participation.staff: handler, unit_lead, admin).
bool IsStaffOver(const Principal& actor, std::string_view community_path) {
  if (actor.is_system()) return true;
  if (actor.kind != identity::AccountKind::kStaff) return false;
  return identity::Can(actor, identity::Action::kParticipationStaff, community_path);
}

Error NotResident(std::string_view community_name) {
  return Error::PermissionDenied(
             fmt::format("proposals and supports in {} are for its registered residents",
                         community_name))
      .About("community_id", "not_resident");
}

Result<void> CheckLimit(int limit) {
  if (limit < 1 || limit > DeliberationService::kMaxPage)
    return Fail(Error::InvalidArgument(
                    fmt::format("'limit' must be between 1 and {}", DeliberationService::kMaxPage))
                    .About("limit", "out_of_range"));
  return {};
}

json::Json LatLng(const std::optional<double>& v) {
  return v ? json::Json(*v) : json::Json(nullptr);
}

}  // namespace

DeliberationService::DeliberationService(storage::Database& db, const Clock& clock,
                                         IdGenerator& ids, identity::IdentityService& identity,
                                         collab::CollabService& collab,
                                         requests::RequestService& requests,
                                         DeliberationOptions options)
    : db_(db),
      clock_(clock),
      ids_(ids),
      identity_(identity),
      collab_(collab),
      requests_(requests),
      options_(options) {}

void DeliberationService::Committed() {
  for (const auto& f : on_commit_) f();
}

// The community unit by id (404 for an unknown id, 400 for another kind).
Result<std::shared_ptr<const identity::OrgUnit>> DeliberationService::Community(
    std::string_view id) {
  if (id.empty())
    return Fail(
        Error::InvalidArgument("field 'community_id': is required").About("community_id", "empty"));
  auto unit = identity_.GetUnit(Principal::System(), id);
  if (!unit) {
    if (unit.error().code == ErrorCode::kNotFound)
      return Fail(Error::NotFound(fmt::format("no community '{}'", id.substr(0, 64)))
                      .About("community_id", "unknown"));
    return Fail(std::move(unit.error()));
  }
  if ((*unit)->kind != identity::UnitKind::kCommunity)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'community_id': '{}' is not a community", (*unit)->name))
                    .About("community_id", "not_community"));
  return *unit;
}

// The caller's community when they name none: a resident's one community.
std::string DeliberationService::DefaultCommunity(const Principal& actor) {
  for (const auto& m : actor.memberships)
    if (m.role == identity::Role::kResident) return m.unit_id;
  return {};
}

Result<Proposal> DeliberationService::Propose(const Principal& actor, NewProposal in) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(in, ValidateNewProposal(std::move(in)));
  if (in.community_id.empty()) in.community_id = DefaultCommunity(actor);
  XT_ASSIGN_OR_RETURN(auto community, Community(in.community_id));
  if (!IsResidentOf(actor, community->id)) return Fail(NotResident(community->name));
  if (!in.on_behalf_of.empty()) {
    auto org = identity_.GetUnit(Principal::System(), in.on_behalf_of);
    const bool member = org && (*org)->path.starts_with(community->path) &&
                        (*org)->id != community->id &&
                        std::any_of(actor.memberships.begin(), actor.memberships.end(),
                                    [&](const auto& m) { return m.unit_id == in.on_behalf_of; });
    if (!member)
      return Fail(Error::PermissionDenied("field 'on_behalf_of': you propose only for an "
                                          "organisation of this community that you belong to")
                      .About("on_behalf_of", "not_member"));
  }
  if (!in.idempotency_key.empty()) {
    XT_ASSIGN_OR_RETURN(auto earlier, db_.Read([&](Executor& ex) {
      return store::FindProposalByKey(ex, actor.account_id, in.idempotency_key);
    }));
    if (earlier) return std::move(*earlier);
  }

  Proposal p;
  p.id = ids_.Next();
  p.community_id = community->id;
  p.community_path = community->path;
  p.author_id = actor.account_id;
  p.organisation_id = in.on_behalf_of;
  p.title = in.title;
  p.text = in.text;
  p.address = in.address;
  p.lat = in.lat;
  p.lng = in.lng;
  p.photo_ids = in.photo_ids;
  p.cost_fen = in.cost_fen;
  p.created_at = now;
  // The community's settings (else its street's, else the defaults), copied
  // onto the proposal: later changes do not move its goalposts.
  std::vector<std::string> units = {community->id};
  if (community->parent_id) units.push_back(*community->parent_id);
  auto made = db_.Write([&](Executor& ex) -> Result<Proposal> {
    XT_ASSIGN_OR_RETURN(auto settings, store::SettingsFor(ex, units));
    p.threshold = settings.support_threshold;
    p.support_until = now + settings.support_days * kMicrosPerDay;
    XT_TRY_VOID(store::InsertProposal(ex, p, in.idempotency_key));
    if (!p.photo_ids.empty()) {
      XT_TRY_VOID(files::Attach(ex, actor.account_id, p.photo_ids, p.id));
    }
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "deliberation.proposal.created",
                               p.id,
                               {{"community_id", p.community_id},
                                {"unit_path", p.community_path},
                                {"organisation_id", p.organisation_id},
                                {"title", p.title},
                                {"text_sha256", Sha256Hex(p.text)},
                                {"cost_fen", p.cost_fen},
                                {"photos", p.photo_ids.size()},
                                {"lat", LatLng(p.lat)},
                                {"lng", LatLng(p.lng)},
                                {"threshold", p.threshold},
                                {"support_until", p.support_until}}}));
    return p;
  });
  if (!made && made.error().reason == "replayed") {
    // The same key raced us: answer the proposal it made.
    XT_ASSIGN_OR_RETURN(auto earlier, db_.Read([&](Executor& ex) {
      return store::FindProposalByKey(ex, actor.account_id, in.idempotency_key);
    }));
    if (earlier) return std::move(*earlier);
  }
  if (made) Committed();
  return made;
}

Result<Proposal> DeliberationService::Readable(Executor& ex, const Principal& actor,
                                               std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto p, store::FindProposal(ex, id));
  if (!p) return Fail(NoProposal(id));
  if (p->status == ProposalStatus::kHidden && p->author_id != actor.account_id &&
      !IsStaffOver(actor, p->community_path))
    return Fail(NoProposal(id));
  return std::move(*p);
}

Result<ProposalView> DeliberationService::GetProposal(const Principal& actor, std::string_view id) {
  const Timestamp now = clock_.Now();
  return db_.Read([&](Executor& ex) -> Result<ProposalView> {
    ProposalView v;
    XT_ASSIGN_OR_RETURN(v.proposal, Readable(ex, actor, id));
    XT_ASSIGN_OR_RETURN(v.my_support, store::HasSupport(ex, id, actor.account_id));
    v.can_support = !v.my_support && IsResidentOf(actor, v.proposal.community_id) &&
                    DecideSupport(v.proposal, actor.account_id, now).has_value();
    XT_ASSIGN_OR_RETURN(v.updates, store::Updates(ex, id));
    return v;
  });
}

Result<ProposalPage> DeliberationService::ListProposals(const Principal& actor,
                                                        const ProposalQuery& q) {
  XT_TRY_VOID(CheckLimit(q.limit));
  store::ProposalFilter f;
  f.limit = q.limit + 1;
  f.after_id = q.cursor;
  if (q.status) f.statuses = {std::string(ProposalStatusName(*q.status))};
  if (q.supported_by_me) {
    f.supported_by = actor.account_id;
    f.community_id = q.community_id;
  } else {
    f.community_id = q.community_id.empty() ? DefaultCommunity(actor) : q.community_id;
    XT_ASSIGN_OR_RETURN(auto community, Community(f.community_id));
    f.include_hidden = IsStaffOver(actor, community->path);
  }
  XT_ASSIGN_OR_RETURN(auto items,
                      db_.Read([&](Executor& ex) { return store::ListProposals(ex, f); }));
  ProposalPage page;
  if (static_cast<int>(items.size()) > q.limit) {
    items.resize(static_cast<std::size_t>(q.limit));
    page.next_cursor = items.back().id;
  }
  page.items = std::move(items);
  return page;
}

Result<SupportResult> DeliberationService::Support(const Principal& actor, std::string_view id) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto p, db_.Read([&](Executor& ex) { return Readable(ex, actor, id); }));
  if (!IsResidentOf(actor, p.community_id)) {
    auto community = Community(p.community_id);
    return Fail(NotResident(community ? (*community)->name : p.community_id));
  }
  XT_TRY_VOID(DecideSupport(p, actor.account_id, now));
  auto out = db_.Write([&](Executor& ex) -> Result<SupportResult> {
    XT_ASSIGN_OR_RETURN(bool fresh, store::InsertSupport(ex, p.id, actor.account_id, now));
    if (!fresh)
      return Fail(Error::Conflict("you already support this proposal")
                      .About("proposal", "already_supported"));
    XT_ASSIGN_OR_RETURN(auto count, store::CountSupport(ex, p.id, now));
    if (!count)
      return Fail(
          Error::Conflict("the proposal takes no more supports").About("status", "not_collecting"));
    SupportResult r{p.id, count->supports, p.threshold, count->status,
                    CrossedThreshold(count->supports, p.threshold)};
    std::vector<audit::EventInput> events;
    events.push_back({actor.account_id,
                      "deliberation.proposal.supported",
                      p.id,
                      {{"community_id", p.community_id},
                       {"unit_path", p.community_path},
                       {"supports", r.supports}}});
    if (r.qualified)
      events.push_back({actor.account_id,
                        "deliberation.proposal.qualified",
                        p.id,
                        {{"community_id", p.community_id},
                         {"supports", r.supports},
                         {"threshold", p.threshold}}});
    XT_TRY_VOID(audit::AppendMany(ex, now, events));
    return r;
  });
  if (out) Committed();
  return out;
}

Result<std::vector<Supporter>> DeliberationService::Supporters(const Principal& actor,
                                                               std::string_view id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<Supporter>> {
    XT_ASSIGN_OR_RETURN(auto p, Readable(ex, actor, id));
    if (!IsStaffOver(actor, p.community_path))
      return Fail(Error::PermissionDenied("the list of supporters is for the community's staff"));
    return store::Supporters(ex, id);
  });
}

Result<Proposal> DeliberationService::Withdraw(const Principal& actor, std::string_view id,
                                               std::string_view reason) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto why, ValidateReason(reason));
  auto out = db_.Write([&](Executor& ex) -> Result<Proposal> {
    XT_ASSIGN_OR_RETURN(auto p, Readable(ex, actor, id));
    XT_TRY_VOID(DecideWithdraw(p, actor.account_id));
    p.status = ProposalStatus::kWithdrawn;
    p.version += 1;
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, p));
    if (!ok) return Fail(Changed());
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "deliberation.proposal.withdrawn", p.id, {{"reason", why}}}));
    return p;
  });
  if (out) Committed();
  return out;
}

Result<Proposal> DeliberationService::Hide(const Principal& actor, std::string_view id,
                                           std::string_view reason) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto why, ValidateReason(reason));
  auto out = db_.Write([&](Executor& ex) -> Result<Proposal> {
    XT_ASSIGN_OR_RETURN(auto p, Readable(ex, actor, id));
    if (!IsStaffOver(actor, p.community_path))
      return Fail(Error::PermissionDenied("only the community's staff hide a proposal"));
    XT_TRY_VOID(DecideHide(p));
    p.status = ProposalStatus::kHidden;
    p.hidden_reason = why;
    p.version += 1;
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, p));
    if (!ok) return Fail(Changed());
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "deliberation.proposal.hidden", p.id, {{"reason", why}}}));
    return p;
  });
  if (out) Committed();
  return out;
}

Result<Comment> DeliberationService::PostComment(const Principal& actor,
                                                 std::string_view proposal_id,
                                                 std::string_view text) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto body, ValidateComment(text));
  auto out = db_.Write([&](Executor& ex) -> Result<Comment> {
    XT_ASSIGN_OR_RETURN(auto p, Readable(ex, actor, proposal_id));
    if (!IsResidentOf(actor, p.community_id) && !IsStaffOver(actor, p.community_path))
      return Fail(
          Error::PermissionDenied("the discussion is for the community's residents and staff")
              .About("community_id", "not_resident"));
    if (p.status == ProposalStatus::kHidden || p.status == ProposalStatus::kWithdrawn)
      return Fail(Error::Conflict(fmt::format("the proposal is {}; its discussion is closed",
                                              ProposalStatusName(p.status)))
                      .About("status", "closed"));
    Comment c{ids_.Next(), p.id, actor.account_id, body, now, ""};
    XT_TRY_VOID(store::InsertComment(ex, c));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "deliberation.comment.posted",
                               p.id,
                               {{"comment_id", c.id}, {"text", c.text}}}));
    return c;
  });
  if (out) Committed();
  return out;
}

Result<std::vector<Comment>> DeliberationService::Comments(const Principal& actor,
                                                           std::string_view proposal_id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<Comment>> {
    XT_ASSIGN_OR_RETURN(auto p, Readable(ex, actor, proposal_id));
    if (!IsResidentOf(actor, p.community_id) && !IsStaffOver(actor, p.community_path))
      return Fail(
          Error::PermissionDenied("the discussion is for the community's residents and staff")
              .About("community_id", "not_resident"));
    return store::Comments(ex, proposal_id, kCommentPage);
  });
}

Result<std::vector<Proposal>> DeliberationService::Agenda(const Principal& actor,
                                                          std::string_view community_id) {
  const std::string id = community_id.empty() ? DefaultCommunity(actor) : std::string(community_id);
  XT_ASSIGN_OR_RETURN(auto community, Community(id));
  if (!IsResidentOf(actor, community->id) && !IsStaffOver(actor, community->path))
    return Fail(NotResident(community->name));
  return db_.Read([&](Executor& ex) { return store::Agenda(ex, community->id); });
}

Result<Meeting> DeliberationService::ScheduleMeeting(const Principal& actor, NewMeeting in) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(in, ValidateNewMeeting(std::move(in)));
  XT_ASSIGN_OR_RETURN(auto community, Community(in.community_id));
  if (!IsStaffOver(actor, community->path))
    return Fail(Error::PermissionDenied("only the community's staff schedule its meetings"));
  Meeting m;
  m.id = ids_.Next();
  m.community_id = community->id;
  m.title = in.title;
  m.kind = in.kind;
  m.scheduled_at = in.scheduled_at;
  m.place = in.place;
  m.agenda = in.agenda;
  m.created_by = actor.account_id;
  m.created_at = now;
  auto out = db_.Write([&](Executor& ex) -> Result<Meeting> {
    for (const auto& pid : m.agenda) {
      XT_ASSIGN_OR_RETURN(auto p, store::FindProposal(ex, pid));
      if (!p)
        return Fail(Error::InvalidArgument(
                        fmt::format("field 'agenda': no proposal '{}'", pid.substr(0, 64)))
                        .About("agenda", "unknown"));
      XT_TRY_VOID(DecideSchedule(*p, m.community_id));
      p->status = ProposalStatus::kScheduled;
      p->meeting_id = m.id;
      p->version += 1;
      XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, *p));
      if (!ok) return Fail(Changed());
    }
    XT_TRY_VOID(store::InsertMeeting(ex, m));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "deliberation.meeting.scheduled",
                               m.id,
                               {{"community_id", m.community_id},
                                {"title", m.title},
                                {"kind", MeetingKindName(m.kind)},
                                {"at", m.scheduled_at},
                                {"agenda", m.agenda}}}));
    return m;
  });
  if (out) Committed();
  return out;
}

// The meeting, for the community's residents and staff (404 for others).
Result<Meeting> DeliberationService::ReadableMeeting(const Principal& actor, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto m, db_.Read([&](Executor& ex) { return store::FindMeeting(ex, id); }));
  if (!m) return Fail(NoMeeting(id));
  auto community = Community(m->community_id);
  if (!community) return Fail(NoMeeting(id));
  if (!IsResidentOf(actor, m->community_id) && !IsStaffOver(actor, (*community)->path))
    return Fail(NoMeeting(id));
  return std::move(*m);
}

Result<Meeting> DeliberationService::GetMeeting(const Principal& actor, std::string_view id) {
  return ReadableMeeting(actor, id);
}

Result<std::vector<Meeting>> DeliberationService::ListMeetings(const Principal& actor,
                                                               std::string_view community_id) {
  const std::string id = community_id.empty() ? DefaultCommunity(actor) : std::string(community_id);
  XT_ASSIGN_OR_RETURN(auto community, Community(id));
  if (!IsResidentOf(actor, community->id) && !IsStaffOver(actor, community->path))
    return Fail(NotResident(community->name));
  return db_.Read([&](Executor& ex) { return store::ListMeetings(ex, community->id, kMaxPage); });
}

Result<Meeting> DeliberationService::RecordMeeting(const Principal& actor, std::string_view id,
                                                   MeetingRecord in) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto before, ReadableMeeting(actor, id));
  XT_ASSIGN_OR_RETURN(auto community, Community(before.community_id));
  if (!IsStaffOver(actor, community->path))
    return Fail(Error::PermissionDenied("only the community's staff record its meetings"));
  XT_ASSIGN_OR_RETURN(in, ValidateRecord(before, std::move(in)));
  // Attendees are the community's residents: checked before the write.
  for (const auto& a : in.attendees) {
    auto account = identity_.GetAccount(Principal::System(), a);
    const bool resident =
        account &&
        std::any_of(account->memberships.begin(), account->memberships.end(), [&](const auto& m) {
          return m.role == identity::Role::kResident && m.unit_id == community->id;
        });
    if (!resident)
      return Fail(
          Error::InvalidArgument(fmt::format("field 'attendees': '{}' is not a resident of {}",
                                             a.substr(0, 64), community->name))
              .About("attendees", "not_resident"));
  }
  auto out = db_.Write([&](Executor& ex) -> Result<Meeting> {
    XT_ASSIGN_OR_RETURN(auto found, store::FindMeeting(ex, id));
    if (!found) return Fail(NoMeeting(id));
    Meeting m = std::move(*found);
    XT_ASSIGN_OR_RETURN(in, ValidateRecord(m, std::move(in)));
    std::vector<audit::EventInput> events;
    json::Json decisions = json::Json::array();
    for (const auto& d : in.decisions) {
      XT_ASSIGN_OR_RETURN(auto p, store::FindProposal(ex, d.proposal_id));
      if (!p || p->status != ProposalStatus::kScheduled || p->meeting_id != m.id)
        return Fail(Error::Conflict(fmt::format("proposal '{}' is no longer on this agenda",
                                                d.proposal_id.substr(0, 64)))
                        .About("decisions", "not_scheduled"));
      p->status = StatusAfter(d.decision);
      if (d.decision == Decision::kDeferred) {
        p->meeting_id.clear();
      } else {
        p->decision = DecisionName(d.decision);
        p->decision_reason = d.reason;
        p->decided_by = actor.account_id;
        p->decided_at = now;
        if (d.decision == Decision::kAccepted) {
          p->implement_kind = d.implement.kind;
          p->implement_spec = ImplementJson(d.implement).dump();
        }
      }
      p->version += 1;
      XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, *p));
      if (!ok) return Fail(Changed());
      decisions.push_back({{"proposal_id", d.proposal_id}, {"decision", DecisionName(d.decision)}});
      events.push_back(
          {actor.account_id,
           "deliberation.proposal.decided",
           p->id,
           {{"meeting_id", m.id},
            {"community_id", p->community_id},
            {"unit_path", p->community_path},
            {"author_id", p->author_id},
            {"decision", DecisionName(d.decision)},
            {"reason", d.reason},
            {"implement", d.decision == Decision::kAccepted ? d.implement.kind : "none"}}});
    }
    m.status = MeetingStatus::kRecorded;
    m.minutes = in.minutes;
    m.attendees = in.attendees;
    m.decisions = in.decisions;
    m.recorded_by = actor.account_id;
    m.recorded_at = now;
    m.version += 1;
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateMeeting(ex, m));
    if (!ok)
      return Fail(Error::Conflict("the meeting changed meanwhile; reload and try again")
                      .About("version", "changed"));
    events.insert(events.begin(), {actor.account_id,
                                   "deliberation.meeting.recorded",
                                   m.id,
                                   {{"community_id", m.community_id},
                                    {"unit_path", community->path},
                                    {"attendees", m.attendees},
                                    {"minutes_sha256", Sha256Hex(m.minutes)},
                                    {"decisions", decisions}}});
    XT_TRY_VOID(audit::AppendMany(ex, now, events));
    return m;
  });
  if (!out) return out;
  Committed();
  // After the commit, as emergency forms its 指挥部: each accepted task or
  // request is carried out now. A failure (the recorder may not form the
  // force, say) leaves the proposal accepted; POST …/implementation retries.
  for (const auto& d : in.decisions) {
    if (d.decision != Decision::kAccepted ||
        (d.implement.kind != "task" && d.implement.kind != "request"))
      continue;
    if (auto done = Implement(actor, d.proposal_id); !done)
      spdlog::warn("proposal {}: carrying out the decision failed: {}", d.proposal_id,
                   done.error().message);
  }
  return out;
}

Result<Meeting> DeliberationService::CancelMeeting(const Principal& actor, std::string_view id,
                                                   std::string_view reason) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto before, ReadableMeeting(actor, id));
  XT_ASSIGN_OR_RETURN(auto community, Community(before.community_id));
  if (!IsStaffOver(actor, community->path))
    return Fail(Error::PermissionDenied("only the community's staff cancel its meetings"));
  XT_ASSIGN_OR_RETURN(auto why, ValidateReason(reason));
  auto out = db_.Write([&](Executor& ex) -> Result<Meeting> {
    XT_ASSIGN_OR_RETURN(auto found, store::FindMeeting(ex, id));
    if (!found) return Fail(NoMeeting(id));
    Meeting m = std::move(*found);
    if (m.status != MeetingStatus::kScheduled)
      return Fail(Error::Conflict(fmt::format("the meeting is {}; only a scheduled meeting is "
                                              "cancelled",
                                              MeetingStatusName(m.status)))
                      .About("status", "not_scheduled"));
    for (const auto& pid : m.agenda) {
      XT_ASSIGN_OR_RETURN(auto p, store::FindProposal(ex, pid));
      if (!p || p->status != ProposalStatus::kScheduled || p->meeting_id != m.id) continue;
      p->status = ProposalStatus::kQualified;
      p->meeting_id.clear();
      p->version += 1;
      XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, *p));
      if (!ok) return Fail(Changed());
    }
    m.status = MeetingStatus::kCancelled;
    m.version += 1;
    XT_ASSIGN_OR_RETURN(bool ok, store::UpdateMeeting(ex, m));
    if (!ok)
      return Fail(Error::Conflict("the meeting changed meanwhile; reload and try again")
                      .About("version", "changed"));
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "deliberation.meeting.cancelled", m.id, {{"reason", why}}}));
    return m;
  });
  if (out) Committed();
  return out;
}

// Expires proposals whose support time is over (budgets come later). Each
// is claimed by its version, so two nodes expire it once.
Result<int> DeliberationService::RunDue() {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(
      auto due, db_.Read([&](Executor& ex) { return store::DueToExpire(ex, now, kExpireBatch); }));
  int changed = 0;
  for (auto& p : due) {
    if (!ShouldExpire(p, now)) continue;
    auto done = db_.Write([&](Executor& ex) -> Result<bool> {
      Proposal next = p;
      next.status = ProposalStatus::kExpired;
      next.version += 1;
      XT_ASSIGN_OR_RETURN(bool ok, store::UpdateProposal(ex, next));
      if (!ok) return false;
      XT_TRY_VOID(audit::Append(ex, now,
                                {"system",
                                 "deliberation.proposal.expired",
                                 p.id,
                                 {{"supports", p.supports}, {"threshold", p.threshold}}}));
      return true;
    });
    if (!done) return Fail(std::move(done.error()));
    changed += *done ? 1 : 0;
  }
  if (changed > 0) Committed();
  XT_ASSIGN_OR_RETURN(int budgets, RunDueBudgets());
  return changed + budgets;
}

}  // namespace xietong::participation
