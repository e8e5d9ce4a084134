// The SQL of insight/: what the hotspot finder reads of the city's requests.
// Stateless functions over an Executor; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace xietong::insight::store {

struct RequestText {
  std::string id;
  std::string title;
  std::string text;
  std::string street_id;  // "" when it could not be located
  Timestamp received_at = 0;
  std::int64_t merged = 0;  // requests merged into this one (residents who said the same)
};

// Requests received in [from, to) that were not merged into another (those
// count as support of the one they joined), handled under `under_path` when
// it is not empty; the newest first, at most `limit`.
Result<std::vector<RequestText>> ReceivedBetween(storage::Executor& ex, Timestamp from,
                                                 Timestamp to, std::string_view under_path,
                                                 int limit);

}  // namespace xietong::insight::store
