// Routing: where a request is (Locate) and which unit handles it (RouteFor).
//
// Locate turns what the caller knows about a place (a unit id, coordinates,
// an address) into the grid, community, street/township and district it lies
// in; RouteFor picks the handling unit of a leaf matter for that place and
// says why in words the operator reads. Pure functions over an immutable
// Directory; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "identity/identity.h"
#include "matters/matter.h"
#include "requests/directory.h"
#include "requests/request.h"

namespace xietong::requests {

// Fills the located units of a place from, in this order: an explicit unit id
// (grid, community, street/township or district; a department, a centre or
// the city is rejected, an unknown id is Error::NotFound), coordinates (must
// fall in a grid, else Error::InvalidArgument "'place' (lat, lon) is outside
// 江澜市" using the city's name), or an address naming a community/street.
// With an explicit unit, coordinates only refine it to the grid they fall in
// when that grid lies inside the unit; otherwise the unit stands. Ancestors
// are filled from the most precise unit (grid → community → street →
// district); unit ids the caller put in `place` are replaced. Nothing known →
// the place is returned with empty unit ids (no error: a request may be
// recorded without a place).
Result<Place> Locate(const Directory& dir, Place place, std::string_view place_unit_id);

struct Route {
  std::string unit_id, unit_name, unit_path;
  identity::UnitKind unit_kind = identity::UnitKind::kCommunity;
  // zh-CN explanation shown to the operator, e.g. "按网格属地派至社区：湖畔社区",
  // "事项指定市级部门：市生态环境局", "按属地派至所在区的部门：湖滨区城管局".
  std::string rule;
};

// The unit a located request goes to for this leaf matter: kCommunity → the
// place's community; kStreet → its street/township; kDistrictDepartment → the
// unit with code "<district code>-<department_code>"; kCityDepartment → the
// unit with that code. Error::InvalidArgument when the matter is not a leaf
// or the place lacks the unit the handler needs (the message says what to
// give); Error::NotFound when the department code, or a located unit, does not
// exist in the directory.
Result<Route> RouteFor(const Directory& dir, const matters::Matter& leaf, const Place& located);

}  // namespace xietong::requests
