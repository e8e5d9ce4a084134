// JSON input helpers: turn a request body into typed fields or an Error that
// names the field and says what is expected.
//
// Everything that reads JSON from outside (HTTP bodies, files) goes through
// ParseObject, which checks UTF-8 first so that no invalid byte ever reaches
// a stored string or an error message. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace xietong::json {

using Json = nlohmann::json;

// Offset of the first byte that is not valid UTF-8, or nullopt when valid.
std::optional<std::size_t> FindInvalidUtf8(std::string_view text);

// The first character in valid UTF-8 text that can hide or disguise what a
// reader sees: C0 controls other than tab, newline and carriage return, DEL,
// and the bidirectional overrides and isolates (U+202A–202E, U+2066–2069).
// Every string field read through OptionalString/RequireString refuses them.
std::optional<char32_t> FindMisleadingChar(std::string_view s);

// Parses a body that must be one JSON object.
Result<Json> ParseObject(std::string_view body);

struct StringLimits {
  std::size_t min_chars = 1;    // 1: the field may not be empty
  std::size_t max_chars = 200;  // counted in Unicode code points
};

Result<std::string> RequireString(const Json& obj, std::string_view field,
                                  StringLimits limits = {});
Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view field,
                                                  StringLimits limits = {});
Result<std::int64_t> RequireInt(const Json& obj, std::string_view field);
Result<std::optional<bool>> OptionalBool(const Json& obj, std::string_view field);
// The field must be an array of strings (possibly empty).
Result<std::vector<std::string>> StringArray(const Json& obj, std::string_view field);

// Number of Unicode code points in valid UTF-8 text.
std::size_t CountCodePoints(std::string_view utf8);

}  // namespace xietong::json
