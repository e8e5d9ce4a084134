#include "emergency/incident.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "identity/authorization.h"

namespace xietong::emergency {
namespace {

constexpr std::array<IncidentType, 7> kTypes = {{
    {"waterlogging", "积水/内涝", "Waterlogging / urban flooding"},
    {"fire", "火灾", "Fire"},
    {"gas_leak", "燃气泄漏", "Gas leak"},
    {"water_outage", "停水", "Water outage"},
    {"road_collapse", "道路塌陷", "Road collapse"},
    {"public_health", "公共卫生", "Public health"},
    {"other", "其他", "Other"},
}};

Error Bad(std::string field, std::string reason, std::string message) {
  return Error::InvalidArgument(std::move(message)).About(std::move(field), std::move(reason));
}

Result<void> CheckText(std::string_view field, std::string_view s, std::size_t min,
                       std::size_t max) {
  const auto n = json::CountCodePoints(s);
  if (n < min)
    return Fail(Bad(std::string(field), "required", fmt::format("{} is required", field)));
  if (n > max) {
    return Fail(Bad(std::string(field), "too_long",
                    fmt::format("{} is longer than {} characters", field, max)));
  }
  if (json::FindMisleadingChar(s)) {
    return Fail(Bad(std::string(field), "control_char",
                    fmt::format("{} contains a control or direction character", field)));
  }
  return {};
}

bool ValidLevel(int l) { return l >= kLevelMostSevere && l <= kLevelLeastSevere; }

}  // namespace

std::span<const IncidentType> IncidentTypes() { return kTypes; }

Result<IncidentType> ParseIncidentType(std::string_view key) {
  for (const auto& t : kTypes)
    if (t.key == key) return t;
  return Fail(Bad("type", "unknown", fmt::format("unknown incident type \"{}\"", key)));
}

std::string_view LevelRoman(int level) {
  static constexpr std::string_view kRoman[] = {"I", "II", "III", "IV"};
  return ValidLevel(level) ? kRoman[level - 1] : "?";
}

std::string_view LevelZh(int level) {
  static constexpr std::string_view kZh[] = {"特别重大", "重大", "较大", "一般"};
  return ValidLevel(level) ? kZh[level - 1] : "?";
}

Result<int> ParseLevel(const json::Json& v) {
  if (v.is_number_integer()) {
    const auto l = v.get<std::int64_t>();
    if (l >= kLevelMostSevere && l <= kLevelLeastSevere) return static_cast<int>(l);
  } else if (v.is_string()) {
    const auto s = v.get<std::string>();
    for (int l = kLevelMostSevere; l <= kLevelLeastSevere; ++l)
      if (s == LevelRoman(l)) return l;
  }
  return Fail(Bad("level", "invalid", "level must be 1–4 or \"I\"–\"IV\" (I is the most severe)"));
}

Result<std::vector<GeoPoint>> ParsePolygon(const json::Json& g) {
  const auto bad = [](std::string m) { return Fail(Bad("area.polygon", "invalid", std::move(m))); };
  if (!g.is_object() || !g.contains("type") || g["type"] != "Polygon" ||
      !g.contains("coordinates") || !g["coordinates"].is_array() || g["coordinates"].empty()) {
    return bad("area.polygon must be a GeoJSON Polygon with coordinates");
  }
  const auto& ring = g["coordinates"][0];
  if (!ring.is_array() || ring.size() < 4 || ring.size() > kMaxRingPositions) {
    return bad(fmt::format("the polygon's ring needs 4–{} positions", kMaxRingPositions));
  }
  std::vector<GeoPoint> out;
  out.reserve(ring.size());
  for (const auto& p : ring) {
    if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) {
      return bad("each position is [lng, lat]");
    }
    out.push_back({.lat = p[1].get<double>(), .lng = p[0].get<double>()});
  }
  return out;
}

