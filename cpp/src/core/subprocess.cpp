#include "gitfleet/core/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "gitfleet/core/error.hpp"

extern char** environ;

namespace gitfleet {
namespace {

constexpr std::size_t kTailBytes = 8192;
constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr auto kTermGrace = std::chrono::seconds(2);

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::vector<std::string> merged_environment(const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = std::string(kv);
  }
  for (const auto& kv : overrides) env[kv.substr(0, kv.find('='))] = kv;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (auto& [_, kv] : env) out.push_back(std::move(kv));
  return out;
}

void kill_group(pid_t pid, int sig) { ::kill(-pid, sig); }

}  // namespace

std::string find_program(const std::string& program) {
  auto executable = [](const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string::npos) return executable(program) ? program : std::string();
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (executable(candidate)) return candidate;
  }
  return {};
}

ProcessResult run_process(const ProcessOptions& options,
                          const std::function<void(std::string_view line)>& on_stderr_line,
                          const CancellationToken& cancel) {
  if (options.argv.empty()) throw Error(ErrorCode::InvalidArgument, "no program to run");
  std::string program = find_program(options.argv[0]);
  if (program.empty()) throw Error(ErrorCode::Io, "program not found or not executable: " + options.argv[0]);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw Error(ErrorCode::Io, std::string("pipe: ") + std::strerror(errno));
  Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a kill reaches git's helpers too
  // A child starts as from a shell: default signal dispositions (Python ignores SIGPIPE and
  // children would inherit that) and nothing blocked (our threads may block signals).
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> env = merged_environment(options.env_overrides);
  std::vector<char*> envp, argv;
  for (auto& kv : env) envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error(ErrorCode::Io, "cannot start " + options.argv[0] + ": " + std::strerror(rc));
  write_end.reset();

  ProcessResult result;
  std::string pending;
  auto emit = [&](std::string_view chunk) {
    result.stderr_tail.append(chunk);
    if (result.stderr_tail.size() > 2 * kTailBytes) result.stderr_tail.erase(0, result.stderr_tail.size() - kTailBytes);
    pending.append(chunk);
    std::size_t start = 0;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (pending[i] == '\n' || pending[i] == '\r') {
        if (i > start && on_stderr_line) on_stderr_line(std::string_view(pending).substr(start, i - start));
        start = i + 1;
      }
    }
    pending.erase(0, start);
  };

  const auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point term_sent{};
  bool open = true;
  char buf[4096];
  while (open) {
    pollfd pfd{read_end.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(kPollInterval.count()));
    if (ready > 0) {
      ssize_t n = ::read(read_end.get(), buf, sizeof buf);
      if (n > 0) emit(std::string_view(buf, static_cast<std::size_t>(n)));
      else if (n == 0 || (errno != EINTR && errno != EAGAIN)) open = false;
    }
    auto now = std::chrono::steady_clock::now();
    bool stop = false;
    if (!result.cancelled && cancel.cancelled()) result.cancelled = stop = true;
    if (!result.timed_out && options.timeout.count() > 0 && now - started > options.timeout)
      result.timed_out = stop = true;
    if (stop && term_sent == std::chrono::steady_clock::time_point{}) {
      kill_group(pid, SIGTERM);
      term_sent = now;
    }
    if (term_sent != std::chrono::steady_clock::time_point{} && now - term_sent > kTermGrace) {
      kill_group(pid, SIGKILL);
      open = false;  // a grandchild may keep the pipe open; stop reading
    }
  }
  if (!pending.empty() && on_stderr_line) on_stderr_line(pending);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  if (result.stderr_tail.size() > kTailBytes) result.stderr_tail.erase(0, result.stderr_tail.size() - kTailBytes);
  return result;
}

}  // namespace gitfleet
