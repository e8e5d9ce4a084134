// RequestService against real databases (every backend): each path of the
// lifecycle, deadlines and timers, summonses, rates, authorization, bad input.
#include "requests/request_service.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "files/file_service.h"
#include "requests/rates.h"
#include "requests/request_store.h"
#include "storage/testing.h"
#include "text/classifier.h"
#include "text/corpus.h"

namespace xietong::requests {
namespace {

using identity::Membership;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

std::string Rect(double lon0, double lat0, double lon1, double lat1) {
  return fmt::format(
      R"({{"type":"Polygon","coordinates":[[[{0},{1}],[{2},{1}],[{2},{3}],[{0},{3}],[{0},{1}]]]}})",
      lon0, lat0, lon1, lat1);
}

// Monday 2026-11-23 10:00 +08:00, a working day.
constexpr Timestamp kMonday10 = 1'795'399'200'000'000;

ListFilter With(const std::function<void(ListFilter&)>& set) {
  ListFilter f;
  set(f);
  return f;
}

class RequestServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(db(), {&Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(db(), clock_, ids_);
    service_ =
        std::make_unique<RequestService>(db(), clock_, ids_, *calendar_, *identity_, *matters_);
    const auto sys = Principal::System();
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市", Rect(120.0, 30.0, 120.2, 30.2));
    centre_ = Unit(city_.id, UnitKind::kCentre, "JL-12345", "12345热线中心", std::nullopt);
    env_ = Unit(city_.id, UnitKind::kDepartment, "JL-D03", "市生态环境局", std::nullopt);
    police_ = Unit(city_.id, UnitKind::kDepartment, "JL-D12", "市公安局", std::nullopt);
    district_ =
        Unit(city_.id, UnitKind::kDistrict, "JL-01", "临江区", Rect(120.0, 30.0, 120.2, 30.2));
    street_a_ = Unit(district_.id, UnitKind::kStreet, "JL-01-01", "望湖街道",
                     Rect(120.0, 30.0, 120.1, 30.2));
    street_b_ = Unit(district_.id, UnitKind::kStreet, "JL-01-02", "柳巷街道",
                     Rect(120.1, 30.0, 120.2, 30.2));
    community_a_ = Unit(street_a_.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区",
                        Rect(120.0, 30.0, 120.1, 30.2));
    grid_a_ = Unit(community_a_.id, UnitKind::kGrid, "JL-01-01-01-01", "湖畔社区第一网格",
                   Rect(120.0, 30.0, 120.1, 30.2));
    community_b_ = Unit(street_b_.id, UnitKind::kCommunity, "JL-01-02-01", "柳岸社区",
                        Rect(120.1, 30.0, 120.2, 30.2));
    grid_b_ = Unit(community_b_.id, UnitKind::kGrid, "JL-01-02-01-01", "柳岸社区第一网格",
                   Rect(120.1, 30.0, 120.2, 30.2));

    auto seeded = matters_->Seed(sys, Catalogue());
    ASSERT_TRUE(seeded) << seeded.error().message;
    auto catalog = matters_->Snapshot();
    ASSERT_TRUE(catalog);
    stalls_ = (*catalog)->FindByCode("01-01-01")->id;
    fumes_ = (*catalog)->FindByCode("01-01-02")->id;

    operator_ = As("op", centre_, Role::kOperator);
    supervisor_ = As("sup", centre_, Role::kSupervisor);
    handler_a_ = As("ha", street_a_, Role::kHandler);
    handler_b_ = As("hb", street_b_, Role::kHandler);
    env_handler_ = As("env", env_, Role::kHandler);
    police_handler_ = As("pol", police_, Role::kHandler);
    resident_ = As("res", community_a_, Role::kResident);
    resident_.kind = identity::AccountKind::kResident;
    other_resident_ = As("res2", community_a_, Role::kResident);
    other_resident_.kind = identity::AccountKind::kResident;
    clock_.Set(kMonday10);
  }

  static std::vector<matters::Matter> Catalogue() {
    auto node = [](std::string code, std::string name) {
      matters::Matter m;
      m.code = std::move(code);
      m.name = std::move(name);
      m.name_en = "x";
      return m;
    };
    std::vector<matters::Matter> out = {node("01", "城乡建设"), node("01-01", "市容环境")};
    auto stalls = node("01-01-01", "占道经营");
    stalls.handler = matters::HandlerLevel::kStreet;
    stalls.keywords = {"占道", "摆摊", "小贩"};
    stalls.sign_limit = {2, matters::LimitUnit::kWorkingHours};
    stalls.finish_limit = {7, matters::LimitUnit::kWorkingDays};
    stalls.return_window = {4, matters::LimitUnit::kWorkingHours};
    out.push_back(stalls);
    auto fumes = node("01-01-02", "餐饮油烟");
    fumes.handler = matters::HandlerLevel::kCityDepartment;
    fumes.department_code = "JL-D03";
    fumes.keywords = {"油烟", "烧烤"};
    out.push_back(fumes);
    return out;
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code, std::string name,
               std::optional<std::string> geometry) {
    auto r = identity_->CreateUnit(Principal::System(), {std::move(parent), kind, std::move(code),
                                                         std::move(name), std::move(geometry)});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  // A principal as Authenticate would build it (no password hashing needed).
  static Principal As(std::string name, const OrgUnit& unit, Role role) {
    Principal p;
    p.account_id = "acct-" + name;
    p.username = name;
    p.memberships.push_back(
        Membership{"m-" + name, p.account_id, unit.id, unit.name, unit.path, role});
    return p;
  }

  Intake Stalls() {
    Intake in;
    in.channel = Channel::kPhone;
    in.title = "小区门口占道摆摊";
    in.text = "湖畔社区南门每天晚上有小贩占道摆摊，堵塞消防通道。";
    in.matter_id = stalls_;
    in.place.lat = 30.05;
    in.place.lon = 120.05;
    in.contact_name = "陈女士";
    in.contact_phone = "13800001234";
    return in;
  }

  Request Submitted(bool dispatch = true) {
    Intake in = Stalls();
    in.dispatch = dispatch;
    auto r = service_->Submit(operator_, in);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->request : Request{};
  }

  Result<Request> Do(const Principal& who, const Request& r, Command c,
                     std::function<void(CommandInput&)> fill = {}) {
    CommandInput in;
    in.command = c;
    if (fill) fill(in);
    return service_->Apply(who, r.id, in);
  }

  Request Must(const Principal& who, const Request& r, Command c,
               std::function<void(CommandInput&)> fill = {}) {
    auto out = Do(who, r, c, std::move(fill));
    EXPECT_TRUE(out) << CommandName(c) << ": " << out.error().message;
    return out.value_or(r);
  }

  std::int64_t Count(std::string_view sql, std::initializer_list<storage::Value> params = {}) {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql, params));
      return row->Int(0);
    });
    EXPECT_TRUE(n) << n.error().message;
    return n.value_or(-1);
  }

  rates::Counters StatsOf(const std::string& unit_id) {
    auto ranking = db().Read([&](storage::Executor& ex) {
      rates::RankingQuery q;
      q.from_month = "2000-01";
      q.to_month = "2999-12";
      q.unit_ids = {unit_id};
      return rates::Ranking(ex, q);
    });
    EXPECT_TRUE(ranking) << ranking.error().message;
    if (!ranking || ranking->empty()) return {};
    return ranking->front().counters;
  }

  storage::Database& db() { return t_->db(); }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kMonday10};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<RequestService> service_;
  OrgUnit city_, centre_, env_, police_, district_, street_a_, street_b_, community_a_, grid_a_,
      community_b_, grid_b_;
  std::string stalls_, fumes_;
  Principal operator_, supervisor_, handler_a_, handler_b_, env_handler_, police_handler_,
      resident_, other_resident_;
};

TEST_P(RequestServiceTest, IntakeRoutesByPlaceAndComputesWorkingTimeDeadlines) {
  Request r = Submitted();
  EXPECT_EQ(r.number, "2026112300001");
  EXPECT_EQ(r.status, Status::kDispatched);
  EXPECT_EQ(r.unit_id, street_a_.id);
  EXPECT_EQ(r.place.grid_id, grid_a_.id);
  EXPECT_EQ(r.place.community_id, community_a_.id);
  EXPECT_EQ(r.centre_id, centre_.id);
  // 2 working hours from Monday 10:00 → 12:00; 7 working days → Wednesday 2 Dec 17:30.
  EXPECT_EQ(FormatRfc3339(r.sign_due), "2026-11-23T12:00:00+08:00");
  EXPECT_EQ(FormatRfc3339(r.finish_due), "2026-12-02T17:30:00+08:00");
  EXPECT_EQ(FormatRfc3339(r.sign_warn_at), "2026-11-23T11:30:00+08:00");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM request_timers WHERE request_id = ?", {r.id}), 4);
  EXPECT_EQ(Submitted().number, "2026112300002");
  // A department's matter goes to the department wherever it is.
  Intake in = Stalls();
  in.matter_id = fumes_;
  in.dispatch = true;
  auto fumes = service_->Submit(operator_, in);
  ASSERT_TRUE(fumes) << fumes.error().message;
  EXPECT_EQ(fumes->request.unit_id, env_.id);
}

