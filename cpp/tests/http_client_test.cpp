// The native HTTP client against a small HTTP/1.1 server on 127.0.0.1 run by the test: answers,
// redirects (and where credentials may go), cancellation of running and queued requests, and
// destruction with requests pending. Waits are on conditions; their timeouts only bound a failure.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gitfleet/http/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using gitfleet::ErrorCode;
using gitfleet::http::HttpClient;
using gitfleet::http::HttpOptions;
using gitfleet::http::HttpResponse;

struct Request {
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
};

// One thread per connection; a handler returns the whole response text, or holds the
// connection until release() for "/slow".
class LoopbackServer {
 public:
  using Handler = std::function<std::string(const Request&)>;

  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 16) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackServer() {
    release();
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    for (auto& t : connections_) t.join();
    ::close(listener_);
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

  // Waits until `n` requests arrived (or 10 s passed); returns how many did.
  std::size_t wait_for_requests(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return requests_.size() >= n; });
    return requests_.size();
  }

  // Waits until a held "/slow" request's client hung up (or 10 s passed).
  bool wait_for_hang_up() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return hung_up_ > 0; });
  }

  std::vector<Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void accept_loop() {
    for (;;) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buffer;
    char chunk[4096];
    for (;;) {  // keep-alive: requests one after another on this connection
      std::size_t end;
      while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return (void)::close(fd);
        buffer.append(chunk, n);
      }
      Request request = parse(buffer.substr(0, end));
      buffer.erase(0, end + 4);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        changed_.notify_all();
      }
      if (request.path == "/slow" && !hold(fd)) return (void)::close(fd);
      std::string response = handler_(request);
      ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    }
  }

  // Holds the connection until release(); false when the client hung up meanwhile.
  bool hold(int fd) {
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        if (changed_.wait_for(lock, 20ms, [&] { return released_; })) return true;
      }
      char c;
      if (::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0) {
        std::lock_guard lock(mutex_);
        ++hung_up_;
        changed_.notify_all();
        return false;
      }
    }
  }

  static Request parse(const std::string& head) {
    Request r;
    std::size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    std::size_t a = first.find(' '), b = first.find(' ', a + 1);
    r.path = first.substr(a + 1, b - a - 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      pos = next + 2;
    }
    return r;
  }

  Handler handler_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // the acceptor's alone until it ended
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Request> requests_;
  bool released_ = false;
  int hung_up_ = 0;
};

std::string answer(int status, const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

// The response a request's callback received, waited for.
class Outcome {
 public:
  gitfleet::http::ResponseCallback callback() {
    return [this](HttpResponse r) {
      std::lock_guard lock(mutex_);
      ++calls_;
      response_ = std::move(r);
      done_.notify_all();
    };
  }
  std::optional<HttpResponse> wait() {
    std::unique_lock lock(mutex_);
    done_.wait_for(lock, 10s, [&] { return calls_ > 0; });
    return response_;
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  int calls_ = 0;
  std::optional<HttpResponse> response_;
};

std::string echo_authorization(const Request& r) {
  auto it = r.headers.find("authorization");
  return answer(200, it == r.headers.end() ? "none" : it->second);
}

TEST(HttpClient, AnswersWithStatusHeadersAndBody) {
  LoopbackServer server([](const Request&) { return answer(201, "hello", "X-Test: Yes\r\n"); });
  HttpClient client;
  Outcome outcome;
  client.get(server.url("/ok"), {{"Accept", "text/plain"}}, outcome.callback());
  std::optional<HttpResponse> r = outcome.wait();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->error);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "hello");
  bool seen = false;
  for (auto& [name, value] : r->headers) seen |= name == "x-test" && value == "Yes";
  EXPECT_TRUE(seen);
  EXPECT_EQ(server.requests().at(0).headers.at("accept"), "text/plain");
}

