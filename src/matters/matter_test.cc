// Matter validation, the enum names and the deadline arithmetic of limits.
#include "matters/matter.h"

#include <gtest/gtest.h>

#include <chrono>

#include "matters/catalog.h"

namespace xietong::matters {
namespace {

// An instant given as Asia/Shanghai wall-clock time.
Timestamp Local(int y, unsigned m, unsigned d, int hour = 0, int minute = 0) {
  const std::int64_t day =
      std::chrono::sys_days{std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                                        std::chrono::day{d}}}
          .time_since_epoch()
          .count();
  return day * kMicrosPerDay + hour * kMicrosPerHour + minute * kMicrosPerMinute - kShanghaiOffset;
}

#define EXPECT_INSTANT(actual, expected)                                          \
  EXPECT_EQ((actual), (expected)) << "got " << FormatRfc3339(actual) << ", want " \
                                  << FormatRfc3339(expected)

Matter Leaf() {
  Matter m;
  m.level = 3;
  m.code = "02-01-03";
  m.name = "餐饮油烟";
  m.name_en = "Restaurant fumes";
  m.handler = HandlerLevel::kDistrictDepartment;
  m.department_code = "D01";
  m.keywords = {"油烟", "烧烤"};
  return m;
}

std::string MessageOf(const Result<void>& r) { return r ? "" : r.error().message; }

TEST(MatterTest, AWellFormedLeafValidates) {
  EXPECT_TRUE(Validate(Leaf())) << MessageOf(Validate(Leaf()));
}

TEST(MatterTest, ValidateNamesTheBadField) {
  struct Case {
    const char* what;
    void (*spoil)(Matter&);
    const char* field;
  };
  const Case cases[] = {
      {"empty name", [](Matter& m) { m.name.clear(); }, "'name'"},
      {"61-character name",
       [](Matter& m) {
         m.name.clear();
         for (int i = 0; i < 61; ++i) m.name += "事";
       },
       "'name'"},
      {"code of another level", [](Matter& m) { m.code = "02-01"; }, "'code'"},
      {"code with 00", [](Matter& m) { m.code = "02-00-03"; }, "'code'"},
      {"code with letters", [](Matter& m) { m.code = "02-0a-03"; }, "'code'"},
      {"level 4", [](Matter& m) { m.level = 4; }, "'level'"},
      {"zero sign limit", [](Matter& m) { m.sign_limit.amount = 0; }, "'sign_limit.amount'"},
      {"huge finish limit", [](Matter& m) { m.finish_limit.amount = 1000; },
       "'finish_limit.amount'"},
      {"negative return window", [](Matter& m) { m.return_window.amount = -1; },
       "'return_window.amount'"},
      {"district handler without code", [](Matter& m) { m.department_code.clear(); },
       "'department_code'"},
      {"district handler with a city code", [](Matter& m) { m.department_code = "JL-D01"; },
       "'department_code'"},
      {"city handler with a district suffix",
       [](Matter& m) {
         m.handler = HandlerLevel::kCityDepartment;
         m.department_code = "D03";
       },
       "'department_code'"},
      {"street handler with a department", [](Matter& m) { m.handler = HandlerLevel::kStreet; },
       "'department_code'"},
      {"empty keyword", [](Matter& m) { m.keywords.push_back(""); }, "'keywords'"},
      {"duplicate keyword", [](Matter& m) { m.keywords.push_back("油烟"); }, "'keywords'"},
      {"31 keywords",
       [](Matter& m) {
         m.keywords.clear();
         for (int i = 0; i < 31; ++i) m.keywords.push_back("词" + std::to_string(i));
       },
       "'keywords'"},
  };
  for (const auto& c : cases) {
    Matter m = Leaf();
    c.spoil(m);
    auto r = Validate(m);
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.what;
    EXPECT_NE(r.error().message.find(c.field), std::string::npos)
        << c.what << ": " << r.error().message;
  }
}

TEST(MatterTest, CategoriesNeedNoLeafFields) {
  Matter category;
  category.level = 2;
  category.code = "02-01";
  category.name = "大气污染";
  category.handler = HandlerLevel::kCityDepartment;  // ignored above level 3
  category.sign_limit.amount = 0;
  EXPECT_TRUE(Validate(category)) << MessageOf(Validate(category));
  category.level = 1;
  EXPECT_FALSE(Validate(category));  // "02-01" is a level-2 code
}

TEST(MatterTest, CityDepartmentCodes) {
  Matter m = Leaf();
  m.handler = HandlerLevel::kCityDepartment;
  for (const char* good : {"JL-D01", "JL-D18", "ABC-D42"}) {
    m.department_code = good;
    EXPECT_TRUE(Validate(m)) << good;
  }
  for (const char* bad : {"JL-D00", "jl-D01", "JL-X01", "JL-D1", "J-D01", "JL-01-D01"}) {
    m.department_code = bad;
    EXPECT_FALSE(Validate(m)) << bad;
  }
}

TEST(MatterTest, Codes) {
  EXPECT_EQ(LevelOfCode("03"), 1);
  EXPECT_EQ(LevelOfCode("03-02"), 2);
  EXPECT_EQ(LevelOfCode("03-02-05"), 3);
  EXPECT_EQ(LevelOfCode("03-02-05-01"), 0);
  EXPECT_EQ(LevelOfCode("3-2"), 0);
  EXPECT_EQ(LevelOfCode("03_02"), 0);
  EXPECT_EQ(LevelOfCode(""), 0);
  EXPECT_EQ(ParentCode("03-02-05"), "03-02");
  EXPECT_EQ(ParentCode("03-02"), "03");
  EXPECT_EQ(ParentCode("03"), "");
}

TEST(MatterTest, EnumNamesRoundTrip) {
  for (auto h : {HandlerLevel::kCommunity, HandlerLevel::kStreet, HandlerLevel::kDistrictDepartment,
                 HandlerLevel::kCityDepartment})
    EXPECT_EQ(ParseHandlerLevel(HandlerLevelName(h)), h);
  for (auto u : {LimitUnit::kNaturalHours, LimitUnit::kWorkingHours, LimitUnit::kWorkingDays})
    EXPECT_EQ(ParseLimitUnit(LimitUnitName(u)), u);
  for (auto t : {Tier::kEmergency, Tier::kUrgent, Tier::kGeneral, Tier::kComplex})
    EXPECT_EQ(ParseTier(TierName(t)), t);
  EXPECT_EQ(HandlerLevelName(HandlerLevel::kDistrictDepartment), "district_department");
  EXPECT_EQ(LimitUnitName(LimitUnit::kWorkingHours), "working_hours");
  EXPECT_EQ(TierName(Tier::kEmergency), "emergency");
  auto bad = ParseTier("whenever");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'tier'"), std::string::npos);
  EXPECT_NE(bad.error().message.find("emergency, urgent, general, complex"), std::string::npos);
  EXPECT_FALSE(ParseHandlerLevel("grid"));
  EXPECT_FALSE(ParseLimitUnit("days"));
}

TEST(MatterTest, DefaultFinishLimits) {
  EXPECT_EQ(DefaultFinishLimit(Tier::kEmergency), (Limit{2, LimitUnit::kNaturalHours}));
  EXPECT_EQ(DefaultFinishLimit(Tier::kUrgent), (Limit{24, LimitUnit::kNaturalHours}));
  EXPECT_EQ(DefaultFinishLimit(Tier::kGeneral), (Limit{7, LimitUnit::kWorkingDays}));
  EXPECT_EQ(DefaultFinishLimit(Tier::kComplex), (Limit{15, LimitUnit::kWorkingDays}));
}

class DeadlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(loaded) << loaded.error().message;
    cal_.emplace(std::move(*loaded));
  }
  const WorkCalendar& cal() const { return *cal_; }

 private:
  std::optional<WorkCalendar> cal_;
};

