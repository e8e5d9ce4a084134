// The demo's 议事厅 and budgets on every backend, in a small city of its own
// (望湖街道 › 湖畔社区 and 柳巷社区 with their residents, street.lead and
// street.handler): a proposal in every state, the task's progress and the
// done proposal once the reaction has caught up, the closed budget with
// results whose proof checks, the open one `resident` can still vote in,
// and a second run that makes nothing.
#include "app/demo_deliberation.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "app/demo_matters.h"
#include "audit/consumer.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using identity::Principal;
using identity::Role;
using identity::UnitKind;
using participation::ProposalStatus;

constexpr std::string_view kPassword = "demo-staff-2026";

class DemoDeliberationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemoDeliberationTest, EveryStateBothBudgetsAndASecondRunMakesNothing) {
  auto t = storage::testing::TestDatabase::Create(GetParam());
  ASSERT_NE(t, nullptr);
  auto p = Platform::Open({storage::testing::MakeTempDir(), t->url(), "", 2});
  ASSERT_TRUE(p) << p.error().message;
  Platform& platform = **p;
  auto& identity = platform.identity();
  const auto sys = Principal::System();
  ASSERT_TRUE(platform.matters().Seed(sys, DemoMatters()));
  auto unit = [&](std::optional<std::string> parent, UnitKind kind, std::string code,
                  std::string name) {
    auto u = identity.CreateUnit(
        sys, {std::move(parent), kind, std::move(code), std::move(name), std::nullopt});
    EXPECT_TRUE(u) << u.error().message;
    return u.value_or(identity::OrgUnit{});
  };
  auto city = unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
  unit(city.id, UnitKind::kCentre, "JL-12345", "江澜市12345市民服务热线中心");
  unit(city.id, UnitKind::kDepartment, "JL-D01", "江澜市城市管理局");  // where manholes go
  auto district = unit(city.id, UnitKind::kDistrict, "JL-01", "临江区");
  auto street = unit(district.id, UnitKind::kStreet, "JL-01-01", "望湖街道");
  auto lake = unit(street.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区");
  auto willow = unit(street.id, UnitKind::kCommunity, "JL-01-01-02", "柳巷社区");
  auto account = [&](std::string username, const identity::OrgUnit& u, Role role,
                     identity::AccountKind kind) {
    identity::NewAccount a;
    a.username = std::move(username);
    a.display_name = "居民" + a.username;
    a.kind = kind;
    a.password = std::string(kPassword);
    a.unit_id = u.id;
    a.role = role;
    auto made = identity.CreateAccount(sys, a);
    ASSERT_TRUE(made) << made.error().message;
  };
  const auto staff = identity::AccountKind::kStaff;
  const auto resident = identity::AccountKind::kResident;
  account("street.lead", street, Role::kUnitLead, staff);
  account("street.handler", street, Role::kHandler, staff);
  account("resident", lake, Role::kResident, resident);
  for (int i = 1; i <= 11; ++i)
    account(fmt::format("hupan{:02}", i), lake, Role::kResident, resident);
  account("resident02", willow, Role::kResident, resident);
  for (int i = 1; i <= 5; ++i)
    account(fmt::format("liuxiang{:02}", i), willow, Role::kResident, resident);
  if (HasFatalFailure()) return;

  const Timestamp real_now = platform.clock().Now();
  const Timestamp today =
      (real_now + 8 * kMicrosPerHour) / kMicrosPerDay * kMicrosPerDay - 8 * kMicrosPerHour;
  ManualClock clock(today - 90 * kMicrosPerDay);
  IdGenerator ids(clock);
  collab::CollabService collab(platform.db(), clock, ids, platform.calendar(), identity);
  requests::RequestService requests(platform.db(), clock, ids, platform.calendar(), identity,
                                    platform.matters());
  participation::DeliberationService deliberation(platform.db(), clock, ids, identity, collab,
                                                  requests);
  DemoPeople people(identity, std::string(kPassword));

  auto report =
      CreateDemoDeliberation(platform, clock, people, deliberation, collab, requests, today);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->skipped, "");
  EXPECT_FALSE(report->existed);
  EXPECT_EQ(report->budgets, 2);
  EXPECT_EQ(report->meetings, 2);
  EXPECT_EQ(report->ballots, 11 + 6);

  // The progress reaction catches up, as the orchestrator's consumers do.
  clock.Set(today - kMicrosPerDay + 20 * kMicrosPerHour);
  for (std::string prefix : {"collab.", "request."}) {
    audit::Consumer consumer(
        platform.db(), clock, platform.node_id(),
        {.name = "demo-test." + prefix, .action_prefix = prefix},
        [&](storage::Executor& ex, const audit::Event& e) { return deliberation.OnEvent(ex, e); });
    auto caught = consumer.CatchUp();
    ASSERT_TRUE(caught) << caught.error().message;
  }

