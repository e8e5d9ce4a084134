// RoutingService on every backend: the insight.intake consumer records each intake's
// suggestions and the category decided exactly once, follows re-categorisation, and the
// administrator's accuracy for a month, per model version, with the most-mixed categories named.
#include "insight/routing_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "insight/routing_store.h"
#include "insight/test_city.h"
#include "requests/request_service.h"
#include "storage/testing.h"

namespace xietong::insight {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNov9 = 1'794'189'600'000'000;  // 2026-11-09 10:00 +08:00
constexpr Timestamp kDec7 = 1'796'608'800'000'000;  // 2026-12-07 10:00 +08:00

std::string Rect(double lon0, double lat0, double lon1, double lat1) {
  return fmt::format(
      R"({{"type":"Polygon","coordinates":[[[{0},{1}],[{2},{1}],[{2},{3}],[{0},{3}],[{0},{1}]]]}})",
      lon0, lat0, lon1, lat1);
}

class RoutingServiceTest : public TestCity {
 protected:
  RoutingServiceTest()
      : TestCity(kDec7, {.units = false, .catalogue = Catalogue::kNone, .stored_accounts = false}) {
  }

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TestCity::SetUp());
    service_ = std::make_unique<RoutingService>(db(), clock_, ids_, *requests_, *matters_);
    consumer_ = std::make_unique<audit::Consumer>(
        db(), clock_, "node-1", RoutingService::ConsumerOptions(),
        [this](storage::Executor& ex, const audit::Event& e) { return service_->OnEvent(ex, e); });

    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市", Rect(120.0, 30.0, 120.2, 30.2));
    centre_ = Unit(city_.id, UnitKind::kCentre, "JL-12345", "12345热线中心", std::nullopt);
    const OrgUnit district =
        Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区", Rect(120.0, 30.0, 120.2, 30.2));
    const OrgUnit street = Unit(district.id, UnitKind::kStreet, "JL-01-01", "望湖街道",
                                Rect(120.0, 30.0, 120.2, 30.2));
    const OrgUnit community = Unit(street.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区",
                                   Rect(120.0, 30.0, 120.2, 30.2));
    Unit(community.id, UnitKind::kGrid, "JL-01-01-01-01", "湖畔社区第一网格",
         Rect(120.0, 30.0, 120.2, 30.2));
    std::vector<matters::Matter> list = {Category("01", "城乡建设"), Category("01-01", "市容环境"),
                                         Category("02", "环境保护"), Category("02-01", "污染防治")};
    auto leaf = [&](std::string code, std::string name, std::vector<std::string> keywords) {
      auto m = Category(std::move(code), std::move(name));
      m.handler = matters::HandlerLevel::kStreet;
      m.keywords = std::move(keywords);
      m.sign_limit = {2, matters::LimitUnit::kWorkingHours};
      m.finish_limit = {7, matters::LimitUnit::kWorkingDays};
      m.return_window = {4, matters::LimitUnit::kWorkingHours};
      list.push_back(std::move(m));
    };
    leaf("01-01-01", "占道经营", {"占道", "摆摊"});
    leaf("01-01-02", "餐饮油烟", {"油烟"});
    leaf("02-01-01", "噪声扰民", {"噪声"});
    ASSERT_NO_FATAL_FAILURE(Seed(list));
    stalls_ = CategoryId("01-01-01");
    fumes_ = CategoryId("01-01-02");
    noise_ = CategoryId("02-01-01");
    level1_build_ = CategoryId("01");
    level1_env_ = CategoryId("02");

