#include "text/utf8.h"

#include <fmt/core.h>

namespace xietong::text {
namespace {

// Length of the sequence a lead byte starts, 0 for a byte that cannot lead.
std::size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

Error Invalid(std::size_t offset) {
  return Error::InvalidArgument(fmt::format(
      "the text is not valid UTF-8 (bad byte sequence at byte {}); convert it to UTF-8 first",
      offset));
}

}  // namespace

Result<std::u32string> DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t n = SequenceLength(lead);
    if (n == 0 || i + n > s.size()) return Fail(Invalid(i));
    if (n == 1) {
      out.push_back(lead);
      ++i;
      continue;
    }
    char32_t cp = lead & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return Fail(Invalid(i));
      cp = (cp << 6) | (c & 0x3F);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if (overlong || surrogate || cp > 0x10FFFF) return Fail(Invalid(i));
    out.push_back(cp);
    i += n;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string EncodeUtf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t cp : s) AppendUtf8(out, cp);
  return out;
}

std::string FirstSentence(std::string_view s, std::size_t max_chars) {
  auto cps = DecodeUtf8(s);
  if (!cps) return {};
  std::u32string_view text = *cps;
  while (!text.empty() && (text.front() == U' ' || text.front() == U'\n' || text.front() == U'\t' ||
                           text.front() == U'\u3000'))
    text.remove_prefix(1);
  std::size_t end = text.find_first_of(U"。！？!?\n");
  if (end != std::u32string_view::npos && end > 0) text = text.substr(0, end);
  if (text.size() <= max_chars) return EncodeUtf8(text);
  return EncodeUtf8(text.substr(0, max_chars)) + "…";
}

}  // namespace xietong::text
