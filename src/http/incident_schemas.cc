// components.schemas of the incident routes (incident_handlers.cc): each
// mirrors an encoder there.
#include "emergency/incident.h"
#include "emergency/resource.h"
#include "http/api_schemas.h"
#include "http/incident_handlers.h"

namespace xietong::http {

json::Json IncidentSchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  const json::Json text = Nullable(String());
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) required.push_back(k);
    return Object(std::move(props), std::move(required));
  };
  const json::Json polygon =
      Object({{"type", Enum({"Polygon"})}, {"coordinates", ArrayOf(ArrayOf(ArrayOf(Number())))}},
             {"type", "coordinates"});
  const json::Json point = Nullable(Object({{"lat", Number()}, {"lng", Number()}}, {"lat", "lng"}));
  const json::Json types = Enum({"waterlogging", "fire", "gas_leak", "water_outage",
                                 "road_collapse", "public_health", "other"});
  const json::Json level_in = {{"oneOf", {IntegerIn(1, 4), Enum({"I", "II", "III", "IV"})}}};
  const json::Json need_kinds = Enum({"rescue", "supplies", "medical", "evacuation"});
  const json::Json resource_kinds = Enum({"warehouse", "vehicle", "team", "volunteers", "shelter"});
  json::Json incident = {
      {"id", String(1)},
      {"type", types},
      {"type_zh", String(1)},
      {"level", IntegerIn(1, 4)},
      {"level_roman", Enum({"I", "II", "III", "IV"})},
      {"level_zh", Enum({"特别重大", "重大", "较大", "一般"})},
      {"title", String(1)},
      {"description", String()},
      {"area", Object({{"polygon", Nullable(polygon)}, {"grid_ids", ArrayOf(String(1))}},
                      {"polygon", "grid_ids"})},
      {"unit_id", String(1)},
      {"unit_name", String()},
      {"status", Enum({"active", "closed"})},
      {"source_warning_id", text},
      {"force_id", text},
      {"report_series", String(1)},
      {"created_by", String(1)},
      {"created_at", DateTime()},
      {"updated_at", DateTime()},
      {"closed_at", time},
      {"summary", text},
      {"version", Integer()}};
  json::Json detail = incident;
  detail["timeline"] = ArrayOf(closed({{"seq", Integer()},
                                       {"at", DateTime()},
                                       {"actor_id", String()},
                                       {"actor_name", String()},
                                       {"kind", String(1)},
                                       {"text", String()},
                                       {"data", Object(json::Json::object(), {}, false)}}));
  detail["force_template"] = closed({{"lead_unit_kind", Enum({"city", "district", "street"})},
                                     {"lead_role", String(1)},
                                     {"departments", ArrayOf(String(1))},
                                     {"situation_report_hours", Integer()}});
  detail["latest_report_form_id"] = text;
  json::Json need = {{"id", String(1)},
                     {"incident_id", String(1)},
                     {"kind", need_kinds},
                     {"kind_zh", String(1)},
                     {"title", String(1)},
                     {"description", String()},
                     {"priority", IntegerIn(1, 4)},
                     {"quantity", Integer()},
                     {"committed", Integer()},
                     {"delivered", Integer()},
                     {"coverage", Enum({"open", "partial", "committed", "met"})},
                     {"unit_label", String()},
                     {"place", String()},
                     {"location", point},
                     {"contact_name", String()},
                     {"contact_phone", String()},
                     {"source_report_id", text},
                     {"created_by", String()},
                     {"created_at", DateTime()},
                     {"updated_at", DateTime()}};
  json::Json resource = {{"id", String(1)},
                         {"incident_id", Nullable(String(1))},  // null: a unit's reserve
                         {"unit_id", Nullable(String(1))},      // the reserve's unit
                         {"source_id", Nullable(String(1))},    // the reserve it was lent from
                         {"kind", resource_kinds},
                         {"kind_zh", String(1)},
                         {"name", String(1)},
                         {"quantity", Integer()},
                         {"committed", Integer()},
                         {"remaining", Integer()},
                         {"unit_label", String()},
                         {"place", String()},
                         {"location", point},
                         {"available", Boolean()},
                         {"contact_phone", String()},
                         {"created_by", String()},
                         {"created_at", DateTime()},
                         {"updated_at", DateTime()}};
  json::Json commitment = {{"id", String(1)},
                           {"incident_id", String(1)},
                           {"need_id", String(1)},
                           {"resource_id", String(1)},
                           {"quantity", Integer()},
                           {"complete", Boolean()},
                           {"status", Enum({"committed", "delivered", "cancelled"})},
                           {"note", String()},
                           {"created_by", String()},
                           {"created_at", DateTime()},
                           {"delivered_at", time},
                           {"cancelled_at", time}};
  return {
      {"NewIncident",
       Object({{"type", types},
               {"level", level_in},
               {"title", String(1, emergency::kMaxTitleChars)},
               {"description", String(0, emergency::kMaxDescriptionChars)},
               {"area",
                Object({{"polygon", Nullable(polygon)}, {"grid_ids", ArrayOf(String(1))}}, {})},
               {"unit_id", String(1)},
               {"source_warning_id", String(1)}},
              {"type", "level", "title", "area"})},
      {"EmergencyIncident", closed(incident)},
      {"IncidentDetail", closed(detail)},
      {"IncidentLevelChange",
       Object({{"level", level_in}, {"reason", String(1, emergency::kMaxReasonChars)}},
              {"level", "reason"})},
      {"IncidentClose", Object({{"summary", String(1, emergency::kMaxSummaryChars)}}, {"summary"})},
      {"SituationRound", closed({{"form_id", String(1)},
                                 {"series", String(1)},
                                 {"recipients", Integer()},
                                 {"due_by", DateTime()}})},
      {"NewNeed", Object({{"kind", need_kinds},
                          {"title", String(1)},
                          {"description", String()},
                          {"priority", IntegerIn(1, 4)},
                          {"quantity", IntegerIn(1, emergency::kMaxQuantity)},
                          {"unit_label", String()},
                          {"place", String()},
                          {"location", point},
                          {"contact_name", String()},
                          {"contact_phone", String()}},
                         {"kind", "title"})},
      {"Need", closed(need)},
      {"NeedsBoard",
       closed({{"items", ArrayOf(Ref("Need"))}, {"commitments", ArrayOf(Ref("Commitment"))}})},
      {"NewResource", Object({{"kind", resource_kinds},
                              {"name", String(1)},
                              {"quantity", IntegerIn(1, emergency::kMaxQuantity)},
                              {"unit_label", String()},
                              {"place", String()},
                              {"location", point},
                              {"available", Boolean()},
                              {"contact_phone", String()}},
                             {"kind", "name"})},
      {"Resource", closed(resource)},
      {"NewReserve", Object({{"unit_id", String(1)},
                             {"kind", resource_kinds},
                             {"name", String(1)},
                             {"quantity", IntegerIn(1, emergency::kMaxQuantity)},
                             {"unit_label", String()},
                             {"place", String()},
                             {"location", point},
                             {"available", Boolean()},
                             {"contact_phone", String()}},
                            {"unit_id", "kind", "name"})},
      {"Reserve", closed([&] {
         json::Json r = resource;
         r["unit_name"] = String();
         return r;
       }())},
      {"ReserveChange",
       Object({{"quantity", IntegerIn(1, emergency::kMaxQuantity)}, {"available", Boolean()}},
              {"quantity", "available"})},
      {"ReserveDeployment",
       Object({{"reserve_id", String(1)}, {"quantity", IntegerIn(0, emergency::kMaxQuantity)}},
              {"reserve_id"})},
      {"ResourceMatch", closed({{"resource_id", String(1)},
                                {"kind", resource_kinds},
                                {"name", String(1)},
                                {"can_give", Integer()},
                                {"complete", Boolean()},
                                {"distance_km", Nullable(Number())}})},
      {"NewCommitment", Object({{"need_id", String(1)},
                                {"resource_id", String(1)},
                                {"quantity", IntegerIn(0, emergency::kMaxQuantity)},
                                {"note", String()}},
                               {"need_id", "resource_id"})},
      {"Commitment", closed(commitment)},
      {"IncidentMap",
       Object({{"type", Enum({"FeatureCollection"})},
               {"features",
                ArrayOf(Object({{"type", Enum({"Feature"})},
                                {"geometry", Object(json::Json::object(), {}, false)},
                                {"properties", Object({{"layer", Enum({"area", "need", "resource",
                                                                       "shelter", "report"})}},
                                                      {"layer"}, false)}},
                               {"type", "geometry", "properties"}))},
               {"centre", ArrayOf(Number())},
               {"incident", Object(json::Json::object(), {}, false)}},
              {"type", "features", "incident"})},
  };
}

}  // namespace xietong::http
