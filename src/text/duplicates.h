// Near-duplicate detection for residents' messages: an in-memory index that
// answers, for a new message, the indexed messages that say nearly the same
// thing, with a score in [0, 1], best first.
//
// Text is normalised (text::Normalizer), reduced to its letters, digits and
// ideographs, and cut into character shingles. MinHash signatures with LSH
// banding propose candidates; each candidate is verified with the exact
// similarity of the shingle sets (Similarity below). Candidates further apart
// in time than the window, or with a different place key (when both have one),
// are never returned.
// A DuplicateIndex is thread-safe: any number of concurrent Query() calls with
// occasional Add()/Remove() (one shared_mutex; Prepare() runs outside it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "text/normalize.h"

namespace xietong::text {

inline constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

struct DuplicateOptions {
  int shingle_size = 3;  // code points per shingle
  int bands = 42;        // LSH bands; the signature has bands × rows MinHash values
  int rows = 3;          // values per band
  // Similarity at or above which a message is reported as a likely duplicate.
  double threshold = 0.6;
  // Only messages at most this far apart in time are compared; 0: no window.
  std::int64_t window_us = 90 * kMicrosPerDay;
};

// What the index knows of a message. `text` is raw (title and body joined);
// an empty `place` matches every place.
struct DuplicateDocument {
  std::string id;
  std::string text;
  std::string place;
  std::int64_t time_us = 0;
};

struct DuplicateMatch {
  std::string id;
  double score = 0;  // Similarity() of the two messages
};

// Sorted, distinct 32-bit hashes of the shingles of a text.
using Shingles = std::vector<std::uint32_t>;

// The shingles of a raw text: normalised, only letters, digits and ideographs
// kept, then every run of `size` consecutive code points (a text shorter than
// that is one shingle). kInvalidArgument when the text is not valid UTF-8 or
// holds no letter, digit or ideograph (empty, only punctuation or emoji);
// kTooLarge above kMaxInputBytes.
Result<Shingles> ShingleText(const Normalizer& normalizer, std::string_view raw, int size);

// Jaccard similarity |A ∩ B| / |A ∪ B| of two shingle sets; 0 when either is empty.
double Similarity(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);

// A document reduced to what the index stores and compares.
struct PreparedDuplicate {
  std::string id;
  Shingles shingles;
  std::vector<std::uint32_t> signature;  // MinHash, bands × rows values
  std::uint64_t place = 0;               // hash of the place key; 0: none
  std::int64_t time_us = 0;
};

class DuplicateIndex {
 public:
  explicit DuplicateIndex(std::shared_ptr<const Normalizer> normalizer,
                          DuplicateOptions options = {});
  DuplicateIndex(const DuplicateIndex&) = delete;
  DuplicateIndex& operator=(const DuplicateIndex&) = delete;

  // Normalises and shingles a document; errors as ShingleText. Lock-free.
  Result<PreparedDuplicate> Prepare(const DuplicateDocument& doc) const;

  // kConflict when the id is already indexed; otherwise errors as Prepare().
  // A PreparedDuplicate must come from this index's Prepare() (or one with
  // the same options): its signature is compared band by band.
  Result<void> Add(const DuplicateDocument& doc);
  Result<void> Add(PreparedDuplicate doc);
  // Forgets a message (its LSH entries stay as tombstones until the index is
  // rebuilt); false when the id is unknown.
  bool Remove(std::string_view id);

  // At most `limit` indexed messages (never `doc.id` itself) whose score is at
  // least the threshold, inside the time window and place, best first (ties by
  // id). Errors as Prepare().
  Result<std::vector<DuplicateMatch>> Query(const DuplicateDocument& doc, std::size_t limit) const;
  std::vector<DuplicateMatch> Query(const PreparedDuplicate& doc, std::size_t limit) const;
  // The same with another threshold (for measuring precision and recall).
  std::vector<DuplicateMatch> Query(const PreparedDuplicate& doc, std::size_t limit,
                                    double threshold) const;

  std::size_t size() const;
  // Heap bytes held by the index (documents, shingles, LSH table), approximately.
  std::size_t MemoryBytes() const;
  const DuplicateOptions& options() const { return options_; }

 private:
  struct Slot {
    std::string id;
    Shingles shingles;  // empty once removed
    std::uint64_t place = 0;
    std::int64_t time_us = 0;
    bool alive = false;
  };
  // LSH table: open addressing with linear probing over 32-bit band keys
  // (band number and values hashed); the entries of one key (one per document
  // in that bucket) sit in the same probe run. Two band values sharing a
  // 32-bit key only add a candidate that verification rejects. 8 bytes.
  struct Entry {
    std::uint32_t key = 0;
    std::uint32_t slot = kEmpty;
  };
  static constexpr std::uint32_t kEmpty = 0xffffffffu;

  std::vector<std::uint32_t> BandKeys(std::span<const std::uint32_t> signature) const;
  void Insert(std::uint32_t key, std::uint32_t slot);  // requires mutex_ held exclusively
  void Grow();                                         // requires mutex_ held exclusively

  const std::shared_ptr<const Normalizer> normalizer_;
  const DuplicateOptions options_;
  // MinHash function i: (multipliers_[i] × shingle + offsets_[i]) >> 32.
  std::vector<std::uint64_t> multipliers_, offsets_;

  mutable std::shared_mutex mutex_;
  std::vector<Slot> slots_;                             // GUARDED_BY(mutex_)
  std::unordered_map<std::string, std::uint32_t> ids_;  // GUARDED_BY(mutex_)
  std::vector<Entry> table_;                            // GUARDED_BY(mutex_)
  std::size_t entries_ = 0;                             // GUARDED_BY(mutex_)
  std::size_t alive_ = 0;                               // GUARDED_BY(mutex_)
};

}  // namespace xietong::text
