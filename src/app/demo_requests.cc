#include "app/demo_requests.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <vector>

#include "app/demo_people.h"
#include "matters/matter.h"
#include "requests/routing.h"

namespace xietong::app {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::UnitKind;
using requests::Command;
using requests::CommandInput;
using requests::Request;
using requests::Satisfaction;

// What residents of 江澜市 call about: a leaf by name, a title and the words.
struct Story {
  std::string_view leaf, title, text;
};

constexpr Story kStories[] = {
    {"占道经营", "菜场门口占道摆摊",
     "每天早上菜场门口有十几个摊贩占道经营，电动车和行人都过不去。"},
    {"环境卫生脏乱", "小区后门垃圾没人扫", "小区后门的小路上落叶和垃圾堆了一个多星期，没人清扫。"},
    {"小广告乱贴乱画", "楼道里贴满小广告",
     "单元楼道和电梯口贴满开锁、办证小广告，清掉第二天又贴上。"},
    {"树木倒伏", "大风把行道树刮倒了", "昨晚大风，路边一棵大树倒在人行道上，压住了两辆自行车。"},
    {"广场舞噪音", "广场舞音响太吵",
     "公园广场每天晚上八点到十点跳广场舞，音响开得很大，孩子没法写作业。"},
    {"路灯故障", "路口路灯不亮", "路口的三盏路灯坏了快半个月，晚上一片漆黑，老人走路不安全。"},
    {"井盖缺失破损", "人行道井盖破了", "人行道上一个下水井盖碎了一半，晚上很容易踩空。"},
    {"道路破损", "路面坑洼积水", "道路中间有好几个大坑，下雨就积水，车开过溅人一身。"},
    {"垃圾清运不及时", "垃圾站两天没清运", "小区旁垃圾站两天没有清运，垃圾桶满了堆在地上，发臭。"},
    {"餐饮油烟", "烧烤店油烟直排", "楼下新开的烧烤店没有装油烟净化器，油烟直接冲进楼上住户家里。"},
    {"违章停车", "消防通道被占", "小区门口的消防通道天天停满私家车，救护车都进不来。"},
    {"房屋漏水", "楼上漏水到我家", "楼上卫生间漏水，我家天花板发霉掉皮，找楼上多次不理。"},
    {"拖欠工资", "装修公司拖欠工资",
     "我在一家装修公司干了三个月，老板拖欠工资一万二，一直找借口不给。"},
    {"电梯故障", "电梯经常停运", "我们单元的电梯一个月坏了四次，楼上住着好几位八十多岁的老人。"},
    {"楼道杂物", "楼道堆满杂物", "楼道里堆满纸箱和旧家具，堵住了安全出口。"},
    {"流浪动物", "小区流浪狗伤人", "小区里有几只流浪狗，昨天追着咬伤了一个放学的孩子。"},
};

constexpr std::string_view kCallers[] = {"陈女士", "王先生", "李阿姨", "张师傅", "刘女士",
                                         "赵先生", "孙老师", "周女士", "吴先生", "郑大爷"};

struct Scene {
  const WorkCalendar& calendar;
  const requests::Directory& dir;
  const matters::Catalog& catalog;
  std::vector<const OrgUnit*> communities;
  std::vector<const OrgUnit*> grids;  // where history requests happen (the dashboard's map)
};

// The city's past (demo_history.h), stored through the importer in batches.
Result<int> AddHistory(Platform& p, const Scene& s, const DemoHistoryOptions& options) {
  int stored = 0;
  XT_ASSIGN_OR_RETURN(
      [[maybe_unused]] const int made,
      GenerateDemoHistory({s.calendar, s.dir, s.catalog, p.clock().Now()}, options,
                          [&](std::vector<Request> rows) -> Result<void> {
                            XT_ASSIGN_OR_RETURN(
                                const int n,
                                p.requests().ImportHistory(Principal::System(), std::move(rows)));
                            stored += n;
                            return {};
                          }));
  return stored;
}

// --- live requests, through the real commands ----------------------------------

CommandInput Say(Command c, std::string text = {}) {
  CommandInput in;
  in.command = c;
  in.text = std::move(text);
  return in;
}

requests::Intake Call(const Story& story, const OrgUnit& community, std::string_view caller,
                      int n) {
  requests::Intake in;
  in.channel = requests::Channel::kPhone;
  in.title = std::string(story.title);
  in.text = std::string(story.text);
  in.place.address = community.name + fmt::format("{}号楼", 3 + n);
  in.contact_name = std::string(caller);
  in.contact_phone = fmt::format("1380571{:04}", 1200 + n);
  in.external_id = fmt::format("demo:live:{:02}", n);
  in.dispatch = true;
  return in;
}

Result<int> AddLive(Platform& p, const Scene& s, const std::string& password) {
  DemoPeople actors(p.identity(), password);
  XT_ASSIGN_OR_RETURN(auto op, actors.As("operator"));
  XT_ASSIGN_OR_RETURN(auto street, actors.As("street.handler"));
  XT_ASSIGN_OR_RETURN(auto dept, actors.As("dept.handler"));
  XT_ASSIGN_OR_RETURN(auto resident, actors.As("resident"));
  auto& svc = p.requests();
  // The street.handler's street: its first community is where the stories happen.
  const OrgUnit* home = nullptr;
  for (const auto& m : street.memberships)
    if (const OrgUnit* u = s.dir.Find(m.unit_id); u && u->kind == UnitKind::kCommunity) home = u;
  if (!home) return Fail(Error::NotFound("street.handler looks after no community"));

  int made = 0;
  auto submit = [&](std::string_view leaf, int n) -> Result<Request> {
    const Story* story = nullptr;
    for (const Story& st : kStories)
      if (st.leaf == leaf) story = &st;
    const matters::Matter* m = story ? LeafNamed(s.catalog, leaf) : nullptr;
    if (!m) return Fail(Error::NotFound(fmt::format("the demo matter '{}' is missing", leaf)));
    auto in = Call(*story, *home, kCallers[n % std::size(kCallers)], n);
    in.matter_id = m->id;
    XT_ASSIGN_OR_RETURN(auto out, svc.Submit(op, std::move(in)));
    ++made;
    return out.request;
  };
  auto run = [&](const Principal& who, const Request& r, CommandInput in) -> Result<Request> {
    return svc.Apply(who, r.id, std::move(in));
  };

  // Waiting to be signed for by the street.
  XT_TRY_VOID(submit("占道经营", 1));
  XT_TRY_VOID(submit("小广告乱贴乱画", 2));
  // Signed, and being handled.
  XT_ASSIGN_OR_RETURN(auto trees, submit("树木倒伏", 3));
  XT_ASSIGN_OR_RETURN(trees, run(street, trees, Say(Command::kSign)));
  XT_TRY_VOID(run(street, trees, Say(Command::kHandle, "已联系园林队，今天下午清理倒树。")));
  // The street summons the city's urban management (吹哨); the report is still due.
  XT_ASSIGN_OR_RETURN(auto dirty, submit("环境卫生脏乱", 4));
  XT_ASSIGN_OR_RETURN(dirty, run(street, dirty, Say(Command::kSign)));
  CommandInput summon = Say(Command::kSummon);
  summon.reason = "后门小路产权不清，需要城管委确认清扫责任";
  for (const OrgUnit* d : s.dir.OfKind(UnitKind::kDepartment))
    if (d->code == "JL-D01") summon.department_ids.push_back(d->id);
  XT_TRY_VOID(run(street, dirty, summon));
  // Replied, waiting for the centre's callback.
  XT_ASSIGN_OR_RETURN(auto dance, submit("广场舞噪音", 5));
  XT_ASSIGN_OR_RETURN(dance, run(street, dance, Say(Command::kSign)));
  XT_TRY_VOID(
      run(street, dance,
          Say(Command::kReply, "已与广场舞队约定晚上九点前结束，音量调低，社区每晚巡查。")));
  // Called back, satisfied, and so closed.
  XT_ASSIGN_OR_RETURN(auto rubbish, submit("楼道杂物", 6));
  XT_ASSIGN_OR_RETURN(rubbish, run(street, rubbish, Say(Command::kSign)));
  XT_ASSIGN_OR_RETURN(rubbish,
                      run(street, rubbish, Say(Command::kReply, "已组织物业清理楼道杂物。")));
  CommandInput callback = Say(Command::kCallback);
  callback.resolved = true;
  callback.satisfaction = Satisfaction::kSatisfied;
  callback.text = "来电人表示楼道已清理干净，满意。";
  XT_TRY_VOID(run(op, rubbish, callback));  // a satisfied callback closes it
  // A city department's work: the street lights, signed by dept.handler.
  XT_ASSIGN_OR_RETURN(auto lights, submit("路灯故障", 7));
  XT_TRY_VOID(run(dept, lights, Say(Command::kSign)));
  XT_TRY_VOID(submit("井盖缺失破损", 8));
  // A resident's own request from the web, waiting for the operator.
  requests::Intake web;
  web.title = "小区健身器材坏了";
  web.text = "小区广场上的健身器材有两件螺丝松了，晃得厉害，怕老人孩子受伤。";
  web.place.address = home->name + "中心广场";
  web.contact_phone = "13905710001";
  web.contact_name = "居民";
  web.external_id = "demo:live:09";
  XT_TRY_VOID(svc.Submit(resident, std::move(web)));
  return made + 1;
}

}  // namespace

