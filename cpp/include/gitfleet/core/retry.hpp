#pragma once
// Waiting between attempts, one way for the whole core: a wait the caller's token cuts short,
// and exponential backoff with jitter, base x 2^retry x a random factor in [0.5, 1.5), so that
// a fleet of clients failing together does not retry together. The provider clients follow the
// same rule (python/GitFleet/providers/_session.py). The copy engine's ErrorStrategy.RETRY waits
// its configured retry_delay instead, as EACopy's setting promises.
#include <chrono>

#include "gitfleet/core/cancellation.hpp"

namespace gitfleet {

// Waits `duration` unless `cancel` fires first; false when it did.
bool sleep_unless_cancelled(std::chrono::milliseconds duration, const CancellationToken& cancel);

// The wait before retry number `retry` (0 for the first retry) after a transient failure.
std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds base, int retry);

}  // namespace gitfleet
