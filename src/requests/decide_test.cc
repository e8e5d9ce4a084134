// lifecycle::Decide without a database: what each command does to a
// request, decided from the request, the command and a Context alone.
#include "requests/decide.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace xietong::requests::lifecycle {
namespace {

using identity::OrgUnit;
using identity::UnitKind;

// Monday 2026-11-23 10:00 in Shanghai.
constexpr Timestamp kMonday10 = 1'795'399'200'000'000;

OrgUnit Unit(std::string code, std::string name, UnitKind kind, std::string path) {
  OrgUnit u;
  u.id = "id:" + code;
  u.code = std::move(code);
  u.name = std::move(name);
  u.kind = kind;
  u.path = std::move(path);
  return u;
}

class DecideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_ = std::make_unique<WorkCalendar>(std::move(*cal));
    std::vector<OrgUnit> units = {
        Unit("JL", "江澜市", UnitKind::kCity, "/c/"),
        Unit("JL-D01", "市城管委", UnitKind::kDepartment, "/c/d1/"),
        Unit("JL-D03", "市生态环境局", UnitKind::kDepartment, "/c/d3/"),
        Unit("JL-01", "湖滨区", UnitKind::kDistrict, "/c/x/"),
        Unit("JL-01-01", "湖畔街道", UnitKind::kStreet, "/c/x/s/"),
        Unit("JL-01-01-01-01", "湖畔社区第一网格", UnitKind::kGrid, "/c/x/s/g/"),
    };
    units[1].parent_id = units[2].parent_id = units[3].parent_id = units[0].id;
    units[4].parent_id = units[3].id;
    units[5].parent_id = units[4].id;
    auto dir = Directory::Build(units);
    ASSERT_TRUE(dir) << dir.error().message;
    dir_ = *dir;
    matter_.id = "m-stalls";
    matter_.level = 3;
    matter_.code = "01-01-01";
    matter_.name = "占道经营";
    matter_.version = 4;
    matter_.sign_limit = {2, matters::LimitUnit::kWorkingHours};
    matter_.finish_limit = {7, matters::LimitUnit::kWorkingDays};
    request_.id = "r-1";
    request_.number = "2026112300001";
    request_.status = Status::kReceived;
    request_.received_at = kMonday10 - kMicrosPerHour;
  }

  Context Ctx(Timestamp now = kMonday10) {
    return Context{.now = now,
                   .calendar = *calendar_,
                   .directory = *dir_,
                   .rules = rules_,
                   .matter = &matter_,
                   .actor_id = "acct-lead",
                   .next_id = [this] { return "sum-" + std::to_string(++next_); }};
  }

  static CommandInput Cmd(Command c) {
    CommandInput in;
    in.command = c;
    return in;
  }

  // The request dispatched to the street and signed there.
  Request SignedAtStreet() {
    CommandInput in = Cmd(Command::kDispatch);
    in.unit_id = "id:JL-01-01";
    in.reason = "按地址指派";
    auto d = Decide(request_, in, Ctx());
    EXPECT_TRUE(d) << d.error().message;
    auto s = Decide(d->after, Cmd(Command::kSign), Ctx(kMonday10 + kMicrosPerHour));
    EXPECT_TRUE(s) << s.error().message;
    return s->after;
  }

  std::unique_ptr<WorkCalendar> calendar_;
  std::shared_ptr<const Directory> dir_;
  Rules rules_;
  matters::Matter matter_;
  Request request_;
  int next_ = 0;
};

