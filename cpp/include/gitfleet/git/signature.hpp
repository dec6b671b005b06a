#pragma once
// Who made a commit, and when: the author or committer line of a commit, as history and blame
// report it (UTF-8, times in seconds since the epoch with the offset git recorded).
#include <cstdint>
#include <string>

namespace gitfleet::git {

struct Signature {
  std::string name;
  std::string email;
  std::int64_t timestamp = 0;  // seconds since the epoch
  int offset = 0;              // minutes east of UTC
};

// The offset as git prints it: "+0200", "-0530".
std::string offset_string(int offset_minutes);

}  // namespace gitfleet::git
