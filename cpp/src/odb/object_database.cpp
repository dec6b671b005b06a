#include "gitfleet/odb/object_database.hpp"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_set>

#include "commit_graph.hpp"
#include "delta.hpp"
#include "delta_base_cache.hpp"
#include "gitfleet/core/error.hpp"
#include "inflate.hpp"
#include "loose_object.hpp"
#include "pack.hpp"

namespace gitfleet::odb {
namespace {

namespace fs = std::filesystem;

// git follows alternates this deep (objects/info/alternates of alternates).
constexpr int kMaxAlternateDepth = 5;
// Longer delta chains than any git writes (pack.depth is capped at 4095): a cycle of REF
// deltas in a damaged pack ends here.
constexpr std::size_t kMaxDeltaChain = 10000;

void add_objects_dir(const fs::path& dir, int depth, std::vector<std::string>& out) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(dir, ec);
  std::string path = (ec ? dir : canonical).string();
  for (const std::string& known : out)
    if (known == path) return;
  if (!fs::is_directory(path, ec)) return;
  out.push_back(path);
  if (depth >= kMaxAlternateDepth) return;
  std::ifstream alternates(fs::path(path) / "info" / "alternates");
  std::string line;
  while (std::getline(alternates, line)) {
    if (line.empty() || line[0] == '#') continue;
    fs::path alt(line);
    add_objects_dir(alt.is_absolute() ? alt : fs::path(path) / alt, depth + 1, out);
  }
}

std::unordered_set<ObjectId, ObjectIdHash> read_shallow(const std::string& git_dir) {
  std::unordered_set<ObjectId, ObjectIdHash> shallow;
  std::ifstream in(fs::path(git_dir) / "shallow");
  std::string line;
  while (std::getline(in, line))
    if (auto id = ObjectId::from_hex(line)) shallow.insert(*id);
  return shallow;
}

}  // namespace

struct ObjectDatabase::State {
  std::vector<std::string> dirs;  // the repository's objects folder, then its alternates
  std::unordered_set<ObjectId, ObjectIdHash> shallow;
  std::unique_ptr<CommitGraph> graph;

  // Packs found so far; new ones (a fetch while we read) are picked up on a miss.
  std::mutex mutex;
  std::vector<std::shared_ptr<Pack>> packs;
  std::unordered_set<std::string> scanned;   // pack base paths opened or refused
  std::vector<std::string> unusable;         // why refused packs were refused
  std::atomic<std::uint64_t> generation{0};

  // Opens packs not seen before; true if any was added.
  bool scan() {
    std::lock_guard lock(mutex);
    bool added = false;
    for (const std::string& dir : dirs) {
      std::error_code ec;
      for (fs::directory_iterator it(fs::path(dir) / "pack", ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.extension() != ".idx") continue;
        std::string base = (p.parent_path() / p.stem()).string();
        if (!scanned.insert(base).second) continue;
        try {
          packs.push_back(std::make_shared<Pack>(base));
          added = true;
        } catch (const Error& e) {
          unusable.push_back(e.what());
        }
      }
    }
    if (added) generation.fetch_add(1);
    return added;
  }
};

ObjectDatabase::ObjectDatabase(std::unique_ptr<State> state) : state_(std::move(state)) {}
ObjectDatabase::~ObjectDatabase() = default;

std::shared_ptr<ObjectDatabase> ObjectDatabase::open(const std::string& objects_dir, const std::string& git_dir) {
  std::error_code ec;
  if (!fs::is_directory(objects_dir, ec))
    throw Error(ErrorCode::NotARepository, "no object database at " + objects_dir);
  auto state = std::make_unique<State>();
  add_objects_dir(objects_dir, 0, state->dirs);
  state->shallow = read_shallow(git_dir);
  // git ignores the commit-graph in a shallow repository: its parents would disagree.
  if (state->shallow.empty()) state->graph = CommitGraph::open(state->dirs.front());
  state->scan();
  return std::shared_ptr<ObjectDatabase>(new ObjectDatabase(std::move(state)));
}

bool ObjectDatabase::is_shallow(const ObjectId& commit) const { return state_->shallow.count(commit) != 0; }

std::optional<GraphCommit> ObjectDatabase::graph_commit(const ObjectId& commit) const {
  if (!state_->graph) return std::nullopt;
  return state_->graph->find(commit);
}

struct ObjectReader::Impl {
  ObjectDatabase::State& db;
  DeltaBaseCache cache;
  Inflater inflater;
  std::vector<std::shared_ptr<Pack>> packs;  // this reader's copy of the list
  std::uint64_t generation = ~0ull;
  std::size_t last_hit = 0;

  Impl(ObjectDatabase::State& state, std::size_t budget) : db(state), cache(budget) {}

  void refresh() {
    if (generation == db.generation.load(std::memory_order_acquire)) return;
    std::lock_guard lock(db.mutex);
    packs = db.packs;
    generation = db.generation.load();
  }

  // The pack and offset holding `id`, looking in the last pack that answered first.
  std::pair<Pack*, std::uint64_t> locate(const ObjectId& id) {
    refresh();
    if (last_hit < packs.size())
      if (auto off = packs[last_hit]->find(id)) return {packs[last_hit].get(), *off};
    for (std::size_t i = 0; i < packs.size(); ++i) {
      if (i == last_hit) continue;
      if (auto off = packs[i]->find(id)) {
        last_hit = i;
        return {packs[i].get(), *off};
      }
    }
    return {nullptr, 0};
  }

