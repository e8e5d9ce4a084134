#include "http/evaluation_handlers.h"

#include <fmt/format.h>

#include <cmath>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using insight::Indicator;
using insight::kAllIndicators;

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "insight";
  return d;
}

ParamDoc MonthParam(std::string description, bool required) {
  return doc::QueryParam("month", std::move(description),
                         {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}}, required);
}

ParamDoc KindParam(std::string description) {
  return doc::QueryParam("kind", std::move(description), doc::Enum({"street", "department"}));
}

double Round6(double v) { return std::round(v * 1e6) / 1e6; }

// --- encoders (each mirrored by a schema in EvaluationSchemas) ----------------------------

json::Json TargetJson(const insight::Target& t) {
  return {{"id", t.id},           {"scope", t.scope},
          {"unit_id", t.unit_id}, {"unit_kind", t.unit_kind},
          {"period", t.period},   {"indicator", insight::IndicatorName(t.indicator)},
          {"target", t.target},   {"amber_margin", t.amber_margin},
          {"set_by", t.set_by},   {"set_at", FormatRfc3339(t.set_at)},
          {"version", t.version}};
}

json::Json UnitTargetsJson(const insight::UnitTargets& u) {
  json::Json indicators = json::Json::array();
  for (Indicator i : kAllIndicators) {
    const int n = static_cast<int>(i);
    const auto& t = u.targets[n];
    json::Json row = {{"indicator", insight::IndicatorName(i)},
                      {"name_zh", insight::IndicatorZh(i)},
                      {"higher_is_better", insight::HigherIsBetter(i)},
                      {"target", t.target},
                      {"amber_margin", t.amber_margin},
                      {"source", t.source},
                      {"id", t.id},
                      {"version", t.version}};
    if (u.status) {
      const auto& s = (*u.status)[n];
      json::Json trend = json::Json::array();
      for (const auto& v : s.trend) trend.push_back(v ? json::Json(Round6(*v)) : json::Json());
      row["status"] = {{"value", s.value.value ? json::Json(Round6(*s.value.value)) : json::Json()},
                       {"numerator", s.value.numerator},
                       {"denominator", s.value.denominator},
                       {"enough", s.value.enough},
                       {"rag", insight::RagName(s.rag)},
                       {"rag_zh", insight::RagZh(s.rag)},
                       {"trend", std::move(trend)},
                       {"arrow", insight::ArrowText(s.arrow)}};
    }
    indicators.push_back(std::move(row));
  }
  json::Json out = {{"unit_id", u.unit_id},
                    {"unit_name", u.unit_name},
                    {"kind", u.kind},
                    {"indicators", std::move(indicators)}};
  if (u.status) {
    out["overall"] = insight::RagName(u.overall);
    out["overall_zh"] = insight::RagZh(u.overall);
  }
  return out;
}

json::Json WeightsRecordJson(const insight::WeightsRecord& w) {
  return {{"period", w.period},
          {"weights", insight::WeightsJson(w.weights)},
          {"min_dispatched", w.min_dispatched},
          {"source", w.source},
          {"version", w.version},
          {"formula", insight::FormulaText(w.weights, w.min_dispatched)}};
}

json::Json EvaluationJson(const insight::EvaluationAnswer& a) {
  json::Json published = nullptr;
  if (a.published)
    published = {{"revision", a.published->revision},
                 {"published_at", FormatRfc3339(a.published->published_at)},
                 {"sha256", a.published->sha256},
                 {"reason", a.published->reason}};
  return {{"month", a.month},
          {"kind", insight::UnitKindFilterName(a.kind)},
          {"weights", insight::WeightsJson(a.weights.weights)},
          {"min_dispatched", a.weights.min_dispatched},
          {"formula", a.formula},
          {"published", std::move(published)},
          {"rows", a.rows_json}};
}

// --- parsing ---------------------------------------------------------------------------------

Result<double> NumberField(const json::Json& obj, std::string_view field, bool required,
                           double fallback) {
  auto it = obj.find(std::string(field));
  if (it == obj.end() || it->is_null()) {
    if (required)
      return Fail(Error::InvalidArgument(fmt::format("'{}' is needed", field))
                      .About(std::string(field), "required"));
    return fallback;
  }
  if (!it->is_number())
    return Fail(Error::InvalidArgument(fmt::format("'{}' must be a number", field))
                    .About(std::string(field), "type"));
  return it->get<double>();
}

