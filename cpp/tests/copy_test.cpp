// The copy engine from C++: shutil semantics, atomic writes, trees, strategies, delta copy.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitfleet/copy/eacopy.hpp"
#include "temp_files.hpp"

namespace fs = std::filesystem;
using namespace gitfleet::copy;
using gitfleet::testing::random_bytes;

namespace {

class CopyTest : public gitfleet::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    root = dir;
  }

  fs::path root;
};

TEST_F(CopyTest, Copy2KeepsContentModeAndNanosecondTimes) {
  write(root / "a.bin", random_bytes(300000, 1));
  ::chmod((root / "a.bin").c_str(), 0640);
  struct timespec times[2] = {{1000, 123456789}, {2000, 987654321}};
  ::utimensat(AT_FDCWD, (root / "a.bin").c_str(), times, 0);
  fs::create_directory(root / "out");
  fs::path written = copy2(root / "a.bin", root / "out");
  EXPECT_EQ(written, root / "out" / "a.bin");
  EXPECT_EQ(read(written), read(root / "a.bin"));
  struct stat st;
  ASSERT_EQ(::stat(written.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 987654321);
}

TEST_F(CopyTest, ErrorsCarryKindErrnoAndPath) {
  try {
    copyfile(root / "missing", root / "x");
    FAIL();
  } catch (const CopyError& e) {
    EXPECT_EQ(e.errc(), CopyErrc::NotFound);
    EXPECT_EQ(e.sys_errno(), ENOENT);
    EXPECT_EQ(e.path(), (root / "missing").string());
  }
  write(root / "f", "x");
  try {
    copyfile(root / "f", root / "f");
    FAIL();
  } catch (const CopyError& e) {
    EXPECT_EQ(e.errc(), CopyErrc::SameFile);
  }
  EXPECT_FALSE(fs::exists(root / "x"));
}

TEST_F(CopyTest, TreeCopyIsCompleteWithFiltersAndMirror) {
  for (int d = 0; d < 5; ++d)
    for (int f = 0; f < 100; ++f)
      write(root / "src" / ("d" + std::to_string(d)) / ("f" + std::to_string(f) + (f % 10 ? ".txt" : ".log")),
            "file " + std::to_string(d * 1000 + f));
  EACopy eacopy(Config{}.with_thread_count(3));
  TreeCopyOptions opts;
  opts.exclude = {"*.log"};
  CopySummary s = eacopy.copytree(root / "src", root / "dst", opts);
  EXPECT_EQ(s.files_copied, 450u);
  EXPECT_EQ(read(root / "dst/d3/f42.txt"), "file 3042");
  EXPECT_FALSE(fs::exists(root / "dst/d3/f40.log"));

  write(root / "dst/d1/extra.txt", "extra");
  opts.dirs_exist_ok = true;
  opts.skip_unchanged = true;
  opts.mirror = true;
  s = eacopy.copytree(root / "src", root / "dst", opts);
  EXPECT_EQ(s.files_skipped, 450u);
  EXPECT_EQ(s.files_copied, 0u);
  EXPECT_EQ(s.entries_purged, 1u);
  EXPECT_FALSE(fs::exists(root / "dst/d1/extra.txt"));
}

TEST_F(CopyTest, RetryCountsAttemptsAndIgnoreGoesOn) {
  write(root / "a", "aaa");
  inject_write_faults(EIO, 2);
  EACopy retrying(Config{}.with_error_strategy(ErrorStrategy::Retry).with_retry_count(2).with_retry_delay(0));
  retrying.copy(root / "a", root / "b");  // third attempt succeeds
  EXPECT_EQ(read(root / "b"), "aaa");

  inject_write_faults(EIO, 1);
  EACopy ignoring(Config{}.with_error_strategy(ErrorStrategy::Ignore).with_thread_count(1));
  write(root / "c", "ccc");
  CopySummary s = ignoring.batch_copy({{(root / "a").string(), (root / "a2").string()},
                                       {(root / "c").string(), (root / "c2").string()}});
  EXPECT_EQ(s.files_failed, 1u);
  EXPECT_EQ(s.files_copied, 1u);
  EXPECT_EQ(s.failures.size(), 1u);
  EXPECT_FALSE(fs::exists(root / "a2"));  // the failed file left nothing under its name
  EXPECT_EQ(read(root / "c2"), "ccc");
  inject_write_faults(0, 0);
}

TEST_F(CopyTest, DeltaCopyRebuildsTheSourceFromTheReference) {
  std::string reference = random_bytes(2'000'000, 7);
  std::string source = reference;
  source.replace(500'000, 10, "0123456789");     // changed bytes
  source.insert(1'200'000, "inserted text");     // shifted tail
  source.erase(1'700'000, 5000);                 // removed bytes
  write(root / "ref", reference);
  write(root / "src", source);
  DeltaStats s = delta_copy(root / "src", root / "dst", root / "ref");
  EXPECT_EQ(read(root / "dst"), source);
  EXPECT_EQ(s.bytes_total, source.size());
  EXPECT_LT(s.bytes_literal, 20000u);  // a few blocks around each edit
  // In place: the reference itself becomes the source.
  delta_copy(root / "src", root / "ref", root / "ref");
  EXPECT_EQ(read(root / "ref"), source);
}

TEST_F(CopyTest, DeltaOfUnrelatedAndEmptyFiles) {
  write(root / "ref", random_bytes(10000, 1));
  write(root / "src", random_bytes(10001, 2));
  write(root / "empty", "");
  EXPECT_EQ(delta_copy(root / "src", root / "d1", root / "ref").bytes_literal, 10001u);
  EXPECT_EQ(read(root / "d1"), read(root / "src"));
  delta_copy(root / "empty", root / "d2", root / "ref");
  EXPECT_EQ(read(root / "d2"), "");
  delta_copy(root / "src", root / "d3", root / "empty");
  EXPECT_EQ(read(root / "d3"), read(root / "src"));
}

}  // namespace
