// The demo catalogue (app/demo_matters.cc): it validates, covers the city,
// seeds on every backend and suggests the right leaf for typical calls.
#include "app/demo_matters.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "audit/verify.h"
#include "core/clock.h"
#include "core/id.h"
#include "identity/identity.h"
#include "matters/matter_service.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using matters::DefaultFinishLimit;
using matters::HandlerLevel;
using matters::Matter;
using matters::ParentCode;
using matters::Tier;
using matters::Validate;

identity::Principal CityAdmin() {
  identity::Principal p;
  p.account_id = "admin-account";
  p.username = "admin";
  p.memberships.push_back({"m1", p.account_id, "city", "江澜市", "/city/", identity::Role::kAdmin});
  return p;
}

class DemoMattersSeedTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(db(), {&matters::Schema()}, 0));
    service_ = std::make_unique<matters::MatterService>(db(), clock_, ids_);
  }

  storage::Database& db() { return t_->db(); }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{1'790'000'000'000'000};
  IdGenerator ids_{clock_};
  std::unique_ptr<matters::MatterService> service_;
  identity::Principal admin_ = CityAdmin();
};

TEST_P(DemoMattersSeedTest, TheDemoCatalogueSeedsAndSuggestsTheRightLeaf) {
  auto seeded = service_->Seed(admin_, DemoMatters());
  ASSERT_TRUE(seeded) << seeded.error().message;
  EXPECT_EQ(static_cast<std::size_t>(*seeded), DemoMatters().size());
  auto catalog = service_->Snapshot();
  ASSERT_TRUE(catalog);
  const std::map<std::string, std::string> cases = {
      {"楼下广场舞音响太吵了，每天晚上九点还在跳", "广场舞噪音"},
      {"小区门口烧烤店油烟很大，熏得没法开窗", "餐饮油烟"},
      {"公司已经三个月不发工资了，老板躲着不见", "拖欠工资"},
      {"厨房里闻到很浓的煤气味，很害怕", "燃气泄漏"},
      {"我被困在电梯里了，电梯困人快来人", "电梯困人"},
      {"孩子小升初划片入学的学位问题", "入学与学位"},
      {"健身卡办了以后店跑路了，要求退卡", "预付卡退费"},
      {"邻居在楼道里飞线充电，很危险", "电动车违规充电"},
  };
  for (const auto& [text, expected] : cases) {
    auto s = (*catalog)->Suggest(text, 3);
    ASSERT_FALSE(s.empty()) << text;
    EXPECT_EQ(s[0].matter->name, expected) << text;
    EXPECT_GT(s[0].confidence, 0.5) << text;
    double sum = 0;
    for (const auto& x : s) sum += x.confidence;
    EXPECT_LE(sum, 1.0 + 1e-9);
  }
  auto report = audit::Verify(db(), {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_EQ(report->events, *seeded);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoMattersSeedTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

// The demo catalogue itself (no database).
TEST(DemoMattersTest, ValidatesAndCoversTheCity) {
  const std::vector<Matter> all = DemoMatters();
  std::set<std::string> codes;
  std::set<std::string> level1;
  int leaves = 0;
  const std::set<std::string> departments = {
      "JL-D01", "JL-D02", "JL-D03", "JL-D04", "JL-D05", "JL-D06", "JL-D07", "JL-D08", "JL-D09",
      "JL-D10", "JL-D11", "JL-D12", "JL-D13", "JL-D14", "JL-D15", "JL-D16", "JL-D17", "JL-D18"};
  std::map<Tier, int> tiers;
  for (const auto& m : all) {
    EXPECT_TRUE(Validate(m)) << m.code << " " << m.name << ": " << Validate(m).error().message;
    EXPECT_TRUE(codes.insert(m.code).second) << "duplicate code " << m.code;
    EXPECT_FALSE(m.name_en.empty()) << m.code;
    const std::string_view parent = ParentCode(m.code);
    if (!parent.empty()) {
      EXPECT_TRUE(codes.contains(std::string(parent))) << m.code;
    }
    if (m.level == 1) level1.insert(m.name);
    if (!m.is_leaf()) continue;
    ++leaves;
    ++tiers[m.tier];
    EXPECT_GE(m.keywords.size(), 3u) << m.code;
    EXPECT_LE(m.keywords.size(), 8u) << m.code;
    EXPECT_TRUE(m.legal_basis.starts_with("《")) << m.code;
    EXPECT_EQ(m.finish_limit, DefaultFinishLimit(m.tier)) << m.code;
    if (m.handler == HandlerLevel::kCityDepartment) {
      EXPECT_TRUE(departments.contains(m.department_code)) << m.code << " " << m.department_code;
    }
    if (m.handler == HandlerLevel::kDistrictDepartment) {
      EXPECT_TRUE(m.department_code == "D01" || m.department_code == "D02") << m.code;
    }
  }
  EXPECT_GE(leaves, 100);
  for (const char* name :
       {"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"})
    EXPECT_TRUE(level1.contains(name)) << name;
  EXPECT_GE(tiers[Tier::kEmergency], 3);
  EXPECT_GE(tiers[Tier::kUrgent], 10);
  EXPECT_GE(tiers[Tier::kComplex], 5);
  EXPECT_GT(tiers[Tier::kGeneral], leaves / 2);
}

}  // namespace
}  // namespace xietong::app
