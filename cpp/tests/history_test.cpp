// The history engine on repositories built here with the git CLI.
#include "gitfleet/git/history.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "gitfleet/core/error.hpp"

namespace fs = std::filesystem;
using gitfleet::CancellationToken;
using gitfleet::Error;
using gitfleet::ErrorCode;
using gitfleet::git::CommitRecord;
using gitfleet::git::extract_commits;
using gitfleet::git::FileChange;
using gitfleet::git::HistoryOptions;

namespace {

class TempRepo {
 public:
  TempRepo() {
    char tmpl[] = "/tmp/gitfleet-test-XXXXXX";
    root_ = mkdtemp(tmpl);
    git("init -q -b main");
    git("config user.name Tester");
    git("config user.email tester@example.com");
  }
  ~TempRepo() { fs::remove_all(root_); }

  const std::string& path() const { return root_; }

  void git(const std::string& args) {
    std::string cmd = "cd '" + root_ + "' && GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 " +
                      "GIT_AUTHOR_DATE='1600000000 +0000' GIT_COMMITTER_DATE='1600000000 +0000' git " + args +
                      " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  void write(const std::string& rel, const std::string& content) {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  void commit(const std::string& message) {
    git("add -A");
    git("commit -q --allow-empty -m '" + message + "'");
  }

 private:
  std::string root_;
};

std::string lines(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

const FileChange* find_file(const CommitRecord& c, const std::string& path) {
  for (const auto& f : c.files)
    if (f.path == path) return &f;
  return nullptr;
}

HistoryOptions with_files() {
  HistoryOptions o;
  o.include_files = true;
  return o;
}

}  // namespace

TEST(History, CountsAddedModifiedRenamedAndBinaryFiles) {
  TempRepo repo;
  repo.write("a.txt", lines(0, 10));
  repo.write("bin.dat", std::string("\0\1\2", 3));
  repo.commit("root");
  repo.write("a.txt", lines(0, 5) + "changed\n" + lines(6, 12));
  repo.commit("modify");
  repo.git("mv a.txt moved.txt");
  repo.commit("rename");

  auto commits = extract_commits(repo.path(), with_files());
  ASSERT_EQ(commits.size(), 3u);
  EXPECT_EQ(commits[2].message, "root\n");
  EXPECT_EQ(commits[2].additions, 10);
  EXPECT_TRUE(find_file(commits[2], "bin.dat")->binary);
  EXPECT_EQ(commits[1].additions, 3);
  EXPECT_EQ(commits[1].deletions, 1);
  const FileChange* renamed = find_file(commits[0], "moved.txt");
  ASSERT_NE(renamed, nullptr);
  EXPECT_EQ(renamed->change_type, 'R');
  EXPECT_EQ(renamed->old_path, "a.txt");
  EXPECT_EQ(commits[0].additions + commits[0].deletions, 0);
  EXPECT_EQ(commits[0].parents.size(), 1u);
  EXPECT_EQ(commits[0].parents[0], commits[1].sha);
  EXPECT_FALSE(commits[0].repo_name.empty());
}

TEST(History, ExactRenamePrefersTheSourceWithTheSameBasename) {
  TempRepo repo;
  repo.write("x/same.txt", "identical\n");
  repo.write("y/other.txt", "identical\n");
  repo.commit("two identical files");
  repo.git("rm -q x/same.txt y/other.txt");
  repo.write("z/other.txt", "identical\n");
  repo.commit("move one");
  auto commits = extract_commits(repo.path(), with_files());
  const FileChange* f = find_file(commits[0], "z/other.txt");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->change_type, 'R');
  EXPECT_EQ(f->old_path, "y/other.txt");
  ASSERT_NE(find_file(commits[0], "x/same.txt"), nullptr);  // still a deletion
}

TEST(History, SimilarityBelowHalfIsNotARename) {
  TempRepo repo;
  repo.write("old.txt", lines(0, 10));
  repo.commit("root");
  repo.git("rm -q old.txt");
  repo.write("new.txt", lines(0, 4) + lines(100, 110));
  repo.commit("mostly new");
  auto commits = extract_commits(repo.path(), with_files());
  EXPECT_EQ(find_file(commits[0], "new.txt")->change_type, 'A');
  EXPECT_EQ(find_file(commits[0], "old.txt")->change_type, 'D');
}

