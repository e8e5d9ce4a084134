#include "http/report_form_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using collab::CollabService;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "collab";
  return d;
}

// --- encoders (each mirrored by a schema in ReportFormSchemas) ---------------------------

json::Json FormJson(const collab::ReportForm& f) {
  json::Json fields = json::Json::array();
  for (const auto& field : f.fields) fields.push_back(collab::FieldJson(field));
  return {{"id", f.id},
          {"title", f.title},
          {"instructions", f.instructions},
          {"fields", std::move(fields)},
          {"from_unit_id", f.from_unit_id},
          {"from_unit_name", f.from_unit_name},
          {"sender_id", f.sender_id},
          {"sender_name", f.sender_name},
          {"to_units", f.to_units},
          {"include_subtree", f.include_subtree},
          {"unit_kinds", f.unit_kinds},
          {"due_by", Time(f.due_by)},
          {"series", OrNull(f.series)},
          {"created_at", Time(f.created_at)},
          {"recipients", f.recipients},
          {"answered", f.answered}};
}

json::Json UnitJson(const collab::FormRecipient& r) {
  return {{"unit_id", r.unit_id}, {"unit_name", r.unit_name}, {"unit_code", r.unit_code}};
}

json::Json AnswerJson(const collab::FormAnswer& a) {
  return {{"form_id", a.form_id},
          {"unit_id", a.unit_id},
          {"unit_name", a.unit_name},
          {"values", a.values},
          {"submitted_by", a.submitted_by},
          {"submitted_by_name", a.submitted_by_name},
          {"first_submitted_at", Time(a.first_submitted_at)},
          {"submitted_at", Time(a.submitted_at)},
          {"revision", a.revision},
          {"late", a.late}};
}

json::Json CompletionJson(const collab::CompletionTable& t) {
  json::Json units = json::Json::array();
  for (const auto& u : t.units)
    units.push_back({{"unit_id", u.unit_id},
                     {"unit_name", u.unit_name},
                     {"unit_code", u.unit_code},
                     {"status", collab::CompletionName(u.status)},
                     {"submitted_at", Time(u.submitted_at)},
                     {"revision", u.revision},
                     {"submitted_by_name", OrNull(u.submitted_by_name)}});
  return {{"recipients", t.recipients}, {"submitted", t.submitted}, {"late", t.late},
          {"missing", t.missing},       {"overdue", t.overdue},     {"units", std::move(units)}};
}

json::Json PrefillJson(const collab::FormPrefill& p) {
  return {{"values", p.values}, {"from_form_id", OrNull(p.from_form_id)}};
}

// --- request parsing ---------------------------------------------------------------------

Result<std::string> Str(const json::Json& body, std::string_view field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (!required) return std::string();
    return Fail(Error::InvalidArgument(fmt::format("field '{}': is required", field))
                    .About(std::string(field), "required"));
  }
  if (!it->is_string())
    return Fail(Error::InvalidArgument(fmt::format("field '{}': must be a string", field))
                    .About(std::string(field), "wrong_type"));
  return it->get<std::string>();
}

Result<collab::NewReportForm> NewFormBody(const json::Json& body) {
  collab::NewReportForm in;
  XT_ASSIGN_OR_RETURN(in.title, Str(body, "title", true));
  XT_ASSIGN_OR_RETURN(in.instructions, Str(body, "instructions", false));
  XT_ASSIGN_OR_RETURN(in.from_unit_id, Str(body, "from_unit_id", false));
  XT_ASSIGN_OR_RETURN(in.to_units, json::StringArray(body, "to_units"));
  XT_ASSIGN_OR_RETURN(auto subtree, json::OptionalBool(body, "include_subtree"));
  in.include_subtree = subtree.value_or(true);
  if (auto it = body.find("unit_kinds"); it != body.end() && !it->is_null()) {
    XT_ASSIGN_OR_RETURN(in.unit_kinds, json::StringArray(body, "unit_kinds"));
  }
  XT_ASSIGN_OR_RETURN(in.series, Str(body, "series", false));
  XT_ASSIGN_OR_RETURN(auto due, Str(body, "due_by", true));
  auto t = ParseRfc3339(due);
  if (!t)
    return Fail(
        Error::InvalidArgument("field 'due_by': a time in RFC 3339, e.g. 2026-12-01T17:00:00+08:00")
            .About("due_by", "invalid"));
  in.due_by = *t;
  auto fields = body.find("fields");
  if (fields == body.end() || !fields->is_array())
    return Fail(Error::InvalidArgument("field 'fields': an array of the form's fields")
                    .About("fields", fields == body.end() ? "required" : "wrong_type"));
  if (fields->size() > collab::kMaxFormFields)
    return Fail(Error::InvalidArgument(fmt::format("field 'fields': at most {} fields; split "
                                                   "the form",
                                                   collab::kMaxFormFields))
                    .About("fields", "too_many"));
  for (std::size_t i = 0; i < fields->size(); ++i) {
    XT_ASSIGN_OR_RETURN(auto f, collab::FieldFromJson((*fields)[i], fmt::format("fields[{}]", i)));
    in.fields.push_back(std::move(f));
  }
  return in;
}

