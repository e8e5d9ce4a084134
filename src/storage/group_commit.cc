#include "storage/group_commit.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <optional>

namespace xietong::storage {

struct GroupCommitter::Pending {
  const Work* fn;
  std::optional<Result<void>> result;  // set by the writer, read after done
  bool done = false;
  std::condition_variable cv;
};

GroupCommitter::GroupCommitter(std::unique_ptr<WriteConnection> connection, int max_batch)
    : connection_(std::move(connection)), max_batch_(max_batch < 1 ? 1 : max_batch) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Result<void> GroupCommitter::Submit(const Work& fn) {
  Pending p{&fn, std::nullopt, false, {}};
  std::unique_lock lock(mutex_);
  if (stopping_) return Fail(Error::Unavailable("the database is shutting down"));
  queue_.push_back(&p);
  wake_.notify_one();
  p.cv.wait(lock, [&] { return p.done; });
  return std::move(*p.result);
}

void GroupCommitter::Run() {
  for (;;) {
    std::deque<Pending*> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    {
      std::lock_guard lock(mutex_);
      for (Pending* p : batch) {
        p->done = true;
        p->cv.notify_one();
      }
    }
  }
}

void GroupCommitter::RunBatch(std::deque<Pending*>& batch) {
  auto fail_all = [&](const Error& e) {
    for (Pending* p : batch) p->result = Fail(e);
  };
  connection_->memo_.clear();
  if (auto begun = connection_->Begin(); !begun) {
    fail_all(begun.error());
    return;
  }
  for (Pending* p : batch) {
    // What the memo held before this function: restored if it fails.
    TransactionMemo memo_before = connection_->memo_;
    // Deferred: on PostgreSQL it travels with the function's first statement.
    if (auto sp = connection_->Defer("SAVEPOINT xt_write", {}); !sp) {
      p->result = Fail(sp.error());
      continue;
    }
    Result<void> r;
    try {
      r = (*p->fn)(*connection_);
    } catch (const std::exception& e) {
      spdlog::error("write function threw: {}", e.what());
      r = Fail(Error::Internal("the write failed unexpectedly"));
    }
    if (r) {
      if (auto released = connection_->Exec("RELEASE SAVEPOINT xt_write", {}); !released)
        r = Fail(released.error());
    }
    if (!r) {
      // Nothing of a failed function may be committed with the batch. Its
      // deferred statements are answered first: after a failed one the server
      // skips the rest of a pipeline, the rollback included.
      (void)connection_->Flush();
      (void)connection_->Exec("ROLLBACK TO SAVEPOINT xt_write", {});
      (void)connection_->Exec("RELEASE SAVEPOINT xt_write", {});
      connection_->memo_ = std::move(memo_before);
    }
    p->result = std::move(r);
  }
  connection_->memo_.clear();
  if (auto committed = connection_->Commit(); !committed) {
    connection_->Rollback();
    // Nothing of this batch is durable: every caller learns that, even those
    // whose own function succeeded.
    fail_all(committed.error());
  }
}

}  // namespace xietong::storage
