#include "insight/series.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "core/csv.h"

namespace xietong::insight {
namespace {

// Floor division for instants before 1970.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    m = (m + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
  }
  return m;
}

// "YYYY-MM-DD…" → Day.
std::optional<Day> ParseDate(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  auto num = [&](std::size_t at, std::size_t len, int& out) {
    auto [p, ec] = std::from_chars(text.data() + at, text.data() + at + len, out);
    return ec == std::errc{} && p == text.data() + at + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{y},
                                         std::chrono::month{static_cast<unsigned>(m)},
                                         std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return DayFromDate(date);
}

}  // namespace

Day DayOf(Timestamp t) { return static_cast<Day>(FloorDiv(t + kShanghaiOffset, kMicrosPerDay)); }

Timestamp StartOfDay(Day day) {
  return static_cast<Timestamp>(day) * kMicrosPerDay - kShanghaiOffset;
}

std::chrono::year_month_day DateOf(Day day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

Day DayFromDate(std::chrono::year_month_day date) {
  return static_cast<Day>(std::chrono::sys_days{date}.time_since_epoch().count());
}

std::string DayText(Day day) {
  const auto d = DateOf(day);
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

int Weekday(Day day) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  return static_cast<int>(((static_cast<std::int64_t>(day) + 3) % 7 + 7) % 7);
}

DayType DayTypeOf(Day day, const WorkCalendar* calendar) {
  if (calendar != nullptr) {
    const auto date = DateOf(day);
    if (calendar->HolidayName(date)) return DayType::kHoliday;
    if (calendar->MakeupWorkdayName(date)) return DayType::kMakeup;
  }
  return static_cast<DayType>(Weekday(day));
}

int EffectiveWeekday(DayType type) {
  if (type == DayType::kHoliday) return 6;
  if (type == DayType::kMakeup) return 0;
  return static_cast<int>(type);
}

std::vector<Segment> ObservedSegments(std::span<const double> totals, Day first, int min_gap) {
  std::vector<Segment> out;
  const int n = static_cast<int>(totals.size());
  int i = 0;
  while (i < n && totals[i] <= 0) ++i;
  if (i == n) return out;
  int start = i;
  int last_nonzero = i;
  for (int t = i + 1; t <= n; ++t) {
    if (t < n && totals[t] <= 0) continue;
    // t is a day with requests (or the end): a gap of t - last_nonzero - 1 zero days lies before
    // it.
    if (t == n || t - last_nonzero - 1 >= min_gap) {
      out.push_back({first + start, first + last_nonzero});
      start = t;
    }
    last_nonzero = t;
  }
  return out;
}

std::optional<Segment> LongestSegment(std::span<const Segment> segments, int min_days) {
  std::optional<Segment> best;
  for (const Segment& s : segments) {
    if (s.days() >= min_days && (!best || s.days() > best->days())) best = s;
  }
  return best;
}

std::vector<double> ClipOutliers(std::span<const double> y) {
  constexpr std::size_t kWindow = 28;
  std::vector<double> out(y.begin(), y.end());
  std::vector<double> window, deviations;
  for (std::size_t t = kWindow; t < y.size(); ++t) {
    window.assign(y.begin() + static_cast<std::ptrdiff_t>(t - kWindow),
                  y.begin() + static_cast<std::ptrdiff_t>(t));
    const double median = Median(window);
    deviations.resize(window.size());
    for (std::size_t i = 0; i < window.size(); ++i) deviations[i] = std::abs(window[i] - median);
    const double mad = std::max(1.0, Median(deviations));
    out[t] = std::min(y[t], median + 10 * mad);
  }
  return out;
}

double Series::total() const { return std::accumulate(y.begin(), y.end(), 0.0); }

Result<Us311Data> ReadUs311Series(const std::string& path) {
  auto table = csv::Table::Open(path);
  if (!table) return std::unexpected(table.error());
  std::size_t col_city = 0, col_created = 0, col_type = 0, col_district = 0;
  for (auto [name, col] : {std::pair<std::string_view, std::size_t*>{"city", &col_city},
                           {"created_at", &col_created},
                           {"complaint_type", &col_type},
                           {"district", &col_district}}) {
    auto c = table->Column(name);
    if (!c) return std::unexpected(c.error());
    *col = *c;
  }

  // (area, category) → day → count; "" category = all. Cities keep their own day maps.
  struct Counts {
    std::map<Day, double> by_day;
  };
  std::map<std::string, std::int64_t> city_rows;
  std::map<std::pair<std::string, std::string>, Counts> counts;  // (area, category)
  std::map<std::string, std::string> city_of_area;
  Us311Data data;
  Day lo = std::numeric_limits<Day>::max(), hi = std::numeric_limits<Day>::min();
  while (true) {
    auto row = table->Next();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const auto& r = **row;
    ++data.rows;
    const auto day = ParseDate(r[col_created]);
    if (!day || r[col_city].empty()) {
      ++data.skipped;
      continue;
    }
    lo = std::min(lo, *day);
    hi = std::max(hi, *day);
    const std::string& city = r[col_city];
    const std::string& type = r[col_type];
    ++city_rows[city];
    city_of_area[city] = city;
    counts[{city, ""}].by_day[*day] += 1;
    if (!type.empty()) counts[{city, type}].by_day[*day] += 1;
    // Districts that are names (NY boroughs), not council numbers (LA) or empty.
    const std::string& district = r[col_district];
    if (!district.empty() && !std::isdigit(static_cast<unsigned char>(district[0])) &&
        district != "Unspecified") {
      const std::string area = city + "/" + district;
      city_of_area[area] = city;
      counts[{area, ""}].by_day[*day] += 1;
      if (!type.empty()) counts[{area, type}].by_day[*day] += 1;
    }
  }
  if (data.rows == data.skipped) return data;
  data.first_day = lo;
  data.last_day = hi;

  std::map<std::string, Segment> segment_of_city;
  for (const auto& [city, rows] : city_rows) {
    const auto& by_day = counts[{city, ""}].by_day;
    const Day first = by_day.begin()->first;
    std::vector<double> dense(static_cast<std::size_t>(by_day.rbegin()->first - first + 1), 0.0);
    for (const auto& [d, n] : by_day) dense[static_cast<std::size_t>(d - first)] = n;
    const auto segments = ObservedSegments(dense, first);
    Us311Data::City c{city, rows, LongestSegment(segments)};
    if (c.segment) segment_of_city[city] = *c.segment;
    data.cities.push_back(std::move(c));
  }

  for (auto& [key, c] : counts) {
    const auto& [area, category] = key;
    const auto seg = segment_of_city.find(city_of_area[area]);
    if (seg == segment_of_city.end()) continue;
    Series s;
    s.area = area;
    s.category = category;
    s.key = fmt::format("place:{}|cat:{}|ch:all", area, category.empty() ? "all" : category);
    s.area_total = category.empty() && area == city_of_area[area];
    s.first_day = seg->second.first;
    s.y.assign(static_cast<std::size_t>(seg->second.days()), 0.0);
    double sum = 0;
    for (auto it = c.by_day.lower_bound(seg->second.first);
         it != c.by_day.end() && it->first <= seg->second.last; ++it) {
      s.y[static_cast<std::size_t>(it->first - s.first_day)] = it->second;
      sum += it->second;
    }
    if (sum > 0) data.series.push_back(std::move(s));
  }
  return data;
}

}  // namespace xietong::insight
