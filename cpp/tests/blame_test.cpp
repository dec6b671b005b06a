// Blame from C++ on a repository built here: renames followed, merges, boundary, errors, and
// when a blame hands a whole file down to an older commit.
#include "gitfleet/git/blame.hpp"
#include "gitfleet/git/blame_handover.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gitfleet/core/error.hpp"

namespace fs = std::filesystem;
using namespace gitfleet;
using namespace gitfleet::git;

namespace {

struct Repo {
  std::string root;
  int clock = 0;
  Repo() {
    char tmpl[] = "/tmp/gitfleet-blame-XXXXXX";
    root = mkdtemp(tmpl);
    git("init -q -b main");
  }
  ~Repo() { fs::remove_all(root); }
  void git(const std::string& args) {
    ++clock;
    std::string date = std::to_string(1600000000 + clock * 60) + " +0000";
    std::string cmd = "cd '" + root + "' && GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=T " +
                      "GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@e GIT_AUTHOR_DATE='" + date +
                      "' GIT_COMMITTER_DATE='" + date + "' git " + args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((fs::path(root) / rel).parent_path());
    std::ofstream(fs::path(root) / rel, std::ios::binary) << text;
  }
  void commit(const std::string& message) {
    git("add -A");
    git("commit -q -m '" + message + "'");
  }
};

}  // namespace

TEST(Blame, FollowsRenamesAndAttributesEditedLines) {
  Repo repo;
  repo.write("old/name.txt", "one\ntwo\nthree\n");
  repo.commit("create");
  repo.git("mv old/name.txt new.txt");
  repo.commit("rename");
  repo.write("new.txt", "one\nTWO\nthree\nfour\n");
  repo.commit("edit");

  BlameResult r = blame_file(repo.root, "new.txt");
  ASSERT_EQ(r.lines.size(), 4u);
  auto commit_of = [&](std::size_t i) { return r.commits[r.lines[i].commit]; };
  EXPECT_EQ(commit_of(0).summary, "create");
  EXPECT_TRUE(commit_of(0).boundary);
  EXPECT_EQ(r.lines[0].orig_path, "old/name.txt");
  EXPECT_EQ(r.lines[2].orig_line_no, 3);
  EXPECT_EQ(commit_of(1).summary, "edit");
  EXPECT_EQ(r.lines[1].orig_path, "new.txt");
  EXPECT_EQ(commit_of(3).summary, "edit");
  EXPECT_EQ(r.lines[3].line_content, "four");
  EXPECT_EQ(r.lines[3].final_line_no, 4);
}

TEST(Blame, LineRangeWhitespaceAndErrors) {
  Repo repo;
  repo.write("f.txt", "a\nb\nc\n");
  repo.commit("first");
  repo.write("f.txt", "a\n b\nc\n");
  repo.commit("indent");
  BlameOptions ws;
  ws.ignore_whitespace = true;
  BlameResult r = blame_file(repo.root, "f.txt", ws);
  EXPECT_EQ(r.commits.size(), 1u);  // the indentation is not a change with -w
  BlameOptions range;
  range.first_line = 2;
  range.last_line = 2;
  BlameResult one = blame_file(repo.root, "f.txt", range);
  ASSERT_EQ(one.lines.size(), 1u);
  EXPECT_EQ(one.commits[one.lines[0].commit].summary, "indent");
  EXPECT_EQ(one.lines[0].line_content, " b");
  range.last_line = 9;
  EXPECT_THROW(blame_file(repo.root, "f.txt", range), Error);
  EXPECT_THROW(blame_file(repo.root, "missing.txt"), Error);
  EXPECT_THROW(blame_file("/nonexistent", "f.txt"), Error);
}

TEST(Blame, SessionBlamesSeveralFilesInOneWalk) {
  Repo repo;
  repo.write("a.txt", "1\n2\n");
  repo.write("b.txt", "x\n");
  repo.commit("both");
  repo.write("b.txt", "x\ny\n");
  repo.commit("b grows");
  BlameSession session(repo.root);
  std::vector<std::exception_ptr> errors;
  auto results = session.blame_together({"a.txt", "b.txt", "nope"}, BlameOptions(), CancellationToken(), errors);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(errors[0]);
  EXPECT_FALSE(errors[1]);
  EXPECT_TRUE(errors[2]);
  EXPECT_EQ(results[0].lines.size(), 2u);
  EXPECT_EQ(results[1].commits[results[1].lines[1].commit].summary, "b grows");
  std::vector<std::string> files = session.files_at("HEAD");
  EXPECT_EQ(files, (std::vector<std::string>{"a.txt", "b.txt"}));
}

