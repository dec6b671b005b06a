#include "gitfleet/core/thread_pool.hpp"

#include <algorithm>

namespace gitfleet {

ThreadPool::ThreadPool(std::size_t threads, std::size_t queue_capacity)
    : capacity_(std::max<std::size_t>(1, queue_capacity)) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  workers_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { run(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::post(std::function<void()> fn) {
  {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [this] { return queue_.size() < capacity_ || stopping_; });
    queue_.push_back(std::move(fn));
  }
  not_empty_.notify_one();
}

void ThreadPool::run() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mutex_);
      not_empty_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      // Drain what was queued before stopping so no submitted future is left broken.
      if (queue_.empty()) return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    not_full_.notify_one();
    try {
      fn();
    } catch (...) {
    }
  }
}

ThreadPool& ThreadPool::shared() {
  static ThreadPool pool(0, 4096);
  return pool;
}

}  // namespace gitfleet
