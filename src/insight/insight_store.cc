#include "insight/insight_store.h"

namespace xietong::insight::store {

Result<std::vector<RequestText>> ReceivedBetween(storage::Executor& ex, Timestamp from,
                                                 Timestamp to, std::string_view under_path,
                                                 int limit) {
  std::string sql =
      "SELECT r.id, r.title, r.text, r.street_id, r.received_at,"
      " (SELECT COUNT(*) FROM requests m WHERE m.parent_id = r.id)"
      " FROM requests r WHERE r.received_at >= ? AND r.received_at < ? AND r.parent_id = ''";
  std::vector<storage::Value> params{from, to};
  // Unit paths are ids joined by '/': no LIKE wildcards to escape.
  if (!under_path.empty()) {
    sql += " AND r.unit_path LIKE ?";
    params.emplace_back(std::string(under_path) + "%");
  }
  sql += " ORDER BY r.received_at DESC, r.id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(limit));
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<RequestText> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)});
  return out;
}

}  // namespace xietong::insight::store
