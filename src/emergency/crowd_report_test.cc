#include "emergency/crowd_report.h"

#include <gtest/gtest.h>

namespace xietong::emergency {
namespace {

json::Json Need() {
  return {{"text", "幸福小区3号楼困住老人两名，水已到一楼窗台"},
          {"kind", "need"},
          {"need_type", "救援"},
          {"count", 2},
          {"priority", "critical"},
          {"place", {{"lat", 34.7466}, {"lng", 113.6254}, {"address", "幸福路12号"}}},
          {"contact", {{"name", "王芳"}, {"phone", "13812345678"}}}};
}

std::string FieldOf(const Result<NewCrowdReport>& r) { return r ? "" : r.error().field; }

TEST(CrowdReportTest, ANeedIsReadWithEveryField) {
  auto r = ReportFromJson(Need());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, ReportKind::kNeed);
  EXPECT_EQ(r->need_type, NeedType::kRescue);
  EXPECT_EQ(r->count, 2);
  EXPECT_EQ(r->priority, ReportPriority::kCritical);
  EXPECT_DOUBLE_EQ(*r->place.lat, 34.7466);
  EXPECT_EQ(r->place.address, "幸福路12号");
  EXPECT_EQ(r->contact_phone, "13812345678");
  EXPECT_EQ(r->channel, ReportChannel::kWeb);
  // English names work as the Chinese ones do.
  json::Json b = Need();
  b["need_type"] = "evacuation";
  EXPECT_EQ(ReportFromJson(b)->need_type, NeedType::kEvacuation);
}

TEST(CrowdReportTest, ASituationNeedsOnlyTextAndAPlace) {
  auto r = ReportFromJson({{"text", "中原路积水齐腰"}, {"place", {{"address", "中原路桥下"}}}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, ReportKind::kSituation);
  EXPECT_FALSE(r->place.lat);
}

TEST(CrowdReportTest, WrongInputNamesTheField) {
  auto with = [](std::string_view path, json::Json v) {
    json::Json b = Need();
    if (auto dot = path.find('.'); dot != std::string_view::npos)
      b[std::string(path.substr(0, dot))][std::string(path.substr(dot + 1))] = std::move(v);
    else
      b[std::string(path)] = std::move(v);
    return ReportFromJson(b);
  };
  EXPECT_EQ(FieldOf(with("text", "")), "text");
  EXPECT_EQ(FieldOf(with("text", "   ")), "text");
  EXPECT_EQ(FieldOf(with("text", 42)), "text");
  EXPECT_EQ(FieldOf(with("text", std::string(2001 * 3, 'a'))), "text");
  EXPECT_EQ(FieldOf(with("text", "bad\x1b[31m")), "text");
  EXPECT_EQ(FieldOf(with("kind", "rumour")), "kind");
  EXPECT_EQ(FieldOf(with("need_type", "food")), "need_type");
  EXPECT_EQ(FieldOf(with("need_type", nullptr)), "need_type");  // a need says which
  EXPECT_EQ(FieldOf(with("count", "2")), "count");
  EXPECT_EQ(FieldOf(with("count", 2.5)), "count");
  EXPECT_EQ(FieldOf(with("count", -1)), "count");
  EXPECT_EQ(FieldOf(with("count", 18446744073709551615ull)), "count");
  EXPECT_EQ(FieldOf(with("priority", "urgent")), "priority");
  EXPECT_EQ(FieldOf(with("place", "幸福路")), "place");
  EXPECT_EQ(FieldOf(with("place.lat", "34.7")), "place.lat");
  EXPECT_EQ(FieldOf(with("place.lat", 91)), "place.lat");
  EXPECT_EQ(FieldOf(with("place.lng", 181)), "place.lng");
  EXPECT_EQ(FieldOf(with("place.lng", nullptr)), "place");  // both or neither
  EXPECT_EQ(FieldOf(with("contact", "王芳 138")), "contact");
  EXPECT_EQ(FieldOf(with("contact.phone", "call me")), "contact.phone");
  EXPECT_EQ(FieldOf(with("channel", "fax")), "channel");
  EXPECT_EQ(FieldOf(with("photo_ids", json::Json::array({1}))), "photo_ids");
  EXPECT_EQ(FieldOf(with("photo_ids", json::Json::array({"a", "b", "c", "d", "e", "f", "g"}))),
            "photo_ids");
  // Nowhere: neither coordinates nor an address.
  EXPECT_EQ(FieldOf(ReportFromJson({{"text", "救命"}})), "place");
  // need_type on a situation.
  EXPECT_EQ(FieldOf(ReportFromJson(
                {{"text", "积水"}, {"need_type", "医疗"}, {"place", {{"address", "桥下"}}}})),
            "kind");
  EXPECT_FALSE(ReportFromJson(json::Json::array()));
}

TEST(CrowdReportTest, BadUtf8InACodeBuiltReportIsRefused) {
  NewCrowdReport r;
  r.text = "ok";
  r.place.address = "\xff\xfe";
  auto v = ValidateReport(r);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().field, "place.address");
}

TEST(CrowdReportTest, TheFingerprintTellsAnotherReportFromARetry) {
  auto a = *ReportFromJson(Need());
  auto b = a;
  EXPECT_EQ(ReportFingerprint("i1", a), ReportFingerprint("i1", b));
  b.count = 3;
  EXPECT_NE(ReportFingerprint("i1", a), ReportFingerprint("i1", b));
  EXPECT_NE(ReportFingerprint("i1", a), ReportFingerprint("i2", a));
}

TEST(CrowdReportTest, FreshReportsQueueBeforeCandidatesThenByPriority) {
  EXPECT_LT(QueueRank(false, ReportPriority::kCritical), QueueRank(false, ReportPriority::kHigh));
  EXPECT_LT(QueueRank(false, ReportPriority::kHigh), QueueRank(false, ReportPriority::kLow));
  EXPECT_LT(QueueRank(false, ReportPriority::kLow), QueueRank(true, ReportPriority::kCritical));
}

CrowdReport Report(std::string id, ReportState state = ReportState::kUnverified) {
  CrowdReport r;
  r.id = std::move(id);
  r.incident_id = "inc";
  r.kind = ReportKind::kNeed;
  r.need_type = NeedType::kRescue;
  r.state = state;
  return r;
}

TEST(CrowdReportTest, AVerifiedNeedBecomesANeedOnce) {
  auto d = DecideVerdict(Report("r1"), {ReportState::kVerified}, std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->creates_need);
  EXPECT_FALSE(d->unchanged);
  // The same verdict again changes nothing; a different one is refused.
  auto again =
      DecideVerdict(Report("r1", ReportState::kVerified), {ReportState::kVerified}, std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->unchanged);
  EXPECT_FALSE(again->creates_need);
  auto other =
      DecideVerdict(Report("r1", ReportState::kVerified), {ReportState::kFalse}, std::nullopt);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  // A situation never becomes a need.
  CrowdReport s = Report("r2");
  s.kind = ReportKind::kSituation;
  EXPECT_FALSE(DecideVerdict(s, {ReportState::kVerified}, std::nullopt)->creates_need);
}

TEST(CrowdReportTest, ADuplicateNamesAnEarlierReportOfTheSameIncident) {
  CrowdReport r = Report("r2");
  // No original named and no candidate.
  EXPECT_EQ(DecideVerdict(r, {ReportState::kDuplicate}, std::nullopt).error().field,
            "duplicate_of");
  // The candidate found at intake is the default.
  r.duplicate_of = "r1";
  auto d = DecideVerdict(r, {ReportState::kDuplicate}, Report("r1", ReportState::kVerified));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->duplicate_of, "r1");
  // Of a duplicate: points at the first.
  CrowdReport dup = Report("r1", ReportState::kDuplicate);
  dup.duplicate_of = "r0";
  EXPECT_EQ(DecideVerdict(r, {ReportState::kDuplicate}, dup)->duplicate_of, "r0");
  // Another incident's report, itself, a false one.
  CrowdReport elsewhere = Report("r1");
  elsewhere.incident_id = "other";
  EXPECT_FALSE(DecideVerdict(r, {ReportState::kDuplicate}, elsewhere));
  EXPECT_FALSE(DecideVerdict(r, {ReportState::kDuplicate, "r2"}, Report("r2")));
  EXPECT_FALSE(DecideVerdict(r, {ReportState::kDuplicate}, Report("r1", ReportState::kFalse)));
  // Marked duplicate of r1, then duplicate of r3: a different verdict.
  CrowdReport marked = Report("r2", ReportState::kDuplicate);
  marked.duplicate_of = "r1";
  EXPECT_TRUE(DecideVerdict(marked, {ReportState::kDuplicate, "r1"}, Report("r1"))->unchanged);
  EXPECT_EQ(DecideVerdict(marked, {ReportState::kDuplicate, "r3"}, Report("r3")).error().code,
            ErrorCode::kConflict);
}