TEST_F(DeadlineTest, NaturalHoursIgnoreWeekends) {
  const Timestamp fri = Local(2026, 11, 20, 16, 0);  // a Friday
  EXPECT_INSTANT(Deadline(cal(), fri, {24, LimitUnit::kNaturalHours}), Local(2026, 11, 21, 16, 0));
  EXPECT_INSTANT(Deadline(cal(), fri, {2, LimitUnit::kNaturalHours}), Local(2026, 11, 20, 18, 0));
}

TEST_F(DeadlineTest, WorkingHoursSkipTheWeekend) {
  // Friday 16:00: 1.5 hours are left that day, the other 0.5 on Monday.
  const Timestamp fri = Local(2026, 11, 20, 16, 0);
  EXPECT_INSTANT(Deadline(cal(), fri, {2, LimitUnit::kWorkingHours}), Local(2026, 11, 23, 9, 30));
  // Received on Saturday: counting starts on Monday morning.
  EXPECT_INSTANT(Deadline(cal(), Local(2026, 11, 21, 10, 0), {2, LimitUnit::kWorkingHours}),
                 Local(2026, 11, 23, 11, 0));
}

TEST_F(DeadlineTest, WorkingDaysSkipTheNationalDayHoliday) {
  // Wednesday 2026-09-30: day 0 is the 30th; October 1-7 are holidays, Oct 8
  // and 9 (Thu, Fri) and the make-up Saturday Oct 10 are working days.
  const Timestamp eve = Local(2026, 9, 30, 10, 0);
  EXPECT_INSTANT(Deadline(cal(), eve, {1, LimitUnit::kWorkingDays}), Local(2026, 10, 8, 17, 30));
  EXPECT_INSTANT(Deadline(cal(), eve, {3, LimitUnit::kWorkingDays}), Local(2026, 10, 10, 17, 30));
  EXPECT_INSTANT(Deadline(cal(), eve, {4, LimitUnit::kWorkingDays}), Local(2026, 10, 12, 17, 30));
  // Two working hours from 17:00 on the eve: half an hour then, the rest
  // after the holiday.
  EXPECT_INSTANT(Deadline(cal(), Local(2026, 9, 30, 17, 0), {2, LimitUnit::kWorkingHours}),
                 Local(2026, 10, 8, 10, 30));
}

