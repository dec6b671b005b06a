#include "line_diff.hpp"

#include <git2/sys/odb_backend.h>

#include <cstring>
#include <memory>

#include "libgit2_handles.hpp"

namespace gitfleet::git {
namespace {

using BlobPtr = std::unique_ptr<git_blob, Libgit2Deleter<git_blob, git_blob_free>>;
using OdbPtr = std::unique_ptr<git_odb, Libgit2Deleter<git_odb, git_odb_free>>;

// An object database of two slots: the buffers of the diff being run.
struct BufferBackend {
  git_odb_backend parent;  // first member: libgit2 hands this pointer back
  git_oid ids[2]{};
  std::string_view data[2];

  static BufferBackend* of(git_odb_backend* b) { return reinterpret_cast<BufferBackend*>(b); }

  int slot(const git_oid* id) const {
    for (int i = 0; i < 2; ++i)
      if (git_oid_equal(id, &ids[i])) return i;
    return -1;
  }

  static int read(void** out, size_t* len, git_object_t* type, git_odb_backend* b, const git_oid* id) {
    BufferBackend* self = of(b);
    int i = self->slot(id);
    if (i < 0) return GIT_ENOTFOUND;
    std::string_view d = self->data[i];
    void* copy = git_odb_backend_data_alloc(b, d.size() + 1);
    if (!copy) return -1;
    std::memcpy(copy, d.data(), d.size());
    *out = copy;
    *len = d.size();
    *type = GIT_OBJECT_BLOB;
    return 0;
  }
  static int read_header(size_t* len, git_object_t* type, git_odb_backend* b, const git_oid* id) {
    int i = of(b)->slot(id);
    if (i < 0) return GIT_ENOTFOUND;
    *len = of(b)->data[i].size();
    *type = GIT_OBJECT_BLOB;
    return 0;
  }
  static int exists(git_odb_backend* b, const git_oid* id) { return of(b)->slot(id) >= 0; }
  static void free(git_odb_backend* b) { delete of(b); }
};

class BufferDiffer {
 public:
  BufferDiffer() {
    ensure_libgit2();
    git_odb* odb = nullptr;
    check(git_odb_new(&odb), ErrorCode::Internal, "cannot create an in-memory object database");
    OdbPtr owned(odb);
    auto* backend = new BufferBackend();
    git_odb_init_backend(&backend->parent, GIT_ODB_BACKEND_VERSION);
    backend->parent.read = &BufferBackend::read;
    backend->parent.read_header = &BufferBackend::read_header;
    backend->parent.exists = &BufferBackend::exists;
    backend->parent.free = &BufferBackend::free;
    if (git_odb_add_backend(odb, &backend->parent, 1) < 0) {
      delete backend;
      check(-1, ErrorCode::Internal, "cannot add the buffer backend");
    }
    backend_ = backend;
    git_repository* repo = nullptr;
    check(git_repository_wrap_odb(&repo, odb), ErrorCode::Internal, "cannot create an in-memory repository");
    repo_.reset(repo);
  }

  void run(std::string_view a, std::string_view b, const git_diff_options& options, git_diff_hunk_cb hunk_cb,
           git_diff_line_cb line_cb, void* payload) {
    // Fresh ids every time: libgit2 may cache objects by id, and equal ids would read as
    // "unchanged" without a diff.
    for (int i = 0; i < 2; ++i) {
      ++counter_;
      std::memset(backend_->ids[i].id, 0, sizeof backend_->ids[i].id);
      std::memcpy(backend_->ids[i].id, &counter_, sizeof counter_);
      backend_->ids[i].id[GIT_OID_RAWSZ - 1] = 0xff;
    }
    backend_->data[0] = a;
    backend_->data[1] = b;
    git_blob* raw_a = nullptr;
    git_blob* raw_b = nullptr;
    check(git_blob_lookup(&raw_a, repo_.get(), &backend_->ids[0]), ErrorCode::Internal, "line diff failed");
    BlobPtr blob_a(raw_a);
    check(git_blob_lookup(&raw_b, repo_.get(), &backend_->ids[1]), ErrorCode::Internal, "line diff failed");
    BlobPtr blob_b(raw_b);
    // The empty "as path" skips libgit2's per-call .gitattributes lookup.
    int rc = git_diff_blobs(blob_a.get(), "", blob_b.get(), "", &options, nullptr, nullptr, hunk_cb, line_cb, payload);
    backend_->data[0] = backend_->data[1] = {};
    check(rc, ErrorCode::Internal, "line diff failed");
  }

 private:
  RepositoryPtr repo_;
  BufferBackend* backend_ = nullptr;  // owned by the object database
  std::uint64_t counter_ = 0;
};

}  // namespace

void diff_buffers(std::string_view old_data, std::string_view new_data, const git_diff_options& options,
                  git_diff_hunk_cb hunk_cb, git_diff_line_cb line_cb, void* payload) {
  thread_local BufferDiffer differ;
  differ.run(old_data, new_data, options, hunk_cb, line_cb, payload);
}

}  // namespace gitfleet::git
