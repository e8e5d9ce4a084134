// The hotspot finder's cost: the 4,326 messages of messages_with_likes.csv,
// then ~100,000 messages made of them and paraphrases of them (duplicate_eval's
// PlantParaphrases). "spread": each round of paraphrases is moved 35 days
// later, so the corpus spans years like a city's history; "dense": every
// paraphrase lies within a week of its original, so each topic has ~20
// copies inside one window (the worst case for linking).
// Usage: hotspots_bench [DATA_DIR] [--size N]
#include <fmt/core.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/csv.h"
#include "text/duplicate_eval.h"
#include "text/hotspots.h"

namespace {

using namespace xietong;
using bench::Must;
using bench::Seconds;
using bench::SteadyClock;

struct Read {
  std::vector<text::Message> messages;
  std::vector<std::int64_t> likes;
};

Read ReadMessages(const std::string& path) {
  auto table = Must(csv::Table::Open(path));
  const std::size_t title = Must(table.Column("留言主题")), body = Must(table.Column("留言详情")),
                    time = Must(table.Column("留言时间")), likes = Must(table.Column("点赞数"));
  Read out;
  while (auto row = Must(table.Next())) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    std::sscanf((*row)[time].c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    const auto days = std::chrono::sys_days(std::chrono::year_month_day{
        std::chrono::year{y}, std::chrono::month(mo), std::chrono::day(d)});
    out.messages.push_back({{(*row)[title], (*row)[body]},
                            days.time_since_epoch().count() * kMicrosPerDay +
                                ((h * 60 + mi) * 60 + s) * std::int64_t{1'000'000},
                            ""});
    out.likes.push_back(std::atoll((*row)[likes].c_str()));
  }
  return out;
}

text::HotspotMessage ToHotspot(const text::Message& m, std::size_t i, std::int64_t likes) {
  return {std::to_string(i), m.fields.at(0), m.fields.size() > 1 ? m.fields[1] : "",
          m.time_us,         m.place,        likes};
}

long PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

void Run(const text::Normalizer& normalizer, const std::vector<text::HotspotMessage>& messages,
         const char* what) {
  const auto start = SteadyClock::now();
  const auto r = Must(text::FindHotspots(normalizer, messages));
  const double s = Seconds(start);
  std::size_t largest = 0;
  for (const auto& h : r.hotspots) largest = std::max(largest, h.count);
  fmt::print(
      "{}: {} messages in {:.2f} s ({:.0f} messages/s, one thread); {} hotspots hold {} "
      "messages, the largest {}; peak RSS {} MiB\n",
      what, messages.size(), s, static_cast<double>(messages.size()) / s, r.groups, r.clustered,
      largest, PeakRssMiB());
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "../shared/data";
  std::size_t size = 100'000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--size" && i + 1 < argc)
      size = static_cast<std::size_t>(std::atol(argv[++i]));
    else
      dir = a;
  }
  auto normalizer = Must(text::Normalizer::Open());
  const Read real = ReadMessages(dir + "/taidi2020c/messages_with_likes.csv");
  std::vector<text::HotspotMessage> messages;
  for (std::size_t i = 0; i < real.messages.size(); ++i)
    messages.push_back(ToHotspot(real.messages[i], i, real.likes[i]));
  Run(*normalizer, messages, "real file");

  for (const bool spread : {true, false}) {
    std::vector<text::HotspotMessage> corpus = messages;
    for (std::uint64_t seed = 1000; corpus.size() < size; ++seed) {
      const std::int64_t shift =
          spread ? static_cast<std::int64_t>(seed - 999) * 35 * kMicrosPerDay : 0;
      for (auto& p : text::PlantParaphrases(real.messages, size - corpus.size(), seed)) {
        p.message.time_us += shift;
        corpus.push_back(ToHotspot(p.message, corpus.size(), 0));
      }
    }
    Run(*normalizer, corpus, spread ? "spread ~100k" : "dense ~100k");
  }
  return 0;
}
