#include "text/reply_quality.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>

#include "core/csv.h"

namespace xietong::text {
namespace {

constexpr std::string_view kTitle = "联丰路米兰春天小区门口路灯坏了";
constexpr std::string_view kMessage =
    "A市A3区联丰路米兰春天小区门口的路灯坏了三个月，晚上一片漆黑，老人小孩出行很不安全。"
    "多次向物业反映没有结果，请有关部门尽快派人维修路灯！";
constexpr std::string_view kDetailedReply =
    "网友：您好！您的留言已收悉。现将有关情况回复如下：经现场核实，A3区联丰路米兰春天小区门口"
    "的三盏路灯因线路老化损坏。我局已安排路灯维修班组于2026年3月5日更换线路，路灯已恢复照明。"
    "今后如发现路灯故障，可拨打城管热线电话0731-12345678报修。感谢您对我们工作的支持！";
constexpr std::string_view kOffTopicReply =
    "网友：您好！关于您反映的学校招生问题，根据教育局有关政策规定，适龄儿童按户籍所在学区"
    "就近入学，具体招生计划将于每年6月在教育局网站公布，请留意。感谢您的关注！";
constexpr std::string_view kTemplateReply = "网友：您好！留言已收悉。感谢您对我们工作的支持！";
constexpr std::string_view kTransferReply =
    "您的留言已收悉。关于您反映的问题，已转A3区人民政府调查处理。";

// 2026-03-02 (a Monday) 10:00 in Shanghai, plus days.
Timestamp Monday(double days = 0) {
  const auto d = std::chrono::sys_days(std::chrono::year{2026} / 3 / 2).time_since_epoch().count();
  return static_cast<Timestamp>(d) * kMicrosPerDay + 2 * kMicrosPerHour +
         static_cast<Timestamp>(days * static_cast<double>(kMicrosPerDay));
}

class ReplyQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Open();
    ASSERT_TRUE(n) << n.error().message;
    normalizer_ = *n;
    auto s = ReplyScorer::Create(normalizer_);
    ASSERT_TRUE(s) << s.error().message;
    scorer_ = *s;
  }
  ReplyQuality Score(std::string_view reply, double days = 2, const ReplyScorer* scorer = nullptr) {
    auto q =
        (scorer ? *scorer : *scorer_).Score({kTitle, kMessage, reply, Monday(), Monday(days), 0});
    EXPECT_TRUE(q) << q.error().message;
    return q ? *q : ReplyQuality{};
  }
  static bool HasReason(const ReplyQuality& q, std::string_view part) {
    return std::any_of(q.reasons.begin(), q.reasons.end(),
                       [&](const std::string& r) { return r.find(part) != std::string::npos; });
  }
  std::shared_ptr<const Normalizer> normalizer_;
  std::shared_ptr<const ReplyScorer> scorer_;
};

TEST_F(ReplyQualityTest, DetailedOnTopicReplyScoresAboveOffTopicAndTemplateReplies) {
  const ReplyQuality good = Score(kDetailedReply);
  const ReplyQuality off = Score(kOffTopicReply);
  const ReplyQuality tmpl = Score(kTemplateReply);
  EXPECT_GT(good.relevance, 0.7);
  EXPECT_GT(good.completeness, 0.7);
  EXPECT_GT(good.relevance, off.relevance + 0.4);
  EXPECT_GT(good.overall, off.overall + 0.2);
  EXPECT_GT(good.overall, tmpl.overall + 0.4);
  EXPECT_TRUE(tmpl.template_only);
  EXPECT_LE(tmpl.completeness, 0.05);
  EXPECT_TRUE(HasReason(tmpl, "只有客套话"));
  EXPECT_TRUE(HasReason(good, "调查核实"));
  EXPECT_TRUE(HasReason(good, "联系电话"));
  EXPECT_EQ(good.places, good.places_named);
  for (const auto* q : {&good, &off, &tmpl}) {
    for (double v : {q->relevance, q->completeness, q->timeliness, q->overall}) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
    }
  }
}

