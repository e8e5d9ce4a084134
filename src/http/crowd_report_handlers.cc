#include "http/crowd_report_handlers.h"

#include <fmt/core.h>
#include <sodium.h>

#include <memory>

#include "http/api_schemas.h"
#include "http/errors.h"

namespace xietong::http {
namespace {

using emergency::CrowdReport;
using emergency::CrowdReportService;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }
json::Json OrNull(const std::optional<double>& d) {
  return d ? json::Json(*d) : json::Json(nullptr);
}

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "emergency";
  return d;
}

ParamDoc Incident() { return doc::PathId("id", "the incident"); }
ParamDoc ReportId() { return doc::PathId("rid", "the crowd report"); }

// A verifier's view: everything, contact included.
json::Json ReportJson(const CrowdReport& r) {
  return {
      {"id", r.id},
      {"incident_id", r.incident_id},
      {"text", r.text},
      {"kind", emergency::ReportKindName(r.kind)},
      {"need_type", OrNull(std::string(emergency::NeedTypeName(r.need_type)))},
      {"count", r.count},
      {"priority", emergency::ReportPriorityName(r.priority)},
      {"place",
       {{"lat", OrNull(r.place.lat)}, {"lng", OrNull(r.place.lng)}, {"address", r.place.address}}},
      {"photo_ids", r.photo_ids},
      {"contact", {{"name", r.contact_name}, {"phone", r.contact_phone}}},
      {"channel", emergency::ReportChannelName(r.channel)},
      {"signed_in", !r.reporter_id.empty()},
      {"received_at", Time(r.received_at)},
      {"state", emergency::ReportStateName(r.state)},
      {"duplicate_of", OrNull(r.duplicate_of)},
      {"duplicate_score",
       r.duplicate_of.empty() ? json::Json(nullptr) : json::Json(r.duplicate_score)},
      {"verified_by", OrNull(r.verified_by)},
      {"verified_at", Time(r.verified_at)},
      {"note", r.verdict_note},
      {"need_id", OrNull(r.need_id)}};
}

// What the reporter gets back: small (a weak phone connection), and nothing
// personal (an Idempotency-Key guessed by someone else reveals no contact).
json::Json ReceiptJson(const CrowdReport& r) {
  return {{"id", r.id},
          {"incident_id", r.incident_id},
          {"state", emergency::ReportStateName(r.state)},
          {"received_at", Time(r.received_at)}};
}

// The signed-in caller of a public route, when there is one. A bearer token
// that does not work is refused (401); a stale session cookie, or one without
// its CSRF token, is simply not used: a cry for help is never refused for it.
Result<std::optional<identity::Principal>> Caller(const Request& req,
                                                  identity::IdentityService& identity) {
  std::string_view authorization = req.Header("authorization");
  if (authorization.starts_with("Bearer ")) {
    std::string_view token = authorization.substr(7);
    if (token.starts_with("xtk_")) {
      XT_ASSIGN_OR_RETURN(auto p, identity.AuthenticateApiKey(token));
      return std::optional(std::move(p));
    }
    XT_ASSIGN_OR_RETURN(auto p, identity.Authenticate(token));
    return std::optional(std::move(p));
  }
  if (auto cookie = req.Cookie(kSessionCookie)) {
    auto p = identity.Authenticate(*cookie);
    std::string_view csrf = req.Header("x-csrf-token");
    if (p && csrf.size() == p->csrf_token.size() && !csrf.empty() &&
        sodium_memcmp(csrf.data(), p->csrf_token.data(), csrf.size()) == 0)
      return std::optional(std::move(*p));
  }
  return std::optional<identity::Principal>();
}

json::Json NewReportSchema() {
  using namespace doc;
  return Object({{"text", String(1, emergency::kMaxReportTextChars)},
                 {"kind", Enum({"situation", "need"})},
                 {"need_type", Enum({"rescue", "supplies", "medical", "evacuation", "救援", "物资",
                                     "医疗", "转移"})},
                 {"count", IntegerIn(0, emergency::kMaxNeedCount)},
                 {"priority", Enum({"low", "normal", "high", "critical"})},
                 {"place", Object({{"lat", Number()},
                                   {"lng", Number()},
                                   {"address", String(0, emergency::kMaxReportAddressChars)}},
                                  {})},
                 {"photo_ids", ArrayOf(String(1, 64))},
                 {"contact", Object({{"name", String(0, emergency::kMaxContactNameChars)},
                                     {"phone", String(0, emergency::kMaxContactPhoneChars)}},
                                    {})},
                 {"channel", Enum({"web", "phone", "open311"})}},
                {"text", "place"}, false);
}

}  // namespace

