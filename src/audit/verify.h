// Checkpoints and verification of the audit chain.
//
// A checkpoint signs the chain head (seq, hash) with the instance key, so a
// rewrite of everything up to that point would need the key. Verify walks the
// whole chain in parallel ranges, recomputes every hash, checks every link,
// the head and every checkpoint signature, and names the first event (lowest
// seq) that does not fit. Both are safe to run while the server writes.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "audit/signing_key.h"
#include "core/clock.h"
#include "storage/database.h"

namespace xietong::audit {

// Signs the current head unless it is already checkpointed. Returns the seq
// signed, or nullopt when there was nothing new.
Result<std::optional<std::int64_t>> Checkpoint(storage::Database& db, const SigningKey& key,
                                               Timestamp now);

// The bytes a checkpoint signature covers.
std::string CheckpointMessage(std::int64_t seq, std::string_view hash, Timestamp signed_at);

struct VerifyOptions {
  std::set<std::string> trusted_public_keys;  // hex; checkpoints signed by others fail
  int threads = 2;
  std::int64_t chunk_size = 1 << 16;  // events per range a worker takes
  // Called from the calling thread now and then: (events checked, events in all).
  std::function<void(std::int64_t, std::int64_t)> progress;
};

struct VerifyReport {
  std::int64_t events = 0;                    // events checked
  std::int64_t checkpoints = 0;               // checkpoints checked
  std::optional<std::int64_t> first_bad_seq;  // set when the chain does not verify
  std::string problem;                        // what is wrong with it, for a person
  bool ok() const { return !first_bad_seq; }
};

// Errors only when the database cannot be read; a broken chain is a report.
Result<VerifyReport> Verify(storage::Database& db, const VerifyOptions& options);

}  // namespace xietong::audit
