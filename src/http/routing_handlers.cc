#include "http/routing_handlers.h"

#include <cmath>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

double Round4(double v) { return std::round(v * 1e4) / 1e4; }

// --- encoders (each mirrored by a schema in RoutingSchemas) -------------------------------

json::Json FiguresJson(const insight::AccuracyFigures& f) {
  return {{"model_version", f.model_version},
          {"n", f.n},
          {"top1", Round4(f.top1)},
          {"top3", Round4(f.top3)},
          {"macro_f1", Round4(f.macro_f1)},
          {"f1_leaves", f.f1_leaves},
          {"operator_chosen", f.operator_chosen},
          {"override_rate", Round4(f.override_rate)},
          {"recategorised_rate", Round4(f.recategorised_rate)},
          {"auto_routed", f.auto_routed},
          {"auto_routed_share", Round4(f.auto_routed_share)},
          {"auto_routed_accuracy", Round4(f.auto_routed_accuracy)}};
}

json::Json PairsJson(const std::vector<insight::ConfusedPair>& pairs) {
  json::Json out = json::Json::array();
  for (const auto& p : pairs)
    out.push_back({{"suggested_id", p.suggested_id},
                   {"suggested_name", p.suggested_name},
                   {"final_id", p.final_id},
                   {"final_name", p.final_name},
                   {"count", p.count},
                   {"share_of_final", Round4(p.share_of_final)}});
  return out;
}

json::Json ScoreJson(const insight::HoldoutScore& s) {
  return {{"n", s.n},
          {"top1", Round4(s.top1)},
          {"top3", Round4(s.top3)},
          {"macro_f1", Round4(s.macro_f1)}};
}

json::Json ModelJson(const insight::store::ModelRow& m) {
  auto holdout = json::Json::parse(m.holdout, nullptr, false);
  if (!holdout.is_object()) holdout = json::Json::object();
  return {{"id", m.id},
          {"version", m.version},
          {"status", m.status},
          {"trained_at", FormatRfc3339(m.trained_at)},
          {"trained_on", m.trained_on},
          {"classes", m.classes},
          {"data_to", FormatRfc3339(m.data_to)},
          {"holdout", std::move(holdout)},
          {"sha256", m.sha256},
          {"size", m.size},
          {"note", m.note},
          {"created_by", m.created_by}};
}

json::Json AccuracyJson(const insight::RoutingAccuracyReport& r) {
  json::Json versions = json::Json::array();
  for (const auto& v : r.accuracy.versions) versions.push_back(FiguresJson(v));
  return {{"month", r.month},
          {"min_leaf_cases", insight::kMinLeafCases},
          {"total", FiguresJson(r.accuracy.total)},
          {"versions", std::move(versions)},
          {"confused", PairsJson(r.accuracy.confused)},
          {"confused_level1", PairsJson(r.accuracy.confused_level1)}};
}

}  // namespace

