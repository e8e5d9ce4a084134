#include "app/demo_emergency.h"

#include <fmt/core.h>

#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "app/demo_people.h"
#include "audit/consumer.h"
#include "collab/collab_service.h"
#include "emergency/crowd_service.h"
#include "emergency/incident_service.h"
#include "emergency/warning_service.h"
#include "requests/request_service.h"

namespace xietong::app {
namespace {

using identity::Principal;

constexpr Timestamp kHour = kMicrosPerHour;
constexpr Timestamp kDay = kMicrosPerDay;
constexpr Timestamp kMinute = kMicrosPerMinute;

// The rules an administrator of 江澜 would start with: the matters that turn
// into emergencies when many call about them at once, on any street.
struct RuleRow {
  std::string_view matter;
  int threshold, window_hours;
};
constexpr RuleRow kRules[] = {
    {"道路积水", 4, 1}, {"燃气泄漏", 3, 2},   {"供水管道爆裂", 3, 2},
    {"停水", 4, 2},     {"下水道堵塞", 5, 3},
};

// One hotline call of a burst: the community it comes from, its words, and
// the minutes after the burst began.
struct Call {
  std::string_view community, title, text;
  int minute;
};

constexpr Call kFloodCalls[] = {
    {"湖畔社区", "湖畔路积水严重", "湖畔路和春江路路口积水已经没过脚踝，还在上涨，好几辆车熄火了。",
     0},
    {"湖畔社区", "小区门口内涝", "小区北门积水很深，雨水往地下车库倒灌，赶紧派抽水泵。", 9},
    {"望湖社区", "路面积水无法通行", "望湖路菜场前一大片积水，买菜的人过不去。", 17},
    {"湖畔社区", "地下车库进水", "5 幢地下车库进水，排水不畅，电瓶车都泡在水里。", 26},
    {"湖畔社区", "积水倒灌一楼", "5 幢一楼住户家里进水了，积水大概 20 公分，需要沙袋。", 38},
    {"西堤社区", "雨水井冒水", "西堤路公交站旁边雨水井往外冒水，路面积水越来越深。", 47},
};

constexpr Call kGasCalls[] = {
    {"柳岸社区", "楼道有燃气味", "3 幢 2 单元门口燃气味很重，请燃气公司派人来查。", 0},
    {"柳岸社区", "闻到煤气味", "3 幢 2 单元 4 楼邻居家门口有煤气味，敲门没人应。", 14},
    {"柳岸社区", "燃气味", "3 幢楼下也闻到燃气味了，担心出事。", 31},
};

constexpr Call kWaterCalls[] = {
    {"西堤社区", "小区停水", "小区从早上九点开始停水，没有接到任何通知。", 0},
    {"西堤社区", "家里没水了", "西堤路 18 号整栋楼没水，家里有卧床老人。", 22},
    {"西堤社区", "停水什么时候恢复", "停水两个小时了，请问什么时候来水？", 41},
    {"西堤社区", "突然停水", "7 幢停水，水龙头一点水压都没有。", 63},
};

// Crowd reports during the storm; `verdict` is what the verifier decides
// ("verified", "duplicate" of the first, "false"), "" = left unverified.
struct CrowdRow {
  std::string_view community, text, kind, need_type;
  int count, minute;
  std::string_view verdict, note;
};

constexpr CrowdRow kCrowd[] = {
    {"湖畔社区", "春江路 12 号地下室进水，3 位老人被困在一楼出不来，需要转移。", "need",
     "evacuation", 3, 20, "verified", "社区网格员电话核实，3 人"},
    {"湖畔社区", "湖畔社区 5 幢一楼进水，急需沙袋堵门，大概要 50 个。", "need", "supplies", 50, 35,
     "verified", "现场照片核实"},
    {"湖畔社区", "春江路12号地下室进水了，有三个老人被困，快来人！", "need", "evacuation", 3, 41,
     "duplicate", "与春江路 12 号的求助是同一处"},
    {"湖畔社区", "湖畔路积水大约 30 公分，小车无法通行，请绕行。", "situation", "", 0, 50,
     "verified", "交警现场确认"},
    {"西堤社区", "听说西堤那边水已经淹到二楼了，赶紧跑！", "situation", "", 0, 64, "false",
     "西堤社区现场核实：路面积水 10 公分，无房屋进水"},
    {"望湖社区", "望湖路菜场门口积水，摊位的货被泡了，需要帮忙搬运。", "need", "rescue", 4, 95, "",
     ""},
};
// Who sent each report signed in on the web (demo_participation's
// neighbours, whose verified reports earn points); "" for a passer-by who
// did not sign in, as anyone may.
constexpr std::string_view kReporters[std::size(kCrowd)] = {"resident", "hupan01", "hupan03",
                                                            "hupan02",  "",        ""};

// The first ring's vertex mean of a unit's GeoJSON (Polygon or MultiPolygon).
std::optional<emergency::GeoPoint> CentreOf(const identity::OrgUnit* unit) {
  if (!unit || !unit->geometry) return std::nullopt;
  const auto g = json::Json::parse(*unit->geometry, nullptr, false);
  if (!g.is_object() || !g.contains("coordinates")) return std::nullopt;
  json::Json ring = g["coordinates"];
  if (g.value("type", "") == "MultiPolygon" && ring.is_array() && !ring.empty()) ring = ring[0];
  if (!ring.is_array() || ring.empty() || !ring[0].is_array()) return std::nullopt;
  ring = ring[0];
  double lat = 0, lng = 0;
  int n = 0;
  for (const auto& v : ring) {
    if (!v.is_array() || v.size() < 2 || !v[0].is_number() || !v[1].is_number()) continue;
    lng += v[0].get<double>();
    lat += v[1].get<double>();
    ++n;
  }
  if (n == 0) return std::nullopt;
  return emergency::GeoPoint{.lat = lat / n, .lng = lng / n};
}

}  // namespace

Result<DemoEmergencyReport> CreateDemoEmergency(Platform& platform,
                                                const std::string& staff_password) {
  DemoEmergencyReport report;
  {
    XT_ASSIGN_OR_RETURN(auto rules, platform.warnings().Rules(Principal::System()));
    if (!rules.empty()) {
      report.existed = true;
      return report;
    }
  }
  XT_ASSIGN_OR_RETURN(auto catalog, platform.matters().Snapshot());
  XT_ASSIGN_OR_RETURN(auto dir, platform.requests().directory());

  const Timestamp real_now = platform.clock().Now();
  // Midnight in 江澜 (UTC+8) today.
  const Timestamp today = (real_now + 8 * kHour) / kDay * kDay - 8 * kHour;
  ManualClock clock(today - 40 * kDay + 9 * kHour);
  IdGenerator ids(clock);
  DemoPeople people(platform.identity(), staff_password);

  // The module's services on the demo's clock, over the platform's database.
  collab::CollabService collab(platform.db(), clock, ids, platform.calendar(), platform.identity());
  collab.SetRequestDirectory(&platform.collab_requests());
  requests::RequestService requests(platform.db(), clock, ids, platform.calendar(),
                                    platform.identity(), platform.matters());
  emergency::WarningService warnings(platform.db(), clock, ids, requests, &platform.calendar());
  emergency::IncidentService incidents(platform.db(), clock, ids, platform.identity(), collab);
  emergency::CrowdReportService crowd(platform.db(), clock, ids, collab);
  warnings.SetIncidents(&incidents);
  audit::Consumer reaction(platform.db(), clock, platform.node_id(),
                           emergency::WarningService::ConsumerOptions(),
                           [&warnings](storage::Executor& ex, const audit::Event& e) {
                             return warnings.OnEvent(ex, e);
                           });

  auto principal = [&](const char* who) { return people.As(who); };
  auto street = principal("street.lead");
  auto operator_ = principal("operator");
  if (!street || !operator_ || street->memberships.empty()) {
    report.skipped = "the demo's staff logins (street.lead, operator) are not there";
    return report;
  }
  const std::string street_id = street->memberships.front().unit_id;
  std::map<std::string, const identity::OrgUnit*> community;
  XT_ASSIGN_OR_RETURN(auto children, platform.identity().ListChildren(*street, street_id));
  for (const auto& c : children) community[c.name] = dir->Find(c.id);

  // 1. The rules, written forty days ago.
  std::map<std::string, std::string> rule_of;  // matter name → rule id
  for (const auto& row : kRules) {
    const matters::Matter* m = LeafNamed(*catalog, row.matter);
    if (!m) continue;
    XT_ASSIGN_OR_RETURN(auto r,
                        warnings.CreateRule(Principal::System(), {.category = m->id,
                                                                  .street_id = {},
                                                                  .threshold = row.threshold,
                                                                  .window_hours = row.window_hours,
                                                                  .enabled = true}));
    rule_of[std::string(row.matter)] = r.rule.id;
    ++report.rules;
  }

  // Each call of a burst is handled in the end: signed, replied with what
  // was done and called back satisfied (which closes it), so that last
  // month's storm leaves nothing overdue in anyone's inbox.
  std::vector<std::pair<std::string, std::string_view>> to_close;  // request id, reply
  auto close_calls = [&](Timestamp signed_at, Timestamp replied_at) -> Result<void> {
    using requests::Command;
    const Principal system = Principal::System();
    for (const auto& [id, reply] : to_close) {
      clock.Set(signed_at);
      requests::CommandInput sign;
      sign.command = Command::kSign;
      XT_TRY_VOID(requests.Apply(system, id, sign));
      clock.Set(replied_at);
      requests::CommandInput answer;
      answer.command = Command::kReply;
      answer.text = std::string(reply);
      XT_TRY_VOID(requests.Apply(system, id, answer));
      clock.Advance(20 * kMinute);
      requests::CommandInput callback;
      callback.command = Command::kCallback;
      callback.resolved = true;
      callback.satisfaction = requests::Satisfaction::kSatisfied;
      callback.text = "回访：来电人确认问题已解决。";
      XT_ASSIGN_OR_RETURN(auto done, requests.Apply(*operator_, id, callback));
      report.closed += done.status == requests::Status::kClosed;
    }
    to_close.clear();
    return {};
  };

  // A burst of calls through the real intake, then the warnings reaction
  // catches up; answers the open rule warning of that matter, if raised.
  auto burst = [&](std::span<const Call> calls, std::string_view matter, Timestamp start,
                   std::string_view tag,
                   std::string_view reply) -> Result<std::optional<emergency::warning::Warning>> {
    const matters::Matter* m = LeafNamed(*catalog, matter);
    if (!m) return std::optional<emergency::warning::Warning>{};
    int n = 0;
    for (const auto& c : calls) {
      const auto it = community.find(std::string(c.community));
      if (it == community.end() || !it->second) continue;
      clock.Set(start + c.minute * kMinute);
      requests::Intake in;
      in.channel = requests::Channel::kPhone;
      in.title = std::string(c.title);
      in.text = std::string(c.text);
      in.matter_id = m->id;
      in.place.address = std::string(c.community);
      in.place_unit_id = it->second->id;
      in.contact_name = "来电市民";
      in.contact_phone = fmt::format("1390571{:04}", 3100 + report.calls);
      in.external_id = fmt::format("demo-emergency:{}:{}", tag, ++n);
      in.dispatch = true;
      XT_ASSIGN_OR_RETURN(auto made, requests.Submit(*operator_, std::move(in)));
      to_close.emplace_back(made.request.id, reply);
      ++report.calls;
    }
    clock.Advance(2 * kMinute);
    XT_TRY_VOID(reaction.CatchUp());
    XT_ASSIGN_OR_RETURN(auto open,
                        warnings.List(Principal::System(), emergency::warning::Status::kOpen, 100));
    const auto rule = rule_of.find(std::string(matter));
    for (auto& w : open)
      if (rule != rule_of.end() && w.kind == emergency::warning::Kind::kRule &&
          w.key == rule->second)
        return std::optional{std::move(w)};
    return std::optional<emergency::warning::Warning>{};
  };

  // 1b. The standing reserves (储备) of the street and its district, kept
  //     between incidents.
  clock.Set(today - 40 * kDay);
  std::map<std::string, std::string> reserve_of;  // kind → reserve id
  {
    const identity::OrgUnit* street_unit = dir->Find(street_id);
    const std::string district_id =
        street_unit && street_unit->parent_id ? *street_unit->parent_id : street_id;
    const auto hub = CentreOf(street_unit);
    struct ReserveRow {
      std::string_view key, kind, name, label, place;
      std::int64_t quantity;
      bool district;
    };
    constexpr ReserveRow kReserves[] = {
        {"warehouse", "warehouse", "望湖街道防汛物资仓库（沙袋）", "袋", "望湖街道办事处后院", 2000,
         false},
        {"team", "team", "望湖街道应急救援队", "人", "望湖街道办事处", 12, false},
        {"vehicle", "vehicle", "区城管局移动抽排车", "台", "春江路停车场", 2, true},
        {"warehouse_district", "warehouse", "临江区应急物资储备库（饮用水、折叠床）", "箱",
         "临江区应急管理局仓库", 3000, true},
    };
    for (const auto& r : kReserves) {
      XT_ASSIGN_OR_RETURN(
          auto made, incidents.AddReserve(Principal::System(), r.district ? district_id : street_id,
                                          {.kind = std::string(r.kind),
                                           .name = std::string(r.name),
                                           .quantity = r.quantity,
                                           .unit_label = std::string(r.label),
                                           .place = std::string(r.place),
                                           .location = hub,
                                           .available = true,
                                           .contact_phone = "0571-8800-1234"}));
      reserve_of[std::string(r.key)] = made.id;
      ++report.reserves;
    }
  }

  // 2. Last month's storm: the burst of 道路积水 calls raises the warning,
  //    the street escalates it to a level IV incident.
  const Timestamp storm = today - 33 * kDay + 15 * kHour;
  XT_ASSIGN_OR_RETURN(auto flood, burst(kFloodCalls, "道路积水", storm, "flood",
                                        "已随应急处置完成抽排，积水已退，雨水管网列入汛前整治。"));
  if (flood) {
    ++report.warnings;
    clock.Set(storm + 70 * kMinute);
    XT_ASSIGN_OR_RETURN(auto inc,
                        warnings.Escalate(*street, flood->id,
                                          {.type = "waterlogging",
                                           .level = emergency::kLevelLeastSevere,
                                           .unit_id = street_id,
                                           .title = "望湖街道强降雨积水（湖畔社区、春江路）"}));
    ++report.incidents;
    XT_ASSIGN_OR_RETURN(const Principal handler, people.As("street.handler"));
    auto place_of = [&](std::string_view name) {
      emergency::ReportPlace place;
      place.address = std::string(name);
      const auto it = community.find(std::string(name));
      if (it != community.end())
        if (auto c = CentreOf(it->second)) {
          place.lat = c->lat;
          place.lng = c->lng;
        }
      return place;
    };

    // The street's standing reserves are lent to the incident as it opens
    // (given back at its close, the sandbags handed out used up); the
    // community hall is opened as a shelter for this incident only.
    clock.Set(storm + 80 * kMinute);
    const auto hub = CentreOf(dir->Find(street_id));
    std::map<std::string, std::string> resource;  // kind → id
    for (const auto& [kind, reserve_id] : reserve_of) {
      if (kind == "warehouse_district") continue;
      XT_ASSIGN_OR_RETURN(
          auto lent, incidents.Deploy(handler, inc.id, reserve_id, kind == "warehouse" ? 500 : 0));
      resource[kind] = lent.id;
    }
    XT_ASSIGN_OR_RETURN(auto hall, incidents.AddResource(handler, inc.id,
                                                         {.kind = "shelter",
                                                          .name = "湖畔社区文化活动中心临时安置点",
                                                          .quantity = 80,
                                                          .unit_label = "人",
                                                          .place = "湖畔社区文化活动中心",
                                                          .location = hub,
                                                          .available = true,
                                                          .contact_phone = "0571-8800-1234"}));
    resource["shelter"] = hall.id;

    // Residents' reports, verified by the street one by one.
    std::string first_id;
    std::map<std::string, std::string> need_of;  // need type → need id
    for (std::size_t i = 0; i < std::size(kCrowd); ++i) {
      const CrowdRow& row = kCrowd[i];
      clock.Set(storm + row.minute * kMinute + 30 * kMinute);
      emergency::NewCrowdReport in;
      in.text = std::string(row.text);
      XT_ASSIGN_OR_RETURN(in.kind, emergency::ParseReportKind(row.kind));
      if (!row.need_type.empty()) {
        XT_ASSIGN_OR_RETURN(in.need_type, emergency::ParseNeedType(row.need_type));
      }
      in.count = row.count;
      in.priority = row.need_type == "evacuation" ? emergency::ReportPriority::kCritical
                                                  : emergency::ReportPriority::kHigh;
      in.place = place_of(row.community);
      in.contact_name = "求助市民";
      in.contact_phone = fmt::format("1380571{:04}", 5200 + report.reports);
      std::optional<Principal> reporter;
      if (!kReporters[i].empty()) {
        // Without the neighbours (a city made before them), the report is anonymous.
        XT_ASSIGN_OR_RETURN(auto known, platform.identity().FindAccountByUsername(kReporters[i]));
        if (known) {
          XT_ASSIGN_OR_RETURN(reporter, people.As(kReporters[i]));
        }
      }
      XT_ASSIGN_OR_RETURN(
          auto r, crowd.Submit(reporter, inc.id, in, fmt::format("demo-crowd-{}", report.reports)));
      ++report.reports;
      if (first_id.empty()) first_id = r.id;
      if (row.verdict.empty()) continue;
      clock.Advance(12 * kMinute);
      emergency::Verdict v;
      v.note = std::string(row.note);
      if (row.verdict == "verified") {
        v.state = emergency::ReportState::kVerified;
      } else if (row.verdict == "duplicate") {
        v.state = emergency::ReportState::kDuplicate;
        v.duplicate_of = first_id;
      } else {
        v.state = emergency::ReportState::kFalse;
      }
      XT_ASSIGN_OR_RETURN(auto judged, crowd.Verify(handler, inc.id, r.id, v));
      if (!judged.need_id.empty()) {
        need_of[std::string(row.need_type)] = judged.need_id;
        ++report.needs;
      }
    }
    // A need the street itself records: pumping out 湖畔路.
    clock.Set(storm + 100 * kMinute);
    XT_ASSIGN_OR_RETURN(auto pump, incidents.AddNeed(handler, inc.id,
                                                     {.kind = "rescue",
                                                      .title = "湖畔路、春江路口积水抽排",
                                                      .description = "积水约 30 公分，需抽排车两台",
                                                      .priority = 2,
                                                      .quantity = 2,
                                                      .unit_label = "台",
                                                      .place = "湖畔路与春江路交叉口",
                                                      .location = hub}));
    need_of["pump"] = pump.id;
    ++report.needs;

    // Commitments, each delivered within the evening.
    struct CommitRow {
      std::string_view need, resource, note;
      std::int64_t quantity;
      int minutes_to_deliver;
    };
    constexpr CommitRow kCommits[] = {
        {"evacuation", "shelter", "3 位老人由救援队背出，安置在文化活动中心", 3, 50},
        {"supplies", "warehouse", "沙袋 50 袋由网格员送到 5 幢", 50, 40},
        {"pump", "vehicle", "两台抽排车到场连续作业", 2, 30},
    };
    for (const auto& c : kCommits) {
      const auto n = need_of.find(std::string(c.need));
      const auto r = resource.find(std::string(c.resource));
      if (n == need_of.end() || r == resource.end()) continue;
      clock.Advance(10 * kMinute);
      XT_ASSIGN_OR_RETURN(auto made, incidents.Commit(handler, inc.id,
                                                      {.need_id = n->second,
                                                       .resource_id = r->second,
                                                       .quantity = c.quantity,
                                                       .note = std::string(c.note),
                                                       .idempotency_key = {}}));
      clock.Advance(c.minutes_to_deliver * kMinute);
      XT_TRY_VOID(incidents.Deliver(handler, inc.id, made.id));
      ++report.commitments;
    }

    XT_TRY_VOID(close_calls(storm + 90 * kMinute, storm + 8 * kHour));
    // Closed the next morning with its summary (the 指挥部 dissolves with it).
    clock.Set(storm + 19 * kHour);
    XT_TRY_VOID(incidents.Close(
        *street, inc.id,
        "积水于当晚 22 时全部退去。转移被困老人 3 人至湖畔社区文化活动中心，发放沙袋 50 袋，"
        "两台抽排车抽排积水约 1,200 立方米；无人员伤亡。核实群众上报 5 条（重复 1 条、不实 1 条）。"
        "春江路雨水管网列入汛前整治清单，由望湖街道积水点位整治专班跟进。"));
  }

  // 3. Two weeks ago: three calls about one smell of gas; the supervisor
  //    dismisses the warning as one household's leak, already fixed.
  XT_ASSIGN_OR_RETURN(auto gas,
                      burst(kGasCalls, "燃气泄漏", today - 12 * kDay + 19 * kHour, "gas",
                            "燃气集团已到场，户内燃气表接头漏气，已关阀更换，复测无泄漏。"));
  if (gas) {
    ++report.warnings;
    clock.Advance(55 * kMinute);
    XT_ASSIGN_OR_RETURN(const Principal supervisor, people.As("supervisor"));
    XT_TRY_VOID(warnings.Dismiss(supervisor, gas->id,
                                 "同一处（柳岸社区 3 幢 2 单元）户内燃气表接头漏气，燃气集团已关阀"
                                 "修复，非区域性泄漏，无需启动应急。"));
  }
  XT_TRY_VOID(close_calls(today - 12 * kDay + 20 * kHour, today - 12 * kDay + 22 * kHour));

  // 4. Three days ago: a water outage in 西堤社区; the warning stays until
  //    intake has been quiet for its quiet hours.
  XT_ASSIGN_OR_RETURN(
      auto water, burst(kWaterCalls, "停水", today - 3 * kDay + 9 * kHour + 20 * kMinute, "water",
                        "西堤路供水管抢修完成，当日 14 时恢复供水。"));
  if (water) ++report.warnings;
  XT_TRY_VOID(
      close_calls(today - 3 * kDay + 11 * kHour, today - 3 * kDay + 14 * kHour + 30 * kMinute));
  return report;
}

}  // namespace xietong::app
