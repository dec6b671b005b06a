#pragma once
// An open repository: references and revisions through libgit2, every object through our
// own object store (gitfleet::odb), shallow boundaries and the commit-graph honoured.
// One Repository must not be used by two threads at once; RepositoryPool hands out one per
// thread, all sharing one object database (its mapped packs).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "libgit2_handles.hpp"
#include "gitfleet/odb/commit.hpp"
#include "gitfleet/odb/object_database.hpp"
#include "gitfleet/odb/tree.hpp"

namespace gitfleet::git {

using odb::ObjectId;
using odb::ObjectIdHash;

// What walking history needs of a commit: its date, tree and parents.
struct CommitHeader {
  std::int64_t time = 0;  // committer date
  ObjectId tree{};
  std::vector<ObjectId> parents;
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

  // The .mailmap git reads by default: the work tree's (not through a symbolic link), or in a
  // bare repository the one committed at HEAD; empty when there is none.
  std::string mailmap_text() const;

  // Resolves a single revision (sha, ref, "HEAD~3", ...) to a commit id.
  ObjectId resolve_commit(const std::string& rev) const;

  // A shallow commit comes without parents, as git shows it.
  odb::Commit commit(const ObjectId& id) const;
  CommitHeader header(const ObjectId& commit) const;
  odb::Tree tree(const ObjectId& id) const;
  odb::Object object(const ObjectId& id) const;
  odb::Object blob(const ObjectId& id) const;
  std::uint64_t object_size(const ObjectId& id) const;

 private:
  Repository(RepositoryPtr repo, std::string path, std::shared_ptr<odb::ObjectDatabase> db);
  friend class RepositoryPool;
  RepositoryPtr repo_;
  std::string path_;
  std::shared_ptr<odb::ObjectDatabase> db_;
  mutable odb::ObjectReader objects_;
};

// A caller's set of commits given as full SHAs (exclude_commits); an error names what is not one.
std::unordered_set<ObjectId, ObjectIdHash> commit_set(const std::vector<std::string>& shas);

// Hands out one Repository per concurrent user, reusing handles (and their caches).
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
  std::shared_ptr<odb::ObjectDatabase> db_;  // shared by every handle once the first opened
};

}  // namespace gitfleet::git
