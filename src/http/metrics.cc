#include "http/metrics.h"

#include <fmt/core.h>

namespace xietong::http {

Metrics::Slot& Metrics::SlotFor(const std::string& method, const std::string& route) {
  std::lock_guard lock(mutex_);
  auto& slot = slots_[{method, route}];
  if (!slot) slot = std::make_unique<Slot>();
  return *slot;
}

void Metrics::Record(Slot& slot, int status, std::int64_t micros) {
  const int cls = status / 100;
  if (cls >= 1 && cls <= 5) slot.by_class[cls].fetch_add(1, std::memory_order_relaxed);
  const double seconds = static_cast<double>(micros) / 1e6;
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  slot.buckets[i].fetch_add(1, std::memory_order_relaxed);
  slot.sum_micros.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
}

std::string Metrics::Render() const {
  std::string out =
      "# HELP xietong_http_requests_total HTTP requests answered, by route and status class.\n"
      "# TYPE xietong_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, slot] : slots_) {
    for (int c = 1; c <= 5; ++c) {
      const auto n = slot->by_class[c].load();
      if (n == 0) continue;
      out += fmt::format(
          "xietong_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}xx\"}} {}\n",
          key.first, key.second, c, n);
    }
  }
  out +=
      "# HELP xietong_http_request_duration_seconds Time from request read to response ready.\n"
      "# TYPE xietong_http_request_duration_seconds histogram\n";
  for (const auto& [key, slot] : slots_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kBuckets.size(); ++i) {
      cumulative += slot->buckets[i].load();
      const std::string le = i < kBuckets.size() ? fmt::format("{}", kBuckets[i]) : "+Inf";
      out += fmt::format(
          "xietong_http_request_duration_seconds_bucket{{method=\"{}\",route=\"{}\",le=\"{}\"}} "
          "{}\n",
          key.first, key.second, le, cumulative);
    }
    out +=
        fmt::format("xietong_http_request_duration_seconds_sum{{method=\"{}\",route=\"{}\"}} {}\n",
                    key.first, key.second, static_cast<double>(slot->sum_micros.load()) / 1e6);
    out += fmt::format(
        "xietong_http_request_duration_seconds_count{{method=\"{}\",route=\"{}\"}} {}\n", key.first,
        key.second, cumulative);
  }
  return out;
}

}  // namespace xietong::http
