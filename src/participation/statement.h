// The signed credit statement (信用积分证明), docs/plans/participation.md §6.
// Pure: no SQL, no clock of its own.
//
// An envelope is one JSON object
//   {"format":"xietong-points-statement/1","public_key":"<hex>",
//    "signature":"<hex>","statement":"<the statement's JSON text>"}
// and signature = Ed25519(instance key, "xietong points statement\n" +
// statement). The prefix separates it from the audit chain's checkpoint
// signatures ("xietong audit checkpoint\n…"), so neither passes for the
// other. The bytes signed are the statement string's UTF-8 bytes, so any
// language verifies it without canonicalising JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/json.h"

namespace xietong::participation {

inline constexpr std::string_view kStatementFormat = "xietong-points-statement/1";
inline constexpr std::string_view kStatementDomain = "xietong points statement\n";

// What is signed: the domain prefix, then the statement text.
std::string StatementMessage(std::string_view statement);

// The envelope's JSON text around a statement and its signature.
std::string StatementEnvelope(std::string_view statement, std::string_view public_key_hex,
                              std::string_view signature_hex);

// Lowercase hex SHA-256 of the statement text (what the instance records).
std::string StatementDigest(std::string_view statement);

struct StatementCheck {
  bool valid = false;
  // "" when valid; else one of: not a points statement, signed by another
  // key, the signature does not verify, expired on <time>.
  std::string problem = {};
  std::string statement_id = {};
  std::string digest = {};    // of the statement text ("" when there is none)
  json::Json statement = {};  // the parsed statement (null when unreadable)
  std::string holder = {};    // account id
  std::string holder_name = {};
  std::int64_t balance = 0;
  Timestamp valid_until = 0;
};

// Checks an envelope against the key one trusts (hex; "" trusts the key the
// envelope names, which proves only that the file is intact) at `now`.
StatementCheck VerifyStatement(std::string_view envelope_text, std::string_view trusted_pub_hex,
                               Timestamp now);

}  // namespace xietong::participation
