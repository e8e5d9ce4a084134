#include "text/features.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <unordered_map>

namespace xietong::text {
namespace {

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t kNumberUnit = 0x4E554D4245520000ULL;  // every run of digits
constexpr std::uint64_t kNgramSeed = 0x6E6772616D000000ULL;
constexpr std::uint64_t kTitleSeed = 0x7469746C65000000ULL;
constexpr std::uint64_t kWordSeed = 0x776F726400000000ULL;
constexpr std::uint64_t kGapSeed = 0x6761707065640000ULL;

bool IsIdeograph(char32_t c) {
  if (c >= 0x4E00 && c <= 0x9FFF) return true;
  if (c < 0x3040) return false;
  return (c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) ||
         u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_IDEOGRAPHIC);
}

bool IsWordChar(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return u_isalnum(static_cast<UChar32>(c));
}

// Sorts by key and adds the counts of equal keys.
void Merge(std::vector<KeyCount>& keys) {
  std::sort(keys.begin(), keys.end());
  std::size_t out = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (out > 0 && keys[out - 1].first == keys[i].first) {
      keys[out - 1].second += keys[i].second;
    } else {
      keys[out++] = keys[i];
    }
  }
  keys.resize(out);
}

icu::BreakIterator* WordIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> iterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(
        icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), status));
    return U_SUCCESS(status) ? std::move(it) : nullptr;
  }();
  return iterator.get();
}

}  // namespace

void FeatureExtractor::AddNgrams(std::u32string_view text, float weight, std::uint64_t seed,
                                 std::vector<KeyCount>& out) const {
  const int max_n = std::clamp(options_.char_ngram_max, 1, 4);
  std::uint64_t last[4] = {0, 0, 0, 0};  // last[0] is the newest unit
  int in_segment = 0;
  auto push_unit = [&](std::uint64_t unit) {
    for (int k = 3; k > 0; --k) last[k] = last[k - 1];
    last[0] = unit;
    in_segment = std::min(in_segment + 1, 4);
    std::uint64_t h = seed;
    for (int n = 1; n <= std::min(in_segment, max_n); ++n) {
      h = Mix(h ^ last[n - 1]);
      out.emplace_back(h | 1, weight);  // never 0: 0 marks an empty slot
    }
    if (options_.gapped > 0 && in_segment >= 3)
      out.emplace_back(Mix(Mix(kGapSeed ^ seed ^ last[2]) ^ last[0]) | 1, weight * options_.gapped);
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const char32_t c = text[i];
    if (IsIdeograph(c)) {
      push_unit(c);
      ++i;
    } else if (IsWordChar(c)) {
      std::uint64_t h = 0xCBF29CE484222325ULL;
      bool digits = true, after_digit = false;
      for (; i < text.size() && IsWordChar(text[i]) && !IsIdeograph(text[i]); ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        digits = digits && digit;
        if (options_.fold_codes && digit) {
          if (!after_digit) h = (h ^ U'#') * 0x100000001B3ULL;  // one mark per digit run
        } else {
          h = (h ^ text[i]) * 0x100000001B3ULL;
        }
        after_digit = digit;
      }
      push_unit(digits ? kNumberUnit : (h | (1ULL << 63)));
    } else {
      in_segment = 0;
      ++i;
    }
  }
}

// Calls visit(start, end, status) for each word segment ICU finds in `s`.
template <typename Visit>
void ForEachWord(const icu::UnicodeString& s, Visit visit) {
  icu::BreakIterator* it = WordIterator();
  if (it == nullptr) return;
  it->setText(s);
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next())
    if (it->getRuleStatus() >= UBRK_WORD_NUMBER) visit(start, end, it->getRuleStatus());
}

icu::UnicodeString ToIcu(std::u32string_view text) {
  return icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()),
                                       static_cast<int32_t>(text.size()));
}

void FeatureExtractor::AddWords(std::u32string_view text, float weight,
                                std::vector<KeyCount>& out) const {
  const icu::UnicodeString s = ToIcu(text);
  ForEachWord(s, [&](int32_t start, int32_t end, int32_t status) {
    // Single ideographs and Latin words are already character n-gram units.
    if (status < UBRK_WORD_IDEO || status >= UBRK_WORD_IDEO_LIMIT) return;
    if (s.countChar32(start, end - start) < 2) return;
    std::uint64_t h = kWordSeed;
    for (int32_t k = start; k < end; ++k) h = Mix(h ^ s.charAt(k));
    out.emplace_back(h | 1, weight);
  });
}

