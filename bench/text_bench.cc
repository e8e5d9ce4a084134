// The request classifier's costs: training time on the 904 labelled messages,
// model size, single-thread classification throughput and latency over the
// ~10,000 unlabelled real messages (normalise + features + scores, the path
// intake calls), the share of it spent in normalisation (OpenCC included),
// and peak memory. Usage: text_bench [DATA_DIR]  (default ../shared/data).
#include <fmt/core.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "bench_util.h"
#include "text/classifier.h"
#include "text/corpus.h"

namespace {

using namespace xietong;
using bench::Must;
using bench::Seconds;
using bench::SteadyClock;

text::Corpus ReadAllUnlabeled(const std::string& dir, const std::vector<std::string>& columns) {
  text::Corpus all;
  for (const char* f :
       {"messages_unlabeled.csv", "messages_with_likes.csv", "messages_with_replies.csv"}) {
    text::Corpus c = Must(text::ReadCorpus(dir + "/" + f, columns, ""));
    for (auto& d : c.documents) all.documents.push_back(std::move(d));
  }
  return all;
}

// Messages per second and per-message latencies of Predict on one thread.
void TimePredict(const text::Classifier& c, const text::Corpus& corpus) {
  std::vector<double> micros;
  micros.reserve(corpus.documents.size());
  std::size_t bytes = 0, failed = 0;
  const auto start = SteadyClock::now();
  for (const auto& doc : corpus.documents) {
    const auto t = SteadyClock::now();
    failed += !c.Predict(doc, 3);
    micros.push_back(Seconds(t) * 1e6);
    for (const auto& f : doc) bytes += f.size();
  }
  const double secs = Seconds(start);
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[static_cast<std::size_t>(p * (micros.size() - 1))]; };
  fmt::print(
      "classify (one thread, top-3): {} messages ({:.1f} MB, {} unclassifiable) in {:.2f} s = "
      "{:.0f} messages/s; latency p50 {:.0f} us, p99 {:.0f} us, max {:.0f} us\n",
      corpus.documents.size(), bytes / 1e6, failed, secs, corpus.documents.size() / secs, pct(0.5),
      pct(0.99), micros.back());
}

void TimeNormalize(const text::Normalizer& n, const text::Corpus& corpus) {
  const auto start = SteadyClock::now();
  for (const auto& doc : corpus.documents)
    for (const auto& f : doc) (void)n.Normalize(f);
  const double secs = Seconds(start);
  fmt::print(
      "  of which normalisation (width, punctuation, OpenCC t2s): {:.2f} s = {:.0f} "
      "messages/s\n",
      secs, corpus.documents.size() / secs);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir =
      (argc > 1 ? std::string(argv[1]) : std::string("../shared/data")) + "/taidi2020c";
  const std::vector<std::string> columns{"留言主题", "留言详情"};
  auto start = SteadyClock::now();
  auto normalizer = Must(text::Normalizer::Open());
  fmt::print("open the normaliser (OpenCC and its table of traditional characters): {:.3f} s\n",
             Seconds(start));
  text::ClassifierOptions options;
  const text::Corpus labeled =
      Must(text::ReadCorpus(dir + "/labeled_messages.csv", columns, "一级标签"));
  std::vector<std::string> labels;
  std::vector<int> y;
  for (const auto& l : labeled.labels) {
    auto it = std::find(labels.begin(), labels.end(), l);
    if (it == labels.end()) it = labels.insert(labels.end(), l);
    y.push_back(static_cast<int>(it - labels.begin()));
  }
  start = SteadyClock::now();
  const auto docs =
      Must(text::PrepareAll(*normalizer, text::FeatureExtractor(options.features), labeled, 1));
  const double prepare_secs = Seconds(start);
  start = SteadyClock::now();
  const text::Classifier c =
      text::Classifier::Train(normalizer, {labels, docs, y, {}, {}, {}}, options);
  const double train_secs = Seconds(start);
  const std::string model = (std::filesystem::temp_directory_path() / "text_bench.model").string();
  Must(c.Save(model));
  fmt::print(
      "train: {} messages prepared in {:.2f} s, model trained in {:.2f} s (one thread); "
      "{} features, model file {:.1f} MB\n",
      docs.size(), prepare_secs, train_secs, c.features(), std::filesystem::file_size(model) / 1e6);
  start = SteadyClock::now();
  const text::Classifier loaded = Must(text::Classifier::Load(model, normalizer));
  fmt::print("load: {:.3f} s\n", Seconds(start));
  std::filesystem::remove(model);

  const text::Corpus unlabeled = ReadAllUnlabeled(dir, columns);
  TimePredict(loaded, unlabeled);
  TimeNormalize(*normalizer, unlabeled);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print("peak memory (max RSS, whole process incl. the {} messages held): {:.0f} MB\n",
             unlabeled.documents.size(), usage.ru_maxrss / 1024.0);
  return 0;
}