TEST_F(DecideTest, DispatchToANamedUnitSetsDeadlinesTimersAndTheRecord) {
  CommandInput in = Cmd(Command::kDispatch);
  in.unit_id = "id:JL-01-01";
  // Not where the route would send it (there is no route without a place):
  // an operator's choice needs a reason.
  auto bare = Decide(request_, in, Ctx());
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message, "'reason' must not be empty");
  in.reason = "按地址指派";
  auto t = Decide(request_, in, Ctx());
  ASSERT_TRUE(t) << t.error().message;
  const Request& a = t->after;
  EXPECT_EQ(a.status, Status::kDispatched);
  EXPECT_EQ(a.unit_name, "湖畔街道");
  EXPECT_EQ(a.matter_version, 4);
  EXPECT_EQ(a.dispatched_at, kMonday10);
  EXPECT_EQ(FormatRfc3339(a.sign_due), "2026-11-23T12:00:00+08:00");
  EXPECT_EQ(a.finish_due, matters::Deadline(*calendar_, kMonday10, matter_.finish_limit));
  EXPECT_EQ(a.dispatch_count, 1);
  ASSERT_EQ(t->timers.size(), 2u);
  EXPECT_EQ(t->timers[0].prefix, "sign");
  EXPECT_EQ(t->timers[0].timers.at(1), (std::pair<std::string, Timestamp>{"sign_due", a.sign_due}));
  EXPECT_EQ(t->timers[1].prefix, "finish");
  EXPECT_EQ(t->action, "request.dispatched");
  EXPECT_EQ(t->payload["rule"], "人工指定");
  EXPECT_EQ(t->payload["to"], "dispatched");
  EXPECT_EQ(t->payload["unit_name"], "湖畔街道");
  // The input is untouched: Decide is a function of its arguments.
  EXPECT_EQ(request_.status, Status::kReceived);
  auto again = Decide(request_, in, Ctx());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->payload, t->payload);
}

TEST_F(DecideTest, OnlyStreetsTownshipsCommunitiesAndDepartmentsReceive) {
  CommandInput in = Cmd(Command::kDispatch);
  in.reason = "试试";
  in.unit_id = "id:JL-01-01-01-01";
  auto grid = Decide(request_, in, Ctx());
  ASSERT_FALSE(grid);
  EXPECT_EQ(grid.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(grid.error().message.find("requests go to streets"), std::string::npos);
  in.unit_id = "id:JL-01";
  EXPECT_FALSE(Decide(request_, in, Ctx()));
  in.unit_id = "id:JL-D01";
  EXPECT_TRUE(Decide(request_, in, Ctx()));
  in.unit_id = "id:nowhere";
  EXPECT_NE(Decide(request_, in, Ctx()).error().message.find("is not a unit"), std::string::npos);
  Context no_matter = Ctx();
  no_matter.matter = nullptr;
  in.unit_id = "id:JL-D01";
  EXPECT_NE(Decide(request_, in, no_matter).error().message.find("no category"), std::string::npos);
}

TEST_F(DecideTest, ACommandThatDoesNotFitTheStateNamesWhatDoes) {
  auto sign = Decide(request_, Cmd(Command::kSign), Ctx());
  ASSERT_FALSE(sign);
  EXPECT_EQ(sign.error().code, ErrorCode::kConflict);
  EXPECT_NE(sign.error().message.find("allowed now: "), std::string::npos);
  EXPECT_NE(sign.error().message.find("dispatch"), std::string::npos);
}

TEST_F(DecideTest, SigningTwiceChangesNothing) {
  const Request signed_once = SignedAtStreet();
  EXPECT_EQ(signed_once.status, Status::kSigned);
  auto twice = Decide(signed_once, Cmd(Command::kSign), Ctx(kMonday10 + 2 * kMicrosPerHour));
  ASSERT_TRUE(twice);
  EXPECT_TRUE(twice->unchanged);
  EXPECT_EQ(twice->after.signed_at, signed_once.signed_at);
}

TEST_F(DecideTest, OnlyAStreetOrTownshipSummonsEachDepartmentOnce) {
  Request r = SignedAtStreet();
  CommandInput in = Cmd(Command::kSummon);
  in.reason = "占道涉及绿化带，需城管与环保到场";
  in.department_ids = {"id:JL-D01", "id:JL-D03"};
  auto t = Decide(r, in, Ctx());
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->summoned.size(), 2u);
  EXPECT_EQ(t->summoned[0].id, "sum-1");
  EXPECT_EQ(t->summoned[1].department_name, "市生态环境局");
  EXPECT_EQ(t->summoned[0].summoned_by, "acct-lead");
  EXPECT_EQ(t->summoned[0].report_due,
            matters::Deadline(*calendar_, kMonday10, rules_.summons_report_limit));
  ASSERT_EQ(t->timers.size(), 2u);
  EXPECT_EQ(t->timers[0].prefix, "summons_due:sum-1");
  EXPECT_EQ(t->action, "request.summoned");
  EXPECT_EQ(t->after.status, r.status);
  // The same department twice in one command, or again before it reported.
  in.department_ids = {"id:JL-D01", "id:JL-D01"};
  EXPECT_NE(Decide(r, in, Ctx()).error().message.find("twice"), std::string::npos);
  in.department_ids = {"id:JL-D01"};
  Context pending = Ctx();
  pending.summonses = t->summoned;
  EXPECT_EQ(Decide(r, in, pending).error().code, ErrorCode::kConflict);
  // A department holding the request does not blow the whistle.
  r.unit_id = "id:JL-D03";
  auto by_department = Decide(r, in, Ctx());
  ASSERT_FALSE(by_department);
  EXPECT_NE(by_department.error().message.find("only a street or township"), std::string::npos);
}

