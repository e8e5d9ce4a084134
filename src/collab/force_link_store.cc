#include "collab/force_link_store.h"

#include <fmt/core.h>

namespace xietong::collab::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    // What a force works on: the requests of the hotspot it was formed
    // from, or handed to it later; `ord` keeps the order they came in.
    {"collab", 5, "requests linked to task forces",
     "CREATE TABLE collab_force_requests (force_id TEXT NOT NULL REFERENCES collab_forces(id),"
     " request_id TEXT NOT NULL, ord BIGINT NOT NULL, linked_by TEXT NOT NULL,"
     " linked_at BIGINT NOT NULL, PRIMARY KEY (force_id, request_id));"
     "CREATE INDEX collab_force_requests_request ON collab_force_requests (request_id)"},
};

}  // namespace

std::span<const storage::Migration> ForceLinkMigrations() { return kMigrations; }

Result<void> LinkRequests(storage::Executor& ex, std::string_view force_id,
                          std::span<const std::string> request_ids, std::string_view by,
                          Timestamp at) {
  XT_ASSIGN_OR_RETURN(auto next,
                      ex.QueryOne("SELECT COALESCE(MAX(ord), 0) FROM collab_force_requests"
                                  " WHERE force_id = ?",
                                  {force_id}));
  std::int64_t ord = next ? next->Int(0) : 0;
  for (const auto& id : request_ids)
    XT_TRY_VOID(
        ex.Exec("INSERT INTO collab_force_requests (force_id, request_id, ord, linked_by,"
                " linked_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (force_id, request_id) DO NOTHING",
                {force_id, id, ++ord, by, at}));
  return {};
}

Result<std::vector<std::string>> LinkedRequestIds(storage::Executor& ex,
                                                  std::string_view force_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT request_id FROM collab_force_requests"
                                          " WHERE force_id = ? ORDER BY ord",
                                          {force_id}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.Text(0));
  return out;
}

}  // namespace xietong::collab::store
