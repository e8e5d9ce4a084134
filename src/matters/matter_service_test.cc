// MatterService against real databases (every backend). The demo catalogue
// is tested with the app (app/demo_matters_test.cc): matters may not see app/.
#include "matters/matter_service.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "identity/authorization.h"
#include "matters/matter_store.h"
#include "storage/testing.h"

namespace xietong::matters {
namespace {

identity::Principal Admin() {
  identity::Principal p;
  p.account_id = "admin-account";
  p.username = "admin";
  p.memberships.push_back({"m1", p.account_id, "city", "江澜市", "/city/", identity::Role::kAdmin});
  return p;
}

identity::Principal DistrictAdmin() {
  identity::Principal p;
  p.account_id = "district-admin";
  p.username = "district.admin";
  p.memberships.push_back(
      {"m2", p.account_id, "d1", "临江区", "/city/d1/", identity::Role::kAdmin});
  return p;
}

Matter Input(std::optional<std::string> parent, std::string code, std::string name,
             std::vector<std::string> keywords = {}) {
  Matter m;
  m.parent_id = std::move(parent);
  m.code = std::move(code);
  m.name = std::move(name);
  m.name_en = "x";
  m.keywords = std::move(keywords);
  return m;
}

template <typename F>
MatterUpdate Changes(F&& set) {
  MatterUpdate u;
  set(u);
  return u;
}

class MatterServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(db(), {&Schema()}, 0));
    service_ = std::make_unique<MatterService>(db(), clock_, ids_);
  }

  storage::Database& db() { return t_->db(); }

  Matter Make(Matter input) {
    auto r = service_->Create(admin_, std::move(input));
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(Matter{});
  }

  // 02 环境保护 / 02-01 噪声污染 / 02-01-01 广场舞噪音.
  void MakeTree() {
    env_ = Make(Input(std::nullopt, "02", "环境保护"));
    noise_ = Make(Input(env_.id, "02-01", "噪声污染", {"噪音"}));
    Matter leaf = Input(noise_.id, "02-01-01", "广场舞噪音", {"广场舞", "音响"});
    leaf.handler = HandlerLevel::kStreet;
    leaf.legal_basis = "《中华人民共和国噪声污染防治法》";
    dance_ = Make(leaf);
  }

  std::int64_t CountEvents(std::string_view action) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(
          auto row, ex.QueryOne("SELECT COUNT(*) FROM audit_events WHERE action = ?", {action}));
      return row->Int(0);
    });
    return n.value_or(-1);
  }

  ManualClock clock_{1'790'000'000'000'000};
  IdGenerator ids_{clock_};
  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::unique_ptr<MatterService> service_;
  identity::Principal admin_ = Admin();
  Matter env_, noise_, dance_;
};

