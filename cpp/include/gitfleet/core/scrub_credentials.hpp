#pragma once
// The one credential scrubber, for every message that may carry a secret: clone errors (git's
// stderr) and the provider clients' URLs (bound for Python as GitFleet._http.scrub_credentials).
#include <string>

namespace gitfleet {

// Text fit for a message or a log: every occurrence of `secret` (when given) becomes "***", and
// every URL in it loses its user:password@ and its query and fragment (tokens travel there too).
std::string scrub_credentials(std::string text, const std::string& secret = {});

}  // namespace gitfleet
