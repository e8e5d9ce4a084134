// Measuring the duplicate detector (duplicates.h) on real messages: planted
// paraphrases, a ground truth of real repeats that does not use the
// detector's similarity, and precision/recall over thresholds.
//
// Ground truth: two messages are duplicates when their bodies (the last text
// field), normalised and reduced to letters, digits and ideographs, have a
// longest common subsequence of code points covering at least
// min_common_ratio of the longer body (order-preserving, unlike the
// detector's shingle sets) and they are at most the detector's window apart;
// a planted paraphrase is a duplicate of its original, of the original's
// duplicates and of their paraphrases.
// Every other pair is a negative; "hard negatives" are the pairs with the same
// normalised title that are not duplicates. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "text/duplicates.h"
#include "text/normalize.h"

namespace xietong::text {

struct Message {
  std::vector<std::string> fields;  // title first, body last
  std::int64_t time_us = 0;
  std::string place;
};

struct PlantedParaphrase {
  std::size_t original = 0;  // index into the messages
  Message message;
  std::string how;  // the perturbations applied, e.g. "drop-clause+full-width"
};

// `n` paraphrases of `n` distinct messages chosen with `seed` (at most one per
// message); each applies two or three of: drop a clause, swap two clauses,
// change punctuation, full-width letters and digits, traditional characters,
// insert stock phrases, cut the end of the body, reword the title, typos.
// Its time is the original's plus up to 7 days. Deterministic.
std::vector<PlantedParaphrase> PlantParaphrases(std::span<const Message> messages, std::size_t n,
                                                std::uint64_t seed);

// Length of the longest common subsequence of two code point strings.
std::size_t LongestCommonSubsequence(std::u32string_view a, std::u32string_view b);

struct ThresholdRow {
  double threshold = 0;
  std::size_t true_positives = 0, false_positives = 0;
  double precision = 0, recall = 0;
  double recall_real = 0, recall_planted = 0;  // recall on each kind of true pair
  std::size_t hard_negative_hits = 0;          // hard negatives reported as duplicates
};

struct DuplicateEvaluation {
  std::size_t messages = 0, planted = 0, unusable = 0;
  std::size_t real_pairs = 0, planted_pairs = 0, hard_negatives = 0;
  std::size_t real_pairs_outside_window = 0;  // like bodies further apart (not counted)
  std::vector<ThresholdRow> rows;             // one per threshold, in the order given
  // Pairs reported at the lowest threshold that the ground truth calls
  // different (indices: messages first, then the planted ones), best first.
  struct Pair {
    std::size_t a = 0, b = 0;
    double score = 0;
  };
  std::vector<Pair> false_positives, misses;  // misses: true pairs below the highest threshold
  double index_seconds = 0, query_seconds = 0;
};

struct EvaluationOptions {
  std::size_t plant = 0;
  std::uint64_t seed = 1;
  double min_common_ratio = 0.8;
  std::vector<double> thresholds{0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
};

// Indexes the messages and the planted paraphrases, asks each for its
// duplicates and scores the answers. Messages that cannot be shingled (no
// letters) are left out and counted in `unusable`. progress(done, total).
Result<DuplicateEvaluation> EvaluateDuplicates(
    std::shared_ptr<const Normalizer> normalizer, std::span<const Message> messages,
    const DuplicateOptions& options, const EvaluationOptions& evaluation,
    const std::function<void(std::size_t, std::size_t)>& progress = {});

// A readable table, one line per threshold.
std::string FormatDuplicateEvaluation(const DuplicateEvaluation& e);

}  // namespace xietong::text
