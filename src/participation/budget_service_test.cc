// Participatory budgets on every backend: staff create a budget and its
// projects (bad input 400 with nothing stored, residents 403), open it;
// only residents of the community vote, once each — 8 concurrent casts by one
// person on two nodes give exactly one ballot; over budget, unknown or
// duplicate projects 400; after the close 409. The ballots table has no
// voter and no time column and the cast event no choice. RunDue closes a
// budget once even on two nodes at once, and CheckTally verifies the
// published tally from the chain events.
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "audit/audit_log.h"
#include "matters/matter_service.h"
#include "participation/deliberation_service.h"
#include "participation/schema.h"
#include "storage/testing.h"

namespace xietong::participation {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // Mon 2026-11-23 10:00 +08:00

class BudgetServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = storage::ApplySchemas(t_->db(), {&requests::Schema(), &Schema()}, 0);
    ASSERT_TRUE(applied) << applied.error().message;
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(t_->db(), clock_, ids_);
    requests_ = std::make_unique<requests::RequestService>(t_->db(), clock_, ids_, *calendar_,
                                                           *identity_, *matters_);
    collab_ =
        std::make_unique<collab::CollabService>(t_->db(), clock_, ids_, *calendar_, *identity_);
    service_ = std::make_unique<DeliberationService>(t_->db(), clock_, ids_, *identity_, *collab_,
                                                     *requests_);
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    district_ = Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区");
    street_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "望湖街道");
    lake_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区");
    willow_ = Unit(street_.id, UnitKind::kCommunity, "JL-01-01-02", "柳巷社区");
    staff_ = Person("street.lead", street_, Role::kUnitLead, identity::AccountKind::kStaff);
    resident_ = Person("resident", lake_, Role::kResident, identity::AccountKind::kResident);
    outsider_ = Person("resident02", willow_, Role::kResident, identity::AccountKind::kResident);
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  Principal Person(std::string username, const OrgUnit& unit, Role role,
                   identity::AccountKind kind) {
    identity::NewAccount in;
    in.username = username;
    in.display_name = "用户" + username;
    in.password = "correct horse 12";
    in.kind = kind;
    in.unit_id = unit.id;
    in.role = role;
    auto a = identity_->CreateAccount(Principal::System(), in);
    EXPECT_TRUE(a) << a.error().message;
    Principal p;
    p.account_id = a->id;
    p.username = a->username;
    p.display_name = a->display_name;
    p.kind = a->kind;
    p.memberships = a->memberships;
    return p;
  }

  Principal Resident(std::string id, const OrgUnit& unit) {
    Principal p;
    p.account_id = std::move(id);
    p.username = p.account_id;
    p.kind = identity::AccountKind::kResident;
    p.memberships.push_back(
        {"m-" + p.account_id, p.account_id, unit.id, unit.name, unit.path, Role::kResident});
    return p;
  }

  NewBudget Input() {
    NewBudget in;
    in.community_id = lake_.id;
    in.title = "2027年湖畔社区微更新";
    in.description = "居民投票决定今年的社区微更新项目。";
    in.total_fen = 10'000'00;  // 10,000 yuan
    in.max_choices = 2;
    in.voting_opens = kNow + kMicrosPerHour;
    in.voting_closes = kNow + 7 * kMicrosPerDay;
    return in;
  }

  // A budget with three projects (6,000, 5,000 and 3,000 yuan), open for voting.
  Budget Open() {
    auto b = service_->CreateBudget(staff_, Input());
    EXPECT_TRUE(b) << b.error().message;
    for (auto [title, cost] : {std::pair{"三号楼扶手", 6'000'00}, std::pair{"儿童游乐区", 5'000'00},
                               std::pair{"垃圾分类亭", 3'000'00}}) {
      auto p = service_->AddProject(staff_, b->id, {title, "", cost, ""});
      EXPECT_TRUE(p) << p.error().message;
      projects_.push_back(p.value_or(Project{}));
    }
    auto opened = service_->OpenBudget(staff_, b->id);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened.value_or(Budget{});
  }

  std::int64_t Rows(std::string_view table) {
    auto r = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT COUNT(*) FROM {}", table)));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(r);
    return r.value_or(-1);
  }

  std::vector<audit::Event> Events(std::string_view subject) {
    auto events =
        t_->db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, subject); });
    EXPECT_TRUE(events);
    return events.value_or(std::vector<audit::Event>{});
  }

  int Count(std::string_view subject, std::string_view action) {
    const auto events = Events(subject);
    return static_cast<int>(std::count_if(events.begin(), events.end(),
                                          [&](const auto& e) { return e.action == action; }));
  }

  std::vector<std::string> Columns(std::string_view table) {
    auto r = t_->db().Read([&](storage::Executor& ex) -> Result<std::vector<std::string>> {
      const std::string sql =
          ex.dialect() == storage::Dialect::kSqlite
              ? fmt::format("SELECT name FROM pragma_table_info('{}')", table)
              : fmt::format(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_name = '{}' AND table_schema = current_schema()",
                    table);
      XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql));
      std::vector<std::string> out;
      for (const auto& row : rows) out.push_back(row.Text(0));
      std::sort(out.begin(), out.end());
      return out;
    });
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(std::vector<std::string>{});
  }

  ManualClock clock_{kNow};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<requests::RequestService> requests_;
  std::unique_ptr<collab::CollabService> collab_;
  std::unique_ptr<DeliberationService> service_;
  OrgUnit city_, district_, street_, lake_, willow_;
  Principal staff_, resident_, outsider_;
  std::vector<Project> projects_;
};

