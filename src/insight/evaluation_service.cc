// EvaluationService: targets, the RAG table, the monthly evaluation (考核), publishing and the
// weights. Each change: authorize → load → decide (indicators.h, evaluation.h) → store
// (target_store.h) + one audit event, in one transaction.
#include "insight/evaluation_service.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "audit/audit_log.h"
#include "identity/authorization.h"
#include "insight/target_store.h"

namespace xietong::insight {

using identity::Action;
using identity::OrgUnit;
using identity::Principal;
using identity::UnitKind;
using storage::Executor;

struct EvaluationService::Live {
  std::string month;
  WeightsRecord weights;
  std::vector<EvaluationRow> rows;  // every unit of the kind in the city
  std::shared_ptr<const requests::Directory> dir;
};

namespace {

constexpr std::size_t kMaxTargets = 500;  // rows per PUT

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return fmt::format("{:02x}", fmt::join(digest, ""));
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// yyyy-mm | yyyy-Qn | yyyy | * (targets); weights take yyyy-mm | * only.
Result<void> CheckPeriod(std::string_view period, bool targets) {
  const bool ok = period == "*" || requests::MonthSpan(period).has_value() ||
                  (targets && period.size() == 4 && Digits(period)) ||
                  (targets && period.size() == 7 && Digits(period.substr(0, 4)) &&
                   period[4] == '-' && period[5] == 'Q' && period[6] >= '1' && period[6] <= '4');
  if (!ok)
    return Fail(Error::InvalidArgument(
                    fmt::format(fmt::runtime(
                                    targets ? "'period' must be a month (2026-11), a quarter "
                                              "(2026-Q4), a year (2026) or * (standing); got '{}'"
                                            : "'period' must be a month (2026-11) or * (standing); "
                                              "got '{}'"),
                                period.substr(0, 32)))
                    .About("period", "invalid"));
  return {};
}

// The periods a month's target may come from, most specific first.
std::array<std::string, 4> PeriodsOf(std::string_view month) {
  const int m = (month[5] - '0') * 10 + (month[6] - '0');
  const std::string year(month.substr(0, 4));
  return {std::string(month), fmt::format("{}-Q{}", year, (m - 1) / 3 + 1), year, "*"};
}

std::string MonthBefore(std::string_view month, int back) {
  int y = std::stoi(std::string(month.substr(0, 4)));
  int m = (month[5] - '0') * 10 + (month[6] - '0') - back;
  while (m < 1) {
    m += 12;
    --y;
  }
  return fmt::format("{:04}-{:02}", y, m);
}

// "street" for streets and townships, "department"; nullopt for other units.
std::optional<UnitKindFilter> KindOf(const OrgUnit& u) {
  if (u.kind == UnitKind::kStreet || u.kind == UnitKind::kTownship) return UnitKindFilter::kStreet;
  if (u.kind == UnitKind::kDepartment) return UnitKindFilter::kDepartment;
  return std::nullopt;
}

std::vector<const OrgUnit*> UnitsOf(const requests::Directory& dir, UnitKindFilter k,
                                    std::string_view under_path) {
  std::vector<const OrgUnit*> out;
  const auto kinds = k == UnitKindFilter::kStreet
                         ? std::vector<UnitKind>{UnitKind::kStreet, UnitKind::kTownship}
                         : std::vector<UnitKind>{UnitKind::kDepartment};
  for (UnitKind kind : kinds)
    for (const OrgUnit* u : dir.OfKind(kind))
      if (u->path.starts_with(under_path)) out.push_back(u);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->code < b->code; });
  return out;
}

Target TargetOf(const store::TargetRow& r) {
  Target t;
  t.id = r.id;
  t.scope = r.scope;
  t.unit_id = r.unit_id;
  t.unit_kind = r.unit_kind;
  t.period = r.period;
  t.indicator = ParseIndicator(r.indicator).value_or(Indicator::kResponse);
  t.target = r.target;
  t.amber_margin = r.amber_margin;
  t.set_by = r.set_by;
  t.set_at = r.set_at;
  t.version = r.version;
  return t;
}

