#pragma once
// A bounded single-producer, single-consumer channel whose consumer is callback-driven:
// receive() hands over the next item at once if one is ready, otherwise the producer hands
// it over when it arrives. The producer blocks while `capacity` items wait, which bounds
// the memory of a stream whose consumer is slow.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "gitfleet/core/cancellation.hpp"

namespace gitfleet {

template <class T>
class AsyncChannel {
 public:
  // Called with an item, or with nullopt at the end (error set if the producer failed).
  using Receiver = std::function<void(std::optional<T>, std::exception_ptr)>;

  explicit AsyncChannel(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Producer: returns false once the consumer has closed the channel or `cancel` fired
  // (a producer blocked on a full channel notices cancellation within a few milliseconds).
  bool push(T item, const CancellationToken& cancel) {
    std::unique_lock lock(mutex_);
    ++producers_waiting_;
    while (!not_full_.wait_for(lock, std::chrono::milliseconds(20),
                               [this] { return items_.size() < capacity_ || closed_; })) {
      if (cancel.cancelled()) {
        --producers_waiting_;
        return false;
      }
    }
    --producers_waiting_;
    if (closed_) return false;
    // Checked after the wait: the consumer may have drained the queue and begun waiting
    // while this producer was blocked; the item is then its, not the queue's.
    if (pending_) {
      Receiver receiver = std::exchange(pending_, nullptr);
      lock.unlock();
      receiver(std::move(item), nullptr);
      return true;
    }
    items_.push_back(std::move(item));
    return true;
  }

  // Producer: no more items. error, if set, reaches the consumer after the queued items.
  void finish(std::exception_ptr error = nullptr) {
    std::unique_lock lock(mutex_);
    finished_ = true;
    error_ = error;
    if (pending_ && items_.empty()) {
      Receiver receiver = std::exchange(pending_, nullptr);
      lock.unlock();
      receiver(std::nullopt, error);
    }
  }

  // Consumer: at most one receive may be outstanding.
  void receive(Receiver receiver) {
    std::unique_lock lock(mutex_);
    if (pending_) throw Error(ErrorCode::InvalidArgument, "a receive is already pending on this stream");
    if (!items_.empty()) {
      T item = std::move(items_.front());
      items_.pop_front();
      lock.unlock();
      not_full_.notify_one();
      receiver(std::move(item), nullptr);
    } else if (finished_) {
      auto error = error_;
      lock.unlock();
      receiver(std::nullopt, error);
    } else {
      pending_ = std::move(receiver);
    }
  }

  // Consumer: gone for good; wakes a blocked producer and drops what is queued.
  // Returns the receiver that was still waiting, so the caller can dispose of it safely.
  Receiver close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    items_.clear();
    not_full_.notify_all();
    return std::exchange(pending_, nullptr);
  }

  // Producers inside push() (waiting for room, or about to queue): what a stalled stream is
  // waiting for, observable without guessing at timing.
  std::size_t producers_waiting() {
    std::lock_guard lock(mutex_);
    return producers_waiting_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  std::size_t capacity_;
  Receiver pending_;
  bool finished_ = false;
  bool closed_ = false;
  std::exception_ptr error_;
  std::size_t producers_waiting_ = 0;
};

}  // namespace gitfleet
