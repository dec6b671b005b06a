#include "rename_detection.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "commit_queue.hpp"
#include "line_stats.hpp"

namespace gitfleet::git {
namespace {

constexpr unsigned kSpanHashBase = 107927;  // git's HASHBASE
constexpr int kCandidatesPerDestination = 4;

// Content fingerprint: bytes per chunk hash, chunks end at LF or after 64 bytes
// (git's diffcore-delta). Sorted by hash so two fingerprints merge in one pass.
using Fingerprint = std::vector<std::pair<unsigned, std::uint64_t>>;

Fingerprint fingerprint(std::string_view data) {
  bool is_text = !looks_binary(data);
  std::unordered_map<unsigned, std::uint64_t> counts;
  unsigned accum1 = 0, accum2 = 0, n = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t left = data.size();
  while (left) {
    unsigned c = *p++;
    unsigned old1 = accum1;
    --left;
    if (is_text && c == '\r' && left && *p == '\n') continue;  // CRLF counts as LF
    accum1 = (accum1 << 7) ^ (accum2 >> 25);
    accum2 = (accum2 << 7) ^ (old1 >> 25);
    accum1 += c;
    if (++n < 64 && c != '\n') continue;
    counts[(accum1 + accum2 * 0x61) % kSpanHashBase] += n;
    n = 0;
    accum1 = accum2 = 0;
  }
  Fingerprint fp(counts.begin(), counts.end());
  std::sort(fp.begin(), fp.end());
  return fp;
}

std::uint64_t copied_bytes(const Fingerprint& src, const Fingerprint& dst) {
  std::uint64_t copied = 0;
  std::size_t i = 0, j = 0;
  while (i < src.size() && j < dst.size()) {
    if (src[i].first < dst[j].first) ++i;
    else if (dst[j].first < src[i].first) ++j;
    else copied += std::min(src[i++].second, dst[j++].second);
  }
  return copied;
}

bool basename_same(std::string_view a, std::string_view b) {
  std::size_t la = a.size(), lb = b.size();
  while (la && lb) {
    char ca = a[--la], cb = b[--lb];
    if (ca != cb) return false;
    if (ca == '/') return true;
  }
  return (!la || a[la - 1] == '/') && (!lb || b[lb - 1] == '/');
}

std::string_view basename_of(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// git refuses pairs whose sizes differ by more than the score allows, before reading them.
bool sizes_rule_out(std::uint64_t a, std::uint64_t b, int minimum_score) {
  std::uint64_t max_size = std::max(a, b), delta = max_size - std::min(a, b);
  return max_size * static_cast<std::uint64_t>(kMaxSimilarity - minimum_score) < delta * kMaxSimilarity;
}

int similarity_score(std::uint64_t copied, std::uint64_t src_size, std::uint64_t dst_size) {
  if (dst_size == 0) return 0;
  return static_cast<int>(copied * kMaxSimilarity / std::max(src_size, dst_size));
}

struct Score {
  int src = -1;
  int dst = -1;
  int score = 0;
  int name_score = 0;
};

// git's score_compare: > 0 when a ranks below b. Unused slots sink to the bottom.
int score_compare(const Score& a, const Score& b) {
  if (a.dst < 0) return 0 <= b.dst;
  if (b.dst < 0) return -1;
  if (a.score == b.score) return b.name_score - a.name_score;
  return b.score - a.score;
}

void record_if_better(Score* m, const Score& candidate) {
  int worst = 0;
  for (int i = 1; i < kCandidatesPerDestination; ++i)
    if (score_compare(m[i], m[worst]) > 0) worst = i;
  if (score_compare(m[worst], candidate) > 0) m[worst] = candidate;
}

class RenameMatcher {
 public:
  RenameMatcher(std::vector<TreeChange>& changes, BlobStore& blobs) : changes_(changes), blobs_(blobs) {
    for (std::size_t i = 0; i < changes.size(); ++i) {
      if (changes[i].status == 'A') dsts_.push_back({i, -1, 0});
      else if (changes[i].status == 'D') srcs_.push_back({i, false});
    }
  }

  bool has_candidates() const { return !dsts_.empty() && !srcs_.empty(); }

  void exact() {
    std::unordered_map<ObjectId, std::vector<int>, ObjectIdHash> by_id;
    for (int s = 0; s < static_cast<int>(srcs_.size()); ++s) by_id[src(s).old_id].push_back(s);
    for (auto& d : dsts_) {
      const TreeChange& target = changes_[d.change];
      auto it = by_id.find(target.new_id);
      if (it == by_id.end()) continue;
      int best = -1, best_score = -1, budget = 100;
      for (int s : it->second) {
        const TreeChange& source = src(s);
        bool both_regular = is_regular_file_mode(source.old_mode) && is_regular_file_mode(target.new_mode);
        if (!both_regular && source.old_mode != target.new_mode) continue;
        if (srcs_[s].used) continue;
        int score = 1 + basename_same(source.old_path, target.new_path);
        if (score > best_score) {
          best = s;
          best_score = score;
          if (score == 2) break;
        }
        if (!--budget) break;
      }
      if (best >= 0) pair(d, best, kMaxSimilarity);
    }
  }

  void by_unique_basename(int minimum_score) {
    std::map<std::string_view, int> src_names, dst_names;  // basename -> index, -1 if not unique
    for (int s : remaining_sources()) note_unique(src_names, basename_of(src(s).old_path), s);
    for (int d = 0; d < static_cast<int>(dsts_.size()); ++d)
      if (dsts_[d].src < 0) note_unique(dst_names, basename_of(changes_[dsts_[d].change].new_path), d);
    for (int s : remaining_sources()) {
      std::string_view base = basename_of(src(s).old_path);
      auto d_it = dst_names.find(base);
      if (d_it == dst_names.end() || src_names[base] < 0 || d_it->second < 0) continue;
      Destination& d = dsts_[d_it->second];
      if (d.src >= 0) continue;
      int score = similarity(s, d, minimum_score);
      if (score >= minimum_score) pair(d, s, score);
    }
  }

  void by_similarity(int minimum_score, int rename_limit) {
    std::vector<int> sources = remaining_sources();
    std::vector<int> open;
    for (int d = 0; d < static_cast<int>(dsts_.size()); ++d)
      if (dsts_[d].src < 0) open.push_back(d);
    if (open.empty() || sources.empty()) return;
    if (rename_limit > 0 && static_cast<std::uint64_t>(open.size()) * sources.size() >
                                static_cast<std::uint64_t>(rename_limit) * static_cast<std::uint64_t>(rename_limit))
      return;  // git gives up on inexact renames past the limit too
    std::vector<Score> matrix(open.size() * kCandidatesPerDestination);
    for (std::size_t k = 0; k < open.size(); ++k) {
      Score* m = &matrix[k * kCandidatesPerDestination];
      const TreeChange& target = changes_[dsts_[open[k]].change];
      for (int s : sources) {
        Score candidate{s, open[k], similarity(s, dsts_[open[k]], minimum_score),
                        basename_same(src(s).old_path, target.new_path) ? 1 : 0};
        record_if_better(m, candidate);
      }
    }
    std::stable_sort(matrix.begin(), matrix.end(),
                     [](const Score& a, const Score& b) { return score_compare(a, b) < 0; });
    for (const Score& entry : matrix) {
      if (entry.dst < 0 || entry.score < minimum_score) break;
      Destination& d = dsts_[entry.dst];
      if (d.src >= 0 || srcs_[entry.src].used) continue;
      pair(d, entry.src, entry.score);
    }
  }

  std::vector<TreeChange> result() {
    std::vector<TreeChange> out;
    out.reserve(changes_.size());
    std::vector<int> dst_of_change(changes_.size(), -1);
    std::vector<bool> source_used(changes_.size(), false);
    for (int d = 0; d < static_cast<int>(dsts_.size()); ++d) dst_of_change[dsts_[d].change] = d;
    for (const auto& s : srcs_) source_used[s.change] = s.used;
    for (std::size_t i = 0; i < changes_.size(); ++i) {
      TreeChange& c = changes_[i];
      if (c.status == 'D' && source_used[i]) continue;
      if (c.status == 'A' && dst_of_change[i] >= 0 && dsts_[dst_of_change[i]].src >= 0) {
        const TreeChange& from = src(dsts_[dst_of_change[i]].src);
        c.status = 'R';
        c.old_path = from.old_path;
        c.old_id = from.old_id;
        c.old_mode = from.old_mode;
      }
      out.push_back(std::move(c));
    }
    return out;
  }

 private:
  struct Destination {
    std::size_t change;
    int src;  // paired source index, -1 while open
    int score;
  };
  struct Source {
    std::size_t change;
    bool used;
  };

  template <class Map>
  static void note_unique(Map& names, std::string_view base, int index) {
    auto [it, inserted] = names.emplace(base, index);
    if (!inserted) it->second = -1;
  }

  const TreeChange& src(int s) const { return changes_[srcs_[s].change]; }

  std::vector<int> remaining_sources() const {
    std::vector<int> out;
    for (int s = 0; s < static_cast<int>(srcs_.size()); ++s)
      if (!srcs_[s].used) out.push_back(s);
    return out;
  }

  void pair(Destination& d, int s, int score) {
    d.src = s;
    d.score = score;
    srcs_[s].used = true;
  }

  int similarity(int s, const Destination& d, int minimum_score) {
    const TreeChange& from = src(s);
    const TreeChange& to = changes_[d.change];
    if (!is_regular_file_mode(from.old_mode) || !is_regular_file_mode(to.new_mode)) return 0;
    std::uint64_t src_size = blobs_.size(from.old_id, from.old_mode);
    std::uint64_t dst_size = blobs_.size(to.new_id, to.new_mode);
    if (sizes_rule_out(src_size, dst_size, minimum_score)) return 0;
    std::uint64_t copied = copied_bytes(print(from.old_id, from.old_mode), print(to.new_id, to.new_mode));
    return similarity_score(copied, src_size, dst_size);
  }

  const Fingerprint& print(const ObjectId& id, std::uint32_t mode) {
    auto it = prints_.find(id);
    if (it == prints_.end()) it = prints_.emplace(id, fingerprint(blobs_.content(id, mode))).first;
    return it->second;
  }

  std::vector<TreeChange>& changes_;
  BlobStore& blobs_;
  std::vector<Destination> dsts_;
  std::vector<Source> srcs_;
  std::unordered_map<ObjectId, Fingerprint, ObjectIdHash> prints_;
};

}  // namespace

std::vector<TreeChange> detect_renames(std::vector<TreeChange> changes, BlobStore& blobs,
                                       const RenameOptions& options) {
  RenameMatcher matcher(changes, blobs);
  if (!matcher.has_candidates()) return changes;
  matcher.exact();
  if (options.minimum_score < kMaxSimilarity) {
    int basename_score = options.minimum_score + static_cast<int>(0.5 * (kMaxSimilarity - options.minimum_score));
    matcher.by_unique_basename(basename_score);
    matcher.by_similarity(options.minimum_score, options.rename_limit);
  }
  return matcher.result();
}

}  // namespace gitfleet::git
