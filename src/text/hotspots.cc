#include "text/hotspots.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>
#include <unordered_map>

#include <fmt/core.h>

#include "text/corpus.h"
#include "text/features.h"
#include "text/utf8.h"

namespace xietong::text {
namespace {

// How much of an untitled message heads its hotspot.
constexpr std::size_t kUntitledHeadingChars = 24;

// Candidate pairs share at least kMinSharedKeys of their heaviest features
// (kCandidateKeys among the features in at least 2, 3 and 5 messages each);
// only they are compared exactly. A feature's postings are
// scanned at most kMaxScan messages ahead, so a very common feature cannot
// make the search quadratic.
constexpr std::size_t kCandidateKeys = 16;
constexpr int kMinSharedKeys = 2;
constexpr std::uint32_t kCandidateStrata[] = {2, 3, 5};
constexpr std::size_t kMaxScan = 2000;

bool IsIdeograph(char32_t c) {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) ||
         (c >= 0x20000 && c <= 0x2ebef) || (c >= 0xf900 && c <= 0xfaff);
}
bool IsAsciiDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool IsAsciiLower(char32_t c) { return c >= U'a' && c <= U'z'; }

// Endings of place names, longer ones first where one ends another.
constexpr std::u32string_view kNameSuffixes[] = {
    U"小区", U"花园", U"新城", U"家园", U"公馆", U"公寓", U"广场", U"社区",
    U"街道", U"大道", U"小学", U"中学", U"大学", U"学校", U"学院", U"幼儿园",
    U"医院", U"村",   U"镇",   U"乡",   U"路",   U"街",   U"苑",   U"城"};
// Words that end like a name but name no place (the last core character and
// the suffix): 道路, 铁路, 农村, 县城 …
constexpr std::u32string_view kNotNames[] = {
    U"道路", U"马路", U"公路", U"铁路", U"出路", U"思路", U"线路", U"走路", U"上路", U"跑路",
    U"水路", U"电路", U"网路", U"一路", U"沿路", U"过路", U"小路", U"大路", U"农村", U"乡村",
    U"山村", U"城镇", U"乡镇", U"县城", U"省城", U"进城", U"全城", U"满城", U"街街", U"商城"};
// Single characters a name never spans: function words and the ends of
// larger areas (a district or city name ends a place name's left edge).
constexpr std::u32string_view kStopChars =
    U"的在于对和与及是了从到把被给向为将请问我你他她它们有个该本此这那各每市区县省";
// Two-character words that end a name's left edge.
constexpr std::u32string_view kStopWords[] = {
    U"反映", U"关于", U"建议", U"投诉", U"咨询", U"举报", U"位于", U"地处", U"业主",
    U"希望", U"要求", U"附近", U"周边", U"整个", U"所在", U"沿线", U"门口", U"旁边",
    U"目前", U"其中", U"包括", U"现在", U"已经", U"正在", U"还有", U"以及", U"就是",
    U"通过", U"导致", U"造成", U"规划", U"建设", U"居住", U"住在", U"小区", U"社区"};
constexpr std::size_t kMaxNameCore = 6;  // ideographs, letters or digits before the suffix

bool IsNameChar(char32_t c) { return IsIdeograph(c) || IsAsciiDigit(c) || IsAsciiLower(c); }

std::string Upper(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) AppendUtf8(out, IsAsciiLower(c) ? c - U'a' + U'A' : c);
  return out;
}

// "a3区" / "a7县" at i; its length or 0.
std::size_t CodedDistrictAt(std::u32string_view t, std::size_t i) {
  if (!IsAsciiLower(t[i]) || (i > 0 && IsAsciiLower(t[i - 1]))) return 0;
  std::size_t j = i + 1;
  while (j < t.size() && IsAsciiDigit(t[j])) ++j;
  if (j == i + 1 || j >= t.size() || (t[j] != U'区' && t[j] != U'县')) return 0;
  return j + 1 - i;
}

