#pragma once
// Loose objects (objects/xx/yyyy...): one zlib stream of "<type> <size>\0<content>".
#include <optional>
#include <string>

#include "gitfleet/odb/object_database.hpp"

namespace gitfleet::odb {

// The object stored in `objects_dir`, nullopt if it is not there; Error(ObjectError) naming
// the object if it is there but damaged (truncated, bad header, wrong length).
std::optional<Object> read_loose(const std::string& objects_dir, const ObjectId& id);
std::optional<std::pair<ObjectType, std::uint64_t>> read_loose_header(const std::string& objects_dir,
                                                                      const ObjectId& id);

}  // namespace gitfleet::odb
