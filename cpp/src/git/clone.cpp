#include "gitfleet/git/clone.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "gitfleet/core/error.hpp"
#include "gitfleet/core/subprocess.hpp"
#include "gitfleet/core/retry.hpp"
#include "gitfleet/core/scrub_credentials.hpp"
#include "repository.hpp"

namespace gitfleet::git {
namespace fs = std::filesystem;

namespace {

// Prints the username or the password git asks for, from git's own environment.
constexpr const char* kAskpassScript =
    "#!/bin/sh\n"
    "case \"$1\" in\n"
    "  [Uu]sername*) printf '%s\\n' \"$GITFLEET_GIT_USERNAME\" ;;\n"
    "  *) printf '%s\\n' \"$GITFLEET_GIT_PASSWORD\" ;;\n"
    "esac\n";

std::string make_private_temp_dir(const char* prefix) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data()))  // mkdtemp creates it 0700
    throw Error(ErrorCode::Io, "cannot create a temporary directory in " + fs::temp_directory_path().string());
  return tmpl;
}

int percent_in(std::string_view line, std::string_view phase) {
  auto at = line.find(phase);
  if (at == std::string_view::npos) return -1;
  auto pct = line.find('%', at);
  if (pct == std::string_view::npos) return -1;
  std::size_t start = pct;
  while (start > at && line[start - 1] >= '0' && line[start - 1] <= '9') --start;
  if (start == pct) return -1;
  return std::atoi(std::string(line.substr(start, pct - start)).c_str());
}