// A redirect is followed; a credential header goes to its own origin only (another port is
// another origin), so a server cannot forward a token elsewhere.
TEST(HttpClient, RedirectsAreFollowedButCredentialsStayAtTheirOrigin) {
  LoopbackServer other(echo_authorization);
  LoopbackServer origin([&](const Request& r) {
    if (r.path == "/away") return answer(302, "", "Location: " + other.url("/echo") + "\r\n");
    if (r.path == "/here") return answer(302, "", "Location: /echo\r\n");
    return echo_authorization(r);
  });
  HttpClient client;
  Outcome away, here;
  client.get(origin.url("/away"), {{"Authorization", "token s3cret"}}, away.callback());
  client.get(origin.url("/here"), {{"Authorization", "token s3cret"}}, here.callback());
  std::optional<HttpResponse> a = away.wait(), h = here.wait();
  ASSERT_TRUE(a && h);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->body, "none");
  EXPECT_EQ(h->body, "token s3cret");
}

TEST(HttpClient, NoServerIsANetworkError) {
  int port;
  {
    LoopbackServer gone([](const Request&) { return answer(200, ""); });
    port = std::stoi(gone.url("").substr(std::string("http://127.0.0.1:").size()));
  }
  HttpClient client;
  Outcome outcome;
  client.get("http://127.0.0.1:" + std::to_string(port) + "/", {}, outcome.callback());
  std::optional<HttpResponse> r = outcome.wait();
  ASSERT_TRUE(r && r->error);
  EXPECT_EQ(r->error->code(), ErrorCode::Network);
  EXPECT_EQ(r->status, 0);
}

// Cancelling a running request ends it at once (the server still holds it) and hangs up.
TEST(HttpClient, CancellingARunningRequestEndsItAndHangsUp) {
  LoopbackServer server([](const Request&) { return answer(200, "late"); });
  HttpClient client;
  Outcome outcome;
  std::uint64_t id = client.get(server.url("/slow"), {}, outcome.callback());
  ASSERT_EQ(server.wait_for_requests(1), 1u);
  client.cancel(id);
  std::optional<HttpResponse> r = outcome.wait();
  ASSERT_TRUE(r && r->error);
  EXPECT_EQ(r->error->code(), ErrorCode::Cancelled);
  EXPECT_TRUE(server.wait_for_hang_up());
  EXPECT_EQ(outcome.calls(), 1);
}

// With one connection, a second request waits its turn; cancelled there, it never reaches the
// server, and the first still completes.
TEST(HttpClient, CancellingAQueuedRequestNeverSendsIt) {
  LoopbackServer server([](const Request& r) { return answer(200, r.path); });
  HttpOptions options;
  options.max_connections = 1;
  HttpClient client(options);
  Outcome first, second;
  client.get(server.url("/slow"), {}, first.callback());
  ASSERT_EQ(server.wait_for_requests(1), 1u);
  std::uint64_t queued = client.get(server.url("/queued"), {}, second.callback());
  client.cancel(queued);
  std::optional<HttpResponse> s = second.wait();
  ASSERT_TRUE(s && s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::Cancelled);
  server.release();
  std::optional<HttpResponse> f = first.wait();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->body, "/slow");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].path, "/slow");
}

// Destroying the client with a request in flight returns without calling its callback.
TEST(HttpClient, DestructionEndsPendingRequestsWithoutCallbacks) {
  LoopbackServer server([](const Request&) { return answer(200, "late"); });
  Outcome running, queued;
  {
    HttpOptions options;
    options.max_connections = 1;
    HttpClient client(options);
    client.get(server.url("/slow"), {}, running.callback());
    ASSERT_EQ(server.wait_for_requests(1), 1u);
    client.get(server.url("/next"), {}, queued.callback());
  }
  EXPECT_TRUE(server.wait_for_hang_up());
  EXPECT_EQ(running.calls(), 0);
  EXPECT_EQ(queued.calls(), 0);
}

}  // namespace
