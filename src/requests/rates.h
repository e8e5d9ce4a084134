// The three rates (三率: 响应率 解决率 满意率) per handling unit and month, kept
// in the rollup table request_stats so that a ranking over millions of
// requests reads a few hundred rows. The request service calls Apply in the
// same transaction as every change of a request or summons, with what the
// record contributed before and after the change; everything else here is
// pure or read-only. Free functions on the caller's Executor; thread-safe.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "requests/request.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::requests::rates {

struct Counters {
  std::int64_t dispatched = 0;         // requests whose current dispatch is to this unit
  std::int64_t responded_on_time = 0;  // of those, signed by sign_due (签收及时)
  std::int64_t replied = 0;            // replied (or closed after a reply)
  std::int64_t replied_on_time = 0;    // replied by finish_due
  std::int64_t rated = 0;     // with a callback result (resolved yes/no and a satisfaction)
  std::int64_t resolved = 0;  // rated and resolved
  std::int64_t satisfied = 0;
  std::int64_t basically_satisfied = 0;
  std::int64_t dissatisfied = 0;
  std::int64_t summoned = 0;  // summonses (吹哨) to this department
  std::int64_t summons_reported_on_time = 0;
  std::int64_t summons_late = 0;

  Counters& operator+=(const Counters& o);
  Counters& operator-=(const Counters& o);
  bool operator==(const Counters&) const = default;
  bool IsZero() const;
};

// Every counter with its name (the column of request_stats), in the order of
// Counters: the one list arithmetic and the store walk.
struct CounterField {
  std::string_view name;
  std::int64_t Counters::*field;
};
inline constexpr CounterField kCounterFields[] = {
    {"dispatched", &Counters::dispatched},
    {"responded_on_time", &Counters::responded_on_time},
    {"replied", &Counters::replied},
    {"replied_on_time", &Counters::replied_on_time},
    {"rated", &Counters::rated},
    {"resolved", &Counters::resolved},
    {"satisfied", &Counters::satisfied},
    {"basically_satisfied", &Counters::basically_satisfied},
    {"dissatisfied", &Counters::dissatisfied},
    {"summoned", &Counters::summoned},
    {"summons_reported_on_time", &Counters::summons_reported_on_time},
    {"summons_late", &Counters::summons_late},
};
// A counter added to Counters needs an entry here (and a migration of request_stats).
static_assert(sizeof(Counters) == std::size(kCounterFields) * sizeof(std::int64_t),
              "every counter must be in kCounterFields");

// What one request or summons adds to the rollup of one unit and month.
struct Contribution {
  std::string unit_id;
  std::string unit_path;
  std::string month;  // yyyy-mm (Asia/Shanghai), see MonthKey
  Counters counters;
  bool operator==(const Contribution&) const = default;
};

// What one request adds now, in the month of its current dispatch: nothing
// before dispatch, after a return to the centre (status received), for merged
// requests, or without a unit. Closed requests keep counting for the unit
// that handled them; a reopened request counts as dispatched again.
std::optional<Contribution> ContributionOf(const Request& r);
// What one summons adds to its department, in the month it was created.
Contribution ContributionOf(const Summons& s);

// Moves the rollup from `before` to `after` (either may be empty): subtracts
// before's counters and adds after's; no-op when they are equal. Run it in the
// transaction that changes the request.
Result<void> Apply(storage::Executor& ex, const std::optional<Contribution>& before,
                   const std::optional<Contribution>& after);

// Module "request_stats": the rollup table.
std::span<const storage::Migration> Migrations();

struct Weights {
  double response = 0.1;
  double resolution = 0.45;
  double satisfaction = 0.45;
  double basically = 0.8;  // how much a 基本满意 counts in the satisfaction rate
  bool operator==(const Weights&) const = default;
};
// Each weight in [0, 1] and response + resolution + satisfaction = 1;
// InvalidArgument naming the weight otherwise.
Result<void> Validate(const Weights& w);

struct UnitRates {
  std::string unit_id;
  std::string unit_path;
  Counters counters;
  std::optional<double> response_rate;  // in [0, 1]; nullopt when the denominator is 0
  std::optional<double> resolution_rate;
  std::optional<double> satisfaction_rate;
  double score = 0;  // 0–100
  int rank = 0;      // 1 = best; 0 when not ranked
};

// response = responded_on_time / dispatched; resolution = resolved / rated;
// satisfaction = (satisfied + basically_satisfied · w.basically) / rated.
// score = 100 · Σ wᵢ·rateᵢ / Σ wᵢ over the rates that exist (0 when none).
// rank is left 0.
UnitRates RatesOf(std::string unit_id, std::string unit_path, const Counters& c, const Weights& w);

struct RankingQuery {
  std::string from_month;                 // yyyy-mm, inclusive
  std::string to_month;                   // yyyy-mm, inclusive
  std::optional<std::string> under_path;  // only units whose unit_path starts with it
  std::vector<std::string> unit_ids;      // when not empty: only these units
  Weights weights;
};
// Each unit's counters summed over the months, with rates, score and rank:
// best score first; equal scores share a rank (1, 1, 3) and are listed by
// dispatched (descending), then unit_id. Units whose counters are all zero
// are left out. InvalidArgument for bad months or weights.
Result<std::vector<UnitRates>> Ranking(storage::Executor& ex, const RankingQuery& q);

// One unit month by month (every month from..to, ascending, zero-filled);
// rank is 0. At most 120 months.
Result<std::vector<std::pair<std::string, UnitRates>>> Trend(storage::Executor& ex,
                                                             std::string_view unit_id,
                                                             std::string_view from_month,
                                                             std::string_view to_month,
                                                             const Weights& w);

// Every unit under a path together, month by month (every month from..to,
// ascending, zero-filled): the trend a leader sees for the city ("") or a
// district. unit_id of each entry is empty and unit_path is under_path.
Result<std::vector<std::pair<std::string, UnitRates>>> SubtreeTrend(storage::Executor& ex,
                                                                    std::string_view under_path,
                                                                    std::string_view from_month,
                                                                    std::string_view to_month,
                                                                    const Weights& w);

// A ranking row for export; names live in identity, so the caller adds them.
struct NamedRates {
  std::string unit_name;
  std::string unit_kind_zh;  // e.g. 街道, 委办局
  UnitRates rates;
};
// UTF-8 CSV with a BOM (so that Excel reads the Chinese right): a title line
// "接诉即办三率排名 <period>", the Chinese header, one row per unit; rates as
// percentages with 2 decimals, empty when undefined.
std::string RankingCsv(const std::vector<NamedRates>& rows, std::string_view period);
// The same table as an .xlsx workbook (bytes); Internal when writing fails.
Result<std::string> RankingXlsx(const std::vector<NamedRates>& rows, std::string_view period);

}  // namespace xietong::requests::rates
