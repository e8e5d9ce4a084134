// The capacity projection: per unit, buckets of work by due day served earliest-due-first.
#include "insight/capacity.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace xietong::insight {
namespace {

constexpr double kEpsilon = 1e-9;

// Due days on the baseline's day grid: due(d, L) is d itself for L = 0 (same day), else the
// L-th working day after d; past the grid it is `far` (never due within the horizon).
class DueDays {
 public:
  explicit DueDays(const std::vector<char>& working) : far_(static_cast<int>(working.size())) {
    through_.resize(working.size());
    int n = 0;
    for (std::size_t i = 0; i < working.size(); ++i) {
      if (working[i]) {
        ++n;
        work_days_.push_back(static_cast<int>(i));
      }
      through_[i] = n;
    }
  }
  int Due(int d, int limit) const {
    if (limit <= 0) return d;
    const std::size_t k =
        static_cast<std::size_t>(through_[static_cast<std::size_t>(d)] + limit - 1);
    return k < work_days_.size() ? work_days_[k] : far_;
  }
  int far() const { return far_; }

 private:
  int far_;
  std::vector<int> through_;    // working days in [0, i]
  std::vector<int> work_days_;  // the working days' indexes
};

// Finish-limit classes of a unit's arrivals: (working days, share), the shares summing to 1.
std::vector<std::pair<int, double>> LimitClasses(
    const CapacityBaseline& b, const UnitBaseline& u,
    const std::unordered_map<std::string, int>& overrides) {
  std::map<int, double> classes;
  double known = 0;
  for (const auto& [matter, share] : u.matter_share) {
    int days = b.default_limit_days;
    if (auto o = overrides.find(matter); o != overrides.end()) {
      days = o->second;
    } else if (auto it = b.matter_limit_days.find(matter); it != b.matter_limit_days.end()) {
      days = it->second;
    }
    classes[days] += share;
    known += share;
  }
  if (known < 1 - kEpsilon) classes[b.default_limit_days] += 1 - known;
  return {classes.begin(), classes.end()};
}

struct RunInput {
  double handlers = 0;
  double volume_factor = 1;
  std::vector<std::pair<int, double>> classes;
};

// One unit over `days` days; per-day backlog and capacity added into the totals' arrays.
UnitResult Run(const CapacityBaseline& b, const DueDays& due, const UnitBaseline& u,
               const RunInput& in, int days, int first_weekday, std::vector<double>& day_backlog,
               std::vector<double>& day_capacity) {
  const int weeks = (first_weekday + days + 6) / 7;
  UnitResult r;
  r.backlog.assign(static_cast<std::size_t>(weeks), 0.0);
  r.new_overdue.assign(static_cast<std::size_t>(weeks), 0.0);
  r.done.assign(static_cast<std::size_t>(weeks), 0.0);
  // buckets[0]: the overdue stock; buckets[k + 1]: due on day k; buckets[far + 1]: later.
  std::vector<double> buckets(static_cast<std::size_t>(due.far()) + 2, 0.0);
  std::size_t hi = 0;
  double backlog = 0;
  for (const auto& [day, n] : u.open_due) {
    const std::size_t k = day < 0 ? 0 : static_cast<std::size_t>(std::min(day, due.far())) + 1;
    buckets[k] += n;
    backlog += n;
    if (day >= 0) r.workload += n;
    hi = std::max(hi, k);
  }
  const double per_day = in.handlers * u.per_handler_per_day;
  if (backlog < per_day) r.clears_in_days = 0;
  for (int d = 0; d < days; ++d) {
    const std::size_t di = static_cast<std::size_t>(d);
    const double a = di < u.arrivals.size() ? u.arrivals[di] * in.volume_factor : 0.0;
    if (a > 0) {
      for (const auto& [limit, share] : in.classes) {
        const std::size_t k = static_cast<std::size_t>(due.Due(d, limit)) + 1;
        buckets[k] += a * share;
        hi = std::max(hi, k);
      }
      r.arrivals += a;
      r.workload += a;
      backlog += a;
    }
    double capacity = b.working[di] ? per_day : per_day * b.weekend_factor;
    const double offered = capacity;
    // Buckets 1…d (due before today) were emptied into the overdue stock on their days.
    for (std::size_t k = 0; k <= hi && capacity > kEpsilon; k = k == 0 ? di + 1 : k + 1) {
      const double take = std::min(capacity, buckets[k]);
      buckets[k] -= take;
      capacity -= take;
    }
    const double done = offered - capacity;
    backlog = std::max(0.0, backlog - done);
    const double late = buckets[di + 1];  // due today and not done
    if (late > kEpsilon) {
      buckets[0] += late;
      r.new_overdue_total += late;
    }
    buckets[di + 1] = 0;
    const std::size_t w = static_cast<std::size_t>((first_weekday + d) / 7);
    r.done[w] += done;
    r.new_overdue[w] += late > kEpsilon ? late : 0.0;
    r.backlog[w] = backlog;
    if (r.clears_in_days < 0 && backlog < per_day) r.clears_in_days = d + 1;
    day_backlog[di] += backlog;
    day_capacity[di] += per_day;
  }
  r.backlog_end = backlog;
  r.overdue_share = r.workload > kEpsilon ? r.new_overdue_total / r.workload : 0.0;
  return r;
}

void AddInto(UnitResult& total, const UnitResult& r) {
  for (std::size_t w = 0; w < r.backlog.size(); ++w) {
    total.backlog[w] += r.backlog[w];
    total.new_overdue[w] += r.new_overdue[w];
    total.done[w] += r.done[w];
  }
  total.arrivals += r.arrivals;
  total.workload += r.workload;
  total.backlog_end += r.backlog_end;
  total.new_overdue_total += r.new_overdue_total;
}

void FinishTotal(UnitResult& t, const std::vector<double>& backlog,
                 const std::vector<double>& capacity, double start_backlog, double start_capacity) {
  t.overdue_share = t.workload > kEpsilon ? t.new_overdue_total / t.workload : 0.0;
  if (start_backlog < start_capacity) {
    t.clears_in_days = 0;
    return;
  }
  for (std::size_t d = 0; d < backlog.size(); ++d) {
    if (backlog[d] < capacity[d]) {
      t.clears_in_days = static_cast<int>(d) + 1;
      return;
    }
  }
}

}  // namespace

