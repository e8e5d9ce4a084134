#include "app/text_commands.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "app/cli_support.h"
#include "app/history_training.h"
#include "app/platform.h"
#include "core/csv.h"
#include "text/classifier.h"
#include "text/corpus.h"
#include "text/evaluate.h"
#include "text/normalize.h"

namespace xietong::app {
namespace {

using text::ClassifierOptions;
using text::PreparedDocument;
using Clock = std::chrono::steady_clock;

struct TrainArgs {
  std::string input, label = "一级标签", out, label_names, reply_labels, reply_column = "答复意见";
  bool from_history = false;
  PlatformOptions platform;  // --from-history: the city whose history to learn
  std::vector<std::string> text_columns{"留言主题", "留言详情"}, unlabeled;
  std::string solver = "svm";
  ClassifierOptions options;
  int cv = 0, repeat = 1, threads = 0;
  std::uint64_t seed = 1;
};

struct ClassifyArgs {
  std::string model, input, label;
  std::vector<std::string> text_columns{"留言主题", "留言详情"};
  int top = 3;
};

int Threads(int requested) {
  return requested > 0 ? requested
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Prepared unlabelled documents from every file, each distinct text once.
std::vector<PreparedDocument> ReadUnlabeled(const TrainArgs& a, const text::Normalizer& n,
                                            const text::FeatureExtractor& x) {
  std::vector<PreparedDocument> out;
  std::unordered_set<std::string> seen;
  for (const auto& path : a.unlabeled) {
    const text::Corpus corpus = OrExit(text::ReadCorpus(path, a.text_columns, ""));
    auto docs = OrExit(
        text::PrepareAll(n, x, corpus, Threads(a.threads), [&](std::size_t d, std::size_t t) {
          ProgressBar("unlabelled messages", static_cast<std::int64_t>(d),
                      static_cast<std::int64_t>(t));
        }));
    for (auto& d : docs)
      if (!d.keys.empty() && seen.insert(d.text).second) out.push_back(std::move(d));
  }
  return out;
}

// Label names in order of first appearance, and each row's class index.
std::vector<int> IndexLabels(const std::vector<std::string>& labels,
                             std::vector<std::string>& names) {
  std::map<std::string, int> index;
  for (std::size_t i = 0; i < names.size(); ++i) index[names[i]] = static_cast<int>(i);
  std::vector<int> y;
  for (const auto& l : labels) {
    auto [it, fresh] = index.try_emplace(l, static_cast<int>(names.size()));
    if (fresh) names.push_back(l);
    y.push_back(it->second);
  }
  return y;
}

void PrintCrossValidation(const text::CrossValidation& cv, int k, int repeats) {
  fmt::print("\nout-of-fold predictions of all repeats together:\n{}\n",
             text::FormatEvaluation(cv.pooled));
  fmt::print(
      "confidences: out-of-fold log loss {:.4f} at this score scale, {:.4f} at the best "
      "scale {:.2f} (--score-scale)\n",
      cv.log_loss, cv.best_log_loss, cv.best_score_scale);
  // Last line; "macro_f1 mean=… sd=…" as before, then top-1 and top-3 accuracy (means over folds).
  fmt::print(
      "{}-fold cross-validation, {} repeat(s): macro_f1 mean={:.4f} sd={:.4f} top1={:.4f} "
      "top3={:.4f} over {} folds",
      k, repeats, cv.mean, cv.sd, cv.mean_top1, cv.mean_top3, cv.folds.size());
  if (repeats > 1) fmt::print("; pooled per repeat sd={:.4f}", cv.repeat_sd);
  fmt::print("; training {:.2f} s per fold\n", cv.mean_train_seconds);
}

// The city's own decided requests, labelled with their leaf matters.
void RunTrainFromHistory(const TrainArgs& a) {
  auto platform = OrExit(Platform::Open(a.platform));
  const std::string out = a.out.empty() ? RequestModelPath(a.platform.data_dir) : a.out;
  const auto start = Clock::now();
  auto r = OrExit(TrainFromHistory(*platform, out));
  fmt::print(
      "trained on {} decided requests in {} matters ({} without usable text) in {:.2f} s: {} "
      "features; model written to {} (xietong serve loads it from the data folder at start)\n",
      r.requests, r.classes, r.skipped, std::chrono::duration<double>(Clock::now() - start).count(),
      r.features, r.model_path);
}

void RunTrain(TrainArgs a) {
  if (a.from_history) return RunTrainFromHistory(a);
  if (a.input.empty()) Exit(Error::InvalidArgument("give --input FILE.csv or --from-history"));
  a.options.solver.solver = a.solver == "logistic" ? text::Solver::kLogistic : text::Solver::kSvm;
  a.options.solver.seed = a.seed;
  auto normalizer = OrExit(text::Normalizer::Open());
  const text::FeatureExtractor extractor(a.options.features);
  const text::Corpus corpus = OrExit(text::ReadCorpus(a.input, a.text_columns, a.label));
  if (corpus.documents.empty())
    Exit(Error::InvalidArgument(
        fmt::format("{} has no rows with a label in '{}'", a.input, a.label)));
  std::vector<std::string> labels;
  const std::vector<int> y = IndexLabels(corpus.labels, labels);
  auto docs = OrExit(text::PrepareAll(
      *normalizer, extractor, corpus, Threads(a.threads), [](std::size_t d, std::size_t t) {
        ProgressBar("labelled messages", static_cast<std::int64_t>(d),
                    static_cast<std::int64_t>(t));
      }));
  std::vector<PreparedDocument> names;
  std::vector<int> name_y;
  if (!a.label_names.empty()) {
    const text::Corpus c = OrExit(text::ReadLabelNames(a.label_names));
    auto prepared = OrExit(text::PrepareAll(*normalizer, extractor, c, 1));
    for (std::size_t i = 0; i < c.labels.size(); ++i) {
      const auto it = std::find(labels.begin(), labels.end(), c.labels[i]);
      if (it == labels.end()) continue;  // a category the labelled data does not use
      names.push_back(std::move(prepared[i]));
      name_y.push_back(static_cast<int>(it - labels.begin()));
    }
  }
  std::vector<PreparedDocument> distant;
  std::vector<int> distant_y;
  if (!a.reply_labels.empty()) {
    const text::Corpus c =
        OrExit(text::ReadReplyLabels(a.reply_labels, a.text_columns, a.reply_column));
    auto prepared = OrExit(text::PrepareAll(*normalizer, extractor, c, Threads(a.threads)));
    std::unordered_set<std::string> labelled_texts;
    for (const auto& d : docs) labelled_texts.insert(d.text);
    for (std::size_t i = 0; i < c.labels.size(); ++i) {
      const auto it = std::find(labels.begin(), labels.end(), c.labels[i]);
      if (it == labels.end() || prepared[i].keys.empty() ||
          labelled_texts.contains(prepared[i].text))
        continue;  // a class the labelled data does not use, no text, or a labelled message
      distant.push_back(std::move(prepared[i]));
      distant_y.push_back(static_cast<int>(it - labels.begin()));
    }
  }
  const std::vector<PreparedDocument> unlabeled = ReadUnlabeled(a, *normalizer, extractor);
  text::TrainingData data{labels, docs, y, names, name_y, unlabeled, distant, distant_y};
  fmt::print(stderr,
             "{} labelled messages in {} classes, {} category-name documents, {} unlabelled, {} "
             "labelled by their reply\n",
             docs.size(), labels.size(), names.size(), unlabeled.size(), distant.size());
  if (a.cv > 1) {
    const int total = a.cv * a.repeat;
    auto cv = text::CrossValidate(normalizer, data, a.options, a.cv, a.repeat, a.seed,
                                  [&](const text::CrossValidation::Fold& f) {
                                    fmt::print(
                                        "repeat {} fold {}: macro_f1={:.4f} top1={:.4f} "
                                        "top3={:.4f} train {:.2f} s, {} pseudo-labelled\n",
                                        f.repeat + 1, f.fold + 1, f.macro_f1, f.accuracy,
                                        f.top3_accuracy, f.train_seconds, f.pseudo_labeled);
                                    std::fflush(stdout);
                                    ProgressBar("folds", f.repeat * a.cv + f.fold + 1, total);
                                  });
    PrintCrossValidation(cv, a.cv, a.repeat);
    if (a.out.empty()) return;
  }
  if (a.out.empty()) Exit(Error::InvalidArgument("--out MODEL is required (or use --cv K)"));
  if (a.options.features.fold_codes || a.options.features.gapped > 0)
    Exit(Error::InvalidArgument(
        "--fold-codes and --gapped are for --cv only: the model file does not record them"));
  const auto start = Clock::now();
  const text::Classifier c = text::Classifier::Train(
      normalizer, data, a.options,
      [](std::string_view step, int done, int total) { ProgressBar(step, done, total); });
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  OrExit(c.Save(a.out));
  fmt::print(
      "trained on {} messages ({} pseudo-labelled) in {:.2f} s: {} features, {} classes; "
      "model written to {}\n",
      docs.size(), c.pseudo_labeled(), secs, c.features(), labels.size(), a.out);
}

void PrintPredictions(const text::Classifier& c, const text::Corpus& corpus, int top) {
  std::string out;
  std::vector<std::string> header{"line"};
  for (int i = 1; i <= top; ++i) {
    header.push_back(fmt::format("label{}", i));
    header.push_back(fmt::format("confidence{}", i));
  }
  header.push_back("error");
  csv::AppendRecord(out, header);
  for (std::size_t i = 0; i < corpus.documents.size(); ++i) {
    std::vector<std::string> record{std::to_string(corpus.lines[i])};
    auto choices = c.Predict(corpus.documents[i], top);
    for (int k = 0; k < top; ++k) {
      const bool has = choices && static_cast<std::size_t>(k) < choices->size();
      record.push_back(has ? (*choices)[k].label : "");
      record.push_back(has ? fmt::format("{:.4f}", (*choices)[k].confidence) : "");
    }
    record.push_back(choices ? "" : choices.error().message);
    csv::AppendRecord(out, record);
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void RunClassify(const ClassifyArgs& a) {
  auto normalizer = OrExit(text::Normalizer::Open());
  const text::Classifier c = OrExit(text::Classifier::Load(a.model, normalizer));
  const text::Corpus corpus = OrExit(text::ReadCorpus(a.input, a.text_columns, a.label));
  if (a.label.empty()) return PrintPredictions(c, corpus, a.top);
  std::vector<int> truth, predicted, ranks;
  std::vector<std::string> labels = c.labels();
  const std::vector<int> y = IndexLabels(corpus.labels, labels);
  int unusable = 0;
  for (std::size_t i = 0; i < corpus.documents.size(); ++i) {
    auto choices = c.Predict(corpus.documents[i], 3);
    if (!choices) {
      fmt::print(stderr, "line {}: {}\n", corpus.lines[i], choices.error().message);
      ++unusable;
      continue;
    }
    truth.push_back(y[i]);
    const auto it = std::find(labels.begin(), labels.end(), (*choices)[0].label);
    predicted.push_back(static_cast<int>(it - labels.begin()));
    const auto place = std::find_if(choices->begin(), choices->end(), [&](const text::Choice& ch) {
      return ch.label == labels[y[i]];
    });
    ranks.push_back(place == choices->end() ? 3 : static_cast<int>(place - choices->begin()));
  }
  if (labels.size() > c.labels().size())
    fmt::print("note: {} class(es) in the file are unknown to the model\n",
               labels.size() - c.labels().size());
  if (unusable > 0) fmt::print("{} message(s) could not be classified (see stderr)\n", unusable);
  fmt::print("{} messages\n\n{}", truth.size(),
             text::FormatEvaluation(text::Evaluate(truth, predicted, labels, ranks)));
}

void AddTrain(CLI::App& cli) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = cli.add_subcommand("train", "train the request classifier (or cross-validate it)");
  cmd->add_option("--input", a->input, "labelled CSV file")->check(CLI::ExistingFile);
  cmd->add_flag("--from-history", a->from_history,
                "learn from the city's decided requests (labels: leaf matter codes); --out "
                "defaults to <data-dir>/models/requests.xtm");
  cmd->add_option("--data-dir", a->platform.data_dir, "--from-history: the data folder")
      ->capture_default_str();
  cmd->add_option("--database", a->platform.database, "--from-history: the database URL");
  cmd->add_option("--text", a->text_columns, "text columns, title first")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--label", a->label, "label column")->capture_default_str();
  cmd->add_option("--out", a->out, "model file to write");
  cmd->add_option("--unlabeled", a->unlabeled, "unlabelled CSV files (IDF, self-training)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--label-names", a->label_names,
                  "category tree CSV (label_system.csv) whose names become training documents")
      ->check(CLI::ExistingFile);
  cmd->add_option("--solver", a->solver, "svm or logistic")
      ->check(CLI::IsMember({"svm", "logistic"}))
      ->capture_default_str();
  auto& o = a->options;
  cmd->add_option("--c", o.solver.c, "inverse regularisation")->capture_default_str();
  cmd->add_option("--epochs", o.solver.max_epochs, "solver passes")->capture_default_str();
  cmd->add_option("--ngrams", o.features.char_ngram_max, "longest character n-gram")
      ->check(CLI::Range(1, 4))
      ->capture_default_str();
  cmd->add_flag("--words", o.features.words, "add ICU dictionary words as features");
  cmd->add_option("--title-weight", o.features.title_weight, "weight of the first text column")
      ->capture_default_str();
  cmd->add_option("--title-own", o.features.title_own,
                  "> 0: the title's n-grams are also features of their own, at this weight")
      ->capture_default_str();
  cmd->add_option("--min-df", o.min_df, "documents a feature must occur in")->capture_default_str();
  cmd->add_option("--self-training", o.self_training_rounds, "self-training rounds")
      ->capture_default_str();
  cmd->add_option("--pseudo-threshold", o.pseudo_threshold, "confidence for a pseudo-label")
      ->capture_default_str();
  cmd->add_option("--pseudo-weight", o.pseudo_weight, "weight of a pseudo-labelled message")
      ->capture_default_str();
  cmd->add_option("--label-name-weight", o.label_name_weight, "weight of a category-name document")
      ->capture_default_str();
  cmd->add_flag("--nb-scale", o.solver.nb_scale, "NBSVM: scale features by log-count ratios");
  cmd->add_flag("--balanced", o.balanced, "weigh classes inversely to their size");
  cmd->add_option("--score-scale", o.score_scale, "softmax scale of the scores (0: default)");
  cmd->add_option("--reply-labels", a->reply_labels,
                  "CSV with replies (messages_with_replies.csv): messages labelled by the "
                  "department that replied become training documents")
      ->check(CLI::ExistingFile);
  cmd->add_option("--reply-column", a->reply_column, "--reply-labels: the reply column")
      ->capture_default_str();
  cmd->add_option("--reply-weight", o.distant_weight,
                  "weight of a message labelled by its reply (0: not used)")
      ->capture_default_str();
  cmd->add_flag("--fold-codes", o.features.fold_codes,
                "research (--cv only): A3, U0007047 → one unit per letters + digit mark");
  cmd->add_option("--gapped", o.features.gapped,
                  "research (--cv only): weight of gapped character bigrams (0: none)")
      ->capture_default_str();
  cmd->add_option("--offset-folds", o.offset_folds,
                  "> 1: per-class score offsets tuned for macro-F1 by an inner k-fold")
      ->capture_default_str();
  cmd->add_option("--cv", a->cv, "k-fold cross-validation instead of (or before) --out");
  cmd->add_option("--repeat", a->repeat, "cross-validation repeats")->capture_default_str();
  cmd->add_option("--seed", a->seed, "shuffle seed")->capture_default_str();
  cmd->add_option("--threads", a->threads, "threads for reading (default: one per core)");
  cmd->callback([a] { RunTrain(*a); });
}

void AddClassify(CLI::App& cli) {
  auto a = std::make_shared<ClassifyArgs>();
  auto* cmd = cli.add_subcommand(
      "classify", "evaluate a model on labelled messages (--label) or predict as CSV");
  cmd->add_option("--model", a->model, "model file from 'xietong train'")->required();
  cmd->add_option("--input", a->input, "CSV file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--text", a->text_columns, "text columns, title first")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--label", a->label, "label column: print the evaluation report instead");
  cmd->add_option("--top", a->top, "classes per prediction")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();
  cmd->callback([a] { RunClassify(*a); });
}

}  // namespace

void RegisterTextCommands(CLI::App& cli) {
  AddTrain(cli);
  AddClassify(cli);
}

}  // namespace xietong::app