TEST_P(BudgetServiceTest, StaffCreateBudgetsAndBadInputStoresNothing) {
  auto by_resident = service_->CreateBudget(resident_, Input());
  ASSERT_FALSE(by_resident);
  EXPECT_EQ(by_resident.error().code, ErrorCode::kPermissionDenied);
  auto bad = Input();
  bad.total_fen = 0;
  EXPECT_EQ(service_->CreateBudget(staff_, bad).error().field, "total_fen");
  bad = Input();
  bad.voting_closes = bad.voting_opens;
  EXPECT_EQ(service_->CreateBudget(staff_, bad).error().reason, "before_opens");
  bad = Input();
  bad.title = "";
  EXPECT_EQ(service_->CreateBudget(staff_, bad).error().field, "title");
  bad = Input();
  bad.community_id = street_.id;
  EXPECT_EQ(service_->CreateBudget(staff_, bad).error().reason, "not_community");
  EXPECT_EQ(Rows("deliberation_budgets"), 0);

  auto b = service_->CreateBudget(staff_, Input());
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->status, BudgetStatus::kDraft);
  auto empty = service_->OpenBudget(staff_, b->id);
  EXPECT_EQ(empty.error().reason, "no_projects");
  EXPECT_EQ(service_->AddProject(staff_, b->id, {"太贵了", "", 10'000'01, ""}).error().reason,
            "over_budget");
  EXPECT_EQ(service_->AddProject(resident_, b->id, {"居民加的", "", 100, ""}).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->AddProject(staff_, b->id, {"无此提案", "", 100, "01JNOSUCH"}).error().reason,
            "unknown");
  EXPECT_EQ(Rows("deliberation_projects"), 0);
  // Outsiders do not see it at all.
  EXPECT_EQ(service_->GetBudget(outsider_, b->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->ListBudgets(outsider_, lake_.id).error().reason, "not_resident");
  auto list = service_->ListBudgets(resident_, "");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), 1u);
  auto cancelled = service_->CancelBudget(staff_, b->id, "预算未获批");
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, BudgetStatus::kCancelled);
  EXPECT_EQ(service_->CancelBudget(staff_, b->id, "again").error().reason, "not_draft");
  EXPECT_EQ(Count(b->id, "deliberation.budget.created"), 1);
  EXPECT_EQ(Count(b->id, "deliberation.budget.cancelled"), 1);
}

