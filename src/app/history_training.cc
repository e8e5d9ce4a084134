#include "app/history_training.h"

#include <fmt/core.h>

#include <filesystem>
#include <map>
#include <vector>

#include "text/classifier.h"
#include "text/corpus.h"

namespace xietong::app {

std::string RequestModelPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "models" / "requests.xtm").string();
}

Result<HistoryTraining> TrainFromHistory(Platform& p, const std::string& model_path) {
  const auto sys = identity::Principal::System();
  XT_ASSIGN_OR_RETURN(auto catalog, p.matters().Snapshot());
  XT_ASSIGN_OR_RETURN(auto normalizer, text::Normalizer::Open());
  const text::ClassifierOptions options;
  const text::FeatureExtractor extractor(options.features);

  HistoryTraining out;
  out.model_path = model_path;
  std::vector<text::PreparedDocument> docs;
  std::vector<int> y;
  std::vector<std::string> labels;
  std::map<std::string, int> index;
  requests::ListFilter filter;
  filter.statuses = {requests::Status::kReplied, requests::Status::kCallback,
                     requests::Status::kClosed};
  filter.limit = 500;
  // The newest decided requests, at most this many: the city's current
  // wording and routing, and a training time that stays in seconds.
  constexpr std::size_t kMaxTrainingRequests = 20'000;
  while (docs.size() < kMaxTrainingRequests) {
    XT_ASSIGN_OR_RETURN(auto page, p.requests().List(sys, filter));
    for (const auto& r : page.items) {
      const matters::Matter* m = catalog->Find(r.matter_id);
      if (!m || m->level != 3) continue;
      const std::string fields[] = {r.title, r.text};
      auto doc = text::Prepare(*normalizer, extractor, fields);
      if (!doc) {
        ++out.skipped;
        continue;
      }
      auto [it, fresh] = index.try_emplace(m->code, static_cast<int>(labels.size()));
      if (fresh) labels.push_back(m->code);
      docs.push_back(std::move(*doc));
      y.push_back(it->second);
    }
    if (!page.next_cursor) break;
    filter.cursor = *page.next_cursor;
  }
  out.requests = static_cast<int>(docs.size());
  out.classes = static_cast<int>(labels.size());
  if (out.requests < 20 || out.classes < 2)
    return Fail(Error::InvalidArgument(fmt::format(
        "the history has {} decided requests in {} matters; training needs at least 20 in two",
        out.requests, out.classes)));

  const text::TrainingData data{labels, docs, y, {}, {}, {}};
  const text::Classifier model = text::Classifier::Train(normalizer, data, options);
  out.features = model.features();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(model_path).parent_path(), ec);
  const std::string partial = model_path + ".partial";
  XT_TRY_VOID(model.Save(partial));
  std::filesystem::rename(partial, model_path, ec);
  if (ec)
    return Fail(Error::Unavailable(
        fmt::format("cannot move the model into {}: {}", model_path, ec.message())));
  return out;
}

Result<bool> LoadRequestModel(Platform& p) {
  const std::string path = RequestModelPath(p.options().data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  XT_ASSIGN_OR_RETURN(auto normalizer, text::Normalizer::Open());
  XT_ASSIGN_OR_RETURN(auto model, text::Classifier::Load(path, std::move(normalizer)));
  p.requests().SetClassifier(std::make_shared<const text::Classifier>(std::move(model)), "file");
  return true;
}

}  // namespace xietong::app
