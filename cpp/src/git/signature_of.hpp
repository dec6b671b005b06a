#pragma once
// A commit's author or committer line as a Signature, re-encoded to UTF-8 from the encoding
// the commit declares (history and blame read them the same way).
#include <string_view>

#include "gitfleet/git/signature.hpp"
#include "gitfleet/odb/commit.hpp"

namespace gitfleet::git {

Signature signature_of(const odb::Ident& ident, std::string_view encoding);

}  // namespace gitfleet::git