json::Json TargetJson(const store::TargetRow& r) {
  return {{"target_id", r.id},    {"scope", r.scope},
          {"unit_id", r.unit_id}, {"unit_kind", r.unit_kind},
          {"period", r.period},   {"indicator", r.indicator},
          {"target", r.target},   {"amber_margin", r.amber_margin},
          {"version", r.version}};
}

// The stored targets by their key, for the effective-target lookup.
class TargetBook {
 public:
  explicit TargetBook(const std::vector<store::TargetRow>& rows) {
    for (const auto& r : rows)
      by_key_[Key(r.scope, r.scope == "unit" ? r.unit_id : r.unit_kind, r.period, r.indicator)] =
          &r;
  }
  EffectiveTarget Find(const OrgUnit& unit, std::string_view month, Indicator i) const {
    const auto periods = PeriodsOf(month);
    const auto kind = KindOf(unit);
    for (const char* scope : {"unit", "kind"}) {
      const std::string who = std::string_view(scope) == "unit"
                                  ? unit.id
                                  : std::string(kind ? UnitKindFilterName(*kind) : "");
      if (who.empty()) continue;
      for (const auto& p : periods) {
        auto it = by_key_.find(Key(scope, who, p, IndicatorName(i)));
        if (it == by_key_.end()) continue;
        const auto& r = *it->second;
        return {i, r.target, r.amber_margin, fmt::format("{}:{}", scope, p), r.id, r.version};
      }
    }
    return {i, DefaultTarget(i), kDefaultAmberMargin, "default", "", 0};
  }

 private:
  static std::string Key(std::string_view scope, std::string_view who, std::string_view period,
                         std::string_view indicator) {
    return fmt::format("{}\x1f{}\x1f{}\x1f{}", scope, who, period, indicator);
  }
  std::map<std::string, const store::TargetRow*> by_key_;
};

Result<IndicatorWeights> WeightsFromJson(std::string_view text) {
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Fail(Error::Internal("stored evaluation weights are not a JSON object"));
  IndicatorWeights w{};
  for (Indicator i : kAllIndicators) {
    auto it = j.find(std::string(IndicatorName(i)));
    w[static_cast<int>(i)] = it != j.end() && it->is_number() ? it->get<double>() : 0.0;
  }
  return w;
}

std::optional<double> Rounded(std::optional<double> v, int digits) {
  if (!v) return v;
  const double scale = std::pow(10.0, digits);
  return std::round(*v * scale) / scale;
}

json::Json OptionalNumber(std::optional<double> v) {
  return v ? json::Json(*v) : json::Json(nullptr);
}

}  // namespace

std::string_view UnitKindFilterName(UnitKindFilter k) {
  return k == UnitKindFilter::kStreet ? "street" : "department";
}

Result<UnitKindFilter> ParseUnitKindFilter(std::string_view s) {
  if (s == "street") return UnitKindFilter::kStreet;
  if (s == "department") return UnitKindFilter::kDepartment;
  return Fail(Error::InvalidArgument(
                  fmt::format("'kind' must be street or department, not '{}'", s.substr(0, 32)))
                  .About("kind", "invalid"));
}

json::Json WeightsJson(const IndicatorWeights& w) {
  json::Json j = json::Json::object();
  for (Indicator i : kAllIndicators) j[std::string(IndicatorName(i))] = w[static_cast<int>(i)];
  return j;
}

json::Json EvaluationRowsJson(const std::vector<EvaluationRow>& rows) {
  json::Json out = json::Json::array();
  for (const auto& r : rows) {
    json::Json indicators = json::Json::object();
    for (Indicator i : kAllIndicators) {
      const auto& v = r.values[static_cast<int>(i)];
      indicators[std::string(IndicatorName(i))] = {{"value", OptionalNumber(Rounded(v.value, 6))},
                                                   {"numerator", v.numerator},
                                                   {"denominator", v.denominator},
                                                   {"enough", v.enough}};
    }
    out.push_back({{"rank", r.rank},
                   {"unit_id", r.unit_id},
                   {"unit_name", r.unit_name},
                   {"dispatched", r.dispatched},
                   {"indicators", std::move(indicators)},
                   {"score", OptionalNumber(Rounded(r.score, 2))},
                   {"rag", RagName(r.rag)},
                   {"improvement", OptionalNumber(Rounded(r.improvement, 2))},
                   {"improvement_rank", r.improvement_rank},
                   {"flag", r.flag},
                   {"ranked", r.ranked},
                   {"note", r.note}});
  }
  return out;
}

