// EvaluationService on every backend: targets' precedence and the RAG table from imported
// history, target versions (If-Match) and who may set them, the 考核 ranking against the
// rollup's counters, publishing with revisions, and the weights.
#include "insight/evaluation_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "insight/test_city.h"
#include "storage/testing.h"

namespace xietong::insight {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;
using requests::Request;
using requests::Satisfaction;
using requests::Status;

constexpr Timestamp kDec7 = 1'796'608'800'000'000;  // 2026-12-07 10:00 +08:00
constexpr Timestamp kNov9 = 1'794'189'600'000'000;  // 2026-11-09 10:00 +08:00

class EvaluationServiceTest : public TestCity {
 protected:
  EvaluationServiceTest()
      : TestCity(kDec7, {.catalogue = Catalogue::kNone, .stored_accounts = false}) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TestCity::SetUp());
    service_ = std::make_unique<EvaluationService>(db(), clock_, ids_, *requests_);
    other_district_ = Unit(city_.id, UnitKind::kDistrict, "JL-02", "江北区");
    street_c_ = Unit(other_district_.id, UnitKind::kStreet, "JL-02-01", "江滨街道");
    leader_ = As("leader", city_, Role::kLeader);
    district_leader_ = As("dl", district_, Role::kLeader);
    lead_a_ = As("leada", street_a_, Role::kUnitLead);
    handler_a_ = As("ha", street_a_, Role::kHandler);
    Import();
  }

  // November: 望湖 25 dispatched, all signed in time, 5 replied late, all resolved and
  // satisfied; 柳巷 22 replied in time, half resolved and satisfied, plus 1 still open past
  // its limit; the environment bureau 5 (too few to rank).
  void Import() {
    std::vector<Request> rows;
    auto add = [&](const OrgUnit& u, bool late, bool resolved, Status status = Status::kClosed) {
      Request r;
      r.external_id = fmt::format("t{}", rows.size());
      r.title = "占道";
      r.text = "摆摊";
      r.status = status;
      r.unit_id = u.id;
      r.unit_path = u.path;
      r.unit_name = u.name;
      r.received_at = kNov9;
      r.dispatched_at = kNov9;
      r.finish_late = late;
      if (status == Status::kClosed) {
        r.signed_at = kNov9 + kMicrosPerHour;
        r.replied_at = kNov9 + kMicrosPerDay;
        r.closed_at = kNov9 + 2 * kMicrosPerDay;
        r.resolved = resolved;
        r.satisfaction = resolved ? Satisfaction::kSatisfied : Satisfaction::kDissatisfied;
      }
      rows.push_back(std::move(r));
    };
    for (int i = 0; i < 25; ++i) add(street_a_, i < 5, true);
    for (int i = 0; i < 22; ++i) add(street_b_, false, i % 2 == 0);
    add(street_b_, true, false, Status::kHandling);
    for (int i = 0; i < 5; ++i) add(env_, false, true);
    auto n = requests_->ImportHistory(Principal::System(), std::move(rows));
    ASSERT_TRUE(n) << n.error().message;
  }

  std::int64_t Count(std::string_view sql) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql, {}));
      return row->Int(0);
    });
    EXPECT_TRUE(n) << n.error().message;
    return n.value_or(-1);
  }

  static const UnitTargets* Of(const TargetsAnswer& a, const std::string& unit_id) {
    for (const auto& u : a.units)
      if (u.unit_id == unit_id) return &u;
    return nullptr;
  }

  std::unique_ptr<EvaluationService> service_;
  OrgUnit other_district_, street_c_;  // a second district, with one street
  Principal leader_, district_leader_, lead_a_, handler_a_;
};

constexpr int kResponse = static_cast<int>(Indicator::kResponse);
constexpr int kResolution = static_cast<int>(Indicator::kResolution);
constexpr int kSatisfaction = static_cast<int>(Indicator::kSatisfaction);
constexpr int kOverdue = static_cast<int>(Indicator::kOverdue);