TEST_P(MatterServiceTest, CreatesAThreeLevelTree) {
  MakeTree();
  EXPECT_EQ(env_.level, 1);
  EXPECT_FALSE(env_.parent_id);
  EXPECT_EQ(noise_.level, 2);
  EXPECT_EQ(dance_.level, 3);
  EXPECT_EQ(dance_.parent_id, noise_.id);
  EXPECT_EQ(dance_.version, 1);
  EXPECT_EQ(dance_.updated_at, clock_.Now());
  EXPECT_TRUE(IsValidId(dance_.id));
  auto got = service_->Get(dance_.id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, dance_);
  EXPECT_EQ(CountEvents("matter.created"), 3);
  auto missing = service_->Get("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("01ARZ3NDEKTSV4RRFFQ69G5FAV"), std::string::npos);
}

TEST_P(MatterServiceTest, CategoriesKeepNoLeafRules) {
  Matter in = Input(std::nullopt, "05", "劳动和社会保障");
  in.handler = HandlerLevel::kCityDepartment;
  in.department_code = "JL-D06";
  in.tier = Tier::kComplex;
  Matter made = Make(in);
  EXPECT_EQ(made.handler, HandlerLevel::kStreet);
  EXPECT_EQ(made.department_code, "");
  EXPECT_EQ(made.tier, Tier::kGeneral);
}

TEST_P(MatterServiceTest, TheCodeMustExtendTheParentsAndBeNew) {
  MakeTree();
  auto wrong_prefix = service_->Create(admin_, Input(noise_.id, "03-01-01", "别处"));
  ASSERT_FALSE(wrong_prefix);
  EXPECT_EQ(wrong_prefix.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(wrong_prefix.error().message.find("'02-01'"), std::string::npos)
      << wrong_prefix.error().message;
  auto wrong_level = service_->Create(admin_, Input(noise_.id, "02-01", "同级"));
  ASSERT_FALSE(wrong_level);
  EXPECT_EQ(wrong_level.error().code, ErrorCode::kInvalidArgument);
  auto under_leaf = service_->Create(admin_, Input(dance_.id, "02-01-01-01", "第四级"));
  ASSERT_FALSE(under_leaf);
  EXPECT_EQ(under_leaf.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(under_leaf.error().message.find("leaf"), std::string::npos);
  auto no_parent = service_->Create(admin_, Input("01ARZ3NDEKTSV4RRFFQ69G5FAV", "02-02", "孤儿"));
  ASSERT_FALSE(no_parent);
  EXPECT_EQ(no_parent.error().code, ErrorCode::kNotFound);
  auto duplicate = service_->Create(admin_, Input(noise_.id, "02-01-01", "又一个广场舞"));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  EXPECT_NE(duplicate.error().message.find("广场舞噪音"), std::string::npos);
  auto bad_name = service_->Create(admin_, Input(noise_.id, "02-01-02", ""));
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().message.find("'name'"), std::string::npos);
  EXPECT_EQ(CountEvents("matter.created"), 3);  // nothing failed left a trace
}

TEST_P(MatterServiceTest, OnlyACityWideAdminChangesMatters) {
  MakeTree();
  for (const auto& who : {DistrictAdmin(), identity::Principal{}}) {
    auto create = service_->Create(who, Input(noise_.id, "02-01-02", "施工噪音"));
    ASSERT_FALSE(create);
    EXPECT_EQ(create.error().code, ErrorCode::kPermissionDenied);
    auto update = service_->Update(who, dance_.id, 1, Changes([](auto& u) { u.name = "改名"; }));
    ASSERT_FALSE(update);
    EXPECT_EQ(update.error().code, ErrorCode::kPermissionDenied);
    auto seed = service_->Seed(who, {Input(std::nullopt, "09", "公安政法")});
    ASSERT_FALSE(seed);
    EXPECT_EQ(seed.error().code, ErrorCode::kPermissionDenied);
  }
  EXPECT_TRUE(service_->Create(identity::Principal::System(), Input(std::nullopt, "09", "公安")));
}

TEST_P(MatterServiceTest, UpdateBumpsTheVersionAndKeepsTheOldRules) {
  MakeTree();
  clock_.Advance(kMicrosPerHour);
  auto updated = service_->Update(admin_, dance_.id, 1, Changes([](MatterUpdate& u) {
                                    u.tier = Tier::kUrgent;
                                    u.finish_limit = Limit{24, LimitUnit::kNaturalHours};
                                    u.keywords = std::vector<std::string>{"广场舞", "音响", "跳舞"};
                                  }));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->tier, Tier::kUrgent);
  EXPECT_EQ(updated->updated_at, clock_.Now());
  EXPECT_EQ(updated->name, "广场舞噪音");  // unchanged fields stay

  auto v1 = service_->GetVersion(dance_.id, 1);
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(*v1, dance_);  // exactly the rules requests dispatched under v1 saw
  auto v2 = service_->GetVersion(dance_.id, 2);
  ASSERT_TRUE(v2);
  EXPECT_EQ(*v2, *updated);
  auto versions = service_->Versions(dance_.id);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 2);  // newest first
  EXPECT_EQ((*versions)[1].finish_limit, (Limit{7, LimitUnit::kWorkingDays}));
  auto v3 = service_->GetVersion(dance_.id, 3);
  ASSERT_FALSE(v3);
  EXPECT_EQ(v3.error().code, ErrorCode::kNotFound);
  EXPECT_NE(v3.error().message.find("1 to 2"), std::string::npos);
  EXPECT_EQ(CountEvents("matter.updated"), 1);

  // The audit chain records what changed.
  auto events = db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, dance_.id); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  auto payload = json::Json::parse(events->back().payload);
  EXPECT_EQ(payload["version"], 2);
  EXPECT_EQ(payload["changes"]["tier"]["from"], "general");
  EXPECT_EQ(payload["changes"]["tier"]["to"], "urgent");
  EXPECT_FALSE(payload["changes"].contains("name"));
}

