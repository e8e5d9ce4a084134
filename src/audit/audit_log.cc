#include "audit/audit_log.h"

#include <fmt/core.h>
#include <openssl/sha.h>

#include <vector>

namespace xietong::audit {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"audit", 1, "event chain, head and checkpoints",
     "CREATE TABLE audit_events ("
     " seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
     " subject TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
     "CREATE INDEX audit_events_subject ON audit_events (subject, seq);"
     "CREATE TABLE audit_head (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);"
     "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0,"
     " '0000000000000000000000000000000000000000000000000000000000000000');"
     "CREATE TABLE audit_checkpoints ("
     " seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, signed_at BIGINT NOT NULL,"
     " public_key TEXT NOT NULL, signature TEXT NOT NULL)"},
    // Reactions to committed events (audit/consumer.h): each named consumer's
    // cursor on the chain and its lease.
    {"audit", 2, "consumers' cursors and leases on the chain",
     "CREATE TABLE audit_consumers ("
     " name TEXT PRIMARY KEY, last_seq BIGINT NOT NULL, owner TEXT NOT NULL,"
     " lease_until BIGINT NOT NULL, handled BIGINT NOT NULL, updated_at BIGINT NOT NULL)"},
};

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void ToHex(const unsigned char* p, std::size_t n, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

const storage::Schema& Schema() {
  static const storage::Schema schema{.module = "audit", .needs = {}, .migrations = {kMigrations}};
  return schema;
}

void CanonicalInto(std::string& out, std::int64_t seq, Timestamp at, std::string_view actor,
                   std::string_view action, std::string_view subject,
                   std::string_view payload_json) {
  out.clear();
  out += "{\"action\":";
  AppendJsonString(out, action);
  out += ",\"actor\":";
  AppendJsonString(out, actor);
  out += ",\"at\":";
  out += std::to_string(at);
  out += ",\"payload\":";
  out += payload_json;
  out += ",\"seq\":";
  out += std::to_string(seq);
  out += ",\"subject\":";
  AppendJsonString(out, subject);
  out += '}';
}

std::string Canonical(std::int64_t seq, Timestamp at, std::string_view actor,
                      std::string_view action, std::string_view subject,
                      std::string_view payload_json) {
  std::string out;
  CanonicalInto(out, seq, at, actor, action, subject, payload_json);
  return out;
}

namespace {
void Digest(std::string_view prev_hash_hex, std::string_view canonical,
            unsigned char (&digest)[SHA256_DIGEST_LENGTH]) {
  SHA256_CTX ctx;
  // The low-level calls are deprecated in OpenSSL 3 but are the only way to
  // hash two pieces without copying them together; they still use SHA-NI.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, prev_hash_hex.data(), prev_hash_hex.size());
  SHA256_Update(&ctx, canonical.data(), canonical.size());
  SHA256_Final(digest, &ctx);
#pragma GCC diagnostic pop
}
}  // namespace

std::string ChainHash(std::string_view prev_hash_hex, std::string_view canonical) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  Digest(prev_hash_hex, canonical, digest);
  std::string hex(2 * SHA256_DIGEST_LENGTH, '0');
  ToHex(digest, SHA256_DIGEST_LENGTH, hex.data());
  return hex;
}

bool ChainHashEquals(std::string_view prev_hash_hex, std::string_view canonical,
                     std::string_view expected_hex) {
  if (expected_hex.size() != 2 * SHA256_DIGEST_LENGTH) return false;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  Digest(prev_hash_hex, canonical, digest);
  char hex[2 * SHA256_DIGEST_LENGTH];
  ToHex(digest, SHA256_DIGEST_LENGTH, hex);
  return std::string_view(hex, sizeof hex) == expected_hex;
}

Result<std::int64_t> Append(storage::Executor& ex, Timestamp at, const EventInput& input) {
  return AppendMany(ex, at, std::span<const EventInput>(&input, 1));
}

