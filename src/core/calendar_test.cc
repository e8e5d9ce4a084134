#include "core/calendar.h"

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

namespace xietong {
namespace {

using std::chrono::year_month_day;

year_month_day Date(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// An instant given as Asia/Shanghai wall-clock time.
Timestamp Local(int y, unsigned m, unsigned d, int hour = 0, int minute = 0, int second = 0) {
  const std::int64_t day = std::chrono::sys_days{Date(y, m, d)}.time_since_epoch().count();
  return day * kMicrosPerDay + hour * kMicrosPerHour + minute * kMicrosPerMinute +
         second * kMicrosPerSecond - kShanghaiOffset;
}

// Exact comparison, printed as local time when it fails.
#define EXPECT_INSTANT(actual, expected)                                          \
  EXPECT_EQ((actual), (expected)) << "got " << FormatRfc3339(actual) << ", want " \
                                  << FormatRfc3339(expected)

constexpr Timestamp kHour = kMicrosPerHour;
constexpr Timestamp kMinute = kMicrosPerMinute;

// Working time in [from, to) computed the slow, obvious way (day by day,
// period by period) to check the closed-form arithmetic against.
Timestamp ReferenceWorkingTime(const WorkCalendar& cal, Timestamp from, Timestamp to) {
  Timestamp total = 0;
  for (std::int64_t day = (from + kShanghaiOffset) / kMicrosPerDay;
       day * kMicrosPerDay - kShanghaiOffset < to; ++day) {
    if (!cal.IsWorkingDay(year_month_day{std::chrono::sys_days{std::chrono::days{day}}})) continue;
    for (const WorkingPeriod& p : cal.working_hours()) {
      const Timestamp lo = std::max(from, day * kMicrosPerDay + p.start - kShanghaiOffset);
      const Timestamp hi = std::min(to, day * kMicrosPerDay + p.end - kShanghaiOffset);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

class ShippedCalendarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<WorkCalendar> loaded = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    cal_.emplace(std::move(*loaded));
  }
  const WorkCalendar& cal() const { return *cal_; }

 private:
  std::optional<WorkCalendar> cal_;
};

TEST_F(ShippedCalendarTest, LoadsWith2024To2026OfficialAnd2027Provisional) {
  EXPECT_EQ(cal().covered_years(), std::make_pair(2024, 2027));
  EXPECT_FALSE(cal().IsProvisional(2024));
  EXPECT_FALSE(cal().IsProvisional(2025));
  EXPECT_FALSE(cal().IsProvisional(2026));
  EXPECT_TRUE(cal().IsProvisional(2027));
  EXPECT_EQ(cal().working_time_per_day(), 7 * kHour);
  const std::vector<WorkingPeriod> expected_hours = {
      {9 * kHour, 12 * kHour}, {13 * kHour + 30 * kMinute, 17 * kHour + 30 * kMinute}};
  EXPECT_EQ(cal().working_hours(), expected_hours);

  // 261 weekdays, 19 of them holidays, plus 6 make-up days.
  int working_days = 0;
  for (auto d = std::chrono::sys_days{Date(2026, 1, 1)};
       d < std::chrono::sys_days{Date(2027, 1, 1)}; d += std::chrono::days{1})
    working_days += cal().IsWorkingDay(year_month_day{d}) ? 1 : 0;
  EXPECT_EQ(working_days, 248);
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2026, 1, 1), Local(2027, 1, 1)), 248 * 7 * kHour);

  EXPECT_EQ(cal().HolidayName(Date(2026, 2, 17)), "春节");
  EXPECT_EQ(cal().HolidayName(Date(2026, 10, 7)), "国庆节");
  EXPECT_EQ(cal().HolidayName(Date(2026, 2, 14)), std::nullopt);
  EXPECT_EQ(cal().MakeupWorkdayName(Date(2026, 2, 14)), "春节调休上班");
  EXPECT_EQ(cal().MakeupWorkdayName(Date(2026, 2, 17)), std::nullopt);

