// The pure rules of proposals and meetings: validation names the field, the
// state diagram's moves (support, withdraw, hide, expire, schedule, decide),
// the threshold crossed exactly once, and a meeting's record deciding every
// agenda item once.
#include "participation/proposal.h"

#include <gtest/gtest.h>

#include "participation/meeting.h"

namespace xietong::participation {
namespace {

constexpr Timestamp kNow = 1'795'399'200'000'000;

NewProposal Good() {
  NewProposal in;
  in.community_id = "c1";
  in.title = "  加装电梯扶手  ";
  in.text = "三号楼楼梯没有扶手，老人上下不便。";
  in.address = "湖畔社区3号楼";
  in.cost_fen = 120000;
  return in;
}

Proposal Collecting() {
  Proposal p;
  p.id = "p1";
  p.community_id = "c1";
  p.author_id = "author";
  p.threshold = 3;
  p.created_at = kNow;
  p.support_until = kNow + 30 * kMicrosPerDay;
  return p;
}

std::string ReasonOf(const Result<NewProposal>& r) {
  return r ? std::string("ok") : r.error().reason;
}

TEST(ProposalTest, ValidationTrimsAndNamesTheField) {
  auto ok = ValidateNewProposal(Good());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->title, "加装电梯扶手");

  auto in = Good();
  in.title = "   ";
  auto r = ValidateNewProposal(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "title");
  EXPECT_EQ(r.error().reason, "empty");

  in = Good();
  in.title.clear();
  for (int i = 0; i < 61; ++i) in.title += "字";
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "too_long");
  in.title.resize(in.title.size() - 3);  // 60 characters is fine
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "ok");

  in = Good();
  in.text = std::string(2001, 'a');
  EXPECT_EQ(ValidateNewProposal(in).error().field, "text");
  in = Good();
  in.text = "a\u202Eb";
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "invalid");
  in = Good();
  in.address = "";
  EXPECT_EQ(ValidateNewProposal(in).error().field, "place.address");
  in = Good();
  in.lat = 30.1;
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "incomplete");
  in.lng = 190;
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "out_of_range");
  in = Good();
  in.cost_fen = -1;
  EXPECT_EQ(ValidateNewProposal(in).error().field, "cost_fen");
  in.cost_fen = kMaxCostFen + 1;
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "out_of_range");
  in.cost_fen = kMaxCostFen;
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "ok");
  in = Good();
  in.photo_ids = {"a", "b", "c", "d", "e", "f", "g"};
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "too_many");
  in.photo_ids = {"a", "a"};
  EXPECT_EQ(ReasonOf(ValidateNewProposal(in)), "duplicate");
}

