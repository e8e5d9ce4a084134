// `xietong demo`'s 专班 and 协同办公 on every backend: four forces (one
// dissolved with its handover), tasks with an overdue one, milestones with
// spend, a week of channel traffic, a directive to every community whose
// receipt table matches what each account did, and a second run that adds
// nothing.
#include "app/demo_collab.h"

#include <gtest/gtest.h>

#include <set>

#include "app/demo_city.h"
#include "audit/verify.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

class DemoCollabTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemoCollabTest, ForcesChannelsAndAPartlyAcknowledgedDirective) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  auto p = Platform::Open({storage::testing::MakeTempDir(), t->url(), "", 2});
  ASSERT_TRUE(p) << p.error().message;
  Platform& platform = **p;
  const std::string staff_password = "demo-staff-2026";
  ASSERT_TRUE(CreateDemoCity(platform.identity(), {"Demo-Admin-2026!", staff_password, {}}));

  auto report = CreateDemoCollab(platform, staff_password);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->existed);
  EXPECT_EQ(report->forces, 4);
  EXPECT_GE(report->tasks, 12);
  EXPECT_GE(report->messages, 25) << "a week of traffic (only what lies before now is posted)";
  EXPECT_EQ(report->acknowledged, 6);
  EXPECT_GT(report->receipts, 60) << "every community's staff";

  auto as = [&](const std::string& username) {
    auto login = platform.identity().Login(username, staff_password);
    EXPECT_TRUE(login) << username;
    auto principal = platform.identity().Authenticate(login->token);
    EXPECT_TRUE(principal);
    return *principal;
  };

  // The district lead sees the hotspot force with an overdue task escalated to them.
  const auto district_leader = as("jl01.leader");
  auto mine = platform.collab().MyForces(district_leader);
  ASSERT_TRUE(mine) << mine.error().message;
  std::string water_id;
  for (const auto& f : *mine)
    if (f.title == "望湖街道积水点位整治专班") water_id = f.id;
  ASSERT_FALSE(water_id.empty());
  auto water = platform.collab().GetForce(district_leader, water_id);
  ASSERT_TRUE(water) << water.error().message;
  EXPECT_EQ(water->members.size(), 7u);
  EXPECT_EQ(water->tasks.size(), 4u);
  // 汛前应急物资清点 (two working days) and the pipes (eight), both started
  // three weeks ago and not done; the survey is done, the slope not due.
  EXPECT_EQ(water->overdue.size(), 2u);
  auto escalated = platform.collab().OverdueForMe(district_leader);
  ASSERT_TRUE(escalated);
  EXPECT_FALSE(escalated->empty());

  // The project's milestones: two reached, construction spending.
  const auto leader = as("leader");
  auto led = platform.collab().MyForces(leader);
  ASSERT_TRUE(led);
  bool project_seen = false;
  for (const auto& f : *led) {
    if (f.title != "老旧小区加装电梯重点项目专班") continue;
    project_seen = true;
    auto v = platform.collab().GetForce(leader, f.id);
    ASSERT_TRUE(v);
    ASSERT_EQ(v->milestones.size(), 4u);
    int reached = 0;
    for (const auto& m : v->milestones) reached += m.reached_at != 0;
    EXPECT_EQ(reached, 2);
    EXPECT_EQ(v->milestones[2].spent_fen, 310'000'000);
  }
  EXPECT_TRUE(project_seen);

  // The dissolved force: its lead still reads it, with the handed-over task.
  const auto urban_lead = as("jld01.lead");
  auto urban = platform.collab().MyForces(urban_lead);
  ASSERT_TRUE(urban);
  bool dissolved_seen = false;
  for (const auto& f : *urban) {
    if (f.status != collab::ForceStatus::kDissolved) continue;
    dissolved_seen = true;
    EXPECT_FALSE(f.summary.empty());
    auto v = platform.collab().GetForce(urban_lead, f.id);
    ASSERT_TRUE(v);
    int handed = 0;
    for (const auto& task : v->tasks) handed += !task.handed_to.empty();
    EXPECT_EQ(handed, 1);
  }
  EXPECT_TRUE(dissolved_seen);

  // The channels carry the week: the street lead is in three of them.
  const auto street_lead = as("street.lead");
  auto channels = platform.collab().MyChannels(street_lead);
  ASSERT_TRUE(channels);
  EXPECT_GE(channels->size(), 4u) << "two forces, the group and the 1-1";

  // The directive's receipts agree with what each community account did.
  auto sent = platform.collab().Sent(leader, 10);
  ASSERT_TRUE(sent);
  std::string flood_id;
  for (const auto& dvi : *sent)
    if (dvi.title == "关于开展汛期安全隐患大排查的通知") flood_id = dvi.id;
  ASSERT_FALSE(flood_id.empty());
  auto table = platform.collab().Receipts(leader, flood_id);
  ASSERT_TRUE(table) << table.error().message;
  int read = 0, acknowledged = 0;
  std::set<std::string> acknowledgers;
  for (const auto& r : table->receipts) {
    read += r.read_at != 0;
    if (r.acked_at != 0) {
      ++acknowledged;
      acknowledgers.insert(r.account_id);
    }
  }
  EXPECT_EQ(read, 10);
  EXPECT_EQ(acknowledged, 6);
  EXPECT_EQ(static_cast<int>(table->receipts.size()), report->receipts);
  EXPECT_EQ(table->table.read, read);
  EXPECT_EQ(table->table.acknowledged, acknowledged);
  EXPECT_TRUE(acknowledgers.contains(as("street.handler").account_id));
  EXPECT_FALSE(acknowledgers.contains(as("jl010104.handler").account_id)) << "read, not signed";

  // The weekly report forms: last week's roll-up says who reported, late or never.
  EXPECT_EQ(report->forms, 2);
  EXPECT_EQ(report->form_answers, 14 + 8);
  auto forms = platform.collab().ReportFormsSent(district_leader, 10);
  ASSERT_TRUE(forms) << forms.error().message;
  ASSERT_EQ(forms->size(), 2u);
  for (const auto& f : *forms) {
    auto rollup = platform.collab().FormAnswers(district_leader, f.id);
    ASSERT_TRUE(rollup) << rollup.error().message;
    EXPECT_EQ(rollup->completion.recipients, 16) << f.title;
    if (f.title.find("上周") != std::string::npos) {
      EXPECT_EQ(rollup->completion.submitted, 12);
      EXPECT_EQ(rollup->completion.late, 2);
      EXPECT_EQ(rollup->completion.overdue, 2);
    } else {
      EXPECT_EQ(rollup->completion.submitted, 8);
      EXPECT_EQ(rollup->completion.missing, 8);
    }
  }

  auto again = CreateDemoCollab(platform, staff_password);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->existed);
  auto verified = audit::Verify(platform.db(), {});
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_TRUE(verified->ok()) << verified->problem;
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoCollabTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
