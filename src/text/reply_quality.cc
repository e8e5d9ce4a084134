#include "text/reply_quality.h"

#include <fmt/core.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "text/utf8.h"

namespace xietong::text {
namespace {

// How the sub-scores are put together (docs/reply-quality.md gives the reasons).
constexpr double kSimilarityScale = 0.1;  // relevance of the text: 1 − exp(−cosine / scale)
constexpr double kTextShare = 0.7;        // relevance = 0.7 text + 0.3 places named
constexpr double kAskShare = 0.45;        // completeness = 0.45 asks + 0.35 actions + 0.2 length
constexpr double kActionShare = 0.35;
constexpr double kLengthShare = 0.2;
constexpr int kActionKindsForFull = 3;  // kinds of concrete content for a full action score
constexpr int kFullLengthChars = 200;   // content characters for a full length score
constexpr double kAskTakenUp = 0.3;     // share of an ask's bigrams the reply must hold
constexpr std::size_t kMaxAsks = 6;
constexpr int kTemplateChars = 15;  // fewer content characters: a template reply
constexpr int kTransferChars = 80;  // "已转交" with fewer characters and nothing done
constexpr double kTemplateCap = 0.05;
constexpr double kTransferCap = 0.2;
constexpr std::size_t kMaxReasonPlaces = 3;

bool IsIdeograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
}
bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsContent(char32_t c) {
  if (c < 0x80) return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return IsIdeograph(c) || u_isalnum(static_cast<UChar32>(c));
}

std::u32string U(std::string_view utf8) {
  auto d = DecodeUtf8(utf8);
  return d ? *d : std::u32string();
}

std::vector<std::u32string> Phrases(std::initializer_list<std::string_view> list) {
  std::vector<std::u32string> out;
  for (auto p : list) out.push_back(U(p));
  // Longest first, so that a long phrase is removed before its parts.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  return out;
}

// Courtesy that says nothing about the matter, in the normaliser's form
// (simplified, punctuation folded to ASCII).
const std::vector<std::u32string>& Boilerplate() {
  static const auto* list = new std::vector<std::u32string>(Phrases({
      "网友",       "网民",       "市民",         "您好",         "你好",
      "尊敬的",     "领导",       "书记",         "市长",         "县长",
      "区长",       "留言已收悉", "来信收悉",     "函件收悉",     "已收悉",
      "收悉",       "您的留言",   "你的留言",     "您反映的问题", "你反映的问题",
      "关于您反映", "您所反映",   "现将有关情况", "现将具体情况", "现将调查处理情况",
      "回复如下",   "答复如下",   "现回复",       "现答复",       "感谢您对我们工作的",
      "感谢您对",   "感谢您的",   "感谢您",       "感谢",         "关心",
      "监督",       "支持",       "理解",         "信任",         "谢谢",
      "敬请关注",   "敬请留意",   "此复",         "特此回复",     "非常感谢",
      "请问",       "此致",       "敬礼",         "工作的",
  }));
  return *list;
}

// Where a message names a place or thing: the characters before one of these.
const std::vector<std::u32string>& PlaceSuffixes() {
  static const auto* list = new std::vector<std::u32string>(Phrases({
      "小区", "花园", "花苑", "家园", "公寓", "大厦", "广场", "社区",   "街道",
      "大道", "公路", "路",   "街",   "巷",   "村",   "镇",   "乡",     "学校",
      "小学", "中学", "大学", "学院", "医院", "公司", "市场", "幼儿园", "车站",
      "公园", "大桥", "苑",   "区",   "县",   "栋",   "号",   "单元",   "期",
  }));
  return *list;
}

// Words that end a place name looking back from its suffix.
bool IsStop(char32_t c) {
  static const std::u32string stops =
      U("的在了是我和与及对从到把被向为于这那有个们你他她它就都也还又而或并但且请将已要出来去"
        "些该本此每各多几上下中内外里进退住等给让使被由因所以如果没不很更最只才");
  return stops.find(c) != std::u32string::npos;
}

// Two characters before a suffix that make it a generic word, not a name.
bool IsGenericPrefix(std::u32string_view two) {
  static const auto list = Phrases(
      {"物业", "不少", "民营", "民办", "公办", "附近", "周边", "这个", "整个", "所在", "我们",
       "相关", "有关", "其他", "各个", "老旧", "新建", "一个", "全市", "全区", "全县", "本市",
       "本区", "城区", "市区", "郊区", "景区", "园区", "片区", "辖区", "小区", "农村"});
  for (const auto& p : list)
    if (p == two) return true;
  return false;
}

// A one-character suffix followed by one of these is part of a common word
// (路灯, 路口, 区域, 村委, 期间 …), not the end of a name.
bool EndsAWord(char32_t next) {
  static const std::u32string words = U("灯面口段边上况线过费由径头域别码间限待望委民内里");
  return words.find(next) != std::u32string::npos;
}

bool StartsWith(std::u32string_view s, std::size_t at, std::u32string_view p) {
  return s.size() - at >= p.size() && s.compare(at, p.size(), p) == 0;
}

// Replaces every boilerplate phrase and user id (uu0081234) with a space.
std::u32string RemoveBoilerplate(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  const auto& phrases = Boilerplate();
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == 'u' && i + 1 < s.size() && (s[i + 1] == 'u' || IsDigit(s[i + 1]))) {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] == 'u') ++j;
      std::size_t digits = j;
      while (digits < s.size() && IsDigit(s[digits])) ++digits;
      if (digits - j >= 3) {
        out += ' ';
        i = digits;
        continue;
      }
    }
    bool removed = false;
    for (const auto& p : phrases) {
      if (StartsWith(s, i, p)) {
        out += ' ';
        i += p.size();
        removed = true;
        break;
      }
    }
    if (!removed) out += s[i++];
  }
  return out;
}

