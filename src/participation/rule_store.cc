#include "participation/rule_store.h"

#include <fmt/core.h>

namespace xietong::participation::store {
namespace {

constexpr std::string_view kRuleColumns =
    "id, unit_id, unit_path, unit_name, trigger, title, points, daily_cap, monthly_cap,"
    " valid_from, valid_until, status, created_by, created_at, retired_by, retire_reason,"
    " version";

Rule RuleFrom(const storage::Row& r) {
  Rule x;
  x.id = r.Text(0);
  x.unit_id = r.Text(1);
  x.unit_path = r.Text(2);
  x.unit_name = r.Text(3);
  x.trigger = ParseTrigger(r.TextView(4)).value_or(Trigger::kRequestFixed);
  x.title = r.Text(5);
  x.points = r.Int(6);
  x.daily_cap = r.Int(7);
  x.monthly_cap = r.Int(8);
  x.valid_from = r.Int(9);
  x.valid_until = r.Int(10);
  x.status = r.Text(11);
  x.created_by = r.Text(12);
  x.created_at = r.Int(13);
  x.retired_by = r.Text(14);
  x.retire_reason = r.Text(15);
  x.version = r.Int(16);
  return x;
}

Result<std::vector<Rule>> RulesWhere(Executor& ex, std::string_view where,
                                     std::span<const storage::Value> params) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM points_rules WHERE {}", kRuleColumns, where), params));
  std::vector<Rule> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(RuleFrom(r));
  return out;
}

constexpr std::string_view kSettingsColumns =
    "unit_id, support_threshold, support_days, velocity_per_hour, velocity_per_day,"
    " same_decider_per_month, manual_award_max, updated_by, updated_at, version";

ParticipationSettings SettingsFrom(const storage::Row& r) {
  ParticipationSettings s;
  s.unit_id = r.Text(0);
  s.support_threshold = r.Int(1);
  s.support_days = r.Int(2);
  s.velocity_per_hour = r.Int(3);
  s.velocity_per_day = r.Int(4);
  s.same_decider_per_month = r.Int(5);
  s.manual_award_max = r.Int(6);
  s.updated_by = r.Text(7);
  s.updated_at = r.Int(8);
  s.version = r.Int(9);
  return s;
}

}  // namespace

Result<void> InsertRule(Executor& ex, const Rule& r) {
  auto n = ex.Exec(
      "INSERT INTO points_rules (id, unit_id, unit_path, unit_name, trigger, title, points,"
      " daily_cap, monthly_cap, valid_from, valid_until, status, created_by, created_at,"
      " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {r.id, r.unit_id, r.unit_path, r.unit_name, TriggerCode(r.trigger), r.title, r.points,
       r.daily_cap, r.monthly_cap, r.valid_from, r.valid_until, r.status, r.created_by,
       r.created_at, r.version});
  if (!n && n.error().code == ErrorCode::kConflict)
    return Fail(Error::Conflict(fmt::format("{} already has an active rule for {}; retire it first",
                                            r.unit_name, TriggerCode(r.trigger)))
                    .About("trigger", "rule_exists"));
  if (!n) return Fail(std::move(n.error()));
  return {};
}

Result<std::optional<Rule>> FindRule(Executor& ex, std::string_view id) {
  const storage::Value p[] = {id};
  XT_ASSIGN_OR_RETURN(auto rules, RulesWhere(ex, "id = ?", p));
  if (rules.empty()) return std::optional<Rule>();
  return std::optional<Rule>(std::move(rules[0]));
}

Result<std::optional<Rule>> ActiveRule(Executor& ex, std::string_view unit_id, Trigger t) {
  const storage::Value p[] = {unit_id, TriggerCode(t)};
  XT_ASSIGN_OR_RETURN(auto rules,
                      RulesWhere(ex, "unit_id = ? AND trigger = ? AND status = 'active'", p));
  if (rules.empty()) return std::optional<Rule>();
  return std::optional<Rule>(std::move(rules[0]));
}

Result<std::vector<Rule>> RetiredRules(Executor& ex, std::string_view unit_id, Trigger t) {
  const storage::Value p[] = {unit_id, TriggerCode(t)};
  return RulesWhere(ex, "unit_id = ? AND trigger = ? AND status = 'retired'", p);
}

