// The copy engine from C++: shutil semantics, atomic writes, trees, strategies, delta copy.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitfleet/copy/eacopy.hpp"
#include "temp_files.hpp"

namespace fs = std::filesystem;
using namespace gitfleet::copy;
using gitfleet::CancellationToken;
using gitfleet::Error;
using gitfleet::ErrorCode;
using gitfleet::testing::random_bytes;

namespace {

using CopyTest = gitfleet::testing::TempDirTest;

TEST_F(CopyTest, Copy2KeepsContentModeAndNanosecondTimes) {
  write(dir / "a.bin", random_bytes(300000, 1));
  ::chmod((dir / "a.bin").c_str(), 0640);
  struct timespec times[2] = {{1000, 123456789}, {2000, 987654321}};
  ::utimensat(AT_FDCWD, (dir / "a.bin").c_str(), times, 0);
  fs::create_directory(dir / "out");
  fs::path written = copy2(dir / "a.bin", dir / "out");
  EXPECT_EQ(written, dir / "out" / "a.bin");
  EXPECT_EQ(read(written), read(dir / "a.bin"));
  struct stat st;
  ASSERT_EQ(::stat(written.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 987654321);
}

TEST_F(CopyTest, ErrorsCarryKindErrnoAndPath) {
  try {
    copyfile(dir / "missing", dir / "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_EQ(e.sys_errno(), ENOENT);
    EXPECT_EQ(e.path(), (dir / "missing").string());
  }
  write(dir / "f", "x");
  try {
    copyfile(dir / "f", dir / "f");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::SameFile);
  }
  EXPECT_FALSE(fs::exists(dir / "x"));
}

TEST_F(CopyTest, TreeCopyIsCompleteWithFiltersAndMirror) {
  for (int d = 0; d < 5; ++d)
    for (int f = 0; f < 100; ++f)
      write(dir / "src" / ("d" + std::to_string(d)) / ("f" + std::to_string(f) + (f % 10 ? ".txt" : ".log")),
            "file " + std::to_string(d * 1000 + f));
  EACopy eacopy(Config{}.with_thread_count(3));
  TreeCopyOptions opts;
  opts.exclude = {"*.log"};
  CopySummary s = eacopy.copytree(dir / "src", dir / "dst", opts);
  EXPECT_EQ(s.files_copied, 450u);
  EXPECT_EQ(read(dir / "dst/d3/f42.txt"), "file 3042");
  EXPECT_FALSE(fs::exists(dir / "dst/d3/f40.log"));

  write(dir / "dst/d1/extra.txt", "extra");
  opts.dirs_exist_ok = true;
  opts.skip_unchanged = true;
  opts.mirror = true;
  s = eacopy.copytree(dir / "src", dir / "dst", opts);
  EXPECT_EQ(s.files_skipped, 450u);
  EXPECT_EQ(s.files_copied, 0u);
  EXPECT_EQ(s.entries_purged, 1u);
  EXPECT_FALSE(fs::exists(dir / "dst/d1/extra.txt"));
}

TEST_F(CopyTest, RetryCountsAttemptsAndIgnoreGoesOn) {
  write(dir / "a", "aaa");
  inject_write_faults(EIO, 2);
  EACopy retrying(Config{}.with_error_strategy(ErrorStrategy::Retry).with_retry_count(2).with_retry_delay(0));
  retrying.copy(dir / "a", dir / "b");  // third attempt succeeds
  EXPECT_EQ(read(dir / "b"), "aaa");

  inject_write_faults(EIO, 1);
  EACopy ignoring(Config{}.with_error_strategy(ErrorStrategy::Ignore).with_thread_count(1));
  write(dir / "c", "ccc");
  CopySummary s = ignoring.batch_copy({{(dir / "a").string(), (dir / "a2").string()},
                                       {(dir / "c").string(), (dir / "c2").string()}});
  EXPECT_EQ(s.files_failed, 1u);
  EXPECT_EQ(s.files_copied, 1u);
  EXPECT_EQ(s.failures.size(), 1u);
  EXPECT_FALSE(fs::exists(dir / "a2"));  // the failed file left nothing under its name
  EXPECT_EQ(read(dir / "c2"), "ccc");
  inject_write_faults(0, 0);
}

TEST_F(CopyTest, DeltaCopyRebuildsTheSourceFromTheReference) {
  std::string reference = random_bytes(2'000'000, 7);
  std::string source = reference;
  source.replace(500'000, 10, "0123456789");     // changed bytes
  source.insert(1'200'000, "inserted text");     // shifted tail
  source.erase(1'700'000, 5000);                 // removed bytes
  write(dir / "ref", reference);
  write(dir / "src", source);
  DeltaStats s = delta_copy(dir / "src", dir / "dst", dir / "ref");
  EXPECT_EQ(read(dir / "dst"), source);
  EXPECT_EQ(s.bytes_total, source.size());
  EXPECT_LT(s.bytes_literal, 20000u);  // a few blocks around each edit
  // In place: the reference itself becomes the source.
  delta_copy(dir / "src", dir / "ref", dir / "ref");
  EXPECT_EQ(read(dir / "ref"), source);
}

TEST_F(CopyTest, DeltaOfUnrelatedAndEmptyFiles) {
  write(dir / "ref", random_bytes(10000, 1));
  write(dir / "src", random_bytes(10001, 2));
  write(dir / "empty", "");
  EXPECT_EQ(delta_copy(dir / "src", dir / "d1", dir / "ref").bytes_literal, 10001u);
  EXPECT_EQ(read(dir / "d1"), read(dir / "src"));
  delta_copy(dir / "empty", dir / "d2", dir / "ref");
  EXPECT_EQ(read(dir / "d2"), "");
  delta_copy(dir / "src", dir / "d3", dir / "empty");
  EXPECT_EQ(read(dir / "d3"), read(dir / "src"));
}

}  // namespace
