#include "gitfleet/git/blame.hpp"

#include <sys/stat.h>

#include <optional>

#include <filesystem>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "gitfleet/core/error.hpp"
#include "gitfleet/core/text_encoding.hpp"
#include "gitfleet/git/mailmap.hpp"
#include "blob_store.hpp"
#include "commit_queue.hpp"
#include "line_stats.hpp"
#include "rename_detection.hpp"
#include "repository.hpp"
#include "signature_of.hpp"
#include "tree_diff.hpp"
#include "ignored_lines.hpp"
#include "line_diff.hpp"

namespace gitfleet::git {
namespace {

struct Origin;

// Lines [lno, lno + num_lines) of the final file, which are lines [s_lno, ...) of `suspect`.
struct Entry {
  int lno;
  int s_lno;
  int num_lines;
  Origin* suspect;
  int file;  // which final file lno counts in (several are blamed in one walk)
};

// Lines of the final file that a commit is found guilty of: [lno, lno + num_lines) are its
// lines [s_lno, ...) of `path`.
struct Guilty {
  int lno;
  int s_lno;
  int num_lines;
  ObjectId commit;
  const std::string* path;
};

// A file at a commit that lines are suspected to come from (git's blame_origin).
struct Origin {
  ObjectId commit{};
  const std::string* path = nullptr;  // interned: one copy of each path for the whole blame
  ObjectId blob{};
  std::uint32_t mode = 0;
  std::vector<Entry> suspects;  // sorted by s_lno
  std::vector<ignored_lines::Fingerprint> fingerprints;  // only while an ignored commit needs them
};

// What blame learned of commits, kept for the whole session (shared by every file blamed).
using CommitCache = std::unordered_map<ObjectId, CommitHeader, ObjectIdHash>;

struct FileOutcome {
  BlameResult result;
  std::exception_ptr error;
};

// Past this many files, a commit's whole tree diff is computed once and shared by all of its
// origins, instead of one path-limited diff per origin.
constexpr std::size_t kSharedDiffThreshold = 4;

// git's xdi_diff trims the common tail before diffing when it needs no context (blame's
// case): whole 1 KiB blocks, then back to the next line end. Done here too, so the diff sees
// exactly what git's xdiff sees.
void trim_common_tail(std::string_view& a, std::string_view& b) {
  constexpr std::size_t kBlock = 1024;
  std::size_t trimmed = 0, smaller = std::min(a.size(), b.size());
  while (kBlock + trimmed <= smaller &&
         std::memcmp(a.data() + a.size() - trimmed - kBlock, b.data() + b.size() - trimmed - kBlock, kBlock) == 0)
    trimmed += kBlock;
  std::size_t recovered = 0;
  const char* ap = a.data() + a.size() - trimmed;
  while (recovered < trimmed)
    if (ap[recovered++] == '\n') break;
  a = a.substr(0, a.size() - (trimmed - recovered));
  b = b.substr(0, b.size() - (trimmed - recovered));
}

std::vector<Hunk> blame_hunks(std::string_view parent, std::string_view target, bool ignore_whitespace) {
  trim_common_tail(parent, target);
  std::vector<Hunk> hunks;
  diff_hunks(parent, target, ignore_whitespace, hunks);
  return hunks;
}

class Blamer {
 public:
  Blamer(const Repository& repo, CommitCache& commits, const BlameOptions& options, const CancellationToken& cancel,
         BlameTally* tally = nullptr)
      : repo_(repo), options_(options), cancel_(cancel), tally_(tally), blobs_(repo), commits_(commits) {
    for (const std::string& rev : options.ignore_revs) ignored_.insert(repo.resolve_commit(rev));
    if (options.mailmap) mailmap_ = Mailmap(repo.mailmap_text());
    hide_ancestry(options.exclude);
    hidden_.merge(commit_set(options.exclude_commits));
  }

