#include "audit/verify.h"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/audit_log.h"

namespace xietong::audit {
namespace {

struct Finding {
  std::int64_t seq;
  std::string problem;
};

// What one worker learned about one range (lo, hi] of seqs.
struct ChunkResult {
  std::optional<std::string> first_prev;  // prev_hash of the first row read
  std::optional<std::string> last_hash;   // hash of the last row read
  std::int64_t last_seq = 0;
  std::optional<Finding> finding;
};

void Keep(std::optional<Finding>& slot, Finding f) {
  if (!slot || f.seq < slot->seq) slot = std::move(f);
}

Result<ChunkResult> CheckChunk(storage::Database& db, std::int64_t lo, std::int64_t hi,
                               const std::set<std::int64_t>& checkpoint_seqs,
                               std::map<std::int64_t, std::string>& checkpoint_hashes,
                               std::mutex& checkpoint_mutex, std::atomic<std::int64_t>& done) {
  ChunkResult out;
  XT_TRY_VOID(db.Read([&](storage::Executor& ex) -> Result<void> {
    std::int64_t expect = lo + 1;
    std::string prev_hash;
    std::string canonical;  // reused for every row
    auto each = ex.QueryEach(
        "SELECT seq, at, actor, action, subject, payload, prev_hash, hash FROM audit_events"
        " WHERE seq > ? AND seq <= ? ORDER BY seq",
        storage::Params(std::initializer_list<storage::Value>{lo, hi}), [&](const storage::Row& r) {
          const std::int64_t seq = r.Int(0);
          const std::string_view stored_prev = r.TextView(6);
          const std::string_view hash = r.TextView(7);
          if (seq != expect) {
            Keep(out.finding,
                 {expect, fmt::format("event {} is missing (the chain jumps from {} to {})", expect,
                                      expect - 1, seq)});
          } else if (out.first_prev && stored_prev != prev_hash) {
            Keep(out.finding, {seq, fmt::format("event {} does not link to event {} (events were "
                                                "removed, inserted or reordered)",
                                                seq, seq - 1)});
          }
          if (!out.first_prev) out.first_prev = std::string(stored_prev);
          CanonicalInto(canonical, seq, r.Int(1), r.TextView(2), r.TextView(3), r.TextView(4),
                        r.TextView(5));
          if (!ChainHashEquals(stored_prev, canonical, hash)) {
            Keep(out.finding,
                 {seq, fmt::format("event {} does not match its hash (its time, actor, "
                                   "action, subject or payload was changed)",
                                   seq)});
          }
          if (!checkpoint_seqs.empty() && checkpoint_seqs.contains(seq)) {
            std::lock_guard lock(checkpoint_mutex);
            checkpoint_hashes[seq] = std::string(hash);
          }
          prev_hash.assign(hash);
          out.last_seq = seq;
          expect = seq + 1;
          done.fetch_add(1, std::memory_order_relaxed);
          return true;
        });
    if (out.last_seq != 0) out.last_hash = prev_hash;
    return each;
  }));
  return out;
}

}  // namespace

std::string CheckpointMessage(std::int64_t seq, std::string_view hash, Timestamp signed_at) {
  return fmt::format("xietong audit checkpoint\nseq={}\nhash={}\nsigned_at={}\n", seq, hash,
                     signed_at);
}

Result<std::optional<std::int64_t>> Checkpoint(storage::Database& db, const SigningKey& key,
                                               Timestamp now) {
  return db.Write([&](storage::Executor& ex) -> Result<std::optional<std::int64_t>> {
    XT_ASSIGN_OR_RETURN(auto head, ex.QueryOne("SELECT seq, hash FROM audit_head WHERE id = 1"));
    if (!head || head->Int(0) == 0) return std::optional<std::int64_t>{};
    XT_ASSIGN_OR_RETURN(auto last, ex.QueryOne("SELECT MAX(seq) FROM audit_checkpoints"));
    const std::int64_t seq = head->Int(0);
    if (last && !last->IsNull(0) && last->Int(0) >= seq) return std::optional<std::int64_t>{};
    const std::string hash = head->Text(1);
    XT_TRY_VOID(
        ex.Exec("INSERT INTO audit_checkpoints (seq, hash, signed_at, public_key, signature)"
                " VALUES (?, ?, ?, ?, ?)",
                {seq, hash, now, key.PublicKeyHex(), key.Sign(CheckpointMessage(seq, hash, now))}));
    return std::optional<std::int64_t>{seq};
  });
}

Result<VerifyReport> Verify(storage::Database& db, const VerifyOptions& options) {
  struct Snapshot {
    std::int64_t head_seq;
    std::string head_hash;
    std::int64_t max_seq;
    std::vector<storage::Row> checkpoints;
  };
  XT_ASSIGN_OR_RETURN(Snapshot snap, db.Read([](storage::Executor& ex) -> Result<Snapshot> {
    XT_ASSIGN_OR_RETURN(auto head, ex.QueryOne("SELECT seq, hash FROM audit_head WHERE id = 1"));
    XT_ASSIGN_OR_RETURN(auto max, ex.QueryOne("SELECT MAX(seq) FROM audit_events"));
    XT_ASSIGN_OR_RETURN(auto cps, ex.Query("SELECT seq, hash, signed_at, public_key, signature"
                                           " FROM audit_checkpoints ORDER BY seq"));
    if (!head) return Fail(Error::Internal("the audit chain head is missing"));
    return Snapshot{head->Int(0), head->Text(1), max->Int(0), std::move(cps)};
  }));
  // Events appended after the snapshot are not checked this time; the range
  // ends at what the head said when we started.
  const std::int64_t total = std::max(snap.head_seq, snap.max_seq);
  std::set<std::int64_t> checkpoint_seqs;
  for (const auto& c : snap.checkpoints) checkpoint_seqs.insert(c.Int(0));

  const std::int64_t kChunk = std::max<std::int64_t>(1, options.chunk_size);
  const std::int64_t nchunks = (total + kChunk - 1) / kChunk;
  std::vector<std::optional<Result<ChunkResult>>> chunks(nchunks);
  std::map<std::int64_t, std::string> checkpoint_hashes;
  std::mutex checkpoint_mutex;
  std::atomic<std::int64_t> next{0}, done{0};
  std::atomic<int> running{0};
  std::vector<std::thread> workers;
  const int nthreads = std::clamp<int>(options.threads, 1, 16);
  running = nthreads;
  for (int t = 0; t < nthreads; ++t) {
    workers.emplace_back([&] {
      for (std::int64_t i; (i = next.fetch_add(1)) < nchunks;) {
        chunks[i] = CheckChunk(db, i * kChunk, std::min(total, (i + 1) * kChunk), checkpoint_seqs,
                               checkpoint_hashes, checkpoint_mutex, done);
      }
      running.fetch_sub(1);
    });
  }
  // Progress is reported from the calling thread only, as the header promises.
  while (options.progress && running.load() > 0) {
    options.progress(done.load(), total);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& w : workers) w.join();
  if (options.progress) options.progress(done.load(), total);

  VerifyReport report;
  report.events = done.load();
  std::optional<Finding> first;
  std::optional<std::string> prev_last = std::string(kGenesisHash);
  std::int64_t prev_last_seq = 0;
  for (std::int64_t i = 0; i < nchunks; ++i) {
    if (!*chunks[i]) return Fail(chunks[i]->error());
    const ChunkResult& c = **chunks[i];
    if (c.finding) Keep(first, *c.finding);
    const std::int64_t lo = i * kChunk;
    if (!c.first_prev) {
      Keep(first, {lo + 1, fmt::format("event {} is missing", lo + 1)});
    } else if (prev_last && prev_last_seq == lo && *c.first_prev != *prev_last) {
      Keep(first, {lo + 1, fmt::format("event {} does not link to event {} (events were removed, "
                                       "inserted or reordered)",
                                       lo + 1, lo)});
    }
    const std::int64_t hi = std::min(total, (i + 1) * kChunk);
    if (c.first_prev && c.last_seq != hi)
      Keep(first, {c.last_seq + 1, fmt::format("event {} is missing", c.last_seq + 1)});
    prev_last = c.last_hash;
    prev_last_seq = c.last_seq;
  }
  if (snap.max_seq > snap.head_seq) {
    Keep(first, {snap.head_seq + 1, fmt::format("event {} lies beyond the chain head {} (it was "
                                                "added outside the platform)",
                                                snap.head_seq + 1, snap.head_seq)});
  } else if (total > 0 && (!prev_last || *prev_last != snap.head_hash) && prev_last_seq == total) {
    Keep(first, {total, fmt::format("event {} does not match the chain head", total)});
  }

  for (const auto& cp : snap.checkpoints) {
    ++report.checkpoints;
    const std::int64_t seq = cp.Int(0);
    const std::string hash = cp.Text(1), key = cp.Text(3);
    if (!options.trusted_public_keys.contains(key)) {
      Keep(first, {seq, fmt::format("the checkpoint at event {} is signed by an untrusted key {}",
                                    seq, key.substr(0, 16))});
    } else if (!VerifySignature(key, CheckpointMessage(seq, hash, cp.Int(2)), cp.Text(4))) {
      Keep(first, {seq, fmt::format("the checkpoint at event {} has an invalid signature (it was "
                                    "forged or altered)",
                                    seq)});
    } else if (auto it = checkpoint_hashes.find(seq);
               it == checkpoint_hashes.end() || it->second != hash) {
      Keep(first, {seq, fmt::format("event {} differs from what the checkpoint signed (the chain "
                                    "was rewritten up to here)",
                                    seq)});
    }
  }
  if (first) {
    report.first_bad_seq = first->seq;
    report.problem = std::move(first->problem);
  }
  return report;
}

}  // namespace xietong::audit
