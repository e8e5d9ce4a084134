#include "http/incident_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using emergency::IncidentService;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }
json::Json PointJson(const std::optional<emergency::GeoPoint>& p) {
  if (!p) return nullptr;
  return {{"lat", p->lat}, {"lng", p->lng}};
}

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "emergency";
  return d;
}

// --- encoders (each mirrored by a schema in IncidentSchemas) -----------------------------

json::Json IncidentJson(const emergency::Incident& i) {
  const auto type = emergency::ParseIncidentType(i.type);
  return {{"id", i.id},
          {"type", i.type},
          {"type_zh", type ? std::string(type->zh) : i.type},
          {"level", i.level},
          {"level_roman", emergency::LevelRoman(i.level)},
          {"level_zh", emergency::LevelZh(i.level)},
          {"title", i.title},
          {"description", i.description},
          {"area", {{"polygon", emergency::PolygonJson(i.area)}, {"grid_ids", i.area.grid_ids}}},
          {"unit_id", i.unit_id},
          {"unit_name", i.unit_name},
          {"status", emergency::StatusName(i.status)},
          {"source_warning_id", OrNull(i.source_warning_id)},
          {"force_id", OrNull(i.force_id)},
          {"report_series", i.report_series},
          {"created_by", i.created_by},
          {"created_at", Time(i.created_at)},
          {"updated_at", Time(i.updated_at)},
          {"closed_at", Time(i.closed_at)},
          {"summary", OrNull(i.summary)},
          {"version", i.version}};
}

json::Json TimelineJson(const emergency::TimelineEntry& e) {
  return {
      {"seq", e.seq},   {"at", Time(e.at)}, {"actor_id", e.actor_id}, {"actor_name", e.actor_name},
      {"kind", e.kind}, {"text", e.text},   {"data", e.data}};
}

json::Json TemplateJson(const emergency::ForceTemplate& t) {
  json::Json deps = json::Json::array();
  for (auto d : t.departments) deps.push_back(d);
  return {{"lead_unit_kind", t.lead_unit_kind},
          {"lead_role", t.lead_role},
          {"departments", std::move(deps)},
          {"situation_report_hours", t.situation_report_hours}};
}

json::Json NeedJson(const emergency::Need& n) {
  return {{"id", n.id},
          {"incident_id", n.incident_id},
          {"kind", n.kind},
          {"kind_zh", emergency::NeedKindZh(n.kind)},
          {"title", n.title},
          {"description", n.description},
          {"priority", n.priority},
          {"quantity", n.quantity},
          {"committed", n.committed},
          {"delivered", n.delivered},
          {"coverage", emergency::Coverage(n)},
          {"unit_label", n.unit_label},
          {"place", n.place},
          {"location", PointJson(n.location)},
          {"contact_name", n.contact_name},
          {"contact_phone", n.contact_phone},
          {"source_report_id", OrNull(n.source_report_id)},
          {"created_by", n.created_by},
          {"created_at", Time(n.created_at)},
          {"updated_at", Time(n.updated_at)}};
}

json::Json ResourceJson(const emergency::Resource& r) {
  return {{"id", r.id},
          {"incident_id", OrNull(r.incident_id)},
          {"unit_id", OrNull(r.unit_id)},
          {"source_id", OrNull(r.source_id)},
          {"kind", r.kind},
          {"kind_zh", emergency::ResourceKindZh(r.kind)},
          {"name", r.name},
          {"quantity", r.quantity},
          {"committed", r.committed},
          {"remaining", r.remaining()},
          {"unit_label", r.unit_label},
          {"place", r.place},
          {"location", PointJson(r.location)},
          {"available", r.available},
          {"contact_phone", r.contact_phone},
          {"created_by", r.created_by},
          {"created_at", Time(r.created_at)},
          {"updated_at", Time(r.updated_at)}};
}

json::Json CommitmentJson(const emergency::Commitment& c) {
  return {{"id", c.id},
          {"incident_id", c.incident_id},
          {"need_id", c.need_id},
          {"resource_id", c.resource_id},
          {"quantity", c.quantity},
          {"complete", c.complete},
          {"status", emergency::CommitmentStatusName(c.status)},
          {"note", c.note},
          {"created_by", c.created_by},
          {"created_at", Time(c.created_at)},
          {"delivered_at", Time(c.delivered_at)},
          {"cancelled_at", Time(c.cancelled_at)}};
}