Result<void> ValidateArea(const Area& a) {
  if (a.ring.empty() && a.grid_ids.empty()) {
    return Fail(Bad("area", "required", "an incident needs an area: a polygon or grid ids"));
  }
  if (!a.ring.empty()) {
    if (a.ring.size() < 4 || a.ring.size() > kMaxRingPositions) {
      return Fail(Bad("area.polygon", "invalid", "the polygon's ring needs at least 4 positions"));
    }
    for (const auto& p : a.ring) {
      if (!std::isfinite(p.lat) || !std::isfinite(p.lng) || p.lat < -90 || p.lat > 90 ||
          p.lng < -180 || p.lng > 180) {
        return Fail(Bad("area.polygon", "out_of_range", "a position is outside lng/lat ranges"));
      }
    }
    if (a.ring.front().lat != a.ring.back().lat || a.ring.front().lng != a.ring.back().lng) {
      return Fail(Bad("area.polygon", "not_closed", "the polygon's ring must end where it starts"));
    }
  }
  if (a.grid_ids.size() > kMaxGridIds) {
    return Fail(Bad("area.grid_ids", "too_many", fmt::format("at most {} grid ids", kMaxGridIds)));
  }
  for (const auto& g : a.grid_ids) XT_TRY_VOID(CheckText("area.grid_ids", g, 1, 64));
  return {};
}

std::optional<GeoPoint> Centre(const Area& a) {
  if (a.ring.size() < 2) return std::nullopt;
  GeoPoint c;
  const std::size_t n = a.ring.size() - 1;  // the closing position repeats the first
  for (std::size_t i = 0; i < n; ++i) {
    c.lat += a.ring[i].lat;
    c.lng += a.ring[i].lng;
  }
  c.lat /= static_cast<double>(n);
  c.lng /= static_cast<double>(n);
  return c;
}

json::Json PolygonJson(const Area& a) {
  if (a.ring.empty()) return nullptr;
  json::Json ring = json::Json::array();
  for (const auto& p : a.ring) ring.push_back({p.lng, p.lat});
  return {{"type", "Polygon"}, {"coordinates", json::Json::array({ring})}};
}

bool Contains(const Area& a, GeoPoint p) {
  bool inside = false;
  const auto& r = a.ring;
  for (std::size_t i = 0, j = r.size() ? r.size() - 1 : 0; i < r.size(); j = i++) {
    if ((r[i].lat > p.lat) != (r[j].lat > p.lat) &&
        p.lng < (r[j].lng - r[i].lng) * (p.lat - r[i].lat) / (r[j].lat - r[i].lat) + r[i].lng) {
      inside = !inside;
    }
  }
  return inside;
}

Result<void> ValidateIncidentInput(const IncidentInput& in) {
  XT_TRY_VOID(ParseIncidentType(in.type));
  if (!ValidLevel(in.level)) {
    return Fail(Bad("level", "invalid", "level must be 1–4 (I 特别重大 … IV 一般)"));
  }
  XT_TRY_VOID(CheckText("title", in.title, 1, kMaxTitleChars));
  XT_TRY_VOID(CheckText("description", in.description, 0, kMaxDescriptionChars));
  XT_TRY_VOID(ValidateArea(in.area));
  if (in.source_warning_id) {
    XT_TRY_VOID(CheckText("source_warning_id", *in.source_warning_id, 1, 64));
  }
  return {};
}

std::string_view StatusName(IncidentStatus s) {
  return s == IncidentStatus::kActive ? "active" : "closed";
}

Result<IncidentStatus> ParseStatus(std::string_view s) {
  if (s == "active") return IncidentStatus::kActive;
  if (s == "closed") return IncidentStatus::kClosed;
  return Fail(Bad("status", "invalid", "status is active or closed"));
}

Result<void> RequireActive(const Incident& current) {
  if (current.status != IncidentStatus::kActive) {
    return Fail(Error::Conflict("the incident is closed").About("status", "closed"));
  }
  return {};
}

Result<LevelChange> DecideLevelChange(const Incident& current, int to, std::string_view reason) {
  XT_TRY_VOID(RequireActive(current));
  if (!ValidLevel(to)) return Fail(Bad("level", "invalid", "level must be 1–4"));
  if (to == current.level) {
    return Fail(Bad("level", "unchanged", "the incident is already at this level"));
  }
  XT_TRY_VOID(CheckText("reason", reason, 1, kMaxReasonChars));
  return LevelChange{.from = current.level, .to = to, .raised = to < current.level};
}

Result<void> DecideClose(const Incident& current, std::string_view summary) {
  XT_TRY_VOID(RequireActive(current));
  return CheckText("summary", summary, 1, kMaxSummaryChars);
}

namespace {

bool Staff(const identity::Principal& a) {
  return a.is_system() || a.kind == identity::AccountKind::kStaff;
}

// A membership below the incident's commanding unit whose role allows it.
bool BelowWith(const identity::Principal& a, const Incident& i,
               std::optional<identity::Action> action) {
  return std::any_of(a.memberships.begin(), a.memberships.end(), [&](const auto& m) {
    return m.unit_path.starts_with(i.unit_path) &&
           (!action || identity::RoleAllows(m.role, *action));
  });
}

}  // namespace