// A classifier trained on the city's decided requests (labels: leaf codes)
// suggests from words no matter's keywords contain; suggestions and the
// choice are in the intake's audit event; without it, keywords suggest.
TEST_P(RequestServiceTest, TheCitysClassifierSuggestsAndIsRecorded) {
  auto normalizer = text::Normalizer::Open();
  ASSERT_TRUE(normalizer) << normalizer.error().message;
  const text::ClassifierOptions options;
  const text::FeatureExtractor extractor(options.features);
  std::vector<text::PreparedDocument> docs;
  std::vector<int> y;
  const char* places[] = {"南门", "北门", "菜场边", "学校旁", "公交站", "桥下", "路口", "广场"};
  for (const char* place : places) {
    for (auto [label, title, body] :
         {std::tuple{0, "卖菜推车堵门口", "卖菜的推车和三轮车把{}堵住了，行人过不去"},
          std::tuple{1, "饭店排风熏人", "{}饭店的排风管正对窗户，熏得家里睁不开眼"}}) {
      const std::string fields[] = {title, fmt::format(fmt::runtime(body), place)};
      auto doc = text::Prepare(**normalizer, extractor, fields);
      ASSERT_TRUE(doc) << doc.error().message;
      docs.push_back(std::move(*doc));
      y.push_back(label);
    }
  }
  const std::vector<std::string> labels = {"01-01-01", "01-01-02"};
  service_->SetClassifier(std::make_shared<const text::Classifier>(text::Classifier::Train(
                              *normalizer, {labels, docs, y, {}, {}, {}}, options)),
                          "v3");

  Intake in = Stalls();
  in.matter_id.clear();
  in.title = "又是卖菜推车";
  in.text = "今天早上卖菜的推车又把南门堵住了";
  auto preview = service_->Preview(resident_, in);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_EQ(preview->suggested_by, "classifier");
  EXPECT_EQ(preview->model_version, "v3");
  ASSERT_FALSE(preview->suggestions.empty());
  EXPECT_EQ(preview->suggestions.front().matter.id, stalls_);
  EXPECT_GT(preview->suggestions.front().confidence, 0.6);

  auto filed = service_->Submit(resident_, in);
  ASSERT_TRUE(filed) << filed.error().message;
  EXPECT_EQ(filed->request.matter_id, stalls_);  // confident enough to be taken
  auto events =
      db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, filed->request.id); });
  ASSERT_TRUE(events && !events->empty());
  auto payload = json::Json::parse(events->front().payload);
  EXPECT_EQ(payload["suggested_by"], "classifier");
  EXPECT_EQ(payload["suggestions"][0]["code"], "01-01-01");
  EXPECT_EQ(payload["suggestions"][0]["matter_id"], stalls_);
  EXPECT_EQ(payload["matter_id"], stalls_);
  EXPECT_EQ(payload["model_version"], "v3");
  EXPECT_EQ(payload["auto_routed"], true);  // nobody chose it

  // An operator who chooses the category is still given (and recorded) the
  // suggestions: the label beside the model's guess, an override here.
  in.matter_id = fumes_;
  auto chosen = service_->Submit(operator_, in);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->request.matter_id, fumes_);
  events =
      db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, chosen->request.id); });
  ASSERT_TRUE(events && !events->empty());
  payload = json::Json::parse(events->front().payload);
  EXPECT_EQ(payload["matter_id"], fumes_);
  EXPECT_EQ(payload["suggested_by"], "classifier");
  EXPECT_EQ(payload["suggestions"][0]["matter_id"], stalls_);
  EXPECT_EQ(payload["model_version"], "v3");
  EXPECT_EQ(payload["auto_routed"], false);
  in.matter_id.clear();

  // Without a model, the matters' keywords suggest (and these words have none).
  service_->SetClassifier(nullptr, "v3");
  auto keywords = service_->Preview(resident_, in);
  ASSERT_TRUE(keywords);
  EXPECT_TRUE(keywords->suggestions.empty());
  in.text = "南门有小贩占道摆摊";
  keywords = service_->Preview(resident_, in);
  ASSERT_TRUE(keywords);
  EXPECT_EQ(keywords->suggested_by, "keywords");
  EXPECT_EQ(keywords->model_version, "");  // keywords have no version
}

// A dispatch, transfer or reopen that changes the category says so on its
// event (matter_id, from_matter_id): the final label the routing model learns.
TEST_P(RequestServiceTest, AChangedCategoryIsOnTheEventThatChangedIt) {
  auto last_payload = [&](const Request& r) {
    auto events = db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, r.id); });
    EXPECT_TRUE(events && !events->empty());
    return events && !events->empty() ? json::Json::parse(events->back().payload)
                                      : json::Json::object();
  };
  Request r = Submitted(false);
  r = Must(operator_, r, Command::kDispatch, [&](auto& in) { in.matter_id = fumes_; });
  EXPECT_EQ(r.matter_id, fumes_);
  auto p = last_payload(r);
  EXPECT_EQ(p["matter_id"], fumes_);
  EXPECT_EQ(p["from_matter_id"], stalls_);
  // A transfer under the same category says nothing of it.
  r = Must(operator_, r, Command::kTransfer, [&](auto& in) {
    in.unit_id = street_b_.id;
    in.reason = "属柳巷街道辖区";
  });
  p = last_payload(r);
  EXPECT_FALSE(p.contains("matter_id"));
  EXPECT_FALSE(p.contains("from_matter_id"));
}

// History keeps the channel each row gives (the demo's phone share), numbered
// by its own day.
TEST_P(RequestServiceTest, ImportedHistoryKeepsItsChannels) {
  std::vector<Request> rows;
  for (Channel c : {Channel::kPhone, Channel::kWeb, Channel::kImport}) {
    Request r;
    r.channel = c;
    r.title = "占道";
    r.text = "摆摊";
    r.matter_id = stalls_;
    r.centre_id = centre_.id;
    r.centre_path = centre_.path;
    r.received_at = kMonday10 - kMicrosPerDay;
    r.external_id = fmt::format("hist:{}", ChannelName(c));
    rows.push_back(std::move(r));
  }
  auto n = service_->ImportHistory(Principal::System(), rows);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests WHERE channel = 'phone'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests WHERE channel = 'web'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests WHERE channel = 'import'"), 1);
  // Only an administrator imports.
  auto refused = service_->ImportHistory(handler_a_, rows);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(RequestServiceTest, WatchedWordsAreRecordedOnTheReceivedEventNotTheText) {
  auto payload_of = [&](const Request& r) {
    auto events = db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, r.id); });
    EXPECT_TRUE(events && !events->empty());
    return json::Json::parse(events->front().payload);
  };
  Intake in = Stalls();
  in.title = "楼道有燃气味";
  in.text = "三楼楼道燃气味很重，南门也闻到了";
  auto before = service_->Submit(resident_, in);
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_FALSE(payload_of(before->request).contains("keywords")) << "no finder wired: none";

  service_->SetKeywordFinder([](std::string_view title, std::string_view text) {
    std::vector<std::string> found;
    for (const char* w : {"积水", "燃气味", "南门"})
      if (title.find(w) != std::string_view::npos || text.find(w) != std::string_view::npos)
        found.emplace_back(w);
    return found;
  });
  service_->SetPlaceFinder([](std::string_view, std::string_view text) {
    return text.find("南门") != std::string_view::npos ? std::vector<std::string>{"南门"}
                                                       : std::vector<std::string>{};
  });
  auto filed = service_->Submit(resident_, in);
  ASSERT_TRUE(filed) << filed.error().message;
  const auto payload = payload_of(filed->request);
  EXPECT_EQ(payload["keywords"], (json::Json{"燃气味", "南门"}));
  EXPECT_EQ(payload["places"], (json::Json{"南门"}));
  const std::string dumped = payload.dump();
  EXPECT_EQ(dumped.find("三楼楼道"), std::string::npos) << "the resident's words stay in the row";
  in.title = "占道";
  in.text = "小贩占道摆摊";
  auto plain = service_->Submit(resident_, in);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(payload_of(plain->request).contains("keywords"));
  EXPECT_FALSE(payload_of(plain->request).contains("places"));
}

