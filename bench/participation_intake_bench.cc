// Rule evaluation on top of intake (issue 18: the participation reactions
// must add ≤ 5 % to intake). Durable intake as in intake_bench (N operator
// threads submitting through RequestService::Submit with dispatch), with a
// request_fixed rule on every street and township (velocity and same-decider
// limits raised there so that awards post rather than wait for review), in
// ABBA rounds (off, on, on, off, twice; each phase --seconds / 2) on one
// database, as warning_bench does, so that intake's slowing as its tables
// grow cancels out:
//   A / A2  the off phases of the first and second round: intake alone;
//   B       the on phases: the four participation consumers (Reactions(),
//           each calling PointsService::OnEvent then DeliberationService::
//           OnEvent, as Platform::Open wires them) polled every 100 ms beside
//           intake; what the off phases left is caught up untimed first.
// Figure 1 is plain intake; figure 2 makes --share % of the intakes a
// resident's own web request that the centre dispatches, the department
// signs and replies to and the centre calls back satisfied (closed), so the
// request_fixed award is really posted; each such life counts as one intake.
// Prints each phase and `ratio=B/mean(A,A2)` for each figure.
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
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
#include "intake_samples.h"
#include "participation/reactions.h"

namespace {

using namespace xietong;
using SteadyClock = std::chrono::steady_clock;
using identity::Principal;

struct Options {
  std::string database;  // empty: SQLite in data_dir
  std::string data_dir;
  int threads = 64;
  double seconds = 10;
  int batch = 0;              // the consumers' batch; 0 for Reactions()' own
  int share = 20;             // figure 2: % of intakes carried to a satisfied callback
  bool only_closing = false;  // figure 2 only
};

using bench::Box;
using bench::BoxOf;
using bench::kSamples;
using bench::kSurnames;

void Usage() {
  fmt::print(stderr,
             "usage: participation_intake_bench (--database URL | --data-dir DIR) [--threads N] "
             "[--seconds S] [--batch N] [--share PERCENT] [--only-closing]\n");
}

bool Parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--database" && (v = value())) {
      o.database = v;
    } else if (a == "--data-dir" && (v = value())) {
      o.data_dir = v;
    } else if (a == "--batch" && (v = value())) {
      o.batch = std::atoi(v);
    } else if (a == "--threads" && (v = value())) {
      o.threads = std::atoi(v);
    } else if (a == "--seconds" && (v = value())) {
      o.seconds = std::atof(v);
    } else if (a == "--share" && (v = value())) {
      o.share = std::atoi(v);
    } else if (a == "--only-closing") {
      o.only_closing = true;
    } else {
      return false;
    }
  }
  return (!o.database.empty() || !o.data_dir.empty()) && o.threads > 0 && o.seconds > 0 &&
         o.share >= 0 && o.share <= 100;
}

int Report(const Error& e) {
  fmt::print(stderr, "participation_intake_bench: {}\n", e.message);
  return 1;
}

