#include "identity/password.h"

#include <argon2.h>
#include <sodium.h>

#include <vector>

#include "core/json.h"

namespace xietong::identity {
namespace {
// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
constexpr std::uint32_t kTimeCost = 2;
constexpr std::uint32_t kMemoryKiB = 19 * 1024;
constexpr std::uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string Hex(const unsigned char* p, std::size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}
}  // namespace

Result<void> CheckPasswordPolicy(std::string_view password) {
  if (json::CountCodePoints(password) < 8)
    return Fail(Error::InvalidArgument("field 'password' must have at least 8 characters")
                    .About("password", "too_short"));
  if (password.size() > 256)
    return Fail(Error::InvalidArgument("field 'password' must have at most 256 bytes")
                    .About("password", "too_long"));
  if (password.find_first_not_of("0123456789") == std::string_view::npos)
    return Fail(Error::InvalidArgument("field 'password' must not be digits only")
                    .About("password", "digits_only"));
  return {};
}

Result<std::string> HashPassword(std::string_view password) {
  unsigned char salt[kSaltBytes];
  randombytes_buf(salt, sizeof salt);
  const std::size_t len =
      argon2_encodedlen(kTimeCost, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(),
                                 salt, sizeof salt, kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Fail(Error::Internal("the password could not be hashed"));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  std::string h(encoded_hash);
  return argon2id_verify(h.c_str(), password.data(), password.size()) == ARGON2_OK;
}

const std::string& DummyPasswordHash() {
  static const std::string hash = *HashPassword("no account has this password");
  return hash;
}

std::string RandomToken(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  return Hex(raw.data(), raw.size());
}

std::string TokenDigest(std::string_view token) {
  // libsodium's SHA-256: OpenSSL 3's one-shot SHA256() fetches the
  // algorithm on every call, which showed in the read path's profile.
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return Hex(digest, sizeof digest);
}

}  // namespace xietong::identity
