#include "text/classifier.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "text/evaluate.h"

namespace xietong::text {
namespace {

std::shared_ptr<const Normalizer> OpenNormalizer() {
  auto n = Normalizer::Open();
  EXPECT_TRUE(n) << n.error().message;
  return n ? *n : nullptr;
}

// A small made-up corpus: three classes with their own vocabulary.
struct Toy {
  Corpus corpus;
  std::vector<std::string> labels{"交通", "环境", "教育"};
  std::vector<int> y;
  std::vector<PreparedDocument> docs;
};

Toy MakeToy(const Normalizer& n, const FeatureExtractor& x) {
  const char* topics[3][4] = {{"公交车", "红绿灯", "道路拥堵", "停车位"},
                              {"噪音", "油烟", "污水排放", "垃圾焚烧"},
                              {"学校", "老师", "学生入学", "幼儿园学位"}};
  Toy t;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        t.corpus.documents.push_back({fmt::format("关于{}的问题", topics[c][i]),
                                      fmt::format("我们小区附近{}和{}的情况很严重，请尽快处理。",
                                                  topics[c][i], topics[c][j])});
        t.corpus.lines.push_back(0);
        t.y.push_back(c);
      }
  t.docs = *PrepareAll(n, x, t.corpus, 1);
  return t;
}

class TextClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    normalizer_ = OpenNormalizer();
    ASSERT_TRUE(normalizer_);
    toy_ = MakeToy(*normalizer_, FeatureExtractor(options_.features));
    TrainingData data{toy_.labels, toy_.docs, toy_.y, {}, {}, {}};
    classifier_.emplace(Classifier::Train(normalizer_, data, options_));
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("xietong-text-test-{}-{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<std::vector<Choice>> Predict(std::string title, std::string body) const {
    return classifier_->Predict(std::vector<std::string>{std::move(title), std::move(body)});
  }
  std::string Saved() {
    const std::string path = (dir_ / "model.bin").string();
    EXPECT_TRUE(classifier_->Save(path));
    return path;
  }
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  static void WriteFile(const std::string& path, std::string_view bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
  }
  Result<Classifier> Load(const std::string& path) { return Classifier::Load(path, normalizer_); }

  ClassifierOptions options_;
  std::shared_ptr<const Normalizer> normalizer_;
  Toy toy_;
  std::optional<Classifier> classifier_;
  std::filesystem::path dir_;
};

TEST_F(TextClassifierTest, TopThreeAreOrderedProbabilitiesSummingToAtMostOne) {
  auto top = Predict("学校问题", "孩子的老师经常缺课");
  ASSERT_TRUE(top) << top.error().message;
  ASSERT_EQ(top->size(), 3u);
  EXPECT_EQ((*top)[0].label, "教育");
  EXPECT_GE((*top)[0].confidence, (*top)[1].confidence);
  EXPECT_GE((*top)[1].confidence, (*top)[2].confidence);
  float sum = 0;
  for (const auto& c : *top) sum += c.confidence;
  EXPECT_LE(sum, 1.0f + 1e-5f);
  EXPECT_GT((*top)[2].confidence, 0.0f);
  auto traffic = Predict("", "路口的紅綠燈壞了，公交車過不去");  // traditional characters too
  ASSERT_TRUE(traffic) << traffic.error().message;
  EXPECT_EQ((*traffic)[0].label, "交通");
}

TEST_F(TextClassifierTest, BadInputIsAClearErrorNeverACrash) {
  for (auto [title, body] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"   ", "\t\n"}, {"！！！", "。。。，，，"}, {"😀😡", "👍👍"}}) {
    auto r = Predict(title, body);
    ASSERT_FALSE(r) << "classified '" << title << body << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("nothing"), std::string::npos) << r.error().message;
  }
  auto invalid = Predict("学校", "老师\xff\xfe");
  ASSERT_FALSE(invalid);
  EXPECT_NE(invalid.error().message.find("UTF-8"), std::string::npos);
  auto huge = Predict("学校", std::string(kMaxInputBytes + 10, 'x'));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, ErrorCode::kTooLarge);
}

