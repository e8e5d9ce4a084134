// Evidence packages: a range of the audit chain that anyone can check
// offline, with nothing but the file and the instance's public key.
//
// ExportEvidence signs the chain head (Checkpoint), then writes JSON Lines:
//   1. a header {"format":"xietong-audit-evidence/1","exported_at","from","to",
//      "first_seq","last_seq","public_key","signature"}, the signature being
//      the instance key's over the range it announces;
//   2. one line per event, {"prev_hash","hash","event":<Canonical text
//      verbatim>}, from the range's first event up to and including the first
//      checkpointed event at or after its last one; those after the range
//      carry "tail":true, and those a checkpoint below signs "checkpointed":true;
//   3. one {"checkpoint":{"seq","hash","signed_at","public_key","signature"}}
//      line per checkpoint of this key among the exported events.
// Why it proves the range: the verifier hashes the raw bytes of each "event"
// value, so the bytes it checks are the bytes the chain hashed; each event
// links by SHA-256 to the one before it, and the last one's hash is signed by
// a checkpoint. Changing, removing, adding or reordering any exported event
// breaks a hash or a link before that signature, and making them fit again
// needs the instance key; so does changing the range the header announces.
// Checkpoints signed by other (older) keys are left out: one key verifies it.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "audit/signing_key.h"
#include "core/clock.h"
#include "storage/database.h"

namespace xietong::audit {

inline constexpr std::string_view kEvidenceFormat = "xietong-audit-evidence/1";
// The longest line a package may hold; longer ones are reported, not read.
inline constexpr std::size_t kMaxEvidenceLineBytes = 16 << 20;

// Which events to export. Events are exported by seq, without gaps: from the
// first event at or after `from` (and at or after first_seq) to the last one
// before `to` (and at or before last_seq), with every event between them even
// when a clock skew put its time outside. Unset bounds are open.
struct ExportRange {
  std::optional<Timestamp> from = std::nullopt;          // inclusive
  std::optional<Timestamp> to = std::nullopt;            // exclusive
  std::optional<std::int64_t> first_seq = std::nullopt;  // inclusive
  std::optional<std::int64_t> last_seq = std::nullopt;   // inclusive
};

struct ExportReport {
  std::int64_t events = 0;       // event lines written, the tail included
  std::int64_t first_seq = 0;    // the range's first event (0: the range is empty)
  std::int64_t last_seq = 0;     // the range's last event
  std::int64_t signed_seq = 0;   // the checkpointed event the package ends at
  std::int64_t checkpoints = 0;  // checkpoint lines written
  std::int64_t bytes = 0;
};

// Signs the head, then streams the package to out (one read snapshot; memory
// does not grow with the range). InvalidArgument for an inverted range;
// Unavailable when out cannot be written.
Result<ExportReport> ExportEvidence(storage::Database& db, const SigningKey& key, Timestamp now,
                                    const ExportRange& range, std::ostream& out);

struct EvidenceReport {
  std::int64_t events = 0;                   // event lines checked, the tail included
  std::int64_t tail_events = 0;              // of which after the requested range
  std::int64_t checkpoints = 0;              // checkpoint lines checked
  std::int64_t first_seq = 0, last_seq = 0;  // the events the package holds
  // When it does not verify: the first line (in file order) that is wrong,
  // the event it concerns when there is one, and what is wrong, for a person.
  std::optional<std::int64_t> bad_line;
  std::optional<std::int64_t> first_bad_seq;
  std::string problem;
  bool ok() const { return problem.empty(); }
};

// Verifies a package read from in against public_key_hex with `threads`
// workers, streaming (memory grows with the number of checkpoints, not of
// events). A broken, truncated or malformed package is a report; errors only
// for a public key that is not 64 hex digits or a stream that cannot be read.
Result<EvidenceReport> VerifyEvidence(std::istream& in, std::string_view public_key_hex,
                                      int threads = 2);

}  // namespace xietong::audit