json::Json PublicCrowdReportJson(const emergency::PublicReport& p) {
  return {{"id", p.id},
          {"text", p.text},
          {"kind", emergency::ReportKindName(p.kind)},
          {"need_type", OrNull(std::string(emergency::NeedTypeName(p.need_type)))},
          {"count", p.count},
          {"lat", OrNull(p.lat)},
          {"lng", OrNull(p.lng)},
          {"received_at", Time(p.received_at)},
          {"verified_at", Time(p.verified_at)}};
}

json::Json CrowdReportSchemas() {
  using namespace doc;
  const json::Json nullable_string = Nullable(String());
  return {
      {"NewCrowdReport", NewReportSchema()},
      {"CrowdReportReceipt",
       Object({{"id", String()},
               {"incident_id", String()},
               {"state", Enum({"unverified", "verified", "duplicate", "false"})},
               {"received_at", DateTime()}},
              {"id", "incident_id", "state", "received_at"})},
      {"CrowdReport",
       Object({{"id", String()},
               {"incident_id", String()},
               {"text", String()},
               {"kind", Enum({"situation", "need"})},
               {"need_type", nullable_string},
               {"count", Integer()},
               {"priority", Enum({"low", "normal", "high", "critical"})},
               {"place", Object({{"lat", Nullable(Number())},
                                 {"lng", Nullable(Number())},
                                 {"address", String()}},
                                {"lat", "lng", "address"})},
               {"photo_ids", ArrayOf(String())},
               {"contact", Object({{"name", String()}, {"phone", String()}}, {"name", "phone"})},
               {"channel", Enum({"web", "phone", "open311"})},
               {"signed_in", Boolean()},
               {"received_at", DateTime()},
               {"state", Enum({"unverified", "verified", "duplicate", "false"})},
               {"duplicate_of", nullable_string},
               {"duplicate_score", Nullable(Number())},
               {"verified_by", nullable_string},
               {"verified_at", Nullable(DateTime())},
               {"note", String()},
               {"need_id", nullable_string}},
              {"id", "incident_id", "text", "kind", "state", "received_at", "place"})},
      {"CrowdReportPage",
       Object({{"items", ArrayOf(Ref("CrowdReport"))},
               {"next_cursor", nullable_string},
               {"counts", Object({{"unverified", Integer()},
                                  {"verified", Integer()},
                                  {"duplicate", Integer()},
                                  {"false", Integer()}},
                                 {"unverified", "verified", "duplicate", "false"})}},
              {"items", "next_cursor", "counts"})},
      {"CrowdVerdict", Object({{"verdict", Enum({"verified", "duplicate", "false"})},
                               {"duplicate_of", String(1, 64)},
                               {"note", String(0, emergency::kMaxVerdictNoteChars)}},
                              {"verdict"})},
      {"PublicCrowdReport", Object({{"id", String()},
                                    {"text", String()},
                                    {"kind", Enum({"situation", "need"})},
                                    {"need_type", nullable_string},
                                    {"count", Integer()},
                                    {"lat", Nullable(Number())},
                                    {"lng", Nullable(Number())},
                                    {"received_at", DateTime()},
                                    {"verified_at", Nullable(DateTime())}},
                                   {"id", "text", "kind", "received_at"})}};
}