TEST_F(DeadlineTest, WarnAtCountsTheSameTimeAsTheDeadline) {
  // Natural: linear.
  const Timestamp start = Local(2026, 11, 20, 16, 0);
  EXPECT_INSTANT(WarnAt(cal(), start, {24, LimitUnit::kNaturalHours}, 0.75),
                 Local(2026, 11, 21, 10, 0));
  // Four working hours from Friday 16:00 end Monday 11:30 (1.5 h Friday, 2.5 h
  // Monday); three quarters (3 h) are used up Monday at 10:30.
  EXPECT_INSTANT(Deadline(cal(), start, {4, LimitUnit::kWorkingHours}),
                 Local(2026, 11, 23, 11, 30));
  EXPECT_INSTANT(WarnAt(cal(), start, {4, LimitUnit::kWorkingHours}, 0.75),
                 Local(2026, 11, 23, 10, 30));
  // Across National Day: 2 working days from 2026-09-30 10:00 end Oct 9 at
  // 17:30 (6 h left on the 30th, 7 h on the 8th and 9th: 20 h). Half of that
  // (10 h) is used up on Oct 8 at 14:30, not during the holiday.
  const Timestamp eve = Local(2026, 9, 30, 10, 0);
  EXPECT_INSTANT(Deadline(cal(), eve, {2, LimitUnit::kWorkingDays}), Local(2026, 10, 9, 17, 30));
  EXPECT_INSTANT(WarnAt(cal(), eve, {2, LimitUnit::kWorkingDays}, 0.5), Local(2026, 10, 8, 14, 30));
  EXPECT_INSTANT(WarnAt(cal(), eve, {2, LimitUnit::kWorkingDays}, 1.0),
                 Deadline(cal(), eve, {2, LimitUnit::kWorkingDays}));
  // Fractions outside 0..1 are clamped.
  EXPECT_INSTANT(WarnAt(cal(), start, {24, LimitUnit::kNaturalHours}, 1.5),
                 Local(2026, 11, 21, 16, 0));
  EXPECT_INSTANT(WarnAt(cal(), start, {24, LimitUnit::kNaturalHours}, -1), start);
}