json::Json MatchJson(const emergency::Match& m) {
  return {{"resource_id", m.resource_id},
          {"kind", m.kind},
          {"name", m.name},
          {"can_give", m.can_give},
          {"complete", m.complete},
          {"distance_km", m.distance_km ? json::Json(*m.distance_km) : json::Json(nullptr)}};
}

// --- request parsing ---------------------------------------------------------------------

Error WrongType(std::string_view field, std::string_view what) {
  return Error::InvalidArgument(fmt::format("field '{}': must be {}", field, what))
      .About(std::string(field), "wrong_type");
}

Result<std::string> Str(const json::Json& body, std::string_view field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (!required) return std::string();
    return Fail(Error::InvalidArgument(fmt::format("field '{}': is required", field))
                    .About(std::string(field), "required"));
  }
  if (!it->is_string()) return Fail(WrongType(field, "a string"));
  return it->get<std::string>();
}

Result<std::optional<std::int64_t>> Int(const json::Json& body, std::string_view field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer()) return Fail(WrongType(field, "an integer"));
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

Result<std::optional<emergency::GeoPoint>> Location(const json::Json& body) {
  auto it = body.find("location");
  if (it == body.end() || it->is_null()) return std::optional<emergency::GeoPoint>();
  if (!it->is_object() || !it->contains("lat") || !it->contains("lng") ||
      !(*it)["lat"].is_number() || !(*it)["lng"].is_number()) {
    return Fail(WrongType("location", "{\"lat\": number, \"lng\": number}"));
  }
  return std::optional<emergency::GeoPoint>(
      emergency::GeoPoint{.lat = (*it)["lat"].get<double>(), .lng = (*it)["lng"].get<double>()});
}

Result<emergency::IncidentInput> IncidentBody(const json::Json& body) {
  emergency::IncidentInput in;
  XT_ASSIGN_OR_RETURN(in.type, Str(body, "type", true));
  auto level = body.find("level");
  if (level == body.end() || level->is_null()) {
    return Fail(Error::InvalidArgument("field 'level': is required").About("level", "required"));
  }
  XT_ASSIGN_OR_RETURN(in.level, emergency::ParseLevel(*level));
  XT_ASSIGN_OR_RETURN(in.title, Str(body, "title", true));
  XT_ASSIGN_OR_RETURN(in.description, Str(body, "description", false));
  XT_ASSIGN_OR_RETURN(in.unit_id, Str(body, "unit_id", false));
  XT_ASSIGN_OR_RETURN(auto warning, Str(body, "source_warning_id", false));
  if (!warning.empty()) in.source_warning_id = warning;
  auto area = body.find("area");
  if (area == body.end() || area->is_null()) {
    return Fail(Error::InvalidArgument("field 'area': a polygon and/or grid ids")
                    .About("area", "required"));
  }
  if (!area->is_object()) return Fail(WrongType("area", "an object"));
  if (auto p = area->find("polygon"); p != area->end() && !p->is_null()) {
    XT_ASSIGN_OR_RETURN(in.area.ring, emergency::ParsePolygon(*p));
  }
  if (auto g = area->find("grid_ids"); g != area->end() && !g->is_null()) {
    XT_ASSIGN_OR_RETURN(in.area.grid_ids, json::StringArray(*area, "grid_ids"));
  }
  return in;
}

Result<emergency::NeedInput> NeedBody(const json::Json& body) {
  emergency::NeedInput in;
  XT_ASSIGN_OR_RETURN(in.kind, Str(body, "kind", true));
  XT_ASSIGN_OR_RETURN(in.title, Str(body, "title", true));
  XT_ASSIGN_OR_RETURN(in.description, Str(body, "description", false));
  XT_ASSIGN_OR_RETURN(auto priority, Int(body, "priority"));
  in.priority = static_cast<int>(std::clamp<std::int64_t>(priority.value_or(3), -1, 99));
  XT_ASSIGN_OR_RETURN(auto quantity, Int(body, "quantity"));
  in.quantity = quantity.value_or(1);
  XT_ASSIGN_OR_RETURN(in.unit_label, Str(body, "unit_label", false));
  XT_ASSIGN_OR_RETURN(in.place, Str(body, "place", false));
  XT_ASSIGN_OR_RETURN(in.location, Location(body));
  XT_ASSIGN_OR_RETURN(in.contact_name, Str(body, "contact_name", false));
  XT_ASSIGN_OR_RETURN(in.contact_phone, Str(body, "contact_phone", false));
  return in;
}

