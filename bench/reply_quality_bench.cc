// Reply-quality scoring throughput: every reply of messages_with_replies.csv
// scored against its message on one thread, several rounds, as replies per
// second per core, with the latency per reply (p50/p99/max) and peak memory.
// Usage: reply_quality_bench [DATA_DIR] [--rounds N]
#include <fmt/core.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/csv.h"
#include "text/reply_quality.h"

namespace {

using namespace xietong;
using bench::Must;
using bench::SteadyClock;

struct Pair {
  std::string title, body, reply;
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "../shared/data";
  int rounds = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      dir = arg;
    }
  }
  auto table = Must(csv::Table::Open(dir + "/taidi2020c/messages_with_replies.csv"));
  const std::size_t title = Must(table.Column("留言主题")), body = Must(table.Column("留言详情")),
                    reply = Must(table.Column("答复意见"));
  std::vector<Pair> pairs;
  std::size_t bytes = 0;
  while (auto row = Must(table.Next())) {
    pairs.push_back({(*row)[title], (*row)[body], (*row)[reply]});
    bytes += pairs.back().title.size() + pairs.back().body.size() + pairs.back().reply.size();
  }
  const auto open_start = SteadyClock::now();
  auto scorer = Must(text::ReplyScorer::Create(Must(text::Normalizer::Open())));
  const double open_s = std::chrono::duration<double>(SteadyClock::now() - open_start).count();

  std::vector<double> rates, latencies_us;
  std::size_t failed = 0;
  double checksum = 0;
  for (int round = 0; round < rounds; ++round) {
    const auto start = SteadyClock::now();
    for (const auto& p : pairs) {
      const auto t0 = SteadyClock::now();
      auto q = scorer->Score({p.title, p.body, p.reply, 0, 86'400'000'000, 0});
      latencies_us.push_back(
          std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
      if (q) {
        checksum += q->overall;
      } else {
        ++failed;
      }
    }
    rates.push_back(static_cast<double>(pairs.size()) /
                    std::chrono::duration<double>(SteadyClock::now() - start).count());
  }
  std::sort(rates.begin(), rates.end());
  std::sort(latencies_us.begin(), latencies_us.end());
  auto at = [&](double q) {
    return latencies_us[static_cast<std::size_t>(q * static_cast<double>(latencies_us.size() - 1))];
  };
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print("pairs {} ({:.1f} MB of text), unscorable {}, rounds {}\n", pairs.size(),
             static_cast<double>(bytes) / 1e6, failed / static_cast<std::size_t>(rounds), rounds);
  fmt::print("opening the normaliser and scorer: {:.3f} s\n", open_s);
  fmt::print("scoring, one thread: {:.0f} replies/s (min {:.0f}, max {:.0f} over rounds)\n",
             rates[rates.size() / 2], rates.front(), rates.back());
  fmt::print("latency per reply: p50 {:.0f} us, p99 {:.0f} us, max {:.0f} us\n", at(0.5), at(0.99),
             latencies_us.back());
  fmt::print("peak memory (max RSS): {:.1f} MB; checksum {:.3f}\n", usage.ru_maxrss / 1024.0,
             checksum);
  return 0;
}
