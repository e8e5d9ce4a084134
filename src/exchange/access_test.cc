// How an access request moves: field by field, a second person for 核心
// fields, masks kept unless asked and granted, 不予共享 never requestable.
#include "exchange/access.h"

#include <gtest/gtest.h>

namespace xietong::exchange {
namespace {

Resource Social() {
  Elements e;
  for (const auto& x : StandardElements()) e.emplace(x.code, x);
  json::Json doc = {{"code", "JL-RS-001"},
                    {"title", "社会保险参保信息"},
                    {"description", "参保状态"},
                    {"share", "conditional"},
                    {"share_condition", "社会救助核查"},
                    {"key_field", "id_number"},
                    {"fields",
                     {{{"name", "id_number"}, {"title", "公民身份号码"}, {"element", "id_number"}},
                      {{"name", "name"}, {"title", "姓名"}, {"element", "person_name"}},
                      {{"name", "status"}, {"title", "参保状态"}},
                      {{"name", "salary"}, {"title", "缴费基数"}, {"grade", "core"}}}}};
  auto r = ParseResource(doc, e);
  EXPECT_TRUE(r) << r.error().message;
  r->id = "res-rs";
  return *r;
}

json::Json Ask() {
  return {{"resource_id", "res-rs"},
          {"fields", {"name", "status", {{"name", "salary"}, {"unmasked", true}}}},
          {"purpose_code", "subsistence-check"},
          {"purpose", "最低生活保障资格核查"},
          {"legal_basis", "《社会救助暂行办法》第十一条"},
          {"period_days", 180}};
}

TEST(Access, ApprovesSomeFieldsAndIssuesAGrantForThemOnly) {
  const Resource r = Social();
  auto req = ParseAccessRequest(Ask(), r);
  ASSERT_TRUE(req) << req.error().message;
  req->id = "req1";
  auto second = Decide(*req, r, {"name", "status"}, {}, "officer", "陈主任", "", 100);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(*second);
  EXPECT_EQ(req->status, RequestStatus::kApproved);
  const Grant g = GrantFor(*req, "g1", 100);
  ASSERT_EQ(g.fields.size(), 2u);
  EXPECT_TRUE(g.field("name") && !g.field("name")->unmasked);
  EXPECT_EQ(g.field("salary"), nullptr);
  EXPECT_EQ(g.expires_at, 100 + 180 * kMicrosPerDay);
  EXPECT_TRUE(g.active(101));
  EXPECT_FALSE(g.active(g.expires_at));
}

TEST(Access, CoreFieldsNeedASecondPerson) {
  const Resource r = Social();
  auto req = ParseAccessRequest(Ask(), r);
  ASSERT_TRUE(req);
  auto second = Decide(*req, r, {"status", "salary"}, {"salary"}, "officer", "陈主任", "", 100);
  ASSERT_TRUE(second);
  EXPECT_TRUE(*second);
  EXPECT_EQ(req->status, RequestStatus::kAwaitingSecond);
  auto same = Confirm(*req, "officer", "陈主任", 101);
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(Confirm(*req, "deputy", "王副主任", 102));
  EXPECT_EQ(req->status, RequestStatus::kApproved);
  EXPECT_TRUE(GrantFor(*req, "g", 102).field("salary")->unmasked);
}

TEST(Access, RefusesWhatCannotBeAskedOrGranted) {
  Resource r = Social();
  json::Json unknown = Ask();
  unknown["fields"].push_back("religion");
  auto bad = ParseAccessRequest(unknown, r);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "fields[3]");
  json::Json code = Ask();
  code["purpose_code"] = "低保";
  EXPECT_FALSE(ParseAccessRequest(code, r)) << "the purpose code travels in an HTTP header";
  auto req = ParseAccessRequest(Ask(), r);
  ASSERT_TRUE(req);
  EXPECT_FALSE(Decide(*req, r, {"id_number"}, {}, "o", "o", "", 1)) << "not asked for";
  EXPECT_FALSE(Decide(*req, r, {"name"}, {"name"}, "o", "o", "", 1)) << "asked masked";
  EXPECT_FALSE(Reject(*req, "o", "o", "", 1)) << "a refusal says why";
  ASSERT_TRUE(Reject(*req, "o", "o", "依据不足", 1));
  EXPECT_FALSE(Decide(*req, r, {"name"}, {}, "o", "o", "", 2)) << "already decided";
  r.share = Share::kNone;
  auto closed = ParseAccessRequest(Ask(), r);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
}

TEST(Access, StoredDocumentsReadBack) {
  const Resource r = Social();
  auto req = ParseAccessRequest(Ask(), r);
  ASSERT_TRUE(req);
  ASSERT_TRUE(Decide(*req, r, {"status", "salary"}, {"salary"}, "o1", "甲", "ok", 5));
  auto back = DecodeRequest(EncodeRequest(*req));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(EncodeRequest(*back), EncodeRequest(*req));
}

}  // namespace
}  // namespace xietong::exchange
