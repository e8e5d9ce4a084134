// `xietong demo`'s 应急协同 and 预警 on every backend: the rules, three
// bursts of calls through the real intake that the real reaction turns into
// warnings (one escalated into last month's closed level IV incident, one
// dismissed, one left to go quiet), the incident's reports with every
// verdict, needs met by delivered commitments, and a second run that adds
// nothing.
#include "app/demo_emergency.h"

#include <gtest/gtest.h>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "audit/verify.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using identity::Principal;
namespace w = emergency::warning;

class DemoEmergencyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemoEmergencyTest, WarningsFromBurstsAndLastMonthsClosedIncident) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  auto p = Platform::Open({storage::testing::MakeTempDir(), t->url(), "", 2});
  ASSERT_TRUE(p) << p.error().message;
  Platform& platform = **p;
  const std::string staff_password = "demo-staff-2026";
  ASSERT_TRUE(CreateDemoCity(platform.identity(), {"Demo-Admin-2026!", staff_password, {}}));
  ASSERT_TRUE(platform.matters().Seed(Principal::System(), DemoMatters()));

  auto report = CreateDemoEmergency(platform, staff_password);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->existed);
  EXPECT_EQ(report->skipped, "");
  EXPECT_EQ(report->rules, 5);
  EXPECT_EQ(report->calls, 6 + 3 + 4);
  EXPECT_EQ(report->closed, report->calls) << "nothing of the past left overdue in an inbox";
  EXPECT_EQ(report->warnings, 3) << "each burst crosses its rule's threshold";
  EXPECT_EQ(report->incidents, 1);
  EXPECT_EQ(report->reports, 6);
  EXPECT_EQ(report->needs, 3) << "two verified need reports and the street's own";
  EXPECT_EQ(report->commitments, 3);
  EXPECT_EQ(report->reserves, 4);
  // The reserves came back when the storm's incident closed: the 50 sandbags
  // handed out are used up, the team and the pumps are whole again.
  auto reserves = platform.incidents().Reserves(Principal::System(), "");
  ASSERT_TRUE(reserves) << reserves.error().message;
  ASSERT_EQ(reserves->size(), 4u);
  for (const auto& v : *reserves) {
    EXPECT_EQ(v.resource.committed, 0) << v.resource.name;
    if (v.resource.name.starts_with("望湖街道防汛物资仓库")) {
      EXPECT_EQ(v.resource.quantity, 1950);
    }
  }

  // The warnings, as the reaction raised them, in their three states.
  auto all = platform.warnings().List(Principal::System(), std::nullopt, 100);
  ASSERT_TRUE(all) << all.error().message;
  int escalated = 0, dismissed = 0, rule_warnings = 0;
  std::string incident_id;
  for (const auto& x : *all) {
    if (x.kind != w::Kind::kRule) continue;
    ++rule_warnings;
    EXPECT_GE(x.observed, 3) << x.key;
    EXPECT_NE(x.evidence.find("request_ids"), std::string::npos) << "the requests counted";
    if (x.status == w::Status::kEscalated) {
      ++escalated;
      incident_id = x.incident_id;
    }
    dismissed += x.status == w::Status::kDismissed;
  }
  EXPECT_EQ(rule_warnings, 3);
  EXPECT_EQ(escalated, 1);
  EXPECT_EQ(dismissed, 1);
  ASSERT_FALSE(incident_id.empty());

  // Last month's incident: level IV, closed with its summary, 指挥部 dissolved.
  auto as = [&](const std::string& username) {
    auto login = platform.identity().Login(username, staff_password);
    EXPECT_TRUE(login) << username;
    auto principal = platform.identity().Authenticate(login->token);
    EXPECT_TRUE(principal);
    return *principal;
  };
  const auto street = as("street.lead");
  auto view = platform.incidents().Get(street, incident_id);
  ASSERT_TRUE(view) << view.error().message;
  const auto& inc = view->incident;
  EXPECT_EQ(inc.level, 4);
  EXPECT_EQ(inc.status, emergency::IncidentStatus::kClosed);
  EXPECT_NE(inc.summary.find("无人员伤亡"), std::string::npos);
  EXPECT_LT(inc.created_at, platform.clock().Now() - 30 * kMicrosPerDay) << "last month";
  ASSERT_FALSE(inc.force_id.empty());
  auto force = platform.collab().GetForce(street, inc.force_id);
  ASSERT_TRUE(force) << force.error().message;
  EXPECT_EQ(force->force.status, collab::ForceStatus::kDissolved);

  // Every verdict, and the public sees only the three verified reports.
  auto verified =
      platform.crowd_reports().List(street, incident_id, emergency::ReportState::kVerified, "", 50);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->verified, 3);
  EXPECT_EQ(verified->duplicate, 1);
  EXPECT_EQ(verified->rejected, 1);
  EXPECT_EQ(verified->unverified, 1);
  auto open = platform.crowd_reports().PublicReports(incident_id, 50);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->size(), 3u);

  // Each need met by a delivered commitment.
  auto needs = platform.incidents().Needs(street, incident_id);
  ASSERT_TRUE(needs) << needs.error().message;
  EXPECT_EQ(needs->needs.size(), 3u);
  ASSERT_EQ(needs->commitments.size(), 3u);
  for (const auto& c : needs->commitments)
    EXPECT_EQ(c.status, emergency::CommitmentStatus::kDelivered);

  auto chain = audit::Verify(platform.db(), {});
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_TRUE(chain->ok()) << chain->problem;

  auto again = CreateDemoEmergency(platform, staff_password);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->calls, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoEmergencyTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