  auto me = people.As("resident");
  ASSERT_TRUE(me) << me.error().message;
  participation::ProposalQuery q;
  q.community_id = lake.id;
  q.limit = 100;
  auto lead = people.As("street.lead");
  ASSERT_TRUE(lead);
  auto all = deliberation.ListProposals(*lead, q);  // staff see the hidden one too
  ASSERT_TRUE(all) << all.error().message;
  std::set<std::string> states;
  for (const auto& pr : all->items) {
    states.insert(std::string(participation::ProposalStatusName(pr.status)));
    if (pr.title == "儿童游乐区加装遮阳棚") {
      EXPECT_EQ(pr.status, ProposalStatus::kImplementing);
      EXPECT_EQ(pr.percent, 40);
      auto v = deliberation.GetProposal(*me, pr.id);
      ASSERT_TRUE(v) << v.error().message;
      EXPECT_GE(v->updates.size(), 3u);  // implemented, 20 %, 40 %
    }
    if (pr.title == "湖畔路3号井盖松动") {
      EXPECT_EQ(pr.status, ProposalStatus::kImplementing);
      EXPECT_FALSE(pr.request_number.empty());
    }
    if (pr.title == "垃圾分类亭加装洗手池") {
      EXPECT_EQ(pr.status, ProposalStatus::kDone);
    }
    if (pr.title == "小区东门增设非机动车充电桩") {
      auto v = deliberation.GetProposal(*me, pr.id);
      ASSERT_TRUE(v);
      EXPECT_TRUE(v->can_support);  // the journey's resident may still support it
    }
  }
  for (const char* s : {"collecting", "qualified", "scheduled", "implementing", "done", "rejected",
                        "expired", "withdrawn", "hidden"})
    EXPECT_TRUE(states.count(s)) << s;

  auto budgets = deliberation.ListBudgets(*me, lake.id);
  ASSERT_TRUE(budgets) << budgets.error().message;
  ASSERT_EQ(budgets->size(), 2u);
  int closed = 0, voting = 0;
  for (const auto& b : *budgets) {
    if (b.status == participation::BudgetStatus::kClosed) {
      ++closed;
      EXPECT_EQ(b.ballots, 11);
      auto results = deliberation.Results(*me, b.id);
      ASSERT_TRUE(results) << results.error().message;
      EXPECT_FALSE(results->selected.empty());
      auto proof = deliberation.Proof(*me, b.id);
      ASSERT_TRUE(proof) << proof.error().message;
      EXPECT_TRUE(proof->check.ok);
      // `xietong budgets verify-tally` on the proof as GET …/proof answers
      // it: 0; with one opened ballot's choices changed: 3; no file: 2.
      json::Json events = json::Json::array();
      for (const auto& e : proof->events)
        events.push_back({{"seq", e.seq},
                          {"prev_hash", e.prev_hash},
                          {"hash", e.hash},
                          {"canonical", audit::Canonical(e.seq, e.at, e.actor, e.action, e.subject,
                                                         e.payload)}});
      const std::string dir = storage::testing::MakeTempDir();
      auto write = [&](const std::string& name, const json::Json& j) {
        std::ofstream(dir + "/" + name) << json::Json{{"events", j}}.dump();
        return dir + "/" + name;
      };
      auto verify = [](const std::string& file) {
        const int status = std::system(
            fmt::format("'{}' budgets verify-tally '{}' > /dev/null 2>&1", XIETONG_BINARY, file)
                .c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      };
      EXPECT_EQ(verify(write("proof.json", events)), 0);
      auto tampered = events;
      for (auto& e : tampered) {
        auto c = json::Json::parse(e["canonical"].get<std::string>());
        if (c["action"] != "deliberation.ballot.opened") continue;
        c["payload"]["choices"] = json::Json::array({results->selected.front()});
        e["canonical"] = audit::Canonical(c["seq"], c["at"], c["actor"].get<std::string>(),
                                          c["action"].get<std::string>(),
                                          c["subject"].get<std::string>(), c["payload"].dump());
        e["hash"] =
            audit::ChainHash(e["prev_hash"].get<std::string>(), e["canonical"].get<std::string>());
        break;
      }
      EXPECT_EQ(verify(write("tampered.json", tampered)), 3);
      EXPECT_EQ(verify(dir + "/missing.json"), 2);
      EXPECT_EQ(verify(""), 2);
      std::filesystem::remove_all(dir);
    } else if (b.status == participation::BudgetStatus::kVoting) {
      ++voting;
      EXPECT_EQ(b.ballots, 6);
      auto v = deliberation.GetBudget(*me, b.id);
      ASSERT_TRUE(v);
      EXPECT_FALSE(v->i_voted);
      EXPECT_TRUE(v->can_vote);
    }
  }
  EXPECT_EQ(closed, 1);
  EXPECT_EQ(voting, 1);

  auto twice =
      CreateDemoDeliberation(platform, clock, people, deliberation, collab, requests, today);
  ASSERT_TRUE(twice) << twice.error().message;
  EXPECT_TRUE(twice->existed);
  EXPECT_EQ(twice->proposals, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoDeliberationTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
