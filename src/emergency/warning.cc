#include "emergency/warning.h"

#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "text/hotspots.h"
#include "text/normalize.h"
#include "text/utf8.h"

namespace xietong::emergency::warning {
namespace {

constexpr Timestamp kShanghaiOffset = 8 * kHour;
constexpr char kSep = '\x1f';

std::int64_t HourOf(Timestamp t) {
  const Timestamp local = t + kShanghaiOffset;
  return local >= 0 ? local / kHour : (local - kHour + 1) / kHour;
}
Timestamp HourStart(std::int64_t hour) { return hour * kHour - kShanghaiOffset; }

double LogPmf(int k, double mean, double dispersion) {
  if (dispersion <= 0) return -mean + k * std::log(mean) - std::lgamma(k + 1.0);
  const double r = 1.0 / dispersion;
  return std::lgamma(k + r) - std::lgamma(r) - std::lgamma(k + 1.0) + r * std::log(r / (r + mean)) +
         k * std::log(mean / (r + mean));
}

std::string SeriesKey(char kind, std::string_view key, std::string_view street) {
  std::string out;
  out.reserve(key.size() + street.size() + 3);
  out += kind;
  out += kSep;
  out += key;
  out += kSep;
  out += street;
  return out;
}

}  // namespace

std::vector<std::string> DefaultKeywords() {
  return {"停水", "停电", "燃气味", "煤气味", "漏气", "积水", "内涝", "塌陷",
          "坍塌", "火",   "冒烟",   "爆炸",   "漏水", "断电", "中毒", "倒伏"};
}

std::vector<std::string> KeywordsIn(const std::vector<std::string>& words, std::string_view title,
                                    std::string_view text) {
  std::vector<std::string> found;
  for (const std::string& w : words) {
    if (w.empty()) continue;
    if (title.find(w) != std::string_view::npos || text.find(w) != std::string_view::npos)
      found.push_back(w);
  }
  return found;
}

std::vector<std::string> PlacesIn(std::string_view title, std::string_view text,
                                  std::size_t limit) {
  std::vector<std::string> found;
  for (const std::string_view field : {title, text}) {
    auto cps = text::DecodeUtf8(field);
    if (!cps) continue;  // intake has refused invalid UTF-8 already
    bool truncated = false;
    for (std::string& name : text::ExtractPlaces(text::Normalizer::Fold(*cps, truncated)).names) {
      if (found.size() >= limit) return found;
      if (std::find(found.begin(), found.end(), name) == found.end())
        found.push_back(std::move(name));
    }
  }
  return found;
}

Result<void> ValidateRule(const Rule& rule) {
  if (rule.category.empty()) return Fail(Error::InvalidArgument("category: required"));
  if (rule.threshold < 1 || rule.threshold > 100000) {
    return Fail(Error::InvalidArgument("threshold: must be between 1 and 100000"));
  }
  if (rule.window_hours < 1 || rule.window_hours > 72) {
    return Fail(Error::InvalidArgument("window_hours: must be between 1 and 72"));
  }
  return {};
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kVolume:
      return "volume";
    case Kind::kKeyword:
      return "keyword";
    case Kind::kRule:
      return "rule";
    case Kind::kPlace:
      return "place";
  }
  return "volume";
}

std::optional<Kind> ParseKind(std::string_view name) {
  if (name == "volume") return Kind::kVolume;
  if (name == "keyword") return Kind::kKeyword;
  if (name == "rule") return Kind::kRule;
  if (name == "place") return Kind::kPlace;
  return std::nullopt;
}

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kOpen:
      return "open";
    case Status::kQuiet:
      return "quiet";
    case Status::kEscalated:
      return "escalated";
    case Status::kDismissed:
      return "dismissed";
  }
  return "open";
}

std::optional<Status> ParseStatus(std::string_view s) {
  for (const Status x : {Status::kOpen, Status::kQuiet, Status::kEscalated, Status::kDismissed}) {
    if (StatusName(x) == s) return x;
  }
  return std::nullopt;
}

