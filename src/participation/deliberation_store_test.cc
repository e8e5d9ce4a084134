// deliberation's SQL on every backend: migrations 6 and 7 apply; a proposal
// reads back as written; an Idempotency-Key is one proposal per author; the
// conditional support count qualifies a proposal exactly at its threshold
// and takes no support after support_until or once decided; a second
// support by one account is refused; updates are kept once per source event;
// meetings read back and a stale version writes nothing.
#include "participation/deliberation_store.h"

#include <gtest/gtest.h>

#include "participation/schema.h"
#include "storage/testing.h"

namespace xietong::participation {
namespace {

constexpr Timestamp kNow = 1'795'399'200'000'000;

class DeliberationStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    auto applied = storage::ApplySchemas(t_->db(), {&Schema()}, 0);
    ASSERT_TRUE(applied) << applied.error().message;
  }

  Proposal Make(std::string id, std::int64_t threshold = 3) {
    Proposal p;
    p.id = std::move(id);
    p.community_id = "c1";
    p.community_path = "/city/d/s/c1/";
    p.author_id = "author";
    p.title = "加装扶手";
    p.text = "三号楼";
    p.address = "3号楼";
    p.lat = 30.25;
    p.lng = 120.5;
    p.photo_ids = {"f1", "f2"};
    p.cost_fen = 1200;
    p.threshold = threshold;
    p.created_at = kNow;
    p.support_until = kNow + 1000;
    return p;
  }

