#include "ignored_lines.hpp"

#include <cstdlib>

namespace gitfleet::git::ignored_lines {
namespace {

constexpr int kCertainNothingMatches = -2;
constexpr int kCertaintyNotCalculated = -1;
constexpr int kFileThreshold = 10;  // git's FINGERPRINT_FILE_THRESHOLD

// git's own ctype (ASCII only): bytes above 0x7f stay negative chars, and so do the keys
// built from them, as in git.
unsigned normalised(const char* p, const char* end) {
  if (p == end) return 0;
  int x = static_cast<signed char>(*p);
  if (x == ' ' || x == '\t' || x == '\n' || x == '\r') return 0;
  if (x >= 'A' && x <= 'Z') x |= 0x20;
  return static_cast<unsigned>(x);
}

Fingerprint fingerprint(const char* begin, const char* end) {
  Fingerprint fp;
  unsigned c0 = 0;
  for (const char* p = begin; p <= end; ++p) {
    unsigned c1 = normalised(p, end);
    std::uint32_t hash = c0 | (c1 << 8);
    c0 = c1;
    if (hash == 0) continue;
    ++fp[hash];
  }
  return fp;
}

int similarity(const Fingerprint& a, const Fingerprint& b) {
  int intersection = 0;
  for (const auto& [key, count] : b) {
    auto it = a.find(key);
    if (it != a.end()) intersection += std::min(it->second, count);
  }
  return intersection;
}

void subtract(Fingerprint& a, const Fingerprint& b) {
  for (const auto& [key, count] : b) {
    auto it = a.find(key);
    if (it == a.end()) continue;
    if (it->second <= count) a.erase(it);
    else it->second -= count;
  }
}

struct LineMapping {
  int destination_start, destination_length, source_start, source_length;
  int map(int line) const {
    return ((line - source_start) * 2 + 1) * destination_length / (source_length * 2) + destination_start;
  }
};

// git's fuzzy_find_matching_lines, state in one place. Rows of `similarities` (one per
// target line of the hunk) hold the similarity with the 2d+1 parent lines around its
// proportional position; -1 means not computed.
class FuzzyMatcher {
 public:
  FuzzyMatcher(std::vector<Fingerprint>& a, const std::vector<Fingerprint>& b, int start_a, int length_a,
               int start_b, int length_b)
      : fa_(a), fb_(b), mapping_{start_a, length_a, start_b, length_b} {
    d_ = 10;
    if (d_ >= length_a) d_ = length_a ? length_a - 1 : 0;
    db_ = ((2 * d_ + 1) * length_b - 1) / length_a;
    result_.assign(length_b, -1);
    second_.assign(length_b, -1);
    certainty_.assign(length_b, kCertaintyNotCalculated);
    similarities_.assign(static_cast<std::size_t>(length_b) * (2 * d_ + 1), -1);
    recurse(start_a, start_b, length_a, length_b, 0);
  }

  const std::vector<int>& result() const { return result_; }

 private:
  int& sim(int row, int line_a, int closest_a) {
    return similarities_[static_cast<std::size_t>(row) * (2 * d_ + 1) + (line_a - closest_a + d_)];
  }

  void find_best(int start_a, int length_a, int start_b, int local_b, int base) {
    int row = base + local_b;
    if (certainty_[row] != kCertaintyNotCalculated) return;
    int closest = mapping_.map(local_b + start_b) - start_a;
    int from = std::max(0, closest - d_), to = std::min(length_a, closest + d_ + 1);
    int best = 0, second = 0, best_i = 0, second_i = 0;
    for (int i = from; i < to; ++i) {
      int& s = sim(row, i, closest);
      if (s == -1) s = similarity(fb_[start_b + local_b], fa_[start_a + i]) * (1000 - std::abs(i - closest));
      if (s > best) {
        second = best;
        second_i = best_i;
        best = s;
        best_i = i;
      } else if (s > second) {
        second = s;
        second_i = i;
      }
    }
    if (best == 0) {
      certainty_[row] = kCertainNothingMatches;
      result_[row] = -1;
    } else {
      certainty_[row] = best * 2 - second;
      result_[row] = start_a + best_i;
      second_[row] = start_a + second_i;
    }
  }