// The most specific target wins (unit month → quarter → kind → default); the RAG table
// judges November's figures against them.
TEST_P(EvaluationServiceTest, TargetsInEffectAndTheRagTable) {
  auto put = service_->PutTargets(
      leader_,
      {{.unit_kind = "street", .period = "*", .indicator = "response_rate", .target = 0.9},
       {.unit_id = street_a_.id, .period = "2026-Q4", .indicator = "overdue_share", .target = 0.25},
       {.unit_id = street_a_.id,
        .period = "2026-11",
        .indicator = "satisfaction_rate",
        .target = 0.99,
        .amber_margin = 0.02}});
  ASSERT_TRUE(put) << put.error().message;
  ASSERT_EQ(put->size(), 3u);
  EXPECT_EQ((*put)[0].version, 1);
  auto table = service_->Targets(leader_, {.month = "2026-11"});
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->units.size(), 4u);  // three streets and the department
  const UnitTargets* a = Of(*table, street_a_.id);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->targets[kResponse].source, "kind:*");
  EXPECT_DOUBLE_EQ(a->targets[kResponse].target, 0.9);
  EXPECT_EQ(a->targets[kOverdue].source, "unit:2026-Q4");
  EXPECT_EQ(a->targets[kSatisfaction].source, "unit:2026-11");
  EXPECT_EQ(a->targets[kResolution].source, "default");
  ASSERT_TRUE(a->status);
  EXPECT_DOUBLE_EQ(*(*a->status)[kResponse].value.value, 1.0);
  EXPECT_DOUBLE_EQ(*(*a->status)[kOverdue].value.value, 5 / 25.0);
  EXPECT_EQ((*a->status)[kOverdue].rag, RagStatus::kGreen);  // 0.20 ≤ 0.25
  EXPECT_EQ((*a->status)[kSatisfaction].rag, RagStatus::kGreen);
  EXPECT_FALSE((*a->status)[kOverdue].trend[1]);  // nothing in October
  EXPECT_EQ(a->overall, RagStatus::kGreen);
  const UnitTargets* b = Of(*table, street_b_.id);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->status);
  EXPECT_EQ(b->targets[kOverdue].source, "default");
  // 23 dispatched (one still open and late): 1/23 overdue, resolution 11/22.
  EXPECT_DOUBLE_EQ(*(*b->status)[kOverdue].value.value, 1 / 23.0);
  EXPECT_EQ((*b->status)[kResolution].rag, RagStatus::kRed);
  EXPECT_EQ(b->overall, RagStatus::kRed);
  const UnitTargets* env = Of(*table, env_.id);
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->targets[kResponse].source, "default");  // the street kind's target is not its
  EXPECT_EQ((*env->status)[kResponse].rag, RagStatus::kGrey);  // 5 dispatched: too few
  // A district leader sees the district's streets; a handler sees nothing.
  auto district = service_->Targets(district_leader_, {.unit_id = district_.id});
  ASSERT_TRUE(district) << district.error().message;
  EXPECT_EQ(district->units.size(), 2u);
  EXPECT_FALSE(district->units.front().status);
  EXPECT_EQ(service_->Targets(handler_a_, {}).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Targets(leader_, {.unit_id = "nope"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Targets(leader_, {.month = "2026-13"}).error().code,
            ErrorCode::kInvalidArgument);
}

// Targets change only at the version read; who may set which; bad input stores nothing.
TEST_P(EvaluationServiceTest, TargetVersionsAndWhoMaySetThem) {
  const TargetInput t{
      .unit_id = street_a_.id, .period = "2026", .indicator = "resolution_rate", .target = 0.85};
  auto first = service_->PutTargets(district_leader_, {t});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->front().version, 1);
  // Again as new (version 0): someone set it meanwhile.
  EXPECT_EQ(service_->PutTargets(district_leader_, {t}).error().code, ErrorCode::kConflict);
  TargetInput again = t;
  again.version = 1;
  again.target = 0.9;
  auto second = service_->PutTargets(leader_, {again});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->front().version, 2);
  EXPECT_EQ(second->front().id, first->front().id);
  // Not the unit's own lead, not a handler, not a district leader outside the district,
  // kinds only at the city.
  EXPECT_EQ(service_->PutTargets(lead_a_, {t}).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->PutTargets(handler_a_, {t}).error().code, ErrorCode::kPermissionDenied);
  TargetInput elsewhere = t;
  elsewhere.unit_id = street_c_.id;
  EXPECT_EQ(service_->PutTargets(district_leader_, {elsewhere}).error().code,
            ErrorCode::kPermissionDenied);
  TargetInput kind{
      .unit_kind = "department", .period = "*", .indicator = "response_rate", .target = 0.9};
  EXPECT_EQ(service_->PutTargets(district_leader_, {kind}).error().code,
            ErrorCode::kPermissionDenied);
  // Bad input: nothing stored, not even the good row before it.
  TargetInput good{
      .unit_id = street_b_.id, .period = "*", .indicator = "response_rate", .target = 0.9};
  for (auto bad :
       {TargetInput{.unit_id = "nope", .period = "*", .indicator = "response_rate"},
        TargetInput{.unit_id = street_b_.id, .period = "2026-Q5", .indicator = "response_rate"},
        TargetInput{.unit_id = street_b_.id, .period = "*", .indicator = "speed"},
        TargetInput{
            .unit_id = street_b_.id, .period = "*", .indicator = "response_rate", .target = 1.5},
        TargetInput{.unit_id = district_.id, .period = "*", .indicator = "response_rate"},
        TargetInput{.unit_kind = "grid", .period = "*", .indicator = "response_rate"}}) {
    auto r = service_->PutTargets(leader_, {good, bad});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code,
              bad.unit_id == "nope" ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument)
        << r.error().message;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM insight_targets"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'insight.target.set'"), 2);
  // Delete at the version read.
  const std::string id = first->front().id;
  EXPECT_EQ(service_->DeleteTarget(leader_, id, 1).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->DeleteTarget(lead_a_, id, 2).error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(service_->DeleteTarget(leader_, id, 2));
  EXPECT_EQ(service_->DeleteTarget(leader_, id, 2).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM insight_targets"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'insight.target.deleted'"), 1);
}

