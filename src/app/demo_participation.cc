#include "app/demo_participation.h"

#include <fmt/core.h>

#include <map>
#include <vector>

#include "app/demo_deliberation.h"
#include "app/demo_people.h"
#include "app/demo_points.h"
#include "audit/consumer.h"
#include "collab/collab_service.h"
#include "collab/volunteer.h"
#include "participation/deliberation_service.h"
#include "participation/points_service.h"
#include "participation/reactions.h"
#include "requests/request_service.h"

namespace xietong::app {
namespace {

using identity::Principal;

constexpr Timestamp kHour = kMicrosPerHour;
constexpr Timestamp kDay = kMicrosPerDay;
constexpr Timestamp kMinute = kHour / 60;
constexpr std::string_view kTag = "demo-participation:";

// The neighbours: username stem, the demo resident whose community they share, how many.
struct Street {
  std::string_view stem;
  std::string_view neighbour_of;
  int count;
};
constexpr Street kNeighbourhoods[] = {{"hupan", "resident", 11}, {"liuxiang", "resident02", 5}};

constexpr std::string_view kNames[] = {
    "苏雨桐", "钱立诚", "孟佳琪", "邵德厚", "潘晓岚", "韦志远", "鲁映雪", "葛春生",
    "范思源", "郝丽萍", "殷建国", "季晨曦", "庞秀英", "乔振华", "卫书瑶", "严海波",
};

// Organisations under a community, as [community of which resident] → name and members.
struct Organisation {
  std::string_view neighbour_of;
  std::string_view code_suffix;
  std::string_view name;
  std::string_view members[2];
};
constexpr Organisation kOrganisations[] = {
    {"resident", "-O1", "湖畔社区志愿者协会", {"hupan02", "hupan05"}},
    {"resident", "-O2", "望湖便民超市", {"hupan09", ""}},
    {"resident02", "-O1", "柳巷老街坊议事会", {"liuxiang01", ""}},
};

// What residents report on the web: a leaf matter by name, a title and the words.
struct Topic {
  std::string_view matter;
  std::string_view title;
  std::string_view text;
  std::string_view reply;
};
constexpr Topic kTopics[] = {
    {"楼道杂物", "楼道里堆满纸箱",
     "3幢2单元楼道里堆了很多纸箱和旧家具，晚上看不清容易绊倒，也有火灾隐患。",
     "已联系物业和堆放住户，楼道杂物已清理完毕。"},
    {"路灯故障", "小区门口路灯不亮", "小区东门外的两盏路灯已经一个星期不亮了，晚上回家很黑。",
     "已通知路灯所维修，两盏路灯更换灯具后恢复照明。"},
    {"小广告乱贴乱画", "单元门上贴满小广告", "单元门和电梯口贴了很多开锁、疏通的小广告，撕了又贴。",
     "已组织清理小广告，并在单元门加装公告栏集中张贴。"},
    {"环境卫生脏乱", "垃圾桶周边脏乱", "小区北侧垃圾桶周边每天都有散落垃圾，味道很大。",
     "已增加清运频次至每日两次，并安排保洁员定时保洁。"},
    {"占道经营", "路口有摊贩占道", "菜场路口早上有摊贩占道，电动车和行人挤在一起。",
     "已引导摊贩进入菜场内经营，早高峰安排人员巡查。"},
    {"树木倒伏", "大风刮倒一棵树", "昨晚大风，小区南门的一棵香樟树歪倒在人行道上。",
     "园林队已扶正加固倒伏树木。"},
};

requests::CommandInput Say(requests::Command c, std::string text = {}, std::string reason = {}) {
  requests::CommandInput in;
  in.command = c;
  in.text = std::move(text);
  in.reason = std::move(reason);
  return in;
}

Error While(std::string_view doing, Error e) {
  e.message = fmt::format("{}: {}", doing, e.message);
  return e;
}

// The demo residents with their community, in a fixed order: the demo's own
// resident accounts, then the neighbours.
struct Resident {
  std::string username;
  std::string account_id;
  std::string community_id;
  std::string community_name;
};

Result<std::vector<Resident>> DemoResidents(identity::IdentityService& identity) {
  std::vector<Resident> out;
  auto add = [&](const std::string& username) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto a, identity.FindAccountByUsername(username));
    if (!a || a->kind != identity::AccountKind::kResident) return {};
    for (const auto& m : a->memberships)
      if (m.role == identity::Role::kResident) {
        XT_ASSIGN_OR_RETURN(auto unit, identity.GetUnit(identity::Principal::System(), m.unit_id));
        out.push_back({username, a->id, m.unit_id, unit->name});
        break;
      }
    return {};
  };
  XT_TRY_VOID(add("resident"));
  for (int i = 2; i <= 20; ++i) XT_TRY_VOID(add(fmt::format("resident{:02}", i)));
  for (const Street& s : kNeighbourhoods)
    for (int i = 1; i <= s.count; ++i) XT_TRY_VOID(add(fmt::format("{}{:02}", s.stem, i)));
  return out;
}

}  // namespace

