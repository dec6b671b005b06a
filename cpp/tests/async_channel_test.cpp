#include "gitfleet/core/async_channel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

using gitfleet::AsyncChannel;
using gitfleet::CancellationToken;

TEST(AsyncChannel, DeliversInOrderThenEnd) {
  AsyncChannel<int> ch(4);
  CancellationToken token;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ch.push(i, token));
  ch.finish();
  std::vector<int> got;
  bool ended = false;
  for (int i = 0; i < 4; ++i)
    ch.receive([&](std::optional<int> v, std::exception_ptr e) {
      EXPECT_FALSE(e);
      if (v) got.push_back(*v);
      else ended = true;
    });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(ended);
}

TEST(AsyncChannel, PendingReceiverGetsTheNextItemFromTheProducer) {
  AsyncChannel<int> ch(1);
  CancellationToken token;
  std::atomic<int> got{-1};
  ch.receive([&](std::optional<int> v, std::exception_ptr) { got = v.value_or(-2); });
  std::thread producer([&] { ch.push(42, token); });
  producer.join();
  EXPECT_EQ(got.load(), 42);
}

TEST(AsyncChannel, ProducerBlocksWhenFullAndCloseWakesIt) {
  AsyncChannel<int> ch(1);
  CancellationToken token;
  ASSERT_TRUE(ch.push(1, token));
  std::atomic<int> result{-1};
  std::thread producer([&] { result = ch.push(2, token) ? 1 : 0; });
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_EQ(result.load(), -1) << "push must wait for room";
  ch.close();
  producer.join();
  EXPECT_EQ(result.load(), 0);
}

// The producer is seen blocked on the full channel (it has not returned) before the token is
// cancelled; cancelling then ends its wait with false, and its item was not queued.
TEST(AsyncChannel, CancellationWakesABlockedProducer) {
  AsyncChannel<int> ch(1);
  CancellationToken token;
  ASSERT_TRUE(ch.push(1, token));
  std::atomic<int> returned{-1};
  std::thread producer([&] { returned = ch.push(2, token) ? 1 : 0; });
  while (ch.producers_waiting() == 0) std::this_thread::yield();
  for (int i = 0; i < 5; ++i) {  // several of its 20 ms waits: still blocked, not returned
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ASSERT_EQ(returned.load(), -1);
  }
  token.cancel();
  producer.join();
  EXPECT_EQ(returned.load(), 0);
  EXPECT_EQ(ch.producers_waiting(), 0u);
  std::vector<int> got;
  ch.receive([&](std::optional<int> v, std::exception_ptr) { got.push_back(v.value_or(-1)); });
  ch.finish();
  ch.receive([&](std::optional<int> v, std::exception_ptr) { got.push_back(v.value_or(-1)); });
  EXPECT_EQ(got, (std::vector<int>{1, -1}));
}

TEST(AsyncChannel, ErrorReachesTheConsumerAfterQueuedItems) {
  AsyncChannel<int> ch(2);
  CancellationToken token;
  ch.push(5, token);
  ch.finish(std::make_exception_ptr(std::runtime_error("failed")));
  int value = 0;
  ch.receive([&](std::optional<int> v, std::exception_ptr e) {
    value = *v;
    EXPECT_FALSE(e);
  });
  EXPECT_EQ(value, 5);
  bool saw_error = false;
  ch.receive([&](std::optional<int> v, std::exception_ptr e) { saw_error = !v && e; });
  EXPECT_TRUE(saw_error);
}

TEST(AsyncChannel, OnlyOneReceiveMayWait) {
  AsyncChannel<int> ch(1);
  ch.receive([](std::optional<int>, std::exception_ptr) {});
  EXPECT_THROW(ch.receive([](std::optional<int>, std::exception_ptr) {}), gitfleet::Error);
}

// A producer blocked on a full channel while the consumer drains it and starts waiting: the
// item the producer then brings must go to the waiting receiver, not into the queue where
// nobody would look. Each round is a race; many rounds make the losing order certain to occur.
TEST(AsyncChannel, ProducerThatWasBlockedHandsItsItemToAWaitingReceiver) {
  for (int round = 0; round < 3000; ++round) {
    AsyncChannel<int> channel(1);
    std::promise<int> ended;
    std::atomic<int> received{0};
    std::function<void()> next = [&] {
      channel.receive([&](std::optional<int> item, std::exception_ptr) {
        if (!item) return ended.set_value(received.load());
        ++received;
        next();  // at once, as a consumer that keeps up
      });
    };
    std::thread producer([&] {
      CancellationToken cancel;
      for (int i = 0; i < 3; ++i) channel.push(i, cancel);
      channel.finish();
    });
    std::this_thread::yield();
    next();
    std::future<int> done = ended.get_future();
    bool delivered = done.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    if (!delivered) channel.close();  // frees a producer still blocked, so the thread can be joined
    producer.join();
    ASSERT_TRUE(delivered) << "round " << round << ": an item was queued behind a waiting receiver";
    EXPECT_EQ(done.get(), 3);
  }
}
