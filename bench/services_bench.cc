// One-thing applications end to end, durable: C applicant threads each
// upload three PDF materials, apply for 开办餐饮店 through ServicesService
// and then act as the four departments, approving each part as soon as the
// process opens it (licence first, then food, fire and sign in parallel).
// The processes move by the platform's reactions (the consumer runner, woken
// by each commit), as in `serve`. Every step is an fsync'd commit with its
// audit event. Prints completed applications/s and the latencies of Apply
// and of a whole application, last.
//
// Usage: services_bench [--data-dir DIR | --database URL] [--applications N]
//                       [--concurrency C]
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_platform.h"
#include "bench_util.h"
#include "services/services_service.h"

namespace xietong::bench {
namespace {

using identity::Membership;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  if (!in) Die(Error::NotFound("cannot read " + path));
  return s.str();
}

OrgUnit UnitOf(app::Platform& p, std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
  auto found = Must(p.identity().FindUnitByCode(code));
  if (found) return *found;
  return Must(p.identity().CreateUnit(Principal::System(),
                                      {std::move(parent), kind, code, std::move(name), {}}));
}

Principal As(std::string name, const OrgUnit& unit, Role role) {
  Principal p;
  p.account_id = "bench-" + name;
  p.username = name;
  p.display_name = "压测" + name;
  p.memberships.push_back(
      Membership{"m-" + name, p.account_id, unit.id, unit.name, unit.path, role});
  return p;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

int Run(int argc, char** argv) {
  std::string data_dir, database;
  int applications = 200, concurrency = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--data-dir")
      data_dir = argv[i + 1];
    else if (flag == "--database")
      database = argv[i + 1];
    else if (flag == "--applications")
      applications = std::atoi(argv[i + 1]);
    else if (flag == "--concurrency")
      concurrency = std::atoi(argv[i + 1]);
    else
      Die(Error::InvalidArgument("unknown flag " + flag));
  }
  spdlog::set_level(spdlog::level::warn);
  auto bp = Must(BenchPlatform::Open("services_bench", data_dir, database, ""));
  app::Platform& p = **bp;
  const std::string dir = XIETONG_DEFAULT_SERVICES_DIR;
  auto deployed =
      Must(p.workflow().Deploy(Principal::System(), ReadFile(dir + "/open-restaurant.bpmn")));
  if (!deployed.deployed) Die(Error::InvalidArgument("open-restaurant.bpmn does not deploy"));
  const OrgUnit city = UnitOf(p, std::nullopt, UnitKind::kCity, "JL", "江澜市");
  const Principal market =
      As("market", UnitOf(p, city.id, UnitKind::kDepartment, "JL-D09", "市市场监督管理局"),
         Role::kHandler);
  const Principal safety =
      As("safety", UnitOf(p, city.id, UnitKind::kDepartment, "JL-D14", "市应急管理局"),
         Role::kHandler);
  const Principal urban =
      As("urban", UnitOf(p, city.id, UnitKind::kDepartment, "JL-D01", "市城市管理委员会"),
         Role::kHandler);
  Must(p.services().Define(Principal::System(),
                           json::Json::parse(ReadFile(dir + "/open-restaurant.json"))));
  p.consumers().Start();

  std::atomic<int> next{0};
  std::vector<std::vector<double>> apply_ms(concurrency), total_ms(concurrency);
  std::atomic<int> failures{0};
  const auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t)
    threads.emplace_back([&, t] {
      const Principal who = As(fmt::format("applicant{}", t), city, Role::kResident);
      for (int n = next++; n < applications; n = next++) {
        const auto began = SteadyClock::now();
        services::ApplyInput in;
        in.service = "open-restaurant";
        in.form = {{"company_name", fmt::format("压测面馆{}", n)},
                   {"legal_person", "林晓"},
                   {"legal_person_id", "330102199003071230"},
                   {"phone", "13800138000"},
                   {"address", "江澜市滨江区春江路18号"},
                   {"area_m2", 80},
                   {"seats", 24},
                   {"business_type", "hot"},
                   {"has_signage", true}};
        for (const char* m : {"id_card", "lease", "floor_plan"}) {
          auto f = p.files().Upload(who, "application/pdf", fmt::format("%PDF-1.4 {} {}", m, n));
          if (!f) Die(f.error());
          in.materials[m] = {f->id};
        }
        const auto applying = SteadyClock::now();
        auto applied = p.services().Apply(who, in);
        if (!applied) Die(applied.error());
        apply_ms[t].push_back(Seconds(applying) * 1000);
        const std::string id = applied->app.id;
        std::vector<std::string> done;
        for (int spin = 0; spin < 100000 && done.size() < 4; ++spin) {
          auto view = p.services().Get(who, id);
          if (!view) Die(view.error());
          bool acted = false;
          for (const auto& part : view->app.parts) {
            if (part.status != services::PartStatus::kInReview) continue;
            const Principal& by = part.unit_code == "JL-D09"   ? market
                                  : part.unit_code == "JL-D14" ? safety
                                                               : urban;
            auto r = p.services().Approve(by, id, part.key, "");
            if (!r) {
              ++failures;  // a concurrent writer won; read again
              continue;
            }
            done.push_back(part.key);
            acted = true;
          }
          if (!acted) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        for (int spin = 0; spin < 100000; ++spin) {
          auto view = p.services().Get(who, id);
          if (view && view->app.status == services::AppStatus::kCompleted) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        total_ms[t].push_back(Seconds(began) * 1000);
      }
    });
  for (auto& th : threads) th.join();
  const double seconds = Seconds(start);
  p.consumers().Stop();
  std::vector<double> applies, totals;
  for (int t = 0; t < concurrency; ++t) {
    applies.insert(applies.end(), apply_ms[t].begin(), apply_ms[t].end());
    totals.insert(totals.end(), total_ms[t].begin(), total_ms[t].end());
  }
  fmt::print("backend={} applications={} concurrency={} seconds={:.2f} retried_decisions={}\n",
             p.db().Describe(), applications, concurrency, seconds, failures.load());
  fmt::print("apply_ms p50={:.1f} p99={:.1f}; application_ms p50={:.1f} p99={:.1f}\n",
             Percentile(applies, 0.5), Percentile(applies, 0.99), Percentile(totals, 0.5),
             Percentile(totals, 0.99));
  fmt::print("applications/s={:.1f}\n", applications / seconds);
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Run(argc, argv); }
