#include "http/deliberation_handlers.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <tuple>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using participation::DeliberationService;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }
json::Json OrNull(const std::optional<double>& v) {
  return v ? json::Json(*v) : json::Json(nullptr);
}

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "deliberation";
  return d;
}

// --- encoders (each mirrored by a schema in DeliberationSchemas) -------------------------

json::Json ProposalJson(const participation::Proposal& p) {
  auto spec = json::Json::parse(p.implement_spec, nullptr, false);
  return {{"id", p.id},
          {"community_id", p.community_id},
          {"author_id", p.author_id},
          {"organisation_id", OrNull(p.organisation_id)},
          {"title", p.title},
          {"text", p.text},
          {"place", {{"address", p.address}, {"lat", OrNull(p.lat)}, {"lng", OrNull(p.lng)}}},
          {"photo_ids", p.photo_ids},
          {"cost_fen", p.cost_fen},
          {"status", participation::ProposalStatusName(p.status)},
          {"supports", p.supports},
          {"threshold", p.threshold},
          {"created_at", Time(p.created_at)},
          {"support_until", Time(p.support_until)},
          {"qualified_at", Time(p.qualified_at)},
          {"meeting_id", OrNull(p.meeting_id)},
          {"decision", OrNull(p.decision)},
          {"decision_reason", OrNull(p.decision_reason)},
          {"decided_at", Time(p.decided_at)},
          {"implement", p.implement_kind.empty() || !spec.is_object() ? json::Json(nullptr) : spec},
          {"percent", p.percent},
          {"completed_at", Time(p.completed_at)},
          {"hidden_reason", OrNull(p.hidden_reason)}};
}

json::Json UpdateJson(const participation::ProposalUpdate& u) {
  return {{"source_seq", u.source_seq},
          {"at", Time(u.at)},
          {"kind", u.kind},
          {"percent", u.percent},
          {"text", u.text}};
}

json::Json CommentJson(const participation::Comment& c) {
  return {{"id", c.id},
          {"proposal_id", c.proposal_id},
          {"author_id", c.author_id},
          {"text", c.text},
          {"created_at", Time(c.created_at)}};
}

json::Json MeetingJson(const participation::Meeting& m) {
  json::Json decisions = json::Json::array();
  for (const auto& d : m.decisions) decisions.push_back(participation::ItemDecisionJson(d));
  return {{"id", m.id},
          {"community_id", m.community_id},
          {"title", m.title},
          {"kind", participation::MeetingKindName(m.kind)},
          {"scheduled_at", Time(m.scheduled_at)},
          {"place", m.place},
          {"agenda", m.agenda},
          {"status", participation::MeetingStatusName(m.status)},
          {"minutes", m.minutes},
          {"attendees", m.attendees},
          {"decisions", std::move(decisions)},
          {"created_by", m.created_by},
          {"created_at", Time(m.created_at)},
          {"recorded_by", OrNull(m.recorded_by)},
          {"recorded_at", Time(m.recorded_at)}};
}

json::Json BudgetJson(const participation::Budget& b) {
  return {{"id", b.id},
          {"community_id", b.community_id},
          {"title", b.title},
          {"description", b.description},
          {"total_fen", b.total_fen},
          {"max_choices", b.max_choices},
          {"status", participation::BudgetStatusName(b.status)},
          {"voting_opens", Time(b.voting_opens)},
          {"voting_closes", Time(b.voting_closes)},
          {"ballots", b.ballots},
          {"spent_fen", b.spent_fen},
          {"closed_at", Time(b.closed_at)},
          {"created_by", b.created_by},
          {"created_at", Time(b.created_at)}};
}

// votes and selected only once the budget is closed.
json::Json ProjectJson(const participation::Project& p, bool closed) {
  return {{"id", p.id},
          {"position", p.position},
          {"title", p.title},
          {"description", p.description},
          {"cost_fen", p.cost_fen},
          {"proposal_id", OrNull(p.proposal_id)},
          {"votes", closed ? json::Json(p.votes) : json::Json(nullptr)},
          {"selected", closed ? json::Json(p.selected) : json::Json(nullptr)}};
}

// --- request parsing ---------------------------------------------------------------------

// Free text is read through TextField (type, and no hidden or disguising
// characters); its length and content are the service's rules.
constexpr std::size_t kAnyLength = 100000;

Result<std::optional<double>> Coordinate(const json::Json& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number())
    return Fail(Error::InvalidArgument(fmt::format("field 'place.{}': must be a number", field))
                    .About("place", "wrong_type"));
  return std::optional<double>(it->get<double>());
}

Result<std::int64_t> Int(const json::Json& body, std::string_view field, std::int64_t dflt) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return dflt;
  if (!it->is_number_integer())
    return Fail(Error::InvalidArgument(fmt::format("field '{}': must be an integer", field))
                    .About(std::string(field), "wrong_type"));
  return it->get<std::int64_t>();
}