TEST_F(TextClassifierTest, MixedScriptsAndVeryLongTextAreClassified) {
  auto mixed = Predict("School 学校 Школа", "the teacher 老师 😀 учитель");
  ASSERT_TRUE(mixed) << mixed.error().message;
  EXPECT_EQ((*mixed)[0].label, "教育");
  std::string long_body;
  for (int i = 0; i < 5000; ++i) long_body += "油烟噪音";  // 20,000 characters, capped at 10,000
  auto capped = Predict("", long_body);
  ASSERT_TRUE(capped) << capped.error().message;
  EXPECT_EQ((*capped)[0].label, "环境");
}

TEST_F(TextClassifierTest, SavedModelPredictsTheSame) {
  auto loaded = Load(Saved());
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->labels(), classifier_->labels());
  EXPECT_EQ(loaded->features(), classifier_->features());
  auto a = Predict("噪音", "晚上施工");
  auto b = loaded->Predict(std::vector<std::string>{"噪音", "晚上施工"});
  ASSERT_TRUE(a && b);
  for (std::size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].label, (*b)[i].label);
    EXPECT_FLOAT_EQ((*a)[i].confidence, (*b)[i].confidence);
  }
}

TEST_F(TextClassifierTest, FoldsKeepRepeatsTogetherAndSpreadEachClass) {
  std::vector<PreparedDocument> docs = toy_.docs;
  std::vector<int> y = toy_.y;
  for (std::size_t i = 0; i < 12; ++i) {  // verbatim repeats of the first twelve
    docs.push_back(toy_.docs[i]);
    y.push_back(toy_.y[i]);
  }
  const std::vector<int> fold = StratifiedFolds(docs, y, 4, 3);
  for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(fold[i], fold[toy_.docs.size() + i]);
  std::vector<std::vector<int>> per_fold(4, std::vector<int>(3, 0));
  for (std::size_t i = 0; i < toy_.docs.size(); ++i) ++per_fold[fold[i]][toy_.y[i]];
  for (const auto& counts : per_fold)
    for (int n : counts) EXPECT_EQ(n, 4);  // 16 distinct messages per class, 4 folds
}

TEST(TextEvaluate, TopThreeCountsTheTrueClassAmongTheFirstThreeChoices) {
  const std::vector<float> scores{0.1f, 0.9f, 0.5f, 0.5f, -1.0f};
  EXPECT_EQ(RankOf(scores, 1), 0);
  EXPECT_EQ(RankOf(scores, 2), 1);  // a tie goes to the lower index, as the first choice does
  EXPECT_EQ(RankOf(scores, 3), 2);
  EXPECT_EQ(RankOf(scores, 0), 3);
  EXPECT_EQ(RankOf(scores, 4), 4);
  const std::vector<std::string> labels{"a", "b", "c"};
  const std::vector<int> truth{0, 1, 2, 0}, predicted{0, 2, 1, 1}, ranks{0, 1, 2, 3};
  const Evaluation e = Evaluate(truth, predicted, labels, ranks);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.25);
  EXPECT_DOUBLE_EQ(e.top3_accuracy, 0.75);
  EXPECT_NE(FormatEvaluation(e).find("top3_accuracy=0.7500"), std::string::npos);
  const Evaluation first_only = Evaluate(truth, predicted, labels);
  EXPECT_LT(first_only.top3_accuracy, 0);
  EXPECT_EQ(FormatEvaluation(first_only).find("top3"), std::string::npos);
}

TEST_F(TextClassifierTest, CrossValidationReportsTopOneAndTopThree) {
  TrainingData data{toy_.labels, toy_.docs, toy_.y, {}, {}, {}};
  int folds = 0;
  const CrossValidation cv =
      CrossValidate(normalizer_, data, options_, 4, 1, 1, [&](const CrossValidation::Fold& f) {
        ++folds;
        EXPECT_GE(f.top3_accuracy, f.accuracy);
      });
  EXPECT_EQ(folds, 4);
  EXPECT_GT(cv.mean_top1, 0.5);
  EXPECT_DOUBLE_EQ(cv.mean_top3, 1.0);  // three classes: the true one is always among three
  EXPECT_DOUBLE_EQ(cv.pooled.top3_accuracy, 1.0);
  EXPECT_NEAR(cv.pooled.accuracy, cv.mean_top1, 0.05);
}