TEST_P(RequestServiceTest, TheWholePathWithASummonsAndACallback) {
  Request r = Submitted();
  r = Must(handler_a_, r, Command::kSign);
  EXPECT_EQ(r.status, Status::kSigned);
  EXPECT_FALSE(r.sign_late);
  r = Must(handler_a_, r, Command::kHandle, [](auto& in) { in.text = "已到现场核实"; });
  r = Must(handler_a_, r, Command::kSummon, [&](auto& in) {
    in.reason = "需要公安配合清理夜间摊贩";
    in.department_ids = {police_.id};
  });
  auto detail = service_->Get(handler_a_, r.id);
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->summonses.size(), 1u);
  EXPECT_EQ(detail->summonses[0].department_id, police_.id);
  // The summoned department sees it and reports; the street still owns it.
  ASSERT_TRUE(service_->Get(police_handler_, r.id));
  EXPECT_FALSE(service_->Get(env_handler_, r.id));
  EXPECT_EQ(Do(env_handler_, r, Command::kReport, [](auto& in) { in.text = "x"; }).error().code,
            ErrorCode::kPermissionDenied);
  r = Must(police_handler_, r, Command::kReport, [](auto& in) { in.text = "已派警力联合执法"; });
  EXPECT_EQ(r.unit_id, street_a_.id);
  r = Must(handler_a_, r, Command::kReply, [](auto& in) { in.text = "摊贩已清理，设置了巡查点"; });
  EXPECT_EQ(r.status, Status::kReplied);
  r = Must(operator_, r, Command::kCallback, [](auto& in) {
    in.resolved = true;
    in.satisfaction = Satisfaction::kSatisfied;
  });
  EXPECT_EQ(r.status, Status::kClosed);

  auto timeline = service_->Timeline(operator_, r.id);
  ASSERT_TRUE(timeline);
  std::vector<std::string> actions;
  for (const auto& e : *timeline) actions.push_back(e.action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"request.received", "request.dispatched", "request.signed",
                                      "request.progress", "request.summoned", "request.reported",
                                      "request.replied", "request.callback"}));
  const auto street = StatsOf(street_a_.id);
  EXPECT_EQ(street.dispatched, 1);
  EXPECT_EQ(street.responded_on_time, 1);
  EXPECT_EQ(street.rated, 1);
  EXPECT_EQ(street.resolved, 1);
  EXPECT_EQ(street.satisfied, 1);
  const auto police = StatsOf(police_.id);
  EXPECT_EQ(police.summoned, 1);
  EXPECT_EQ(police.summons_reported_on_time, 1);
  auto verified = audit::Verify(db(), {});
  ASSERT_TRUE(verified);
  EXPECT_FALSE(verified->first_bad_seq.has_value());
}

TEST_P(RequestServiceTest, SupervisorsSeeTheReplysQualityAndTheStreetDoesNot) {
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  auto unreplied = service_->Get(supervisor_, r.id);
  ASSERT_TRUE(unreplied) << unreplied.error().message;
  EXPECT_FALSE(unreplied->reply_quality);
  clock_.Advance(kMicrosPerDay);
  r = Must(handler_a_, r, Command::kReply, [](auto& in) {
    in.text =
        "经现场核实，湖畔社区南门确有小贩晚上占道摆摊。街道已安排城管队员每晚巡查，"
        "摊贩已清理，消防通道已恢复畅通。";
  });
  auto seen = service_->Get(supervisor_, r.id);
  ASSERT_TRUE(seen) << seen.error().message;
  ASSERT_TRUE(seen->reply_quality);
  EXPECT_GT(seen->reply_quality->relevance, 0.5);
  EXPECT_FALSE(seen->reply_quality->late);  // a day, against the matter's 7 working days
  EXPECT_NEAR(seen->reply_quality->elapsed_days, 1, 0.01);
  EXPECT_GT(seen->reply_quality->overall, 0.5);
  EXPECT_FALSE(seen->reply_quality->reasons.empty());
  auto street = service_->Get(handler_a_, r.id);
  ASSERT_TRUE(street) << street.error().message;
  EXPECT_FALSE(street->reply_quality);
  auto resident = service_->Get(resident_, r.id);
  EXPECT_TRUE(!resident || !resident->reply_quality);
}

// Field by field: what the resident who filed a request reads of it while a
// street asks to return it and to extend it, through every read path.
TEST_P(RequestServiceTest, TheResidentReadsNoStaffNotesNorInternalClocks) {
  Intake mine = Stalls();
  mine.text = "南门推车又堵了，麻烦处理";
  auto own = service_->Submit(resident_, mine);
  ASSERT_TRUE(own) << own.error().message;
  Request r =
      Must(operator_, own->request, Command::kDispatch, [&](auto& in) { in.matter_id = stalls_; });
  r = Must(handler_a_, r, Command::kSign);
  r = Must(handler_a_, r, Command::kRequestExtension, [](auto& in) {
    in.days = 3;
    in.reason = "内部：产权单位张科长不配合";
  });
  // The staff see their notes and clocks.
  auto staff = service_->Get(handler_a_, r.id);
  ASSERT_TRUE(staff) << staff.error().message;
  EXPECT_EQ(staff->request.extension_reason, "内部：产权单位张科长不配合");
  EXPECT_EQ(staff->request.extension_days, 3);
  EXPECT_NE(staff->request.sign_due, 0);
  EXPECT_FALSE(staff->request.created_by.empty());

  auto check = [&](const Request& seen, const char* path) {
    SCOPED_TRACE(path);
    EXPECT_EQ(seen.extension_reason, "");
    EXPECT_EQ(seen.extension_days, 0);
    EXPECT_EQ(seen.return_reason, "");
    EXPECT_FALSE(seen.return_requested);
    EXPECT_EQ(seen.created_by, "");
    EXPECT_EQ(seen.sign_due, 0);
    EXPECT_EQ(seen.sign_warn_at, 0);
    EXPECT_EQ(seen.finish_warn_at, 0);
    EXPECT_EQ(seen.return_until, 0);
    EXPECT_FALSE(seen.warned);
    EXPECT_FALSE(seen.sign_late);
    EXPECT_FALSE(seen.finish_late);
    EXPECT_EQ(seen.dispatch_count, 0);
    // What the resident is owed stays.
    EXPECT_EQ(seen.number, r.number);
    EXPECT_EQ(seen.text, "南门推车又堵了，麻烦处理");
    EXPECT_EQ(seen.status, r.status);
    EXPECT_EQ(seen.unit_name, r.unit_name);
    EXPECT_EQ(seen.finish_due, r.finish_due);
    EXPECT_EQ(seen.signed_at, r.signed_at);
    EXPECT_EQ(seen.version, r.version);
  };
  auto got = service_->Get(resident_, r.id);
  ASSERT_TRUE(got) << got.error().message;
  check(got->request, "Get");
  auto listed = service_->List(resident_, {});
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->items.size(), 1u);
  check(listed->items[0], "List");

  // A return asked for and rejected; then the resident acts (rates the
  // reply) and reads the answer of their own command.
  r = Must(supervisor_, r, Command::kRejectExtension, [](auto& in) { in.reason = "理由不充分"; });
  r = Must(handler_a_, r, Command::kRequestReturn, [](auto& in) { in.reason = "内部：不想管"; });
  auto staff_now = service_->Get(handler_a_, r.id);
  ASSERT_TRUE(staff_now) << staff_now.error().message;
  EXPECT_EQ(staff_now->request.return_reason, "内部：不想管");
  EXPECT_TRUE(staff_now->request.return_requested);
  got = service_->Get(resident_, r.id);
  ASSERT_TRUE(got) << got.error().message;
  check(got->request, "Get while a return is pending");
}

TEST_P(RequestServiceTest, ForbiddenTransitionsAnswerConflictAndChangeNothing) {
  Request r = Submitted();
  auto reply = Do(handler_a_, r, Command::kReply, [](auto& in) { in.text = "好"; });
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::kConflict);
  EXPECT_NE(reply.error().message.find("allowed now: "), std::string::npos);
  EXPECT_NE(reply.error().message.find("sign"), std::string::npos);
  auto after = service_->Get(operator_, r.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->request.version, r.version);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE subject = ?", {r.id}), 2);
}

