// Bulk blame from C++: every file in walks over the thread pool, progress as it goes.
#include "gitfleet/git/bulk_blame.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "temp_files.hpp"

namespace fs = std::filesystem;
using namespace gitfleet;
using namespace gitfleet::git;

namespace {

// Files f0..f9, each grown by one line per commit over `commits` commits.
std::string make_repo(const std::string& root, int commits) {
  std::string env =
      "cd '" + root + "' && GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@e "
      "GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@e ";
  EXPECT_EQ(std::system((env + "git init -q -b main").c_str()), 0);
  for (int c = 0; c < commits; ++c) {
    for (int f = 0; f < 10; ++f)
      std::ofstream(fs::path(root) / ("f" + std::to_string(f)), std::ios::app) << "line " << c << "\n";
    EXPECT_EQ(std::system((env + "git add -A && " + env + "git commit -q -m c" + std::to_string(c)).c_str()), 0);
  }
  return root;
}

class BulkBlame : public gitfleet::testing::TempDirTest {};

}  // namespace

TEST_F(BulkBlame, ReportsProgressThatOnlyGrowsAndEndsComplete) {
  std::string repo = make_repo(dir, 12);
  std::mutex m;
  std::vector<BulkBlameProgress> seen;
  bool overlapping = false, busy = false;
  auto progress = [&](const BulkBlameProgress& p) {
    {
      std::lock_guard<std::mutex> lock(m);
      overlapping |= busy;
      busy = true;
      seen.push_back(p);
    }
    std::lock_guard<std::mutex> lock(m);
    busy = false;
  };
  std::vector<FileBlame> files =
      bulk_blame(repo, std::nullopt, BlameOptions(), CancellationToken(), progress, std::chrono::milliseconds(0));
  ASSERT_EQ(files.size(), 10u);
  for (const FileBlame& f : files) EXPECT_EQ(f.result.lines.size(), 12u) << f.path;
  ASSERT_GE(seen.size(), 2u);  // at least one commit's report and the final one
  EXPECT_FALSE(overlapping);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i].lines_done, seen[i - 1].lines_done);
    EXPECT_GE(seen[i].files_done, seen[i - 1].files_done);
  }
  for (const BulkBlameProgress& p : seen) {
    EXPECT_EQ(p.files_total, 10u);
    EXPECT_LE(p.lines_done, p.lines_total);
    EXPECT_LE(p.files_done, p.files_total);
  }
  // The newest commit explains one line of each file and finishes none.
  EXPECT_LT(seen.front().files_done, 10u);
  EXPECT_EQ(seen.back().files_done, 10u);
  EXPECT_EQ(seen.back().lines_done, 120u);
  EXPECT_EQ(seen.back().lines_total, 120u);
}

TEST_F(BulkBlame, FileThatCannotBeBlamedFailsAloneAndCountsAsDone) {
  std::string repo = make_repo(dir, 2);
  BulkBlameProgress last;
  std::vector<FileBlame> files = bulk_blame(repo, std::vector<std::string>{"f1", "missing"}, BlameOptions(),
                                            CancellationToken(), [&](const BulkBlameProgress& p) { last = p; });
  ASSERT_EQ(files.size(), 2u);
  EXPECT_FALSE(files[0].error);
  EXPECT_TRUE(files[1].error);
  EXPECT_EQ(last.files_done, 2u);
  EXPECT_EQ(last.lines_done, 2u);
  EXPECT_EQ(last.lines_total, 2u);
}