int ContentChars(std::u32string_view s) {
  return static_cast<int>(std::count_if(s.begin(), s.end(), IsContent));
}

bool Contains(std::u32string_view s, std::u32string_view p) {
  return s.find(p) != std::u32string_view::npos;
}

bool ContainsAny(std::u32string_view s, const std::vector<std::u32string>& list) {
  return std::any_of(list.begin(), list.end(), [&](const auto& p) { return Contains(s, p); });
}

struct Place {
  std::u32string shown;   // up to four characters before the suffix, and the suffix
  std::u32string anchor;  // the last two of them and the suffix: what the reply must hold
};

// Places and things the message names: a suffix from PlaceSuffixes() with at
// least two name characters (or one digit) before it, not crossing a stop
// character or an earlier place; generic words (物业公司, 不少小区) are left out.
std::vector<Place> FindPlaces(std::u32string_view s) {
  std::vector<Place> out;
  std::size_t floor = 0;  // names never reach back before this
  for (std::size_t i = 1; i < s.size(); ++i) {
    const std::u32string* suffix = nullptr;
    for (const auto& p : PlaceSuffixes())
      if (StartsWith(s, i, p)) {
        suffix = &p;
        break;
      }
    if (suffix == nullptr) continue;
    const std::size_t after = i + suffix->size();
    if (suffix->size() == 1 && after < s.size() && EndsAWord(s[after])) continue;
    std::size_t start = i;
    while (start > floor && i - start < 4 && IsContent(s[start - 1]) && !IsStop(s[start - 1]))
      --start;
    // A verb before the name is not part of it (反映k1区, 希望a8县).
    static const auto verbs = Phrases({"反映", "希望", "关于", "咨询", "投诉", "举报", "位于",
                                       "请求", "要求", "建议", "居住", "来到", "前往"});
    bool only_verb = false;  // 希望街道协调: "hope the street", not a street named 希望
    for (const auto& v : verbs) {
      if (i - start == v.size() && StartsWith(s, start, v))
        only_verb = true;
      else if (i - start > v.size() && StartsWith(s, start, v))
        start += v.size();
    }
    if (only_verb) continue;
    const std::size_t name = i - start;
    const bool numbered = name >= 1 && IsDigit(s[i - 1]);
    if (name < 2 && !numbered) continue;
    const std::size_t anchor_start = i - std::min<std::size_t>(name, 2);
    const std::u32string_view two = s.substr(anchor_start, i - anchor_start);
    if (!numbered && IsGenericPrefix(two)) continue;
    Place p{std::u32string(s.substr(start, i + suffix->size() - start)),
            std::u32string(s.substr(anchor_start, i + suffix->size() - anchor_start))};
    floor = i + suffix->size();
    i = floor - 1;
    if (std::none_of(out.begin(), out.end(), [&](const Place& q) { return q.anchor == p.anchor; }))
      out.push_back(std::move(p));
  }
  return out;
}

