// The catalogue's vocabulary: definitions parse with every problem named,
// 就高从严 grading, values checked against their data elements, masks, and
// the DCAT-AP export's shape (its RDF validity is checked by dcat_check.py).
#include "exchange/catalog.h"

#include <gtest/gtest.h>

#include "exchange/dcat.h"

namespace xietong::exchange {
namespace {

Elements Standard() {
  Elements e;
  for (const auto& x : StandardElements()) e.emplace(x.code, x);
  return e;
}

json::Json Household() {
  return {
      {"code", "JL-GA-001"},
      {"title", "户籍人口信息"},
      {"description", "江澜市户籍人口的基本信息"},
      {"cycle", "daily"},
      {"share", "conditional"},
      {"share_condition", "用于社会救助、民政业务核验"},
      {"open", "closed"},
      {"key_field", "id_number"},
      {"keywords", {"户籍", "人口"}},
      {"fields",
       {{{"name", "id_number"},
         {"title", "公民身份号码"},
         {"element", "id_number"},
         {"grade", "important"}},
        {{"name", "name"}, {"title", "姓名"}, {"element", "person_name"}},
        {{"name", "birth_date"}, {"title", "出生日期"}, {"type", "date"}},
        {{"name", "address"}, {"title", "户籍地址"}, {"element", "address"}, {"grade", "core"}}}}};
}

TEST(Catalog, ParsesADefinitionAndGradesItByItsHighestField) {
  auto r = ParseResource(Household(), Standard());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->fields.size(), 4u);
  EXPECT_TRUE(r->fields[0].required) << "the key is always required";
  EXPECT_TRUE(r->fields[1].personal) << "a person_name field is personal data";
  EXPECT_EQ(r->grade, Grade::kGeneral);
  EXPECT_EQ(EffectiveGrade(*r), Grade::kCore) << "就高从严";
  auto back = DecodeResource(ResourceJson(*r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(ResourceJson(*back), ResourceJson(*r));
}

TEST(Catalog, NamesEveryProblemOfADefinition) {
  json::Json bad = Household();
  bad["share"] = "sometimes";
  bad["fields"][1]["element"] = "no_such_element";
  bad["fields"][2]["name"] = "id_number";
  bad["key_field"] = "nope";
  bad.erase("title");
  auto r = ParseResource(bad, Standard());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& d : r.error().details) fields.insert(d.field);
  for (const char* f : {"share", "fields[1].element", "fields[2].name", "key_field", "title"})
    EXPECT_TRUE(fields.contains(f)) << f << " should be named";
}

TEST(Catalog, ChecksValuesAgainstTheirElements) {
  const auto e = Standard();
  Field id{.name = "id", .title = "身份证", .element = "id_number"};
  EXPECT_FALSE(CheckValue(id, &e.at("id_number"), "11010519491231002X"));
  EXPECT_EQ(CheckValue(id, &e.at("id_number"), "110105194912310021"), "invalid_id_number");
  Field sex{.name = "sex", .title = "性别", .element = "sex"};
  EXPECT_FALSE(CheckValue(sex, &e.at("sex"), "2"));
  EXPECT_EQ(CheckValue(sex, &e.at("sex"), "女"), "not_in_code_list");
  Field plate{.name = "plate", .title = "号牌", .element = "plate"};
  EXPECT_FALSE(CheckValue(plate, &e.at("plate"), "浙A12345"));
  EXPECT_EQ(CheckValue(plate, &e.at("plate"), "AA12345"), "pattern_mismatch");
  Field n{.name = "n", .title = "数量", .type = "integer"};
  EXPECT_FALSE(CheckValue(n, nullptr, "-42"));
  EXPECT_EQ(CheckValue(n, nullptr, "4.2"), "not_integer");
  Field d{.name = "d", .title = "日期", .type = "date"};
  EXPECT_EQ(CheckValue(d, nullptr, "2026-02-30"), "not_date");
}

TEST(Catalog, MasksByTheElementsRule) {
  const auto e = Standard();
  Field id{.name = "id", .title = "身份证", .element = "id_number", .personal = true};
  EXPECT_EQ(MaskValue(id, &e.at("id_number"), "110105194912310021"), "110***********0021");
  Field name{.name = "name", .title = "姓名", .element = "person_name", .personal = true};
  EXPECT_EQ(MaskValue(name, &e.at("person_name"), "张三"), "张*");
  Field phone{.name = "phone", .title = "手机", .element = "mobile", .personal = true};
  EXPECT_EQ(MaskValue(phone, &e.at("mobile"), "13812345678"), "138****5678");
  Field addr{.name = "addr", .title = "地址", .element = "address", .personal = true};
  EXPECT_EQ(MaskValue(addr, &e.at("address"), "江澜市临江区滨江路88号3幢"), "江澜市临江区****");
  Field plain{.name = "licence", .title = "许可证号"};
  EXPECT_EQ(MaskValue(plain, nullptr, "JY13301020001"), "JY13301020001");
}

TEST(Catalog, ExportsOneGraphInBothSerialisations) {
  auto r = ParseResource(Household(), Standard());
  ASSERT_TRUE(r);
  r->id = "res1";
  r->owner_unit_id = "u-ga";
  r->owner_name = "市公安局";
  r->created_at = r->updated_at = 1'795'399'200'000'000;
  Resource closed = *r;
  closed.id = "res2";
  closed.share = Share::kNone;
  CatalogInfo info{.base_url = "http://127.0.0.1:8080",
                   .publisher_id = "u-city",
                   .publisher_name = "江澜市人民政府",
                   .modified = 1'795'399'200'000'000};
  const std::string ttl = CatalogTurtle(info, {*r, closed});
  const auto ld = json::Json::parse(CatalogJsonLd(info, {*r, closed}));
  EXPECT_NE(ttl.find("access-right/RESTRICTED>"), std::string::npos);
  EXPECT_NE(ttl.find("access-right/NON_PUBLIC>"), std::string::npos);
  EXPECT_NE(ttl.find("frequency/DAILY>"), std::string::npos);
  EXPECT_NE(ttl.find("\"户籍人口信息\"@zh"), std::string::npos);
  // A 不予共享 resource is listed but has no distribution.
  EXPECT_NE(ttl.find("resources/res1/distribution"), std::string::npos);
  EXPECT_EQ(ttl.find("resources/res2/distribution"), std::string::npos);
  std::size_t datasets = 0;
  for (const auto& node : ld["@graph"])
    if (node.contains("@type") && node["@type"].dump().find("dcat:Dataset") != std::string::npos)
      ++datasets;
  EXPECT_EQ(datasets, 2u);
}

}  // namespace
}  // namespace xietong::exchange
