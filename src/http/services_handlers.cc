#include "http/services_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"
#include "http/file_handlers.h"
#include "http/request_handlers.h"

namespace xietong::http {
namespace {

using services::ApplicationView;
using services::ServicesService;
using services::ServiceView;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }

// --- encoders (each mirrored by a schema below) ----------------------------------------

json::Json PartDefJson(const services::PartDef& p, const std::string& unit_name) {
  return {{"key", p.key},
          {"title", p.title.zh},
          {"title_en", p.title.en},
          {"unit_code", p.unit_code},
          {"unit_name", unit_name},
          {"promised_days", p.promised_days},
          {"certificate", OrNull(p.certificate.zh)},
          {"certificate_en", OrNull(p.certificate.en)}};
}

json::Json ServiceJson(const ServiceView& v, bool detail) {
  const services::Bundle& b = v.bundle;
  json::Json parts = json::Json::array();
  for (std::size_t i = 0; i < b.parts.size(); ++i)
    parts.push_back(PartDefJson(b.parts[i], v.unit_names.at(i)));
  json::Json j = {{"id", b.id},
                  {"code", b.code},
                  {"version", b.version},
                  {"title", b.title.zh},
                  {"title_en", b.title.en},
                  {"summary", b.summary.zh},
                  {"summary_en", b.summary.en},
                  {"audience", b.audience},
                  {"promised_days", b.promised_days},
                  {"process_id", b.process_id},
                  {"parts", std::move(parts)},
                  {"applications", v.applications}};
  if (!detail) return j;
  json::Json def = services::BundleJson(b);
  j["conditions"] = def["conditions"];
  j["fees"] = def["fees"];
  json::Json materials = json::Json::array();
  for (const auto& m : b.materials)
    materials.push_back({{"key", m.key},
                         {"name", m.name.zh},
                         {"name_en", m.name.en},
                         {"required", m.required},
                         {"note", m.note.zh},
                         {"note_en", m.note.en},
                         {"parts", m.parts}});
  j["materials"] = std::move(materials);
  json::Json fields = json::Json::array();
  for (const auto& f : b.fields) {
    json::Json options = json::Json::array();
    for (const auto& o : f.options)
      options.push_back({{"value", o.value}, {"label", o.label.zh}, {"label_en", o.label.en}});
    fields.push_back({{"key", f.key},
                      {"label", f.label.zh},
                      {"label_en", f.label.en},
                      {"type", services::FieldTypeName(f.type)},
                      {"required", f.required},
                      {"parts", f.parts},
                      {"hint", f.hint.zh},
                      {"hint_en", f.hint.en},
                      {"options", std::move(options)},
                      {"max_length", f.max_length}});
  }
  j["fields"] = std::move(fields);
  j["definition"] = std::move(def);  // as POST /api/v1/services takes it, to edit a new version
  return j;
}

json::Json CertificateJson(const services::CertificateView& c) {
  return {{"number", c.number},
          {"code", c.code},
          {"title", c.title},
          {"title_en", c.title_en},
          {"part", c.part},
          {"issued_at", Time(c.issued_at)},
          {"verify_url", "/verify/" + c.code}};
}

json::Json AppPartJson(const services::AppPart& p, const ApplicationView& v) {
  const services::PartDef* def = v.service.bundle.Part(p.key);
  std::string unit_name = p.unit_code;
  for (std::size_t i = 0; i < v.service.bundle.parts.size(); ++i)
    if (v.service.bundle.parts[i].key == p.key) unit_name = v.service.unit_names.at(i);
  json::Json correction = nullptr;
  if (p.correction)
    correction = {{"reason", p.correction->reason},
                  {"items", p.correction->items},
                  {"asked_at", Time(p.correction->asked_at)}};
  return {{"key", p.key},
          {"title", def ? def->title.zh : p.key},
          {"title_en", def ? def->title.en : p.key},
          {"unit_code", p.unit_code},
          {"unit_name", unit_name},
          {"status", services::PartStatusName(p.status)},
          {"promised_days", def ? def->promised_days : 0},
          {"opened_at", Time(p.opened_at)},
          {"due_at", Time(p.due_at)},
          {"decided_at", Time(p.decided_at)},
          {"decided_by", OrNull(p.decided_by)},
          {"reason", OrNull(p.reason)},
          {"comment", OrNull(p.comment)},
          {"correction", std::move(correction)},
          {"corrections", p.corrections}};
}

json::Json ApplicationJson(const ApplicationView& v) {
  const services::Application& a = v.app;
  json::Json parts = json::Json::array();
  for (const auto& p : a.parts) parts.push_back(AppPartJson(p, v));
  json::Json certificates = json::Json::array();
  for (const auto& c : v.certificates) certificates.push_back(CertificateJson(c));
  json::Json timeline = json::Json::array();
  for (const auto& t : a.timeline)
    timeline.push_back({{"at", Time(t.at)},
                        {"kind", t.kind},
                        {"part", OrNull(t.part)},
                        {"actor_name", OrNull(t.actor_name)},
                        {"detail", OrNull(t.detail)}});
  json::Json rating = nullptr;
  if (a.rating)
    rating = {{"score", a.rating->score},
              {"reasons", a.rating->reasons},
              {"comment", a.rating->comment},
              {"rated_at", Time(a.rating->rated_at)}};
  const std::string outcome = a.Outcome();
  return {{"id", a.id},
          {"number", a.number},
          {"service_code", a.service_code},
          {"service_title", v.service.bundle.title.zh},
          {"service_title_en", v.service.bundle.title.en},
          {"applicant_name", a.applicant_name},
          {"status", services::AppStatusName(a.status)},
          {"outcome", OrNull(outcome)},
          {"submitted_at", Time(a.submitted_at)},
          {"promised_at", Time(a.promised_at)},
          {"finished_at", Time(a.finished_at)},
          {"form", a.form},
          {"materials", services::MaterialsJson(a)},
          {"masked", v.masked},
          {"parts", std::move(parts)},
          {"certificates", std::move(certificates)},
          {"rating", std::move(rating)},
          {"timeline", std::move(timeline)}};
}

json::Json FiguresJson(const services::Figures& f) {
  json::Json parts = json::Json::array();
  for (const auto& p : f.parts)
    parts.push_back({{"service_code", p.service_code},
                     {"service_title", p.service_title},
                     {"part_key", p.part_key},
                     {"part_title", p.part_title},
                     {"unit_code", p.unit_code},
                     {"unit_name", p.unit_name},
                     {"decided", p.decided},
                     {"on_time", p.on_time},
                     {"corrections", p.corrections},
                     {"promised_days", p.promised_days},
                     {"mean_days", p.mean_days}});
  json::Json services = json::Json::array();
  for (const auto& s : f.services)
    services.push_back({{"service_code", s.service_code},
                        {"service_title", s.service_title},
                        {"applications", s.applications},
                        {"completed", s.completed},
                        {"on_time", s.on_time},
                        {"promised_days", s.promised_days},
                        {"mean_days", s.mean_days},
                        {"ratings", s.ratings},
                        {"good", s.good},
                        {"mean_score", s.mean_score}});
  json::Json units = json::Json::array();
  for (const auto& u : f.units)
    units.push_back({{"unit_code", u.unit_code},
                     {"unit_name", u.unit_name},
                     {"decided", u.decided},
                     {"on_time", u.on_time},
                     {"ratings", u.ratings},
                     {"mean_score", u.mean_score}});
  return {
      {"parts", std::move(parts)}, {"services", std::move(services)}, {"units", std::move(units)}};
}

// --- request parsing --------------------------------------------------------------------

Result<json::Json> FormOf(const json::Json& body) {
  auto it = body.find("form");
  if (it == body.end() || it->is_null()) return json::Json::object();
  if (!it->is_object())
    return Fail(Error::InvalidArgument("field 'form' is an object of field key → value")
                    .About("form", "wrong_type"));
  return *it;
}

Result<services::MaterialIds> MaterialsOf(const json::Json& body) {
  auto it = body.find("materials");
  if (it == body.end()) return services::MaterialIds{};
  return services::ParseMaterialIds(*it, "materials");
}

Response ApplicationResponse(const ApplicationView& v, int status = 200) {
  return Response::Json(status, ApplicationJson(v));
}

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "services";
  return d;
}

