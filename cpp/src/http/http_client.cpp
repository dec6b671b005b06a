#include "gitfleet/http/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace gitfleet::http {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error(ErrorCode::Internal, "curl_global_init failed");
  });
}

struct Transfer {
  std::uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpResponse response;
  ResponseCallback done;

  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(header_list);
  }
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<Transfer*>(user)->response.body.append(data, size * n);
  return size * n;
}

// Header lines of every response in a redirect chain arrive; each status line starts afresh.
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto& headers = static_cast<Transfer*>(user)->response.headers;
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::size_t start = line.find_first_not_of(" \t", colon + 1);
  std::size_t end = line.find_last_not_of(" \t\r\n");
  headers.emplace_back(std::move(name), start == std::string::npos || end < start ? "" : line.substr(start, end - start + 1));
  return size * n;
}

}  // namespace

struct HttpClient::Impl {
  HttpOptions options;
  CURLM* multi = nullptr;
  std::thread thread;
  std::mutex mutex;
  std::deque<std::unique_ptr<Transfer>> queued;
  std::vector<std::uint64_t> cancelled;
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> running;
  std::atomic<bool> stopping{false};
  std::uint64_t next_id = 1;

  void loop();
  void start(std::unique_ptr<Transfer> t);
  void finish(std::unique_ptr<Transfer> t, CURLcode code);
};

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>()) {
  global_init();
  impl_->options = options;
  impl_->multi = curl_multi_init();
  if (!impl_->multi) throw Error(ErrorCode::Internal, "curl_multi_init failed");
  long max = static_cast<long>(std::max(1u, options.max_connections));
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max);
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max);
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, max);
  impl_->thread = std::thread([impl = impl_.get()] { impl->loop(); });
}

HttpClient::~HttpClient() {
  impl_->stopping = true;
  curl_multi_wakeup(impl_->multi);
  impl_->thread.join();
  for (auto& [id, t] : impl_->running) curl_multi_remove_handle(impl_->multi, t->easy);
  impl_->running.clear();
  curl_multi_cleanup(impl_->multi);
}

std::uint64_t HttpClient::get(std::string url, Headers headers, ResponseCallback done) {
  auto t = std::make_unique<Transfer>();
  t->done = std::move(done);
  t->easy = curl_easy_init();
  if (!t->easy) throw Error(ErrorCode::Internal, "curl_easy_init failed");
  for (const auto& [name, value] : headers) t->header_list = curl_slist_append(t->header_list, (name + ": " + value).c_str());
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);  // credentials never follow a redirect elsewhere
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(impl_->options.timeout.count()));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  std::uint64_t id;
  {
    std::lock_guard lock(impl_->mutex);
    id = t->id = impl_->next_id++;
    impl_->queued.push_back(std::move(t));
  }
  curl_multi_wakeup(impl_->multi);
  return id;
}

void HttpClient::cancel(std::uint64_t id) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->cancelled.push_back(id);
  }
  curl_multi_wakeup(impl_->multi);
}

void HttpClient::Impl::start(std::unique_ptr<Transfer> t) {
  if (curl_multi_add_handle(multi, t->easy) != CURLM_OK) return finish(std::move(t), CURLE_FAILED_INIT);
  running.emplace(t->id, std::move(t));
}

void HttpClient::Impl::finish(std::unique_ptr<Transfer> t, CURLcode code) {
  if (code == CURLE_OK) {
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->response.status);
  } else {
    t->response.status = 0;
    t->response.error = code == CURLE_ABORTED_BY_CALLBACK ? Error(ErrorCode::Cancelled, "request cancelled")
                                                          : Error(ErrorCode::Network, curl_easy_strerror(code));
  }
  if (!stopping) t->done(std::move(t->response));
}

void HttpClient::Impl::loop() {
  while (!stopping) {
    std::deque<std::unique_ptr<Transfer>> fresh;
    std::vector<std::uint64_t> gone;
    {
      std::lock_guard lock(mutex);
      fresh.swap(queued);
      gone.swap(cancelled);
    }
    for (auto& t : fresh) start(std::move(t));
    for (std::uint64_t id : gone) {
      auto it = running.find(id);
      if (it == running.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      running.erase(it);
      curl_multi_remove_handle(multi, t->easy);
      finish(std::move(t), CURLE_ABORTED_BY_CALLBACK);
    }
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* raw = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi, msg->easy_handle);
      auto it = running.find(raw->id);
      std::unique_ptr<Transfer> t = std::move(it->second);
      running.erase(it);
      finish(std::move(t), code);
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);  // woken early by get/cancel/stop
  }
}

}  // namespace gitfleet::http