EvaluationService::EvaluationService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                     requests::RequestService& requests)
    : db_(db), clock_(clock), ids_(ids), requests_(requests) {}

namespace {

// Each unit's figures of one month (the rollup's counters and the open-late count).
Result<std::map<std::string, UnitFigures>> FiguresOf(requests::RequestService& requests,
                                                     std::string_view month) {
  requests::RankingRequest q;
  q.from_month = std::string(month);
  q.to_month = std::string(month);
  XT_ASSIGN_OR_RETURN(auto ranked, requests.Ranking(Principal::System(), q));
  XT_ASSIGN_OR_RETURN(auto late, requests.OpenLateByUnit(month));
  std::map<std::string, UnitFigures> out;
  const double basically = requests.options().weights.basically;
  for (const auto& r : ranked) {
    auto& f = out[r.rates.unit_id];
    f.counters = r.rates.counters;
    f.basically = basically;
  }
  for (const auto& l : late) {
    auto& f = out[l.unit_id];
    f.open_late = l.n;
    f.basically = basically;
  }
  return out;
}

IndicatorValues ValuesFor(const std::map<std::string, UnitFigures>& figures,
                          const std::string& unit_id) {
  auto it = figures.find(unit_id);
  return it == figures.end() ? ValuesOf(UnitFigures{}) : ValuesOf(it->second);
}

Result<WeightsRecord> EffectiveWeights(Executor& ex, std::string_view month) {
  for (std::string_view period : {month, std::string_view("*")}) {
    if (period.empty()) continue;
    XT_ASSIGN_OR_RETURN(auto row, store::FindWeights(ex, period));
    if (!row) continue;
    XT_ASSIGN_OR_RETURN(auto w, WeightsFromJson(row->weights));
    return WeightsRecord{row->period,  w,          row->min_dispatched, row->set_by, row->set_at,
                         row->version, row->period};
  }
  return WeightsRecord{};
}

}  // namespace

Result<TargetsAnswer> EvaluationService::Targets(const Principal& actor, const TargetsQuery& q) {
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  if (!q.unit_id.empty() && !dir->Find(q.unit_id))
    return Fail(Error::NotFound(fmt::format("no unit '{}'", q.unit_id.substr(0, 64))));
  XT_ASSIGN_OR_RETURN(const std::string path, requests_.FiguresPath(actor, q.unit_id));
  TargetsAnswer out;
  out.month = q.month.empty() ? requests::MonthKey(clock_.Now()) : q.month;
  XT_TRY_VOID(requests::MonthSpan(out.month));
  XT_ASSIGN_OR_RETURN(auto rows, db_.Read([](Executor& ex) { return store::ListTargets(ex); }));
  const TargetBook book(rows);
  for (const auto& r : rows)
    if (r.scope == "kind" || r.unit_path.starts_with(path)) out.stored.push_back(TargetOf(r));

  std::array<std::map<std::string, UnitFigures>, 3> months;  // m−2, m−1, m
  if (!q.month.empty())
    for (int k = 0; k < 3; ++k) {
      XT_ASSIGN_OR_RETURN(months[k], FiguresOf(requests_, MonthBefore(out.month, 2 - k)));
    }
  for (UnitKindFilter kind : {UnitKindFilter::kStreet, UnitKindFilter::kDepartment}) {
    if (q.kind && *q.kind != kind) continue;
    for (const OrgUnit* u : UnitsOf(*dir, kind, path)) {
      UnitTargets ut;
      ut.unit_id = u->id;
      ut.unit_name = u->name;
      ut.kind = std::string(UnitKindFilterName(kind));
      for (Indicator i : kAllIndicators)
        ut.targets[static_cast<int>(i)] = book.Find(*u, out.month, i);
      if (!q.month.empty()) {
        std::array<IndicatorValues, 3> values;
        for (int k = 0; k < 3; ++k) values[k] = ValuesFor(months[k], u->id);
        std::array<IndicatorStatus, kIndicators> status;
        std::array<RagStatus, kIndicators> rags;
        for (Indicator i : kAllIndicators) {
          const int n = static_cast<int>(i);
          auto& s = status[n];
          s.value = values[2][n];
          s.rag = RagOf(i, s.value, ut.targets[n].target, ut.targets[n].amber_margin);
          for (int k = 0; k < 3; ++k) s.trend[k] = values[k][n].value;
          s.arrow = ArrowOf(i, values[1][n].value, values[2][n].value);
          rags[n] = s.rag;
        }
        ut.overall = Worst(rags);
        ut.status = status;
      }
      out.units.push_back(std::move(ut));
    }
  }
  return out;
}

