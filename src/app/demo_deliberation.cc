#include "app/demo_deliberation.h"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

#include "collab/volunteer.h"

namespace xietong::app {
namespace {

using identity::Principal;
using participation::Decision;
using participation::DeliberationService;
using participation::Implement;
using participation::Proposal;
using participation::ProposalStatus;

constexpr Timestamp kHour = kMicrosPerHour;
constexpr Timestamp kDay = kMicrosPerDay;
constexpr std::int64_t kYuan = 100;  // fen

Error While(std::string_view doing, Error e) {
  e.message = fmt::format("demo 议事厅, {}: {}", doing, e.message);
  return e;
}

// "2026年10月" of an instant in 江澜.
std::string YearMonth(Timestamp t) {
  const std::string day = collab::ShanghaiDay(t);  // YYYY-MM-DD
  return fmt::format("{}年{}月", day.substr(0, 4), std::stoi(day.substr(5, 2)));
}
int Year(Timestamp t) { return std::stoi(collab::ShanghaiDay(t).substr(0, 4)); }

// The people of one community: its residents by username (the demo
// resident first), and who acts for its staff.
struct Community {
  std::string id;
  std::vector<std::string> residents;
};

class Maker {
 public:
  Maker(ManualClock& clock, DemoPeople& people, DeliberationService& deliberation,
        DemoDeliberationReport& report)
      : clock_(clock), people_(people), d_(deliberation), report_(report) {}

  Result<Proposal> Propose(const Community& c, std::string_view author, Timestamp at,
                           std::string_view title, std::string_view text, std::string_view address,
                           std::int64_t cost_yuan) {
    clock_.Set(at);
    XT_ASSIGN_OR_RETURN(auto who, people_.As(author));
    participation::NewProposal in;
    in.community_id = c.id;
    in.title = std::string(title);
    in.text = std::string(text);
    in.address = std::string(address);
    in.cost_fen = cost_yuan * kYuan;
    in.idempotency_key = fmt::format("demo:{}", title);
    auto p = d_.Propose(who, std::move(in));
    if (!p) return Fail(While(fmt::format("proposing {}", title), p.error()));
    ++report_.proposals;
    return p;
  }

  // `count` supports from the community's residents other than the author
  // and the demo resident (whose own support the journey gives), one an
  // hour from `from`; as many as there are.
  Result<Proposal> Support(const Community& c, Proposal p, int count, Timestamp from) {
    int given = 0;
    for (const auto& username : c.residents) {
      if (given >= count) break;
      if (username == "resident" || username == "resident02") continue;
      XT_ASSIGN_OR_RETURN(auto who, people_.As(username));
      if (who.account_id == p.author_id) continue;
      clock_.Set(from + given * kHour);
      auto r = d_.Support(who, p.id);
      if (!r) return Fail(While(fmt::format("supporting {}", p.title), r.error()));
      ++given;
    }
    XT_ASSIGN_OR_RETURN(auto v, d_.GetProposal(Principal::System(), p.id));
    return v.proposal;
  }

  // Supports until it qualifies, and `extra` more when there are people.
  Result<Proposal> Qualify(const Community& c, Proposal p, Timestamp from, int extra = 0) {
    const int count = static_cast<int>(p.threshold) + extra;
    return Support(c, std::move(p), count, from);
  }

