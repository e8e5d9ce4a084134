// The pure math of participatory budgets: ballot validation, the commitment
// and tag vectors (the same hex the page's WebCrypto code is checked
// against), the tally, the selection (ties, skipping what does not fit) and
// CheckTally catching a swapped choice, a missing or extra ballot, a double
// caster and a wrong selection.
#include "participation/budget.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace xietong::participation {
namespace {

const std::string kBudget = "01JBUDGET0000000000000000A";
const std::string kReceipt = "00112233445566778899aabbccddeeff";
const std::string kP1 = "01JPROJ00000000000000000001";
const std::string kP2 = "01JPROJ00000000000000000002";
const std::string kP3 = "01JPROJ00000000000000000003";

std::vector<BudgetProject> Projects() { return {{kP1, 300, 0}, {kP2, 500, 1}, {kP3, 200, 2}}; }

TEST(BudgetTest, CommitmentAndTagVectors) {
  // Python: sha256(b"xietong ballot\n" + budget + b"\n" + r + b"\n" + b",".join(sorted ids))
  EXPECT_EQ(BallotCommitment(kBudget, kReceipt, {kP1, kP3}),
            "b94f929511754242a8ce52791e046a487361a200bc91fd02d5f925e5d8e904ae");
  EXPECT_EQ(BallotTag(kBudget, kReceipt),
            "9b19c5744b35fcd178212e0d9e2efd9f26ac7669359bc8eb28d2cf916d2ce316");
  // Another receipt or other choices give another commitment.
  EXPECT_NE(BallotCommitment(kBudget, kReceipt, {kP1}),
            BallotCommitment(kBudget, kReceipt, {kP1, kP3}));
  EXPECT_TRUE(IsReceipt(kReceipt));
  EXPECT_FALSE(IsReceipt("00112233445566778899AABBCCDDEEFF"));
  EXPECT_FALSE(IsReceipt("0011"));
}

TEST(BudgetTest, ValidateBallot) {
  const BallotRules rules{1000, 2};
  auto ok = ValidateBallot(Projects(), rules, {kP3, kP1});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, (std::vector<std::string>{kP1, kP3}));
  auto reason = [&](std::vector<std::string> c, BallotRules r) {
    auto v = ValidateBallot(Projects(), r, std::move(c));
    EXPECT_FALSE(v);
    if (!v) {
      EXPECT_EQ(v.error().field, "project_ids");
    }
    return v ? std::string("ok") : v.error().reason;
  };
  EXPECT_EQ(reason({}, rules), "empty_ballot");
  EXPECT_EQ(reason({kP1, "nope"}, rules), "unknown_project");
  EXPECT_EQ(reason({kP1, kP1}, rules), "duplicate_project");
  EXPECT_EQ(reason({kP1, kP2, kP3}, rules), "too_many_choices");
  EXPECT_EQ(reason({kP1, kP2, kP3}, {900, 0}), "over_budget");
  EXPECT_TRUE(ValidateBallot(Projects(), {1000, 0}, {kP1, kP2, kP3}));  // exactly the total
}

TEST(BudgetTest, TallyAndSelection) {
  const auto tally = Tally(Projects(), {{kP1, kP2}, {kP2}, {kP2, kP3}, {kP1, "gone"}});
  EXPECT_EQ(tally, (std::vector<ProjectVotes>{{kP1, 2}, {kP2, 3}, {kP3, 1}}));
  // P2 (3 votes, 500) then P1 (2, 300); P3 (200) no longer fits in 900.
  auto s = SelectWinners(Projects(), tally, 900);
  EXPECT_EQ(s.selected, (std::vector<std::string>{kP2, kP1}));
  EXPECT_EQ(s.spent_fen, 800);
  // A project that does not fit is skipped and the next one is tried.
  s = SelectWinners(Projects(), tally, 700);
  EXPECT_EQ(s.selected, (std::vector<std::string>{kP2, kP3}));
  EXPECT_EQ(s.spent_fen, 700);
  // Ties: the lower cost first, then the position.
  std::vector<BudgetProject> tie = {{"a", 400, 0}, {"b", 300, 1}, {"c", 300, 2}};
  s = SelectWinners(tie, {{"a", 1}, {"b", 1}, {"c", 1}}, 600);
  EXPECT_EQ(s.selected, (std::vector<std::string>{"b", "c"}));
  // Nobody's choice is not selected.
  s = SelectWinners(tie, {{"a", 0}, {"b", 2}, {"c", 0}}, 10000);
  EXPECT_EQ(s.selected, (std::vector<std::string>{"b"}));
}

// A closed budget's events as the service appends them.
struct Chain {
  std::vector<audit::Event> events;
  std::int64_t seq = 100;
  void Add(std::string actor, std::string action, json::Json payload, Timestamp at = 5000) {
    audit::Event e;
    e.seq = ++seq;
    e.at = at;
    e.actor = std::move(actor);
    e.action = std::move(action);
    e.subject = kBudget;
    e.payload = payload.dump();
    events.push_back(std::move(e));
  }
};

