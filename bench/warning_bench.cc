// Early warning on top of intake (issue 17: it must not slow intake by more
// than 10 % and must keep up with ≥ 10,000 intakes/s). Durable intake as in
// intake_bench (N client threads submitting through RequestService::Submit),
// in four phases on one database:
//   A  intake alone (no consumer running);
//   C  the consumer "emergency.warnings" catching up on A's backlog alone:
//      intakes/s the detector keeps up with, with its writes and snapshots;
//   B  intake with the consumer running beside it (polled every 100 ms);
//   A2 intake alone again (the tables have grown: B is compared with the
//      mean of A and A2).
// Prints each phase and `ratio=B/mean(A,A2) consumer_intakes_per_s=…` last.
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "app/platform.h"
#include "audit/consumer.h"
#include "bench_platform.h"
#include "core/json.h"
#include "emergency/warning_service.h"

namespace {

using namespace xietong;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string database;  // empty: SQLite in data_dir
  std::string data_dir;
  int threads = 64;
  double seconds = 5;
  bool dispatch = false;
  // What-if for profiling: PRAGMAs run on the SQLite writer connection before the
  // run, e.g. "temp_store=MEMORY; cache_size=-65536". Empty: as the platform sets it.
  std::string writer_pragmas;
};

// What a caller says, with the leaf of the demo catalogue an operator files it under.
struct Sample {
  std::string_view matter_code, title, text;
};

constexpr Sample kSamples[] = {
    {"01-01-01", "小区门口占道摆摊",
     "小区南门每天晚上有小贩占道摆摊，堵塞消防通道，希望尽快处理。"},
    {"01-01-03", "垃圾两天没人清运", "楼下垃圾桶已经满了两天没人清运，气味很大，蚊蝇很多。"},
    {"01-02-01", "路灯不亮", "我家门口这条路的路灯已经坏了一周，晚上一片漆黑，老人出行很不安全。"},
    {"01-02-02", "井盖破损", "人行道上的井盖碎了一半，已经有电动车摔倒，请尽快更换。"},
    {"01-03-03", "电梯经常停运",
     "我们楼的电梯这个月已经坏了三次，物业说在等配件，八楼老人下不了楼。"},
    {"01-04-02", "夜间施工扰民", "旁边工地每天晚上十一点以后还在打桩，噪音很大，孩子没法睡觉。"},
    {"01-05-05", "下水道堵塞返水", "单元楼下水道堵塞，污水从一楼地漏返出来，请派人疏通。"},
    {"02-01-01", "广场舞音响太吵", "小区广场每天晚上广场舞音响开得很大，一直到十点，影响休息。"},
    {"02-02-01", "饭店油烟直排", "楼下饭店的油烟没有经过净化直接排到居民窗口，夏天没法开窗。"},
    {"03-03-01", "车辆堵住消防通道", "小区消防通道长期被私家车占用，多次劝说无效，存在安全隐患。"},
    {"05-01-01", "工地拖欠工资",
     "我在工地干了三个月，包工头一直拖欠工资，总共两万多元，要求帮助追讨。"},
    {"08-04-03", "楼道里给电动车充电", "有住户把电动车推进楼道，从家里拉电线充电，存在火灾隐患。"},
};

constexpr std::string_view kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄"};

// The inside of a grid's box; the demo's grids are rectangles tiling the city.
struct Box {
  double min_lon, min_lat, max_lon, max_lat;
};

Result<Box> BoxOf(const identity::OrgUnit& grid) {
  if (!grid.geometry)
    return Fail(Error::Internal(fmt::format("grid {} has no geometry", grid.code)));
  auto g = json::Json::parse(*grid.geometry, nullptr, false);
  if (g.is_discarded() || !g.contains("coordinates"))
    return Fail(Error::Internal(fmt::format("grid {} has unreadable geometry", grid.code)));
  Box b{1e9, 1e9, -1e9, -1e9};
  for (const auto& p : g["coordinates"][0]) {
    b.min_lon = std::min(b.min_lon, p[0].get<double>());
    b.max_lon = std::max(b.max_lon, p[0].get<double>());
    b.min_lat = std::min(b.min_lat, p[1].get<double>());
    b.max_lat = std::max(b.max_lat, p[1].get<double>());
  }
  return b;
}

