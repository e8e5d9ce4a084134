// An application's life without a database: parts open as the process
// reaches them, decisions need a part in review, 补正 stops the part's clock
// (and the whole bundle's) in working time, the end skips what the process
// never needed, and a rating comes once, after completion.
#include "services/application.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace xietong::services {
namespace {

constexpr Timestamp kMonday10 = 1'795'399'200'000'000;  // 2026-11-23 10:00 +08:00

class ApplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cal = WorkCalendar::LoadFile(std::string(XIETONG_DEFAULT_CALENDAR_DIR) + "/cn.json");
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_ = std::make_unique<WorkCalendar>(std::move(*cal));
    std::ifstream in(std::string(XIETONG_SERVICES_DIR) + "/open-restaurant.json");
    std::stringstream s;
    s << in.rdbuf();
    auto b = ParseBundle(json::Json::parse(s.str()));
    ASSERT_TRUE(b);
    bundle_ = *b;
    app_ = NewApplication(bundle_, *calendar_, kMonday10);
    app_.number = "YJS2026112300001";
    app_.applicant_name = "林晓";
  }
  std::unique_ptr<WorkCalendar> calendar_;
  Bundle bundle_;
  Application app_;
};

TEST_F(ApplicationTest, PartsOpenAsTheProcessReachesThem) {
  EXPECT_EQ(app_.promised_at, calendar_->AddWorkingDays(kMonday10, 8));
  ASSERT_TRUE(Sync(app_, bundle_, "active", {{"t1", "licence"}}, *calendar_, kMonday10));
  EXPECT_EQ(app_.status, AppStatus::kInProgress);
  EXPECT_EQ(app_.Part("licence")->status, PartStatus::kInReview);
  EXPECT_EQ(app_.Part("licence")->task_id, "t1");
  EXPECT_EQ(app_.Part("licence")->due_at, calendar_->AddWorkingDays(kMonday10, 1));
  EXPECT_EQ(app_.Part("food")->status, PartStatus::kWaiting);
  // Nothing new: nothing changes (and nothing would be written).
  EXPECT_FALSE(Sync(app_, bundle_, "active", {{"t1", "licence"}}, *calendar_, kMonday10 + 5));

  auto early = Approve(app_, "food", "王敏", "", kMonday10);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(Approve(app_, "licence", "王敏", "材料齐全", kMonday10 + 1));
  EXPECT_FALSE(Approve(app_, "licence", "王敏", "", kMonday10 + 2));  // decided once
  EXPECT_FALSE(Reject(app_, "food", "王敏", "", kMonday10 + 2));      // a rejection says why
}

TEST_F(ApplicationTest, ACorrectionStopsTheClockInWorkingTime) {
  ASSERT_TRUE(Sync(app_, bundle_, "active", {{"t2", "food"}}, *calendar_, kMonday10));
  const Timestamp due = app_.Part("food")->due_at;  // 5 working days
  const Timestamp asked = kMonday10 + 2 * kMicrosPerHour;
  auto bad_item =
      AskCorrection(app_, bundle_, "food", "王敏", "平面图不清", {"kitchen"}, *calendar_, asked);
  ASSERT_FALSE(bad_item);
  EXPECT_EQ(bad_item.error().field, "items");
  ASSERT_TRUE(AskCorrection(app_, bundle_, "food", "王敏", "平面图不清晰，请标明安全出口",
                            {"floor_plan", "seats"}, *calendar_, asked));
  EXPECT_EQ(app_.status, AppStatus::kCorrection);
  EXPECT_EQ(AskedItems(app_), (std::vector<std::string>{"floor_plan", "seats"}));
  EXPECT_FALSE(Approve(app_, "food", "王敏", "", asked + 1));  // waits for the applicant

  // The applicant answers three calendar days later (a weekend between).
  const Timestamp answered = asked + 72 * kMicrosPerHour;
  const Timestamp left = calendar_->WorkingTimeBetween(asked, due);
  const Timestamp paused = calendar_->WorkingTimeBetween(asked, answered);
  const Timestamp promised = app_.promised_at;
  ASSERT_TRUE(Corrected(app_, *calendar_, answered));
  const AppPart& food = *app_.Part("food");
  EXPECT_EQ(food.status, PartStatus::kInReview);
  EXPECT_EQ(food.corrections, 1);
  EXPECT_EQ(food.paused_us, paused);
  EXPECT_EQ(food.due_at, calendar_->AddWorkingTime(answered, left));
  EXPECT_GT(food.due_at, due);
  EXPECT_EQ(app_.promised_at, calendar_->AddWorkingTime(promised, paused));
  EXPECT_EQ(app_.status, AppStatus::kInProgress);
  EXPECT_FALSE(Corrected(app_, *calendar_, answered + 1));  // nothing asked any more
}

TEST_F(ApplicationTest, TheEndSkipsWhatTheProcessNeverNeededAndOpensRating) {
  ASSERT_TRUE(Sync(app_, bundle_, "active", {{"t1", "licence"}}, *calendar_, kMonday10));
  EXPECT_FALSE(Rate(app_, 5, {}, "", kMonday10));  // not completed yet
  ASSERT_TRUE(Reject(app_, "licence", "王敏", "名称与已登记企业重复", kMonday10 + 1));
  ASSERT_TRUE(Sync(app_, bundle_, "completed", {}, *calendar_, kMonday10 + 2));
  EXPECT_EQ(app_.status, AppStatus::kCompleted);
  EXPECT_EQ(app_.Part("food")->status, PartStatus::kSkipped);
  EXPECT_EQ(app_.Outcome(), "rejected");
  EXPECT_FALSE(Rate(app_, 6, {}, "", kMonday10 + 3));
  EXPECT_FALSE(Rate(app_, 2, {"rude"}, "", kMonday10 + 3));
  ASSERT_TRUE(Rate(app_, 2, {"slow", "unclear"}, "说明不清", kMonday10 + 3));
  EXPECT_FALSE(Rate(app_, 5, {}, "", kMonday10 + 4));  // once

  // The document round-trips everything.
  Application back;
  ASSERT_TRUE(DecodeDoc(EncodeDoc(app_), back));
  EXPECT_EQ(EncodeDoc(back), EncodeDoc(app_));
  EXPECT_EQ(back.rating->reasons, (std::vector<std::string>{"slow", "unclear"}));
}

}  // namespace
}  // namespace xietong::services
