// Process timers across two nodes: N instances each wait at a timer of D
// seconds; two platforms on the same database (two "nodes", each with its
// own connections, as two `serve` processes would be) fire due timers in a
// loop. From the audit chain it reports how late each timer fired after its
// due time (p50, p99, max) and whether any fired twice. With --database on
// PostgreSQL the timers are claimed with FOR UPDATE SKIP LOCKED.
//
// Usage: timer_bench --database URL [--timers N] [--delay-s D] [--starters C]
//                    [--poll-ms P] [--firers F]   (F firing threads per node; serve has 1)
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "bench_platform.h"
#include "bench_util.h"
#include "workflow/bpmn_fixture.h"

namespace xietong::bench {
namespace {

using identity::Principal;

int Run(int argc, char** argv) {
  std::string database, data_dir;
  int timers = 10'000, delay_s = 30, starters = 32, poll_ms = 50, firers = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--database")
      database = argv[i + 1];
    else if (flag == "--data-dir")
      data_dir = argv[i + 1];
    else if (flag == "--timers")
      timers = std::atoi(argv[i + 1]);
    else if (flag == "--delay-s")
      delay_s = std::atoi(argv[i + 1]);
    else if (flag == "--starters")
      starters = std::atoi(argv[i + 1]);
    else if (flag == "--poll-ms")
      poll_ms = std::atoi(argv[i + 1]);
    else if (flag == "--firers")
      firers = std::atoi(argv[i + 1]);
    else
      Die(Error::InvalidArgument("unknown flag " + flag));
  }
  if (database.empty() && data_dir.empty())
    Die(Error::InvalidArgument("give --database URL (or --data-dir for SQLite)"));
  spdlog::set_level(spdlog::level::warn);
  auto node_a = Must(BenchPlatform::Open("timer_bench", data_dir, database, ""));
  auto node_b = Must(BenchPlatform::Open("timer_bench", data_dir, database, ""));
  app::Platform& a = **node_a;
  app::Platform& b = **node_b;
  const std::string process = workflow::Wrap(fmt::format(R"(
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT{}S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"/>)",
                                                         delay_s));
  auto deployed = Must(a.workflow().Deploy(Principal::System(), process));
  if (!deployed.deployed) Die(Error::InvalidArgument("the timer process does not deploy"));
  const std::int64_t first_seq =
      Must(a.db().Read([](storage::Executor& ex) { return audit::LastSeq(ex); }));

  std::atomic<bool> stop{false};
  std::atomic<int> fired_a{0}, fired_b{0};
  auto fire = [&](app::Platform& node, std::atomic<int>& fired) {
    while (!stop) {
      auto n = node.workflow().FireDueTimers();
      if (!n) Die(n.error());
      fired += *n;
      if (*n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    }
  };
  std::vector<std::thread> firing;
  for (int f = 0; f < firers; ++f) {
    firing.emplace_back(fire, std::ref(a), std::ref(fired_a));
    firing.emplace_back(fire, std::ref(b), std::ref(fired_b));
  }

  const auto start = SteadyClock::now();
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < starters; ++t)
    threads.emplace_back([&] {
      for (int n = next++; n < timers; n = next++)
        Must(a.workflow().Start(Principal::System(), "oneProcess", json::Json::object()));
    });
  for (auto& th : threads) th.join();
  const double start_s = Seconds(start);
  for (int spin = 0; spin < 600 * 10; ++spin) {
    if (fired_a + fired_b >= timers) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // anything fired twice shows now
  stop = true;
  for (auto& th : firing) th.join();

  // Lateness and duplicates from the chain: each "workflow.timer.fired" has
  // the instance as subject, the due time in its payload, the firing time.
  std::vector<double> late_ms;
  std::map<std::string, int> per_instance;
  std::int64_t after = first_seq;
  for (;;) {
    auto events = Must(a.db().Read([&](storage::Executor& ex) {
      return audit::EventsAfter(ex, after, "workflow.timer.fired", 5000);
    }));
    if (events.empty()) break;
    for (const auto& e : events) {
      after = e.seq;
      const auto payload = json::Json::parse(e.payload);
      late_ms.push_back(static_cast<double>(e.at - payload.at("due").get<Timestamp>()) / 1000.0);
      ++per_instance[e.subject];
    }
  }
  std::sort(late_ms.begin(), late_ms.end());
  const auto q = [&](double p) {
    return late_ms.empty()
               ? 0.0
               : late_ms[std::min(
                     late_ms.size() - 1,
                     static_cast<std::size_t>(p * static_cast<double>(late_ms.size())))];
  };
  int twice = 0;
  for (const auto& [id, n] : per_instance) twice += n > 1;
  const auto within =
      std::count_if(late_ms.begin(), late_ms.end(), [](double ms) { return ms <= 1000; });
  fmt::print(
      "backend={} timers={} delay_s={} firers_per_node={} started_in_s={:.1f} "
      "fired_by_node_a={} fired_by_node_b={}\n",
      a.db().Describe(), timers, delay_s, firers, start_s, fired_a.load(), fired_b.load());
  fmt::print("late_ms p50={:.0f} p99={:.0f} max={:.0f} within_1s={}/{}\n", q(0.5), q(0.99),
             late_ms.empty() ? 0.0 : late_ms.back(), within, late_ms.size());
  fmt::print("fired_twice={} fired={} expected={}\n", twice, per_instance.size(), timers);
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Run(argc, argv); }
