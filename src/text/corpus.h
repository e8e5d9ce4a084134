// Reading messages for training and evaluation: CSV columns to documents,
// documents to features, and the category-name documents of a label system.
//
// A document is its text fields in order (the first is the title). Prepared
// documents keep their normalised text, so that verbatim repeats can be
// grouped. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "text/features.h"
#include "text/normalize.h"

namespace xietong::text {

struct Corpus {
  std::vector<std::vector<std::string>> documents;  // the text columns of each row
  std::vector<std::string> labels;                  // one per row when a label column was read
  std::vector<std::int64_t> lines;                  // the CSV line each row started on
};

// Reads `text_columns` (and `label_column` unless empty) of a CSV file with a
// header row. Rows whose label is blank are skipped. kInvalidArgument naming
// a missing column; kNotFound for a missing file.
Result<Corpus> ReadCorpus(const std::string& path, std::span<const std::string> text_columns,
                          const std::string& label_column);

// Category names as extra training documents: for a CSV whose first column
// is a first-level category and whose other columns are its sub-categories
// (label_system.csv), one document per second-level category (its name, then
// the names of its third-level categories), labelled with the first level.
Result<Corpus> ReadLabelNames(const std::string& path);

// Distant labels (research, `xietong train --reply-labels`): the
// first-level class of labeled_messages.csv that a government reply's
// departments point to (教育局 → 教育文体, 人社局 → 劳动和社会保障, 住建/城管/
// 规划/国土 → 城乡建设, 环保 → 环境保护, 交通运输/公路 → 交通运输, 卫生/卫健 →
// 卫生计生, 商务/工商/物价/市场监管 → 商贸旅游), or "" when the reply names
// none of them or departments of more than one class.
std::string_view ReplyClass(std::string_view reply);

// The rows of a CSV with replies whose reply has a ReplyClass, labelled with
// it; `text_columns` as ReadCorpus. Errors as ReadCorpus.
Result<Corpus> ReadReplyLabels(const std::string& path, std::span<const std::string> text_columns,
                               const std::string& reply_column);

struct PreparedDocument {
  std::vector<KeyCount> keys;
  std::string text;  // the normalised fields joined by '\n' (for finding repeats)
  bool truncated = false;
};

// Normalises and featurises one document; errors name the field.
Result<PreparedDocument> Prepare(const Normalizer& normalizer, const FeatureExtractor& extractor,
                                 std::span<const std::string> fields);

// Prepares every document of `corpus` on `threads` threads; the first error
// names the CSV line. progress(done, total) is called from the calling thread.
Result<std::vector<PreparedDocument>> PrepareAll(
    const Normalizer& normalizer, const FeatureExtractor& extractor, const Corpus& corpus,
    int threads, const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace xietong::text