TEST_F(DecideTest, AnApprovedExtensionMovesTheDeadlineByWorkingDays) {
  Request r = SignedAtStreet();
  CommandInput ask = Cmd(Command::kRequestExtension);
  ask.reason = "需协调产权单位";
  ask.days = rules_.max_extension_days + 1;
  EXPECT_EQ(Decide(r, ask, Ctx()).error().code, ErrorCode::kInvalidArgument);
  ask.days = 3;
  auto asked = Decide(r, ask, Ctx());
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->after.extension_days, 3);
  auto approved = Decide(asked->after, Cmd(Command::kApproveExtension), Ctx());
  ASSERT_TRUE(approved) << approved.error().message;
  EXPECT_EQ(approved->after.finish_due, calendar_->AddWorkingDays(r.finish_due - 1, 3));
  EXPECT_EQ(approved->after.extension_days, 0);
  ASSERT_EQ(approved->timers.size(), 1u);
  EXPECT_EQ(
      approved->timers[0].timers,
      (std::vector<std::pair<std::string, Timestamp>>{{"finish_due", approved->after.finish_due}}));
  EXPECT_EQ(approved->payload["days"], 3);
  EXPECT_EQ(approved->payload["to"], FormatRfc3339(approved->after.finish_due));
}

TEST_F(DecideTest, AMergeNeedsAnOpenParentAndNoRequestsMergedIntoThisOne) {
  Request parent = SignedAtStreet();
  parent.id = "r-parent";
  parent.number = "2026112300002";
  CommandInput in = Cmd(Command::kMerge);
  in.parent_id = parent.id;
  Context ctx = Ctx();
  EXPECT_NE(Decide(request_, in, ctx).error().message.find("is not a request"), std::string::npos);
  ctx.merge_parent = &parent;
  auto merged = Decide(request_, in, ctx);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->after.status, Status::kMerged);
  EXPECT_EQ(merged->after.parent_id, "r-parent");
  EXPECT_EQ(merged->payload["parent_number"], "2026112300002");
  ctx.merged_into_this = 2;
  EXPECT_EQ(Decide(request_, in, ctx).error().code, ErrorCode::kConflict);
  ctx.merged_into_this = 0;
  parent.status = Status::kClosed;
  EXPECT_NE(Decide(request_, in, ctx).error().message.find("merge into an open request"),
            std::string::npos);
  in.parent_id = request_.id;
  EXPECT_NE(Decide(request_, in, ctx).error().message.find("into itself"), std::string::npos);
}