Result<std::vector<Target>> EvaluationService::PutTargets(const Principal& actor,
                                                          std::vector<TargetInput> in) {
  if (in.empty() || in.size() > kMaxTargets)
    return Fail(Error::InvalidArgument(fmt::format("give 1 to {} targets", kMaxTargets))
                    .About("targets", "count"));
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  const Timestamp now = clock_.Now();
  std::vector<store::TargetRow> rows;
  for (std::size_t k = 0; k < in.size(); ++k) {
    const auto& t = in[k];
    store::TargetRow r;
    if (t.unit_id.empty() == t.unit_kind.empty())
      return Fail(Error::InvalidArgument(
                      fmt::format("target {}: give either 'unit_id' or 'unit_kind'", k + 1))
                      .About("unit_id", "required"));
    if (!t.unit_id.empty()) {
      const OrgUnit* u = dir->Find(t.unit_id);
      if (!u) return Fail(Error::NotFound(fmt::format("no unit '{}'", t.unit_id.substr(0, 64))));
      if (!KindOf(*u))
        return Fail(Error::InvalidArgument(
                        fmt::format("target {}: targets are set for streets, townships and "
                                    "departments; {} is not one",
                                    k + 1, u->name))
                        .About("unit_id", "kind"));
      if (!identity::Can(actor, Action::kInsightManage, u->path))
        return Fail(Error::PermissionDenied(
            fmt::format("setting {}'s targets needs insight.manage over it", u->name)));
      r.scope = "unit";
      r.unit_id = u->id;
      r.unit_path = u->path;
    } else {
      XT_ASSIGN_OR_RETURN(const auto kind, ParseUnitKindFilter(t.unit_kind));
      if (!identity::Can(actor, Action::kInsightManage, ""))
        return Fail(
            Error::PermissionDenied("targets for a whole kind of unit are set by the city"));
      r.scope = "kind";
      r.unit_kind = std::string(UnitKindFilterName(kind));
    }
    XT_TRY_VOID(CheckPeriod(t.period, true));
    XT_ASSIGN_OR_RETURN(const Indicator i, ParseIndicator(t.indicator));
    if (!std::isfinite(t.target) || t.target < 0 || t.target > 1)
      return Fail(Error::InvalidArgument(
                      fmt::format("target {}: 'target' is a share between 0 and 1", k + 1))
                      .About("target", "out_of_range"));
    if (!std::isfinite(t.amber_margin) || t.amber_margin < 0 || t.amber_margin > 0.5)
      return Fail(Error::InvalidArgument(
                      fmt::format("target {}: 'amber_margin' is between 0 and 0.5", k + 1))
                      .About("amber_margin", "out_of_range"));
    if (t.version < 0)
      return Fail(Error::InvalidArgument("'version' must not be negative").About("version"));
    r.period = t.period;
    r.indicator = std::string(IndicatorName(i));
    r.target = t.target;
    r.amber_margin = t.amber_margin;
    r.set_by = actor.account_id;
    r.set_at = now;
    rows.push_back(std::move(r));
  }
  return db_.Write([&](Executor& ex) -> Result<std::vector<Target>> {
    std::vector<Target> out;
    json::Json changed = json::Json::array();
    for (std::size_t k = 0; k < rows.size(); ++k) {
      auto& r = rows[k];
      XT_ASSIGN_OR_RETURN(auto existing, store::FindTargetByKey(ex, r));
      const std::int64_t expected = in[k].version;
      if (existing) {
        if (existing->version != expected)
          return Fail(Error::Conflict(fmt::format(
              "target {} was changed meanwhile (version {}, not {}); reload and try again", k + 1,
              existing->version, expected)));
        r.id = existing->id;
        r.version = existing->version + 1;
        XT_ASSIGN_OR_RETURN(const bool ok, store::UpdateTarget(ex, r, expected));
        if (!ok) return Fail(Error::Conflict("a target was changed meanwhile; reload"));
      } else {
        if (expected != 0)
          return Fail(Error::Conflict(
              fmt::format("target {} was deleted meanwhile; reload and try again", k + 1)));
        r.id = ids_.Next();
        r.version = 1;
        XT_ASSIGN_OR_RETURN(const bool ok, store::InsertTarget(ex, r));
        if (!ok) return Fail(Error::Conflict("a target was set meanwhile; reload"));
      }
      changed.push_back(TargetJson(r));
      out.push_back(TargetOf(r));
    }
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "insight.target.set",
                               rows.size() == 1 ? rows.front().id : std::string("targets"),
                               {{"targets", std::move(changed)}}}));
    return out;
  });
}

