#include "text/hotspots.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "core/csv.h"
#include "text/utf8.h"

namespace xietong::text {
namespace {

constexpr std::int64_t kDay = kMicrosPerDay;

// Messages about nothing in common, so that IDF has a background.
const std::vector<std::pair<std::string, std::string>> kUnrelated = {
    {"A1区东风路公交站台破损",
     "东风路公交站台的顶棚被大风吹坏了，下雨天乘客无处躲雨，请尽快修复。"},
    {"咨询A市新生儿医保办理流程", "孩子刚出生，想问一下新生儿医保在哪里办理，需要带哪些材料？"},
    {"A6区某培训机构退费难", "在培训机构报了英语课，机构搬走后一直不给退费，多次联系无人处理。"},
    {"A市公积金贷款额度咨询", "请问首套房公积金贷款的最高额度是多少，夫妻双方缴存能否合并计算？"},
    {"A8县农村低保申请问题", "家里老人常年生病，想申请农村低保，村委会说名额已满，请问如何办理。"},
    {"A3区某餐馆油烟直排", "楼下餐馆的油烟没有经过净化直接排到居民窗口，夏天根本不敢开窗。"},
    {"A市出租车拒载现象严重", "晚上在火车站打车经常被拒载，司机挑客议价，希望加强出租车管理。"},
    {"A2区幼儿园入园难", "孩子今年满三岁，附近公办幼儿园学位不够，民办幼儿园收费太高。"},
    {"A市电动车上牌点太少", "电动自行车上牌的网点太少，排队要等半天，建议增加上牌网点。"},
    {"A4区菜市场占道经营", "菜市场门口的摊贩占道经营，早上车辆和行人都过不去，存在安全隐患。"},
    {"关于A市养老金调整的疑问",
     "今年养老金调整后，企业退休人员和机关退休人员的差距为什么还在扩大？"},
    {"A5区某银行网点服务差", "银行网点只开一个窗口，老年人排队两个小时还办不了业务。"},
};

HotspotMessage Msg(std::string id, std::string title, std::string body, std::int64_t day,
                   std::int64_t likes = 0, std::string place = "") {
  return {std::move(id), std::move(title), std::move(body), day * kDay, std::move(place), likes};
}

// Five residents of one estate about one concrete plant, in one month.
std::vector<HotspotMessage> MixingPlant(std::int64_t day0, std::string prefix = "plant") {
  const char* titles[] = {
      "A2区丽发新城小区附近搅拌站噪音扰民",
      "投诉A2区丽发新城小区旁边的搅拌站噪音污染",
      "A2区丽发新城小区搅拌站夜间施工噪音扰民严重",
      "A2区丽发新城小区居民反映搅拌站噪音和粉尘扰民",
      "再次反映A2区丽发新城小区附近搅拌站噪音扰民问题",
  };
  const char* bodies[] = {
      "丽发新城小区附近的搅拌站每天晚上施工到凌晨，噪音很大，粉尘飞扬，居民无法休息。",
      "搅拌站离丽发新城小区不到一百米，噪音和粉尘严重影响居民生活，请相关部门查处。",
      "搅拌站夜间施工，噪音扰民，丽发新城小区的老人孩子都睡不好觉，希望尽快整改。",
      "我们是丽发新城小区业主，附近搅拌站噪音大粉尘多，多次投诉没有结果。",
      "搅拌站噪音扰民问题一直没有解决，丽发新城小区居民强烈要求搬迁搅拌站。",
  };
  std::vector<HotspotMessage> out;
  for (int i = 0; i < 5; ++i)
    out.push_back(Msg(prefix + std::to_string(i), titles[i], bodies[i], day0 + 3 * i, i));
  return out;
}

// Three villagers about their water supply.
std::vector<HotspotMessage> VillageWater(std::int64_t day0) {
  return {
      Msg("water0", "A7县春华镇金鼎村自来水经常停水",
          "金鼎村的自来水管道老化，经常停水，村民生活用水困难。", day0),
      Msg("water1", "A7县金鼎村停水问题",
          "金鼎村自来水三天两头停水，管道老化漏水，请尽快改造管网。", day0 + 2),
      Msg("water2", "反映A7县春华镇金鼎村自来水停水",
          "春华镇金鼎村经常停水，村民用水困难，希望政府安排资金改造自来水管道。", day0 + 5),
  };
}

std::vector<HotspotMessage> Background(std::int64_t day0) {
  std::vector<HotspotMessage> out;
  for (std::size_t i = 0; i < kUnrelated.size(); ++i)
    out.push_back(Msg("other" + std::to_string(i), kUnrelated[i].first, kUnrelated[i].second,
                      day0 + static_cast<std::int64_t>(i)));
  return out;
}

class TextHotspotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Open();
    ASSERT_TRUE(n) << n.error().message;
    normalizer_ = *n;
  }
  HotspotResult Find(const std::vector<HotspotMessage>& messages, HotspotOptions o = {}) {
    auto r = FindHotspots(*normalizer_, messages, o);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : HotspotResult{};
  }
  PlaceMention Places(std::string_view raw) {
    auto n = normalizer_->NormalizeCodePoints(raw);
    EXPECT_TRUE(n);
    return ExtractPlaces(n ? n->text : std::u32string());
  }
  std::shared_ptr<const Normalizer> normalizer_;
};

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_F(TextHotspotTest, PlacesAreReadFromTheText) {
  const PlaceMention p = Places("Ａ３区联丰路米兰春天小区门口的道路坏了");
  EXPECT_EQ(p.district, "A3区");
  EXPECT_EQ(p.names, (std::vector<std::string>{"联丰路", "米兰春天小区"}));  // not 道路
  const PlaceMention q = Places("反映A7县春华镇金鼎村水泥路的问题");
  EXPECT_EQ(q.district, "A7县");
  EXPECT_EQ(q.names, (std::vector<std::string>{"春华镇", "金鼎村", "水泥路"}));
  EXPECT_EQ(Places("长沙市岳麓区麓谷街道").district, "岳麓区");
  const PlaceMention none = Places("A市的公积金贷款额度是多少？");
  EXPECT_EQ(none.district, "");
  EXPECT_TRUE(none.names.empty());
}