  // 2027: statutory days only.
  EXPECT_FALSE(cal().IsWorkingDay(Date(2027, 2, 5)));
  EXPECT_FALSE(cal().IsWorkingDay(Date(2027, 2, 8)));
  EXPECT_TRUE(cal().IsWorkingDay(Date(2027, 2, 9)));
  EXPECT_FALSE(cal().IsWorkingDay(Date(2027, 6, 9)));
  EXPECT_FALSE(cal().IsWorkingDay(Date(2027, 10, 1)));
  EXPECT_TRUE(cal().IsWorkingDay(Date(2027, 10, 4)));
}

// 2024 and 2025 (the history a forecast learns from): the notices' working-day
// totals (251 and 248) and a few days of each kind.
TEST_F(ShippedCalendarTest, Years2024And2025FollowTheStateCouncilNotices) {
  for (const auto& [year, expected] : {std::pair{2024, 251}, std::pair{2025, 248}}) {
    int working_days = 0;
    for (auto d = std::chrono::sys_days{Date(year, 1, 1)};
         d < std::chrono::sys_days{Date(year + 1, 1, 1)}; d += std::chrono::days{1})
      working_days += cal().IsWorkingDay(year_month_day{d}) ? 1 : 0;
    EXPECT_EQ(working_days, expected) << year;
  }
  EXPECT_EQ(cal().HolidayName(Date(2024, 6, 10)), "端午节");
  EXPECT_TRUE(cal().IsWorkingDay(Date(2024, 9, 14)));  // a Saturday: 中秋节调休上班
  EXPECT_FALSE(cal().IsWorkingDay(Date(2024, 10, 7)));
  EXPECT_TRUE(cal().IsWorkingDay(Date(2025, 1, 26)));  // a Sunday: 春节调休上班
  EXPECT_FALSE(cal().IsWorkingDay(Date(2025, 1, 28)));
  EXPECT_FALSE(cal().IsWorkingDay(Date(2025, 10, 8)));
  EXPECT_TRUE(cal().IsWorkingDay(Date(2025, 10, 11)));  // a Saturday
}

TEST_F(ShippedCalendarTest, SpringFestival2026CountsMakeupSaturdayThenSkipsHoliday) {
  const Timestamp received = Local(2026, 2, 13, 10, 0);  // Friday
  // Day 0 is Fri 13th, day 1 the make-up Saturday 14th, then 15th–23rd are off.
  EXPECT_INSTANT(cal().AddWorkingDays(received, 1), Local(2026, 2, 14, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(received, 2), Local(2026, 2, 24, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(received, 3), Local(2026, 2, 25, 17, 30));
  // 6h left on Friday, 7h on the make-up Saturday, 1h on Tuesday the 24th.
  EXPECT_INSTANT(cal().AddWorkingTime(received, 14 * kHour), Local(2026, 2, 24, 10, 0));
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2026, 2, 13, 17, 0), Local(2026, 2, 24, 9, 30)),
            8 * kHour);
  // Received during the holiday: day 0 is the first day back.
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 2, 21, 11, 0), 0), Local(2026, 2, 24, 17, 30));
  EXPECT_TRUE(cal().IsWorkingDay(Date(2026, 2, 14)));
  EXPECT_TRUE(cal().IsWorkingDay(Date(2026, 2, 28)));
  EXPECT_FALSE(cal().IsWorkingDay(Date(2026, 2, 23)));  // a Monday inside the holiday
}

TEST_F(ShippedCalendarTest, NationalDay2026MakeupDays) {
  EXPECT_TRUE(cal().IsWorkingDay(Date(2026, 9, 20)));    // Sunday, make-up
  EXPECT_TRUE(cal().IsWorkingDay(Date(2026, 10, 10)));   // Saturday, make-up
  EXPECT_FALSE(cal().IsWorkingDay(Date(2026, 10, 11)));  // plain Sunday
  EXPECT_FALSE(cal().IsWorkingDay(Date(2026, 10, 5)));   // Monday in the holiday
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 9, 18, 16, 0), 1), Local(2026, 9, 20, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 9, 30, 9, 0), 1), Local(2026, 10, 8, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 9, 30, 9, 0), 2), Local(2026, 10, 9, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 9, 30, 9, 0), 3), Local(2026, 10, 10, 17, 30));
  // Thursday evening before 中秋 (Fri 25th to Sun 27th): next working day is Monday.
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 9, 24, 18, 0), 0), Local(2026, 9, 28, 17, 30));
  // 15 working days from 2026-09-21 cross 中秋 and 国庆 and use the make-up Saturday.
  // Day 0 Mon 21, 22, 23, 24, 28, 29, 30, Oct 8, 9, 10 (Sat), 12, 13, 14, 15, 16 -> day 15 is
  // Mon 19.
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 9, 21, 9, 0), 15), Local(2026, 10, 19, 17, 30));
}

