// Imports are checked whole before anything is stored: shape errors, keys,
// element rules, GBK files, and the scores they yield.
#include "exchange/quality.h"

#include <gtest/gtest.h>

namespace xietong::exchange {
namespace {

Resource Licences() {
  Elements e;
  for (const auto& x : StandardElements()) e.emplace(x.code, x);
  json::Json doc = {
      {"code", "JL-SC-001"},
      {"title", "营业执照"},
      {"description", "市场主体登记信息"},
      {"share", "unconditional"},
      {"key_field", "uscc"},
      {"fields",
       {{{"name", "uscc"}, {"title", "统一社会信用代码"}, {"element", "uscc"}},
        {{"name", "company"}, {"title", "名称"}, {"required", true}},
        {{"name", "legal_id"}, {"title", "法定代表人身份号码"}, {"element", "id_number"}},
        {{"name", "capital"}, {"title", "注册资本"}, {"type", "number"}}}}};
  auto r = ParseResource(doc, e);
  EXPECT_TRUE(r) << r.error().message;
  return *r;
}

Elements Standard() {
  Elements e;
  for (const auto& x : StandardElements()) e.emplace(x.code, x);
  return e;
}

TEST(Quality, AcceptsAGoodFileByNamesOrChineseTitles) {
  auto c = CheckImport(Licences(), Standard(),
                       "统一社会信用代码,名称,legal_id,注册资本\r\n"
                       "91330100MA2B3C4D5N,老街坊面馆,330102199003071230,50\r\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->rows, 1);
  EXPECT_EQ(c->blocking + c->defects, 0);
  ASSERT_EQ(c->records.size(), 1u);
  EXPECT_EQ(c->records[0].key, "91330100MA2B3C4D5N");
  EXPECT_EQ(
      RecordJson(Licences(), c->records[0]),
      R"({"uscc":"91330100MA2B3C4D5N","company":"老街坊面馆","legal_id":"330102199003071230","capital":"50"})");
  EXPECT_DOUBLE_EQ(c->scores.validity, 1);
}

TEST(Quality, NamesEveryBadRowAndColumn) {
  auto c = CheckImport(Licences(), Standard(),
                       "uscc,company,legal_id,capital\n"
                       "91330100MA2B3C4D5N,甲,330102199003071230,1\n"
                       "91330100MA2B3C4D5N,乙,,2\n"                    // duplicate key
                       "91330100MA2B3C4D5M,丙,330102199003071231,x\n"  // bad key, id, number
                       ",丁,,\n");                                     // no key
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rows, 4);
  EXPECT_EQ(c->records.size(), 1u) << "only the first row is sound";
  std::set<std::pair<std::int64_t, std::string>> seen;
  for (const auto& p : c->problems) seen.insert({p.line, p.reason});
  EXPECT_TRUE(seen.contains({3, "duplicate_key"}));
  EXPECT_TRUE(seen.contains({4, "invalid_uscc"}));
  EXPECT_TRUE(seen.contains({4, "invalid_id_number"}));
  EXPECT_TRUE(seen.contains({4, "not_number"}));
  EXPECT_TRUE(seen.contains({5, "required"}));
  EXPECT_GT(c->blocking, 0);
  EXPECT_GT(c->defects, 0) << "a bad optional value is a quality defect";
  EXPECT_LT(c->scores.validity, 1);
  EXPECT_LT(c->scores.uniqueness, 1);
}

TEST(Quality, RefusesWrongColumnsBeforeReadingRows) {
  auto c = CheckImport(Licences(), Standard(), "uscc,公司名称,capital\n91330100MA2B3C4D5N,甲,1\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rows, 0);
  std::set<std::string> reasons;
  for (const auto& p : c->problems) reasons.insert(p.reason);
  EXPECT_TRUE(reasons.contains("unknown_column"));
  EXPECT_TRUE(reasons.contains("missing_column")) << "company is required";
}

TEST(Quality, ConvertsGbkAndRefusesWhatIsNeither) {
  // "名称" and "甲" in GBK.
  const std::string gbk = "uscc,\xC3\xFB\xB3\xC6\n91330100MA2B3C4D5N,\xBC\xD7\n";
  std::string encoding;
  auto text = ToUtf8(gbk, &encoding);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(encoding, "gb18030");
  EXPECT_EQ(*text, "uscc,名称\n91330100MA2B3C4D5N,甲\n");
  auto c = CheckImport(Licences(), Standard(), gbk);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->encoding, "gb18030");
  EXPECT_EQ(c->records.size(), 1u);
  auto bad = ToUtf8("uscc\nok\n\xFF\xFF\xFF\n", &encoding);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 3"), std::string::npos) << bad.error().message;
  EXPECT_EQ(bad.error().reason, "invalid_encoding");
}

TEST(Quality, TimelinessFallsWithLateness) {
  Resource r = Licences();
  r.cycle = Cycle::kDaily;
  r.last_import_at = 1'000'000;
  EXPECT_DOUBLE_EQ(Timeliness(r, r.last_import_at + kMicrosPerHour), 1);
  EXPECT_DOUBLE_EQ(Timeliness(r, r.last_import_at + 2 * kMicrosPerDay), 0.5);
  EXPECT_DOUBLE_EQ(Timeliness(r, r.last_import_at + 10 * kMicrosPerDay), 0);
}

}  // namespace
}  // namespace xietong::exchange
