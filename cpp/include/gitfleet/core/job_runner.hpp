#pragma once
// Long-running operations (a history extraction, a stream) run as jobs on driver threads
// that are separate from the CPU pool: a driver may block on CPU-pool futures without ever
// starving the pool. The number of drivers is bounded; further jobs wait their turn.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>

#include "gitfleet/core/cancellation.hpp"
#include "gitfleet/core/thread_pool.hpp"

namespace gitfleet {

class JobRunner {
 public:
  explicit JobRunner(std::size_t max_concurrent_jobs);

  // Queues job; the returned token cancels it (before it starts, or while it runs).
  CancellationToken start(std::function<void(const CancellationToken&)> job);

  // Cancels every queued and running job and waits until none is left.
  void cancel_all_and_wait();

  std::size_t active_jobs();  // queued or running

  static JobRunner& shared();

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  std::list<CancellationToken> live_;
  ThreadPool drivers_;
};

}  // namespace gitfleet