TEST_F(TextHotspotTest, PlantedClustersAreFoundAndRankedAndUnrelatedMessagesStayAlone) {
  auto messages = Background(0);
  for (auto& m : MixingPlant(2)) messages.push_back(m);
  for (auto& m : VillageWater(4)) messages.push_back(m);
  const HotspotResult r = Find(messages);
  EXPECT_EQ(r.messages, messages.size());
  EXPECT_TRUE(r.skipped.empty());
  ASSERT_EQ(r.hotspots.size(), 2u);
  const Hotspot& plant = r.hotspots[0];
  EXPECT_EQ(Sorted(plant.member_ids),
            (std::vector<std::string>{"plant0", "plant1", "plant2", "plant3", "plant4"}));
  EXPECT_EQ(plant.count, 5u);
  EXPECT_EQ(plant.support, 0 + 1 + 2 + 3 + 4);
  EXPECT_EQ(plant.first_us, 2 * kDay);
  EXPECT_EQ(plant.last_us, 14 * kDay);
  EXPECT_EQ(plant.place, "A2区 丽发新城");  // 丽发新城小区 and 丽发新城社区 are one place
  EXPECT_TRUE(plant.representative_id.starts_with("plant"));
  EXPECT_NE(plant.title.find("搅拌站"), std::string::npos);
  EXPECT_DOUBLE_EQ(plant.score, HotspotScore(5, plant.recent, plant.previous, 10, {}));
  const Hotspot& water = r.hotspots[1];
  EXPECT_EQ(Sorted(water.member_ids), (std::vector<std::string>{"water0", "water1", "water2"}));
  EXPECT_EQ(water.place, "A7县 金鼎村");
  EXPECT_GT(plant.score, water.score);
  EXPECT_EQ(r.clustered, 8u);
  EXPECT_EQ(r.groups, 2u);
}

// Calls are often recorded without a title: the hotspot is then headed by
// the first sentence of its representative's words, never left blank.
TEST_F(TextHotspotTest, UntitledCallsAreHeadedByTheirFirstSentence) {
  auto messages = Background(0);
  for (auto m : MixingPlant(2)) {
    // An operator writes what the caller said: the gist first, then the detail.
    m.body = m.title + "。" + m.body;
    m.title.clear();
    messages.push_back(std::move(m));
  }
  const HotspotResult r = Find(messages);
  ASSERT_EQ(r.hotspots.size(), 1u);
  const Hotspot& plant = r.hotspots[0];
  EXPECT_FALSE(plant.title.empty());
  const auto rep = std::find_if(messages.begin(), messages.end(),
                                [&](const auto& m) { return m.id == plant.representative_id; });
  ASSERT_NE(rep, messages.end());
  EXPECT_EQ(plant.title, FirstSentence(rep->body, 24));
  EXPECT_TRUE(rep->body.starts_with(plant.title.substr(0, plant.title.size() - 3)));
}

TEST(FirstSentenceTest, StopsAtTheEndOfTheSentenceOrTheLimit) {
  EXPECT_EQ(FirstSentence("路灯不亮。已经三天了", 24), "路灯不亮");
  EXPECT_EQ(FirstSentence("  \n楼下烧烤油烟很大！", 24), "楼下烧烤油烟很大");
  EXPECT_EQ(FirstSentence("一二三四五六七八九十", 4), "一二三四…");
  EXPECT_EQ(FirstSentence("abc", 24), "abc");
  EXPECT_EQ(FirstSentence("\xff\xfe", 24), "");
}

