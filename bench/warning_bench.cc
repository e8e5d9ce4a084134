// Early warning on top of intake (issue 17: it must not slow intake by more
// than 10 % and must keep up with ≥ 10,000 intakes/s). Durable intake as in
// intake_bench (N client threads submitting through RequestService::Submit),
// in phases on one database:
//   A0 intake alone, a warm-up (no consumer, and intake not looking for the
//      detector's keywords and named places either);
//   C  the consumer "emergency.warnings" catching up on A0's backlog alone:
//      intakes/s the detector keeps up with, with its writes and snapshots;
//   then ABBA rounds (off, on, on, off, twice; each phase --seconds / 2), as
//   intake slows while its tables grow and a steady trend cancels out so:
//   A / B  early warning off / on: the keyword and place finders at intake
//          (as Platform::Open wires them) and the consumer polled every
//          100 ms beside it;
//   A2 / F off / the finders only (their own share).
// Prints each phase and `ratio=B/A finders_ratio=F/A2 consumer_intakes_per_s=…` last.
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
#include "intake_samples.h"

namespace {

using namespace xietong;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string database;  // empty: SQLite in data_dir
  std::string data_dir;
  int threads = 64;
  double seconds = 5;
  bool dispatch = false;
  int batch = 0;  // the consumer's batch; 0 for the service's own
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
             "usage: warning_bench (--database URL | --data-dir DIR) [--threads N] [--seconds S] "
             "[--dispatch] [--batch N] [--sqlite-writer-pragmas \"P=V; …\"]\n");
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
    } else if (a == "--batch" && (v = value())) {
      o.batch = std::atoi(v);
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

  auto consumer_options = emergency::WarningService::ConsumerOptions();
  if (o.batch > 0) consumer_options.batch = o.batch;
  audit::Consumer consumer(
      p.db(), p.clock(), p.node_id(), consumer_options,
      [&p](storage::Executor& ex, const audit::Event& e) { return p.warnings().OnEvent(ex, e); },
      [&p](const std::vector<audit::Event>& events) { p.warnings().Prepare(events); });
  // Early warning's share of intake: the finders that put keywords and named places on
  // request.received. Off in A and A2, on in B (as platform.cc sets them).
  auto finders = [&p](bool on) {
    if (!on) {
      p.requests().SetKeywordFinder({});
      p.requests().SetPlaceFinder({});
      return;
    }
    p.requests().SetKeywordFinder([&p](std::string_view title, std::string_view text) {
      return p.warnings().KeywordsIn(title, text);
    });
    p.requests().SetPlaceFinder([&p](std::string_view title, std::string_view text) {
      return p.warnings().PlacesIn(title, text);
    });
  };
  // Phase A0: intake alone, a warm-up whose calls are the consumer's backlog.
  finders(false);
  const double a0 = phase(o.seconds);
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
  const double c_rate = (a0 * o.seconds + 1) / c_seconds;  // A0's intakes and the warm-up call

  // The consumer beside intake when `early warning` is on: polled every 100 ms.
  std::atomic<bool> polling{false}, quit{false};
  std::thread poller([&] {
    while (!quit.load()) {
      if (polling.load()) {
        if (auto r = consumer.CatchUp(); !r) spdlog::warn("consumer: {}", r.error().message);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Intake's throughput falls as the tables grow, so the phases go in ABBA
  // rounds (off, on, on, off): a steady trend cancels out of the sums.
  const double slice = o.seconds / 2;
  auto abba = [&](bool with_consumer, double& off_sum, double& on_sum) {
    for (int round = 0; round < 2; ++round) {
      for (const bool on : {false, true, true, false}) {
        // What the A phases left is caught up untimed: B's consumer does B's events.
        if (on && with_consumer) {
          if (auto r = consumer.CatchUp(); !r) spdlog::warn("consumer: {}", r.error().message);
        }
        finders(on);
        polling = on && with_consumer;
        (on ? on_sum : off_sum) += phase(slice);
      }
    }
    finders(false);
    polling = false;
  };
  double a = 0, b = 0, a2 = 0, f = 0;
  abba(true, a, b);  // B: finders + consumer against A
  // The lag the last B phase left (its last A phase ran without the consumer).
  std::int64_t lag_b = 0;
  {
    auto before_a = consumer.Status();
    if (!before_a) return Report(before_a.error());
    lag_b = before_a->lag();
  }
  abba(false, a2, f);  // F: the finders only against A2
  quit = true;
  poller.join();
  if (!first_error.empty()) fmt::print(stderr, "first error: {}\n", first_error);
  auto warnings = p.warnings().List(identity::Principal::System(), std::nullopt, 500);

  fmt::print("backend      {}\n", p.db().Describe());
  fmt::print("mode         {}, {} client threads, {:.1f} s a phase\n",
             o.dispatch ? "route + dispatch + timers + rates + audit" : "route + store + audit",
             o.threads, slice);
  fmt::print("A0 intake alone (warm-up)      {:.0f} intakes/s\n", a0);
  fmt::print("C  consumer alone on backlog   {:.0f} intakes/s ({} events in {:.2f} s)\n", c_rate,
             after_c->cursor - backlog->cursor, c_seconds);
  fmt::print("A  intake, early warning off   {:.0f} intakes/s (mean of 4 phases)\n", a / 4);
  fmt::print("B  intake + finders + consumer {:.0f} intakes/s (mean of 4; lag at the end: {})\n",
             b / 4, lag_b);
  fmt::print("A2 intake, early warning off   {:.0f} intakes/s (mean of 4 phases)\n", a2 / 4);
  fmt::print("F  intake + finders only       {:.0f} intakes/s (mean of 4 phases)\n", f / 4);
  fmt::print("warnings raised: {}; errors: {}\n", warnings ? warnings->size() : 0, errors.load());
  fmt::print("ratio={:.3f} finders_ratio={:.3f} consumer_intakes_per_s={:.0f}\n", b / a, f / a2,
             c_rate);
  platform->reset();
  return errors.load() == 0 ? 0 : 1;
}
