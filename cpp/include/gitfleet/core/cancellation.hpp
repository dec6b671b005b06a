#pragma once
// A cancellation flag shared between the caller and the native work it started. Work polls
// it at safe points (between commits, between files) and stops with ErrorCode::Cancelled.
#include <atomic>
#include <memory>

#include "gitfleet/core/error.hpp"

namespace gitfleet {

class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const noexcept { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return flag_->load(std::memory_order_relaxed); }
  void throw_if_cancelled() const {
    if (cancelled()) throw Error(ErrorCode::Cancelled, "operation cancelled");
  }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace gitfleet
