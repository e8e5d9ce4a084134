#include "requests/directory.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "core/json.h"

namespace xietong::requests {
namespace {

using identity::OrgUnit;
using identity::UnitKind;

// [lon, lat] positions of one closed ring.
using Ring = std::vector<std::array<double, 2>>;

Result<Ring> ParseRing(const json::Json& ring) {
  if (!ring.is_array() || ring.size() < 4)
    return Fail(Error::InvalidArgument("a linear ring must be an array of at least 4 positions"));
  Ring out;
  out.reserve(ring.size());
  for (const json::Json& pos : ring) {
    if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
      return Fail(Error::InvalidArgument("a position must be an array [lon, lat] of numbers"));
    const double lon = pos[0].get<double>(), lat = pos[1].get<double>();
    if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180 || lon > 180 || lat < -90 ||
        lat > 90)
      return Fail(Error::InvalidArgument(fmt::format(
          "position [{}, {}] is not [lon, lat] within [-180, 180] × [-90, 90]", lon, lat)));
    out.push_back({lon, lat});
  }
  if (out.front() != out.back())
    return Fail(Error::InvalidArgument("a linear ring must end at the position it starts from"));
  return out;
}

// Appends the rings of one Polygon's "coordinates" (exterior first, then holes).
Result<void> ParsePolygon(const json::Json& coordinates, std::vector<Ring>& rings) {
  if (!coordinates.is_array() || coordinates.empty())
    return Fail(
        Error::InvalidArgument("a Polygon's coordinates must be a non-empty array of rings"));
  for (const json::Json& ring : coordinates) {
    XT_ASSIGN_OR_RETURN(Ring r, ParseRing(ring));
    rings.push_back(std::move(r));
  }
  return {};
}

// Every ring of a GeoJSON Polygon or MultiPolygon.
Result<std::vector<Ring>> ParseGeometry(std::string_view text) {
  const json::Json doc = json::Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Fail(Error::InvalidArgument("it is not valid JSON"));
  if (!doc.is_object()) return Fail(Error::InvalidArgument("it must be a GeoJSON geometry object"));
  const auto type = doc.find("type");
  const auto coordinates = doc.find("coordinates");
  if (type == doc.end() || !type->is_string() || coordinates == doc.end())
    return Fail(Error::InvalidArgument("it needs 'type' and 'coordinates'"));
  std::vector<Ring> rings;
  const std::string& kind = type->get_ref<const std::string&>();
  if (kind == "Polygon") {
    XT_TRY_VOID(ParsePolygon(*coordinates, rings));
  } else if (kind == "MultiPolygon") {
    if (!coordinates->is_array() || coordinates->empty())
      return Fail(Error::InvalidArgument(
          "a MultiPolygon's coordinates must be a non-empty array of polygons"));
    for (const json::Json& polygon : *coordinates) XT_TRY_VOID(ParsePolygon(polygon, rings));
  } else {
    return Fail(
        Error::InvalidArgument(fmt::format("its type is '{}'; use Polygon or MultiPolygon", kind)));
  }
  return rings;
}

// Whether a code point is a CJK ideograph (the basic block, extension A,
// compatibility ideographs and the supplementary planes' ideographs).
bool IsHan(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F);
}

int CountHan(std::string_view utf8) {
  int n = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + len > utf8.size()) break;
    char32_t c = len == 1 ? lead : len == 2 ? lead & 0x1F : len == 3 ? lead & 0x0F : lead & 0x07;
    for (std::size_t k = 1; k < len; ++k)
      c = (c << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    if (IsHan(c)) ++n;
    i += len;
  }
  return n;
}

// The name without its administrative suffix, when at least two Chinese
// characters remain; "" otherwise.
std::string_view Stem(std::string_view name) {
  constexpr std::string_view kSuffixes[] = {"社区", "街道", "镇", "村"};
  for (std::string_view suffix : kSuffixes) {
    if (!name.ends_with(suffix)) continue;
    const std::string_view stem = name.substr(0, name.size() - suffix.size());
    return CountHan(stem) >= 2 ? stem : std::string_view();
  }
  return {};
}

bool Contains(std::string_view text, std::string_view part) {
  return !part.empty() && text.find(part) != std::string_view::npos;
}

}  // namespace

