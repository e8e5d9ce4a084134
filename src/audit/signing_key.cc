#include "audit/signing_key.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace xietong::audit {
namespace {

std::vector<unsigned char> HexDecode(std::string_view hex) {
  std::vector<unsigned char> out(hex.size() / 2);
  std::size_t len = 0;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0)
    return {};
  out.resize(len);
  return out;
}

}  // namespace

std::string HexEncode(const unsigned char* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

Result<SigningKey> SigningKey::LoadOrCreate(const std::string& path) {
  if (sodium_init() < 0) return Fail(Error::Internal("libsodium could not start"));
  SigningKey key;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    crypto_sign_keypair(key.public_.data(), key.secret_.data());
    std::string hex = HexEncode(key.secret_.data(), key.secret_.size()) + "\n";
    const bool ok =
        ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Fail(Error::Unavailable(fmt::format("cannot write the key file {}", path)));
    return key;
  }
  if (errno != EEXIST)
    return Fail(Error::Unavailable(
        fmt::format("cannot create the key file {}: {}", path, std::strerror(errno))));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Fail(Error::Unavailable(fmt::format("cannot read the key file {}", path)));
  if ((st.st_mode & 077) != 0)
    return Fail(Error::PermissionDenied(fmt::format(
        "the key file {} can be read by other users; run `chmod 600 {}` and start again", path,
        path)));
  fd = ::open(path.c_str(), O_RDONLY);
  char buf[crypto_sign_SECRETKEYBYTES * 2 + 2] = {};
  const ssize_t n = fd >= 0 ? ::read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) ::close(fd);
  auto secret = HexDecode(std::string_view(buf, n > 0 ? static_cast<std::size_t>(n) : 0)
                              .substr(0, crypto_sign_SECRETKEYBYTES * 2));
  if (secret.size() != crypto_sign_SECRETKEYBYTES)
    return Fail(Error::Internal(fmt::format("the key file {} is damaged", path)));
  std::memcpy(key.secret_.data(), secret.data(), secret.size());
  crypto_sign_ed25519_sk_to_pk(key.public_.data(), key.secret_.data());
  return key;
}

std::string SigningKey::Sign(std::string_view message) const {
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  return HexEncode(sig, sizeof sig);
}

std::string SigningKey::PublicKeyHex() const { return HexEncode(public_.data(), public_.size()); }

bool VerifySignature(std::string_view public_key_hex, std::string_view message,
                     std::string_view signature_hex) {
  auto pk = HexDecode(public_key_hex);
  auto sig = HexDecode(signature_hex);
  if (pk.size() != crypto_sign_PUBLICKEYBYTES || sig.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(sig.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), pk.data()) == 0;
}

}  // namespace xietong::audit
