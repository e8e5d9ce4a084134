// Fills a data directory with N audit events (realistic payloads, written in
// batches through the normal Append path) and signs a checkpoint, so that
// `xietong audit verify` can be timed on it. Used by bench/audit_verify.sh.
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/platform.h"
#include "audit/audit_log.h"
#include "audit/verify.h"

int main(int argc, char** argv) {
  using namespace xietong;
  if (argc < 3) {
    fmt::print(stderr, "usage: audit_fill DATA_DIR EVENTS\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long total = std::atol(argv[2]);
  app::PlatformOptions options;
  options.data_dir = dir;
  auto p = app::Platform::Open(options);
  if (!p) {
    fmt::print(stderr, "{}\n", p.error().message);
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  constexpr long kBatch = 5000;
  for (long done = 0; done < total; done += kBatch) {
    auto r = (*p)->db().Write([&](storage::Executor& ex) -> Result<void> {
      for (long i = done; i < std::min(total, done + kBatch); ++i) {
        audit::EventInput e{fmt::format("01M83WB7YZNQP6BBJFSGK{:05}", i % 97),
                            "requests.request.sign",
                            fmt::format("01M83WBY525TBJP1S171K{:05}", i % 50000),
                            {{"status", "signed"},
                             {"unit_id", "01M83WAYBTWRGJXR518ZJKE42T"},
                             {"note", "已签收，安排网格员今日上门处理"},
                             {"deadline", 1795000000000000 + i}}};
        XT_TRY_VOID(audit::Append(ex, 1790000000000000 + i * 1000, e));
      }
      return {};
    });
    if (!r) {
      fmt::print(stderr, "{}\n", r.error().message);
      return 1;
    }
    if (done % 100000 == 0) fmt::print(stderr, "\r{} / {}", done, total);
  }
  auto cp = audit::Checkpoint((*p)->db(), (*p)->key(), (*p)->clock().Now());
  if (!cp) return 1;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(stderr, "\rwrote {} events in {:.1f} s ({:.0f}/s, batches of {})\n", total, s,
             total / s, kBatch);
  return 0;
}