  Object inflate_entry(const Pack& pack, std::uint64_t offset, const PackEntry& e, ObjectType type,
                       const ObjectId& id) {
    if (e.size > (std::uint64_t(1) << 40)) pack.damaged(id, offset, "absurd size");
    auto storage = std::make_shared_for_overwrite<char[]>(e.size + 1);
    if (!inflater.inflate_exact(pack.at(e.data), pack.available(e.data),
                                reinterpret_cast<unsigned char*>(storage.get()), e.size))
      pack.damaged(id, offset, "bad or truncated zlib stream");
    return Object{type, std::move(storage), static_cast<std::size_t>(e.size)};
  }

  Object read_packed(Pack& pack, std::uint64_t offset, const ObjectId& id, int depth) {
    struct Step {
      std::uint64_t offset;
      PackEntry entry;
    };
    std::vector<Step> chain;
    Object base;
    for (std::uint64_t at = offset;;) {
      if (chain.size() > kMaxDeltaChain) pack.damaged(id, offset, "delta chain too long (a cycle?)");
      if (const Object* cached = cache.find({&pack, at})) {
        base = *cached;
        break;
      }
      PackEntry e = pack.entry(at, id);
      if (e.type >= 1 && e.type <= 4) {
        base = inflate_entry(pack, at, e, static_cast<ObjectType>(e.type), id);
        if (!chain.empty()) cache.put({&pack, at}, base);
        break;
      }
      chain.push_back({at, e});
      if (e.type == kOfsDelta) {
        at = e.base_offset;
      } else if (auto off = pack.find(e.base_id)) {
        at = *off;
      } else {
        base = read(e.base_id, depth + 1);  // a thin pack's base, elsewhere in the store
        break;
      }
    }
    for (std::size_t i = chain.size(); i-- > 0;) {
      const Step& step = chain[i];
      Object delta = inflate_entry(pack, step.offset, step.entry, base.type, id);
      auto bytes = reinterpret_cast<const unsigned char*>(delta.storage.get());
      auto size = delta_result_size(bytes, delta.size);
      if (!size) pack.damaged(id, step.offset, "truncated delta header");
      if (*size > (std::uint64_t(1) << 40)) pack.damaged(id, step.offset, "absurd delta result size");
      auto storage = std::make_shared_for_overwrite<char[]>(*size + 1);
      if (const char* what = apply_delta(base.data(), bytes, delta.size, storage.get(), *size))
        pack.damaged(id, step.offset, std::string("bad delta: ") + what);
      base = Object{base.type, std::move(storage), static_cast<std::size_t>(*size)};
      if (i > 0) cache.put({&pack, step.offset}, base);
    }
    return base;
  }

  [[noreturn]] void missing(const ObjectId& id) {
    std::string message = "object " + id.hex() + " not found";
    std::lock_guard lock(db.mutex);
    if (!db.unusable.empty()) message += " (unusable: " + db.unusable.front() + ")";
    throw Error(ErrorCode::ObjectError, message);
  }

  Object read(const ObjectId& id, int depth = 0) {
    if (depth > 64) throw Error(ErrorCode::ObjectError, "object " + id.hex() + ": delta bases refer to each other");
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (auto [pack, offset] = locate(id); pack) return read_packed(*pack, offset, id, depth);
      for (const std::string& dir : db.dirs)
        if (auto object = read_loose(dir, id)) return std::move(*object);
      if (!db.scan()) break;
    }
    missing(id);
  }

  std::pair<ObjectType, std::uint64_t> header(const ObjectId& id) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (auto [pack, offset] = locate(id); pack) {
        PackEntry e = pack->entry(offset, id);
        if (e.type >= 1 && e.type <= 4) return {static_cast<ObjectType>(e.type), e.size};
        Object object = read_packed(*pack, offset, id, 0);
        return {object.type, object.size};
      }
      for (const std::string& dir : db.dirs)
        if (auto h = read_loose_header(dir, id)) return *h;
      if (!db.scan()) break;
    }
    missing(id);
  }
};

ObjectReader::ObjectReader(std::shared_ptr<ObjectDatabase> db, std::size_t cache_bytes)
    : db_(std::move(db)), impl_(std::make_unique<Impl>(*db_->state_, cache_bytes)) {}
ObjectReader::~ObjectReader() = default;
ObjectReader::ObjectReader(ObjectReader&&) noexcept = default;
ObjectReader& ObjectReader::operator=(ObjectReader&&) noexcept = default;

Object ObjectReader::read(const ObjectId& id) { return impl_->read(id); }

Object ObjectReader::read(const ObjectId& id, ObjectType type) {
  Object object = impl_->read(id);
  if (object.type != type)
    throw Error(ErrorCode::ObjectError, "object " + id.hex() + " is a " + type_name(object.type) + ", not a " +
                                            type_name(type));
  return object;
}

std::pair<ObjectType, std::uint64_t> ObjectReader::header(const ObjectId& id) { return impl_->header(id); }

}  // namespace gitfleet::odb