Chain Honest(std::vector<std::vector<std::string>> ballots) {
  Chain c;
  c.Add("staff", "deliberation.budget.created",
        {{"community_id", "c1"},
         {"title", "t"},
         {"total_fen", 900},
         {"max_choices", 0},
         {"voting_opens", 1000},
         {"voting_closes", 9000}},
        500);
  json::Json projects = json::Json::array();
  for (const auto& p : Projects()) projects.push_back({{"id", p.id}, {"cost_fen", p.cost_fen}});
  c.Add("system", "deliberation.budget.opened",
        {{"projects", projects}, {"total_fen", 900}, {"voting_closes", 9000}}, 1000);
  for (std::size_t i = 0; i < ballots.size(); ++i)
    c.Add("voter" + std::to_string(i), "deliberation.ballot.cast",
          {{"community_id", "c1"}, {"commitment", "x"}}, 2000 + static_cast<Timestamp>(i));
  for (std::size_t i = 0; i < ballots.size(); ++i) {
    std::sort(ballots[i].begin(), ballots[i].end());
    c.Add("system", "deliberation.ballot.opened",
          {{"tag", "tag" + std::to_string(i)}, {"choices", ballots[i]}}, 9000);
  }
  const auto tally = Tally(Projects(), ballots);
  const auto sel = SelectWinners(Projects(), tally, 900);
  json::Json t = json::Json::array();
  for (const auto& v : tally) t.push_back({{"project_id", v.project_id}, {"votes", v.votes}});
  c.Add("system", "deliberation.budget.closed",
        {{"ballots", ballots.size()},
         {"tally", t},
         {"selected", sel.selected},
         {"spent_fen", sel.spent_fen},
         {"method", "votes_desc_fit_in_total"}},
        9000);
  return c;
}

const std::vector<std::vector<std::string>> kBallots = {{kP1, kP2}, {kP2}, {kP2, kP3}, {kP1}};

std::size_t IndexOf(const Chain& c, std::string_view action, int nth = 0) {
  for (std::size_t i = 0; i < c.events.size(); ++i)
    if (c.events[i].action == action && nth-- == 0) return i;
  return c.events.size();
}

TEST(BudgetTest, CheckTallyPassesAnHonestBudget) {
  auto check = CheckTally(Honest(kBallots).events);
  EXPECT_TRUE(check.ok) << (check.problems.empty() ? "" : check.problems[0]);
  EXPECT_EQ(check.casts, 4);
  EXPECT_EQ(check.ballots, 4);
}

TEST(BudgetTest, CheckTallyCatchesASwappedChoice) {
  auto c = Honest(kBallots);
  auto& e = c.events[IndexOf(c, "deliberation.ballot.opened", 1)];
  e.payload = json::Json{{"tag", "tag1"}, {"choices", {kP3}}}.dump();  // was P2
  EXPECT_FALSE(CheckTally(c.events).ok);
}

TEST(BudgetTest, CheckTallyCatchesAMissingAndAnExtraBallot) {
  auto missing = Honest(kBallots);
  missing.events.erase(missing.events.begin() +
                       static_cast<std::ptrdiff_t>(IndexOf(missing, "deliberation.ballot.opened")));
  EXPECT_FALSE(CheckTally(missing.events).ok);

  auto extra = Honest(kBallots);
  audit::Event e = extra.events[IndexOf(extra, "deliberation.ballot.opened")];
  e.payload = json::Json{{"tag", "tag9"}, {"choices", {kP1}}}.dump();
  extra.events.insert(extra.events.end() - 1, e);
  EXPECT_FALSE(CheckTally(extra.events).ok);
}

TEST(BudgetTest, CheckTallyCatchesADoubleCasterAndAWrongSelection) {
  auto twice = Honest(kBallots);
  twice.events[IndexOf(twice, "deliberation.ballot.cast", 1)].actor = "voter0";
  auto check = CheckTally(twice.events);
  EXPECT_FALSE(check.ok);

  auto wrong = Honest(kBallots);
  auto& closed = wrong.events.back();
  auto p = json::Json::parse(closed.payload);
  p["selected"] = {kP1, kP3};
  closed.payload = p.dump();
  EXPECT_FALSE(CheckTally(wrong.events).ok);

  auto late = Honest(kBallots);
  late.events[IndexOf(late, "deliberation.ballot.cast", 2)].at = 9000;  // at the close
  EXPECT_FALSE(CheckTally(late.events).ok);

  auto invalid = Honest({{kP1, kP2, kP3}});  // 1,000 fen over a 900 budget
  EXPECT_FALSE(CheckTally(invalid.events).ok);
}

}  // namespace
}  // namespace xietong::participation