TEST_P(BudgetServiceTest, OnePersonCastingConcurrentlyOnTwoNodesGetsOneBallot) {
  auto b = Open();
  auto other_db = t_->OpenAnother();
  ASSERT_NE(other_db, nullptr);
  DeliberationService second(*other_db, clock_, ids_, *identity_, *collab_, *requests_);
  std::atomic<int> ok{0}, already{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto& s = i % 2 == 0 ? *service_ : second;
      // Each attempt with its own receipt, as separate page loads would.
      auto r = s.Cast(resident_, b.id, {{projects_[i % 3].id}, ""});
      if (r) {
        ++ok;
      } else if (r.error().reason == "already_voted") {
        ++already;
      } else {
        ++other;
        ADD_FAILURE() << r.error().message;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already.load(), 7);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Rows("deliberation_voters"), 1);
  EXPECT_EQ(Rows("deliberation_ballots"), 1);
  EXPECT_EQ(Count(b.id, "deliberation.ballot.cast"), 1);
  auto v = service_->GetBudget(resident_, b.id);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->budget.ballots, 1);
  EXPECT_TRUE(v->i_voted);
  EXPECT_FALSE(v->can_vote);
  // A sequential second vote is refused too.
  EXPECT_EQ(service_->Cast(resident_, b.id, {{projects_[0].id}, ""}).error().reason,
            "already_voted");
}

// One person, one vote across accounts: with the finder app wires from
// exchange's 实名 links, a second account of the same person is refused,
// whichever account voted first and whether it was linked then or later.
TEST_P(BudgetServiceTest, APersonWithTwoLinkedAccountsVotesOnce) {
  auto b = Open();
  const Principal second = Resident("acct-second", lake_);
  const Principal third = Resident("acct-third", lake_);
  const Principal stranger = Resident("acct-stranger", lake_);
  bool linked_third = false;  // the third account is linked only later
  service_->SetVoterKeysFinder(
      [&](std::string_view account_id) -> Result<std::vector<std::string>> {
        const bool ours = account_id == resident_.account_id || account_id == second.account_id ||
                          (linked_third && account_id == third.account_id);
        if (!ours) return std::vector<std::string>{};
        std::vector<std::string> keys{"person:d1", "account:" + resident_.account_id,
                                      "account:" + second.account_id};
        if (linked_third) keys.push_back("account:" + third.account_id);
        return keys;
      });
  ASSERT_TRUE(service_->Cast(third, b.id, {{projects_[2].id}, ""}));  // not linked yet
  ASSERT_TRUE(service_->Cast(resident_, b.id, {{projects_[0].id}, ""}));
  auto again = service_->Cast(second, b.id, {{projects_[1].id}, ""});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, "already_voted");
  // The second account sees the person's vote, with its commitment.
  auto mine = service_->GetMyBallot(second, b.id);
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_TRUE(mine->voted);
  EXPECT_FALSE(mine->commitment.empty());
  auto view = service_->GetBudget(second, b.id);
  ASSERT_TRUE(view);
  EXPECT_TRUE(view->i_voted);
  EXPECT_FALSE(view->can_vote);
  // Linked now: the third account had voted as itself, so the person has.
  linked_third = true;
  auto late = service_->Cast(second, b.id, {{projects_[1].id}, ""});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().reason, "already_voted");
  // Someone else is not held back by it.
  ASSERT_TRUE(service_->Cast(stranger, b.id, {{projects_[1].id}, ""}));
  EXPECT_EQ(Rows("deliberation_voters"), 3);
  EXPECT_EQ(Rows("deliberation_ballots"), 3);
  EXPECT_EQ(Count(b.id, "deliberation.ballot.cast"), 3);
}

