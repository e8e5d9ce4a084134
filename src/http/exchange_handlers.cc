#include "http/exchange_handlers.h"

#include <fmt/core.h>

#include "core/csv.h"
#include "http/api_schemas.h"
#include "http/request_handlers.h"

namespace xietong::http {
namespace {

using exchange::AccessRequest;
using exchange::ExchangeService;
using exchange::Grant;
using exchange::ResourceView;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "exchange";
  return d;
}

// --- encoders (each mirrored by a schema in ExchangeSchemas) ---------------------------

json::Json ResourceJson(const ResourceView& v, bool detail) {
  const exchange::Resource& r = v.resource;
  json::Json j = {{"id", r.id},
                  {"code", r.code},
                  {"title", r.title},
                  {"description", r.description},
                  {"owner_unit_id", r.owner_unit_id},
                  {"owner_name", r.owner_name},
                  {"steward_id", r.steward_id},
                  {"cycle", exchange::CycleName(r.cycle)},
                  {"share", exchange::ShareName(r.share)},
                  {"share_condition", r.share_condition},
                  {"open", exchange::OpennessName(r.openness)},
                  {"grade", exchange::GradeName(r.grade)},
                  {"effective_grade", exchange::GradeName(v.effective_grade)},
                  {"kind", r.kind},
                  {"key_field", r.key_field},
                  {"keywords", r.keywords},
                  {"rows", r.rows},
                  {"fields_count", r.fields.size()},
                  {"created_at", Time(r.created_at)},
                  {"updated_at", Time(r.updated_at)},
                  {"last_import_at", Time(r.last_import_at)},
                  {"scores", v.scored ? exchange::ScoresJson(v.scores) : json::Json(nullptr)},
                  {"version", r.version}};
  if (!detail) return j;
  json::Json fields = json::Json::array();
  for (const auto& f : r.fields) fields.push_back(exchange::FieldJson(f));
  j["fields"] = std::move(fields);
  j["endpoint"] = r.endpoint;
  return j;
}

json::Json RequestJson(const AccessRequest& r) {
  json::Json fields = json::Json::array();
  for (const auto& f : r.fields) fields.push_back({{"name", f.name}, {"unmasked", f.unmasked}});
  json::Json decisions = json::Json::array();
  for (const auto& d : r.decisions)
    decisions.push_back({{"name", d.name}, {"approved", d.approved}, {"unmasked", d.unmasked}});
  auto or_null = [](const std::string& s) {
    return s.empty() ? json::Json(nullptr) : json::Json(s);
  };
  return {{"id", r.id},
          {"resource_id", r.resource_id},
          {"resource_code", r.resource_code},
          {"resource_title", r.resource_title},
          {"owner_unit_id", r.owner_unit_id},
          {"consumer_unit_id", r.consumer_unit_id},
          {"consumer_name", r.consumer_name},
          {"requester_name", r.requester_name},
          {"fields", std::move(fields)},
          {"purpose_code", r.purpose_code},
          {"purpose", r.purpose},
          {"legal_basis", r.legal_basis},
          {"period_days", r.period_days},
          {"rate_per_minute", r.rate_per_minute},
          {"status", exchange::RequestStatusName(r.status)},
          {"decisions", std::move(decisions)},
          {"first_approver_name", or_null(r.first_approver_name)},
          {"second_approver_name", or_null(r.second_approver_name)},
          {"reason", or_null(r.reason)},
          {"grant_id", or_null(r.grant_id)},
          {"created_at", Time(r.created_at)},
          {"decided_at", Time(r.decided_at)}};
}

json::Json GrantView(const Grant& g, Timestamp now) {
  json::Json fields = json::Json::array();
  for (const auto& f : g.fields) fields.push_back({{"name", f.name}, {"unmasked", f.unmasked}});
  return {{"id", g.id},
          {"request_id", g.request_id},
          {"resource_id", g.resource_id},
          {"owner_unit_id", g.owner_unit_id},
          {"consumer_unit_id", g.consumer_unit_id},
          {"consumer_name", g.consumer_name},
          {"purpose_code", g.purpose_code},
          {"purpose", g.purpose},
          {"legal_basis", g.legal_basis},
          {"fields", std::move(fields)},
          {"starts_at", Time(g.starts_at)},
          {"expires_at", Time(g.expires_at)},
          {"revoked_at", Time(g.revoked_at)},
          {"revoked_reason",
           g.revoked_reason.empty() ? json::Json(nullptr) : json::Json(g.revoked_reason)},
          {"rate_per_minute", g.rate_per_minute},
          {"active", g.active(now)}};
}

json::Json GradeChangeJson(const exchange::store::GradeChange& g) {
  return {{"id", g.id},
          {"resource_id", g.resource_id},
          {"field", g.field.empty() ? json::Json(nullptr) : json::Json(g.field)},
          {"from", g.from_grade},
          {"to", g.to_grade},
          {"reason", g.reason},
          {"proposed_by_name", g.proposed_by_name},
          {"proposed_at", Time(g.proposed_at)},
          {"status", g.status},
          {"decided_at", Time(g.decided_at)}};
}

json::Json ImportJson(const exchange::ImportReport& r) {
  json::Json problems = json::Json::array();
  for (const auto& p : r.problems)
    problems.push_back({{"line", p.line},
                        {"column", p.column},
                        {"reason", p.reason},
                        {"message", p.message},
                        {"defect", p.defect}});
  return {{"import_id", r.import_id.empty() ? json::Json(nullptr) : json::Json(r.import_id)},
          {"accepted", r.accepted},
          {"encoding", r.encoding},
          {"rows", r.rows},
          {"stored", r.stored},
          {"defects", r.defects},
          {"blocking", r.blocking},
          {"scores", exchange::ScoresJson(r.scores)},
          {"problems", std::move(problems)}};
}

json::Json AnswerJson(const exchange::GatewayAnswer& a) {
  json::Json records = json::Json::array();
  for (const auto& r : a.records)
    records.push_back({{"key", r.key}, {"found", r.found}, {"data", r.data}});
  return {{"grant_id", a.grant_id},         {"resource_id", a.resource_id},
          {"purpose_code", a.purpose_code}, {"fields", a.fields},
          {"records", std::move(records)},  {"audit_seq", a.audit_seq}};
}

json::Json LogEntryJson(const exchange::AccessLogEntry& e) {
  return {{"at", Time(e.at)},
          {"unit_name", e.unit_name},
          {"resource_code", e.resource_code},
          {"resource_title", e.resource_title},
          {"purpose_code", e.purpose_code},
          {"purpose", e.purpose},
          {"record_key", e.record_key},
          {"fields", e.fields},
          {"field_titles", e.field_titles},
          {"found", e.found},
          {"audit_seq", e.audit_seq}};
}

// --- request parsing ---------------------------------------------------------------------

Result<std::vector<std::string>> CommaList(const Request& req, std::string_view name) {
  std::vector<std::string> out;
  const auto v = req.Query(name);
  if (!v || v->empty()) return out;
  std::size_t at = 0;
  while (at <= v->size()) {
    const auto comma = v->find(',', at);
    std::string item = v->substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  if (out.size() > 200)
    return Fail(Error::InvalidArgument(fmt::format("'{}' lists at most 200 names", name))
                    .About(std::string(name), "too_many"));
  return out;
}

Result<Timestamp> DaysBack(const Request& req, Timestamp now, int dflt) {
  const auto v = req.Query("days");
  int days = dflt;
  if (v && !v->empty()) {
    try {
      std::size_t used = 0;
      days = std::stoi(*v, &used);
      if (used != v->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return Fail(
          Error::InvalidArgument("'days' is a whole number of days").About("days", "invalid"));
    }
    if (days < 1 || days > 730)
      return Fail(Error::InvalidArgument("'days' is 1 to 730").About("days", "out_of_range"));
  }
  return now - static_cast<Timestamp>(days) * kMicrosPerDay;
}

ParamDoc ResourceId() { return doc::PathId("id", "the data resource's id"); }
ParamDoc Purpose() {
  return {"X-Purpose", "the purpose code of the caller's unit's grant (e.g. subsistence-check)",
          doc::String(2, 64), true};
}

}  // namespace

json::Json ExchangeSchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  const json::Json nullable_text = Nullable(String());
  const json::Json grade = Enum({"general", "important", "core"});
  const json::Json scores =
      Object({{"completeness", Number()},
              {"validity", Number()},
              {"uniqueness", Number()},
              {"timeliness", Number()},
              {"consistency", Number()},
              {"overall", Number()}},
             {"completeness", "validity", "uniqueness", "timeliness", "consistency", "overall"});
  json::Json resource_props = {
      {"id", String(1)},
      {"code", String(1)},
      {"title", String(1)},
      {"description", String()},
      {"owner_unit_id", String(1)},
      {"owner_name", String()},
      {"steward_id", String(1)},
      {"cycle", Enum({"realtime", "daily", "weekly", "monthly", "quarterly", "yearly"})},
      {"share", Enum({"unconditional", "conditional", "none"})},
      {"share_condition", String()},
      {"open", Enum({"open", "conditional", "closed"})},
      {"grade", grade},
      {"effective_grade", grade},
      {"kind", Enum({"hosted", "remote"})},
      {"key_field", String(1)},
      {"keywords", ArrayOf(String(1))},
      {"rows", Integer()},
      {"fields_count", Integer()},
      {"created_at", time},
      {"updated_at", time},
      {"last_import_at", time},
      {"scores", Nullable(Ref("QualityScores"))},
      {"version", Integer()}};
  std::vector<std::string> resource_required;
  for (const auto& [k, v] : resource_props.items()) resource_required.push_back(k);
  json::Json detail_props = resource_props;
  detail_props["fields"] = ArrayOf(
      Object({{"name", String(1)},
              {"title", String(1)},
              {"type", Enum({"string", "integer", "number", "date", "boolean"})},
              {"description", String()},
              {"element", String()},
              {"personal", Boolean()},
              {"required", Boolean()},
              {"grade", grade}},
             {"name", "title", "type", "description", "element", "personal", "required", "grade"}));
  detail_props["endpoint"] = String();
  std::vector<std::string> detail_required = resource_required;
  detail_required.push_back("fields");
  detail_required.push_back("endpoint");

  const json::Json field_choice =
      Object({{"name", String(1)}, {"unmasked", Boolean()}}, {"name", "unmasked"});
  json::Json request_props = {
      {"id", String(1)},
      {"resource_id", String(1)},
      {"resource_code", String(1)},
      {"resource_title", String(1)},
      {"owner_unit_id", String(1)},
      {"consumer_unit_id", String(1)},
      {"consumer_name", String()},
      {"requester_name", String()},
      {"fields", ArrayOf(field_choice)},
      {"purpose_code", String(2, 64)},
      {"purpose", String(1)},
      {"legal_basis", String(1)},
      {"period_days", Integer()},
      {"rate_per_minute", Integer()},
      {"status", Enum({"pending", "awaiting_second", "approved", "rejected"})},
      {"decisions",
       ArrayOf(Object({{"name", String(1)}, {"approved", Boolean()}, {"unmasked", Boolean()}},
                      {"name", "approved", "unmasked"}))},
      {"first_approver_name", nullable_text},
      {"second_approver_name", nullable_text},
      {"reason", nullable_text},
      {"grant_id", nullable_text},
      {"created_at", DateTime()},
      {"decided_at", time}};
  std::vector<std::string> request_required;
  for (const auto& [k, v] : request_props.items()) request_required.push_back(k);
  json::Json grant_props = {{"id", String(1)},
                            {"request_id", String(1)},
                            {"resource_id", String(1)},
                            {"owner_unit_id", String(1)},
                            {"consumer_unit_id", String(1)},
                            {"consumer_name", String()},
                            {"purpose_code", String(2, 64)},
                            {"purpose", String(1)},
                            {"legal_basis", String(1)},
                            {"fields", ArrayOf(field_choice)},
                            {"starts_at", DateTime()},
                            {"expires_at", DateTime()},
                            {"revoked_at", time},
                            {"revoked_reason", nullable_text},
                            {"rate_per_minute", Integer()},
                            {"active", Boolean()}};
  std::vector<std::string> grant_required;
  for (const auto& [k, v] : grant_props.items()) grant_required.push_back(k);

  return {
      {"QualityScores", scores},
      {"DataResource", Object(std::move(resource_props), resource_required)},
      {"DataResourceDetail", Object(std::move(detail_props), detail_required)},
      {"DataElement", Object({{"code", String(1)},
                              {"name", String(1)},
                              {"type", String(1)},
                              {"rule", String(1)},
                              {"pattern", String()},
                              {"codes", {{"type", "object"}, {"additionalProperties", String()}}},
                              {"description", String()},
                              {"personal", Boolean()},
                              {"mask", Enum({"none", "keep_ends", "name", "all", "address"})},
                              {"standard", Boolean()}},
                             {"code", "name", "type", "rule", "pattern", "codes", "description",
                              "personal", "mask", "standard"})},
      {"AccessRequest", Object(std::move(request_props), request_required)},
      {"Grant", Object(std::move(grant_props), grant_required)},
      {"GradeChange", Object({{"id", String(1)},
                              {"resource_id", String(1)},
                              {"field", nullable_text},
                              {"from", grade},
                              {"to", grade},
                              {"reason", String(1)},
                              {"proposed_by_name", String()},
                              {"proposed_at", DateTime()},
                              {"status", Enum({"pending", "approved", "rejected"})},
                              {"decided_at", time}},
                             {"id", "resource_id", "field", "from", "to", "reason",
                              "proposed_by_name", "proposed_at", "status", "decided_at"})},
      {"ImportReport",
       Object({{"import_id", nullable_text},
               {"accepted", Boolean()},
               {"encoding", Enum({"utf-8", "gb18030", "xlsx"})},
               {"rows", Integer()},
               {"stored", Integer()},
               {"defects", Integer()},
               {"blocking", Integer()},
               {"scores", Ref("QualityScores")},
               {"problems", ArrayOf(Object({{"line", Integer()},
                                            {"column", String()},
                                            {"reason", String(1)},
                                            {"message", String(1)},
                                            {"defect", Boolean()}},
                                           {"line", "column", "reason", "message", "defect"}))}},
              {"import_id", "accepted", "encoding", "rows", "stored", "defects", "blocking",
               "scores", "problems"})},
      {"GatewayAnswer",
       Object({{"grant_id", String(1)},
               {"resource_id", String(1)},
               {"purpose_code", String(1)},
               {"fields", ArrayOf(String(1))},
               {"records",
                ArrayOf(Object(
                    {{"key", String(1)}, {"found", Boolean()}, {"data", {{"type", "object"}}}},
                    {"key", "found", "data"}))},
               {"audit_seq", Integer()}},
              {"grant_id", "resource_id", "purpose_code", "fields", "records", "audit_seq"})},
      {"DataAccessLogEntry",
       Object({{"at", DateTime()},
               {"unit_name", String()},
               {"resource_code", String(1)},
               {"resource_title", String(1)},
               {"purpose_code", String(1)},
               {"purpose", String()},
               {"record_key", String()},
               {"fields", ArrayOf(String(1))},
               {"field_titles", ArrayOf(String(1))},
               {"found", Boolean()},
               {"audit_seq", Integer()}},
              {"at", "unit_name", "resource_code", "resource_title", "purpose_code", "purpose",
               "record_key", "fields", "field_titles", "found", "audit_seq"})},
      {"GatewayUsage", Object({{"day", DateTime()},
                               {"resource_id", String(1)},
                               {"resource_title", String()},
                               {"consumer_unit_id", String(1)},
                               {"consumer_name", String()},
                               {"lookups", Integer()},
                               {"found", Integer()}},
                              {"day", "resource_id", "resource_title", "consumer_unit_id",
                               "consumer_name", "lookups", "found"})},
      {"QualityScorecard",
       Object({{"unit_id", String(1)},
               {"unit_name", String()},
               {"resources", Integer()},
               {"scores", Ref("QualityScores")},
               {"trend",
                ArrayOf(Object({{"day", DateTime()}, {"overall", Number()}}, {"day", "overall"}))}},
              {"unit_id", "unit_name", "resources", "scores", "trend"})}};
}

void RegisterExchangeRoutes(Api& api, ExchangeService& exchange, std::string base_url) {
  Router& r = api.router();
  const std::string base = "/api/v1/exchange";

  for (const bool turtle : {false, true}) {
    RouteDoc d = turtle ? Doc("The data catalogue as DCAT-AP 3.0 Turtle (public)",
                              "数据目录 DCAT-AP（Turtle）")
                        : Doc("The data catalogue as DCAT-AP 3.0 JSON-LD (public)",
                              "数据目录 DCAT-AP（JSON-LD）");
    d.description =
        "Metadata only: one dcat:Catalog, a dcat:Dataset per resource, its dcat:Distribution "
        "through the gateway, the gateway as dcat:DataService, owners as foaf:Agent; "
        "dct:accessRights PUBLIC / RESTRICTED / NON_PUBLIC from the share attribute.";
    d.answers = {{200,
                  "the catalogue",
                  {turtle ? BodyDoc{"text/turtle; charset=utf-8", doc::String()}
                          : BodyDoc{"application/ld+json", {{"type", "object"}}}},
                  {}}};
    r.Add("GET", base + (turtle ? "/catalog.ttl" : "/catalog.jsonld"), Auth::kPublic, d,
          [&exchange, base_url, turtle](Request&) -> Result<Response> {
            Response out;
            out.status = 200;
            out.content_type = turtle ? "text/turtle; charset=utf-8" : "application/ld+json";
            XT_ASSIGN_OR_RETURN(out.body, exchange.CatalogExport(base_url, turtle));
            return out;
          });
  }
  {
    RouteDoc d = Doc("Data elements (数据元): standard fields resources map to", "数据元");
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("DataElement")))};
    r.Add("GET", base + "/elements", Auth::kRequired, d, [&exchange](Request&) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list, exchange.ListElements());
      json::Json items = json::Json::array();
      for (const auto& e : list) items.push_back(exchange::ElementJson(e));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Register a data element", "登记数据元");
    d.body = {doc::Json({{"type", "object"}})};
    d.answers = {doc::Ok(doc::Ref("DataElement"), 201)};
    d.errors = {400, 403, 409};
    r.Add("POST", base + "/elements", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto e, exchange.DefineElement(req.actor(), body));
            return Response::Json(201, exchange::ElementJson(e));
          });
  }
  {
    RouteDoc d =
        Doc("The catalogue: resources with grade, share attribute and quality", "数据目录");
    d.query = {doc::QueryParam("owner_unit_id", "only this department's resources"),
               doc::QueryParam("grade", "general, important or core (effective grade)",
                               doc::Enum({"general", "important", "core"})),
               doc::QueryParam("share", "unconditional, conditional or none",
                               doc::Enum({"unconditional", "conditional", "none"})),
               doc::QueryParam("q", "words in the title, description, code or keywords")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("DataResource")))};
    d.errors = {400, 403};
    r.Add("GET", base + "/resources", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            ExchangeService::CatalogQuery q{
                .owner_unit_id = req.Query("owner_unit_id").value_or(""),
                .grade = req.Query("grade").value_or(""),
                .share = req.Query("share").value_or(""),
                .q = req.Query("q").value_or("")};
            XT_ASSIGN_OR_RETURN(auto list, exchange.Catalog(req.actor(), q));
            json::Json items = json::Json::array();
            for (const auto& v : list) items.push_back(ResourceJson(v, false));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Publish a data resource, or change one's description", "发布数据资源");
    d.description =
        "The body is the resource's definition (code, title, description, cycle, share, "
        "share_condition, open, grade, kind, endpoint, key_field, keywords, fields). Grades "
        "change only through grade changes the steward approves.";
    d.body = {doc::Json({{"type", "object"}})};
    d.answers = {doc::Ok(doc::Ref("DataResourceDetail"), 201)};
    d.errors = {400, 403, 409};
    r.Add("POST", base + "/resources", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto res, exchange.Publish(req.actor(), body));
            ResourceView v;
            v.effective_grade = exchange::EffectiveGrade(res);
            v.resource = std::move(res);
            return Response::Json(201, ResourceJson(v, true));
          });
  }
  {
    RouteDoc d = Doc("A resource: its fields, grades and latest quality", "数据资源详情");
    d.path = {ResourceId()};
    d.answers = {doc::Ok(doc::Ref("DataResourceDetail"))};
    d.errors = {403, 404};
    r.Add("GET", base + "/resources/{id}", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto v, exchange.Get(req.actor(), req.Param("id")));
            return Response::Json(200, ResourceJson(v, true));
          });
  }
  {
    RouteDoc d =
        Doc("Replace a hosted resource's records with a CSV file (UTF-8 or GBK) or an "
            "XLSX workbook",
            "导入数据（CSV/XLSX）");
    d.description =
        "The body is CSV text (UTF-8 or GBK, detected) or an XLSX workbook, whose first sheet is "
        "read (a problem's line is then the row number Excel shows; date cells read as "
        "YYYY-MM-DD). An .xls file (Excel 97–2003) is refused (400 xls_unsupported). "
        "The whole file is checked before anything is stored: a wrong column, a duplicate or "
        "invalid key, a required cell left empty refuses the import (400, every problem in "
        "error.details with its line). Invalid values of optional fields are quality defects: "
        "they refuse the import too unless accept_defects=true, in which case the rows are "
        "stored, scored, and the defects become work for the owner.";
    d.path = {ResourceId()};
    d.query = {doc::QueryParam("accept_defects", "true: store rows with quality defects",
                               doc::Enum({"true", "false"}))};
    d.body = {{"text/csv", doc::String()},
              {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               {{"type", "string"},
                {"contentMediaType",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}};
    d.answers = {doc::Ok(doc::Ref("ImportReport"))};
    d.errors = {400, 403, 404, 409, 413};
    r.Add("PUT", base + "/resources/{id}/records", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            const std::string accept = req.Query("accept_defects").value_or("false");
            if (accept != "true" && accept != "false")
              return Fail(Error::InvalidArgument("'accept_defects' is true or false")
                              .About("accept_defects", "invalid"));
            XT_ASSIGN_OR_RETURN(auto report,
                                exchange.Import(req.actor(), req.Param("id"), std::move(req.body),
                                                accept == "true"));
            if (!report.accepted) {
              Error e = Error::InvalidArgument(
                  report.rows == 0 && report.blocking == 0
                      ? std::string("the file has no data rows")
                      : fmt::format("the import was refused and nothing was stored: {} problems "
                                    "({} quality defects) in {} rows",
                                    report.blocking + report.defects, report.defects, report.rows));
              e.reason = "import_refused";
              for (const auto& p : report.problems)
                e.details.push_back(
                    {fmt::format("line {}{}", p.line, p.column.empty() ? "" : " " + p.column),
                     p.reason, p.message});
              if (!e.details.empty()) e.field = e.details.front().field;
              return Fail(std::move(e));
            }
            return Response::Json(200, ImportJson(report));
          });
  }
  {
    RouteDoc d =
        Doc("The owner's view of a hosted resource's records, whole", "数据预览（本单位）");
    d.description =
        "For the owning unit's data officers only (others use the gateway under a grant); "
        "every page read is an audit event. Pages follow the key: pass next_after as after.";
    d.path = {ResourceId()};
    d.query = {doc::QueryParam("after", "the key after which the page starts"), doc::Limit()};
    d.answers = {doc::Ok(doc::Object(
        {{"items",
          doc::ArrayOf(doc::Object({{"key", doc::String(1)}, {"data", {{"type", "object"}}}},
                                   {"key", "data"}))},
         {"next_after", doc::Nullable(doc::String(1))}},
        {"items", "next_after"}))};
    d.errors = {400, 403, 404};
    r.Add(
        "GET", base + "/resources/{id}/records", Auth::kRequired, d,
        [&exchange](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(int limit, LimitParam(req));
          XT_ASSIGN_OR_RETURN(auto page, exchange.Records(req.actor(), req.Param("id"),
                                                          req.Query("after").value_or(""), limit));
          json::Json items = json::Json::array();
          for (const auto& rec : page.records)
            items.push_back(
                {{"key", rec.key}, {"data", json::Json::parse(rec.data, nullptr, false)}});
          return Response::Json(
              200, {{"items", std::move(items)},
                    {"next_after",
                     page.next_after.empty() ? json::Json(nullptr) : json::Json(page.next_after)}});
        });
  }
  {
    RouteDoc d = Doc("A resource's imports, newest first", "导入记录");
    d.path = {ResourceId()};
    d.answers = {doc::Ok(doc::ItemsOf(
        doc::Object({{"id", doc::String(1)},
                     {"at", doc::DateTime()},
                     {"encoding", doc::String(1)},
                     {"rows", doc::Integer()},
                     {"stored", doc::Integer()},
                     {"defects", doc::Integer()},
                     {"scores", {{"type", "object"}}}},
                    {"id", "at", "encoding", "rows", "stored", "defects", "scores"})))};
    d.errors = {403, 404};
    r.Add("GET", base + "/resources/{id}/imports", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, exchange.Imports(req.actor(), req.Param("id")));
            json::Json items = json::Json::array();
            for (const auto& i : list)
              items.push_back({{"id", i.id},
                               {"at", FormatRfc3339(i.at)},
                               {"encoding", i.encoding},
                               {"rows", i.rows},
                               {"stored", i.stored},
                               {"defects", i.defects},
                               {"scores", i.scores}});
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("A resource's quality day by day", "数据质量趋势");
    d.path = {ResourceId()};
    d.query = {doc::QueryParam("days", "how far back (default 90)", doc::IntegerIn(1, 730))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Object(
        {{"day", doc::DateTime()}, {"scores", doc::Ref("QualityScores")}}, {"day", "scores"})))};
    d.errors = {400, 403, 404};
    r.Add("GET", base + "/resources/{id}/quality", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto from, DaysBack(req, exchange.Now(), 90));
            XT_ASSIGN_OR_RETURN(auto list,
                                exchange.QualityTrend(req.actor(), req.Param("id"), from));
            json::Json items = json::Json::array();
            for (const auto& p : list)
              items.push_back({{"day", FormatRfc3339(p.day)}, {"scores", p.scores}});
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Quality scorecards per department, with trends", "数据质量评分");
    d.query = {doc::QueryParam("days", "how far back (default 90)", doc::IntegerIn(1, 730))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("QualityScorecard")))};
    d.errors = {400, 403};
    r.Add("GET", base + "/scorecards", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto from, DaysBack(req, exchange.Now(), 90));
            XT_ASSIGN_OR_RETURN(auto cards, exchange.Scorecards(req.actor(), from));
            json::Json items = json::Json::array();
            for (const auto& c : cards) {
              json::Json trend = json::Json::array();
              for (const auto& [day, v] : c.trend)
                trend.push_back({{"day", FormatRfc3339(day)}, {"overall", v}});
              items.push_back({{"unit_id", c.unit_id},
                               {"unit_name", c.unit_name},
                               {"resources", c.resources},
                               {"scores", exchange::ScoresJson(c.mean)},
                               {"trend", std::move(trend)}});
            }
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Propose a grade change of a resource or one field", "申请调整分级");
    d.description =
        "Applied at once when the steward (首席数据官) proposes it; otherwise it waits for the "
        "steward's decision. Every change is on the audit chain.";
    d.path = {ResourceId()};
    d.body = {doc::Json(doc::Object({{"field", doc::String(0, 48)},
                                     {"grade", doc::Enum({"general", "important", "core"})},
                                     {"reason", doc::String(1, 500)}},
                                    {"grade", "reason"}))};
    d.answers = {doc::Ok(doc::Ref("GradeChange"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/resources/{id}/grade-changes", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto field, TextField(body, "field", false, 48));
            XT_ASSIGN_OR_RETURN(auto grade, TextField(body, "grade", true, 16));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", true, 500));
            XT_ASSIGN_OR_RETURN(
                auto g, exchange.ProposeGrade(req.actor(), req.Param("id"), std::move(field), grade,
                                              std::move(reason)));
            return Response::Json(201, GradeChangeJson(g));
          });
  }
  {
    RouteDoc d = Doc("A resource's grade changes, newest first", "分级调整记录");
    d.path = {ResourceId()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("GradeChange")))};
    d.errors = {403, 404};
    r.Add("GET", base + "/resources/{id}/grade-changes", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, exchange.GradeChanges(req.actor(), req.Param("id")));
            json::Json items = json::Json::array();
            for (const auto& g : list) items.push_back(GradeChangeJson(g));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  for (const bool approve : {true, false}) {
    RouteDoc d = approve ? Doc("The steward approves a grade change", "批准分级调整")
                         : Doc("The steward refuses a grade change", "驳回分级调整");
    d.path = {doc::PathId("id", "the grade change's id")};
    d.answers = {doc::Ok(doc::Ref("GradeChange"))};
    d.errors = {403, 404, 409};
    r.Add("POST", base + "/grade-changes/{id}/" + (approve ? "approve" : "reject"), Auth::kRequired,
          d, [&exchange, approve](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto g,
                                exchange.DecideGrade(req.actor(), req.Param("id"), approve));
            return Response::Json(200, GradeChangeJson(g));
          });
  }
  {
    RouteDoc d = Doc("Ask another unit for fields of its resource", "申请数据共享");
    d.description =
        "For the caller's own unit (consumer_unit_id when they serve several). A resource "
        "marked 不予共享 cannot be requested (409).";
    d.body = {doc::Json(doc::Object(
        {{"resource_id", doc::String(1, 64)},
         {"consumer_unit_id", doc::String(1, 64)},
         {"fields", doc::ArrayOf({{"oneOf",
                                   {doc::String(1, 48), doc::Object({{"name", doc::String(1, 48)},
                                                                     {"unmasked", doc::Boolean()}},
                                                                    {"name"})}}})},
         {"purpose_code", doc::String(2, 64)},
         {"purpose", doc::String(2, 200)},
         {"legal_basis", doc::String(2, 300)},
         {"period_days", doc::IntegerIn(1, exchange::kMaxPeriodDays)},
         {"rate_per_minute", doc::IntegerIn(1, exchange::kMaxRatePerMinute)}},
        {"resource_id", "fields", "purpose_code", "purpose", "legal_basis"}))};
    d.answers = {doc::Ok(doc::Ref("AccessRequest"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/access-requests", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto a, exchange.RequestAccess(req.actor(), body));
            return Response::Json(201, RequestJson(a));
          });
  }
  {
    RouteDoc d = Doc("Access requests to the caller's units' data, or made by them", "共享申请");
    d.query = {doc::QueryParam("box", "incoming (to decide) or outgoing (asked); default both",
                               doc::Enum({"incoming", "outgoing"})),
               doc::QueryParam("status", "pending, awaiting_second, approved or rejected",
                               doc::Enum({"pending", "awaiting_second", "approved", "rejected"}))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("AccessRequest")))};
    d.errors = {400};
    r.Add("GET", base + "/access-requests", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list,
                                exchange.AccessRequests(req.actor(), req.Query("box").value_or(""),
                                                        req.Query("status").value_or("")));
            json::Json items = json::Json::array();
            for (const auto& a : list) items.push_back(RequestJson(a));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("An access request", "共享申请详情");
    d.path = {doc::PathId("id", "the access request's id")};
    d.answers = {doc::Ok(doc::Ref("AccessRequest"))};
    d.errors = {404};
    r.Add("GET", base + "/access-requests/{id}", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto a, exchange.GetAccessRequest(req.actor(), req.Param("id")));
            return Response::Json(200, RequestJson(a));
          });
  }
  {
    RouteDoc d = Doc("Approve an access request field by field, or confirm it (核心 fields)",
                     "批准共享申请");
    d.description =
        "Pending: fields names the approved ones (a subset of those asked), unmasked those "
        "granted whole (only if asked so). When a 核心 (core) field is approved, another data "
        "officer of the owner unit confirms with a second call (its body is ignored).";
    d.path = {doc::PathId("id", "the access request's id")};
    d.body = {doc::Json(doc::Object({{"fields", doc::ArrayOf(doc::String(1, 48))},
                                     {"unmasked", doc::ArrayOf(doc::String(1, 48))},
                                     {"note", doc::String(0, 500)}},
                                    {}))};
    d.body_required = false;
    d.answers = {doc::Ok(doc::Ref("AccessRequest"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/access-requests/{id}/approve", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, OptionalJsonBody(req));
            std::vector<std::string> fields, unmasked;
            if (body.contains("fields")) {
              XT_ASSIGN_OR_RETURN(fields, json::StringArray(body, "fields"));
            }
            if (body.contains("unmasked")) {
              XT_ASSIGN_OR_RETURN(unmasked, json::StringArray(body, "unmasked"));
            }
            XT_ASSIGN_OR_RETURN(auto note, TextField(body, "note", false, 500));
            XT_ASSIGN_OR_RETURN(auto a, exchange.Approve(req.actor(), req.Param("id"), fields,
                                                         unmasked, std::move(note)));
            return Response::Json(200, RequestJson(a));
          });
  }
  {
    RouteDoc d = Doc("Refuse an access request, saying why", "驳回共享申请");
    d.path = {doc::PathId("id", "the access request's id")};
    d.body = {doc::Json(doc::Object({{"reason", doc::String(1, 500)}}, {"reason"}))};
    d.answers = {doc::Ok(doc::Ref("AccessRequest"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/access-requests/{id}/reject", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", true, 500));
            XT_ASSIGN_OR_RETURN(auto a,
                                exchange.Reject(req.actor(), req.Param("id"), std::move(reason)));
            return Response::Json(200, RequestJson(a));
          });
  }
  {
    RouteDoc d = Doc("Grants held by or given by the caller's units", "共享授权");
    d.query = {doc::QueryParam("resource_id", "only grants of this resource")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Grant")))};
    r.Add("GET", base + "/grants", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(
                auto list, exchange.Grants(req.actor(), req.Query("resource_id").value_or("")));
            json::Json items = json::Json::array();
            for (const auto& g : list) items.push_back(GrantView(g, exchange.Now()));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Revoke a grant at once", "撤销授权");
    d.path = {doc::PathId("id", "the grant's id")};
    d.body = {doc::Json(doc::Object({{"reason", doc::String(1, 500)}}, {"reason"}))};
    d.answers = {doc::Ok(doc::Ref("Grant"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/grants/{id}/revoke", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", true, 500));
            XT_ASSIGN_OR_RETURN(auto g,
                                exchange.Revoke(req.actor(), req.Param("id"), std::move(reason)));
            return Response::Json(200, GrantView(g, exchange.Now()));
          });
  }
  {
    RouteDoc d =
        Doc("The gateway: one record, granted fields only, masked by rule", "数据共享网关（单条）");
    d.description =
        "Answers only the fields the caller's unit's grant for X-Purpose covers (all of them, "
        "or those named in fields=), masked unless the grant says unmasked. 403 names the "
        "missing grant or field; 404 never: an unknown key answers found=false. Every answer "
        "is an audit event committed before it is sent. Remote resources: 502 when the owner's "
        "system fails, 504 when it does not answer in time.";
    d.path = {ResourceId(), doc::PathId("key", "the record's key (e.g. an identity number)")};
    d.headers = {Purpose()};
    d.query = {doc::QueryParam("fields", "comma-separated field names (default: all granted)")};
    d.answers = {doc::Ok(doc::Ref("GatewayAnswer"))};
    d.errors = {400, 403, 404, 429, 502, 504};
    r.Add("GET", base + "/resources/{id}/records/{key}", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto fields, CommaList(req, "fields"));
            XT_ASSIGN_OR_RETURN(auto a, exchange.Lookup(req.actor(), req.Param("id"),
                                                        {std::string(req.Param("key"))},
                                                        req.Header("x-purpose"), fields));
            return Response::Json(200, AnswerJson(a));
          });
  }
  {
    RouteDoc d = Doc("The gateway: up to 100 records in one call", "数据共享网关（批量）");
    d.path = {ResourceId()};
    d.headers = {Purpose()};
    d.body = {doc::Json(doc::Object(
        {{"keys", doc::ArrayOf(doc::String(1, 128))}, {"fields", doc::ArrayOf(doc::String(1, 48))}},
        {"keys"}))};
    d.answers = {doc::Ok(doc::Ref("GatewayAnswer"))};
    d.errors = {400, 403, 404, 429, 502, 504};
    r.Add("POST", base + "/resources/{id}/lookups", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto keys, json::StringArray(body, "keys"));
            std::vector<std::string> fields;
            if (body.contains("fields")) {
              XT_ASSIGN_OR_RETURN(fields, json::StringArray(body, "fields"));
            }
            XT_ASSIGN_OR_RETURN(auto a, exchange.Lookup(req.actor(), req.Param("id"), keys,
                                                        req.Header("x-purpose"), fields));
            return Response::Json(200, AnswerJson(a));
          });
  }
  {
    RouteDoc d = Doc("Gateway lookups per day, resource and consumer unit", "网关调用统计");
    d.query = {doc::QueryParam("days", "how far back (default 30)", doc::IntegerIn(1, 730))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("GatewayUsage")))};
    d.errors = {400, 403};
    r.Add("GET", base + "/usage", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto from, DaysBack(req, exchange.Now(), 30));
            XT_ASSIGN_OR_RETURN(auto list, exchange.Usage(req.actor(), from, exchange.Now() + 1));
            json::Json items = json::Json::array();
            for (const auto& u : list)
              items.push_back({{"day", FormatRfc3339(u.day)},
                               {"resource_id", u.resource_id},
                               {"resource_title", u.resource_title},
                               {"consumer_unit_id", u.consumer_unit_id},
                               {"consumer_name", u.consumer_name},
                               {"lookups", u.lookups},
                               {"found", u.found}});
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Link a resident's account to the identity number it was verified with",
                     "实名核验绑定");
    d.path = {doc::PathId("account_id", "the resident's account id")};
    d.body = {doc::Json(doc::Object({{"id_number", doc::String(18, 18)}}, {"id_number"}))};
    d.answers = {doc::NoContent("linked")};
    d.errors = {400, 403, 404};
    r.Add("POST", base + "/residents/{account_id}/identity", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto id_number, TextField(body, "id_number", true, 18));
            XT_TRY_VOID(exchange.LinkResident(req.actor(), req.Param("account_id"), id_number));
            Response out;
            out.status = 204;
            return out;
          });
  }
  {
    RouteDoc d =
        Doc("Who used my data: every gateway access to records about me", "我的数据使用记录");
    d.description =
        "For a signed-in resident whose identity number is linked: when, which unit, which "
        "resource and fields, for what purpose, with the audit event's number. format=csv "
        "downloads it.";
    d.query = {doc::QueryParam("format", "json (default) or csv", doc::Enum({"json", "csv"}))};
    d.answers = {{200,
                  "the log, newest first",
                  {doc::Json(doc::ItemsOf(doc::Ref("DataAccessLogEntry"))),
                   {"text/csv; charset=utf-8", doc::String()}},
                  {}}};
    d.errors = {400, 403};
    r.Add("GET", "/api/v1/me/data-access-log", Auth::kRequired, d,
          [&exchange](Request& req) -> Result<Response> {
            const std::string format = req.Query("format").value_or("json");
            if (format != "json" && format != "csv")
              return Fail(
                  Error::InvalidArgument("'format' is json or csv").About("format", "invalid"));
            XT_ASSIGN_OR_RETURN(auto log, exchange.MyAccessLog(req.actor()));
            if (format == "json") {
              json::Json items = json::Json::array();
              for (const auto& e : log) items.push_back(LogEntryJson(e));
              return Response::Json(200, {{"items", std::move(items)}});
            }
            std::string csv = "\xEF\xBB\xBF";  // a BOM: spreadsheets then read it as UTF-8
            csv::AppendRecord(csv,
                              {"时间", "使用单位", "数据资源", "字段", "用途", "记录", "审计事件"});
            for (const auto& e : log) {
              std::string fields;
              for (const auto& f : e.field_titles) fields += (fields.empty() ? "" : "、") + f;
              csv::AppendRecord(csv, {FormatRfc3339(e.at), e.unit_name, e.resource_title, fields,
                                      e.purpose, e.record_key, std::to_string(e.audit_seq)});
            }
            Response out;
            out.status = 200;
            out.content_type = "text/csv; charset=utf-8";
            out.body = std::move(csv);
            out.SetHeader("Content-Disposition", "attachment; filename=\"data-access-log.csv\"");
            return out;
          });
  }
}

}  // namespace xietong::http
