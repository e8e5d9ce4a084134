#include "text/evaluate.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace xietong::text {
namespace {

double MeanOf(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double SdOf(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = MeanOf(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

int ArgMax(const std::vector<float>& p) {
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

// `s` padded with spaces to `width` terminal columns (ideographs take two).
std::string Pad(std::string_view s, int width) {
  int columns = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) columns += c >= 0xE0 ? 2 : 1;
  return std::string(s) + std::string(static_cast<std::size_t>(std::max(1, width - columns)), ' ');
}

// Mean negative log-probability of the true class under softmax(scale × s).
double LogLoss(const std::vector<std::vector<float>>& scores, const std::vector<int>& truth,
               float scale) {
  double sum = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    std::vector<float> p = scores[i];
    Softmax(p, scale);
    sum -= std::log(std::max(p[truth[i]], 1e-12f));
  }
  return scores.empty() ? 0 : sum / static_cast<double>(scores.size());
}

}  // namespace

int RankOf(std::span<const float> scores, int truth) {
  int rank = 0;
  for (int c = 0; c < static_cast<int>(scores.size()); ++c)
    if (scores[c] > scores[truth] || (scores[c] == scores[truth] && c < truth)) ++rank;
  return rank;
}

Evaluation Evaluate(std::span<const int> truth, std::span<const int> predicted,
                    const std::vector<std::string>& labels, std::span<const int> truth_rank) {
  const std::size_t k = labels.size();
  Evaluation e;
  e.confusion.assign(k, std::vector<int>(k, 0));
  int correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ++e.confusion[truth[i]][predicted[i]];
    correct += truth[i] == predicted[i];
  }
  e.accuracy = truth.empty() ? 0 : static_cast<double>(correct) / static_cast<double>(truth.size());
  if (!truth_rank.empty()) {
    const auto top3 =
        std::count_if(truth_rank.begin(), truth_rank.end(), [](int r) { return r < 3; });
    e.top3_accuracy =
        truth.empty() ? 0 : static_cast<double>(top3) / static_cast<double>(truth.size());
  }
  double f1_sum = 0;
  int present = 0;
  for (std::size_t c = 0; c < k; ++c) {
    ClassReport r{labels[c]};
    int predicted_c = 0;
    for (std::size_t t = 0; t < k; ++t) {
      r.support += e.confusion[c][t];
      predicted_c += e.confusion[t][c];
    }
    const double tp = e.confusion[c][c];
    r.precision = predicted_c ? tp / predicted_c : 0;
    r.recall = r.support ? tp / r.support : 0;
    r.f1 = r.precision + r.recall > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall) : 0;
    if (r.support > 0) {
      f1_sum += r.f1;
      ++present;
    }
    e.classes.push_back(std::move(r));
  }
  e.macro_f1 = present ? f1_sum / present : 0;
  return e;
}

std::string FormatEvaluation(const Evaluation& e) {
  std::string out = fmt::format("{}{:>9} {:>9} {:>9} {:>8}\n", Pad("class", 16), "precision",
                                "recall", "f1", "support");
  for (const auto& c : e.classes)
    out += fmt::format("{}{:>9.4f} {:>9.4f} {:>9.4f} {:>8}\n", Pad(c.label, 16), c.precision,
                       c.recall, c.f1, c.support);
  out += "\nconfusion matrix (rows: true class, columns: predicted, in the order above)\n";
  for (std::size_t t = 0; t < e.confusion.size(); ++t) {
    out += Pad(e.classes[t].label, 16);
    for (int n : e.confusion[t]) out += fmt::format(" {:>5}", n);
    out += "\n";
  }
  out += fmt::format("\naccuracy={:.4f}\n", e.accuracy);
  if (e.top3_accuracy >= 0) out += fmt::format("top3_accuracy={:.4f}\n", e.top3_accuracy);
  out += fmt::format("macro_f1={:.4f}\n", e.macro_f1);
  return out;
}

