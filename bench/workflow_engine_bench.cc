// The BPMN engine alone, in memory, on one core: N instances of a process run
// to completion one after another, every job and user task answered at once
// and every timer fired as soon as it is opened — the same driver as
// bpmn-engine's bench.mjs (../shared/bench/bpmn-peer), for a side-by-side
// figure. Also the encoded state of an instance waiting at its first stop.
// Usage: workflow_engine_bench FILE.bpmn [N] [VARIABLES_JSON]
#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "bench_util.h"
#include "workflow/engine.h"

namespace xietong::bench {
namespace {

using workflow::Effects;
using workflow::Engine;
using workflow::InstanceState;
using workflow::WaitItem;

constexpr Timestamp kNow = 1'795'399'200'000'000;

int Run(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: workflow_engine_bench FILE.bpmn [N] [VARIABLES_JSON]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = workflow::ParseBpmn(ss.str());
  if (!parsed) {
    for (const auto& p : parsed.error()) fmt::print(stderr, "{}\n", FormatProblem(argv[1], p));
    return 2;
  }
  const workflow::Process& process = **parsed;
  const int n = argc > 2 ? std::atoi(argv[2]) : 20'000;
  const json::Json vars = argc > 3 ? json::Json::parse(argv[3]) : json::Json::object();
  workflow::Environment env;
  env.now = kNow;
  const Engine engine(process, env);

  std::size_t waiting_bytes = 0;
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(n));
  std::int64_t steps = 0;
  const auto start = SteadyClock::now();
  for (int i = 0; i < n; ++i) {
    const auto t0 = SteadyClock::now();
    InstanceState s;
    std::vector<WaitItem> open;
    auto apply = [&](Result<Effects> r) {
      Effects fx = Must(std::move(r));
      for (auto& w : fx.opened) open.push_back(std::move(w));
      for (std::int64_t k : fx.closed)
        std::erase_if(open, [&](const WaitItem& w) { return w.element_key == k; });
      ++steps;
    };
    Engine e = engine;
    apply(e.Start(s, vars));
    if (i == 0) waiting_bytes = workflow::EncodeState(s).dump().size();
    while (!open.empty() && s.status == InstanceState::Status::kActive) {
      const WaitItem w = open.front();
      switch (w.kind) {
        case WaitItem::Kind::kTimer:
          apply(e.FireTimer(s, w.element_key, w.element));
          break;
        case WaitItem::Kind::kMessage:
          apply(e.Correlate(s, w.element_key, w.element, json::Json::object()));
          break;
        default:
          apply(e.Complete(s, w.element_key, json::Json::object()));
      }
    }
    if (s.status != InstanceState::Status::kCompleted) {
      fmt::print(stderr, "instance {} ended {}: {}\n", i, workflow::StatusName(s.status),
                 s.incident);
      return 1;
    }
    latencies.push_back(Seconds(t0) * 1e6);
  }
  const double seconds = Seconds(start);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) {
    return latencies[std::min(latencies.size() - 1,
                              static_cast<std::size_t>(q * latencies.size()))];
  };
  fmt::print("process={} instances={} commands={} seconds={:.3f}\n", process.id, n, steps, seconds);
  fmt::print("state_bytes_waiting={}\n", waiting_bytes);
  fmt::print("latency_us p50={:.1f} p90={:.1f} p99={:.1f}\n", pct(0.5), pct(0.9), pct(0.99));
  fmt::print("instances/s={:.0f}\n", n / seconds);
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Run(argc, argv); }
