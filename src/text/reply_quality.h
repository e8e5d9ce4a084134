// Reply quality: how well a government reply answers a resident's message,
// scored for relevance, completeness and timeliness, each in [0, 1], with the
// reasons in Chinese for the supervisor who reads the score.
//
// The method is lexical and needs no labels (docs/reply-quality.md explains it
// and its limits): courtesy phrases are removed, then relevance compares the
// character 2–3-grams of message and reply (text::FeatureExtractor) and checks
// that the places the message names (…小区, …路, 12栋 …) are named in the reply;
// completeness checks that each ask of the message (clauses with ？, 请, 希望,
// 要求 …) is taken up, that the reply says what was found or done, and its
// length, and caps replies that are only a template or only "已转交"; timeliness
// counts working days (a WorkCalendar) or calendar days against a limit.
// A ReplyScorer is immutable and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "text/features.h"
#include "text/normalize.h"

namespace xietong::text {

struct ReplyQualityOptions {
  // Working days a reply may take when the message carries no deadline of its own.
  double limit_days = 15;
  // Working days and holidays; null counts calendar days (the reasons say which).
  const WorkCalendar* calendar = nullptr;
  // Weights of the overall score; each ≥ 0, not all 0 (normalised to sum 1).
  double relevance_weight = 0.4;
  double completeness_weight = 0.4;
  double timeliness_weight = 0.2;
};

struct ReplyToScore {
  std::string_view title;    // the message's title (may be empty)
  std::string_view message;  // the message's body
  std::string_view reply;
  Timestamp asked_at = 0;    // when the message was received
  Timestamp replied_at = 0;  // when the reply was given; ≥ asked_at
  Timestamp due_at = 0;      // the request's own deadline; 0: asked_at + limit_days
};

struct ReplyQuality {
  double relevance = 0;
  double completeness = 0;
  double timeliness = 0;
  double overall = 0;
  // Each a sentence in Chinese, shortcomings first ("答复未提及留言中的'xx小区'").
  std::vector<std::string> reasons;

  // What the scores were computed from, for reports.
  double similarity = 0;       // cosine of the 2–3-gram vectors after boilerplate removal
  int places = 0;              // distinct places the message names
  int places_named = 0;        // … of which the reply names
  int asks = 0;                // asks found in the message
  int asks_answered = 0;       // … taken up by the reply
  int reply_chars = 0;         // letters, digits and ideographs of the reply without boilerplate
  double elapsed_days = 0;     // working (or calendar) days from asked_at to replied_at
  double limit_days = 0;       // the limit it was measured against
  bool late = false;           // elapsed_days > limit_days
  bool template_only = false;  // nothing but courtesy or "已转交"
  bool truncated = false;      // a text was cut at kMaxTextCodePoints
};

class ReplyScorer {
 public:
  // kInvalidArgument when a weight is negative or all are 0, or limit_days ≤ 0.
  static Result<std::shared_ptr<const ReplyScorer>> Create(
      std::shared_ptr<const Normalizer> normalizer, ReplyQualityOptions options = {});

  // kInvalidArgument naming "message" or "reply" when that text is not valid
  // UTF-8 (with the byte offset) or holds no letter, digit or ideograph (empty,
  // punctuation, emoji), or when replied_at is before asked_at; kTooLarge
  // above kMaxInputBytes. Texts longer than kMaxTextCodePoints are scored on
  // their beginning and `truncated` is set.
  Result<ReplyQuality> Score(const ReplyToScore& in) const;

  // The 2–3-gram vector of a text after boilerplate removal, L2-normalised, as
  // sorted (key, weight) pairs; and the cosine of two such vectors. Exposed so
  // that an evaluation can pair messages with other replies cheaply.
  Result<std::vector<KeyCount>> ContentVector(std::string_view text) const;
  static double Cosine(const std::vector<KeyCount>& a, const std::vector<KeyCount>& b);

  const ReplyQualityOptions& options() const { return options_; }

 private:
  ReplyScorer(std::shared_ptr<const Normalizer> normalizer, ReplyQualityOptions options)
      : normalizer_(std::move(normalizer)),
        options_(options),
        trigrams_({3, false, 1, 0}),
        unigrams_({1, false, 1, 0}) {}

  std::vector<KeyCount> Vector(const std::u32string& content) const;

  std::shared_ptr<const Normalizer> normalizer_;
  ReplyQualityOptions options_;
  FeatureExtractor trigrams_;  // 1–3-grams; the 1-grams are taken out again
  FeatureExtractor unigrams_;
};

// The relevance of true pairs against mismatched ones: the probability that a
// random true pair scores above a random mismatched one (ties count half).
double PairAuc(const std::vector<double>& positives, const std::vector<double>& negatives);

}  // namespace xietong::text
