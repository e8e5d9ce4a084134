// IncidentService::Map: the incident's live map as one GeoJSON
// FeatureCollection — the area, needs, resources (shelters with capacity and
// occupancy) and the verified crowd reports — for the command page, and
// without personal data for the public incident page.
#include <fmt/core.h>

#include "emergency/incident_service.h"
#include "emergency/incident_store.h"
#include "emergency/resource_store.h"

namespace xietong::emergency {
namespace {

json::Json Point(GeoPoint p) { return {{"type", "Point"}, {"coordinates", {p.lng, p.lat}}}; }

json::Json Feature(json::Json geometry, json::Json properties) {
  return {{"type", "Feature"},
          {"geometry", std::move(geometry)},
          {"properties", std::move(properties)}};
}

}  // namespace

Result<json::Json> IncidentService::Map(const std::optional<identity::Principal>& actor,
                                        std::string_view incident_id) {
  const bool pub = !actor.has_value();
  XT_ASSIGN_OR_RETURN(
      auto parts,
      db_.Read([&](storage::Executor& ex)
                   -> Result<std::tuple<Incident, std::vector<Need>, std::vector<Resource>>> {
        Incident inc;
        if (pub) {
          XT_ASSIGN_OR_RETURN(auto found, store::FindIncident(ex, incident_id));
          if (!found)
            return Fail(
                Error::NotFound(fmt::format("no incident '{}'", incident_id.substr(0, 64))));
          inc = std::move(*found);
        } else {
          XT_ASSIGN_OR_RETURN(inc, Visible(ex, *actor, incident_id));
        }
        XT_ASSIGN_OR_RETURN(auto needs, store::Needs(ex, inc.id));
        XT_ASSIGN_OR_RETURN(auto resources, store::Resources(ex, inc.id));
        return std::tuple{std::move(inc), std::move(needs), std::move(resources)};
      }));
  auto& [inc, needs, resources] = parts;
  json::Json features = json::Json::array();
  const json::Json incident_props = {{"layer", "area"},
                                     {"id", inc.id},
                                     {"title", inc.title},
                                     {"type", inc.type},
                                     {"level", inc.level},
                                     {"level_roman", LevelRoman(inc.level)},
                                     {"level_zh", LevelZh(inc.level)},
                                     {"status", StatusName(inc.status)},
                                     {"grid_ids", inc.area.grid_ids}};
  features.push_back(Feature(PolygonJson(inc.area), incident_props));
  for (const auto& n : needs) {
    if (!n.location) continue;
    json::Json p = {{"layer", "need"},
                    {"id", n.id},
                    {"kind", n.kind},
                    {"kind_zh", NeedKindZh(n.kind)},
                    {"priority", n.priority},
                    {"quantity", n.quantity},
                    {"committed", n.committed},
                    {"delivered", n.delivered},
                    {"unit_label", n.unit_label},
                    {"coverage", Coverage(n)}};
    if (!pub) {
      // What a resident wrote and who they are stay on the command side.
      p["title"] = n.title;
      p["description"] = n.description;
      p["place"] = n.place;
      p["contact_name"] = n.contact_name;
      p["contact_phone"] = n.contact_phone;
      p["source_report_id"] = n.source_report_id;
    }
    features.push_back(Feature(Point(*n.location), std::move(p)));
  }
  for (const auto& r : resources) {
    // The public page shows shelters only (where to go); the rest of what
    // the command holds is operational.
    if (!r.location || (pub && r.kind != "shelter")) continue;
    json::Json p = {{"layer", r.kind == "shelter" ? "shelter" : "resource"},
                    {"id", r.id},
                    {"kind", r.kind},
                    {"kind_zh", ResourceKindZh(r.kind)},
                    {"name", r.name},
                    {"place", r.place},
                    {"quantity", r.quantity},
                    {"committed", r.committed},
                    {"remaining", r.remaining()},
                    {"unit_label", r.unit_label},
                    {"available", r.available}};
    if (!pub) p["contact_phone"] = r.contact_phone;
    features.push_back(Feature(Point(r.location.value()), std::move(p)));
  }
  if (crowd_layer_) {
    XT_ASSIGN_OR_RETURN(auto points, crowd_layer_(inc.id));
    for (auto& m : points) {
      json::Json p = std::move(m.properties);
      p["layer"] = "report";
      p["id"] = m.id;
      p["kind"] = m.kind;
      p["title"] = m.title;
      p["status"] = m.status;
      features.push_back(Feature(Point(m.location), std::move(p)));
    }
  }
  json::Json out = {{"type", "FeatureCollection"}, {"features", std::move(features)}};
  if (const auto c = Centre(inc.area)) out["centre"] = {c->lng, c->lat};
  out["incident"] = incident_props;
  return out;
}

}  // namespace xietong::emergency