ParamDoc AppId() { return doc::PathId("id", "the application's id"); }
ParamDoc PartKey() { return doc::PathId("key", "the part's key (e.g. licence)"); }

}  // namespace

json::Json ServicesSchemas() {
  using namespace doc;
  const json::Json text = String();
  const json::Json nullable_text = Nullable(String());
  const json::Json time = Nullable(DateTime());
  const json::Json part_def = Object({{"key", String(1)},
                                      {"title", String(1)},
                                      {"title_en", text},
                                      {"unit_code", String(1)},
                                      {"unit_name", String(1)},
                                      {"promised_days", IntegerIn(1, 365)},
                                      {"certificate", nullable_text},
                                      {"certificate_en", nullable_text}},
                                     {"key", "title", "title_en", "unit_code", "unit_name",
                                      "promised_days", "certificate", "certificate_en"});
  json::Json service_props = {{"id", String(1)},
                              {"code", String(1)},
                              {"version", Integer()},
                              {"title", String(1)},
                              {"title_en", text},
                              {"summary", text},
                              {"summary_en", text},
                              {"audience", Enum({"person", "company"})},
                              {"promised_days", IntegerIn(1, 365)},
                              {"process_id", String(1)},
                              {"parts", ArrayOf(Ref("ServicePart"))},
                              {"applications", Integer()}};
  std::vector<std::string> service_required;
  for (const auto& [k, v] : service_props.items()) service_required.push_back(k);
  json::Json detail_props = service_props;
  detail_props["conditions"] =
      ArrayOf(Object({{"text", String(1)}, {"text_en", text}}, {"text", "text_en"}));
  detail_props["fees"] =
      ArrayOf(Object({{"name", String(1)}, {"name_en", text}, {"amount_fen", Integer()}},
                     {"name", "name_en", "amount_fen"}));
  detail_props["materials"] =
      ArrayOf(Object({{"key", String(1)},
                      {"name", String(1)},
                      {"name_en", text},
                      {"required", Boolean()},
                      {"note", text},
                      {"note_en", text},
                      {"parts", ArrayOf(String(1))}},
                     {"key", "name", "name_en", "required", "note", "note_en", "parts"}));
  detail_props["fields"] = ArrayOf(Ref("ServiceField"));
  detail_props["definition"] = {{"type", "object"}};
  std::vector<std::string> detail_required = service_required;
  for (const char* k : {"conditions", "fees", "materials", "fields", "definition"})
    detail_required.push_back(k);

  const json::Json field = Object(
      {{"key", String(1)},
       {"label", String(1)},
       {"label_en", text},
       {"type", Enum({"text", "textarea", "number", "date", "id_number", "uscc", "phone", "choice",
                      "boolean"})},
       {"required", Boolean()},
       {"parts", ArrayOf(String(1))},
       {"hint", text},
       {"hint_en", text},
       {"options", ArrayOf(Object({{"value", String(1)}, {"label", String(1)}, {"label_en", text}},
                                  {"value", "label", "label_en"}))},
       {"max_length", Integer()}},
      {"key", "label", "label_en", "type", "required", "parts", "hint", "hint_en", "options",
       "max_length"});

  const json::Json certificate =
      Object({{"number", String(1)},
              {"code", String(1)},
              {"title", String(1)},
              {"title_en", text},
              {"part", String(1)},
              {"issued_at", DateTime()},
              {"verify_url", String(1)}},
             {"number", "code", "title", "title_en", "part", "issued_at", "verify_url"});
  const json::Json app_part = Object(
      {{"key", String(1)},
       {"title", String(1)},
       {"title_en", text},
       {"unit_code", String(1)},
       {"unit_name", String(1)},
       {"status", Enum({"waiting", "in_review", "correction", "approved", "rejected", "skipped"})},
       {"promised_days", Integer()},
       {"opened_at", time},
       {"due_at", time},
       {"decided_at", time},
       {"decided_by", nullable_text},
       {"reason", nullable_text},
       {"comment", nullable_text},
       {"correction",
        Nullable(
            Object({{"reason", String(1)}, {"items", ArrayOf(String(1))}, {"asked_at", DateTime()}},
                   {"reason", "items", "asked_at"}))},
       {"corrections", Integer()}},
      {"key", "title", "title_en", "unit_code", "unit_name", "status", "promised_days", "opened_at",
       "due_at", "decided_at", "decided_by", "reason", "comment", "correction", "corrections"});
  const json::Json file =
      Object({{"id", String(1)}, {"content_type", String(1)}, {"size", Integer()}},
             {"id", "content_type", "size"});
  json::Json application_props = {
      {"id", String(1)},
      {"number", String(1)},
      {"service_code", String(1)},
      {"service_title", String(1)},
      {"service_title_en", text},
      {"applicant_name", String(1)},
      {"status", Enum({"submitted", "in_progress", "correction", "completed"})},
      {"outcome", Nullable(Enum({"approved", "partly_approved", "rejected"}))},
      {"submitted_at", DateTime()},
      {"promised_at", DateTime()},
      {"finished_at", time},
      {"form", {{"type", "object"}}},
      {"materials", {{"type", "object"}, {"additionalProperties", ArrayOf(file)}}},
      {"masked", Boolean()},
      {"parts", ArrayOf(Ref("ApplicationPart"))},
      {"certificates", ArrayOf(Ref("Certificate"))},
      {"rating", Nullable(Object({{"score", IntegerIn(1, 5)},
                                  {"reasons", ArrayOf(String(1))},
                                  {"comment", text},
                                  {"rated_at", DateTime()}},
                                 {"score", "reasons", "comment", "rated_at"}))},
      {"timeline", ArrayOf(Object({{"at", DateTime()},
                                   {"kind", String(1)},
                                   {"part", nullable_text},
                                   {"actor_name", nullable_text},
                                   {"detail", nullable_text}},
                                  {"at", "kind", "part", "actor_name", "detail"}))}};
  std::vector<std::string> application_required;
  for (const auto& [k, v] : application_props.items()) application_required.push_back(k);

  auto figures_row = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) required.push_back(k);
    return Object(std::move(props), std::move(required));
  };
  const json::Json figures = Object({{"parts", ArrayOf(figures_row({{"service_code", String(1)},
                                                                    {"service_title", String(1)},
                                                                    {"part_key", String(1)},
                                                                    {"part_title", String(1)},
                                                                    {"unit_code", String(1)},
                                                                    {"unit_name", String(1)},
                                                                    {"decided", Integer()},
                                                                    {"on_time", Integer()},
                                                                    {"corrections", Integer()},
                                                                    {"promised_days", Integer()},
                                                                    {"mean_days", Number()}}))},
                                     {"services", ArrayOf(figures_row({{"service_code", String(1)},
                                                                       {"service_title", String(1)},
                                                                       {"applications", Integer()},
                                                                       {"completed", Integer()},
                                                                       {"on_time", Integer()},
                                                                       {"promised_days", Integer()},
                                                                       {"mean_days", Number()},
                                                                       {"ratings", Integer()},
                                                                       {"good", Integer()},
                                                                       {"mean_score", Number()}}))},
                                     {"units", ArrayOf(figures_row({{"unit_code", String(1)},
                                                                    {"unit_name", String(1)},
                                                                    {"decided", Integer()},
                                                                    {"on_time", Integer()},
                                                                    {"ratings", Integer()},
                                                                    {"mean_score", Number()}}))}},
                                    {"parts", "services", "units"});

  return {
      {"ServicePart", part_def},
      {"Service", Object(std::move(service_props), service_required)},
      {"ServiceDetail", Object(std::move(detail_props), detail_required)},
      {"ServiceField", field},
      {"Certificate", certificate},
      {"ApplicationPart", app_part},
      {"Application", Object(std::move(application_props), application_required)},
      {"ServiceQueueItem", Object({{"application_id", String(1)},
                                   {"number", String(1)},
                                   {"service_code", String(1)},
                                   {"service_title", String(1)},
                                   {"service_title_en", text},
                                   {"applicant_name", String(1)},
                                   {"submitted_at", DateTime()},
                                   {"part", Ref("ApplicationPart")}},
                                  {"application_id", "number", "service_code", "service_title",
                                   "service_title_en", "applicant_name", "submitted_at", "part"})},
      {"CertificateCheck",
       Object({{"valid", Boolean()},
               {"number", String(1)},
               {"title", String(1)},
               {"title_en", text},
               {"holder", String(1)},
               {"issued_by", String(1)},
               {"issued_at", DateTime()},
               {"application_number", String(1)},
               {"service_title", text},
               {"service_title_en", text}},
              {"valid", "number", "title", "title_en", "holder", "issued_by", "issued_at",
               "application_number", "service_title", "service_title_en"})},
      {"ServiceFigures", figures},
      {"Prefill",
       Object({{"values", {{"type", "object"}}},
               {"sources",
                {{"type", "object"}, {"additionalProperties", Enum({"account", "previous"})}}}},
              {"values", "sources"})}};
}