std::string EvidenceJson(const Alert& a) {
  json::Json curve = json::Json::array();
  for (const CurvePoint& p : a.curve) {
    curve.push_back(
        {{"hour", p.hour}, {"observed", p.observed}, {"baseline", p.baseline}, {"upper", p.upper}});
  }
  return json::Json{{"statistic", a.statistic},     {"p_value", a.p_value},
                    {"expected", a.expected},       {"upper", a.upper},
                    {"observed", a.observed},       {"window_hours", a.window_hours},
                    {"request_ids", a.request_ids}, {"curve", std::move(curve)}}
      .dump();
}

Result<void> CheckCanClose(const Warning& w) {
  if (w.status == Status::kEscalated) {
    return Fail(Error::Conflict("the warning was already escalated to incident " + w.incident_id));
  }
  if (w.status == Status::kDismissed) return Fail(Error::Conflict("the warning was dismissed"));
  return {};
}

double UpperTail(int n, double mean, double dispersion) {
  if (n <= 0) return 1.0;
  if (mean <= 0) return 0.0;
  if (n > mean) {  // sum the tail itself: accurate for small probabilities
    double tail = 0;
    for (int k = n; k < n + 100000; ++k) {
      const double term = std::exp(LogPmf(k, mean, dispersion));
      tail += term;
      if (k > mean && term < tail * 1e-12) break;
    }
    return std::min(1.0, tail);
  }
  double below = 0;
  for (int k = 0; k < n; ++k) below += std::exp(LogPmf(k, mean, dispersion));
  return std::max(0.0, 1.0 - below);
}

int UpperQuantile(double mean, double dispersion, double alpha) {
  int n = std::max(1, static_cast<int>(std::ceil(mean)));
  while (UpperTail(n, mean, dispersion) > alpha && n < 1000000) ++n;
  return n;
}

