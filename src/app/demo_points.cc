#include "app/demo_points.h"

#include <fmt/core.h>

#include <algorithm>
#include <optional>

namespace xietong::app {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::UnitKind;
using participation::PersonAccount;

constexpr Timestamp kDay = kMicrosPerDay;
constexpr Timestamp kHour = kMicrosPerHour;

struct DemoRule {
  std::string_view trigger, title;
  std::int64_t points, daily, monthly;
};
constexpr DemoRule kRules[] = {
    {"request_fixed", "诉求办结", 10, 30, 100},
    {"report_verified", "应急信息核实", 20, 60, 300},
    {"volunteer_hour", "志愿服务", 15, 120, 600},
    {"proposal_supported", "支持提案", 2, 10, 40},
    {"ballot_cast", "参与式预算投票", 10, 10, 20},
    {"meeting_attended", "出席议事会", 10, 10, 40},
    {"proposal_accepted", "提案获采纳", 50, 50, 100},
};

struct DemoReward {
  std::string_view kind, title, description;
  std::int64_t cost;
  std::optional<std::int64_t> stock;
  bool needs_approval;
};
const DemoReward kEveryCommunity[] = {
    {"goods", "环保购物袋", "可重复使用的帆布购物袋，社区服务站领取", 30, 100, false},
    {"service", "社区理发券", "社区便民理发点单次理发", 50, 30, true},
    {"honour", "文明家庭荣誉证书", "由社区居委会颁发，年度评优参考", 300, std::nullopt, true},
};
const DemoReward kHupanOnly[] = {
    {"goods", "社区食堂午餐券", "湖畔社区长者食堂午餐一份", 80, 20, false},
    {"policy", "停车优惠月卡", "社区公共停车场月卡五折", 500, 5, true},
    {"service", "非遗手作体验名额", "周末非遗竹编手作体验课一次", 60, 1, false},
};

Timestamp TodayOf(Timestamp now) { return (now + 8 * kHour) / kDay * kDay - 8 * kHour; }

struct Units {
  std::vector<OrgUnit> streets;  // streets and townships
  std::vector<OrgUnit> communities;
  std::optional<OrgUnit> hupan, liuxiang, wanghu, shop;
};

Result<Units> FindUnits(Platform& platform) {
  XT_ASSIGN_OR_RETURN(auto all, platform.identity().AllUnits());
  Units u;
  for (auto& unit : all) {
    if (unit.kind == UnitKind::kStreet || unit.kind == UnitKind::kTownship) {
      if (unit.name == "望湖街道") u.wanghu = unit;
      u.streets.push_back(unit);
    } else if (unit.kind == UnitKind::kCommunity) {
      if (unit.name == "湖畔社区") u.hupan = unit;
      if (unit.name == "柳巷社区") u.liuxiang = unit;
      u.communities.push_back(unit);
    } else if (unit.kind == UnitKind::kOrganisation && unit.name == "望湖便民超市") {
      u.shop = unit;
    }
  }
  auto by_code = [](const OrgUnit& a, const OrgUnit& b) { return a.code < b.code; };
  std::sort(u.streets.begin(), u.streets.end(), by_code);
  std::sort(u.communities.begin(), u.communities.end(), by_code);
  return u;
}

// The account as a signed-in principal (no login: the demo acts for them).
Result<std::optional<Principal>> PersonNamed(Platform& platform, std::string_view username) {
  XT_ASSIGN_OR_RETURN(auto found, platform.identity().FindAccountByUsername(username));
  if (!found) return std::optional<Principal>();
  XT_ASSIGN_OR_RETURN(auto a, platform.identity().GetAccount(Principal::System(), found->id));
  Principal p;
  p.account_id = a.id;
  p.username = a.username;
  p.display_name = a.display_name;
  p.kind = a.kind;
  p.memberships = a.memberships;
  return std::optional<Principal>(std::move(p));
}

Error While(std::string what, const Error& e) {
  Error out = e;
  out.message = fmt::format("demo points, {}: {}", what, e.message);
  return out;
}

}  // namespace