// "…市XX区": 2–4 ideographs after 市 ending in 区 or 县; its length or 0.
std::size_t NamedDistrictAt(std::u32string_view t, std::size_t i) {
  if (t[i] != U'市') return 0;
  for (std::size_t len = 2; len <= 4 && i + 1 + len < t.size(); ++len) {
    if (!IsIdeograph(t[i + len])) return 0;
    const char32_t end = t[i + 1 + len];
    if (end == U'区' || end == U'县') return len + 1;
  }
  return 0;
}

}  // namespace

PlaceMention ExtractPlaces(std::u32string_view t) {
  PlaceMention out;
  std::size_t floor = 0;  // a name never reaches left of the end of the last one found
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (std::size_t n = CodedDistrictAt(t, i)) {
      if (out.district.empty()) out.district = Upper(t.substr(i, n));
      floor = i + n;
      i += n - 1;
      continue;
    }
    if (std::size_t n = NamedDistrictAt(t, i)) {
      if (out.district.empty()) out.district = EncodeUtf8(t.substr(i + 1, n));
      floor = i + 1 + n;
      i += n;
      continue;
    }
    for (std::u32string_view suffix : kNameSuffixes) {
      if (t.substr(i, suffix.size()) != suffix) continue;
      std::size_t start = i;
      while (start > floor && i - start < kMaxNameCore && IsNameChar(t[start - 1]) &&
             kStopChars.find(t[start - 1]) == std::u32string_view::npos) {
        if (start >= 2 && std::find(std::begin(kStopWords), std::end(kStopWords),
                                    t.substr(start - 2, 2)) != std::end(kStopWords))
          break;
        --start;
      }
      const std::size_t end = i + suffix.size();
      const bool not_name =
          i > start && std::find(std::begin(kNotNames), std::end(kNotNames),
                                 t.substr(i - 1, 1 + suffix.size())) != std::end(kNotNames);
      if (i - start >= 2 && !not_name) {
        std::string name = EncodeUtf8(t.substr(start, end - start));
        if (std::find(out.names.begin(), out.names.end(), name) == out.names.end())
          out.names.push_back(std::move(name));
        floor = end;
      }
      i = end - 1;
      break;
    }
  }
  return out;
}

double HotspotScore(std::size_t count, std::size_t recent, std::size_t previous,
                    std::int64_t support, const HotspotOptions& o) {
  return o.volume_weight * std::log1p(static_cast<double>(count)) +
         o.growth_weight *
             std::log((1.0 + static_cast<double>(recent)) / (1.0 + static_cast<double>(previous))) +
         o.support_weight * std::log1p(static_cast<double>(std::max<std::int64_t>(support, 0)));
}

namespace {

struct Prepared {
  std::size_t input = 0;  // index into the messages
  std::vector<KeyCount> keys;
  SparseVector vector;
  std::string title;  // normalised
  std::uint32_t district = 0;
  std::vector<std::uint32_t> names;  // sorted interned ids
};

// Interns strings to ids from 1 (0: none).
class Interner {
 public:
  std::uint32_t Id(const std::string& s) {
    auto [it, added] = ids_.try_emplace(s, static_cast<std::uint32_t>(names_.size() + 1));
    if (added) names_.push_back(s);
    return it->second;
  }
  const std::string& Name(std::uint32_t id) const { return names_[id - 1]; }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> names_;
};

struct Group {
  std::uint32_t district = 0;
  std::vector<std::uint32_t> names;  // sorted
};

bool Compatible(const Group& a, const Group& b) {
  if (a.district && b.district && a.district != b.district) return false;
  if (a.names.empty() || b.names.empty()) return true;
  std::size_t i = 0, j = 0;
  while (i < a.names.size() && j < b.names.size()) {
    if (a.names[i] == b.names[j]) return true;
    a.names[i] < b.names[j] ? ++i : ++j;
  }
  return false;
}

std::size_t Root(std::vector<std::size_t>& parent, std::size_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

// The most frequent id among `ids` (ties: the smaller name), or 0.
std::uint32_t MostFrequent(const std::vector<std::uint32_t>& ids, const Interner& names) {
  std::map<std::uint32_t, std::size_t> count;
  for (std::uint32_t id : ids)
    if (id) ++count[id];
  std::uint32_t best = 0;
  std::size_t best_count = 0;
  for (auto [id, c] : count)
    if (best == 0 || c > best_count || (c == best_count && names.Name(id) < names.Name(best)))
      best = id, best_count = c;
  return best;
}

}  // namespace

Result<HotspotResult> FindHotspots(const Normalizer& normalizer,
                                   std::span<const HotspotMessage> messages,
                                   const HotspotOptions& options,
                                   const std::function<void(std::size_t, std::size_t)>& progress) {
  if (!(options.similarity > 0 && options.similarity <= 1))
    return Fail(Error::InvalidArgument(
        fmt::format("the similarity must be in (0, 1], not {}", options.similarity)));
  if (options.window_us < 0 || options.recent_us <= 0)
    return Fail(Error::InvalidArgument(
        "the window must not be negative and the recent period must be positive"));

  HotspotResult result;
  result.messages = messages.size();
  // Time order (then id) makes every later step independent of input order.
  std::vector<std::size_t> order(messages.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(messages[a].time_us, messages[a].id, a) <
           std::tie(messages[b].time_us, messages[b].id, b);
  });