  // Blames every path in one walk: a commit is visited once for all the files that have
  // lines to explain there. Each file's outcome is its result or its own error.
  std::vector<FileOutcome> run(const std::vector<std::string>& paths) {
    ObjectId final_commit = repo_.resolve_commit(options_.rev);
    ObjectId tree = info(final_commit).tree;
    share_tree_diffs_ = paths.size() > kSharedDiffThreshold;
    std::vector<FileOutcome> outcomes(paths.size());
    // Copies: blob contents are released as the walk moves on (memory stays bounded).
    std::vector<std::string> contents(paths.size());
    unexplained_.assign(paths.size(), 0);
    std::size_t finished = 0;
    std::uint64_t lines = 0;
    for (std::size_t f = 0; f < paths.size(); ++f) {
      try {
        contents[f] = seed(final_commit, tree, paths[f], static_cast<int>(f));
      } catch (...) {
        outcomes[f].error = std::current_exception();
      }
      lines += static_cast<std::uint64_t>(unexplained_[f]);
      finished += unexplained_[f] == 0;
    }
    if (tally_) {
      tally_->lines_total += lines;
      tally_->files_done += finished;
    }
    while (!queue_.empty()) {
      cancel_.throw_if_cancelled();
      ObjectId commit = queue_.pop();
      std::uint64_t explained = 0;
      std::size_t done = 0;
      diffs_.clear();  // tree diffs are shared among the origins of one commit only
      // In git's order, newest origin first; passing blame only adds origins to parents, so
      // one pass sees every origin of this commit that has lines to explain.
      auto& origins = origins_of(commit).list;
      bool outside = hidden_.count(commit) > 0;  // `git blame A..B`: lines reaching A's history stay there
      for (std::size_t i = 0; i < origins.size(); ++i) {
        Origin* suspect = &origins[i];
        if (suspect->suspects.empty()) continue;
        if (!outside) pass_blame(suspect);
        for (Entry& e : suspect->suspects) {
          guilty_[e.file].push_back({e.lno, e.s_lno, e.num_lines, suspect->commit, suspect->path});
          explained += static_cast<std::uint64_t>(e.num_lines);
          unexplained_[e.file] -= e.num_lines;
          done += unexplained_[e.file] == 0;
        }
        suspect->suspects.clear();
      }
      if (tally_ && explained) {
        tally_->lines_done += explained;
        tally_->files_done += done;
        if (tally_->counted) tally_->counted();
      }
      // Every line this commit held went to a parent or stays here (in guilty_, by value):
      // its origins are done. Freed now, a long history's origins (a file at every commit
      // it lived through) never pile up; should the commit be reached again through clock
      // skew, its origins are found again as they were first found.
      origins_by_commit_.erase(commit);
    }
    for (std::size_t f = 0; f < paths.size(); ++f)
      if (!outcomes[f].error) outcomes[f].result = result(static_cast<int>(f), contents[f]);
    return outcomes;
  }

 private:
  std::string_view seed(const ObjectId& final_commit, const ObjectId& tree_id, const std::string& path, int file) {
    if (path.empty()) throw Error(ErrorCode::InvalidArgument, "file path is empty");
    std::optional<PathEntry> entry = find_path(repo_, tree_id, path);
    if (!entry) throw Error(ErrorCode::InvalidArgument, "no such path '" + path + "' in " + options_.rev);
    ObjectId blob = entry->id;
    std::uint32_t mode = entry->mode;
    if (mode == odb::kModeTree || mode == odb::kModeGitlink)
      throw Error(ErrorCode::InvalidArgument, "'" + path + "' is not a file in " + options_.rev);
    std::string_view content = blobs_.content(blob, mode);
    int lines = static_cast<int>(count_lines(content));
    int first = 0, last = lines;
    if (options_.first_line || options_.last_line) {
      first = options_.first_line - 1;
      last = options_.last_line;
      if (first < 0 || last < first + 1 || last > lines)
        throw Error(ErrorCode::InvalidArgument, "line range " + std::to_string(options_.first_line) + "," +
                                                    std::to_string(options_.last_line) + " is outside '" + path +
                                                    "', which has " + std::to_string(lines) + " lines");
    }
    Origin* origin = get_origin(final_commit, intern(path));
    origin->blob = blob;
    origin->mode = mode;
    if (last > first) {
      const auto& list = origins_of(final_commit).list;
      bool queued = std::any_of(list.begin(), list.end(), has_suspects);
      origin->suspects.push_back({first, first, last - first, origin, file});
      unexplained_[static_cast<std::size_t>(file)] = last - first;
      if (!queued) enqueue(final_commit);
    }
    return content;
  }