  void recurse(int start_a, int start_b, int length_a, int length_b, int base) {
    int most_b = -1, most_certainty = -1;
    for (int i = 0; i < length_b; ++i) {
      find_best(start_a, length_a, start_b, i, base);
      if (certainty_[base + i] > most_certainty) {
        most_certainty = certainty_[base + i];
        most_b = i;
      }
    }
    if (most_b == -1) return;
    int most_a = result_[base + most_b];
    subtract(fa_[most_a], fb_[start_b + most_b]);

    int invalidate_min = std::max(0, most_b - db_), invalidate_max = std::min(length_b, most_b + db_ + 1);
    for (int i = invalidate_min; i < invalidate_max; ++i) {
      int closest = mapping_.map(i + start_b) - start_a;
      if (std::abs(most_a - start_a - closest) > d_) continue;
      sim(base + i, most_a - start_a, closest) = -1;
    }
    for (int i = most_b - 1; i >= invalidate_min; --i)
      if (certainty_[base + i] >= 0 && (result_[base + i] >= most_a || second_[base + i] >= most_a))
        certainty_[base + i] = kCertaintyNotCalculated;
    for (int i = most_b + 1; i < invalidate_max; ++i)
      if (certainty_[base + i] >= 0 && (result_[base + i] <= most_a || second_[base + i] <= most_a))
        certainty_[base + i] = kCertaintyNotCalculated;

    if (most_b > 0) recurse(start_a, start_b, most_a + 1 - start_a, most_b, base);
    if (most_b + 1 < length_b) {
      int offset_b = most_b + 1;
      recurse(most_a, start_b + offset_b, length_a + start_a - most_a, length_b - offset_b, base + offset_b);
    }
  }

  std::vector<Fingerprint>& fa_;
  const std::vector<Fingerprint>& fb_;
  LineMapping mapping_;
  int d_ = 10, db_ = 0;
  std::vector<int> result_, second_, certainty_, similarities_;
};

int scan_parent_range(const std::vector<Fingerprint>& parent, const std::vector<Fingerprint>& target, int t) {
  int best_val = kFileThreshold, best_idx = -1;
  for (int p = 0; p < static_cast<int>(parent.size()); ++p) {
    int s = similarity(target[t], parent[p]);
    if (s < best_val) continue;
    if (s == best_val && best_idx != -1 && std::abs(best_idx - t) < std::abs(p - t)) continue;
    best_val = s;
    best_idx = p;
  }
  return best_idx;
}

}  // namespace

std::vector<Fingerprint> line_fingerprints(std::string_view content) {
  std::vector<Fingerprint> out;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t nl = content.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? content.size() : nl + 1;
    out.push_back(fingerprint(content.data() + start, content.data() + end));
    start = end;
  }
  return out;
}

std::vector<LineBlame> guess_line_blames(std::vector<Fingerprint>& parent_fps,
                                         const std::vector<Fingerprint>& target_fps, int tlno, int offset,
                                         int same, int parent_len) {
  int parent_slno = tlno + offset;
  std::vector<int> fuzzy;
  if (parent_len > 0) fuzzy = FuzzyMatcher(parent_fps, target_fps, parent_slno, parent_len, tlno, same - tlno).result();
  std::vector<LineBlame> out;
  out.reserve(same - tlno);
  for (int i = 0; i < same - tlno; ++i) {
    int t = tlno + i;
    int best = !fuzzy.empty() && fuzzy[i] >= 0 ? fuzzy[i] : scan_parent_range(parent_fps, target_fps, t);
    out.push_back(best >= 0 ? LineBlame{true, best} : LineBlame{false, t});
  }
  return out;
}

}  // namespace gitfleet::git::ignored_lines