bool MayCommand(const identity::Principal& actor, const Incident& i) {
  return Staff(actor) && identity::Can(actor, identity::Action::kIncidentCommand, i.unit_path);
}

bool MayRespond(const identity::Principal& actor, const Incident& i) {
  if (!Staff(actor)) return false;
  return identity::Can(actor, identity::Action::kIncidentRespond, i.unit_path) ||
         BelowWith(actor, i, identity::Action::kIncidentRespond);
}

bool MayManageReserve(const identity::Principal& actor, std::string_view unit_path) {
  return Staff(actor) && identity::Can(actor, identity::Action::kIncidentRespond, unit_path);
}

bool MayReadReserves(const identity::Principal& actor) {
  if (actor.is_system()) return true;
  if (!Staff(actor)) return false;
  return std::any_of(actor.memberships.begin(), actor.memberships.end(), [](const auto& m) {
    return identity::RoleAllows(m.role, identity::Action::kIncidentRespond) ||
           identity::RoleAllows(m.role, identity::Action::kIncidentCommand);
  });
}

bool MayRead(const identity::Principal& actor, const Incident& i) {
  if (!Staff(actor)) return false;
  return MayRespond(actor, i) || MayCommand(actor, i) ||
         identity::Can(actor, identity::Action::kCollabOversee, i.unit_path) ||
         BelowWith(actor, i, std::nullopt);
}

// Who leads the 指挥部 and which departments report, per type and level.
// Levels I–II are commanded at city level, III at district level, IV at
// district level for fire/gas/public health (specialised departments sit
// there) and at street level otherwise. The departments are the ones each
// type always needs; a more severe level adds the common ones (应急管理局
// everywhere, 公安局 and 卫生健康委 from level II up).
ForceTemplate TemplateFor(std::string_view type, int level) {
  ForceTemplate t;
  if (type == "waterlogging") {
    t.departments = {"水务局", "城市管理委员会", "交通运输局"};
  } else if (type == "fire") {
    t.departments = {"消防救援支队", "公安局", "卫生健康委"};
  } else if (type == "gas_leak") {
    t.departments = {"燃气集团", "城市管理委员会", "消防救援支队"};
  } else if (type == "water_outage") {
    t.departments = {"水务局", "自来水集团"};
  } else if (type == "road_collapse") {
    t.departments = {"住房和城乡建设委", "交通运输局", "公安局"};
  } else if (type == "public_health") {
    t.departments = {"卫生健康委", "疾病预防控制中心", "市场监督管理局"};
  } else {
    t.departments = {};
  }
  t.departments.insert(t.departments.begin(), "应急管理局");
  const bool specialised = type == "fire" || type == "gas_leak" || type == "public_health";
  if (level <= 2) {
    t.lead_unit_kind = "city";
    t.lead_role = level == 1 ? "市长" : "分管副市长";
    for (std::string_view d : {"公安局", "卫生健康委"})
      if (std::find(t.departments.begin(), t.departments.end(), d) == t.departments.end())
        t.departments.push_back(d);
    t.situation_report_hours = level == 1 ? 1 : 2;
  } else if (level == 3 || specialised) {
    t.lead_unit_kind = "district";
    t.lead_role = "分管副区长";
    t.situation_report_hours = level == 3 ? 4 : 6;
  } else {
    t.lead_unit_kind = "street";
    t.lead_role = "街道办事处主任";
    t.situation_report_hours = 12;
  }
  return t;
}

std::string ForceTitle(const Incident& i) {
  const auto type = ParseIncidentType(i.type);
  return fmt::format("{}（{}级·{}）指挥部", i.title, LevelRoman(i.level),
                     type ? type->zh : std::string_view("其他"));
}

std::string ForceCharter(const Incident& i, const ForceTemplate& t) {
  std::string deps;
  for (const auto& d : t.departments) deps += fmt::format("{}{}", deps.empty() ? "" : "、", d);
  return fmt::format(
      "{}级（{}）事件指挥部。牵头：{}级 {}；报告部门：{}。区域内各单位每 {} 小时报送情况报告。",
      LevelRoman(i.level), LevelZh(i.level), t.lead_unit_kind, t.lead_role, deps,
      t.situation_report_hours);
}

}  // namespace xietong::emergency
