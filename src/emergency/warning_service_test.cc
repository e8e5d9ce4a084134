// Early warning on every backend: the consumer "emergency.warnings" raises one
// warning for a burst with its evidence and targets, seen by its units and
// those above only; it is exactly once across a restart and across a batch
// rolled back; admin rules are written by admins only and bad ones store
// nothing; dismissing needs 督办 rights and happens once.
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/consumer.h"
#include "emergency/schema.h"
#include "emergency/warning_service.h"
#include "emergency/warning_store.h"
#include "requests/request_service.h"
#include "storage/testing.h"

namespace xietong::emergency {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;
using warning::Kind;
using warning::Status;

constexpr Timestamp kStart = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00
constexpr Timestamp kHourUs = warning::kHour;

class WarningServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&requests::Schema(), &Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(t_->db(), clock_, ids_);
    requests_ = std::make_unique<requests::RequestService>(t_->db(), clock_, ids_, *calendar_,
                                                           *identity_, *matters_);
    city_ = Unit(std::nullopt, UnitKind::kCity, "ZZ", "郑河市");
    centre_ = Unit(city_.id, UnitKind::kCentre, "ZZ-12345", "12345热线");
    district_ = Unit(city_.id, UnitKind::kDistrict, "ZZ-01", "金水区");
    street_a_ = Unit(district_.id, UnitKind::kStreet, "ZZ-01-01", "文化路街道");
    street_b_ = Unit(district_.id, UnitKind::kStreet, "ZZ-01-02", "经八路街道");
    handler_a_ = Person("handler.a", street_a_, Role::kHandler);
    handler_b_ = Person("handler.b", street_b_, Role::kHandler);
    leader_ = Person("leader1", city_, Role::kLeader);
    admin_ = Person("admin1", city_, Role::kAdmin);
    sup_ = Person("super1", centre_, Role::kSupervisor);
    clock_.Set(kStart);
    Fresh();
  }

  // A new service and consumer over the same database: a restart.
  void Fresh(int batch = 2000) {
    consumer_.reset();
    warning::Options o;
    o.warmup_days = 1;
    service_ = std::make_unique<WarningService>(t_->db(), clock_, ids_, *requests_, &*calendar_, o,
                                                /*snapshot_every=*/50);
    auto options = WarningService::ConsumerOptions();
    options.batch = batch;
    consumer_ = std::make_unique<audit::Consumer>(
        t_->db(), clock_, "test", options,
        [this](storage::Executor& ex, const audit::Event& e) -> Result<void> {
          if (fail_at_ == e.seq) {
            fail_at_ = -1;
            return Fail(Error::Unavailable("injected failure"));
          }
          return service_->OnEvent(ex, e);
        },
        // As platform.cc wires it: payloads parsed ahead of the write.
        [this](const std::vector<audit::Event>& events) { service_->Prepare(events); });
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  Principal Person(std::string username, const OrgUnit& unit, Role role) {
    identity::NewAccount in;
    in.username = username;
    in.display_name = "用户" + username;
    in.password = "correct horse 12";
    in.unit_id = unit.id;
    in.role = role;
    auto a = identity_->CreateAccount(Principal::System(), in);
    EXPECT_TRUE(a) << a.error().message;
    if (!a) return {};
    Principal p;
    p.account_id = a->id;
    p.username = a->username;
    p.kind = a->kind;
    p.memberships = a->memberships;
    return p;
  }

  // One intake as the request module records it: received, then dispatched.
  void Intake(Timestamp at, const std::string& matter, const OrgUnit& street,
              std::vector<std::string> keywords = {}, std::vector<std::string> places = {}) {
    const std::string id = "req-" + std::to_string(next_++);
    json::Json received{{"matter_id", matter}, {"street_id", street.id}, {"number", id}};
    if (!keywords.empty()) received["keywords"] = keywords;
    if (!places.empty()) received["places"] = places;
    auto w = t_->db().Write([&](storage::Executor& ex) -> Result<void> {
      std::vector<audit::EventInput> events = {
          {"op", "request.received", id, received},
          {"op", "request.dispatched", id, json::Json{{"unit_id", street.id}}}};
      XT_TRY_VOID(audit::AppendMany(ex, at, events));
      return {};
    });
    ASSERT_TRUE(w) << w.error().message;
  }

  // Two days at 2 an hour, then 20 in 40 minutes on street A.
  void History() {
    for (int i = 0; i < 48 * 2; ++i) {
      Intake(kStart + i * kHourUs / 2, "m1", street_a_);
    }
  }
  void Burst(Timestamp from) {
    for (int i = 0; i < 20; ++i) Intake(from + i * 2 * 60 * kMicrosPerSecond, "m1", street_a_);
  }

  std::vector<warning::Warning> All() {
    auto list = service_->List(Principal::System(), std::nullopt, 100);
    EXPECT_TRUE(list) << list.error().message;
    return list.value_or(std::vector<warning::Warning>{});
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kStart};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<requests::RequestService> requests_;
  std::unique_ptr<WarningService> service_;
  std::unique_ptr<audit::Consumer> consumer_;
  OrgUnit city_, centre_, district_, street_a_, street_b_;
  Principal handler_a_, handler_b_, leader_, admin_, sup_;
  int next_ = 0;
  std::int64_t fail_at_ = -1;
};

