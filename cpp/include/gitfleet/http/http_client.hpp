#pragma once
// The native HTTP transport of the provider clients: GET requests carried by libcurl on one
// background thread (a multi handle: concurrent transfers, kept-alive connections reused
// across requests, gzip), each completing through a callback from that thread. Callers never
// block; nothing here knows about providers, tokens or JSON.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gitfleet/core/error.hpp"

namespace gitfleet::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpOptions {
  std::chrono::milliseconds timeout{30000};  // per request, connecting included
  unsigned max_connections = 16;             // transfers at once (and connections kept)
};

struct HttpResponse {
  long status = 0;     // 0 when the request got no answer (see error)
  Headers headers;     // names in lower case, in order; the final response's after redirects
  std::string body;
  // A transport failure: Network (refused, reset, timed out, ...) or Cancelled; else empty.
  std::optional<Error> error;
};

using ResponseCallback = std::function<void(HttpResponse)>;

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  // Ends pending requests without calling their callbacks and joins the thread.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues a GET of `url` (redirects followed); `done` is called exactly once, from the
  // client's thread. Returns an id for cancel().
  std::uint64_t get(std::string url, Headers headers, ResponseCallback done);
  // Ends a request early, queued or running: its callback gets a Cancelled error (nothing if
  // it already ended).
  void cancel(std::uint64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitfleet::http
