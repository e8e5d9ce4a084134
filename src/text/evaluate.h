// Measuring a classifier: per-class precision, recall and F1, the confusion
// matrix, macro-F1, and repeated stratified k-fold cross-validation in which
// verbatim repeats of a message always fall in the same fold.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "text/classifier.h"

namespace xietong::text {

struct ClassReport {
  std::string label;
  int support = 0;  // true members
  double precision = 0, recall = 0, f1 = 0;
};

struct Evaluation {
  std::vector<ClassReport> classes;
  std::vector<std::vector<int>> confusion;  // [true][predicted]
  double accuracy = 0;                      // top-1: the first choice is the true class
  // Top-3: the true class is among the three first choices (the operator's
  // list); -1 when only the first choice was given.
  double top3_accuracy = -1;
  double macro_f1 = 0;  // mean F1 over the classes that have members
};

// `truth_rank`, when given (one per message), is the true class's place in
// the message's ranked choices (0 = the first choice, as `predicted`; a
// class not offered at all: any value >= 3); it gives top3_accuracy.
Evaluation Evaluate(std::span<const int> truth, std::span<const int> predicted,
                    const std::vector<std::string>& labels, std::span<const int> truth_rank = {});

// The place of class `truth` when the classes are ranked by `scores`, best
// first (ties go to the lower index, as the first choice does).
int RankOf(std::span<const float> scores, int truth);

// The per-class table, the confusion matrix, accuracy (and top3_accuracy when
// known), and "macro_f1=0.XXXX" as the last line.
std::string FormatEvaluation(const Evaluation& e);

// A fold number in [0, k) for each document: documents with the same `text`
// share a fold, and each class is spread evenly over the folds.
std::vector<int> StratifiedFolds(std::span<const PreparedDocument> docs, std::span<const int> y,
                                 int k, std::uint64_t seed);

struct CrossValidation {
  struct Fold {
    int repeat = 0, fold = 0;
    double macro_f1 = 0, accuracy = 0, top3_accuracy = 0;
    double train_seconds = 0;
    std::size_t pseudo_labeled = 0;
  };
  std::vector<Fold> folds;
  double mean = 0, sd = 0;              // of macro-F1 over all folds
  double mean_top1 = 0, mean_top3 = 0;  // of top-1 and top-3 accuracy over all folds
  double repeat_sd = 0;                 // of the repeats' pooled macro-F1
  std::vector<double> repeat_macro_f1;  // pooled out-of-fold predictions per repeat
  Evaluation pooled;                    // every repeat's out-of-fold predictions together
  double mean_train_seconds = 0;
  // The softmax scale that minimises the out-of-fold log loss, and that loss
  // (mean negative log-probability of the true class) at it and at the
  // options' scale: confidences worth a routing threshold.
  float best_score_scale = 0;
  double best_log_loss = 0, log_loss = 0;
};

// Trains on k-1 folds and tests on the last, `repeats` times with different
// shuffles. Unlabelled and distantly labelled documents whose text equals any
// labelled document's are left out, so a test message never enters training,
// not even unlabelled.
// `on_fold` is called after each fold.
CrossValidation CrossValidate(std::shared_ptr<const Normalizer> normalizer,
                              const TrainingData& data, const ClassifierOptions& options, int k,
                              int repeats, std::uint64_t seed,
                              const std::function<void(const CrossValidation::Fold&)>& on_fold);

}  // namespace xietong::text
