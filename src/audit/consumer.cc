#include "audit/consumer.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace xietong::audit {

Consumer::Consumer(storage::Database& db, const Clock& clock, std::string node_id,
                   ConsumerOptions options, ConsumerHandler handler, ConsumerPrepare prepare)
    : db_(db),
      clock_(clock),
      node_id_(std::move(node_id)),
      options_(std::move(options)),
      handler_(std::move(handler)),
      prepare_(std::move(prepare)) {}

Result<int> Consumer::RunOnce() {
  if (options_.name.empty() || options_.batch <= 0 || !handler_)
    return Fail(Error::InvalidArgument("a consumer needs a name, a positive batch and a handler"));
  // The batch is read before the write transaction: on SQLite the one writer
  // (and every intake group commit queued behind it) then waits only for the
  // handler and the cursor, not for reading the chain. The events after a
  // cursor never change (the chain is append-only, in seq order), so the
  // batch read ahead is used when the cursor has not moved meanwhile.
  XT_ASSIGN_OR_RETURN(auto ahead, ReadAhead());
  if (ahead && ahead->idle) return 0;
  if (ahead && prepare_ && !ahead->events.empty()) prepare_(ahead->events);
  return db_.Write([&](storage::Executor& ex) -> Result<int> {
    const Timestamp now = clock_.Now();
    // Read before the events: every event up to it has committed.
    XT_ASSIGN_OR_RETURN(std::int64_t head, LastSeq(ex));
    XT_TRY_VOID(ex.Exec(
        "INSERT INTO audit_consumers (name, last_seq, owner, lease_until, handled, updated_at)"
        " VALUES (?, ?, '', 0, 0, ?) ON CONFLICT (name) DO NOTHING",
        {options_.name, options_.start_at_head ? head : std::int64_t{0}, now}));
    // Another node's live lease: back off without waiting for its row lock
    // (which it holds for its whole batch).
    XT_ASSIGN_OR_RETURN(auto seen, ex.QueryOne("SELECT owner, lease_until FROM audit_consumers"
                                               " WHERE name = ?",
                                               {options_.name}));
    if (seen && seen->TextView(0) != node_id_ && seen->Int(1) > now) return 0;
    // The row lock serialises batches of this consumer across nodes.
    XT_ASSIGN_OR_RETURN(
        auto row,
        ex.QueryOne(fmt::format("SELECT last_seq, owner, lease_until FROM audit_consumers"
                                " WHERE name = ?{}",
                                ex.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE" : ""),
                    {options_.name}));
    if (!row) return Fail(Error::Internal("the consumer's row vanished"));
    const std::int64_t cursor = row->Int(0);
    if (row->TextView(1) != node_id_ && row->Int(2) > now) return 0;  // another node's lease

    std::vector<Event> events;
    if (ahead && ahead->cursor == cursor) {
      // The batch read ahead covers the chain up to ITS head, not a newer one.
      events = std::move(ahead->events);
      head = ahead->head;
    } else {
      XT_ASSIGN_OR_RETURN(events, EventsAfter(ex, cursor, options_.action_prefix, options_.batch));
    }
    for (const Event& e : events) {
      if (auto handled = handler_(ex, e); !handled) {
        spdlog::warn("consumer {}: event {} ({}) failed: {}", options_.name, e.seq, e.action,
                     handled.error().message);
        return Fail(handled.error());  // the whole batch rolls back; retried next run
      }
    }
    // A short batch saw every matching event up to the head: the cursor
    // passes over the rest, so a rare action is not searched for again.
    const bool caught_up = static_cast<int>(events.size()) < options_.batch;
    std::int64_t next = events.empty() ? cursor : events.back().seq;
    if (caught_up) next = std::max(next, head);
    XT_TRY_VOID(
        ex.Exec("UPDATE audit_consumers SET last_seq = ?, owner = ?, lease_until = ?,"
                " handled = handled + ?, updated_at = ? WHERE name = ?",
                {next, node_id_, now + options_.lease, static_cast<std::int64_t>(events.size()),
                 now, options_.name}));
    return static_cast<int>(events.size());
  });
}

Result<std::optional<Consumer::Ahead>> Consumer::ReadAhead() {
  return db_.Read([&](storage::Executor& ex) -> Result<std::optional<Ahead>> {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT last_seq, owner, lease_until"
                                              " FROM audit_consumers WHERE name = ?",
                                              {options_.name}));
    if (!row) return std::nullopt;  // the first run reads inside its transaction
    Ahead a;
    a.cursor = row->Int(0);
    XT_ASSIGN_OR_RETURN(a.head, LastSeq(ex));
    // Nothing new and this node's lease is good for more than half its
    // length: no write at all (an idle consumer costs no commit per poll).
    const Timestamp now = clock_.Now();
    if (a.head == a.cursor && row->TextView(1) == node_id_ &&
        row->Int(2) > now + options_.lease / 2) {
      a.idle = true;
      return a;
    }
    XT_ASSIGN_OR_RETURN(a.events,
                        EventsAfter(ex, a.cursor, options_.action_prefix, options_.batch));
    return a;
  });
}

