#include "app/cli_support.h"

#include <unistd.h>

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

}  // namespace xietong::app
