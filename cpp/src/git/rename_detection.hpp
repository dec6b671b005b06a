#pragma once
// Rename detection with git's own rules (diffcore-rename, as `git log` runs it by default):
// exact matches by blob id first, then files whose basename is unique on both sides (75%
// similarity), then the similarity matrix (50%) with git's similarity estimate, candidate
// ranking and rename limit. Same inputs, same pairs as git.
#include <vector>

#include "blob_store.hpp"
#include "tree_diff.hpp"

namespace gitfleet::git {

constexpr int kMaxSimilarity = 60000;  // git's MAX_SCORE

struct RenameOptions {
  int minimum_score = kMaxSimilarity / 2;  // git's default -M50%
  int rename_limit = 1000;                 // git's diff.renameLimit default; 0 = unlimited
};

// Returns the changes in git's output order; a detected pair becomes one change with
// status 'R' at the position of its destination.
std::vector<TreeChange> detect_renames(std::vector<TreeChange> changes, BlobStore& blobs,
                                       const RenameOptions& options = {});

}  // namespace gitfleet::git
