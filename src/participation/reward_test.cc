// The redemption state machine and reward validation (pure).
#include "participation/reward.h"

#include <gtest/gtest.h>

namespace xietong::participation {
namespace {

using S = RedemptionStatus;
using M = RedemptionMove;

TEST(RedemptionStateMachine, RequestedApprovedFulfilledAndRefundsOnlyWhileOpen) {
  EXPECT_EQ(*NextStatus(S::kRequested, M::kApprove), S::kApproved);
  EXPECT_EQ(*NextStatus(S::kApproved, M::kFulfil), S::kFulfilled);
  for (auto from : {S::kRequested, S::kApproved}) {
    EXPECT_EQ(*NextStatus(from, M::kReject), S::kRejected);
    EXPECT_EQ(*NextStatus(from, M::kCancel), S::kCancelled);
  }
  EXPECT_FALSE(NextStatus(S::kRequested, M::kFulfil));
  EXPECT_FALSE(NextStatus(S::kApproved, M::kApprove));
  for (auto from : {S::kFulfilled, S::kRejected, S::kCancelled})
    for (auto m : {M::kApprove, M::kReject, M::kFulfil, M::kCancel}) {
      auto r = NextStatus(from, m);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::kConflict);
      EXPECT_EQ(r.error().reason, "invalid_transition");
    }
  EXPECT_TRUE(Refunds(M::kReject));
  EXPECT_TRUE(Refunds(M::kCancel));
  EXPECT_FALSE(Refunds(M::kApprove));
  EXPECT_FALSE(Refunds(M::kFulfil));
  for (auto m : {M::kApprove, M::kReject, M::kFulfil, M::kCancel})
    EXPECT_EQ(ParseRedemptionMove(RedemptionMoveName(m)), m);
  for (auto s : {S::kRequested, S::kApproved, S::kFulfilled, S::kRejected, S::kCancelled})
    EXPECT_EQ(ParseRedemptionStatus(RedemptionStatusName(s)), s);
  EXPECT_FALSE(ParseRedemptionMove("fulfill"));
}

TEST(RewardValidation, EachBadFieldIsNamed) {
  const NewReward ok = {.community_id = "C1",
                        .kind = "goods",
                        .title = "洗衣液一瓶",
                        .description = "",
                        .cost = 60,
                        .stock = 10};
  EXPECT_TRUE(ValidateNewReward(ok));
  auto reason = [](NewReward in) {
    auto r = ValidateNewReward(in);
    return r ? std::string() : r.error().field + "/" + r.error().reason;
  };
  auto in = ok;
  in.kind = "cash";
  EXPECT_EQ(reason(in), "kind/invalid");
  in = ok;
  in.title = "";
  EXPECT_EQ(reason(in), "title/invalid");
  in = ok;
  in.cost = 0;
  EXPECT_EQ(reason(in), "cost/out_of_range");
  in = ok;
  in.stock = -1;
  EXPECT_EQ(reason(in), "stock/out_of_range");
  in = ok;
  in.stock = std::nullopt;
  EXPECT_TRUE(ValidateNewReward(in));
  in = ok;
  in.per_person_limit = -1;
  EXPECT_EQ(reason(in), "per_person_limit/out_of_range");
  in = ok;
  in.community_id = "";
  EXPECT_EQ(reason(in), "community_id/required");
}

}  // namespace
}  // namespace xietong::participation