Result<emergency::ResourceInput> ResourceBody(const json::Json& body) {
  emergency::ResourceInput in;
  XT_ASSIGN_OR_RETURN(in.kind, Str(body, "kind", true));
  XT_ASSIGN_OR_RETURN(in.name, Str(body, "name", true));
  XT_ASSIGN_OR_RETURN(auto quantity, Int(body, "quantity"));
  in.quantity = quantity.value_or(1);
  XT_ASSIGN_OR_RETURN(in.unit_label, Str(body, "unit_label", false));
  XT_ASSIGN_OR_RETURN(in.place, Str(body, "place", false));
  XT_ASSIGN_OR_RETURN(in.location, Location(body));
  XT_ASSIGN_OR_RETURN(auto available, json::OptionalBool(body, "available"));
  in.available = available.value_or(true);
  XT_ASSIGN_OR_RETURN(in.contact_phone, Str(body, "contact_phone", false));
  return in;
}

ParamDoc Id() { return doc::PathId("id", "the incident"); }

json::Json ReserveJson(const IncidentService::ReserveView& v) {
  json::Json j = ResourceJson(v.resource);
  j["unit_name"] = v.unit_name;
  return j;
}

// 储备: the units' standing reserves, before and between incidents.
void RegisterReserveRoutes(Router& r, IncidentService& incidents) {
  const std::string base = "/api/v1/reserves";
  {
    RouteDoc d = Doc("Register a unit's standing reserve (应急资源储备)", "登记储备资源");
    d.description =
        "A warehouse's stock, a team, vehicles, volunteers or a shelter held by unit_id "
        "before any incident (incident.respond over that unit). Incidents borrow from it "
        "(POST /incidents/{id}/resources/deploy).";
    d.body = {doc::Json(doc::Ref("NewReserve"))};
    d.answers = {doc::Ok(doc::Ref("Resource"), 201)};
    d.errors = {400, 403};
    r.Add("POST", base, Auth::kRequired, d, [&incidents](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      XT_ASSIGN_OR_RETURN(auto unit_id, Str(body, "unit_id", true));
      XT_ASSIGN_OR_RETURN(auto in, ResourceBody(body));
      XT_ASSIGN_OR_RETURN(auto res, incidents.AddReserve(req.actor(), unit_id, in));
      return Response::Json(201, ResourceJson(res));
    });
  }
  {
    RouteDoc d = Doc("The city's register of reserves", "储备资源目录");
    d.description =
        "Every unit's reserves, with what is lent out (committed) and left (remaining); "
        "kind filters (warehouse, vehicle, team, volunteers, shelter). Emergency staff only.";
    d.query = {doc::QueryParam("kind", "one resource kind")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Reserve")))};
    d.errors = {400, 403};
    r.Add("GET", base, Auth::kRequired, d, [&incidents](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list,
                          incidents.Reserves(req.actor(), req.Query("kind").value_or("")));
      json::Json items = json::Json::array();
      for (const auto& v : list) items.push_back(ReserveJson(v));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Restock or switch off a reserve", "调整储备");
    d.description = "quantity never below what is lent out now.";
    d.path = {doc::PathId("id", "the reserve")};
    d.body = {doc::Json(doc::Ref("ReserveChange"))};
    d.answers = {doc::Ok(doc::Ref("Resource"))};
    d.errors = {400, 403, 404, 409};
    r.Add("PUT", base + "/{id}", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto quantity, Int(body, "quantity"));
            XT_ASSIGN_OR_RETURN(auto available, json::OptionalBool(body, "available"));
            if (!quantity || !available) {
              return Fail(Error::InvalidArgument("quantity and available are required")
                              .About(!quantity ? "quantity" : "available", "required"));
            }
            XT_ASSIGN_OR_RETURN(auto res, incidents.UpdateReserve(req.actor(), req.Param("id"),
                                                                  *quantity, *available));
            return Response::Json(200, ResourceJson(res));
          });
  }
}

}  // namespace