// Sorted, distinct pairs of adjacent content characters (the reply's, to test asks against).
std::vector<std::uint64_t> Bigrams(std::u32string_view s, bool skip_stops) {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (!IsContent(s[i]) || !IsContent(s[i + 1])) continue;
    if (skip_stops && (IsStop(s[i]) || IsStop(s[i + 1]))) continue;
    out.push_back((static_cast<std::uint64_t>(s[i]) << 32) | s[i + 1]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Words every plea holds (请有关部门尽快解决): removed from an ask before it is
// looked for in the reply, so that only what is asked for counts.
std::u32string RemovePleaWords(std::u32string_view ask) {
  static const auto words =
      Phrases({"有关部门", "相关部门", "有关单位", "相关单位", "政府", "领导", "尽快",
               "希望",     "要求",     "请求",     "恳请",     "请",   "解决", "处理",
               "一下",     "能够",     "帮忙",     "帮助",     "给予", "予以"});
  std::u32string out;
  for (std::size_t i = 0; i < ask.size();) {
    const auto w = std::find_if(words.begin(), words.end(),
                                [&](const auto& p) { return StartsWith(ask, i, p); });
    if (w == words.end()) {
      out += ask[i++];
    } else {
      out += ' ';
      i += w->size();
    }
  }
  return out;
}

// The clauses of a message that ask for something: a sentence ending in "?" or
// holding a cue (请, 希望, 要求 …). At most kMaxAsks, the longest kept.
std::vector<std::u32string> FindAsks(std::u32string_view body) {
  static const auto cues =
      Phrases({"请", "希望", "要求", "建议", "能否", "能不能", "可否", "是否", "何时", "什么时候",
               "为什么", "为何", "怎么", "如何", "呼吁", "恳请", "盼", "尽快", "解决"});
  std::vector<std::u32string> asks;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    const bool end =
        i == body.size() || body[i] == '.' || body[i] == '!' || body[i] == '?' || body[i] == ';';
    if (!end) continue;
    std::u32string_view sentence = body.substr(start, i - start);
    const bool question = i < body.size() && body[i] == '?';
    bool cue = false;
    for (const auto& c : cues) {
      for (std::size_t at = sentence.find(c); at != std::u32string_view::npos;
           at = sentence.find(c, at + 1)) {
        if (c == U"请" && at > 0 && sentence[at - 1] == U'申') continue;  // 申请 is not a plea
        cue = true;
        break;
      }
      if (cue) break;
    }
    if ((question || cue) && ContentChars(sentence) >= 4) {
      // Keep the clause of the sentence that holds the ask, not the whole story before it.
      std::size_t clause = sentence.rfind(',');
      std::u32string_view last =
          clause == std::u32string_view::npos ? sentence : sentence.substr(clause + 1);
      if (ContentChars(last) < 6)
        last = sentence.substr(sentence.size() > 40 ? sentence.size() - 40 : 0);
      asks.emplace_back(last);
    }
    start = i + 1;
  }
  if (asks.size() > kMaxAsks) {
    std::stable_sort(asks.begin(), asks.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
    asks.resize(kMaxAsks);
  }
  return asks;
}

// Trimmed to at most `n` code points of content (for a reason), as UTF-8.
std::string Snippet(std::u32string_view s, std::size_t n) {
  std::size_t b = 0, e = s.size();
  while (b < e && !IsContent(s[b])) ++b;
  while (e > b && !IsContent(s[e - 1])) --e;
  s = s.substr(b, e - b);
  if (s.size() <= n) return EncodeUtf8(s);
  return EncodeUtf8(s.substr(0, n)) + "…";
}

// Kinds of concrete content a reply can hold; each counts once.
struct ActionKinds {
  bool investigated = false;  // 经调查, 现场核实 …
  bool acted = false;         // 已安排, 已整改 …
  bool planned = false;       // 将于, 计划, 下一步 …
  bool explained = false;     // 根据, 规定, 政策 …
  bool contact = false;       // a phone number to call
  bool dated = false;         // a date inside the text (not the signature at the end)
  int count() const { return investigated + acted + planned + explained + contact + dated; }
};

ActionKinds FindActions(std::u32string_view content) {
  static const auto investigated = Phrases(
      {"经调查", "经核实", "经了解", "经查", "现场", "核查", "调查核实", "实地", "走访", "约谈"});
  static const auto acted = Phrases(
      {"已安排", "已责令", "已要求", "已督促", "已组织", "已整改", "已修复", "已完成",   "已处理",
       "已解决", "已联系", "已派",   "已落实", "已清理", "已拆除", "已维修", "已恢复",   "已协调",
       "已开展", "已下达", "已立案", "已发放", "已启动", "已对",   "整改",   "依法查处", "处罚",
       "罚款",   "立案",   "清理",   "维修",   "拆除",   "协调",   "到位"});
  static const auto planned =
      Phrases({"将于", "将在", "将会", "将进一步", "将尽快", "计划", "预计", "拟于", "下一步",
               "正在", "目前正", "争取", "年底前", "月底前", "近期"});
  static const auto explained =
      Phrases({"根据", "依据", "按照", "规定", "政策", "条例", "办法", "标准", "<<", "《", "文件"});
  static const auto contact = Phrases({"电话", "联系人", "咨询", "热线"});
  ActionKinds k;
  k.investigated = ContainsAny(content, investigated);
  k.acted = ContainsAny(content, acted);
  k.planned = ContainsAny(content, planned);
  k.explained = ContainsAny(content, explained);
  k.contact = ContainsAny(content, contact);
  // A date inside the text: digits then 月 then digits then 日, before the last 15 characters.
  const std::size_t body_end = content.size() > 15 ? content.size() - 15 : 0;
  for (std::size_t i = 0; i < body_end && !k.dated; ++i) {
    if (content[i] != U'月' || i == 0 || !IsDigit(content[i - 1])) continue;
    std::size_t j = i + 1;
    while (j < content.size() && IsDigit(content[j])) ++j;
    k.dated = j > i + 1 && j < content.size() && (content[j] == U'日' || content[j] == U'号');
  }
  for (std::size_t i = 0, run = 0; i < content.size() && !k.contact; ++i) {
    run = IsDigit(content[i]) || content[i] == '-' ? run + 1 : 0;
    k.contact = run >= 7;
  }
  return k;
}

bool IsTransferOnly(std::u32string_view content) {
  static const auto transfer = Phrases({"已转", "转交", "转至", "转由", "转办", "已交办", "交由",
                                        "转相关", "转市", "转区", "转县", "移交", "转给"});
  return ContainsAny(content, transfer);
}

double Clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

}  // namespace

Result<std::shared_ptr<const ReplyScorer>> ReplyScorer::Create(
    std::shared_ptr<const Normalizer> normalizer, ReplyQualityOptions options) {
  if (!normalizer) return Fail(Error::InvalidArgument("reply quality needs a normaliser"));
  const double weights[] = {options.relevance_weight, options.completeness_weight,
                            options.timeliness_weight};
  if (std::any_of(std::begin(weights), std::end(weights),
                  [](double w) { return !(w >= 0) || !std::isfinite(w); }) ||
      weights[0] + weights[1] + weights[2] <= 0)
    return Fail(
        Error::InvalidArgument("reply quality weights must be finite, at least 0, and not all 0"));
  if (!(options.limit_days > 0) || !std::isfinite(options.limit_days))
    return Fail(Error::InvalidArgument(
        fmt::format("the reply limit must be more than 0 days, not {}", options.limit_days)));
  return std::shared_ptr<const ReplyScorer>(new ReplyScorer(std::move(normalizer), options));
}

std::vector<KeyCount> ReplyScorer::Vector(const std::u32string& content) const {
  const std::span<const std::u32string> field(&content, 1);
  std::vector<KeyCount> all = trigrams_.Extract(field);
  const std::vector<KeyCount> singles = unigrams_.Extract(field);
  // Single characters (的, 是, 区 …) are shared by any two Chinese texts; only
  // 2- and 3-grams say what a text is about.
  std::vector<KeyCount> out;
  out.reserve(all.size());
  auto s = singles.begin();
  double norm = 0;
  for (const auto& [key, count] : all) {
    while (s != singles.end() && s->first < key) ++s;
    if (s != singles.end() && s->first == key) continue;
    const float w = 1.0f + std::log(count);
    out.emplace_back(key, w);
    norm += static_cast<double>(w) * w;
  }
  if (norm > 0)
    for (auto& kv : out) kv.second = static_cast<float>(kv.second / std::sqrt(norm));
  return out;
}

double ReplyScorer::Cosine(const std::vector<KeyCount>& a, const std::vector<KeyCount>& b) {
  double dot = 0;
  for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end();) {
    if (i->first < j->first) {
      ++i;
    } else if (j->first < i->first) {
      ++j;
    } else {
      dot += static_cast<double>(i->second) * j->second;
      ++i;
      ++j;
    }
  }
  return Clamp01(dot);
}