void RegisterRoutingRoutes(Api& api, insight::RoutingService& routing) {
  {
    RouteDoc d;
    d.summary = "How well the routing model suggested categories in a month, per model version";
    d.summary_zh = "智能分类准确率";
    d.tag = "insight";
    d.description =
        "The city's administrators and leaders (insight.manage at the root). Over the requests "
        "received in the month whose categories the trained model suggested and that have a "
        "category now: top-1 and top-3 accuracy against the last category given, macro-F1 of "
        "suggestion 1 over the leaves with at least `min_leaf_cases` requests, how often an "
        "operator chose another category than suggestion 1, how often the category was changed "
        "after intake, the share routed without an operator and its accuracy — in total and per "
        "model version — and the ten most-mixed (suggested → final) pairs of leaves and of "
        "level-1 categories, with the share of the final category's requests they hold.";
    d.query = {doc::QueryParam("month", "the month the requests were received in, yyyy-mm",
                               {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}}, true)};
    d.answers = {doc::Ok(doc::Ref("InsightRoutingAccuracy"))};
    d.errors = {400, 403};
    api.router().Add("GET", "/api/v1/insight/routing/accuracy", Auth::kRequired, d,
                     [&routing](Request& req) -> Result<Response> {
                       XT_ASSIGN_OR_RETURN(
                           auto r, routing.Accuracy(req.actor(), req.Query("month").value_or("")));
                       return Response::Json(200, AccuracyJson(r));
                     });
  }
  {
    RouteDoc d;
    d.summary = "The stored routing models, newest version first, with their holdout figures";
    d.summary_zh = "分类模型版本";
    d.tag = "insight";
    d.description =
        "insight.manage at the root. Each version's status (active, retired, rejected), what it "
        "was trained on and its figures on the holdout (the requests decided in the 30 days "
        "before it was trained) beside the model active then.";
    d.answers = {doc::Ok(
        doc::Object({{"items", doc::ArrayOf(doc::Ref("InsightRoutingModel"))}}, {"items"}))};
    d.errors = {403};
    api.router().Add("GET", "/api/v1/insight/routing/models", Auth::kRequired, d,
                     [&routing](Request& req) -> Result<Response> {
                       XT_ASSIGN_OR_RETURN(auto models, routing.Models(req.actor()));
                       json::Json items = json::Json::array();
                       for (const auto& m : models) items.push_back(ModelJson(m));
                       return Response::Json(200, {{"items", std::move(items)}});
                     });
  }
  {
    RouteDoc d;
    d.summary = "Retrain the routing model now and promote it if it holds up on the holdout";
    d.summary_zh = "重新训练分类模型";
    d.tag = "insight";
    d.description =
        "Administrators (insight.manage and matter.manage at the root). Trains on the requests "
        "decided in the last 365 days; the candidate is scored with the active model on the "
        "last 30 days' and becomes active when its top-1 is within 0.005 and its macro-F1 "
        "within 0.01 of the active one's on at least 50 requests (or when none is active); "
        "else it is stored as rejected. Takes seconds to a minute.";
    d.answers = {doc::Ok(doc::Ref("InsightRoutingRetrain"))};
    d.errors = {403, 409};
    api.router().Add("POST", "/api/v1/insight/routing/models/retrain", Auth::kRequired, d,
                     [&routing](Request& req) -> Result<Response> {
                       XT_ASSIGN_OR_RETURN(auto r, routing.Retrain(req.actor(), true));
                       return Response::Json(
                           200, {{"promoted", r.promoted},
                                 {"candidate", ScoreJson(r.candidate)},
                                 {"active", r.active ? ScoreJson(*r.active) : json::Json(nullptr)},
                                 {"model", ModelJson(r.model)}});
                     });
  }
  {
    RouteDoc d;
    d.summary = "Make a stored routing model the active one (a rollback)";
    d.summary_zh = "启用分类模型版本";
    d.tag = "insight";
    d.description =
        "Administrators. The active model is retired; every node loads the one named within a "
        "minute (this node at once).";
    d.answers = {doc::Ok(doc::Ref("InsightRoutingModel"))};
    d.errors = {403, 404, 409};
    api.router().Add("POST", "/api/v1/insight/routing/models/{id}/activate", Auth::kRequired, d,
                     [&routing](Request& req) -> Result<Response> {
                       XT_ASSIGN_OR_RETURN(auto m, routing.Activate(req.actor(), req.Param("id")));
                       return Response::Json(200, ModelJson(m));
                     });
  }
}

json::Json RoutingSchemas() {
  using doc::ArrayOf;
  using doc::Integer;
  using doc::Number;
  using doc::Object;
  using doc::Ref;
  using doc::String;
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [name, schema] : props.items()) required.push_back(name);
    return Object(std::move(props), std::move(required));
  };
  const json::Json figures = closed({{"model_version", String()},
                                     {"n", Integer()},
                                     {"top1", Number()},
                                     {"top3", Number()},
                                     {"macro_f1", Number()},
                                     {"f1_leaves", Integer()},
                                     {"operator_chosen", Integer()},
                                     {"override_rate", Number()},
                                     {"recategorised_rate", Number()},
                                     {"auto_routed", Integer()},
                                     {"auto_routed_share", Number()},
                                     {"auto_routed_accuracy", Number()}});
  const json::Json pair = closed({{"suggested_id", String(1)},
                                  {"suggested_name", String(1)},
                                  {"final_id", String(1)},
                                  {"final_name", String(1)},
                                  {"count", Integer()},
                                  {"share_of_final", Number()}});
  const json::Json score =
      closed({{"n", Integer()}, {"top1", Number()}, {"top3", Number()}, {"macro_f1", Number()}});
  const json::Json model =
      closed({{"id", String(1)},
              {"version", Integer()},
              {"status", doc::Enum({"candidate", "active", "retired", "rejected"})},
              {"trained_at", doc::DateTime()},
              {"trained_on", Integer()},
              {"classes", Integer()},
              {"data_to", doc::DateTime()},
              {"holdout", Object(json::Json::object(), {}, false)},
              {"sha256", String()},
              {"size", Integer()},
              {"note", String()},
              {"created_by", String()}});
  return {{"InsightRoutingFigures", figures},
          {"InsightRoutingScore", score},
          {"InsightRoutingModel", model},
          {"InsightRoutingRetrain", closed({{"promoted", doc::Boolean()},
                                            {"candidate", Ref("InsightRoutingScore")},
                                            {"active", doc::Nullable(Ref("InsightRoutingScore"))},
                                            {"model", Ref("InsightRoutingModel")}})},
          {"InsightRoutingPair", pair},
          {"InsightRoutingAccuracy",
           closed({{"month", String(7, 7)},
                   {"min_leaf_cases", Integer()},
                   {"total", Ref("InsightRoutingFigures")},
                   {"versions", ArrayOf(Ref("InsightRoutingFigures"))},
                   {"confused", ArrayOf(Ref("InsightRoutingPair"))},
                   {"confused_level1", ArrayOf(Ref("InsightRoutingPair"))}})}};
}

}  // namespace xietong::http
