#include "requests/routing.h"

#include <fmt/core.h>

#include <utility>

namespace xietong::requests {
namespace {

using identity::OrgUnit;
using identity::UnitKind;
using matters::HandlerLevel;
using matters::Matter;

bool IsPlace(UnitKind k) {
  return k == UnitKind::kGrid || k == UnitKind::kCommunity || k == UnitKind::kStreet ||
         k == UnitKind::kTownship || k == UnitKind::kDistrict;
}

std::string IdOf(const OrgUnit* u) { return u ? u->id : std::string(); }

Route RouteTo(const OrgUnit& unit, std::string rule) {
  return {unit.id, unit.name, unit.path, unit.kind, std::move(rule)};
}

// The located unit with this id, or NotFound when the org tree changed since
// the place was located.
Result<const OrgUnit*> Located(const Directory& dir, const std::string& id, std::string_view what) {
  const OrgUnit* u = dir.Find(id);
  if (!u)
    return Fail(Error::NotFound(fmt::format(
        "the place's {} '{}' is no longer in the org tree; locate the place again", what, id)));
  return u;
}

// A department by unit code, or NotFound naming the code and the matter.
Result<const OrgUnit*> Department(const Directory& dir, const Matter& leaf,
                                  const std::string& code) {
  const OrgUnit* u = dir.FindByCode(code);
  if (!u || u->kind != UnitKind::kDepartment)
    return Fail(Error::NotFound(
        fmt::format("matter {} ({}) goes to department {}, but there is no department with "
                    "that code; correct the matter's department_code",
                    leaf.name, leaf.code, code)));
  return u;
}

Error NeedsDepartmentCode(const Matter& leaf, std::string_view example) {
  return Error::InvalidArgument(
      fmt::format("matter {} ({}) is handled by a department but names none; set its "
                  "department_code, e.g. {}",
                  leaf.name, leaf.code, example));
}

}  // namespace

Result<Place> Locate(const Directory& dir, Place place, std::string_view place_unit_id) {
  place.grid_id.clear();
  place.community_id.clear();
  place.street_id.clear();
  place.district_id.clear();
  if (place.lat.has_value() != place.lon.has_value())
    return Fail(Error::InvalidArgument("'place.lat' and 'place.lon' come together"));
  const bool has_point = place.lat.has_value();

  const OrgUnit* unit = nullptr;
  if (!place_unit_id.empty()) {
    unit = dir.Find(place_unit_id);
    if (!unit)
      return Fail(Error::NotFound(
          fmt::format("'place_unit_id': there is no org unit with id '{}'", place_unit_id)));
    if (!IsPlace(unit->kind))
      return Fail(Error::InvalidArgument(
          fmt::format("'place_unit_id' names {}, a {}; give a grid, community, street, township "
                      "or district (departments and the centre handle requests, they are not "
                      "places)",
                      unit->name, identity::UnitKindName(unit->kind))));
    if (has_point) {
      const OrgUnit* grid = dir.GridAt(*place.lat, *place.lon);
      if (grid && grid != unit && grid->path.starts_with(unit->path)) unit = grid;
    }
  } else if (has_point) {
    unit = dir.GridAt(*place.lat, *place.lon);
    if (!unit) {
      const std::string_view city = dir.CityName();
      return Fail(
          Error::InvalidArgument(fmt::format("'place' ({}, {}) is outside {}", *place.lat,
                                             *place.lon, city.empty() ? "the city" : city)));
    }
  } else if (!place.address.empty()) {
    unit = dir.FindInAddress(place.address);
  }
  if (!unit) return place;

  place.grid_id = IdOf(dir.AncestorOfKind(*unit, {UnitKind::kGrid}));
  place.community_id = IdOf(dir.AncestorOfKind(*unit, {UnitKind::kCommunity}));
  place.street_id = IdOf(dir.AncestorOfKind(*unit, {UnitKind::kStreet, UnitKind::kTownship}));
  place.district_id = IdOf(dir.AncestorOfKind(*unit, {UnitKind::kDistrict}));
  return place;
}

Result<Route> RouteFor(const Directory& dir, const Matter& leaf, const Place& located) {
  if (!leaf.is_leaf())
    return Fail(Error::InvalidArgument(fmt::format(
        "matter {} ({}) is a category; choose one of the matters under it", leaf.name, leaf.code)));
  switch (leaf.handler) {
    case HandlerLevel::kCommunity: {
      if (located.community_id.empty())
        return Fail(Error::InvalidArgument(fmt::format(
            "「{0}」由社区办理，请给出地点（坐标、网格或社区，或写明社区的地址）— matter {0} is "
            "handled by the community: give the place (coordinates, a grid or community, or an "
            "address naming a community)",
            leaf.name)));
      XT_ASSIGN_OR_RETURN(const OrgUnit* community,
                          Located(dir, located.community_id, "community"));
      return RouteTo(*community, fmt::format("{}派至社区：{}",
                                             located.grid_id.empty() ? "按属地" : "按网格属地",
                                             community->name));
    }
    case HandlerLevel::kStreet: {
      if (located.street_id.empty())
        return Fail(Error::InvalidArgument(fmt::format(
            "「{0}」由街道乡镇办理，请给出地点（坐标、社区或街道，或写明它们的地址）— matter {0} "
            "is handled by the street: give the place (coordinates, a community or street, or an "
            "address naming one)",
            leaf.name)));
      XT_ASSIGN_OR_RETURN(const OrgUnit* street, Located(dir, located.street_id, "street"));
      return RouteTo(*street, fmt::format("按属地派至{}：{}",
                                          street->kind == UnitKind::kTownship ? "乡镇" : "街道",
                                          street->name));
    }
    case HandlerLevel::kDistrictDepartment: {
      if (leaf.department_code.empty()) return Fail(NeedsDepartmentCode(leaf, "D01"));
      if (located.district_id.empty())
        return Fail(Error::InvalidArgument(fmt::format(
            "「{0}」由所在区的部门办理，请给出地点（坐标、区内单位，或写明社区或街道的地址）— "
            "matter {0} is handled by a department of the district: give the place "
            "(coordinates, a unit in the district, or an address naming a community or street)",
            leaf.name)));
      XT_ASSIGN_OR_RETURN(const OrgUnit* district, Located(dir, located.district_id, "district"));
      XT_ASSIGN_OR_RETURN(
          const OrgUnit* department,
          Department(dir, leaf, fmt::format("{}-{}", district->code, leaf.department_code)));
      return RouteTo(*department, fmt::format("按属地派至所在区的部门：{}", department->name));
    }
    case HandlerLevel::kCityDepartment: {
      if (leaf.department_code.empty()) return Fail(NeedsDepartmentCode(leaf, "JL-D03"));
      XT_ASSIGN_OR_RETURN(const OrgUnit* department, Department(dir, leaf, leaf.department_code));
      return RouteTo(*department, fmt::format("事项指定市级部门：{}", department->name));
    }
  }
  return Fail(Error::Internal(fmt::format("matter {} has an unknown handler level", leaf.code)));
}

}  // namespace xietong::requests