Result<void> EvaluationService::DeleteTarget(const Principal& actor, std::string_view id,
                                             std::int64_t if_match) {
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto t, store::FindTarget(ex, id));
    if (!t) return Fail(Error::NotFound(fmt::format("no target '{}'", id.substr(0, 64))));
    if (!identity::Can(actor, Action::kInsightManage, t->scope == "unit" ? t->unit_path : ""))
      return Fail(Error::PermissionDenied("deleting this target needs insight.manage over it"));
    XT_ASSIGN_OR_RETURN(const bool ok, store::DeleteTarget(ex, id, if_match));
    if (!ok)
      return Fail(Error::Conflict(fmt::format(
          "the target was changed meanwhile (version {}); reload and try again", t->version)));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id, "insight.target.deleted", t->id, TargetJson(*t)}));
    return {};
  });
}

Result<EvaluationService::Live> EvaluationService::Compute(const Principal& actor,
                                                           std::string_view month,
                                                           UnitKindFilter kind) {
  (void)actor;
  XT_TRY_VOID(requests::MonthSpan(month));
  Live live;
  live.month = std::string(month);
  XT_ASSIGN_OR_RETURN(live.dir, requests_.directory());
  XT_ASSIGN_OR_RETURN(live.weights,
                      db_.Read([&](Executor& ex) { return EffectiveWeights(ex, month); }));
  XT_ASSIGN_OR_RETURN(auto targets, db_.Read([](Executor& ex) { return store::ListTargets(ex); }));
  const TargetBook book(targets);
  XT_ASSIGN_OR_RETURN(auto now, FiguresOf(requests_, month));
  XT_ASSIGN_OR_RETURN(auto before, FiguresOf(requests_, MonthBefore(month, 1)));
  XT_ASSIGN_OR_RETURN(auto weights_before, db_.Read([&](Executor& ex) {
    return EffectiveWeights(ex, MonthBefore(month, 1));
  }));
  std::vector<EvaluationInput> in;
  for (const OrgUnit* u : UnitsOf(*live.dir, kind, "")) {
    EvaluationInput e;
    e.unit_id = u->id;
    e.unit_name = u->name;
    e.values = ValuesFor(now, u->id);
    auto it = now.find(u->id);
    e.dispatched = it == now.end() ? 0 : it->second.counters.dispatched;
    auto b = before.find(u->id);
    if (b != before.end() && b->second.counters.dispatched >= weights_before.min_dispatched)
      e.last_score = ScoreOf(ValuesOf(b->second), weights_before.weights);
    std::array<RagStatus, kIndicators> rags;
    for (Indicator i : kAllIndicators) {
      const auto t = book.Find(*u, month, i);
      rags[static_cast<int>(i)] = RagOf(i, e.values[static_cast<int>(i)], t.target, t.amber_margin);
    }
    e.rag = Worst(rags);
    in.push_back(std::move(e));
  }
  live.rows = Rank(std::move(in), live.weights.weights, live.weights.min_dispatched);
  return live;
}