Result<std::shared_ptr<const Directory>> Directory::Build(std::vector<OrgUnit> units) {
  // The constructor is private, so make_shared cannot reach it.
  std::shared_ptr<Directory> dir(new Directory());
  dir->units_ = std::move(units);
  for (std::size_t i = 0; i < dir->units_.size(); ++i) {
    const OrgUnit& u = dir->units_[i];
    if (!dir->by_id_.emplace(u.id, i).second)
      return Fail(Error::InvalidArgument(
          fmt::format("unit {} has the id '{}' of another unit", u.code, u.id)));
    if (!dir->by_code_.emplace(u.code, i).second)
      return Fail(Error::InvalidArgument(fmt::format("two units have the code {}", u.code)));
  }

  for (const OrgUnit& u : dir->units_) {
    if (!u.geometry) continue;
    auto rings = ParseGeometry(*u.geometry);
    if (!rings)
      return Fail(Error::InvalidArgument(
          fmt::format("unit {} ({}) has a malformed geometry: {}; give a GeoJSON Polygon or "
                      "MultiPolygon with [lon, lat] positions",
                      u.code, u.name, rings.error().message)));
    if (u.kind != UnitKind::kGrid) continue;  // only grids are searched by point

    GridShape shape{{180, 90, -180, -90}, static_cast<std::uint32_t>(dir->edges_.size()), 0, &u};
    for (const Ring& ring : *rings) {
      for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
        auto [lon0, lat0] = ring[i];
        auto [lon1, lat1] = ring[i + 1];
        shape.box.min_lon = std::min(shape.box.min_lon, lon0);
        shape.box.max_lon = std::max(shape.box.max_lon, lon0);
        shape.box.min_lat = std::min(shape.box.min_lat, lat0);
        shape.box.max_lat = std::max(shape.box.max_lat, lat0);
        if (lon0 == lon1 && lat0 == lat1) continue;
        if (lat0 > lat1) {
          std::swap(lon0, lon1);
          std::swap(lat0, lat1);
        }
        dir->edges_.push_back({lon0, lat0, lon1, lat1});
      }
    }
    shape.edge_end = static_cast<std::uint32_t>(dir->edges_.size());
    dir->grids_.push_back(shape);
  }
  dir->BuildCells();
  dir->BuildAddressTerms();
  return std::shared_ptr<const Directory>(std::move(dir));
}

void Directory::BuildCells() {
  if (grids_.empty()) return;
  bounds_ = grids_.front().box;
  for (const GridShape& g : grids_) {
    bounds_.min_lon = std::min(bounds_.min_lon, g.box.min_lon);
    bounds_.min_lat = std::min(bounds_.min_lat, g.box.min_lat);
    bounds_.max_lon = std::max(bounds_.max_lon, g.box.max_lon);
    bounds_.max_lat = std::max(bounds_.max_lat, g.box.max_lat);
  }
  // About four cells per grid, shaped like the city, so that a cell holds one
  // to a few candidate grids.
  const double width = bounds_.max_lon - bounds_.min_lon;
  const double height = bounds_.max_lat - bounds_.min_lat;
  const double cells = 4.0 * static_cast<double>(grids_.size());
  constexpr int kMaxSide = 1024;
  if (width > 0 && height > 0) {
    nx_ = std::clamp(static_cast<int>(std::lround(std::sqrt(cells * width / height))), 1, kMaxSide);
    ny_ = std::clamp(static_cast<int>(std::ceil(cells / nx_)), 1, kMaxSide);
  } else {
    nx_ = width > 0 ? std::min(static_cast<int>(cells), kMaxSide) : 1;
    ny_ = height > 0 ? std::min(static_cast<int>(cells), kMaxSide) : 1;
  }
  cells_per_lon_ = width > 0 ? nx_ / width : 0;
  cells_per_lat_ = height > 0 ? ny_ / height : 0;

  // The same monotonic formula places a box and a query point, so a point
  // inside a grid's box always lands in a cell that lists the grid.
  auto cell_x = [this](double lon) {
    return std::clamp(static_cast<int>((lon - bounds_.min_lon) * cells_per_lon_), 0, nx_ - 1);
  };
  auto cell_y = [this](double lat) {
    return std::clamp(static_cast<int>((lat - bounds_.min_lat) * cells_per_lat_), 0, ny_ - 1);
  };
  const std::size_t n_cells = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  cell_start_.assign(n_cells + 1, 0);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::uint32_t> fill;
    if (pass == 1) {
      for (std::size_t c = 0; c < n_cells; ++c) cell_start_[c + 1] += cell_start_[c];
      cell_items_.resize(cell_start_[n_cells]);
      fill.assign(cell_start_.begin(), cell_start_.end() - 1);
    }
    for (std::uint32_t i = 0; i < grids_.size(); ++i) {
      const Box& b = grids_[i].box;
      for (int y = cell_y(b.min_lat); y <= cell_y(b.max_lat); ++y)
        for (int x = cell_x(b.min_lon); x <= cell_x(b.max_lon); ++x) {
          const std::size_t c = static_cast<std::size_t>(y) * nx_ + x;
          if (pass == 0)
            ++cell_start_[c + 1];
          else
            cell_items_[fill[c]++] = i;
        }
    }
  }
}

void Directory::BuildAddressTerms() {
  for (const OrgUnit& u : units_) {
    if (u.kind != UnitKind::kCommunity && u.kind != UnitKind::kStreet &&
        u.kind != UnitKind::kTownship)
      continue;
    if (!u.name.empty()) address_terms_.push_back({u.name, &u, false});
    if (std::string_view stem = Stem(u.name); !stem.empty())
      address_terms_.push_back({std::string(stem), &u, true});
  }
  // Longest first; then full names, then communities; then the given order.
  std::stable_sort(address_terms_.begin(), address_terms_.end(),
                   [](const AddressTerm& a, const AddressTerm& b) {
                     if (a.text.size() != b.text.size()) return a.text.size() > b.text.size();
                     if (a.stem != b.stem) return !a.stem;
                     const bool a_community = a.unit->kind == UnitKind::kCommunity;
                     const bool b_community = b.unit->kind == UnitKind::kCommunity;
                     return a_community && !b_community;
                   });
}