TEST_F(ShippedCalendarTest, SkipsWeekends) {
  const Timestamp friday = Local(2026, 3, 6, 15, 0);
  EXPECT_INSTANT(cal().AddWorkingTime(friday, 3 * kHour), Local(2026, 3, 9, 9, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(friday, 1), Local(2026, 3, 9, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(friday, 5), Local(2026, 3, 13, 17, 30));
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2026, 3, 6, 17, 0), Local(2026, 3, 9, 10, 0)),
            90 * kMinute);
  EXPECT_FALSE(cal().IsWorkingDay(Date(2026, 3, 7)));
  EXPECT_FALSE(cal().IsWorkingDay(Date(2026, 3, 8)));
}

TEST_F(ShippedCalendarTest, StartOutsideWorkingHoursCountsFromNextWorkingMoment) {
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 7, 10, 0), kHour), Local(2026, 3, 9, 10, 0));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 9, 7, 0), kHour), Local(2026, 3, 9, 10, 0));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 10, 20, 0), 30 * kMinute),
                 Local(2026, 3, 11, 9, 30));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 7, 10, 0), 0), Local(2026, 3, 9, 9, 0));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 9, 10, 15), 0), Local(2026, 3, 9, 10, 15));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 9, 10, 15), -kHour),
                 Local(2026, 3, 9, 10, 15));
  // Day 0 is today only while today's working hours have not ended.
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 3, 10, 7, 0), 0), Local(2026, 3, 10, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 3, 10, 17, 29, 59), 0),
                 Local(2026, 3, 10, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 3, 10, 17, 30), 0), Local(2026, 3, 11, 17, 30));
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2026, 3, 10, 17, 30), -4), Local(2026, 3, 11, 17, 30));
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2026, 3, 7, 0, 0), Local(2026, 3, 9, 9, 0)), 0);
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2026, 3, 9, 11, 0), Local(2026, 3, 9, 10, 0)), 0);
}

TEST_F(ShippedCalendarTest, LunchBreakIsNotWorkingTime) {
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 9, 11, 30), kHour), Local(2026, 3, 9, 14, 0));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 9, 12, 15), kHour), Local(2026, 3, 9, 14, 30));
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2026, 3, 9, 11, 0), Local(2026, 3, 9, 14, 0)),
            90 * kMinute);
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2026, 3, 9, 12, 10), Local(2026, 3, 9, 13, 20)), 0);
  // Time used up exactly at a period's end lands on that end.
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 9, 11, 0), kHour), Local(2026, 3, 9, 12, 0));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 9, 12, 0), 0), Local(2026, 3, 9, 13, 30));
  EXPECT_INSTANT(cal().AddWorkingTime(Local(2026, 3, 6, 9, 0), 7 * kHour),
                 Local(2026, 3, 6, 17, 30));
}

TEST_F(ShippedCalendarTest, OutsideCoveredYearsFallsBackToWeekends) {
  EXPECT_TRUE(cal().IsWorkingDay(Date(2023, 10, 2)));  // a real holiday, but not in the file
  EXPECT_EQ(cal().HolidayName(Date(2023, 10, 2)), std::nullopt);
  EXPECT_FALSE(cal().IsWorkingDay(Date(2028, 1, 1)));  // Saturday
  EXPECT_TRUE(cal().IsWorkingDay(Date(2028, 1, 3)));
  EXPECT_FALSE(cal().IsWorkingDay(Date(2026, 2, 30)));  // not a date
  // Fri 2025-12-26: 29, 30, 31, then 元旦 1–3 Jan, make-up Sun 4th, Mon 5th.
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2025, 12, 26, 10, 0), 5), Local(2026, 1, 5, 17, 30));
  // Thu 2027-12-30: 31st, then Mon 2028-01-03 and Tue 4th.
  EXPECT_INSTANT(cal().AddWorkingDays(Local(2027, 12, 30, 10, 0), 3), Local(2028, 1, 4, 17, 30));
  EXPECT_EQ(cal().WorkingTimeBetween(Local(2023, 1, 1), Local(2023, 12, 31)),
            ReferenceWorkingTime(cal(), Local(2023, 1, 1), Local(2023, 12, 31)));
}

