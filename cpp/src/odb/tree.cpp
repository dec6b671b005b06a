#include "gitfleet/odb/tree.hpp"

#include <cstring>

#include "gitfleet/core/error.hpp"

namespace gitfleet::odb {
namespace {

// git's canon_mode(): what tree comparisons see (a 100664 file reads as 100644).
std::uint32_t canonical_mode(std::uint32_t mode) {
  switch (mode & 0170000) {
    case 0100000: return (mode & 0100) ? 0100755 : 0100644;
    case 0120000: return 0120000;
    case 0040000: return kModeTree;
    default: return kModeGitlink;
  }
}

}  // namespace

namespace {

// One "<octal mode> <name>\0<20-byte id>" entry at the front of `rest`, which it consumes.
TreeEntry next_entry(std::string_view& rest, const ObjectId& id) {
  auto malformed = [&](const char* what) {
    throw Error(ErrorCode::ObjectError, "tree " + id.hex() + " is malformed: " + what);
  };
  std::uint32_t mode = 0;
  std::size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '7' && i < 7) mode = mode * 8 + (rest[i++] - '0');
  if (i == 0 || i >= rest.size() || rest[i] != ' ') malformed("bad entry mode");
  std::size_t nul = rest.find('\0', i + 1);
  if (nul == std::string_view::npos || nul == i + 1) malformed("bad entry name");
  if (rest.size() - nul - 1 < ObjectId::kSize) malformed("truncated entry");
  TreeEntry entry;
  entry.mode = canonical_mode(mode);
  entry.name = rest.substr(i + 1, nul - i - 1);
  entry.id = ObjectId::from_raw(reinterpret_cast<const unsigned char*>(rest.data() + nul + 1));
  rest.remove_prefix(nul + 1 + ObjectId::kSize);
  return entry;
}

void check_type(const ObjectId& id, const Object& object) {
  if (object.type != ObjectType::Tree)
    throw Error(ErrorCode::ObjectError, "object " + id.hex() + " is a " + type_name(object.type) + ", not a tree");
}

}  // namespace

Tree::Tree(const ObjectId& id, Object object) : id_(id), object_(std::move(object)) {
  check_type(id, object_);
  std::string_view rest = object_.data();
  entries_.reserve(rest.size() / 32);  // a typical entry: 7 + name + 1 + 20 bytes
  while (!rest.empty()) entries_.push_back(next_entry(rest, id));
}

std::optional<TreeEntry> find_entry(const ObjectId& id, const Object& tree, std::string_view name) {
  check_type(id, tree);
  std::string_view rest = tree.data();
  while (!rest.empty()) {
    TreeEntry entry = next_entry(rest, id);
    if (entry.name == name) return entry;
  }
  return std::nullopt;
}

}  // namespace gitfleet::odb