TEST_P(WarningServiceTest, BurstRaisesOneWarningWithEvidenceSeenByItsUnitsOnly) {
  History();
  ASSERT_TRUE(consumer_->CatchUp());
  EXPECT_TRUE(All().empty());
  Burst(kStart + 48 * kHourUs);
  ASSERT_TRUE(consumer_->CatchUp());
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  const auto& w = all[0];
  EXPECT_EQ(w.kind, Kind::kVolume);
  EXPECT_EQ(w.key, "m1");
  EXPECT_EQ(w.street_id, street_a_.id);
  EXPECT_EQ(w.status, Status::kOpen);
  EXPECT_EQ(w.target_unit_ids, std::vector<std::string>{street_a_.id});
  auto evidence = json::Json::parse(w.evidence);
  EXPECT_GE(evidence["request_ids"].size(), 10u);
  EXPECT_EQ(evidence["curve"].size(), 24u);
  EXPECT_FALSE(evidence["statistic"].get<std::string>().empty());

  EXPECT_TRUE(service_->Get(handler_a_, w.id));
  EXPECT_TRUE(service_->Get(leader_, w.id));
  auto hidden = service_->Get(handler_b_, w.id);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
  auto listed = service_->List(handler_b_, std::nullopt, 100);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
  EXPECT_EQ(service_->List(handler_a_, Status::kOpen, 100)->size(), 1u);
  EXPECT_EQ(service_->List(handler_a_, Status::kDismissed, 100)->size(), 0u);

  // Quiet again after hours without firing; the next intake closes it.
  Intake(kStart + 60 * kHourUs, "m1", street_a_);
  ASSERT_TRUE(consumer_->CatchUp());
  EXPECT_EQ(All()[0].status, Status::kQuiet);
}

TEST_P(WarningServiceTest, ExactlyOnceAcrossRestartAndRolledBackBatch) {
  History();
  Burst(kStart + 48 * kHourUs);
  Fresh(/*batch=*/37);
  // Part of the way, then a restart (new service, same database).
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(consumer_->RunOnce());
  Fresh(/*batch=*/37);
  // A batch that fails half-way is rolled back and handled again.
  auto head = t_->db().Read([](storage::Executor& ex) { return audit::LastSeq(ex); });
  ASSERT_TRUE(head);
  fail_at_ = *head - 5;  // inside the burst
  for (int i = 0; i < 100; ++i) {
    auto r = consumer_->RunOnce();
    if (r && *r == 0) break;
  }
  EXPECT_EQ(fail_at_, -1);  // the failure happened
  auto status = consumer_->Status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->lag(), 0);
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  // The same figures as one uninterrupted pass over the same events: an event
  // fed twice would count twice.
  warning::Options o;
  o.warmup_days = 1;
  warning::Detector pure(o, &*calendar_);
  int observed = 0, opened = 0;
  int n = 0;
  const auto feed = [&](Timestamp at) {
    for (const auto& a : pure.Add({.request_id = "req-" + std::to_string(n++),
                         .at = at,
                         .category = "m1",
                         .street_id = street_a_.id,
                         .text = ""})) {
      observed = std::max(observed, a.observed);
      opened += a.opened;
    }
  };
  for (int i = 0; i < 48 * 2; ++i) feed(kStart + i * kHourUs / 2);
  for (int i = 0; i < 20; ++i) feed(kStart + 48 * kHourUs + i * 2 * 60 * kMicrosPerSecond);
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(all[0].observed, observed);
  auto state = t_->db().Read(
      [](storage::Executor& ex) { return store::LoadDetectorState(ex, "emergency.warnings"); });
  ASSERT_TRUE(state && *state);
  EXPECT_GT((*state)->seq, 0);
}

