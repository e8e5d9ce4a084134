// The duplicate detector's costs and quality: index build time for the 4,326
// messages of messages_with_likes.csv, build time and query latency (p50/p99)
// with ~100,000 messages indexed (the real ones plus deterministic
// paraphrases of them), the index's memory, and precision/recall over
// thresholds with planted paraphrases.
// Usage: duplicates_bench [DATA_DIR] [--shingle K] [--bands B] [--rows R]
//                         [--plant N] [--seed S] [--size N]
#include <fmt/core.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/csv.h"
#include "text/duplicate_eval.h"
#include "text/duplicates.h"

namespace {

using namespace xietong;
using bench::Must;
using bench::Seconds;
using bench::SteadyClock;

std::vector<text::Message> ReadMessages(const std::string& path) {
  auto table = Must(csv::Table::Open(path));
  const std::size_t title = Must(table.Column("留言主题")), body = Must(table.Column("留言详情")),
                    time = Must(table.Column("留言时间"));
  std::vector<text::Message> out;
  while (auto row = Must(table.Next())) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    std::sscanf((*row)[time].c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    const auto days = std::chrono::sys_days(std::chrono::year_month_day{
        std::chrono::year{y}, std::chrono::month(mo), std::chrono::day(d)});
    out.push_back({{(*row)[title], (*row)[body]},
                   days.time_since_epoch().count() * text::kMicrosPerDay +
                       ((h * 60 + mi) * 60 + s) * std::int64_t{1'000'000},
                   ""});
  }
  return out;
}

std::string Joined(const text::Message& m) { return m.fields[0] + "\n" + m.fields[1]; }

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "../shared/data";
  text::DuplicateOptions options;
  text::EvaluationOptions eval{.plant = 1000, .seed = 1};
  std::size_t size = 100'000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&] { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
    if (a == "--shingle")
      options.shingle_size = static_cast<int>(next());
    else if (a == "--bands")
      options.bands = static_cast<int>(next());
    else if (a == "--rows")
      options.rows = static_cast<int>(next());
    else if (a == "--plant")
      eval.plant = static_cast<std::size_t>(next());
    else if (a == "--seed")
      eval.seed = static_cast<std::uint64_t>(next());
    else if (a == "--size")
      size = static_cast<std::size_t>(next());
    else
      dir = a;
  }
  auto normalizer = Must(text::Normalizer::Open());
  const auto messages = ReadMessages(dir + "/taidi2020c/messages_with_likes.csv");
  fmt::print("shingle {} code points, {} bands x {} rows, window {} days\n", options.shingle_size,
             options.bands, options.rows, options.window_us / text::kMicrosPerDay);

  // Quality: the real messages plus planted paraphrases.
  const auto e = Must(text::EvaluateDuplicates(normalizer, messages, options, eval));
  fmt::print("{}\n", text::FormatDuplicateEvaluation(e));
  if (std::getenv("SHOW_PAIRS") != nullptr) {
    const auto show = [&](const char* what, const auto& pairs) {
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        const auto& p = pairs[k];
        fmt::print("{} {:.3f} [{}] {} | {}\n  [{}] {} | {}\n", what, p.score, p.a,
                   p.a < messages.size() ? messages[p.a].fields[0] : "planted",
                   p.a < messages.size() ? messages[p.a].fields[1].substr(0, 240) : "", p.b,
                   p.b < messages.size() ? messages[p.b].fields[0] : "planted",
                   p.b < messages.size() ? messages[p.b].fields[1].substr(0, 240) : "");
      }
    };
    show("FP", e.false_positives);
    show("MISS", e.misses);
  }

  // Build time for the real messages alone.
  {
    text::DuplicateIndex index(normalizer, options);
    const auto start = SteadyClock::now();
    for (std::size_t i = 0; i < messages.size(); ++i)
      (void)index.Add({std::to_string(i), Joined(messages[i]), "", messages[i].time_us});
    fmt::print("index {} real messages: {:.3f} s ({:.1f} us per message), {:.2f} MiB\n",
               index.size(), Seconds(start),
               Seconds(start) * 1e6 / static_cast<double>(messages.size()),
               static_cast<double>(index.MemoryBytes()) / (1 << 20));
  }

  // ~100k: the real messages and paraphrases of them (several rounds of seeds).
  std::vector<text::Message> corpus = messages;
  for (std::uint64_t seed = 1000; corpus.size() < size; ++seed)
    for (auto& p : text::PlantParaphrases(messages, size - corpus.size(), seed))
      corpus.push_back(std::move(p.message));
  std::vector<text::Message> queries;
  for (auto& p : text::PlantParaphrases(messages, 2000, 99)) queries.push_back(p.message);

  const long rss_before = PeakRssKiB();
  text::DuplicateIndex index(normalizer, options);
  auto start = SteadyClock::now();
  for (std::size_t i = 0; i < corpus.size(); ++i)
    (void)index.Add({std::to_string(i), Joined(corpus[i]), "", corpus[i].time_us});
  const double build = Seconds(start);
  const double mib = static_cast<double>(index.MemoryBytes()) / (1 << 20);
  fmt::print(
      "index {} messages: {:.2f} s ({:.1f} us per message); {:.1f} MiB counted by the "
      "index = {:.0f} bytes per message; peak RSS grew {:.1f} MiB\n",
      index.size(), build, build * 1e6 / static_cast<double>(corpus.size()), mib,
      mib * (1 << 20) / static_cast<double>(index.size()),
      static_cast<double>(PeakRssKiB() - rss_before) / 1024);

  std::vector<double> micros;
  std::size_t matches = 0;
  start = SteadyClock::now();
  for (const auto& q : queries) {
    const auto t = SteadyClock::now();
    auto r = index.Query({"query", Joined(q), "", q.time_us}, 10);
    micros.push_back(Seconds(t) * 1e6);
    if (r) matches += r->size();
  }
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1))];
  };
  fmt::print(
      "query among {} (normalise + MinHash + LSH + verify, one thread): p50 {:.0f} us, "
      "p99 {:.0f} us, max {:.0f} us; {:.1f} matches per query\n",
      index.size(), at(0.5), at(0.99), micros.back(),
      static_cast<double>(matches) / static_cast<double>(queries.size()));
  fmt::print("peak RSS {:.1f} MiB\n", static_cast<double>(PeakRssKiB()) / 1024);
  return 0;
}
