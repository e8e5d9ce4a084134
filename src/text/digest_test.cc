#include "text/digest.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "text/corpus.h"
#include "text/utf8.h"

namespace xietong::text {
namespace {

std::size_t Chars(const std::string& s) {
  auto cps = DecodeUtf8(s);
  return cps ? cps->size() : 0;
}

bool HasLongDigitRun(const std::string& s) {
  int run = 0;
  for (char c : s) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 7) return true;
  }
  return false;
}

class TextDigestTest : public ::testing::Test {
 protected:
  // Opening OpenCC takes half a second under the sanitizers: once per suite.
  static void SetUpTestSuite() {
    auto n = Normalizer::Open();
    if (n) shared_ = *n;
  }
  static void TearDownTestSuite() { shared_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(shared_) << "OpenCC could not be opened";
    normalizer_ = shared_;
  }
  static inline std::shared_ptr<const Normalizer> shared_;
  std::shared_ptr<const Normalizer> normalizer_;
};

TEST(TextMaskDigits, HidesPhonesAndIdsKeepsDatesAndAddresses) {
  EXPECT_EQ(MaskDigits("电话13812345678，请回电"), "电话****，请回电");
  EXPECT_EQ(MaskDigits("手机138 1234 5678。"), "手机****。");
  EXPECT_EQ(MaskDigits("座机0731-88888888"), "座机****");
  EXPECT_EQ(MaskDigits("座机0731-8888-8888"), "座机****");
  EXPECT_EQ(MaskDigits("身份证43010219900101123X号"), "身份证****号");
  EXPECT_EQ(MaskDigits("账号１３８１２３４５６７８"), "账号****");  // full-width
  EXPECT_EQ(MaskDigits("2026-11-30 08:30在3栋2单元501"), "2026-11-30 08:30在3栋2单元501");
  EXPECT_EQ(MaskDigits("编号123456"), "编号123456");  // six digits stay
  EXPECT_EQ(MaskDigits("共有100 200人"), "共有100 200人");
  EXPECT_EQ(MaskDigits(""), "");
}