  const FeatureExtractor extractor(FeatureOptions{.title_weight = options.title_weight});
  Interner places;
  std::vector<Prepared> docs;
  docs.reserve(messages.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const HotspotMessage& m = messages[order[k]];
    if (progress && k % 256 == 0) progress(k, messages.size());
    const std::string fields[] = {m.title, m.body};
    auto p = Prepare(normalizer, extractor, fields);
    if (!p) {
      result.skipped.push_back({m.id, p.error().message});
      continue;
    }
    if (p->keys.empty()) {
      result.skipped.push_back(
          {m.id, "nothing to compare: no letters, digits or Chinese characters"});
      continue;
    }
    Prepared d;
    d.input = order[k];
    d.keys = std::move(p->keys);
    const std::size_t cut = p->text.find('\n');
    d.title = p->text.substr(0, cut);
    // Places: the title's names (a body names too many places in passing);
    // the given place, else the district the title or, failing that, the body names.
    auto title_cps = DecodeUtf8(d.title);
    PlaceMention mention = ExtractPlaces(title_cps ? *title_cps : std::u32string());
    if (mention.district.empty() && m.place.empty()) {
      auto body_cps = DecodeUtf8(cut == std::string::npos ? "" : p->text.substr(cut + 1));
      mention.district = ExtractPlaces(body_cps ? *body_cps : std::u32string()).district;
    }
    const std::string& district = m.place.empty() ? mention.district : m.place;
    if (!district.empty()) d.district = places.Id(district);
    for (const auto& n : mention.names) d.names.push_back(places.Id(n));
    std::sort(d.names.begin(), d.names.end());
    docs.push_back(std::move(d));
  }
  if (progress) progress(messages.size(), messages.size());

  // TF-IDF over the input. Features of one message alone stay in (min_df 1):
  // without them the norms of small inputs are made of shared features only
  // and unrelated messages look alike.
  std::vector<const std::vector<KeyCount>*> all;
  for (const auto& d : docs) all.push_back(&d.keys);
  const Vocabulary vocabulary = BuildVocabulary(all, {}, 1);
  for (auto& d : docs) {
    d.vector = vocabulary.Vectorize(d.keys);
    d.keys = {};
  }