Result<participation::NewProposal> NewProposalBody(const Request& req, const json::Json& body) {
  participation::NewProposal in;
  XT_ASSIGN_OR_RETURN(in.community_id, TextField(body, "community_id", false, kAnyLength));
  XT_ASSIGN_OR_RETURN(in.title, TextField(body, "title", true, kAnyLength));
  XT_ASSIGN_OR_RETURN(in.text, TextField(body, "text", true, kAnyLength));
  auto place = body.find("place");
  if (place == body.end() || !place->is_object())
    return Fail(Error::InvalidArgument("field 'place': an object {address, lat?, lng?}")
                    .About("place", place == body.end() ? "required" : "wrong_type"));
  XT_ASSIGN_OR_RETURN(in.address, TextField(*place, "address", true, kAnyLength));
  XT_ASSIGN_OR_RETURN(in.lat, Coordinate(*place, "lat"));
  XT_ASSIGN_OR_RETURN(in.lng, Coordinate(*place, "lng"));
  if (auto it = body.find("photo_ids"); it != body.end() && !it->is_null()) {
    XT_ASSIGN_OR_RETURN(in.photo_ids, json::StringArray(body, "photo_ids"));
  }
  XT_ASSIGN_OR_RETURN(in.cost_fen, Int(body, "cost_fen", 0));
  XT_ASSIGN_OR_RETURN(in.on_behalf_of, TextField(body, "on_behalf_of", false, kAnyLength));
  in.idempotency_key = std::string(req.Header("idempotency-key"));
  return in;
}

Result<std::string> Reason(const Request& req) {
  XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
  return TextField(body, "reason", true, kAnyLength);
}

Result<participation::MeetingRecord> RecordBody(const json::Json& body) {
  participation::MeetingRecord in;
  XT_ASSIGN_OR_RETURN(in.attendees, json::StringArray(body, "attendees"));
  XT_ASSIGN_OR_RETURN(in.minutes, TextField(body, "minutes", true, kAnyLength));
  auto decisions = body.find("decisions");
  if (decisions == body.end() || !decisions->is_array())
    return Fail(Error::InvalidArgument("field 'decisions': an array, one per agenda item")
                    .About("decisions", decisions == body.end() ? "required" : "wrong_type"));
  for (const auto& d : *decisions) {
    if (!d.is_object())
      return Fail(Error::InvalidArgument("field 'decisions': each is an object")
                      .About("decisions", "wrong_type"));
    participation::ItemDecision x;
    XT_ASSIGN_OR_RETURN(x.proposal_id, TextField(d, "proposal_id", true, kAnyLength));
    XT_ASSIGN_OR_RETURN(auto decision, TextField(d, "decision", true, kAnyLength));
    XT_ASSIGN_OR_RETURN(x.decision, participation::ParseDecision(decision));
    XT_ASSIGN_OR_RETURN(x.reason, TextField(d, "reason", false, kAnyLength));
    if (auto im = d.find("implement"); im != d.end() && !im->is_null()) {
      if (!im->is_object())
        return Fail(Error::InvalidArgument("field 'decisions.implement': an object")
                        .About("decisions.implement", "wrong_type"));
      XT_ASSIGN_OR_RETURN(x.implement.kind, TextField(*im, "kind", true, kAnyLength));
      XT_ASSIGN_OR_RETURN(x.implement.owner_account_id,
                          TextField(*im, "owner_account_id", false, kAnyLength));
      XT_ASSIGN_OR_RETURN(auto days, Int(*im, "deadline_days", 0));
      if (days < 0 || days > participation::kMaxDeadlineDays)
        return Fail(Error::InvalidArgument(
                        fmt::format("field 'decisions.implement.deadline_days': between 1 and {}",
                                    participation::kMaxDeadlineDays))
                        .About("decisions.implement.deadline_days", "out_of_range"));
      x.implement.deadline_days = static_cast<int>(days);
      XT_ASSIGN_OR_RETURN(x.implement.matter_id, TextField(*im, "matter_id", false, kAnyLength));
    } else if (x.decision == participation::Decision::kAccepted) {
      x.implement.kind = "none";
    }
    in.decisions.push_back(std::move(x));
  }
  return in;
}

Result<Timestamp> TimeField(const json::Json& body, std::string_view field) {
  XT_ASSIGN_OR_RETURN(auto text, TextField(body, field, true, kAnyLength));
  auto t = ParseRfc3339(text);
  if (!t)
    return Fail(
        Error::InvalidArgument(
            fmt::format("field '{}': a time in RFC 3339, e.g. 2026-12-20T19:00:00+08:00", field))
            .About(std::string(field), "invalid"));
  return *t;
}

ParamDoc BudgetId() { return doc::PathId("id", "the budget"); }

ParamDoc ProposalId() { return doc::PathId("id", "the proposal"); }
ParamDoc MeetingId() { return doc::PathId("id", "the meeting"); }
ParamDoc CommunityParam() {
  return doc::QueryParam("community_id", "the community (default: the caller's own)",
                         doc::String(1));
}

}  // namespace

