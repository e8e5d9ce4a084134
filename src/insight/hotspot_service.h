// Hotspots (热点) in the city's own requests for the leader's dashboard:
// what many residents raise about the same place in the same weeks (see
// text/hotspots.h for the grouping and the score). Each request's place is
// its street; its support is the number of requests merged into it.
// Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "requests/request_service.h"
#include "storage/database.h"
#include "text/hotspots.h"
#include "text/normalize.h"

namespace xietong::insight {

struct HotspotRequest {
  Timestamp from = 0;   // received at or after
  Timestamp to = 0;     // received before
  std::string unit_id;  // only requests handled under it; "" = the whole city
  std::size_t limit = 10;
};

struct HotspotAnswer {
  std::vector<text::Hotspot> hotspots;  // best first; places are street names
  std::size_t requests = 0;             // requests looked at
  bool truncated = false;               // more were received: only the newest were grouped
};

class HotspotService {
 public:
  // At most this many requests are grouped per call (the newest of the
  // period): grouping costs about half a millisecond per request.
  static constexpr int kMaxRequests = 5000;

  explicit HotspotService(requests::RequestService& requests) : requests_(requests) {}

  // The same permission as the ranking (RequestService::FiguresPath);
  // InvalidArgument for an empty or reversed period or a limit outside 1–100.
  Result<HotspotAnswer> Hotspots(const identity::Principal& actor, const HotspotRequest& in);

 private:
  Result<std::shared_ptr<const text::Normalizer>> normalizer();

  requests::RequestService& requests_;
  std::mutex mutex_;
  std::shared_ptr<const text::Normalizer> normalizer_;  // GUARDED_BY(mutex_), opened once
};

}  // namespace xietong::insight
