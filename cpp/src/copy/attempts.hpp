#pragma once
// One unit of copy work under the configured ErrorStrategy (private to the copy engine).
#include <atomic>
#include <chrono>

#include "gitfleet/copy/config.hpp"
#include "gitfleet/core/error.hpp"
#include "gitfleet/core/cancellation.hpp"
#include "gitfleet/core/retry.hpp"

namespace gitfleet::copy {

// Errors that another attempt cannot cure.
inline bool worth_retrying(const Error& e) {
  switch (e.code()) {
    case ErrorCode::SameFile:
    case ErrorCode::SpecialFile:
    case ErrorCode::InvalidArgument:
    case ErrorCode::Cancelled:
    case ErrorCode::Protocol:
    case ErrorCode::IsADirectory:
    case ErrorCode::AuthenticationFailed:
      return false;
    default:
      return true;
  }
}

// Runs op(). Raise: errors propagate. Retry: up to retry_count more attempts, retry_delay
// apart, then the last error propagates. Ignore: on_ignored(error) and false.
template <class Op, class OnIgnored>
bool attempt(const Config& config, const CancellationToken& cancel, std::atomic<std::uint64_t>& retries,
             Op&& op, OnIgnored&& on_ignored) {
  const unsigned attempts = config.error_strategy == ErrorStrategy::Retry ? config.retry_count + 1 : 1;
  for (unsigned i = 1;; ++i) {
    try {
      op();
      return true;
    } catch (const Error& e) {
      if (i < attempts && worth_retrying(e)) {
        retries.fetch_add(1);
        auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(config.retry_delay));
        if (!sleep_unless_cancelled(delay, cancel)) cancel.throw_if_cancelled();
        continue;
      }
      if (config.error_strategy != ErrorStrategy::Ignore || e.code() == ErrorCode::Cancelled) throw;
      on_ignored(e);
      return false;
    }
  }
}

}  // namespace gitfleet::copy
