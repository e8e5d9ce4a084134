#include "matters/catalog.h"

#include <algorithm>
#include <cmath>

#include "core/json.h"

namespace xietong::matters {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Scores are in characters matched; the softmax temperature and the score of
// "none of these" are both one two-character word, so a single short match
// earns a modest confidence and each further word raises it steeply.
constexpr double kTemperature = 2.0;
constexpr double kNoneScore = 2.0;
constexpr double kAncestorWeight = 1.0 / 3.0;

}  // namespace

Catalog::Catalog(std::vector<Matter> matters) : matters_(std::move(matters)) {
  std::sort(matters_.begin(), matters_.end(),
            [](const Matter& a, const Matter& b) { return a.code < b.code; });
  words_.reserve(matters_.size());
  for (std::size_t i = 0; i < matters_.size(); ++i) {
    const Matter& m = matters_[i];
    by_id_.emplace(m.id, i);
    by_code_.emplace(m.code, i);
    std::vector<std::string> words;
    for (const auto& k : m.keywords) words.push_back(AsciiLower(k));
    words.push_back(AsciiLower(m.name));
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    words_.push_back(std::move(words));
  }
}

const Matter* Catalog::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &matters_[it->second];
}

const Matter* Catalog::FindByCode(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &matters_[it->second];
}

std::vector<const Matter*> Catalog::Children(std::string_view parent_id_or_empty) const {
  std::vector<const Matter*> out;
  for (const auto& m : matters_) {
    if (parent_id_or_empty.empty() ? !m.parent_id.has_value()
                                   : m.parent_id && *m.parent_id == parent_id_or_empty)
      out.push_back(&m);
  }
  return out;
}

std::vector<const Matter*> Catalog::Leaves() const {
  std::vector<const Matter*> out;
  for (const auto& m : matters_)
    if (m.is_leaf()) out.push_back(&m);
  return out;
}

bool Catalog::InEffect(const Matter& m) const {
  const Matter* at = &m;
  for (int depth = 0; at != nullptr && depth < kLeafLevel; ++depth) {
    if (!at->active) return false;
    at = at->parent_id ? Find(*at->parent_id) : nullptr;
  }
  return true;
}

std::vector<Suggestion> Catalog::Suggest(std::string_view text, int n) const {
  std::vector<Suggestion> out;
  if (n <= 0 || text.empty()) return out;
  const std::string haystack = AsciiLower(text);
  // Each matter's own score, computed once: ancestors are shared by many leaves.
  std::vector<double> own(matters_.size(), 0.0);
  for (std::size_t i = 0; i < matters_.size(); ++i)
    for (const auto& w : words_[i])
      if (haystack.find(w) != std::string::npos)
        own[i] += static_cast<double>(json::CountCodePoints(w));

  struct Scored {
    std::size_t index;
    double score;
  };
  std::vector<Scored> scored;
  for (std::size_t i = 0; i < matters_.size(); ++i) {
    const Matter& m = matters_[i];
    if (!m.is_leaf() || own[i] <= 0 || !InEffect(m)) continue;
    double score = own[i];
    const Matter* up = m.parent_id ? Find(*m.parent_id) : nullptr;
    for (int depth = 1; up != nullptr && depth < kLeafLevel; ++depth) {
      score += kAncestorWeight * own[static_cast<std::size_t>(up - matters_.data())];
      up = up->parent_id ? Find(*up->parent_id) : nullptr;
    }
    scored.push_back({i, score});
  }
  if (scored.empty()) return out;
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  const double top = std::max(scored.front().score, kNoneScore);
  double sum = std::exp((kNoneScore - top) / kTemperature);
  for (const auto& s : scored) sum += std::exp((s.score - top) / kTemperature);
  const std::size_t count = std::min(scored.size(), static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < count; ++i)
    out.push_back(
        {&matters_[scored[i].index], std::exp((scored[i].score - top) / kTemperature) / sum});
  return out;
}

}  // namespace xietong::matters