void RegisterIncidentRoutes(Api& api, IncidentService& incidents) {
  Router& r = api.router();
  const std::string base = "/api/v1/incidents";
  const std::string one = base + "/{id}";
  {
    RouteDoc d = Doc("Open an incident (突发事件) and form its command (指挥部)", "启动应急事件");
    d.description =
        "type: waterlogging 积水/内涝, fire 火灾, gas_leak 燃气泄漏, water_outage 停水, "
        "road_collapse 道路塌陷, public_health 公共卫生, other. level: 1–4 or \"I\"–\"IV\" (I "
        "特别重大 … IV 一般). area: a GeoJSON Polygon and/or grid ids. unit_id: the commanding "
        "unit (default: my first unit I may command from; incident.command there). After it is "
        "stored the 指挥部 is formed as a collab task force from the template of type × level "
        "and the first round of 情况报告 goes to the units below; force_id is null when that "
        "failed (POST …/force retries).";
    d.body = {doc::Json(doc::Ref("NewIncident"))};
    d.answers = {doc::Ok(doc::Ref("EmergencyIncident"), 201)};
    d.errors = {400, 403};
    r.Add("POST", base, Auth::kRequired, d, [&incidents](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      XT_ASSIGN_OR_RETURN(auto in, IncidentBody(body));
      XT_ASSIGN_OR_RETURN(auto i, incidents.Open(req.actor(), in));
      return Response::Json(201, IncidentJson(i));
    });
  }
  {
    RouteDoc d = Doc("Incidents I may see, newest first", "应急事件列表");
    d.query = {doc::QueryParam("status", "active or closed", doc::Enum({"active", "closed"})),
               doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("EmergencyIncident")))};
    d.errors = {400};
    r.Add("GET", base, Auth::kRequired, d, [&incidents](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
      emergency::IncidentListQuery q{.status = req.Query("status").value_or(""), .limit = limit};
      XT_ASSIGN_OR_RETURN(auto list, incidents.List(req.actor(), q));
      json::Json items = json::Json::array();
      for (const auto& i : list) items.push_back(IncidentJson(i));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("An incident with its timeline and command template", "应急事件详情");
    d.path = {Id()};
    d.answers = {doc::Ok(doc::Ref("IncidentDetail"))};
    d.errors = {404};
    r.Add("GET", one, Auth::kRequired, d, [&incidents](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto v, incidents.Get(req.actor(), req.Param("id")));
      json::Json j = IncidentJson(v.incident);
      json::Json timeline = json::Json::array();
      for (const auto& e : v.timeline) timeline.push_back(TimelineJson(e));
      j["timeline"] = std::move(timeline);
      j["force_template"] = TemplateJson(v.force_template);
      j["latest_report_form_id"] = OrNull(v.latest_report_form_id);
      return Response::Json(200, j);
    });
  }
  {
    RouteDoc d = Doc("Raise or lower an incident's level, with a reason", "调整响应级别");
    d.description = "incident.command over the commanding unit; 409 when closed.";
    d.path = {Id()};
    d.body = {doc::Json(doc::Ref("IncidentLevelChange"))};
    d.answers = {doc::Ok(doc::Ref("EmergencyIncident"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", one + "/level", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            auto level = body.find("level");
            if (level == body.end() || level->is_null()) {
              return Fail(
                  Error::InvalidArgument("field 'level': is required").About("level", "required"));
            }
            XT_ASSIGN_OR_RETURN(int to, emergency::ParseLevel(*level));
            XT_ASSIGN_OR_RETURN(auto reason, Str(body, "reason", true));
            XT_ASSIGN_OR_RETURN(auto i,
                                incidents.ChangeLevel(req.actor(), req.Param("id"), to, reason));
            return Response::Json(200, IncidentJson(i));
          });
  }
  {
    RouteDoc d = Doc("Close an incident with its summary", "结束应急事件");
    d.path = {Id()};
    d.body = {doc::Json(doc::Ref("IncidentClose"))};
    d.answers = {doc::Ok(doc::Ref("EmergencyIncident"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", one + "/close", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto summary, Str(body, "summary", true));
            XT_ASSIGN_OR_RETURN(auto i, incidents.Close(req.actor(), req.Param("id"), summary));
            return Response::Json(200, IncidentJson(i));
          });
  }
  {
    RouteDoc d = Doc("Form the incident's 指挥部 when it has none (a safe retry)", "成立指挥部");
    d.description = "Idempotent: an incident with a force answers as it is.";
    d.path = {Id()};
    d.body_required = false;
    d.answers = {doc::Ok(doc::Ref("EmergencyIncident"))};
    d.errors = {403, 404, 409};
    r.Add("POST", one + "/force", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto i, incidents.EnsureForce(req.actor(), req.Param("id")));
            return Response::Json(200, IncidentJson(i));
          });
  }
  {
    RouteDoc d = Doc("Ask the units below for a round of 情况报告", "下发情况报告");
    d.description =
        "A collab report form of the incident's series (report_series) to the units under the "
        "commanding unit, due after the template's interval; each round is prefilled from the "
        "unit's previous answer. Answered through /api/v1/report-forms/{id}/answers.";
    d.path = {Id()};
    d.body_required = false;
    d.answers = {doc::Ok(doc::Ref("SituationRound"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", one + "/situation-reports", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto f,
                                incidents.RequestSituationReports(req.actor(), req.Param("id")));
            return Response::Json(201, {{"form_id", f.id},
                                        {"series", f.series},
                                        {"recipients", f.recipients},
                                        {"due_by", Time(f.due_by)}});
          });
  }
  {
    RouteDoc d = Doc("Record a need (救援/物资/医疗/转移)", "登记需求");
    d.description = "incident.respond over the commanding unit or from a unit below it.";
    d.path = {Id()};
    d.body = {doc::Json(doc::Ref("NewNeed"))};
    d.answers = {doc::Ok(doc::Ref("Need"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", one + "/needs", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto in, NeedBody(body));
            XT_ASSIGN_OR_RETURN(auto n, incidents.AddNeed(req.actor(), req.Param("id"), in));
            return Response::Json(201, NeedJson(n));
          });
  }
  {
    RouteDoc d = Doc("The needs board: needs (most urgent first) and commitments", "需求看板");
    d.path = {Id()};
    d.answers = {doc::Ok(doc::Ref("NeedsBoard"))};
    d.errors = {404};
    r.Add("GET", one + "/needs", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto v, incidents.Needs(req.actor(), req.Param("id")));
            json::Json items = json::Json::array(), commitments = json::Json::array();
            for (const auto& n : v.needs) items.push_back(NeedJson(n));
            for (const auto& c : v.commitments) commitments.push_back(CommitmentJson(c));
            return Response::Json(200, {{"items", std::move(items)}, {"commitments", commitments}});
          });
  }
  {
    RouteDoc d = Doc("Resources that could meet a need, ranked", "匹配资源");
    d.description =
        "Available resources of a compatible kind with something left: those covering the "
        "need's whole remainder first, then by distance (haversine), then by what they have.";
    d.path = {Id(), doc::PathId("nid", "the need")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ResourceMatch")))};
    d.errors = {404};
    r.Add("GET", one + "/needs/{nid}/matches", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list,
                                incidents.Matches(req.actor(), req.Param("id"), req.Param("nid")));
            json::Json items = json::Json::array();
            for (const auto& m : list) items.push_back(MatchJson(m));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Register a resource for the incident (shelters among them)", "登记资源");
    d.description =
        "Resources are registered per incident: what the command can dispatch there "
        "(warehouse, vehicle, team, volunteers, shelter with its capacity as quantity).";
    d.path = {Id()};
    d.body = {doc::Json(doc::Ref("NewResource"))};
    d.answers = {doc::Ok(doc::Ref("Resource"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", one + "/resources", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto in, ResourceBody(body));
            XT_ASSIGN_OR_RETURN(auto res, incidents.AddResource(req.actor(), req.Param("id"), in));
            return Response::Json(201, ResourceJson(res));
          });
  }
  {
    RouteDoc d = Doc("The incident's resources", "资源列表");
    d.path = {Id()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Resource")))};
    d.errors = {404};
    r.Add("GET", one + "/resources", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, incidents.Resources(req.actor(), req.Param("id")));
            json::Json items = json::Json::array();
            for (const auto& res : list) items.push_back(ResourceJson(res));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Lend a unit's reserve to the incident (储备调拨)", "调拨储备");
    d.description =
        "quantity: 0 or absent = all the reserve has left. The incident gets a new resource "
        "naming the reserve (source_id); closing the incident gives it back (a warehouse's "
        "delivered stock is used up, everything else returns whole).";
    d.path = {Id()};
    d.body = {doc::Json(doc::Ref("ReserveDeployment"))};
    d.answers = {doc::Ok(doc::Ref("Resource"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", one + "/resources/deploy", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto reserve_id, Str(body, "reserve_id", true));
            XT_ASSIGN_OR_RETURN(auto quantity, Int(body, "quantity"));
            XT_ASSIGN_OR_RETURN(auto res, incidents.Deploy(req.actor(), req.Param("id"), reserve_id,
                                                           quantity.value_or(0)));
            return Response::Json(201, ResourceJson(res));
          });
  }
  RegisterReserveRoutes(r, incidents);
  {
    RouteDoc d = Doc("Commit a resource to a need (partial or complete)", "承诺调配");
    d.description =
        "quantity: 0 or absent = as much as both have left. A retry with the same "
        "Idempotency-Key answers the first commitment: nothing is committed twice.";
    d.path = {Id()};
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Ref("NewCommitment"))};
    d.answers = {doc::Ok(doc::Ref("Commitment"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", one + "/commitments", Auth::kRequired, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            IncidentService::CommitInput in;
            XT_ASSIGN_OR_RETURN(in.need_id, Str(body, "need_id", true));
            XT_ASSIGN_OR_RETURN(in.resource_id, Str(body, "resource_id", true));
            XT_ASSIGN_OR_RETURN(auto quantity, Int(body, "quantity"));
            in.quantity = quantity.value_or(0);
            XT_ASSIGN_OR_RETURN(in.note, Str(body, "note", false));
            in.idempotency_key = std::string(req.Header("idempotency-key"));
            XT_ASSIGN_OR_RETURN(auto c, incidents.Commit(req.actor(), req.Param("id"), in));
            return Response::Json(201, CommitmentJson(c));
          });
  }
  for (const auto& [verb, zh] : {std::pair<std::string, std::string>{"deliver", "确认送达"},
                                 std::pair<std::string, std::string>{"cancel", "取消承诺"}}) {
    RouteDoc d = Doc(verb == "deliver" ? "Mark a commitment delivered" : "Cancel a commitment", zh);
    d.description = "Only a commitment still committed; 409 otherwise.";
    d.path = {Id(), doc::PathId("cid", "the commitment")};
    d.body_required = false;
    d.answers = {doc::Ok(doc::Ref("Commitment"))};
    d.errors = {403, 404, 409};
    const bool deliver = verb == "deliver";
    r.Add("POST", one + "/commitments/{cid}/" + verb, Auth::kRequired, d,
          [&incidents, deliver](Request& req) -> Result<Response> {
            auto c = deliver ? incidents.Deliver(req.actor(), req.Param("id"), req.Param("cid"))
                             : incidents.Cancel(req.actor(), req.Param("id"), req.Param("cid"));
            if (!c) return Fail(c.error());
            return Response::Json(200, CommitmentJson(*c));
          });
  }
  {
    RouteDoc d = Doc("The incident's live map (GeoJSON)", "应急一张图");
    d.description =
        "A FeatureCollection: the area (layer area), needs (need), resources (resource), "
        "shelters (shelter) and verified crowd reports (report), each feature's properties "
        "naming its layer.";
    d.path = {Id()};
    d.answers = {doc::Ok(doc::Ref("IncidentMap"))};
    d.errors = {404};
    r.Add("GET", one + "/map", Auth::kRequired, d, [&incidents](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto m, incidents.Map(req.actor(), req.Param("id")));
      return Response::Json(200, m);
    });
  }
  {
    RouteDoc d = Doc("The incident's public map, without personal data", "公众版应急地图");
    d.description =
        "For the public incident page: the area, needs without text or contact, shelters "
        "with their capacity and what is left, verified crowd reports without personal data.";
    d.path = {Id()};
    d.answers = {doc::Ok(doc::Ref("IncidentMap"))};
    d.errors = {404};
    r.Add("GET", one + "/map/public", Auth::kPublic, d,
          [&incidents](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto m, incidents.Map(std::nullopt, req.Param("id")));
            return Response::Json(200, m);
          });
  }
}

}  // namespace xietong::http