std::string directory_name(const std::string& url) {
  std::string name = repository_name(url);
  for (char& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  return name == "." || name == ".." ? "repo" : name;
}

bool contains(const std::string& text, std::string_view needle) { return text.find(needle) != std::string::npos; }

// git's words (git://, ssh) and curl's (http, https: "Failed to connect to ... Couldn't connect
// to server") for failures that may pass.
bool is_transient(const std::string& err) {
  for (std::string_view pattern :
       {"Could not resolve host", "Couldn't resolve host", "Connection refused", "Connection timed out",
        "Connection reset", "Failed to connect to", "Couldn't connect to server", "Could not connect to server",
        "Empty reply from server", "early EOF", "the remote end hung up unexpectedly", "RPC failed",
        "returned error: 50", "unexpected disconnect", "Operation timed out", "transfer closed",
        "index-pack failed", "unable to connect to"})
    if (contains(err, pattern)) return true;
  return false;
}

bool is_auth_failure(const std::string& err) {
  for (std::string_view pattern : {"Authentication failed", "could not read Username", "could not read Password",
                                   "terminal prompts disabled", "returned error: 401", "returned error: 403",
                                   "Permission denied (publickey"})
    if (contains(err, pattern)) return true;
  return false;
}

// git's own explanation: its "fatal:"/"error:" lines with the lines that continue them (git://
// puts the errno on the next line), each repeated line once; else the last line at all.
std::string git_reason(const std::string& stderr_tail) {
  std::string reason;
  std::vector<std::string> said;
  bool continuing = false;
  std::size_t pos = 0;
  while (pos < stderr_tail.size()) {
    std::size_t end = stderr_tail.find_first_of("\r\n", pos);
    std::string line = stderr_tail.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    bool starts = line.starts_with("fatal:") || line.starts_with("error:");
    if (starts) continuing = true;
    else if (line.empty() || line.starts_with("remote:") || line.starts_with("hint:") || line.starts_with("Cloning into"))
      continuing = false;
    if ((starts || continuing) && !line.empty() && std::find(said.begin(), said.end(), line) == said.end()) {
      reason += (reason.empty() ? "" : " ") + line;
      said.push_back(line);
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  if (reason.empty()) {
    auto last = stderr_tail.find_last_not_of("\r\n");
    if (last != std::string::npos) {
      auto start = stderr_tail.find_last_of("\r\n", last);
      reason = stderr_tail.substr(start == std::string::npos ? 0 : start + 1, last - (start == std::string::npos ? 0 : start + 1) + 1);
    }
  }
  return reason;
}

std::string origin_url(const std::string& directory) {
  try {
    Repository repo = Repository::open(directory);
    git_remote* remote = nullptr;
    if (git_remote_lookup(&remote, repo.raw(), "origin") < 0) return {};
    std::string url = git_remote_url(remote) ? git_remote_url(remote) : "";
    git_remote_free(remote);
    return url;
  } catch (const Error&) {
    return {};
  }
}

}  // namespace

std::optional<int> CloneProgress::feed(std::string_view line) {
  int next = value_;
  if (int p = percent_in(line, "Receiving objects:"); p >= 0) next = p * 80 / 100;
  else if (int d = percent_in(line, "Resolving deltas:"); d >= 0) next = 80 + d * 19 / 100;
  if (next <= value_) return std::nullopt;
  value_ = std::min(next, 99);
  return value_;
}

std::string repository_name(std::string_view url) {
  while (!url.empty() && (url.back() == '/' || url.back() == '\\')) url.remove_suffix(1);
  auto cut = url.find_last_of("/:");
  std::string_view name = cut == std::string_view::npos ? url : url.substr(cut + 1);
  if (name.size() > 4 && name.ends_with(".git")) name.remove_suffix(4);
  return name.empty() ? "repo" : std::string(name);
}

SplitUrl split_credentials(const std::string& url) {
  SplitUrl out{url, {}, {}};
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return out;
  std::size_t host_start = scheme + 3;
  std::size_t path = url.find('/', host_start);
  std::size_t at = url.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < host_start) return out;
  std::string userinfo = url.substr(host_start, at - host_start);
  auto colon = userinfo.find(':');
  out.username = userinfo.substr(0, colon);
  if (colon != std::string::npos) out.password = userinfo.substr(colon + 1);
  out.url = url.substr(0, host_start) + url.substr(at + 1);
  return out;
}

CloneFleet::CloneFleet(FleetSettings settings) : settings_(std::move(settings)) {
  if (settings_.max_concurrency == 0) throw Error(ErrorCode::InvalidArgument, "max_concurrency must be >= 1");
  if (settings_.retries < 0) throw Error(ErrorCode::InvalidArgument, "retries must be >= 0");
  const CloneOptions& o = settings_.clone;
  if (o.depth && *o.depth < 1) throw Error(ErrorCode::InvalidArgument, "clone_options depth must be >= 1");
  if (o.branch.starts_with('-')) throw Error(ErrorCode::InvalidArgument, "clone_options branch is not a branch name: " + o.branch);
  if (o.filter.starts_with('-')) throw Error(ErrorCode::InvalidArgument, "clone_options filter is not a filter spec: " + o.filter);
  if (!settings_.dest_root.empty()) {
    std::error_code ec;
    fs::create_directories(settings_.dest_root, ec);
    if (!fs::is_directory(settings_.dest_root))
      throw Error(ErrorCode::Io, "dest_root is not a usable directory: " + settings_.dest_root);
  }
  git_ = find_program("git");
  if (git_.empty())
    throw Error(ErrorCode::CloneFailed, "the git executable was not found on PATH (GitFleet clones with git): install git");
  askpass_dir_ = make_private_temp_dir("gitfleet-askpass-");
  askpass_ = askpass_dir_ + "/askpass.sh";
  {
    std::ofstream out(askpass_);
    out << kAskpassScript;
  }
  ::chmod(askpass_.c_str(), 0700);
}

CloneFleet::~CloneFleet() {
  std::error_code ec;
  fs::remove_all(askpass_dir_, ec);
  // Temporary clones go with the fleet that made them (no run is left: runs hold the fleet);
  // clones under dest_root are the user's to keep.
  if (settings_.dest_root.empty())
    for (auto& [url, task] : tasks_)
      if (!task.created.empty()) fs::remove_all(task.created, ec);
}

std::string CloneFleet::add(const std::string& url) {
  if (url.empty()) throw Error(ErrorCode::InvalidArgument, "a repository URL is empty");
  if (url.starts_with('-')) throw Error(ErrorCode::InvalidArgument, "not a repository URL: " + url);
  SplitUrl split = split_credentials(url);
  std::lock_guard lock(mutex_);
  auto [it, inserted] = tasks_.try_emplace(split.url);
  if (inserted) {
    it->second.view.url = split.url;
    it->second.username = split.username.empty() ? settings_.username : split.username;
    it->second.password = split.password.empty() ? settings_.token : split.password;
    // Places under dest_root are handed out in the order repositories are added, not as their
    // clones happen to start: two repositories of one name always get the same two folders.
    if (!settings_.dest_root.empty()) {
      std::string name = directory_name(split.url);
      int& uses = names_in_use_[name];
      std::string unique = ++uses == 1 ? name : name + "-" + std::to_string(uses);
      it->second.assigned = (fs::path(settings_.dest_root) / unique).string();
    }
  }
  return split.url;
}

std::vector<CloneTaskView> CloneFleet::tasks() const {
  std::lock_guard lock(mutex_);
  std::vector<CloneTaskView> out;
  out.reserve(tasks_.size());
  for (const auto& [_, task] : tasks_) out.push_back(task.view);
  return out;
}

std::vector<std::string> CloneFleet::urls_in_state(CloneState state) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [url, task] : tasks_)
    if (task.view.state == state) out.push_back(url);
  return out;
}