TEST(History, RenamesCanBeTurnedOff) {
  TempRepo repo;
  repo.write("a.txt", lines(0, 10));
  repo.commit("root");
  repo.git("mv a.txt b.txt");
  repo.commit("rename");
  HistoryOptions o = with_files();
  o.detect_renames = false;
  auto commits = extract_commits(repo.path(), o);
  ASSERT_EQ(commits[0].files.size(), 2u);
  EXPECT_EQ(commits[0].additions, 10);
  EXPECT_EQ(commits[0].deletions, 10);
}

TEST(History, MaxCountSinkStopAndCancellation) {
  TempRepo repo;
  for (int i = 0; i < 12; ++i) {
    repo.write("f.txt", lines(0, i + 1));
    repo.commit("c" + std::to_string(i));
  }
  HistoryOptions o;
  o.max_count = 5;
  EXPECT_EQ(extract_commits(repo.path(), o).size(), 5u);

  int seen = 0;
  gitfleet::git::for_each_commit(repo.path(), HistoryOptions(), [&](CommitRecord&&) { return ++seen < 3; });
  EXPECT_EQ(seen, 3);

  CancellationToken token;
  token.cancel();
  try {
    extract_commits(repo.path(), HistoryOptions(), token);
    FAIL() << "expected cancellation";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Cancelled);
  }
}

TEST(History, ErrorsNameWhatWasWrong) {
  TempRepo repo;
  repo.write("f", "x\n");
  repo.commit("one");
  auto expect_code = [](auto&& fn, ErrorCode code, const std::string& needle) {
    try {
      fn();
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_code([] { extract_commits("/nonexistent/path", HistoryOptions()); }, ErrorCode::NotARepository,
              "/nonexistent/path");
  expect_code([] { extract_commits("/tmp", HistoryOptions()); }, ErrorCode::NotARepository, "/tmp");
  HistoryOptions bad_rev;
  bad_rev.rev = "no-such-branch";
  expect_code([&] { extract_commits(repo.path(), bad_rev); }, ErrorCode::RevisionNotFound, "no-such-branch");
  HistoryOptions range;
  range.rev = "HEAD~1..HEAD";
  expect_code([&] { extract_commits(repo.path(), range); }, ErrorCode::InvalidArgument, "range");
  HistoryOptions negative;
  negative.max_count = -1;
  expect_code([&] { extract_commits(repo.path(), negative); }, ErrorCode::InvalidArgument, "max_count");
}

TEST(History, ParallelAndSerialAgree) {
  TempRepo repo;
  for (int i = 0; i < 30; ++i) {
    repo.write("f" + std::to_string(i % 4) + ".txt", lines(i, i + 20));
    repo.commit("c" + std::to_string(i));
  }
  HistoryOptions serial = with_files();
  serial.threads = 1;
  HistoryOptions parallel = with_files();
  parallel.threads = 4;
  auto a = extract_commits(repo.path(), serial);
  auto b = extract_commits(repo.path(), parallel);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].sha, b[i].sha);
    EXPECT_EQ(a[i].additions, b[i].additions);
    EXPECT_EQ(a[i].deletions, b[i].deletions);
  }
}

// The streaming producer: every commit once, in git log's order, in batches of the size asked
// for (the last shorter), and it stops when the consumer does.
TEST(History, StreamedInBatchesThatTogetherAreTheWholeHistory) {
  TempRepo repo;
  for (int i = 0; i < 7; ++i) {
    repo.write("f.txt", lines(0, i + 1));
    repo.commit("c" + std::to_string(i));
  }
  std::vector<std::string> whole;
  for (const auto& c : extract_commits(repo.path(), {})) whole.push_back(c.sha);
  std::vector<std::size_t> sizes;
  std::vector<std::string> streamed;
  gitfleet::git::for_each_commit_batch(repo.path(), {}, 3, [&](std::vector<CommitRecord>&& batch) {
    sizes.push_back(batch.size());
    for (const auto& c : batch) streamed.push_back(c.sha);
    return true;
  });
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));
  EXPECT_EQ(streamed, whole);
  int batches = 0;
  gitfleet::git::for_each_commit_batch(repo.path(), {}, 3, [&](std::vector<CommitRecord>&&) { return ++batches < 2; });
  EXPECT_EQ(batches, 2);
  EXPECT_THROW(gitfleet::git::for_each_commit_batch(repo.path(), {}, 0, [](std::vector<CommitRecord>&&) { return true; }),
               Error);
}
