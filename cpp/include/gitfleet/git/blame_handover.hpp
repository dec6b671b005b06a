#pragma once
// Whether blaming a file at one commit hands the whole file on to an older commit: what an
// incremental blame needs to reuse a blame stored at `from` for lines that reached `to` (a
// side branch's fork point) instead of blaming them again from the start.
#include <string>
#include <utility>
#include <vector>

namespace gitfleet::git {

// For each (to, path): true when blame (default options) of `path` at `from` hands every line
// to `to`, unchanged, at the same path: from `from`, each step goes to the first parent whose
// `path` is the same blob (git's pass_whole_blame), and the steps reach `to`. Then the blame
// of `path` at `from` is, line for line, the blame of `path` at `to`. False whenever that is
// not shown (a rename on the way, lines split between parents, a shallow boundary, `to` not
// reached), or once `max_lookups` tree lookups have been spent on the whole list (a merge of
// thousands of files from an old fork point): false only costs the caller a blame.
std::vector<bool> blame_hands_whole_file(const std::string& repo_path, const std::string& from,
                                         const std::vector<std::pair<std::string, std::string>>& to_and_paths,
                                         std::size_t max_lookups = 200000);

}  // namespace gitfleet::git
