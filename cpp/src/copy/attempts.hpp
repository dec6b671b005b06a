#pragma once
// One unit of copy work under the configured ErrorStrategy (private to the copy engine).
#include <atomic>
#include <chrono>
#include <thread>

#include "gitfleet/copy/config.hpp"
#include "gitfleet/copy/copy_error.hpp"
#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::copy {

inline void check_cancelled(const CancellationToken* cancel) {
  if (cancel && cancel->cancelled()) throw CopyError(CopyErrc::Cancelled, 0, "operation cancelled");
}

// Errors that another attempt cannot cure.
inline bool worth_retrying(const CopyError& e) {
  switch (e.errc()) {
    case CopyErrc::SameFile:
    case CopyErrc::SpecialFile:
    case CopyErrc::InvalidArgument:
    case CopyErrc::Cancelled:
    case CopyErrc::IsADirectory:
    case CopyErrc::AuthenticationFailed:
      return false;
    default:
      return true;
  }
}

// Runs op(). Raise: errors propagate. Retry: up to retry_count more attempts, retry_delay
// apart, then the last error propagates. Ignore: on_ignored(error) and false.
template <class Op, class OnIgnored>
bool attempt(const Config& config, const CancellationToken* cancel, std::atomic<std::uint64_t>& retries,
             Op&& op, OnIgnored&& on_ignored) {
  const unsigned attempts = config.error_strategy == ErrorStrategy::Retry ? config.retry_count + 1 : 1;
  for (unsigned i = 1;; ++i) {
    try {
      op();
      return true;
    } catch (const CopyError& e) {
      if (i < attempts && worth_retrying(e)) {
        retries.fetch_add(1);
        auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(config.retry_delay);
        while (std::chrono::steady_clock::now() < until) {
          check_cancelled(cancel);
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        continue;
      }
      if (config.error_strategy != ErrorStrategy::Ignore || e.errc() == CopyErrc::Cancelled) throw;
      on_ignored(e);
      return false;
    }
  }
}

}  // namespace gitfleet::copy
