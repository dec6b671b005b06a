#include "gitfleet/core/job_runner.hpp"

namespace gitfleet {

JobRunner::JobRunner(std::size_t max_concurrent_jobs)
    : drivers_(max_concurrent_jobs == 0 ? 1 : max_concurrent_jobs, 1 << 16) {}

CancellationToken JobRunner::start(std::function<void(const CancellationToken&)> job) {
  CancellationToken token;
  std::list<CancellationToken>::iterator where;
  {
    std::lock_guard lock(mutex_);
    where = live_.insert(live_.end(), token);
  }
  drivers_.post([this, token, where, job = std::move(job)]() mutable {
    struct Retire {  // even if the job throws, it leaves the live list
      JobRunner* runner;
      std::list<CancellationToken>::iterator where;
      ~Retire() {
        std::lock_guard lock(runner->mutex_);
        runner->live_.erase(where);
        if (runner->live_.empty()) runner->idle_.notify_all();
      }
    } retire{this, where};
    // Declared after `retire`, so destroyed before it: whatever the job holds (Python
    // callbacks among it) is released before the job counts as finished, never after
    // cancel_all_and_wait() has returned and the interpreter is shutting down.
    auto running = std::move(job);
    running(token);
  });
  return token;
}

void JobRunner::cancel_all_and_wait() {
  std::unique_lock lock(mutex_);
  for (auto& token : live_) token.cancel();
  idle_.wait(lock, [this] { return live_.empty(); });
}

std::size_t JobRunner::active_jobs() {
  std::lock_guard lock(mutex_);
  return live_.size();
}

JobRunner& JobRunner::shared() {
  static JobRunner runner(16);
  return runner;
}

}  // namespace gitfleet