TEST_P(RequestServiceTest, OnlyTheRightUnitsActAndSee) {
  Request r = Submitted();
  EXPECT_EQ(Do(handler_b_, r, Command::kSign).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Get(handler_b_, r.id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Do(handler_a_, r, Command::kTransfer,
               [&](auto& in) {
                 in.unit_id = street_b_.id;
                 in.reason = "x";
               })
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(Do(resident_, r, Command::kDispatch).error().code, ErrorCode::kPermissionDenied);
  auto a_list = service_->List(handler_a_, {});
  ASSERT_TRUE(a_list);
  EXPECT_EQ(a_list->total, 1);
  auto b_list = service_->List(handler_b_, {});
  ASSERT_TRUE(b_list);
  EXPECT_EQ(b_list->total, 0);
  // Residents see only their own.
  Intake mine = Stalls();
  mine.matter_id.clear();
  auto own = service_->Submit(resident_, mine);
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->request.status, Status::kReceived);
  EXPECT_EQ(own->request.channel, Channel::kWeb);
  auto resident_list = service_->List(resident_, {});
  ASSERT_TRUE(resident_list);
  ASSERT_EQ(resident_list->items.size(), 1u);
  EXPECT_EQ(resident_list->items[0].id, own->request.id);
  EXPECT_EQ(service_->Get(other_resident_, own->request.id).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Get(resident_, r.id).error().code, ErrorCode::kPermissionDenied);
  // The keyword suggestion found the category but a resident's request waits for an operator.
  ASSERT_FALSE(own->suggestions.empty());
  EXPECT_EQ(own->suggestions.front().matter.id, stalls_);
}

TEST_P(RequestServiceTest, ReturnWithinTheWindowGoesBackToTheCentre) {
  Request r = Submitted();
  r = Must(handler_a_, r, Command::kRequestReturn, [](auto& in) { in.reason = "不属于本街道"; });
  EXPECT_TRUE(r.return_requested);
  EXPECT_EQ(Do(handler_a_, r, Command::kSign).error().code, ErrorCode::kConflict);
  r = Must(operator_, r, Command::kApproveReturn);
  EXPECT_EQ(r.status, Status::kReceived);
  EXPECT_TRUE(r.unit_id.empty());
  EXPECT_EQ(StatsOf(street_a_.id).dispatched, 0);
  r = Must(operator_, r, Command::kDispatch, [&](auto& in) {
    in.unit_id = street_b_.id;
    in.reason = "按实际位置改派";
  });
  EXPECT_EQ(r.unit_id, street_b_.id);
  EXPECT_EQ(StatsOf(street_b_.id).dispatched, 1);
  // The window is 4 working hours: Monday 10:00 + 4h → 15:30 (lunch excluded).
  clock_.Set(kMonday10 + 6 * kMicrosPerHour);
  auto late = Do(handler_b_, r, Command::kRequestReturn, [](auto& in) { in.reason = "x"; });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  EXPECT_NE(late.error().message.find("return window"), std::string::npos);
}

TEST_P(RequestServiceTest, TransferMovesTheRatesAndRestartsTheClock) {
  Request r = Submitted();
  clock_.Advance(kMicrosPerHour);
  EXPECT_FALSE(Do(operator_, r, Command::kTransfer, [&](auto& in) { in.unit_id = street_b_.id; }));
  r = Must(operator_, r, Command::kTransfer, [&](auto& in) {
    in.unit_id = street_b_.id;
    in.reason = "属柳巷街道辖区";
  });
  EXPECT_EQ(r.unit_id, street_b_.id);
  EXPECT_EQ(r.dispatched_at, kMonday10 + kMicrosPerHour);
  EXPECT_EQ(StatsOf(street_a_.id).dispatched, 0);
  EXPECT_EQ(StatsOf(street_b_.id).dispatched, 1);
}

TEST_P(RequestServiceTest, ExtensionNeedsASupervisor) {
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  r = Must(handler_a_, r, Command::kRequestExtension, [](auto& in) {
    in.days = 3;
    in.reason = "需协调产权单位";
  });
  EXPECT_EQ(Do(handler_a_, r, Command::kApproveExtension).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(Do(operator_, r, Command::kApproveExtension).error().code,
            ErrorCode::kPermissionDenied);
  const Timestamp before = r.finish_due;
  r = Must(supervisor_, r, Command::kApproveExtension);
  EXPECT_EQ(r.extension_days, 0);
  EXPECT_EQ(FormatRfc3339(before), "2026-12-02T17:30:00+08:00");
  EXPECT_EQ(FormatRfc3339(r.finish_due), "2026-12-07T17:30:00+08:00");
  auto bad = Do(handler_a_, r, Command::kRequestExtension, [](auto& in) {
    in.days = 0;
    in.reason = "x";
  });
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(RequestServiceTest, MergedRequestsFollowTheirParent) {
  Request parent = Must(handler_a_, Submitted(), Command::kSign);
  Request child = Submitted(false);
  child = Must(operator_, child, Command::kMerge, [&](auto& in) { in.parent_id = parent.id; });
  EXPECT_EQ(child.status, Status::kMerged);
  EXPECT_EQ(Do(operator_, child, Command::kMerge, [&](auto& in) { in.parent_id = parent.id; })
                .error()
                .code,
            ErrorCode::kConflict);
  // Staff read numbers, not ids: a merge may name the parent by its number.
  Request second = Submitted(false);
  second =
      Must(operator_, second, Command::kMerge, [&](auto& in) { in.parent_id = parent.number; });
  EXPECT_EQ(second.parent_id, parent.id);
  EXPECT_EQ(Do(operator_, parent, Command::kMerge, [&](auto& in) { in.parent_id = parent.number; })
                .error()
                .code,
            ErrorCode::kInvalidArgument);  // not into itself, by number either
  Must(handler_a_, parent, Command::kReply, [](auto& in) { in.text = "已清理"; });
  auto c = service_->Get(operator_, child.id);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->request.reply, "已清理");
  auto p = service_->Get(operator_, parent.id);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->merged.size(), 2u);
  EXPECT_EQ(p->merged[0].id, child.id);
  EXPECT_EQ(p->merged[1].id, second.id);
}

// 并入 at intake: the operator recognises a repeated call among the likely
// duplicates and records it straight into the open request, in one step.
TEST_P(RequestServiceTest, ARepeatedCallIsMergedAtIntake) {
  Request parent = Must(handler_a_, Submitted(), Command::kSign);
  const auto requests_before = Count("SELECT COUNT(*) FROM requests");
  auto refused = [&](const Principal& who, std::function<void(Intake&)> change) {
    Intake in = Stalls();
    in.merge_into = parent.id;
    change(in);
    auto r = service_->Submit(who, in);
    EXPECT_FALSE(r);
    return r ? ErrorCode::kInternal : r.error().code;
  };
  EXPECT_EQ(refused(operator_, [](Intake& in) { in.dispatch = true; }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused(operator_, [](Intake& in) { in.merge_into = "no-such-request"; }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused(resident_, [](Intake&) {}), ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests"), requests_before);

  Intake again = Stalls();
  again.merge_into = parent.id;
  again.contact_phone = "13900005678";
  auto merged = service_->Submit(operator_, again);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->request.status, Status::kMerged);
  EXPECT_EQ(merged->request.parent_id, parent.id);
  EXPECT_EQ(merged->request.unit_id, "");  // nobody handles it twice
  EXPECT_EQ(Count("SELECT COUNT(*) FROM request_timers WHERE request_id = ?", {merged->request.id}),
            0);
  auto timeline = service_->Timeline(operator_, merged->request.id);
  ASSERT_TRUE(timeline);
  ASSERT_EQ(timeline->size(), 2u);
  EXPECT_EQ((*timeline)[0].action, "request.received");
  EXPECT_EQ((*timeline)[1].action, "request.merged");
  auto p = service_->Get(operator_, parent.id);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->merged.size(), 1u);
  EXPECT_EQ(p->merged[0].id, merged->request.id);

  // The caller hears the parent's reply; a closed request takes no more calls.
  Must(handler_a_, parent, Command::kReply, [](auto& in) { in.text = "已清理占道摊点"; });
  auto child = service_->Get(operator_, merged->request.id);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->request.reply, "已清理占道摊点");
  auto rated = service_->Get(operator_, parent.id);
  ASSERT_TRUE(rated);
  // The console is told which duplicates still take calls.
  auto mergeable = [&] {
    Intake in = Stalls();
    auto preview = service_->Preview(operator_, in);
    EXPECT_TRUE(preview);
    auto found = service_->Duplicates(operator_, in, preview->place);
    EXPECT_TRUE(found);
    for (const auto& d : *found)
      if (d.request.id == parent.id) return d.mergeable;
    ADD_FAILURE() << "the parent is not listed as a likely duplicate";
    return false;
  };
  EXPECT_TRUE(mergeable());
  Must(operator_, rated->request, Command::kClose, [](auto& in) { in.reason = "已回访"; });
  EXPECT_FALSE(mergeable());
  EXPECT_EQ(refused(operator_, [](Intake&) {}), ErrorCode::kConflict);
}

// 处置后照片: the handler's own uploads go with the reply, are readable by
// whoever reads the request, and nobody else's upload can be attached.
TEST_P(RequestServiceTest, RepliesCarryTheHandlersPhotos) {
  using namespace std::string_literals;
  const std::string png = "\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR"s + std::string(64, 'x');
  files::FileService files(db(), clock_, ids_);
  auto mine = files.Upload(handler_a_, "image/png", png);
  auto theirs = files.Upload(handler_b_, "image/png", png);
  ASSERT_TRUE(mine && theirs);
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  // Photos belong to a reply, not to a progress note.
  auto on_handle = Do(handler_a_, r, Command::kHandle, [&](auto& in) {
    in.text = "已到现场";
    in.attachment_ids = {mine->id};
  });
  ASSERT_FALSE(on_handle);
  EXPECT_EQ(on_handle.error().field, "attachment_ids");
  // Another account's upload is refused and nothing is replied.
  auto stolen = Do(handler_a_, r, Command::kReply, [&](auto& in) {
    in.text = "已清理";
    in.attachment_ids = {theirs->id};
  });
  ASSERT_FALSE(stolen);
  ASSERT_EQ(service_->Get(handler_a_, r.id)->request.status, Status::kSigned);

  r = Must(handler_a_, r, Command::kReply, [&](auto& in) {
    in.text = "摊点已清理，见照片";
    in.attachment_ids = {mine->id};
  });
  EXPECT_EQ(r.reply_attachment_ids, std::vector<std::string>{mine->id});
  auto stored = service_->Get(operator_, r.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->request.reply_attachment_ids, std::vector<std::string>{mine->id});
  auto photo = service_->Attachment(operator_, r.id, mine->id);
  ASSERT_TRUE(photo) << photo.error().message;
  EXPECT_EQ(photo->bytes, png);
  EXPECT_FALSE(service_->Attachment(operator_, r.id, theirs->id));
  auto timeline = service_->Timeline(operator_, r.id);
  ASSERT_TRUE(timeline);
  EXPECT_EQ(json::Json::parse(timeline->back().payload).value("attachment_ids", json::Json()),
            json::Json(std::vector<std::string>{mine->id}));
}

TEST_P(RequestServiceTest, DissatisfiedResidentsGetItReopened) {
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  r = Must(handler_a_, r, Command::kReply, [](auto& in) { in.text = "已处理"; });
  r = Must(operator_, r, Command::kCallback, [](auto& in) {
    in.resolved = false;
    in.satisfaction = Satisfaction::kDissatisfied;
    in.text = "晚上还在摆";
  });
  EXPECT_EQ(r.status, Status::kCallback);
  EXPECT_EQ(StatsOf(street_a_.id).dissatisfied, 1);
  r = Must(operator_, r, Command::kReopen, [](auto& in) { in.reason = "居民反映问题仍在"; });
  EXPECT_EQ(r.status, Status::kDispatched);
  EXPECT_EQ(r.reopen_count, 1);
  EXPECT_EQ(r.unit_id, street_a_.id);
  const auto stats = StatsOf(street_a_.id);
  EXPECT_EQ(stats.dispatched, 1);
  EXPECT_EQ(stats.rated, 0);
}

TEST_P(RequestServiceTest, TimersWarnThenFlagOverdueExactlyOnce) {
  Request r = Submitted();
  EXPECT_EQ(*service_->FireDueTimers(), 0);
  clock_.Set(kMonday10 + 90 * kMicrosPerMinute);  // 11:30: 75 % of the 2 h to sign
  EXPECT_EQ(*service_->FireDueTimers(), 1);
  auto d = service_->Get(operator_, r.id);
  EXPECT_TRUE(d->request.warned);
  EXPECT_FALSE(d->request.sign_late);
  clock_.Set(kMonday10 + 2 * kMicrosPerHour);  // 12:00
  EXPECT_EQ(*service_->FireDueTimers(), 1);
  EXPECT_EQ(*service_->FireDueTimers(), 0);
  d = service_->Get(operator_, r.id);
  EXPECT_TRUE(d->request.sign_late);
  r = Must(handler_a_, d->request, Command::kSign);
  EXPECT_TRUE(r.sign_late);
  EXPECT_EQ(StatsOf(street_a_.id).responded_on_time, 0);
  auto overdue = service_->List(supervisor_, With([&](ListFilter& f) { f.late_only = true; }));
  ASSERT_TRUE(overdue);
  EXPECT_EQ(overdue->total, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'request.sign_overdue'"), 1);
}

TEST_P(RequestServiceTest, TwoNodesFireEachTimerOnce) {
  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) Submitted();
  auto other_db = t_->OpenAnother();
  identity::IdentityService other_identity(*other_db, clock_, ids_);
  matters::MatterService other_matters(*other_db, clock_, ids_);
  RequestService other(*other_db, clock_, ids_, *calendar_, other_identity, other_matters);
  clock_.Set(kMonday10 + 30 * kMicrosPerDay);  // every sign and finish timer is due
  std::atomic<int> fired{0};
  auto run = [&](RequestService& s) {
    for (int round = 0; round < 20; ++round) {
      auto n = s.FireDueTimers(3);
      ASSERT_TRUE(n) << n.error().message;
      fired += *n;
    }
  };
  std::thread a([&] { run(*service_); });
  std::thread b([&] { run(other); });
  a.join();
  b.join();
  // Each request: a warning and an overdue flag for signing and for finishing.
  EXPECT_EQ(fired.load(), 4 * kRequests);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'request.overdue'"), kRequests);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM request_timers WHERE fired_at = 0"), 0);
}