int HorizonDays(Day today, int weeks) { return (7 - Weekday(today)) + 7 * (weeks - 1); }

Projection Project(const CapacityBaseline& b, const Scenario& s) {
  Projection p;
  const int weeks = std::clamp(s.weeks, 1, kMaxWhatIfWeeks);
  const int first_weekday = Weekday(b.today);
  p.days = std::min(HorizonDays(b.today, weeks), b.days);
  p.days = std::min(p.days, static_cast<int>(b.working.size()));
  const int n_weeks = (first_weekday + p.days + 6) / 7;
  for (int w = 0; w < n_weeks; ++w) p.weeks.push_back(b.today - first_weekday + 7 * w);

  const DueDays due(b.working);
  std::unordered_map<std::string, int> extra;
  for (const auto& [unit, delta] : s.extra_handlers) extra[unit] += delta;
  const std::unordered_map<std::string, int> limits(s.limit_days.begin(), s.limit_days.end());
  const std::unordered_map<std::string, int> no_limits;

  UnitResult* totals[] = {&p.total_baseline, &p.total_scenario};
  for (UnitResult* t : totals) {
    t->backlog.assign(static_cast<std::size_t>(n_weeks), 0.0);
    t->new_overdue.assign(static_cast<std::size_t>(n_weeks), 0.0);
    t->done.assign(static_cast<std::size_t>(n_weeks), 0.0);
  }
  const std::size_t nd = static_cast<std::size_t>(p.days);
  std::vector<double> base_backlog(nd, 0.0), base_capacity(nd, 0.0), scen_backlog(nd, 0.0),
      scen_capacity(nd, 0.0);
  double start_backlog = 0, base_start_capacity = 0, scen_start_capacity = 0;

  for (const auto& u : b.units) {
    if (!s.under_path.empty() && !u.unit_path.starts_with(s.under_path)) continue;
    UnitProjection up;
    up.unit_id = u.unit_id;
    up.unit_name = u.unit_name;
    up.handlers = u.handlers;
    up.handlers_assumed = u.handlers_assumed;
    up.per_handler_per_day = u.per_handler_per_day;
    auto e = extra.find(u.unit_id);
    up.scenario_handlers = std::max(0, u.handlers + (e == extra.end() ? 0 : e->second));

    RunInput base{static_cast<double>(u.handlers), 1.0, LimitClasses(b, u, no_limits)};
    RunInput scen{static_cast<double>(up.scenario_handlers), 1.0,
                  limits.empty() ? base.classes : LimitClasses(b, u, limits)};
    double share = 1;
    if (!s.volume_category_id.empty()) {
      share = 0;
      if (auto c = u.category_share.find(s.volume_category_id); c != u.category_share.end())
        share = c->second;
      else if (auto m = u.matter_share.find(s.volume_category_id); m != u.matter_share.end())
        share = m->second;
    }
    scen.volume_factor = std::max(0.0, 1 + s.volume_pct / 100 * share);

    up.baseline = Run(b, due, u, base, p.days, first_weekday, base_backlog, base_capacity);
    up.scenario = Run(b, due, u, scen, p.days, first_weekday, scen_backlog, scen_capacity);
    AddInto(p.total_baseline, up.baseline);
    AddInto(p.total_scenario, up.scenario);
    for (const auto& [day, n] : u.open_due) start_backlog += n;
    base_start_capacity += base.handlers * u.per_handler_per_day;
    scen_start_capacity += scen.handlers * u.per_handler_per_day;
    p.units.push_back(std::move(up));
  }
  FinishTotal(p.total_baseline, base_backlog, base_capacity, start_backlog, base_start_capacity);
  FinishTotal(p.total_scenario, scen_backlog, scen_capacity, start_backlog, scen_start_capacity);
  std::sort(p.units.begin(), p.units.end(), [](const UnitProjection& a, const UnitProjection& c) {
    if (a.scenario.overdue_share != c.scenario.overdue_share)
      return a.scenario.overdue_share > c.scenario.overdue_share;
    if (a.scenario.backlog_end != c.scenario.backlog_end)
      return a.scenario.backlog_end > c.scenario.backlog_end;
    return a.unit_id < c.unit_id;
  });
  return p;
}

}  // namespace xietong::insight
