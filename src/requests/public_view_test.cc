// What the public reads of a request, by the channel it came in through.
#include "requests/public_view.h"

#include <gtest/gtest.h>

namespace xietong::requests {
namespace {

class PublicViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity::OrgUnit street{"id:s",
                             std::nullopt,
                             identity::UnitKind::kStreet,
                             "JL-01-01",
                             "湖畔街道",
                             "/s/",
                             std::nullopt,
                             0,
                             1};
    identity::OrgUnit community{"id:c",
                                std::string("id:s"),
                                identity::UnitKind::kCommunity,
                                "JL-01-01-01",
                                "湖畔社区",
                                "/s/c/",
                                std::nullopt,
                                0,
                                1};
    auto dir = Directory::Build({street, community});
    ASSERT_TRUE(dir) << dir.error().message;
    dir_ = *dir;
    r_.number = "2026112300007";
    r_.text = "楼下张三家的狗每天夜里叫，电话13900001111";
    r_.contact_phone = "13900001111";
    r_.reply = "已上门劝导。";
    r_.status = Status::kClosed;
    r_.closed_at = 500;
    r_.updated_at = 600;
    r_.place.address = "湖畔社区3幢2单元";
    r_.place.lat = 30.05;
    r_.place.lon = 120.05;
    r_.place.street_id = "id:s";
    r_.place.community_id = "id:c";
  }
  std::shared_ptr<const Directory> dir_;
  Request r_;
};

TEST_F(PublicViewTest, ACallShowsNeitherWordsNorExactPlaceNorReply) {
  r_.channel = Channel::kPhone;
  const PublicView v = ForPublic(r_, *dir_);
  EXPECT_FALSE(v.text);
  EXPECT_EQ(v.reply, "");
  EXPECT_EQ(v.address, "湖畔社区，湖畔街道");
  EXPECT_FALSE(v.lat);
  EXPECT_FALSE(v.lon);
  EXPECT_TRUE(v.closed);
  EXPECT_EQ(v.updated_at, 500);  // closed: when it closed
}

TEST_F(PublicViewTest, AnOpen311ClientSeesWhatItSentAndTheReply) {
  r_.channel = Channel::kOpen311;
  PublicView v = ForPublic(r_, *dir_);
  ASSERT_TRUE(v.text);
  EXPECT_EQ(*v.text, r_.text);
  EXPECT_EQ(v.reply, "已上门劝导。");
  EXPECT_EQ(v.address, "湖畔社区3幢2单元");
  EXPECT_EQ(v.lat, 30.05);
  // Merged into another request: its reply is the parent's, not shown.
  r_.parent_id = "r-parent";
  EXPECT_EQ(ForPublic(r_, *dir_).reply, "");
  r_.status = Status::kHandling;
  v = ForPublic(r_, *dir_);
  EXPECT_FALSE(v.closed);
  EXPECT_EQ(v.updated_at, 600);
}

TEST(OpenStatuses, AreExactlyTheOpenOnes) {
  std::vector<Status> open(OpenStatuses().begin(), OpenStatuses().end());
  EXPECT_EQ(open, (std::vector<Status>{Status::kReceived, Status::kDispatched, Status::kSigned,
                                       Status::kHandling, Status::kReplied, Status::kCallback}));
}

}  // namespace
}  // namespace xietong::requests
