#include "app/demo_collab.h"

#include <fmt/core.h>

#include <map>

#include "app/demo_people.h"
#include "app/demo_random.h"
#include "collab/collab_service.h"
#include "requests/request_service.h"

namespace xietong::app {
namespace {

using identity::Principal;

constexpr Timestamp kHour = kMicrosPerHour;
constexpr Timestamp kDay = kMicrosPerDay;

// Lines of a week in each channel, spoken by the members' usernames; "{m}"
// stands for the next member named with @ (the message's mention).
struct Line {
  std::string_view who;
  std::string_view text;
};

constexpr Line kWaterLines[] = {
    {"jl01.leader", "各位，这个专班先把望湖街道的积水点摸清楚，本周五前要有点位清单。"},
    {"street.handler", "收到，湖畔社区、望湖社区已经开始排查，网格员在拍照建档。"},
    {"jl01d01.handler", "春江路那段雨水篦子堵得厉害，明天上午带清掏车过去。"},
    {"street.lead", "@jl01d01.handler 清掏时间请提前一天告诉我们，好通知沿街商户挪车。"},
    {"jl01d01.handler", "好的，定在周三早上七点。"},
    {"jl01d02.handler", "望湖社区低洼路段需要改排水坡度，我这边先出个方案。"},
    {"street.handler", "点位清单已上传，一共 17 处，其中 5 处是老问题。"},
    {"jl01.leader", "@jl01d02.handler 方案里把造价和工期写清楚，下周专题会上定。"},
    {"jl01d01.handler", "春江路管网疏通完成六成，剩下两段要等夜间交通管制。"},
    {"street.lead", "汛前物资还差沙袋 300 个，已经报区应急局。"},
    {"jl01.leader", "物资清点这个任务已经超期了，@street.lead 今天给个准数。"},
    {"street.lead", "明白，下午四点前报。"},
    {"street.handler", "今天下雨，湖畔社区 3 号点位积水 15 公分，已设警示牌。"},
    {"jl01d01.handler", "3 号点位连夜抽排，明早复查。"},
};

constexpr Line kLiftLines[] = {
    {"leader", "加装电梯是今年的民生实事，年底前 12 个小区必须全部开工。"},
    {"jld02.lead", "意见征询全部完成，11 个小区同意率超过三分之二，1 个还在协调。"},
    {"jld13.handler", "规划许可已经批了 9 个，剩下 3 个材料周五前补齐。"},
    {"jld02.handler", "设备招标文件挂网了，下周二开标。"},
    {"jl01d02.lead", "临江区这边 4 个小区的施工队已进场，@jld02.handler 安全巡查表请发一份。"},
    {"jld02.handler", "已发到群文件，按周填报。"},
    {"leader", "建设阶段资金用了 310 万，进度和支出要对得上，@jld02.lead 每周报一次。"},
    {"jld02.lead", "好的，每周一上午报。"},
    {"street.lead", "望湖社区 6 幢有两户一楼居民还有顾虑，社区明天再上门。"},
    {"jld13.handler", "补齐材料的 2 个小区许可今天出了。"},
};

constexpr Line kNoiseLines[] = {
    {"jl01.leader",
     "近三个月广场舞噪音投诉集中在望湖、柳巷两个街道，专班今天成立，先摸清点位和时段。"},
    {"street.handler", "湖畔社区中心广场、柳巷公园两处最集中，晚上九点以后还在跳。"},
    {"jld03.handler", "今晚八点半到十点在湖畔社区广场做噪声监测，@jl01d01.handler 请派人配合。"},
    {"jl01d01.handler", "两名队员到场，八点半在广场东门集合。"},
    {"jld03.handler", "监测结果：九点以后音响超标 10 分贝左右，已记录。"},
    {"jl01.leader", "约舞队负责人座谈，九点前结束、音量限值写进公约，社区配便携式分贝仪。"},
    {"street.handler", "居民反映这两天晚上安静多了。"},
};

constexpr Line kGroupLines[] = {
    {"jl01.leader", "防汛期间大家保持联络，有情况直接在群里说。"},
    {"street.lead", "望湖街道值班表已更新。"},
    {"jl01d01.lead", "区城管局应急队 24 小时待命。"},
    {"jl01d02.lead", "住建局工地围挡检查本周完成。"},
};

constexpr Line kDirectLines[] = {
    {"street.lead", "明天区里开防汛会，你把点位清单打印两份带上。"},
    {"street.handler", "好的，另外 3 号点位的照片也一起带上。"},
    {"street.lead", "可以，八点半在街道门口碰头。"},
};

class Demo {
 public:
  Demo(Platform& p, const std::string& password, ManualClock& clock, collab::CollabService& svc)
      : p_(p), people_(p.identity(), password), clock_(clock), svc_(svc) {}

