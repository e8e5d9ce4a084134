#include "requests/rates_store.h"

#include <fmt/format.h>

#include <cstdint>
#include <iterator>
#include <utility>

namespace xietong::requests::rates::store {
namespace {

// The table as created; a later change is a new migration, never an edit here.
constexpr storage::Migration kMigrations[] = {
    {"request_stats", 1, "request_stats rollup of the three rates per unit and month",
     "CREATE TABLE request_stats ("
     " unit_id TEXT NOT NULL,"
     " unit_path TEXT NOT NULL,"
     " month TEXT NOT NULL,"
     " dispatched BIGINT NOT NULL DEFAULT 0,"
     " responded_on_time BIGINT NOT NULL DEFAULT 0,"
     " replied BIGINT NOT NULL DEFAULT 0,"
     " replied_on_time BIGINT NOT NULL DEFAULT 0,"
     " rated BIGINT NOT NULL DEFAULT 0,"
     " resolved BIGINT NOT NULL DEFAULT 0,"
     " satisfied BIGINT NOT NULL DEFAULT 0,"
     " basically_satisfied BIGINT NOT NULL DEFAULT 0,"
     " dissatisfied BIGINT NOT NULL DEFAULT 0,"
     " summoned BIGINT NOT NULL DEFAULT 0,"
     " summons_reported_on_time BIGINT NOT NULL DEFAULT 0,"
     " summons_late BIGINT NOT NULL DEFAULT 0,"
     " PRIMARY KEY (unit_id, month));"
     // The ranking reads a range of months across all units; the trend of one
     // unit uses the primary key.
     "CREATE INDEX request_stats_month ON request_stats (month, unit_path);"},
};

const std::string& UpsertSql() {
  static const std::string sql = [] {
    std::string names, marks, sets;
    for (const auto& c : kCounterFields) {
      names += fmt::format(", {}", c.name);
      marks += ", ?";
      sets += fmt::format(", {0} = request_stats.{0} + excluded.{0}", c.name);
    }
    return fmt::format(
        "INSERT INTO request_stats (unit_id, unit_path, month{}) VALUES (?, ?, ?{})"
        " ON CONFLICT (unit_id, month) DO UPDATE SET unit_path = excluded.unit_path{}",
        names, marks, sets);
  }();
  return sql;
}

// ", CAST(SUM(dispatched) AS BIGINT), …" or ", dispatched, …".
std::string CounterList(bool summed) {
  std::string out;
  for (const auto& c : kCounterFields)
    out += summed ? fmt::format(", CAST(SUM({}) AS BIGINT)", c.name) : fmt::format(", {}", c.name);
  return out;
}

Counters ReadCounters(const storage::Row& row, std::size_t first) {
  Counters c;
  for (std::size_t k = 0; k < std::size(kCounterFields); ++k)
    c.*kCounterFields[k].field = row.Int(first + k);
  return c;
}

// A LIKE pattern matching every text that starts with prefix (ESCAPE '\').
std::string PrefixPattern(std::string_view prefix) {
  std::string out;
  for (char ch : prefix) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '%';
  return out;
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<void> Add(Executor& ex, std::string_view unit_id, std::string_view unit_path,
                 std::string_view month, const Counters& delta) {
  std::vector<storage::Value> params{unit_id, unit_path, month};
  for (const auto& c : kCounterFields) params.emplace_back(delta.*c.field);
  return ex.Defer(UpsertSql(), storage::Params(params));
}

Result<std::vector<UnitSum>> SumsByUnit(Executor& ex, std::string_view from_month,
                                        std::string_view to_month,
                                        const std::optional<std::string>& under_path,
                                        std::span<const std::string> unit_ids) {
  std::string sql = fmt::format(
      "SELECT unit_id, unit_path, MAX(month){} FROM request_stats WHERE month >= ? AND month <= ?",
      CounterList(true));
  std::vector<storage::Value> params{from_month, to_month};
  if (under_path) {
    sql += " AND unit_path LIKE ? ESCAPE '\\'";
    params.emplace_back(PrefixPattern(*under_path));
  }
  if (!unit_ids.empty()) {
    sql += " AND unit_id IN (";
    for (std::size_t k = 0; k < unit_ids.size(); ++k) {
      sql += k == 0 ? "?" : ", ?";
      params.emplace_back(unit_ids[k]);
    }
    sql += ")";
  }
  // Grouped by path too: a unit moved in the org tree keeps one row per path.
  sql += " GROUP BY unit_id, unit_path";
  std::vector<UnitSum> out;
  XT_TRY_VOID(ex.QueryEach(sql, storage::Params(params), [&](const storage::Row& row) {
    out.push_back({row.Text(0), row.Text(1), row.Text(2), ReadCounters(row, 3)});
    return true;
  }));
  return out;
}

Result<std::vector<MonthSum>> UnitMonths(Executor& ex, std::string_view unit_id,
                                         std::string_view from_month, std::string_view to_month) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT month, unit_path{} FROM request_stats"
                                                      " WHERE unit_id = ? AND month >= ?"
                                                      " AND month <= ? ORDER BY month",
                                                      CounterList(false)),
                                          {unit_id, from_month, to_month}));
  std::vector<MonthSum> out;
  out.reserve(rows.size());
  for (const storage::Row& row : rows)
    out.push_back({row.Text(0), row.Text(1), ReadCounters(row, 2)});
  return out;
}

Result<std::vector<MonthSum>> SubtreeMonths(Executor& ex, std::string_view under_path,
                                            std::string_view from_month,
                                            std::string_view to_month) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT month{} FROM request_stats WHERE month >= ?"
                                           " AND month <= ? AND unit_path LIKE ? ESCAPE '\\'"
                                           " GROUP BY month ORDER BY month",
                                           CounterList(true)),
                               {from_month, to_month, PrefixPattern(under_path)}));
  std::vector<MonthSum> out;
  out.reserve(rows.size());
  for (const storage::Row& row : rows) out.push_back({row.Text(0), {}, ReadCounters(row, 1)});
  return out;
}

}  // namespace xietong::requests::rates::store
