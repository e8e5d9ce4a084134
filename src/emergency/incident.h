// Incidents (突发事件): a type, a level I–IV, an area, a timeline and a
// command task force (指挥部). Pure: no I/O.
//
//   types:     a small table (IncidentTypes): waterlogging 积水/内涝, fire 火灾,
//              gas_leak 燃气泄漏, water_outage 停水, road_collapse 道路塌陷,
//              public_health 公共卫生, other 其他.
//   levels:    I 特别重大 (most severe) … IV 一般; stored as 1…4. Raising
//              means a smaller number. A change needs a reason and another
//              level than the current one; a closed incident changes nothing.
//   area:      a GeoJSON Polygon (one outer ring, ≥ 4 positions, closed, lng/lat
//              inside their ranges) and/or grid ids; at least one of the two.
//   status:    active → closed (with a summary); closing is final.
//   templates: per type × level, who leads the 指挥部 (a unit kind and the
//              level it sits at) and which departments report — as data
//              (kForceTemplates in incident.cc, documented in the README).
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "identity/identity.h"

namespace xietong::emergency {

inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxDescriptionChars = 4000;
inline constexpr std::size_t kMaxReasonChars = 1000;
inline constexpr std::size_t kMaxSummaryChars = 8000;
inline constexpr std::size_t kMaxGridIds = 500;
inline constexpr std::size_t kMaxRingPositions = 2000;

struct IncidentType {
  std::string_view key, zh, en;
};
// Every type, in display order.
std::span<const IncidentType> IncidentTypes();
// The type with this key; InvalidArgument naming "type" otherwise.
Result<IncidentType> ParseIncidentType(std::string_view key);

inline constexpr int kLevelMostSevere = 1;   // I 特别重大
inline constexpr int kLevelLeastSevere = 4;  // IV 一般
// "I" … "IV"
std::string_view LevelRoman(int level);
// 特别重大, 重大, 较大, 一般
std::string_view LevelZh(int level);
// Accepts 1…4 or "I"…"IV" (as a JSON number or string).
Result<int> ParseLevel(const json::Json& v);

struct GeoPoint {
  double lat = 0, lng = 0;
};

struct Area {
  std::vector<GeoPoint> ring = {};  // the polygon's outer ring; empty when only grids
  std::vector<std::string> grid_ids = {};
};
// Reads {"polygon": GeoJSON Polygon | null, "grid_ids": [..]} pieces: the
// polygon as a GeoJSON geometry object.
Result<std::vector<GeoPoint>> ParsePolygon(const json::Json& geometry);
Result<void> ValidateArea(const Area& a);
// The ring's vertex mean (the map's centre when no point is given).
std::optional<GeoPoint> Centre(const Area& a);
// GeoJSON Polygon geometry for the ring; null when there is none.
json::Json PolygonJson(const Area& a);
// Whether p lies inside the ring (ray casting); false without a ring.
bool Contains(const Area& a, GeoPoint p);

struct IncidentInput {
  std::string type = {};
  int level = 0;
  std::string title = {};
  std::string description = {};
  Area area = {};
  std::string unit_id = {};  // the commanding unit; "" = the opener's first unit allowed to
  // Set when a warning is escalated (warning_service): recorded on the incident.
  std::optional<std::string> source_warning_id = {};
};
// The checked text fields (the unit is the service's).
Result<void> ValidateIncidentInput(const IncidentInput& in);

enum class IncidentStatus { kActive, kClosed };
std::string_view StatusName(IncidentStatus s);
Result<IncidentStatus> ParseStatus(std::string_view s);

struct Incident {
  std::string id = {};
  std::string type = {};
  int level = kLevelLeastSevere;
  std::string title = {}, description = {};
  Area area = {};
  std::string unit_id = {}, unit_path = {}, unit_name = {};
  IncidentStatus status = IncidentStatus::kActive;
  std::string source_warning_id = {};  // "" when opened directly
  std::string force_id = {};           // "" until the 指挥部 is formed
  std::string report_series = {};      // the 情况报告 forms' series: "incident:<id>"
  std::string created_by = {};
  Timestamp created_at = 0, updated_at = 0, closed_at = 0;
  std::string summary = {};
  std::int64_t version = 1;
};

// One line of an incident's timeline: every change is an entry.
struct TimelineEntry {
  std::string incident_id = {};
  std::int64_t seq = 0;
  Timestamp at = 0;
  std::string actor_id = {}, actor_name = {};
  std::string kind = {};  // opened, level_raised, level_lowered, force_formed, need_added, …
  std::string text = {};
  json::Json data = json::Json::object();
};

// The new state of an incident whose level changes; Conflict when closed,
// InvalidArgument for a bad level, the same level or no reason.
struct LevelChange {
  int from = 0, to = 0;
  bool raised = false;  // to is more severe
};
Result<LevelChange> DecideLevelChange(const Incident& current, int to, std::string_view reason);
// Conflict when already closed; InvalidArgument for an empty or long summary.
Result<void> DecideClose(const Incident& current, std::string_view summary);
// Conflict when closed: what every change to needs, resources and commitments checks.
Result<void> RequireActive(const Incident& current);

// Who may do what to an incident (see incident_service.h): command over the
// commanding unit; respond over it or from a unit below it; read as either,
// as an overseer, or as staff of a unit below it.
bool MayCommand(const identity::Principal& actor, const Incident& i);
bool MayRespond(const identity::Principal& actor, const Incident& i);
bool MayRead(const identity::Principal& actor, const Incident& i);
// 储备: a unit's reserves are registered and changed by staff who may respond
// to incidents over that unit; every staff member who may respond or command
// anywhere reads the whole register (a street's command needs the
// district's warehouses).
bool MayManageReserve(const identity::Principal& actor, std::string_view unit_path);
bool MayReadReserves(const identity::Principal& actor);

// 指挥部 template of one type × level.
struct ForceTemplate {
  std::string_view lead_unit_kind;            // identity UnitKindName: "city", "district", "street"
  std::string_view lead_role;                 // who leads there, e.g. "分管副区长"
  std::vector<std::string_view> departments;  // which departments report (by name)
  int situation_report_hours = 0;             // 情况报告 interval
};
ForceTemplate TemplateFor(std::string_view type, int level);
// The force's title, goal and charter in Chinese, from the template.
std::string ForceTitle(const Incident& i);
std::string ForceCharter(const Incident& i, const ForceTemplate& t);

}  // namespace xietong::emergency
