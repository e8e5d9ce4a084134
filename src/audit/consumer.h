// Reactions to committed events, exactly once: a named consumer reads the
// audit chain after its cursor and handles each event inside ONE write
// transaction that also advances the cursor, so an effect and the cursor
// move commit together or not at all, across restarts and nodes.
//
// A consumer holds a lease (owner node + expiry, renewed by every batch) so
// that one node runs it at a time; another node takes over once the lease
// has expired. Even two nodes that both think they hold it cannot handle an
// event twice: the batch locks the consumer's row (PostgreSQL: FOR UPDATE;
// SQLite has one writer) and re-reads the cursor under that lock.
//
// A handler that fails rolls its whole batch back (nothing of it happened)
// and the batch is retried on the next run; the consumer's lag grows until
// the handler is fixed — it never skips an event silently.
//
// Worked example (a module that awards points when a request is closed):
//
//   audit::Consumer points(db, clock, node_id,
//       {.name = "participation.points", .action_prefix = "request."},
//       [&](storage::Executor& ex, const audit::Event& e) -> Result<void> {
//         if (e.action != "request.closed") return {};
//         return ledger::Award(ex, e.subject, ...);  // same transaction as the cursor
//       });
//   runner.Add(points);  // ConsumerRunner polls it every poll interval
//
// Consumer is thread-safe (RunOnce may be called from any thread, one call
// at a time per consumer is what ConsumerRunner does). The live WebSocket
// feed is not a Consumer: every node must push every event to its own
// sockets, at most once, with no effect in the database — see DESIGN.md.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "storage/database.h"

namespace xietong::audit {

struct ConsumerOptions {
  std::string name{};           // unique, dotted: "<module>.<what>", e.g. "participation.points"
  std::string action_prefix{};  // only events whose action starts with it ("" = all)
  int batch = 200;              // events per transaction at most
  Timestamp lease = 30 * kMicrosPerSecond;
  // A consumer seen for the first time starts after the newest event
  // (true) or at the beginning of the chain (false).
  bool start_at_head = false;
};

// Runs inside the batch's write transaction; its writes commit with the
// cursor. Must not call Database::Write/Read itself.
using ConsumerHandler = std::function<Result<void>(storage::Executor&, const Event&)>;

// Optional: sees a batch read ahead of its write transaction, outside any
// transaction, so a handler can do its CPU work (parsing payloads) without
// holding the writer. It may see the same events more than once, or a batch
// that is then read again inside the transaction instead; it must have no
// effect beyond a cache the handler may use (the handler stays correct
// without it).
using ConsumerPrepare = std::function<void(const std::vector<Event>&)>;

struct ConsumerStatus {
  std::string name;
  std::int64_t cursor = 0;   // the last seq handled (or passed over)
  std::int64_t head = 0;     // the newest seq on the chain
  std::int64_t handled = 0;  // events handed to the handler, ever
  std::string owner;         // the node holding the lease ("" when never run)
  Timestamp lease_until = 0;
  std::int64_t lag() const { return head - cursor; }
};

class Consumer {
 public:
  // node_id names this process among the nodes sharing the database.
  Consumer(storage::Database& db, const Clock& clock, std::string node_id, ConsumerOptions options,
           ConsumerHandler handler, ConsumerPrepare prepare = {});

  // One batch: takes or renews the lease (or returns 0 when another node
  // holds it), handles the events after the cursor and moves the cursor, in
  // one transaction (the events are read just before it; nothing is written
  // when there is nothing new and this node's lease has more than half its
  // length left). Returns how many events the handler saw.
  Result<int> RunOnce();
  // Runs batches until one comes back short (caught up) or fails.
  Result<int> CatchUp();
  Result<ConsumerStatus> Status();
  const ConsumerOptions& options() const { return options_; }

 private:
  struct Ahead {
    std::int64_t cursor = 0, head = 0;
    bool idle = false;
    std::vector<Event> events;
  };
  Result<std::optional<Ahead>> ReadAhead();

  storage::Database& db_;
  const Clock& clock_;
  const std::string node_id_;
  const ConsumerOptions options_;
  const ConsumerHandler handler_;
  const ConsumerPrepare prepare_;
};

// The consumers' table (audit migration 2) is created by audit::Schema().

// Polls its consumers on one thread until Stop(): each consumer catches up
// every poll interval; a failure is logged and retried on the next poll.
// Add every consumer before Start. Thread-safe.
class ConsumerRunner {
 public:
  explicit ConsumerRunner(std::chrono::milliseconds poll = std::chrono::milliseconds(500))
      : poll_(poll) {}
  ~ConsumerRunner() { Stop(); }
  ConsumerRunner(const ConsumerRunner&) = delete;
  ConsumerRunner& operator=(const ConsumerRunner&) = delete;

  void Add(Consumer& consumer) { consumers_.push_back(&consumer); }
  // A job run after the consumers on every poll (a module's periodic pass,
  // e.g. reminders due); its failure is its own to log. Add before Start.
  void AddPeriodic(std::function<void()> job) { periodic_.push_back(std::move(job)); }
  void Start();
  void Stop();
  // Runs the consumers now instead of at the next poll (a module just
  // committed an event its reaction waits for). Cheap; any thread.
  void Nudge();
  // Each consumer's status, for /metrics (empty entries are skipped).
  std::vector<ConsumerStatus> Statuses();

 private:
  void Loop();

  const std::chrono::milliseconds poll_;
  std::vector<Consumer*> consumers_;             // set before Start
  std::vector<std::function<void()>> periodic_;  // set before Start
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;    // GUARDED_BY(mutex_)
  bool nudged_ = false;  // GUARDED_BY(mutex_)
};

// The consumers' cursors, leases and lag in the Prometheus text format.
std::string RenderConsumerMetrics(const std::vector<ConsumerStatus>& statuses);

}  // namespace xietong::audit
