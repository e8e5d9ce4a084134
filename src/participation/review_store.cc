#include "participation/review_store.h"

#include <fmt/core.h>

#include "core/json.h"

namespace xietong::participation::store {
namespace {

constexpr std::string_view kColumns =
    "id, unit_id, unit_path, trigger, subject_id, earner_account, decider, rule_id, amount,"
    " source_seq, reasons, status, created_at, decided_by, decided_at, note, posting_id, version";

PointsReview ReviewFrom(const storage::Row& r) {
  PointsReview v;
  v.id = r.Text(0);
  v.unit_id = r.Text(1);
  v.unit_path = r.Text(2);
  v.trigger = r.Text(3);
  v.subject_id = r.Text(4);
  v.earner_account = r.Text(5);
  v.decider = r.Text(6);
  v.rule_id = r.Text(7);
  v.amount = r.Int(8);
  v.source_seq = r.Int(9);
  if (auto reasons = json::Json::parse(r.Text(10), nullptr, false); reasons.is_array())
    for (const auto& x : reasons)
      if (x.is_string()) v.reasons.push_back(x.get<std::string>());
  v.status = r.Text(11);
  v.created_at = r.Int(12);
  v.decided_by = r.Text(13);
  v.decided_at = r.Int(14);
  v.note = r.Text(15);
  v.posting_id = r.Text(16);
  v.version = r.Int(17);
  return v;
}

}  // namespace

Result<std::optional<PointsReview>> FindReview(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM points_reviews WHERE id = ?", kColumns), {id}));
  if (!row) return std::optional<PointsReview>();
  return std::optional<PointsReview>(ReviewFrom(*row));
}

Result<std::vector<PointsReview>> ListReviews(Executor& ex, std::string_view path,
                                              std::string_view status, int limit) {
  std::string sql =
      fmt::format("SELECT {} FROM points_reviews WHERE substr(unit_path, 1, ?) = ?", kColumns);
  std::vector<storage::Value> params{static_cast<std::int64_t>(path.size()), path};
  if (!status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(status);
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
  params.emplace_back(limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, params));
  std::vector<PointsReview> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ReviewFrom(r));
  return out;
}

Result<bool> DecideReview(Executor& ex, const PointsReview& d) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE points_reviews SET status = ?, decided_by = ?, decided_at = ?,"
                      " note = ?, posting_id = ?, version = version + 1"
                      " WHERE id = ? AND status = 'pending'",
                      {d.status, d.decided_by, d.decided_at, d.note, d.posting_id, d.id}));
  return n == 1;
}

Result<std::vector<Household>> HouseholdsWhere(Executor& ex, std::string_view where,
                                               std::string_view key) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(
          fmt::format("SELECT h.id, h.community_id, h.label, h.created_by, h.created_at, h.version"
                      " FROM points_households h WHERE {} ORDER BY h.created_at, h.id",
                      where),
          {key}));
  std::vector<Household> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back({.id = r.Text(0),
                   .community_id = r.Text(1),
                   .label = r.Text(2),
                   .members = {},
                   .created_by = r.Text(3),
                   .created_at = r.Int(4),
                   .version = r.Int(5)});
  if (out.empty()) return out;
  XT_ASSIGN_OR_RETURN(
      auto members,
      ex.Query(fmt::format("SELECT m.household_id, m.account_id, m.relation"
                           " FROM points_household_members m JOIN points_households h"
                           " ON h.id = m.household_id WHERE {} ORDER BY m.added_at, m.account_id",
                           where),
               {key}));
  for (const auto& m : members)
    for (auto& h : out)
      if (h.id == m.TextView(0))
        h.members.push_back({.account_id = m.Text(1), .relation = m.Text(2)});
  return out;
}

Result<std::optional<Household>> FindHousehold(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto list, HouseholdsWhere(ex, "h.id = ?", id));
  if (list.empty()) return std::optional<Household>();
  return std::optional<Household>(std::move(list.front()));
}

Result<std::vector<Household>> ListHouseholds(Executor& ex, std::string_view community_id) {
  return HouseholdsWhere(ex, "h.community_id = ?", community_id);
}

Result<void> InsertHousehold(Executor& ex, const Household& h) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO points_households (id, community_id, label, created_by, created_at, version)"
      " VALUES (?, ?, ?, ?, ?, ?)",
      {h.id, h.community_id, h.label, h.created_by, h.created_at, h.version}));
  return {};
}

Result<std::string> HouseholdOf(Executor& ex, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne("SELECT household_id FROM points_household_members WHERE account_id = ?",
                  {account_id}));
  return row ? row->Text(0) : std::string();
}

Result<bool> AddHouseholdMember(Executor& ex, std::string_view household_id,
                                const HouseholdMember& m, std::string_view by, Timestamp at) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("INSERT INTO points_household_members (account_id, household_id, relation,"
                      " added_by, added_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id)"
                      " DO NOTHING",
                      {m.account_id, household_id, m.relation, by, at}));
  return n == 1;
}

Result<bool> RemoveHouseholdMember(Executor& ex, std::string_view household_id,
                                   std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("DELETE FROM points_household_members"
                                      " WHERE account_id = ? AND household_id = ?",
                                      {account_id, household_id}));
  return n == 1;
}

Result<void> TouchHousehold(Executor& ex, std::string_view household_id) {
  XT_TRY_VOID(
      ex.Exec("UPDATE points_households SET version = version + 1 WHERE id = ?", {household_id}));
  return {};
}

}  // namespace xietong::participation::store