Result<DemoNeighboursReport> CreateDemoNeighbours(Platform& platform,
                                                  const std::string& staff_password) {
  DemoNeighboursReport report;
  auto& identity = platform.identity();
  const Principal system = Principal::System();
  XT_ASSIGN_OR_RETURN(auto first, identity.FindAccountByUsername("hupan01"));
  if (first) {
    report.existed = true;
    return report;
  }
  std::map<std::string, std::string> community_of;  // demo resident → community id
  int name = 0;
  for (const Street& s : kNeighbourhoods) {
    XT_ASSIGN_OR_RETURN(auto host, identity.FindAccountByUsername(s.neighbour_of));
    if (!host || host->memberships.empty()) continue;  // not the demo city
    const std::string community = host->memberships.front().unit_id;
    community_of[std::string(s.neighbour_of)] = community;
    for (int i = 1; i <= s.count; ++i, ++name) {
      identity::NewAccount a;
      a.username = fmt::format("{}{:02}", s.stem, i);
      a.display_name = std::string(kNames[name % std::size(kNames)]);
      a.kind = identity::AccountKind::kResident;
      a.phone = fmt::format("1365710{:04}", 2000 + name * 37);
      a.password = staff_password;
      a.unit_id = community;
      a.role = identity::Role::kResident;
      auto made = identity.CreateAccount(system, a);
      if (!made) return Fail(While(fmt::format("the demo neighbour {}", a.username), made.error()));
      ++report.neighbours;
    }
  }
  for (const Organisation& o : kOrganisations) {
    const auto it = community_of.find(std::string(o.neighbour_of));
    if (it == community_of.end()) continue;
    XT_ASSIGN_OR_RETURN(auto community, identity.GetUnit(system, it->second));
    XT_ASSIGN_OR_RETURN(
        auto unit,
        identity.CreateUnit(system, {.parent_id = community->id,
                                     .kind = identity::UnitKind::kOrganisation,
                                     .code = community->code + std::string(o.code_suffix),
                                     .name = std::string(o.name),
                                     .geometry = std::nullopt}));
    ++report.organisations;
    for (std::string_view member : o.members) {
      if (member.empty()) continue;
      XT_ASSIGN_OR_RETURN(auto a, identity.FindAccountByUsername(member));
      if (!a) continue;
      XT_TRY_VOID(identity.AddMembership(system, a->id, unit.id, identity::Role::kResident));
    }
  }
  return report;
}