ParamDoc Id() { return doc::PathId("id", "the report form"); }

}  // namespace

void RegisterReportFormRoutes(Api& api, CollabService& collab) {
  Router& r = api.router();
  const std::string forms = "/api/v1/report-forms";
  {
    RouteDoc d = Doc("Send a report form (报送/填报) down to units", "下发填报");
    d.description =
        "To the units to_units (and every unit below them when include_subtree, the default), "
        "only those of unit_kinds when given (e.g. [\"community\"]), never the sending unit; "
        "within the units the sender may send directives to. Each recipient unit answers once "
        "by due_by. fields: key (a-z, 0-9, _), title, type text | number | integer | date | "
        "choice (with options), required, unit, hint; at most 50. series: a later form of the "
        "same series from the same unit prefills each unit's previous answer. A retry with the "
        "same Idempotency-Key by the same sender answers the first form unchanged (201), "
        "whatever the retry's body says: no unit receives it twice.";
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Ref("NewReportForm"))};
    d.answers = {doc::Ok(doc::Ref("ReportForm"), 201)};
    d.errors = {400, 403, 404};
    r.Add("POST", forms, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      XT_ASSIGN_OR_RETURN(auto in, NewFormBody(body));
      in.idempotency_key = std::string(req.Header("idempotency-key"));
      XT_ASSIGN_OR_RETURN(auto f, collab.CreateReportForm(req.actor(), in));
      return Response::Json(201, FormJson(f));
    });
  }
  {
    RouteDoc d =
        Doc("Report forms sent to my units (with our answer), or my units sent", "填报列表");
    d.query = {doc::QueryParam("box", "inbox (default) or sent", doc::Enum({"inbox", "sent"})),
               doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ReportFormListed")))};
    d.errors = {400};
    r.Add("GET", forms, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
      const auto box = req.Query("box").value_or("inbox");
      json::Json items = json::Json::array();
      if (box == "inbox") {
        XT_ASSIGN_OR_RETURN(auto list, collab.ReportFormInbox(req.actor(), limit));
        for (const auto& i : list) {
          json::Json j = FormJson(i.form);
          j["unit"] = UnitJson(i.unit);
          j["answer"] = i.answer ? AnswerJson(*i.answer) : json::Json(nullptr);
          items.push_back(std::move(j));
        }
        return Response::Json(200, {{"items", std::move(items)}});
      }
      if (box != "sent")
        return Fail(Error::InvalidArgument("'box' is inbox or sent").About("box", "unknown"));
      XT_ASSIGN_OR_RETURN(auto list, collab.ReportFormsSent(req.actor(), limit));
      for (const auto& f : list) {
        json::Json j = FormJson(f);
        j["unit"] = nullptr;
        j["answer"] = nullptr;
        items.push_back(std::move(j));
      }
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d =
        Doc("A report form: the sender's completion by unit, or my units' answers", "填报详情");
    d.description =
        "completion: each recipient unit's state (submitted, late = first answered after "
        "due_by, missing, overdue = not answered and due_by passed), for the sending side "
        "only (null otherwise). mine: each of my units the form was sent to, with its answer "
        "(and the versions it replaced) or, while it has none, what prefills it from the "
        "previous form of the series.";
    d.path = {Id()};
    d.answers = {doc::Ok(doc::Ref("ReportFormDetail"))};
    d.errors = {404};
    r.Add("GET", forms + "/{id}", Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto v, collab.GetReportForm(req.actor(), req.Param("id")));
      json::Json j = FormJson(v.form);
      j["completion"] = v.completion ? CompletionJson(*v.completion) : json::Json(nullptr);
      json::Json mine = json::Json::array();
      for (const auto& m : v.mine) {
        json::Json versions = json::Json::array();
        for (const auto& a : m.versions) versions.push_back(AnswerJson(a));
        mine.push_back({{"unit", UnitJson(m.unit)},
                        {"answer", m.answer ? AnswerJson(*m.answer) : json::Json(nullptr)},
                        {"versions", std::move(versions)},
                        {"prefill", PrefillJson(m.prefill)}});
      }
      j["mine"] = std::move(mine);
      return Response::Json(200, j);
    });
  }
  {
    RouteDoc d = Doc("Answer a report form for my unit", "填报");
    d.description =
        "values: field key → value (text and choice as strings, number and integer as numbers "
        "or decimal strings, date as YYYY-MM-DD). unit_id: the recipient unit I answer for "
        "(optional when the form went to one of my units only); answering for a unit I do not "
        "belong to is 403 and nothing is stored. A second answer replaces the first (kept as a "
        "version); after due_by answers are accepted and a first answer is late. A resend of "
        "the same values by the same person (a retry after no answer) answers the stored answer "
        "unchanged: no second version, no second event; it needs no Idempotency-Key.";
    d.path = {Id()};
    d.body = {doc::Json(doc::Ref("NewReportAnswer"))};
    d.answers = {doc::Ok(doc::Ref("ReportAnswer"))};
    d.errors = {400, 403, 404, 409};
    r.Add(
        "POST", forms + "/{id}/answers", Auth::kRequired, d,
        [&collab](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          XT_ASSIGN_OR_RETURN(auto unit, Str(body, "unit_id", false));
          auto values = body.find("values");
          if (values == body.end() || values->is_null())
            return Fail(
                Error::InvalidArgument("field 'values': is required").About("values", "required"));
          XT_ASSIGN_OR_RETURN(auto a,
                              collab.SubmitAnswer(req.actor(), req.Param("id"), unit, *values));
          return Response::Json(200, AnswerJson(a));
        });
  }
  {
    RouteDoc d = Doc("Every unit's answer: the roll-up table, as JSON, CSV or XLSX", "填报汇总");
    d.description =
        "For the sending side (403 for a recipient unit, 404 for anyone else). format=csv is "
        "UTF-8 with a BOM; csv and xlsx have one row per recipient unit: unit, code, state "
        "(已报送, 逾期报送, 未报送, 逾期未报), who, when, revisions, then each field.";
    d.path = {Id()};
    d.query = {doc::QueryParam("format", "json (default), csv or xlsx",
                               doc::Enum({"json", "csv", "xlsx"}))};
    d.answers = {
        {200,
         "",
         {{"application/json", doc::Ref("ReportAnswersTable")},
          {"text/csv; charset=utf-8", doc::String()},
          {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           {{"type", "string"},
            {"contentMediaType",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}},
         {{"Content-Disposition", "attachment; filename=… (csv and xlsx)", doc::String(), false}}}};
    d.errors = {400, 403, 404};
    r.Add("GET", forms + "/{id}/answers", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            const std::string format = req.Query("format").value_or("json");
            if (format != "json" && format != "csv" && format != "xlsx")
              return Fail(
                  Error::InvalidArgument(fmt::format("'format' must be json, csv or xlsx, not '{}'",
                                                     format.substr(0, 20)))
                      .About("format", "not_allowed"));
            XT_ASSIGN_OR_RETURN(auto v, collab.FormAnswers(req.actor(), req.Param("id")));
            if (format == "json") {
              json::Json items = json::Json::array();
              for (const auto& a : v.answers) items.push_back(AnswerJson(a));
              return Response::Json(200, {{"form", FormJson(v.form)},
                                          {"completion", CompletionJson(v.completion)},
                                          {"items", std::move(items)}});
            }
            Response out;
            if (format == "csv") {
              out.content_type = "text/csv; charset=utf-8";
              out.body = collab::AnswersCsv(v.form, v.completion, v.answers);
            } else {
              XT_ASSIGN_OR_RETURN(out.body, collab::AnswersXlsx(v.form, v.completion, v.answers));
              out.content_type =
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            }
            out.SetHeader(
                "Content-Disposition",
                fmt::format("attachment; filename=\"report-form-{}.{}\"", v.form.id, format));
            return out;
          });
  }
  {
    RouteDoc d =
        Doc("What prefills my unit's answer (its answer to the series' previous form)", "填报预填");
    d.path = {Id()};
    d.query = {doc::QueryParam("unit_id", "my unit the form was sent to", doc::String(1), true)};
    d.answers = {doc::Ok(doc::Ref("ReportPrefill"))};
    d.errors = {400, 403, 404};
    r.Add("GET", forms + "/{id}/prefill", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            const auto unit = req.Query("unit_id").value_or("");
            if (unit.empty())
              return Fail(
                  Error::InvalidArgument("'unit_id' is required").About("unit_id", "required"));
            XT_ASSIGN_OR_RETURN(auto p, collab.Prefill(req.actor(), req.Param("id"), unit));
            return Response::Json(200, PrefillJson(p));
          });
  }
}

