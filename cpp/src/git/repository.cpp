#include "repository.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "tree_diff.hpp"

namespace gitfleet::git {
namespace {

std::shared_ptr<odb::ObjectDatabase> open_objects(git_repository* repo) {
  // A linked work tree keeps its objects in the common directory.
  std::string common = git_repository_commondir(repo);
  return odb::ObjectDatabase::open(common + "objects", git_repository_path(repo));
}

RepositoryPtr open_libgit2(const std::string& path) {
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
  return RepositoryPtr(raw);
}

ObjectId from_libgit2(const git_oid& oid) { return ObjectId::from_raw(oid.id); }

}  // namespace

Repository::Repository(RepositoryPtr repo, std::string path, std::shared_ptr<odb::ObjectDatabase> db)
    : repo_(std::move(repo)), path_(std::move(path)), db_(std::move(db)), objects_(db_) {}

Repository Repository::open(const std::string& path) {
  RepositoryPtr repo = open_libgit2(path);
  auto db = open_objects(repo.get());
  return Repository(std::move(repo), path, std::move(db));
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

std::string Repository::mailmap_text() const {
  if (const char* workdir = git_repository_workdir(repo_.get())) {
    // git refuses a symbolic link as the in-tree .mailmap (it could point anywhere).
    int fd = ::open((std::string(workdir) + ".mailmap").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return {};
    std::string text;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return text;
  }
  // Bare: git's mailmap.blob defaults to HEAD:.mailmap. An unborn HEAD has none.
  ObjectId head;
  try {
    head = resolve_commit("HEAD");
  } catch (const Error&) {
    return {};
  }
  std::optional<PathEntry> entry = find_path(*this, header(head).tree, ".mailmap");
  if (!entry || entry->mode == odb::kModeTree || entry->mode == odb::kModeGitlink) return {};
  return std::string(blob(entry->id).data());
}

std::unordered_set<ObjectId, ObjectIdHash> commit_set(const std::vector<std::string>& shas) {
  std::unordered_set<ObjectId, ObjectIdHash> set;
  set.reserve(shas.size());
  for (const std::string& sha : shas) {
    std::optional<ObjectId> id = ObjectId::from_hex(sha);
    if (!id) throw Error(ErrorCode::InvalidArgument, "exclude_commits: not a full commit SHA: '" + sha + "'");
    set.insert(*id);
  }
  return set;
}

ObjectId Repository::resolve_commit(const std::string& rev) const {
  if (rev.empty()) throw Error(ErrorCode::InvalidArgument, "rev is empty");
  if (rev.find("..") != std::string::npos)
    throw Error(ErrorCode::InvalidArgument,
                "rev must name one commit, not a range: '" + rev + "' (use since/until or max_count)");
  // A full id or a reference name resolves without libgit2 reading any object (a damaged
  // object is then reported by our store, not read by libgit2); other syntax goes to libgit2.
  std::optional<ObjectId> id = ObjectId::from_hex(rev);
  if (!id) {
    git_reference* ref = nullptr;
    if (git_reference_dwim(&ref, repo_.get(), rev.c_str()) == 0) {
      ReferencePtr owned(ref);
      git_reference* resolved = nullptr;
      if (git_reference_resolve(&resolved, ref) == 0) {
        ReferencePtr resolved_owned(resolved);
        if (const git_oid* target = git_reference_target(resolved)) id = from_libgit2(*target);
      }
    }
  }
  if (!id) {
    git_object* obj = nullptr;
    if (git_revparse_single(&obj, repo_.get(), rev.c_str()) < 0)
      throw Error(ErrorCode::RevisionNotFound, "unknown revision '" + rev + "' in " + path_);
    id = from_libgit2(*git_object_id(ObjectPtr(obj).get()));
  }
  // Peel tags down to the commit.
  for (int depth = 0; depth < 16; ++depth) {
    odb::Object object = objects_.read(*id);  // a damaged object is an ObjectError naming it
    if (object.type == odb::ObjectType::Commit) return *id;
    if (object.type != odb::ObjectType::Tag) break;
    std::string_view data = object.data();
    if (!data.starts_with("object ") || data.size() < 47) break;
    id = ObjectId::from_hex(data.substr(7, 40));
    if (!id) break;
  }
  throw Error(ErrorCode::RevisionNotFound, "revision '" + rev + "' does not name a commit in " + path_);
}

odb::Commit Repository::commit(const ObjectId& id) const {
  odb::Commit commit(id, objects_.read(id));
  if (db_->is_shallow(id)) commit.drop_parents();
  return commit;
}

CommitHeader Repository::header(const ObjectId& id) const {
  if (auto graph = db_->graph_commit(id)) return CommitHeader{graph->time, graph->tree, std::move(graph->parents)};
  odb::Commit c = commit(id);
  return CommitHeader{c.committer().time, c.tree(), c.parents()};
}

odb::Tree Repository::tree(const ObjectId& id) const { return odb::Tree(id, objects_.read(id)); }

odb::Object Repository::object(const ObjectId& id) const { return objects_.read(id); }

odb::Object Repository::blob(const ObjectId& id) const { return objects_.read(id, odb::ObjectType::Blob); }

std::uint64_t Repository::object_size(const ObjectId& id) const { return objects_.header(id).second; }

RepositoryPool::Lease::~Lease() {
  if (!pool_ || !repo_.raw()) return;
  std::lock_guard lock(pool_->mutex_);
  pool_->idle_.push_back(std::move(repo_));
}

RepositoryPool::Lease RepositoryPool::acquire() {
  std::shared_ptr<odb::ObjectDatabase> db;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      Repository repo = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(repo));
    }
    db = db_;
  }
  if (!db) {
    Repository repo = Repository::open(path_);
    std::lock_guard lock(mutex_);
    if (!db_) db_ = repo.db_;
    return Lease(*this, std::move(repo));
  }
  RepositoryPtr raw = open_libgit2(path_);
  return Lease(*this, Repository(std::move(raw), path_, std::move(db)));
}

}  // namespace gitfleet::git