  // Candidates: postings of each message's heaviest features that another
  // message shares, in time order.
  const std::size_t n = docs.size();
  std::vector<std::uint32_t> df(vocabulary.size(), 0);
  for (const auto& d : docs)
    for (std::uint32_t f : d.vector.index) ++df[f];
  std::vector<std::vector<std::uint32_t>> postings(vocabulary.size());
  std::vector<std::vector<std::uint32_t>> top(n);
  for (std::size_t i = 0; i < n; ++i) {
    const SparseVector& v = docs[i].vector;
    // The heaviest features of each stratum of document frequency: the rarest
    // shared features alone would find a message's verbatim repeat but not
    // the other messages on its topic.
    for (std::uint32_t min_df : kCandidateStrata) {
      std::vector<std::size_t> idx;
      for (std::size_t t = 0; t < v.size(); ++t)
        if (df[v.index[t]] >= min_df) idx.push_back(t);
      const std::size_t k = std::min(kCandidateKeys, idx.size());
      std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                        [&](std::size_t a, std::size_t b) {
                          return v.value[a] != v.value[b] ? v.value[a] > v.value[b] : a < b;
                        });
      for (std::size_t t = 0; t < k; ++t) top[i].push_back(v.index[idx[t]]);
    }
    std::sort(top[i].begin(), top[i].end());
    top[i].erase(std::unique(top[i].begin(), top[i].end()), top[i].end());
    for (std::uint32_t f : top[i]) postings[f].push_back(static_cast<std::uint32_t>(i));
  }
  auto time_of = [&](std::size_t i) { return messages[docs[i].input].time_us; };

  struct Link {
    float cosine;
    std::uint32_t a, b;
  };
  std::vector<Link> links;
  std::vector<std::uint8_t> shared(n, 0);
  std::vector<std::uint32_t> touched;
  std::vector<float> dense(vocabulary.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    touched.clear();
    for (std::uint32_t key : top[i]) {
      const auto& list = postings[key];
      auto it = std::upper_bound(list.begin(), list.end(), static_cast<std::uint32_t>(i));
      for (std::size_t scanned = 0; it != list.end() && scanned < kMaxScan; ++it, ++scanned) {
        if (options.window_us > 0 && time_of(*it) - time_of(i) > options.window_us) break;
        if (shared[*it]++ == 0) touched.push_back(*it);
      }
    }
    const SparseVector& v = docs[i].vector;
    for (std::size_t t = 0; t < v.size(); ++t) dense[v.index[t]] = v.value[t];
    for (std::uint32_t j : touched) {
      if (shared[j] >= kMinSharedKeys) {
        const SparseVector& w = docs[j].vector;
        float dot = 0;
        for (std::size_t t = 0; t < w.size(); ++t) dot += dense[w.index[t]] * w.value[t];
        if (dot >= options.similarity)
          links.push_back({dot, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
      }
      shared[j] = 0;
    }
    for (std::size_t t = 0; t < v.size(); ++t) dense[v.index[t]] = 0;
  }

  // Strongest link first; a link between groups of conflicting places is skipped.
  std::sort(links.begin(), links.end(), [](const Link& x, const Link& y) {
    return std::tie(y.cosine, x.a, x.b) < std::tie(x.cosine, y.a, y.b);
  });
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<Group> groups(n);
  for (std::size_t i = 0; i < n; ++i) groups[i] = {docs[i].district, docs[i].names};
  for (const Link& l : links) {
    std::size_t a = Root(parent, l.a), b = Root(parent, l.b);
    if (a == b || !Compatible(groups[a], groups[b])) continue;
    if (a > b) std::swap(a, b);
    parent[b] = a;
    Group& g = groups[a];
    if (!g.district) g.district = groups[b].district;
    std::vector<std::uint32_t> merged;
    std::set_union(g.names.begin(), g.names.end(), groups[b].names.begin(), groups[b].names.end(),
                   std::back_inserter(merged));
    g.names = std::move(merged);
    groups[b] = {};
  }

  std::vector<std::vector<std::uint32_t>> members(n);
  for (std::size_t i = 0; i < n; ++i)
    members[Root(parent, i)].push_back(static_cast<std::uint32_t>(i));
  std::int64_t now = options.now_us;
  if (now == 0)
    for (const auto& d : docs) now = std::max(now, messages[d.input].time_us);
  const std::size_t min_size = std::max<std::size_t>(options.min_size, 1);
  for (const auto& group : members) {
    if (group.size() < min_size || group.empty()) continue;
    ++result.groups;
    result.clustered += group.size();
    Hotspot h;
    h.count = group.size();
    // The representative: the member nearest the group's centroid.
    std::unordered_map<std::uint32_t, float> centroid;
    for (std::uint32_t i : group)
      for (std::size_t t = 0; t < docs[i].vector.size(); ++t)
        centroid[docs[i].vector.index[t]] += docs[i].vector.value[t];
    std::uint32_t best = group.front();
    double best_dot = -1;
    std::vector<std::uint32_t> districts, names;
    for (std::uint32_t i : group) {  // in time order, so ties go to the earliest
      const Prepared& d = docs[i];
      const HotspotMessage& m = messages[d.input];
      double dot = 0;
      for (std::size_t t = 0; t < d.vector.size(); ++t)
        dot += static_cast<double>(centroid[d.vector.index[t]]) * d.vector.value[t];
      if (dot > best_dot + 1e-9) best = i, best_dot = dot;
      h.support += std::max<std::int64_t>(m.support, 0);
      if (m.time_us > now - options.recent_us && m.time_us <= now) ++h.recent;
      if (m.time_us > now - 2 * options.recent_us && m.time_us <= now - options.recent_us)
        ++h.previous;
      districts.push_back(d.district);
      names.insert(names.end(), d.names.begin(), d.names.end());
      h.member_ids.push_back(m.id);
    }
    const HotspotMessage& rep = messages[docs[best].input];
    h.title = rep.title.empty() ? docs[best].title : rep.title;
    // A call recorded without a title: its first words name the problem.
    if (h.title.empty()) h.title = FirstSentence(rep.body, kUntitledHeadingChars);
    h.representative_id = rep.id;
    h.first_us = messages[docs[group.front()].input].time_us;
    h.last_us = messages[docs[group.back()].input].time_us;
    const std::uint32_t district = MostFrequent(districts, places);
    const std::uint32_t name = MostFrequent(names, places);
    if (district) h.place = places.Name(district);
    if (name) h.place += (h.place.empty() ? "" : " ") + places.Name(name);
    h.score = HotspotScore(h.count, h.recent, h.previous, h.support, options);
    result.hotspots.push_back(std::move(h));
  }
  std::sort(result.hotspots.begin(), result.hotspots.end(), [](const Hotspot& a, const Hotspot& b) {
    return std::tie(b.score, b.count, a.first_us, a.representative_id) <
           std::tie(a.score, a.count, b.first_us, b.representative_id);
  });
  if (options.limit > 0 && result.hotspots.size() > options.limit)
    result.hotspots.resize(options.limit);
  return result;
}

SupportComparison CompareWithSupport(std::span<const HotspotMessage> messages,
                                     const HotspotResult& result, std::size_t n) {
  SupportComparison out;
  out.n = n;
  std::vector<std::size_t> liked;
  for (std::size_t i = 0; i < messages.size(); ++i)
    if (messages[i].support > 0) liked.push_back(i);
  std::sort(liked.begin(), liked.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = messages[a];
    const auto& y = messages[b];
    return std::tie(y.support, x.time_us, x.id, a) < std::tie(x.support, y.time_us, y.id, b);
  });
  if (liked.size() > n) liked.resize(n);
  std::unordered_map<std::string_view, std::size_t> rank_of;
  for (std::size_t h = 0; h < result.hotspots.size(); ++h)
    for (const auto& id : result.hotspots[h].member_ids) rank_of.try_emplace(id, h + 1);
  std::vector<bool> has_top(result.hotspots.size(), false);
  for (std::size_t i : liked) {
    out.top_message_ids.push_back(messages[i].id);
    auto it = rank_of.find(messages[i].id);
    const std::size_t rank = it == rank_of.end() ? 0 : it->second;
    out.hotspot_rank.push_back(rank);
    if (rank > 0) {
      ++out.in_any_hotspot;
      if (rank <= n) ++out.in_top_hotspots;
      has_top[rank - 1] = true;
    }
  }
  for (std::size_t h = 0; h < std::min(n, has_top.size()); ++h)
    out.top_hotspots_with_top_message += has_top[h] ? 1 : 0;
  std::vector<std::size_t> by_support(result.hotspots.size());
  std::iota(by_support.begin(), by_support.end(), 0);
  std::stable_sort(by_support.begin(), by_support.end(), [&](std::size_t a, std::size_t b) {
    return result.hotspots[a].support > result.hotspots[b].support;
  });
  for (std::size_t k = 0; k < std::min(n, by_support.size()); ++k)
    out.overlap_by_support += by_support[k] < n ? 1 : 0;
  return out;
}

}  // namespace xietong::text