TEST_F(ShippedCalendarTest, AddWorkingTimeAndWorkingTimeBetweenRoundTrip) {
  std::mt19937_64 rng(20260213);
  // Spans the fallback years on both sides of the file's 2024–2027.
  std::uniform_int_distribution<Timestamp> instant(Local(2023, 11, 1), Local(2028, 3, 1));
  std::uniform_int_distribution<Timestamp> span(0, 40 * kMicrosPerDay);
  int exact_landings = 0;
  for (int i = 0; i < 4000; ++i) {
    const Timestamp a = instant(rng);
    const Timestamp b = a + span(rng);
    const Timestamp c = b + span(rng);
    const Timestamp w = cal().WorkingTimeBetween(a, b);
    ASSERT_EQ(w, ReferenceWorkingTime(cal(), a, b)) << FormatRfc3339(a) << " " << FormatRfc3339(b);
    ASSERT_EQ(cal().WorkingTimeBetween(a, c), w + cal().WorkingTimeBetween(b, c));
    const Timestamp t = cal().AddWorkingTime(a, w);
    ASSERT_EQ(cal().WorkingTimeBetween(a, t), w) << FormatRfc3339(a) << " " << FormatRfc3339(b);
    if (w > 0) {  // with w == 0, t is the next working moment, which may come after b
      ASSERT_LE(t, b);
    }
    // b inside a working period: the deadline is exactly b.
    const Timestamp local = b + kShanghaiOffset;
    const Timestamp tod = local % kMicrosPerDay;
    const year_month_day date{std::chrono::sys_days{std::chrono::days{local / kMicrosPerDay}}};
    bool inside = false;
    for (const WorkingPeriod& p : cal().working_hours()) inside |= tod > p.start && tod < p.end;
    if (inside && cal().IsWorkingDay(date)) {
      ASSERT_EQ(t, b) << FormatRfc3339(a) << " " << FormatRfc3339(b);
      ++exact_landings;
    }
  }
  EXPECT_GT(exact_landings, 500);  // the check above really ran
}

TEST_F(ShippedCalendarTest, ExtremeInputsSaturateInsteadOfOverflowing) {
  const Timestamp kNever = std::numeric_limits<Timestamp>::max();
  const Timestamp start = Local(2026, 3, 9, 10, 0);
  EXPECT_EQ(cal().AddWorkingTime(start, kNever), kNever);
  EXPECT_EQ(cal().AddWorkingDays(start, INT_MAX), kNever);
  EXPECT_EQ(cal().AddWorkingDays(kNever, 1), kNever);
  EXPECT_INSTANT(cal().AddWorkingTime(std::numeric_limits<Timestamp>::min(), 0),
                 Local(1, 1, 1, 9, 0));  // 0001-01-01 was a Monday
  EXPECT_GT(cal().WorkingTimeBetween(std::numeric_limits<Timestamp>::min(), kNever), 0);
}

TEST(WorkCalendarTest, ConfigurableWorkingHours) {
  Result<WorkCalendar> cal = WorkCalendar::FromJson(R"({
    "working_hours": [{"start": "08:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}],
    "years": {"2026": {}}})");
  ASSERT_TRUE(cal.has_value()) << cal.error().message;
  EXPECT_EQ(cal->working_time_per_day(), 8 * kHour);
  EXPECT_INSTANT(cal->AddWorkingDays(Local(2026, 3, 9, 8, 0), 0), Local(2026, 3, 9, 18, 0));
  EXPECT_INSTANT(cal->AddWorkingTime(Local(2026, 3, 9, 11, 0), 2 * kHour),
                 Local(2026, 3, 9, 15, 0));
  EXPECT_TRUE(cal->IsWorkingDay(Date(2026, 10, 1)));  // no holidays listed
  EXPECT_FALSE(cal->IsProvisional(2026));
}

TEST(WorkCalendarTest, DefaultWorkingHoursAndDatesAcrossNewYear) {
  // The 2019 notice listed 2018-12-29 (Saturday) as a make-up day.
  Result<WorkCalendar> cal = WorkCalendar::FromJson(R"({"years": {"2019": {
    "holidays": [{"date": "2018-12-30", "name": "元旦"}, {"date": "2018-12-31", "name": "元旦"},
                 {"date": "2019-01-01", "name": "元旦"}],
    "makeup_workdays": [{"date": "2018-12-29", "name": "元旦调休上班"}]}}})");
  ASSERT_TRUE(cal.has_value()) << cal.error().message;
  EXPECT_EQ(cal->working_time_per_day(), 7 * kHour);
  EXPECT_EQ(cal->covered_years(), std::make_pair(2019, 2019));
  EXPECT_TRUE(cal->IsWorkingDay(Date(2018, 12, 29)));
  EXPECT_FALSE(cal->IsWorkingDay(Date(2018, 12, 31)));
  EXPECT_INSTANT(cal->AddWorkingDays(Local(2018, 12, 28, 10, 0), 2), Local(2019, 1, 2, 17, 30));
}

