#pragma once
// Runs a child process in its own process group, feeding its stderr to a callback line by
// line ('\r' ends a line too, so progress meters arrive as they are redrawn). A timeout or a
// cancellation kills the whole group: no orphaned grandchildren, no zombie, no leaked fd.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gitfleet/core/cancellation.hpp"

namespace gitfleet {

struct ProcessOptions {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH
  std::vector<std::string> env_overrides;  // "NAME=value", added to (or replacing in) the current environment
  std::chrono::milliseconds timeout{0};    // 0: none
};

struct ProcessResult {
  int exit_code = -1;     // valid when exited normally
  int term_signal = 0;    // signal that ended it, if any
  bool timed_out = false;
  bool cancelled = false;
  std::string stderr_tail;  // the last few KiB of stderr, for error messages

  bool succeeded() const { return exit_code == 0 && !timed_out && !cancelled; }
};

// Throws Error(Io) when the process cannot be started (e.g. the program is missing).
ProcessResult run_process(const ProcessOptions& options,
                          const std::function<void(std::string_view line)>& on_stderr_line,
                          const CancellationToken& cancel);

// Finds `program` on PATH (or checks it as a path); empty when not found or not executable.
std::string find_program(const std::string& program);

}  // namespace gitfleet