  template <typename F>
  auto Write(F&& f) {
    return t_->db().Write([&](storage::Executor& ex) { return f(ex); });
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
};

TEST_P(DeliberationStoreTest, ProposalRoundTripAndIdempotencyKey) {
  auto p = Make("p1");
  ASSERT_TRUE(Write([&](auto& ex) { return store::InsertProposal(ex, p, "key-1"); }));
  auto back = Write([&](auto& ex) { return store::FindProposal(ex, "p1"); });
  ASSERT_TRUE(back && *back);
  const auto& b = **back;
  EXPECT_EQ(b.title, "加装扶手");
  EXPECT_EQ(b.community_path, "/city/d/s/c1/");
  ASSERT_TRUE(b.lat.has_value());
  EXPECT_DOUBLE_EQ(*b.lat, 30.25);
  EXPECT_EQ(b.photo_ids, (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(b.status, ProposalStatus::kCollecting);
  EXPECT_EQ(b.threshold, 3);
  EXPECT_EQ(b.version, 1);

  // The same author and key again: refused, nothing stored.
  auto again = Make("p2");
  auto r = Write([&](auto& ex) { return store::InsertProposal(ex, again, "key-1"); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  auto by_key = Write([&](auto& ex) { return store::FindProposalByKey(ex, "author", "key-1"); });
  ASSERT_TRUE(by_key && *by_key);
  EXPECT_EQ((*by_key)->id, "p1");
  // No key: any number; no coordinates: NULL.
  auto p3 = Make("p3");
  p3.lat.reset();
  p3.lng.reset();
  ASSERT_TRUE(Write([&](auto& ex) { return store::InsertProposal(ex, p3, ""); }));
  ASSERT_TRUE(Write([&](auto& ex) { return store::InsertProposal(ex, Make("p4"), ""); }));
  auto b3 = Write([&](auto& ex) { return store::FindProposal(ex, "p3"); });
  ASSERT_TRUE(b3 && *b3);
  EXPECT_FALSE((*b3)->lat.has_value());
}

TEST_P(DeliberationStoreTest, SupportsQualifyExactlyAtTheThreshold) {
  ASSERT_TRUE(Write([&](auto& ex) { return store::InsertProposal(ex, Make("p1", 3), ""); }));
  std::vector<store::SupportCount> counts;
  for (int i = 0; i < 4; ++i) {
    auto c = Write([&](auto& ex) -> Result<std::optional<store::SupportCount>> {
      XT_ASSIGN_OR_RETURN(bool fresh,
                          store::InsertSupport(ex, "p1", "s" + std::to_string(i), kNow + i));
      EXPECT_TRUE(fresh);
      return store::CountSupport(ex, "p1", kNow + i);
    });
    ASSERT_TRUE(c && *c);
    counts.push_back(**c);
  }
  EXPECT_EQ(counts[1].status, ProposalStatus::kCollecting);
  EXPECT_EQ(counts[2].supports, 3);
  EXPECT_EQ(counts[2].status, ProposalStatus::kQualified);
  EXPECT_EQ(counts[2].qualified_at, kNow + 2);
  EXPECT_EQ(counts[3].status, ProposalStatus::kQualified);
  EXPECT_EQ(counts[3].qualified_at, kNow + 2);  // not moved by later supports

  auto twice = Write([&](auto& ex) { return store::InsertSupport(ex, "p1", "s0", kNow + 9); });
  ASSERT_TRUE(twice);
  EXPECT_FALSE(*twice);
  auto has = Write([&](auto& ex) { return store::HasSupport(ex, "p1", "s3"); });
  EXPECT_TRUE(has && *has);
  auto list = Write([&](auto& ex) { return store::Supporters(ex, "p1"); });
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 4u);

  // After support_until: no count.
  auto late = Write([&](auto& ex) { return store::CountSupport(ex, "p1", kNow + 1000); });
  ASSERT_TRUE(late);
  EXPECT_FALSE(late->has_value());
  // Decided: no count.
  auto p = Write([&](auto& ex) { return store::FindProposal(ex, "p1"); });
  auto decided = **p;
  decided.status = ProposalStatus::kRejected;
  decided.version += 1;
  auto up = Write([&](auto& ex) { return store::UpdateProposal(ex, decided); });
  ASSERT_TRUE(up && *up);
  auto none = Write([&](auto& ex) { return store::CountSupport(ex, "p1", kNow + 5); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  // A stale version writes nothing.
  auto stale = Write([&](auto& ex) { return store::UpdateProposal(ex, decided); });
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
}

TEST_P(DeliberationStoreTest, ListsAgendaDueAndUpdates) {
  for (int i = 1; i <= 3; ++i)
    ASSERT_TRUE(Write(
        [&](auto& ex) { return store::InsertProposal(ex, Make("p" + std::to_string(i), 1), ""); }));
  // p2 qualifies with one support.
  ASSERT_TRUE(Write([&](auto& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertSupport(ex, "p2", "fan", kNow));
    XT_TRY_VOID(store::CountSupport(ex, "p2", kNow));
    return {};
  }));
  store::ProposalFilter f;
  f.community_id = "c1";
  f.limit = 2;
  auto page = Write([&](auto& ex) { return store::ListProposals(ex, f); });
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, "p3");  // newest first
  f.after_id = (*page)[1].id;
  auto next = Write([&](auto& ex) { return store::ListProposals(ex, f); });
  ASSERT_TRUE(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].id, "p1");
  store::ProposalFilter mine;
  mine.supported_by = "fan";
  mine.limit = 10;
  auto supported = Write([&](auto& ex) { return store::ListProposals(ex, mine); });
  ASSERT_TRUE(supported);
  ASSERT_EQ(supported->size(), 1u);
  EXPECT_EQ((*supported)[0].id, "p2");
  store::ProposalFilter qualified;
  qualified.statuses = {"qualified"};
  qualified.limit = 10;
  auto q = Write([&](auto& ex) { return store::ListProposals(ex, qualified); });
  ASSERT_TRUE(q);
  EXPECT_EQ(q->size(), 1u);
  auto agenda = Write([&](auto& ex) { return store::Agenda(ex, "c1"); });
  ASSERT_TRUE(agenda);
  ASSERT_EQ(agenda->size(), 1u);
  EXPECT_EQ((*agenda)[0].id, "p2");
  auto due = Write([&](auto& ex) { return store::DueToExpire(ex, kNow + 1000, 10); });
  ASSERT_TRUE(due);
  EXPECT_EQ(due->size(), 2u);  // p1 and p3; p2 is qualified

  ProposalUpdate u{"p2", 77, kNow, "progress", 40, "施工过半"};
  auto first = Write([&](auto& ex) { return store::InsertUpdate(ex, u); });
  auto replay = Write([&](auto& ex) { return store::InsertUpdate(ex, u); });
  ASSERT_TRUE(first && replay);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*replay);
  auto updates = Write([&](auto& ex) { return store::Updates(ex, "p2"); });
  ASSERT_TRUE(updates);
  ASSERT_EQ(updates->size(), 1u);
  EXPECT_EQ((*updates)[0].text, "施工过半");

  Comment c{"k1", "p2", "fan", "支持", kNow, ""};
  ASSERT_TRUE(Write([&](auto& ex) { return store::InsertComment(ex, c); }));
  auto comments = Write([&](auto& ex) { return store::Comments(ex, "p2", 10); });
  ASSERT_TRUE(comments);
  ASSERT_EQ(comments->size(), 1u);
  EXPECT_EQ((*comments)[0].text, "支持");
}

TEST_P(DeliberationStoreTest, MeetingRoundTrip) {
  Meeting m;
  m.id = "m1";
  m.community_id = "c1";
  m.title = "议事会";
  m.kind = MeetingKind::kHearing;
  m.scheduled_at = kNow;
  m.place = "活动室";
  m.agenda = {"p1", "p2"};
  m.created_by = "staff";
  m.created_at = kNow;
  ASSERT_TRUE(Write([&](auto& ex) { return store::InsertMeeting(ex, m); }));
  m.status = MeetingStatus::kRecorded;
  m.minutes = "纪要";
  m.attendees = {"a", "b"};
  m.decisions = {{"p1", Decision::kAccepted, "", {"task", "owner", 30, ""}},
                 {"p2", Decision::kRejected, "太贵", {}}};
  m.recorded_by = "staff";
  m.recorded_at = kNow + 1;
  m.version = 2;
  auto ok = Write([&](auto& ex) { return store::UpdateMeeting(ex, m); });
  ASSERT_TRUE(ok && *ok);
  auto stale = Write([&](auto& ex) { return store::UpdateMeeting(ex, m); });
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
  auto back = Write([&](auto& ex) { return store::FindMeeting(ex, "m1"); });
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->kind, MeetingKind::kHearing);
  EXPECT_EQ((*back)->status, MeetingStatus::kRecorded);
  EXPECT_EQ((*back)->agenda, m.agenda);
  ASSERT_EQ((*back)->decisions.size(), 2u);
  EXPECT_EQ((*back)->decisions[0].implement.owner_account_id, "owner");
  EXPECT_EQ((*back)->decisions[0].implement.deadline_days, 30);
  EXPECT_EQ((*back)->decisions[1].decision, Decision::kRejected);
  EXPECT_EQ((*back)->decisions[1].reason, "太贵");
  auto list = Write([&](auto& ex) { return store::ListMeetings(ex, "c1", 10); });
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliberationStoreTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace xietong::participation
