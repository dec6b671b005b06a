#include "gitfleet/git/repository.hpp"

#include <filesystem>

namespace gitfleet::git {

Repository Repository::open(const std::string& path) {
  ensure_libgit2();
  if (path.empty()) throw Error(ErrorCode::InvalidArgument, "repo_path is empty");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(ErrorCode::NotARepository, "repository path does not exist: " + path);
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc < 0) {
    std::string detail = last_libgit2_message();
    throw Error(ErrorCode::NotARepository,
                "not a git repository: " + path + (detail.empty() ? "" : " (" + detail + ")"));
  }
  return Repository(RepositoryPtr(raw), path);
}

std::string Repository::name() const {
  namespace fs = std::filesystem;
  const char* workdir = git_repository_workdir(repo_.get());
  fs::path p = workdir ? fs::path(workdir) : fs::path(git_repository_path(repo_.get()));
  std::string name = p.lexically_normal().parent_path().filename().string();
  if (!workdir && name.size() > 4 && name.ends_with(".git")) name.resize(name.size() - 4);
  if (name.empty() || name == "." || name == "..") {
    name = fs::absolute(p).lexically_normal().string();
  }
  return name;
}

git_oid Repository::resolve_commit(const std::string& rev) const {
  if (rev.empty()) throw Error(ErrorCode::InvalidArgument, "rev is empty");
  if (rev.find("..") != std::string::npos)
    throw Error(ErrorCode::InvalidArgument,
                "rev must name one commit, not a range: '" + rev + "' (use since/until or max_count)");
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo_.get(), rev.c_str()) < 0)
    throw Error(ErrorCode::RevisionNotFound, "unknown revision '" + rev + "' in " + path_);
  ObjectPtr owned(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
    throw Error(ErrorCode::RevisionNotFound, "revision '" + rev + "' does not name a commit in " + path_);
  git_oid id = *git_object_id(peeled);
  git_object_free(peeled);
  return id;
}

CommitPtr Repository::commit(const git_oid& id) const {
  git_commit* c = nullptr;
  check(git_commit_lookup(&c, repo_.get(), &id), ErrorCode::ObjectError, "cannot read commit " + oid_hex(id));
  return CommitPtr(c);
}

CommitHeader Repository::header(const git_oid& id) const {
  CommitPtr c = commit(id);
  CommitHeader h;
  h.time = git_commit_time(c.get());
  h.tree = *git_commit_tree_id(c.get());
  unsigned n = git_commit_parentcount(c.get());
  h.parents.reserve(n);
  for (unsigned i = 0; i < n; ++i) h.parents.push_back(*git_commit_parent_id(c.get(), i));
  return h;
}

TreePtr Repository::tree(const git_oid& id) const {
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, repo_.get(), &id), ErrorCode::ObjectError, "cannot read tree " + oid_hex(id));
  return TreePtr(t);
}

BlobPtr Repository::blob(const git_oid& id) const {
  git_blob* b = nullptr;
  check(git_blob_lookup(&b, repo_.get(), &id), ErrorCode::ObjectError, "cannot read blob " + oid_hex(id));
  return BlobPtr(b);
}

RepositoryPool::Lease::~Lease() {
  if (!pool_ || !repo_.raw()) return;
  std::lock_guard lock(pool_->mutex_);
  pool_->idle_.push_back(std::move(repo_));
}

RepositoryPool::Lease RepositoryPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      Repository repo = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(repo));
    }
  }
  return Lease(*this, Repository::open(path_));
}

}  // namespace gitfleet::git
