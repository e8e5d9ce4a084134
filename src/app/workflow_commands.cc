#include "app/workflow_commands.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "app/cli_support.h"
#include "workflow/engine.h"

namespace xietong::app {
namespace {

using identity::Principal;
using SteadyClock = std::chrono::steady_clock;

struct BenchArgs {
  std::string file;
  int instances = 1000;
  int concurrency = 8;
  bool in_memory = false;
  std::string complete_vars = "{}";
  std::string start_vars = "{}";
  int waiting = 0;  // then start this many more and leave them waiting: stored bytes each
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::Json ParseVars(const std::string& text, std::string_view option) {
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    fmt::print(stderr, "{} must be a JSON object, not '{}'\n", option, text);
    throw CLI::RuntimeError(2);
  }
  return j;
}

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

void PrintLatencies(std::vector<double> ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  fmt::print("latency_ms p50={:.3f} p90={:.3f} p99={:.3f} max={:.3f}\n", at(0.5), at(0.9), at(0.99),
             ms.back());
}

// The engine alone: one instance after another, every wait answered at once.
int BenchInMemory(const workflow::Process& process, const BenchArgs& a) {
  const json::Json start_vars = ParseVars(a.start_vars, "--variables");
  const json::Json done_vars = ParseVars(a.complete_vars, "--complete-user-tasks");
  workflow::Environment env;
  env.now = 1'795'399'200'000'000;
  const workflow::Engine engine(process, env);
  std::vector<double> latencies;
  std::size_t waiting_bytes = 0;
  const auto start = SteadyClock::now();
  for (int i = 0; i < a.instances; ++i) {
    const auto t0 = SteadyClock::now();
    workflow::InstanceState s;
    std::vector<workflow::WaitItem> open;
    auto apply = [&](Result<workflow::Effects> r) {
      if (!r) {
        fmt::print(stderr, "instance {}: {}\n", i, r.error().message);
        throw CLI::RuntimeError(1);
      }
      for (auto& w : r->opened) open.push_back(std::move(w));
      for (std::int64_t k : r->closed)
        std::erase_if(open, [&](const workflow::WaitItem& w) { return w.element_key == k; });
    };
    apply(engine.Start(s, start_vars));
    if (i == 0) waiting_bytes = workflow::EncodeState(s).dump().size();
    while (!open.empty() && s.status == workflow::InstanceState::Status::kActive) {
      const workflow::WaitItem w = open.front();
      using Kind = workflow::WaitItem::Kind;
      if (w.kind == Kind::kTimer)
        apply(engine.FireTimer(s, w.element_key, w.element));
      else if (w.kind == Kind::kMessage)
        apply(engine.Correlate(s, w.element_key, w.element, json::Json::object()));
      else
        apply(engine.Complete(s, w.element_key,
                              w.kind == Kind::kUserTask ? done_vars : json::Json::object()));
    }
    if (s.status != workflow::InstanceState::Status::kCompleted) {
      fmt::print(stderr, "instance {} ended {}: {}\n", i, workflow::StatusName(s.status),
                 s.incident);
      return 1;
    }
    latencies.push_back(Seconds(t0) * 1000);
  }
  const double seconds = Seconds(start);
  fmt::print("mode=in-memory process={} instances={} seconds={:.3f}\n", process.id, a.instances,
             seconds);
  fmt::print("state_bytes_waiting={}\n", waiting_bytes);
  PrintLatencies(std::move(latencies));
  fmt::print("instances/s={:.0f}\n", a.instances / seconds);
  return 0;
}

// Durable: the platform's database, every step one fsync'd transaction
// through WorkflowService; `concurrency` threads start instances and act as
// the built-in workers (jobs of every type, user tasks, due timers).
int BenchDurable(const PlatformOptions& popts, const std::string& xml,
                 const workflow::Process& process, const BenchArgs& a) {
  const json::Json start_vars = ParseVars(a.start_vars, "--variables");
  const json::Json done_vars = ParseVars(a.complete_vars, "--complete-user-tasks");
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  Platform& p = **platform;
  const Principal system = Principal::System();
  auto deployed = p.workflow().Deploy(system, xml);
  if (!deployed) return Report(deployed.error());
  if (!deployed->deployed) return 2;
  std::set<std::string> types;
  for (const auto& e : process.elements)
    if (!e.job_type.literal.empty()) types.insert(e.job_type.literal);
  auto open_before = p.workflow().OpenInstances(system);
  if (!open_before) return Report(open_before.error());

  std::atomic<int> started{0};
  std::atomic<bool> failed{false};
  std::atomic<std::int64_t> commands{0};
  const auto t0 = SteadyClock::now();
  auto work = [&](int thread) {
    const std::string worker = fmt::format("bench-{}", thread);
    auto note = [&](const Error& e) {
      // Two workers racing for one task or job: the loser's answer is expected.
      if (e.code == ErrorCode::kNotFound || e.code == ErrorCode::kConflict) return;
      spdlog::error("bench worker {}: {}", thread, e.message);
      failed = true;
    };
    while (!failed) {
      bool did = false;
      if (started.fetch_add(1) < a.instances) {
        if (auto r = p.workflow().Start(system, process.id, start_vars); !r) note(r.error());
        ++commands;
        did = true;
      } else {
        started.fetch_sub(1);
      }
      for (const auto& type : types) {
        auto jobs = p.workflow().ActivateJobs(system, type, 8, 60'000, worker);
        if (!jobs) {
          note(jobs.error());
          continue;
        }
        for (const auto& j : *jobs) {
          if (auto r = p.workflow().CompleteJob(system, j.key, json::Json::object()); !r)
            note(r.error());
          ++commands;
          did = true;
        }
      }
      // Each open task belongs to one thread (by its id), as tasks belong
      // to one person; the threads do not race for them.
      auto tasks = p.workflow().Tasks(system, 8 * a.concurrency, /*with_variables=*/false);
      if (tasks) {
        for (const auto& t : *tasks) {
          if (std::hash<std::string>{}(t.id) % static_cast<std::size_t>(a.concurrency) !=
              static_cast<std::size_t>(thread))
            continue;
          if (auto r = p.workflow().CompleteTask(system, t.id, done_vars); !r) note(r.error());
          ++commands;
          did = true;
        }
      }
      if (thread == 0)
        if (auto fired = p.workflow().FireDueTimers(); fired && *fired > 0) did = true;
      if (!did) {
        auto open = p.workflow().OpenInstances(system);
        if (open && *open <= *open_before && started.load() >= a.instances) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < a.concurrency; ++i) threads.emplace_back(work, i);
  for (auto& t : threads) t.join();
  const double seconds = Seconds(t0);
  if (failed) return 1;
  auto done = p.workflow().Instances(system, "", deployed->deployed->id, a.instances);
  if (!done) return Report(done.error());
  std::vector<double> latencies;
  int completed = 0;
  for (const auto& v : *done) {
    if (v.status != "completed") continue;
    ++completed;
    latencies.push_back(static_cast<double>(v.ended_at - v.started_at) / 1000.0);
  }
  fmt::print(
      "mode=durable database={} process={} instances={} completed={} concurrency={} "
      "transactions={} seconds={:.3f}\n",
      p.db().Describe(), process.id, a.instances, completed, a.concurrency, commands.load(),
      seconds);
  PrintLatencies(std::move(latencies));
  if (a.waiting > 0) {
    auto bytes = [&] {
      return p.db().Read([](storage::Executor& ex) { return storage::DatabaseBytes(ex); });
    };
    auto before = bytes();
    if (!before) return Report(before.error());
    for (int i = 0; i < a.waiting; ++i)
      if (auto r = p.workflow().Start(system, process.id, start_vars); !r) return Report(r.error());
    auto after = bytes();
    if (!after) return Report(after.error());
    fmt::print(
        "waiting_instances={} stored_bytes_per_waiting_instance={:.0f} (database growth, "
        "audit events and indexes included)\n",
        a.waiting, static_cast<double>(*after - *before) / a.waiting);
  }
  fmt::print("instances/s={:.0f}\n", completed / seconds);
  return completed == a.instances ? 0 : 1;
}

}  // namespace

void RegisterWorkflowCommands(CLI::App& cli, PlatformOptions& popts,
                              const std::function<void(CLI::App*)>& add_common) {
  auto* wf = cli.add_subcommand("workflow", "the BPMN engine: deploy and measure processes");
  wf->require_subcommand(1);

  static std::string deploy_file;
  auto* deploy = wf->add_subcommand(
      "deploy", "deploy a BPMN or DMN file; prints its id, or one line per problem (exit 2)");
  add_common(deploy);
  deploy->add_option("file", deploy_file, "the .bpmn or .dmn file")
      ->required()
      ->check(CLI::ExistingFile);
  deploy->callback([&popts] {
    const std::string xml = ReadAll(deploy_file);
    if (xml.find(dmn::kDmn13Namespace) != std::string::npos) {  // a DMN 1.3 file
      auto platform = Platform::Open(popts);
      if (!platform) throw CLI::RuntimeError(Report(platform.error()));
      auto d = (*platform)->workflow().DeployDecisions(Principal::System(), xml);
      if (!d) throw CLI::RuntimeError(Report(d.error()));
      for (const auto& p : d->problems)
        fmt::print("{}:{}: {}: {}\n", deploy_file, p.line,
                   p.decision_id.empty() ? "-" : p.decision_id, p.reason);
      if (!d->problems.empty()) throw CLI::RuntimeError(2);
      std::string ids;
      for (const auto& id : d->decision_ids) ids += (ids.empty() ? "" : " ") + id;
      fmt::print("{} decisions {}\n", d->file_id, ids);
      return;
    }
    auto parsed = workflow::ParseBpmn(xml);
    if (!parsed) {
      for (const auto& problem : parsed.error())
        fmt::print("{}\n", workflow::FormatProblem(deploy_file, problem));
      throw CLI::RuntimeError(2);
    }
    auto platform = Platform::Open(popts);
    if (!platform) throw CLI::RuntimeError(Report(platform.error()));
    auto d = (*platform)->workflow().Deploy(Principal::System(), xml);
    if (!d) throw CLI::RuntimeError(Report(d.error()));
    fmt::print("{} {} version {}{}\n", d->deployed->id, d->deployed->process_id,
               d->deployed->version, d->deployed->unchanged ? " (unchanged)" : "");
  });

  static BenchArgs bench;
  auto* b = wf->add_subcommand(
      "bench", "run N instances to completion, every job and user task answered at once");
  add_common(b);
  b->add_option("file", bench.file, "the .bpmn file")->required()->check(CLI::ExistingFile);
  b->add_option("--instances", bench.instances, "how many instances")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  b->add_option("--concurrency", bench.concurrency, "worker threads (durable mode)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  b->add_flag("--in-memory", bench.in_memory, "the engine alone, no database");
  b->add_option("--waiting", bench.waiting,
                "afterwards start this many more and leave them waiting; prints the stored bytes "
                "each takes (durable mode)")
      ->check(CLI::Range(0, 1'000'000));
  b->add_option("--variables", bench.start_vars, "variables each instance starts with (JSON)");
  b->add_option("--complete-user-tasks", bench.complete_vars,
                "variables every user task is completed with (JSON)");
  b->callback([&popts] {
    const std::string xml = ReadAll(bench.file);
    auto parsed = workflow::ParseBpmn(xml);
    if (!parsed) {
      for (const auto& problem : parsed.error())
        fmt::print("{}\n", workflow::FormatProblem(bench.file, problem));
      throw CLI::RuntimeError(2);
    }
    const int code = bench.in_memory ? BenchInMemory(**parsed, bench)
                                     : BenchDurable(popts, xml, **parsed, bench);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace xietong::app
