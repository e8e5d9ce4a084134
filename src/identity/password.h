// Password hashing with argon2id (the encoded form carries salt and cost, so
// costs can rise later without breaking old hashes). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace xietong::identity {

// At least 8 characters, not all digits: a clear message otherwise.
Result<void> CheckPasswordPolicy(std::string_view password);
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);
// A well-formed hash of no password, verified against when a username is
// unknown so that the answer takes as long as for a known one.
const std::string& DummyPasswordHash();

// A random secret of `bytes` bytes as lowercase hex (session tokens, API keys).
std::string RandomToken(std::size_t bytes = 32);
// SHA-256 of a token as hex: what is stored, so a leaked table yields no tokens.
std::string TokenDigest(std::string_view token);

}  // namespace xietong::identity
