#include "text/normalize.h"

#include <fmt/core.h>
#include <opencc.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "text/utf8.h"

#ifndef XIETONG_OPENCC_DIR
#define XIETONG_OPENCC_DIR "/usr/share/opencc"
#endif

namespace xietong::text {
namespace {

bool IsSpace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Zero-width and control characters carry nothing a reader sees.
bool IsInvisible(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || (c >= 0x200B && c <= 0x200F) ||
         c == 0x2060 || c == 0xFEFF;
}

// The one ASCII form of a punctuation mark, or 0 when `c` is not one we fold.
char32_t FoldPunctuation(char32_t c) {
  switch (c) {
    case U'。':
    case U'｡':
      return '.';
    case U'，':
    case U'、':
    case U'､':
      return ',';
    case U'；':
      return ';';
    case U'：':
      return ':';
    case U'？':
      return '?';
    case U'！':
      return '!';
    case U'“':
    case U'”':
    case U'„':
    case U'‟':
    case U'«':
    case U'»':
    case U'「':
    case U'」':
    case U'『':
    case U'』':
      return '"';
    case U'‘':
    case U'’':
    case U'‚':
    case U'‛':
      return '\'';
    case U'（':
      return '(';
    case U'）':
      return ')';
    case U'【':
    case U'〔':
    case U'［':
    case U'〖':
      return '[';
    case U'】':
    case U'〕':
    case U'］':
    case U'〗':
      return ']';
    case U'《':
    case U'〈':
    case U'‹':
      return '<';
    case U'》':
    case U'〉':
    case U'›':
      return '>';
    case U'—':
    case U'–':
    case U'―':
    case U'‐':
    case U'‑':
    case U'‒':
    case U'－':
    case U'─':
      return '-';
    case U'…':
    case U'⋯':
      return '.';
    case U'～':
    case U'〜':
      return '~';
    case U'·':
    case U'・':
    case U'•':
      return '.';
    default:
      return 0;
  }
}

bool IsAsciiPunct(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

// Half-width and lower case for one visible character.
char32_t FoldChar(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII block
  if (char32_t p = FoldPunctuation(c)) c = p;
  if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
  return c;
}

constexpr char32_t kIdeographLimit = 0x30000;  // through CJK extension G

// The ideograph blocks OpenCC's dictionaries cover.
constexpr std::pair<char32_t, char32_t> kIdeographBlocks[] = {
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FFFF}};

std::string OpenCcDir(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("XIETONG_OPENCC_DIR"); env && *env) return env;
  return XIETONG_OPENCC_DIR;
}

}  // namespace

Result<std::shared_ptr<const Normalizer>> Normalizer::Open(const std::string& opencc_dir) {
  const std::filesystem::path config = std::filesystem::path(OpenCcDir(opencc_dir)) / "t2s.json";
  if (!std::filesystem::exists(config))
    return Fail(Error::Unavailable(
        fmt::format("OpenCC's {} is missing: install the Debian package libopencc1.1 (or set "
                    "XIETONG_OPENCC_DIR to the folder holding t2s.json)",
                    config.string())));
  opencc_t handle = opencc_open(config.c_str());
  if (handle == reinterpret_cast<opencc_t>(-1))
    return Fail(Error::Unavailable(
        fmt::format("OpenCC cannot load {}: {}", config.string(), opencc_error())));
  std::shared_ptr<Normalizer> n(new Normalizer(handle));
  XT_TRY_VOID(n->FindTraditional());
  return std::shared_ptr<const Normalizer>(std::move(n));
}

Result<void> Normalizer::FindTraditional() {
  // One character per line, converted in one call; lines keep phrases apart.
  std::u32string chars;
  for (auto [first, last] : kIdeographBlocks)
    for (char32_t c = first; c <= last; ++c) {
      chars.push_back(c);
      chars.push_back('\n');
    }
  XT_ASSIGN_OR_RETURN(const std::string converted, ToSimplified(EncodeUtf8(chars)));
  XT_ASSIGN_OR_RETURN(const std::u32string out, DecodeUtf8(converted));
  traditional_.assign(kIdeographLimit, false);
  std::size_t line_start = 0, i = 0;
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k] != '\n') continue;
    const char32_t original = chars[2 * i];
    if (k - line_start != 1 || out[line_start] != original) traditional_[original] = true;
    line_start = k + 1;
    ++i;
  }
  if (2 * i != chars.size())
    return Fail(Error::Internal("OpenCC changed the number of lines of the character table"));
  return {};
}

bool Normalizer::HasTraditional(std::u32string_view text) const {
  return std::any_of(text.begin(), text.end(),
                     [&](char32_t c) { return c < kIdeographLimit && traditional_[c]; });
}

Normalizer::~Normalizer() { opencc_close(opencc_); }

std::u32string Normalizer::Fold(std::u32string_view text, bool& truncated) {
  std::u32string out;
  out.reserve(text.size());
  truncated = false;
  bool pending_space = false;
  for (char32_t raw : text) {
    if (IsSpace(raw) || (IsInvisible(raw) && raw < 0x20)) {
      pending_space = !out.empty();
      continue;
    }
    if (IsInvisible(raw)) continue;
    const char32_t c = FoldChar(raw);
    if (IsAsciiPunct(c) && !pending_space && !out.empty() && out.back() == c) continue;
    if (out.size() + (pending_space ? 2 : 1) > kMaxTextCodePoints) {
      truncated = true;
      break;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

Result<std::string> Normalizer::ToSimplified(const std::string& text) const {
  if (text.empty()) return text;
  char* converted = opencc_convert_utf8(opencc_, text.data(), text.size());
  if (converted == nullptr)
    return Fail(Error::Internal("OpenCC could not convert the text to simplified characters"));
  std::string out(converted);
  opencc_convert_utf8_free(converted);
  return out;
}

Result<NormalizedCodePoints> Normalizer::NormalizeCodePoints(std::string_view raw) const {
  if (raw.size() > kMaxInputBytes)
    return Fail(Error::TooLarge(fmt::format(
        "the text has {} bytes; at most {} are accepted (and only the first {} characters are "
        "used)",
        raw.size(), kMaxInputBytes, kMaxTextCodePoints)));
  XT_ASSIGN_OR_RETURN(const std::u32string code_points, DecodeUtf8(raw));
  NormalizedCodePoints result;
  result.text = Fold(code_points, result.truncated);
  if (HasTraditional(result.text)) {
    XT_ASSIGN_OR_RETURN(const std::string simplified, ToSimplified(EncodeUtf8(result.text)));
    XT_ASSIGN_OR_RETURN(result.text, DecodeUtf8(simplified));
  }
  return result;
}

Result<NormalizedText> Normalizer::Normalize(std::string_view raw) const {
  XT_ASSIGN_OR_RETURN(const NormalizedCodePoints n, NormalizeCodePoints(raw));
  return NormalizedText{EncodeUtf8(n.text), n.truncated};
}

}  // namespace xietong::text