void Usage() {
  fmt::print(stderr,
             "usage: warning_bench (--database URL | --data-dir DIR) [--threads N] [--seconds S] "
             "[--dispatch] [--sqlite-writer-pragmas \"P=V; …\"]\n");
}

bool Parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--dispatch") {
      o.dispatch = true;
    } else if (a == "--database" && (v = value())) {
      o.database = v;
    } else if (a == "--data-dir" && (v = value())) {
      o.data_dir = v;
    } else if (a == "--threads" && (v = value())) {
      o.threads = std::atoi(v);
    } else if (a == "--sqlite-writer-pragmas" && (v = value())) {
      o.writer_pragmas = v;
    } else if (a == "--seconds" && (v = value())) {
      o.seconds = std::atof(v);
    } else {
      return false;
    }
  }
  return (!o.database.empty() || !o.data_dir.empty()) && o.threads > 0 && o.seconds > 0;
}

int Report(const Error& e) {
  fmt::print(stderr, "warning_bench: {}\n", e.message);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, o)) {
    Usage();
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // no migration chatter between the figures
  auto platform =
      bench::BenchPlatform::Open("warning-bench", o.data_dir, o.database, o.writer_pragmas);
  if (!platform) return Report(platform.error());
  app::Platform& p = ***platform;
  const auto setup_start = SteadyClock::now();
  app::DemoOptions demo;
  demo.admin_password = "bench-admin-2026";
  auto city = app::CreateDemoCity(p.identity(), demo);
  if (!city) return Report(city.error());
  auto seeded = p.matters().Seed(identity::Principal::System(), app::DemoMatters());
  if (!seeded) return Report(seeded.error());
  // The operator signs in as at the hotline: the principal Authenticate builds.
  auto login = p.identity().Login("operator", demo.staff_password);
  if (!login) return Report(login.error());
  auto principal = p.identity().Authenticate(login->token);
  if (!principal) return Report(principal.error());
  const identity::Principal op = std::move(*principal);

  auto dir = p.requests().directory();
  if (!dir) return Report(dir.error());
  std::vector<Box> grids;
  for (const auto* g : (*dir)->OfKind(identity::UnitKind::kGrid)) {
    auto b = BoxOf(*g);
    if (!b) return Report(b.error());
    grids.push_back(*b);
  }
  auto catalog = p.matters().Snapshot();
  if (!catalog) return Report(catalog.error());
  std::vector<std::string> matter_ids;
  for (const auto& s : kSamples) {
    const auto* m = (*catalog)->FindByCode(s.matter_code);
    if (!m) return Report(Error::Internal(fmt::format("no demo matter {}", s.matter_code)));
    matter_ids.push_back(m->id);
  }
  fmt::print(stderr, "set up the demo city ({} units, {} grids, {} matters) in {:.1f} s\n",
             city->units_created + city->units_existing, grids.size(), *seeded,
             std::chrono::duration<double>(SteadyClock::now() - setup_start).count());

  auto make_intake = [&](std::mt19937_64& rng) {
    const std::size_t k = rng() % std::size(kSamples);
    const Box& b = grids[rng() % grids.size()];
    std::uniform_real_distribution<double> u(0.02, 0.98);  // clear of the grid's edges
    requests::Intake in;
    in.channel = requests::Channel::kPhone;
    in.title = std::string(kSamples[k].title);
    in.text = std::string(kSamples[k].text);
    in.matter_id = matter_ids[k];
    in.place.lon = b.min_lon + (b.max_lon - b.min_lon) * u(rng);
    in.place.lat = b.min_lat + (b.max_lat - b.min_lat) * u(rng);
    in.contact_name =
        fmt::format("{}{}", kSurnames[rng() % std::size(kSurnames)], rng() % 2 ? "女士" : "先生");
    in.contact_phone = fmt::format("13{}{:08}", 5 + rng() % 5, rng() % 100'000'000);
    in.dispatch = o.dispatch;
    return in;
  };

  // One call first: the directory and catalogue snapshots are warm after it.
  {
    std::mt19937_64 rng(1);
    auto first = p.requests().Submit(op, make_intake(rng));
    if (!first) return Report(first.error());
  }

  // One phase of intake; answers intakes/s.
  std::atomic<std::int64_t> errors{0};
  std::string first_error;
  std::mutex first_error_mutex;
  auto phase = [&](double seconds) {
    std::atomic<bool> stop{false};
    std::atomic<std::int64_t> done{0};
    std::vector<std::thread> clients;
    const auto start = SteadyClock::now();
    for (int t = 0; t < o.threads; ++t) {
      clients.emplace_back([&, t] {
        std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 17 +
                            static_cast<std::uint64_t>(done.load()));
        while (!stop.load(std::memory_order_relaxed)) {
          auto r = p.requests().Submit(op, make_intake(rng));
          if (!r) {
            if (errors.fetch_add(1) == 0) {
              std::lock_guard lock(first_error_mutex);
              first_error = r.error().message;
            }
            continue;
          }
          done.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& c : clients) c.join();
    const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
    return static_cast<double>(done.load()) / elapsed;
  };

  audit::Consumer consumer(
      p.db(), p.clock(), p.node_id(), emergency::WarningService::ConsumerOptions(),
      [&p](storage::Executor& ex, const audit::Event& e) { return p.warnings().OnEvent(ex, e); });
  // Phase A: intake alone.
  auto before = consumer.Status();
  if (!before) return Report(before.error());
  const double a = phase(o.seconds);
  // Phase C: the consumer alone on the backlog (request.received and
  // request.dispatched: two events an intake when dispatching).
  auto backlog = consumer.Status();
  if (!backlog) return Report(backlog.error());
  const auto c0 = SteadyClock::now();
  auto caught = consumer.CatchUp();
  if (!caught) return Report(caught.error());
  const double c_seconds = std::chrono::duration<double>(SteadyClock::now() - c0).count();
  auto after_c = consumer.Status();
  if (!after_c) return Report(after_c.error());
  // Intakes in the backlog: phase A's (and the warm-up call's).
  const double intakes_in_backlog = a * o.seconds + 1;
  const double c_rate = intakes_in_backlog / c_seconds;
  // Phase B: intake with the consumer running.
  audit::ConsumerRunner runner(std::chrono::milliseconds(100));
  runner.Add(consumer);
  runner.Start();
  const double b = phase(o.seconds);
  runner.Stop();
  auto after_b = consumer.Status();
  if (!after_b) return Report(after_b.error());
  const std::int64_t lag_b = after_b->lag();
  auto finish = consumer.CatchUp();
  if (!finish) return Report(finish.error());
  // Phase A2: intake alone again.
  const double a2 = phase(o.seconds);
  if (!first_error.empty()) fmt::print(stderr, "first error: {}\n", first_error);
  auto warnings = p.warnings().List(identity::Principal::System(), std::nullopt, 500);

  fmt::print("backend      {}\n", p.db().Describe());
  fmt::print("mode         {}, {} client threads, {:.1f} s a phase\n",
             o.dispatch ? "route + dispatch + timers + rates + audit" : "route + store + audit",
             o.threads, o.seconds);
  fmt::print("A  intake alone               {:.0f} intakes/s\n", a);
  fmt::print("C  consumer alone on backlog  {:.0f} intakes/s ({} events in {:.2f} s)\n", c_rate,
             after_c->cursor - backlog->cursor, c_seconds);
  fmt::print("B  intake + consumer          {:.0f} intakes/s (lag at the end: {} events)\n", b,
             lag_b);
  fmt::print("A2 intake alone               {:.0f} intakes/s\n", a2);
  fmt::print("warnings raised: {}; errors: {}\n", warnings ? warnings->size() : 0, errors.load());
  fmt::print("ratio={:.3f} consumer_intakes_per_s={:.0f}\n", b / ((a + a2) / 2), c_rate);
  platform->reset();
  return errors.load() == 0 ? 0 : 1;
}
