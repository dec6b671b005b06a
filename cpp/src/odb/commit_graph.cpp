#include "commit_graph.hpp"

#include <sys/stat.h>

#include <cstring>

#include "gitfleet/core/error.hpp"

namespace gitfleet::odb {
namespace {

constexpr std::uint32_t kChunkFanout = 0x4f494446;  // "OIDF"
constexpr std::uint32_t kChunkIds = 0x4f49444c;     // "OIDL"
constexpr std::uint32_t kChunkData = 0x43444154;    // "CDAT"
constexpr std::uint32_t kChunkEdges = 0x45444745;   // "EDGE"
constexpr std::uint32_t kNoParent = 0x70000000;
constexpr std::size_t kDataWidth = ObjectId::kSize + 16;

}  // namespace

std::unique_ptr<CommitGraph> CommitGraph::open(const std::string& objects_dir) {
  std::string path = objects_dir + "/info/commit-graph";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return nullptr;
  std::unique_ptr<MappedFile> file;
  try {
    file = std::make_unique<MappedFile>(path);
  } catch (const Error&) {
    return nullptr;
  }
  const unsigned char* p = file->data();
  std::size_t size = file->size();
  // Header: signature, version 1, SHA-1, chunk count, base graphs (0: not part of a chain).
  if (size < 8 || std::memcmp(p, "CGPH", 4) != 0 || p[4] != 1 || p[5] != 1 || p[7] != 0) return nullptr;
  std::size_t chunks = p[6];
  if (size < 8 + (chunks + 1) * 12) return nullptr;
  std::unique_ptr<CommitGraph> graph(new CommitGraph(std::move(file)));
  std::size_t ids_size = 0, data_size = 0, edges_size = 0;
  for (std::size_t i = 0; i < chunks; ++i) {
    const unsigned char* entry = p + 8 + i * 12;
    std::uint32_t id = be32(entry);
    std::uint64_t start = be64(entry + 4), end = be64(entry + 16);
    if (start > end || end > size) return nullptr;
    const unsigned char* at = p + start;
    std::size_t length = end - start;
    if (id == kChunkFanout && length == 1024) graph->fanout_ = at;
    else if (id == kChunkIds) graph->ids_ = at, ids_size = length;
    else if (id == kChunkData) graph->data_ = at, data_size = length;
    else if (id == kChunkEdges) graph->edges_ = at, edges_size = length;
  }
  if (!graph->fanout_ || !graph->ids_ || !graph->data_) return nullptr;
  graph->count_ = be32(graph->fanout_ + 255 * 4);
  if (ids_size < std::size_t(graph->count_) * ObjectId::kSize || data_size < std::size_t(graph->count_) * kDataWidth)
    return nullptr;
  graph->edge_count_ = edges_size / 4;
  return graph;
}

std::optional<GraphCommit> CommitGraph::find(const ObjectId& id) const {
  auto pos = find_sorted_id(fanout_, ids_, ObjectId::kSize, 0, count_, id.bytes.data());
  if (!pos) return std::nullopt;
  const unsigned char* d = data_ + std::size_t(*pos) * kDataWidth;
  GraphCommit c;
  c.tree = ObjectId::from_raw(d);
  std::uint32_t p1 = be32(d + 20), p2 = be32(d + 24);
  auto parent = [&](std::uint32_t index) {
    if (index >= count_)
      throw Error(ErrorCode::ObjectError, "commit-graph " + file_->path() + " is damaged: commit " + id.hex() +
                                              " has a parent outside the graph");
    c.parents.push_back(id_at(index));
  };
  if (p1 != kNoParent) parent(p1);
  if (p2 != kNoParent) {
    if (!(p2 & 0x80000000u)) {
      parent(p2);
    } else {
      // An octopus: the other parents are a list in the EDGE chunk, the last one flagged.
      for (std::size_t e = p2 & 0x7fffffffu;; ++e) {
        if (e >= edge_count_)
          throw Error(ErrorCode::ObjectError, "commit-graph " + file_->path() + " is damaged: commit " + id.hex() +
                                                  " has a parent list outside the graph");
        std::uint32_t v = be32(edges_ + e * 4);
        parent(v & 0x7fffffffu);
        if (v & 0x80000000u) break;
      }
    }
  }
  c.time = static_cast<std::int64_t>((std::uint64_t(be32(d + 28)) & 3) << 32 | be32(d + 32));
  return c;
}

}  // namespace gitfleet::odb