TEST_F(TextDigestTest, OptionsOutOfRangeAreRefused) {
  const std::vector<DigestMessage> one = {{"1", "噪音扰民", "工地夜间施工噪音扰民。", "g", 0}};
  for (DigestOptions o :
       {DigestOptions{.per_group = 0}, DigestOptions{.mmr_lambda = 1.5},
        DigestOptions{.max_excerpt_chars = 5}, DigestOptions{.max_per_group_input = 0}}) {
    auto r = Digest(*normalizer_, one, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

// Five on one topic, a verbatim repeat of the most typical one and an
// outlier: the first pick is typical, the second is not the repeat (MMR),
// and the outlier is never chosen.
TEST_F(TextDigestTest, PicksTheTypicalMessageThenADifferentOne) {
  std::vector<DigestMessage> m = {
      {"a", "丽发新城小区搅拌站噪音扰民",
       "丽发新城小区附近的搅拌站每天晚上施工到凌晨，噪音很大。居民无法休息。", "噪音", 1},
      {"b", "搅拌站噪音扰民严重",
       "搅拌站离小区不到一百米，噪音和粉尘严重影响居民生活。请相关部门查处。", "噪音", 0},
      {"c", "搅拌站夜间施工噪音扰民", "搅拌站夜间施工，噪音扰民，老人孩子都睡不好觉。", "噪音", 0},
      {"d", "小区附近搅拌站噪音大", "附近搅拌站噪音大粉尘多，我的电话13812345678。", "噪音", 0},
      {"e", "咨询公积金贷款额度", "请问首套房公积金贷款的最高额度是多少？", "噪音", 0},
  };
  m.push_back(m[2]);
  m.back().id = "c2";
  auto r = Digest(*normalizer_, m, {.per_group = 3});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  std::set<std::string> ids;
  for (const auto& item : *r) {
    ids.insert(item.id);
    EXPECT_EQ(item.group, "噪音");
    EXPECT_EQ(item.group_size, 6u);
    EXPECT_EQ(item.group_support, 1);
    EXPECT_FALSE(HasLongDigitRun(item.excerpt)) << item.excerpt;
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_FALSE(ids.count("e"));                              // the outlier
  EXPECT_FALSE(ids.count("c") && ids.count("c2"));           // not the repeat
  EXPECT_GE((*r)[0].centrality, (*r)[1].centrality - 1e-9);  // the first is the most central

  // λ = 1: nearest the centroid only, so the repeat comes right after its twin.
  auto plain = Digest(*normalizer_, m, {.per_group = 2, .mmr_lambda = 1.0});
  ASSERT_TRUE(plain);
  std::set<std::string> plain_ids{(*plain)[0].id, (*plain)[1].id};
  EXPECT_EQ(plain_ids, (std::set<std::string>{"c", "c2"}));
}

TEST_F(TextDigestTest, ExcerptIsTheBestSentenceCutAndMasked) {
  const std::string body =
      "我是住在东风路的居民。东风路菜市场门口每天早上都有十几个摊贩占道经营，"
      "车辆和行人都过不去，联系电话0731-88886666，存在很大的安全隐患，希望城管部门尽快"
      "来整治一下，还市民一个通畅的道路环境，谢谢！天气很冷。";
  const std::vector<DigestMessage> m = {
      {"1", "东风路菜市场门口占道经营", body, "城管", 0},
      {"2", "菜市场摊贩占道经营", "菜市场门口摊贩占道经营，行人过不去。", "城管", 0},
      {"3", "占道经营无人管", "早上菜市场门口占道经营的摊贩很多。", "城管", 0},
  };
  auto r = Digest(*normalizer_, m, {.per_group = 3, .max_excerpt_chars = 40});
  ASSERT_TRUE(r) << r.error().message;
  for (const auto& item : *r) {
    EXPECT_LE(Chars(item.excerpt), 42u) << item.excerpt;
    if (item.id != "1") continue;
    EXPECT_EQ(item.excerpt.rfind("东风路菜市场门口", 0), 0u) << item.excerpt;
    EXPECT_NE(item.excerpt.find("……"), std::string::npos);
    EXPECT_EQ(item.excerpt.find("居民。"), std::string::npos);  // not the weak first sentence
  }
}

// The real thing: the 904 labelled citizen messages, grouped by their
// first-level label, digested as a monthly report would.
TEST_F(TextDigestTest, RealMessagesGiveDistinctMaskedQuotesPerCategory) {
  const std::string path =
      std::string(XIETONG_SHARED_DATA_DIR) + "/taidi2020c/labeled_messages.csv";
  if (!std::filesystem::exists(path)) {
    ASSERT_EQ(std::getenv("XIETONG_REQUIRE_DATA"), nullptr)
        << "the shared data is missing: " << path;
    GTEST_SKIP() << "no shared data at " << path;
  }
  const std::vector<std::string> columns{"留言编号", "留言主题", "留言详情"};
  auto corpus = ReadCorpus(path, columns, "一级标签");
  ASSERT_TRUE(corpus) << corpus.error().message;
  std::vector<DigestMessage> messages;
  std::map<std::string, std::string> bodies;
  for (std::size_t i = 0; i < corpus->documents.size(); ++i) {
    const auto& d = corpus->documents[i];
    messages.push_back({d[0] + "#" + std::to_string(i), d[1], d[2], corpus->labels[i], 0});
    bodies[messages.back().id] = d[2];
  }
  // The first 60 of each category (a report reads the newest 2,000; 60 keeps
  // the test short under the sanitizers).
  auto r = Digest(*normalizer_, messages, {.max_per_group_input = 60});
  ASSERT_TRUE(r) << r.error().message;
  std::map<std::string, std::vector<DigestItem>> by_group;
  for (const auto& item : *r) by_group[item.group].push_back(item);
  EXPECT_EQ(by_group.size(), 7u);
  std::map<std::string, std::size_t> per_label;
  for (const auto& l : corpus->labels) ++per_label[l];
  std::size_t total = 0, expected = 0;
  for (const auto& [label, n] : per_label) expected += std::min<std::size_t>(n, 60);
  for (const auto& [group, items] : by_group) {
    ASSERT_EQ(items.size(), 2u) << group;
    total += items[0].group_size;
    EXPECT_NE(items[0].id, items[1].id);
    EXPECT_NE(items[0].title, items[1].title) << group << ": MMR picked a repeat";
    EXPECT_GE(items[0].centrality, items[1].centrality - 1e-9);
    EXPECT_GT(items[0].centrality, 0.2) << group;
    for (const auto& item : items) {
      if (std::getenv("XIETONG_DIGEST_PRINT"))
        std::printf("%s | %s | %.3f | %s\n", group.c_str(), item.title.c_str(), item.centrality,
                    item.excerpt.c_str());
      EXPECT_LE(Chars(item.excerpt), 82u) << item.excerpt;
      EXPECT_GE(Chars(item.excerpt), 5u) << item.id;
      EXPECT_FALSE(HasLongDigitRun(item.excerpt)) << item.excerpt;
      EXPECT_NE(item.excerpt.rfind("尊敬的", 0), 0u) << item.excerpt;  // no salutation
      // The excerpt's opening is the message's own words (masked).
      auto cps = DecodeUtf8(item.excerpt);
      ASSERT_TRUE(cps);
      const std::string head = EncodeUtf8(cps->substr(0, std::min<std::size_t>(cps->size(), 8)));
      EXPECT_NE(MaskDigits(bodies[item.id]).find(head), std::string::npos)
          << item.id << ": " << item.excerpt;
    }
  }
  EXPECT_EQ(total, expected);  // every message read could be compared
}

}  // namespace
}  // namespace xietong::text