TEST(Blame, TallyCountsLinesAndFilesAsTheWalkExplainsThem) {
  Repo repo;
  repo.write("a.txt", "1\n2\n");
  repo.write("b.txt", "x\n");
  repo.write("empty.txt", "");
  repo.commit("both");
  repo.write("b.txt", "x\ny\n");
  repo.commit("b grows");
  BlameSession session(repo.root);
  std::vector<std::exception_ptr> errors;
  BlameTally tally;
  std::vector<std::pair<std::uint64_t, std::size_t>> seen;  // (lines_done, files_done) after each commit
  tally.counted = [&] { seen.emplace_back(tally.lines_done.load(), tally.files_done.load()); };
  session.blame_together({"a.txt", "b.txt", "nope", "empty.txt"}, BlameOptions(), CancellationToken(), errors, &tally);
  EXPECT_EQ(tally.lines_total.load(), 4u);
  // "b grows" explains b's second line; "both" the other three, finishing a and b. The missing
  // and the empty file are done from the start.
  using Step = std::pair<std::uint64_t, std::size_t>;
  EXPECT_EQ(seen, (std::vector<Step>{{1, 2}, {4, 4}}));
}

TEST(Blame, AuthorsAndCommittersAsTheMailmapNamesThem) {
  Repo repo;
  repo.write("f.txt", "one\n");
  repo.write(".mailmap", "Tee Proper <tee@example.com> <t@e>\n");
  repo.commit("with a mailmap");
  BlameResult r = blame_file(repo.root, "f.txt");
  ASSERT_EQ(r.lines.size(), 1u);
  const BlameCommit& c = r.commits[r.lines[0].commit];
  EXPECT_EQ(c.author.name, "Tee Proper");
  EXPECT_EQ(c.author.email, "tee@example.com");
  EXPECT_EQ(c.committer.name, "Tee Proper");
  BlameOptions raw;
  raw.mailmap = false;
  const BlameResult as_committed = blame_file(repo.root, "f.txt", raw);
  EXPECT_EQ(as_committed.commits[0].author.name, "T");
  EXPECT_EQ(as_committed.commits[0].author.email, "t@e");
  // A symbolic link is no .mailmap for git.
  fs::rename(fs::path(repo.root) / ".mailmap", fs::path(repo.root) / "elsewhere");
  fs::create_symlink("elsewhere", fs::path(repo.root) / ".mailmap");
  EXPECT_EQ(blame_file(repo.root, "f.txt").commits[0].author.name, "T");
}

// The streaming producer hands over every line once, in order, in batches of the size asked
// for, and stops when the consumer does.
TEST(Blame, StreamedInBatchesThatTogetherAreTheWholeBlame) {
  Repo repo;
  std::string text;
  for (int i = 0; i < 23; ++i) text += "line " + std::to_string(i) + "\n";
  repo.write("f.txt", text);
  repo.commit("create");
  BlameResult whole = blame_file(repo.root, "f.txt");
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::vector<std::string> contents;
  stream_blame(repo.root, "f.txt", {}, 10, [&](const BlameResult& r, std::size_t first, std::size_t end) {
    ranges.emplace_back(first, end);
    for (std::size_t i = first; i < end; ++i) contents.push_back(r.lines[i].line_content);
    return true;
  });
  EXPECT_EQ(ranges, (std::vector<std::pair<std::size_t, std::size_t>>{{0, 10}, {10, 20}, {20, 23}}));
  ASSERT_EQ(contents.size(), whole.lines.size());
  for (std::size_t i = 0; i < contents.size(); ++i) EXPECT_EQ(contents[i], whole.lines[i].line_content);
  int batches = 0;
  stream_blame(repo.root, "f.txt", {}, 10, [&](const BlameResult&, std::size_t, std::size_t) { return ++batches < 2; });
  EXPECT_EQ(batches, 2);
  EXPECT_THROW(stream_blame(repo.root, "f.txt", {}, 0, [](const BlameResult&, std::size_t, std::size_t) { return true; }),
               Error);
}

TEST(Blame, HandsTheWholeFileDownWhileNoParentChangedIt) {
  Repo r;
  r.write("f.txt", "a\nb\n");
  r.write("g.txt", "g\n");
  r.commit("start");
  r.write("f.txt", "a\nB\n");
  r.commit("edit f");
  r.git("branch side");
  r.write("g.txt", "G\n");
  r.commit("edit g");
  // main: start -> edit f -> edit g. Blame of f.txt at main hands it whole to "edit f".
  std::vector<bool> answers = blame_hands_whole_file(
      r.root, "main", {{"side", "f.txt"}, {"main~2", "f.txt"}, {"side", "g.txt"}, {"side", "no-such.txt"},
                       {"main", "f.txt"}});
  EXPECT_EQ(answers, (std::vector<bool>{true, false, false, false, true}));
  EXPECT_EQ(blame_hands_whole_file(r.root, "main", {{"side", "f.txt"}}, 0), std::vector<bool>{false});  // no budget
  // What it promises: the two blames agree line for line.
  BlameResult at_main = blame_file(r.root, "f.txt", {.rev = "main"});
  BlameResult at_fork = blame_file(r.root, "f.txt", {.rev = "side"});
  ASSERT_EQ(at_main.lines.size(), at_fork.lines.size());
  for (std::size_t i = 0; i < at_main.lines.size(); ++i)
    EXPECT_EQ(at_main.commits[at_main.lines[i].commit].sha, at_fork.commits[at_fork.lines[i].commit].sha);
}
