// Group commit: one writer thread per Database turns many callers' writes
// into few durable commits.
//
// Submit() queues a function and blocks until the transaction that ran it has
// committed (or failed). The writer takes everything queued (up to
// max_batch), opens one transaction, runs each function inside its own
// SAVEPOINT (an error rolls back only that function's changes), commits once,
// and then answers every caller. Throughput therefore grows with the number
// of concurrent writers while every acknowledged write is already fsync'd.
// A function must not call Database::Write itself (it would wait for itself).
// Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/database.h"

namespace xietong::storage {

// The connection the writer thread owns; implemented by each backend.
class WriteConnection : public Executor {
 public:
  // Opens the transaction (SQLite: BEGIN IMMEDIATE). Reconnects first if the
  // backend lost its connection; fails with kUnavailable if it cannot.
  virtual Result<void> Begin() = 0;
  virtual Result<void> Commit() = 0;
  virtual void Rollback() = 0;
  // Reads the answers of deferred statements (Executor::Defer); the first error.
  virtual Result<void> Flush() { return {}; }
  TransactionMemo* memo() override { return &memo_; }

 private:
  friend class GroupCommitter;  // clears it per transaction, restores it per savepoint
  TransactionMemo memo_;
};

class GroupCommitter {
 public:
  using Work = std::function<Result<void>(Executor&)>;

  GroupCommitter(std::unique_ptr<WriteConnection> connection, int max_batch);
  ~GroupCommitter();  // finishes what is queued, then stops the thread
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  Result<void> Submit(const Work& fn);

 private:
  struct Pending;
  void Run();
  void RunBatch(std::deque<Pending*>& batch);

  std::unique_ptr<WriteConnection> connection_;  // used only by thread_
  const int max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending*> queue_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;       // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace xietong::storage
