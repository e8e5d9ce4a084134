#include "text/duplicates.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/csv.h"
#include "text/duplicate_eval.h"

namespace xietong::text {
namespace {

constexpr std::string_view kComplaint =
    "A市A3区联丰路米兰春天小区门口的路灯坏了三个月，晚上一片漆黑，老人小孩出行很不安全。"
    "多次向物业反映没有结果，请有关部门尽快派人维修！";
constexpr std::string_view kOther =
    "A7县星沙镇金鼎村的自来水管道老化，经常停水，村民生活用水困难，希望政府安排资金改造管网。";

class TextDuplicateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Open();
    ASSERT_TRUE(n) << n.error().message;
    normalizer_ = *n;
  }
  static DuplicateDocument Doc(std::string id, std::string_view text, std::int64_t day = 0,
                               std::string place = "") {
    return {std::move(id), std::string(text), std::move(place), day * kMicrosPerDay};
  }
  std::vector<DuplicateMatch> Ask(const DuplicateIndex& index, const DuplicateDocument& doc) {
    auto r = index.Query(doc, 10);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::vector<DuplicateMatch>{};
  }
  double Sim(std::string_view a, std::string_view b) {
    auto x = ShingleText(*normalizer_, a, 3), y = ShingleText(*normalizer_, b, 3);
    EXPECT_TRUE(x && y);
    return x && y ? Similarity(*x, *y) : -1;
  }
  std::shared_ptr<const Normalizer> normalizer_;
};

TEST_F(TextDuplicateTest, IdenticalAndNearIdenticalTextsAreFoundBestFirst) {
  DuplicateIndex index(normalizer_);
  ASSERT_TRUE(index.Add(Doc("same", kComplaint)));
  ASSERT_TRUE(index.Add(Doc("near", std::string(kComplaint) + "谢谢领导！")));
  ASSERT_TRUE(index.Add(Doc("other", kOther)));
  const auto found = Ask(index, Doc("new", kComplaint, 1));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "same");
  EXPECT_DOUBLE_EQ(found[0].score, 1.0);
  EXPECT_EQ(found[1].id, "near");
  EXPECT_GT(found[1].score, 0.8);
  EXPECT_LT(found[1].score, 1.0);
}

TEST_F(TextDuplicateTest, DifferentTextsAreNotFoundEvenOnTheSameTopic) {
  DuplicateIndex index(normalizer_);
  ASSERT_TRUE(index.Add(Doc("water", kOther)));
  ASSERT_TRUE(index.Add(Doc(
      "lamp-elsewhere", "A市A5区东塘街道的路灯坏了好几盏，晚上走路看不见，请城管局来修一下。")));
  EXPECT_TRUE(Ask(index, Doc("new", kComplaint)).empty());
  EXPECT_LT(Sim(kComplaint, kOther), 0.1);
}

TEST_F(TextDuplicateTest, TheQueryNeverFindsItself) {
  DuplicateIndex index(normalizer_);
  ASSERT_TRUE(index.Add(Doc("a", kComplaint)));
  EXPECT_TRUE(Ask(index, Doc("a", kComplaint)).empty());
  EXPECT_EQ(index.Add(Doc("a", kOther)).error().code, ErrorCode::kConflict);
}

TEST_F(TextDuplicateTest, TimeWindowIsRespected) {
  DuplicateIndex index(normalizer_, {.window_us = 30 * kMicrosPerDay});
  ASSERT_TRUE(index.Add(Doc("old", kComplaint, 0)));
  ASSERT_TRUE(index.Add(Doc("recent", kComplaint, 50)));
  const auto found = Ask(index, Doc("new", kComplaint, 70));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "recent");
  EXPECT_EQ(Ask(index, Doc("earlier", kComplaint, -31)).size(), 0u);
}

TEST_F(TextDuplicateTest, PlaceKeyIsRespectedWhenBothHaveOne) {
  DuplicateIndex index(normalizer_);
  ASSERT_TRUE(index.Add(Doc("grid-7", kComplaint, 0, "grid-7")));
  ASSERT_TRUE(index.Add(Doc("grid-9", kComplaint, 0, "grid-9")));
  ASSERT_TRUE(index.Add(Doc("nowhere", kComplaint, 0, "")));
  std::vector<std::string> ids;
  for (const auto& m : Ask(index, Doc("new", kComplaint, 0, "grid-7"))) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"grid-7", "nowhere"}));
  EXPECT_EQ(Ask(index, Doc("new", kComplaint, 0, "")).size(), 3u);
}

TEST_F(TextDuplicateTest, PunctuationWidthAndTraditionalVariantsAreFound) {
  DuplicateIndex index(normalizer_);
  ASSERT_TRUE(index.Add(Doc("original", kComplaint)));
  const std::string variants[] = {
      // punctuation changed and dropped, spaces added
      "A市A3区联丰路米兰春天小区门口的路灯坏了三个月 晚上一片漆黑!老人小孩出行很不安全"
      "多次向物业反映没有结果.请有关部门尽快派人维修",
      // full-width letters and digits
      "Ａ市Ａ３区联丰路米兰春天小区门口的路灯坏了三个月，晚上一片漆黑，老人小孩出行很不安全。"
      "多次向物业反映没有结果，请有关部门尽快派人维修！",
      // traditional characters
      "A市A3區聯豐路米蘭春天小區門口的路燈壞了三個月，晚上一片漆黑，老人小孩出行很不安全。"
      "多次向物業反映沒有結果，請有關部門儘快派人維修！",
  };
  for (const auto& v : variants) {
    const auto found = Ask(index, Doc("variant", v));
    ASSERT_EQ(found.size(), 1u) << v;
    EXPECT_GT(found[0].score, 0.95) << v;
  }
}

