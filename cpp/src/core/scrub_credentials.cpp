#include "gitfleet/core/scrub_credentials.hpp"

namespace gitfleet {

std::string scrub_credentials(std::string text, const std::string& secret) {
  if (!secret.empty())
    for (std::size_t at; (at = text.find(secret)) != std::string::npos;) text.replace(at, secret.size(), "***");
  constexpr const char* kUrlEnd = " \t\r\n'\"<>";
  for (std::size_t scheme = text.find("://"); scheme != std::string::npos; scheme = text.find("://", scheme + 3)) {
    std::size_t host_start = scheme + 3;
    std::size_t host_end = text.find_first_of(std::string("/?#") + kUrlEnd, host_start);
    std::size_t at = text.rfind('@', host_end == std::string::npos ? std::string::npos : host_end);
    if (at != std::string::npos && at >= host_start && (host_end == std::string::npos || at < host_end))
      text.erase(host_start, at + 1 - host_start);
    std::size_t url_end = text.find_first_of(kUrlEnd, host_start);
    if (url_end == std::string::npos) url_end = text.size();
    std::size_t query = text.find_first_of("?#", host_start);
    if (query < url_end) text.erase(query, url_end - query);
  }
  return text;
}

}  // namespace gitfleet
