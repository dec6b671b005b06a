#include "gitfleet/core/job_runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using gitfleet::CancellationToken;
using gitfleet::JobRunner;

TEST(JobRunner, CancelAllStopsRunningAndQueuedJobs) {
  JobRunner runner(2);
  std::atomic<int> finished{0};
  for (int i = 0; i < 5; ++i)
    runner.start([&](const CancellationToken& token) {
      while (!token.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ++finished;
    });
  runner.cancel_all_and_wait();
  EXPECT_EQ(finished.load(), 5);
}

TEST(JobRunner, AThrowingJobDoesNotWedgeTheRunner) {
  JobRunner runner(1);
  runner.start([](const CancellationToken&) { throw std::runtime_error("job failed"); });
  std::atomic<bool> ran{false};
  runner.start([&](const CancellationToken&) { ran = true; });
  runner.cancel_all_and_wait();
  EXPECT_TRUE(ran.load());
}

TEST(JobRunner, TokenCancelsOneJob) {
  JobRunner runner(2);
  std::atomic<bool> stopped{false};
  CancellationToken token = runner.start([&](const CancellationToken& t) {
    while (!t.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stopped = true;
  });
  token.cancel();
  runner.cancel_all_and_wait();
  EXPECT_TRUE(stopped.load());
}

// What a job holds (the bindings: Python callbacks, released under the GIL) is released before
// cancel_all_and_wait() returns: at interpreter exit nothing may touch Python afterwards.
TEST(JobRunner, WhatAJobHoldsIsReleasedBeforeItCountsAsFinished) {
  JobRunner runner(1);
  std::atomic<bool> released{false};
  // A slow release widens the window in which a runner that retired jobs first would return.
  std::shared_ptr<int> held(new int(0), [&](int* p) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    delete p;
    released = true;
  });
  runner.start([held = std::move(held)](const CancellationToken&) {});
  runner.cancel_all_and_wait();
  EXPECT_TRUE(released.load());
}
