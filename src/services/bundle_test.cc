// Bundles: a definition is parsed whole or refused naming the field; the
// check digits of 公民身份号码 and 统一社会信用代码; one form checked with every
// bad field named at once; corrections limited to what was asked.
#include "services/bundle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace xietong::services {
namespace {

json::Json Restaurant() {
  std::ifstream in(std::string(XIETONG_SERVICES_DIR) + "/open-restaurant.json");
  std::stringstream s;
  s << in.rdbuf();
  return json::Json::parse(s.str());
}

TEST(ParseBundle, ReadsTheDemoRestaurantAndWritesItBackTheSame) {
  auto b = ParseBundle(Restaurant());
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->code, "open-restaurant");
  EXPECT_EQ(b->process_id, "open_restaurant");
  ASSERT_EQ(b->parts.size(), 4u);
  EXPECT_EQ(b->parts[1].unit_code, "JL-D09");
  EXPECT_EQ(b->parts[1].certificate.zh, "食品经营许可证");
  EXPECT_EQ(b->Field("legal_person_id")->type, FieldType::kIdNumber);
  EXPECT_EQ(b->Field("business_type")->options.size(), 3u);
  auto again = ParseBundle(BundleJson(*b));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(BundleJson(*again), BundleJson(*b));
}

TEST(ParseBundle, RefusesABrokenDefinitionNamingTheField) {
  struct Case {
    std::string field;
    std::function<void(json::Json&)> breaks;
  };
  const std::vector<Case> cases = {
      {"code", [](json::Json& d) { d["code"] = "Open Restaurant"; }},
      {"title", [](json::Json& d) { d.erase("title"); }},
      {"parts", [](json::Json& d) { d["parts"] = json::Json::array(); }},
      {"parts[1].key", [](json::Json& d) { d["parts"][1]["key"] = "licence"; }},
      {"parts[0].promised_days", [](json::Json& d) { d["parts"][0]["promised_days"] = 99; }},
      {"parts[0].certificate_prefix",
       [](json::Json& d) { d["parts"][0].erase("certificate_prefix"); }},
      {"fields[0].type", [](json::Json& d) { d["fields"][0]["type"] = "colour"; }},
      {"fields[7].options", [](json::Json& d) { d["fields"][7].erase("options"); }},
      {"materials[0].parts", [](json::Json& d) { d["materials"][0]["parts"] = {"kitchen"}; }},
      {"fields[1].prefill", [](json::Json& d) { d["fields"][1]["prefill"] = "account.password"; }},
      {"holder_field", [](json::Json& d) { d["holder_field"] = "nobody"; }},
      {"fees[0].amount_fen", [](json::Json& d) { d["fees"][0]["amount_fen"] = -5; }},
      {"audience", [](json::Json& d) { d["audience"] = "robots"; }},
  };
  for (const auto& c : cases) {
    json::Json d = Restaurant();
    c.breaks(d);
    auto b = ParseBundle(d);
    ASSERT_FALSE(b) << c.field;
    EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument) << c.field;
    EXPECT_EQ(b.error().field, c.field) << b.error().message;
  }
  EXPECT_FALSE(ParseBundle(json::Json::array()));
}

TEST(CheckDigits, KnowIdNumbersAndCreditCodes) {
  EXPECT_TRUE(ValidIdNumber("11010519491231002X"));
  EXPECT_TRUE(ValidIdNumber("330102199003071230"));
  EXPECT_FALSE(ValidIdNumber("330102199003071231"));  // wrong check digit
  EXPECT_FALSE(ValidIdNumber("330102199002301230"));  // 30 February
  EXPECT_FALSE(ValidIdNumber("3301021990030712"));
  EXPECT_TRUE(ValidUscc("91350100M000100Y43"));
  EXPECT_FALSE(ValidUscc("91350100M000100Y44"));
  EXPECT_FALSE(ValidUscc("91350100M0001O0Y43"));  // O is not in the alphabet
  EXPECT_TRUE(ValidMobile("13800138000"));
  EXPECT_FALSE(ValidMobile("12800138000"));
  EXPECT_FALSE(ValidMobile("1380013800"));
  EXPECT_TRUE(ValidDate("2028-02-29"));
  EXPECT_FALSE(ValidDate("2027-02-29"));
  EXPECT_FALSE(ValidDate("2027-2-28"));
  EXPECT_EQ(Masked("330102199003071230"), "330***********1230");
}

class CheckFormTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = ParseBundle(Restaurant());
    ASSERT_TRUE(b);
    bundle_ = *b;
  }
  static json::Json GoodForm() {
    return {{"company_name", "老街坊面馆"},
            {"legal_person", "林晓"},
            {"legal_person_id", "330102199003071230"},
            {"phone", "13800138000"},
            {"address", "江澜市滨江区春江路18号"},
            {"area_m2", 86.5},
            {"seats", 24},
            {"business_type", "hot"},
            {"has_signage", true}};
  }
  static MaterialIds GoodMaterials() {
    return {{"id_card", {"f1"}}, {"lease", {"f2"}}, {"floor_plan", {"f3"}}};
  }
  Bundle bundle_;
};

TEST_F(CheckFormTest, AcceptsAGoodFormAndNormalisesIt) {
  json::Json form = GoodForm();
  form["legal_person_id"] = "11010519491231002x";  // a lower-case x is the same digit
  form["opening_date"] = "";                       // empty = not answered
  auto out = CheckForm(bundle_, form, GoodMaterials());
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)["legal_person_id"], "11010519491231002X");
  EXPECT_FALSE(out->contains("opening_date"));
  EXPECT_EQ((*out)["seats"], 24);
}

TEST_F(CheckFormTest, NamesEveryBadFieldAtOnce) {
  json::Json form = GoodForm();
  form.erase("address");
  form["legal_person_id"] = "330102199003071231";
  form["seats"] = "twenty";
  form["business_type"] = "bar";
  form["phone"] = "12345";
  form["colour"] = "red";
  MaterialIds materials = GoodMaterials();
  materials.erase("lease");
  auto out = CheckForm(bundle_, form, materials);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  std::map<std::string, std::string> got;
  for (const auto& d : out.error().details) got[d.field] = d.reason;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"form.address", "required"},
                                                     {"form.legal_person_id", "invalid"},
                                                     {"form.seats", "wrong_type"},
                                                     {"form.business_type", "invalid"},
                                                     {"form.phone", "invalid"},
                                                     {"form.colour", "unknown"},
                                                     {"materials.lease", "required"}}));
  EXPECT_FALSE(out.error().field.empty());
}

TEST_F(CheckFormTest, ACorrectionRoundTakesOnlyWhatWasAsked) {
  auto fixed = CheckForm(bundle_, {{"address", "江澜市滨江区春江路20号"}}, {{"lease", {"f9"}}},
                         {"address", "lease"});
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(fixed->size(), 1u);
  auto more = CheckForm(bundle_, {{"address", "江澜市"}, {"seats", 30}}, {}, {"address"});
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().field, "form.seats");
  EXPECT_EQ(more.error().reason, "not_asked");
  auto hostile = CheckForm(bundle_, {{"address", std::string(300, 'x')}}, {}, {"address"});
  ASSERT_FALSE(hostile);
  EXPECT_EQ(hostile.error().reason, "too_long");
  EXPECT_FALSE(CheckForm(bundle_, json::Json::array(), {}));
}

}  // namespace
}  // namespace xietong::services
