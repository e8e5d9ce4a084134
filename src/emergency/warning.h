// Early warning (预警, 未诉先办): a pure detector over the stream of intakes.
// No SQL, no clock: the caller feeds observations in time order and stores
// what comes out (warning_service does that inside the consumer's
// transaction; `xietong warnings replay` does it in memory).
//
// Series. Every observation counts in one volume series (matter category ×
// street), in one keyword series per keyword its text contains (keyword ×
// street, across categories) and in one place series per named place it
// mentions (place × street, across categories: a cluster of calls about one
// estate or road, whatever their matter). Admin rules (category, street or any street,
// threshold, window) are evaluated on the volume series.
//
// Baseline. Time is cut into local hours (Asia/Shanghai, +08:00) and every
// hour into one of 168 slots (weekday × hour of day); a holiday counts as a
// Sunday and a make-up working day (调休) as a Monday when a WorkCalendar is
// given. The expected count of a series in an hour is
//   λ(s, slot) = (C[s][slot] + k·m_s·P[slot]) / (H[slot] + k)
// where C is the series' count in that slot, H the hours of that slot seen,
// m_s the series' mean per hour, P the city-wide shape of the slot (rate in
// the slot over the mean rate) and k = shrinkage_hours: a slot seen rarely
// leans on the series mean shaped by the city's weekly pattern. All counts and
// hours are exponentially forgotten (half_life_days) so that the baseline
// follows a drifting series. Learning is robust: an hour's count enters C
// capped at max(2, 3λ+1), and at λ while the series has an open warning, so
// that a burst does not teach the baseline that bursts are normal. The state
// is 168 floats per series plus the events of the last curve_hours.
//
// Statistic. On each observation the count in the sliding window
// (at − window_hours, at] is compared with the expected count Λ over the same
// span; the series fires when count ≥ min_count and P(X ≥ count) ≤
// false_alarm under Poisson(Λ) — or negative binomial with variance
// Λ + dispersion·Λ² when overdispersion was measured (dispersion > 0). No
// statistical warning is raised before warmup_days of history.
//
// Deduplication. One open warning per (kind, category/keyword/rule, street):
// later firings update it (more request ids); it goes quiet once it has not
// fired for quiet_hours, and only then can the same key open a new one.
//
// Gaps. Hours after a silence longer than max_gap_hours (no observation at
// all, city-wide) are not counted as seen: a feed that was down or a sample
// with holes does not teach the baseline that nothing happens.
//
// Not thread-safe; one Detector per consumer.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"

namespace xietong::emergency::warning {

inline constexpr Timestamp kHour = 3600LL * 1000 * 1000;
inline constexpr int kSlots = 168;

// The default keyword list (data, not code paths): words whose burst across
// categories on one street signals a shared cause.
std::vector<std::string> DefaultKeywords();
// The words of `words` that occur in the title or the text, each once, in
// the order of `words`.
std::vector<std::string> KeywordsIn(const std::vector<std::string>& words, std::string_view title,
                                    std::string_view text);

// The named places (…小区, …路, …街道, …村, …学校: text::ExtractPlaces, the
// hotspot module's place finder) in the title, then the text, each once, at
// most `limit`.
std::vector<std::string> PlacesIn(std::string_view title, std::string_view text,
                                  std::size_t limit = 3);

struct Options {
  double window_hours = 2;
  double false_alarm = 1e-3;  // per test: P(X >= count) at or below it fires
  int min_count = 3;
  double shrinkage_hours = 96;
  double half_life_days = 28;
  double quiet_hours = 6;
  double dispersion = 0;    // 1/r of the negative binomial; 0 = Poisson
  double min_rate = 0.002;  // floor of λ per hour, so that a never-seen series is not at 0
  int warmup_days = 14;
  int curve_hours = 24;
  double max_gap_hours = 48;
  std::size_t max_evidence_ids = 200;
  std::vector<std::string> keywords = DefaultKeywords();
};

// An admin rule: `threshold` or more requests of `category` on `street_id`
// ("" = any street, counted per street) within `window_hours`.
struct Rule {
  std::string id;
  std::string category;
  std::string street_id;
  int threshold = 0;
  int window_hours = 0;
  bool enabled = true;
  friend bool operator==(const Rule&, const Rule&) = default;
};
// Error::InvalidArgument naming the field.
Result<void> ValidateRule(const Rule& rule);

enum class Kind { kVolume, kKeyword, kRule, kPlace };
std::string_view KindName(Kind kind);
std::optional<Kind> ParseKind(std::string_view name);

struct Observation {
  std::string request_id;
  Timestamp at = 0;
  std::string category;                  // the matter (leaf) id
  std::string street_id;                 // "" when not located: volume and rules skip it
  std::string text;                      // title and text, for keywords ("" = none)
  std::vector<std::string> places = {};  // named places (PlacesIn), one series each
};

struct CurvePoint {
  Timestamp hour = 0;  // start of the local hour, microseconds
  int observed = 0;
  double baseline = 0;
  double upper = 0;  // the count that would fire for this hour alone
};

// A warning opened or updated by one observation.
struct Alert {
  Kind kind = Kind::kVolume;
  std::string key;  // category id, keyword or rule id
  std::string category;
  std::string street_id;
  bool opened = false;  // false: an update of the open warning
  Timestamp at = 0;
  int observed = 0;     // count in the window
  double expected = 0;  // Λ over the window (rules: 0)
  double upper = 0;     // the smallest count that fires at this Λ (rules: threshold)
  double p_value = 0;   // P(X >= observed) (rules: 0)
  double window_hours = 0;
  std::string statistic;  // what fired, in words
  std::vector<std::string> request_ids;
  std::vector<CurvePoint> curve;
};

struct Quiet {
  Kind kind = Kind::kVolume;
  std::string key;
  std::string street_id;
  Timestamp at = 0;
};

// P(X >= n) for X ~ Poisson(mean), or NB(mean, dispersion) when dispersion > 0.
double UpperTail(int n, double mean, double dispersion);
// The smallest n with UpperTail(n) <= alpha.
int UpperQuantile(double mean, double dispersion, double alpha);
// The slot (0..167, Monday 00h = 0) of the local hour number `hour`
// (hours since 1970-01-01 00:00 +08:00).
int SlotOf(std::int64_t hour, const WorkCalendar* calendar);

// A warning as stored (warning_store) and shown (warning_service).
enum class Status { kOpen, kQuiet, kEscalated, kDismissed };
std::string_view StatusName(Status s);
std::optional<Status> ParseStatus(std::string_view s);

struct Warning {
  std::string id = {};
  Kind kind = Kind::kVolume;
  std::string key = {};  // category id, keyword or rule id
  std::string category = {}, street_id = {};
  Status status = Status::kOpen;
  Timestamp opened_at = 0, updated_at = 0, closed_at = 0;
  int observed = 0;
  double expected = 0;
  std::string evidence = "{}";  // JSON: statistic, p_value, upper, window_hours, request_ids, curve
  std::vector<std::string> target_unit_ids = {};
  std::string incident_id = {};  // set when escalated
  std::string closed_by = {}, note = {};
};
// The evidence of an alert as the JSON text stored with its warning.
std::string EvidenceJson(const Alert& a);

// A warning still open can be escalated or dismissed; Conflict otherwise.
Result<void> CheckCanClose(const Warning& w);

struct StoredRule {
  Rule rule = {};
  std::string created_by = {};
  Timestamp created_at = 0, updated_at = 0;
};

class Detector {
 public:
  // calendar may be null (plain weekdays); it must outlive the detector.
  explicit Detector(Options options = {}, const WorkCalendar* calendar = nullptr);