Result<DemoPointsSeedReport> SeedDemoPoints(Platform& platform, ManualClock& clock,
                                            participation::PointsService& points) {
  DemoPointsSeedReport report;
  const Principal system = Principal::System();
  XT_ASSIGN_OR_RETURN(auto units, FindUnits(platform));
  if (units.streets.empty() || !units.hupan) return report;  // not the demo city
  XT_ASSIGN_OR_RETURN(auto existing,
                      points.Rules(system, {.unit_id = units.streets.front().id, .status = ""}));
  if (!existing.empty()) {
    report.existed = true;
    return report;
  }
  (void)clock;
  const Timestamp valid_from = TodayOf(platform.clock().Now()) - 60 * kDay;

  // Settings: 湖畔社区 and 柳巷社区 need fewer supports than the default.
  for (auto [unit, threshold] : {std::pair{units.hupan, 5}, std::pair{units.liuxiang, 4}}) {
    if (!unit) continue;
    XT_ASSIGN_OR_RETURN(auto s, points.Settings(system, unit->id));
    s.unit_id = unit->id;
    s.support_threshold = threshold;
    auto saved = points.UpdateSettings(system, s, s.version);
    if (!saved) return Fail(While(unit->name + "'s settings", saved.error()));
  }

  // Rules: every street and township, and 湖畔社区's own report_verified.
  auto rule = [&](const OrgUnit& unit, const DemoRule& r) -> Result<void> {
    auto made = points.CreateRule(system, {.unit_id = unit.id,
                                           .trigger = std::string(r.trigger),
                                           .title = std::string(r.title),
                                           .points = r.points,
                                           .daily_cap = r.daily,
                                           .monthly_cap = r.monthly,
                                           .valid_from = valid_from});
    if (!made) return Fail(While(fmt::format("{}'s rule {}", unit.name, r.trigger), made.error()));
    ++report.rules;
    return {};
  };
  for (const auto& street : units.streets)
    for (const auto& r : kRules) XT_TRY_VOID(rule(street, r));
  XT_TRY_VOID(rule(*units.hupan, {"report_verified", "应急信息核实（湖畔社区）", 25, 75, 300}));

  // Rewards: every community's three, and 湖畔社区's three more.
  auto reward = [&](const OrgUnit& community, const DemoReward& r) -> Result<void> {
    auto made = points.CreateReward(system, {.community_id = community.id,
                                             .kind = std::string(r.kind),
                                             .title = std::string(r.title),
                                             .description = std::string(r.description),
                                             .cost = r.cost,
                                             .stock = r.stock,
                                             .per_person_limit = 0,
                                             .needs_approval = r.needs_approval});
    if (!made)
      return Fail(While(fmt::format("{}'s reward {}", community.name, r.title), made.error()));
    ++report.rewards;
    return {};
  };
  for (const auto& community : units.communities)
    for (const auto& r : kEveryCommunity) XT_TRY_VOID(reward(community, r));
  for (const auto& r : kHupanOnly) XT_TRY_VOID(reward(*units.hupan, r));

  // Households, from 湖畔社区's register.
  struct Member {
    std::string_view username, relation;
  };
  const std::vector<std::pair<std::string_view, std::vector<Member>>> households = {
      {"湖畔花园3幢2单元501", {{"street.lead", "户主"}, {"hupan07", "配偶"}}},
      {"湖畔花园1幢1单元302", {{"hupan01", "户主"}, {"hupan02", "子女"}}},
      {"湖畔花园5幢1单元101", {{"resident", "本人"}}},
  };
  for (const auto& [label, members] : households) {
    participation::NewHousehold in{.community_id = units.hupan->id, .label = std::string(label)};
    for (const auto& m : members) {
      XT_ASSIGN_OR_RETURN(auto who, PersonNamed(platform, m.username));
      if (who)
        in.members.push_back({.account_id = who->account_id, .relation = std::string(m.relation)});
    }
    if (in.members.empty()) continue;
    auto made = points.CreateHousehold(system, in);
    if (!made) return Fail(While(fmt::format("household {}", label), made.error()));
    ++report.households;
  }
  return report;
}

