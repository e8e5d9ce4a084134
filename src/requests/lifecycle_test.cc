#include "requests/lifecycle.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace xietong::requests {
namespace {

constexpr Timestamp kNow = 1'000'000'000;

Request At(Status s) {
  Request r;
  r.status = s;
  r.return_until = kNow + 1;
  return r;
}

bool Has(const std::vector<Command>& v, Command c) {
  return std::find(v.begin(), v.end(), c) != v.end();
}

TEST(Lifecycle, EveryCommandHasANameThatParsesBack) {
  for (Command c : AllCommands()) {
    auto parsed = ParseCommand(CommandName(c));
    ASSERT_TRUE(parsed) << CommandName(c);
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_FALSE(ParseCommand("approve"));
}

TEST(Lifecycle, TheMainPathMovesForward) {
  Request r = At(Status::kReceived);
  const std::pair<Command, Status> path[] = {
      {Command::kDispatch, Status::kDispatched}, {Command::kSign, Status::kSigned},
      {Command::kHandle, Status::kHandling},     {Command::kReply, Status::kReplied},
      {Command::kCallback, Status::kClosed},
  };
  for (auto [command, next] : path) {
    ASSERT_TRUE(Check(r, command, kNow)) << CommandName(command);
    r.status = NextStatus(r, command);
    EXPECT_EQ(r.status, next) << CommandName(command);
  }
}

TEST(Lifecycle, ForbiddenTransitionsNameTheAllowedOnes) {
  auto r = Check(At(Status::kReplied), Command::kSign, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("cannot sign a request that is replied"), std::string::npos);
  EXPECT_NE(r.error().message.find("callback"), std::string::npos);
  EXPECT_NE(r.error().message.find("close"), std::string::npos);
  EXPECT_FALSE(Check(At(Status::kReceived), Command::kReply, kNow));
  EXPECT_FALSE(Check(At(Status::kClosed), Command::kDispatch, kNow));
  EXPECT_FALSE(Check(At(Status::kMerged), Command::kReopen, kNow));
  EXPECT_FALSE(Check(At(Status::kDispatched), Command::kReply, kNow));  // sign first
  EXPECT_TRUE(Allowed(At(Status::kMerged), kNow).empty());
}

TEST(Lifecycle, ReturnOnlyWithinTheWindowAndItBlocksHandling) {
  Request r = At(Status::kDispatched);
  EXPECT_TRUE(Check(r, Command::kRequestReturn, kNow));
  auto late = Check(r, Command::kRequestReturn, kNow + 1);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("return window has passed"), std::string::npos);
  r.return_requested = true;
  EXPECT_FALSE(Check(r, Command::kSign, kNow));
  EXPECT_FALSE(Check(r, Command::kRequestReturn, kNow));
  EXPECT_TRUE(Check(r, Command::kApproveReturn, kNow));
  EXPECT_TRUE(Check(r, Command::kRejectReturn, kNow));
  EXPECT_EQ(NextStatus(r, Command::kApproveReturn), Status::kReceived);
  EXPECT_FALSE(Check(At(Status::kHandling), Command::kRequestReturn, kNow));
}

TEST(Lifecycle, ExtensionsWaitForOneDecision) {
  Request r = At(Status::kHandling);
  EXPECT_FALSE(Check(r, Command::kApproveExtension, kNow));
  EXPECT_TRUE(Check(r, Command::kRequestExtension, kNow));
  r.extension_days = 3;
  EXPECT_FALSE(Check(r, Command::kRequestExtension, kNow));
  EXPECT_TRUE(Check(r, Command::kApproveExtension, kNow));
  EXPECT_TRUE(Check(r, Command::kRejectExtension, kNow));
  EXPECT_FALSE(Check(At(Status::kDispatched), Command::kRequestExtension, kNow));
}

TEST(Lifecycle, DissatisfiedCallbackWaitsAndCanReopen) {
  Request r = At(Status::kReplied);
  EXPECT_EQ(NextStatus(r, Command::kCallback, true), Status::kCallback);
  EXPECT_EQ(NextStatus(r, Command::kCallback, false), Status::kClosed);
  r.status = Status::kCallback;
  EXPECT_TRUE(Check(r, Command::kReopen, kNow));
  EXPECT_TRUE(Check(r, Command::kClose, kNow));
  EXPECT_EQ(NextStatus(r, Command::kReopen), Status::kDispatched);
  EXPECT_TRUE(Check(At(Status::kClosed), Command::kReopen, kNow));
}

TEST(Lifecycle, SummonsAndReportsWhileTheStreetHandlesIt) {
  EXPECT_FALSE(Check(At(Status::kDispatched), Command::kSummon, kNow));
  EXPECT_TRUE(Check(At(Status::kSigned), Command::kSummon, kNow));
  EXPECT_TRUE(Check(At(Status::kHandling), Command::kReport, kNow));
  EXPECT_FALSE(Check(At(Status::kClosed), Command::kReport, kNow));
  EXPECT_EQ(NextStatus(At(Status::kHandling), Command::kSummon), Status::kHandling);
}

TEST(Lifecycle, AuthorityOfEachCommand) {
  EXPECT_EQ(AuthorityFor(Command::kDispatch), Authority::kCentre);
  EXPECT_EQ(AuthorityFor(Command::kSign), Authority::kUnit);
  EXPECT_EQ(AuthorityFor(Command::kApproveExtension), Authority::kSupervisor);
  EXPECT_EQ(AuthorityFor(Command::kReport), Authority::kSummoned);
  EXPECT_EQ(AuthorityFor(Command::kApproveReturn), Authority::kCentre);
  auto allowed = Allowed(At(Status::kSigned), kNow);
  EXPECT_TRUE(Has(allowed, Command::kHandle));
  EXPECT_TRUE(Has(allowed, Command::kTransfer));
  EXPECT_FALSE(Has(allowed, Command::kSign));
}

}  // namespace
}  // namespace xietong::requests
