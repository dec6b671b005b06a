#include "gitfleet/core/retry.hpp"

#include <algorithm>
#include <random>
#include <thread>

namespace gitfleet {

bool sleep_unless_cancelled(std::chrono::milliseconds duration, const CancellationToken& cancel) {
  auto until = std::chrono::steady_clock::now() + duration;
  for (;;) {
    if (cancel.cancelled()) return false;
    auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    // The token is a flag, not a condition: it is polled, at most 10 ms late.
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(10)));
  }
}

std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds base, int retry) {
  thread_local std::mt19937 rng(std::random_device{}());
  double factor = std::uniform_real_distribution<double>(0.5, 1.5)(rng);
  double doubled = static_cast<double>(base.count()) * static_cast<double>(1ull << std::clamp(retry, 0, 30));
  return std::chrono::milliseconds(static_cast<std::int64_t>(doubled * factor));
}

}  // namespace gitfleet
