#pragma once
// git's line diff (the xdiff inside libgit2) over two buffers, without libgit2 hashing them.
// git_diff_buffers() SHA-1s both sides first (SHA-1DC, ~330 MB/s here: most of a history
// run); git_diff_blobs() does not, so each buffer is served to libgit2 as a blob of an
// in-memory object database under an id that is never reused.
#include <git2.h>

#include <string_view>

namespace gitfleet::git {

// Same callbacks and options as git_diff_buffers(); the diff runs on this thread's own
// in-memory repository. Throws Error(Internal) if libgit2 fails.
void diff_buffers(std::string_view old_data, std::string_view new_data, const git_diff_options& options,
                  git_diff_hunk_cb hunk_cb, git_diff_line_cb line_cb, void* payload);

}  // namespace gitfleet::git