Result<insight::TargetInput> TargetInputOf(const json::Json& t) {
  if (!t.is_object())
    return Fail(Error::InvalidArgument("each target is an object").About("targets", "type"));
  insight::TargetInput in;
  XT_ASSIGN_OR_RETURN(auto unit_id, json::OptionalString(t, "unit_id", {1, 64}));
  XT_ASSIGN_OR_RETURN(auto unit_kind, json::OptionalString(t, "unit_kind", {1, 32}));
  in.unit_id = unit_id.value_or("");
  in.unit_kind = unit_kind.value_or("");
  XT_ASSIGN_OR_RETURN(in.period, json::RequireString(t, "period", {1, 16}));
  XT_ASSIGN_OR_RETURN(in.indicator, json::RequireString(t, "indicator", {1, 40}));
  XT_ASSIGN_OR_RETURN(in.target, NumberField(t, "target", true, 0));
  XT_ASSIGN_OR_RETURN(in.amber_margin,
                      NumberField(t, "amber_margin", false, insight::kDefaultAmberMargin));
  if (auto it = t.find("version"); it != t.end() && !it->is_null()) {
    if (!it->is_number_integer())
      return Fail(Error::InvalidArgument("'version' must be an integer").About("version", "type"));
    in.version = it->get<std::int64_t>();
  }
  return in;
}

Result<insight::UnitKindFilter> KindOf(const Request& req) {
  auto kind = req.Query("kind");
  if (!kind || kind->empty()) return insight::UnitKindFilter::kStreet;
  return insight::ParseUnitKindFilter(*kind);
}

Result<std::string> RequiredMonth(const Request& req) {
  auto month = req.Query("month");
  if (!month || month->empty())
    return Fail(Error::InvalidArgument("'month' (yyyy-mm) is needed").About("month", "required"));
  return *month;
}

}  // namespace