 private:
  ManualClock& clock_;
  DemoPeople& people_;
  DeliberationService& d_;
  DemoDeliberationReport& report_;
};

}  // namespace

Result<DemoDeliberationReport> CreateDemoDeliberation(
    Platform& platform, ManualClock& clock, DemoPeople& people, DeliberationService& deliberation,
    collab::CollabService& collab, requests::RequestService& requests, Timestamp today) {
  DemoDeliberationReport report;
  const Timestamp D = today;
  auto lead_r = people.As("street.lead");
  auto handler_r = people.As("street.handler");
  auto resident_r = people.As("resident");
  if (!lead_r || !handler_r || !resident_r || resident_r->memberships.empty()) {
    report.skipped = "the demo's street.lead, street.handler and resident are not there";
    return report;
  }
  const Principal lead = *lead_r;
  const Principal handler = *handler_r;
  const Principal system = Principal::System();
  Community lake{resident_r->memberships.front().unit_id, {"resident"}};
  for (int i = 1; i <= 11; ++i) lake.residents.push_back(fmt::format("hupan{:02}", i));
  Community willow;
  if (auto r2 = people.As("resident02"); r2 && !r2->memberships.empty()) {
    willow.id = r2->memberships.front().unit_id;
    willow.residents = {"resident02"};
    for (int i = 1; i <= 5; ++i) willow.residents.push_back(fmt::format("liuxiang{:02}", i));
  }
  if (!people.As("hupan01")) {
    report.skipped = "the neighbours hupan01…hupan11 are not there";
    return report;
  }
  const std::string closed_title = fmt::format("{}年湖畔社区微更新参与式预算", Year(D));
  XT_ASSIGN_OR_RETURN(auto budgets, deliberation.ListBudgets(lead, lake.id));
  if (std::any_of(budgets.begin(), budgets.end(),
                  [&](const auto& b) { return b.title == closed_title; })) {
    report.existed = true;
    return report;
  }
  Maker make(clock, people, deliberation, report);

  // 1. 河堤加装广告牌: never gathered its supports and expired.
  {
    XT_ASSIGN_OR_RETURN(auto p,
                        make.Propose(lake, "hupan03", D - 80 * kDay + 10 * kHour, "河堤加装广告牌",
                                     "建议在河堤步道旁设置广告牌，收取广告费补贴社区活动经费。",
                                     "湖畔社区河堤步道", 20000));
    XT_ASSIGN_OR_RETURN(p, make.Support(lake, p, 1, D - 79 * kDay + 9 * kHour));
    if (p.support_until + kHour < D - kDay) {
      clock.Set(p.support_until + kHour);
      XT_TRY_VOID(deliberation.RunDue());
    }
  }

  // 2. The closed budget: 湖畔社区微更新, voted by 11 residents, closed with results.
  {
    clock.Set(D - 47 * kDay + 9 * kHour);
    participation::NewBudget in;
    in.community_id = lake.id;
    in.title = closed_title;
    in.description =
        "社区微更新资金20万元，由居民投票决定用在哪些项目上。每人最多选3项，所选项目合计不超过总额"
        "。";
    in.total_fen = 200000 * kYuan;
    in.max_choices = 3;
    in.voting_opens = D - 45 * kDay + 8 * kHour;
    in.voting_closes = D - 31 * kDay + 20 * kHour;
    auto b = deliberation.CreateBudget(lead, in);
    if (!b) return Fail(While("the closed budget", b.error()));
    ++report.budgets;
    struct P {
      std::string_view title, text;
      std::int64_t yuan;
    };
    const P projects[] = {
        {"路灯补光", "小区东西两条主路增设12盏太阳能补光灯。", 38000},
        {"健身器材更新", "更换中心广场老化的健身器材8件。", 65000},
        {"楼道扶手", "为无电梯的6幢老楼加装楼道扶手。", 42000},
        {"垃圾分类亭改造", "3处垃圾分类亭加装顶棚、照明和洗手设施。", 56000},
        {"儿童游乐区地面", "儿童游乐区铺设安全橡胶地垫。", 70000},
    };
    std::vector<std::string> ids;
    for (const auto& pr : projects) {
      auto made = deliberation.AddProject(lead, b->id,
                                          {.title = std::string(pr.title),
                                           .description = std::string(pr.text),
                                           .cost_fen = pr.yuan * kYuan,
                                           .proposal_id = ""});
      if (!made) return Fail(While("a project of the closed budget", made.error()));
      ids.push_back(made->id);
    }
    clock.Set(in.voting_opens);
    if (auto opened = deliberation.OpenBudget(lead, b->id); !opened)
      return Fail(While("opening the closed budget", opened.error()));
    const std::vector<std::vector<int>> choices = {{0, 2, 4}, {1, 3},    {0, 4}, {2, 4, 0},
                                                   {1, 0},    {4, 3},    {0, 2}, {4, 1},
                                                   {2, 3},    {0, 4, 2}, {3, 0}};
    for (std::size_t i = 0; i < choices.size(); ++i) {
      XT_ASSIGN_OR_RETURN(auto voter, people.As(lake.residents[i]));  // resident, hupan01…10
      clock.Set(D - 44 * kDay + static_cast<Timestamp>(i) * kDay + (10 + i % 9) * kHour);
      participation::CastBallot ballot;
      for (int k : choices[i]) ballot.project_ids.push_back(ids[k]);
      auto cast = deliberation.Cast(voter, b->id, std::move(ballot));
      if (!cast) return Fail(While("a ballot of the closed budget", cast.error()));
      ++report.ballots;
    }
    clock.Set(in.voting_closes + kHour);
    XT_TRY_VOID(deliberation.RunDue());
  }

  // 3. A meeting five weeks ago decides four proposals: two tasks, a request
  // and a rejection.
  {
    XT_ASSIGN_OR_RETURN(
        auto shade,
        make.Propose(lake, "hupan01", D - 42 * kDay + 10 * kHour, "儿童游乐区加装遮阳棚",
                     "夏天游乐区没有遮挡，滑梯和秋千晒得发烫，孩子没法玩。建议加装遮阳棚。",
                     "湖畔社区中心广场儿童游乐区", 48000));
    XT_ASSIGN_OR_RETURN(
        auto cover, make.Propose(lake, "hupan06", D - 41 * kDay + 9 * kHour, "湖畔路3号井盖松动",
                                 "湖畔路3号门口的井盖松动，车辆经过时响声很大，晚上行人容易踩空。",
                                 "湖畔路3号门口", 0));
    XT_ASSIGN_OR_RETURN(auto basin, make.Propose(lake, "resident", D - 40 * kDay + 8 * kHour,
                                                 "垃圾分类亭加装洗手池",
                                                 "倒完垃圾手上很脏，建议在分类亭旁加装洗手池。",
                                                 "湖畔社区北门垃圾分类亭", 6000));
    XT_ASSIGN_OR_RETURN(auto market,
                        make.Propose(lake, "hupan08", D - 40 * kDay + 15 * kHour, "小区内开设夜市",
                                     "在小区中心广场每周末开夜市，方便居民购物，活跃气氛。",
                                     "湖畔社区中心广场", 0));
    XT_ASSIGN_OR_RETURN(shade, make.Qualify(lake, shade, D - 39 * kDay + 9 * kHour, 2));
    XT_ASSIGN_OR_RETURN(cover,
                        make.Qualify(lake, cover, D - 39 * kDay + 9 * kHour + 30 * 60'000'000LL));
    XT_ASSIGN_OR_RETURN(basin, make.Qualify(lake, basin, D - 38 * kDay + 9 * kHour, 1));
    XT_ASSIGN_OR_RETURN(market, make.Qualify(lake, market, D - 38 * kDay + 14 * kHour));

    const Timestamp at = D - 33 * kDay + 19 * kHour;
    clock.Set(D - 36 * kDay + 15 * kHour);
    auto meeting = deliberation.ScheduleMeeting(
        lead, {.community_id = lake.id,
               .title = fmt::format("{}湖畔社区居民议事会", YearMonth(at)),
               .kind = participation::MeetingKind::kCouncil,
               .scheduled_at = at,
               .place = "湖畔社区党群服务中心二楼会议室",
               .agenda = {shade.id, cover.id, basin.id, market.id}});
    if (!meeting) return Fail(While("scheduling the meeting", meeting.error()));
    ++report.meetings;

    XT_ASSIGN_OR_RETURN(auto catalog, platform.matters().Snapshot());
    const matters::Matter* manhole = LeafNamed(*catalog, "井盖缺失破损");
    participation::MeetingRecord rec;
    for (int i = 0; i < 9; ++i) {
      XT_ASSIGN_OR_RETURN(auto who, people.As(lake.residents[i]));
      rec.attendees.push_back(who.account_id);
    }
    rec.minutes =
        "到会居民9人，社区书记主持。逐项听取提案人说明并讨论后表决：遮阳棚、洗手池两项由"
        "街道议事厅项目专班实施；井盖松动转市政设施部门办理；夜市一项因噪声扰民不予采纳。";
    const Implement shade_task{"task", handler.account_id, 30, ""};
    const Implement basin_task{"task", handler.account_id, 20, ""};
    const Implement cover_request =
        manhole ? Implement{"request", "", 0, manhole->id} : Implement{"none", "", 0, ""};
    rec.decisions = {{shade.id, Decision::kAccepted, "", shade_task},
                     {cover.id, Decision::kAccepted, "", cover_request},
                     {basin.id, Decision::kAccepted, "", basin_task},
                     {market.id, Decision::kRejected, "噪声扰民，影响休息", {}}};
    clock.Set(at + 2 * kHour);
    auto recorded = deliberation.RecordMeeting(lead, meeting->id, rec);
    if (!recorded) return Fail(While("recording the meeting", recorded.error()));
    // Carried out with the record; again here only to report a failure.
    XT_ASSIGN_OR_RETURN(shade, deliberation.Implement(lead, shade.id));
    XT_ASSIGN_OR_RETURN(basin, deliberation.Implement(lead, basin.id));
    if (manhole) {
      XT_ASSIGN_OR_RETURN(cover, deliberation.Implement(lead, cover.id));
      // Its unit signs it and is on it.
      clock.Set(at + 16 * kHour);
      requests::CommandInput sign;
      sign.command = requests::Command::kSign;
      if (auto r = requests.Apply(system, cover.request_id, sign); !r)
        return Fail(While("signing the manhole request", r.error()));
      clock.Set(at + 20 * kHour);
      requests::CommandInput handle;
      handle.command = requests::Command::kHandle;
      handle.text = "已安排维修人员现场查看，井座需更换，材料已申领。";
      if (auto r = requests.Apply(system, cover.request_id, handle); !r)
        return Fail(While("handling the manhole request", r.error()));
    }
    // The shade: two progress reports, 40 % now. The basin: done.
    auto progress = [&](const std::string& task_id, Timestamp t, std::string text,
                        int percent) -> Result<void> {
      clock.Set(t);
      auto r =
          collab.ReportProgress(handler, task_id, {.text = std::move(text), .percent = percent});
      if (!r) return Fail(While("a task's progress", r.error()));
      return {};
    };
    XT_TRY_VOID(
        progress(shade.task_id, D - 25 * kDay + 16 * kHour, "已完成现场测量和遮阳棚方案设计", 20));
    XT_TRY_VOID(
        progress(shade.task_id, D - 12 * kDay + 16 * kHour, "遮阳棚钢架已进场，正在安装", 40));
    XT_TRY_VOID(progress(basin.task_id, D - 28 * kDay + 15 * kHour, "供水和排水管线已接通", 60));
    XT_TRY_VOID(progress(basin.task_id, D - 21 * kDay + 15 * kHour,
                         "洗手池安装完成，居民代表验收通过", 100));
    clock.Set(D - 21 * kDay + 16 * kHour);
    if (auto r = collab.SetTaskStatus(handler, basin.task_id, "done"); !r)
      return Fail(While("finishing the basin's task", r.error()));
  }

  // 4. Withdrawn, hidden, qualified, collecting.
  {
    XT_ASSIGN_OR_RETURN(
        auto film, make.Propose(lake, "hupan07", D - 20 * kDay + 20 * kHour, "周末放映露天电影",
                                "夏季周末晚上在中心广场放映露天电影。", "湖畔社区中心广场", 3000));
    clock.Set(D - 18 * kDay + 9 * kHour);
    XT_ASSIGN_OR_RETURN(auto who, people.As("hupan07"));
    if (auto r = deliberation.Withdraw(who, film.id, "入冬了，明年夏天再提"); !r)
      return Fail(While("withdrawing", r.error()));

    XT_ASSIGN_OR_RETURN(
        auto ad, make.Propose(lake, "hupan10", D - 12 * kDay + 11 * kHour, "专业疏通下水道",
                              "专业疏通下水道、马桶，低价上门，随叫随到，详询电话13800000000。",
                              "湖畔社区", 0));
    clock.Set(D - 12 * kDay + 13 * kHour);
    if (auto r = deliberation.Hide(lead, ad.id, "商业广告，与社区公共事务无关"); !r)
      return Fail(While("hiding the advertisement", r.error()));

    XT_ASSIGN_OR_RETURN(
        auto walk, make.Propose(lake, "hupan02", D - 16 * kDay + 10 * kHour, "湖畔路人行道破损修补",
                                "湖畔路北侧人行道地砖多处破损翘起，雨天积水，老人容易摔倒。",
                                "湖畔路北侧人行道", 15000));
    XT_ASSIGN_OR_RETURN(walk, make.Qualify(lake, walk, D - 15 * kDay + 9 * kHour, 1));

    XT_ASSIGN_OR_RETURN(
        auto hall,
        make.Propose(lake, "hupan05", D - 14 * kDay + 19 * kHour, "社区活动室开放时间延长至晚九点",
                     "上班族晚上才有时间参加活动，建议活动室开放到晚上九点。", "湖畔社区活动室",
                     0));
    XT_ASSIGN_OR_RETURN(hall, make.Qualify(lake, hall, D - 13 * kDay + 9 * kHour));
    const Timestamp next = D + 5 * kDay + 19 * kHour;
    clock.Set(D - 2 * kDay + 10 * kHour);
    auto meeting = deliberation.ScheduleMeeting(
        lead, {.community_id = lake.id,
               .title = fmt::format("{}湖畔社区居民议事会", YearMonth(next)),
               .kind = participation::MeetingKind::kCouncil,
               .scheduled_at = next,
               .place = "湖畔社区党群服务中心二楼会议室",
               .agenda = {hall.id}});
    if (!meeting) return Fail(While("scheduling next week's meeting", meeting.error()));
    ++report.meetings;

    XT_ASSIGN_OR_RETURN(
        auto charger,
        make.Propose(lake, "hupan04", D - 6 * kDay + 20 * kHour, "小区东门增设非机动车充电桩",
                     "电动车在楼道充电有火灾隐患，建议在东门车棚增设集中充电桩。",
                     "湖畔社区东门车棚", 25000));
    XT_ASSIGN_OR_RETURN(
        charger,
        make.Support(lake, charger, std::min<int>(3, static_cast<int>(charger.threshold) - 1),
                     D - 5 * kDay + 9 * kHour));
    XT_ASSIGN_OR_RETURN(
        auto lights,
        make.Propose(lake, "resident", D - 3 * kDay + 21 * kHour, "楼道加装声控灯",
                     "5幢楼道灯坏了很久，建议统一换成声控灯，省电又方便。", "湖畔社区5幢", 2400));
    XT_ASSIGN_OR_RETURN(lights, make.Support(lake, lights, 1, D - 2 * kDay + 9 * kHour));
  }

  // 5. 柳巷社区: a bench collecting supports, and lighting qualified when it can be.
  if (!willow.id.empty()) {
    XT_ASSIGN_OR_RETURN(
        auto bench,
        make.Propose(willow, "liuxiang02", D - 8 * kDay + 10 * kHour, "老街巷口增设休息座椅",
                     "老街巷口老人买菜回来没地方歇脚，建议增设几张休息座椅。", "柳巷社区老街巷口",
                     4000));
    XT_ASSIGN_OR_RETURN(bench, make.Support(willow, bench, 2, D - 7 * kDay + 9 * kHour));
    XT_ASSIGN_OR_RETURN(
        auto light,
        make.Propose(willow, "liuxiang01", D - 10 * kDay + 10 * kHour, "文庙广场夜间照明",
                     "文庙广场晚上太暗，跳广场舞和散步的居民多，建议增加照明。", "柳巷社区文庙广场",
                     18000));
    XT_ASSIGN_OR_RETURN(light, make.Qualify(willow, light, D - 9 * kDay + 9 * kHour));
  }

  // 6. The budget voting now: 口袋公园提升, 6 ballots, none from `resident`.
  {
    clock.Set(D - 3 * kDay + 10 * kHour);
    participation::NewBudget in;
    in.community_id = lake.id;
    in.title = fmt::format("{}年湖畔社区口袋公园提升", Year(D) + 1);
    in.description = "口袋公园提升资金15万元。每人最多选2项，所选项目合计不超过总额。";
    in.total_fen = 150000 * kYuan;
    in.max_choices = 2;
    in.voting_opens = D - 2 * kDay + 8 * kHour;
    in.voting_closes = D + 14 * kDay + 20 * kHour;
    auto b = deliberation.CreateBudget(lead, in);
    if (!b) return Fail(While("the open budget", b.error()));
    ++report.budgets;
    struct P {
      std::string_view title, text;
      std::int64_t yuan;
    };
    const P projects[] = {
        {"休憩座椅与遮阳廊架", "沿步道设置座椅和一段遮阳廊架。", 45000},
        {"夜间照明改造", "更换为节能庭院灯并增加步道地灯。", 38000},
        {"儿童沙池", "新建带围挡的儿童沙池。", 52000},
        {"无障碍坡道", "公园三个出入口改造为无障碍坡道。", 30000},
    };
    std::vector<std::string> ids;
    for (const auto& pr : projects) {
      auto made = deliberation.AddProject(lead, b->id,
                                          {.title = std::string(pr.title),
                                           .description = std::string(pr.text),
                                           .cost_fen = pr.yuan * kYuan,
                                           .proposal_id = ""});
      if (!made) return Fail(While("a project of the open budget", made.error()));
      ids.push_back(made->id);
    }
    clock.Set(in.voting_opens);
    if (auto opened = deliberation.OpenBudget(lead, b->id); !opened)
      return Fail(While("opening the open budget", opened.error()));
    const std::vector<std::vector<int>> choices = {{0, 3}, {1, 2}, {3, 1}, {0, 2}, {3}, {1, 0}};
    for (std::size_t i = 0; i < choices.size(); ++i) {
      XT_ASSIGN_OR_RETURN(auto voter, people.As(lake.residents[i + 1]));  // hupan01…06
      clock.Set(in.voting_opens + kHour + static_cast<Timestamp>(i) * 3 * kHour);
      participation::CastBallot ballot;
      for (int k : choices[i]) ballot.project_ids.push_back(ids[k]);
      auto cast = deliberation.Cast(voter, b->id, std::move(ballot));
      if (!cast) return Fail(While("a ballot of the open budget", cast.error()));
      ++report.ballots;
    }
  }
  return report;
}

}  // namespace xietong::app
