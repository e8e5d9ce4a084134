#include "app/cli_support.h"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace xietong::app {

void ProgressBar(std::string_view label, std::int64_t done, std::int64_t total) {
  static const bool tty = isatty(fileno(stderr));
  static std::string last_label;
  static int last_percent = -1;
  if (!tty) return;
  const double f = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int percent = static_cast<int>(f * 100);
  if (percent == last_percent && label == last_label && done < total) return;
  last_percent = percent;
  last_label = label;
  const int width = 30;
  const int filled = static_cast<int>(f * width);
  std::fprintf(stderr, "\r[%s%s] %3d%%  %lld / %lld %.*s   ", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), percent, static_cast<long long>(done),
               static_cast<long long>(total), static_cast<int>(label.size()), label.data());
  if (done >= total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

int Report(const Error& e) {
  std::fprintf(stderr, "xietong: %s (%s)\n", e.message.c_str(),
               std::string(ErrorCodeName(e.code)).c_str());
  return e.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

void Exit(const Error& e) { throw CLI::RuntimeError(Report(e)); }

Result<std::int64_t> ParseCsvTime(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  const std::string t(s);
  if (std::sscanf(t.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec) < 3 &&
      std::sscanf(t.c_str(), "%d/%d/%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec) < 3)
    return Fail(Error::InvalidArgument(fmt::format("time '{}' is not YYYY-MM-DD [HH:MM[:SS]]", s)));
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return Fail(Error::InvalidArgument(fmt::format("time '{}' is not a date", s)));
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((static_cast<std::int64_t>(days) * 24 + h) * 60 + mi) * 60'000'000LL + sec * 1'000'000LL;
}

}  // namespace xietong::app