Result<std::int64_t> AppendMany(storage::Executor& ex, Timestamp at,
                                std::span<const EventInput> inputs) {
  if (inputs.empty()) return Fail(Error::Internal("no audit events to append"));
  const auto n = static_cast<std::int64_t>(inputs.size());
  // The first append of a transaction reads the head with an UPDATE, which
  // takes the head row's lock until commit (PostgreSQL) or runs under the one
  // writer (SQLite), so concurrent appends from several nodes cannot fork the
  // chain. Holding the lock, later appends of the same transaction (group
  // commit) go on from the memo without reading it again.
  storage::TransactionMemo* memo = ex.memo();
  constexpr std::string_view kMemoKey = "audit_head";
  std::int64_t first = 0;
  std::string prev;
  const auto remembered = memo ? memo->find(kMemoKey) : storage::TransactionMemo::iterator{};
  if (memo && remembered != memo->end()) {
    const std::string& head = remembered->second;  // "<seq> <hash>"
    const auto space = head.find(' ');
    first = std::stoll(head.substr(0, space)) + 1;
    prev = head.substr(space + 1);
  } else {
    XT_ASSIGN_OR_RETURN(
        auto head,
        ex.QueryOne("UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash", {n}));
    if (!head) return Fail(Error::Internal("the audit chain head is missing"));
    first = head->Int(0) - n + 1;
    prev = head->Text(1);
  }
  std::string sql =
      "INSERT INTO audit_events (seq, at, actor, action, subject, payload, prev_hash, hash) "
      "VALUES ";
  std::vector<storage::Value> params;
  params.reserve(8 * inputs.size());
  for (std::int64_t i = 0; i < n; ++i) {
    const EventInput& input = inputs[static_cast<std::size_t>(i)];
    // nlohmann's object keys are sorted, so dump() is canonical for payloads.
    std::string payload = input.payload.dump(-1, ' ', false, json::Json::error_handler_t::replace);
    std::string hash = ChainHash(
        prev, Canonical(first + i, at, input.actor, input.action, input.subject, payload));
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)";
    params.insert(params.end(), {first + i, at, input.actor, input.action, input.subject,
                                 std::move(payload), std::move(prev), hash});
    prev = std::move(hash);
  }
  XT_TRY_VOID(ex.Defer(sql, params));
  const std::int64_t last = first + n - 1;
  XT_TRY_VOID(ex.Defer("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", {last, prev}));
  if (memo) (*memo)[std::string(kMemoKey)] = fmt::format("{} {}", last, prev);
  return first;
}

Result<std::vector<Event>> EventsFor(storage::Executor& ex, std::string_view subject) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT seq, at, actor, action, subject, payload, prev_hash, hash"
                               " FROM audit_events WHERE subject = ? ORDER BY seq",
                               {subject}));
  std::vector<Event> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(
        {r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)});
  return out;
}

Result<std::vector<Event>> EventsAfter(storage::Executor& ex, std::int64_t after_seq,
                                       std::string_view action_prefix, int limit) {
  if (limit <= 0) return std::vector<Event>{};
  // substr rather than LIKE: LIKE treats '_' as a wildcard and, in SQLite,
  // ignores case. Both backends count substr's length in characters.
  std::string sql =
      "SELECT seq, at, actor, action, subject, payload, prev_hash, hash FROM audit_events"
      " WHERE seq > ?";
  std::vector<storage::Value> params{after_seq};
  if (!action_prefix.empty()) {
    sql += fmt::format(" AND substr(action, 1, {}) = ?", json::CountCodePoints(action_prefix));
    params.emplace_back(action_prefix);
  }
  sql += fmt::format(" ORDER BY seq LIMIT {}", limit);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<Event> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(
        {r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)});
  return out;
}

Result<std::int64_t> LastSeq(storage::Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto head, ex.QueryOne("SELECT seq FROM audit_head WHERE id = 1"));
  if (!head) return Fail(Error::Internal("the audit chain head is missing"));
  return head->Int(0);
}

}  // namespace xietong::audit
