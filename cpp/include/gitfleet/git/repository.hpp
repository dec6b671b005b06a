#pragma once
// An open repository: object lookups that fail with errors naming what was missing.
// One Repository must not be used by two threads at once (libgit2's rule); open one per
// thread instead (see RepositoryPool).
#include <git2.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "gitfleet/git/libgit2_handles.hpp"

namespace gitfleet::git {

// What walking history needs of a commit: its date, tree and parents.
struct CommitHeader {
  std::int64_t time = 0;  // committer date
  git_oid tree{};
  std::vector<git_oid> parents;
};

class Repository {
 public:
  // `path` must be the repository itself (work tree root, .git folder or bare repository);
  // parent folders are not searched, so a stray path never silently opens an enclosing repo.
  static Repository open(const std::string& path);

  git_repository* raw() const noexcept { return repo_.get(); }
  const std::string& path() const noexcept { return path_; }

  // The repository's name: the work tree's folder name, or a bare repository's without ".git".
  std::string name() const;

  // Resolves a single revision (sha, ref, "HEAD~3", ...) to a commit id.
  git_oid resolve_commit(const std::string& rev) const;

  CommitPtr commit(const git_oid& id) const;
  CommitHeader header(const git_oid& commit) const;
  TreePtr tree(const git_oid& id) const;
  BlobPtr blob(const git_oid& id) const;

 private:
  Repository(RepositoryPtr repo, std::string path) : repo_(std::move(repo)), path_(std::move(path)) {}
  RepositoryPtr repo_;
  std::string path_;
};

// Hands out one Repository per concurrent user, reusing handles (and their object caches).
class RepositoryPool {
 public:
  explicit RepositoryPool(std::string path) : path_(std::move(path)) {}

  class Lease {
   public:
    Lease(RepositoryPool& pool, Repository repo) : pool_(&pool), repo_(std::move(repo)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Repository& operator*() noexcept { return repo_; }
    Repository* operator->() noexcept { return &repo_; }

   private:
    RepositoryPool* pool_;
    Repository repo_;
    friend class RepositoryPool;
  };

  Lease acquire();

 private:
  std::string path_;
  std::mutex mutex_;
  std::vector<Repository> idle_;
};

}  // namespace gitfleet::git