requests::CommandInput Say(requests::Command c, std::string text = {}) {
  requests::CommandInput in;
  in.command = c;
  in.text = std::move(text);
  return in;
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
      bench::BenchPlatform::Open("participation-intake-bench", o.data_dir, o.database, "");
  if (!platform) return Report(platform.error());
  app::Platform& p = ***platform;
  const auto setup_start = SteadyClock::now();
  app::DemoOptions demo;
  demo.admin_password = "bench-admin-2026";
  auto city = app::CreateDemoCity(p.identity(), demo);
  if (!city) return Report(city.error());
  auto seeded = p.matters().Seed(Principal::System(), app::DemoMatters());
  if (!seeded) return Report(seeded.error());
  // The operator signs in as at the hotline: the principal Authenticate builds.
  auto sign_in = [&](std::string_view username) -> Result<Principal> {
    XT_ASSIGN_OR_RETURN(auto login, p.identity().Login(username, demo.staff_password));
    return p.identity().Authenticate(login.token);
  };
  auto principal = sign_in("operator");
  if (!principal) return Report(principal.error());
  const Principal op = std::move(*principal);
  // The demo's 20 residents (resident, resident02 … resident20) file figure 2's requests.
  std::vector<Principal> residents;
  for (int i = 0; i < 20; ++i) {
    auto r = sign_in(i == 0 ? std::string("resident") : fmt::format("resident{:02}", i + 1));
    if (!r) return Report(r.error());
    residents.push_back(std::move(*r));
  }

  auto dir = p.requests().directory();
  if (!dir) return Report(dir.error());
  std::vector<Box> grids;
  for (const auto* g : (*dir)->OfKind(identity::UnitKind::kGrid)) {
    auto b = BoxOf(*g);
    if (!b) return Report(b.error());
    grids.push_back(*b);
  }
  // A request_fixed rule on every street and township, with the limits that would hold a
  // resident's many awards for review raised, so that figure 2's awards post.
  int rules = 0;
  for (const auto kind : {identity::UnitKind::kStreet, identity::UnitKind::kTownship}) {
    for (const auto* unit : (*dir)->OfKind(kind)) {
      auto rule = p.points().CreateRule(Principal::System(), {.unit_id = unit->id,
                                                              .trigger = "request_fixed",
                                                              .title = "诉求办结",
                                                              .points = 5,
                                                              .daily_cap = 1'000'000,
                                                              .monthly_cap = 1'000'000});
      if (!rule) return Report(rule.error());
      auto settings = p.points().Settings(Principal::System(), unit->id);
      if (!settings) return Report(settings.error());
      settings->unit_id = unit->id;
      settings->velocity_per_hour = 10'000;
      settings->velocity_per_day = 10'000;
      settings->same_decider_per_month = 1'000;
      auto saved = p.points().UpdateSettings(Principal::System(), *settings, settings->version);
      if (!saved) return Report(saved.error());
      ++rules;
    }
  }
  auto catalog = p.matters().Snapshot();
  if (!catalog) return Report(catalog.error());
  std::vector<std::string> matter_ids;
  for (const auto& s : kSamples) {
    const auto* m = (*catalog)->FindByCode(s.matter_code);
    if (!m) return Report(Error::Internal(fmt::format("no demo matter {}", s.matter_code)));
    matter_ids.push_back(m->id);
  }
  fmt::print(stderr,
             "set up the demo city ({} units, {} grids, {} matters, {} street rules) in {:.1f} s\n",
             city->units_created + city->units_existing, grids.size(), *seeded, rules,
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
    in.dispatch = true;
    return in;
  };
  // A resident's own request carried to a satisfied callback: filed on the web, dispatched by
  // the centre, signed and replied to by the department, called back (closed).
  auto closing = [&](std::mt19937_64& rng) -> Result<void> {
    const Principal& who = residents[rng() % residents.size()];
    XT_ASSIGN_OR_RETURN(auto made, p.requests().Submit(who, make_intake(rng)));
    const std::string id = made.request.id;
    XT_TRY_VOID(p.requests().Apply(op, id, Say(requests::Command::kDispatch)));
    XT_TRY_VOID(p.requests().Apply(Principal::System(), id, Say(requests::Command::kSign)));
    XT_TRY_VOID(p.requests().Apply(
        Principal::System(), id, Say(requests::Command::kReply, "已派人到现场处理，问题已解决。")));
    auto callback = Say(requests::Command::kCallback, "回访：居民确认问题已解决。");
    callback.resolved = true;
    callback.satisfaction = requests::Satisfaction::kSatisfied;
    XT_TRY_VOID(p.requests().Apply(op, id, callback));
    return {};
  };

  // One call first: the directory and catalogue snapshots are warm after it.
  {
    std::mt19937_64 rng(1);
    auto first = p.requests().Submit(op, make_intake(rng));
    if (!first) return Report(first.error());
    if (auto r = closing(rng); !r) return Report(r.error());
  }

  // One phase of intake; answers intakes/s.
  std::atomic<std::int64_t> errors{0};
  std::string first_error;
  std::mutex first_error_mutex;
  auto phase = [&](double seconds, int share) {
    std::atomic<bool> stop{false};
    std::atomic<std::int64_t> done{0};
    std::vector<std::thread> clients;
    const auto start = SteadyClock::now();
    for (int t = 0; t < o.threads; ++t) {
      clients.emplace_back([&, t] {
        std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 17 +
                            static_cast<std::uint64_t>(done.load()));
        while (!stop.load(std::memory_order_relaxed)) {
          Result<void> r;
          if (share > 0 && static_cast<int>(rng() % 100) < share) {
            r = closing(rng);
          } else if (auto s = p.requests().Submit(op, make_intake(rng)); !s) {
            r = Fail(s.error());
          }
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

  // The four consumers as Platform::Open wires them (its own copies are not run here).
  std::vector<std::unique_ptr<audit::Consumer>> consumers;
  for (audit::ConsumerOptions& reaction : participation::Reactions()) {
    if (o.batch > 0) reaction.batch = o.batch;
    consumers.push_back(std::make_unique<audit::Consumer>(
        p.db(), p.clock(), p.node_id(), std::move(reaction),
        [&p](storage::Executor& ex, const audit::Event& e) -> Result<void> {
          XT_TRY_VOID(p.points().OnEvent(ex, e));
          return p.deliberation().OnEvent(ex, e);
        }));
  }
  auto catch_up = [&] {
    for (auto& c : consumers)
      if (auto r = c->CatchUp(); !r) spdlog::warn("consumer: {}", r.error().message);
  };
  auto lag = [&] {
    std::int64_t n = 0;
    for (auto& c : consumers)
      if (auto s = c->Status(); s) n = std::max(n, s->lag());
    return n;
  };
  // Warm-up: a short phase of each workload, then its backlog caught up untimed.
  phase(std::min(2.0, o.seconds / 2), 0);
  catch_up();

  std::atomic<bool> polling{false}, quit{false};
  std::thread poller([&] {
    while (!quit.load()) {
      if (polling.load()) catch_up();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // ABBA twice: A the off phases of round 1, A2 of round 2, B every on phase.
  const double slice = o.seconds / 2;
  struct Figure {
    double a = 0, b = 0, a2 = 0;
    std::int64_t lag_b = 0;
  };
  auto abba = [&](int share) {
    Figure f;
    for (int round = 0; round < 2; ++round) {
      for (const bool on : {false, true, true, false}) {
        if (on) catch_up();  // what the off phases left, untimed: B's consumers do B's events
        polling = on;
        const double rate = phase(slice, share);
        polling = false;
        if (on) {
          f.b += rate;
          f.lag_b = lag();
        } else {
          (round == 0 ? f.a : f.a2) += rate;
        }
      }
    }
    return f;
  };
  Figure plain, closing_figure;
  if (!o.only_closing) plain = abba(0);
  closing_figure = abba(o.share);
  quit = true;
  poller.join();
  catch_up();
  if (!first_error.empty()) fmt::print(stderr, "first error: {}\n", first_error);
  auto ledger = p.points().CheckLedger(Principal::System(), "");
  if (!ledger) return Report(ledger.error());

  fmt::print("backend      {}\n", p.db().Describe());
  fmt::print(
      "mode         route + dispatch + timers + rates + audit, {} client threads, "
      "{:.1f} s a phase, {} request_fixed rules\n",
      o.threads, slice, rules);
  auto print = [&](std::string_view name, const Figure& f) {
    const double a = f.a / 2, a2 = f.a2 / 2, b = f.b / 4;
    fmt::print("{}: A  intake alone               {:.0f} intakes/s (mean of 2 phases)\n", name, a);
    fmt::print(
        "{}: B  intake + participation     {:.0f} intakes/s (mean of 4; lag after the "
        "last: {})\n",
        name, b, f.lag_b);
    fmt::print("{}: A2 intake alone               {:.0f} intakes/s (mean of 2 phases)\n", name, a2);
    fmt::print("{}: ratio={:.3f}\n", name, b / ((a + a2) / 2));
  };
  if (!o.only_closing) print("plain", plain);
  print(fmt::format("closing {}%", o.share), closing_figure);
  fmt::print("awards posted: {} (ledger: sum {}, {} mismatched); errors: {}\n", ledger->postings,
             ledger->sum_of_balances, ledger->mismatched.size(), errors.load());
  platform->reset();
  return errors.load() == 0 ? 0 : 1;
}