json::Json ReportFormSchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  const json::Json ids = ArrayOf(String(1));
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) required.push_back(k);
    return Object(std::move(props), std::move(required));
  };
  const json::Json types = Enum({"text", "number", "integer", "date", "choice"});
  const json::Json kinds = Enum({"city", "district", "street", "township", "community", "grid",
                                 "department", "centre", "organisation"});
  const json::Json values = Object(json::Json::object(), {}, false);
  json::Json field = {{"key", String(1, collab::kMaxFieldKeyChars)},
                      {"title", String(1, collab::kMaxTitleChars)},
                      {"type", types},
                      {"required", Boolean()},
                      {"options", ArrayOf(String(1))},
                      {"unit", String()},
                      {"hint", String()}};
  json::Json form = {{"id", String(1)},
                     {"title", String(1)},
                     {"instructions", String()},
                     {"fields", ArrayOf(Ref("ReportFormField"))},
                     {"from_unit_id", String(1)},
                     {"from_unit_name", String()},
                     {"sender_id", String(1)},
                     {"sender_name", String()},
                     {"to_units", ids},
                     {"include_subtree", Boolean()},
                     {"unit_kinds", ArrayOf(kinds)},
                     {"due_by", time},
                     {"series", Nullable(String(1))},
                     {"created_at", time},
                     {"recipients", Integer()},
                     {"answered", Integer()}};
  const json::Json unit =
      closed({{"unit_id", String(1)}, {"unit_name", String()}, {"unit_code", String()}});
  json::Json answer = {{"form_id", String(1)},       {"unit_id", String(1)},
                       {"unit_name", String()},      {"values", values},
                       {"submitted_by", String(1)},  {"submitted_by_name", String()},
                       {"first_submitted_at", time}, {"submitted_at", time},
                       {"revision", Integer()},      {"late", Boolean()}};
  const json::Json completion = closed(
      {{"recipients", Integer()},
       {"submitted", Integer()},
       {"late", Integer()},
       {"missing", Integer()},
       {"overdue", Integer()},
       {"units", ArrayOf(closed({{"unit_id", String(1)},
                                 {"unit_name", String()},
                                 {"unit_code", String()},
                                 {"status", Enum({"submitted", "late", "missing", "overdue"})},
                                 {"submitted_at", time},
                                 {"revision", Integer()},
                                 {"submitted_by_name", Nullable(String())}}))}});
  const json::Json prefill = closed({{"values", values}, {"from_form_id", Nullable(String(1))}});
  json::Json listed = form;
  listed["unit"] = Nullable(unit);
  listed["answer"] = Nullable(Ref("ReportAnswer"));
  json::Json detail = form;
  detail["completion"] = Nullable(Ref("ReportCompletion"));
  detail["mine"] = ArrayOf(closed({{"unit", unit},
                                   {"answer", Nullable(Ref("ReportAnswer"))},
                                   {"versions", ArrayOf(Ref("ReportAnswer"))},
                                   {"prefill", Ref("ReportPrefill")}}));
  return {{"ReportFormField",
           Object(field, {"key", "title", "type", "required", "options", "unit", "hint"})},
          {"NewReportFormField", Object({{"key", String(1, collab::kMaxFieldKeyChars)},
                                         {"title", String(1, collab::kMaxTitleChars)},
                                         {"type", types},
                                         {"required", Boolean()},
                                         {"options", ArrayOf(String(1, collab::kMaxTitleChars))},
                                         {"unit", String(0, 20)},
                                         {"hint", String(0, 200)}},
                                        {"key", "title"})},
          {"NewReportForm", Object({{"title", String(1, collab::kMaxTitleChars)},
                                    {"instructions", String(0, collab::kMaxInstructionsChars)},
                                    {"fields", ArrayOf(Ref("NewReportFormField"))},
                                    {"from_unit_id", String()},
                                    {"to_units", ids},
                                    {"include_subtree", Boolean()},
                                    {"unit_kinds", ArrayOf(kinds)},
                                    {"due_by", DateTime()},
                                    {"series", String(0, 64)}},
                                   {"title", "fields", "to_units", "due_by"})},
          {"ReportForm", closed(form)},
          {"ReportFormListed", closed(listed)},
          {"ReportFormDetail", closed(detail)},
          {"ReportCompletion", completion},
          {"NewReportAnswer", Object({{"unit_id", String()}, {"values", values}}, {"values"})},
          {"ReportAnswer", closed(answer)},
          {"ReportPrefill", prefill},
          {"ReportAnswersTable", closed({{"form", Ref("ReportForm")},
                                         {"completion", Ref("ReportCompletion")},
                                         {"items", ArrayOf(Ref("ReportAnswer"))}})}};
}

}  // namespace xietong::http
