// What every bench program needs: elapsed seconds, and a Result that ends
// the program with its message (prefixed with the program's name) when it
// holds an error. A bench has nobody to hand an error to.
#pragma once

#include <errno.h>  // program_invocation_short_name (glibc)
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <type_traits>
#include <utility>

#include "core/result.h"

namespace xietong::bench {

using SteadyClock = std::chrono::steady_clock;

inline double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

[[noreturn]] inline void Die(const Error& e) {
  fmt::print(stderr, "{}: {}\n", program_invocation_short_name, e.message);
  std::exit(1);
}

template <typename T>
T Must(Result<T> r) {
  if (!r) Die(r.error());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

}  // namespace xietong::bench