    operator_ = As("op", centre_, Role::kOperator);
    supervisor_ = As("sup", centre_, Role::kSupervisor);
    leader_ = As("leader", city_, Role::kLeader);
    handler_ = As("h", street, Role::kHandler);
  }

  // An event as requests would record it.
  void Event(Timestamp at, std::string action, std::string subject, json::Json payload) {
    auto r = db().Write([&](storage::Executor& ex) {
      return audit::Append(ex, at, {"acct-op", action, subject, payload});
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  // request.received of a classifier's intake: s1 (confidence c1), s2, chosen.
  void Received(Timestamp at, const std::string& id, const std::string& s1, const std::string& s2,
                const std::string& chosen, bool auto_routed, const std::string& version = "v1") {
    json::Json suggestions =
        json::Json::array({{{"matter_id", s1}, {"code", "x"}, {"confidence", 0.8}},
                           {{"matter_id", s2}, {"code", "y"}, {"confidence", 0.1}}});
    Event(at, "request.received", id,
          {{"number", id},
           {"channel", "phone"},
           {"matter_id", chosen},
           {"suggested_by", "classifier"},
           {"suggestions", suggestions},
           {"model_version", version},
           {"auto_routed", auto_routed},
           {"intake_seconds", 95}});
  }

  std::vector<IntakeDecision> Decisions() {
    auto r = db().Read([](storage::Executor& ex) {
      return store::DecisionsReceived(ex, 0, std::numeric_limits<Timestamp>::max());
    });
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(std::vector<IntakeDecision>{});
  }

  void CatchUp() {
    auto n = consumer_->CatchUp();
    ASSERT_TRUE(n) << n.error().message;
  }

  std::unique_ptr<RoutingService> service_;
  std::unique_ptr<audit::Consumer> consumer_;
  OrgUnit centre_;
  std::string noise_, level1_build_, level1_env_;  // and TestCity's stalls_, fumes_
  Principal operator_, supervisor_, leader_, handler_;
};

TEST_P(RoutingServiceTest, ReceivedAndRecategorisedAreRecordedExactlyOnce) {
  Received(kNov9, "r1", stalls_, fumes_, stalls_, true, "v2");
  Event(kNov9 + 10, "request.signed", "r1", {{"number", "r1"}});  // passed over
  Event(kNov9 + 20, "request.transferred", "r1", {{"number", "r1"}, {"unit_id", "u2"}});
  Event(kNov9 + 30, "request.dispatched", "r1",
        {{"number", "r1"}, {"matter_id", fumes_}, {"from_matter_id", stalls_}});
  Event(kNov9 + 40, "request.dispatched", "unknown",
        {{"number", "x"}, {"matter_id", fumes_}, {"from_matter_id", ""}});
  CatchUp();
  CatchUp();  // nothing new: nothing changes

  auto ds = Decisions();
  ASSERT_EQ(ds.size(), 1u);
  const IntakeDecision& d = ds[0];
  EXPECT_EQ(d.request_id, "r1");
  EXPECT_EQ(d.received_at, kNov9);
  EXPECT_EQ(d.channel, "phone");
  EXPECT_EQ(d.suggested_by, "classifier");
  EXPECT_EQ(d.model_version, "v2");
  EXPECT_EQ(d.s1, stalls_);
  EXPECT_EQ(d.s2, fumes_);
  EXPECT_EQ(d.s3, "");
  EXPECT_DOUBLE_EQ(d.c1, 0.8);
  EXPECT_EQ(d.chosen_matter_id, stalls_);
  EXPECT_TRUE(d.auto_routed);
  EXPECT_EQ(d.final_matter_id, fumes_);
  EXPECT_TRUE(d.recategorised);
  EXPECT_EQ(d.intake_seconds, 95);
  EXPECT_EQ(d.updated_at, kNov9 + 30);

  // The same events handled again (another consumer from the chain's start)
  // leave one row, as it was.
  audit::Consumer again(
      db(), clock_, "node-2", {.name = "insight.intake.again", .action_prefix = "request."},
      [this](storage::Executor& ex, const audit::Event& e) { return service_->OnEvent(ex, e); });
  ASSERT_TRUE(again.CatchUp());
  ds = Decisions();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].final_matter_id, fumes_);
  EXPECT_TRUE(ds[0].recategorised);
}

// A category given later to a request left uncategorised is its final label,
// not a re-categorisation.
TEST_P(RoutingServiceTest, AFirstCategoryAfterIntakeIsNoRecategorisation) {
  Received(kNov9, "r1", stalls_, fumes_, "", false);
  Event(kNov9 + 30, "request.dispatched", "r1",
        {{"number", "r1"}, {"matter_id", fumes_}, {"from_matter_id", ""}});
  CatchUp();
  auto ds = Decisions();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].chosen_matter_id, "");
  EXPECT_EQ(ds[0].final_matter_id, fumes_);
  EXPECT_FALSE(ds[0].recategorised);
}