void CloneFleet::update(const std::string& key, CloneState state, std::optional<int> progress, const std::string& error) {
  std::lock_guard lock(mutex_);
  CloneTaskView& view = tasks_.at(key).view;
  view.state = state;
  view.progress = progress;
  view.error = error;
}

std::string CloneFleet::destination_for(const std::string& key) {
  Task& task = tasks_.at(key);
  if (!task.view.directory.empty()) return task.view.directory;
  if (settings_.dest_root.empty()) {
    task.created = make_private_temp_dir("gitfleet-");
    task.view.directory = task.created + "/" + directory_name(key);
    return task.view.directory;
  }
  task.view.directory = task.assigned;
  return task.view.directory;
}

void CloneFleet::run_one(const std::string& key, const CancellationToken& cancel) {
  std::string dest, username, password;
  {
    std::lock_guard lock(mutex_);
    Task& task = tasks_.at(key);
    task.view.state = CloneState::Cloning;
    task.view.progress = 0;
    task.view.error.clear();
    dest = destination_for(key);
    username = task.username.empty() ? "x-access-token" : task.username;
    password = task.password;
  }
  std::string secret = password;
  auto fail = [&](const std::string& message, bool remove_clone) {
    std::lock_guard lock(mutex_);
    Task& task = tasks_.at(key);
    if (remove_clone) {  // nothing partial survives; a retry starts afresh in the same place
      std::error_code ec;
      fs::remove_all(dest, ec);
      if (!task.created.empty()) fs::remove_all(task.created, ec);
      task.created.clear();
      task.view.directory.clear();
    }
    task.view.state = CloneState::Failed;
    task.view.progress.reset();
    task.view.error = scrub_credentials(message, secret);
  };

  bool fetch = false;
  std::error_code ec;
  if (fs::exists(dest, ec) && !fs::is_empty(dest, ec)) {
    std::string origin = origin_url(dest);
    if (split_credentials(origin).url != key) {
      fail("destination " + dest + " already exists and is not a clone of " + key, false);
      return;
    }
    fetch = true;
  } else if (!settings_.dest_root.empty()) {
    std::lock_guard lock(mutex_);
    tasks_.at(key).created = dest;
  }

  std::vector<std::string> argv{git_};
  const CloneOptions& o = settings_.clone;
  if (fetch) {
    argv.insert(argv.end(), {"-C", dest, "fetch", "--progress", "--prune"});
    if (o.depth) argv.push_back("--depth=" + std::to_string(*o.depth));
    argv.push_back("origin");
  } else {
    argv.insert(argv.end(), {"clone", "--progress"});
    if (o.depth) argv.push_back("--depth=" + std::to_string(*o.depth));
    if (!o.branch.empty()) argv.push_back("--branch=" + o.branch);
    if (o.single_branch) argv.push_back("--single-branch");
    if (!o.filter.empty()) argv.push_back("--filter=" + o.filter);
    if (o.submodules) argv.push_back("--recurse-submodules");
    argv.insert(argv.end(), {"--", key, dest});
  }
  ProcessOptions process{argv,
                         {"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=" + askpass_, "SSH_ASKPASS=" + askpass_,
                          "GITFLEET_GIT_USERNAME=" + username, "GITFLEET_GIT_PASSWORD=" + password,
                          // No credential helper may store the token on disk.
                          "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=",
                          "LC_ALL=C"},
                         settings_.timeout};

  for (int attempt = 0;; ++attempt) {
    CloneProgress progress;
    ProcessResult result;
    try {
      result = run_process(process, [&](std::string_view line) {
        if (auto p = progress.feed(line)) update(key, CloneState::Cloning, *p, {});
      }, cancel);
    } catch (const Error& e) {
      fail(e.what(), !fetch);
      return;
    }
    if (result.succeeded()) {
      update(key, CloneState::Completed, 100, {});
      return;
    }
    std::string reason = git_reason(result.stderr_tail);
    // git dies of SIGPIPE when the server closes the connection under it: a network failure.
    bool connection_lost = result.term_signal == SIGPIPE;
    if (connection_lost) reason = "the server closed the connection";
    if (result.cancelled) {
      fail("cancelled", !fetch);
      return;
    }
    if (result.timed_out) {
      fail("timed out after " + std::to_string(settings_.timeout.count() / 1000.0).substr(0, 5) + " s" +
               (reason.empty() ? "" : ": " + reason), !fetch);
      return;
    }
    std::string what = std::string(fetch ? "git fetch" : "git clone") + " failed" +
                       (result.term_signal ? " (signal " + std::to_string(result.term_signal) + ")"
                                           : " (exit " + std::to_string(result.exit_code) + ")") +
                       (reason.empty() ? "" : ": " + reason);
    if (is_auth_failure(result.stderr_tail)) {
      fail("authentication failed: " + what, !fetch);
      return;
    }
    if (attempt >= settings_.retries || !(connection_lost || is_transient(result.stderr_tail))) {
      fail(attempt ? what + " (after " + std::to_string(attempt + 1) + " attempts)" : what, !fetch);
      return;
    }
    if (!fetch) fs::remove_all(dest, ec);  // a partial clone must not survive into the retry
    update(key, CloneState::Cloning, 0, {});
    if (!sleep_unless_cancelled(jittered_backoff(settings_.retry_backoff, attempt), cancel)) {
      fail("cancelled", !fetch);
      return;
    }
  }
}