  void hide_ancestry(const std::vector<std::string>& revs) {
    std::vector<ObjectId> stack;
    for (const std::string& rev : revs) stack.push_back(repo_.resolve_commit(rev));
    while (!stack.empty()) {
      ObjectId id = stack.back();
      stack.pop_back();
      if (!hidden_.insert(id).second) continue;
      for (const ObjectId& parent : info(id).parents) stack.push_back(parent);
    }
  }

  const CommitHeader& info(const ObjectId& id) {
    auto it = commits_.find(id);
    if (it != commits_.end()) return it->second;
    return commits_.emplace(id, repo_.header(id)).first->second;
  }

  // A commit's origins, newest first as git keeps them, and by (interned) path. A deque keeps
  // them in place as it grows at the front, in blocks: a whole-repository blame makes an
  // origin for every file at every commit it lives through.
  struct Origins {
    std::deque<Origin> list;
    std::unordered_map<const std::string*, Origin*> by_path;
  };
  Origins& origins_of(const ObjectId& id) { return origins_by_commit_[id]; }
  static bool has_suspects(const Origin& o) { return !o.suspects.empty(); }
  const std::string* intern(const std::string& path) { return &*paths_.insert(path).first; }

  void enqueue(const ObjectId& id) { queue_.push(info(id).time, id); }

  Origin* existing_origin(const ObjectId& commit, const std::string* path) {
    Origins& origins = origins_of(commit);
    auto it = origins.by_path.find(path);
    return it == origins.by_path.end() ? nullptr : it->second;
  }

  Origin* get_origin(const ObjectId& commit, const std::string* path) {
    if (Origin* o = existing_origin(commit, path)) return o;
    Origins& origins = origins_of(commit);
    Origin* o = &origins.list.emplace_front(Origin{commit, path, {}, 0, {}, {}});
    origins.by_path.emplace(path, o);
    return o;
  }

  // git's find_origin: the same path in the parent, unless it was added or changed type.
  Origin* find_origin(const ObjectId& parent, Origin* origin) {
    if (Origin* o = existing_origin(parent, origin->path)) return o;
    if (share_tree_diffs_) {
      const WholeDiff& diff = whole_diff(parent, origin->commit);
      if (auto it = diff.first_by_path.find(*origin->path); it != diff.first_by_path.end()) {
        const TreeChange& c = diff.changes[it->second];
        return changed_origin(parent, origin, c.status == 'M' ? std::optional<PathEntry>(PathEntry{c.old_id, c.old_mode})
                                                             : std::nullopt);
      }
    } else {
      PathComparison c = compare_path(repo_, info(parent).tree, info(origin->commit).tree, *origin->path);
      if (!c.same) return changed_origin(parent, origin, c.old_entry);
    }
    Origin* o = get_origin(parent, origin->path);  // unchanged
    o->blob = origin->blob;
    o->mode = origin->mode;
    return o;
  }

  // The parent's origin for a path whose entry differs: none if the parent lacks the path
  // (added) or has another kind of entry there (type change).
  Origin* changed_origin(const ObjectId& parent, Origin* origin, const std::optional<PathEntry>& old_entry) {
    if (!old_entry || (old_entry->mode & 0170000) != (origin->mode & 0170000)) return nullptr;
    Origin* o = get_origin(parent, origin->path);
    o->blob = old_entry->id;
    o->mode = old_entry->mode;
    return o;
  }

  // git's find_rename: the file the parent had under another name, by git's rename detection
  // between the parent and this commit with this path as the only destination.
  Origin* find_rename(const ObjectId& parent, Origin* origin) {
    std::vector<TreeChange> candidates;
    bool destination = false;
    for (const TreeChange& c : whole_diff(parent, origin->commit).changes) {
      if (c.status == 'D') candidates.push_back(c);
      else if (c.status == 'A' && c.new_path == *origin->path) {
        candidates.push_back(c);
        destination = true;
      }
    }
    if (!destination) return nullptr;
    // The candidates' contents live only as long as this search: a whole-repository blame
    // compares thousands of deleted files over a history, and keeping them grew without end.
    BlobStore candidate_blobs(repo_);
    for (const TreeChange& c : detect_renames(std::move(candidates), candidate_blobs)) {
      if (c.status != 'R' || c.new_path != *origin->path) continue;
      Origin* o = get_origin(parent, intern(c.old_path));
      o->blob = c.old_id;
      o->mode = c.old_mode;
      return o;
    }
    return nullptr;
  }