Result<DemoPointsSpendReport> SpendDemoPoints(Platform& platform, ManualClock& clock,
                                              participation::PointsService& points) {
  DemoPointsSpendReport report;
  const Principal system = Principal::System();
  XT_ASSIGN_OR_RETURN(auto units, FindUnits(platform));
  if (!units.hupan || !units.wanghu) return report;
  XT_ASSIGN_OR_RETURN(auto done, points.Redemptions(system, {.scope = "community",
                                                             .community_id = units.hupan->id,
                                                             .status = "",
                                                             .limit = 1}));
  if (!done.empty()) {
    report.existed = true;
    return report;
  }
  XT_ASSIGN_OR_RETURN(auto lead, PersonNamed(platform, "street.lead"));
  XT_ASSIGN_OR_RETURN(auto handler, PersonNamed(platform, "street.handler"));
  if (!lead || !handler) return report;

  // 湖畔社区's residents, richest first, and the community's rewards by title.
  std::vector<std::pair<std::int64_t, Principal>> residents;
  identity::AccountListQuery q;
  q.unit_id = units.hupan->id;
  q.limit = 200;
  XT_ASSIGN_OR_RETURN(auto page, platform.identity().ListAccounts(system, q));
  for (const auto& a : page.items) {
    if (a.kind != identity::AccountKind::kResident) continue;
    XT_ASSIGN_OR_RETURN(auto acc, points.GetAccount(system, PersonAccount(a.id), 1));
    XT_ASSIGN_OR_RETURN(auto who, PersonNamed(platform, a.username));
    if (who) residents.emplace_back(acc.account.balance, std::move(*who));
  }
  std::stable_sort(residents.begin(), residents.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  XT_ASSIGN_OR_RETURN(auto rewards, points.Rewards(system, units.hupan->id));
  auto reward_id = [&](std::string_view title) -> std::string {
    for (const auto& r : rewards)
      if (r.reward.title == title) return r.reward.id;
    return "";
  };

  // Each redemption by the next resident who can afford it; then staff move it.
  using participation::RedemptionMove;
  struct Plan {
    std::string_view reward;
    std::int64_t cost;
    std::optional<RedemptionMove> move;
    std::string_view note;
  };
  const Plan plans[] = {
      {"环保购物袋", 30, RedemptionMove::kFulfil, "已在社区服务站领取"},
      {"环保购物袋", 30, RedemptionMove::kFulfil, "已在社区服务站领取"},
      {"社区食堂午餐券", 80, RedemptionMove::kFulfil, "已发放午餐券"},
      {"环保购物袋", 30, RedemptionMove::kFulfil, "已在社区服务站领取"},
      {"非遗手作体验名额", 60, RedemptionMove::kFulfil, "已预约周六体验课"},
      {"环保购物袋", 30, RedemptionMove::kFulfil, "已在社区服务站领取"},
      {"社区理发券", 50, RedemptionMove::kApprove, "同意，请凭券到便民理发点"},
      {"社区理发券", 50, RedemptionMove::kApprove, "同意，请凭券到便民理发点"},
      {"社区理发券", 50, std::nullopt, ""},  // waits for 兑换审批
      {"社区理发券", 50, RedemptionMove::kReject, "本月理发券名额已满，积分已退回"},
  };
  std::size_t next = 0;
  Timestamp at = clock.Now() - 20 * kHour;  // the day before, from the morning
  for (const auto& plan : plans) {
    const std::string id = reward_id(plan.reward);
    if (id.empty()) continue;
    for (std::size_t tried = 0; tried < residents.size(); ++tried, ++next) {
      auto& [balance, who] = residents[next % residents.size()];
      if (balance < plan.cost) continue;
      clock.Set(at += 17 * kMicrosPerMinute);
      auto made = points.Redeem(who, {.reward_id = id, .quantity = 1, .idempotency_key = ""});
      if (!made) continue;  // sold out or over a limit: the next plan
      balance -= plan.cost;
      ++report.redemptions;
      ++next;
      if (plan.move) {
        clock.Set(at += 40 * kMicrosPerMinute);
        auto moved = points.DecideRedemption(*handler, made->id, *plan.move, plan.note);
        if (!moved) return Fail(While(fmt::format("redemption of {}", plan.reward), moved.error()));
      }
      break;
    }
  }

  // A mistaken manual award and its reversal; an organisation's award.
  clock.Set(at += kHour);
  if (auto hupan03 = PersonNamed(platform, "hupan03"); hupan03 && *hupan03) {
    auto wrong = points.Award(*lead, {.unit_id = units.wanghu->id,
                                      .account_id = (*hupan03)->account_id,
                                      .amount = 100,
                                      .memo = "社区志愿服务表彰",
                                      .idempotency_key = ""});
    if (!wrong) return Fail(While("the mistaken award", wrong.error()));
    ++report.manual_awards;
    clock.Set(at += 2 * kHour);
    auto undone = points.Reverse(*lead, wrong->id, "误发冲正：表彰名单核对有误");
    if (!undone) return Fail(While("the reversal", undone.error()));
    ++report.reversals;
  }
  if (units.shop) {
    auto award =
        points.Award(*lead, {.unit_id = units.wanghu->id,
                             .account_id = participation::AccountId(
                                 participation::AccountKind::kOrganisation, units.shop->id),
                             .amount = 100,
                             .memo = "诚信经营",
                             .idempotency_key = ""});
    if (!award) return Fail(While("望湖便民超市's award", award.error()));
    ++report.manual_awards;
  }

  // Last month's honour rolls.
  const Timestamp first_of_month = [&] {
    auto t = ParseRfc3339(FormatRfc3339(clock.Now()).substr(0, 7) + "-01T00:00:00+08:00");
    return t ? *t : clock.Now();
  }();
  const std::string month = FormatRfc3339(first_of_month - kDay).substr(0, 7);
  for (const auto& unit : {units.hupan, units.liuxiang}) {
    if (!unit) continue;
    auto roll = points.PublishHonourRoll(system, unit->id, month);
    if (roll) {
      ++report.honour_rolls;
    } else if (roll.error().reason != "empty" && roll.error().reason != "already_published") {
      return Fail(While(fmt::format("{}'s honour roll", unit->name), roll.error()));
    }
  }
  return report;
}

}  // namespace xietong::app
