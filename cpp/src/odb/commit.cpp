#include "gitfleet/odb/commit.hpp"

#include "gitfleet/core/error.hpp"

namespace gitfleet::odb {
namespace {

[[noreturn]] void malformed(const ObjectId& id, const char* what) {
  throw Error(ErrorCode::ObjectError, "commit " + id.hex() + " is malformed: " + what);
}

// git's split_ident_line: the name ends before the first '<' (trailing spaces dropped), the
// e-mail runs to the next '>', then the date and the "+hhmm" zone.
Ident parse_ident(std::string_view line) {
  Ident ident;
  std::size_t lt = line.find('<');
  if (lt == std::string_view::npos) {
    ident.name = line;
    return ident;
  }
  std::size_t name_end = lt;
  while (name_end > 0 && (line[name_end - 1] == ' ' || line[name_end - 1] == '\t')) --name_end;
  ident.name = line.substr(0, name_end);
  std::size_t gt = line.find('>', lt + 1);
  if (gt == std::string_view::npos) {
    ident.email = line.substr(lt + 1);
    return ident;
  }
  ident.email = line.substr(lt + 1, gt - lt - 1);
  std::size_t p = gt + 1;
  while (p < line.size() && line[p] == ' ') ++p;
  std::int64_t time = 0;
  bool digits = false;
  while (p < line.size() && line[p] >= '0' && line[p] <= '9' && time < (std::int64_t(1) << 58)) {
    time = time * 10 + (line[p++] - '0');
    digits = true;
  }
  if (!digits) return ident;
  ident.time = time;
  while (p < line.size() && line[p] == ' ') ++p;
  if (p + 5 <= line.size() && (line[p] == '+' || line[p] == '-')) {
    int hhmm = 0;
    for (std::size_t i = p + 1; i < p + 5; ++i) {
      if (line[i] < '0' || line[i] > '9') return ident;
      hhmm = hhmm * 10 + (line[i] - '0');
    }
    int minutes = hhmm / 100 * 60 + hhmm % 100;
    ident.offset = line[p] == '-' ? -minutes : minutes;
  }
  return ident;
}

ObjectId parse_id(std::string_view hex, const ObjectId& commit, const char* what) {
  auto id = ObjectId::from_hex(hex);
  if (!id) malformed(commit, what);
  return *id;
}

}  // namespace

Commit::Commit(const ObjectId& id, Object object) : object_(std::move(object)) {
  if (object_.type != ObjectType::Commit)
    throw Error(ErrorCode::ObjectError, "object " + id.hex() + " is a " + type_name(object_.type) + ", not a commit");
  std::string_view rest = object_.data();
  bool has_tree = false, has_author = false, has_committer = false;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) {
      message_ = rest;
      break;
    }
    if (line[0] == ' ') continue;  // continuation of a multi-line header (gpgsig, mergetag)
    std::size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (key == "tree" && !has_tree) {
      tree_ = parse_id(value, id, "bad tree id");
      has_tree = true;
    } else if (key == "parent") {
      parents_.push_back(parse_id(value, id, "bad parent id"));
    } else if (key == "author" && !has_author) {
      author_ = parse_ident(value);
      has_author = true;
    } else if (key == "committer" && !has_committer) {
      committer_ = parse_ident(value);
      has_committer = true;
    } else if (key == "encoding" && encoding_.empty()) {
      encoding_ = value;
    }
  }
  if (!has_tree) malformed(id, "no tree");
  if (!has_committer) malformed(id, "no committer");
  if (!has_author) author_ = committer_;
}

}  // namespace gitfleet::odb