TEST_P(WarningServiceTest, WordsFoundAtIntakeRaiseAKeywordBurstAcrossMatters) {
  EXPECT_EQ(service_->KeywordsIn("楼道燃气味", "三楼也有燃气味，还有积水"),
            (std::vector<std::string>{"燃气味", "积水"}));
  EXPECT_TRUE(service_->KeywordsIn("占道", "小贩摆摊").empty());
  // Two days of ordinary intake on street A, then 燃气味 under three different
  // matters within the hour: no one matter bursts, the word does.
  History();
  const Timestamp at = kStart + 48 * kHourUs + 10 * 60 * kMicrosPerSecond;
  for (int i = 0; i < 6; ++i)
    Intake(at + i * 5 * 60 * kMicrosPerSecond, "m" + std::to_string(2 + i % 3), street_a_,
           {"燃气味"});
  ASSERT_TRUE(consumer_->CatchUp());
  int keyword = 0;
  for (const auto& w : All()) {
    if (w.kind != Kind::kKeyword) continue;
    ++keyword;
    EXPECT_EQ(w.key, "燃气味");
    EXPECT_EQ(w.street_id, street_a_.id);
    EXPECT_GE(w.observed, 3);
  }
  EXPECT_EQ(keyword, 1);
  // Without the words on the event (an older node's intake), nothing of the kind.
  for (int i = 0; i < 6; ++i) Intake(at + (70 + i * 5) * 60 * kMicrosPerSecond, "m5", street_b_);
  ASSERT_TRUE(consumer_->CatchUp());
  for (const auto& w : All()) EXPECT_FALSE(w.kind == Kind::kKeyword && w.street_id == street_b_.id);
}

TEST_P(WarningServiceTest, PlacesNamedAtIntakeRaiseAPlaceClusterAcrossMatters) {
  EXPECT_EQ(service_->PlacesIn("柳岸小区3号楼漏水", "柳岸小区东门和滨江路口都积水"),
            (std::vector<std::string>{"柳岸小区", "滨江路"}));
  // Ordinary intake, then six calls about one estate under three matters and
  // no shared keyword: neither a matter nor a word bursts, the place does.
  History();
  const Timestamp at = kStart + 48 * kHourUs + 10 * 60 * kMicrosPerSecond;
  for (int i = 0; i < 6; ++i)
    Intake(at + i * 5 * 60 * kMicrosPerSecond, "m" + std::to_string(2 + i % 3), street_a_, {},
           {"柳岸小区"});
  // The same number on street B, each about a different estate: no cluster.
  for (int i = 0; i < 6; ++i)
    Intake(at + i * 5 * 60 * kMicrosPerSecond + 1, "m" + std::to_string(2 + i % 3), street_b_, {},
           {"小区" + std::to_string(i)});
  ASSERT_TRUE(consumer_->CatchUp());
  int place = 0;
  for (const auto& w : All()) {
    EXPECT_NE(w.kind, Kind::kKeyword);
    if (w.kind != Kind::kPlace) continue;
    ++place;
    EXPECT_EQ(w.key, "柳岸小区");
    EXPECT_EQ(w.street_id, street_a_.id);
    EXPECT_GE(w.observed, 3);
    EXPECT_NE(w.evidence.find("request_ids"), std::string::npos);
  }
  EXPECT_EQ(place, 1);
}

TEST_P(WarningServiceTest, RulesAreWrittenByAdminsAndFire) {
  RuleInput in{.category = "m9", .street_id = "", .threshold = 3, .window_hours = 1};
  auto denied = service_->CreateRule(handler_a_, in);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  auto bad = service_->CreateRule(admin_, {.category = "m9", .threshold = 0, .window_hours = 1});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(service_->Rules(admin_)->empty());
  auto rule = service_->CreateRule(admin_, in);
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_EQ(service_->Rules(admin_)->size(), 1u);
  for (int i = 0; i < 3; ++i) Intake(kStart + i * 60 * kMicrosPerSecond, "m9", street_b_);
  ASSERT_TRUE(consumer_->CatchUp());
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, Kind::kRule);
  EXPECT_EQ(all[0].key, rule->rule.id);
  EXPECT_TRUE(service_->Get(handler_b_, all[0].id));

  in.threshold = 5;
  auto changed = service_->UpdateRule(admin_, rule->rule.id, in);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->rule.threshold, 5);
  EXPECT_EQ(service_->UpdateRule(admin_, "nope", in).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(service_->DeleteRule(admin_, rule->rule.id));
  EXPECT_EQ(service_->DeleteRule(admin_, rule->rule.id).error().code, ErrorCode::kNotFound);
}

TEST_P(WarningServiceTest, DismissNeedsSupervisionAndHappensOnce) {
  ASSERT_TRUE(service_->CreateRule(admin_, {.category = "m9", .threshold = 2, .window_hours = 1}));
  Intake(kStart, "m9", street_a_);
  Intake(kStart + 1, "m9", street_a_);
  ASSERT_TRUE(consumer_->CatchUp());
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  const std::string id = all[0].id;
  EXPECT_EQ(service_->Dismiss(handler_a_, id, "误报").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Dismiss(handler_b_, id, "误报").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Dismiss(sup_, id, "").error().code, ErrorCode::kInvalidArgument);
  auto done = service_->Dismiss(sup_, id, "重复来电，已核实");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status, Status::kDismissed);
  EXPECT_EQ(service_->Dismiss(sup_, id, "again").error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->Escalate(sup_, id, {}).error().code, ErrorCode::kConflict);
}

INSTANTIATE_TEST_SUITE_P(Backends, WarningServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::emergency