TEST_P(BudgetServiceTest, BallotsAreSecretAndRefusalsStoreNothing) {
  // Who voted has no choice and no time; what was voted has no voter and no time.
  EXPECT_EQ(Columns("deliberation_voters"),
            (std::vector<std::string>{"account_id", "budget_id", "voter_key"}));
  EXPECT_EQ(Columns("deliberation_ballots"),
            (std::vector<std::string>{"budget_id", "choices", "tag"}));

  auto b = Open();
  const auto& p = projects_;
  auto cast = [&](const Principal& who, std::vector<std::string> ids, std::string receipt = "") {
    return service_->Cast(who, b.id, {std::move(ids), std::move(receipt)});
  };
  // Outside the community the budget is not even visible.
  EXPECT_EQ(cast(outsider_, {p[0].id}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(cast(staff_, {p[0].id}).error().reason, "not_resident");
  EXPECT_EQ(cast(resident_, {p[0].id, p[1].id}).error().reason, "over_budget");
  EXPECT_EQ(cast(resident_, {"01JNOSUCHPROJECT"}).error().reason, "unknown_project");
  EXPECT_EQ(cast(resident_, {p[2].id, p[2].id}).error().reason, "duplicate_project");
  EXPECT_EQ(cast(resident_, {}).error().reason, "empty_ballot");
  EXPECT_EQ(cast(resident_, {p[2].id}, "NOT-HEX").error().field, "receipt");
  EXPECT_EQ(Rows("deliberation_voters"), 0);
  EXPECT_EQ(Rows("deliberation_ballots"), 0);
  EXPECT_EQ(service_->Results(resident_, b.id).error().reason, "not_closed");

  const std::string receipt = "00112233445566778899aabbccddeeff";
  auto r = cast(resident_, {p[2].id, p[1].id}, receipt);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->receipt, receipt);
  const std::vector<std::string> sorted = {std::min(p[1].id, p[2].id), std::max(p[1].id, p[2].id)};
  EXPECT_EQ(r->commitment, BallotCommitment(b.id, receipt, sorted));
  EXPECT_EQ(r->tag, BallotTag(b.id, receipt));
  // A reused receipt by another voter: nothing of theirs is kept.
  auto reused = cast(Resident("neighbour", lake_), {p[0].id}, receipt);
  EXPECT_EQ(reused.error().reason, "receipt_used");
  EXPECT_EQ(Rows("deliberation_voters"), 1);
  // The cast event carries the commitment, never the choices.
  for (const auto& e : Events(b.id))
    if (e.action == "deliberation.ballot.cast") {
      EXPECT_EQ(e.payload.find(p[1].id), std::string::npos);
      EXPECT_EQ(e.payload.find(p[2].id), std::string::npos);
      EXPECT_NE(e.payload.find(r->commitment), std::string::npos);
    }
  auto mine = service_->GetMyBallot(resident_, b.id);
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_TRUE(mine->voted);
  EXPECT_EQ(mine->cast_seq, r->cast_seq);
  EXPECT_EQ(mine->commitment, r->commitment);

  // After the close: 409 voting_closed.
  clock_.Set(b.voting_closes);
  EXPECT_EQ(cast(Resident("late", lake_), {p[0].id}).error().reason, "voting_closed");
}

TEST_P(BudgetServiceTest, RunDueOpensAndClosesOnceAndCheckTallyVerifiesTheTally) {
  auto created = service_->CreateBudget(staff_, Input());
  ASSERT_TRUE(created) << created.error().message;
  for (auto [title, cost] : {std::pair{"三号楼扶手", 6'000'00}, std::pair{"儿童游乐区", 5'000'00},
                             std::pair{"垃圾分类亭", 3'000'00}}) {
    auto p = service_->AddProject(staff_, created->id, {title, "", cost, ""});
    ASSERT_TRUE(p) << p.error().message;
    projects_.push_back(*p);
  }
  auto early = service_->RunDue();
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(service_->GetBudget(staff_, created->id)->budget.status, BudgetStatus::kDraft);
  clock_.Set(created->voting_opens);
  ASSERT_TRUE(service_->RunDue());
  EXPECT_EQ(service_->GetBudget(staff_, created->id)->budget.status, BudgetStatus::kVoting);
  EXPECT_EQ(service_->AddProject(staff_, created->id, {"晚了", "", 100, ""}).error().reason,
            "not_draft");

  // 7 voters: A+C ×3, B ×2, A ×1, C ×1 → A 4, B 2, C 4: C (cheaper) then A fit 9,000 of 10,000.
  const auto& p = projects_;
  const std::vector<std::vector<std::string>> ballots = {
      {p[0].id, p[2].id}, {p[0].id, p[2].id}, {p[0].id, p[2].id}, {p[1].id},
      {p[1].id},          {p[0].id},          {p[2].id}};
  for (std::size_t i = 0; i < ballots.size(); ++i) {
    auto r =
        service_->Cast(Resident(fmt::format("voter{}", i), lake_), created->id, {ballots[i], ""});
    ASSERT_TRUE(r) << r.error().message;
  }

  // Two nodes close it at once: one closed event.
  clock_.Set(created->voting_closes);
  auto other_db = t_->OpenAnother();
  ASSERT_NE(other_db, nullptr);
  DeliberationService second(*other_db, clock_, ids_, *identity_, *collab_, *requests_);
  std::thread other([&] { EXPECT_TRUE(second.RunDue()); });
  EXPECT_TRUE(service_->RunDue());
  other.join();
  EXPECT_EQ(Count(created->id, "deliberation.budget.closed"), 1);
  EXPECT_EQ(Count(created->id, "deliberation.ballot.opened"), 7);

  auto results = service_->Results(resident_, created->id);
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_EQ(results->budget.status, BudgetStatus::kClosed);
  EXPECT_EQ(results->tally, (std::vector<ProjectVotes>{{p[0].id, 4}, {p[1].id, 2}, {p[2].id, 4}}));
  EXPECT_EQ(results->selected, (std::vector<std::string>{p[2].id, p[0].id}));
  EXPECT_EQ(results->spent_fen, 9'000'00);
  ASSERT_EQ(results->ballots.size(), 7u);
  EXPECT_TRUE(std::is_sorted(results->ballots.begin(), results->ballots.end(),
                             [](const auto& a, const auto& b) { return a.tag < b.tag; }));
  auto view = service_->GetBudget(resident_, created->id);
  ASSERT_TRUE(view);
  EXPECT_GT(view->budget.close_seq, 0);
  EXPECT_EQ(view->projects[1].votes, 2);
  EXPECT_FALSE(view->projects[1].selected);
  EXPECT_TRUE(view->projects[2].selected);

  auto proof = service_->Proof(resident_, created->id);
  ASSERT_TRUE(proof) << proof.error().message;
  EXPECT_TRUE(proof->check.ok) << fmt::format("{}", fmt::join(proof->check.problems, "; "));
  EXPECT_EQ(proof->check.casts, 7);
  EXPECT_EQ(proof->check.ballots, 7);
  // A swapped choice in one opened ballot is caught.
  auto tampered = proof->events;
  for (auto& e : tampered)
    if (e.action == "deliberation.ballot.opened") {
      auto j = json::Json::parse(e.payload);
      const std::vector<std::string> was = j["choices"];
      j["choices"] = was == std::vector<std::string>{p[1].id} ? std::vector<std::string>{p[0].id}
                                                              : std::vector<std::string>{p[1].id};
      e.payload = j.dump();
      break;
    }
  EXPECT_FALSE(CheckTally(tampered).ok);
  EXPECT_EQ(service_->Proof(outsider_, created->id).error().code, ErrorCode::kNotFound);
  // A third RunDue changes nothing.
  auto again = service_->RunDue();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, BudgetServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace xietong::participation
