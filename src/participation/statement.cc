#include "participation/statement.h"

#include <fmt/core.h>
#include <sodium.h>

#include <array>

#include "audit/signing_key.h"

namespace xietong::participation {

std::string StatementMessage(std::string_view statement) {
  std::string m(kStatementDomain);
  m += statement;
  return m;
}

std::string StatementEnvelope(std::string_view statement, std::string_view public_key_hex,
                              std::string_view signature_hex) {
  json::Json env = {{"format", kStatementFormat},
                    {"public_key", public_key_hex},
                    {"signature", signature_hex},
                    {"statement", statement}};
  return env.dump();
}

std::string StatementDigest(std::string_view statement) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(statement.data()),
                     statement.size());
  return audit::HexEncode(out.data(), out.size());
}

StatementCheck VerifyStatement(std::string_view envelope_text, std::string_view trusted_pub_hex,
                               Timestamp now) {
  StatementCheck c;
  auto fail = [&](std::string problem) {
    c.valid = false;
    c.problem = std::move(problem);
    return c;
  };
  auto env = json::Json::parse(envelope_text, nullptr, false);
  if (!env.is_object()) return fail("not a points statement");
  auto str = [&](const json::Json& o, const char* k) -> std::string {
    auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string format = str(env, "format"), pub = str(env, "public_key"),
                    sig = str(env, "signature"), text = str(env, "statement");
  if (format != kStatementFormat || pub.empty() || sig.empty() || text.empty())
    return fail("not a points statement");
  c.digest = StatementDigest(text);
  auto st = json::Json::parse(text, nullptr, false);
  if (!st.is_object() || str(st, "format") != kStatementFormat)
    return fail("not a points statement");
  c.statement = st;
  c.statement_id = str(st, "statement_id");
  if (auto h = st.find("holder"); h != st.end() && h->is_object()) {
    c.holder = str(*h, "account_id");
    c.holder_name = str(*h, "display_name");
  }
  if (auto b = st.find("balance"); b != st.end() && b->is_number_integer())
    c.balance = b->get<std::int64_t>();
  if (auto t = ParseRfc3339(str(st, "valid_until"))) c.valid_until = *t;
  if (!trusted_pub_hex.empty() && pub != trusted_pub_hex) return fail("signed by another key");
  if (!audit::VerifySignature(pub, StatementMessage(text), sig))
    return fail("the signature does not verify");
  if (c.valid_until == 0) return fail("not a points statement");
  if (now > c.valid_until) return fail(fmt::format("expired on {}", FormatRfc3339(c.valid_until)));
  c.valid = true;
  return c;
}

}  // namespace xietong::participation
