// The request classifier: TF-IDF over character n-grams (and optionally ICU
// words) of the normalised title and body, a linear model over them, and
// top-k predictions with confidences.
//
// Training can add category-name documents (label_system.csv) and
// self-training on unlabelled messages: the model labels them, the confident
// ones join the training set at a lower weight, and the model is trained again.
// A Classifier is immutable after Train() or Load() and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "text/corpus.h"
#include "text/features.h"
#include "text/linear.h"
#include "text/normalize.h"

namespace xietong::text {

struct ClassifierOptions {
  FeatureOptions features;
  SolverOptions solver{.c = 3.0};
  int min_df = 2;                 // a feature must occur in this many training documents
  int self_training_rounds = 0;   // 0: labelled data (and category names) only
  float pseudo_threshold = 0.9f;  // confidence an unlabelled message needs to be used
  float pseudo_weight = 0.5f;     // its weight relative to a labelled message
  float label_name_weight = 0;    // weight of category-name documents; 0: not used
  bool balanced = false;          // weigh classes inversely to their size
  float score_scale = 0;          // probabilities = softmax(scale × scores); 0: solver default
  float distant_weight = 0;       // weight of distantly labelled documents; 0: not used
  // > 1: per-class offsets added to the scores, chosen to maximise macro-F1 of
  // the out-of-fold scores of an inner cross-validation with this many folds
  // over the labelled documents (costs that many extra trainings).
  int offset_folds = 0;
};

// Documents prepared with the same FeatureOptions as the classifier's.
struct TrainingData {
  std::vector<std::string> labels;         // class names; y values index them
  std::span<const PreparedDocument> docs;  // labelled
  std::span<const int> y;
  std::span<const PreparedDocument> names;  // category-name documents (may be empty)
  std::span<const int> name_y;
  std::span<const PreparedDocument> unlabeled;  // for IDF and self-training (may be empty)
  // Labelled by a rule, not a person (e.g. the department that replied);
  // trained on at distant_weight (may be empty).
  std::span<const PreparedDocument> distant = {};
  std::span<const int> distant_y = {};
};

struct Choice {
  std::string label;
  float confidence = 0;  // the class probability; the choices' sum is at most 1
};

// Turns scores into probabilities in place: softmax(scale × scores).
void Softmax(std::span<float> scores, float scale);

class Classifier {
 public:
  using Progress = std::function<void(std::string_view step, int done, int total)>;

  static Classifier Train(std::shared_ptr<const Normalizer> normalizer, const TrainingData& data,
                          const ClassifierOptions& options, const Progress& progress = {});

  // The `top` most likely classes, best first. kInvalidArgument when the text
  // is not valid UTF-8 or holds no letter, digit or ideograph (empty, only
  // punctuation or emoji); kTooLarge above kMaxInputBytes.
  Result<std::vector<Choice>> Predict(std::span<const std::string> fields, int top = 3) const;

  // Class probabilities (in labels() order) of an already prepared document.
  std::vector<float> Probabilities(std::span<const KeyCount> keys) const;
  // The raw linear scores (before the softmax) of a prepared document.
  std::vector<float> Scores(std::span<const KeyCount> keys) const;
  // Class probabilities of raw text fields; errors as Predict().
  Result<std::vector<float>> Probabilities(std::span<const std::string> fields) const;

  const std::vector<std::string>& labels() const { return labels_; }
  const FeatureOptions& feature_options() const { return extractor_.options(); }
  const FeatureExtractor& extractor() const { return extractor_; }
  const Normalizer& normalizer() const { return *normalizer_; }
  std::size_t features() const { return vocabulary_.size(); }
  float score_scale() const { return score_scale_; }
  // How many unlabelled messages the last self-training round used.
  std::size_t pseudo_labeled() const { return pseudo_labeled_; }
  // The per-class offsets of ClassifierOptions::offset_folds after Train (zeros
  // without; empty after Load: they are part of the saved bias).
  const std::vector<float>& offsets() const { return offsets_; }

  // The model file: magic "XTTEXTCL", format version, the settings prediction
  // needs, labels, vocabulary, IDF and weights, and a CRC-32 of it all.
  Result<void> Save(const std::string& path) const;
  // kNotFound for a missing file; kInvalidArgument naming what is wrong for a
  // file that is not a model, is from another format version, or is
  // truncated or corrupt.
  static Result<Classifier> Load(const std::string& path,
                                 std::shared_ptr<const Normalizer> normalizer);
  // The model file's bytes, to keep a model elsewhere (a database row). Never
  // fails; thread-safe. Load(path) reads what Save writes and LoadBytes what
  // SaveBytes returns: the two are the same format.
  std::string SaveBytes() const;
  // A classifier from SaveBytes()'s bytes. kInvalidArgument naming what is
  // wrong for bytes that are not a model, are from another format version,
  // or are truncated or corrupt (checked by length and CRC-32 before any
  // weight is read). Thread-safe; `bytes` need not outlive the call.
  static Result<Classifier> LoadBytes(std::string_view bytes,
                                      std::shared_ptr<const Normalizer> normalizer);
  static constexpr std::uint32_t kFormatVersion = 1;

 private:
  Classifier(std::shared_ptr<const Normalizer> normalizer, FeatureOptions features)
      : normalizer_(std::move(normalizer)), extractor_(features) {}
  void Fit(const TrainingData& data, std::span<const PreparedDocument> pseudo,
           std::span<const int> pseudo_y, const ClassifierOptions& options,
           const Progress& progress);
  static std::vector<float> TuneOffsets(std::shared_ptr<const Normalizer> normalizer,
                                        const TrainingData& data, const ClassifierOptions& options);
  friend class ModelCodec;

  std::shared_ptr<const Normalizer> normalizer_;
  FeatureExtractor extractor_;
  Vocabulary vocabulary_;
  LinearModel model_;
  std::vector<std::string> labels_;
  float score_scale_ = 1;
  std::size_t pseudo_labeled_ = 0;
  std::vector<float> offsets_;
};

}  // namespace xietong::text