TEST_F(TextClassifierTest, TunedOffsetsAreSavedWithTheModel) {
  EXPECT_EQ(classifier_->offsets(), std::vector<float>(3, 0.0f));
  ClassifierOptions tuned = options_;
  tuned.offset_folds = 3;
  TrainingData data{toy_.labels, toy_.docs, toy_.y, {}, {}, {}};
  const Classifier c = Classifier::Train(normalizer_, data, tuned);
  ASSERT_EQ(c.offsets().size(), 3u);
  for (float o : c.offsets()) EXPECT_LE(std::abs(o), 2.5f);
  auto loaded = Classifier::LoadBytes(c.SaveBytes(), normalizer_);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto p = c.Predict(std::vector<std::string>{"学校", "老师"});
  auto q = loaded->Predict(std::vector<std::string>{"学校", "老师"});
  ASSERT_TRUE(p && q);
  EXPECT_EQ((*p)[0].label, "教育");
  EXPECT_FLOAT_EQ((*p)[0].confidence, (*q)[0].confidence);
}

TEST(TextReplyLabels, TheRepliesDepartmentNamesOneClassOrNone) {
  EXPECT_EQ(ReplyClass("网友您好！市教育局已将您的留言转交学校……"), "教育文体");
  EXPECT_EQ(ReplyClass("区住房和城乡建设局已要求业委会依法召开业主大会"), "城乡建设");
  EXPECT_EQ(ReplyClass("市人社局：关于您反映的社保问题"), "劳动和社会保障");
  EXPECT_EQ(ReplyClass("经市公安局调查"), "");                // 公安 is no class of the data
  EXPECT_EQ(ReplyClass("市教育局会同市卫健委答复如下"), "");  // two classes: no label
  EXPECT_EQ(ReplyClass(""), "");
}

TEST_F(TextClassifierTest, MissingModelFileIsNotFound) {
  auto r = Load((dir_ / "nowhere.bin").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("xietong train"), std::string::npos) << r.error().message;
}

TEST_F(TextClassifierTest, TruncatedCorruptForeignAndOtherVersionFilesAreRefused) {
  const std::string path = Saved();
  const std::string good = ReadFile(path);
  auto expect_error = [&](std::string_view bytes, std::string_view needle) {
    WriteFile(path, bytes);
    auto r = Load(path);
    ASSERT_FALSE(r) << "loaded " << needle;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{12}, std::size_t{30},
                          good.size() / 2, good.size() - 1})
    expect_error(good.substr(0, cut), cut < 8 ? "not a xietong text model" : "truncated");
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x40;
  expect_error(flipped, "checksum");
  expect_error("label,text\n交通,路灯\n", "not a xietong text model");
  std::string other_version = good;
  other_version[8] = 2;
  expect_error(other_version, "version 2");
}

TEST_F(TextClassifierTest, BytesRoundTripAndAreTheModelFile) {
  const std::string bytes = classifier_->SaveBytes();
  EXPECT_EQ(bytes, ReadFile(Saved()));  // one format: a file can become a row and back
  auto loaded = Classifier::LoadBytes(bytes, normalizer_);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->labels(), classifier_->labels());
  EXPECT_EQ(loaded->features(), classifier_->features());
  EXPECT_EQ(loaded->score_scale(), classifier_->score_scale());
  EXPECT_EQ(loaded->SaveBytes(), bytes);
  for (auto [title, body] : std::vector<std::pair<std::string, std::string>>{
           {"噪音", "晚上施工"}, {"学校问题", "孩子的老师经常缺课"}, {"", "红绿灯坏了"}}) {
    auto a = Predict(title, body);
    auto b = loaded->Predict(std::vector<std::string>{title, body});
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->size(), b->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].label, (*b)[i].label);
      EXPECT_FLOAT_EQ((*a)[i].confidence, (*b)[i].confidence);
    }
  }
}