Result<EvaluationAnswer> EvaluationService::Evaluation(const Principal& actor,
                                                       std::string_view month, UnitKindFilter kind,
                                                       bool published) {
  XT_TRY_VOID(requests::MonthSpan(month));
  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  // The city's figures for leaders of the city; a unit's own lead sees the unit's own rows.
  const bool city = actor.is_system() || identity::Can(actor, Action::kStatsRead, "");
  auto may_read = [&](std::string_view unit_id) {
    if (city) return true;
    const OrgUnit* u = dir->Find(unit_id);
    return u && identity::Can(actor, Action::kStatsRead, u->path);
  };
  if (!city && std::none_of(actor.memberships.begin(), actor.memberships.end(), [](const auto& m) {
        return identity::RoleAllows(m.role, Action::kStatsRead);
      }))
    return Fail(Error::PermissionDenied(
        "the evaluation is shown to leaders, supervisors and the leads of the units ranked"));
  EvaluationAnswer out;
  out.month = std::string(month);
  out.kind = kind;
  XT_ASSIGN_OR_RETURN(auto latest, db_.Read([&](Executor& ex) {
    return store::LatestEvaluation(ex, month, UnitKindFilterName(kind));
  }));
  if (latest)
    out.published =
        PublishedInfo{latest->revision, latest->published_at, latest->sha256, latest->reason};
  if (published) {
    if (!latest)
      return Fail(Error::NotFound(
          fmt::format("{} has not been published for {}", month, UnitKindFilterName(kind))));
    XT_ASSIGN_OR_RETURN(out.weights.weights, WeightsFromJson(latest->weights));
    auto stored = json::Json::parse(latest->rows, nullptr, false);
    if (stored.is_discarded() || !stored.is_object())
      return Fail(Error::Internal("a published evaluation's rows are not JSON"));
    out.weights.min_dispatched = stored.value("min_dispatched", kDefaultMinDispatched);
    out.weights.source = "published";
    out.formula = latest->formula;
    for (const auto& row : stored["rows"])
      if (may_read(row.value("unit_id", ""))) out.rows_json.push_back(row);
    return out;
  }
  XT_ASSIGN_OR_RETURN(auto live, Compute(actor, month, kind));
  out.weights = live.weights;
  out.formula = FormulaText(live.weights.weights, live.weights.min_dispatched);
  for (auto& r : live.rows)
    if (may_read(r.unit_id)) out.rows.push_back(std::move(r));
  out.rows_json = EvaluationRowsJson(out.rows);
  return out;
}