TEST(ProposalTest, StatusNamesRoundTrip) {
  for (auto s : {ProposalStatus::kCollecting, ProposalStatus::kQualified,
                 ProposalStatus::kScheduled, ProposalStatus::kAccepted,
                 ProposalStatus::kImplementing, ProposalStatus::kDone, ProposalStatus::kRejected,
                 ProposalStatus::kWithdrawn, ProposalStatus::kExpired, ProposalStatus::kHidden}) {
    auto back = ParseProposalStatus(ProposalStatusName(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(ParseProposalStatus("open"));
}

TEST(ProposalTest, SupportRules) {
  auto p = Collecting();
  EXPECT_TRUE(DecideSupport(p, "neighbour", kNow));
  auto own = DecideSupport(p, "author", kNow);
  ASSERT_FALSE(own);
  EXPECT_EQ(own.error().code, ErrorCode::kConflict);
  EXPECT_EQ(own.error().reason, "own_proposal");
  // At support_until it is over.
  EXPECT_EQ(DecideSupport(p, "neighbour", p.support_until).error().reason, "not_collecting");
  // Qualified and scheduled proposals still take supports; the rest do not.
  for (auto s : {ProposalStatus::kQualified, ProposalStatus::kScheduled}) {
    p.status = s;
    EXPECT_TRUE(DecideSupport(p, "neighbour", kNow));
  }
  for (auto s : {ProposalStatus::kAccepted, ProposalStatus::kRejected, ProposalStatus::kWithdrawn,
                 ProposalStatus::kExpired, ProposalStatus::kHidden, ProposalStatus::kDone}) {
    p.status = s;
    EXPECT_EQ(DecideSupport(p, "neighbour", kNow).error().reason, "not_collecting");
  }
}

TEST(ProposalTest, ThresholdIsCrossedExactlyOnce) {
  int crossings = 0;
  for (std::int64_t after = 1; after <= 50; ++after) crossings += CrossedThreshold(after, 10);
  EXPECT_EQ(crossings, 1);
  EXPECT_TRUE(CrossedThreshold(10, 10));
  EXPECT_FALSE(CrossedThreshold(11, 10));
}

TEST(ProposalTest, WithdrawHideExpire) {
  auto p = Collecting();
  EXPECT_TRUE(DecideWithdraw(p, "author"));
  EXPECT_EQ(DecideWithdraw(p, "neighbour").error().code, ErrorCode::kPermissionDenied);
  p.status = ProposalStatus::kQualified;
  EXPECT_EQ(DecideWithdraw(p, "author").error().reason, "not_collecting");

  EXPECT_TRUE(DecideHide(p));
  p.status = ProposalStatus::kHidden;
  EXPECT_EQ(DecideHide(p).error().reason, "already_hidden");
  p.status = ProposalStatus::kAccepted;
  EXPECT_EQ(DecideHide(p).error().reason, "already_decided");

  p = Collecting();
  EXPECT_FALSE(ShouldExpire(p, p.support_until - 1));
  EXPECT_TRUE(ShouldExpire(p, p.support_until));
  p.status = ProposalStatus::kQualified;  // a qualified proposal waits for its meeting
  EXPECT_FALSE(ShouldExpire(p, p.support_until + 1));

  EXPECT_TRUE(ValidateReason("重复提案"));
  EXPECT_EQ(ValidateReason("  ").error().reason, "empty");
  EXPECT_EQ(ValidateComment(std::string(1001, 'x')).error().reason, "too_long");
}

TEST(ProposalTest, ScheduleAndDecide) {
  auto p = Collecting();
  EXPECT_EQ(DecideSchedule(p, "c1").error().reason, "not_qualified");
  p.status = ProposalStatus::kQualified;
  EXPECT_TRUE(DecideSchedule(p, "c1"));
  EXPECT_EQ(DecideSchedule(p, "c2").error().reason, "other_community");
  EXPECT_EQ(StatusAfter(Decision::kAccepted), ProposalStatus::kAccepted);
  EXPECT_EQ(StatusAfter(Decision::kRejected), ProposalStatus::kRejected);
  EXPECT_EQ(StatusAfter(Decision::kDeferred), ProposalStatus::kQualified);
  EXPECT_EQ(*ParseDecision("deferred"), Decision::kDeferred);
  EXPECT_EQ(ParseDecision("maybe").error().field, "decision");
}

Meeting Scheduled() {
  Meeting m;
  m.id = "m1";
  m.community_id = "c1";
  m.agenda = {"p1", "p2", "p3"};
  return m;
}

MeetingRecord FullRecord() {
  MeetingRecord r;
  r.attendees = {"a", "b"};
  r.minutes = "到会居民23人，逐项表决。";
  ItemDecision accept{"p1", Decision::kAccepted, "", {"task", "owner", 30, ""}};
  ItemDecision reject{"p2", Decision::kRejected, "费用过高", {}};
  ItemDecision defer{"p3", Decision::kDeferred, "", {"task", "x", 5, ""}};
  r.decisions = {accept, reject, defer};
  return r;
}

TEST(MeetingTest, NewMeetingValidation) {
  NewMeeting in{"c1", "三季度居民议事会", MeetingKind::kCouncil, kNow, "社区活动室", {"p1"}};
  EXPECT_TRUE(ValidateNewMeeting(in));
  auto bad = in;
  bad.agenda = {};
  EXPECT_EQ(ValidateNewMeeting(bad).error().field, "agenda");
  bad.agenda = {"p1", "p1"};
  EXPECT_EQ(ValidateNewMeeting(bad).error().reason, "duplicate");
  bad = in;
  bad.scheduled_at = 0;
  EXPECT_EQ(ValidateNewMeeting(bad).error().field, "scheduled_at");
  EXPECT_EQ(*ParseMeetingKind("hearing"), MeetingKind::kHearing);
  EXPECT_EQ(ParseMeetingKind("party").error().field, "kind");
}

TEST(MeetingTest, RecordDecidesEveryItemOnce) {
  auto ok = ValidateRecord(Scheduled(), FullRecord());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->decisions[2].implement.kind, "none");  // deferred: nothing to carry out

  auto r = FullRecord();
  r.decisions.pop_back();
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().reason, "missing");
  r = FullRecord();
  r.decisions.push_back(r.decisions[0]);
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().reason, "duplicate");
  r = FullRecord();
  r.decisions[0].proposal_id = "p9";
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().reason, "not_on_agenda");
  r = FullRecord();
  r.attendees = {"a", "a"};
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().field, "attendees");
  r = FullRecord();
  r.decisions[1].reason = "";
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().field, "decisions.reason");
  r = FullRecord();
  r.decisions[0].implement.deadline_days = 0;
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().field, "decisions.implement.deadline_days");
  r = FullRecord();
  r.decisions[0].implement = {"request", "", 0, ""};
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().field, "decisions.implement.matter_id");
  r.decisions[0].implement.kind = "email";
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().field, "decisions.implement.kind");
  r = FullRecord();
  r.minutes = "";
  EXPECT_EQ(ValidateRecord(Scheduled(), r).error().field, "minutes");

  auto m = Scheduled();
  m.status = MeetingStatus::kRecorded;
  EXPECT_EQ(ValidateRecord(m, FullRecord()).error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace xietong::participation
