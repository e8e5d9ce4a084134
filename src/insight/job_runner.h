// JobRunner: insight's long jobs — the nightly forecast run, the routing
// model's retrain, closed months' reports — on a thread of their own, so a
// run of a minute never holds up the reactions on audit::ConsumerRunner.
// Each job runs once a day at a local (Asia/Shanghai) time, and once soon
// after a node first sees it, so a new city has forecasts on its first day.
// Of the nodes sharing a database one runs each due job: the claim is a
// compare-and-set on its insight_jobs row, lapsing after `lease` if the node
// died mid-run. A failed run is retried after `retry`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "insight/job_store.h"
#include "storage/database.h"

namespace xietong::insight {

struct JobSpec {
  std::string name;           // e.g. "forecast.nightly"
  int local_minute = 2 * 60;  // minutes after local midnight (02:00)
  bool run_when_new = true;   // first run as soon as the job is first seen
  Timestamp lease = 2 * kMicrosPerHour;
  Timestamp retry = 30 * kMicrosPerMinute;
  std::function<Result<std::string>()> run;  // a one-line summary of what it did
};

class JobRunner {
 public:
  JobRunner(storage::Database& db, const Clock& clock, std::string node_id,
            std::chrono::milliseconds poll = std::chrono::seconds(60));
  ~JobRunner() { Stop(); }
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Add every job before the first RunDue or Start.
  void Add(JobSpec job) { jobs_.push_back(std::move(job)); }
  // Runs the jobs due now that this node claims, in the order added; their names.
  Result<std::vector<std::string>> RunDue();
  void Start();
  void Stop();
  Result<std::vector<store::JobRow>> Statuses();

  // The first local `local_minute` after `after` (strictly later).
  static Timestamp NextLocal(Timestamp after, int local_minute);

 private:
  void Loop();

  storage::Database& db_;
  const Clock& clock_;
  const std::string node_id_;
  const std::chrono::milliseconds poll_;
  std::vector<JobSpec> jobs_;
  bool ensured_ = false;  // only the runner's thread (or a test) calls RunDue
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(mutex_)
};

}  // namespace xietong::insight
