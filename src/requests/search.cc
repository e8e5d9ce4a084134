#include "requests/search.h"

#include <fmt/format.h>

#include <vector>

namespace xietong::requests::search {
namespace {

// Code points of valid UTF-8 (an invalid byte stands for itself: stored
// text is valid, so this only keeps the function total).
std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (n == 1 || i + n > s.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    char32_t cp = c & (0xFF >> (n + 1));
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

// Letters, digits and ideographs; not spaces, controls or punctuation.
bool IsWordChar(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c >= 0x2000 && c <= 0x206F) return false;  // general punctuation, spaces
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK symbols and punctuation
  if (c >= 0xFE30 && c <= 0xFE4F) return false;  // CJK compatibility forms
  if (c >= 0xFF00 && c <= 0xFF0F) return false;  // full-width ！＂＃…／
  if (c >= 0xFF1A && c <= 0xFF20) return false;  // ：；＜＝＞？＠
  if (c >= 0xFF3B && c <= 0xFF40) return false;
  if (c >= 0xFF5B && c <= 0xFF65) return false;
  return c != 0xA0 && c != 0xFEFF;
}

char32_t Fold(char32_t c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

void AppendTokens(const std::vector<char32_t>& cps, std::string& out) {
  for (std::size_t i = 0; i + 1 < cps.size(); ++i) {
    if (!out.empty()) out += ' ';
    if (IsWordChar(cps[i]) && IsWordChar(cps[i + 1])) {
      out += fmt::format("g{:x}x{:x}", static_cast<std::uint32_t>(Fold(cps[i])),
                         static_cast<std::uint32_t>(Fold(cps[i + 1])));
    } else {
      out += "gz";
    }
  }
}

}  // namespace

std::string IndexTokens(std::string_view title, std::string_view text, std::string_view address) {
  std::string out;
  // Fields are joined by a newline: no token spans two of them.
  std::vector<char32_t> all = CodePoints(title);
  for (std::string_view more : {text, address}) {
    all.push_back('\n');
    const auto cps = CodePoints(more);
    all.insert(all.end(), cps.begin(), cps.end());
  }
  out.reserve(all.size() * 11);
  AppendTokens(all, out);
  return out;
}

std::optional<std::string> QueryPhrase(std::string_view query) {
  const auto cps = CodePoints(query);
  if (cps.size() < 2) return std::nullopt;
  for (char32_t c : cps)
    if (!IsWordChar(c)) return std::nullopt;
  std::string out;
  AppendTokens(cps, out);
  return out;
}

}  // namespace xietong::requests::search
