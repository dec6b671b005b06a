#include "gitfleet/git/clone.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <fstream>

#include <chrono>
#include <thread>

#include "gitfleet/core/subprocess.hpp"

using namespace gitfleet;
using namespace gitfleet::git;

TEST(CloneProgress, ReceivingThenResolvingNeverGoingBack) {
  CloneProgress p;
  EXPECT_FALSE(p.feed("Cloning into 'x'..."));
  EXPECT_EQ(p.feed("Receiving objects:  50% (5/10), 1.00 KiB"), 40);
  EXPECT_FALSE(p.feed("Receiving objects:  10% (1/10)"));  // never backwards
  EXPECT_EQ(p.feed("Receiving objects: 100% (10/10), done."), 80);
  EXPECT_EQ(p.feed("Resolving deltas: 100% (4/4), done."), 99);
  EXPECT_EQ(p.value(), 99);  // 100 only once git has succeeded
}

TEST(RepositoryName, LastComponentWithoutDotGit) {
  EXPECT_EQ(repository_name("https://example.com/org/app.git/"), "app");
  EXPECT_EQ(repository_name("git@example.com:org/tool.git"), "tool");
  EXPECT_EQ(repository_name("host:bare"), "bare");
  EXPECT_EQ(repository_name("/srv/my repo\\"), "my repo");  // kept as named: only directories are made safe
  EXPECT_EQ(repository_name("/srv/.git"), ".git");
  EXPECT_EQ(repository_name("https://example.com/"), "example.com");
  EXPECT_EQ(repository_name("///"), "repo");
}

TEST(Credentials, SplitFromUrl) {
  SplitUrl s = split_credentials("https://bob:se:cret@example.com/org/repo.git");
  EXPECT_EQ(s.url, "https://example.com/org/repo.git");
  EXPECT_EQ(s.username, "bob");
  EXPECT_EQ(s.password, "se:cret");
  EXPECT_EQ(split_credentials("git@github.com:org/repo.git").url, "git@github.com:org/repo.git");
  EXPECT_EQ(split_credentials("https://example.com/a@b").url, "https://example.com/a@b");
}

TEST(Subprocess, StderrLinesExitCodeAndMissingProgram) {
  std::vector<std::string> lines;
  ProcessResult r = run_process({{"sh", "-c", "printf 'a\\rb\\nc' >&2; exit 3"}, {}, {}},
                                [&](std::string_view l) { lines.emplace_back(l); }, CancellationToken());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_THROW(run_process({{"no-such-program-gitfleet"}, {}, {}}, nullptr, CancellationToken()), Error);
}

// Whether a process is gone (or only a zombie waiting for its new parent to reap it).
bool process_ended(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  stat >> pid_field >> name >> state;
  return state == "Z" || state == "X";
}

TEST(Subprocess, TimeoutKillsTheWholeGroup) {
  // The shell reports its background child (the grandchild) and waits: both must die.
  std::vector<std::string> lines;
  ProcessResult r = run_process({{"sh", "-c", "sleep 30 & echo $! >&2; wait"}, {}, std::chrono::milliseconds(300)},
                                [&](std::string_view l) { lines.emplace_back(l); }, CancellationToken());
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.succeeded());
  ASSERT_EQ(lines.size(), 1u);
  pid_t grandchild = static_cast<pid_t>(std::stol(lines[0]));
  bool ended = false;
  for (int i = 0; i < 500 && !ended; ++i) {  // reaping by init takes a moment; 5 s at most
    ended = process_ended(grandchild);
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(ended) << "the grandchild " << grandchild << " outlived the timeout";
  if (!ended) ::kill(grandchild, SIGKILL);
}

TEST(Subprocess, CancellationStopsIt) {
  CancellationToken token;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    token.cancel();
  });
  ProcessResult r = run_process({{"sleep", "30"}, {}, {}}, nullptr, token);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.term_signal, SIGTERM);
}

TEST(Subprocess, EnvironmentOverrides) {
  std::vector<std::string> lines;
  run_process({{"sh", "-c", "echo \"$GITFLEET_X\" >&2"}, {"GITFLEET_X=hello"}, {}},
              [&](std::string_view l) { lines.emplace_back(l); }, CancellationToken());
  EXPECT_EQ(lines, std::vector<std::string>{"hello"});
}
