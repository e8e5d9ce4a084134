// SQL of the routing model that learns (insight migration 5, plan §7.2): one
// row per request of what intake suggested and what was decided
// (insight_intake_decisions, written by the insight.intake consumer), and the
// trained models stored in the database (insight_models, with their bytes in
// insight_model_chunks) so that every node of a deployment loads the same one.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "insight/routing_model.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::insight::store {

using storage::Executor;

std::span<const storage::Migration> RoutingMigrations();  // insight 5

// Stores the intake decision unless the request already has one (a replayed
// event changes nothing).
Result<void> InsertDecision(Executor& ex, const IntakeDecision& d);
// The request's last category given after intake; recategorised marks a
// change of a category already given. No row (a request received before
// the table, or never seen): nothing happens.
Result<void> UpdateFinal(Executor& ex, std::string_view request_id,
                         std::string_view final_matter_id, bool recategorised, Timestamp at);
// The decisions of requests received in [from, to), oldest first.
Result<std::vector<IntakeDecision>> DecisionsReceived(Executor& ex, Timestamp from, Timestamp to);

// A stored model (its bytes in insight_model_chunks).
struct ModelRow {
  std::string id = {};
  std::string kind = {};  // routing
  std::int64_t version = 0;
  std::string status = {};  // candidate | active | retired | rejected
  Timestamp trained_at = 0;
  std::int64_t trained_on = 0;  // training requests
  std::int64_t classes = 0;
  Timestamp data_to = 0;     // received_at bound of its training data
  std::string holdout = {};  // JSON
  std::string sha256 = {};   // of the bytes, hex
  std::int64_t size = 0;     // bytes
  std::int64_t chunks = 0;
  std::string note = {};
  std::string created_by = {};
};

inline constexpr std::size_t kModelChunkBytes = 1 << 20;

// Stores the model row and its bytes in chunks of ≤ kModelChunkBytes (base64
// text); size, chunks and sha256 are computed from bytes.
Result<void> InsertModel(Executor& ex, ModelRow row, std::string_view bytes);
// The bytes of a stored model; Internal when its chunks do not add up to its
// size and sha256.
Result<std::string> ModelBytes(Executor& ex, std::string_view model_id);
// The active model of a kind, if any (without bytes).
Result<std::optional<ModelRow>> ActiveModel(Executor& ex, std::string_view kind);
// Every model of a kind, newest version first (without bytes).
Result<std::vector<ModelRow>> ListModels(Executor& ex, std::string_view kind);
Result<std::optional<ModelRow>> FindModel(Executor& ex, std::string_view model_id);
Result<void> SetModelStatus(Executor& ex, std::string_view model_id, std::string_view status);
// 1 + the highest version of kind (1 for the first).
Result<std::int64_t> NextModelVersion(Executor& ex, std::string_view kind);

}  // namespace xietong::insight::store