TEST(CrowdReportTest, VerdictBodies) {
  EXPECT_EQ(VerdictFromJson({{"verdict", "verified"}})->state, ReportState::kVerified);
  EXPECT_FALSE(VerdictFromJson({{"verdict", "maybe"}}));
  EXPECT_FALSE(VerdictFromJson(json::Json::object()));
  EXPECT_FALSE(VerdictFromJson({{"verdict", "verified"}, {"duplicate_of", "r1"}}));
  auto d = VerdictFromJson({{"verdict", "duplicate"}, {"duplicate_of", "r1"}, {"note", "同一户"}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->duplicate_of, "r1");
  EXPECT_EQ(d->note, "同一户");
}

TEST(CrowdReportTest, ThePublicSeesNoPersonalData) {
  CrowdReport r = Report("r1", ReportState::kVerified);
  r.text = "困住两人，联系13812345678，门牌12号";
  r.place = {34.746612, 113.625488, "幸福路12号3单元502"};
  r.contact_name = "王芳";
  r.contact_phone = "13812345678";
  r.reporter_id = "acct-1";
  const PublicReport p = PublicOf(r);
  EXPECT_EQ(p.text, "困住两人，联系*********78，门牌12号");
  EXPECT_DOUBLE_EQ(*p.lat, 34.747);
  EXPECT_DOUBLE_EQ(*p.lng, 113.625);
}

TEST(CrowdReportTest, PhoneNumbersWrittenInGroupsAreMaskedToo) {
  EXPECT_EQ(PublicText("联系138-1234-5678"), "联系***-****-**78");
  EXPECT_EQ(PublicText("联系138 1234 5678谢谢"), "联系*** **** **78谢谢");
  EXPECT_EQ(PublicText("座机0571-8765-4321。"), "座机****-****-**21。");
  EXPECT_EQ(PublicText("拨 0571 - 87654321"), "拨 **** - ******21");
  EXPECT_EQ(PublicText("138－1234－5678"), "***－****－**78");  // full-width hyphen
  EXPECT_EQ(PublicText("138　1234　5678"), "***　****　**78");  // ideographic space
  EXPECT_EQ(PublicText("+86 138 1234 5678"), "+** *** **** **78");
  EXPECT_EQ(PublicText("8765 4321"), "**** **21");  // a local number, 8 digits
  // Not phone numbers: dates, short numbers, house numbers, counts.
  EXPECT_EQ(PublicText("2021-07-20 暴雨"), "2021-07-20 暴雨");
  EXPECT_EQ(PublicText("3号楼 2-502 室，困住 12 人"), "3号楼 2-502 室，困住 12 人");
  EXPECT_EQ(PublicText("10-12 点 水深 80 厘米"), "10-12 点 水深 80 厘米");
  EXPECT_EQ(PublicText("电话 138-1234-5678 "), "电话 ***-****-**78 ");
  EXPECT_EQ(PublicText("-"), "-");
  EXPECT_EQ(PublicText(""), "");
}

}  // namespace
}  // namespace xietong::emergency

