#include "gitfleet/core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

using gitfleet::ThreadPool;

TEST(ThreadPool, RunsEveryTaskAndReturnsResults) {
  ThreadPool pool(3, 8);
  std::vector<std::future<int>> results;
  for (int i = 0; i < 100; ++i) results.push_back(pool.submit([i] { return i * i; }));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(results[i].get(), i * i);
}

TEST(ThreadPool, FutureCarriesTheTaskException) {
  ThreadPool pool(1);
  auto f = pool.submit([]() -> int { throw std::runtime_error("boom"); });
  EXPECT_THROW(f.get(), std::runtime_error);
  EXPECT_EQ(pool.submit([] { return 7; }).get(), 7);  // the worker survived
}

TEST(ThreadPool, QueueIsBounded) {
  ThreadPool pool(1, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  pool.post([gate] { gate.wait(); });  // occupies the only worker
  pool.post([] {});
  pool.post([] {});  // the queue (capacity 2) is now full
  std::atomic<bool> fourth_queued{false};
  std::thread producer([&] {
    pool.post([] {});
    fourth_queued = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(fourth_queued.load()) << "post() must block while the queue is full";
  release.set_value();
  producer.join();
  EXPECT_TRUE(fourth_queued.load());
}

TEST(ThreadPool, DestructorFinishesQueuedWork) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(2);
    for (int i = 0; i < 50; ++i) pool.post([&] { ++done; });
  }
  EXPECT_EQ(done.load(), 50);
}