TEST_P(RequestServiceTest, LateReportsCountAgainstTheDepartment) {
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  r = Must(handler_a_, r, Command::kSummon, [&](auto& in) {
    in.reason = "联合执法";
    in.department_ids = {police_.id};
  });
  EXPECT_EQ(Do(handler_a_, r, Command::kSummon,
               [&](auto& in) {
                 in.reason = "again";
                 in.department_ids = {police_.id};
               })
                .error()
                .code,
            ErrorCode::kConflict);
  EXPECT_EQ(Do(handler_a_, r, Command::kSummon,
               [&](auto& in) {
                 in.reason = "x";
                 in.department_ids = {street_b_.id};
               })
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  clock_.Advance(3 * kMicrosPerDay);
  EXPECT_GE(*service_->FireDueTimers(), 1);
  EXPECT_EQ(StatsOf(police_.id).summons_late, 1);
  r = Must(police_handler_, r, Command::kReport, [](auto& in) { in.text = "迟到的报到"; });
  const auto stats = StatsOf(police_.id);
  EXPECT_EQ(stats.summons_late, 1);
  EXPECT_EQ(stats.summons_reported_on_time, 0);
}

// Intakes share commits; the day's numbers stay consecutive without gaps or
// repeats even when some intakes in a batch fail after taking a number.
TEST_P(RequestServiceTest, NumbersStayConsecutiveWhenIntakesInABatchFail) {
  constexpr int kThreads = 8, kEach = 15;
  std::mutex mutex;
  std::vector<std::string> numbers;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Intake in = Stalls();
        in.dispatch = true;
        // An unknown photo fails the intake inside its transaction, after
        // its number was taken.
        const bool should_fail = (i + t) % 5 == 0;
        if (should_fail) in.attachment_ids = {"no-such-photo"};
        auto r = service_->Submit(operator_, in);
        EXPECT_EQ(static_cast<bool>(r), !should_fail);
        if (r) {
          std::lock_guard lock(mutex);
          numbers.push_back(r->request.number);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::sort(numbers.begin(), numbers.end());
  ASSERT_FALSE(numbers.empty());
  for (std::size_t i = 0; i < numbers.size(); ++i)
    EXPECT_EQ(numbers[i], fmt::format("20261123{:05}", i + 1));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests"), static_cast<std::int64_t>(numbers.size()));
}

TEST_P(RequestServiceTest, RetriesAreIdempotent) {
  Intake in = Stalls();
  in.dispatch = true;
  in.idempotency_key = "call-7781";
  auto first = service_->Submit(operator_, in);
  auto second = service_->Submit(operator_, in);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(first->request.id, second->request.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests"), 1);
  auto sign = [&](std::string key) {
    return Do(handler_a_, first->request, Command::kSign,
              [&](auto& c) { c.idempotency_key = key; });
  };
  ASSERT_TRUE(sign("k1"));
  ASSERT_TRUE(sign("k1"));
  ASSERT_TRUE(sign("k2"));  // a second click without the same key: signing twice is harmless
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'request.signed'"), 1);
  auto handle = [&] {
    return Do(handler_a_, first->request, Command::kHandle, [&](auto& c) {
      c.text = "进展";
      c.idempotency_key = "h1";
    });
  };
  ASSERT_TRUE(handle());
  ASSERT_TRUE(handle());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'request.progress'"), 1);
}

TEST_P(RequestServiceTest, BadInputIsRefusedAndStoresNothing) {
  auto expect_bad = [&](std::function<void(Intake&)> change, std::string_view field) {
    Intake in = Stalls();
    change(in);
    auto r = service_->Submit(operator_, in);
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << field;
    EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
  };
  expect_bad([](Intake& in) { in.text = "  \n"; }, "text");
  expect_bad([](Intake& in) { in.text = std::string(5001 * 3, 'a'); }, "text");
  expect_bad([](Intake& in) { in.title = std::string(101, 'a'); }, "title");
  expect_bad([](Intake& in) { in.place.lat = 200; }, "place.lat");
  expect_bad([](Intake& in) { in.place.lat.reset(); }, "place.lat");
  expect_bad(
      [](Intake& in) {
        in.place.lat = 39.9;
        in.place.lon = 116.4;
      },
      "outside");
  expect_bad([](Intake& in) { in.matter_id = "no-such-matter"; }, "matter_id");
  expect_bad([](Intake& in) { in.contact_phone = "12345"; }, "contact.phone");
  expect_bad([](Intake& in) { in.contact_phone.clear(); }, "contact.phone");
  expect_bad([](Intake& in) { in.place_unit_id = "nope"; }, "unit");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'request.%'"), 0);
  // Command arguments are checked too.
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  EXPECT_EQ(Do(handler_a_, r, Command::kReply).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Do(operator_, r, Command::kTransfer,
               [&](auto& in) {
                 in.unit_id = env_.id + "x";
                 in.reason = "x";
               })
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_->Apply(operator_, "missing", {}).error().code, ErrorCode::kNotFound);
}

TEST_P(RequestServiceTest, ResidentsTrackByNumberAndPhone) {
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  auto t = service_->Track(r.number, "1234");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->request.status, Status::kSigned);
  ASSERT_EQ(t->timeline.size(), 3u);
  EXPECT_TRUE(t->timeline[0].actor.empty());
  EXPECT_EQ(service_->Track(r.number, "9999").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Track(r.number, "12a4").error().code, ErrorCode::kInvalidArgument);
}

TEST_P(RequestServiceTest, TrackingGuessesAreLimitedPerClientNotOnlyPerNumber) {
  Request r = Submitted();  // the caller's phone ends in 1234
  // A stranger spends the number's budget from their address…
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(service_->Track(r.number, fmt::format("000{}", i), "203.0.113.7").error().code,
              ErrorCode::kNotFound);
  EXPECT_EQ(service_->Track(r.number, "1234", "203.0.113.7").error().code,
            ErrorCode::kTooManyRequests);
  // …and the resident, from their own, follows the request all the same.
  EXPECT_TRUE(service_->Track(r.number, "1234", "198.51.100.20"));
  // One guess per (sequential) number from one address is limited too.
  const std::string day = r.number.substr(0, 8);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(
        service_->Track(fmt::format("{}{:05}", day, 500 + i), "0000", "203.0.113.8").error().code,
        ErrorCode::kNotFound)
        << i;
  auto next = service_->Track(r.number, "1234", "203.0.113.8");
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code, ErrorCode::kTooManyRequests);
  EXPECT_NE(next.error().message.find("your address"), std::string::npos);
  EXPECT_TRUE(service_->Track(r.number, "1234", "198.51.100.21"));
}

TEST_P(RequestServiceTest, TwoNodesShareTheTrackLockout) {
  Request r = Submitted();
  auto other_db = t_->OpenAnother();
  identity::IdentityService other_identity(*other_db, clock_, ids_);
  matters::MatterService other_matters(*other_db, clock_, ids_);
  RequestService other(*other_db, clock_, ids_, *calendar_, other_identity, other_matters);
  // nullopt: the request was shown.
  auto code = [&](RequestService& s, std::string_view number,
                  std::string_view last4) -> std::optional<ErrorCode> {
    auto t = s.Track(number, last4);
    if (t) return std::nullopt;
    return t.error().code;
  };
  // Five wrong guesses, spread over both nodes, spend the number's budget on both.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(code(*service_, r.number, fmt::format("000{}", i)), ErrorCode::kNotFound);
  for (int i = 3; i < 5; ++i)
    EXPECT_EQ(code(other, r.number, fmt::format("000{}", i)), ErrorCode::kNotFound);
  auto locked = other.Track(r.number, "1234");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(locked.error().message,
            "too many wrong tries for this number; try again in 15 minutes");
  EXPECT_EQ(code(*service_, r.number, "1234"), ErrorCode::kTooManyRequests);
  // The window runs from the first wrong guess, on every node.
  clock_.Advance(14 * kMicrosPerMinute);
  EXPECT_EQ(code(*service_, r.number, "1234"), ErrorCode::kTooManyRequests);
  EXPECT_EQ(code(other, r.number, "1234"), ErrorCode::kTooManyRequests);
  clock_.Advance(kMicrosPerMinute);
  EXPECT_EQ(code(other, r.number, "1234"), std::nullopt);
  EXPECT_EQ(code(*service_, r.number, "1234"), std::nullopt);

  // Numbers nobody was given are throttled alike, and their wrong guesses
  // delete the counts whose window has passed (r's), so probing cannot fill
  // the table.
  const std::string unknown = "20261123099999";
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(code(i % 2 ? other : *service_, unknown, "0000"), ErrorCode::kNotFound);
  EXPECT_EQ(code(*service_, unknown, "0000"), ErrorCode::kTooManyRequests);
  // Left: the four budgets this probe spent (the number from this client,
  // the client, the number, everything).
  EXPECT_EQ(Count("SELECT COUNT(*) FROM track_throttle"), 4);
  EXPECT_EQ(Count("SELECT failures FROM track_throttle WHERE number = ?", {"n:" + unknown + "|"}),
            5);
  EXPECT_EQ(Count("SELECT failures FROM track_throttle WHERE number = ?", {"n:" + unknown}), 5);
}

// The search index answers exactly what a substring scan of title, text and
// address would, on both backends, for queries of 1 to 6 characters cut
// from the stored texts (and some that match nothing).
TEST_P(RequestServiceTest, SearchFindsExactlyWhatASubstringScanFinds) {
  const char* texts[] = {
      "南门每天晚上有小贩占道摆摊，堵塞消防通道。",
      "楼下烧烤店油烟直排，熏得没法开窗ABC",
      "湖畔社区3幢电梯困人，请尽快处理",
      "路灯不亮已经三天了，晚上很黑",
      "道路积水严重，车辆无法通行；abc小区门口",
      "消防通道被私家车占用",
  };
  std::vector<Request> stored;
  for (const char* t : texts) {
    Intake in = Stalls();
    in.title = std::string("诉求：") + std::string(t).substr(0, 9);
    in.text = t;
    auto r = service_->Submit(operator_, in);
    ASSERT_TRUE(r) << r.error().message;
    stored.push_back(r->request);
  }
  auto contains = [](const Request& r, const std::string& q) {
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    const std::string needle = lower(q);
    return lower(r.title).find(needle) != std::string::npos ||
           lower(r.text).find(needle) != std::string::npos ||
           lower(r.place.address).find(needle) != std::string::npos || r.number == q;
  };
  std::vector<std::string> queries = {
      "消防通道", "消防",     "通道",   "油烟直排", "abc",       "ABC烧",          "电梯困人", "困",
      "没有这句", "灯不亮已", "，堵塞", "门口",     "路灯 不亮", stored[2].number, "3幢"};
  for (const auto& q : queries) {
    auto page = service_->List(operator_, With([&](ListFilter& f) { f.search = q; }));
    ASSERT_TRUE(page) << q << ": " << page.error().message;
    std::set<std::string> got, want;
    for (const auto& r : page->items) got.insert(r.id);
    for (const auto& r : stored)
      if (contains(r, q)) want.insert(r.id);
    EXPECT_EQ(got, want) << "query '" << q << "'";
    EXPECT_EQ(page->total, static_cast<std::int64_t>(want.size())) << q;
  }
}

// A search pages newest first with the cursor, through the same rows as
// the whole list, and its total is counted only up to a limit.
TEST_P(RequestServiceTest, SearchPagesNewestFirstAndCountsUpToALimit) {
  std::vector<std::string> matching;
  for (int i = 0; i < 7; ++i) {
    Intake in = Stalls();
    in.text = i % 3 == 2 ? "楼道灯坏了" : fmt::format("第{}处井盖缺失，很危险", i);
    auto r = service_->Submit(operator_, in);
    ASSERT_TRUE(r) << r.error().message;
    if (i % 3 != 2) matching.push_back(r->request.id);
  }
  std::reverse(matching.begin(), matching.end());  // newest first
  std::vector<std::string> paged;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = service_->List(operator_, With([&](ListFilter& f) {
                                 f.search = "井盖缺失";
                                 f.limit = 2;
                                 f.cursor = cursor;
                               }));
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->total, static_cast<std::int64_t>(matching.size()));
    EXPECT_FALSE(page->total_capped);
    for (const auto& r : page->items) paged.push_back(r.id);
    if (!page->next_cursor) break;
    cursor = *page->next_cursor;
  }
  EXPECT_EQ(paged, matching);
  auto counted = [&](std::int64_t limit) {
    return db().Read([&](storage::Executor& ex) {
      store::ListQuery q;
      q.scope.everything = true;
      q.search = "井盖";
      q.count_limit = limit;
      return store::Count(ex, q);
    });
  };
  EXPECT_EQ(counted(3).value_or(-1), 4);  // "more than 3"
  EXPECT_EQ(counted(5).value_or(-1), 5);
  EXPECT_EQ(counted(0).value_or(-1), 5);
}

