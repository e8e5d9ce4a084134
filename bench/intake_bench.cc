// Durable intake throughput: N client threads, as the centre's operator, each
// submit request after request through RequestService::Submit (validate,
// locate, route, store, audit and — with --dispatch — dispatch with its
// timers and the rates rollup, acknowledged after the fsync'd group commit)
// and record the latency of every call. Sets up the demo city and its
// matters in the database first (idempotent). Used by bench/intake.sh.
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "app/platform.h"
#include "bench_platform.h"
#include "core/json.h"
#include "intake_samples.h"

namespace {

using namespace xietong;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string database;  // empty: SQLite in data_dir
  std::string data_dir;
  int threads = 64;
  double seconds = 10;
  bool dispatch = false;
  // What-if for profiling: PRAGMAs run on the SQLite writer connection before the
  // run, e.g. "temp_store=MEMORY; cache_size=-65536". Empty: as the platform sets it.
  std::string writer_pragmas;
};

using bench::Box;
using bench::BoxOf;
using bench::kSamples;
using bench::kSurnames;

void Usage() {
  fmt::print(stderr,
             "usage: intake_bench (--database URL | --data-dir DIR) [--threads N] [--seconds S] "
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

double Percentile(const std::vector<std::int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(sorted_us.size() - 1) + 0.5);
  return static_cast<double>(sorted_us[k]) / 1000.0;
}

int Report(const Error& e) {
  fmt::print(stderr, "intake_bench: {}\n", e.message);
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
      bench::BenchPlatform::Open("intake-bench", o.data_dir, o.database, o.writer_pragmas);
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

  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> errors{0};
  std::atomic<std::int64_t> done{0};
  std::vector<std::vector<std::int64_t>> latencies(static_cast<std::size_t>(o.threads));
  std::vector<std::string> first_error(static_cast<std::size_t>(o.threads));
  std::vector<std::thread> clients;
  const auto start = SteadyClock::now();
  for (int t = 0; t < o.threads; ++t) {
    clients.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 17);
      auto& mine = latencies[static_cast<std::size_t>(t)];
      mine.reserve(1 << 16);
      while (!stop.load(std::memory_order_relaxed)) {
        requests::Intake in = make_intake(rng);
        const auto t0 = SteadyClock::now();
        auto r = p.requests().Submit(op, std::move(in));
        const auto t1 = SteadyClock::now();
        if (!r) {
          if (errors.fetch_add(1) == 0)
            first_error[static_cast<std::size_t>(t)] = r.error().message;
          continue;
        }
        mine.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // Throughput second by second, to show whether it holds as the tables grow.
  std::vector<std::int64_t> per_second;
  for (std::int64_t last = 0;;) {
    const auto next = start + std::chrono::seconds(static_cast<long>(per_second.size()) + 1);
    const auto until = start + std::chrono::duration_cast<SteadyClock::duration>(
                                   std::chrono::duration<double>(o.seconds));
    std::this_thread::sleep_until(std::min(next, until));
    if (SteadyClock::now() >= until) break;
    const std::int64_t now_done = done.load(std::memory_order_relaxed);
    per_second.push_back(now_done - last);
    last = now_done;
  }
  stop = true;
  for (auto& c : clients) c.join();
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();

  std::vector<std::int64_t> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  for (const auto& e : first_error)
    if (!e.empty()) fmt::print(stderr, "first error: {}\n", e);

  fmt::print("backend      {}\n", p.db().Describe());
  fmt::print("mode         {}, {} client threads, {:.1f} s\n",
             o.dispatch ? "route + dispatch + timers + rates + audit" : "route + store + audit",
             o.threads, elapsed);
  fmt::print("intakes      {} ({} errors)\n", all.size(), errors.load());
  fmt::print("intakes/s    {:.0f}\n", static_cast<double>(all.size()) / elapsed);
  fmt::print("latency ms   p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  max {:.2f}\n", Percentile(all, 0.50),
             Percentile(all, 0.90), Percentile(all, 0.99),
             all.empty() ? 0.0 : static_cast<double>(all.back()) / 1000.0);
  std::string seconds_line;
  for (auto n : per_second) seconds_line += fmt::format(" {}", n);
  fmt::print("per second  {}\n", seconds_line);
  platform->reset();
  return errors.load() == 0 ? 0 : 1;
}
