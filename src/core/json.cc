#include "core/json.h"

#include <fmt/core.h>

namespace xietong::json {
namespace {

// For an invalid byte at `offset`, the name of the object key whose value
// holds it, so the error can name the field; empty when it cannot be told.
std::string FieldAround(std::string_view body, std::size_t offset) {
  std::size_t colon = body.rfind("\":", offset);
  if (colon == std::string_view::npos) return {};
  std::size_t open = body.rfind('"', colon - 1);
  if (open == std::string_view::npos || open + 1 >= colon) return {};
  std::string_view key = body.substr(open + 1, colon - open - 1);
  if (FindInvalidUtf8(key)) return {};
  return std::string(key);
}

Error WrongType(std::string_view field, std::string_view expected) {
  return Error::InvalidArgument(fmt::format("field '{}' must be {}", field, expected))
      .About(std::string(field), "wrong_type");
}

Error Required(std::string_view field) {
  return Error::InvalidArgument(fmt::format("field '{}' is required", field))
      .About(std::string(field), "required");
}

}  // namespace

std::optional<std::size_t> FindInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return i;
    i += len;
  }
  return std::nullopt;
}

std::optional<char32_t> FindMisleadingChar(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return c;
    if (c == 0x7F) return c;
    // U+202A–U+202E and U+2066–U+2069 are E2 80 AA–AE and E2 81 A6–A9.
    if (c == 0xE2 && i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]);
      const auto b2 = static_cast<unsigned char>(s[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9))
        return static_cast<char32_t>(0x2000 + ((b1 & 0x3F) << 6) + (b2 & 0x3F));
    }
  }
  return std::nullopt;
}

std::size_t CountCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Result<Json> ParseObject(std::string_view body) {
  if (body.empty())
    return Fail(Error::InvalidArgument("the request body is empty; send a JSON object"));
  if (auto bad = FindInvalidUtf8(body)) {
    std::string field = FieldAround(body, *bad);
    if (!field.empty())
      return Fail(
          Error::InvalidArgument(
              fmt::format("field '{}' is not valid UTF-8 (byte {} of the body)", field, *bad))
              .About(field, "invalid_utf8"));
    return Fail(Error::InvalidArgument(fmt::format("the body is not valid UTF-8 (byte {})", *bad)));
  }
  Json j;
  try {
    j = Json::parse(body);
  } catch (const Json::parse_error& e) {
    // The library's own message quotes the input; we say only where it broke.
    return Fail(Error::InvalidArgument(
        fmt::format("the body is not valid JSON (problem near byte {})", e.byte)));
  } catch (const Json::out_of_range&) {
    // A number beyond a double (1e400). Parsed again, rarely, only to name the
    // field: the callback costs nothing on bodies that parse.
    std::string key;
    try {
      const Json again = Json::parse(body, [&key](int, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::key) key = parsed.get<std::string>();
        return true;
      });
    } catch (const Json::exception&) {
    }
    if (key.empty())
      return Fail(Error::InvalidArgument("the body holds a number too large to use"));
    return Fail(
        Error::InvalidArgument(fmt::format("field '{}' holds a number too large to use", key))
            .About(key, "out_of_range"));
  }
  if (!j.is_object()) return Fail(Error::InvalidArgument("the body must be a JSON object {…}"));
  return j;
}

Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view field,
                                                  StringLimits limits) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return Fail(WrongType(field, "a string"));
  const auto& s = it->get_ref<const std::string&>();
  if (auto bad = FindMisleadingChar(s))
    return Fail(Error::InvalidArgument(
                    fmt::format("field '{}' contains the invisible character U+{:04X}; remove it",
                                field, static_cast<std::uint32_t>(*bad)))
                    .About(std::string(field), "invisible_character"));
  const std::size_t chars = CountCodePoints(s);
  if (chars < limits.min_chars)
    return Fail(Error::InvalidArgument(fmt::format("field '{}' must not be empty", field))
                    .About(std::string(field), "empty"));
  if (chars > limits.max_chars)
    return Fail(Error::InvalidArgument(
                    fmt::format("field '{}' is {} characters long; at most {} are allowed", field,
                                chars, limits.max_chars))
                    .About(std::string(field), "too_long"));
  return std::optional<std::string>{s};
}

Result<std::string> RequireString(const Json& obj, std::string_view field, StringLimits limits) {
  XT_ASSIGN_OR_RETURN(auto s, OptionalString(obj, field, limits));
  if (!s) return Fail(Required(field));
  return std::move(*s);
}

Result<std::int64_t> RequireInt(const Json& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Fail(Required(field));
  if (!it->is_number_integer()) return Fail(WrongType(field, "an integer"));
  return it->get<std::int64_t>();
}

Result<std::optional<bool>> OptionalBool(const Json& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<bool>{};
  if (!it->is_boolean()) return Fail(WrongType(field, "true or false"));
  return std::optional<bool>{it->get<bool>()};
}

Result<std::vector<std::string>> StringArray(const Json& obj, std::string_view field) {
  std::vector<std::string> out;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return Fail(WrongType(field, "an array of strings"));
  for (const auto& v : *it) {
    if (!v.is_string()) return Fail(WrongType(field, "an array of strings"));
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace xietong::json
