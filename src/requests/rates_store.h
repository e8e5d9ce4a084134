// The requests module's SQL for the three-rates rollup request_stats: its
// table, the upsert that moves it and the sums the ranking and trends read.
// Written once for SQLite and PostgreSQL; each function runs inside the
// caller's transaction and decides no rule. Free functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "requests/rates.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::requests::rates::store {

using storage::Executor;

// Module "request_stats": the rollup table.
std::span<const storage::Migration> Migrations();

// Adds delta (counters may be negative or zero) to the row of (unit_id,
// month), creating the row when there is none; the row takes unit_path
// either way. Sent with Executor::Defer, so an error may come from the next
// statement.
Result<void> Add(Executor& ex, std::string_view unit_id, std::string_view unit_path,
                 std::string_view month, const Counters& delta);

// One unit's rows under one path, summed over a range of months.
struct UnitSum {
  std::string unit_id;
  std::string unit_path;
  std::string last_month;  // the latest month summed, yyyy-mm
  Counters counters;
};
// One UnitSum per (unit_id, unit_path) with rows in from_month..to_month
// (yyyy-mm, inclusive), in no particular order: a unit moved in the org tree
// has one per path. Only units whose unit_path starts with under_path when it
// is given, and only the units in unit_ids when it is not empty.
Result<std::vector<UnitSum>> SumsByUnit(Executor& ex, std::string_view from_month,
                                        std::string_view to_month,
                                        const std::optional<std::string>& under_path,
                                        std::span<const std::string> unit_ids);

// The counters of one month.
struct MonthSum {
  std::string month;      // yyyy-mm
  std::string unit_path;  // UnitMonths: the unit's path in that row; SubtreeMonths: ""
  Counters counters;
};
// One unit's rows in from_month..to_month (inclusive), ascending by month;
// months without a row are left out.
Result<std::vector<MonthSum>> UnitMonths(Executor& ex, std::string_view unit_id,
                                         std::string_view from_month, std::string_view to_month);
// Every unit whose unit_path starts with under_path ("" = all), summed per
// month in from_month..to_month (inclusive), ascending; months without a row
// are left out.
Result<std::vector<MonthSum>> SubtreeMonths(Executor& ex, std::string_view under_path,
                                            std::string_view from_month, std::string_view to_month);

}  // namespace xietong::requests::rates::store