Result<bool> RetireRule(Executor& ex, const Rule& r) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE points_rules SET status = 'retired', valid_until = ?, retired_by = ?,"
                      " retire_reason = ?, version = version + 1"
                      " WHERE id = ? AND status = 'active' AND version = ?",
                      {r.valid_until, r.retired_by, r.retire_reason, r.id, r.version - 1}));
  return n == 1;
}

Result<std::vector<Rule>> RulesAt(Executor& ex, Trigger t, std::span<const std::string> units,
                                  Timestamp at) {
  if (units.empty()) return std::vector<Rule>();
  std::vector<storage::Value> p{TriggerCode(t)};
  for (const auto& u : units) p.emplace_back(u);
  p.emplace_back(at);
  p.emplace_back(at);
  return RulesWhere(ex,
                    fmt::format("trigger = ? AND unit_id IN ({}) AND valid_from <= ?"
                                " AND (valid_until = 0 OR valid_until > ?)",
                                storage::Placeholders(units.size())),
                    p);
}

Result<std::vector<Rule>> ListRules(Executor& ex, std::span<const std::string> paths,
                                    std::span<const std::string> unit_ids,
                                    std::string_view status) {
  std::vector<std::string> ors;
  std::vector<storage::Value> p;
  for (const auto& path : paths) {
    ors.push_back("unit_path LIKE ?");
    std::string like;
    for (char c : path) {
      if (c == '%' || c == '_' || c == '\\') like += '\\';
      like += c;
    }
    p.emplace_back(like + "%");
  }
  if (!unit_ids.empty()) {
    ors.push_back(fmt::format("unit_id IN ({})", storage::Placeholders(unit_ids.size())));
    for (const auto& u : unit_ids) p.emplace_back(u);
  }
  if (ors.empty()) return std::vector<Rule>();
  std::string where = "(";
  for (std::size_t i = 0; i < ors.size(); ++i) {
    if (i) where += " OR ";
    where += ors[i];
    if (ors[i].starts_with("unit_path")) where += " ESCAPE '\\'";
  }
  where += ")";
  if (!status.empty()) {
    where += " AND status = ?";
    p.emplace_back(status);
  }
  where += " ORDER BY created_at DESC, id DESC LIMIT 500";
  return RulesWhere(ex, where, p);
}

Result<ParticipationSettings> SettingsFor(Executor& ex, std::span<const std::string> units) {
  ParticipationSettings out = DefaultSettings();
  if (units.empty()) return out;
  out.unit_id = units[0];
  for (const auto& u : units) {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM participation_settings"
                                                          " WHERE unit_id = ?",
                                                          kSettingsColumns),
                                              {u}));
    if (row) {
      auto s = SettingsFrom(*row);
      if (u != units[0]) {  // inherited: the asked unit has no row of its own
        s.unit_id = units[0];
        s.version = 0;
      }
      return s;
    }
  }
  return out;
}

Result<ParticipationSettings> SettingsFor(Executor& ex, std::string_view unit_id) {
  const std::string units[] = {std::string(unit_id)};
  return SettingsFor(ex, units);
}

Result<bool> SaveSettings(Executor& ex, const ParticipationSettings& s, std::int64_t if_match) {
  if (if_match == 0) {
    XT_ASSIGN_OR_RETURN(
        auto n,
        ex.Exec("INSERT INTO participation_settings (unit_id, support_threshold, support_days,"
                " velocity_per_hour, velocity_per_day, same_decider_per_month, manual_award_max,"
                " updated_by, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
                " ON CONFLICT (unit_id) DO NOTHING",
                {s.unit_id, s.support_threshold, s.support_days, s.velocity_per_hour,
                 s.velocity_per_day, s.same_decider_per_month, s.manual_award_max, s.updated_by,
                 s.updated_at}));
    return n == 1;
  }
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE participation_settings SET support_threshold = ?, support_days = ?,"
                      " velocity_per_hour = ?, velocity_per_day = ?, same_decider_per_month = ?,"
                      " manual_award_max = ?, updated_by = ?, updated_at = ?,"
                      " version = version + 1 WHERE unit_id = ? AND version = ?",
                      {s.support_threshold, s.support_days, s.velocity_per_hour, s.velocity_per_day,
                       s.same_decider_per_month, s.manual_award_max, s.updated_by, s.updated_at,
                       s.unit_id, if_match}));
  return n == 1;
}

}  // namespace xietong::participation::store