TEST_F(TextHotspotTest, TheSameTopicInDifferentPlacesStaysApart) {
  auto messages = Background(0);
  // The same complaint in another district, and at another estate of the same district.
  for (auto& m : MixingPlant(2, "a2-")) messages.push_back(m);
  for (auto m : MixingPlant(2, "a5-")) {
    for (std::string* s : {&m.title, &m.body}) {
      for (std::size_t at; (at = s->find("A2区")) != std::string::npos;)
        s->replace(at, std::string("A2区").size(), "A5区");
    }
    if (m.title.find("A5区") == std::string::npos) m.title = "A5区" + m.title;
    messages.push_back(m);
  }
  for (auto m : MixingPlant(2, "other-estate-")) {
    for (std::string* s : {&m.title, &m.body}) {
      for (std::size_t at; (at = s->find("丽发新城")) != std::string::npos;)
        s->replace(at, std::string("丽发新城").size(), "魅力之城");
    }
    messages.push_back(m);
  }
  const HotspotResult r = Find(messages);
  EXPECT_TRUE(r.skipped.empty());
  ASSERT_EQ(r.hotspots.size(), 3u);
  for (const Hotspot& h : r.hotspots) {
    EXPECT_EQ(h.count, 5u);
    const std::string prefix = h.member_ids.front().substr(0, 3);
    for (const auto& id : h.member_ids) EXPECT_EQ(id.substr(0, 3), prefix) << h.title;
  }
  // A given place overrides the text's district.
  auto given = MixingPlant(2);
  for (std::size_t i = 0; i < given.size(); ++i) given[i].place = i < 3 ? "望城街道" : "暮云街道";
  const HotspotResult g = Find(given);
  ASSERT_EQ(g.hotspots.size(), 2u);
  EXPECT_EQ(g.hotspots[0].count, 3u);
  EXPECT_TRUE(g.hotspots[0].place.starts_with("望城街道"));
}

TEST_F(TextHotspotTest, MessagesFurtherApartThanTheWindowAreNotLinked) {
  auto messages = Background(0);
  auto early = MixingPlant(0, "early");
  auto late = MixingPlant(200, "late");
  messages.insert(messages.end(), early.begin(), early.end());
  messages.insert(messages.end(), late.begin(), late.end());
  const HotspotResult r = Find(messages);
  ASSERT_EQ(r.hotspots.size(), 2u);
  EXPECT_EQ(r.hotspots[0].count, 5u);
  EXPECT_EQ(r.hotspots[1].count, 5u);
  HotspotOptions no_window;
  no_window.window_us = 0;
  const HotspotResult all = Find(messages, no_window);
  ASSERT_EQ(all.hotspots.size(), 1u);
  EXPECT_EQ(all.hotspots[0].count, 10u);
}

TEST_F(TextHotspotTest, GrowthAndSupportMoveAGroupUp) {
  HotspotOptions o;
  o.now_us = 100 * kDay;
  o.recent_us = 30 * kDay;
  auto messages = Background(0);
  for (auto m : MixingPlant(10)) {  // long before `now`
    m.support = 0;
    messages.push_back(m);
  }
  auto water = VillageWater(90);  // recent, and fewer
  for (auto& m : water) messages.push_back(m);
  HotspotOptions volume_only = o;
  volume_only.growth_weight = 0;
  EXPECT_EQ(Find(messages, volume_only).hotspots.at(0).member_ids.front(), "plant0");
  const HotspotResult grown = Find(messages, o);
  ASSERT_EQ(grown.hotspots.size(), 2u);
  EXPECT_EQ(grown.hotspots[0].member_ids.front(), "water0");
  EXPECT_EQ(grown.hotspots[0].recent, 3u);
  EXPECT_EQ(grown.hotspots[0].previous, 0u);
  EXPECT_EQ(grown.hotspots[1].recent, 0u);
  // Likes lift the smaller group above the larger one.
  for (auto& m : messages)
    if (m.id.starts_with("water")) m.support = 50;
  EXPECT_EQ(Find(messages, volume_only).hotspots.at(0).member_ids.front(), "water0");
  EXPECT_GT(HotspotScore(3, 0, 0, 1500, o), HotspotScore(5, 0, 0, 10, o));
  EXPECT_GT(HotspotScore(3, 3, 0, 0, o), HotspotScore(3, 0, 3, 0, o));
}