void RegisterEvaluationRoutes(Api& api, insight::EvaluationService& evaluation) {
  Router& r = api.router();
  const std::string base = "/api/v1/insight";
  {
    RouteDoc d =
        Doc("The targets in effect per unit and indicator, and the RAG table", "考核目标与红黄绿");
    d.description =
        "Leaders, supervisors and leads of the unit or above it (the ranking's permission). "
        "Each unit's target per indicator comes from the most specific of: the unit's month, "
        "quarter, year, standing target; its kind's the same; the built-in default. With "
        "`month`, each indicator's value, red/amber/green (grey below the minimum sample) and "
        "the three-month trend with its arrow.";
    d.query = {
        doc::QueryParam("unit_id", "only units under this unit; the city when absent"),
        KindParam("street (streets and townships) or department; both when absent"),
        MonthParam("the month judged (adds the status); targets of this month otherwise", false)};
    d.answers = {doc::Ok(doc::Ref("InsightTargets"))};
    d.errors = {400, 403, 404};
    r.Add("GET", base + "/targets", Auth::kRequired, d,
          [&evaluation](Request& req) -> Result<Response> {
            insight::TargetsQuery q;
            q.unit_id = req.Query("unit_id").value_or("");
            if (auto kind = req.Query("kind"); kind && !kind->empty()) {
              XT_ASSIGN_OR_RETURN(q.kind, insight::ParseUnitKindFilter(*kind));
            }
            q.month = req.Query("month").value_or("");
            XT_ASSIGN_OR_RETURN(auto a, evaluation.Targets(req.actor(), q));
            json::Json units = json::Json::array();
            for (const auto& u : a.units) units.push_back(UnitTargetsJson(u));
            json::Json stored = json::Json::array();
            for (const auto& t : a.stored) stored.push_back(TargetJson(t));
            return Response::Json(
                200,
                {{"month", a.month}, {"units", std::move(units)}, {"stored", std::move(stored)}});
          });
  }
  {
    RouteDoc d = Doc("Set targets (a list, all or nothing)", "设定考核目标");
    d.description =
        "insight.manage over each unit (leaders, supervisors, administrators); a kind's targets "
        "at the city. Each row names a unit or a kind, a period (2026-11, 2026-Q4, 2026 or *), "
        "an indicator and a share; `version` is the version read (0 or absent: a new target). "
        "409 when a row was changed meanwhile.";
    d.body = {doc::Json(doc::Ref("InsightTargetsInput"))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("InsightTarget")))};
    d.errors = {400, 403, 404, 409};
    r.Add("PUT", base + "/targets", Auth::kRequired, d,
          [&evaluation](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            auto it = body.find("targets");
            if (it == body.end() || !it->is_array())
              return Fail(Error::InvalidArgument("'targets' is a list of targets")
                              .About("targets", "required"));
            std::vector<insight::TargetInput> in;
            for (const auto& t : *it) {
              XT_ASSIGN_OR_RETURN(auto one, TargetInputOf(t));
              in.push_back(std::move(one));
            }
            XT_ASSIGN_OR_RETURN(auto saved, evaluation.PutTargets(req.actor(), std::move(in)));
            json::Json items = json::Json::array();
            for (const auto& t : saved) items.push_back(TargetJson(t));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Delete a target", "删除考核目标");
    d.description = "insight.manage over its unit (a kind's: at the city); If-Match: its version.";
    d.path = {doc::PathId("id", "the target")};
    d.headers = {doc::IfMatch(true)};
    d.answers = {doc::NoContent("deleted")};
    d.errors = {400, 403, 404, 409};
    r.Add("DELETE", base + "/targets/{id}", Auth::kRequired, d,
          [&evaluation](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto version, RequireIfMatch(req, "target"));
            XT_TRY_VOID(evaluation.DeleteTarget(req.actor(), req.Param("id"), version));
            return Response::NoContent();
          });
  }
  {
    RouteDoc d = Doc("The monthly evaluation (考核): ranking with the formula", "月度考核排名");
    d.description =
        "Leaders, supervisors and administrators of the city see every unit; a unit's lead "
        "its own rows (ranked among the city). Live figures, or with published=1 the latest "
        "published revision (404 when none). Units with fewer dispatched than min_dispatched "
        "are listed unranked.";
    d.query = {MonthParam("the month", true),
               KindParam("street (streets and townships, the default) or department"),
               doc::QueryParam("published", "1: the published snapshot", doc::Enum({"0", "1"}))};
    d.answers = {doc::Ok(doc::Ref("InsightEvaluation"))};
    d.errors = {400, 403, 404};
    r.Add(
        "GET", base + "/evaluation", Auth::kRequired, d,
        [&evaluation](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto month, RequiredMonth(req));
          XT_ASSIGN_OR_RETURN(auto kind, KindOf(req));
          const std::string published = req.Query("published").value_or("0");
          if (published != "0" && published != "1")
            return Fail(
                Error::InvalidArgument("'published' must be 0 or 1").About("published", "invalid"));
          XT_ASSIGN_OR_RETURN(auto a,
                              evaluation.Evaluation(req.actor(), month, kind, published == "1"));
          return Response::Json(200, EvaluationJson(a));
        });
  }
  {
    RouteDoc d = Doc("Publish a month's evaluation", "发布月度考核");
    d.description =
        "insight.manage at the city. Freezes the live ranking as the next revision with the "
        "sha256 of its rows; a revision after the first needs a reason. Audited "
        "(insight.evaluation.published).";
    d.body = {doc::Json(doc::Ref("InsightPublishInput"))};
    d.answers = {doc::Ok(doc::Ref("InsightEvaluation"), 201)};
    d.errors = {400, 403, 409};
    r.Add("POST", base + "/evaluation/publish", Auth::kRequired, d,
          [&evaluation](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto month, json::RequireString(body, "month", {7, 7}));
            XT_ASSIGN_OR_RETURN(auto kind_text, json::OptionalString(body, "kind", {1, 32}));
            XT_ASSIGN_OR_RETURN(auto kind,
                                insight::ParseUnitKindFilter(kind_text.value_or("street")));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", false, 500));
            XT_ASSIGN_OR_RETURN(auto a,
                                evaluation.Publish(req.actor(), month, kind, std::move(reason)));
            return Response::Json(201, EvaluationJson(a));
          });
  }
  {
    RouteDoc d = Doc("The evaluation weights of a period", "考核权重");
    d.description =
        "Leaders and leads. The weights in effect for the period (a month, or * for the "
        "standing ones): the month's own, else the standing ones, else the defaults "
        "(10/40/40/10); version 0 when the period has none of its own.";
    d.query = {doc::QueryParam("period", "a month (2026-11) or * (the default)",
                               {{"type", "string"}, {"pattern", "^([0-9]{4}-[0-9]{2}|\\*)$"}})};
    d.answers = {doc::Ok(doc::Ref("InsightWeights"), 200, {doc::ETag()})};
    d.errors = {400, 403};
    r.Add("GET", base + "/evaluation/weights", Auth::kRequired, d,
          [&evaluation](Request& req) -> Result<Response> {
            const std::string period = req.Query("period").value_or("*");
            XT_ASSIGN_OR_RETURN(auto w, evaluation.Weights(req.actor(), period));
            auto resp = Response::Json(200, WeightsRecordJson(w));
            resp.SetHeader("ETag", VersionETag(w.version));
            return resp;
          });
  }
  {
    RouteDoc d = Doc("Set the evaluation weights of a period", "设定考核权重");
    d.description =
        "insight.manage at the city. Each weight in [0, 1], together 1; If-Match: the version "
        "read (0 when the period had none of its own); 409 when changed meanwhile.";
    d.headers = {doc::IfMatch(true)};
    d.body = {doc::Json(doc::Ref("InsightWeightsInput"))};
    d.answers = {doc::Ok(doc::Ref("InsightWeights"), 200, {doc::ETag()})};
    d.errors = {400, 403, 409};
    r.Add("PUT", base + "/evaluation/weights", Auth::kRequired, d,
          [&evaluation](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto version, RequireIfMatch(req, "weights"));
            XT_ASSIGN_OR_RETURN(auto period, json::RequireString(body, "period", {1, 7}));
            auto it = body.find("weights");
            if (it == body.end() || !it->is_object())
              return Fail(Error::InvalidArgument("'weights' is an object of indicator → share")
                              .About("weights", "required"));
            insight::IndicatorWeights w{};
            for (const auto& [name, value] : it->items()) {
              XT_ASSIGN_OR_RETURN(const Indicator i, insight::ParseIndicator(name));
              if (!value.is_number())
                return Fail(
                    Error::InvalidArgument(fmt::format("the weight of {} must be a number", name))
                        .About("weights", "type"));
              w[static_cast<int>(i)] = value.get<double>();
            }
            std::int64_t min_dispatched = insight::kDefaultMinDispatched;
            if (auto m = body.find("min_dispatched"); m != body.end() && !m->is_null()) {
              if (!m->is_number_integer())
                return Fail(Error::InvalidArgument("'min_dispatched' must be an integer")
                                .About("min_dispatched", "type"));
              min_dispatched = m->get<std::int64_t>();
            }
            XT_ASSIGN_OR_RETURN(
                auto saved, evaluation.PutWeights(req.actor(), period, w, min_dispatched, version));
            auto resp = Response::Json(200, WeightsRecordJson(saved));
            resp.SetHeader("ETag", VersionETag(saved.version));
            return resp;
          });
  }
}

