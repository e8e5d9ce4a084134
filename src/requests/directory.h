// Directory: an immutable in-memory index of the org units, built once from
// the unit list (with geometry) and shared by every intake and importer.
//
// It answers the questions routing asks many times a second: which unit has
// this id or code, which are its ancestors, which grid a point falls in
// (a uniform cell index over the grids' bounding boxes, then an exact
// point-in-polygon test), and which community or street an address names.
// A point on an edge shared by two grids belongs to exactly one of them: the
// one on its east (for a north-south edge) or north (for an east-west edge)
// side. Thread-safe: never changes after Build; share it as
// std::shared_ptr<const Directory> and rebuild to reflect org changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "identity/identity.h"

namespace xietong::requests {

class Directory {
 public:
  // Indexes `units`. Each geometry must be a GeoJSON Polygon or MultiPolygon
  // with [lon, lat] positions and closed rings; otherwise, or when two units
  // share an id or a code, Error::InvalidArgument names the unit's code.
  static Result<std::shared_ptr<const Directory>> Build(std::vector<identity::OrgUnit> units);

  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // nullptr when there is no such unit.
  const identity::OrgUnit* Find(std::string_view id) const;
  const identity::OrgUnit* FindByCode(std::string_view code) const;
  const identity::OrgUnit* Parent(const identity::OrgUnit& unit) const;
  // The nearest of `unit` and its ancestors whose kind is one of `kinds`.
  const identity::OrgUnit* AncestorOfKind(const identity::OrgUnit& unit,
                                          std::initializer_list<identity::UnitKind> kinds) const;

  // The grid containing the WGS 84 point, or nullptr. Grids are half-open
  // (west and south edges in, east and north edges out), so a point on a
  // shared edge has exactly one grid; a point on the city's outer east or
  // north border falls back to the first grid touching it.
  const identity::OrgUnit* GridAt(double lat, double lon) const;
  // Inside some grid.
  bool InCity(double lat, double lon) const { return GridAt(lat, lon) != nullptr; }

  // The community, street or township named in free address text: its full
  // name, or its name without the suffix 社区/街道/镇/村 when what remains has
  // at least two Chinese characters. The longest match wins; among equally
  // long ones, a unit whose parent is also named in the text, then a full
  // name over a stem, then a community over a street. nullptr when none.
  const identity::OrgUnit* FindInAddress(std::string_view address) const;

  // The first receiving centre (kCentre), or nullptr.
  const identity::OrgUnit* Centre() const;
  // Every unit of the kind, in the order Build was given them.
  std::vector<const identity::OrgUnit*> OfKind(identity::UnitKind kind) const;
  // The name of the first kCity unit, e.g. "江澜市"; "" when there is none.
  std::string_view CityName() const;

 private:
  struct Box {
    double min_lon, min_lat, max_lon, max_lat;
    bool Contains(double lon, double lat) const {
      return lon >= min_lon && lon <= max_lon && lat >= min_lat && lat <= max_lat;
    }
  };
  // One polygon edge, stored with lat0 <= lat1 so that the neighbour sharing
  // it computes the same crossing from the same numbers.
  struct Edge {
    double lon0, lat0, lon1, lat1;
  };
  struct GridShape {
    Box box;
    std::uint32_t edge_begin, edge_end;  // into edges_
    const identity::OrgUnit* unit;
  };
  struct AddressTerm {
    std::string text;
    const identity::OrgUnit* unit;
    bool stem;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>>;

  Directory() = default;
  bool HalfOpenContains(const GridShape& g, double lon, double lat) const;
  bool OnBoundary(const GridShape& g, double lon, double lat) const;
  void BuildCells();
  void BuildAddressTerms();

  std::vector<identity::OrgUnit> units_;
  Index by_id_;
  Index by_code_;

  std::vector<GridShape> grids_;
  std::vector<Edge> edges_;
  // A uniform nx_ × ny_ cell index over bounds_: the grids whose box meets
  // cell c are cell_items_[cell_start_[c] .. cell_start_[c + 1]).
  Box bounds_{};
  int nx_ = 0, ny_ = 0;
  double cells_per_lon_ = 0, cells_per_lat_ = 0;
  std::vector<std::uint32_t> cell_start_;
  std::vector<std::uint32_t> cell_items_;

  std::vector<AddressTerm> address_terms_;  // longest first
};

}  // namespace xietong::requests
