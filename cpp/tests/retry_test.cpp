// Waiting between attempts: the backoff's rule, and a wait the token cuts short.
#include <gtest/gtest.h>

#include <thread>

#include "gitfleet/core/retry.hpp"

namespace {

using namespace std::chrono_literals;
using gitfleet::CancellationToken;

TEST(Retry, BackoffDoublesWithJitterBetweenHalfAndOneAndAHalf) {
  for (int retry = 0; retry < 6; ++retry) {
    const auto nominal = 100ms * (1 << retry);
    std::chrono::milliseconds low = nominal, high{0};
    for (int i = 0; i < 400; ++i) {
      auto wait = gitfleet::jittered_backoff(100ms, retry);
      ASSERT_GE(wait, nominal / 2) << retry;
      ASSERT_LT(wait, nominal * 3 / 2) << retry;
      low = std::min(low, wait);
      high = std::max(high, wait);
    }
    EXPECT_LT(low, nominal * 3 / 4) << "no jitter below the nominal wait";  // 400 draws: chance 2^-400
    EXPECT_GT(high, nominal * 5 / 4) << "no jitter above the nominal wait";
  }
  EXPECT_EQ(gitfleet::jittered_backoff(0ms, 3), 0ms);
}

TEST(Retry, AWaitEndsWhenItsTimeIsUp) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(gitfleet::sleep_unless_cancelled(30ms, CancellationToken()));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
}

// Cancelled from another thread, an hour's wait returns false (it did not wait the hour).
TEST(Retry, CancellingCutsAWaitShort) {
  CancellationToken token;
  std::thread canceller([token] { token.cancel(); });
  EXPECT_FALSE(gitfleet::sleep_unless_cancelled(std::chrono::hours(1), token));
  canceller.join();
  CancellationToken already;
  already.cancel();
  EXPECT_FALSE(gitfleet::sleep_unless_cancelled(0ms, already));
}

}  // namespace
