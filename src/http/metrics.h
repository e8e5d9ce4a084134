// Request counters and latency histograms per route, rendered in the
// Prometheus text format at /metrics. Slots are created at start-up (one per
// route) and updated with atomics, so recording costs no lock. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace xietong::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  struct Slot {
    std::array<std::atomic<std::uint64_t>, 6> by_class{};                   // 1xx..5xx, [0] unused
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> sum_micros{0};
  };

  // The slot for (method, route); created on first use (at start-up).
  Slot& SlotFor(const std::string& method, const std::string& route);
  static void Record(Slot& slot, int status, std::int64_t micros);
  std::string Render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Slot>>
      slots_;  // GUARDED_BY(mutex_)
};

}  // namespace xietong::http