  // The full tree diff from parent to commit, computed once per commit being processed, with
  // the first change naming each path (as old or new path).
  struct WholeDiff {
    std::vector<TreeChange> changes;
    std::unordered_map<std::string_view, std::size_t> first_by_path;  // views of changes' paths
  };
  const WholeDiff& whole_diff(const ObjectId& parent, const ObjectId& commit) {
    auto [it, inserted] = diffs_.try_emplace(parent);
    WholeDiff& diff = it->second;
    if (!inserted) return diff;
    odb::Tree a = repo_.tree(info(parent).tree);
    odb::Tree b = repo_.tree(info(commit).tree);
    diff.changes = diff_trees(repo_, &a, &b, Pathspec());
    for (std::size_t i = 0; i < diff.changes.size(); ++i) {
      const TreeChange& c = diff.changes[i];
      if (!c.new_path.empty()) diff.first_by_path.try_emplace(c.new_path, i);
      if (!c.old_path.empty()) diff.first_by_path.try_emplace(c.old_path, i);
    }
    return diff;
  }

  void queue_blames(Origin* porigin, std::vector<Entry> sorted) {
    if (sorted.empty()) return;
    if (!porigin->suspects.empty()) {
      std::vector<Entry> merged;
      merged.reserve(porigin->suspects.size() + sorted.size());
      std::merge(porigin->suspects.begin(), porigin->suspects.end(), sorted.begin(), sorted.end(),
                 std::back_inserter(merged), [](const Entry& x, const Entry& y) { return x.s_lno < y.s_lno; });
      porigin->suspects = std::move(merged);
      return;
    }
    const auto& siblings = origins_of(porigin->commit).list;
    bool queued = std::any_of(siblings.begin(), siblings.end(), has_suspects);
    porigin->suspects = std::move(sorted);
    if (!queued) enqueue(porigin->commit);
  }

  void pass_whole_blame(Origin* origin, Origin* porigin) {
    std::vector<Entry> moved = std::move(origin->suspects);
    origin->suspects.clear();
    for (Entry& e : moved) e.suspect = porigin;
    queue_blames(porigin, std::move(moved));
  }