  Result<Principal> As(const std::string& username) { return people_.As(username); }
  Result<std::string> Id(const std::string& username) {
    XT_ASSIGN_OR_RETURN(auto principal, As(username));
    return principal.account_id;
  }
  Result<collab::MemberInput> Member(const std::string& username, std::string role) {
    XT_ASSIGN_OR_RETURN(auto id, Id(username));
    return collab::MemberInput{.account_id = id, .unit_id = "", .role = std::move(role)};
  }

  // The week's lines of one channel, spread over the working hours of the
  // days before `until`, the last on the day before.
  struct Timed {
    Timestamp at;
    std::string channel_id;
    Line line;
  };
  static void Spread(std::vector<Timed>& out, const std::string& channel_id,
                     std::span<const Line> lines, Timestamp week_start, Draw& d) {
    const int n = static_cast<int>(lines.size());
    for (int i = 0; i < n; ++i) {
      const Timestamp day = week_start + (7 * i / n) * kDay;
      out.push_back(
          {day + (9 + d.Below(9)) * kHour + d.Below(60) * kMicrosPerMinute, channel_id, lines[i]});
    }
  }

  Result<int> PostAll(std::vector<Timed> timed) {
    std::stable_sort(timed.begin(), timed.end(),
                     [](const Timed& a, const Timed& b) { return a.at < b.at; });
    int posted = 0;
    for (const auto& t : timed) {
      if (t.at >= p_.clock().Now()) continue;  // never in the future
      clock_.Set(t.at);
      XT_ASSIGN_OR_RETURN(auto who, As(std::string(t.line.who)));
      XT_TRY_VOID(svc_.Post(who, t.channel_id, {.text = std::string(t.line.text)}));
      ++posted;
    }
    return posted;
  }

