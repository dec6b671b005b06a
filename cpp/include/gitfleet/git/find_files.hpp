#pragma once
// The files of a commit's tree that git pathspecs select: what `git ls-files -- <patterns>`
// lists in a clean checkout of that commit. A pattern without wildcards names a file or a
// leading directory; with wildcards (* ? [) it is an fnmatch pattern over the whole path in
// which '*' also crosses '/', so "*.py" finds Python files at every depth.
#include <string>
#include <vector>

namespace gitfleet::git {

// Paths (bytes, as git stores them) in git's order; submodules are not files and are left
// out. No patterns: every file. Throws Error naming what is wrong for a bad repository,
// revision or pattern (empty, absolute, or pathspec magic).
std::vector<std::string> find_files(const std::string& repo_path, const std::string& rev,
                                    const std::vector<std::string>& patterns);

}  // namespace gitfleet::git
