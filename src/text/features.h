// Features of normalised text: character n-grams and dictionary words, hashed
// to 64-bit keys, and the vocabulary that turns them into TF-IDF vectors.
//
// A "unit" is one ideograph (CJK, kana, hangul) or one run of other letters
// and digits (a run of digits alone is one shared "number" unit). N-grams of
// 1..char_ngram_max units never cross punctuation, spaces, emoji or the
// boundary between two fields. With `words`, ICU's dictionary word break
// iterator adds every word of two or more ideographs as its own feature.
// FeatureExtractor and Vocabulary are immutable after construction and
// thread-safe (the ICU iterator is per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xietong::text {

struct FeatureOptions {
  int char_ngram_max = 3;    // 1 … 4
  bool words = false;        // add ICU dictionary words
  float title_weight = 2.0;  // counts of the first field are multiplied by this
  float title_own =
      0;  // > 0: the title's n-grams also count, at this weight, as features of their own
  // Research options (xietong train --cv; not recorded in the model file, so
  // `train --out` refuses them): a run of letters and digits with a digit in
  // it (A3, U0007047: the data's pseudonyms) becomes its letters and one digit
  // mark, so every A<n>区 is one unit; > 0: gapped bigrams (the units i and
  // i + 2 of a segment) count at this weight.
  bool fold_codes = false;
  float gapped = 0;
};

// A hashed feature and how often (weighted) it occurs in one document.
using KeyCount = std::pair<std::uint64_t, float>;

class FeatureExtractor {
 public:
  explicit FeatureExtractor(FeatureOptions options) : options_(options) {}
  const FeatureOptions& options() const { return options_; }

  // Keys of the normalised fields of one document (the first field is the
  // title), merged and sorted by key. Empty when no field holds a letter,
  // digit or ideograph.
  std::vector<KeyCount> Extract(std::span<const std::u32string> fields) const;
  // The same keys appended to `out` unsorted, a key once per occurrence (the
  // fast path of prediction, which needs no order).
  void ExtractUnsorted(std::span<const std::u32string> fields, std::vector<KeyCount>& out) const;

 private:
  void AddNgrams(std::u32string_view text, float weight, std::uint64_t seed,
                 std::vector<KeyCount>& out) const;
  void AddWords(std::u32string_view text, float weight, std::vector<KeyCount>& out) const;

  FeatureOptions options_;
};

// ICU's dictionary segmentation of normalised text: the words of ideographs,
// letters or digits, in order (punctuation, spaces and symbols are dropped).
std::vector<std::string> SegmentWords(std::u32string_view text);

// A sparse vector: indices ascending, values the weights.
struct SparseVector {
  std::vector<std::uint32_t> index;
  std::vector<float> value;
  std::size_t size() const { return index.size(); }
};

// Maps keys to dense indices and holds each feature's IDF.
class Vocabulary {
 public:
  Vocabulary() = default;
  // `keys` must be distinct; idf[i] belongs to keys[i].
  Vocabulary(std::vector<std::uint64_t> keys, std::vector<float> idf);

  std::size_t size() const { return keys_.size(); }
  const std::vector<std::uint64_t>& keys() const { return keys_; }
  const std::vector<float>& idf() const { return idf_; }
  // Index of `key`, or -1 when it is not in the vocabulary.
  std::int64_t Find(std::uint64_t key) const;

  // Sublinear TF (1 + ln tf) times IDF, L2-normalised; unknown keys are dropped.
  SparseVector Vectorize(std::span<const KeyCount> counts) const;

 private:
  std::vector<std::uint64_t> keys_;
  std::vector<float> idf_;
  std::vector<std::uint32_t> slots_;  // open addressing: index + 1, 0 when empty
  std::uint64_t mask_ = 0;
};

// Builds a vocabulary: a key is kept when it occurs in at least `min_df` of
// `train` documents; its IDF is ln((1 + N) / (1 + df)) + 1 counted over
// `train` and `extra` (unlabelled) documents together.
Vocabulary BuildVocabulary(std::span<const std::vector<KeyCount>* const> train,
                           std::span<const std::vector<KeyCount>* const> extra, int min_df);

}  // namespace xietong::text