  // Lines the parent has unchanged go to the parent; the rest stay with the target. For an
  // ignored commit (`guess`), changed lines go to the parent line git's heuristic picks.
  void pass_blame_to_parent(Origin* target, Origin* parent, bool guess = false) {
    if (target->suspects.empty()) return;
    std::string_view pdata = blobs_.content(parent->blob, parent->mode);
    std::string_view tdata = blobs_.content(target->blob, target->mode);
    std::vector<Hunk> hunks = blame_hunks(pdata, tdata, options_.ignore_whitespace);
    // git guesses every hunk, in order (the parent's fingerprints are consumed as it goes).
    std::vector<std::vector<ignored_lines::LineBlame>> guesses(guess ? hunks.size() : 0);
    if (guess) {
      if (target->fingerprints.empty()) target->fingerprints = ignored_lines::line_fingerprints(tdata);
      parent->fingerprints = ignored_lines::line_fingerprints(pdata);
      for (std::size_t k = 0; k < hunks.size(); ++k)
        if (hunks[k].count_b > 0)
          guesses[k] = ignored_lines::guess_line_blames(parent->fingerprints, target->fingerprints, hunks[k].start_b,
                                                        hunks[k].start_a - hunks[k].start_b,
                                                        hunks[k].start_b + hunks[k].count_b, hunks[k].count_a);
      parent->fingerprints.clear();  // consumed: computed afresh if needed again
    }
    std::vector<Entry> kept, passed;
    // Between hunks, target line t is parent line t + offset. Entries may overlap (two final
    // lines can come from the same line here), so each finds its first hunk afresh.
    auto end_b = [&](std::size_t i) { return hunks[i].start_b + hunks[i].count_b; };
    for (const Entry& e : target->suspects) {
      int t = e.s_lno, end = e.s_lno + e.num_lines;
      auto first = std::partition_point(hunks.begin(), hunks.end(),
                                        [&](const Hunk& h) { return h.start_b + h.count_b <= t; });
      std::size_t k = static_cast<std::size_t>(first - hunks.begin());
      int offset = k ? hunks[k - 1].start_a + hunks[k - 1].count_a - end_b(k - 1) : 0;
      while (t < end) {
        // Hunks wholly before t (an empty one at t too) shift the offset.
        while (k < hunks.size() && end_b(k) <= t) {
          offset = hunks[k].start_a + hunks[k].count_a - end_b(k);
          ++k;
        }
        int lno = e.lno + (t - e.s_lno);
        if (k < hunks.size() && hunks[k].start_b <= t) {  // inside a changed range
          int stop = std::min(end, end_b(k));
          if (guess) split_by_guess(guesses[k], hunks[k].start_b, lno, t, stop, target, parent, e.file, kept, passed);
          else kept.push_back({lno, t, stop - t, target, e.file});
          t = stop;
        } else {  // unchanged up to the next hunk: the parent's
          int stop = k < hunks.size() ? std::min(end, hunks[k].start_b) : end;
          passed.push_back({lno, t + offset, stop - t, parent, e.file});
          t = stop;
        }
      }
    }
    target->suspects = std::move(kept);
    if (guess)
      std::stable_sort(passed.begin(), passed.end(), [](const Entry& a, const Entry& b) { return a.s_lno < b.s_lno; });
    queue_blames(parent, std::move(passed));
  }

  // git's ignore_blame_entry: runs of lines guessed to consecutive parent lines go to the
  // parent together; lines without a guess stay with the target.
  static void split_by_guess(const std::vector<ignored_lines::LineBlame>& guess, int hunk_start, int lno, int from,
                             int to, Origin* target, Origin* parent, int file, std::vector<Entry>& kept,
                             std::vector<Entry>& passed) {
    int run_start = from;
    for (int t = from; t < to; ++t) {
      const auto& here = guess[t - hunk_start];
      bool last = t + 1 == to;
      if (!last) {
        const auto& next = guess[t + 1 - hunk_start];
        if (here.is_parent == next.is_parent && here.s_lno + 1 == next.s_lno) continue;
      }
      const auto& head = guess[run_start - hunk_start];
      int length = t + 1 - run_start, run_lno = lno + (run_start - from);
      if (head.is_parent) passed.push_back({run_lno, head.s_lno, length, parent, file});
      else kept.push_back({run_lno, run_start, length, target, file});
      run_start = t + 1;
    }
  }

  // git's pass_blame, then what it drops: this origin's content, and its parents' unless
  // they now hold lines to explain (they are read again when their turn comes).
  void pass_blame(Origin* origin) {
    std::vector<Origin*> parents = pass_blame_to_scapegoats(origin);
    blobs_.release(origin->blob, origin->mode);
    origin->fingerprints.clear();
    for (Origin* p : parents)
      if (p->suspects.empty()) blobs_.release(p->blob, p->mode);
  }

  std::vector<Origin*> pass_blame_to_scapegoats(Origin* origin) {
    std::vector<ObjectId> parents = info(origin->commit).parents;
    if (options_.first_parent && parents.size() > 1) parents.erase(parents.begin() + 1, parents.end());
    std::vector<Origin*> scapegoats(parents.size(), nullptr);
    // First the same path in each parent, then renames for parents that lack it.
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < parents.size(); ++i) {
        if (scapegoats[i]) continue;
        Origin* porigin = pass == 0 ? find_origin(parents[i], origin) : find_rename(parents[i], origin);
        if (!porigin) continue;
        if ((porigin->blob == origin->blob)) {
          pass_whole_blame(origin, porigin);
          return {};
        }
        bool same = false;
        for (std::size_t j = 0; j < i; ++j)
          if (scapegoats[j] && scapegoats[j]->blob == porigin->blob) same = true;
        if (!same) scapegoats[i] = porigin;
      }
    }
    std::erase(scapegoats, nullptr);
    for (Origin* porigin : scapegoats) {
      pass_blame_to_parent(origin, porigin);
      if (origin->suspects.empty()) return scapegoats;
    }
    // An ignored commit hands even the lines it changed to its parents, where git guesses.
    if (ignored_.count(origin->commit)) {
      for (Origin* porigin : scapegoats) {
        pass_blame_to_parent(origin, porigin, true);
        if (origin->suspects.empty()) return scapegoats;
      }
    }
    return scapegoats;
  }