int SlotOf(std::int64_t hour, const WorkCalendar* calendar) {
  const std::int64_t day = hour >= 0 ? hour / 24 : (hour - 23) / 24;
  const int hod = static_cast<int>(hour - day * 24);
  int weekday = static_cast<int>(((day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  if (calendar != nullptr) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    const bool working = calendar->IsWorkingDay(ymd);
    if (!working && weekday < 5) weekday = 6;  // a holiday is a Sunday
    if (working && weekday >= 5) weekday = 0;  // a make-up working day is a Monday
  }
  return weekday * 24 + hod;
}

Detector::Detector(Options options, const WorkCalendar* calendar)
    : options_(std::move(options)), calendar_(calendar) {}

void Detector::SetRules(std::vector<Rule> rules) { rules_ = std::move(rules); }

void Detector::Rescale() {
  const double f = 1.0 / weight_;
  for (auto& [_, s] : series_) {
    for (float& c : s.counts) c = static_cast<float>(c * f);
    s.total *= f;
  }
  for (double& h : hours_) h *= f;
  for (double& c : city_) c *= f;
  total_hours_ *= f;
  city_total_ *= f;
  weight_ = 1;
}

void Detector::MoveTo(std::int64_t hour) {
  if (hour_ < 0) {
    hour_ = first_hour_ = last_seen_hour_ = hour;
    return;
  }
  if (hour <= hour_) return;
  const double grow = std::exp2(1.0 / (options_.half_life_days * 24));
  const bool gap = static_cast<double>(hour - last_seen_hour_) > options_.max_gap_hours;
  // The hour just ended was seen; the hours in between too unless the feed was silent.
  const std::int64_t last = gap ? hour_ : hour - 1;
  for (std::int64_t h = hour_; h <= last; ++h) {
    hours_[static_cast<std::size_t>(SlotOf(h, calendar_))] += weight_;
    total_hours_ += weight_;
    weight_ *= grow;
  }
  if (gap) first_hour_ += hour - hour_ - 1;  // the warm-up counts seen hours only
  hour_ = hour;
  if (weight_ > 1e30) Rescale();
}

double Detector::Rate(const Series& s, int slot) const {
  const auto i = static_cast<std::size_t>(slot);
  const double k = options_.shrinkage_hours * weight_;
  double mean = total_hours_ > 0 ? s.total / total_hours_ : 0;
  double shape = 1;
  if (total_hours_ > 0 && city_total_ > 0) {
    const double city_mean = city_total_ / total_hours_;
    const double kc = 4 * weight_;  // the city-wide shape is pooled: it needs little shrinkage
    shape = ((city_[i] + kc * city_mean) / (hours_[i] + kc)) / city_mean;
  }
  const double rate = (s.counts[i] + k * mean * shape) / (hours_[i] + k);
  return std::max(rate, options_.min_rate);
}

double Detector::ExpectedIn(const Series& s, Timestamp from, Timestamp to) const {
  double sum = 0;
  for (std::int64_t h = HourOf(from); HourStart(h) < to; ++h) {
    const Timestamp a = std::max(from, HourStart(h));
    const Timestamp b = std::min(to, HourStart(h + 1));
    if (b <= a) continue;
    sum += Rate(s, SlotOf(h, calendar_)) * static_cast<double>(b - a) / kHour;
  }
  return sum;
}

double Detector::Expected(std::string_view category, std::string_view street_id, Timestamp from,
                          Timestamp to) const {
  const auto it = series_.find(SeriesKey('v', category, street_id));
  if (it == series_.end()) return ExpectedIn(Series{}, from, to);
  return ExpectedIn(it->second, from, to);
}

void Detector::CloseHour(Series& s, bool open) {
  if (s.hour < 0 || s.cur_count == 0) return;
  const int slot = SlotOf(s.hour, calendar_);
  const double rate = Rate(s, slot);
  const double cap = open ? rate : std::max(2.0, 3 * rate + 1);
  const double add = std::min(static_cast<double>(s.cur_count), cap) * weight_;
  s.counts[static_cast<std::size_t>(slot)] += static_cast<float>(add);
  s.total += add;
  s.cur_count = 0;
}

void Detector::Feed(Series& s, const Observation& obs) {
  if (s.hour != hour_) {
    CloseHour(s, false);
    s.hour = hour_;
  }
  ++s.cur_count;
  s.recent.emplace_back(obs.at, obs.request_id);
  double keep = std::max<double>(options_.curve_hours, options_.window_hours);
  for (const Rule& r : rules_) keep = std::max<double>(keep, r.window_hours);
  const Timestamp horizon = obs.at - static_cast<Timestamp>(keep * kHour);
  while (!s.recent.empty() && s.recent.front().first <= horizon) s.recent.pop_front();
}

std::vector<CurvePoint> Detector::Curve(const Series& s, Timestamp at) const {
  std::vector<CurvePoint> curve;
  const std::int64_t end = HourOf(at);
  const std::int64_t begin = end - options_.curve_hours + 1;
  for (std::int64_t h = begin; h <= end; ++h) {
    CurvePoint p;
    p.hour = HourStart(h);
    p.baseline = Rate(s, SlotOf(h, calendar_));
    p.upper = std::max(UpperQuantile(p.baseline, options_.dispersion, options_.false_alarm),
                       options_.min_count);
    curve.push_back(p);
  }
  for (const auto& [t, _] : s.recent) {
    const std::int64_t h = HourOf(t);
    if (h >= begin && h <= end) ++curve[static_cast<std::size_t>(h - begin)].observed;
  }
  return curve;
}

std::optional<Alert> Detector::Fire(Alert alert, const Series& s) {
  const Timestamp from = alert.at - static_cast<Timestamp>(alert.window_hours * kHour);
  for (auto it = s.recent.rbegin(); it != s.recent.rend() && it->first > from; ++it) {
    if (alert.request_ids.size() >= options_.max_evidence_ids) break;
    alert.request_ids.push_back(it->second);
  }
  std::reverse(alert.request_ids.begin(), alert.request_ids.end());
  OpenKey key{static_cast<int>(alert.kind), alert.key, alert.street_id};
  auto [it, inserted] = open_.try_emplace(std::move(key));
  it->second.last_fired = alert.at;
  alert.opened = inserted;
  for (const std::string& id : alert.request_ids) {
    if (it->second.ids.size() >= options_.max_evidence_ids) break;
    if (std::find(it->second.ids.begin(), it->second.ids.end(), id) == it->second.ids.end()) {
      it->second.ids.push_back(id);
    }
  }
  alert.request_ids = it->second.ids;
  alert.curve = Curve(s, alert.at);
  return alert;
}

std::optional<Alert> Detector::Test(Kind kind, const std::string& key, const std::string& category,
                                    const std::string& street, Series& s, Timestamp at) {
  if (hour_ - first_hour_ < static_cast<std::int64_t>(options_.warmup_days) * 24) {
    return std::nullopt;
  }
  const Timestamp from = at - static_cast<Timestamp>(options_.window_hours * kHour);
  int count = 0;
  for (auto it = s.recent.rbegin(); it != s.recent.rend() && it->first > from; ++it) ++count;
  if (count < options_.min_count) return std::nullopt;
  const double expected = ExpectedIn(s, from, at);
  const double p = UpperTail(count, expected, options_.dispersion);
  if (p > options_.false_alarm) return std::nullopt;
  Alert a;
  a.kind = kind;
  a.key = key;
  a.category = category;
  a.street_id = street;
  a.at = at;
  a.observed = count;
  a.expected = expected;
  a.upper = UpperQuantile(expected, options_.dispersion, options_.false_alarm);
  a.p_value = p;
  a.window_hours = options_.window_hours;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: %d in %.0f h, expected %.2f, P(X>=%d)=%.2g <= %.2g",
                options_.dispersion > 0 ? "negative binomial" : "poisson", count,
                options_.window_hours, expected, count, p, options_.false_alarm);
  a.statistic = buf;
  return Fire(std::move(a), s);
}

void Detector::CloseQuiet(Timestamp now) {
  const auto quiet = static_cast<Timestamp>(options_.quiet_hours * kHour);
  for (auto it = open_.begin(); it != open_.end();) {
    if (now - it->second.last_fired >= quiet) {
      const auto& [kind, key, street] = it->first;
      quiet_.push_back({static_cast<Kind>(kind), key, street, now});
      // The series learns again from the next hour on (its burst hours were capped).
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<Alert> Detector::Add(const Observation& obs) {
  std::vector<Alert> out;
  const std::int64_t hour = HourOf(obs.at);
  const Timestamp at = hour < hour_ ? HourStart(hour_) : obs.at;
  if (hour > hour_) CloseQuiet(at);
  MoveTo(std::max(hour, hour_));
  last_seen_hour_ = hour_;
  const double w = weight_;
  const auto slot = static_cast<std::size_t>(SlotOf(hour_, calendar_));
  city_[slot] += w;
  city_total_ += w;
  if (obs.street_id.empty()) return out;
  Observation o = obs;
  o.at = at;

  const std::string vkey = SeriesKey('v', obs.category, obs.street_id);
  Series& vs = series_[vkey];
  const bool vopen = open_.contains({static_cast<int>(Kind::kVolume), obs.category, obs.street_id});
  if (vs.hour != hour_) CloseHour(vs, vopen);
  Feed(vs, o);
  if (auto a = Test(Kind::kVolume, obs.category, obs.category, obs.street_id, vs, at)) {
    out.push_back(std::move(*a));
  }
  for (const Rule& r : rules_) {
    if (!r.enabled || r.category != obs.category) continue;
    if (!r.street_id.empty() && r.street_id != obs.street_id) continue;
    const Timestamp from = at - r.window_hours * kHour;
    int count = 0;
    for (auto it = vs.recent.rbegin(); it != vs.recent.rend() && it->first > from; ++it) ++count;
    if (count < r.threshold) continue;
    Alert a;
    a.kind = Kind::kRule;
    a.key = r.id;
    a.category = r.category;
    a.street_id = obs.street_id;
    a.at = at;
    a.observed = count;
    a.upper = r.threshold;
    a.window_hours = r.window_hours;
    a.statistic = "rule " + r.id + ": " + std::to_string(count) +
                  " >= " + std::to_string(r.threshold) + " in " + std::to_string(r.window_hours) +
                  " h";
    if (auto fired = Fire(std::move(a), vs)) out.push_back(std::move(*fired));
  }
  if (!obs.text.empty()) {
    for (const std::string& word : options_.keywords) {
      if (word.empty() || obs.text.find(word) == std::string::npos) continue;
      if (auto a = AddTagged(Kind::kKeyword, 'k', word, o)) out.push_back(std::move(*a));
    }
  }
  for (const std::string& place : obs.places) {
    if (place.empty()) continue;
    if (auto a = AddTagged(Kind::kPlace, 'p', place, o)) out.push_back(std::move(*a));
  }
  return out;
}

std::optional<Alert> Detector::AddTagged(Kind kind, char prefix, const std::string& key,
                                         const Observation& o) {
  Series& s = series_[SeriesKey(prefix, key, o.street_id)];
  const bool open = open_.contains({static_cast<int>(kind), key, o.street_id});
  if (s.hour != hour_) CloseHour(s, open);
  Feed(s, o);
  return Test(kind, key, "", o.street_id, s, o.at);
}

std::vector<Quiet> Detector::Advance(Timestamp now) {
  const std::int64_t hour = HourOf(now);
  if (hour_ >= 0 && hour > hour_) MoveTo(hour);
  CloseQuiet(now);
  return TakeQuiet();
}

std::vector<Quiet> Detector::TakeQuiet() { return std::exchange(quiet_, {}); }

std::string Detector::Snapshot() const {
  json::Json series = json::Json::object();
  for (const auto& [key, s] : series_) {
    json::Json counts = json::Json::array();
    for (std::size_t i = 0; i < s.counts.size(); ++i) {
      if (s.counts[i] != 0) counts.push_back({i, s.counts[i]});
    }
    json::Json recent = json::Json::array();
    for (const auto& [t, id] : s.recent) recent.push_back({t, id});
    series[key] = {{"c", std::move(counts)},
                   {"t", s.total},
                   {"h", s.hour},
                   {"n", s.cur_count},
                   {"r", std::move(recent)}};
  }
  json::Json open = json::Json::array();
  for (const auto& [k, o] : open_) {
    const auto& [kind, key, street] = k;
    open.push_back({kind, key, street, o.last_fired, o.ids});
  }
  const json::Json j = {{"v", 1},
                        {"hours", hours_},
                        {"city", city_},
                        {"th", total_hours_},
                        {"ct", city_total_},
                        {"w", weight_},
                        {"hour", hour_},
                        {"first", first_hour_},
                        {"seen", last_seen_hour_},
                        {"series", std::move(series)},
                        {"open", std::move(open)}};
  return j.dump();
}

Result<void> Detector::Restore(std::string_view snapshot) {
  try {
    const json::Json j = json::Json::parse(snapshot);
    if (j.at("v").get<int>() != 1) return Fail(Error::InvalidArgument("snapshot: unknown version"));
    Detector d(options_, calendar_);
    d.rules_ = rules_;
    d.hours_ = j.at("hours").get<std::array<double, kSlots>>();
    d.city_ = j.at("city").get<std::array<double, kSlots>>();
    d.total_hours_ = j.at("th").get<double>();
    d.city_total_ = j.at("ct").get<double>();
    d.weight_ = j.at("w").get<double>();
    d.hour_ = j.at("hour").get<std::int64_t>();
    d.first_hour_ = j.at("first").get<std::int64_t>();
    d.last_seen_hour_ = j.at("seen").get<std::int64_t>();
    for (const auto& [key, v] : j.at("series").items()) {
      Series s;
      for (const auto& c : v.at("c")) {
        const auto i = c.at(0).get<std::size_t>();
        if (i >= s.counts.size())
          return Fail(Error::InvalidArgument("snapshot: slot out of range"));
        s.counts[i] = c.at(1).get<float>();
      }
      s.total = v.at("t").get<double>();
      s.hour = v.at("h").get<std::int64_t>();
      s.cur_count = v.at("n").get<int>();
      for (const auto& r : v.at("r")) {
        s.recent.emplace_back(r.at(0).get<Timestamp>(), r.at(1).get<std::string>());
      }
      d.series_.emplace(key, std::move(s));
    }
    for (const auto& o : j.at("open")) {
      d.open_[{o.at(0).get<int>(), o.at(1).get<std::string>(), o.at(2).get<std::string>()}] =
          Open{o.at(3).get<Timestamp>(), o.at(4).get<std::vector<std::string>>()};
    }
    *this = std::move(d);
  } catch (const std::exception& e) {
    return Fail(Error::InvalidArgument(std::string("snapshot: ") + e.what()));
  }
  return {};
}

}  // namespace xietong::emergency::warning