Result<DemoRequestReport> CreateDemoRequests(Platform& p, const std::string& staff_password,
                                             const DemoHistoryOptions& history) {
  DemoRequestReport report;
  XT_ASSIGN_OR_RETURN(const std::int64_t existing, p.requests().CountExternalIdPrefix("demo:"));
  if (existing > 0) {
    report.existed = true;
    return report;
  }
  XT_ASSIGN_OR_RETURN(auto dir, p.requests().directory());
  XT_ASSIGN_OR_RETURN(auto catalog, p.matters().Snapshot());
  Scene scene{p.calendar(), *dir, *catalog, {}, {}};
  const auto by_code = [](const OrgUnit* a, const OrgUnit* b) { return a->code < b->code; };
  for (const OrgUnit* c : dir->OfKind(UnitKind::kCommunity)) scene.communities.push_back(c);
  for (const OrgUnit* g : dir->OfKind(UnitKind::kGrid)) scene.grids.push_back(g);
  std::sort(scene.communities.begin(), scene.communities.end(), by_code);
  std::sort(scene.grids.begin(), scene.grids.end(), by_code);
  if (scene.communities.empty() || scene.grids.empty())
    return Fail(
        Error::NotFound("the demo city has no communities or grids; create the city first"));
  XT_ASSIGN_OR_RETURN(report.history, AddHistory(p, scene, history));
  auto live = AddLive(p, scene, staff_password);
  if (live) {
    report.live = *live;
  } else {
    report.skipped = live.error().message;
  }
  return report;
}

}  // namespace xietong::app
