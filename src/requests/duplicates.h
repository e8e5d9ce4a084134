// Likely duplicates at intake: the requests of the last weeks that say nearly
// the same thing about the same street, with a score, so the operator can
// merge instead of dispatching the same problem twice.
//
// An in-memory text::DuplicateIndex over the requests received within the
// window, filled from the database on first use and topped up from it at
// most once a second, so requests taken in by any server node are found the
// same way; intake itself does no duplicate work. Merged requests are left
// out: their parent stands for them. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "requests/request.h"
#include "storage/database.h"
#include "text/duplicates.h"

namespace xietong::requests {

struct DuplicateCandidate {
  std::string request_id;
  double score = 0;  // 0..1, the text similarity
};

class RecentRequests {
 public:
  RecentRequests(storage::Database& db, const Clock& clock, text::DuplicateOptions options = {});

  // The likely duplicates of a request about to be taken in (best first).
  // Without OpenCC's data (no normaliser) or for text with nothing to compare,
  // the answer is empty: finding duplicates is help, never a reason to fail.
  Result<std::vector<DuplicateCandidate>> Find(const std::string& title, const std::string& text,
                                               const Place& place, std::size_t limit);

 private:
  Result<void> Refresh();  // requires mutex_
  void Index(const std::string& id, const std::string& title, const std::string& text,
             const std::string& street_id, Timestamp at);  // requires mutex_

  storage::Database& db_;
  const Clock& clock_;
  const text::DuplicateOptions options_;
  std::mutex mutex_;
  bool unavailable_ = false;                     // GUARDED_BY(mutex_): no normaliser
  std::unique_ptr<text::DuplicateIndex> index_;  // GUARDED_BY(mutex_) for creation and refresh
  Timestamp loaded_until_ = 0;                   // GUARDED_BY(mutex_)
  Timestamp last_refresh_ = 0;                   // GUARDED_BY(mutex_)
};

}  // namespace xietong::requests