// Requests stored before the index existed are indexed at start.
TEST_P(RequestServiceTest, RequestsStoredBeforeTheIndexAreIndexedAtStart) {
  Request r = Submitted();
  auto search = [&] {
    auto page = service_->List(operator_, With([&](ListFilter& f) { f.search = "小贩占道"; }));
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->total : -1;
  };
  EXPECT_EQ(search(), 1);
  // As if the row had been written before migration 4.
  auto unindex = db().Write([&](storage::Executor& ex) -> Result<void> {
    if (ex.dialect() == storage::Dialect::kPostgres) {
      XT_TRY_VOID(ex.Exec("UPDATE requests SET search = NULL WHERE id = ?", {r.id}));
      return {};
    }
    // A contentless FTS5 table is emptied with its 'delete-all' command.
    return ex.ExecScript("INSERT INTO request_search (request_search) VALUES ('delete-all')");
  });
  ASSERT_TRUE(unindex) << unindex.error().message;
  EXPECT_EQ(search(), 0);
  EXPECT_EQ(service_->IndexUnsearchable().value_or(-1), 1);
  EXPECT_EQ(search(), 1);
  EXPECT_EQ(service_->IndexUnsearchable().value_or(-1), 0);
}

TEST_P(RequestServiceTest, InboxFiltersAndSearch) {
  Submitted();
  Intake in = Stalls();
  in.text = "烧烤店油烟直排到居民窗户";
  in.matter_id = fumes_;
  in.dispatch = true;
  ASSERT_TRUE(service_->Submit(operator_, in));
  auto found = service_->List(operator_, With([&](ListFilter& f) { f.search = "油烟直排"; }));
  ASSERT_TRUE(found);
  ASSERT_EQ(found->total, 1);
  EXPECT_EQ(found->items[0].unit_id, env_.id);
  auto by_status =
      service_->List(operator_, With([&](ListFilter& f) { f.statuses = {Status::kDispatched}; }));
  ASSERT_TRUE(by_status);
  EXPECT_EQ(by_status->total, 2);
  auto by_matter = service_->List(operator_, With([&](ListFilter& f) { f.matter_id = stalls_; }));
  EXPECT_EQ(by_matter->total, 1);
  auto page = service_->List(operator_, With([&](ListFilter& f) { f.limit = 1; }));
  ASSERT_TRUE(page && page->next_cursor);
  auto next = service_->List(operator_, With([&](ListFilter& f) {
                               f.cursor = *page->next_cursor;
                               f.limit = 1;
                             }));
  ASSERT_TRUE(next);
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_NE(next->items[0].id, page->items[0].id);
  auto literal = service_->List(operator_, With([&](ListFilter& f) { f.search = "100%"; }));
  EXPECT_EQ(literal->total, 0);
}