  BlameResult result(int file, std::string_view content) {
    std::vector<Guilty>& guilty = guilty_[file];
    std::sort(guilty.begin(), guilty.end(), [](const Guilty& a, const Guilty& b) { return a.lno < b.lno; });
    BlameResult out;
    std::unordered_map<ObjectId, std::size_t, ObjectIdHash> commit_index;
    std::size_t pos = 0;
    for (int skipped = 0; skipped < (guilty.empty() ? 0 : guilty.front().lno); ++skipped)
      pos = content.find('\n', pos) + 1;
    for (const Guilty& e : guilty) {
      auto [it, inserted] = commit_index.try_emplace(e.commit, out.commits.size());
      if (inserted) out.commits.push_back(describe(e.commit));
      for (int j = 0; j < e.num_lines; ++j) {
        std::size_t nl = content.find('\n', pos);
        std::size_t stop = nl == std::string_view::npos ? content.size() : nl;
        out.lines.push_back({it->second, *e.path, e.s_lno + j + 1, e.lno + j + 1,
                             std::string(content.substr(pos, stop - pos))});
        pos = nl == std::string_view::npos ? content.size() : nl + 1;
      }
    }
    return out;
  }

  BlameCommit describe(const ObjectId& id) {
    odb::Commit c = repo_.commit(id);
    std::string_view encoding = c.encoding();
    BlameCommit out;
    out.sha = id.hex();
    out.author = signature_of(c.author(), encoding);
    out.committer = signature_of(c.committer(), encoding);
    for (Signature* who : {&out.author, &out.committer})
      std::tie(who->name, who->email) = mailmap_.map(who->name, who->email);
    std::string_view message = c.message();
    std::size_t start = message.find_first_not_of('\n');
    message = start == std::string_view::npos ? std::string_view() : message.substr(start);
    out.summary = to_utf8(message.substr(0, message.find('\n')), encoding);
    // A root commit is a boundary (blame.showRoot off), as is a commit outside the range.
    out.boundary = info(id).parents.empty() || hidden_.count(id) > 0;
    return out;
  }

  const Repository& repo_;
  const BlameOptions& options_;
  const CancellationToken& cancel_;
  BlameTally* tally_;
  Mailmap mailmap_;
  std::vector<int> unexplained_;  // lines of each final file not yet attributed
  BlobStore blobs_;
  CommitCache& commits_;
  std::unordered_map<ObjectId, Origins, ObjectIdHash> origins_by_commit_;  // of commits not yet done
  CommitQueue queue_;
  std::map<int, std::vector<Guilty>> guilty_;  // by final file
  std::unordered_set<std::string> paths_;     // interned: origins and guilty_ point to them
  std::unordered_set<ObjectId, ObjectIdHash> ignored_;
  std::unordered_set<ObjectId, ObjectIdHash> hidden_;  // options.exclude and their ancestors
  bool share_tree_diffs_ = false;
  std::unordered_map<ObjectId, WholeDiff, ObjectIdHash> diffs_;  // by parent, for one commit
};

}  // namespace

struct BlameSession::State {
  Repository repo;
  CommitCache commits;
};

BlameSession::BlameSession(const std::string& repo_path)
    : state_(std::make_unique<State>(State{Repository::open(repo_path), {}})) {}

BlameSession::~BlameSession() = default;

BlameResult BlameSession::blame(const std::string& path, const BlameOptions& options, const CancellationToken& cancel) {
  FileOutcome outcome = std::move(Blamer(state_->repo, state_->commits, options, cancel).run({path}).front());
  if (outcome.error) std::rethrow_exception(outcome.error);
  return std::move(outcome.result);
}