void CloneFleet::run(const std::vector<std::string>& urls, const CancellationToken& cancel) {
  std::vector<std::string> keys;
  for (const auto& url : urls) keys.push_back(add(url));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < keys.size();) {
      {
        std::unique_lock lock(mutex_);
        slot_free_.wait(lock, [&] { return running_ < settings_.max_concurrency; });
        ++running_;
      }
      if (cancel.cancelled()) update(keys[i], CloneState::Failed, std::nullopt, "cancelled");
      else run_one(keys[i], cancel);
      {
        std::lock_guard lock(mutex_);
        --running_;
      }
      slot_free_.notify_one();
    }
  };
  std::size_t n = std::min(keys.size(), settings_.max_concurrency);
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < n; ++t) workers.emplace_back(worker);
  for (auto& w : workers) w.join();
}

std::vector<std::pair<std::string, std::string>> CloneFleet::cleanup() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [url, task] : tasks_) {
    std::string error;
    if (task.view.state == CloneState::Cloning) {
      error = "still cloning";
    } else if (!task.created.empty()) {
      std::error_code ec;
      fs::remove_all(task.created, ec);
      if (ec) error = "cannot remove " + task.created + ": " + ec.message();
      else {
        task.created.clear();
        task.view.directory.clear();
      }
    }
    out.emplace_back(url, error);
  }
  return out;
}

}  // namespace gitfleet::git