  Platform& p_;
  DemoPeople people_;
  ManualClock& clock_;
  collab::CollabService& svc_;
};

}  // namespace

Result<DemoCollabReport> CreateDemoCollab(Platform& platform, const std::string& staff_password) {
  DemoCollabReport report;
  const Timestamp real_now = platform.clock().Now();
  // Midnight in 江澜 (UTC+8) today; the week of traffic is the seven days before it.
  const Timestamp today = (real_now + 8 * kHour) / kDay * kDay - 8 * kHour;
  ManualClock clock(today - 30 * kDay + 9 * kHour);
  IdGenerator ids(clock);
  collab::CollabService svc(platform.db(), clock, ids, platform.calendar(), platform.identity());
  svc.SetRequestDirectory(&platform.collab_requests());
  Demo demo(platform, staff_password, clock, svc);

  XT_ASSIGN_OR_RETURN(const Principal district_leader, demo.As("jl01.leader"));
  {
    XT_ASSIGN_OR_RETURN(auto mine, svc.MyForces(district_leader));
    for (const auto& f : mine)
      if (f.title == "望湖街道积水点位整治专班") {
        report.existed = true;
        return report;
      }
  }
  auto at = [&](int days_ago, int hour) {
    clock.Set(today - days_ago * kDay + hour * kHour);
    return clock.Now();
  };
  auto add_task = [&](const Principal& lead, const std::string& force_id, std::string title,
                      const std::string& owner, int days,
                      std::vector<std::string> depends_on) -> Result<collab::Task> {
    XT_ASSIGN_OR_RETURN(auto owner_id, demo.Id(owner));
    ++report.tasks;
    return svc.AddTask(lead, force_id,
                       {.title = std::move(title),
                        .description = {},
                        .owner_account_id = owner_id,
                        .owner_unit_id = {},
                        .deadline_days = days,
                        .depends_on = std::move(depends_on)});
  };
  auto progress = [&](const std::string& who, const collab::Task& task, int percent,
                      std::string text) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto p, demo.As(who));
    XT_TRY_VOID(svc.ReportProgress(p, task.id, {.text = std::move(text), .percent = percent}));
    if (percent == 100) XT_TRY_VOID(svc.SetTaskStatus(p, task.id, "done"));
    return {};
  };
  std::vector<Demo::Timed> traffic;
  Draw d(20261206);

  // 1. A hotspot of waterlogging, led by 临江区 with its two departments,
  //    the city's water bureau and 望湖街道.
  at(20, 9);
  std::vector<collab::MemberInput> water_members;
  for (auto [who, role] : {std::pair{"jl01d01.lead", "member"},
                           {"jl01d01.handler", "member"},
                           {"jl01d02.handler", "member"},
                           {"jld10.handler", "member"},
                           {"street.lead", "liaison"},
                           {"street.handler", "member"}}) {
    XT_ASSIGN_OR_RETURN(auto m, demo.Member(who, role));
    water_members.push_back(m);
  }
  XT_ASSIGN_OR_RETURN(
      auto water, svc.CreateForce(district_leader,
                                  {.title = "望湖街道积水点位整治专班",
                                   .subject_kind = "other",
                                   .subject_id = {},
                                   .goal = "汛期前消除望湖街道 17 处易积水点位，春江路管网全线疏通",
                                   .charter = "区领导牵头，区城管局、区住建局、市水务局和望湖街道"
                                              "共同推进；每周一专题会，进展在专班频道通报。",
                                   .deadline = today + 45 * kDay,
                                   .unit_id = {},
                                   .members = water_members}));
  ++report.forces;
  XT_ASSIGN_OR_RETURN(auto survey, add_task(district_leader, water.force.id,
                                            "排查辖区积水点位并建档", "street.handler", 3, {}));
  XT_ASSIGN_OR_RETURN(auto pipes, add_task(district_leader, water.force.id, "疏通春江路雨水管网",
                                           "jl01d01.handler", 8, {survey.id}));
  XT_ASSIGN_OR_RETURN(auto slope,
                      add_task(district_leader, water.force.id, "望湖社区低洼路段排水改造",
                               "jl01d02.handler", 25, {survey.id}));
  XT_ASSIGN_OR_RETURN(auto stock, add_task(district_leader, water.force.id, "汛前应急物资清点",
                                           "street.lead", 2, {}));
  at(19, 16);
  XT_TRY_VOID(progress("street.handler", survey, 40, "湖畔社区、望湖社区排查完毕，8 处"));
  at(17, 17);
  XT_TRY_VOID(progress("street.handler", survey, 100, "四个社区排查完毕，共 17 处，已建档"));
  at(15, 10);
  XT_TRY_VOID(progress("jl01d01.handler", pipes, 30, "完成北段 600 米清掏"));
  at(6, 15);
  XT_TRY_VOID(progress("jl01d01.handler", pipes, 60, "中段完成，南段两处等夜间交通管制"));
  at(12, 11);
  XT_TRY_VOID(progress("street.lead", stock, 30, "沙袋、抽水泵已清点，照明设备待查"));
  (void)slope;  // todo: waits for the plan
  Demo::Spread(traffic, water.force.channel_id, kWaterLines, today - 7 * kDay, d);

  // 2. The city's key project, with its milestones and spend.
  XT_ASSIGN_OR_RETURN(const Principal city_leader, demo.As("leader"));
  at(28, 10);
  std::vector<collab::MemberInput> lift_members;
  for (auto [who, role] : {std::pair{"jld02.lead", "liaison"},
                           {"jld02.handler", "member"},
                           {"jld13.handler", "member"},
                           {"jl01d02.lead", "member"},
                           {"street.lead", "member"}}) {
    XT_ASSIGN_OR_RETURN(auto m, demo.Member(who, role));
    lift_members.push_back(m);
  }
  XT_ASSIGN_OR_RETURN(
      auto lift,
      svc.CreateForce(city_leader, {.title = "老旧小区加装电梯重点项目专班",
                                    .subject_kind = "project",
                                    .subject_id = "JL-ZDXM-2026-017",
                                    .goal = "年底前 12 个老旧小区加装电梯全部开工，明年 6 月前验收",
                                    .charter = "市住建局牵头协调，市自然资源和规划局办理规划许可，"
                                               "各区住建局和街道组织居民意见征询与施工管理。",
                                    .deadline = today + 200 * kDay,
                                    .unit_id = {},
                                    .members = lift_members}));
  ++report.forces;
  XT_ASSIGN_OR_RETURN(
      auto consult,
      add_task(city_leader, lift.force.id, "完成 12 个小区居民意见征询", "jld02.handler", 10, {}));
  XT_ASSIGN_OR_RETURN(auto permit, add_task(city_leader, lift.force.id, "办理规划许可",
                                            "jld13.handler", 15, {consult.id}));
  XT_ASSIGN_OR_RETURN(auto tender, add_task(city_leader, lift.force.id, "电梯设备招标",
                                            "jld02.handler", 20, {consult.id}));
  XT_ASSIGN_OR_RETURN(auto safety, add_task(city_leader, lift.force.id, "施工安全巡查（按周）",
                                            "jl01d02.lead", 60, {}));
  at(26, 15);
  XT_TRY_VOID(progress("jld02.handler", consult, 50, "6 个小区完成征询"));
  at(22, 16);
  XT_TRY_VOID(progress("jld02.handler", consult, 100, "11 个小区同意，1 个继续协调"));
  at(16, 10);
  XT_TRY_VOID(progress("jld13.handler", permit, 75, "9 个小区许可已批"));
  at(9, 14);
  XT_TRY_VOID(progress("jld02.handler", tender, 70, "招标文件已挂网"));
  at(5, 9);
  XT_TRY_VOID(progress("jl01d02.lead", safety, 20, "临江区 4 个小区第一周巡查无问题"));
  struct Stage {
    std::string_view stage;
    int due_days;
    std::int64_t budget_fen, spent_fen;
    bool reached;
  };
  at(27, 9);
  std::vector<collab::Milestone> milestones;
  for (const Stage& s : {Stage{"initiation", -25, 12'000'000, 11'500'000, true},
                         Stage{"approval", -10, 30'000'000, 26'800'000, true},
                         Stage{"construction", 120, 800'000'000, 0, false},
                         Stage{"acceptance", 190, 60'000'000, 0, false}}) {
    XT_ASSIGN_OR_RETURN(auto m, svc.AddMilestone(city_leader, lift.force.id, s.stage,
                                                 today + s.due_days * kDay, s.budget_fen));
    milestones.push_back(m);
  }
  at(25, 11);
  XT_TRY_VOID(svc.RecordMilestone(city_leader, milestones[0].id, 11'500'000, true));
  at(11, 11);
  XT_TRY_VOID(svc.RecordMilestone(city_leader, milestones[1].id, 26'800'000, true));
  at(3, 11);
  XT_TRY_VOID(svc.RecordMilestone(city_leader, milestones[2].id, 310'000'000, false));
  Demo::Spread(traffic, lift.force.channel_id, kLiftLines, today - 7 * kDay, d);

  // 3. A hotspot: square-dance noise in two streets of 临江区, with the
  //    requests of it the district may read linked (when the demo city has
  //    its requests), and the city's environment bureau.
  std::vector<std::string> dance_requests;
  {
    requests::ListFilter filter;
    filter.search = "广场舞";
    filter.limit = 60;
    XT_ASSIGN_OR_RETURN(auto found, platform.requests().List(Principal::System(), filter));
    for (const auto& r : found.items) {
      if (dance_requests.size() == 12) break;
      XT_ASSIGN_OR_RETURN(const bool readable,
                          platform.collab_requests().MayRead(district_leader, r.id));
      if (readable) dance_requests.push_back(r.id);
    }
  }
  at(8, 10);
  std::vector<collab::MemberInput> noise_members;
  for (auto [who, role] : {std::pair{"jld03.handler", "member"},
                           {"jl01d01.handler", "member"},
                           {"street.handler", "liaison"}}) {
    XT_ASSIGN_OR_RETURN(auto m, demo.Member(who, role));
    noise_members.push_back(m);
  }
  XT_ASSIGN_OR_RETURN(
      auto noise,
      svc.CreateForce(
          district_leader,
          {.title = "广场舞噪音扰民联合整治专班",
           .subject_kind = dance_requests.empty() ? "other" : "hotspot",
           .subject_id = dance_requests.empty() ? std::string() : dance_requests.front(),
           .goal = "一个月内望湖、柳巷两个街道的广场舞噪音投诉下降一半",
           .charter = "区领导牵头，市生态环境局监测，区城管局和街道联合劝导，"
                      "与舞队订立公约。",
           .deadline = today + 25 * kDay,
           .unit_id = {},
           .members = noise_members,
           .request_ids = dance_requests}));
  ++report.forces;
  report.linked = static_cast<int>(dance_requests.size());
  XT_ASSIGN_OR_RETURN(auto spots, add_task(district_leader, noise.force.id, "梳理投诉点位和时段",
                                           "street.handler", 2, {}));
  XT_ASSIGN_OR_RETURN(auto night, add_task(district_leader, noise.force.id, "广场噪声监测",
                                           "jld03.handler", 5, {spots.id}));
  XT_TRY_VOID(add_task(district_leader, noise.force.id, "与舞队订立文明公约", "jl01d01.handler", 10,
                       {night.id}));
  at(7, 16);
  XT_TRY_VOID(progress("street.handler", spots, 100, "两处广场、三个时段，清单已上传"));
  at(4, 23);
  XT_TRY_VOID(progress("jld03.handler", night, 80, "九点以后超标 10 分贝左右，已记录"));
  Demo::Spread(traffic, noise.force.channel_id, kNoiseLines, today - 7 * kDay, d);

  // 4. Dissolved: the National Day holiday's city appearance, with an open
  //    task handed over.
  XT_ASSIGN_OR_RETURN(const Principal urban_lead, demo.As("jld01.lead"));
  at(70, 9);
  std::vector<collab::MemberInput> holiday_members;
  for (auto [who, role] : {std::pair{"dept.handler", "member"},
                           {"jl01d01.handler", "member"},
                           {"street.handler", "liaison"}}) {
    XT_ASSIGN_OR_RETURN(auto m, demo.Member(who, role));
    holiday_members.push_back(m);
  }
  XT_ASSIGN_OR_RETURN(
      auto holiday,
      svc.CreateForce(urban_lead, {.title = "国庆假日市容环境保障专班",
                                   .subject_kind = "other",
                                   .subject_id = {},
                                   .goal = "国庆假期主要景区和商圈周边市容整洁、秩序良好",
                                   .charter = "市城管委牵头，假期每日巡查通报。",
                                   .deadline = today - 55 * kDay,
                                   .unit_id = {},
                                   .members = holiday_members}));
  ++report.forces;
  XT_ASSIGN_OR_RETURN(auto patrol, add_task(urban_lead, holiday.force.id, "景区周边每日巡查",
                                            "dept.handler", 5, {}));
  XT_ASSIGN_OR_RETURN(auto stalls, add_task(urban_lead, holiday.force.id, "江滨夜市占道经营整治",
                                            "jl01d01.handler", 10, {}));
  at(66, 18);
  XT_TRY_VOID(progress("dept.handler", patrol, 100, "假期七天巡查完毕，整改问题 43 处"));
  at(63, 10);
  XT_TRY_VOID(progress("jl01d01.handler", stalls, 60, "夜市摊位重新划线，仍有 5 户占道"));
  at(58, 10);
  XT_ASSIGN_OR_RETURN(auto handler_id, demo.Id("jl01d01.handler"));
  XT_TRY_VOID(svc.Dissolve(urban_lead, holiday.force.id,
                           "假期七天巡查完毕，整改市容问题 43 处，无重大投诉。江滨夜市占道"
                           "整治转为日常管理，由区城管局继续跟进。",
                           {{stalls.id, handler_id}}));

  // A group and a 1-1 channel.
  at(9, 9);
  std::vector<std::string> group_ids;
  for (const char* who : {"street.lead", "jl01d01.lead", "jl01d02.lead"}) {
    XT_ASSIGN_OR_RETURN(auto id, demo.Id(who));
    group_ids.push_back(id);
  }
  XT_ASSIGN_OR_RETURN(auto group, svc.CreateGroup(district_leader, "临江区防汛联络群", group_ids));
  Demo::Spread(traffic, group.id, kGroupLines, today - 7 * kDay, d);
  XT_ASSIGN_OR_RETURN(const Principal street_lead, demo.As("street.lead"));
  XT_ASSIGN_OR_RETURN(auto street_handler_id, demo.Id("street.handler"));
  XT_ASSIGN_OR_RETURN(auto direct, svc.OpenDirect(street_lead, street_handler_id));
  Demo::Spread(traffic, direct.id, kDirectLines, today - 2 * kDay, d);
  XT_ASSIGN_OR_RETURN(report.messages, demo.PostAll(std::move(traffic)));

  // The city's directive to every community, read and acknowledged by some.
  XT_ASSIGN_OR_RETURN(auto all_units, platform.identity().AllUnits());
  std::vector<std::string> communities, linjiang_communities;
  std::string linjiang_path;
  for (const auto& u : all_units)
    if (u.code == "JL-01") linjiang_path = u.path;
  for (const auto& u : all_units) {
    if (u.kind != identity::UnitKind::kCommunity) continue;
    communities.push_back(u.id);
    if (!linjiang_path.empty() && u.path.starts_with(linjiang_path))
      linjiang_communities.push_back(u.id);
  }
  at(5, 10);
  XT_ASSIGN_OR_RETURN(
      auto flood,
      svc.SendDirective(
          city_leader,
          {.title = "关于开展汛期安全隐患大排查的通知",
           .body = "各社区（村）：\n\n请于三日内完成辖区地下空间、低洼路段、危旧房屋和在建工地的"
                   "汛期安全隐患排查，建立台账，发现重大隐患立即上报所在街道（镇）和区应急管理局。"
                   "\n\n收到后请在平台签收。\n\n江澜市人民政府办公室",
           .from_unit_id = {},
           .to_units = communities,
           .include_subtree = false,
           .ack_by = today - 2 * kDay + 18 * kHour,
           .idempotency_key = "demo-flood-2026"}));
  ++report.directives;
  // Who read and who acknowledged: the first communities' handlers.
  const std::pair<const char*, bool> answers[] = {
      {"street.handler", true},    {"jl010102.handler", true},  {"jl010103.handler", true},
      {"jl010104.handler", false}, {"jl010202.handler", true},  {"jl010203.handler", false},
      {"jl010302.handler", true},  {"jl010402.handler", false}, {"jl020102.handler", true},
      {"jl020202.handler", false},
  };
  int hour = 11;
  for (const auto& [who, ack] : answers) {
    at(5, hour++ % 24);
    XT_ASSIGN_OR_RETURN(auto p, demo.As(who));
    XT_TRY_VOID(svc.MarkRead(p, flood.id));
    if (ack) {
      clock.Advance(20 * kMicrosPerMinute);
      XT_TRY_VOID(svc.Acknowledge(p, flood.id, "已收到，正在组织排查"));
      ++report.acknowledged;
    }
  }
  XT_ASSIGN_OR_RETURN(auto table, svc.Receipts(city_leader, flood.id));
  report.receipts = static_cast<int>(table.receipts.size());

  // 临江区's weekly flood report form (报送/填报) to its communities: last
  // week's answered by 14 of 16 (two late), this week's by half so far,
  // prefilled from last week's.
  std::vector<std::string> answerers;  // one staff account per community of 临江区, in order
  for (int street = 1; street <= 4; ++street)
    for (int c = 1; c <= 4; ++c)
      answerers.push_back(c > 1         ? fmt::format("jl01{:02}{:02}.handler", street, c)
                          : street == 1 ? std::string("street.handler")
                                        : fmt::format("jl01{:02}.handler", street));
  XT_ASSIGN_OR_RETURN(auto district_unit, platform.identity().FindUnitByCode("JL-01"));
  if (district_unit) {
    const std::vector<collab::FormField> fields = {
        {.key = "points",
         .title = "易积水点位",
         .type = collab::FieldType::kInteger,
         .required = true,
         .unit = "处"},
        {.key = "fixed",
         .title = "本周已整改",
         .type = collab::FieldType::kInteger,
         .required = true,
         .unit = "处"},
        {.key = "risk",
         .title = "风险等级",
         .type = collab::FieldType::kChoice,
         .required = true,
         .options = {"低", "中", "高"}},
        {.key = "sandbags", .title = "沙袋储备", .type = collab::FieldType::kInteger, .unit = "个"},
        {.key = "note", .title = "需协调事项", .type = collab::FieldType::kText},
    };
    auto send_form = [&](int days_ago, std::string title) {
      at(days_ago, 9);
      return svc.CreateReportForm(
          district_leader, {.title = std::move(title),
                            .instructions = "请各社区（村）每周五下班前报送本周防汛排查情况。",
                            .fields = fields,
                            .from_unit_id = {},
                            .to_units = {district_unit->id},
                            .include_subtree = true,
                            .unit_kinds = {"community"},
                            .due_by = today - days_ago * kDay + 3 * kDay + 18 * kHour,
                            .series = "linjiang-flood-weekly"});
    };
    auto answer = [&](const collab::ReportForm& form, std::size_t i, int days_ago,
                      int at_hour) -> Result<void> {
      at(days_ago, at_hour);
      XT_ASSIGN_OR_RETURN(auto who, demo.As(answerers[i]));
      const int points = 2 + static_cast<int>(i % 5);
      json::Json values = {{"points", points},
                           {"fixed", static_cast<int>(i % 3)},
                           {"risk", i % 4 == 0 ? "中" : "低"},
                           {"sandbags", 100 + 20 * static_cast<int>(i % 6)}};
      if (i % 5 == 1) values["note"] = "低洼路段需区住建局协助改造";
      XT_TRY_VOID(svc.SubmitAnswer(who, form.id, "", values));
      ++report.form_answers;
      return {};
    };
    XT_ASSIGN_OR_RETURN(auto last_week, send_form(9, "临江区防汛排查周报（上周）"));
    for (std::size_t i = 0; i < answerers.size(); ++i) {
      if (i == 5 || i == 11) continue;           // two never answered
      const int day = i == 3 || i == 9 ? 5 : 7;  // two answered after the deadline
      XT_TRY_VOID(answer(last_week, i, day, 10 + static_cast<int>(i % 7)));
    }
    XT_ASSIGN_OR_RETURN(auto this_week, send_form(2, "临江区防汛排查周报（本周）"));
    for (std::size_t i = 0; i < answerers.size(); i += 2)  // half so far
      XT_TRY_VOID(answer(this_week, i, 1, 9 + static_cast<int>(i % 8)));
    report.forms = 2;
  }

  // 临江区's own directive, sent this morning and still open.
  at(0, 8);
  if (clock.Now() < real_now && !linjiang_communities.empty()) {
    XT_TRY_VOID(svc.SendDirective(
        district_leader,
        {.title = "关于做好本周末强降雨防范工作的紧急通知",
         .body = "气象台预报本周末有强降雨。请各社区落实值班值守，提前转移低洼地带和危旧房屋"
                 "人员，发现险情第一时间上报。",
         .from_unit_id = {},
         .to_units = linjiang_communities,
         .include_subtree = false,
         .ack_by = today + 18 * kHour,
         .idempotency_key = "demo-rain-2026"}));
    ++report.directives;
  }
  return report;
}

}  // namespace xietong::app
