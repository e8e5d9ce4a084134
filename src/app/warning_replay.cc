#include "app/warning_replay.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/cli_support.h"
#include "app/import_history.h"
#include "core/csv.h"

namespace xietong::app {
namespace {

namespace w = emergency::warning;
using w::kHour;

struct Row {
  Timestamp at = 0;
  std::string id, category, street, text;
  int burst = -1;  // index of the planted burst, -1 for real rows
};

struct Burst {
  std::size_t city = 0;
  std::string category, street;
  Timestamp start = 0;
  double expected = 0;  // λ·burst_hours before the burst
  int size = 0;
  std::optional<Timestamp> detected_at;
};

struct City {
  std::string name;
  std::vector<Row> rows;
  // The city's weekday × hour pattern (w::SlotOf): requests in a slot over
  // the mean per slot. A burst is sized against the series' rate times this,
  // the baseline the detector itself learns, not the flat mean.
  std::array<double, 168> pattern = {};
  std::int64_t first_hour = 0;
  std::vector<std::int32_t> observed_before;  // prefix sums of "hour has data near it"
  std::int64_t ObservedHours(std::int64_t from, std::int64_t to) const {
    const auto clamp = [&](std::int64_t h) {
      return static_cast<std::size_t>(
          std::clamp<std::int64_t>(h - first_hour, 0, std::ssize(observed_before) - 1));
    };
    return observed_before[clamp(to)] - observed_before[clamp(from)];
  }
};

std::int64_t HourOf(Timestamp t) { return (t + 8 * kHour) / kHour; }

Result<std::vector<City>> ReadCities(const std::string& path, std::int64_t& rows_read) {
  XT_ASSIGN_OR_RETURN(auto table, csv::Table::Open(path));
  XT_ASSIGN_OR_RETURN(const std::size_t c_city, table.Column("city"));
  XT_ASSIGN_OR_RETURN(const std::size_t c_id, table.Column("request_id"));
  XT_ASSIGN_OR_RETURN(const std::size_t c_time, table.Column("created_at"));
  XT_ASSIGN_OR_RETURN(const std::size_t c_type, table.Column("complaint_type"));
  XT_ASSIGN_OR_RETURN(const std::size_t c_desc, table.Column("descriptor"));
  XT_ASSIGN_OR_RETURN(const std::size_t c_district, table.Column("district"));
  XT_ASSIGN_OR_RETURN(const std::size_t c_hood, table.Column("neighborhood"));
  std::vector<City> cities;
  std::map<std::string, std::size_t> index;
  while (true) {
    auto next = table.Next();
    if (!next) {
      if (next.error().code == ErrorCode::kInvalidArgument &&
          next.error().message.find("more fields") != std::string::npos) {
        continue;  // one bad record, as the importer counts it: skipped
      }
      return Fail(next.error());
    }
    if (!*next) break;
    const auto& r = **next;
    ++rows_read;
    auto at = ParseSourceTime(r[c_time]);
    if (!at) continue;
    const std::string& place = !r[c_hood].empty() ? r[c_hood] : r[c_district];
    if (place.empty()) continue;
    const std::string_view word = MatterWordFor(r[c_type], r[c_desc]);
    auto [it, added] = index.try_emplace(r[c_city], cities.size());
    if (added) cities.push_back(City{.name = r[c_city], .rows = {}, .observed_before = {}});
    Row row;
    row.at = *at;
    row.id = r[c_id];
    row.category = word.empty() ? r[c_type] : std::string(word);
    row.street = r[c_city] + ":" + place;
    row.text = std::string(word) + " " + r[c_desc];
    cities[it->second].rows.push_back(std::move(row));
  }
  return cities;
}

void LearnPattern(City& c, const WorkCalendar* calendar) {
  std::array<double, 168> count = {};
  for (const Row& r : c.rows)
    count[static_cast<std::size_t>(w::SlotOf(HourOf(r.at), calendar))] += 1;
  const double mean = static_cast<double>(c.rows.size()) / 168.0;
  for (std::size_t i = 0; i < count.size(); ++i) c.pattern[i] = mean > 0 ? count[i] / mean : 1.0;
}

void MarkObserved(City& c, double max_gap_hours) {
  std::sort(c.rows.begin(), c.rows.end(), [](const Row& a, const Row& b) { return a.at < b.at; });
  if (c.rows.empty()) return;
  c.first_hour = HourOf(c.rows.front().at);
  const std::int64_t last = HourOf(c.rows.back().at);
  std::vector<char> observed(static_cast<std::size_t>(last - c.first_hour + 1), 0);
  std::int64_t prev = c.first_hour;
  for (const Row& r : c.rows) {
    const std::int64_t h = HourOf(r.at);
    if (static_cast<double>(h - prev) <= max_gap_hours) {
      for (std::int64_t x = prev; x <= h; ++x)
        observed[static_cast<std::size_t>(x - c.first_hour)] = 1;
    } else {
      observed[static_cast<std::size_t>(h - c.first_hour)] = 1;
    }
    prev = h;
  }
  c.observed_before.assign(observed.size() + 1, 0);
  for (std::size_t i = 0; i < observed.size(); ++i) {
    c.observed_before[i + 1] = c.observed_before[i] + observed[i];
  }
}

}  // namespace

Result<ReplayReport> ReplayWarnings(const ReplayOptions& o, const WorkCalendar* calendar) {
  const auto started = std::chrono::steady_clock::now();
  ReplayReport report;
  XT_ASSIGN_OR_RETURN(auto cities, ReadCities(o.input, report.rows));
  for (City& c : cities) {
    MarkObserved(c, o.detector.max_gap_hours);
    LearnPattern(c, calendar);
  }

  // Plant: real rows of the second half of each city's history give series and start.
  std::vector<std::pair<std::size_t, std::size_t>> candidates;
  for (std::size_t ci = 0; ci < cities.size(); ++ci) {
    for (std::size_t i = cities[ci].rows.size() / 2; i < cities[ci].rows.size(); ++i) {
      candidates.emplace_back(ci, i);
    }
  }
  std::mt19937_64 rng(o.seed);
  std::vector<Burst> bursts;
  std::set<std::pair<std::string, std::int64_t>> used;  // series, day
  const auto burst_us = static_cast<Timestamp>(o.burst_hours * kHour);
  for (int attempt = 0;
       std::ssize(bursts) < o.plant && attempt < o.plant * 20 && !candidates.empty(); ++attempt) {
    const auto [ci, ri] = candidates[rng() % candidates.size()];
    const Row& seed_row = cities[ci].rows[ri];
    const std::string series = seed_row.category + "\x1f" + seed_row.street;
    if (!used.insert({series, HourOf(seed_row.at) / 24}).second) continue;
    used.insert({series, HourOf(seed_row.at) / 24 - 1});
    used.insert({series, HourOf(seed_row.at) / 24 + 1});
    Burst b;
    b.city = ci;
    b.category = seed_row.category;
    b.street = seed_row.street;
    // Start within the hour after the row, at a random minute.
    b.start = seed_row.at + static_cast<Timestamp>(rng() % static_cast<std::uint64_t>(kHour));
    const Timestamp span = 14 * 24 * kHour;
    int count = 0;
    for (const Row& r : cities[ci].rows) {
      if (r.burst < 0 && r.at >= b.start - span && r.at < b.start + span &&
          r.category == b.category && r.street == b.street) {
        ++count;
      }
    }
    const auto hours = cities[ci].ObservedHours(HourOf(b.start - span), HourOf(b.start + span) + 1);
    const double rate = hours > 0 ? count / static_cast<double>(hours) : 0;
    double shape = 0;  // the pattern's mean over the burst's hours
    const auto burst_h = std::max<std::int64_t>(1, std::llround(o.burst_hours));
    for (std::int64_t h = 0; h < burst_h; ++h) {
      shape +=
          cities[ci].pattern[static_cast<std::size_t>(w::SlotOf(HourOf(b.start) + h, calendar))];
    }
    b.expected = rate * o.burst_hours * shape / static_cast<double>(burst_h);
    b.size = static_cast<int>(std::lround(2 * b.expected));
    // A series so quiet that tripling it adds not one request has no burst
    // to plant: counting it as missed would measure the rounding, not the
    // detector. Another seed row is drawn.
    if (b.size == 0) continue;
    for (int k = 0; k < b.size; ++k) {
      Row r;
      r.at = b.start + burst_us * (2 * k + 1) / (2 * b.size);
      r.id = fmt::format("planted-{}-{}", bursts.size(), k);
      r.category = b.category;
      r.street = b.street;
      r.burst = static_cast<int>(bursts.size());
      cities[ci].rows.push_back(std::move(r));
    }
    bursts.push_back(std::move(b));
  }

  const auto quiet_us = static_cast<Timestamp>(o.detector.quiet_hours * kHour);
  const auto delay_us = static_cast<Timestamp>(o.max_delay_hours * kHour);
  double street_months = 0;
  double observed_hours = 0;
  for (std::size_t ci = 0; ci < cities.size(); ++ci) {
    City& c = cities[ci];
    std::stable_sort(c.rows.begin(), c.rows.end(),
                     [](const Row& a, const Row& b) { return a.at < b.at; });
    std::unordered_map<std::string, std::vector<std::size_t>> by_series;  // bursts of this city
    for (std::size_t bi = 0; bi < bursts.size(); ++bi) {
      if (bursts[bi].city == ci) {
        by_series[bursts[bi].category + "\x1f" + bursts[bi].street].push_back(bi);
      }
    }
    w::Detector detector(o.detector, calendar);
    std::set<std::string> streets;
    for (const Row& r : c.rows) {
      streets.insert(r.street);
      const auto alerts = detector.Add({.request_id = r.id,
                                        .at = r.at,
                                        .category = r.category,
                                        .street_id = r.street,
                                        .text = r.text});
      for (const w::Alert& a : alerts) {
        bool explained = false;
        if (a.kind != w::Kind::kKeyword) {
          const auto it = by_series.find(a.category + "\x1f" + a.street_id);
          if (it != by_series.end()) {
            for (const std::size_t bi : it->second) {
              Burst& b = bursts[bi];
              if (a.at >= b.start && a.at <= b.start + burst_us + quiet_us) explained = true;
              if (a.at >= b.start && a.at <= b.start + delay_us && !b.detected_at) {
                b.detected_at = a.at;
              }
            }
          }
        } else {
          for (const Burst& b : bursts) {
            if (b.city == ci && b.street == a.street_id && a.at >= b.start &&
                a.at <= b.start + burst_us + quiet_us) {
              explained = true;
            }
          }
        }
        if (a.opened && !explained) ++report.false_warnings;
      }
    }
    const double hours = std::max<double>(
        0, static_cast<double>(c.observed_before.empty() ? 0 : c.observed_before.back()) -
               o.detector.warmup_days * 24.0);
    observed_hours += hours;
    street_months += static_cast<double>(streets.size()) * hours / (24 * 365.25 / 12);
    report.streets += static_cast<int>(streets.size());
  }

  std::vector<double> delays;
  const std::vector<std::pair<double, std::string>> bands = {
      {1, "expected <1"}, {3, "expected 1-3"}, {10, "expected 3-10"}, {1e300, "expected >=10"}};
  for (const auto& [_, label] : bands) report.bands.push_back({label});
  for (const Burst& b : bursts) {
    ++report.planted;
    std::size_t band = 0;
    while (b.expected >= bands[band].first) ++band;
    ++report.bands[band].planted;
    if (b.detected_at) {
      ++report.detected;
      ++report.bands[band].detected;
      delays.push_back(static_cast<double>(*b.detected_at - b.start) / (60.0 * kMicrosPerSecond));
    }
  }
  if (!delays.empty()) {
    std::sort(delays.begin(), delays.end());
    const std::size_t n = delays.size();
    report.median_delay_min = n % 2 ? delays[n / 2] : (delays[n / 2 - 1] + delays[n / 2]) / 2;
  }
  report.observed_weeks = observed_hours / 168;
  report.false_per_week =
      report.observed_weeks > 0 ? report.false_warnings / report.observed_weeks : 0;
  report.false_per_street_month = street_months > 0 ? report.false_warnings / street_months : 0;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

void RegisterWarningCommands(CLI::App& cli) {
  auto* warnings = cli.add_subcommand("warnings", "early warning (预警) tools");
  warnings->require_subcommand(1);
  auto* replay = warnings->add_subcommand(
      "replay", "replay us311 history with planted bursts through the early-warning detector");
  auto o = std::make_shared<ReplayOptions>();
  auto calendar_path = std::make_shared<std::string>(DefaultCalendarPath());
  replay->add_option("--input", o->input, "us311 CSV file (plain or gzip)")
      ->required()
      ->check(CLI::ExistingFile);
  replay->add_option("--plant", o->plant, "bursts to plant")->capture_default_str();
  replay->add_option("--seed", o->seed, "random seed for the planted bursts")
      ->capture_default_str();
  replay->add_option("--burst-hours", o->burst_hours, "length of a planted burst")
      ->capture_default_str();
  replay->add_option("--window-hours", o->detector.window_hours, "sliding window")
      ->capture_default_str();
  replay->add_option("--false-alarm", o->detector.false_alarm, "tail probability per test")
      ->capture_default_str();
  replay->add_option("--min-count", o->detector.min_count, "least count that may fire")
      ->capture_default_str();
  replay->add_option("--dispersion", o->detector.dispersion, "negative binomial 1/r (0: Poisson)")
      ->capture_default_str();
  replay->add_option("--calendar", *calendar_path, "working calendar JSON")->capture_default_str();
  replay->callback([o, calendar_path] {
    const auto calendar = OrExit(WorkCalendar::LoadFile(*calendar_path));
    const ReplayReport r = OrExit(ReplayWarnings(*o, &calendar));
    for (const auto& b : r.bands) {
      fmt::print("bursts {}: {} planted, {} detected\n", b.label, b.planted, b.detected);
    }
    fmt::print("rows={} planted={} detected={} streets={} observed_weeks={:.1f} seconds={:.2f}\n",
               r.rows, r.planted, r.detected, r.streets, r.observed_weeks, r.seconds);
    fmt::print("false_warnings={} false_per_street_month={:.4f}\n", r.false_warnings,
               r.false_per_street_month);
    fmt::print("detection_rate={:.3f} median_delay_min={:.1f} false_per_week={:.2f}\n",
               r.detection_rate(), r.median_delay_min, r.false_per_week);
  });
}

}  // namespace xietong::app