TEST_P(RequestServiceTest, ReviewFindingsStayFixed) {
  // A department named twice in one summons is refused, not counted twice.
  Request r = Must(handler_a_, Submitted(), Command::kSign);
  auto twice = Do(handler_a_, r, Command::kSummon, [&](auto& in) {
    in.reason = "联合执法";
    in.department_ids = {police_.id, police_.id};
  });
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(StatsOf(police_.id).summoned, 0);
  // A request others were merged into cannot itself be merged away.
  Request child = Submitted(false);
  Must(operator_, child, Command::kMerge, [&](auto& in) { in.parent_id = r.id; });
  Request other = Submitted(false);
  auto chain = Do(operator_, r, Command::kMerge, [&](auto& in) { in.parent_id = other.id; });
  ASSERT_FALSE(chain);
  EXPECT_EQ(chain.error().code, ErrorCode::kConflict);
  // The resident who filed a request sees its timeline without staff notes or accounts.
  Intake mine = Stalls();
  mine.text = "楼下ABC烧烤店油烟很大";
  auto own = service_->Submit(resident_, mine);
  ASSERT_TRUE(own) << own.error().message;
  Request o =
      Must(operator_, own->request, Command::kDispatch, [&](auto& in) { in.matter_id = stalls_; });
  Must(handler_a_, o, Command::kSign);
  Must(handler_a_, o, Command::kHandle, [](auto& in) { in.text = "内部备注：联系了张三"; });
  auto timeline = service_->Timeline(resident_, o.id);
  ASSERT_TRUE(timeline) << timeline.error().message;
  for (const auto& e : *timeline) {
    EXPECT_TRUE(e.actor.empty());
    EXPECT_EQ(e.payload.find("内部备注"), std::string::npos);
  }
  auto staff = service_->Timeline(handler_a_, o.id);
  ASSERT_TRUE(staff);
  EXPECT_NE(staff->back().payload.find("内部备注"), std::string::npos);
  // Search ignores ASCII case on both backends.
  auto found = service_->List(operator_, With([&](ListFilter& f) { f.search = "abc烧烤"; }));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->total, 1);
  // Guessing the phone digits is limited per number.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(service_->Track(r.number, "000" + std::to_string(i)).error().code,
              ErrorCode::kNotFound);
  auto locked = service_->Track(r.number, "1234");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kTooManyRequests);
  clock_.Advance(16 * kMicrosPerMinute);
  EXPECT_TRUE(service_->Track(r.number, "1234"));
}

// --- decision support's counts (insight) -------------------------------------

// Stores rows as given (as the importer would), for the counts below.
struct Row {
  Channel channel = Channel::kPhone;
  Timestamp received_at = 0;
  const OrgUnit* unit = nullptr;  // handling unit; null: not dispatched
  Status status = Status::kReceived;
  std::string parent_id = {};
  Timestamp dispatched_at = 0, replied_at = 0, finish_due = 0;
  bool finish_late = false;
};