Result<DemoParticipationReport> CreateDemoParticipation(Platform& platform,
                                                        const std::string& staff_password) {
  DemoParticipationReport report;
  XT_ASSIGN_OR_RETURN(const std::int64_t existing, platform.requests().CountExternalIdPrefix(kTag));
  if (existing > 0) {
    report.existed = true;
    return report;
  }
  XT_ASSIGN_OR_RETURN(auto catalog, platform.matters().Snapshot());
  XT_ASSIGN_OR_RETURN(auto residents, DemoResidents(platform.identity()));
  DemoPeople people(platform.identity(), staff_password);
  auto lead = people.As("street.lead");
  auto handler = people.As("street.handler");
  auto operator_ = people.As("operator");
  if (residents.empty() || !lead || !handler || !operator_ || lead->memberships.empty()) {
    report.skipped =
        "the demo's residents and staff (street.lead, street.handler, operator) are "
        "not there";
    return report;
  }

  const Timestamp real_now = platform.clock().Now();
  // Midnight in 江澜 (UTC+8) today.
  const Timestamp today = (real_now + 8 * kHour) / kDay * kDay - 8 * kHour;
  ManualClock clock(today - 56 * kDay + 9 * kHour);
  IdGenerator ids(clock);

  // The services on the demo's clock, over the platform's database.
  collab::CollabService collab(platform.db(), clock, ids, platform.calendar(), platform.identity());
  collab.SetRequestDirectory(&platform.collab_requests());
  requests::RequestService requests(platform.db(), clock, ids, platform.calendar(),
                                    platform.identity(), platform.matters());
  participation::PointsService points(platform.db(), clock, ids, platform.identity(),
                                      platform.key());
  participation::DeliberationService deliberation(platform.db(), clock, ids, platform.identity(),
                                                  collab, requests);
  std::vector<std::unique_ptr<audit::Consumer>> reactions;
  for (audit::ConsumerOptions& o : participation::Reactions())
    reactions.push_back(std::make_unique<audit::Consumer>(
        platform.db(), clock, platform.node_id(), std::move(o),
        [&points, &deliberation](storage::Executor& ex, const audit::Event& e) -> Result<void> {
          XT_TRY_VOID(points.OnEvent(ex, e));
          return deliberation.OnEvent(ex, e);
        }));

  // 0. The settings, rules, rewards and households (demo_points), before what they pay for.
  XT_ASSIGN_OR_RETURN(auto seeded, SeedDemoPoints(platform, clock, points));
  report.rules = seeded.rules;
  report.rewards = seeded.rewards;

  // 1. Requests the residents filed themselves on the web, over eight weeks:
  // dispatched, handled, replied and called back — all closed, one after a
  // dissatisfied callback and the centre's close.
  using requests::Command;
  const Principal system = Principal::System();
  int n = 0;
  for (std::size_t i = 0; i < residents.size(); ++i) {
    const Resident& r = residents[i];
    const int filed = 1 + static_cast<int>(i % 2);
    XT_ASSIGN_OR_RETURN(auto who, people.As(r.username));
    for (int k = 0; k < filed; ++k, ++n) {
      const Topic& t = kTopics[(i * 3 + k) % std::size(kTopics)];
      const matters::Matter* m = LeafNamed(*catalog, t.matter);
      if (!m) continue;
      const Timestamp at = today - (54 - (n * 7) % 50) * kDay + (9 + n % 8) * kHour;
      clock.Set(at);
      requests::Intake in;
      in.title = std::string(t.title);
      in.text = std::string(t.text);
      in.matter_id = m->id;
      in.place.address = r.community_name;
      in.place_unit_id = r.community_id;
      in.contact_name = who.display_name;
      in.contact_phone = fmt::format("1375710{:04}", 1000 + n);
      in.external_id = fmt::format("{}{}", kTag, n);
      auto made = requests.Submit(who, std::move(in));
      if (!made) return Fail(While(fmt::format("{}'s request", r.username), made.error()));
      const std::string id = made->request.id;
      auto apply = [&](const Principal& actor, requests::CommandInput c) -> Result<void> {
        auto done = requests.Apply(actor, id, std::move(c));
        if (!done)
          return Fail(While(fmt::format("the demo request of {}", r.username), done.error()));
        return {};
      };
      clock.Advance(25 * kMinute);
      XT_TRY_VOID(apply(*operator_, Say(Command::kDispatch)));
      clock.Advance(2 * kHour);
      XT_TRY_VOID(apply(system, Say(Command::kSign)));
      clock.Advance(kDay);
      XT_TRY_VOID(apply(system, Say(Command::kReply, std::string(t.reply))));
      clock.Advance(3 * kHour);
      const bool unhappy = n == 5;
      requests::CommandInput callback = Say(Command::kCallback);
      callback.resolved = !unhappy;
      callback.satisfaction =
          unhappy ? requests::Satisfaction::kDissatisfied : requests::Satisfaction::kSatisfied;
      callback.text = unhappy ? "回访：居民认为清理不彻底。" : "回访：居民确认问题已解决。";
      XT_TRY_VOID(apply(*operator_, callback));
      if (unhappy) {
        clock.Advance(kDay);
        XT_TRY_VOID(apply(*operator_, Say(Command::kClose, {}, "复查已清理干净，居民诉求已办结")));
      }
      ++report.requests;
    }
  }

  // 2. 湖畔社区's clean-up, a task force of the street with volunteers whose
  // hours its lead confirms on the day.
  clock.Set(today - 28 * kDay + 9 * kHour);
  const std::string street_id = lead->memberships.front().unit_id;
  collab::NewTaskForce cleanup{.title = "湖畔社区环境整治志愿行动",
                               .subject_kind = "other",
                               .goal = "发动居民志愿者，清理楼道、河岸和公共绿地",
                               .charter = "每周六上午集中行动，街道承办人统筹",
                               .deadline = today + 30 * kDay,
                               .unit_id = street_id};
  collab::MemberInput member;
  member.account_id = handler->account_id;
  cleanup.members.push_back(member);
  XT_ASSIGN_OR_RETURN(auto force, collab.CreateForce(*lead, cleanup));
  std::vector<std::string> tasks;
  for (std::string_view title : {"楼道清理", "河岸垃圾捡拾", "公共绿地补种"}) {
    XT_ASSIGN_OR_RETURN(auto task, collab.AddTask(*lead, force.force.id,
                                                  {.title = std::string(title),
                                                   .owner_account_id = handler->account_id,
                                                   .deadline_days = 20}));
    tasks.push_back(task.id);
  }
  for (int week = 0; week < 4; ++week) {
    const Timestamp saturday = today - (26 - 7 * week) * kDay;
    clock.Set(saturday + 12 * kHour);
    for (std::size_t i = 0; i < residents.size(); ++i) {
      const Resident& r = residents[i];
      if (!r.username.starts_with("hupan") && r.username != "resident") continue;
      if ((i + week) % 3 == 0) continue;  // not everyone comes every week
      collab::VolunteerHoursInput in;
      in.volunteer_account_id = r.account_id;
      in.day = collab::ShanghaiDay(saturday + 12 * kHour);
      in.minutes = 60 * (1 + static_cast<std::int64_t>((i + week) % 3));
      in.note = "周六集中行动";
      auto ok = collab.ConfirmVolunteerHours(*lead, tasks[(i + week) % tasks.size()], in);
      if (!ok) return Fail(While(fmt::format("{}'s volunteer hours", r.username), ok.error()));
      ++report.volunteer_days;
    }
  }

  // 3. 议事厅: proposals in every state, meetings and two budgets (demo_deliberation).
  XT_ASSIGN_OR_RETURN(
      auto deliberated,
      CreateDemoDeliberation(platform, clock, people, deliberation, collab, requests, today));
  report.proposals = deliberated.proposals;
  report.budgets = deliberated.budgets;
  report.ballots = deliberated.ballots;

  // 4. The reactions catch up on the demo's clock: what the rules paid for, and the
  // implemented proposals' progress.
  clock.Set(today - kDay + 20 * kHour);
  for (auto& reaction : reactions) XT_TRY_VOID(reaction->CatchUp());

  // 5. What residents spent, last month's honour roll (demo_points).
  clock.Set(today - kDay + 21 * kHour);
  XT_ASSIGN_OR_RETURN(auto spent, SpendDemoPoints(platform, clock, points));
  report.redemptions = spent.redemptions;
  XT_ASSIGN_OR_RETURN(auto check, points.CheckLedger(system, ""));
  report.postings = check.postings;
  return report;
}

}  // namespace xietong::app
