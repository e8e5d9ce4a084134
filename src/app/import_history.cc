#include "app/import_history.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <expected>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/csv.h"
#include "core/json.h"
#include "identity/identity.h"
#include "matters/catalog.h"
#include "requests/directory.h"
#include "requests/request.h"
#include "requests/routing.h"

namespace xietong::app {
namespace {

using identity::OrgUnit;
using identity::UnitKind;
using matters::Matter;
using requests::Place;
using requests::Request;
using requests::Status;

constexpr std::size_t kMaxExternalIdBytes = 64;

// --- text helpers -------------------------------------------------------------

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Valid UTF-8 without NUL bytes (PostgreSQL refuses both): each bad byte
// becomes U+FFFD. Source files are mostly ASCII; this keeps one stray Latin-1
// byte from failing a whole batch.
std::string CleanText(std::string_view s) {
  s = Trim(s);
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const auto bad = json::FindInvalidUtf8(s);
    const std::size_t good = bad.value_or(s.size());
    for (char c : s.substr(0, good)) {
      if (c == '\0')
        out += "\xEF\xBF\xBD";
      else
        out += c;
    }
    if (!bad) break;
    out += "\xEF\xBF\xBD";
    s.remove_prefix(good + 1);
  }
  return out;
}

// At most max_chars code points of valid UTF-8 text.
std::string Truncate(std::string s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == max_chars) {
      s.resize(i);
      break;
    }
    ++chars;
  }
  return s;
}

