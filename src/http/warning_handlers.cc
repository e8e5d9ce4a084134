#include "http/warning_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using emergency::WarningService;
namespace w = emergency::warning;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "emergency";
  return d;
}

json::Json WarningJson(const w::Warning& x, bool evidence) {
  json::Json j = {{"id", x.id},
                  {"kind", w::KindName(x.kind)},
                  {"key", x.key},
                  {"category", OrNull(x.category)},
                  {"street_id", x.street_id},
                  {"status", w::StatusName(x.status)},
                  {"opened_at", Time(x.opened_at)},
                  {"updated_at", Time(x.updated_at)},
                  {"closed_at", Time(x.closed_at)},
                  {"observed", x.observed},
                  {"expected", x.expected},
                  {"target_unit_ids", x.target_unit_ids},
                  {"incident_id", OrNull(x.incident_id)},
                  {"note", OrNull(x.note)}};
  if (evidence) {
    auto e = json::Json::parse(x.evidence, nullptr, false);
    json::Json curve = json::Json::array();
    if (e.is_object() && e.contains("curve")) {
      for (const auto& p : e["curve"]) {
        curve.push_back({{"hour", Time(p.value("hour", Timestamp{0}))},
                         {"observed", p.value("observed", 0)},
                         {"baseline", p.value("baseline", 0.0)},
                         {"upper", p.value("upper", 0.0)}});
      }
    }
    j["evidence"] = {
        {"statistic", e.is_object() ? e.value("statistic", "") : ""},
        {"p_value", e.is_object() ? e.value("p_value", 0.0) : 0.0},
        {"upper", e.is_object() ? e.value("upper", 0.0) : 0.0},
        {"window_hours", e.is_object() ? e.value("window_hours", 0.0) : 0.0},
        {"request_ids",
         e.is_object() && e.contains("request_ids") ? e["request_ids"] : json::Json::array()},
        {"curve", std::move(curve)}};
  }
  return j;
}

json::Json RuleJson(const w::StoredRule& r) {
  return {{"id", r.rule.id},
          {"category", r.rule.category},
          {"street_id", OrNull(r.rule.street_id)},
          {"threshold", r.rule.threshold},
          {"window_hours", r.rule.window_hours},
          {"enabled", r.rule.enabled},
          {"created_by", r.created_by},
          {"created_at", Time(r.created_at)},
          {"updated_at", Time(r.updated_at)}};
}

Error Bad(std::string_view field, std::string_view code, std::string message) {
  return Error::InvalidArgument(fmt::format("field '{}': {}", field, message))
      .About(std::string(field), std::string(code));
}

Result<std::string> Str(const json::Json& body, std::string_view field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (!required) return std::string();
    return Fail(Bad(field, "required", "is required"));
  }
  if (!it->is_string()) return Fail(Bad(field, "wrong_type", "must be a string"));
  return it->get<std::string>();
}

Result<int> Int(const json::Json& body, std::string_view field, std::optional<int> fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (fallback) return *fallback;
    return Fail(Bad(field, "required", "is required"));
  }
  if (!it->is_number_integer()) return Fail(Bad(field, "wrong_type", "must be an integer"));
  const auto v = it->get<std::int64_t>();
  if (v < -1000000 || v > 1000000) return Fail(Bad(field, "out_of_range", "is out of range"));
  return static_cast<int>(v);
}

Result<emergency::RuleInput> RuleBody(const json::Json& body) {
  emergency::RuleInput in;
  XT_ASSIGN_OR_RETURN(in.category, Str(body, "category", true));
  XT_ASSIGN_OR_RETURN(in.street_id, Str(body, "street_id", false));
  XT_ASSIGN_OR_RETURN(in.threshold, Int(body, "threshold", std::nullopt));
  XT_ASSIGN_OR_RETURN(in.window_hours, Int(body, "window_hours", std::nullopt));
  XT_ASSIGN_OR_RETURN(auto enabled, json::OptionalBool(body, "enabled"));
  in.enabled = enabled.value_or(true);
  return in;
}

ParamDoc Id(std::string what) { return doc::PathId("id", std::move(what)); }

}  // namespace

