#include "requests/duplicates.h"

#include <spdlog/spdlog.h>

#include "requests/request_store.h"

namespace xietong::requests {

RecentRequests::RecentRequests(storage::Database& db, const Clock& clock,
                               text::DuplicateOptions options)
    : db_(db), clock_(clock), options_(options) {}

void RecentRequests::Index(const std::string& id, const std::string& title, const std::string& text,
                           const std::string& street_id, Timestamp at) {
  // A text with nothing to compare (or one already indexed) is simply not indexed.
  (void)index_->Add({id, title + "\n" + text, street_id, at});
}

Result<void> RecentRequests::Refresh() {
  const Timestamp now = clock_.Now();
  if (!index_) {
    if (unavailable_) return {};
    auto normalizer = text::Normalizer::Open();
    if (!normalizer) {
      unavailable_ = true;
      spdlog::warn("duplicate finding is off: {}", normalizer.error().message);
      return {};
    }
    index_ = std::make_unique<text::DuplicateIndex>(std::move(*normalizer), options_);
    loaded_until_ = now - options_.window_us;
  } else if (now - last_refresh_ < kMicrosPerSecond) {
    return {};
  }
  last_refresh_ = now;
  // Overlap one second: a request committed a moment late by another node
  // still comes in (ids already indexed are skipped).
  Timestamp since = loaded_until_ - kMicrosPerSecond;
  for (;;) {
    XT_ASSIGN_OR_RETURN(auto rows, db_.Read([&](storage::Executor& ex) {
      return store::ReceivedSince(ex, since, 5000);
    }));
    for (const auto& r : rows) {
      if (r.parent_id.empty()) Index(r.id, r.title, r.text, r.street_id, r.received_at);
      loaded_until_ = std::max(loaded_until_, r.received_at);
    }
    if (rows.size() < 5000) break;
    if (rows.back().received_at == since) break;  // 5,000 in one microsecond: give up here
    since = rows.back().received_at;
  }
  return {};
}

Result<std::vector<DuplicateCandidate>> RecentRequests::Find(const std::string& title,
                                                             const std::string& text,
                                                             const Place& place,
                                                             std::size_t limit) {
  std::vector<DuplicateCandidate> out;
  std::lock_guard lock(mutex_);
  XT_TRY_VOID(Refresh());
  if (!index_) return out;
  auto found = index_->Query({"", title + "\n" + text, place.street_id, clock_.Now()}, limit);
  if (!found) return out;  // nothing to compare in this text
  for (const auto& m : *found) out.push_back({m.id, m.score});
  return out;
}

}  // namespace xietong::requests