// The ranking uses the rollup's counters and the open-late count with the city's weights;
// publishing freezes it, a revision needs a reason; new weights change score and formula.
TEST_P(EvaluationServiceTest, EvaluationRanksPublishesAndFollowsTheWeights) {
  auto live = service_->Evaluation(leader_, "2026-11", UnitKindFilter::kStreet, false);
  ASSERT_TRUE(live) << live.error().message;
  ASSERT_EQ(live->rows.size(), 3u);
  EXPECT_EQ(live->rows[0].unit_id, street_a_.id);
  EXPECT_EQ(live->rows[0].rank, 1);
  // 10%×1 + 40%×1 + 40%×1 + 10%×(1 − 0.2) = 98.
  EXPECT_NEAR(*live->rows[0].score, 98.0, 1e-9);
  EXPECT_EQ(live->rows[1].unit_id, street_b_.id);
  EXPECT_EQ(live->rows[1].rank, 2);
  EXPECT_NEAR(*live->rows[1].score, 100 * (0.1 * 22 / 23 + 0.4 * 0.5 + 0.4 * 0.5 + 0.1 * 22 / 23),
              1e-9);
  EXPECT_FALSE(live->rows[2].ranked);  // 江滨街道: nothing dispatched
  EXPECT_EQ(live->rows[2].note, "样本不足，不参与排名");
  EXPECT_EQ(live->weights.source, "default");
  EXPECT_NE(live->formula.find("40%×解决率"), std::string::npos);
  EXPECT_FALSE(live->published);
  EXPECT_EQ(live->rows_json.size(), 3u);
  auto departments = service_->Evaluation(leader_, "2026-11", UnitKindFilter::kDepartment, false);
  ASSERT_TRUE(departments);
  ASSERT_EQ(departments->rows.size(), 1u);
  EXPECT_FALSE(departments->rows[0].ranked);  // 5 dispatched
  // A street's lead sees the street's own row; a handler nothing.
  auto own = service_->Evaluation(lead_a_, "2026-11", UnitKindFilter::kStreet, false);
  ASSERT_TRUE(own) << own.error().message;
  ASSERT_EQ(own->rows.size(), 1u);
  EXPECT_EQ(own->rows[0].rank, 1);
  EXPECT_EQ(
      service_->Evaluation(handler_a_, "2026-11", UnitKindFilter::kStreet, false).error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Evaluation(leader_, "2026-13", UnitKindFilter::kStreet, false).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_->Evaluation(leader_, "2026-11", UnitKindFilter::kStreet, true).error().code,
            ErrorCode::kNotFound);

  // Publish: the city only; not a month that has not begun; a revision needs a reason.
  EXPECT_EQ(
      service_->Publish(district_leader_, "2026-11", UnitKindFilter::kStreet, "").error().code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Publish(leader_, "2027-01", UnitKindFilter::kStreet, "").error().code,
            ErrorCode::kInvalidArgument);
  auto first = service_->Publish(leader_, "2026-11", UnitKindFilter::kStreet, "");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->published);
  EXPECT_EQ(first->published->revision, 1);
  EXPECT_EQ(first->published->sha256.size(), 64u);
  auto no_reason = service_->Publish(leader_, "2026-11", UnitKindFilter::kStreet, "");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, ErrorCode::kInvalidArgument);

  // New standing weights: 25 % each of the four.
  const IndicatorWeights bad = {0.3, 0.3, 0.3, 0.3, 0};
  EXPECT_EQ(service_->PutWeights(leader_, "*", bad, 20, 0).error().code,
            ErrorCode::kInvalidArgument);
  const IndicatorWeights even = {0.25, 0.25, 0.25, 0.25, 0};
  EXPECT_EQ(service_->PutWeights(district_leader_, "*", even, 20, 0).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->PutWeights(leader_, "2026-1", even, 20, 0).error().code,
            ErrorCode::kInvalidArgument);
  auto w = service_->PutWeights(leader_, "*", even, 20, 0);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->version, 1);
  EXPECT_EQ(service_->PutWeights(leader_, "*", even, 20, 0).error().code, ErrorCode::kConflict);
  auto read = service_->Weights(lead_a_, "2026-11");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->source, "*");
  EXPECT_EQ(read->version, 0);  // nothing stored for the month itself
  EXPECT_DOUBLE_EQ(read->weights[kResolution], 0.25);
  auto reweighted = service_->Evaluation(leader_, "2026-11", UnitKindFilter::kStreet, false);
  ASSERT_TRUE(reweighted);
  EXPECT_NEAR(*reweighted->rows[0].score, 95.0, 1e-9);  // (1 + 1 + 1 + 0.8) / 4
  EXPECT_NE(reweighted->formula.find("25%×解决率"), std::string::npos);
  ASSERT_TRUE(reweighted->published);
  EXPECT_EQ(reweighted->published->revision, 1);

  auto second = service_->Publish(leader_, "2026-11", UnitKindFilter::kStreet, "权重调整");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->published->revision, 2);
  EXPECT_NE(second->published->sha256, first->published->sha256);
  auto snapshot = service_->Evaluation(leader_, "2026-11", UnitKindFilter::kStreet, true);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_EQ(snapshot->published->revision, 2);
  EXPECT_EQ(snapshot->published->reason, "权重调整");
  ASSERT_EQ(snapshot->rows_json.size(), 3u);
  EXPECT_EQ(snapshot->rows_json[0]["score"].get<double>(), 95.0);
  EXPECT_NE(snapshot->formula.find("25%×解决率"), std::string::npos);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM audit_events WHERE action = 'insight.evaluation.published'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'insight.weights.set'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, EvaluationServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::insight
