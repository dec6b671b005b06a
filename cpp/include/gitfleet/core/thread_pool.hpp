#pragma once
// A fixed-size pool of worker threads with a bounded task queue: submit() blocks while the
// queue is full, so a fast producer can never pile up unbounded work in memory.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace gitfleet {

class ThreadPool {
 public:
  // threads == 0 means one per hardware thread.
  explicit ThreadPool(std::size_t threads = 0, std::size_t queue_capacity = 1024);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const noexcept { return workers_.size(); }

  // Runs fn on a worker; the future carries its result or exception.
  template <class Fn>
  auto submit(Fn&& fn) -> std::future<std::invoke_result_t<Fn&>> {
    using R = std::invoke_result_t<Fn&>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<Fn>(fn));
    auto future = task->get_future();
    post([task] { (*task)(); });
    return future;
  }

  // Enqueues fn (blocking while the queue is full). Exceptions escaping fn are swallowed:
  // use submit() to observe them.
  void post(std::function<void()> fn);

  // The process-wide pool for CPU work, one thread per core.
  static ThreadPool& shared();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::function<void()>> queue_;
  std::size_t capacity_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace gitfleet