// FNV-1a, 64 bits: the same value on every platform and every run (unlike
// std::hash), so a neighbourhood lands on the same grid everywhere.
std::uint64_t StableHash(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Placeholders some exports write instead of an empty field.
bool IsPlaceholder(std::string_view s) {
  static constexpr std::string_view kPlaceholders[] = {
      "N/A", "NA", "n/a", "Resolution Description", "NULL", "null", "None"};
  return std::find(std::begin(kPlaceholders), std::end(kPlaceholders), s) !=
         std::end(kPlaceholders);
}

// --- the matter table ---------------------------------------------------------

struct MatterRule {
  std::vector<std::string_view> phrases;  // lower case, each matched at the start of a word
  std::string_view word;                  // looked up in the leaves' names and keywords
  bool refine = false;  // a general type: a rule matching the descriptor takes precedence
};

// Common 311 complaint types (Los Angeles, New York, Baltimore and alike) and
// the word of the Chinese catalogue that files them. The complaint type is
// matched first, the descriptor only when the type matches nothing or only a
// general rule (e.g. "Noise" / "Noise: Construction Before/After Hours"):
// descriptors are too loose to trust over the type ("Illegal Parking" /
// "Street Cleaning - ASP" is a parking complaint). The first rule with a
// matching phrase wins, so specific phrases come before general ones ("Dead
// Animal Removal" before "Animal", the bulky pickups "Household Appliances"
// before a broken "APPLIANCE" in a flat). Noise from neighbours (loud music,
// banging) is what a Chinese catalogue files as a neighbour dispute; music in
// the street as loudspeaker noise; heating and repairs in a rented flat as
// property management.
const std::vector<MatterRule>& MatterRules() {
  static const std::vector<MatterRule> rules = {
      // Noise
      {{"construction before", "noise - construction", "noise: construction"}, "施工扰民"},
      {{"noise - commercial"}, "商业经营噪声"},
      {{"noise - street", "noise - park"}, "音响"},
      {{"barking dog", "noise, barking"}, "狗叫"},
      {{"noise - residential"}, "邻里纠纷"},
      {{"noise"}, "噪声", true},
      // People in need
      {{"homeless", "encampment", "panhandling"}, "乞讨"},
      // Waste and cleanliness
      {{"water quality", "discolored", "dirty water", "drinking water", "lead", "water taste"},
       "水质"},
      {{"bulky", "bulk ", "household appliances", "white goods", "electronic waste",
        "missed collection", "mixed refuse", "refuse", "trash", "garbage", "sw-hgw", "bag pickup"},
       "垃圾清运"},
      {{"recycling"}, "垃圾分类"},
      {{"illegal dumping", "dumping", "industrial waste"}, "乱倒"},
      {{"rodent", "rat rubout", "rat sighting", "rats", "pests", "vermin", "mosquito", "roach"},
       "老鼠"},
      {{"dead animal", "dirty", "sanitation", "clean", "sweeping", "litter", "debris", "snow",
        "icy", "leaf collection"},
       "清扫"},
      {{"graffiti"}, "涂鸦"},
      {{"illegal sign", "posters", "flyer"}, "小广告"},
      // Animals
      {{"illegal animal", "wildlife"}, "野生动物"},
      {{"animal"}, "流浪动物"},
      // Streets and traffic
      {{"street light", "streetlight", "stlight", "street lighting"}, "路灯"},
      {{"manhole", "cover missing", "meter cover"}, "井盖"},
      {{"parking meter", "fcpf", "parking ticket"}, "停车收费"},
      {{"blocked driveway", "parking", "double parked"}, "违停"},
      {{"bicycle", "bike"}, "单车"},
      {{"abandoned vehicle", "derelict vehicle", "vehicle removal"}, "乱停"},
      {{"traffic signal", "signal repair", "street sign", "sign new", "sign damaged",
        "sign installation", "markings", "traffic"},
       "交通标志"},
      {{"pothole", "street condition", "street repair", "sidewalk", "footway", "curb", "highway",
        "alley", "roadway", "cave-in", "surface repair"},
       "道路破损"},
      // Housing: heating and repairs in a rented flat are the manager's duty
      {{"heat", "hot water", "boiler"}, "物业"},
      {{"elevator"}, "电梯"},
      // Water and drainage
      {{"no water", "low pressure", "water pressure", "water turn"}, "停水"},
      {{"hydrant", "water leak (ext", "water meter", "water main", "water waste",
        "water conservation", "water system"},
       "跑水"},
      {{"sewer", "sewage", "storm", "catch basin", "inlet", "in basement"}, "下水道"},
      {{"flooded", "flooding", "ponding"}, "积水"},
      // Building
      {{"general construction", "construction", "building/use", "building permit", "zoning",
        "illegal conversion"},
       "违法建设"},
      {{"water leak", "leak", "ceiling", "mold"}, "漏水"},
      {{"plumbing", "paint", "plaster", "door/window", "flooring", "unsanitary condition",
        "electric", "appliance", "weatherization", "maintenance structure"},
       "物业"},
      // Trees and parks
      {{"fallen limb", "down tree", "broken branch", "damaged tree", "dead/dying tree",
        "fallen tree"},
       "倒伏"},
      {{"tree", "grass", "mowing", "shrub", "weeds", "park maintenance"}, "绿化"},
      // Order and safety
      {{"fireworks", "drug", "police", "disorderly", "drinking"}, "治安"},
      {{"fire"}, "消防"},
      {{"vacant building", "boarding", "safety"}, "安全隐患"},
      {{"hazardous", "asbestos"}, "安全生产"},
      // Transport, food, trade, air
      {{"taxi"}, "出租车"},
      {{"for hire vehicle"}, "网约车"},
      {{"bus stop", "bus "}, "公交"},
      {{"food poisoning"}, "食物中毒"},
      {{"food"}, "食品安全"},
      {{"consumer complaint"}, "质量问题"},
      {{"air quality", "smoke", "odor", "idling"}, "废气"},
      {{"vending"}, "摆摊"},
  };
  return rules;
}

// Whether phrase occurs in text at the start of a word.
bool HasPhrase(std::string_view text, std::string_view phrase) {
  for (std::size_t pos = text.find(phrase); pos != std::string_view::npos;
       pos = text.find(phrase, pos + 1)) {
    if (pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]))) return true;
  }
  return false;
}

// Index of the first rule with a phrase in text, or -1.
int FirstRule(std::string_view text) {
  if (text.empty()) return -1;
  const std::string lowered = Lower(text);
  const auto& rules = MatterRules();
  for (std::size_t i = 0; i < rules.size(); ++i)
    for (auto phrase : rules[i].phrases)
      if (HasPhrase(lowered, phrase)) return static_cast<int>(i);
  return -1;
}