namespace xietong::emergency {
namespace {

Open311Report Open311Need() {
  Open311Report in;
  in.description = "3号楼被困两位老人";
  in.lat = 30.05;
  in.lng = 120.05;
  in.address = "湖畔社区3号楼";
  in.contact_name = "陈女士";
  in.contact_phone = "13800001234";
  in.attributes = {{"kind", "need"}, {"need_type", "rescue"}, {"count", "2"}, {"priority", "high"}};
  return in;
}

TEST(CrowdReportOpen311Test, ServiceCodesNameIncidents) {
  EXPECT_EQ(Open311ServiceCode("abc"), "incident-abc");
  EXPECT_EQ(IncidentOfServiceCode("incident-abc"), "abc");
  EXPECT_EQ(IncidentOfServiceCode("incident-"), std::nullopt);
  EXPECT_EQ(IncidentOfServiceCode("01-01-01"), std::nullopt);
}

TEST(CrowdReportOpen311Test, AReportTakesEveryField) {
  auto r = ReportFromOpen311(Open311Need());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->channel, ReportChannel::kOpen311);
  EXPECT_EQ(r->text, "3号楼被困两位老人");
  EXPECT_EQ(r->kind, ReportKind::kNeed);
  EXPECT_EQ(r->need_type, NeedType::kRescue);
  EXPECT_EQ(r->count, 2);
  EXPECT_EQ(r->priority, ReportPriority::kHigh);
  EXPECT_EQ(r->place.lat, 30.05);
  EXPECT_EQ(r->place.address, "湖畔社区3号楼");
  EXPECT_EQ(r->contact_name, "陈女士");
  EXPECT_EQ(r->contact_phone, "13800001234");