class RequestCountsTest : public RequestServiceTest {
 protected:
  void Store(std::initializer_list<Row> rows) {
    auto stored = db().Write([&](storage::Executor& ex) -> Result<void> {
      for (const Row& row : rows) {
        Request r;
        r.id = fmt::format("r{:03}", ++stored_);
        r.number = fmt::format("20261101{:05}", stored_);
        r.channel = row.channel;
        r.title = "占道";
        r.text = "摆摊";
        r.matter_id = stalls_;
        r.place.district_id = district_.id;
        r.place.street_id = street_a_.id;
        r.centre_id = centre_.id;
        r.centre_path = centre_.path;
        r.status = row.status;
        if (row.unit) {
          r.unit_id = row.unit->id;
          r.unit_path = row.unit->path;
          r.unit_name = row.unit->name;
        }
        r.received_at = row.received_at;
        r.dispatched_at = row.dispatched_at;
        r.replied_at = row.replied_at;
        r.finish_due = row.finish_due;
        r.finish_late = row.finish_late;
        r.parent_id = row.parent_id;
        r.version = 1;
        r.updated_at = row.received_at;
        XT_TRY_VOID(store::Insert(ex, r, ""));
      }
      return {};
    });
    ASSERT_TRUE(stored) << stored.error().message;
  }
  // Days since 1970-01-01 of a date, and the instant of its midnight at +08:00.
  static std::int32_t DayNumber(int y, unsigned m, unsigned d) {
    return std::chrono::sys_days(std::chrono::year{y} / m / d).time_since_epoch().count();
  }
  static Timestamp Midnight(int y, unsigned m, unsigned d) {
    return DayNumber(y, m, d) * kMicrosPerDay - kShanghaiOffset;
  }
  int stored_ = 0;
};

// A day and a half-hour end at midnight and at :00/:30 in Shanghai, not in
// UTC; merged requests are counted (flagged) and the end of a range is open.
TEST_P(RequestCountsTest, DailyAndHalfHourCountsCutAtShanghaiMidnight) {
  const Timestamp midnight = Midnight(2026, 11, 23);
  const std::int32_t day = DayNumber(2026, 11, 23);
  Store({{.received_at = midnight - 1},
         {.received_at = midnight},
         {.received_at = midnight + kMicrosPerMinute,
          .unit = &street_a_,
          .status = Status::kDispatched},
         {.channel = Channel::kWeb, .received_at = midnight + 10 * kMicrosPerHour},
         {.received_at = midnight + 30 * kMicrosPerMinute,
          .status = Status::kMerged,
          .parent_id = "r002"},
         {.received_at = midnight + kMicrosPerDay}});
  auto days = service_->DailyCounts(midnight - kMicrosPerHour, midnight + kMicrosPerDay);
  ASSERT_TRUE(days) << days.error().message;
  ASSERT_EQ(days->size(), 5u);
  auto n_of = [&](std::int32_t d, Channel c, bool merged, const std::string& unit) {
    std::int64_t n = 0;
    for (const auto& x : *days)
      if (x.day == d && x.channel == c && x.merged == merged && x.unit_id == unit) n += x.n;
    return n;
  };
  EXPECT_EQ(n_of(day - 1, Channel::kPhone, false, ""), 1);  // 23:59:59.999999 the day before
  EXPECT_EQ(n_of(day, Channel::kPhone, false, ""), 1);
  EXPECT_EQ(n_of(day, Channel::kPhone, false, street_a_.id), 1);
  EXPECT_EQ(n_of(day, Channel::kPhone, true, ""), 1);
  EXPECT_EQ(n_of(day, Channel::kWeb, false, ""), 1);
  EXPECT_EQ(days->front().day, day - 1);
  EXPECT_EQ(days->front().matter_id, stalls_);
  EXPECT_EQ(days->front().district_id, district_.id);
  EXPECT_EQ(days->front().street_id, street_a_.id);
  // 00:00 and 00:01 share the first slot of the day; 00:30 starts the next.
  const std::int64_t slot = static_cast<std::int64_t>(day) * 48;
  auto slots = service_->HalfHourCounts(midnight - kMicrosPerHour, midnight + kMicrosPerDay,
                                        Channel::kPhone);
  ASSERT_TRUE(slots) << slots.error().message;
  ASSERT_EQ(slots->size(), 3u);
  EXPECT_EQ((*slots)[0].slot, slot - 1);
  EXPECT_EQ((*slots)[0].n, 1);
  EXPECT_EQ((*slots)[1].slot, slot);
  EXPECT_EQ((*slots)[1].n, 2);
  EXPECT_EQ((*slots)[2].slot, slot + 1);
  EXPECT_EQ((*slots)[2].n, 1);
  auto web = service_->HalfHourCounts(midnight, midnight + kMicrosPerDay, Channel::kWeb);
  ASSERT_TRUE(web);
  ASSERT_EQ(web->size(), 1u);
  EXPECT_EQ(web->front().slot, slot + 20);
  auto none = service_->DailyCounts(midnight + kMicrosPerDay + 1, midnight + 2 * kMicrosPerDay);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// Open work and lateness are what is in a unit's hands; throughput counts
// replies per Monday-to-Sunday week at +08:00, merged requests left out.
TEST_P(RequestCountsTest, OpenWorkRepliesPerWeekAndOpenLateByMonth) {
  const Timestamp nov1 = Midnight(2026, 11, 1);
  const Timestamp monday = Midnight(2026, 11, 23);
  Store({// street A: open and late, dispatched in November
         {.unit = &street_a_,
          .status = Status::kHandling,
          .dispatched_at = nov1,
          .finish_due = nov1 + kMicrosPerDay,
          .finish_late = true},
         // street A: open and late but dispatched the last instant of October
         {.unit = &street_a_,
          .status = Status::kSigned,
          .dispatched_at = nov1 - 1,
          .finish_due = nov1,
          .finish_late = true},
         // street A: replied late on Monday 00:00 (not open)
         {.unit = &street_a_,
          .status = Status::kReplied,
          .dispatched_at = nov1,
          .replied_at = monday,
          .finish_due = nov1,
          .finish_late = true},
         // street A: replied on Sunday 23:59:59.999999, and one merged into it
         {.unit = &street_a_,
          .status = Status::kClosed,
          .dispatched_at = nov1,
          .replied_at = monday - 1,
          .finish_due = monday},
         {.unit = &street_a_,
          .status = Status::kMerged,
          .parent_id = "r004",
          .dispatched_at = nov1,
          .replied_at = monday - 1},
         // street B: open, not late
         {.unit = &street_b_,
          .status = Status::kDispatched,
          .dispatched_at = nov1,
          .finish_due = monday + kMicrosPerDay},
         // not dispatched
         {.status = Status::kReceived}});
  auto all = service_->OpenWork("");
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].finish_due, nov1);  // earliest due first
  EXPECT_TRUE((*all)[0].late);
  EXPECT_EQ((*all)[2].unit_id, street_b_.id);
  EXPECT_FALSE((*all)[2].late);
  EXPECT_EQ((*all)[2].matter_id, stalls_);
  EXPECT_EQ((*all)[2].dispatched_at, nov1);
  auto a = service_->OpenWork(street_a_.path);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->size(), 2u);

  const std::int32_t week = (DayNumber(2026, 11, 23) - 4) / 7;
  auto weeks = service_->RepliedByUnitWeek(nov1, monday + kMicrosPerDay);
  ASSERT_TRUE(weeks) << weeks.error().message;
  ASSERT_EQ(weeks->size(), 2u);
  EXPECT_EQ((*weeks)[0].unit_id, street_a_.id);
  EXPECT_EQ((*weeks)[0].week, week - 1);
  EXPECT_EQ((*weeks)[0].n, 1);
  EXPECT_EQ((*weeks)[1].week, week);
  EXPECT_EQ((*weeks)[1].n, 1);

  auto late = service_->OpenLateByUnit("2026-11");
  ASSERT_TRUE(late) << late.error().message;
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ(late->front().unit_id, street_a_.id);
  EXPECT_EQ(late->front().n, 1);
  auto october = service_->OpenLateByUnit("2026-10");
  ASSERT_TRUE(october);
  ASSERT_EQ(october->size(), 1u);
  EXPECT_EQ(october->front().n, 1);
  for (const char* bad : {"2026-13", "2026-1", "", "202611"}) {
    auto r = service_->OpenLateByUnit(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

// MonthSpan is the inverse of MonthKey at both ends of the month.
TEST(MonthSpanTest, BoundsAreShanghaiMidnights) {
  auto span = MonthSpan("2026-12");
  ASSERT_TRUE(span) << span.error().message;
  EXPECT_EQ(FormatRfc3339(span->first), "2026-12-01T00:00:00+08:00");
  EXPECT_EQ(FormatRfc3339(span->second), "2027-01-01T00:00:00+08:00");
  EXPECT_EQ(MonthKey(span->first), "2026-12");
  EXPECT_EQ(MonthKey(span->first - 1), "2026-11");
  EXPECT_EQ(MonthKey(span->second - 1), "2026-12");
  EXPECT_FALSE(MonthSpan("2026-00"));
  EXPECT_FALSE(MonthSpan("26-12"));
}

INSTANTIATE_TEST_SUITE_P(Backends, RequestCountsTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

INSTANTIATE_TEST_SUITE_P(Backends, RequestServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::requests
