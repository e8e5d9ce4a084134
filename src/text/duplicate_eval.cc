#include "text/duplicate_eval.h"

#include <fmt/core.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <numeric>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "text/utf8.h"

namespace xietong::text {
namespace {

using Clock = std::chrono::steady_clock;

struct Rng {  // splitmix64: the same sequence on every platform
  std::uint64_t state;
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t Below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(Next() % n); }
};

// Simplified → traditional for common characters whose traditional form
// OpenCC's t2s maps straight back.
constexpr std::u32string_view kSimplified =
    U"区县门车们问题这进时为说没还报请业长开关对电话无楼环设处让经过应该现实际规划乱费买卖结东动书"
    U"产质违";
constexpr std::u32string_view kTraditional =
    U"區縣門車們問題這進時為說沒還報請業長開關對電話無樓環設處讓經過應該現實際規劃亂費買賣結東動書"
    U"產質違";
constexpr std::u32string_view kPunctuation = U"，。！？；、,.!?;\n ";
constexpr std::u32string_view kClauseEnds = U"，。！？；,.!?;\n";
const char32_t* const kPhrases[] = {U"请尽快处理", U"希望领导重视",       U"谢谢",
                                    U"急",         U"麻烦相关部门看一下", U"望回复"};
const char32_t* const kTypos[] = {U"的", U"了", U"是", U"在", U"有", U"人"};

// Clauses of a text, each with its closing mark.
std::vector<std::u32string> Clauses(const std::u32string& s) {
  std::vector<std::u32string> out(1);
  for (char32_t c : s) {
    out.back().push_back(c);
    if (kClauseEnds.find(c) != std::u32string_view::npos) out.emplace_back();
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

std::u32string Join(const std::vector<std::u32string>& parts) {
  std::u32string s;
  for (const auto& p : parts) s += p;
  return s;
}

// Applies perturbation `op` to title and body; false when it does not apply.
bool Perturb(int op, std::u32string& title, std::u32string& body, Rng& rng) {
  std::vector<std::u32string> clauses = Clauses(body);
  switch (op) {
    case 0:  // drop a clause
      if (clauses.size() < 3) return false;
      clauses.erase(clauses.begin() + static_cast<std::ptrdiff_t>(rng.Below(clauses.size())));
      body = Join(clauses);
      return true;
    case 1: {  // swap two neighbouring clauses
      if (clauses.size() < 2) return false;
      const std::size_t i = rng.Below(clauses.size() - 1);
      std::swap(clauses[i], clauses[i + 1]);
      body = Join(clauses);
      return true;
    }
    case 2: {  // punctuation replaced or dropped
      std::u32string out;
      for (char32_t c : body) {
        if (kPunctuation.find(c) == std::u32string_view::npos) {
          out.push_back(c);
        } else if (rng.Below(3) != 0) {
          out.push_back(kPunctuation[rng.Below(kPunctuation.size())]);
        }
      }
      body = out;
      return true;
    }
    case 3: {  // full-width letters and digits
      bool changed = false;
      for (auto* s : {&title, &body})
        for (char32_t& c : *s)
          if (c < 0x7f && (std::isalnum(static_cast<int>(c)) != 0)) c += 0xfee0, changed = true;
      return changed;
    }
    case 4: {  // traditional characters
      bool changed = false;
      for (auto* s : {&title, &body})
        for (char32_t& c : *s)
          if (auto p = kSimplified.find(c); p != std::u32string_view::npos)
            c = kTraditional[p], changed = true;
      return changed;
    }
    case 5:  // stock phrases inserted between clauses
      for (std::size_t k = 1 + rng.Below(2); k > 0; --k)
        clauses.insert(clauses.begin() + static_cast<std::ptrdiff_t>(rng.Below(clauses.size() + 1)),
                       std::u32string(kPhrases[rng.Below(std::size(kPhrases))]) + U"，");
      body = Join(clauses);
      return true;
    case 6:  // the end of the body cut (5-20 %)
      if (body.size() < 20) return false;
      body.resize(body.size() * (80 + rng.Below(16)) / 100);
      return true;
    case 7:  // the title reworded
      if (rng.Below(4) == 0) {
        title.clear();
      } else {
        const char32_t* const prefixes[] = {U"关于", U"再次反映：", U"投诉"};
        title = prefixes[rng.Below(std::size(prefixes))] + title + U"的问题";
      }
      return true;
    default:  // typos: a few characters replaced or dropped
      for (std::size_t k = 1 + rng.Below(3); k > 0 && !body.empty(); --k) {
        const std::size_t at = rng.Below(body.size());
        if (rng.Below(2) == 0) {
          body.erase(at, 1);
        } else {
          body[at] = kTypos[rng.Below(std::size(kTypos))][0];
        }
      }
      return true;
  }
}

std::uint64_t PairKey(std::size_t a, std::size_t b) {
  if (a > b) std::swap(a, b);
  return (static_cast<std::uint64_t>(a) << 32) | b;
}

// Normalised body reduced to letters, digits and ideographs; empty when unusable.
std::u32string Skeleton(const Normalizer& n, std::string_view raw) {
  auto r = n.NormalizeCodePoints(raw);
  std::u32string out;
  if (!r) return out;
  for (char32_t c : r->text)
    if (u_isalnum(static_cast<UChar32>(c))) out.push_back(c);
  return out;
}

// Characters the two sorted strings have in common (with multiplicity): an
// upper bound of their longest common subsequence.
std::size_t CommonCharacters(const std::u32string& sorted_a, const std::u32string& sorted_b) {
  std::size_t i = 0, j = 0, common = 0;
  while (i < sorted_a.size() && j < sorted_b.size()) {
    if (sorted_a[i] == sorted_b[j]) {
      ++i, ++j, ++common;
    } else if (sorted_a[i] < sorted_b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return common;
}

// The same bound, coarser and cheaper: counts in 64 buckets of code points.
using Buckets = std::array<std::uint16_t, 64>;
Buckets Bucket(const std::u32string& s) {
  Buckets b{};
  for (char32_t c : s) b[c & 63] = static_cast<std::uint16_t>(std::min(b[c & 63] + 1, 65535));
  return b;
}
std::size_t CommonBuckets(const Buckets& a, const Buckets& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) n += std::min(a[i], b[i]);
  return n;
}

std::string JoinFields(const Message& m) {
  std::string s;
  for (const auto& f : m.fields) (s += f) += '\n';
  return s;
}

}  // namespace

std::vector<PlantedParaphrase> PlantParaphrases(std::span<const Message> messages, std::size_t n,
                                                std::uint64_t seed) {
  Rng rng{seed};
  std::vector<std::size_t> order(messages.size());
  std::iota(order.begin(), order.end(), 0);
  n = std::min(n, order.size());
  for (std::size_t i = 0; i < n; ++i) std::swap(order[i], order[i + rng.Below(order.size() - i)]);
  std::vector<PlantedParaphrase> out;
  for (std::size_t i = 0; i < n; ++i) {
    const Message& m = messages[order[i]];
    auto title = DecodeUtf8(m.fields.size() > 1 ? m.fields.front() : "");
    auto body = DecodeUtf8(m.fields.empty() ? "" : m.fields.back());
    if (!title || !body) continue;
    PlantedParaphrase p{order[i], m, ""};
    const std::size_t wanted = 2 + rng.Below(2);
    std::vector<int> done;
    for (int tries = 0; done.size() < wanted && tries < 30; ++tries) {
      const int op = static_cast<int>(rng.Below(9));
      if (std::find(done.begin(), done.end(), op) != done.end()) continue;
      if (!Perturb(op, *title, *body, rng)) continue;
      done.push_back(op);
      static const char* const kNames[] = {"drop-clause", "swap-clauses", "punctuation",
                                           "full-width",  "traditional",  "insert-phrases",
                                           "cut-end",     "title",        "typos"};
      p.how += (p.how.empty() ? "" : "+") + std::string(kNames[op]);
    }
    if (m.fields.size() > 1) p.message.fields.front() = EncodeUtf8(*title);
    p.message.fields.back() = EncodeUtf8(*body);
    p.message.time_us += static_cast<std::int64_t>(rng.Below(7 * 24)) * 3'600'000'000;
    out.push_back(std::move(p));
  }
  return out;
}

std::size_t LongestCommonSubsequence(std::u32string_view a, std::u32string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<std::uint32_t> row(b.size() + 1, 0);
  for (char32_t c : a) {
    std::uint32_t diagonal = 0;  // row[j - 1] of the previous line
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::uint32_t above = row[j];
      row[j] = c == b[j - 1] ? diagonal + 1 : std::max(above, row[j - 1]);
      diagonal = above;
    }
  }
  return row[b.size()];
}

Result<DuplicateEvaluation> EvaluateDuplicates(
    std::shared_ptr<const Normalizer> normalizer, std::span<const Message> messages,
    const DuplicateOptions& options, const EvaluationOptions& evaluation,
    const std::function<void(std::size_t, std::size_t)>& progress) {
  DuplicateEvaluation e;
  const std::vector<PlantedParaphrase> planted =
      PlantParaphrases(messages, evaluation.plant, evaluation.seed);
  std::vector<const Message*> all;
  for (const auto& m : messages) all.push_back(&m);
  for (const auto& p : planted) all.push_back(&p.message);
  e.messages = messages.size();
  e.planted = planted.size();
  const auto within = [&](std::size_t a, std::size_t b) {
    return options.window_us <= 0 ||
           std::llabs(all[a]->time_us - all[b]->time_us) <= options.window_us;
  };

  // Ground truth among the real messages: the longest common subsequence of
  // the bodies covers at least min_common_ratio of the longer one.
  std::vector<std::u32string> bodies(messages.size()), sorted(messages.size());
  std::vector<Buckets> buckets(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    bodies[i] = Skeleton(*normalizer, messages[i].fields.back());
    sorted[i] = bodies[i];
    std::sort(sorted[i].begin(), sorted[i].end());
    buckets[i] = Bucket(bodies[i]);
  }
  std::vector<std::size_t> by_length(messages.size());
  std::iota(by_length.begin(), by_length.end(), 0);
  std::sort(by_length.begin(), by_length.end(),
            [&](std::size_t a, std::size_t b) { return bodies[a].size() < bodies[b].size(); });
  std::unordered_set<std::uint64_t> real, truth;
  std::vector<std::vector<std::size_t>> partners(messages.size());
  for (std::size_t x = 0; x < by_length.size(); ++x) {
    const std::size_t i = by_length[x];
    if (bodies[i].empty()) continue;
    for (std::size_t y = x + 1; y < by_length.size(); ++y) {
      const std::size_t j = by_length[y];
      const double need = evaluation.min_common_ratio * static_cast<double>(bodies[j].size());
      if (static_cast<double>(bodies[i].size()) < need) break;  // j only gets longer
      if (static_cast<double>(CommonBuckets(buckets[i], buckets[j])) < need ||
          static_cast<double>(CommonCharacters(sorted[i], sorted[j])) < need ||
          static_cast<double>(LongestCommonSubsequence(bodies[i], bodies[j])) < need)
        continue;
      if (!within(i, j)) {
        ++e.real_pairs_outside_window;
        continue;
      }
      real.insert(PairKey(i, j));
      partners[i].push_back(j);
      partners[j].push_back(i);
    }
  }
  truth = real;
  // A paraphrase is a duplicate of its original, of the original's duplicates
  // and of their paraphrases.
  std::vector<std::vector<std::size_t>> copies(messages.size());
  for (std::size_t p = 0; p < planted.size(); ++p)
    copies[planted[p].original].push_back(messages.size() + p);
  std::unordered_set<std::uint64_t> planted_truth;
  for (std::size_t p = 0; p < planted.size(); ++p) {
    const std::size_t c = messages.size() + p, o = planted[p].original;
    std::vector<std::size_t> family = partners[o];
    family.push_back(o);
    for (std::size_t m : std::vector<std::size_t>(family))
      family.insert(family.end(), copies[m].begin(), copies[m].end());
    for (std::size_t q : family)
      if (q != c && within(c, q)) planted_truth.insert(PairKey(c, q));
  }
  truth.insert(planted_truth.begin(), planted_truth.end());
  e.real_pairs = real.size();
  e.planted_pairs = planted_truth.size();

  // The detector, at the lowest threshold; higher ones filter its answers.
  const double lowest =
      *std::min_element(evaluation.thresholds.begin(), evaluation.thresholds.end());
  DuplicateIndex index(normalizer, options);
  std::vector<PreparedDuplicate> prepared(all.size());
  std::vector<bool> usable(all.size(), false);
  auto start = Clock::now();
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto p =
        index.Prepare({std::to_string(i), JoinFields(*all[i]), all[i]->place, all[i]->time_us});
    if (!p) {
      ++e.unusable;
      continue;
    }
    prepared[i] = std::move(*p);
    usable[i] = true;
    XT_TRY_VOID(index.Add(prepared[i]));
    if (progress && i % 256 == 0) progress(i, 2 * all.size());
  }
  e.index_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  std::unordered_map<std::uint64_t, double> found;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!usable[i]) continue;
    for (const auto& m : index.Query(prepared[i], 1000, lowest))
      found[PairKey(i, std::stoul(m.id))] = m.score;
    if (progress && i % 256 == 0) progress(all.size() + i, 2 * all.size());
  }
  e.query_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (progress) progress(2 * all.size(), 2 * all.size());

  // Hard negatives: the same title, bodies not near-identical.
  std::unordered_map<std::u32string, std::vector<std::size_t>> by_title;
  for (std::size_t i = 0; i < messages.size(); ++i)
    if (messages[i].fields.size() > 1)
      by_title[Skeleton(*normalizer, messages[i].fields.front())].push_back(i);
  std::unordered_set<std::uint64_t> hard;
  for (const auto& [title, group] : by_title)
    for (std::size_t a = 0; a < group.size(); ++a)
      for (std::size_t b = a + 1; b < group.size(); ++b)
        if (!title.empty() && !truth.contains(PairKey(group[a], group[b])))
          hard.insert(PairKey(group[a], group[b]));
  e.hard_negatives = hard.size();

  for (const auto& [key, score] : found)
    if (!truth.contains(key)) e.false_positives.push_back({key >> 32, key & 0xffffffffu, score});
  const double highest =
      *std::max_element(evaluation.thresholds.begin(), evaluation.thresholds.end());
  for (std::uint64_t key : truth) {
    const auto it = found.find(key);
    const double score = it == found.end() ? 0 : it->second;
    if (score < highest) e.misses.push_back({key >> 32, key & 0xffffffffu, score});
  }
  const auto by_score = [](const auto& x, const auto& y) {
    return x.score != y.score ? x.score > y.score : std::tie(x.a, x.b) < std::tie(y.a, y.b);
  };
  std::sort(e.false_positives.begin(), e.false_positives.end(), by_score);
  std::sort(e.misses.begin(), e.misses.end(), by_score);
  for (double t : evaluation.thresholds) {
    ThresholdRow row{.threshold = t};
    std::size_t real_hits = 0, planted_hits = 0;
    for (const auto& [key, score] : found) {
      if (score < t) continue;
      if (truth.contains(key)) {
        ++row.true_positives;
        real_hits += real.contains(key);
        planted_hits += planted_truth.contains(key);
      } else {
        ++row.false_positives;
        row.hard_negative_hits += hard.contains(key);
      }
    }
    const auto ratio = [](std::size_t a, std::size_t b) {
      return b == 0 ? 1.0 : static_cast<double>(a) / static_cast<double>(b);
    };
    row.precision = ratio(row.true_positives, row.true_positives + row.false_positives);
    row.recall = ratio(row.true_positives, truth.size());
    row.recall_real = ratio(real_hits, real.size());
    row.recall_planted = ratio(planted_hits, planted_truth.size());
    e.rows.push_back(row);
  }
  return e;
}

std::string FormatDuplicateEvaluation(const DuplicateEvaluation& e) {
  std::string s = fmt::format(
      "{} messages + {} planted paraphrases ({} without letters left out); true pairs: {} real "
      "(bodies alike by LCS within the window; {} more are further apart), {} planted; {} hard "
      "negatives (same title, different body)\nindexing {:.3f} s, querying every message {:.3f} "
      "s\nthreshold  precision  recall  recall_real  recall_planted  true_pos  false_pos  "
      "hard_neg_hits\n",
      e.messages, e.planted, e.unusable, e.real_pairs, e.real_pairs_outside_window, e.planted_pairs,
      e.hard_negatives, e.index_seconds, e.query_seconds);
  for (const auto& r : e.rows)
    s += fmt::format("{:9.2f}  {:9.4f}  {:6.4f}  {:11.4f}  {:14.4f}  {:8}  {:9}  {:13}\n",
                     r.threshold, r.precision, r.recall, r.recall_real, r.recall_planted,
                     r.true_positives, r.false_positives, r.hard_negative_hits);
  return s;
}

}  // namespace xietong::text