TEST_F(TextClassifierTest, TruncatedOrGarbledBytesAreAClearError) {
  const std::string good = classifier_->SaveBytes();
  auto expect_error = [&](std::string_view bytes, std::string_view needle) {
    auto r = Classifier::LoadBytes(bytes, normalizer_);
    ASSERT_FALSE(r) << "loaded " << bytes.size() << " bytes, expected '" << needle << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error({}, "not a xietong text model");
  // Every cut, not only a few: none may read past the end (ASan watches).
  for (std::size_t cut = 1; cut < good.size(); ++cut)
    expect_error(std::string_view(good).substr(0, cut),
                 cut < 8 ? "not a xietong text model" : "truncated");
  expect_error(good + "x", "truncated");
  for (std::size_t at : {std::size_t{20}, good.size() / 3, good.size() / 2, good.size() - 5}) {
    std::string garbled = good;
    garbled[at] = static_cast<char>(garbled[at] ^ 0x5A);
    expect_error(garbled, "checksum");
  }
  std::string length = good;  // a length that promises more than there is
  length[12] = static_cast<char>(length[12] + 1);
  expect_error(length, "truncated");
  std::string version = good;
  version[8] = 7;
  expect_error(version, "version 7");
  expect_error("XTTEXTCL", "truncated");
  expect_error(std::string(4096, '\0'), "not a xietong text model");
}

// The real thing: trained on three quarters of the 904 labelled messages, the
// classifier must beat the majority class by far on the quarter it never saw.
TEST(TextRealMessages, ClassifierLearnsFromLabelledMessages) {
  const std::string path =
      std::string(XIETONG_SHARED_DATA_DIR) + "/taidi2020c/labeled_messages.csv";
  if (!std::filesystem::exists(path)) {
    // scripts/test.sh sets XIETONG_REQUIRE_DATA when ../shared/data is there.
    ASSERT_EQ(std::getenv("XIETONG_REQUIRE_DATA"), nullptr)
        << "the shared data is missing: " << path;
    GTEST_SKIP() << "no shared data at " << path << " (see ../shared/data/README.md)";
  }
  auto normalizer = OpenNormalizer();
  ASSERT_TRUE(normalizer);
  const std::vector<std::string> columns{"留言主题", "留言详情"};
  auto corpus = ReadCorpus(path, columns, "一级标签");
  ASSERT_TRUE(corpus) << corpus.error().message;
  ASSERT_GE(corpus->documents.size(), 900u);
  ClassifierOptions options;
  auto docs = PrepareAll(*normalizer, FeatureExtractor(options.features), *corpus, 2);
  ASSERT_TRUE(docs) << docs.error().message;
  std::vector<std::string> labels;
  std::vector<int> y;
  for (const auto& l : corpus->labels) {
    auto it = std::find(labels.begin(), labels.end(), l);
    if (it == labels.end()) it = labels.insert(labels.end(), l);
    y.push_back(static_cast<int>(it - labels.begin()));
  }
  ASSERT_EQ(labels.size(), 7u);
  const std::vector<int> fold = StratifiedFolds(*docs, y, 4, 7);
  std::vector<PreparedDocument> train, test;
  std::vector<int> train_y, test_y;
  for (std::size_t i = 0; i < docs->size(); ++i) {
    (fold[i] == 0 ? test : train).push_back((*docs)[i]);
    (fold[i] == 0 ? test_y : train_y).push_back(y[i]);
  }
  for (const auto& t : test)  // no verbatim repeat on both sides
    for (const auto& r : train) ASSERT_NE(t.text, r.text);
  TrainingData data{labels, train, train_y, {}, {}, {}};
  const Classifier c = Classifier::Train(normalizer, data, options);
  std::vector<int> predicted;
  for (const auto& d : test) {
    const auto p = c.Probabilities(d.keys);
    predicted.push_back(static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()));
  }
  std::vector<int> per_class(labels.size(), 0);
  for (int t : test_y) ++per_class[t];
  const double majority =
      static_cast<double>(*std::max_element(per_class.begin(), per_class.end())) /
      static_cast<double>(test_y.size());
  const Evaluation e = Evaluate(test_y, predicted, labels);
  EXPECT_GT(e.accuracy, majority + 0.5) << "majority share " << majority;
  EXPECT_GT(e.macro_f1, 0.75) << FormatEvaluation(e);
}

}  // namespace
}  // namespace xietong::text
