// CapacityService: the baseline gathered from the city's reads, cached, and the sliders checked.
#include "insight/capacity_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <unordered_set>

#include "core/json.h"
#include "insight/job_store.h"

namespace xietong::insight {
namespace {

using identity::Principal;
using Json = json::Json;

constexpr int kHistoryDays = 56;          // the matter mix and the history arrivals
constexpr int kThroughputWeeks = 12;      // per-handler throughput
constexpr int kCalendarSlack = 130;       // days past the horizon for a 60-working-day limit
constexpr double kDefaultPerHandler = 4;  // requests a handler day when the city has no figures
constexpr Timestamp kBaselineTtl = 15 * kMicrosPerMinute;
constexpr Day kFirstMonday = 4;  // 1970-01-05, week 0 of RepliedByUnitWeek

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = static_cast<std::size_t>(std::ceil(pos));
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

// Finish limit in working days as the queue counts them: hours (natural or working) are the
// same day; at most 60.
int LimitDays(const matters::Limit& l) {
  if (l.unit != matters::LimitUnit::kWorkingDays) return 0;
  return std::clamp(l.amount, 0, kMaxLimitDays);
}

struct Settings {
  double weekend_factor = 0.2;
  std::unordered_map<std::string, int> handlers;
  std::unordered_map<std::string, double> per_handler;
};

Settings ParseSettings(const std::optional<store::SettingRow>& row) {
  Settings s;
  if (!row) return s;
  const Json j = Json::parse(row->value, nullptr, false);
  if (!j.is_object()) return s;
  if (auto w = j.find("weekend_factor"); w != j.end() && w->is_number()) {
    const double f = w->get<double>();
    if (f >= 0 && f <= 1) s.weekend_factor = f;
  }
  if (auto h = j.find("handlers"); h != j.end() && h->is_object())
    for (const auto& [unit, n] : h->items())
      if (n.is_number_integer() && n.get<int>() >= 0) s.handlers[unit] = n.get<int>();
  if (auto m = j.find("per_handler_per_day"); m != j.end() && m->is_object())
    for (const auto& [unit, x] : m->items())
      if (x.is_number() && x.get<double>() > 0) s.per_handler[unit] = x.get<double>();
  return s;
}

std::string Basis(const CapacityBaseline& b) {
  const std::string source =
      b.forecast_run_id.empty()
          ? std::string("到达量按各单位近8周同星期几的日均数（尚无预测运行）")
          : fmt::format(
                "到达量取预测运行 {} 的单位序列{}", b.forecast_run_id,
                b.history_units > 0
                    ? fmt::format("（{} 个单位无序列，按近8周同星期几日均）", b.history_units)
                    : std::string());
  return fmt::format(
      "{}；承办人数为各单位有效的承办人账号数（有工作而无账号的单位按1人计）；人均日办结量取近12周"
      "每周办结数÷(人数×工作日)的第75百分位，不低于全市各单位的中位数（{:.2f} 件/人/工作日）；"
      "非工作日产能为工作日的 {:.0f}%；按最早到期先办（EDF）、以连续量近似；办结时限按事项设定"
      "（以小时计者当日到期），到达按近8周事项构成分到各时限；在办件按其办结期限计入。"
      " / Arrivals: {}; handlers: active handler accounts per unit (1 assumed where a unit has "
      "work "
      "but none); per-handler capacity: P75 of weekly replies ÷ (handlers × working days) over 12 "
      "weeks, floored at the city median ({:.2f}/handler/working day); other days at {:.0f} % of a "
      "working day; earliest-due-first, fluid; finish limits per matter (hours = same day), "
      "arrivals split by the last 8 weeks' matter mix; open work at its finish due day.",
      source, b.median_per_handler, b.weekend_factor * 100,
      b.forecast_run_id.empty() ? std::string("each unit's mean per weekday over the last 8 weeks")
                                : fmt::format("forecast run {}", b.forecast_run_id),
      b.median_per_handler, b.weekend_factor * 100);
}

}  // namespace

Result<std::shared_ptr<const CapacityBaseline>> CapacityService::Baseline() {
  const Timestamp now = clock_.Now();
  const Day today = DayOf(now);
  XT_ASSIGN_OR_RETURN(auto city, forecasts_.Find("place:city|cat:all|ch:all", 1));
  const std::string run_id = city ? city->run.id : std::string();
  std::lock_guard lock(mutex_);
  if (baseline_ && baseline_->forecast_run_id == run_id && baseline_->today == today &&
      now - baseline_->built_at < kBaselineTtl)
    return baseline_;
  XT_ASSIGN_OR_RETURN(baseline_, Build(today, run_id));
  return baseline_;
}

Result<std::shared_ptr<const CapacityBaseline>> CapacityService::Build(Day today,
                                                                       const std::string& run_id) {
  const auto started = std::chrono::steady_clock::now();
  auto b = std::make_shared<CapacityBaseline>();
  b->today = today;
  b->built_at = clock_.Now();
  b->forecast_run_id = run_id;
  b->days = HorizonDays(today, kMaxWhatIfWeeks);
  const int span = b->days + kCalendarSlack;
  b->working.resize(static_cast<std::size_t>(span));
  for (int d = 0; d < span; ++d)
    b->working[static_cast<std::size_t>(d)] = calendar_.IsWorkingDay(DateOf(today + d)) ? 1 : 0;

  XT_ASSIGN_OR_RETURN(auto row, db_.Read([](storage::Executor& ex) {
    return store::FindSetting(ex, "city", "capacity");
  }));
  const Settings settings = ParseSettings(row);
  b->weekend_factor = settings.weekend_factor;

  // Matters: finish limits of the leaves, and each leaf's level-1 and level-2 ancestors.
  XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
  std::unordered_map<std::string, std::vector<std::string>> ancestors;
  for (const auto& m : catalog->all()) {
    if (m.level != matters::kLeafLevel) continue;
    b->matter_limit_days[m.id] = LimitDays(m.finish_limit);
    std::vector<std::string> up;
    for (const auto* p = m.parent_id ? catalog->Find(*m.parent_id) : nullptr; p;
         p = p->parent_id ? catalog->Find(*p->parent_id) : nullptr)
      up.push_back(p->id);
    ancestors[m.id] = std::move(up);
  }

  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  XT_ASSIGN_OR_RETURN(auto members, identity_.CountMembers(identity::Role::kHandler));
  for (const auto& [unit, n] : settings.handlers) members[unit] = n;

  // The last 8 weeks' arrivals per unit: the matter mix and the weekday means.
  XT_ASSIGN_OR_RETURN(auto counts,
                      requests_.DailyCounts(StartOfDay(today - kHistoryDays), StartOfDay(today)));
  struct Work {
    double total = 0;
    std::array<double, 7> weekday{};
    std::unordered_map<std::string, double> matters;
    std::vector<std::pair<int, double>> open;
    double replied = 0;
  };
  std::unordered_map<std::string, Work> work;
  for (const auto& c : counts) {
    if (c.unit_id.empty() || c.merged) continue;
    auto& w = work[c.unit_id];
    const double n = static_cast<double>(c.n);
    w.total += n;
    w.weekday[static_cast<std::size_t>(Weekday(c.day))] += n;
    w.matters[c.matter_id] += n;
  }
  XT_ASSIGN_OR_RETURN(auto open, requests_.OpenWork(""));
  for (const auto& o : open) {
    int day = 0;
    if (o.late) {
      day = -1;
    } else if (o.finish_due == 0) {
      day = span;  // no limit: never due within the horizon
    } else {
      day = std::max(-1, DayOf(o.finish_due) - today);
    }
    auto& v = work[o.unit_id].open;
    if (!v.empty() && v.back().first == day) {
      v.back().second += 1;
    } else {
      v.emplace_back(day, 1.0);
    }
  }

  // Per-handler throughput over the last 12 complete weeks.
  const int this_week = (today - kFirstMonday) / 7;
  const int first_week = this_week - kThroughputWeeks;
  XT_ASSIGN_OR_RETURN(auto replied,
                      requests_.RepliedByUnitWeek(StartOfDay(kFirstMonday + 7 * first_week),
                                                  StartOfDay(kFirstMonday + 7 * this_week)));
  std::vector<int> working_days(kThroughputWeeks, 0);
  for (int w = 0; w < kThroughputWeeks; ++w)
    for (int d = 0; d < 7; ++d)
      if (calendar_.IsWorkingDay(DateOf(kFirstMonday + 7 * (first_week + w) + d)))
        ++working_days[static_cast<std::size_t>(w)];
  std::unordered_map<std::string, std::vector<double>> weekly;
  for (const auto& r : replied) {
    const int w = r.week - first_week;
    if (w < 0 || w >= kThroughputWeeks) continue;
    auto& v = weekly[r.unit_id];
    v.resize(kThroughputWeeks, 0.0);
    v[static_cast<std::size_t>(w)] += static_cast<double>(r.n);
    work[r.unit_id].replied += static_cast<double>(r.n);
  }
  for (const auto& [unit, n] : members)
    if (n > 0) work.try_emplace(unit);

  std::unordered_map<std::string, double> p75;
  for (auto& [unit, v] : weekly) {
    auto m = members.find(unit);
    const int h = m == members.end() || m->second <= 0 ? 1 : m->second;
    std::vector<double> x;
    for (int w = 0; w < kThroughputWeeks; ++w)
      if (working_days[static_cast<std::size_t>(w)] > 0)
        x.push_back(v[static_cast<std::size_t>(w)] /
                    (h * working_days[static_cast<std::size_t>(w)]));
    p75[unit] = Percentile(std::move(x), 0.75);
  }
  std::vector<double> all_p75;
  for (const auto& [unit, x] : p75) all_p75.push_back(x);
  b->median_per_handler = all_p75.empty() ? kDefaultPerHandler : Percentile(all_p75, 0.5);
  if (b->median_per_handler <= 0) b->median_per_handler = kDefaultPerHandler;

  for (auto& [unit_id, w] : work) {
    const identity::OrgUnit* unit = dir->Find(unit_id);
    if (!unit) continue;
    UnitBaseline u;
    u.unit_id = unit_id;
    u.unit_name = unit->name;
    u.unit_path = unit->path;
    auto m = members.find(unit_id);
    u.handlers = m == members.end() ? 0 : m->second;
    if (u.handlers == 0 && !settings.handlers.contains(unit_id) &&
        (w.total > 0 || !w.open.empty() || w.replied > 0)) {
      u.handlers = 1;
      u.handlers_assumed = true;
    }
    auto x = p75.find(unit_id);
    u.per_handler_per_day = std::max(x == p75.end() ? 0.0 : x->second, b->median_per_handler);
    if (auto o = settings.per_handler.find(unit_id); o != settings.per_handler.end())
      u.per_handler_per_day = o->second;
    if (w.total > 0) {
      for (const auto& [matter, n] : w.matters) {
        const double share = n / w.total;
        u.matter_share[matter] += share;
        if (auto a = ancestors.find(matter); a != ancestors.end())
          for (const auto& c : a->second) u.category_share[c] += share;
      }
    }
    std::sort(w.open.begin(), w.open.end());
    u.open_due = std::move(w.open);

    // Arrivals: the unit's forecast series, days past it from the same weekday a week before;
    // without a series, the weekday means of the last 8 weeks.
    u.arrivals.assign(static_cast<std::size_t>(b->days), -1.0);
    bool from_forecast = false;
    if (!run_id.empty()) {
      XT_ASSIGN_OR_RETURN(auto f,
                          forecasts_.Find(fmt::format("unit:{}|cat:all|ch:all", unit_id), 42));
      if (f && f->run.id == run_id) {
        for (const auto& p : f->forecast) {
          const int d = p.day - today;
          if (d >= 0 && d < b->days)
            u.arrivals[static_cast<std::size_t>(d)] = std::max(0.0, p.value);
        }
        from_forecast = true;
      }
    }
    for (int d = 0; d < b->days; ++d) {
      auto& a = u.arrivals[static_cast<std::size_t>(d)];
      if (a >= 0) continue;
      if (from_forecast && d >= 7 && u.arrivals[static_cast<std::size_t>(d - 7)] >= 0) {
        a = u.arrivals[static_cast<std::size_t>(d - 7)];
      } else {
        a = w.weekday[static_cast<std::size_t>(Weekday(today + d))] / (kHistoryDays / 7.0);
      }
    }
    if (!run_id.empty() && !from_forecast) ++b->history_units;
    b->units.push_back(std::move(u));
  }
  std::sort(b->units.begin(), b->units.end(),
            [](const UnitBaseline& x, const UnitBaseline& y) { return x.unit_id < y.unit_id; });
  b->build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return std::shared_ptr<const CapacityBaseline>(std::move(b));
}

Result<WhatIfAnswer> CapacityService::WhatIf(const Principal& actor, const WhatIfInput& in) {
  auto bad = [](std::string field, std::string message) {
    return Fail(Error::InvalidArgument(std::move(message)).About(std::move(field), "out_of_range"));
  };
  if (in.weeks < 1 || in.weeks > kMaxWhatIfWeeks)
    return bad("weeks", fmt::format("'weeks' must be 1 to {}, not {}", kMaxWhatIfWeeks, in.weeks));
  if (!std::isfinite(in.volume_pct) || in.volume_pct < kMinVolumePct ||
      in.volume_pct > kMaxVolumePct)
    return bad("volume_pct", fmt::format("'volume_pct' must be from {} to +{} (percent)",
                                         kMinVolumePct, kMaxVolumePct));
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  auto known_unit = [&](const std::string& field, const std::string& id) -> Result<void> {
    if (!dir->Find(id))
      return Fail(Error::NotFound(fmt::format("'{}' {} is not a unit", field, id.substr(0, 64)))
                      .About(field, "not_found"));
    return {};
  };
  std::unordered_set<std::string> seen;
  for (const auto& [unit, delta] : in.handlers) {
    XT_TRY_VOID(known_unit("handlers", unit));
    if (delta < -kMaxHandlerDelta || delta > kMaxHandlerDelta)
      return bad("handlers", fmt::format("a handlers 'delta' must be from -{} to +{}, not {}",
                                         kMaxHandlerDelta, kMaxHandlerDelta, delta));
    if (!seen.insert(unit).second)
      return bad("handlers", fmt::format("unit {} is listed twice in 'handlers'", unit));
  }
  XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
  seen.clear();
  for (const auto& [matter, days] : in.limits) {
    const matters::Matter* m = catalog->Find(matter);
    if (!m)
      return Fail(
          Error::NotFound(fmt::format("'limits' matter {} does not exist", matter.substr(0, 64)))
              .About("limits", "not_found"));
    if (m->level != matters::kLeafLevel)
      return bad("limits", fmt::format("'limits' needs leaf matters (level 3); {} is level {}",
                                       m->name, m->level));
    if (days < 1 || days > kMaxLimitDays)
      return bad("limits", fmt::format("'finish_days' must be 1 to {} working days, not {}",
                                       kMaxLimitDays, days));
    if (!seen.insert(matter).second)
      return bad("limits", fmt::format("matter {} is listed twice in 'limits'", m->name));
  }
  if (!in.volume_category_id.empty()) {
    const matters::Matter* m = catalog->Find(in.volume_category_id);
    if (!m)
      return Fail(Error::NotFound(fmt::format("'volume_category_id' {} does not exist",
                                              in.volume_category_id.substr(0, 64)))
                      .About("volume_category_id", "not_found"));
    if (m->level == matters::kLeafLevel)
      return bad("volume_category_id",
                 fmt::format("'volume_category_id' needs a level-1 or level-2 category; {} is a "
                             "matter",
                             m->name));
  }

  // The scope: the unit asked for, else the city, else the actor's own widest unit.
  std::string scope = in.unit_id;
  std::string under_path;
  if (!scope.empty()) {
    XT_TRY_VOID(known_unit("unit_id", scope));
    XT_ASSIGN_OR_RETURN(under_path, requests_.FiguresPath(actor, scope));
  } else {
    auto city = requests_.FiguresPath(actor, "");
    if (!city) {
      std::vector<const identity::Membership*> own;
      for (const auto& m : actor.memberships) own.push_back(&m);
      std::sort(own.begin(), own.end(), [](const auto* a, const auto* c) {
        return a->unit_path.size() < c->unit_path.size();
      });
      for (const auto* m : own) {
        if (auto p = requests_.FiguresPath(actor, m->unit_id)) {
          scope = m->unit_id;
          city = std::move(p);
          break;
        }
      }
    }
    if (!city) return Fail(city.error());
    under_path = *city;
  }

  XT_ASSIGN_OR_RETURN(auto baseline, Baseline());
  Scenario s;
  s.weeks = in.weeks;
  s.volume_pct = in.volume_pct;
  s.volume_category_id = in.volume_category_id;
  s.extra_handlers = in.handlers;
  s.limit_days = in.limits;
  s.under_path = under_path;
  WhatIfAnswer a;
  const auto started = std::chrono::steady_clock::now();
  a.projection = Project(*baseline, s);
  a.computed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  a.as_of = baseline->today;
  a.unit_id = scope;
  a.forecast_run_id = baseline->forecast_run_id;
  a.arrivals_source = baseline->forecast_run_id.empty() ? std::string("history")
                                                        : "forecast:" + baseline->forecast_run_id;
  a.basis = Basis(*baseline);
  a.baseline_ms = baseline->build_ms;
  a.baseline_built_at = baseline->built_at;
  return a;
}

}  // namespace xietong::insight
