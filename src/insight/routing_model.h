// How well the routing model suggests categories, measured against what
// operators and the centre decided (issue 19, docs/plans/decision-support.md
// §7.4). Pure: the decisions come from insight_intake_decisions (one row per
// request: what was suggested at intake, what was chosen, the last category
// given); the figures are per model version and over all of them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace xietong::insight {

// One request's intake decision and its final category (a row of
// insight_intake_decisions).
struct IntakeDecision {
  std::string request_id = {};
  Timestamp received_at = 0;
  std::string channel = {};
  std::string suggested_by = {};          // classifier | keywords | ""
  std::string model_version = {};         // "v7", "file"; "" for keywords
  std::string s1 = {}, s2 = {}, s3 = {};  // suggested leaf matter ids, best first ("" if fewer)
  double c1 = 0;                          // confidence of s1
  std::string chosen_matter_id = {};      // at intake ("" = left uncategorised)
  bool auto_routed = false;               // s1 taken without an operator
  std::string final_matter_id = {};       // the last category given
  bool recategorised = false;             // changed after intake
  std::int64_t intake_seconds = 0;        // 0 = not measured
  Timestamp updated_at = 0;
};

// Figures over a set of decisions (rates are 0 when their denominator is 0).
struct AccuracyFigures {
  std::string model_version = {};  // "" in the total over every version
  std::int64_t n = 0;              // decisions with a classifier's suggestion and a final category
  double top1 = 0;                 // P(s1 = final)
  double top3 = 0;                 // P(final ∈ {s1, s2, s3})
  double macro_f1 = 0;             // of s1 vs final, over leaves with ≥ kMinLeafCases finals
  std::int64_t f1_leaves = 0;      // how many leaves macro_f1 averages
  std::int64_t operator_chosen = 0;  // intakes where an operator chose the category
  double override_rate = 0;          // of those, chosen ≠ s1
  double recategorised_rate = 0;     // changed after intake, of n
  std::int64_t auto_routed = 0;
  double auto_routed_share = 0;     // of n
  double auto_routed_accuracy = 0;  // P(s1 = final | auto-routed)
};

// One off-diagonal cell of the confusion: s1 suggested, final given.
struct ConfusedPair {
  std::string suggested_id = {}, suggested_name = {};
  std::string final_id = {}, final_name = {};
  std::int64_t count = 0;
  double share_of_final = 0;  // count / decisions whose final is final_id
};

struct RoutingAccuracy {
  AccuracyFigures total = {};
  std::vector<AccuracyFigures> versions = {};      // by version name
  std::vector<ConfusedPair> confused = {};         // leaves, ≤ kTopConfused, most first
  std::vector<ConfusedPair> confused_level1 = {};  // the same rolled up to level-1 matters
};

inline constexpr std::int64_t kMinLeafCases = 5;
inline constexpr std::size_t kTopConfused = 10;

// A matter's name and its level-1 ancestor (id and name); nullopt when the
// id is unknown (the pair is then named by its id, and rolled up under it).
struct MatterNames {
  std::string name = {};
  std::string level1_id = {}, level1_name = {};
};
using MatterLookup = std::function<std::optional<MatterNames>(std::string_view matter_id)>;

// A model's figures on the holdout (the requests decided in the last 30
// days), and the rule that promotes a retrained candidate (plan §7.3).
struct HoldoutScore {
  std::int64_t n = 0;
  double top1 = 0, top3 = 0, macro_f1 = 0;
};
inline constexpr std::int64_t kMinHoldout = 50;
inline constexpr double kTop1Slack = 0.005;
inline constexpr double kMacroF1Slack = 0.01;

// Whether the candidate replaces the active model: always when there is none;
// else when the holdout has ≥ kMinHoldout requests, the candidate's top-1 is
// at least the active's − kTop1Slack and its macro-F1 at least the active's
// − kMacroF1Slack (both scored on the same holdout). Pure.
bool Promotes(const HoldoutScore& candidate, const std::optional<HoldoutScore>& active);

// A model's top-3 guesses (leaf ids, best first, "" if fewer) for each
// holdout request against its final category; macro-F1 as in the accuracy
// (leaves with ≥ kMinLeafCases). Pure.
struct HoldoutCase {
  std::string s1 = {}, s2 = {}, s3 = {};
  std::string truth = {};
};
HoldoutScore ScoreHoldout(std::span<const HoldoutCase> cases);

// The accuracy of the classifier's suggestions among `decisions`: only those
// with suggested_by "classifier" and a final category count. Deterministic
// (ties in the confusion are broken by ids). Thread-safe (pure).
RoutingAccuracy ComputeRoutingAccuracy(std::span<const IntakeDecision> decisions,
                                       const MatterLookup& lookup);

}  // namespace xietong::insight
