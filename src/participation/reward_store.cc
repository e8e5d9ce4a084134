#include "participation/reward_store.h"

#include <fmt/core.h>

namespace xietong::participation::store {
namespace {

constexpr std::string_view kRewardColumns =
    "id, community_id, kind, title, description, cost, stock, per_person_limit,"
    " needs_approval, status, created_by, created_at, version";

Reward RewardFrom(const storage::Row& r) {
  Reward w;
  w.id = r.Text(0);
  w.community_id = r.Text(1);
  w.kind = ParseRewardKind(r.TextView(2)).value_or(RewardKind::kGoods);
  w.title = r.Text(3);
  w.description = r.Text(4);
  w.cost = r.Int(5);
  w.stock = r.OptInt(6);
  w.per_person_limit = r.Int(7);
  w.needs_approval = r.Int(8) != 0;
  w.status = r.Text(9);
  w.created_by = r.Text(10);
  w.created_at = r.Int(11);
  w.version = r.Int(12);
  return w;
}

constexpr std::string_view kRedemptionColumns =
    "d.id, d.reward_id, COALESCE((SELECT w.title FROM points_rewards w WHERE w.id = d.reward_id),"
    " ''), d.community_id, d.account_id, d.requested_by, d.quantity, d.points, d.status,"
    " d.posting_id, d.refund_posting_id, d.idem_key, d.fingerprint, d.requested_at,"
    " d.decided_by, d.decided_at, d.note, d.fulfilled_at, d.version";

Redemption RedemptionFrom(const storage::Row& r) {
  Redemption d;
  d.id = r.Text(0);
  d.reward_id = r.Text(1);
  d.reward_title = r.Text(2);
  d.community_id = r.Text(3);
  d.account_id = r.Text(4);
  d.requested_by = r.Text(5);
  d.quantity = r.Int(6);
  d.points = r.Int(7);
  d.status = ParseRedemptionStatus(r.TextView(8)).value_or(RedemptionStatus::kRequested);
  d.posting_id = r.Text(9);
  d.refund_posting_id = r.Text(10);
  d.idem_key = r.OptText(11);
  d.fingerprint = r.Text(12);
  d.requested_at = r.Int(13);
  d.decided_by = r.Text(14);
  d.decided_at = r.Int(15);
  d.note = r.Text(16);
  d.fulfilled_at = r.Int(17);
  d.version = r.Int(18);
  return d;
}

}  // namespace

Result<void> InsertReward(Executor& ex, const Reward& r) {
  XT_TRY_VOID(
      ex.Exec("INSERT INTO points_rewards (id, community_id, kind, title, description, cost, stock,"
              " per_person_limit, needs_approval, status, created_by, created_at, version)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {r.id, r.community_id, RewardKindName(r.kind), r.title, r.description, r.cost,
               storage::Value(r.stock), r.per_person_limit, r.needs_approval, r.status,
               r.created_by, r.created_at, r.version}));
  return {};
}

Result<std::optional<Reward>> FindReward(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM points_rewards WHERE id = ?", kRewardColumns), {id}));
  if (!row) return std::optional<Reward>();
  return std::optional<Reward>(RewardFrom(*row));
}

Result<std::vector<Reward>> ListRewards(Executor& ex, std::string_view community_id, bool all) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM points_rewards WHERE community_id = ?{}"
                                           " ORDER BY cost, id",
                                           kRewardColumns, all ? "" : " AND status = 'active'"),
                               {community_id}));
  std::vector<Reward> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(RewardFrom(r));
  return out;
}

Result<bool> TakeStock(Executor& ex, std::string_view reward_id, std::int64_t quantity) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("UPDATE points_rewards SET stock = stock - ?"
                                      " WHERE id = ? AND status = 'active'"
                                      " AND (stock IS NULL OR stock >= ?)",
                                      {quantity, reward_id, quantity}));
  return n == 1;
}

Result<void> ReturnStock(Executor& ex, std::string_view reward_id, std::int64_t quantity) {
  XT_TRY_VOID(
      ex.Exec("UPDATE points_rewards SET stock = stock + ?"
              " WHERE id = ? AND stock IS NOT NULL",
              {quantity, reward_id}));
  return {};
}

Result<std::int64_t> RedeemedQuantity(Executor& ex, std::string_view reward_id,
                                      std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT COALESCE(SUM(quantity), 0) FROM points_redemptions"
                                  " WHERE reward_id = ? AND account_id = ?"
                                  " AND status IN ('requested','approved','fulfilled')",
                                  {reward_id, account_id}));
  return row ? row->Int(0) : 0;
}

Result<void> InsertRedemption(Executor& ex, const Redemption& r) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO points_redemptions (id, reward_id, community_id, account_id, requested_by,"
      " quantity, points, status, posting_id, refund_posting_id, idem_key, fingerprint,"
      " requested_at, decided_by, decided_at, note, fulfilled_at, version)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {r.id, r.reward_id, r.community_id, r.account_id, r.requested_by, r.quantity, r.points,
       RedemptionStatusName(r.status), r.posting_id, r.refund_posting_id,
       storage::Value(r.idem_key), r.fingerprint, r.requested_at, r.decided_by, r.decided_at,
       r.note, r.fulfilled_at, r.version}));
  return {};
}

Result<std::optional<Redemption>> FindRedemption(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM points_redemptions d"
                                                        " WHERE d.id = ?",
                                                        kRedemptionColumns),
                                            {id}));
  if (!row) return std::optional<Redemption>();
  return std::optional<Redemption>(RedemptionFrom(*row));
}

Result<std::optional<Redemption>> FindRedemptionByIdemKey(Executor& ex, std::string_view account_id,
                                                          std::string_view idem_key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM points_redemptions d"
                                                        " WHERE d.account_id = ?"
                                                        " AND d.idem_key = ?",
                                                        kRedemptionColumns),
                                            {account_id, idem_key}));
  if (!row) return std::optional<Redemption>();
  return std::optional<Redemption>(RedemptionFrom(*row));
}

Result<bool> UpdateRedemption(Executor& ex, const Redemption& r) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE points_redemptions SET status = ?, refund_posting_id = ?,"
                      " decided_by = ?, decided_at = ?, note = ?, fulfilled_at = ?, version = ?"
                      " WHERE id = ? AND version = ?",
                      {RedemptionStatusName(r.status), r.refund_posting_id, r.decided_by,
                       r.decided_at, r.note, r.fulfilled_at, r.version, r.id, r.version - 1}));
  return n == 1;
}

Result<std::vector<Redemption>> ListRedemptions(Executor& ex, const RedemptionFilter& f) {
  std::string sql =
      fmt::format("SELECT {} FROM points_redemptions d WHERE 1 = 1", kRedemptionColumns);
  std::vector<storage::Value> params;
  if (!f.account_id.empty()) {
    sql += " AND d.account_id = ?";
    params.emplace_back(f.account_id);
  }
  if (!f.community_id.empty()) {
    sql += " AND d.community_id = ?";
    params.emplace_back(f.community_id);
  }
  if (!f.status.empty()) {
    sql += " AND d.status = ?";
    params.emplace_back(f.status);
  }
  sql += " ORDER BY d.requested_at DESC, d.id DESC LIMIT ?";
  params.emplace_back(f.limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, params));
  std::vector<Redemption> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(RedemptionFrom(r));
  return out;
}

}  // namespace xietong::participation::store
