// `xietong warnings replay`: the early-warning detector measured on real
// history. Reads a us311 CSV (plain or gzip, through csv::Table like
// `import us311`), maps complaint_type → category (the importer's word table,
// MatterWordFor, else the type itself) and neighborhood, else district → street,
// one detector per city (each city is its own time line), plants N bursts of
// known start and size, replays everything in time order through the same
// emergency::warning::Detector the server uses, and scores it.
//
// A planted burst: a real row drawn at random (fixed seed) from the second
// half of a city's history — so busy series and hours with data are drawn
// more often — gives the series (category × street) and the start t0; the
// series' empirical rate λ (its rows in t0 ± 14 days over the hours of that
// span that have data) gives the size: round(2·λ·burst_hours) extra rows
// spread evenly over [t0, t0 + burst_hours), i.e. 3× the baseline. A burst
// of size 0 (λ too small) is still counted, and missed.
//
// Detected: a volume or rule warning on the burst's series opened or updated
// within [t0, t0 + max_delay]. False: a warning opened that no burst explains.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/result.h"
#include "emergency/warning.h"

namespace xietong::app {

struct ReplayOptions {
  std::string input;
  int plant = 200;
  std::uint64_t seed = 1;
  double burst_hours = 2;
  double max_delay_hours = 2;
  emergency::warning::Options detector;
};

struct ReplayReport {
  std::int64_t rows = 0;
  int planted = 0;
  int detected = 0;
  double median_delay_min = 0;
  int false_warnings = 0;
  int streets = 0;
  double observed_weeks = 0;  // hours with data, over all cities, / 168
  double false_per_week = 0;  // per city-week of observed time
  double false_per_street_month = 0;
  double seconds = 0;
  // Detection by the burst's expected count over burst_hours before planting.
  struct Band {
    std::string label;
    int planted = 0, detected = 0;
  };
  std::vector<Band> bands;
  double detection_rate() const { return planted ? static_cast<double>(detected) / planted : 0; }
};

Result<ReplayReport> ReplayWarnings(const ReplayOptions& options, const WorkCalendar* calendar);

void RegisterWarningCommands(CLI::App& cli);

}  // namespace xietong::app