void RegisterDeliberationRoutes(Api& api, DeliberationService& deliberation) {
  Router& r = api.router();
  const std::string proposals = "/api/v1/proposals";
  auto* s = &deliberation;
  {
    RouteDoc d = Doc("Propose something for my community (居民提案)", "提交提案");
    d.description =
        "For a registered resident of community_id (default: the caller's community); others "
        "403 not_resident. title ≤ 60 characters, text ≤ 2,000, place.address required, lat and "
        "lng together or neither, photo_ids ≤ 6 of the caller's uploads, cost_fen 0–10¹⁰. It "
        "collects supports until support_until; reaching threshold puts it on the agenda. A "
        "retry with the same Idempotency-Key answers the first proposal.";
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Ref("NewProposal"))};
    d.answers = {doc::Ok(doc::Ref("Proposal"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", proposals, Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      XT_ASSIGN_OR_RETURN(auto in, NewProposalBody(req, body));
      XT_ASSIGN_OR_RETURN(auto p, s->Propose(req.actor(), std::move(in)));
      return Response::Json(201, ProposalJson(p));
    });
  }
  {
    RouteDoc d = Doc("Proposals of a community, newest first", "提案列表");
    d.description =
        "community_id defaults to the caller's community; supported_by=me lists the proposals "
        "the caller supports (any community). Hidden proposals are listed for staff only.";
    d.query = {CommunityParam(),
               doc::QueryParam(
                   "status", "only this status",
                   doc::Enum({"collecting", "qualified", "scheduled", "accepted", "implementing",
                              "done", "rejected", "withdrawn", "expired", "hidden"})),
               doc::QueryParam("supported_by", "me: the proposals I support", doc::Enum({"me"})),
               doc::Limit(DeliberationService::kMaxPage), doc::Cursor()};
    d.answers = {doc::Ok(doc::Object({{"items", doc::ArrayOf(doc::Ref("Proposal"))},
                                      {"next_cursor", doc::Nullable(doc::String())}},
                                     {"items", "next_cursor"}))};
    d.errors = {400, 404};
    r.Add("GET", proposals, Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      participation::ProposalQuery q;
      XT_ASSIGN_OR_RETURN(q.limit, LimitParam(req));
      q.community_id = req.Query("community_id").value_or("");
      q.cursor = req.Query("cursor").value_or("");
      if (auto status = req.Query("status")) {
        XT_ASSIGN_OR_RETURN(q.status, participation::ParseProposalStatus(*status));
      }
      if (auto by = req.Query("supported_by")) {
        if (*by != "me")
          return Fail(Error::InvalidArgument("'supported_by' can only be 'me'")
                          .About("supported_by", "not_allowed"));
        q.supported_by_me = true;
      }
      XT_ASSIGN_OR_RETURN(auto page, s->ListProposals(req.actor(), q));
      json::Json items = json::Json::array();
      for (const auto& p : page.items) items.push_back(ProposalJson(p));
      return Response::Json(
          200, {{"items", std::move(items)}, {"next_cursor", OrNull(page.next_cursor)}});
    });
  }
  {
    RouteDoc d = Doc("A proposal, with my support and its progress", "提案详情");
    d.path = {ProposalId()};
    d.answers = {doc::Ok(doc::Ref("ProposalDetail"))};
    d.errors = {404};
    r.Add("GET", proposals + "/{id}", Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto v, s->GetProposal(req.actor(), req.Param("id")));
      json::Json j = ProposalJson(v.proposal);
      j["my_support"] = v.my_support;
      j["can_support"] = v.can_support;
      json::Json updates = json::Json::array();
      for (const auto& u : v.updates) updates.push_back(UpdateJson(u));
      j["updates"] = std::move(updates);
      const auto& p = v.proposal;
      j["implementation"] = p.task_id.empty() && p.request_id.empty()
                                ? json::Json(nullptr)
                                : json::Json{{"kind", p.task_id.empty() ? "request" : "task"},
                                             {"force_id", OrNull(p.force_id)},
                                             {"task_id", OrNull(p.task_id)},
                                             {"request_id", OrNull(p.request_id)},
                                             {"request_number", OrNull(p.request_number)}};
      return Response::Json(200, j);
    });
  }
  {
    RouteDoc d = Doc("Support a proposal (one support per resident)", "支持提案");
    d.description =
        "Residents of the proposal's community only (403 not_resident), not its author (409 "
        "own_proposal), once (409 already_supported), while it collects supports (409 "
        "not_collecting). qualified: this support reached the threshold.";
    d.path = {ProposalId()};
    d.answers = {doc::Ok(doc::Ref("SupportResult"))};
    d.errors = {403, 404, 409};
    r.Add("POST", proposals + "/{id}/support", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto out, s->Support(req.actor(), req.Param("id")));
            return Response::Json(200, {{"proposal_id", out.proposal_id},
                                        {"supports", out.supports},
                                        {"threshold", out.threshold},
                                        {"status", participation::ProposalStatusName(out.status)},
                                        {"qualified", out.qualified}});
          });
  }
  {
    RouteDoc d = Doc("Who supports a proposal (the community's staff)", "提案支持者");
    d.path = {ProposalId()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Supporter")))};
    d.errors = {403, 404};
    r.Add(
        "GET", proposals + "/{id}/supporters", Auth::kRequired, d,
        [s](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto list, s->Supporters(req.actor(), req.Param("id")));
          json::Json items = json::Json::array();
          for (const auto& x : list)
            items.push_back({{"account_id", x.account_id}, {"supported_at", Time(x.supported_at)}});
          return Response::Json(200, {{"items", std::move(items)}});
        });
  }
  for (const auto& [verb, summary, zh, who] :
       {std::tuple{"withdraw", "Withdraw my proposal while it collects supports", "撤回提案",
                   "its author"},
        std::tuple{"hide", "Hide a proposal before its decision", "隐藏提案",
                   "the community's staff"}}) {
    RouteDoc d = Doc(summary, zh);
    d.description = fmt::format("By {}; reason is required (≤ 500 characters).", who);
    d.path = {ProposalId()};
    d.body = {doc::Json(doc::Ref("Reason"))};
    d.answers = {doc::Ok(doc::Ref("Proposal"))};
    d.errors = {400, 403, 404, 409};
    const std::string v = verb;
    r.Add("POST", proposals + "/{id}/" + v, Auth::kRequired, d,
          [s, v](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto reason, Reason(req));
            XT_ASSIGN_OR_RETURN(auto p, v == "withdraw"
                                            ? s->Withdraw(req.actor(), req.Param("id"), reason)
                                            : s->Hide(req.actor(), req.Param("id"), reason));
            return Response::Json(200, ProposalJson(p));
          });
  }
  {
    RouteDoc d = Doc("Carry out an accepted proposal as a task or a request (retry)", "转办提案");
    d.description =
        "The community's staff or the decider. Recording a meeting already does this for each "
        "item accepted as a task or a request; this retries it when that failed (forming the "
        "community's 议事厅项目专班 needs the right to form task forces). Idempotent: a proposal "
        "carried out already is answered as it is; 409 not_accepted otherwise.";
    d.path = {ProposalId()};
    d.answers = {doc::Ok(doc::Ref("Proposal"))};
    d.errors = {403, 404, 409};
    r.Add("POST", proposals + "/{id}/implementation", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto p, s->Implement(req.actor(), req.Param("id")));
            return Response::Json(200, ProposalJson(p));
          });
  }
  {
    RouteDoc d = Doc("The discussion of a proposal", "提案讨论");
    d.path = {ProposalId()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ProposalComment")))};
    d.errors = {403, 404};
    r.Add("GET", proposals + "/{id}/comments", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, s->Comments(req.actor(), req.Param("id")));
            json::Json items = json::Json::array();
            for (const auto& c : list) items.push_back(CommentJson(c));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Comment on a proposal (residents of its community, staff)", "发表评论");
    d.path = {ProposalId()};
    d.body = {doc::Json(
        doc::Object({{"text", doc::String(1, participation::kMaxCommentChars)}}, {"text"}))};
    d.answers = {doc::Ok(doc::Ref("ProposalComment"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", proposals + "/{id}/comments", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto text, TextField(body, "text", true, kAnyLength));
            XT_ASSIGN_OR_RETURN(auto c, s->PostComment(req.actor(), req.Param("id"), text));
            return Response::Json(201, CommentJson(c));
          });
  }
  {
    RouteDoc d = Doc("A community's agenda: qualified and scheduled proposals", "议事议程");
    d.description = "Most supported first, then by when each qualified. Residents and staff.";
    d.query = {CommunityParam()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Proposal")))};
    d.errors = {400, 403, 404};
    r.Add("GET", "/api/v1/agenda", Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list,
                          s->Agenda(req.actor(), req.Query("community_id").value_or("")));
      json::Json items = json::Json::array();
      for (const auto& p : list) items.push_back(ProposalJson(p));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  const std::string meetings = "/api/v1/meetings";
  {
    RouteDoc d = Doc("Meetings (议事会) of a community, latest first", "议事会列表");
    d.query = {CommunityParam()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Meeting")))};
    d.errors = {400, 403, 404};
    r.Add("GET", meetings, Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list,
                          s->ListMeetings(req.actor(), req.Query("community_id").value_or("")));
      json::Json items = json::Json::array();
      for (const auto& m : list) items.push_back(MeetingJson(m));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Schedule a meeting with qualified proposals as its agenda", "召开议事会");
    d.description =
        "The community's staff. kind: council (居民议事会), building (楼管会), hearing (听证会). "
        "agenda: 1–20 qualified proposals of the community, which become scheduled.";
    d.body = {doc::Json(doc::Ref("NewMeeting"))};
    d.answers = {doc::Ok(doc::Ref("Meeting"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", meetings, Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      participation::NewMeeting in;
      XT_ASSIGN_OR_RETURN(in.community_id, TextField(body, "community_id", true, kAnyLength));
      XT_ASSIGN_OR_RETURN(in.title, TextField(body, "title", true, kAnyLength));
      XT_ASSIGN_OR_RETURN(auto kind, TextField(body, "kind", false, kAnyLength));
      if (!kind.empty()) {
        XT_ASSIGN_OR_RETURN(in.kind, participation::ParseMeetingKind(kind));
      }
      XT_ASSIGN_OR_RETURN(auto at, TextField(body, "scheduled_at", true, kAnyLength));
      auto t = ParseRfc3339(at);
      if (!t)
        return Fail(Error::InvalidArgument(
                        "field 'scheduled_at': a time in RFC 3339, e.g. 2026-12-20T19:00:00+08:00")
                        .About("scheduled_at", "invalid"));
      in.scheduled_at = *t;
      XT_ASSIGN_OR_RETURN(in.place, TextField(body, "place", true, kAnyLength));
      XT_ASSIGN_OR_RETURN(in.agenda, json::StringArray(body, "agenda"));
      XT_ASSIGN_OR_RETURN(auto m, s->ScheduleMeeting(req.actor(), std::move(in)));
      return Response::Json(201, MeetingJson(m));
    });
  }
  {
    RouteDoc d = Doc("A meeting", "议事会详情");
    d.path = {MeetingId()};
    d.answers = {doc::Ok(doc::Ref("Meeting"))};
    d.errors = {404};
    r.Add("GET", meetings + "/{id}", Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto m, s->GetMeeting(req.actor(), req.Param("id")));
      return Response::Json(200, MeetingJson(m));
    });
  }
  {
    RouteDoc d =
        Doc("Record a meeting: attendees, minutes and a decision per agenda item", "记录议事结果");
    d.description =
        "In one transaction. attendees: residents of the community, distinct. decisions: "
        "exactly one per agenda item — accepted (implement: task {owner_account_id, "
        "deadline_days 1–365} | request {matter_id} | none), rejected (reason required) or "
        "deferred (back to the agenda).";
    d.path = {MeetingId()};
    d.body = {doc::Json(doc::Ref("MeetingRecord"))};
    d.answers = {doc::Ok(doc::Ref("Meeting"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", meetings + "/{id}/record", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto in, RecordBody(body));
            XT_ASSIGN_OR_RETURN(auto m, s->RecordMeeting(req.actor(), req.Param("id"), in));
            return Response::Json(200, MeetingJson(m));
          });
  }
  {
    RouteDoc d = Doc("Cancel a scheduled meeting; its agenda goes back to qualified", "取消议事会");
    d.path = {MeetingId()};
    d.body = {doc::Json(doc::Ref("Reason"))};
    d.answers = {doc::Ok(doc::Ref("Meeting"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", meetings + "/{id}/cancel", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto reason, Reason(req));
            XT_ASSIGN_OR_RETURN(auto m, s->CancelMeeting(req.actor(), req.Param("id"), reason));
            return Response::Json(200, MeetingJson(m));
          });
  }
  const std::string budgets = "/api/v1/budgets";
  {
    RouteDoc d = Doc("Participatory budgets of a community, newest first", "参与式预算列表");
    d.description = "Residents of the community and its staff; others 403 not_resident.";
    d.query = {CommunityParam()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Budget")))};
    d.errors = {400, 403, 404};
    r.Add("GET", budgets, Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list,
                          s->ListBudgets(req.actor(), req.Query("community_id").value_or("")));
      json::Json items = json::Json::array();
      for (const auto& b : list) items.push_back(BudgetJson(b));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Create a participatory budget (a draft)", "创建参与式预算");
    d.description =
        "The community's staff. total_fen > 0; max_choices 0 (any number within the total) to "
        "100; voting_opens before voting_closes, which is in the future, at most 90 days "
        "apart. RunDue opens it at voting_opens (or staff open it) and closes it at "
        "voting_closes.";
    d.body = {doc::Json(doc::Ref("NewBudget"))};
    d.answers = {doc::Ok(doc::Ref("Budget"), 201)};
    d.errors = {400, 403, 404};
    r.Add("POST", budgets, Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      participation::NewBudget in;
      XT_ASSIGN_OR_RETURN(in.community_id, TextField(body, "community_id", true, kAnyLength));
      XT_ASSIGN_OR_RETURN(in.title, TextField(body, "title", true, kAnyLength));
      XT_ASSIGN_OR_RETURN(in.description, TextField(body, "description", false, kAnyLength));
      XT_ASSIGN_OR_RETURN(in.total_fen, Int(body, "total_fen", 0));
      XT_ASSIGN_OR_RETURN(in.max_choices, Int(body, "max_choices", 0));
      XT_ASSIGN_OR_RETURN(in.voting_opens, TimeField(body, "voting_opens"));
      XT_ASSIGN_OR_RETURN(in.voting_closes, TimeField(body, "voting_closes"));
      XT_ASSIGN_OR_RETURN(auto b, s->CreateBudget(req.actor(), std::move(in)));
      return Response::Json(201, BudgetJson(b));
    });
  }
  {
    RouteDoc d = Doc("A budget with its projects (votes only once closed)", "预算详情");
    d.path = {BudgetId()};
    d.answers = {doc::Ok(doc::Ref("BudgetDetail"))};
    d.errors = {404};
    r.Add("GET", budgets + "/{id}", Auth::kRequired, d, [s](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto v, s->GetBudget(req.actor(), req.Param("id")));
      json::Json j = BudgetJson(v.budget);
      const bool closed = v.budget.status == participation::BudgetStatus::kClosed;
      json::Json projects = json::Json::array();
      for (const auto& p : v.projects) projects.push_back(ProjectJson(p, closed));
      j["projects"] = std::move(projects);
      j["i_voted"] = v.i_voted;
      j["can_vote"] = v.can_vote;
      return Response::Json(200, j);
    });
  }
  {
    RouteDoc d = Doc("Add a project to a draft budget", "添加预算项目");
    d.description =
        "The community's staff, while the budget is a draft (409 not_draft). cost_fen within the "
        "total; proposal_id: optionally a qualified, scheduled or accepted proposal of the "
        "community.";
    d.path = {BudgetId()};
    d.body = {doc::Json(doc::Ref("NewBudgetProject"))};
    d.answers = {doc::Ok(doc::Ref("BudgetProject"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", budgets + "/{id}/projects", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            participation::NewProject in;
            XT_ASSIGN_OR_RETURN(in.title, TextField(body, "title", true, kAnyLength));
            XT_ASSIGN_OR_RETURN(in.description, TextField(body, "description", false, kAnyLength));
            XT_ASSIGN_OR_RETURN(in.cost_fen, Int(body, "cost_fen", 0));
            XT_ASSIGN_OR_RETURN(in.proposal_id, TextField(body, "proposal_id", false, kAnyLength));
            XT_ASSIGN_OR_RETURN(auto p, s->AddProject(req.actor(), req.Param("id"), std::move(in)));
            return Response::Json(201, ProjectJson(p, false));
          });
  }
  {
    RouteDoc d = Doc("Open voting on a draft budget now", "开始投票");
    d.description =
        "The community's staff; the budget needs at least one project (409 "
        "no_projects). Its projects are frozen.";
    d.path = {BudgetId()};
    d.answers = {doc::Ok(doc::Ref("Budget"))};
    d.errors = {403, 404, 409};
    r.Add("POST", budgets + "/{id}/open", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto b, s->OpenBudget(req.actor(), req.Param("id")));
            return Response::Json(200, BudgetJson(b));
          });
  }
  {
    RouteDoc d = Doc("Cancel a draft budget", "取消预算");
    d.path = {BudgetId()};
    d.body = {doc::Json(doc::Ref("Reason"))};
    d.answers = {doc::Ok(doc::Ref("Budget"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", budgets + "/{id}/cancel", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto reason, Reason(req));
            XT_ASSIGN_OR_RETURN(auto b, s->CancelBudget(req.actor(), req.Param("id"), reason));
            return Response::Json(200, BudgetJson(b));
          });
  }
  {
    RouteDoc d = Doc("Cast my ballot (one per resident, secret)", "投票");
    d.description =
        "Registered residents of the budget's community only (403 not_resident), once (409 "
        "already_voted), while voting (409 voting_closed). project_ids: distinct projects of the "
        "budget whose costs fit in the total, at most max_choices (400 empty_ballot, "
        "unknown_project, duplicate_project, too_many_choices, over_budget). receipt: 32 "
        "lowercase hex made by the page (the server makes one when absent; 409 receipt_used). "
        "Keep the receipt: commitment = SHA-256(\"xietong ballot\\n\" + budget_id + \"\\n\" + "
        "receipt + \"\\n\" + sorted ids joined by ',') is on the chain's cast event, and tag = "
        "SHA-256(\"xietong ballot tag\\n\" + budget_id + \"\\n\" + receipt) finds the ballot "
        "among the published ones after the close. The server stores no receipt and no link "
        "between the voter and the ballot.";
    d.path = {BudgetId()};
    d.body = {doc::Json(doc::Ref("NewBallot"))};
    d.answers = {doc::Ok(doc::Ref("BallotReceipt"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", budgets + "/{id}/ballots", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            participation::CastBallot in;
            XT_ASSIGN_OR_RETURN(in.project_ids, json::StringArray(body, "project_ids"));
            XT_ASSIGN_OR_RETURN(in.receipt, TextField(body, "receipt", false, kAnyLength));
            XT_ASSIGN_OR_RETURN(auto cast, s->Cast(req.actor(), req.Param("id"), std::move(in)));
            return Response::Json(201, {{"budget_id", cast.budget_id},
                                        {"receipt", cast.receipt},
                                        {"commitment", cast.commitment},
                                        {"tag", cast.tag},
                                        {"cast_seq", cast.cast_seq},
                                        {"cast_at", Time(cast.cast_at)}});
          });
  }
  {
    RouteDoc d = Doc("Whether I voted, and my cast's commitment (never my choices)", "我的选票");
    d.path = {BudgetId()};
    d.answers = {doc::Ok(doc::Ref("MyBallot"))};
    d.errors = {404};
    r.Add("GET", budgets + "/{id}/my-ballot", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto m, s->GetMyBallot(req.actor(), req.Param("id")));
            return Response::Json(
                200, {{"voted", m.voted},
                      {"cast_seq", m.voted ? json::Json(m.cast_seq) : json::Json(nullptr)},
                      {"commitment", OrNull(m.commitment)},
                      {"cast_at", Time(m.cast_at)}});
          });
  }
  {
    RouteDoc d = Doc("The results of a closed budget, with every ballot", "预算投票结果");
    d.description =
        "After the close (409 not_closed before): votes per project, the selection "
        "(by votes, ties by the lower cost, each if it still fits) and every ballot "
        "by its tag, in tag order.";
    d.path = {BudgetId()};
    d.answers = {doc::Ok(doc::Ref("BudgetResults"))};
    d.errors = {404, 409};
    r.Add("GET", budgets + "/{id}/results", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto res, s->Results(req.actor(), req.Param("id")));
            json::Json tally = json::Json::array();
            for (const auto& t : res.tally)
              tally.push_back({{"project_id", t.project_id}, {"votes", t.votes}});
            json::Json ballots = json::Json::array();
            for (const auto& b : res.ballots)
              ballots.push_back({{"tag", b.tag}, {"choices", b.choices}});
            return Response::Json(200, {{"budget", BudgetJson(res.budget)},
                                        {"tally", std::move(tally)},
                                        {"selected", res.selected},
                                        {"spent_fen", res.spent_fen},
                                        {"ballots", std::move(ballots)}});
          });
  }
  {
    RouteDoc d =
        Doc("The proof of a closed budget: its chain events and their check", "预算计票证明");
    d.description =
        "After the close (409 not_closed before): every audit event about the budget (created, "
        "projects, opened, each cast, each opened ballot, closed) with seq, prev_hash, hash and "
        "the canonical text that was hashed, and the server's CheckTally of them: the casters "
        "are distinct and within the window, there are as many ballots as casts with distinct "
        "tags, each valid, and the recomputed tally and selection equal the published ones.";
    d.path = {BudgetId()};
    d.answers = {doc::Ok(doc::Ref("BudgetProof"))};
    d.errors = {404, 409};
    r.Add("GET", budgets + "/{id}/proof", Auth::kRequired, d,
          [s](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto proof, s->Proof(req.actor(), req.Param("id")));
            json::Json events = json::Json::array();
            for (const auto& e : proof.events)
              events.push_back({{"seq", e.seq},
                                {"prev_hash", e.prev_hash},
                                {"hash", e.hash},
                                {"canonical", audit::Canonical(e.seq, e.at, e.actor, e.action,
                                                               e.subject, e.payload)}});
            return Response::Json(200, {{"events", std::move(events)},
                                        {"check",
                                         {{"ok", proof.check.ok},
                                          {"casts", proof.check.casts},
                                          {"ballots", proof.check.ballots},
                                          {"problems", proof.check.problems}}}});
          });
  }
}