json::Json EvaluationSchemas() {
  using doc::ArrayOf;
  using doc::Boolean;
  using doc::DateTime;
  using doc::Enum;
  using doc::Integer;
  using doc::Nullable;
  using doc::Number;
  using doc::Object;
  using doc::Ref;
  using doc::String;
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [name, schema] : props.items()) required.push_back(name);
    return Object(std::move(props), std::move(required));
  };
  std::vector<std::string> names;
  json::Json weights_props = json::Json::object();
  for (Indicator i : kAllIndicators) {
    names.emplace_back(insight::IndicatorName(i));
    weights_props[std::string(insight::IndicatorName(i))] = Number();
  }
  const json::Json indicator = Enum(names);
  const json::Json rag = Enum({"grey", "green", "amber", "red"});
  const json::Json weights = closed(weights_props);
  json::Json value_props = {{"value", Nullable(Number())},
                            {"numerator", Number()},
                            {"denominator", Integer()},
                            {"enough", Boolean()}};
  json::Json status_props = value_props;
  status_props["rag"] = rag;
  status_props["rag_zh"] = String(1);
  status_props["trend"] = ArrayOf(Nullable(Number()));
  status_props["arrow"] = Enum({"", "↑", "→", "↓"});
  json::Json indicators_of_row = json::Json::object();
  for (Indicator i : kAllIndicators)
    indicators_of_row[std::string(insight::IndicatorName(i))] = closed(value_props);
  return {
      {"InsightTarget", closed({{"id", String(1)},
                                {"scope", Enum({"unit", "kind"})},
                                {"unit_id", String()},
                                {"unit_kind", String()},
                                {"period", String(1)},
                                {"indicator", indicator},
                                {"target", Number()},
                                {"amber_margin", Number()},
                                {"set_by", String()},
                                {"set_at", DateTime()},
                                {"version", Integer()}})},
      {"InsightTargets",
       closed({{"month", String(7, 7)},
               {"units", ArrayOf(Object(
                             {{"unit_id", String(1)},
                              {"unit_name", String()},
                              {"kind", Enum({"street", "department"})},
                              {"overall", rag},
                              {"overall_zh", String(1)},
                              {"indicators",
                               ArrayOf(Object({{"indicator", indicator},
                                               {"name_zh", String(1)},
                                               {"higher_is_better", Boolean()},
                                               {"target", Number()},
                                               {"amber_margin", Number()},
                                               {"source", String(1)},
                                               {"id", String()},
                                               {"version", Integer()},
                                               {"status", closed(status_props)}},
                                              {"indicator", "name_zh", "higher_is_better", "target",
                                               "amber_margin", "source", "id", "version"}))}},
                             {"unit_id", "unit_name", "kind", "indicators"}))},
               {"stored", ArrayOf(Ref("InsightTarget"))}})},
      {"InsightTargetsInput",
       Object({{"targets", ArrayOf(Object({{"unit_id", String(1, 64)},
                                           {"unit_kind", Enum({"street", "department"})},
                                           {"period", String(1, 16)},
                                           {"indicator", indicator},
                                           {"target", Number()},
                                           {"amber_margin", Number()},
                                           {"version", Integer()}},
                                          {"period", "indicator", "target"}))}},
              {"targets"})},
      {"InsightEvaluation",
       closed({{"month", String(7, 7)},
               {"kind", Enum({"street", "department"})},
               {"weights", weights},
               {"min_dispatched", Integer()},
               {"formula", String(1)},
               {"published", Nullable(closed({{"revision", Integer()},
                                              {"published_at", DateTime()},
                                              {"sha256", String(64, 64)},
                                              {"reason", String()}}))},
               {"rows", ArrayOf(closed({{"rank", Integer()},
                                        {"unit_id", String(1)},
                                        {"unit_name", String()},
                                        {"dispatched", Integer()},
                                        {"indicators", closed(indicators_of_row)},
                                        {"score", Nullable(Number())},
                                        {"rag", rag},
                                        {"improvement", Nullable(Number())},
                                        {"improvement_rank", Integer()},
                                        {"flag", Enum({"", "先进", "需改进"})},
                                        {"ranked", Boolean()},
                                        {"note", String()}}))}})},
      {"InsightPublishInput", Object({{"month", String(7, 7)},
                                      {"kind", Enum({"street", "department"})},
                                      {"reason", String(0, 500)}},
                                     {"month"})},
      {"InsightWeights", closed({{"period", String(1)},
                                 {"weights", weights},
                                 {"min_dispatched", Integer()},
                                 {"source", String(1)},
                                 {"version", Integer()},
                                 {"formula", String(1)}})},
      {"InsightWeightsInput", Object({{"period", String(1, 7)},
                                      {"weights", Object(weights_props, {})},
                                      {"min_dispatched", doc::IntegerIn(1, 100000)}},
                                     {"period", "weights"})}};
}

}  // namespace xietong::http