TEST_F(ReplyQualityTest, ReasonsNameThePlaceTheReplyLeavesOut) {
  const ReplyQuality q =
      Score("经现场核实，该路段路灯因线路老化损坏，我局已安排维修班组更换线路，路灯已恢复照明。");
  EXPECT_GT(q.places, q.places_named);
  EXPECT_TRUE(HasReason(q, "答复未提及留言中的'米兰春天小区'"))
      << ::testing::PrintToString(q.reasons);
  EXPECT_LT(q.relevance, Score(kDetailedReply).relevance);
}

TEST_F(ReplyQualityTest, AVerbBeforeASuffixIsNotAPlace) {
  auto q =
      scorer_->Score({"广场舞太吵", "湖畔社区中心广场晚上广场舞音响很大，希望街道协调。",
                      "经街道协调，湖畔社区中心广场的广场舞已调低音量。", Monday(), Monday(2), 0});
  ASSERT_TRUE(q) << q.error().message;
  for (const auto& r : q->reasons) EXPECT_EQ(r.find("希望街道"), std::string::npos) << r;
}

TEST_F(ReplyQualityTest, ReplyThatOnlySaysItWasPassedOnIsCapped) {
  const ReplyQuality q = Score(kTransferReply);
  EXPECT_TRUE(q.template_only);
  EXPECT_LE(q.completeness, 0.2);
  EXPECT_TRUE(HasReason(q, "已转交"));
}

TEST_F(ReplyQualityTest, LateReplyGetsLowerTimelinessInCalendarDays) {
  const ReplyQuality fast = Score(kDetailedReply, 2);
  const ReplyQuality at_limit = Score(kDetailedReply, 14.9);
  const ReplyQuality late = Score(kDetailedReply, 40);
  EXPECT_FALSE(fast.late);
  EXPECT_FALSE(at_limit.late);
  EXPECT_TRUE(late.late);
  EXPECT_GT(fast.timeliness, at_limit.timeliness);
  EXPECT_GT(at_limit.timeliness, late.timeliness);
  EXPECT_LT(late.timeliness, 0.3);
  EXPECT_NEAR(late.elapsed_days, 40, 1e-6);
  EXPECT_TRUE(HasReason(late, "超过15天（自然日）的时限"))
      << ::testing::PrintToString(late.reasons);
  EXPECT_DOUBLE_EQ(fast.relevance, late.relevance);
  EXPECT_GT(fast.overall, late.overall);
}

TEST_F(ReplyQualityTest, WorkingDaysSkipWeekendsAndHolidays) {
  auto calendar = WorkCalendar::LoadFile(DefaultCalendarPath());
  ASSERT_TRUE(calendar) << calendar.error().message;
  auto scorer = ReplyScorer::Create(normalizer_, {.limit_days = 5, .calendar = &*calendar});
  ASSERT_TRUE(scorer) << scorer.error().message;
  // Monday 10:00 to the next Monday 10:00: five working days, the weekend not counted.
  const ReplyQuality week = Score(kDetailedReply, 7, scorer->get());
  EXPECT_NEAR(week.elapsed_days, 5, 1e-9);
  EXPECT_FALSE(week.late);
  const ReplyQuality late = Score(kDetailedReply, 8, scorer->get());
  EXPECT_TRUE(late.late);
  EXPECT_TRUE(HasReason(late, "超过5个工作日的时限")) << ::testing::PrintToString(late.reasons);
}

TEST_F(ReplyQualityTest, TheRequestsOwnDeadlineReplacesTheLimit) {
  auto q = scorer_->Score({kTitle, kMessage, kDetailedReply, Monday(), Monday(3), Monday(2)});
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_TRUE(q->late);
  EXPECT_NEAR(q->limit_days, 2, 1e-9);
  auto on_time = scorer_->Score({kTitle, kMessage, kDetailedReply, Monday(), Monday(3), Monday(4)});
  ASSERT_TRUE(on_time);
  EXPECT_FALSE(on_time->late);
  EXPECT_GT(on_time->timeliness, q->timeliness);
}

TEST_F(ReplyQualityTest, EmptyOrPunctuationOnlyTextIsAClearError) {
  for (std::string_view reply : {"", "   ", "。！？……", "👍👍"}) {
    auto q = scorer_->Score({kTitle, kMessage, reply, Monday(), Monday(1), 0});
    ASSERT_FALSE(q) << reply;
    EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(q.error().message.find("reply"), std::string::npos) << q.error().message;
  }
  auto q = scorer_->Score({"", "！！！", kDetailedReply, Monday(), Monday(1), 0});
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message.find("message"), std::string::npos) << q.error().message;
}

