// The demo city's past for decision support: `days` days of requests up to
// now, about `daily_mean` a day, shaped like a hotline's year so that
// forecasts, staffing, targets and the monthly report have something true to
// learn from (plan decision-support §10.2):
//
//   expected count(day, leaf) = daily_mean × share(leaf) × weekday factor
//     (Mon 1.15 … Sun 0.68) × calendar factor (holiday 0.55, its first day
//     0.45, 春节 0.40, make-up working day 0.95, first working day after a
//     block of three or more days off 1.35) × season of the leaf (heating and
//     property Nov–Feb 1.6, noise and cooking fumes Jun–Sep 1.3, flooding
//     Jun–Aug 1.8 and two storm days 4×) × a slow trend (+6 % a year);
//   count ~ negative binomial (Poisson with a gamma-distributed rate, k = 30).
//
// Each request gets a district by weight (临江 0.30 … 鹤山 0.12 by code order),
// a grid in it, a channel (phone 0.65, web 0.20, API 0.10, Open311 0.05), a
// time of day from the channel's profile (phone peaks 09–11 and 14–16, web
// flatter with an evening peak), a title and words from templates per leaf
// (5 % mix two matters' words, labelled by the first), a caller, and an
// outcome from its handling unit's quality (0–3, fixed by the unit's code):
// sign and reply times against the matter's limits, resolution, satisfaction.
// A request whose reply or callback falls after `now` is still open (signed,
// or replied and awaiting the callback), so the last days carry a backlog
// with some requests overdue.
//
// Deterministic: a fixed seed and the standard library's distributions, so
// two runs with the same build tell the same story; only the dates follow
// the day it runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "matters/catalog.h"
#include "requests/request.h"
#include "requests/request_service.h"

namespace xietong::app {

struct DemoHistoryOptions {
  int days = 400;
  int daily_mean = 240;
  std::uint64_t seed = 20261207;
  int batch = 5000;  // rows handed to the sink at a time
};

struct DemoHistoryInput {
  const WorkCalendar& calendar;
  const requests::Directory& dir;
  const matters::Catalog& catalog;
  Timestamp now;
};

// Generates the history oldest day first and hands it to `sink` in batches;
// the number of requests generated. Error::NotFound when the city has no
// districts with grids or the catalogue none of the template leaves.
Result<int> GenerateDemoHistory(
    const DemoHistoryInput& in, const DemoHistoryOptions& options,
    const std::function<Result<void>(std::vector<requests::Request>)>& sink);

// The day's expected volume relative to an ordinary Wednesday (weekday ×
// calendar × trend, before seasons): what the forecasts should find again.
// `first` is the first day of the history (the trend's origin).
double DemoDayFactor(const WorkCalendar& calendar, std::chrono::sys_days day,
                     std::chrono::sys_days first);

}  // namespace xietong::app
