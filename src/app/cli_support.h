// What every xietong subcommand shares: a progress bar on stderr and the one
// way a command reports an error and ends (message, error code, exit status:
// 2 for bad input, 1 otherwise).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/result.h"

namespace xietong::app {

// "[#####.....]  52%  520 / 1000 label" on stderr when it is a terminal; a
// new line when done reaches total. Redraws only when the percentage or the
// label changes.
void ProgressBar(std::string_view label, std::int64_t done, std::int64_t total);

// Prints "xietong: message (code)" on stderr; returns the exit status.
int Report(const Error& e);

// Report, then end the CLI11 command with that status.
[[noreturn]] void Exit(const Error& e);

// "2019-02-28 11:25:05" (or with '/', without seconds) as microseconds since
// 1970 in the file's own local time: what matters is the difference.
Result<std::int64_t> ParseCsvTime(std::string_view s);

template <typename T>
T OrExit(Result<T> r) {
  if (!r) Exit(r.error());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

}  // namespace xietong::app
