// The instance's Ed25519 key that signs audit checkpoints.
//
// Created on first start in the data directory with mode 0600 and refused
// when others can read it, since whoever holds it can sign a rewritten chain.
// Immutable after loading; thread-safe.
#pragma once

#include <sodium.h>

#include <array>
#include <string>

#include "core/result.h"

namespace xietong::audit {

class SigningKey {
 public:
  // Loads the key at path, creating it (and its folder) when it does not exist.
  static Result<SigningKey> LoadOrCreate(const std::string& path);
  // Signs message; returns the signature as lowercase hex.
  std::string Sign(std::string_view message) const;
  // The public key as lowercase hex: what verifiers trust.
  std::string PublicKeyHex() const;

 private:
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_{};
};

// True when signature_hex is public_key_hex's valid signature of message.
bool VerifySignature(std::string_view public_key_hex, std::string_view message,
                     std::string_view signature_hex);

std::string HexEncode(const unsigned char* data, std::size_t size);

}  // namespace xietong::audit
