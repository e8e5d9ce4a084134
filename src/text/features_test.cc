#include "text/features.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "text/utf8.h"

namespace xietong::text {
namespace {

std::vector<KeyCount> Keys(std::string_view text, FeatureOptions o = {}) {
  std::vector<std::u32string> fields{*DecodeUtf8(text)};
  return FeatureExtractor(o).Extract(fields);
}

std::vector<std::string> Words(std::string_view text) { return SegmentWords(*DecodeUtf8(text)); }

bool Contains(const std::vector<std::string>& v, std::string_view w) {
  return std::find(v.begin(), v.end(), w) != v.end();
}

TEST(TextFeatures, CharacterNgramsOfOneToThreeUnits) {
  EXPECT_EQ(Keys("城市管理").size(), 4u + 3u + 2u);
  EXPECT_EQ(Keys("城市管理", {.char_ngram_max = 2}).size(), 4u + 3u);
  EXPECT_EQ(Keys("城市管理", {.char_ngram_max = 1}).size(), 4u);
}

TEST(TextFeatures, NgramsDoNotCrossPunctuationOrSpaces) {
  EXPECT_EQ(Keys("城市,管理").size(), 2u * 3u);
  EXPECT_EQ(Keys("城市 管理").size(), 2u * 3u);
}

TEST(TextFeatures, RepeatsAreCountedAndTheTitleWeighsMore) {
  auto k = Keys("路灯路灯");
  auto lamp = std::find_if(k.begin(), k.end(), [](const KeyCount& kc) { return kc.second == 2; });
  EXPECT_NE(lamp, k.end());
  std::vector<std::u32string> fields{*DecodeUtf8("路"), *DecodeUtf8("灯")};
  auto titled = FeatureExtractor({.title_weight = 3}).Extract(fields);
  ASSERT_EQ(titled.size(), 2u);  // no bigram across the two fields
  std::vector<float> weights{titled[0].second, titled[1].second};
  std::sort(weights.begin(), weights.end());
  EXPECT_EQ(weights, (std::vector<float>{1, 3}));
}

TEST(TextFeatures, LatinWordsAndNumbersAreUnits) {
  EXPECT_EQ(Keys("wifi").size(), 1u);
  EXPECT_EQ(Keys("电话123"), Keys("电话98765"));  // every number is the same unit
  EXPECT_NE(Keys("a1区"), Keys("b2区"));
}

TEST(TextFeatures, FoldedCodesMakeEveryPseudonymOneUnit) {
  const FeatureOptions fold{.fold_codes = true};
  EXPECT_EQ(Keys("a1区", fold), Keys("a27区", fold));
  EXPECT_EQ(Keys("u0007047", fold), Keys("u12", fold));
  EXPECT_NE(Keys("a1区", fold), Keys("b2区", fold));  // the letters still tell them apart
  EXPECT_NE(Keys("a1b", fold), Keys("a1", fold));
  EXPECT_EQ(Keys("路灯", fold), Keys("路灯"));  // text without codes is unchanged
}

TEST(TextFeatures, GappedBigramsAddOneKeyPerUnitAfterTheSecond) {
  EXPECT_EQ(Keys("城市管理", {.gapped = 0.5f}).size(), Keys("城市管理").size() + 2u);
  EXPECT_EQ(Keys("城市,管理", {.gapped = 0.5f}).size(), Keys("城市,管理").size());
  // 城_管 in both: the gapped key is shared though the middle differs.
  auto a = Keys("城市管", {.char_ngram_max = 1, .gapped = 0.5f});
  auto b = Keys("城区管", {.char_ngram_max = 1, .gapped = 0.5f});
  int shared = 0;
  for (const auto& kc : a)
    shared +=
        std::any_of(b.begin(), b.end(), [&](const KeyCount& o) { return o.first == kc.first; });
  EXPECT_EQ(shared, 3);  // 城, 管 and 城_管
}

TEST(TextFeatures, PunctuationEmojiAndEmptyTextGiveNoFeatures) {
  EXPECT_TRUE(Keys("").empty());
  EXPECT_TRUE(Keys("!!!...???,,,").empty());
  EXPECT_TRUE(Keys("😀😡👍").empty());
  EXPECT_EQ(Keys("😀路😀").size(), 1u);
}

TEST(TextSegmentation, DictionaryWordsOfChineseText) {
  auto w = Words("我们在北京工作");
  EXPECT_TRUE(Contains(w, "北京")) << ::testing::PrintToString(w);
  EXPECT_TRUE(Contains(w, "工作")) << ::testing::PrintToString(w);
  auto mixed = Words("小区wifi信号差, 2019年");
  EXPECT_TRUE(Contains(mixed, "wifi")) << ::testing::PrintToString(mixed);
  EXPECT_TRUE(Contains(mixed, "小区")) << ::testing::PrintToString(mixed);
  EXPECT_FALSE(Contains(mixed, ",")) << ::testing::PrintToString(mixed);
  EXPECT_TRUE(Words("!!! 😀").empty());
}

TEST(TextSegmentation, WordsAddFeatures) {
  EXPECT_GT(Keys("我们在北京工作", {.words = true}).size(), Keys("我们在北京工作").size());
}

TEST(TextVocabulary, TfIdfVectorsAreUnitLengthAndDropUnknownKeys) {
  std::vector<std::vector<KeyCount>> docs{Keys("路灯不亮"), Keys("路灯坏了"), Keys("噪音扰民")};
  std::vector<const std::vector<KeyCount>*> train{&docs[0], &docs[1], &docs[2]};
  Vocabulary v = BuildVocabulary(train, {}, 2);
  EXPECT_EQ(v.size(), 3u);  // 路, 灯, 路灯: the only keys in two documents
  SparseVector x = v.Vectorize(Keys("路灯亮了"));
  ASSERT_EQ(x.size(), 3u);
  double norm = 0;
  for (float f : x.value) norm += f * f;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ(v.Vectorize(Keys("噪音")).size(), 0u);
  EXPECT_LT(v.Find(1), 0);
}

TEST(TextVocabulary, RareKeysWeighMoreThanCommonOnes) {
  std::vector<std::vector<KeyCount>> docs{Keys("路灯"), Keys("路灯"), Keys("路口"), Keys("路口")};
  std::vector<const std::vector<KeyCount>*> train{&docs[0], &docs[1], &docs[2], &docs[3]};
  Vocabulary v = BuildVocabulary(train, {}, 2);
  const auto road = Keys("路")[0].first, lamp = Keys("灯")[0].first;
  EXPECT_LT(v.idf()[v.Find(road)], v.idf()[v.Find(lamp)]);
}

}  // namespace
}  // namespace xietong::text
