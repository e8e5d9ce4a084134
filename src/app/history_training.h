// The request classifier trained on the city's own decided requests: each
// request that staff replied to or closed is a title and text labelled with
// the leaf matter (its code) it was handled under. `xietong train
// --from-history` and `xietong demo` write the model to
// <data_dir>/models/requests.xtm, where `serve` loads it at start to suggest
// categories at intake.
#pragma once

#include <string>

#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

struct HistoryTraining {
  int requests = 0;  // decided requests used
  int skipped = 0;   // decided requests whose text has nothing to learn from
  int classes = 0;   // leaf matters among them
  std::size_t features = 0;
  std::string model_path;
};

// Where the model of a data directory lives.
std::string RequestModelPath(const std::string& data_dir);

// Trains on the newest 20,000 decided requests and saves the model (to a temporary file,
// renamed over the old one, so `serve` never reads half a model).
// kInvalidArgument when the history holds fewer than 20 usable requests or
// fewer than two matters.
Result<HistoryTraining> TrainFromHistory(Platform& platform, const std::string& model_path);

// Loads <data_dir>/models/requests.xtm into the request service when it
// exists; true when it did. A model that cannot be read is an error (the
// caller logs it and intake suggests from keywords).
Result<bool> LoadRequestModel(Platform& platform);

}  // namespace xietong::app
