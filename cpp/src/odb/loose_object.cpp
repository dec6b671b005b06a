#include "loose_object.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <vector>

#include "gitfleet/core/error.hpp"

namespace gitfleet::odb {
namespace {

// Longer than any "<type> <size>\0" git writes.
constexpr std::size_t kMaxHeader = 32;

[[noreturn]] void damaged(const ObjectId& id, const std::string& what) {
  throw Error(ErrorCode::ObjectError, "loose object " + id.hex() + " is damaged: " + what);
}

std::string path_of(const std::string& objects_dir, const ObjectId& id) {
  std::string hex = id.hex();
  return objects_dir + "/" + hex.substr(0, 2) + "/" + hex.substr(2);
}

// The whole file, or nullopt if it does not exist.
std::optional<std::vector<unsigned char>> slurp(const std::string& path, const ObjectId& id) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw Error(ErrorCode::ObjectError, "cannot open loose object " + id.hex() + ": " + std::strerror(errno));
  }
  std::vector<unsigned char> bytes;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) bytes.reserve(static_cast<std::size_t>(st.st_size));
  unsigned char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw Error(ErrorCode::ObjectError, "cannot read loose object " + id.hex() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  ::close(fd);
  return bytes;
}

struct Header {
  ObjectType type;
  std::uint64_t size;
  std::size_t length;  // bytes up to and including the NUL
};

Header parse_header(const unsigned char* p, std::size_t n, const ObjectId& id) {
  const void* nul = std::memchr(p, 0, n);
  if (!nul) damaged(id, "no object header");
  std::string_view header(reinterpret_cast<const char*>(p), static_cast<const unsigned char*>(nul) - p);
  std::size_t space = header.find(' ');
  if (space == std::string_view::npos) damaged(id, "bad object header");
  std::string_view type = header.substr(0, space), digits = header.substr(space + 1);
  Header h{};
  if (type == "commit") h.type = ObjectType::Commit;
  else if (type == "tree") h.type = ObjectType::Tree;
  else if (type == "blob") h.type = ObjectType::Blob;
  else if (type == "tag") h.type = ObjectType::Tag;
  else damaged(id, "unknown type '" + std::string(type) + "'");
  if (digits.empty() || digits.size() > 18) damaged(id, "bad size in object header");
  h.size = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') damaged(id, "bad size in object header");
    h.size = h.size * 10 + static_cast<unsigned>(c - '0');
  }
  h.length = header.size() + 1;
  return h;
}

class Stream {
 public:
  Stream(const std::vector<unsigned char>& in, const ObjectId& id) : id_(id) {
    if (inflateInit(&zs_) != Z_OK) throw std::bad_alloc();
    zs_.next_in = const_cast<unsigned char*>(in.data());
    zs_.avail_in = static_cast<uInt>(in.size() > UINT_MAX ? UINT_MAX : in.size());
  }
  ~Stream() { inflateEnd(&zs_); }

  // Fills out[0..n) as far as the stream goes; returns how much was produced. Every call
  // either progresses or ends: a truncated stream stops here instead of spinning.
  std::size_t fill(unsigned char* out, std::size_t n, bool& ended) {
    zs_.next_out = out;
    zs_.avail_out = static_cast<uInt>(n);
    ended = false;
    while (zs_.avail_out > 0) {
      int rc = ::inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended = true;
        break;
      }
      if (rc == Z_BUF_ERROR && zs_.avail_in == 0) damaged(id_, "truncated");
      if (rc != Z_OK) damaged(id_, zs_.msg ? zs_.msg : "bad zlib stream");
    }
    return n - zs_.avail_out;
  }

 private:
  z_stream zs_{};
  const ObjectId& id_;
};

// A loose object opened and inflated as far as its header (and the first bytes after it).
struct Opened {
  std::vector<unsigned char> bytes;
  std::unique_ptr<Stream> stream;
  unsigned char head[kMaxHeader];
  std::size_t got = 0;
  bool ended = false;
  Header header{};

  static std::optional<Opened> open(const std::string& objects_dir, const ObjectId& id) {
    std::optional<Opened> o(std::in_place);
    auto bytes = slurp(path_of(objects_dir, id), id);
    if (!bytes) return std::nullopt;
    o->bytes = std::move(*bytes);
    o->stream = std::make_unique<Stream>(o->bytes, id);
    o->got = o->stream->fill(o->head, sizeof o->head, o->ended);
    o->header = parse_header(o->head, o->got, id);
    return o;
  }
};

}  // namespace

std::optional<Object> read_loose(const std::string& objects_dir, const ObjectId& id) {
  auto opened = Opened::open(objects_dir, id);
  if (!opened) return std::nullopt;
  const Header& h = opened->header;
  if (h.size > (std::uint64_t(1) << 40)) damaged(id, "absurd size");
  std::size_t extra = opened->got - h.length;
  if (extra > h.size) damaged(id, "longer than its header says");
  Object object;
  object.type = h.type;
  object.size = static_cast<std::size_t>(h.size);
  auto storage = std::make_shared_for_overwrite<char[]>(object.size + 1);
  std::memcpy(storage.get(), opened->head + h.length, extra);
  std::size_t have = extra;
  bool& ended = opened->ended;
  if (!ended && have < object.size)
    have += opened->stream->fill(reinterpret_cast<unsigned char*>(storage.get()) + have, object.size - have, ended);
  if (have != object.size) damaged(id, "shorter than its header says");
  if (!ended) {
    // Every byte announced is here: the stream must end now, with nothing more.
    unsigned char probe;
    if (opened->stream->fill(&probe, 1, ended) != 0 || !ended) damaged(id, "longer than its header says");
  }
  object.storage = std::move(storage);
  return object;
}

std::optional<std::pair<ObjectType, std::uint64_t>> read_loose_header(const std::string& objects_dir,
                                                                      const ObjectId& id) {
  auto opened = Opened::open(objects_dir, id);
  if (!opened) return std::nullopt;
  return std::pair{opened->header.type, opened->header.size};
}

}  // namespace gitfleet::odb