const OrgUnit* Directory::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &units_[it->second];
}

const OrgUnit* Directory::FindByCode(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &units_[it->second];
}

const OrgUnit* Directory::Parent(const OrgUnit& unit) const {
  return unit.parent_id ? Find(*unit.parent_id) : nullptr;
}

const OrgUnit* Directory::AncestorOfKind(const OrgUnit& unit,
                                         std::initializer_list<UnitKind> kinds) const {
  // Bounded by the unit count, so a parent cycle in bad data cannot loop.
  const OrgUnit* u = &unit;
  for (std::size_t steps = 0; u && steps <= units_.size(); ++steps, u = Parent(*u))
    if (std::find(kinds.begin(), kinds.end(), u->kind) != kinds.end()) return u;
  return nullptr;
}

// Crossing number along a ray to the east, counting an edge when the point's
// latitude is in [lat0, lat1) and the point lies strictly west of it: west
// and south borders are inside, east and north borders outside.
bool Directory::HalfOpenContains(const GridShape& g, double lon, double lat) const {
  bool inside = false;
  for (std::uint32_t i = g.edge_begin; i < g.edge_end; ++i) {
    const Edge& e = edges_[i];
    if (lat < e.lat0 || lat >= e.lat1) continue;
    const double cross = e.lon0 + (lat - e.lat0) * (e.lon1 - e.lon0) / (e.lat1 - e.lat0);
    if (lon < cross) inside = !inside;
  }
  return inside;
}

bool Directory::OnBoundary(const GridShape& g, double lon, double lat) const {
  constexpr double kTolerance = 1e-9;  // degrees, about 0.1 mm
  for (std::uint32_t i = g.edge_begin; i < g.edge_end; ++i) {
    const Edge& e = edges_[i];
    if (lat < e.lat0 || lat > e.lat1) continue;
    if (e.lat0 == e.lat1) {
      if (lon >= std::min(e.lon0, e.lon1) && lon <= std::max(e.lon0, e.lon1)) return true;
      continue;
    }
    const double cross = e.lon0 + (lat - e.lat0) * (e.lon1 - e.lon0) / (e.lat1 - e.lat0);
    if (std::abs(lon - cross) <= kTolerance) return true;
  }
  return false;
}

const OrgUnit* Directory::GridAt(double lat, double lon) const {
  if (grids_.empty() || !bounds_.Contains(lon, lat)) return nullptr;  // NaN fails here too
  const int x = std::clamp(static_cast<int>((lon - bounds_.min_lon) * cells_per_lon_), 0, nx_ - 1);
  const int y = std::clamp(static_cast<int>((lat - bounds_.min_lat) * cells_per_lat_), 0, ny_ - 1);
  const std::size_t c = static_cast<std::size_t>(y) * nx_ + x;
  const std::uint32_t begin = cell_start_[c], end = cell_start_[c + 1];
  for (std::uint32_t k = begin; k < end; ++k) {
    const GridShape& g = grids_[cell_items_[k]];
    if (g.box.Contains(lon, lat) && HalfOpenContains(g, lon, lat)) return g.unit;
  }
  // No grid owns the point half-open: it may sit on the city's outer east or
  // north border, which belongs to the grid inside it.
  for (std::uint32_t k = begin; k < end; ++k) {
    const GridShape& g = grids_[cell_items_[k]];
    if (g.box.Contains(lon, lat) && OnBoundary(g, lon, lat)) return g.unit;
  }
  return nullptr;
}

const OrgUnit* Directory::FindInAddress(std::string_view address) const {
  auto parent_named = [&](const OrgUnit& u) {
    const OrgUnit* parent = Parent(u);
    return parent && (Contains(address, parent->name) || Contains(address, Stem(parent->name)));
  };
  const AddressTerm* best = nullptr;
  bool best_parent_named = false;
  for (const AddressTerm& term : address_terms_) {
    if (best && term.text.size() < best->text.size()) break;
    if (!Contains(address, term.text)) continue;
    if (!best) {
      best = &term;
      best_parent_named = parent_named(*term.unit);
    } else if (!best_parent_named && parent_named(*term.unit)) {
      best = &term;
      best_parent_named = true;
    }
  }
  return best ? best->unit : nullptr;
}

const OrgUnit* Directory::Centre() const {
  for (const OrgUnit& u : units_)
    if (u.kind == UnitKind::kCentre) return &u;
  return nullptr;
}

std::vector<const OrgUnit*> Directory::OfKind(UnitKind kind) const {
  std::vector<const OrgUnit*> out;
  for (const OrgUnit& u : units_)
    if (u.kind == kind) out.push_back(&u);
  return out;
}

std::string_view Directory::CityName() const {
  for (const OrgUnit& u : units_)
    if (u.kind == UnitKind::kCity) return u.name;
  return {};
}

}  // namespace xietong::requests