std::vector<int> StratifiedFolds(std::span<const PreparedDocument> docs, std::span<const int> y,
                                 int k, std::uint64_t seed) {
  // Groups of identical texts, each with the class of its first member.
  std::unordered_map<std::string_view, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> groups;
  std::vector<int> group_class;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    auto [it, fresh] = group_of.try_emplace(docs[i].text, groups.size());
    if (fresh) {
      groups.emplace_back();
      group_class.push_back(y[i]);
    }
    groups[it->second].push_back(i);
  }
  std::map<int, std::vector<std::size_t>> by_class;
  for (std::size_t g = 0; g < groups.size(); ++g) by_class[group_class[g]].push_back(g);
  std::mt19937_64 rng(seed);
  std::vector<int> fold(docs.size(), 0);
  int next = 0;  // continue the round robin across classes so fold sizes stay even
  for (auto& [c, members] : by_class) {
    std::shuffle(members.begin(), members.end(), rng);
    for (std::size_t g : members) {
      for (std::size_t i : groups[g]) fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

CrossValidation CrossValidate(std::shared_ptr<const Normalizer> normalizer,
                              const TrainingData& data, const ClassifierOptions& options, int k,
                              int repeats, std::uint64_t seed,
                              const std::function<void(const CrossValidation::Fold&)>& on_fold) {
  std::unordered_set<std::string_view> labeled_texts;
  for (const auto& d : data.docs) labeled_texts.insert(d.text);
  std::vector<PreparedDocument> unlabeled;
  for (const auto& d : data.unlabeled)
    if (!labeled_texts.contains(d.text)) unlabeled.push_back(d);
  std::vector<PreparedDocument> distant;
  std::vector<int> distant_y;
  for (std::size_t i = 0; i < data.distant.size(); ++i)
    if (!labeled_texts.contains(data.distant[i].text)) {
      distant.push_back(data.distant[i]);
      distant_y.push_back(data.distant_y[i]);
    }

  CrossValidation cv;
  std::vector<double> f1s, top1s, top3s, seconds;
  std::vector<int> all_truth, all_predicted, all_ranks;
  std::vector<std::vector<float>> all_scores;
  float used_scale = 1;
  for (int r = 0; r < repeats; ++r) {
    const std::vector<int> fold = StratifiedFolds(data.docs, data.y, k, seed + r);
    std::vector<int> pooled_truth, pooled_predicted, pooled_ranks;
    for (int f = 0; f < k; ++f) {
      std::vector<PreparedDocument> train, test;
      std::vector<int> train_y, test_y;
      for (std::size_t i = 0; i < data.docs.size(); ++i) {
        (fold[i] == f ? test : train).push_back(data.docs[i]);
        (fold[i] == f ? test_y : train_y).push_back(data.y[i]);
      }
      TrainingData fold_data{data.labels, train,     train_y, data.names,
                             data.name_y, unlabeled, distant, distant_y};
      const auto start = std::chrono::steady_clock::now();
      const Classifier c = Classifier::Train(normalizer, fold_data, options);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::vector<int> predicted, ranks;
      used_scale = c.score_scale();
      for (std::size_t i = 0; i < test.size(); ++i) {
        all_scores.push_back(c.Scores(test[i].keys));
        predicted.push_back(ArgMax(all_scores.back()));
        ranks.push_back(RankOf(all_scores.back(), test_y[i]));
      }
      const Evaluation e = Evaluate(test_y, predicted, data.labels, ranks);
      pooled_truth.insert(pooled_truth.end(), test_y.begin(), test_y.end());
      pooled_predicted.insert(pooled_predicted.end(), predicted.begin(), predicted.end());
      pooled_ranks.insert(pooled_ranks.end(), ranks.begin(), ranks.end());
      CrossValidation::Fold result{
          r, f, e.macro_f1, e.accuracy, e.top3_accuracy, secs, c.pseudo_labeled()};
      cv.folds.push_back(result);
      f1s.push_back(e.macro_f1);
      top1s.push_back(e.accuracy);
      top3s.push_back(e.top3_accuracy);
      seconds.push_back(secs);
      if (on_fold) on_fold(result);
    }
    cv.repeat_macro_f1.push_back(Evaluate(pooled_truth, pooled_predicted, data.labels).macro_f1);
    all_truth.insert(all_truth.end(), pooled_truth.begin(), pooled_truth.end());
    all_predicted.insert(all_predicted.end(), pooled_predicted.begin(), pooled_predicted.end());
    all_ranks.insert(all_ranks.end(), pooled_ranks.begin(), pooled_ranks.end());
  }
  cv.pooled = Evaluate(all_truth, all_predicted, data.labels, all_ranks);
  cv.log_loss = LogLoss(all_scores, all_truth, used_scale);
  cv.best_log_loss = INFINITY;
  for (float scale = 0.25f; scale <= 20.0f; scale += 0.25f)
    if (const double loss = LogLoss(all_scores, all_truth, scale); loss < cv.best_log_loss) {
      cv.best_log_loss = loss;
      cv.best_score_scale = scale;
    }
  cv.mean = MeanOf(f1s);
  cv.sd = SdOf(f1s);
  cv.mean_top1 = MeanOf(top1s);
  cv.mean_top3 = MeanOf(top3s);
  cv.repeat_sd = SdOf(cv.repeat_macro_f1);
  cv.mean_train_seconds = MeanOf(seconds);
  return cv;
}

}  // namespace xietong::text