std::vector<BlameResult> BlameSession::blame_together(const std::vector<std::string>& paths,
                                                      const BlameOptions& options, const CancellationToken& cancel,
                                                      std::vector<std::exception_ptr>& errors, BlameTally* tally) {
  std::vector<FileOutcome> outcomes = Blamer(state_->repo, state_->commits, options, cancel, tally).run(paths);
  std::vector<BlameResult> results;
  errors.assign(paths.size(), nullptr);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    errors[i] = outcomes[i].error;
    results.push_back(std::move(outcomes[i].result));
  }
  return results;
}

void BlameSession::check_revisions(const BlameOptions& options) {
  state_->repo.resolve_commit(options.rev);
  for (const std::string& rev : options.ignore_revs) state_->repo.resolve_commit(rev);
  for (const std::string& rev : options.exclude) state_->repo.resolve_commit(rev);
  commit_set(options.exclude_commits);
}

std::vector<std::string> BlameSession::files_at(const std::string& rev) {
  return files_in_tree(state_->repo, state_->repo.resolve_commit(rev), Pathspec());
}

BlameResult blame_file(const std::string& repo_path, const std::string& path, const BlameOptions& options,
                       const CancellationToken& cancel) {
  return BlameSession(repo_path).blame(path, options, cancel);
}

}  // namespace gitfleet::git

namespace gitfleet::git {

namespace {

// The repository's identity on disk, so that a session never serves another repository (or the
// same one grown shallow or whole): its path, the device, inode and change time of its object
// store (an inode is reused at once by a repository created again at the same path; the change
// time, in nanoseconds, is not), and the state of its shallow file (a commit's parents).
std::string session_key(const std::string& repo_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path git_dir = fs::path(repo_path) / ".git";
  if (!fs::exists(git_dir / "objects", ec)) git_dir = repo_path;
  struct stat objects {}, shallow {};
  if (::stat((git_dir / "objects").c_str(), &objects) != 0) return repo_path;
  bool is_shallow = ::stat((git_dir / "shallow").c_str(), &shallow) == 0;
  auto stamp = [](const struct stat& st) {
    return std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino) + ':' + std::to_string(st.st_ctim.tv_sec) +
           '.' + std::to_string(st.st_ctim.tv_nsec) + ':' + std::to_string(st.st_size);
  };
  return repo_path + '\0' + stamp(objects) + '\0' + (is_shallow ? stamp(shallow) : "-");
}

}  // namespace

BlameSessionPool::Lease::~Lease() {
  if (!pool_ || !session_) return;
  std::lock_guard lock(pool_->mutex_);
  pool_->idle_.emplace_front(std::move(key_), std::move(session_));
  if (pool_->idle_.size() > pool_->max_idle_) pool_->idle_.pop_back();
}

BlameSessionPool::Lease BlameSessionPool::acquire(const std::string& repo_path) {
  std::string key = session_key(repo_path);
  {
    std::lock_guard lock(mutex_);
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->first != key) continue;
      std::unique_ptr<BlameSession> session = std::move(it->second);
      idle_.erase(it);
      return Lease(this, std::move(key), std::move(session));
    }
  }
  return Lease(this, std::move(key), std::make_unique<BlameSession>(repo_path));
}

void stream_blame(const std::string& repo_path, const std::string& path, const BlameOptions& options,
                  std::size_t batch_size, const BlameBatchSink& sink, const CancellationToken& cancel) {
  if (batch_size == 0) throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 1");
  BlameResult result;
  {
    auto session = BlameSessionPool::shared().acquire(repo_path);
    result = session->blame(path, options, cancel);
  }  // the session goes back to the pool before the consumer is waited for
  for (std::size_t first = 0; first < result.lines.size(); first += batch_size)
    if (!sink(result, first, std::min(result.lines.size(), first + batch_size))) return;
}

void BlameSessionPool::clear() {
  std::list<std::pair<std::string, std::unique_ptr<BlameSession>>> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(idle_);
}

BlameSessionPool& BlameSessionPool::shared() {
  static BlameSessionPool pool(8);
  return pool;
}

}  // namespace gitfleet::git
