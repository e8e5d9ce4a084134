// Evidence packages of the audit chain (audit/evidence.h): fills a temporary
// SQLite database with N events (realistic payloads, batches through the
// normal Append path, as bench/audit_fill.cc does), exports the whole chain
// to a file, then times VerifyEvidence on that file with one thread and with
// --threads. Prints events/s for the export and for each verification.
//
// Usage: evidence_bench [--events N] [--threads T] [--runs R] [--dir DIR]
//   (default 1,000,000 events, 2 threads, 3 runs, a new folder under /tmp,
//   removed afterwards unless --dir names one)
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/evidence.h"
#include "audit/verify.h"
#include "bench_util.h"
#include "storage/migrations.h"

namespace xietong::bench {
namespace {

constexpr Timestamp kStart = 1'790'000'000'000'000;

void Fill(storage::Database& db, long total) {
  constexpr long kBatch = 5000;
  for (long done = 0; done < total; done += kBatch) {
    Must(db.Write([&](storage::Executor& ex) -> Result<void> {
      for (long i = done; i < std::min(total, done + kBatch); ++i) {
        audit::EventInput e{fmt::format("01M83WB7YZNQP6BBJFSGK{:05}", i % 97),
                            "requests.request.sign",
                            fmt::format("01M83WBY525TBJP1S171K{:05}", i % 50000),
                            {{"status", "signed"},
                             {"unit_id", "01M83WAYBTWRGJXR518ZJKE42T"},
                             {"note", "已签收，安排网格员今日上门处理"},
                             {"deadline", 1795000000000000 + i}}};
        XT_TRY_VOID(audit::Append(ex, kStart + i * 1000, e));
      }
      return {};
    }));
    if (done % 100000 == 0) fmt::print(stderr, "\rfilling {} / {}", done, total);
  }
  fmt::print(stderr, "\r");
}

double VerifyOnce(const std::string& path, const std::string& public_key, int threads,
                  std::int64_t expect_events) {
  std::ifstream in(path, std::ios::binary);
  const auto start = SteadyClock::now();
  auto report = Must(audit::VerifyEvidence(in, public_key, threads));
  const double s = Seconds(start);
  if (!report.ok() || report.events != expect_events)
    Die(Error::Internal(
        fmt::format("the package does not verify: {} ({} events)", report.problem, report.events)));
  return s;
}

int Run(int argc, char** argv) {
  long events = 1'000'000;
  int threads = 2, runs = 3;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--events")
      events = std::atol(argv[i + 1]);
    else if (flag == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (flag == "--runs")
      runs = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--dir")
      dir = argv[i + 1];
    else
      Die(Error::InvalidArgument("unknown flag " + flag));
  }
  const bool temporary = dir.empty();
  if (temporary) {
    char pattern[] = "/tmp/evidence_bench.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) Die(Error::Unavailable("cannot create a temp folder"));
    dir = pattern;
  }
  spdlog::set_level(spdlog::level::warn);
  {
    auto db = Must(storage::OpenDatabase({.url = "sqlite:" + dir + "/chain.db"}));
    Must(storage::ApplyMigrations(*db, audit::Migrations(), 0));
    const auto key = Must(audit::SigningKey::LoadOrCreate(dir + "/keys/instance.key"));

    auto start = SteadyClock::now();
    Fill(*db, events);
    fmt::print("fill: {} events in {:.1f} s ({:.0f} events/s)\n", events, Seconds(start),
               events / Seconds(start));

    const std::string path = dir + "/evidence.jsonl";
    start = SteadyClock::now();
    audit::ExportReport exported;
    {
      std::ofstream out(path, std::ios::binary);
      exported = Must(audit::ExportEvidence(*db, key, kStart + events * 1000, {}, out));
    }
    const double export_s = Seconds(start);
    fmt::print("export: {} events, {} checkpoint(s), {:.0f} MB in {:.2f} s ({:.0f} events/s)\n",
               exported.events, exported.checkpoints, exported.bytes / 1e6, export_s,
               exported.events / export_s);

    for (int t : {1, threads}) {
      std::vector<double> seconds;
      for (int r = 0; r < runs; ++r)
        seconds.push_back(VerifyOnce(path, key.PublicKeyHex(), t, exported.events));
      std::sort(seconds.begin(), seconds.end());
      const double median = seconds[seconds.size() / 2];
      fmt::print(
          "verify, {} thread(s): median {:.3f} s of {} runs ({:.0f} events/s, {:.0f} MB/s); "
          "best {:.0f} events/s\n",
          t, median, runs, exported.events / median, exported.bytes / 1e6 / median,
          exported.events / seconds.front());
      if (t == threads) break;
    }
  }
  if (temporary) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Run(argc, argv); }