// Index into MatterRules(), or -1.
int RuleFor(std::string_view complaint_type, std::string_view descriptor) {
  const int by_type = FirstRule(complaint_type);
  if (by_type >= 0 && !MatterRules()[static_cast<std::size_t>(by_type)].refine) return by_type;
  const int by_descriptor = FirstRule(descriptor);
  return by_descriptor >= 0 ? by_descriptor : by_type;
}

// The leaf in effect whose name contains word, else whose keyword is word,
// else whose keyword contains it; the first by code. nullptr when none.
const Matter* LeafForWord(const std::vector<const Matter*>& leaves, std::string_view word) {
  for (const Matter* m : leaves)
    if (m->name.find(word) != std::string::npos) return m;
  for (const Matter* m : leaves)
    for (const auto& k : m->keywords)
      if (k == word) return m;
  for (const Matter* m : leaves)
    for (const auto& k : m->keywords)
      if (k.find(word) != std::string::npos) return m;
  return nullptr;
}

// --- columns ------------------------------------------------------------------

struct Columns {
  static constexpr std::size_t kMissing = std::numeric_limits<std::size_t>::max();
  std::size_t city = kMissing, request_id = kMissing, created_at = kMissing, closed_at = kMissing,
              due_at = kMissing, status = kMissing, complaint_type = kMissing,
              descriptor = kMissing, district = kMissing, neighborhood = kMissing, zip = kMissing,
              latitude = kMissing, longitude = kMissing, resolution_text = kMissing;
};

Result<Columns> FindColumns(const csv::Table& table) {
  Columns c;
  XT_ASSIGN_OR_RETURN(c.request_id, table.Column("request_id"));
  XT_ASSIGN_OR_RETURN(c.created_at, table.Column("created_at"));
  XT_ASSIGN_OR_RETURN(c.complaint_type, table.Column("complaint_type"));
  auto optional = [&](std::string_view name) {
    auto i = table.Column(name);
    return i ? *i : Columns::kMissing;
  };
  c.city = optional("city");
  c.closed_at = optional("closed_at");
  c.due_at = optional("due_at");
  c.status = optional("status");
  c.descriptor = optional("descriptor");
  c.district = optional("district");
  c.neighborhood = optional("neighborhood");
  c.zip = optional("zip");
  c.latitude = optional("latitude");
  c.longitude = optional("longitude");
  c.resolution_text = optional("resolution_text");
  return c;
}

struct Source {
  std::string path;
  csv::Table table;
  Columns columns;
};

// --- places -------------------------------------------------------------------

// The districts (by position in code order) each source city is spread over.
struct SourceCity {
  std::string_view name;
  std::vector<std::size_t> districts;
};
const std::vector<SourceCity>& SourceCities() {
  static const std::vector<SourceCity> cities = {
      {"Los Angeles", {0, 1}},
      {"New York", {2, 3}},
      {"Baltimore", {4}},
  };
  return cities;
}

// The grids and streets a source city's places are hashed onto, by code.
struct CityArea {
  std::vector<const OrgUnit*> grids;
  std::vector<const OrgUnit*> streets;
};

bool ByCode(const OrgUnit* a, const OrgUnit* b) { return a->code < b->code; }

