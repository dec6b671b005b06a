#include "gitfleet/git/blame_handover.hpp"

#include "repository.hpp"
#include "tree_diff.hpp"

namespace gitfleet::git {
namespace {

// The entry blame would follow (a file or symbolic link: blame's find_origin takes no other
// kind of entry as the same file).
std::optional<PathEntry> file_at(const Repository& repo, const CommitHeader& commit, const std::string& path) {
  std::optional<PathEntry> entry = find_path(repo, commit.tree, path);
  if (!entry || entry->mode == odb::kModeTree || entry->mode == odb::kModeGitlink) return std::nullopt;
  return entry;
}

bool hands_whole_file(const Repository& repo, ObjectId commit, const ObjectId& to, const std::string& path,
                      std::size_t& lookups_left) {
  CommitHeader header = repo.header(commit);
  std::optional<PathEntry> entry = file_at(repo, header, path);
  if (!entry) return false;
  const std::int64_t to_time = repo.header(to).time;
  for (;;) {
    if (commit == to) return true;
    if (header.time < to_time) return false;  // past `to` (or clock skew): not shown
    std::optional<CommitHeader> next;
    for (const ObjectId& parent : header.parents) {
      if (lookups_left == 0) return false;
      --lookups_left;
      CommitHeader candidate = repo.header(parent);
      std::optional<PathEntry> before = file_at(repo, candidate, path);
      if (before && before->id == entry->id && (before->mode & 0170000) == (entry->mode & 0170000)) {
        commit = parent;
        next = std::move(candidate);
        break;
      }
    }
    if (!next) return false;  // the lines split, the file came under another name, or a shallow boundary
    header = std::move(*next);
  }
}

}  // namespace

std::vector<bool> blame_hands_whole_file(const std::string& repo_path, const std::string& from,
                                         const std::vector<std::pair<std::string, std::string>>& to_and_paths,
                                         std::size_t max_lookups) {
  Repository repo = Repository::open(repo_path);
  const ObjectId start = repo.resolve_commit(from);
  std::vector<bool> out;
  out.reserve(to_and_paths.size());
  for (const auto& [to, path] : to_and_paths)
    out.push_back(hands_whole_file(repo, start, repo.resolve_commit(to), path, max_lookups));
  return out;
}

}  // namespace gitfleet::git