Result<EvaluationAnswer> EvaluationService::Publish(const Principal& actor, std::string_view month,
                                                    UnitKindFilter kind, std::string reason) {
  if (!identity::Can(actor, Action::kInsightManage, ""))
    return Fail(Error::PermissionDenied("the evaluation is published by the city"));
  XT_TRY_VOID(requests::MonthSpan(month));
  const Timestamp now = clock_.Now();
  if (month > requests::MonthKey(now))
    return Fail(Error::InvalidArgument(fmt::format("{} has not begun", month)).About("month"));
  if (json::CountCodePoints(reason) > 500)
    return Fail(Error::InvalidArgument("'reason' is at most 500 characters").About("reason"));
  XT_ASSIGN_OR_RETURN(auto live, Compute(actor, month, kind));
  EvaluationAnswer out;
  out.month = std::string(month);
  out.kind = kind;
  out.weights = live.weights;
  out.formula = FormulaText(live.weights.weights, live.weights.min_dispatched);
  out.rows_json = EvaluationRowsJson(live.rows);
  const json::Json snapshot = {{"min_dispatched", live.weights.min_dispatched},
                               {"rows", out.rows_json}};
  const std::string text = snapshot.dump();
  store::EvaluationRecord rec;
  rec.id = ids_.Next();
  rec.month = out.month;
  rec.unit_kind = std::string(UnitKindFilterName(kind));
  rec.weights = WeightsJson(live.weights.weights).dump();
  rec.formula = out.formula;
  rec.rows = text;
  rec.reason = std::move(reason);
  rec.sha256 = Sha256Hex(text);
  rec.published_by = actor.account_id;
  rec.published_at = now;
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto latest, store::LatestEvaluation(ex, rec.month, rec.unit_kind));
    rec.revision = latest ? latest->revision + 1 : 1;
    if (latest && rec.reason.empty())
      return Fail(
          Error::InvalidArgument(
              fmt::format("{} was published already (revision {}): a revision needs a reason",
                          rec.month, latest->revision))
              .About("reason", "required"));
    XT_ASSIGN_OR_RETURN(const bool ok, store::InsertEvaluation(ex, rec));
    if (!ok) return Fail(Error::Conflict("someone published this month meanwhile; reload"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "insight.evaluation.published",
                               rec.id,
                               {{"evaluation_id", rec.id},
                                {"month", rec.month},
                                {"kind", rec.unit_kind},
                                {"revision", rec.revision},
                                {"sha256", rec.sha256}}}));
    return {};
  }));
  out.published = PublishedInfo{rec.revision, rec.published_at, rec.sha256, rec.reason};
  out.rows = std::move(live.rows);
  return out;
}

Result<WeightsRecord> EvaluationService::Weights(const Principal& actor, std::string_view period) {
  if (!actor.is_system() &&
      std::none_of(actor.memberships.begin(), actor.memberships.end(),
                   [](const auto& m) { return identity::RoleAllows(m.role, Action::kStatsRead); }))
    return Fail(Error::PermissionDenied("the evaluation weights are shown to leaders and leads"));
  XT_TRY_VOID(CheckPeriod(period, false));
  return db_.Read([&](Executor& ex) -> Result<WeightsRecord> {
    XT_ASSIGN_OR_RETURN(auto w, EffectiveWeights(ex, period == "*" ? "" : period));
    if (w.period != period) {  // nothing stored for this period: what applies, version 0
      w.version = 0;
      w.period = std::string(period);
    }
    return w;
  });
}

Result<WeightsRecord> EvaluationService::PutWeights(const Principal& actor, std::string_view period,
                                                    const IndicatorWeights& w,
                                                    std::int64_t min_dispatched,
                                                    std::int64_t if_match) {
  if (!identity::Can(actor, Action::kInsightManage, ""))
    return Fail(Error::PermissionDenied("the evaluation weights are set by the city"));
  XT_TRY_VOID(CheckPeriod(period, false));
  XT_TRY_VOID(ValidateWeights(w));
  if (min_dispatched < 1 || min_dispatched > 100000)
    return Fail(Error::InvalidArgument("'min_dispatched' must be between 1 and 100000")
                    .About("min_dispatched", "out_of_range"));
  const Timestamp now = clock_.Now();
  store::WeightsRow row{
      std::string(period), WeightsJson(w).dump(), min_dispatched, actor.account_id, now,
      if_match + 1};
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(const bool ok, store::PutWeights(ex, row, if_match));
    if (!ok)
      return Fail(Error::Conflict(fmt::format(
          "the weights of {} were changed meanwhile (not version {}); reload and try again", period,
          if_match)));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "insight.weights.set",
                               row.period,
                               {{"period", row.period},
                                {"weights", WeightsJson(w)},
                                {"min_dispatched", min_dispatched},
                                {"version", row.version}}}));
    return {};
  }));
  return WeightsRecord{row.period, w, min_dispatched, row.set_by, now, row.version, row.period};
}

}  // namespace xietong::insight