TEST_F(DecideTest, AReplyAndAClosingAreFollowedByMergedRequests) {
  Request r = SignedAtStreet();
  CommandInput reply = Cmd(Command::kReply);
  reply.text = "   ";
  EXPECT_EQ(Decide(r, reply, Ctx()).error().message, "'text' must not be empty");
  EXPECT_EQ(Decide(r, reply, Ctx()).error().field, "text");  // pages say it in their words
  EXPECT_EQ(Decide(r, reply, Ctx()).error().reason, "empty");
  reply.text = "已清理，通道恢复。";
  auto replied = Decide(r, reply, Ctx(kMonday10 + 2 * kMicrosPerHour));
  ASSERT_TRUE(replied);
  EXPECT_TRUE(replied->children_follow);
  EXPECT_FALSE(replied->after.finish_late);
  EXPECT_EQ(replied->timers.at(0).prefix, "finish");
  EXPECT_TRUE(replied->timers.at(0).timers.empty());
  CommandInput callback = Cmd(Command::kCallback);
  EXPECT_EQ(Decide(replied->after, callback, Ctx()).error().field, "resolved");
  callback.resolved = true;
  callback.satisfaction = Satisfaction::kDissatisfied;
  auto unhappy = Decide(replied->after, callback, Ctx());
  ASSERT_TRUE(unhappy);
  EXPECT_NE(unhappy->after.status, Status::kClosed);
  EXPECT_FALSE(unhappy->children_follow);
  EXPECT_FALSE(unhappy->payload.contains("comment"));
  callback.satisfaction = Satisfaction::kSatisfied;
  callback.text = "清理得很干净";
  auto happy = Decide(replied->after, callback, Ctx());
  ASSERT_TRUE(happy);
  EXPECT_EQ(happy->payload["comment"], "清理得很干净");  // the timeline shows the resident's words
  EXPECT_EQ(happy->after.status, Status::kClosed);
  EXPECT_TRUE(happy->children_follow);
}

}  // namespace
}  // namespace xietong::requests::lifecycle

namespace xietong::requests::lifecycle {
namespace {

// Participation's request_fixed award reads its earner and the place's units from these two
// events alone (docs/plans/participation.md §4.2), so both carry them; a request recorded for a
// caller has no requester, and a place the router could not name leaves those ids out.
TEST_F(DecideTest, CallbackAndClosingCarryTheRequesterAndThePlace) {
  Request r = SignedAtStreet();
  r.requester_id = "acct-resident";
  r.place.community_id = "id:JL-01-01-01";
  r.place.street_id = "id:JL-01-01";
  r.place.district_id = "id:JL-01";
  CommandInput reply = Cmd(Command::kReply);
  reply.text = "已清理，通道恢复。";
  auto replied = Decide(r, reply, Ctx(kMonday10 + 2 * kMicrosPerHour));
  ASSERT_TRUE(replied) << replied.error().message;
  EXPECT_FALSE(replied->payload.contains("requester_id"));  // only the two closing events
  CommandInput callback = Cmd(Command::kCallback);
  callback.resolved = false;
  callback.satisfaction = Satisfaction::kDissatisfied;
  for (Satisfaction s : {Satisfaction::kDissatisfied, Satisfaction::kSatisfied}) {
    callback.satisfaction = s;
    auto called = Decide(replied->after, callback, Ctx());
    ASSERT_TRUE(called) << called.error().message;
    EXPECT_EQ(called->action, "request.callback");
    EXPECT_EQ(called->payload["requester_id"], "acct-resident");
    EXPECT_EQ(called->payload["community_id"], "id:JL-01-01-01");
    EXPECT_EQ(called->payload["street_id"], "id:JL-01-01");
    EXPECT_EQ(called->payload["district_id"], "id:JL-01");
  }
  Request waiting = replied->after;
  waiting.status = Status::kCallback;
  CommandInput close = Cmd(Command::kClose);
  close.reason = "回访三次未接通";
  auto closed = Decide(waiting, close, Ctx());
  ASSERT_TRUE(closed) << closed.error().message;
  EXPECT_EQ(closed->action, "request.closed");
  EXPECT_EQ(closed->payload["to"], "closed");
  EXPECT_EQ(closed->payload["requester_id"], "acct-resident");
  EXPECT_EQ(closed->payload["community_id"], "id:JL-01-01-01");
  EXPECT_EQ(closed->payload["district_id"], "id:JL-01");
  // Recorded for a caller, on a street with no community named: neither key appears.
  waiting.requester_id.clear();
  waiting.place.community_id.clear();
  auto anonymous = Decide(waiting, close, Ctx());
  ASSERT_TRUE(anonymous);
  EXPECT_FALSE(anonymous->payload.contains("requester_id"));
  EXPECT_FALSE(anonymous->payload.contains("community_id"));
  EXPECT_EQ(anonymous->payload["street_id"], "id:JL-01-01");
}

}  // namespace
}  // namespace xietong::requests::lifecycle
