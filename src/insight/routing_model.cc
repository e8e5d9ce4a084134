// The routing model's accuracy from operators' decisions (routing_model.h).
#include "insight/routing_model.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace xietong::insight {
namespace {

double Rate(std::int64_t num, std::int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
}

// A decision that counts: the classifier suggested and a category was given.
bool Counts(const IntakeDecision& d) {
  return d.suggested_by == "classifier" && !d.final_matter_id.empty() && !d.s1.empty();
}

AccuracyFigures Figures(std::string version, const std::vector<const IntakeDecision*>& ds) {
  AccuracyFigures f;
  f.model_version = std::move(version);
  f.n = static_cast<std::int64_t>(ds.size());
  std::int64_t top1 = 0, top3 = 0, overrides = 0, recategorised = 0, auto_right = 0;
  std::map<std::string, std::int64_t> predicted, actual, hits;
  for (const IntakeDecision* d : ds) {
    const bool right = d->s1 == d->final_matter_id;
    top1 += right;
    top3 += right || d->s2 == d->final_matter_id || d->s3 == d->final_matter_id;
    recategorised += d->recategorised;
    if (d->auto_routed) {
      ++f.auto_routed;
      auto_right += right;
    } else if (!d->chosen_matter_id.empty()) {
      ++f.operator_chosen;
      overrides += d->chosen_matter_id != d->s1;
    }
    ++predicted[d->s1];
    ++actual[d->final_matter_id];
    if (right) ++hits[d->s1];
  }
  f.top1 = Rate(top1, f.n);
  f.top3 = Rate(top3, f.n);
  f.override_rate = Rate(overrides, f.operator_chosen);
  f.recategorised_rate = Rate(recategorised, f.n);
  f.auto_routed_share = Rate(f.auto_routed, f.n);
  f.auto_routed_accuracy = Rate(auto_right, f.auto_routed);
  double f1_sum = 0;
  for (const auto& [leaf, support] : actual) {
    if (support < kMinLeafCases) continue;
    const std::int64_t tp = hits.contains(leaf) ? hits.at(leaf) : 0;
    const double precision = Rate(tp, predicted.contains(leaf) ? predicted.at(leaf) : 0);
    const double recall = Rate(tp, support);
    f1_sum += precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    ++f.f1_leaves;
  }
  f.macro_f1 = f.f1_leaves > 0 ? f1_sum / static_cast<double>(f.f1_leaves) : 0.0;
  return f;
}

// The top off-diagonal cells of (suggested → final) pairs.
std::vector<ConfusedPair> TopPairs(const std::vector<std::pair<std::string, std::string>>& cells,
                                   const std::function<std::string(const std::string&)>& name) {
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;
  std::map<std::string, std::int64_t> finals;
  for (const auto& [s, f] : cells) {
    ++finals[f];
    if (s != f) ++counts[{s, f}];
  }
  std::vector<ConfusedPair> out;
  for (const auto& [key, count] : counts)
    out.push_back({.suggested_id = key.first,
                   .suggested_name = name(key.first),
                   .final_id = key.second,
                   .final_name = name(key.second),
                   .count = count,
                   .share_of_final = Rate(count, finals[key.second])});
  // Most first; ties by ids (the map's order is kept by a stable sort).
  std::stable_sort(out.begin(), out.end(),
                   [](const ConfusedPair& a, const ConfusedPair& b) { return a.count > b.count; });
  if (out.size() > kTopConfused) out.resize(kTopConfused);
  return out;
}

}  // namespace

bool Promotes(const HoldoutScore& candidate, const std::optional<HoldoutScore>& active) {
  if (!active) return true;
  return candidate.n >= kMinHoldout && candidate.top1 >= active->top1 - kTop1Slack &&
         candidate.macro_f1 >= active->macro_f1 - kMacroF1Slack;
}

HoldoutScore ScoreHoldout(std::span<const HoldoutCase> cases) {
  std::vector<IntakeDecision> ds;
  ds.reserve(cases.size());
  for (const HoldoutCase& c : cases)
    ds.push_back({.suggested_by = "classifier",
                  .s1 = c.s1,
                  .s2 = c.s2,
                  .s3 = c.s3,
                  .final_matter_id = c.truth});
  std::vector<const IntakeDecision*> counted;
  for (const IntakeDecision& d : ds)
    if (Counts(d)) counted.push_back(&d);
  const AccuracyFigures f = Figures("", counted);
  // A case the model made no guess for is a miss, not left out.
  std::int64_t n = 0;
  for (const HoldoutCase& c : cases) n += !c.truth.empty();
  const double scale = n > 0 ? static_cast<double>(f.n) / static_cast<double>(n) : 0.0;
  return {.n = n, .top1 = f.top1 * scale, .top3 = f.top3 * scale, .macro_f1 = f.macro_f1};
}

RoutingAccuracy ComputeRoutingAccuracy(std::span<const IntakeDecision> decisions,
                                       const MatterLookup& lookup) {
  std::vector<const IntakeDecision*> all;
  std::map<std::string, std::vector<const IntakeDecision*>> by_version;
  for (const IntakeDecision& d : decisions) {
    if (!Counts(d)) continue;
    all.push_back(&d);
    by_version[d.model_version].push_back(&d);
  }
  RoutingAccuracy out;
  out.total = Figures("", all);
  for (const auto& [version, ds] : by_version) out.versions.push_back(Figures(version, ds));

  std::map<std::string, std::optional<MatterNames>> seen;
  auto names = [&](const std::string& id) -> const std::optional<MatterNames>& {
    auto it = seen.find(id);
    if (it == seen.end()) it = seen.emplace(id, lookup ? lookup(id) : std::nullopt).first;
    return it->second;
  };
  auto leaf_name = [&](const std::string& id) {
    const auto& n = names(id);
    return n ? n->name : id;
  };
  auto level1_of = [&](const std::string& id) {
    const auto& n = names(id);
    return n && !n->level1_id.empty() ? n->level1_id : id;
  };
  std::map<std::string, std::string> level1_names;
  std::vector<std::pair<std::string, std::string>> leaves, level1;
  leaves.reserve(all.size());
  level1.reserve(all.size());
  for (const IntakeDecision* d : all) {
    leaves.emplace_back(d->s1, d->final_matter_id);
    for (const std::string* id : {&d->s1, &d->final_matter_id}) {
      const auto& n = names(*id);
      level1_names.emplace(level1_of(*id), n && !n->level1_id.empty() ? n->level1_name : *id);
    }
    level1.emplace_back(level1_of(d->s1), level1_of(d->final_matter_id));
  }
  out.confused = TopPairs(leaves, leaf_name);
  out.confused_level1 =
      TopPairs(level1, [&](const std::string& id) { return level1_names.at(id); });
  return out;
}

}  // namespace xietong::insight