TEST(WorkCalendarTest, RejectsInvalidCalendars) {
  const std::string hours = R"("working_hours": [{"start": "09:00", "end": "12:00"}, )";
  const struct {
    std::string json;
    std::string message_part;
  } cases[] = {
      {"{", "not valid JSON"},
      {"[]", "JSON object"},
      {R"({"note": "x"})", "\"years\""},
      {R"({"years": {"2026": {"holidays": [{"date": "2026-02-30", "name": "x"}]}}})",
       "calendar year 2026: holidays[0]: \"2026-02-30\" is not a valid date"},
      {R"({"years": {"2026": {"holidays": [{"date": "2026-2-3", "name": "x"}]}}})", "\"2026-2-3\""},
      {R"({"years": {"2026": {"holidays": [{"date": "2026-02-14", "name": "春节"}],
           "makeup_workdays": [{"date": "2026-02-14", "name": "调休"}]}}})",
       "2026-02-14 is both a holiday and a make-up working day"},
      {R"({"years": {"2026": {"holidays": [{"date": "2026-02-16", "name": "春节"},
           {"date": "2026-02-16", "name": "春节"}]}}})",
       "holidays[1]: 2026-02-16 is listed twice"},
      {R"({"years": {"2026": {"makeup_workdays": [{"date": "2026-03-03", "name": "x"}]}}})",
       "2026-03-03 is a Monday to Friday"},
      {R"({"years": {"2026": {"holidays": [{"date": "2030-01-01", "name": "x"}]}}})",
       "calendar year 2026: holidays[0]: 2030-01-01 is too far"},
      {R"({"years": {"2026": {"holidays": [{"date": "2026-01-01"}]}}})",
       "2026-01-01 needs a non-empty name"},
      {R"({"years": {"2026": {"holiday": []}}})", "calendar year 2026: unknown key \"holiday\""},
      {R"({"years": {"2026": {"provisional": "yes"}}})", "calendar year 2026: provisional"},
      {R"({"years": {"26": {}}})", "calendar year \"26\""},
      {R"({"years": {"2026": {}, "2028": {}}})", "calendar year 2027 is missing"},
      {"{" + hours + R"({"start": "11:30", "end": "17:30"}], "years": {"2026": {}}})",
       "working_hours[1]: 11:30-17:30 overlaps"},
      {R"({"working_hours": [{"start": "13:30", "end": "17:30"}, {"start": "09:00", "end": "12:00"}],
           "years": {"2026": {}}})",
       "working_hours[1]: 09:00-12:00 overlaps or comes before"},
      {R"({"working_hours": [{"start": "12:00", "end": "09:00"}], "years": {"2026": {}}})",
       "working_hours[0]: 12:00-09:00 must end after it starts"},
      {R"({"working_hours": [{"start": "09:00", "end": "25:00"}], "years": {"2026": {}}})",
       "working_hours[0]: start and end must be times"},
      {R"({"working_hours": [], "years": {"2026": {}}})", "working_hours must be a non-empty list"},
  };
  for (const auto& c : cases) {
    Result<WorkCalendar> cal = WorkCalendar::FromJson(c.json);
    ASSERT_FALSE(cal.has_value()) << c.json;
    EXPECT_EQ(cal.error().code, ErrorCode::kInvalidArgument) << c.json;
    EXPECT_NE(cal.error().message.find(c.message_part), std::string::npos)
        << "message: " << cal.error().message << "\nwanted: " << c.message_part;
  }
}

TEST(WorkCalendarTest, LoadFileReportsMissingAndInvalidFiles) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string missing = (dir / "xietong_calendar_test_missing.json").string();
  Result<WorkCalendar> cal = WorkCalendar::LoadFile(missing);
  ASSERT_FALSE(cal.has_value());
  EXPECT_EQ(cal.error().code, ErrorCode::kNotFound);

  const std::string bad = (dir / "xietong_calendar_test_bad.json").string();
  std::ofstream(bad)
      << R"({"years": {"2026": {"holidays": [{"date": "2026-13-01", "name": "x"}]}}})";
  cal = WorkCalendar::LoadFile(bad);
  std::filesystem::remove(bad);
  ASSERT_FALSE(cal.has_value());
  EXPECT_EQ(cal.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(cal.error().message.rfind(bad + ": calendar year 2026", 0), 0u) << cal.error().message;
}

TEST(WorkCalendarTest, DefaultCalendarPathIsTheShippedFile) {
  EXPECT_EQ(DefaultCalendarPath(), std::string(XIETONG_DEFAULT_CALENDAR_DIR) + "/cn.json");
  EXPECT_TRUE(std::filesystem::exists(DefaultCalendarPath()));
}

}  // namespace
}  // namespace xietong