std::vector<std::string> SegmentWords(std::u32string_view text) {
  const icu::UnicodeString s = ToIcu(text);
  std::vector<std::string> words;
  ForEachWord(s, [&](int32_t start, int32_t end, int32_t) {
    std::string w;
    s.tempSubStringBetween(start, end).toUTF8String(w);
    words.push_back(std::move(w));
  });
  return words;
}

void FeatureExtractor::ExtractUnsorted(std::span<const std::u32string> fields,
                                       std::vector<KeyCount>& out) const {
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const float weight = f == 0 && fields.size() > 1 ? options_.title_weight : 1.0f;
    AddNgrams(fields[f], weight, kNgramSeed, out);
    if (f == 0 && fields.size() > 1 && options_.title_own > 0)
      AddNgrams(fields[f], options_.title_own, kTitleSeed, out);
    if (options_.words) AddWords(fields[f], weight, out);
  }
}

std::vector<KeyCount> FeatureExtractor::Extract(std::span<const std::u32string> fields) const {
  std::vector<KeyCount> keys;
  ExtractUnsorted(fields, keys);
  Merge(keys);
  return keys;
}

Vocabulary::Vocabulary(std::vector<std::uint64_t> keys, std::vector<float> idf)
    : keys_(std::move(keys)), idf_(std::move(idf)) {
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, keys_.size() * 2));
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    std::uint64_t slot = (keys_[i] >> 1) & mask_;  // keys are hashes already; bit 0 is always 1
    while (slots_[slot] != 0) slot = (slot + 1) & mask_;
    slots_[slot] = static_cast<std::uint32_t>(i + 1);
  }
}

std::int64_t Vocabulary::Find(std::uint64_t key) const {
  if (keys_.empty()) return -1;
  for (std::uint64_t slot = (key >> 1) & mask_;; slot = (slot + 1) & mask_) {
    const std::uint32_t v = slots_[slot];
    if (v == 0) return -1;
    if (keys_[v - 1] == key) return v - 1;
  }
}

SparseVector Vocabulary::Vectorize(std::span<const KeyCount> counts) const {
  std::vector<std::pair<std::uint32_t, float>> entries;
  entries.reserve(counts.size());
  double norm = 0;
  for (const auto& [key, count] : counts) {
    const std::int64_t i = Find(key);
    if (i < 0) continue;
    const float w = std::log1p(count) * idf_[static_cast<std::size_t>(i)];
    entries.emplace_back(static_cast<std::uint32_t>(i), w);
    norm += static_cast<double>(w) * w;
  }
  std::sort(entries.begin(), entries.end());
  SparseVector v;
  v.index.reserve(entries.size());
  v.value.reserve(entries.size());
  const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  for (const auto& [i, w] : entries) {
    v.index.push_back(i);
    v.value.push_back(w * scale);
  }
  return v;
}

Vocabulary BuildVocabulary(std::span<const std::vector<KeyCount>* const> train,
                           std::span<const std::vector<KeyCount>* const> extra, int min_df) {
  struct Df {
    int train = 0, all = 0;
  };
  std::unordered_map<std::uint64_t, Df> df;
  df.reserve(train.size() * 512);
  for (const auto* doc : train)
    for (const auto& kc : *doc) {
      Df& d = df[kc.first];
      ++d.train;
      ++d.all;
    }
  for (const auto* doc : extra)
    for (const auto& kc : *doc)
      if (auto it = df.find(kc.first); it != df.end()) ++it->second.all;
  std::vector<std::pair<std::uint64_t, Df>> kept;
  for (const auto& [key, d] : df)
    if (d.train >= min_df) kept.emplace_back(key, d);
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const double n = static_cast<double>(train.size() + extra.size());
  std::vector<std::uint64_t> keys;
  std::vector<float> idf;
  keys.reserve(kept.size());
  idf.reserve(kept.size());
  for (const auto& [key, d] : kept) {
    keys.push_back(key);
    idf.push_back(static_cast<float>(std::log((1 + n) / (1 + d.all)) + 1));
  }
  return Vocabulary(std::move(keys), std::move(idf));
}

}  // namespace xietong::text