TEST_P(MatterServiceTest, StaleVersionsConflictAndNoChangeIsNoVersion) {
  MakeTree();
  ASSERT_TRUE(service_->Update(admin_, dance_.id, 1, Changes([](auto& u) { u.name = "广场舞"; })));
  auto stale = service_->Update(admin_, dance_.id, 1, Changes([](auto& u) { u.name = "跳舞"; }));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_NE(stale.error().message.find("version 2"), std::string::npos);
  auto same = service_->Update(admin_, dance_.id, 2, Changes([](auto& u) { u.name = "广场舞"; }));
  ASSERT_TRUE(same);
  EXPECT_EQ(same->version, 2);
  auto gone = service_->Update(admin_, "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1, {});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
}

TEST_P(MatterServiceTest, UpdatesAreValidated) {
  MakeTree();
  auto leaf_field_on_category =
      service_->Update(admin_, noise_.id, 1, Changes([](auto& u) { u.tier = Tier::kUrgent; }));
  ASSERT_FALSE(leaf_field_on_category);
  EXPECT_NE(leaf_field_on_category.error().message.find("'tier'"), std::string::npos);
  auto no_department = service_->Update(
      admin_, dance_.id, 1, Changes([](auto& u) { u.handler = HandlerLevel::kCityDepartment; }));
  ASSERT_FALSE(no_department);
  EXPECT_NE(no_department.error().message.find("'department_code'"), std::string::npos);
  auto to_department = service_->Update(admin_, dance_.id, 1, Changes([](auto& u) {
                                          u.handler = HandlerLevel::kCityDepartment;
                                          u.department_code = "JL-D03";
                                        }));
  ASSERT_TRUE(to_department) << to_department.error().message;
  // Back to the street: the department code goes with it.
  auto to_street = service_->Update(admin_, dance_.id, 2,
                                    Changes([](auto& u) { u.handler = HandlerLevel::kStreet; }));
  ASSERT_TRUE(to_street) << to_street.error().message;
  EXPECT_EQ(to_street->department_code, "");
}

TEST_P(MatterServiceTest, SnapshotFollowsChanges) {
  MakeTree();
  auto first = service_->Snapshot();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ((*first)->all().size(), 3u);
  auto again = service_->Snapshot();
  EXPECT_EQ(first->get(), again->get());  // served from memory
  ASSERT_TRUE(service_->Update(admin_, dance_.id, 1, Changes([](auto& u) { u.active = false; })));
  auto after = service_->Snapshot();
  ASSERT_TRUE(after);
  EXPECT_NE(first->get(), after->get());
  EXPECT_FALSE((*after)->Find(dance_.id)->active);
  EXPECT_TRUE((*first)->Find(dance_.id)->active);  // old snapshots stay as they were
  EXPECT_TRUE((*after)->Suggest("广场舞音响", 3).empty());

  // Another node's change shows once the snapshot's time is up.
  MatterService other(db(), clock_, ids_);
  ASSERT_TRUE(other.Update(admin_, dance_.id, 2, Changes([](auto& u) { u.active = true; })));
  EXPECT_FALSE((*service_->Snapshot())->Find(dance_.id)->active);
  clock_.Advance(31 * kMicrosPerSecond);
  EXPECT_TRUE((*service_->Snapshot())->Find(dance_.id)->active);
}

TEST_P(MatterServiceTest, SeedIsIdempotentByCode) {
  const std::vector<Matter> list = {
      Input(std::nullopt, "02", "环境保护"),
      Input(std::nullopt, "02-01", "噪声污染"),  // parents are found by code
      Input(std::nullopt, "02-01-01", "广场舞噪音", {"广场舞"}),
      Input(std::nullopt, "02-01-02", "施工噪音", {"施工"}),
  };
  auto first = service_->Seed(admin_, list);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 4);
  auto second = service_->Seed(admin_, list);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 0);
  auto catalog = service_->Snapshot();
  ASSERT_TRUE(catalog);
  ASSERT_EQ((*catalog)->all().size(), 4u);
  const Matter* leaf = (*catalog)->FindByCode("02-01-02");
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(leaf->level, 3);
  EXPECT_EQ(leaf->parent_id, (*catalog)->FindByCode("02-01")->id);
  auto orphan = service_->Seed(admin_, {Input(std::nullopt, "07-01-01", "无父")});
  ASSERT_FALSE(orphan);
  EXPECT_NE(orphan.error().message.find("'07-01'"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, MatterServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::matters
