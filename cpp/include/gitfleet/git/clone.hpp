#pragma once
// Fleet cloning with the git executable as the transport (multi-threaded pack indexing,
// shallow and partial clones, every protocol), driven from here: bounded concurrency,
// progress parsed from `git clone --progress`, per-task timeout, cancellation (the process
// group is killed), retries with backoff for transient failures, partial directories removed.
//
// Credentials reach git through an askpass helper that reads them from git's environment:
// never a command line, never a file, never .git/config; error messages are scrubbed of them.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::git {

struct CloneOptions {
  std::optional<int> depth;   // --depth
  std::string branch;         // --branch
  bool single_branch = false; // --single-branch
  std::string filter;         // --filter (e.g. "blob:none")
  bool submodules = false;    // --recurse-submodules
};

enum class CloneState { Queued, Cloning, Completed, Failed };

struct CloneTaskView {
  std::string url;
  CloneState state = CloneState::Queued;
  std::optional<int> progress;  // 0..100 while cloning and when completed
  std::string error;            // set when failed; never contains credentials
  std::string directory;        // the clone's directory (empty until it exists)
};

struct FleetSettings {
  std::size_t max_concurrency = 8;
  std::string dest_root;                    // empty: one private (0700) temporary directory per clone
  CloneOptions clone;
  std::chrono::milliseconds timeout{0};     // per attempt; 0: none
  int retries = 2;                          // extra attempts after a transient failure
  std::chrono::milliseconds retry_backoff{1000};
  std::string username;
  std::string token;  // secret
};

// Turns `git clone --progress` output into 0..99 (100 is reported once git succeeded):
// receiving objects counts for 80, resolving deltas for the rest. Never goes backwards.
class CloneProgress {
 public:
  // Returns the new value when `line` moved it forward.
  std::optional<int> feed(std::string_view line);
  int value() const { return value_; }

 private:
  int value_ = 0;
};

// The name a repository goes by: the last component of its URL or path, without ".git"
// ("repo" if that leaves nothing). A clone's directory takes this name with every character
// but letters, digits, '.', '_' and '-' made '_'.
std::string repository_name(std::string_view url);

// The URL without user:password@, and the credentials it carried (if any).
struct SplitUrl {
  std::string url;
  std::string username;
  std::string password;
};
SplitUrl split_credentials(const std::string& url);

class CloneFleet {
 public:
  explicit CloneFleet(FleetSettings settings);
  ~CloneFleet();  // removes its askpass helper and its temporary clones (none under dest_root)
  CloneFleet(const CloneFleet&) = delete;
  CloneFleet& operator=(const CloneFleet&) = delete;

  // Adds a repository (queued); returns the key it is known by (the URL without credentials).
  std::string add(const std::string& url);
  std::vector<CloneTaskView> tasks() const;
  std::vector<std::string> urls_in_state(CloneState state) const;

  // Clones (or, if its directory already holds a clone of it, fetches) each of `urls`, at
  // most max_concurrency at a time across all runs; returns when every one has finished.
  // A failure is recorded in that task and never stops the others.
  void run(const std::vector<std::string>& urls, const CancellationToken& cancel);

  // Removes every directory this fleet created; url -> "" or the reason it could not.
  std::vector<std::pair<std::string, std::string>> cleanup();

 private:
  struct Task {
    CloneTaskView view;
    std::string username;  // from the URL, else the fleet's
    std::string password;
    std::string created;   // directory this fleet created for it (removed by cleanup)
    std::string assigned;  // its place under dest_root, given when added (in order), kept across retries
  };

  void run_one(const std::string& key, const CancellationToken& cancel);
  std::string destination_for(const std::string& key);
  void update(const std::string& key, CloneState state, std::optional<int> progress, const std::string& error);

  FleetSettings settings_;
  std::string git_;
  std::string askpass_dir_;
  std::string askpass_;
  mutable std::mutex mutex_;
  std::condition_variable slot_free_;
  std::size_t running_ = 0;
  std::map<std::string, Task> tasks_;
  std::map<std::string, int> names_in_use_;
};

}  // namespace gitfleet::git