  void SetRules(std::vector<Rule> rules);
  const std::vector<Rule>& rules() const { return rules_; }
  const Options& options() const { return options_; }

  // Feeds one observation (at must not go back more than an hour; older ones
  // count at the newest hour seen). Returns the warnings it opened or updated.
  std::vector<Alert> Add(const Observation& obs);
  // Moves time on to `now` without an observation; returns the warnings that
  // went quiet (Add also closes them but reports them here only).
  std::vector<Quiet> Advance(Timestamp now);
  // Warnings closed by Add since the last call (then cleared).
  std::vector<Quiet> TakeQuiet();

  // The expected count of a volume series over [from, to).
  double Expected(std::string_view category, std::string_view street_id, Timestamp from,
                  Timestamp to) const;
  std::size_t series_count() const { return series_.size(); }
  std::size_t open_count() const { return open_.size(); }

  // The whole state (learned baselines, recent events, open warnings) as
  // compact JSON text, and back. Rules and options are not part of it.
  std::string Snapshot() const;
  Result<void> Restore(std::string_view snapshot);

 private:
  struct Series {
    std::array<float, kSlots> counts{};
    double total = 0;
    std::int64_t hour = -1;  // the hour cur_count belongs to
    int cur_count = 0;
    std::deque<std::pair<Timestamp, std::string>> recent;  // (at, request id), oldest first
  };
  struct Open {
    Timestamp last_fired = 0;
    std::vector<std::string> ids;
  };
  using OpenKey = std::tuple<int, std::string, std::string>;  // kind, key, street

  void MoveTo(std::int64_t hour);
  void Rescale();
  void CloseHour(Series& s, bool open);
  double Rate(const Series& s, int slot) const;
  double ExpectedIn(const Series& s, Timestamp from, Timestamp to) const;
  std::optional<Alert> Test(Kind kind, const std::string& key, const std::string& category,
                            const std::string& street, Series& s, Timestamp at);
  std::optional<Alert> Fire(Alert alert, const Series& s);
  void Feed(Series& s, const Observation& obs);
  // Feeds and tests one keyword or place series (key × street).
  std::optional<Alert> AddTagged(Kind kind, char prefix, const std::string& key,
                                 const Observation& o);
  std::vector<CurvePoint> Curve(const Series& s, Timestamp at) const;
  void CloseQuiet(Timestamp now);

  Options options_;
  const WorkCalendar* calendar_;
  std::vector<Rule> rules_;
  std::unordered_map<std::string, Series> series_;  // "v\x1f<category>\x1f<street>" or "k\x1f…"
  std::array<double, kSlots> hours_{};              // weighted hours seen per slot
  std::array<double, kSlots> city_{};               // weighted city-wide count per slot
  double total_hours_ = 0;
  double city_total_ = 0;
  double weight_ = 1;  // the weight of the current hour (grows; rescaled now and then)
  std::int64_t hour_ = -1;
  std::int64_t first_hour_ = -1;
  std::int64_t last_seen_hour_ = -1;
  std::map<OpenKey, Open> open_;
  std::vector<Quiet> quiet_;
};

}  // namespace xietong::emergency::warning