// Through the real intake: an operator's choice is stored with what the
// matters' keywords suggested.
TEST_P(RoutingServiceTest, AnOperatorsIntakeIsRecordedFromTheRealEvent) {
  requests::Intake in;
  in.channel = requests::Channel::kPhone;
  in.title = "小区门口占道摆摊";
  in.text = "南门每天晚上有小贩占道摆摊";
  in.matter_id = fumes_;
  in.place.lat = 30.05;
  in.place.lon = 120.05;
  in.contact_name = "陈女士";
  in.contact_phone = "13800001234";
  auto filed = requests_->Submit(operator_, in);
  ASSERT_TRUE(filed) << filed.error().message;
  CatchUp();
  auto ds = Decisions();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].request_id, filed->request.id);
  EXPECT_EQ(ds[0].channel, "phone");
  EXPECT_EQ(ds[0].suggested_by, "keywords");
  EXPECT_EQ(ds[0].model_version, "");
  EXPECT_EQ(ds[0].s1, stalls_);
  EXPECT_EQ(ds[0].chosen_matter_id, fumes_);
  EXPECT_FALSE(ds[0].auto_routed);
  EXPECT_EQ(ds[0].final_matter_id, fumes_);
}

TEST_P(RoutingServiceTest, TheMonthsAccuracyPerVersionWithTheMostMixedCategories) {
  // November: v1 right 3 of 4 (one override to fumes); v2 auto-routed, once
  // wrong (re-categorised to noise). December: one more, not counted.
  Received(kNov9, "a1", stalls_, fumes_, stalls_, false, "v1");
  Received(kNov9 + 1, "a2", stalls_, fumes_, stalls_, false, "v1");
  Received(kNov9 + 2, "a3", fumes_, stalls_, fumes_, false, "v1");
  Received(kNov9 + 3, "a4", stalls_, fumes_, fumes_, false, "v1");
  Received(kNov9 + 4, "b1", stalls_, fumes_, stalls_, true, "v2");
  Received(kNov9 + 5, "b2", stalls_, fumes_, stalls_, true, "v2");
  Event(kNov9 + 100, "request.transferred", "b2",
        {{"number", "b2"}, {"matter_id", noise_}, {"from_matter_id", stalls_}});
  Received(kDec7 - 100, "c1", noise_, fumes_, noise_, false, "v2");
  CatchUp();

  auto acc = service_->Accuracy(leader_, "2026-11");
  ASSERT_TRUE(acc) << acc.error().message;
  EXPECT_EQ(acc->month, "2026-11");
  const RoutingAccuracy& a = acc->accuracy;
  EXPECT_EQ(a.total.n, 6);
  EXPECT_DOUBLE_EQ(a.total.top1, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(a.total.top3, 5.0 / 6.0);  // noise was never suggested for b2
  ASSERT_EQ(a.versions.size(), 2u);
  EXPECT_EQ(a.versions[0].model_version, "v1");
  EXPECT_EQ(a.versions[0].n, 4);
  EXPECT_DOUBLE_EQ(a.versions[0].override_rate, 0.25);
  EXPECT_EQ(a.versions[1].model_version, "v2");
  EXPECT_DOUBLE_EQ(a.versions[1].auto_routed_share, 1.0);
  EXPECT_DOUBLE_EQ(a.versions[1].auto_routed_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(a.versions[1].recategorised_rate, 0.5);
  ASSERT_EQ(a.confused.size(), 2u);
  EXPECT_EQ(a.confused[0].suggested_name, "占道经营");
  EXPECT_TRUE(a.confused[0].final_name == "餐饮油烟" || a.confused[0].final_name == "噪声扰民");
  ASSERT_EQ(a.confused_level1.size(), 1u);  // stalls → fumes stays within 城乡建设
  EXPECT_EQ(a.confused_level1[0].suggested_id, level1_build_);
  EXPECT_EQ(a.confused_level1[0].suggested_name, "城乡建设");
  EXPECT_EQ(a.confused_level1[0].final_id, level1_env_);
  EXPECT_EQ(a.confused_level1[0].final_name, "环境保护");
  EXPECT_DOUBLE_EQ(a.confused_level1[0].share_of_final, 1.0);

  // December has its one request.
  auto december = service_->Accuracy(leader_, "2026-12");
  ASSERT_TRUE(december) << december.error().message;
  EXPECT_EQ(december->accuracy.total.n, 1);
}

TEST_P(RoutingServiceTest, OnlyTheCitysManagersSeeItAndABadMonthIsRefused) {
  // insight.manage held below the root (the centre's supervisor) is not enough.
  for (const Principal* who : {&handler_, &supervisor_, &operator_}) {
    auto denied = service_->Accuracy(*who, "2026-11");
    ASSERT_FALSE(denied) << who->username;
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied) << who->username;
  }
  for (const char* bad : {"", "2026-13", "2026/11", "November"}) {
    auto r = service_->Accuracy(leader_, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

// Models live in the database, in chunks of at most 1 MiB, checked by size and sha256 when read.
TEST_P(RoutingServiceTest, AStoredModelComesBackByteForByteAndOneIsActive) {
  std::string bytes;
  for (std::size_t i = 0; i < store::kModelChunkBytes * 5 / 2; ++i)
    bytes += static_cast<char>((i * 131 + i / 7) & 0xff);
  auto stored = db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(const std::int64_t first, store::NextModelVersion(ex, "routing"));
    EXPECT_EQ(first, 1);
    const store::ModelRow old{.id = "m1",
                              .kind = "routing",
                              .version = first,
                              .status = "retired",
                              .holdout = "{}",
                              .created_by = "system"};
    XT_TRY_VOID(store::InsertModel(ex, old, "old"));
    const store::ModelRow active{.id = "m2",
                                 .kind = "routing",
                                 .version = 2,
                                 .status = "active",
                                 .holdout = R"({"n":60})",
                                 .created_by = "system"};
    XT_TRY_VOID(store::InsertModel(ex, active, bytes));
    XT_ASSIGN_OR_RETURN(const std::int64_t next, store::NextModelVersion(ex, "routing"));
    EXPECT_EQ(next, 3);
    return {};
  });
  ASSERT_TRUE(stored) << stored.error().message;

  auto read = db().Read([&](storage::Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto active, store::ActiveModel(ex, "routing"));
    EXPECT_TRUE(active.has_value());
    if (active) {
      EXPECT_EQ(active->id, "m2");
      EXPECT_EQ(active->chunks, 3);
      EXPECT_EQ(active->size, static_cast<std::int64_t>(bytes.size()));
      EXPECT_EQ(active->sha256.size(), 64u);
    }
    XT_ASSIGN_OR_RETURN(auto back, store::ModelBytes(ex, "m2"));
    EXPECT_TRUE(back == bytes);
    XT_ASSIGN_OR_RETURN(auto old, store::ModelBytes(ex, "m1"));
    EXPECT_EQ(old, "old");
    XT_ASSIGN_OR_RETURN(auto all, store::ListModels(ex, "routing"));
    EXPECT_EQ(all.size(), 2u);
    if (!all.empty()) {
      EXPECT_EQ(all.front().version, 2);
    }
    auto missing = store::ModelBytes(ex, "nope");
    EXPECT_FALSE(missing);
    if (!missing) {
      EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    }
    return {};
  });
  ASSERT_TRUE(read) << read.error().message;

  // A damaged chunk is refused, never loaded.
  auto damaged = db().Write([&](storage::Executor& ex) -> Result<void> {
    XT_TRY_VOID(
        ex.Exec("UPDATE insight_model_chunks SET data = 'AAAA' WHERE model_id = 'm2'"
                " AND n = 1"));
    XT_TRY_VOID(store::SetModelStatus(ex, "m2", "retired"));
    auto bad = store::ModelBytes(ex, "m2");
    EXPECT_FALSE(bad);
    if (!bad) {
      EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
    }
    XT_ASSIGN_OR_RETURN(auto active, store::ActiveModel(ex, "routing"));
    EXPECT_FALSE(active.has_value());
    return {};
  });
  ASSERT_TRUE(damaged) << damaged.error().message;
}

// Retraining (plan §7.3) on decided history: the first model is promoted and used at once, a
// nightly run with too few new decisions does nothing, a rollback activates an older version,
// and another node loads whatever is active.
TEST_P(RoutingServiceTest, RetrainPromotesStoresAndEveryNodeLoadsTheActiveModel) {
  const Timestamp now = clock_.Now();
  std::vector<requests::Request> rows;
  const char* places[] = {"南门", "北门", "菜场边", "学校旁", "公交站", "桥下", "路口", "广场"};
  for (int i = 0; i < 80; ++i) {
    const bool stall = i % 2 == 0;
    requests::Request r;
    r.external_id = fmt::format("h:{}", i);
    r.title = stall ? "卖菜推车堵门口" : "饭店排风熏人";
    r.text = fmt::format(fmt::runtime(stall ? "卖菜的推车和三轮车把{}堵住了，行人过不去"
                                            : "{}饭店的排风管正对窗户，熏得家里睁不开眼"),
                         places[i % 8]);
    r.matter_id = stall ? stalls_ : fumes_;
    r.matter_version = 1;
    r.centre_id = centre_.id;
    r.centre_path = centre_.path;
    r.status = requests::Status::kClosed;
    // 20 decided 40 days ago (the candidate's training), 60 in the last 30 days (the holdout).
    const Timestamp decided = now - (i < 20 ? 40 : 5) * kMicrosPerDay;
    r.received_at = r.dispatched_at = decided - kMicrosPerDay;
    r.replied_at = decided;
    r.closed_at = decided + kMicrosPerHour;
    rows.push_back(std::move(r));
  }
  auto imported = requests_->ImportHistory(Principal::System(), std::move(rows));
  ASSERT_TRUE(imported) << imported.error().message;
  const Principal admin = As("adm", city_, Role::kAdmin);

  for (const Principal* who : {&leader_, &handler_}) {
    auto denied = service_->Retrain(*who, true);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  }
  auto first = service_->Retrain(admin, false);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->skipped.empty());
  EXPECT_TRUE(first->promoted);  // nothing to beat
  EXPECT_FALSE(first->active.has_value());
  EXPECT_EQ(first->candidate.n, 60);
  EXPECT_GT(first->candidate.top1, 0.9);
  EXPECT_EQ(first->model.version, 1);
  EXPECT_EQ(first->model.status, "active");
  EXPECT_EQ(first->model.trained_on, 80);
  EXPECT_EQ(first->model.classes, 2);
  EXPECT_GT(first->model.size, 0);
  // Intake suggests with it at once, and says which version.
  requests::Intake in;
  in.title = "又是卖菜推车";
  in.text = "今天早上卖菜的推车又把南门堵住了";
  in.place.lat = 30.05;
  in.place.lon = 120.05;
  auto preview = requests_->Preview(operator_, in);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_EQ(preview->suggested_by, "classifier");
  EXPECT_EQ(preview->model_version, "v1");

  // The nightly run: nothing decided since v1's data → nothing trained.
  auto nightly = service_->Retrain(admin, false);
  ASSERT_TRUE(nightly) << nightly.error().message;
  EXPECT_FALSE(nightly->skipped.empty());
  // By hand: v2 scored against v1 on the same 60 held out.
  auto second = service_->Retrain(admin, true);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->model.version, 2);
  ASSERT_TRUE(second->active.has_value());
  EXPECT_EQ(second->active->n, 60);
  EXPECT_EQ(second->model.status, second->promoted ? "active" : "rejected");
  auto holdout = json::Json::parse(second->model.holdout);
  EXPECT_EQ(holdout["against"]["version"], 1);

  // Another node loads the active model once.
  RoutingService other(db(), clock_, ids_, *requests_, *matters_);
  auto loaded = other.LoadActive();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_TRUE(*loaded);
  loaded = other.LoadActive();
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(*loaded);

  // A rollback to v1 by hand.
  auto back = service_->Activate(admin, first->model.id);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->status, "active");
  auto models = service_->Models(leader_);
  ASSERT_TRUE(models) << models.error().message;
  ASSERT_EQ(models->size(), 2u);
  EXPECT_EQ((*models)[0].version, 2);
  EXPECT_NE((*models)[0].status, "active");
  EXPECT_EQ((*models)[1].status, "active");
  preview = requests_->Preview(operator_, in);
  ASSERT_TRUE(preview);
  EXPECT_EQ(preview->model_version, "v1");
  EXPECT_EQ(service_->Activate(admin, "nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Activate(leader_, first->model.id).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Models(handler_).error().code, ErrorCode::kPermissionDenied);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoutingServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::insight
