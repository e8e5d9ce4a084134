#include "insight/job_runner.h"

#include <spdlog/spdlog.h>

namespace xietong::insight {

JobRunner::JobRunner(storage::Database& db, const Clock& clock, std::string node_id,
                     std::chrono::milliseconds poll)
    : db_(db), clock_(clock), node_id_(std::move(node_id)), poll_(poll) {}

Timestamp JobRunner::NextLocal(Timestamp after, int local_minute) {
  const Timestamp local = after + kShanghaiOffset;
  const Timestamp midnight = local - (local % kMicrosPerDay + kMicrosPerDay) % kMicrosPerDay;
  Timestamp next = midnight + local_minute * kMicrosPerMinute;
  if (next <= local) next += kMicrosPerDay;
  return next - kShanghaiOffset;
}

Result<std::vector<std::string>> JobRunner::RunDue() {
  if (!ensured_) {
    const Timestamp now = clock_.Now();
    XT_TRY_VOID(db_.Write([&](storage::Executor& ex) -> Result<void> {
      for (const auto& job : jobs_)
        XT_TRY_VOID(store::EnsureJob(ex, job.name,
                                     job.run_when_new ? now : NextLocal(now, job.local_minute)));
      return {};
    }));
    ensured_ = true;
  }
  std::vector<std::string> ran;
  for (const auto& job : jobs_) {
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(const bool claimed, db_.Write([&](storage::Executor& ex) {
      return store::ClaimJob(ex, job.name, node_id_, now, now + job.lease);
    }));
    if (!claimed) continue;
    spdlog::info("insight job {} started", job.name);
    auto result = job.run();
    const Timestamp done = clock_.Now();
    std::string summary;
    Timestamp next = NextLocal(done, job.local_minute);
    if (result) {
      summary = "ok: " + *result;
      spdlog::info("insight job {} done in {} ms: {}", job.name, (done - now) / 1000, *result);
    } else {
      summary = "error: " + result.error().message;
      next = std::min(next, done + job.retry);
      spdlog::warn("insight job {} failed: {}", job.name, result.error().message);
    }
    XT_ASSIGN_OR_RETURN(const bool kept, db_.Write([&](storage::Executor& ex) {
      return store::FinishJob(ex, job.name, node_id_, done, next, summary);
    }));
    if (!kept)
      spdlog::warn("insight job {} ran past its lease; another node may have run it too", job.name);
    ran.push_back(job.name);
  }
  return ran;
}

void JobRunner::Start() {
  if (jobs_.empty() || thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void JobRunner::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JobRunner::Loop() {
  for (;;) {
    if (auto r = RunDue(); !r) spdlog::warn("insight jobs: {}", r.error().message);
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, poll_, [this] { return stop_; })) return;
  }
}

Result<std::vector<store::JobRow>> JobRunner::Statuses() {
  return db_.Read([](storage::Executor& ex) { return store::ListJobs(ex); });
}

}  // namespace xietong::insight
