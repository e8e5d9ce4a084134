#include "text/digest.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/core.h>

#include "text/corpus.h"
#include "text/features.h"
#include "text/utf8.h"

namespace xietong::text {
namespace {

// A short best sentence is joined by the next best (in text order).
constexpr std::size_t kShortSentence = 24;
constexpr double kFirstSentenceBonus = 0.1;

bool IsDigit(char32_t c) { return (c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９'); }
bool IsSentenceEnd(char32_t c) {
  return c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == U'!' || c == U'?' ||
         c == U';' || c == U'\n' || c == U'\r';
}
bool IsBlank(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\u3000' || c == U'\u00a0' || c == U'\v' || c == U'\f';
}

// Words of a letter's courtesy (尊敬的领导：您好！), not of the matter: such a
// short sentence is never the excerpt.
constexpr std::u32string_view kCourtesy[] = {U"尊敬的", U"您好", U"你好", U"领导",
                                             U"谢谢",   U"此致", U"敬礼"};
constexpr std::size_t kCourtesyMaxChars = 20;
bool IsCourtesy(std::u32string_view sentence) {
  if (sentence.size() > kCourtesyMaxChars) return false;
  for (auto w : kCourtesy)
    if (sentence.find(w) != std::u32string_view::npos) return true;
  return false;
}

double Dot(const SparseVector& a, const SparseVector& b) {
  double dot = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a.index[i] < b.index[j]) {
      ++i;
    } else if (a.index[i] > b.index[j]) {
      ++j;
    } else {
      dot += static_cast<double>(a.value[i++]) * b.value[j++];
    }
  }
  return dot;
}

// Against a dense centroid of unit length.
double DotDense(const SparseVector& a, const std::vector<double>& c) {
  double dot = 0;
  for (std::size_t t = 0; t < a.size(); ++t) dot += a.value[t] * c[a.index[t]];
  return dot;
}

struct Doc {
  std::size_t input = 0;
  std::vector<KeyCount> keys;
  SparseVector vector;
};

// Sentences of a body with their spans, blanks trimmed, empty ones dropped.
std::vector<std::u32string> Sentences(std::u32string_view body) {
  std::vector<std::u32string> out;
  std::u32string cur;
  auto flush = [&] {
    std::size_t b = 0, e = cur.size();
    while (b < e && IsBlank(cur[b])) ++b;
    while (e > b && IsBlank(cur[e - 1])) --e;
    std::u32string sentence = cur.substr(b, e - b);
    cur.clear();
    // A courtesy opening a sentence (尊敬的书记，您好，…) is not the matter.
    for (int k = 0; k < 2; ++k) {
      if (!sentence.starts_with(U"尊敬的") && !sentence.starts_with(U"您好") &&
          !sentence.starts_with(U"你好"))
        break;
      const std::size_t comma = sentence.find_first_of(U"，,");
      if (comma == std::u32string::npos || comma > kCourtesyMaxChars) break;
      sentence.erase(0, comma + 1);
    }
    if (!sentence.empty()) out.push_back(std::move(sentence));
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char32_t c = body[i];
    // Line ends, a paragraph's indent (two ideographic spaces) and the
    // carriage returns spreadsheets export as _x000D_ end a sentence too.
    if (c == U'\n' || c == U'\r' ||
        (c == U'\u3000' && i + 1 < body.size() && body[i + 1] == U'\u3000')) {
      flush();
      continue;
    }
    if (body.substr(i, 7) == U"_x000D_") {
      flush();
      i += 6;
      continue;
    }
    cur.push_back(c);
    if (IsSentenceEnd(c) || (c == U'：' && IsCourtesy(cur))) flush();
  }
  flush();
  return out;
}

std::string Cut(std::string_view text, int max_chars) {
  auto cps = DecodeUtf8(text);
  if (!cps || cps->size() <= static_cast<std::size_t>(max_chars)) return std::string(text);
  std::u32string_view head(cps->data(), static_cast<std::size_t>(max_chars));
  // Not in the middle of a mask.
  while (!head.empty() && head.back() == U'*') head.remove_suffix(1);
  while (!head.empty() && (IsSentenceEnd(head.back()) || head.back() == U'，' ||
                           head.back() == U',' || IsBlank(head.back())))
    head.remove_suffix(1);
  return EncodeUtf8(head) + "……";
}

}  // namespace

std::string MaskDigits(std::string_view text) {
  auto decoded = DecodeUtf8(text);
  if (!decoded) return std::string(text);
  const std::u32string& t = *decoded;
  std::u32string out;
  std::size_t i = 0;
  while (i < t.size()) {
    if (!IsDigit(t[i])) {
      out.push_back(t[i++]);
      continue;
    }
    // A run of digit groups joined by one '-' or one blank.
    std::size_t j = i, digits = 0, longest = 0, shortest = SIZE_MAX, end = i;
    while (true) {
      std::size_t g = j;
      while (g < t.size() && IsDigit(t[g])) ++g;
      const std::size_t len = g - j;
      digits += len;
      longest = std::max(longest, len);
      shortest = std::min(shortest, len);
      end = g;
      if (g + 1 < t.size() && (t[g] == U'-' || t[g] == U' ' || t[g] == U'－') &&
          IsDigit(t[g + 1])) {
        j = g + 1;
        continue;
      }
      break;
    }
    // An ID number's final X.
    if (end < t.size() && (t[end] == U'X' || t[end] == U'x') && longest >= 14) ++end;
    if (longest >= 7 || (shortest >= 3 && digits >= 7)) {
      out += U"****";
      i = end;
    } else {
      // Keep the first group only; the next may start a run of its own.
      std::size_t g = i;
      while (g < t.size() && IsDigit(t[g])) out.push_back(t[g++]);
      i = g;
    }
  }
  return EncodeUtf8(out);
}

Result<std::vector<DigestItem>> Digest(const Normalizer& normalizer,
                                       std::span<const DigestMessage> messages,
                                       const DigestOptions& options) {
  if (options.per_group < 1 || options.per_group > 10)
    return Fail(Error::InvalidArgument("per_group must be 1 … 10"));
  if (!(options.mmr_lambda >= 0 && options.mmr_lambda <= 1))
    return Fail(Error::InvalidArgument("mmr_lambda must be in [0, 1]"));
  if (options.max_excerpt_chars < 10 || options.max_excerpt_chars > 1000)
    return Fail(Error::InvalidArgument("max_excerpt_chars must be 10 … 1000"));
  if (options.max_per_group_input < 1)
    return Fail(Error::InvalidArgument("max_per_group_input must be at least 1"));

  std::vector<std::string> order;
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto [it, fresh] = groups.try_emplace(messages[i].group);
    if (fresh) order.push_back(messages[i].group);
    if (it->second.size() < static_cast<std::size_t>(options.max_per_group_input))
      it->second.push_back(i);
  }

