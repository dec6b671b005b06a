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

Tree::Tree(const ObjectId& id, Object object) : id_(id), object_(std::move(object)) {
  if (object_.type != ObjectType::Tree)
    throw Error(ErrorCode::ObjectError, "object " + id.hex() + " is a " + type_name(object_.type) + ", not a tree");
  std::string_view rest = object_.data();
  auto malformed = [&](const char* what) {
    throw Error(ErrorCode::ObjectError, "tree " + id.hex() + " is malformed: " + what);
  };
  while (!rest.empty()) {
    // "<octal mode> <name>\0<20-byte id>"
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
    entries_.push_back(entry);
    rest.remove_prefix(nul + 1 + ObjectId::kSize);
  }
}

const TreeEntry* Tree::find(std::string_view name) const noexcept {
  for (const TreeEntry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace gitfleet::odb
