#include "text/duplicates.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <functional>
#include <mutex>

#include <fmt/core.h>

namespace xietong::text {
namespace {

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool Kept(char32_t c) { return u_isalnum(static_cast<UChar32>(c)); }

}  // namespace

Result<Shingles> ShingleText(const Normalizer& normalizer, std::string_view raw, int size) {
  XT_ASSIGN_OR_RETURN(NormalizedCodePoints n, normalizer.NormalizeCodePoints(raw));
  std::u32string kept;
  kept.reserve(n.text.size());
  for (char32_t c : n.text)
    if (Kept(c)) kept.push_back(c);
  if (kept.empty())
    return Fail(Error::InvalidArgument(
        "nothing to compare: the message has no letters, digits or Chinese characters (it is "
        "empty or only punctuation, symbols or emoji)"));
  const std::size_t k = static_cast<std::size_t>(std::max(size, 1));
  const std::size_t count = kept.size() >= k ? kept.size() - k + 1 : 1;
  Shingles out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (std::size_t j = i; j < std::min(i + k, kept.size()); ++j) h = Mix(h ^ kept[j]);
    out.push_back(static_cast<std::uint32_t>(h >> 32));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Similarity(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  if (a.empty() || b.empty()) return 0;
  std::size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

DuplicateIndex::DuplicateIndex(std::shared_ptr<const Normalizer> normalizer,
                               DuplicateOptions options)
    : normalizer_(std::move(normalizer)), options_(options) {
  const int n = std::max(options_.bands, 1) * std::max(options_.rows, 1);
  for (int i = 0; i < n; ++i) {
    const auto u = static_cast<std::uint64_t>(i);
    multipliers_.push_back(Mix(0x5851f42d4c957f2dULL + 2 * u) | 1);  // odd
    offsets_.push_back(Mix(0x5851f42d4c957f2dULL + 2 * u + 1));
  }
  table_.resize(1024);
}

Result<PreparedDuplicate> DuplicateIndex::Prepare(const DuplicateDocument& doc) const {
  PreparedDuplicate p;
  XT_ASSIGN_OR_RETURN(p.shingles, ShingleText(*normalizer_, doc.text, options_.shingle_size));
  // MinHash with multiply-add-shift hash functions: one multiplication per
  // shingle and function (a mixing function per pair costs three times more).
  p.signature.assign(multipliers_.size(), 0xffffffffu);
  for (std::uint32_t s : p.shingles) {
    for (std::size_t i = 0; i < multipliers_.size(); ++i) {
      const auto v = static_cast<std::uint32_t>((multipliers_[i] * s + offsets_[i]) >> 32);
      p.signature[i] = std::min(p.signature[i], v);
    }
  }
  p.id = doc.id;
  if (!doc.place.empty()) p.place = std::max<std::uint64_t>(1, std::hash<std::string>{}(doc.place));
  p.time_us = doc.time_us;
  return p;
}

std::vector<std::uint32_t> DuplicateIndex::BandKeys(
    std::span<const std::uint32_t> signature) const {
  const auto rows = static_cast<std::size_t>(std::max(options_.rows, 1));
  std::vector<std::uint32_t> keys;
  keys.reserve(signature.size() / rows);
  for (std::size_t b = 0; b * rows < signature.size(); ++b) {
    std::uint64_t h = Mix(b + 1);
    for (std::size_t r = 0; r < rows; ++r) h = Mix(h ^ signature[b * rows + r]);
    keys.push_back(static_cast<std::uint32_t>(h >> 32));
  }
  return keys;
}

void DuplicateIndex::Insert(std::uint32_t key, std::uint32_t slot) {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = key & mask;; i = (i + 1) & mask) {
    if (table_[i].slot == kEmpty) {
      table_[i] = {key, slot};
      ++entries_;
      return;
    }
  }
}

void DuplicateIndex::Grow() {
  std::vector<Entry> old(table_.size() * 2);
  old.swap(table_);
  entries_ = 0;
  for (const Entry& e : old)
    if (e.slot != kEmpty && slots_[e.slot].alive) Insert(e.key, e.slot);
}

Result<void> DuplicateIndex::Add(const DuplicateDocument& doc) {
  XT_ASSIGN_OR_RETURN(PreparedDuplicate p, Prepare(doc));
  return Add(std::move(p));
}

Result<void> DuplicateIndex::Add(PreparedDuplicate doc) {
  const std::vector<std::uint32_t> keys = BandKeys(doc.signature);
  std::unique_lock lock(mutex_);
  if (ids_.contains(doc.id))
    return Fail(Error::Conflict(fmt::format("message '{}' is already indexed", doc.id)));
  const auto slot = static_cast<std::uint32_t>(slots_.size());
  ids_.emplace(doc.id, slot);
  slots_.push_back({std::move(doc.id), std::move(doc.shingles), doc.place, doc.time_us, true});
  ++alive_;
  // Linear probing stays short below a load of 0.7.
  while ((entries_ + keys.size()) * 10 > table_.size() * 7) Grow();
  for (std::uint32_t k : keys) Insert(k, slot);
  return {};
}

bool DuplicateIndex::Remove(std::string_view id) {
  std::unique_lock lock(mutex_);
  const auto it = ids_.find(std::string(id));
  if (it == ids_.end()) return false;
  Slot& s = slots_[it->second];
  s.alive = false;
  Shingles().swap(s.shingles);
  ids_.erase(it);
  --alive_;
  return true;
}

Result<std::vector<DuplicateMatch>> DuplicateIndex::Query(const DuplicateDocument& doc,
                                                          std::size_t limit) const {
  XT_ASSIGN_OR_RETURN(PreparedDuplicate p, Prepare(doc));
  return Query(p, limit);
}

std::vector<DuplicateMatch> DuplicateIndex::Query(const PreparedDuplicate& doc,
                                                  std::size_t limit) const {
  return Query(doc, limit, options_.threshold);
}

std::vector<DuplicateMatch> DuplicateIndex::Query(const PreparedDuplicate& doc, std::size_t limit,
                                                  double threshold) const {
  const std::vector<std::uint32_t> keys = BandKeys(doc.signature);
  std::vector<std::uint32_t> candidates;
  std::vector<std::pair<double, std::uint32_t>> scored;
  std::shared_lock lock(mutex_);
  const std::size_t mask = table_.size() - 1;
  for (std::uint32_t k : keys) {
    for (std::size_t i = k & mask; table_[i].slot != kEmpty; i = (i + 1) & mask)
      if (table_[i].key == k) candidates.push_back(table_[i].slot);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (std::uint32_t c : candidates) {
    const Slot& s = slots_[c];
    if (!s.alive || s.id == doc.id) continue;
    if (doc.place != 0 && s.place != 0 && doc.place != s.place) continue;
    if (options_.window_us > 0 &&
        (s.time_us > doc.time_us ? s.time_us - doc.time_us : doc.time_us - s.time_us) >
            options_.window_us)
      continue;
    const double score = Similarity(doc.shingles, s.shingles);
    if (score >= threshold) scored.emplace_back(score, c);
  }
  std::sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : slots_[a.second].id < slots_[b.second].id;
  });
  if (scored.size() > limit) scored.resize(limit);
  std::vector<DuplicateMatch> out;
  out.reserve(scored.size());
  for (const auto& [score, c] : scored) out.push_back({slots_[c].id, score});
  return out;
}

std::size_t DuplicateIndex::size() const {
  std::shared_lock lock(mutex_);
  return alive_;
}

std::size_t DuplicateIndex::MemoryBytes() const {
  std::shared_lock lock(mutex_);
  std::size_t bytes = table_.capacity() * sizeof(Entry) + slots_.capacity() * sizeof(Slot);
  for (const Slot& s : slots_) {
    bytes += s.shingles.capacity() * sizeof(std::uint32_t);
    if (s.id.size() > 15) bytes += s.id.capacity() + 1;
  }
  // An unordered_map node holds the key, the value and a next pointer; plus the bucket array.
  bytes +=
      ids_.size() * (sizeof(std::string) + 2 * sizeof(void*)) + ids_.bucket_count() * sizeof(void*);
  return bytes;
}

}  // namespace xietong::text
