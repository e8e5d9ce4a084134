// Deterministic draws for the demo city's generators: the same story on
// every machine (splitmix64), and the fictional identifiers they need.
#pragma once

#include <fmt/core.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace xietong::app {

// splitmix64: the same story on every machine.
class Draw {
 public:
  explicit Draw(std::uint64_t seed = 20261202) : state_(seed) {}
  std::uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<std::uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }
  template <typename T, std::size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(static_cast<int>(N))];
  }

 private:
  std::uint64_t state_;
};

// A 公民身份号码 with its check digit (GB 11643).
inline std::string IdNumber(Draw& d, int year) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  std::string s = fmt::format("3301{:02}{:04}{:02}{:02}{:03}", 2 + d.Below(8), year,
                              1 + d.Below(12), 1 + d.Below(28), d.Below(1000));
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (s[i] - '0') * kWeights[i];
  return s + kCheck[sum % 11];
}

// A 公民身份号码 for a birth date and sequence (GB 11643 check digit).
inline std::string IdNumberOf(std::string_view region, int y, int m, int d, int seq) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  std::string s = fmt::format("{}{:04}{:02}{:02}{:03}", region, y, m, d, seq % 1000);
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (s[i] - '0') * kWeights[i];
  return s + kCheck[sum % 11];
}

// A 统一社会信用代码 (GB 32100: check character over 17 of 31 characters).
inline std::string Uscc(Draw& d) {
  static constexpr std::string_view kChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
  std::string s = "913301";
  while (s.size() < 17) s += kChars[static_cast<std::size_t>(d.Below(31))];
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += static_cast<int>(kChars.find(s[i])) * kWeights[i];
  return s + kChars[static_cast<std::size_t>((31 - sum % 31) % 31)];
}

}  // namespace xietong::app