Result<int> Consumer::CatchUp() {
  int total = 0;
  for (;;) {
    XT_ASSIGN_OR_RETURN(const int n, RunOnce());
    total += n;
    if (n < options_.batch) return total;
  }
}

Result<ConsumerStatus> Consumer::Status() {
  return db_.Read([&](storage::Executor& ex) -> Result<ConsumerStatus> {
    ConsumerStatus s;
    s.name = options_.name;
    XT_ASSIGN_OR_RETURN(s.head, LastSeq(ex));
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT last_seq, owner, lease_until, handled"
                                              " FROM audit_consumers WHERE name = ?",
                                              {options_.name}));
    if (row) {
      s.cursor = row->Int(0);
      s.owner = row->Text(1);
      s.lease_until = row->Int(2);
      s.handled = row->Int(3);
    } else {
      s.cursor = options_.start_at_head ? s.head : 0;
    }
    return s;
  });
}

void ConsumerRunner::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ConsumerRunner::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConsumerRunner::Nudge() {
  {
    std::lock_guard lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_all();
}

void ConsumerRunner::Loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    nudged_ = false;
    lock.unlock();
    for (Consumer* c : consumers_) {
      if (auto r = c->CatchUp(); !r)
        spdlog::warn("consumer {} stopped at an error (retried in {} ms): {}", c->options().name,
                     poll_.count(), r.error().message);
    }
    for (const auto& job : periodic_) job();
    lock.lock();
    wake_.wait_for(lock, poll_, [this] { return stop_ || nudged_; });
  }
}

std::vector<ConsumerStatus> ConsumerRunner::Statuses() {
  std::vector<ConsumerStatus> out;
  for (Consumer* c : consumers_) {
    if (auto s = c->Status()) out.push_back(std::move(*s));
  }
  return out;
}

std::string RenderConsumerMetrics(const std::vector<ConsumerStatus>& statuses) {
  if (statuses.empty()) return "";
  std::string out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help,
                    auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (const auto& s : statuses)
      out += fmt::format("{}{{consumer=\"{}\"}} {}\n", name, s.name, value(s));
  };
  family("xietong_consumer_lag_events", "gauge",
         "Events on the audit chain after the consumer's cursor.",
         [](const ConsumerStatus& s) { return s.lag(); });
  family("xietong_consumer_cursor", "gauge", "The last audit seq the consumer has passed.",
         [](const ConsumerStatus& s) { return s.cursor; });
  family("xietong_consumer_handled_total", "counter", "Events handed to the consumer's handler.",
         [](const ConsumerStatus& s) { return s.handled; });
  return out;
}

}  // namespace xietong::audit