Result<std::vector<KeyCount>> ReplyScorer::ContentVector(std::string_view text) const {
  XT_ASSIGN_OR_RETURN(auto n, normalizer_->NormalizeCodePoints(text));
  return Vector(RemoveBoilerplate(n.text));
}

Result<ReplyQuality> ReplyScorer::Score(const ReplyToScore& in) const {
  auto normalize = [&](std::string_view raw,
                       std::string_view what) -> Result<NormalizedCodePoints> {
    auto n = normalizer_->NormalizeCodePoints(raw);
    if (!n) return Fail(Error{n.error().code, fmt::format("{}: {}", what, n.error().message)});
    if (ContentChars(n->text) == 0)
      return Fail(Error::InvalidArgument(
          fmt::format("{} holds no letter, digit or Chinese character", what)));
    return n;
  };
  auto title = normalizer_->NormalizeCodePoints(in.title);
  if (!title)
    return Fail(Error{title.error().code, fmt::format("title: {}", title.error().message)});
  auto body = normalizer_->NormalizeCodePoints(in.message);
  if (!body)
    return Fail(Error{body.error().code, fmt::format("message: {}", body.error().message)});
  if (ContentChars(title->text) + ContentChars(body->text) == 0)
    return Fail(Error::InvalidArgument("message holds no letter, digit or Chinese character"));
  XT_ASSIGN_OR_RETURN(auto reply, normalize(in.reply, "reply"));
  if (in.replied_at < in.asked_at)
    return Fail(Error::InvalidArgument("the reply cannot be given before the message"));

  ReplyQuality q;
  q.truncated = title->truncated || body->truncated || reply.truncated;
  std::vector<std::string> problems, strengths;
  if (q.truncated) problems.push_back(fmt::format("文本过长，只评估了前{}字", kMaxTextCodePoints));

  const std::u32string message = title->text + U" . " + body->text;
  const std::u32string message_content = RemoveBoilerplate(message);
  const std::u32string reply_content = RemoveBoilerplate(reply.text);
  q.reply_chars = ContentChars(reply_content);

  // Relevance: the shared 2–3-grams, and the places the message names.
  q.similarity = Cosine(Vector(message_content), Vector(reply_content));
  const double text_relevance = 1 - std::exp(-q.similarity / kSimilarityScale);
  const std::vector<Place> places = FindPlaces(message);
  std::vector<std::string> missing;
  for (const auto& p : places) {
    if (Contains(reply.text, p.anchor)) {
      ++q.places_named;
    } else if (missing.size() < kMaxReasonPlaces) {
      missing.push_back(EncodeUtf8(p.shown));
    }
  }
  q.places = static_cast<int>(places.size());
  q.relevance = q.places > 0 ? kTextShare * text_relevance +
                                   (1 - kTextShare) * q.places_named / static_cast<double>(q.places)
                             : text_relevance;
  if (text_relevance < 0.3)
    problems.push_back(fmt::format("答复与留言内容关联度低（相似度{:.2f}）", q.similarity));
  for (const auto& m : missing) problems.push_back(fmt::format("答复未提及留言中的'{}'", m));
  if (q.places > 0 && q.places_named == q.places)
    strengths.push_back(fmt::format("答复提及了留言中的全部{}处地点", q.places));

  // Completeness: the asks taken up, concrete content, length; templates capped.
  std::vector<std::u32string> asks = FindAsks(body->text);
  if (asks.empty() && ContentChars(title->text) >= 4) asks.push_back(title->text);
  const std::vector<std::uint64_t> reply_bigrams = Bigrams(reply.text, false);
  std::vector<std::string> unanswered;
  for (const auto& ask : asks) {
    const std::vector<std::uint64_t> wanted =
        Bigrams(RemovePleaWords(RemoveBoilerplate(ask)), true);
    if (wanted.empty()) continue;
    ++q.asks;
    std::size_t held = 0;
    for (std::uint64_t b : wanted)
      held += std::binary_search(reply_bigrams.begin(), reply_bigrams.end(), b);
    if (static_cast<double>(held) >= kAskTakenUp * static_cast<double>(wanted.size())) {
      ++q.asks_answered;
    } else if (unanswered.size() < 2) {
      unanswered.push_back(Snippet(ask, 20));
    }
  }
  const ActionKinds actions = FindActions(reply_content);
  const double action_score = std::min(1.0, actions.count() / double{kActionKindsForFull});
  const double length_score = std::min(1.0, q.reply_chars / double{kFullLengthChars});
  if (q.asks > 0) {
    q.completeness = kAskShare * q.asks_answered / static_cast<double>(q.asks) +
                     kActionShare * action_score + kLengthShare * length_score;
  } else {
    const double rest = kActionShare + kLengthShare;
    q.completeness = (kActionShare * action_score + kLengthShare * length_score) / rest;
  }
  for (const auto& u : unanswered) problems.push_back(fmt::format("答复未回应留言中的诉求'{}'", u));
  if (q.asks > 0 && q.asks_answered == q.asks)
    strengths.push_back(fmt::format("答复回应了留言中的{}项诉求", q.asks));
  const bool transfer = IsTransferOnly(reply_content);
  if (q.reply_chars < kTemplateChars && !transfer) {
    q.template_only = true;
    q.completeness = std::min(q.completeness, kTemplateCap);
    q.relevance = std::min(q.relevance, kTemplateCap);
    problems.push_back("答复只有客套话，没有实质内容");
  } else if (transfer && q.reply_chars < kTransferChars && !actions.investigated &&
             !actions.acted && !actions.explained) {
    q.template_only = true;
    q.completeness = std::min(q.completeness, kTransferCap);
    problems.push_back("答复只说明已转交办理，没有调查处理结果");
  } else if (actions.count() == 0) {
    problems.push_back("答复没有调查情况、处理措施、依据或办理时间");
  } else {
    std::vector<std::string_view> kinds;
    if (actions.investigated) kinds.push_back("调查核实");
    if (actions.acted) kinds.push_back("处理措施");
    if (actions.planned) kinds.push_back("后续安排");
    if (actions.explained) kinds.push_back("政策依据");
    if (actions.contact) kinds.push_back("联系电话");
    if (actions.dated) kinds.push_back("具体日期");
    std::string list;
    for (auto k : kinds) list += (list.empty() ? "" : "、") + std::string(k);
    strengths.push_back(fmt::format("答复包含{}", list));
  }
  if (!q.template_only && q.reply_chars < kFullLengthChars / 4)
    problems.push_back(fmt::format("答复过短（{}字）", q.reply_chars));

  // Timeliness: working (or calendar) days against the limit.
  const bool working = options_.calendar != nullptr;
  auto days = [&](Timestamp from, Timestamp to) {
    if (to <= from) return 0.0;
    if (working)
      return static_cast<double>(options_.calendar->WorkingTimeBetween(from, to)) /
             static_cast<double>(options_.calendar->working_time_per_day());
    return static_cast<double>(to - from) / static_cast<double>(kMicrosPerDay);
  };
  const std::string_view unit = working ? "个工作日" : "天（自然日）";
  q.elapsed_days = days(in.asked_at, in.replied_at);
  q.limit_days = in.due_at > 0 ? days(in.asked_at, in.due_at) : options_.limit_days;
  q.late = in.due_at > 0 ? in.replied_at > in.due_at : q.elapsed_days > q.limit_days;
  if (!q.late) {
    q.timeliness = q.limit_days > 0 ? 1 - 0.3 * std::min(1.0, q.elapsed_days / q.limit_days) : 1;
    if (q.elapsed_days <= q.limit_days / 3)
      strengths.push_back(fmt::format("答复及时（用时{:.1f}{}）", q.elapsed_days, unit));
  } else {
    const double over = q.elapsed_days - q.limit_days;
    q.timeliness = 0.7 * std::exp(-over / std::max(q.limit_days, 1.0));
    problems.push_back(fmt::format("答复用时{:.1f}{}，超过{:g}{}的时限", q.elapsed_days, unit,
                                   std::round(q.limit_days * 10) / 10, unit));
  }

  q.relevance = Clamp01(q.relevance);
  q.completeness = Clamp01(q.completeness);
  q.timeliness = Clamp01(q.timeliness);
  const double total =
      options_.relevance_weight + options_.completeness_weight + options_.timeliness_weight;
  q.overall = Clamp01((options_.relevance_weight * q.relevance +
                       options_.completeness_weight * q.completeness +
                       options_.timeliness_weight * q.timeliness) /
                      total);
  q.reasons = std::move(problems);
  q.reasons.insert(q.reasons.end(), strengths.begin(), strengths.end());
  return q;
}

double PairAuc(const std::vector<double>& positives, const std::vector<double>& negatives) {
  if (positives.empty() || negatives.empty()) return 0;
  std::vector<std::pair<double, bool>> all;
  all.reserve(positives.size() + negatives.size());
  for (double p : positives) all.emplace_back(p, true);
  for (double n : negatives) all.emplace_back(n, false);
  std::sort(all.begin(), all.end());
  // Mann–Whitney U with tied values given their average rank.
  double rank_sum = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second) rank_sum += rank;
    i = j;
  }
  const double p = static_cast<double>(positives.size());
  const double n = static_cast<double>(negatives.size());
  return (rank_sum - p * (p + 1) / 2) / (p * n);
}

}  // namespace xietong::text
