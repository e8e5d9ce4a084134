#include "core/identifiers.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "core/json.h"

namespace xietong {

bool ValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  return y >= 1900 && y <= 2200 &&
         std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(m),
                                     std::chrono::day(d))
             .ok();
}

bool ValidIdNumber(std::string_view s) {
  if (s.size() != 18) return false;
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    sum += (s[i] - '0') * kWeights[i];
  }
  const std::string birth =
      fmt::format("{}-{}-{}", s.substr(6, 4), s.substr(10, 2), s.substr(12, 2));
  return ValidDate(birth) && s[17] == kCheck[sum % 11];
}

bool ValidUscc(std::string_view s) {
  // GB 32100-2015: 31 characters (no I, O, Z, S, V); check = 31 - Σ(c·w) mod 31.
  static constexpr std::string_view kChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
  if (s.size() != 18) return false;
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    const auto at = kChars.find(s[i]);
    if (at == std::string_view::npos) return false;
    sum += static_cast<int>(at) * kWeights[i];
  }
  const int check = (31 - sum % 31) % 31;
  return s[17] == kChars[check];
}

bool ValidMobile(std::string_view s) {
  return s.size() == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ValidDivisionCode(std::string_view s) {
  if (s.size() != 6 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const int province = (s[0] - '0') * 10 + (s[1] - '0');
  return province >= 11 && province <= 82;
}

std::string MaskKeepEnds(std::string_view value) {
  if (value.size() <= 7) return std::string(value.size(), '*');
  return fmt::format("{}{}{}", value.substr(0, 3), std::string(value.size() - 7, '*'),
                     value.substr(value.size() - 4));
}

std::string MaskName(std::string_view name) {
  const auto n = json::CountCodePoints(name);
  if (n == 0) return {};
  // The first code point, whole (a Chinese surname is one to three bytes).
  std::size_t first = 1;
  while (first < name.size() && (static_cast<unsigned char>(name[first]) & 0xC0) == 0x80) ++first;
  return std::string(name.substr(0, first)) + std::string(std::max<std::size_t>(1, n - 1), '*');
}

}  // namespace xietong