void RegisterServicesRoutes(Api& api, ServicesService& services) {
  Router& r = api.router();

  {
    RouteDoc d = Doc("One-thing services, each with its parts and departments", "一件事清单");
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Service")))};
    r.Add("GET", "/api/v1/services", Auth::kPublic, d, [&services](Request&) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list, services.Services());
      json::Json items = json::Json::array();
      for (const auto& v : list) items.push_back(ServiceJson(v, false));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Define a one-thing service (a new version of its code)", "定义一件事");
    d.description =
        "The body is the definition (data/services/*.json shows three). Its process must be "
        "deployed and every part's key must be a user task of it.";
    d.body = {doc::Json({{"type", "object"}})};
    d.answers = {doc::Ok(
        doc::Object({{"id", doc::String(1)}, {"code", doc::String(1)}, {"version", doc::Integer()}},
                    {"id", "code", "version"}),
        201)};
    d.errors = {400, 403};
    r.Add("POST", "/api/v1/services", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto b, services.Define(req.actor(), body));
            return Response::Json(201, {{"id", b.id}, {"code", b.code}, {"version", b.version}});
          });
  }
  {
    RouteDoc d =
        Doc("The figures: promised against actual time, corrections, ratings", "一件事统计");
    d.query = {doc::QueryParam("from", "the first day (submitted)",
                               {{"type", "string"}, {"format", "date"}}, true),
               doc::QueryParam("to", "the last day, included",
                               {{"type", "string"}, {"format", "date"}}, true),
               doc::QueryParam("format", "json (default), csv or xlsx (a download)",
                               doc::Enum({"json", "csv", "xlsx"}))};
    d.answers = {
        {200,
         "the figures",
         {doc::Json(doc::Ref("ServiceFigures")),
          {"text/csv; charset=utf-8", doc::String()},
          {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           {{"type", "string"},
            {"contentMediaType",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}},
         {{"Content-Disposition", "csv and xlsx: attachment; filename=…", doc::String(), false}}}};
    d.errors = {400, 403};
    r.Add("GET", "/api/v1/services/figures", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            auto from = req.Query("from"), to = req.Query("to");
            if (!from || !to || from->empty() || to->empty())
              return Fail(Error::InvalidArgument("'from' and 'to' (yyyy-mm-dd) are needed"));
            XT_ASSIGN_OR_RETURN(Timestamp begin, ParseTimeParam("from", *from, false));
            XT_ASSIGN_OR_RETURN(Timestamp end, ParseTimeParam("to", *to, true));
            const std::string format = req.Query("format").value_or("json");
            if (format != "json" && format != "csv" && format != "xlsx")
              return Fail(Error::InvalidArgument(
                  fmt::format("'format' must be json, csv or xlsx, not '{}'", format)));
            XT_ASSIGN_OR_RETURN(auto figures, services.FiguresOf(req.actor(), begin, end + 1));
            if (format == "json") return Response::Json(200, FiguresJson(figures));
            Response out;
            out.status = 200;
            if (format == "csv") {
              out.content_type = "text/csv; charset=utf-8";
              XT_ASSIGN_OR_RETURN(out.body, services::FiguresCsv(figures));
            } else {
              out.content_type =
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
              XT_ASSIGN_OR_RETURN(
                  out.body, services::FiguresXlsx(figures, fmt::format("{} – {}", *from, *to)));
            }
            out.SetHeader(
                "Content-Disposition",
                fmt::format("attachment; filename=\"services-{}-{}.{}\"", *from, *to, format));
            return out;
          });
  }
  {
    RouteDoc d =
        Doc("A service's notice (一次告知): conditions, materials, fees, form, parts", "一次告知");
    d.path = {doc::PathId("code", "the service's code, e.g. open-restaurant")};
    d.answers = {doc::Ok(doc::Ref("ServiceDetail"))};
    d.errors = {404};
    r.Add("GET", "/api/v1/services/{code}", Auth::kPublic, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto v, services.Service(req.Param("code")));
            return Response::Json(200, ServiceJson(v, true));
          });
  }
  {
    RouteDoc d = Doc("The form's answers the platform already knows about the caller", "表单预填");
    d.path = {doc::PathId("code", "the service's code")};
    d.answers = {doc::Ok(doc::Ref("Prefill"))};
    d.errors = {404};
    r.Add("GET", "/api/v1/services/{code}/prefill", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto p, services.PrefillFor(req.actor(), req.Param("code")));
            return Response::Json(200, {{"values", p.values}, {"sources", p.sources}});
          });
  }
  {
    RouteDoc d =
        Doc("Apply for a service: the one form and the one set of materials", "一件事申请");
    d.description =
        "Materials are uploaded first (POST /api/v1/attachments, photos or PDF) and listed by "
        "their ids. A form with bad fields answers 400 naming each in error.details. A retry "
        "with the same Idempotency-Key answers the first application.";
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Object(
        {{"service", doc::String(1, 64)},
         {"form", {{"type", "object"}}},
         {"materials",
          {{"type", "object"}, {"additionalProperties", doc::ArrayOf(doc::String(1, 64))}}}},
        {"service", "form"}))};
    d.answers = {doc::Ok(doc::Ref("Application"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", "/api/v1/applications", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            services::ApplyInput in;
            XT_ASSIGN_OR_RETURN(in.service, json::RequireString(body, "service", {1, 64}));
            XT_ASSIGN_OR_RETURN(in.form, FormOf(body));
            XT_ASSIGN_OR_RETURN(in.materials, MaterialsOf(body));
            in.idempotency_key = std::string(req.Header("idempotency-key"));
            if (in.idempotency_key.size() > 200)
              return Fail(Error::InvalidArgument("the Idempotency-Key is at most 200 characters"));
            XT_ASSIGN_OR_RETURN(auto v, services.Apply(req.actor(), in));
            return ApplicationResponse(v, 201);
          });
  }
  {
    RouteDoc d = Doc("Applications: the caller's own, or its departments', or all for overseers",
                     "办件列表");
    d.query = {doc::QueryParam("status", "submitted, in_progress, correction or completed"),
               doc::QueryParam("service", "a service's code"), doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Application")))};
    d.errors = {400};
    r.Add("GET", "/api/v1/applications", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(int limit, LimitParam(req));
            ServicesService::ListQuery q{.status = req.Query("status").value_or(""),
                                         .service = req.Query("service").value_or(""),
                                         .limit = limit};
            XT_ASSIGN_OR_RETURN(auto list, services.List(req.actor(), q));
            json::Json items = json::Json::array();
            for (const auto& v : list) items.push_back(ApplicationJson(v));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("The parts the caller's departments work on, soonest due first", "部门办件");
    d.query = {doc::QueryParam("state", "open (default), correction or decided",
                               doc::Enum({"open", "correction", "decided"})),
               doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ServiceQueueItem")))};
    d.errors = {400};
    r.Add("GET", "/api/v1/applications/parts", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(int limit, LimitParam(req));
            XT_ASSIGN_OR_RETURN(
                auto queue,
                services.Queue(req.actor(), req.Query("state").value_or("open"), limit));
            json::Json items = json::Json::array();
            for (const auto& q : queue) {
              const auto& a = q.view.app;
              const services::AppPart* p = a.Part(q.part_key);
              if (!p) continue;
              items.push_back({{"application_id", a.id},
                               {"number", a.number},
                               {"service_code", a.service_code},
                               {"service_title", q.view.service.bundle.title.zh},
                               {"service_title_en", q.view.service.bundle.title.en},
                               {"applicant_name", a.applicant_name},
                               {"submitted_at", FormatRfc3339(a.submitted_at)},
                               {"part", AppPartJson(*p, q.view)}});
            }
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("An application: its parts, progress, certificates and timeline", "办件详情");
    d.path = {AppId()};
    d.answers = {doc::Ok(doc::Ref("Application"))};
    d.errors = {404};
    r.Add("GET", "/api/v1/applications/{id}", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto v, services.Get(req.actor(), req.Param("id")));
            return ApplicationResponse(v);
          });
  }
  {
    RouteDoc d = Doc("Approve a part; its certificate is issued", "准予");
    d.path = {AppId(), PartKey()};
    d.body = {doc::Json(doc::Object({{"comment", doc::String(0, 2000)}}, {}))};
    d.body_required = false;
    d.answers = {doc::Ok(doc::Ref("Application"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", "/api/v1/applications/{id}/parts/{key}/approve", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, OptionalJsonBody(req));
            XT_ASSIGN_OR_RETURN(auto comment, TextField(body, "comment", false));
            XT_ASSIGN_OR_RETURN(auto v, services.Approve(req.actor(), req.Param("id"),
                                                         req.Param("key"), std::move(comment)));
            return ApplicationResponse(v);
          });
  }
  {
    RouteDoc d = Doc("Refuse a part, saying why", "不予许可");
    d.path = {AppId(), PartKey()};
    d.body = {doc::Json(doc::Object({{"reason", doc::String(1, 2000)}}, {"reason"}))};
    d.answers = {doc::Ok(doc::Ref("Application"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", "/api/v1/applications/{id}/parts/{key}/reject", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", true));
            XT_ASSIGN_OR_RETURN(auto v, services.Reject(req.actor(), req.Param("id"),
                                                        req.Param("key"), std::move(reason)));
            return ApplicationResponse(v);
          });
  }
  {
    RouteDoc d =
        Doc("Ask the applicant for corrections (补正): the part's clock stops", "一次性告知补正");
    d.path = {AppId(), PartKey()};
    d.body = {doc::Json(
        doc::Object({{"reason", doc::String(1, 2000)}, {"items", doc::ArrayOf(doc::String(1, 64))}},
                    {"reason", "items"}))};
    d.answers = {doc::Ok(doc::Ref("Application"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", "/api/v1/applications/{id}/parts/{key}/correction", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", true));
            XT_ASSIGN_OR_RETURN(auto items, json::StringArray(body, "items"));
            XT_ASSIGN_OR_RETURN(
                auto v, services.AskCorrection(req.actor(), req.Param("id"), req.Param("key"),
                                               std::move(reason), std::move(items)));
            return ApplicationResponse(v);
          });
  }
  {
    RouteDoc d = Doc("The applicant sends what was asked (补正); the clocks run again", "提交补正");
    d.path = {AppId()};
    d.body = {doc::Json(doc::Object(
        {{"form", {{"type", "object"}}},
         {"materials",
          {{"type", "object"}, {"additionalProperties", doc::ArrayOf(doc::String(1, 64))}}}},
        {}))};
    d.answers = {doc::Ok(doc::Ref("Application"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", "/api/v1/applications/{id}/corrections", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto form, FormOf(body));
            XT_ASSIGN_OR_RETURN(auto materials, MaterialsOf(body));
            XT_ASSIGN_OR_RETURN(auto v,
                                services.Correct(req.actor(), req.Param("id"), form, materials));
            return ApplicationResponse(v);
          });
  }
  {
    RouteDoc d = Doc("Rate a completed application (好差评), once", "好差评");
    d.path = {AppId()};
    d.body = {doc::Json(doc::Object(
        {{"score", doc::IntegerIn(1, 5)},
         {"reasons", doc::ArrayOf(doc::Enum({"fast", "once", "clear", "friendly", "slow",
                                             "repeated", "unclear", "attitude"}))},
         {"comment", doc::String(0, 500)}},
        {"score"}))};
    d.answers = {doc::Ok(doc::Ref("Application"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", "/api/v1/applications/{id}/rating", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto score, json::RequireInt(body, "score"));
            std::vector<std::string> reasons;
            if (body.contains("reasons")) {
              XT_ASSIGN_OR_RETURN(reasons, json::StringArray(body, "reasons"));
            }
            XT_ASSIGN_OR_RETURN(auto comment, TextField(body, "comment", false, 500));
            if (score < 1 || score > 5)
              return Fail(
                  Error::InvalidArgument("field 'score' is 1 to 5").About("score", "out_of_range"));
            XT_ASSIGN_OR_RETURN(auto v,
                                services.Rate(req.actor(), req.Param("id"), static_cast<int>(score),
                                              std::move(reasons), std::move(comment)));
            return ApplicationResponse(v);
          });
  }
  {
    RouteDoc d =
        Doc("A material of an application, for the applicant and its departments", "申请材料");
    d.path = {AppId(), doc::PathId("file_id", "one of the application's material files")};
    d.answers = {FileAnswer()};
    d.errors = {404};
    r.Add("GET", "/api/v1/applications/{id}/materials/{file_id}", Auth::kRequired, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(
                auto file, services.Material(req.actor(), req.Param("id"), req.Param("file_id")));
            return FileResponse(std::move(file));
          });
  }
  {
    RouteDoc d = Doc("Check a certificate by its verification code (public)", "电子证照核验");
    d.path = {doc::PathId("code", "the code printed on the certificate")};
    d.answers = {doc::Ok(doc::Ref("CertificateCheck"))};
    d.errors = {404};
    r.Add("GET", "/api/v1/certificates/verify/{code}", Auth::kPublic, d,
          [&services](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto c, services.Verify(req.Param("code")));
            return Response::Json(200, {{"valid", true},
                                        {"number", c.number},
                                        {"title", c.title},
                                        {"title_en", c.title_en},
                                        {"holder", c.holder},
                                        {"issued_by", c.issued_by},
                                        {"issued_at", FormatRfc3339(c.issued_at)},
                                        {"application_number", c.application_number},
                                        {"service_title", c.service_title},
                                        {"service_title_en", c.service_title_en}});
          });
  }
}

}  // namespace xietong::http
