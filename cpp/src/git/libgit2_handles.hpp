#pragma once
// RAII ownership of libgit2 objects and one way of turning libgit2 failures into Errors.
// libgit2 serves references, revision parsing and remotes; objects are read by gitfleet::odb.
#include <git2.h>

#include <memory>
#include <string>

#include "gitfleet/core/error.hpp"

namespace gitfleet::git {

template <class T, void (*Free)(T*)>
struct Libgit2Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};

using RepositoryPtr = std::unique_ptr<git_repository, Libgit2Deleter<git_repository, git_repository_free>>;
using ObjectPtr = std::unique_ptr<git_object, Libgit2Deleter<git_object, git_object_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Libgit2Deleter<git_reference, git_reference_free>>;

// Initialises libgit2 once per process (safe to call from any thread, any number of times).
void ensure_libgit2();

// libgit2's message for the last failure on this thread ("" if none).
std::string last_libgit2_message();

// Throws Error(code, context + ": " + libgit2's message) when rc < 0.
void check(int rc, ErrorCode code, const std::string& context);

}  // namespace gitfleet::git
