// UTF-8 decoding and encoding for the text module.
//
// Strict: overlong forms, surrogates, code points above U+10FFFF and
// truncated sequences are invalid. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace xietong::text {

// The code points of `s`; kInvalidArgument naming the byte offset of the
// first invalid sequence.
Result<std::u32string> DecodeUtf8(std::string_view s);

// Appends the UTF-8 form of `cp` (which must be a valid scalar value).
void AppendUtf8(std::string& out, char32_t cp);
std::string EncodeUtf8(std::u32string_view s);

// The first sentence of s (up to 。！？!? or a line break), at most max_chars
// code points, with "…" when cut; "" for invalid UTF-8. For a heading when a
// message has no title of its own.
std::string FirstSentence(std::string_view s, std::size_t max_chars);

}  // namespace xietong::text