std::optional<double> ParseDegrees(std::string_view s) {
  s = Trim(s);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Real coordinates, or "" for none, out of range, or a placeholder (0, or
// whole degrees such as Baltimore's 39,-77), rounded to 0.01° (about 1 km).
std::string CoordinateKey(std::string_view lat_text, std::string_view lon_text) {
  const auto lat = ParseDegrees(lat_text), lon = ParseDegrees(lon_text);
  if (!lat || !lon || std::abs(*lat) > 90 || std::abs(*lon) > 180) return "";
  if (*lat == 0 || *lon == 0 || (*lat == std::trunc(*lat) && *lon == std::trunc(*lon))) return "";
  return fmt::format("{:.2f},{:.2f}", *lat, *lon);
}

// --- the conversion -----------------------------------------------------------

struct RowText {
  std::string city, request_id, created_at, closed_at, due_at, status, complaint_type, descriptor,
      district, neighborhood, zip, latitude, longitude, resolution_text;
};

RowText Extract(const std::vector<std::string>& record, const Columns& c) {
  auto get = [&](std::size_t i) {
    if (i == Columns::kMissing || i >= record.size()) return std::string();
    std::string s = CleanText(record[i]);
    return IsPlaceholder(s) ? std::string() : s;
  };
  return {get(c.city),
          get(c.request_id),
          get(c.created_at),
          get(c.closed_at),
          get(c.due_at),
          get(c.status),
          get(c.complaint_type),
          get(c.descriptor),
          get(c.district),
          get(c.neighborhood),
          get(c.zip),
          get(c.latitude),
          get(c.longitude),
          get(c.resolution_text)};
}

bool ContainsAny(std::string_view lowered, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (lowered.find(w) != std::string_view::npos) return true;
  return false;
}

// Whether a closed row's problem was solved, as far as its status and
// resolution text tell.
bool Resolved(std::string_view status, std::string_view resolution) {
  if (ContainsAny(Lower(status), {"cancel", "duplicate", "referred", "transferred"})) return false;
  return !ContainsAny(
      Lower(resolution),
      {"no violation", "no evidence", "unable", "could not", "cannot", "not able", "not found",
       "duplicate", "not within", "does not fall", "were gone", "not necessary"});
}

struct Converted {
  Request request;
  bool general = false;  // filed under the general leaf: no word of the table matched
};

class Converter {
 public:
  Converter(const requests::Directory& dir, std::vector<const Matter*> leaves,
            const Matter& general, const WorkCalendar& calendar, double warn_fraction,
            Timestamp as_of)
      : dir_(dir),
        leaves_(std::move(leaves)),
        general_(general),
        calendar_(calendar),
        warn_fraction_(warn_fraction),
        as_of_(as_of),
        centre_(*dir.Centre()) {
    for (const OrgUnit* d : dir.OfKind(UnitKind::kDistrict)) districts_.push_back(d);
    std::sort(districts_.begin(), districts_.end(), ByCode);
    for (const auto& rule : MatterRules()) rule_leaves_.push_back(LeafForWord(leaves_, rule.word));
  }

  // The request for a row, or why it is rejected.
  std::expected<Converted, std::string> Convert(const RowText& row,
                                                const std::string& external_id) {
    if (row.created_at.empty()) return std::unexpected("missing created_at");
    const auto created = ParseSourceTime(row.created_at);
    if (!created) return std::unexpected("unreadable created_at");
    std::optional<Timestamp> closed;
    if (!row.closed_at.empty()) {
      auto c = ParseSourceTime(row.closed_at);
      if (!c) return std::unexpected("unreadable closed_at");
      if (*c < *created) return std::unexpected("closed before created");
      closed = *c;
    }

    const Matter* leaf = LeafFor(row.complaint_type, row.descriptor);
    const bool general = leaf == nullptr;
    if (general) leaf = &general_;

    Place place = PlaceFor(row);
    std::string unit_id, unit_path, unit_name;
    if (auto route = requests::RouteFor(dir_, *leaf, place)) {
      unit_id = std::move(route->unit_id);
      unit_path = std::move(route->unit_path);
      unit_name = std::move(route->unit_name);
    } else if (const OrgUnit* street = dir_.Find(place.street_id)) {
      unit_id = street->id;
      unit_path = street->path;
      unit_name = street->name;
    } else {
      return std::unexpected("no unit to route to (no place and a local handler)");
    }

    Request r;
    r.channel = requests::Channel::kImport;
    r.external_id = external_id;
    r.anonymous = true;
    r.matter_id = leaf->id;
    r.matter_version = leaf->version;
    r.place = std::move(place);
    r.centre_id = centre_.id;
    r.centre_path = centre_.path;
    r.unit_id = std::move(unit_id);
    r.unit_path = std::move(unit_path);
    r.unit_name = std::move(unit_name);
    r.dispatch_count = 1;

    std::string title = row.complaint_type;
    if (!row.descriptor.empty()) title += (title.empty() ? "" : " - ") + row.descriptor;
    if (title.empty()) title = "(no complaint type)";
    r.title = Truncate(std::move(title), requests::kMaxTitleChars);
    std::string text = row.descriptor;
    if (!row.resolution_text.empty()) text += (text.empty() ? "" : "\n") + row.resolution_text;
    r.text = Truncate(text.empty() ? r.title : std::move(text), requests::kMaxTextChars);

    const Timestamp dispatched = *created;
    r.received_at = r.dispatched_at = dispatched;
    r.sign_due = matters::Deadline(calendar_, dispatched, leaf->sign_limit);
    r.sign_warn_at = matters::WarnAt(calendar_, dispatched, leaf->sign_limit, warn_fraction_);
    r.return_until = matters::Deadline(calendar_, dispatched, leaf->return_window);
    r.finish_due = matters::Deadline(calendar_, dispatched, leaf->finish_limit);
    r.finish_warn_at = matters::WarnAt(calendar_, dispatched, leaf->finish_limit, warn_fraction_);
    if (!row.due_at.empty()) {
      // The source's own due time stands; its warning falls at the same share of it.
      if (auto due = ParseSourceTime(row.due_at); due && *due >= dispatched) {
        r.finish_due = *due;
        r.finish_warn_at =
            dispatched + static_cast<Timestamp>(static_cast<double>(*due - dispatched) *
                                                std::clamp(warn_fraction_, 0.0, 1.0));
      }
    }

    // The source records no signing; a stable delay of 30 min to 6 h stands in.
    const Timestamp sign_delay =
        30 * kMicrosPerMinute +
        static_cast<Timestamp>(StableHash(external_id) % (330 * 60)) * kMicrosPerSecond;
    const std::string status = Lower(row.status);
    if (closed) {
      r.status = Status::kClosed;
      r.signed_at = std::min(dispatched + sign_delay, *closed);
      r.replied_at = r.closed_at = *closed;
      r.reply = Truncate(row.resolution_text, requests::kMaxReplyChars);
      r.resolved = Resolved(row.status, row.resolution_text);
      r.finish_late = r.replied_at > r.finish_due;
    } else {
      const bool started = ContainsAny(status, {"progress", "started", "work"});
      r.status = started ? Status::kSigned : Status::kDispatched;
      if (started) r.signed_at = dispatched + sign_delay;
      r.finish_late = as_of_ != 0 && as_of_ > r.finish_due;
    }
    r.sign_late = r.signed_at != 0 ? r.signed_at > r.sign_due : as_of_ != 0 && as_of_ > r.sign_due;
    return Converted{std::move(r), general};
  }

 private:
  // The leaf of a row's words; nullptr when no word of the table matches one.
  const Matter* LeafFor(const std::string& complaint_type, const std::string& descriptor) {
    std::string key = complaint_type + '\x1f' + descriptor;
    if (auto it = leaf_cache_.find(key); it != leaf_cache_.end()) return it->second;
    const int rule = RuleFor(complaint_type, descriptor);
    const Matter* leaf = rule >= 0 ? rule_leaves_[static_cast<std::size_t>(rule)] : nullptr;
    leaf_cache_.emplace(std::move(key), leaf);
    return leaf;
  }

  const CityArea& AreaOf(const std::string& city) {
    if (auto it = areas_.find(city); it != areas_.end()) return it->second;
    std::unordered_set<const OrgUnit*> chosen;
    const auto& cities = SourceCities();
    const auto known = std::find_if(cities.begin(), cities.end(),
                                    [&](const SourceCity& c) { return c.name == city; });
    if (known == cities.end() || districts_.empty()) {
      chosen.insert(districts_.begin(), districts_.end());
    } else {
      for (std::size_t i : known->districts) chosen.insert(districts_[i % districts_.size()]);
    }
    auto in_area = [&](const OrgUnit* u) {
      return chosen.contains(dir_.AncestorOfKind(*u, {UnitKind::kDistrict}));
    };
    CityArea area;
    for (const OrgUnit* g : dir_.OfKind(UnitKind::kGrid))
      if (in_area(g)) area.grids.push_back(g);
    for (UnitKind k : {UnitKind::kStreet, UnitKind::kTownship})
      for (const OrgUnit* s : dir_.OfKind(k))
        if (in_area(s)) area.streets.push_back(s);
    std::sort(area.grids.begin(), area.grids.end(), ByCode);
    std::sort(area.streets.begin(), area.streets.end(), ByCode);
    return areas_.emplace(city, std::move(area)).first->second;
  }

  // The located place: a grid for a neighbourhood, zip or coordinates, a
  // street for a district alone, nothing when the row has none of them.
  Place PlaceFor(const RowText& row) {
    std::string key;
    bool fine = true;
    if (!row.neighborhood.empty()) {
      key = "n:" + Lower(row.neighborhood);
    } else if (!row.zip.empty()) {
      key = "z:" + row.zip;
    } else if (auto c = CoordinateKey(row.latitude, row.longitude); !c.empty()) {
      key = "c:" + c;
    } else if (!row.district.empty()) {
      key = "d:" + Lower(row.district);
      fine = false;
    }

    Place place;
    std::vector<std::string_view> parts = {row.city};
    if (!row.neighborhood.empty()) parts.push_back(row.neighborhood);
    if (!row.zip.empty()) parts.push_back(row.zip);
    if (parts.size() == 1 && !row.district.empty()) parts.push_back(row.district);
    std::string address;
    for (auto p : parts) {
      if (p.empty()) continue;
      if (!address.empty()) address += " · ";
      address += p;
    }
    if (key.empty()) {
      place.address = Truncate(std::move(address), requests::kMaxAddressChars);
      return place;
    }

    const std::string cache_key = row.city + '\x1f' + key;
    auto it = places_.find(cache_key);
    if (it == places_.end()) {
      const CityArea& area = AreaOf(row.city);
      const auto& pool = fine && !area.grids.empty() ? area.grids : area.streets;
      Place located;
      if (!pool.empty()) {
        const OrgUnit* unit = pool[StableHash(cache_key) % pool.size()];
        if (auto l = requests::Locate(dir_, Place{}, unit->id)) located = std::move(*l);
      }
      it = places_.emplace(cache_key, std::move(located)).first;
    }
    place = it->second;
    place.address = Truncate(std::move(address), requests::kMaxAddressChars);
    return place;
  }

  const requests::Directory& dir_;
  const std::vector<const Matter*> leaves_;
  const Matter& general_;
  const WorkCalendar& calendar_;
  const double warn_fraction_;
  const Timestamp as_of_;
  const OrgUnit& centre_;
  std::vector<const OrgUnit*> districts_;   // by code
  std::vector<const Matter*> rule_leaves_;  // per MatterRules() entry; nullptr: no such word
  std::unordered_map<std::string, const Matter*> leaf_cache_;  // nullptr: no word matched
  std::unordered_map<std::string, CityArea> areas_;
  std::unordered_map<std::string, Place> places_;
};

}  // namespace

// --- public -------------------------------------------------------------------

Result<Timestamp> ParseSourceTime(std::string_view text) {
  const std::string_view s = Trim(text);
  auto bad = [&] {
    return Fail(Error::InvalidArgument(fmt::format(
        "'{}' is not a time such as 2017-12-31 23:59:58 or 12/31/2017 11:59:58 PM", text)));
  };
  auto digits = [](std::string_view d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::string date, clock = "00:00:00", fraction;
  std::string_view rest;
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
    date = std::string(s.substr(0, 10));
    rest = s.substr(10);
  } else {
    // US style: M/D/YYYY [h:mm[:ss] [AM|PM]]
    const auto slash1 = s.find('/'), slash2 = s.find('/', slash1 + 1);
    if (slash1 == std::string_view::npos || slash2 == std::string_view::npos) return bad();
    std::size_t year_end = slash2 + 1;
    while (year_end < s.size() && s[year_end] >= '0' && s[year_end] <= '9') ++year_end;
    const auto m = s.substr(0, slash1), d = s.substr(slash1 + 1, slash2 - slash1 - 1),
               y = s.substr(slash2 + 1, year_end - slash2 - 1);
    if (!digits(m) || !digits(d) || y.size() != 4 || !digits(y) || m.size() > 2 || d.size() > 2)
      return bad();
    date = fmt::format("{}-{:0>2}-{:0>2}", y, m, d);
    rest = s.substr(year_end);
  }
  if (!rest.empty()) {
    if (rest[0] != ' ' && rest[0] != 'T' && rest[0] != 't') return bad();
    rest = Trim(rest.substr(1));
    // A zone suffix is dropped: the wall time as written is the one kept.
    if (!rest.empty() && (rest.back() == 'Z' || rest.back() == 'z')) rest.remove_suffix(1);
    if (rest.size() > 6 && (rest[rest.size() - 6] == '+' || rest[rest.size() - 6] == '-') &&
        rest[rest.size() - 3] == ':')
      rest.remove_suffix(6);
    int add_hours = -1;  // -1: 24-hour clock
    const std::string upper = Lower(rest);
    if (upper.ends_with("am") || upper.ends_with("pm")) {
      add_hours = upper.ends_with("pm") ? 12 : 0;
      rest = Trim(rest.substr(0, rest.size() - 2));
    }
    if (const auto dot = rest.find('.'); dot != std::string_view::npos) {
      fraction = std::string(rest.substr(dot));
      if (!digits(rest.substr(dot + 1))) return bad();
      rest = rest.substr(0, dot);
    }
    const auto colon1 = rest.find(':');
    if (colon1 == std::string_view::npos) return bad();
    const auto colon2 = rest.find(':', colon1 + 1);
    const auto h = rest.substr(0, colon1);
    const auto mi =
        rest.substr(colon1 + 1, colon2 == std::string_view::npos ? std::string_view::npos
                                                                 : colon2 - colon1 - 1);
    const auto sec =
        colon2 == std::string_view::npos ? std::string_view("00") : rest.substr(colon2 + 1);
    if (!digits(h) || h.size() > 2 || !digits(mi) || mi.size() != 2 || !digits(sec) ||
        sec.size() != 2)
      return bad();
    int hour = std::stoi(std::string(h));
    if (add_hours >= 0) {
      if (hour < 1 || hour > 12) return bad();
      hour = hour % 12 + add_hours;
    }
    clock = fmt::format("{:02}:{}:{}", hour, mi, sec);
  }
  auto t = ParseRfc3339(fmt::format("{}T{}{}+08:00", date, clock, fraction));
  if (!t) return bad();
  return *t;
}

std::vector<std::string_view> MatterTableWords() {
  std::vector<std::string_view> words;
  for (const auto& rule : MatterRules()) words.push_back(rule.word);
  return words;
}

std::string_view MatterWordFor(std::string_view complaint_type, std::string_view descriptor) {
  const int rule = RuleFor(complaint_type, descriptor);
  return rule < 0 ? std::string_view() : MatterRules()[static_cast<std::size_t>(rule)].word;
}

Result<ImportReport> ImportUs311(const WorkCalendar& calendar, requests::RequestService& requests,
                                 matters::MatterService& matters, const ImportOptions& options,
                                 const ImportProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  if (options.files.empty())
    return Fail(Error::InvalidArgument("name at least one CSV file to import"));
  if (options.batch < 1)
    return Fail(Error::InvalidArgument(
        fmt::format("the batch size must be at least 1, not {}", options.batch)));

  XT_ASSIGN_OR_RETURN(auto dir, requests.directory());
  if (!dir->Centre())
    return Fail(Error::Conflict(
        "the org tree has no receiving centre to own imported requests; create the city first "
        "(e.g. `xietong demo`)"));
  if (dir->OfKind(UnitKind::kDistrict).empty())
    return Fail(Error::Conflict("the org tree has no districts to place imported requests in"));
  XT_ASSIGN_OR_RETURN(auto catalog, matters.Snapshot());
  std::vector<const Matter*> leaves;
  for (const Matter* m : catalog->Leaves())
    if (catalog->InEffect(*m)) leaves.push_back(m);
  if (leaves.empty())
    return Fail(Error::Conflict(
        "the list of matters has no leaf in effect to file imported requests under; seed it "
        "first (e.g. `xietong demo`)"));
  // The general leaf: the first under 城乡建设, else the first of all.
  const Matter* general = leaves.front();
  for (const Matter* top : catalog->Children(""))
    if (top->name == "城乡建设") {
      const std::string prefix = top->code + "-";
      const auto it = std::find_if(leaves.begin(), leaves.end(),
                                   [&](const Matter* m) { return m->code.starts_with(prefix); });
      if (it != leaves.end()) general = *it;
      break;
    }

  // Every file is opened and its header checked before anything is stored.
  std::vector<Source> sources;
  std::int64_t total_bytes = 0;
  for (const auto& path : options.files) {
    auto table = csv::Table::Open(path);
    if (!table)
      return Fail(Error{table.error().code, fmt::format("{}: {}", path, table.error().message)});
    auto columns = FindColumns(*table);
    if (!columns)
      return Fail(Error::InvalidArgument(fmt::format("{}: {}", path, columns.error().message)));
    total_bytes += table->reader().total_bytes();
    sources.push_back({path, std::move(*table), *columns});
  }

  XT_ASSIGN_OR_RETURN(auto existing, requests.ExternalIds(requests::Channel::kImport));
  std::unordered_set<std::string> seen;  // accepted in this run
  Converter converter(*dir, std::move(leaves), *general, calendar, requests.options().warn_fraction,
                      options.as_of);

  ImportReport report;
  std::int64_t done_bytes = 0;  // of the files finished
  std::vector<Request> batch;
  batch.reserve(static_cast<std::size_t>(options.batch));
  auto reject = [&](const std::string& reason) {
    ++report.rejected;
    ++report.rejected_by_reason[reason];
  };
  auto flush = [&](Source* current) -> Result<void> {
    if (!batch.empty()) {
      auto stored = requests.ImportHistory(identity::Principal::System(), std::move(batch));
      batch.clear();
      if (!stored)
        return Fail(Error{stored.error().code,
                          fmt::format("storing a batch failed after {} rows were imported: {}; "
                                      "run the import again to go on (imported rows are skipped)",
                                      report.imported, stored.error().message)});
      report.imported += *stored;
    }
    if (progress && options.progress)
      progress(done_bytes + (current ? current->table.reader().bytes_read() : 0), total_bytes,
               report.read);
    return {};
  };
  auto more = [&] { return options.limit <= 0 || report.read < options.limit; };

  for (auto& source : sources) {
    std::optional<std::string> last_error;
    while (more()) {
      auto record = source.table.Next();
      if (!record) {
        // A record with too many fields is one bad row; the same error twice
        // is the reader stuck on a broken file.
        if (last_error == record.error().message)
          return Fail(Error::InvalidArgument(
              fmt::format("{}: {}; {} rows were imported before it (a re-run skips them)",
                          source.path, record.error().message, report.imported)));
        last_error = record.error().message;
        ++report.read;
        reject("more fields than the header");
        continue;
      }
      last_error.reset();
      if (!*record) break;
      ++report.read;
      const RowText row = Extract(**record, source.columns);
      if (row.request_id.empty()) {
        reject("missing request_id");
        continue;
      }
      std::string external_id = row.city + ":" + row.request_id;
      if (external_id.size() > kMaxExternalIdBytes) {
        reject("external_id longer than 64 bytes");
        continue;
      }
      if (existing.contains(external_id)) {
        ++report.skipped_existing;
        continue;
      }
      auto converted = converter.Convert(row, external_id);
      if (!converted) {
        reject(converted.error());
        continue;
      }
      if (!seen.insert(std::move(external_id)).second) {
        reject("request_id twice in the input");
        continue;
      }
      if (converted->general) ++report.general_matter;
      batch.push_back(std::move(converted->request));
      if (batch.size() >= static_cast<std::size_t>(options.batch)) XT_TRY_VOID(flush(&source));
    }
    done_bytes += source.table.reader().total_bytes();
    if (!more()) break;
  }
  XT_TRY_VOID(flush(nullptr));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace xietong::app