  const FeatureExtractor extractor(FeatureOptions{.char_ngram_max = 3, .title_weight = 2.0f});
  std::vector<DigestItem> out;
  for (const std::string& name : order) {
    std::vector<Doc> docs;
    std::int64_t support = 0;
    for (std::size_t i : groups[name]) {
      const DigestMessage& m = messages[i];
      const std::string fields[] = {m.title, m.body};
      auto p = Prepare(normalizer, extractor, fields);
      if (!p || p->keys.empty()) continue;
      docs.push_back({i, std::move(p->keys), {}});
      support += std::max<std::int64_t>(m.support, 0);
    }
    if (docs.empty()) continue;
    std::vector<const std::vector<KeyCount>*> all;
    for (const auto& d : docs) all.push_back(&d.keys);
    const Vocabulary vocabulary = BuildVocabulary(all, {}, 1);
    std::vector<double> centroid(vocabulary.size(), 0.0);
    for (auto& d : docs) {
      d.vector = vocabulary.Vectorize(d.keys);
      for (std::size_t t = 0; t < d.vector.size(); ++t)
        centroid[d.vector.index[t]] += d.vector.value[t];
    }
    double norm = 0;
    for (double v : centroid) norm += v * v;
    norm = std::sqrt(norm);
    if (norm > 0)
      for (double& v : centroid) v /= norm;
    std::vector<double> central(docs.size());
    for (std::size_t k = 0; k < docs.size(); ++k) central[k] = DotDense(docs[k].vector, centroid);

    // MMR, ties by id.
    std::vector<std::size_t> chosen;
    std::vector<double> redundancy(docs.size(), 0.0);
    std::vector<bool> taken(docs.size(), false);
    const std::size_t want = std::min<std::size_t>(options.per_group, docs.size());
    while (chosen.size() < want) {
      std::size_t best = docs.size();
      double best_score = 0;
      for (std::size_t k = 0; k < docs.size(); ++k) {
        if (taken[k]) continue;
        const double score =
            options.mmr_lambda * central[k] - (1 - options.mmr_lambda) * redundancy[k];
        if (best == docs.size() || score > best_score + 1e-12 ||
            (score > best_score - 1e-12 &&
             messages[docs[k].input].id < messages[docs[best].input].id)) {
          best = k;
          best_score = score;
        }
      }
      taken[best] = true;
      chosen.push_back(best);
      for (std::size_t k = 0; k < docs.size(); ++k)
        if (!taken[k])
          redundancy[k] = std::max(redundancy[k], Dot(docs[k].vector, docs[best].vector));
    }

    for (std::size_t k : chosen) {
      const DigestMessage& m = messages[docs[k].input];
      DigestItem item;
      item.group = name;
      item.id = m.id;
      item.title = MaskDigits(m.title);
      item.centrality = std::clamp(central[k], 0.0, 1.0);
      item.group_size = docs.size();
      item.group_support = support;
      // The sentence nearest the centroid.
      auto body = DecodeUtf8(m.body.empty() ? m.title : m.body);
      std::vector<std::u32string> sentences =
          body ? Sentences(*body) : std::vector<std::u32string>{};
      std::vector<std::pair<double, std::size_t>> scored;
      for (std::size_t s = 0; s < sentences.size(); ++s) {
        const std::string sentence = EncodeUtf8(sentences[s]);
        const std::string fields[] = {sentence};
        auto p = Prepare(normalizer, extractor, fields);
        double score = (s == 0) ? kFirstSentenceBonus : 0.0;
        if (p && !p->keys.empty()) score += DotDense(vocabulary.Vectorize(p->keys), centroid);
        if (IsCourtesy(sentences[s])) score = -1;
        scored.push_back({score, s});
      }
      std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      std::vector<std::size_t> keep;
      if (!scored.empty()) keep.push_back(scored[0].second);
      if (scored.size() > 1 && sentences[scored[0].second].size() < kShortSentence)
        keep.push_back(scored[1].second);
      std::sort(keep.begin(), keep.end());
      std::string excerpt;
      for (std::size_t s : keep) excerpt += EncodeUtf8(sentences[s]);
      item.excerpt = Cut(MaskDigits(excerpt), options.max_excerpt_chars);
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace xietong::text