  Open311Report situation;
  situation.description = "桥面积水";
  situation.address = "江滨路桥";
  auto s = ReportFromOpen311(situation);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->kind, ReportKind::kSituation);
  EXPECT_EQ(s->priority, ReportPriority::kNormal);

  Open311Report typed_only = Open311Need();
  typed_only.attributes = {{"need_type", "supplies"}};  // a need_type alone is a need
  auto n = ReportFromOpen311(typed_only);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->kind, ReportKind::kNeed);
}

TEST(CrowdReportOpen311Test, WrongInputNamesTheOpen311Field) {
  auto wrong = [](auto change, std::string_view names) {
    Open311Report in = Open311Need();
    change(in);
    auto r = ReportFromOpen311(in);
    ASSERT_FALSE(r) << names;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(names), std::string::npos) << r.error().message;
  };
  wrong([](Open311Report& in) { in.description = " "; }, "description");
  wrong([](Open311Report& in) { in.media_url = "https://x.example/1.jpg"; }, "media_url");
  wrong([](Open311Report& in) { in.attributes = {{"kind", "gossip"}}; }, "attribute[kind]");
  wrong(
      [](Open311Report& in) {
        in.attributes = {{"kind", "need"}, {"need_type", "pizza"}};
      },
      "attribute[need_type]");
  wrong([](Open311Report& in) { in.attributes = {{"kind", "need"}}; }, "attribute[need_type]");
  wrong([](Open311Report& in) { in.attributes.emplace_back("count", "two"); }, "attribute[count]");
  wrong([](Open311Report& in) { in.attributes.emplace_back("count", "-1"); }, "attribute[count]");
  wrong([](Open311Report& in) { in.attributes.emplace_back("priority", "asap"); },
        "attribute[priority]");
  wrong([](Open311Report& in) { in.attributes.emplace_back("colour", "red"); },
        "attribute[colour]");
  wrong(
      [](Open311Report& in) {
        in.attributes = {{"kind", "situation"}, {"count", "3"}};
      },
      "attribute[kind]");
  wrong(
      [](Open311Report& in) {
        in.lat.reset();
        in.lng.reset();
        in.address.clear();
      },
      "address_string");
  wrong([](Open311Report& in) { in.contact_phone = "call me"; }, "'phone'");
}

}  // namespace
}  // namespace xietong::emergency
