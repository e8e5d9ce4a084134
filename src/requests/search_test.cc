// The search index's tokens: bigrams of word characters, nothing across
// punctuation or fields, ASCII case folded.
#include "requests/search.h"

#include <gtest/gtest.h>

namespace xietong::requests::search {
namespace {

TEST(SearchTokens, AreTheBigramsOfEachFieldWithBreaksBetween) {
  // 中文 = U+4E2D U+6587; "ab" folds to lower case.
  EXPECT_EQ(IndexTokens("中文", "AB", ""), "g4e2dx6587 gz gz g61x62 gz");
  EXPECT_EQ(IndexTokens("", "", ""), "gz");
  // Punctuation and spaces break the phrase: no token spans them.
  EXPECT_EQ(IndexTokens("a，b", "", ""), "gz gz gz gz");
}

TEST(SearchQuery, IsThePhraseOfItsBigramsWhenTheIndexCanAnswerIt) {
  EXPECT_EQ(QueryPhrase("中文"), "g4e2dx6587");
  EXPECT_EQ(QueryPhrase("中文A"), "g4e2dx6587 g6587x61");
  EXPECT_EQ(QueryPhrase("中"), std::nullopt);         // one character: a scan
  EXPECT_EQ(QueryPhrase("路灯 不亮"), std::nullopt);  // a space inside: a scan
  EXPECT_EQ(QueryPhrase("，堵塞"), std::nullopt);
  // A query's tokens appear in the text's, in order, exactly when it is a substring.
  const std::string text = IndexTokens("", "湖畔社区南门", "");
  EXPECT_NE(text.find(*QueryPhrase("社区南门")), std::string::npos);
  EXPECT_EQ(text.find(*QueryPhrase("社南")), std::string::npos);
}

}  // namespace
}  // namespace xietong::requests::search