TEST_F(TextHotspotTest, EmptyAndPunctuationOnlyInputGiveNoHotspotsNoError) {
  const HotspotResult empty = Find({});
  EXPECT_TRUE(empty.hotspots.empty());
  EXPECT_EQ(empty.messages, 0u);
  const HotspotResult marks = Find({Msg("p1", "？？？！！！", "。。。", 0), Msg("p2", "", "😀😀😀", 1),
                                    Msg("p3", "", "", 2), Msg("bad", "\xff\xfe", "", 3)});
  EXPECT_TRUE(marks.hotspots.empty());
  ASSERT_EQ(marks.skipped.size(), 4u);
  EXPECT_EQ(marks.skipped[3].id, "bad");
  EXPECT_NE(marks.skipped[3].reason.find("UTF-8"), std::string::npos);
  HotspotOptions bad;
  bad.similarity = 0;
  auto r = FindHotspots(*normalizer_, {}, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(TextHotspotTest, ResultsDoNotDependOnInputOrderAndTiesAreOrdered) {
  auto messages = Background(0);
  // Two groups of equal size, support and growth: the earlier comes first.
  for (auto& m : VillageWater(40)) messages.push_back(m);
  auto plant = MixingPlant(20);
  plant.resize(3);
  for (auto& m : plant) m.support = 0;
  messages.insert(messages.end(), plant.begin(), plant.end());
  const HotspotResult first = Find(messages);
  ASSERT_EQ(first.hotspots.size(), 2u);
  EXPECT_DOUBLE_EQ(first.hotspots[0].score, first.hotspots[1].score);
  EXPECT_EQ(first.hotspots[0].member_ids.front(), "plant0");
  std::mt19937 rng(7);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(messages.begin(), messages.end(), rng);
    const HotspotResult again = Find(messages);
    ASSERT_EQ(again.hotspots.size(), first.hotspots.size());
    for (std::size_t i = 0; i < again.hotspots.size(); ++i) {
      EXPECT_EQ(again.hotspots[i].member_ids, first.hotspots[i].member_ids);
      EXPECT_EQ(again.hotspots[i].representative_id, first.hotspots[i].representative_id);
      EXPECT_EQ(again.hotspots[i].place, first.hotspots[i].place);
    }
  }
}

TEST_F(TextHotspotTest, ComparisonWithLikesCountsWhereTheMostLikedMessagesFall) {
  auto messages = Background(0);
  for (auto& m : MixingPlant(2)) messages.push_back(m);
  messages[0].support = 900;  // a lone, much-liked message
  messages[1].support = 800;
  const HotspotResult r = Find(messages);
  ASSERT_EQ(r.hotspots.size(), 1u);
  const SupportComparison c = CompareWithSupport(messages, r, 3);
  EXPECT_EQ(c.top_message_ids, (std::vector<std::string>{"other0", "other1", "plant4"}));
  EXPECT_EQ(c.hotspot_rank, (std::vector<std::size_t>{0, 0, 1}));
  EXPECT_EQ(c.in_top_hotspots, 1u);
  EXPECT_EQ(c.in_any_hotspot, 1u);
  EXPECT_EQ(c.top_hotspots_with_top_message, 1u);
  EXPECT_EQ(c.overlap_by_support, 1u);
}

// The real file: the two largest complaints of 2019 (a concrete plant near
// 丽发新城, parking spaces sold only with flats at 伊景园滨河苑) lead.
TEST_F(TextHotspotTest, RealMessagesPutTheKnownComplaintsFirst) {
  const std::filesystem::path path =
      std::filesystem::path(XIETONG_SHARED_DATA_DIR) / "taidi2020c/messages_with_likes.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not there";
  auto table = csv::Table::Open(path.string());
  ASSERT_TRUE(table);
  const auto title = *table->Column("留言主题"), body = *table->Column("留言详情"),
             time = *table->Column("留言时间"), likes = *table->Column("点赞数"),
             id = *table->Column("留言编号");
  std::vector<HotspotMessage> messages;
  while (auto row = table->Next()) {
    if (!*row) break;
    const auto& r = **row;
    int y = 0, mo = 0, d = 0;
    ASSERT_EQ(std::sscanf(r[time].c_str(), "%d-%d-%d", &y, &mo, &d), 3);
    const auto days = std::chrono::sys_days(std::chrono::year_month_day{
        std::chrono::year{y}, std::chrono::month(mo), std::chrono::day(d)});
    messages.push_back(
        Msg(r[id], r[title], r[body], days.time_since_epoch().count(), std::stoll(r[likes])));
  }
  ASSERT_GT(messages.size(), 4000u);
  const HotspotResult r = Find(messages);
  ASSERT_GE(r.hotspots.size(), 3u);
  std::vector<std::string> top_two = {r.hotspots[0].place, r.hotspots[1].place};
  std::sort(top_two.begin(), top_two.end());
  EXPECT_EQ(top_two, (std::vector<std::string>{"A2区 丽发新城", "伊景园滨河苑"}));
  EXPECT_GE(r.hotspots[0].count, 30u);
  EXPECT_GE(r.hotspots[1].count, 30u);
}

}  // namespace
}  // namespace xietong::text