void RegisterCrowdReportRoutes(Api& api, CrowdReportService& crowd,
                               identity::IdentityService& identity, RateLimitOptions limits) {
  Router& r = api.router();
  const std::string reports = "/api/v1/incidents/{id}/reports";
  auto limiter = std::make_shared<RateLimiter>(limits);
  const Clock& clock = api.clock();
  {
    RouteDoc d = Doc("Report a need or a situation of an incident (anyone)", "上报求助/险情");
    d.description = fmt::format(
        "Public: no login needed (a session or bearer token, when sent, names the reporter and "
        "allows photo_ids; the phone and open311 channels need an operator's account). At most "
        "{} bytes. Rate-limited per client address (per account when signed in): 429 with "
        "Retry-After. Send a client-generated Idempotency-Key: a retry over a weak connection "
        "answers the first report, nothing is stored twice. The answer carries no personal "
        "data. A report nearly the same as an earlier one is kept, marked as a duplicate "
        "candidate for the verifiers.",
        emergency::kMaxReportBodyBytes);
    d.path = {Incident()};
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Ref("NewCrowdReport"))};
    d.answers = {doc::Ok(doc::Ref("CrowdReportReceipt"), 201)};
    d.errors = {400, 401, 403, 404, 409, 413, 429};
    d.security = {"", "bearer", "session"};
    r.Add("POST", reports, Auth::kPublic, d,
          [&crowd, &identity, &clock, limiter](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto who, Caller(req, identity));
            const std::string key = who ? "account:" + who->account_id : "addr:" + req.remote;
            const RateDecision allowed = limiter->Take(key, clock.Now());
            if (!allowed.allowed) {
              Response res = ErrorResponse(
                  Error::TooManyRequests(fmt::format(
                      "too many reports from this address; retry in {} s (a retry with the "
                      "same Idempotency-Key is never stored twice)",
                      allowed.retry_after_seconds)),
                  req.request_id);
              res.SetHeader("Retry-After", std::to_string(allowed.retry_after_seconds));
              return res;
            }
            if (req.body.size() > emergency::kMaxReportBodyBytes)
              return Fail(Error::TooLarge(fmt::format("a report is at most {} bytes of JSON",
                                                      emergency::kMaxReportBodyBytes)));
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto in, emergency::ReportFromJson(body));
            XT_ASSIGN_OR_RETURN(
                auto report, crowd.Submit(who, req.Param("id"), in, req.Header("idempotency-key")));
            return Response::Json(201, ReceiptJson(report));
          });
  }
  {
    RouteDoc d =
        Doc("The verifiers' queue: an incident's crowd reports in one state", "群众上报审核");
    d.description =
        "For the incident's command task force and staff responding to it. state=unverified "
        "(default) is the queue: fresh reports before duplicate candidates, most urgent first, "
        "oldest first — a flood of the same text sinks below its first copy. Other states: "
        "latest verdict first. Paged with the opaque cursor; counts by state.";
    d.path = {Incident()};
    d.query = {doc::QueryParam("state", "unverified (default), verified, duplicate or false",
                               doc::Enum({"unverified", "verified", "duplicate", "false"})),
               doc::Cursor(), doc::Limit()};
    d.answers = {doc::Ok(doc::Ref("CrowdReportPage"))};
    d.errors = {400, 403, 404};
    r.Add("GET", reports, Auth::kRequired, d, [&crowd](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
      XT_ASSIGN_OR_RETURN(auto state,
                          emergency::ParseReportState(req.Query("state").value_or("unverified")));
      XT_ASSIGN_OR_RETURN(auto page, crowd.List(req.actor(), req.Param("id"), state,
                                                req.Query("cursor").value_or(""), limit));
      json::Json items = json::Json::array();
      for (const auto& x : page.items) items.push_back(ReportJson(x));
      return Response::Json(200, {{"items", std::move(items)},
                                  {"next_cursor", page.next_cursor ? json::Json(*page.next_cursor)
                                                                   : json::Json(nullptr)},
                                  {"counts",
                                   {{"unverified", page.unverified},
                                    {"verified", page.verified},
                                    {"duplicate", page.duplicate},
                                    {"false", page.rejected}}}});
    });
  }
  {
    RouteDoc d = Doc("The verified crowd reports of an incident, without personal data",
                     "已核实的群众上报（公开）");
    d.description =
        "Public: text (long digit runs masked), kind, need type and count, the place rounded "
        "to about 100 m, times. Never the address, contact, reporter or photos.";
    d.path = {Incident()};
    d.query = {doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("PublicCrowdReport")))};
    d.errors = {400, 404};
    r.Add("GET", reports + "/public", Auth::kPublic, d, [&crowd](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
      XT_ASSIGN_OR_RETURN(auto list, crowd.PublicReports(req.Param("id"), limit));
      json::Json items = json::Json::array();
      for (const auto& p : list) items.push_back(PublicCrowdReportJson(p));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("One crowd report, as its verifiers see it", "群众上报详情");
    d.path = {Incident(), ReportId()};
    d.answers = {doc::Ok(doc::Ref("CrowdReport"))};
    d.errors = {403, 404};
    r.Add("GET", reports + "/{rid}", Auth::kRequired, d,
          [&crowd](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto report,
                                crowd.Get(req.actor(), req.Param("id"), req.Param("rid")));
            return Response::Json(200, ReportJson(report));
          });
  }
  {
    RouteDoc d = Doc("Verify a crowd report: verified, duplicate or false", "核实群众上报");
    d.description =
        "A verdict is final: the same verdict again answers the report unchanged, a different "
        "one is 409. duplicate: of duplicate_of, or of the candidate found at intake. A "
        "verified need becomes a need of the incident in the same transaction (need_id).";
    d.path = {Incident(), ReportId()};
    d.body = {doc::Json(doc::Ref("CrowdVerdict"))};
    d.answers = {doc::Ok(doc::Ref("CrowdReport"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", reports + "/{rid}/verify", Auth::kRequired, d,
          [&crowd](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto verdict, emergency::VerdictFromJson(body));
            XT_ASSIGN_OR_RETURN(
                auto report, crowd.Verify(req.actor(), req.Param("id"), req.Param("rid"), verdict));
            return Response::Json(200, ReportJson(report));
          });
  }
}

}  // namespace xietong::http
