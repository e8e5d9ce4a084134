#include "collab/channel.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

#include "core/json.h"

namespace xietong::collab {
namespace {

bool UsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}
bool WordChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::string_view ChannelKindName(ChannelKind k) {
  switch (k) {
    case ChannelKind::kForce:
      return "force";
    case ChannelKind::kGroup:
      return "group";
    case ChannelKind::kDirect:
      return "direct";
  }
  return "unknown";
}

std::string DirectKey(std::string_view a, std::string_view b) {
  return a < b ? fmt::format("{}:{}", a, b) : fmt::format("{}:{}", b, a);
}

Result<void> CheckMessageText(std::string_view text) {
  if (text.size() > kMaxMessageBytes)
    return Fail(
        Error::TooLarge(fmt::format("field 'text': a message is at most {} bytes ({} given); "
                                    "send a file for longer text",
                                    kMaxMessageBytes, text.size()))
            .About("text", "too_long"));
  if (json::FindInvalidUtf8(text))
    return Fail(
        Error::InvalidArgument("field 'text': is not valid UTF-8").About("text", "invalid_utf8"));
  if (json::FindMisleadingChar(text))
    return Fail(
        Error::InvalidArgument("field 'text': contains a control or bidirectional character")
            .About("text", "invalid"));
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return Fail(Error::InvalidArgument("field 'text': is required").About("text", "empty"));
  return {};
}

Result<std::string> SearchNeedle(std::string_view q) {
  if (json::FindInvalidUtf8(q))
    return Fail(Error::InvalidArgument("'q' is not valid UTF-8").About("q", "invalid_utf8"));
  const auto first = q.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return Fail(
        Error::InvalidArgument("'q': the words to look for are required").About("q", "empty"));
  q = q.substr(first, q.find_last_not_of(" \t\r\n") - first + 1);
  std::size_t chars = 0;
  for (unsigned char c : q) chars += (c & 0xC0) != 0x80;
  if (chars > kMaxSearchChars)
    return Fail(Error::InvalidArgument(
                    fmt::format("'q' is at most {} characters ({} given)", kMaxSearchChars, chars))
                    .About("q", "too_long"));
  if (json::FindMisleadingChar(q))
    return Fail(Error::InvalidArgument("'q' contains a control or bidirectional character")
                    .About("q", "invalid"));
  return std::string(q);
}

std::vector<std::string> ParseMentions(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@') continue;
    if (i > 0 && WordChar(static_cast<unsigned char>(text[i - 1]))) continue;  // an address
    std::size_t j = i + 1;
    if (j >= text.size() || !(text[j] >= 'a' && text[j] <= 'z')) continue;
    while (j < text.size() && UsernameChar(text[j])) ++j;
    // A sentence may end right after the name: "@zhang." names zhang.
    std::size_t end = j;
    while (end > i + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
    std::string name(text.substr(i + 1, end - i - 1));
    if (name.size() >= 3 && name.size() <= 32 &&
        std::find(out.begin(), out.end(), name) == out.end())
      out.push_back(std::move(name));
    i = j - 1;
  }
  return out;
}

std::string EncodeCursor(const Cursor& c) {
  return fmt::format("{}{}", c.after ? 'a' : 'b', c.seq);
}

Result<std::optional<Cursor>> DecodeCursor(std::string_view text) {
  if (text.empty()) return std::optional<Cursor>();
  const auto bad = [] {
    return Fail(Error::InvalidArgument("'cursor' is not one this server gave out")
                    .About("cursor", "invalid"));
  };
  if (text.size() < 2 || text.size() > 20 || (text[0] != 'a' && text[0] != 'b')) return bad();
  Cursor c;
  c.after = text[0] == 'a';
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data() + 1, end, c.seq);
  if (ec != std::errc() || p != end || c.seq < 0) return bad();
  return std::optional<Cursor>(c);
}

}  // namespace xietong::collab