TEST_F(TextDuplicateTest, EmptyOrPunctuationOnlyTextIsAClearError) {
  DuplicateIndex index(normalizer_);
  for (std::string_view bad : {"", "   ", "？！。，……", "😀😀🎉"}) {
    auto r = index.Query(Doc("x", bad), 5);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("no letters"), std::string::npos) << r.error().message;
    EXPECT_FALSE(index.Add(Doc("x", bad)));
  }
  EXPECT_EQ(index.Query(Doc("x", "\xff\xfe"), 5).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(index.size(), 0u);
}

TEST_F(TextDuplicateTest, RemovedMessagesAreNoLongerFound) {
  DuplicateIndex index(normalizer_);
  ASSERT_TRUE(index.Add(Doc("a", kComplaint)));
  EXPECT_TRUE(index.Remove("a"));
  EXPECT_FALSE(index.Remove("a"));
  EXPECT_TRUE(Ask(index, Doc("new", kComplaint)).empty());
  EXPECT_TRUE(index.Add(Doc("a", kComplaint)));  // the id may come back
}

TEST_F(TextDuplicateTest, ConcurrentQueriesWithInsertsSeeConsistentAnswers) {
  DuplicateIndex index(normalizer_);
  ASSERT_TRUE(index.Add(Doc("original", kComplaint)));
  std::vector<std::thread> readers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto r = index.Query(Doc("q", kComplaint), 1);
        if (!r || r->empty() || (*r)[0].score != 1.0) ++wrong;
      }
    });
  for (int i = 0; i < 300; ++i)  // enough to grow the LSH table under the readers
    ASSERT_TRUE(
        index.Add(Doc("other" + std::to_string(i), std::string(kOther) + std::to_string(i))));
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(index.size(), 301u);
}

TEST_F(TextDuplicateTest, LongestCommonSubsequenceOfTheGroundTruth) {
  EXPECT_EQ(LongestCommonSubsequence(U"路灯坏了", U"路灯坏了"), 4u);
  EXPECT_EQ(LongestCommonSubsequence(U"路灯坏了", U"小区路灯都坏了吗"), 4u);
  EXPECT_EQ(LongestCommonSubsequence(U"abcbdab", U"bdcaba"), 4u);
  EXPECT_EQ(LongestCommonSubsequence(U"", U"abc"), 0u);
  EXPECT_EQ(LongestCommonSubsequence(U"了坏灯路", U"路灯坏了"), 1u);  // order matters
}

// The detector measured on the real messages, with planted paraphrases.
TEST_F(TextDuplicateTest, RealMessagesWithPlantedParaphrasesReachTheGoal) {
  const std::string path =
      std::string(XIETONG_SHARED_DATA_DIR) + "/taidi2020c/messages_with_likes.csv";
  if (!std::filesystem::exists(path)) {
    // scripts/test.sh sets XIETONG_REQUIRE_DATA when ../shared/data is there.
    ASSERT_EQ(std::getenv("XIETONG_REQUIRE_DATA"), nullptr)
        << "the shared data is missing: " << path;
    GTEST_SKIP() << "no shared data at " << path << " (see ../shared/data/README.md)";
  }
  auto table = csv::Table::Open(path);
  ASSERT_TRUE(table) << table.error().message;
  const auto title = table->Column("留言主题"), body = table->Column("留言详情"),
             time = table->Column("留言时间");
  ASSERT_TRUE(title && body && time);
  std::vector<Message> messages;
  while (true) {
    auto row = table->Next();
    ASSERT_TRUE(row) << row.error().message;
    if (!*row) break;
    const auto& r = **row;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    ASSERT_GE(std::sscanf(r[*time].c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s), 3);
    const auto days = std::chrono::sys_days(std::chrono::year_month_day{
        std::chrono::year{y}, std::chrono::month(mo), std::chrono::day(d)});
    messages.push_back({{r[*title], r[*body]},
                        days.time_since_epoch().count() * kMicrosPerDay +
                            ((h * 60 + mi) * 60 + s) * std::int64_t{1'000'000},
                        ""});
  }
  ASSERT_EQ(messages.size(), 4326u);
  const DuplicateOptions options;
  auto e = EvaluateDuplicates(normalizer_, messages, options,
                              {.plant = 1000, .seed = 7, .thresholds = {options.threshold}});
  ASSERT_TRUE(e) << e.error().message;
  std::printf("%s", FormatDuplicateEvaluation(*e).c_str());
  EXPECT_EQ(e->planted, 1000u);
  EXPECT_GT(e->real_pairs, 100u);  // the file does hold real repeats
  const ThresholdRow& row = e->rows.at(0);
  EXPECT_GE(row.precision, 0.95);
  EXPECT_GE(row.recall_planted, 0.9);
  EXPECT_GE(row.recall_real, 0.9);
}

}  // namespace
}  // namespace xietong::text
