#include "app/demo_services.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "app/demo_random.h"
#include "audit/consumer.h"
#include "services/services_service.h"

namespace xietong::app {
namespace {

using identity::Principal;
using services::AppStatus;
using services::PartStatus;

constexpr std::string_view kBundles[] = {"open-restaurant", "newborn", "retirement"};
constexpr int kDays = 60;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::NotFound(fmt::format("cannot read {}", path)));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Mobile(Draw& d) {
  return fmt::format("1{}{:09}", 3 + d.Below(7), d.Next() % 1'000'000'000ULL);
}

std::string Day(Timestamp t) {
  const auto days =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::microseconds>(
          std::chrono::microseconds(t + kShanghaiOffset)));
  const std::chrono::year_month_day ymd(days);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

constexpr std::string_view kShops[] = {"老街坊面馆", "江畔小厨", "春江鱼庄", "一碗好粥",
                                       "湖畔茶饮",   "阿婆馄饨", "滨江烧烤", "晨光早餐铺"};
constexpr std::string_view kStreets[] = {"春江路", "望湖路", "柳巷街", "新桥路", "观澜大道"};
constexpr std::string_view kGiven[] = {"子涵", "一诺", "沐阳", "欣怡", "浩然", "梓萱", "宇轩"};
constexpr std::string_view kHospitals[] = {"江澜市妇幼保健院", "江澜市第一人民医院",
                                           "滨江区人民医院"};
constexpr std::string_view kEmployers[] = {"江澜市第三中学", "江澜纺织有限公司", "江澜市自来水公司",
                                           "滨江区人民医院"};

json::Json FormFor(std::string_view service, const Principal& who, Draw& d, Timestamp now) {
  const std::string phone = who.phone.value_or(Mobile(d));
  const std::string address = fmt::format("江澜市{}{}号", d.Pick(kStreets), 1 + d.Below(200));
  if (service == "open-restaurant") {
    json::Json f = {{"company_name", fmt::format("{}（{}店）", d.Pick(kShops), d.Pick(kStreets))},
                    {"legal_person", who.display_name},
                    {"legal_person_id", IdNumber(d, 1970 + d.Below(30))},
                    {"phone", phone},
                    {"address", address},
                    {"area_m2", 40 + d.Below(160)},
                    {"seats", 10 + d.Below(60)},
                    {"business_type", d.Chance(70) ? "hot" : (d.Chance(50) ? "cold" : "drinks")},
                    {"has_signage", d.Chance(70)}};
    if (f["has_signage"] == true) f["signage_size"] = fmt::format("{}×1.2", 3 + d.Below(5));
    f["opening_date"] = Day(now + (20 + d.Below(30)) * 24 * kMicrosPerHour);
    return f;
  }
  if (service == "newborn") {
    const std::string surname = who.display_name.substr(0, 3);
    return {{"child_name", surname + std::string(d.Pick(kGiven))},
            {"child_gender", d.Chance(50) ? "f" : "m"},
            {"birth_date", Day(now - (2 + d.Below(20)) * 24 * kMicrosPerHour)},
            {"birth_hospital", d.Pick(kHospitals)},
            {"name", who.display_name},
            {"applicant_id", IdNumber(d, 1988 + d.Below(10))},
            {"phone", phone},
            {"hukou_address", address}};
  }
  return {{"name", who.display_name},
          {"id_number", IdNumber(d, 1964 + d.Below(3))},
          {"phone", phone},
          {"employer", d.Pick(kEmployers)},
          {"retirement_date", Day(now + (5 + d.Below(25)) * 24 * kMicrosPerHour)},
          {"bank_account", fmt::format("6217{:012}", d.Next() % 1'000'000'000'000ULL)}};
}

// The department handler the demo city gives each unit.
std::string HandlerOf(std::string_view unit_code) {
  if (unit_code == "JL-D01") return "dept.handler";
  std::string stem;
  for (char c : unit_code) {
    if (c == '-') continue;
    stem += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return stem + ".handler";
}

constexpr std::string_view kCorrections[] = {
    "材料照片不清晰，请重新上传", "地址与租赁合同不一致，请核对后修改", "缺少签字页，请补充后上传"};

}  // namespace

Result<DemoServicesReport> CreateDemoServices(Platform& p, const std::string& staff_password,
                                              const std::string& services_dir) {
  const std::string dir = services_dir.empty() ? XIETONG_DEFAULT_SERVICES_DIR : services_dir;
  DemoServicesReport report;
  const Timestamp real_now = p.clock().Now();
  ManualClock clock(real_now - (kDays + 1) * 24 * kMicrosPerHour);
  IdGenerator ids(clock);
  workflow::WorkflowService workflow(p.db(), clock, ids, p.identity(), &p.calendar());
  files::FileService files(p.db(), clock, ids);
  services::ServicesService svc(p.db(), clock, ids, p.identity(), workflow, p.calendar());

  for (auto code : kBundles) {
    XT_ASSIGN_OR_RETURN(auto bpmn, ReadFile(fmt::format("{}/{}.bpmn", dir, code)));
    XT_ASSIGN_OR_RETURN(auto definition, ReadFile(fmt::format("{}/{}.json", dir, code)));
    XT_ASSIGN_OR_RETURN(auto deployed, workflow.Deploy(Principal::System(), bpmn));
    if (!deployed.deployed)
      return Fail(Error::InvalidArgument(
          fmt::format("{}.bpmn does not deploy: {}", code,
                      deployed.problems.empty() ? "" : deployed.problems.front().reason)));
    auto parsed = json::Json::parse(definition, nullptr, false);
    if (parsed.is_discarded())
      return Fail(Error::InvalidArgument(fmt::format("{}.json is not JSON", code)));
    XT_ASSIGN_OR_RETURN(auto before, svc.Services());
    XT_ASSIGN_OR_RETURN(auto b, svc.Define(Principal::System(), parsed));
    const bool is_new = std::none_of(before.begin(), before.end(),
                                     [&](const auto& v) { return v.bundle.id == b.id; });
    report.services += is_new;
  }
  XT_ASSIGN_OR_RETURN(auto existing, svc.List(Principal::System(), {.limit = 1}));
  if (!existing.empty()) {
    report.existed = true;
    return report;
  }

  // Reactions in place, on the demo's clock; a short lease so that `serve`
  // takes them over at once.
  const audit::ConsumerOptions app_options{
      .name = "services.applications", .action_prefix = "service.", .lease = kMicrosPerSecond};
  const audit::ConsumerOptions flow_options{
      .name = "services.workflow", .action_prefix = "workflow.", .lease = kMicrosPerSecond};
  audit::Consumer on_applications(
      p.db(), clock, "demo", app_options,
      [&](storage::Executor& ex, const audit::Event& e) { return svc.OnApplicationEvent(ex, e); });
  audit::Consumer on_process(
      p.db(), clock, "demo", flow_options,
      [&](storage::Executor& ex, const audit::Event& e) { return svc.OnWorkflowEvent(ex, e); });
  auto react = [&]() -> Result<void> {
    for (int round = 0; round < 20; ++round) {
      XT_ASSIGN_OR_RETURN(int a, on_applications.CatchUp());
      XT_ASSIGN_OR_RETURN(int b, on_process.CatchUp());
      if (a + b == 0) return {};
    }
    return Fail(Error::Internal("the demo's reactions did not settle"));
  };

  // The people: residents apply, each unit's handler decides.
  std::map<std::string, Principal> people;
  auto as = [&](const std::string& username) -> Result<Principal> {
    if (auto it = people.find(username); it != people.end()) return it->second;
    XT_ASSIGN_OR_RETURN(auto login, p.identity().Login(username, staff_password));
    XT_ASSIGN_OR_RETURN(auto principal, p.identity().Authenticate(login.token));
    people[username] = principal;
    return principal;
  };
  if (auto probe = as("resident"); !probe) {
    report.skipped = fmt::format("the demo logins do not work ({})", probe.error().message);
    return report;
  }

  Draw d;
  const WorkCalendar& cal = p.calendar();
  int n = 0;
  for (int day = kDays; day >= 0; --day) {
    const Timestamp morning = real_now - day * 24 * kMicrosPerHour;
    const auto date = std::chrono::year_month_day(
        std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::microseconds>(
            std::chrono::microseconds(morning + kShanghaiOffset))));
    if (!cal.IsWorkingDay(date)) continue;
    const int count = 1 + d.Below(3);
    for (int k = 0; k < count; ++k, ++n) {
      // Submitted during office hours of that day (never after now).
      const Timestamp start_of_day = std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::sys_days(date).time_since_epoch())
                                         .count() -
                                     kShanghaiOffset;
      const Timestamp submitted = start_of_day + (9 * 60 + d.Below(8 * 60)) * 60 * kMicrosPerSecond;
      if (submitted >= real_now) continue;
      clock.Set(submitted);
      const int pick = d.Below(100);
      const std::string service(pick < 45 ? kBundles[0] : pick < 80 ? kBundles[1] : kBundles[2]);
      const std::string applicant =
          n % 6 == 0 ? "resident" : fmt::format("resident{:02}", 2 + d.Below(19));
      XT_ASSIGN_OR_RETURN(Principal who, as(applicant));
      XT_ASSIGN_OR_RETURN(auto notice, svc.Service(service));
      services::ApplyInput in;
      in.service = service;
      in.form = FormFor(service, who, d, submitted);
      for (const auto& m : notice.bundle.materials) {
        if (!m.required && !d.Chance(40)) continue;
        XT_ASSIGN_OR_RETURN(auto f,
                            files.Upload(who, "application/pdf",
                                         fmt::format("%PDF-1.4\n% {} {}\n%%EOF\n", m.name.en, n)));
        in.materials[m.key] = {f.id};
      }
      XT_ASSIGN_OR_RETURN(auto applied, svc.Apply(who, in));
      report.applications += 1;
      XT_TRY_VOID(react());
      const std::string id = applied.app.id;

      // Each open part is decided after a share of its promised days; some
      // ask for a correction first, a few refuse, a few run late.
      std::map<std::string, Timestamp> decide_at;
      std::map<std::string, int> asked;
      Timestamp corrected_at = 0;
      for (int step = 0; step < 40; ++step) {
        XT_ASSIGN_OR_RETURN(auto view, svc.Get(Principal::System(), id));
        const services::Application& a = view.app;
        if (a.status == AppStatus::kCompleted) {
          const Timestamp rate_at = a.finished_at + (1 + d.Below(30)) * kMicrosPerHour;
          if (rate_at < real_now && d.Chance(85)) {
            clock.Set(rate_at);
            const int score = d.Chance(70) ? 5 : d.Chance(60) ? 4 : 2 + d.Below(2);
            std::vector<std::string> reasons = score >= 4 ? std::vector<std::string>{"fast", "once"}
                                                          : std::vector<std::string>{"slow"};
            XT_TRY_VOID(svc.Rate(who, id, score, reasons, ""));
          }
          break;
        }
        // The next thing to happen: the applicant's correction or a decision.
        std::string next_part;
        Timestamp next_at = std::numeric_limits<Timestamp>::max();
        if (a.status == AppStatus::kCorrection) {
          // Asked in the last days: the applicant has not answered yet.
          if (!corrected_at)
            corrected_at = real_now - clock.Now() < 4 * 24 * kMicrosPerHour
                               ? real_now
                               : clock.Now() + (4 + d.Below(60)) * kMicrosPerHour;
          next_at = corrected_at;
        }
        for (const auto& part : a.parts) {
          if (part.status != PartStatus::kInReview) continue;
          if (!decide_at.contains(part.key)) {
            const services::PartDef* def = view.service.bundle.Part(part.key);
            const int days = def ? def->promised_days : 1;
            const int percent = d.Chance(8) ? 110 + d.Below(60) : 15 + d.Below(80);
            decide_at[part.key] =
                cal.AddWorkingTime(std::max(part.opened_at, clock.Now()),
                                   cal.working_time_per_day() * days * percent / 100);
          }
          if (decide_at[part.key] < next_at) {
            next_at = decide_at[part.key];
            next_part = part.key;
          }
        }
        if (next_at >= real_now) break;  // still waiting today
        clock.Set(next_at);
        if (next_part.empty()) {  // the applicant corrects what was asked
          const auto items = services::AskedItems(a);
          json::Json form = json::Json::object();
          services::MaterialIds materials;
          for (const auto& item : items) {
            if (view.service.bundle.Material(item)) {
              XT_ASSIGN_OR_RETURN(auto f, files.Upload(who, "application/pdf",
                                                       fmt::format("%PDF-1.4\n% {} v2\n", item)));
              materials[item] = {f.id};
            } else if (a.form.contains(item)) {
              form[item] = a.form[item];
            }
          }
          XT_TRY_VOID(svc.Correct(who, id, form, materials));
          corrected_at = 0;
          continue;
        }
        const services::AppPart* part = a.Part(next_part);
        XT_ASSIGN_OR_RETURN(Principal handler, as(HandlerOf(part->unit_code)));
        const int roll = d.Below(100);
        if (asked[next_part] == 0 && roll < 14) {
          const services::Bundle& b = view.service.bundle;
          std::string item = b.materials.empty() ? b.fields.front().key : b.materials.front().key;
          for (const auto& m : b.materials)
            if (std::find(m.parts.begin(), m.parts.end(), next_part) != m.parts.end()) item = m.key;
          XT_TRY_VOID(
              svc.AskCorrection(handler, id, next_part, std::string(d.Pick(kCorrections)), {item}));
          asked[next_part] = 1;
          decide_at.erase(next_part);
        } else if (roll < 17 &&
                   (next_part == "licence" || next_part == "birth" || next_part == "pension")) {
          XT_TRY_VOID(svc.Reject(handler, id, next_part, "经核查，申请人不符合办理条件"));
        } else {
          XT_TRY_VOID(
              svc.Approve(handler, id, next_part, d.Chance(30) ? "材料齐全，准予许可" : ""));
        }
        XT_TRY_VOID(react());
      }
    }
  }
  XT_TRY_VOID(react());
  return report;
}

}  // namespace xietong::app