void RegisterWarningRoutes(Api& api, WarningService& warnings) {
  Router& r = api.router();
  const std::string base = "/api/v1/warnings";
  const std::string rules = "/api/v1/warning-rules";
  {
    RouteDoc d = Doc("Early warnings my units may see, newest first", "预警列表");
    d.description =
        "Warnings raised from intake (volume per category × street against a weekday × hour "
        "baseline, keyword bursts, admin rules), visible to the staff of their target units and "
        "everyone above them. status: open, quiet, escalated or dismissed.";
    d.query = {doc::QueryParam("status", "only warnings in this status",
                               doc::Enum({"open", "quiet", "escalated", "dismissed"})),
               doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Warning")))};
    d.errors = {400};
    r.Add("GET", base, Auth::kRequired, d, [&warnings](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
      std::optional<w::Status> status;
      if (auto s = req.Query("status"); s && !s->empty()) {
        status = w::ParseStatus(*s);
        if (!status) {
          return Fail(Error::InvalidArgument("'status' is open, quiet, escalated or dismissed")
                          .About("status", "unknown"));
        }
      }
      XT_ASSIGN_OR_RETURN(auto list, warnings.List(req.actor(), status, limit));
      json::Json items = json::Json::array();
      for (const auto& x : list) items.push_back(WarningJson(x, false));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("One warning with its evidence", "预警详情");
    d.description =
        "evidence: the statistic that fired, the requests counted, and the last 24 hours' "
        "observed counts beside the baseline and its upper bound at the stated false-alarm rate.";
    d.path = {Id("the warning")};
    d.answers = {doc::Ok(doc::Ref("WarningDetail"))};
    d.errors = {404};
    r.Add("GET", base + "/{id}", Auth::kRequired, d, [&warnings](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto x, warnings.Get(req.actor(), req.Param("id")));
      return Response::Json(200, WarningJson(x, true));
    });
  }
  {
    RouteDoc d = Doc("Escalate a warning to an incident", "预警升级为突发事件");
    d.description =
        "Opens an incident (level 4 一般 unless given; type from the keyword unless given; area: "
        "the street's grids) commanded from unit_id or the caller's first unit allowed to "
        "command, and marks the warning escalated. 409 when it was escalated or dismissed.";
    d.path = {Id("the warning")};
    d.body = {doc::Json(doc::Ref("EscalateWarning"))};
    d.body_required = false;
    d.answers = {doc::Ok(doc::Ref("EscalatedWarning"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/{id}/escalate", Auth::kRequired, d,
          [&warnings](Request& req) -> Result<Response> {
            json::Json body = json::Json::object();
            if (!req.body.empty()) {
              XT_ASSIGN_OR_RETURN(body, JsonBody(req));
            }
            emergency::EscalateInput in;
            XT_ASSIGN_OR_RETURN(in.type, Str(body, "type", false));
            XT_ASSIGN_OR_RETURN(in.level, Int(body, "level", emergency::kLevelLeastSevere));
            XT_ASSIGN_OR_RETURN(in.unit_id, Str(body, "unit_id", false));
            XT_ASSIGN_OR_RETURN(in.title, Str(body, "title", false));
            XT_ASSIGN_OR_RETURN(auto incident, warnings.Escalate(req.actor(), req.Param("id"), in));
            return Response::Json(201, {{"warning_id", req.Param("id")},
                                        {"incident_id", incident.id},
                                        {"type", incident.type},
                                        {"level", incident.level},
                                        {"title", incident.title}});
          });
  }
  {
    RouteDoc d = Doc("Dismiss a warning", "排除预警");
    d.path = {Id("the warning")};
    d.body = {doc::Json(doc::Ref("DismissWarning"))};
    d.answers = {doc::Ok(doc::Ref("Warning"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/{id}/dismiss", Auth::kRequired, d,
          [&warnings](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto note, Str(body, "note", true));
            XT_ASSIGN_OR_RETURN(auto x, warnings.Dismiss(req.actor(), req.Param("id"), note));
            return Response::Json(200, WarningJson(x, false));
          });
  }
  {
    RouteDoc d = Doc("Early-warning rules written by administrators", "预警规则");
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("WarningRule")))};
    d.errors = {403};
    r.Add("GET", rules, Auth::kRequired, d, [&warnings](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list, warnings.Rules(req.actor()));
      json::Json items = json::Json::array();
      for (const auto& x : list) items.push_back(RuleJson(x));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Add an early-warning rule", "新增预警规则");
    d.description =
        "threshold or more requests of category (a matter id) on street_id (or on "
        "any one street when absent) within window_hours (1–72) raise a warning.";
    d.body = {doc::Json(doc::Ref("NewWarningRule"))};
    d.answers = {doc::Ok(doc::Ref("WarningRule"), 201)};
    d.errors = {400, 403};
    r.Add("POST", rules, Auth::kRequired, d, [&warnings](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      XT_ASSIGN_OR_RETURN(auto in, RuleBody(body));
      XT_ASSIGN_OR_RETURN(auto x, warnings.CreateRule(req.actor(), in));
      return Response::Json(201, RuleJson(x));
    });
  }
  {
    RouteDoc d = Doc("Change an early-warning rule", "修改预警规则");
    d.path = {Id("the rule")};
    d.body = {doc::Json(doc::Ref("NewWarningRule"))};
    d.answers = {doc::Ok(doc::Ref("WarningRule"))};
    d.errors = {400, 403, 404};
    r.Add("PUT", rules + "/{id}", Auth::kRequired, d,
          [&warnings](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto in, RuleBody(body));
            XT_ASSIGN_OR_RETURN(auto x, warnings.UpdateRule(req.actor(), req.Param("id"), in));
            return Response::Json(200, RuleJson(x));
          });
  }
  {
    RouteDoc d = Doc("Delete an early-warning rule", "删除预警规则");
    d.path = {Id("the rule")};
    d.answers = {doc::NoContent("deleted; warnings it raised stay")};
    d.errors = {403, 404};
    r.Add("DELETE", rules + "/{id}", Auth::kRequired, d,
          [&warnings](Request& req) -> Result<Response> {
            XT_TRY_VOID(warnings.DeleteRule(req.actor(), req.Param("id")));
            return Response::NoContent();
          });
  }
}

json::Json WarningSchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  auto closed = [](json::Json props, std::vector<std::string> optional = {}) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) {
      if (std::find(optional.begin(), optional.end(), k) == optional.end()) required.push_back(k);
    }
    return Object(std::move(props), std::move(required));
  };
  json::Json warning = {{"id", String(1)},
                        {"kind", Enum({"volume", "keyword", "rule", "place"})},
                        {"key", String(1)},
                        {"category", Nullable(String(1))},
                        {"street_id", String()},
                        {"status", Enum({"open", "quiet", "escalated", "dismissed"})},
                        {"opened_at", time},
                        {"updated_at", time},
                        {"closed_at", time},
                        {"observed", Integer()},
                        {"expected", Number()},
                        {"target_unit_ids", ArrayOf(String(1))},
                        {"incident_id", Nullable(String(1))},
                        {"note", Nullable(String())}};
  json::Json detail = warning;
  detail["evidence"] = closed({{"statistic", String()},
                               {"p_value", Number()},
                               {"upper", Number()},
                               {"window_hours", Number()},
                               {"request_ids", ArrayOf(String(1))},
                               {"curve", ArrayOf(closed({{"hour", time},
                                                         {"observed", Integer()},
                                                         {"baseline", Number()},
                                                         {"upper", Number()}}))}});
  json::Json rule = {{"id", String(1)},
                     {"category", String(1)},
                     {"street_id", Nullable(String(1))},
                     {"threshold", IntegerIn(1, 100000)},
                     {"window_hours", IntegerIn(1, 72)},
                     {"enabled", Boolean()},
                     {"created_by", String()},
                     {"created_at", time},
                     {"updated_at", time}};
  return {{"Warning", closed(warning)},
          {"WarningDetail", closed(detail)},
          {"WarningRule", closed(rule)},
          {"NewWarningRule", Object({{"category", String(1)},
                                     {"street_id", Nullable(String())},
                                     {"threshold", IntegerIn(1, 100000)},
                                     {"window_hours", IntegerIn(1, 72)},
                                     {"enabled", Boolean()}},
                                    {"category", "threshold", "window_hours"})},
          {"EscalateWarning", Object({{"type", String()},
                                      {"level", IntegerIn(1, 4)},
                                      {"unit_id", String()},
                                      {"title", String()}},
                                     {})},
          {"DismissWarning", Object({{"note", String(1, 500)}}, {"note"})},
          {"EscalatedWarning", closed({{"warning_id", String(1)},
                                       {"incident_id", String(1)},
                                       {"type", String(1)},
                                       {"level", IntegerIn(1, 4)},
                                       {"title", String(1)}})}};
}

}  // namespace xietong::http
