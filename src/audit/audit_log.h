// The tamper-evident record of every change (DESIGN.md §5).
//
// Every service appends an event in the same transaction as the rows it
// changes, so the record and the change commit together or not at all. Each
// event links to the one before it: hash = SHA-256(prev_hash ‖ canonical(event)),
// with the head kept in audit_head, which also serialises appends across
// server nodes (its row is locked by the UPDATE until commit).
// Stateless functions over an Executor; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::audit {

// What a service records about one change.
struct EventInput {
  std::string actor;                          // account id, "system", or "apikey:<id>"
  std::string action;                         // dotted verb, e.g. "identity.account.create"
  std::string subject;                        // the id of what changed
  json::Json payload = json::Json::object();  // what changed; never secrets
};

struct Event {
  std::int64_t seq;
  Timestamp at;
  std::string actor, action, subject;
  std::string payload;          // canonical JSON text, as hashed
  std::string prev_hash, hash;  // lowercase hex SHA-256
};

// The all-zero hash the first event links to.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::span<const storage::Migration> Migrations();
// The audit module's tables (needs no other schema).
const storage::Schema& Schema();

// Appends one event inside the caller's write transaction; returns its seq.
Result<std::int64_t> Append(storage::Executor& ex, Timestamp at, const EventInput& input);
// Appends several events, in order, with three statements whatever their
// number (one change that is recorded as two steps, e.g. received and
// dispatched); returns the first one's seq.
Result<std::int64_t> AppendMany(storage::Executor& ex, Timestamp at,
                                std::span<const EventInput> inputs);

// The exact bytes hashed for an event (after prev_hash): a JSON object with
// sorted keys and no spaces. Verification recomputes it from the stored row.
std::string Canonical(std::int64_t seq, Timestamp at, std::string_view actor,
                      std::string_view action, std::string_view subject,
                      std::string_view payload_json);

// The same, appended to out (which is cleared first): lets a loop reuse one buffer.
void CanonicalInto(std::string& out, std::int64_t seq, Timestamp at, std::string_view actor,
                   std::string_view action, std::string_view subject,
                   std::string_view payload_json);

// hash = SHA-256(bytes(prev_hash_hex) ‖ canonical), as lowercase hex.
std::string ChainHash(std::string_view prev_hash_hex, std::string_view canonical);
// Whether expected_hex is ChainHash(prev_hash_hex, canonical), without allocating.
bool ChainHashEquals(std::string_view prev_hash_hex, std::string_view canonical,
                     std::string_view expected_hex);

// The events about one subject, oldest first (a record's timeline).
Result<std::vector<Event>> EventsFor(storage::Executor& ex, std::string_view subject);

// At most limit events with seq > after_seq whose action starts with
// action_prefix ("" = all), oldest first: how a reader tails the chain.
// Appends commit in seq order (the head row serialises them), so a reader
// that resumes after the last seq it saw misses nothing.
Result<std::vector<Event>> EventsAfter(storage::Executor& ex, std::int64_t after_seq,
                                       std::string_view action_prefix, int limit);
// The seq of the newest committed event (0 when there is none).
Result<std::int64_t> LastSeq(storage::Executor& ex);

}  // namespace xietong::audit