json::Json DeliberationSchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  const json::Json ids = ArrayOf(String(1));
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) required.push_back(k);
    return Object(std::move(props), std::move(required));
  };
  const json::Json statuses =
      Enum({"collecting", "qualified", "scheduled", "accepted", "implementing", "done", "rejected",
            "withdrawn", "expired", "hidden"});
  const json::Json implement =
      Object({{"kind", Enum({"task", "request", "none"})},
              {"owner_account_id", String(1)},
              {"deadline_days", IntegerIn(1, participation::kMaxDeadlineDays)},
              {"matter_id", String(1)}},
             {"kind"});
  json::Json proposal = {
      {"id", String(1)},
      {"community_id", String(1)},
      {"author_id", String(1)},
      {"organisation_id", Nullable(String(1))},
      {"title", String(1, participation::kMaxTitleChars)},
      {"text", String(1, participation::kMaxTextChars)},
      {"place",
       closed({{"address", String(1)}, {"lat", Nullable(Number())}, {"lng", Nullable(Number())}})},
      {"photo_ids", ids},
      {"cost_fen", IntegerIn(0, participation::kMaxCostFen)},
      {"status", statuses},
      {"supports", IntegerIn(0, std::numeric_limits<std::int64_t>::max())},
      {"threshold", IntegerIn(1, std::numeric_limits<std::int64_t>::max())},
      {"created_at", DateTime()},
      {"support_until", DateTime()},
      {"qualified_at", time},
      {"meeting_id", Nullable(String(1))},
      {"decision", Nullable(Enum({"accepted", "rejected", "deferred"}))},
      {"decision_reason", Nullable(String(1))},
      {"decided_at", time},
      {"implement", Nullable(implement)},
      {"percent", IntegerIn(0, 100)},
      {"completed_at", time},
      {"hidden_reason", Nullable(String(1))}};
  json::Json detail = proposal;
  detail["my_support"] = Boolean();
  detail["can_support"] = Boolean();
  detail["updates"] =
      ArrayOf(closed({{"source_seq", Integer()},
                      {"at", DateTime()},
                      {"kind", Enum({"progress", "status", "replied", "closed", "implemented"})},
                      {"percent", IntegerIn(0, 100)},
                      {"text", String()}}));
  json::Json out = json::Json::object();
  out["Proposal"] = closed(proposal);
  out["ProposalDetail"] = closed(detail);
  // How it is carried out, once it is (null before): optional, so older
  // clients that do not read it still agree with the document.
  out["ProposalDetail"]["properties"]["implementation"] =
      Nullable(closed({{"kind", Enum({"task", "request"})},
                       {"force_id", Nullable(String(1))},
                       {"task_id", Nullable(String(1))},
                       {"request_id", Nullable(String(1))},
                       {"request_number", Nullable(String(1))}}));
  out["NewProposal"] =
      Object({{"community_id", String(1)},
              {"title", String(1, participation::kMaxTitleChars)},
              {"text", String(1, participation::kMaxTextChars)},
              {"place", Object({{"address", String(1, participation::kMaxAddressChars)},
                                {"lat", Nullable(Number())},
                                {"lng", Nullable(Number())}},
                               {"address"})},
              {"photo_ids", ArrayOf(String(1))},
              {"cost_fen", IntegerIn(0, participation::kMaxCostFen)},
              {"on_behalf_of", String(1)}},
             {"title", "text", "place"});
  out["SupportResult"] = closed({{"proposal_id", String(1)},
                                 {"supports", Integer()},
                                 {"threshold", Integer()},
                                 {"status", statuses},
                                 {"qualified", Boolean()}});
  out["Supporter"] = closed({{"account_id", String(1)}, {"supported_at", DateTime()}});
  out["Reason"] = Object({{"reason", String(1, participation::kMaxReasonChars)}}, {"reason"});
  out["ProposalComment"] = closed({{"id", String(1)},
                                   {"proposal_id", String(1)},
                                   {"author_id", String(1)},
                                   {"text", String(1)},
                                   {"created_at", DateTime()}});
  const json::Json kinds = Enum({"council", "building", "hearing"});
  json::Json decision = closed({{"proposal_id", String(1)},
                                {"decision", Enum({"accepted", "rejected", "deferred"})},
                                {"reason", String()},
                                {"implement", implement}});
  out["Meeting"] = closed({{"id", String(1)},
                           {"community_id", String(1)},
                           {"title", String(1)},
                           {"kind", kinds},
                           {"scheduled_at", DateTime()},
                           {"place", String(1)},
                           {"agenda", ids},
                           {"status", Enum({"scheduled", "recorded", "cancelled"})},
                           {"minutes", String()},
                           {"attendees", ids},
                           {"decisions", ArrayOf(decision)},
                           {"created_by", String(1)},
                           {"created_at", DateTime()},
                           {"recorded_by", Nullable(String(1))},
                           {"recorded_at", time}});
  out["NewMeeting"] = Object({{"community_id", String(1)},
                              {"title", String(1, participation::kMaxTitleChars)},
                              {"kind", kinds},
                              {"scheduled_at", DateTime()},
                              {"place", String(1)},
                              {"agenda", ArrayOf(String(1))}},
                             {"community_id", "title", "scheduled_at", "place", "agenda"});
  out["MeetingRecord"] = Object(
      {{"attendees", ArrayOf(String(1))},
       {"minutes", String(1, participation::kMaxMinutesChars)},
       {"decisions", ArrayOf(Object({{"proposal_id", String(1)},
                                     {"decision", Enum({"accepted", "rejected", "deferred"})},
                                     {"reason", String()},
                                     {"implement", implement}},
                                    {"proposal_id", "decision"}))}},
      {"attendees", "minutes", "decisions"});
  const json::Json fen = IntegerIn(0, std::numeric_limits<std::int64_t>::max());
  json::Json budget = {{"id", String(1)},
                       {"community_id", String(1)},
                       {"title", String(1)},
                       {"description", String()},
                       {"total_fen", IntegerIn(1, std::numeric_limits<std::int64_t>::max())},
                       {"max_choices", IntegerIn(0, 100)},
                       {"status", Enum({"draft", "voting", "closed", "cancelled"})},
                       {"voting_opens", DateTime()},
                       {"voting_closes", DateTime()},
                       {"ballots", fen},
                       {"spent_fen", fen},
                       {"closed_at", time},
                       {"created_by", String(1)},
                       {"created_at", DateTime()}};
  json::Json project = closed({{"id", String(1)},
                               {"position", fen},
                               {"title", String(1)},
                               {"description", String()},
                               {"cost_fen", IntegerIn(1, std::numeric_limits<std::int64_t>::max())},
                               {"proposal_id", Nullable(String(1))},
                               {"votes", Nullable(fen)},
                               {"selected", Nullable(Boolean())}});
  json::Json budget_detail = budget;
  budget_detail["projects"] = ArrayOf(Ref("BudgetProject"));
  budget_detail["i_voted"] = Boolean();
  budget_detail["can_vote"] = Boolean();
  out["Budget"] = closed(budget);
  out["BudgetDetail"] = closed(budget_detail);
  out["BudgetProject"] = project;
  out["NewBudget"] =
      Object({{"community_id", String(1)},
              {"title", String(1, participation::kMaxTitleChars)},
              {"description", String(0, participation::kMaxTextChars)},
              {"total_fen", IntegerIn(1, std::numeric_limits<std::int64_t>::max())},
              {"max_choices", IntegerIn(0, 100)},
              {"voting_opens", DateTime()},
              {"voting_closes", DateTime()}},
             {"community_id", "title", "total_fen", "voting_opens", "voting_closes"});
  out["NewBudgetProject"] =
      Object({{"title", String(1, participation::kMaxTitleChars)},
              {"description", String(0, participation::kMaxTextChars)},
              {"cost_fen", IntegerIn(1, std::numeric_limits<std::int64_t>::max())},
              {"proposal_id", String(1)}},
             {"title", "cost_fen"});
  out["NewBallot"] =
      Object({{"project_ids", ArrayOf(String(1))}, {"receipt", String(32, 32)}}, {"project_ids"});
  out["BallotReceipt"] = closed({{"budget_id", String(1)},
                                 {"receipt", String(32, 32)},
                                 {"commitment", String(64, 64)},
                                 {"tag", String(64, 64)},
                                 {"cast_seq", Integer()},
                                 {"cast_at", DateTime()}});
  out["MyBallot"] = closed({{"voted", Boolean()},
                            {"cast_seq", Nullable(Integer())},
                            {"commitment", Nullable(String(64, 64))},
                            {"cast_at", time}});
  const json::Json tally = ArrayOf(closed({{"project_id", String(1)}, {"votes", fen}}));
  out["BudgetResults"] =
      closed({{"budget", Ref("Budget")},
              {"tally", tally},
              {"selected", ids},
              {"spent_fen", fen},
              {"ballots", ArrayOf(closed({{"tag", String(64, 64)}, {"choices", ids}}))}});
  out["BudgetProof"] = closed({{"events", ArrayOf(closed({{"seq", Integer()},
                                                          {"prev_hash", String(64, 64)},
                                                          {"hash", String(64, 64)},
                                                          {"canonical", String(1)}}))},
                               {"check", closed({{"ok", Boolean()},
                                                 {"casts", fen},
                                                 {"ballots", fen},
                                                 {"problems", ArrayOf(String())}})}});
  return out;
}

}  // namespace xietong::http