// Catalog: tree walks and suggestions over a hand-built tree.
Matter Node(std::string id, std::optional<std::string> parent, std::string code, std::string name,
            std::vector<std::string> keywords, bool active = true) {
  Matter m;
  m.id = std::move(id);
  m.parent_id = std::move(parent);
  m.code = std::move(code);
  m.level = LevelOfCode(m.code);
  m.name = std::move(name);
  m.keywords = std::move(keywords);
  m.active = active;
  return m;
}

Catalog SmallCatalog() {
  return Catalog({
      Node("env", std::nullopt, "02", "环境保护", {"环境"}),
      Node("noise", "env", "02-01", "噪声污染", {"噪音", "吵"}),
      Node("dance", "noise", "02-01-01", "广场舞噪音", {"广场舞", "音响", "跳舞"}),
      Node("build", "noise", "02-01-02", "施工噪音", {"施工", "工地", "夜间施工"}),
      Node("air", "env", "02-02", "大气污染", {"空气"}),
      Node("fumes", "air", "02-02-01", "餐饮油烟", {"油烟", "烧烤"}),
      Node("old", "air", "02-02-02", "燃煤锅炉", {"锅炉", "烧煤"}, false),
      Node("city", std::nullopt, "01", "城乡建设", {}),
  });
}

TEST(CatalogTest, TreeWalks) {
  const Catalog c = SmallCatalog();
  ASSERT_EQ(c.all().size(), 8u);
  EXPECT_EQ(c.all().front().code, "01");  // ordered by code
  ASSERT_NE(c.FindByCode("02-01-02"), nullptr);
  EXPECT_EQ(c.FindByCode("02-01-02")->id, "build");
  EXPECT_EQ(c.Find("nothing"), nullptr);
  auto roots = c.Children("");
  ASSERT_EQ(roots.size(), 2u);
  EXPECT_EQ(roots[0]->name, "城乡建设");
  auto noise = c.Children("noise");
  ASSERT_EQ(noise.size(), 2u);
  EXPECT_EQ(noise[1]->id, "build");
  EXPECT_EQ(c.Leaves().size(), 4u);
  EXPECT_FALSE(c.InEffect(*c.Find("old")));
  EXPECT_TRUE(c.InEffect(*c.Find("fumes")));
}

TEST(CatalogTest, SuggestRanksTheLeafWhoseWordsMatchBest) {
  const Catalog c = SmallCatalog();
  auto s = c.Suggest("楼下广场舞音响太吵了，晚上十点还在跳舞", 3);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].matter->id, "dance");
  EXPECT_GT(s[0].confidence, 0.8);
  double sum = 0;
  for (const auto& x : s) sum += x.confidence;
  EXPECT_LE(sum, 1.0);

  auto night = c.Suggest("隔壁工地夜间施工，噪音很大", 3);
  ASSERT_FALSE(night.empty());
  EXPECT_EQ(night[0].matter->id, "build");

  // The inactive leaf is never suggested, however well it matches.
  auto boiler = c.Suggest("锅炉烧煤", 3);
  EXPECT_TRUE(boiler.empty());
  // Words of categories alone do not pick a leaf.
  EXPECT_TRUE(c.Suggest("环境很吵", 3).empty());
  EXPECT_TRUE(c.Suggest("今天天气不错", 3).empty());
  EXPECT_TRUE(c.Suggest("", 3).empty());
  EXPECT_EQ(c.Suggest("广场舞 施工 油烟", 2).size(), 2u);
}

TEST(CatalogTest, AncestorWordsBreakTies) {
  Catalog c({
      Node("a", std::nullopt, "01", "甲", {}),
      Node("a1", "a", "01-01", "甲一", {"噪音"}),
      Node("a11", "a1", "01-01-01", "甲一一", {"设备"}),
      Node("b", std::nullopt, "02", "乙", {}),
      Node("b1", "b", "02-01", "乙一", {}),
      Node("b11", "b1", "02-01-01", "乙一一", {"设备"}),
  });
  auto s = c.Suggest("设备噪音", 2);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].matter->id, "a11");
  EXPECT_GT(s[0].confidence, s[1].confidence);
}

}  // namespace
}  // namespace xietong::matters