TEST_F(ReplyQualityTest, InvalidUtf8IsRefusedNamingTheTextAndByte) {
  const std::string bad = std::string("已修复") + "\xC3\x28";
  auto q = scorer_->Score({kTitle, kMessage, bad, Monday(), Monday(1), 0});
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(q.error().message.find("reply"), std::string::npos) << q.error().message;
  EXPECT_NE(q.error().message.find("9"), std::string::npos) << q.error().message;
  auto m = scorer_->Score({kTitle, bad, kDetailedReply, Monday(), Monday(1), 0});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("message"), std::string::npos) << m.error().message;
}

TEST_F(ReplyQualityTest, ReplyBeforeTheMessageIsAnError) {
  auto q = scorer_->Score({kTitle, kMessage, kDetailedReply, Monday(1), Monday(), 0});
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ReplyQualityTest, VeryLongTextIsCappedAndSaidSo) {
  std::string reply(kDetailedReply);
  while (reply.size() < 200'000) reply += kDetailedReply;
  const ReplyQuality q = Score(reply);
  EXPECT_TRUE(q.truncated);
  EXPECT_TRUE(HasReason(q, "文本过长"));
  EXPECT_GT(q.relevance, 0.5);
  std::string huge(kMaxInputBytes + 1, 'a');
  auto too_large = scorer_->Score({kTitle, kMessage, huge, Monday(), Monday(1), 0});
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kTooLarge);
}

TEST_F(ReplyQualityTest, BadOptionsAreRefused) {
  EXPECT_FALSE(ReplyScorer::Create(normalizer_, {.limit_days = 0}));
  EXPECT_FALSE(ReplyScorer::Create(normalizer_, {.relevance_weight = -1}));
  EXPECT_FALSE(ReplyScorer::Create(
      normalizer_, {.relevance_weight = 0, .completeness_weight = 0, .timeliness_weight = 0}));
  EXPECT_FALSE(ReplyScorer::Create(nullptr));
}

TEST(ReplyQualityAuc, CountsOrderAndTies) {
  EXPECT_DOUBLE_EQ(PairAuc({0.9, 0.8}, {0.1, 0.2}), 1.0);
  EXPECT_DOUBLE_EQ(PairAuc({0.1}, {0.9}), 0.0);
  EXPECT_DOUBLE_EQ(PairAuc({0.5, 0.5}, {0.5}), 0.5);
  EXPECT_DOUBLE_EQ(PairAuc({}, {0.5}), 0.0);
}

// Real replies score higher against their own message than against another
// message's: relevance separates true from shuffled pairs.
TEST_F(ReplyQualityTest, RealRepliesAreMoreRelevantToTheirOwnMessages) {
  const std::string path =
      std::string(XIETONG_SHARED_DATA_DIR) + "/taidi2020c/messages_with_replies.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  auto table = csv::Table::Open(path);
  ASSERT_TRUE(table) << table.error().message;
  const std::size_t title = *table->Column("留言主题"), body = *table->Column("留言详情"),
                    reply = *table->Column("答复意见");
  std::vector<std::vector<std::string>> rows;
  while (rows.size() < 400) {
    auto r = table->Next();
    ASSERT_TRUE(r) << r.error().message;
    if (!*r) break;
    rows.push_back(std::move(**r));
  }
  ASSERT_GE(rows.size(), 300u);
  std::vector<std::size_t> other(rows.size());
  std::iota(other.begin(), other.end(), 0);
  std::mt19937 rng(7);
  std::shuffle(other.begin(), other.end(), rng);
  std::vector<double> pos, neg;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto t =
        scorer_->Score({rows[i][title], rows[i][body], rows[i][reply], Monday(), Monday(1), 0});
    if (!t) continue;
    pos.push_back(t->relevance);
    if (other[i] == i) continue;
    auto f = scorer_->Score(
        {rows[i][title], rows[i][body], rows[other[i]][reply], Monday(), Monday(1), 0});
    if (f) neg.push_back(f->relevance);
  }
  EXPECT_GT(pos.size(), rows.size() * 9 / 10);
  EXPECT_GT(PairAuc(pos, neg), 0.85);
}

}  // namespace
}  // namespace xietong::text
