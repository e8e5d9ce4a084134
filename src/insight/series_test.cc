#include "insight/series.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace xietong::insight {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Day D(int y, unsigned m, unsigned d) { return DayFromDate(year{y} / month{m} / day{d}); }

TEST(Series, DayIsTheShanghaiDay) {
  // 2026-12-07 00:00:00+08:00 is 2026-12-06 16:00:00Z.
  const Timestamp midnight = StartOfDay(D(2026, 12, 7));
  EXPECT_EQ(DayOf(midnight), D(2026, 12, 7));
  EXPECT_EQ(DayOf(midnight - 1), D(2026, 12, 6));  // 23:59:59.999999+08:00
  EXPECT_EQ(DayOf(midnight - kMicrosPerSecond), D(2026, 12, 6));
  EXPECT_EQ(DayText(D(2026, 12, 7)), "2026-12-07");
  EXPECT_EQ(DayOf(StartOfDay(-3) + 5), -3);  // before 1970: floor, not truncation
  EXPECT_EQ(Weekday(D(2026, 12, 7)), 0);     // a Monday
  EXPECT_EQ(Weekday(D(2026, 12, 13)), 6);    // a Sunday
  EXPECT_EQ(Weekday(D(1969, 12, 31)), 2);    // a Wednesday
}

TEST(Series, DayTypesComeFromTheCalendar) {
  auto calendar = WorkCalendar::LoadFile(DefaultCalendarPath());
  ASSERT_TRUE(calendar) << calendar.error().message;
  EXPECT_EQ(DayTypeOf(D(2026, 10, 1), &*calendar), DayType::kHoliday);  // 国庆, a Thursday
  EXPECT_EQ(DayTypeOf(D(2026, 1, 4), &*calendar), DayType::kMakeup);    // 元旦调休, a Sunday
  EXPECT_EQ(DayTypeOf(D(2026, 10, 8), &*calendar), DayType::kThu);
  EXPECT_EQ(DayTypeOf(D(2026, 10, 1), nullptr), DayType::kThu);  // no calendar: the weekday
  EXPECT_EQ(EffectiveWeekday(DayType::kHoliday), 6);
  EXPECT_EQ(EffectiveWeekday(DayType::kMakeup), 0);
  EXPECT_EQ(EffectiveWeekday(DayType::kWed), 2);
}

TEST(Series, SegmentsSplitAtAMonthWithoutRequests) {
  std::vector<double> y(200, 0.0);
  for (int i = 3; i < 60; ++i) y[i] = 1;     // ends at day 59
  for (int i = 88; i < 150; ++i) y[i] = 2;   // 28 zero days (60…87) before it: a new segment
  for (int i = 177; i < 190; ++i) y[i] = 1;  // 27 zero days (150…176): the same segment
  const auto segments = ObservedSegments(y, 1000);
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0], (Segment{1003, 1059}));
  EXPECT_EQ(segments[1], (Segment{1088, 1189}));
  EXPECT_EQ(LongestSegment(segments, 100), (Segment{1088, 1189}));
  EXPECT_FALSE(LongestSegment(segments, 103));
  EXPECT_TRUE(ObservedSegments(std::vector<double>(50, 0.0), 0).empty());
}

TEST(Series, OutliersAreClippedForFittingOnly) {
  std::vector<double> y(60, 10.0);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = 10 + static_cast<double>(i % 3);
  y[40] = 500;  // a one-day dump
  const auto clipped = ClipOutliers(y);
  EXPECT_DOUBLE_EQ(clipped[39], y[39]);
  EXPECT_LT(clipped[40], 30);  // median 11 + 10·MAD 1
  EXPECT_GE(clipped[40], 11);
  EXPECT_DOUBLE_EQ(y[40], 500);
  EXPECT_DOUBLE_EQ(clipped[41], y[41]);  // the window still holds 500, the median does not move
}

class Us311File : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("xietong_series_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(Us311File, CountsPerDayCategoryAndArea) {
  std::string csv = "city,request_id,created_at,complaint_type,district\n";
  // 120 days of Baltimore with 1–2 rows a day; New York with two boroughs; one bad date.
  for (int i = 0; i < 120; ++i) {
    const std::string date = DayText(D(2018, 1, 1) + i);
    csv += "Baltimore," + std::to_string(i) + "," + date + " 08:00:00,Rats,\n";
    if (i % 2 == 0) csv += "Baltimore,b" + std::to_string(i) + "," + date + " 23:59:59,Potholes,\n";
    csv += "New York,n" + std::to_string(i) + "," + date + " 10:00:00,Noise,BRONX\n";
    csv += "New York,q" + std::to_string(i) + "," + date + " 10:00:00,Heat,QUEENS\n";
  }
  csv += "Baltimore,x,yesterday,Rats,\n";
  csv += "Los Angeles,1,2017-12-31 10:00:00,Bulky Items,13\n";  // a single day: no segment
  auto data = ReadUs311Series(Write("a.csv", csv));
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->rows, 120 * 3 + 60 + 2);
  EXPECT_EQ(data->skipped, 1);
  EXPECT_EQ(data->first_day, D(2017, 12, 31));
  ASSERT_EQ(data->cities.size(), 3u);
  auto find = [&](std::string_view key) -> const Series* {
    for (const Series& s : data->series) {
      if (s.key == key) return &s;
    }
    return nullptr;
  };
  const Series* rats = find("place:Baltimore|cat:Rats|ch:all");
  ASSERT_NE(rats, nullptr);
  EXPECT_EQ(rats->first_day, D(2018, 1, 1));
  EXPECT_EQ(rats->y.size(), 120u);
  EXPECT_DOUBLE_EQ(rats->total(), 120);
  const Series* total = find("place:Baltimore|cat:all|ch:all");
  ASSERT_NE(total, nullptr);
  EXPECT_DOUBLE_EQ(total->y[0], 2);
  EXPECT_DOUBLE_EQ(total->y[1], 1);
  EXPECT_NE(find("place:New York/BRONX|cat:Noise|ch:all"), nullptr);
  EXPECT_NE(find("place:New York/QUEENS|cat:all|ch:all"), nullptr);
  EXPECT_DOUBLE_EQ(find("place:New York|cat:all|ch:all")->total(), 240);
  EXPECT_TRUE(find("place:New York|cat:all|ch:all")->area_total);
  EXPECT_FALSE(find("place:New York/QUEENS|cat:all|ch:all")->area_total);
  EXPECT_FALSE(rats->area_total);
  for (const Series& s : data->series) EXPECT_EQ(s.key.find("Los Angeles"), std::string::npos);
}

TEST_F(Us311File, MissingColumnOrFileIsAnError) {
  auto missing = ReadUs311Series(Write("b.csv", "city,request_id,complaint_type\nX,1,Noise\n"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("created_at"), std::string::npos);
  auto nowhere = ReadUs311Series((dir_ / "nowhere.csv").string());
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace xietong::insight
