#include "line_diff.hpp"

#include <algorithm>
#include <bitset>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace gitfleet::git {
namespace {

// xdiff's constants (xprepare.c, xdiffi.c): they shape which lines are marked, so they are
// git's values, not tuning knobs of ours.
constexpr long kMaxEqLimit = 1024;      // XDL_MAX_EQLIMIT
constexpr long kSimilarScanWindow = 100;  // XDL_SIMSCAN_WINDOW
constexpr long kKeepDiscardRun = 4;     // XDL_KPDIS_RUN
constexpr long kMaxCostMin = 256;       // XDL_MAX_COST_MIN
constexpr long kHeuristicMinCost = 256;  // XDL_HEUR_MIN_COST
constexpr long kSnakeCount = 20;        // XDL_SNAKE_CNT
constexpr long kHeuristicFactor = 4;    // XDL_K_HEUR
constexpr long kLineMax = LONG_MAX;     // XDL_LINE_MAX

// xdiff's integer square root approximation (xdl_bogosqrt).
long bogosqrt(long n) {
  long i = 1;
  for (; n > 0; n >>= 2) i <<= 1;
  return i;
}

std::uint64_t hash_bytes(const char* p, std::size_t n) {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
  }
  if (n) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 31;
  }
  return h;
}

struct LineClass {
  const char* ptr;
  std::uint32_t size;
  std::uint64_t hash;
  long in_old = 0;  // occurrences in each whole file (xdiff's len1 and len2)
  long in_new = 0;
};

// Per-thread working memory, kept between calls so a history run does not allocate per diff.
struct Scratch {
  std::vector<LineClass> classes;
  std::vector<std::uint32_t> slots;  // open addressing: class index + 1, 0 = empty
  std::vector<std::uint32_t> class_of[2];  // each line's class, per side
  std::vector<const char*> line_start[2];  // each line's first byte, and the end of the data
  std::vector<char> stripped;              // with -w: the lines without their whitespace
  std::vector<char> changed[2];            // xdiff's rchg: a 0 before the first line and after the last
  std::vector<char> discard[2];            // xdiff's dis arrays: 0 no match, 1 match, 2 many
  std::vector<std::uint32_t> kept[2];      // classes of the lines the diff proper sees
  std::vector<long> kept_index[2];         // their line numbers
  std::vector<long> k_vectors;
  std::bitset<1024> class_sizes;  // the lengths (modulo 1024) of the lines classed

  // A large file once should not pin its memory to the thread for good (a history of git/git
  // left ~100 MB behind in its threads with a bound of a million classes). Past 4 MiB, about
  // 40,000 lines, the diff itself costs more than allocating anew.
  void release_if_large() {
    constexpr std::size_t kKeep = 4u << 20;
    std::size_t bytes = classes.capacity() * sizeof(LineClass) + slots.capacity() * sizeof(std::uint32_t) +
                        stripped.capacity() + k_vectors.capacity() * sizeof(long);
    for (int side = 0; side < 2; ++side)
      bytes += class_of[side].capacity() * sizeof(std::uint32_t) + line_start[side].capacity() * sizeof(const char*) +
               changed[side].capacity() + discard[side].capacity() + kept[side].capacity() * sizeof(std::uint32_t) +
               kept_index[side].capacity() * sizeof(long);
    if (bytes > kKeep) *this = Scratch();
  }
};

// git's isspace(): locale-free, and neither \v nor \f.
bool is_git_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Scratch& thread_scratch() {
  thread_local Scratch s;
  return s;
}

// Class values from here up mark a line of the common ends that no line between them
// equals: it keeps its partner's value (kEndLine | its old line number) and is compared by
// its bytes (see Side::same).
constexpr std::uint32_t kEndLine = 0x80000000u;

// The class a key (a line's bytes, or with -w its bytes less whitespace) already has, or
// `kEndLine` if none.
std::uint32_t find_class(const char* key, std::uint32_t size, std::uint64_t h, const Scratch& s) {
  const std::size_t mask = s.slots.size() - 1;
  for (std::size_t slot = h & mask;; slot = (slot + 1) & mask) {
    std::uint32_t entry = s.slots[slot];
    if (entry == 0) return kEndLine;
    const LineClass& c = s.classes[entry - 1];
    if (c.hash == h && c.size == size && std::memcmp(c.ptr, key, size) == 0) return entry - 1;
  }
}

void place(std::uint32_t cls, Scratch& s) {
  const std::size_t mask = s.slots.size() - 1;
  std::size_t slot = s.classes[cls].hash & mask;
  while (s.slots[slot]) slot = (slot + 1) & mask;
  s.slots[slot] = cls + 1;
}

// The key's class, made if new: equal keys, equal class. The table stays at most half full.
std::uint32_t class_of_key(const char* key, std::uint32_t size, Scratch& s) {
  std::uint64_t h = hash_bytes(key, size);
  std::uint32_t cls = find_class(key, size, h, s);
  if (cls != kEndLine) return cls;
  cls = static_cast<std::uint32_t>(s.classes.size());
  s.classes.push_back({key, size, h});
  if (2 * s.classes.size() > s.slots.size()) {
    s.slots.assign(2 * s.slots.size(), 0);
    for (std::uint32_t i = 0; i < s.classes.size(); ++i) place(i, s);
  } else {
    place(cls, s);
  }
  return cls;
}

// Appends the start of each line of [p, end) to `starts`.
void split_lines(const char* p, const char* end, std::vector<const char*>& starts) {
  while (p < end) {
    starts.push_back(p);
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    p = nl ? nl + 1 : end;
  }
}

// Classes lines [from, to) of `side`; with `ignore_whitespace`, lines are keyed without
// git's whitespace.
void classify(long from, long to, int side, bool ignore_whitespace, Scratch& s) {
  const std::vector<const char*>& starts = s.line_start[side];
  for (long i = from; i < to; ++i) {
    const char* key = starts[i];
    auto size = static_cast<std::uint32_t>(starts[i + 1] - starts[i]);
    if (ignore_whitespace) {  // `stripped` has room for both files: its data never moves
      const char* line = key;
      key = s.stripped.data() + s.stripped.size();
      for (const char* q = line; q < line + size; ++q)
        if (!is_git_space(*q)) s.stripped.push_back(*q);
      size = static_cast<std::uint32_t>(s.stripped.data() + s.stripped.size() - key);
    }
    std::uint32_t cls = class_of_key(key, size, s);
    ++(side == 0 ? s.classes[cls].in_old : s.classes[cls].in_new);
    s.class_of[side][i] = cls;
  }
}

// Old line `i` and its byte-equal partner, new line `j`, at the common ends: they take the
// class of an equal line between the ends, found without making one, so that only the lines
// in between are ever classed. A line whose length no class has is not hashed at all (the
// ends are most of a file, and most of their lines equal none in between).
void class_end_line(long i, long j, Scratch& s) {
  const char* p = s.line_start[0][i];
  auto size = static_cast<std::uint32_t>(s.line_start[0][i + 1] - p);
  std::uint32_t cls = s.class_sizes.test(size % s.class_sizes.size()) ? find_class(p, size, hash_bytes(p, size), s)
                                                                        : kEndLine;
  if (cls == kEndLine) {
    cls = kEndLine | static_cast<std::uint32_t>(i);
  } else {
    ++s.classes[cls].in_old;
    ++s.classes[cls].in_new;
  }
  s.class_of[0][i] = s.class_of[1][j] = cls;
}

// Length of the common prefix of a and b, found with memcmp a block at a time.
std::size_t common_prefix(const char* a, const char* b, std::size_t n) {
  constexpr std::size_t kBlock = 256;
  std::size_t i = 0;
  while (i + kBlock <= n && std::memcmp(a + i, b + i, kBlock) == 0) i += kBlock;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Length of the common suffix of a[0..n) and b[0..m), at most `limit`.
std::size_t common_suffix(const char* a, std::size_t n, const char* b, std::size_t m, std::size_t limit) {
  constexpr std::size_t kBlock = 256;
  std::size_t j = 0;
  while (j + kBlock <= limit && std::memcmp(a + n - j - kBlock, b + m - j - kBlock, kBlock) == 0) j += kBlock;
  while (j < limit && a[n - j - 1] == b[m - j - 1]) ++j;
  return j;
}

// xdl_clean_mmatch: a line with many matches is discarded only inside a run that is mostly
// lines without any match.
bool discard_multimatch(const std::vector<char>& dis, long i, long s, long e) {
  if (i - s > kSimilarScanWindow) s = i - kSimilarScanWindow;
  if (e - i > kSimilarScanWindow) e = i + kSimilarScanWindow;
  long r, rdis0 = 0, rpdis0 = 1, rdis1 = 0, rpdis1 = 1;
  for (r = 1; i - r >= s; ++r) {
    if (!dis[i - r])
      ++rdis0;
    else if (dis[i - r] == 2)
      ++rpdis0;
    else
      break;
  }
  if (rdis0 == 0) return false;
  for (r = 1; i + r <= e; ++r) {
    if (!dis[i + r])
      ++rdis1;
    else if (dis[i + r] == 2)
      ++rpdis1;
    else
      break;
  }
  if (rdis1 == 0) return false;
  rdis1 += rdis0;
  rpdis1 += rpdis0;
  return rpdis1 * kKeepDiscardRun < rpdis1 + rdis1;
}

struct Split {
  long i1, i2;
  bool min_lo, min_hi;
};

// xdl_split: Myers' middle snake from both corners of the box, cut short by xdiff's
// heuristics when the edit cost grows (unless the box must be diffed minimally).
void split(const std::uint32_t* ha1, long off1, long lim1, const std::uint32_t* ha2, long off2, long lim2,
           long* kvdf, long* kvdb, bool need_min, long max_cost, Split& spl) {
  const long dmin = off1 - lim2, dmax = lim1 - off2;
  const long fmid = off1 - off2, bmid = lim1 - lim2;
  const bool odd = ((fmid - bmid) & 1) != 0;
  long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
  long d, i1, i2, prev1, best, dd, v, k;

  kvdf[fmid] = off1;
  kvdb[bmid] = lim1;

  for (long ec = 1;; ++ec) {
    bool got_snake = false;

    // The diagonal domain grows by one each way, or shrinks at the box's edge; the value
    // just outside it is set so the core loop needs no bounds checks.
    if (fmin > dmin)
      kvdf[--fmin - 1] = -1;
    else
      ++fmin;
    if (fmax < dmax)
      kvdf[++fmax + 1] = -1;
    else
      --fmax;

    for (d = fmax; d >= fmin; d -= 2) {
      i1 = kvdf[d - 1] >= kvdf[d + 1] ? kvdf[d - 1] + 1 : kvdf[d + 1];
      prev1 = i1;
      i2 = i1 - d;
      for (; i1 < lim1 && i2 < lim2 && ha1[i1] == ha2[i2]; ++i1, ++i2) {
      }
      if (i1 - prev1 > kSnakeCount) got_snake = true;
      kvdf[d] = i1;
      if (odd && bmin <= d && d <= bmax && kvdb[d] <= i1) {
        spl = {i1, i2, true, true};
        return;
      }
    }

    if (bmin > dmin)
      kvdb[--bmin - 1] = kLineMax;
    else
      ++bmin;
    if (bmax < dmax)
      kvdb[++bmax + 1] = kLineMax;
    else
      --bmax;

    for (d = bmax; d >= bmin; d -= 2) {
      i1 = kvdb[d - 1] < kvdb[d + 1] ? kvdb[d - 1] : kvdb[d + 1] - 1;
      prev1 = i1;
      i2 = i1 - d;
      for (; i1 > off1 && i2 > off2 && ha1[i1 - 1] == ha2[i2 - 1]; --i1, --i2) {
      }
      if (prev1 - i1 > kSnakeCount) got_snake = true;
      kvdb[d] = i1;
      if (!odd && fmin <= d && d <= fmax && i1 <= kvdf[d]) {
        spl = {i1, i2, true, true};
        return;
      }
    }

    if (need_min) continue;

    // Past the trigger cost, a diagonal far along (penalised by its distance from the
    // middle one) that ends in a long enough snake is taken as the split.
    if (got_snake && ec > kHeuristicMinCost) {
      for (best = 0, d = fmax; d >= fmin; d -= 2) {
        dd = d > fmid ? d - fmid : fmid - d;
        i1 = kvdf[d];
        i2 = i1 - d;
        v = (i1 - off1) + (i2 - off2) - dd;
        if (v > kHeuristicFactor * ec && v > best && off1 + kSnakeCount <= i1 && i1 < lim1 &&
            off2 + kSnakeCount <= i2 && i2 < lim2) {
          for (k = 1; ha1[i1 - k] == ha2[i2 - k]; ++k)
            if (k == kSnakeCount) {
              best = v;
              spl.i1 = i1;
              spl.i2 = i2;
              break;
            }
        }
      }
      if (best > 0) {
        spl.min_lo = true;
        spl.min_hi = false;
        return;
      }

      for (best = 0, d = bmax; d >= bmin; d -= 2) {
        dd = d > bmid ? d - bmid : bmid - d;
        i1 = kvdb[d];
        i2 = i1 - d;
        v = (lim1 - i1) + (lim2 - i2) - dd;
        if (v > kHeuristicFactor * ec && v > best && off1 < i1 && i1 <= lim1 - kSnakeCount && off2 < i2 &&
            i2 <= lim2 - kSnakeCount) {
          for (k = 0; ha1[i1 + k] == ha2[i2 + k]; ++k)
            if (k == kSnakeCount - 1) {
              best = v;
              spl.i1 = i1;
              spl.i2 = i2;
              break;
            }
        }
      }
      if (best > 0) {
        spl.min_lo = false;
        spl.min_hi = true;
        return;
      }
    }

    // Too costly: split at the furthest-reaching point of either direction.
    if (ec >= max_cost) {
      long fbest = -1, fbest1 = -1;
      for (d = fmax; d >= fmin; d -= 2) {
        i1 = std::min(kvdf[d], lim1);
        i2 = i1 - d;
        if (lim2 < i2) i1 = lim2 + d, i2 = lim2;
        if (fbest < i1 + i2) {
          fbest = i1 + i2;
          fbest1 = i1;
        }
      }
      long bbest = kLineMax, bbest1 = kLineMax;
      for (d = bmax; d >= bmin; d -= 2) {
        i1 = std::max(off1, kvdb[d]);
        i2 = i1 - d;
        if (i2 < off2) i1 = off2 + d, i2 = off2;
        if (i1 + i2 < bbest) {
          bbest = i1 + i2;
          bbest1 = i1;
        }
      }
      if ((lim1 + lim2) - bbest < fbest - (off1 + off2))
        spl = {fbest1, fbest - fbest1, true, false};
      else
        spl = {bbest1, bbest - bbest1, false, true};
      return;
    }
  }
}

struct Box {
  long off1, lim1, off2, lim2;
  bool need_min;
};

// xdl_recs_cmp, with a stack of boxes instead of recursion: boxes are disjoint and each split
// reads only the diagonals it set itself, so the order they are taken in changes nothing.
void compare(Scratch& s, char* rchg1, char* rchg2) {
  const std::uint32_t* ha1 = s.kept[0].data();
  const std::uint32_t* ha2 = s.kept[1].data();
  const long n1 = static_cast<long>(s.kept[0].size()), n2 = static_cast<long>(s.kept[1].size());
  const long ndiags = n1 + n2 + 3;
  s.k_vectors.resize(static_cast<std::size_t>(2 * ndiags + 2));
  long* kvdf = s.k_vectors.data() + n2 + 1;
  long* kvdb = s.k_vectors.data() + ndiags + n2 + 1;
  const long max_cost = std::max(bogosqrt(ndiags), kMaxCostMin);

  std::vector<Box> boxes{{0, n1, 0, n2, false}};
  while (!boxes.empty()) {
    Box b = boxes.back();
    boxes.pop_back();
    for (; b.off1 < b.lim1 && b.off2 < b.lim2 && ha1[b.off1] == ha2[b.off2]; ++b.off1, ++b.off2) {
    }
    for (; b.off1 < b.lim1 && b.off2 < b.lim2 && ha1[b.lim1 - 1] == ha2[b.lim2 - 1]; --b.lim1, --b.lim2) {
    }
    if (b.off1 == b.lim1) {
      for (long i = b.off2; i < b.lim2; ++i) rchg2[s.kept_index[1][i]] = 1;
    } else if (b.off2 == b.lim2) {
      for (long i = b.off1; i < b.lim1; ++i) rchg1[s.kept_index[0][i]] = 1;
    } else {
      Split spl{0, 0, false, false};
      split(ha1, b.off1, b.lim1, ha2, b.off2, b.lim2, kvdf, kvdb, b.need_min, max_cost, spl);
      boxes.push_back({spl.i1, b.lim1, spl.i2, b.lim2, spl.min_hi});
      boxes.push_back({b.off1, spl.i1, b.off2, spl.i2, spl.min_lo});
    }
  }
}

// xdl_do_diff: fills s.changed for both sides.
void mark(std::string_view old_data, std::string_view new_data, bool ignore_whitespace, Scratch& s) {
  s.classes.clear();
  s.stripped.clear();
  if (ignore_whitespace) s.stripped.reserve(old_data.size() + new_data.size());
  for (int side = 0; side < 2; ++side) {
    s.class_of[side].clear();
    s.line_start[side].clear();
  }
  // Between two versions of a file most lines are the same at both ends. Those lines are
  // not classed (with -w they are classed once, for both sides): each either equals a line
  // in between, whose class it takes, or is only compared by its bytes when sliding groups.
  const LineEnds ends = common_line_ends(old_data, new_data);
  const char* a = old_data.data();
  const char* b = new_data.data();
  split_lines(a, a + old_data.size(), s.line_start[0]);
  const auto n1 = static_cast<long>(s.line_start[0].size());
  s.line_start[0].push_back(a + old_data.size());
  const auto line_at = [&](std::size_t offset) {
    return static_cast<long>(std::lower_bound(s.line_start[0].begin(), s.line_start[0].end() - 1, a + offset) -
                             s.line_start[0].begin());
  };
  const long head = line_at(ends.head), tail_from = line_at(old_data.size() - ends.tail);
  std::vector<const char*>& new_starts = s.line_start[1];
  for (long i = 0; i < head; ++i) new_starts.push_back(b + (s.line_start[0][i] - a));
  split_lines(b + ends.head, b + new_data.size() - ends.tail, new_starts);
  const long new_tail_from = static_cast<long>(new_starts.size());
  for (long i = tail_from; i < n1; ++i) new_starts.push_back(b + new_data.size() - (a + old_data.size() - s.line_start[0][i]));
  const auto n2 = static_cast<long>(new_starts.size());
  new_starts.push_back(b + new_data.size());
  s.class_of[0].resize(static_cast<std::size_t>(n1));
  s.class_of[1].resize(static_cast<std::size_t>(n2));

  std::size_t capacity = 16;
  while (capacity < (old_data.size() + new_data.size() - ends.head - ends.tail) / 16) capacity <<= 1;
  s.slots.assign(capacity, 0);
  if (ignore_whitespace) {
    classify(0, n1, 0, true, s);
    classify(0, n2, 1, true, s);
  } else {
    classify(head, tail_from, 0, false, s);
    classify(head, new_tail_from, 1, false, s);
    s.class_sizes.reset();
    for (const LineClass& c : s.classes) s.class_sizes.set(c.size % s.class_sizes.size());
    for (long i = 0; i < head; ++i) class_end_line(i, i, s);
    for (long i = tail_from; i < n1; ++i) class_end_line(i, new_tail_from + (i - tail_from), s);
  }

  const std::vector<std::uint32_t>& c1 = s.class_of[0];
  const std::vector<std::uint32_t>& c2 = s.class_of[1];
  s.changed[0].assign(c1.size() + 2, 0);
  s.changed[1].assign(c2.size() + 2, 0);

  // xdl_trim_ends: the common leading and trailing lines are out of the diff. The byte-equal
  // ends have equal classes, so the comparisons start past them.
  long lim = std::min(n1, n2), start = head;
  while (start < lim && c1[start] == c2[start]) ++start;
  lim -= start;
  long tail = std::min(n1 - tail_from, lim);
  while (tail < lim && c1[n1 - 1 - tail] == c2[n2 - 1 - tail]) ++tail;
  const long end[2] = {n1 - tail - 1, n2 - tail - 1};

  // xdl_cleanup_records: lines with no partner on the other side are changed outright; lines
  // with very many partners are dropped too when they sit among such lines.
  char* rchg[2] = {s.changed[0].data() + 1, s.changed[1].data() + 1};
  for (int side = 0; side < 2; ++side) {
    const std::vector<std::uint32_t>& cls = s.class_of[side];
    std::vector<char>& dis = s.discard[side];
    dis.assign(cls.size(), 0);
    const long limit = std::min(bogosqrt(static_cast<long>(cls.size())), kMaxEqLimit);
    for (long i = start; i <= end[side]; ++i) {
      const LineClass& c = s.classes[cls[i]];
      long partners = side == 0 ? c.in_new : c.in_old;
      dis[i] = partners == 0 ? 0 : partners >= limit ? 2 : 1;
    }
    s.kept[side].clear();
    s.kept_index[side].clear();
    for (long i = start; i <= end[side]; ++i) {
      if (dis[i] == 1 || (dis[i] == 2 && !discard_multimatch(dis, i, start, end[side]))) {
        s.kept[side].push_back(cls[i]);
        s.kept_index[side].push_back(i);
      } else {
        rchg[side][i] = 1;
      }
    }
  }

  compare(s, rchg[0], rchg[1]);
}

// xdiff's indent heuristic (xdiffi.c), which picks where a slidable change group goes.
constexpr int kMaxIndent = 200;
constexpr int kMaxBlanks = 20;
constexpr int kStartOfFilePenalty = 1;
constexpr int kEndOfFilePenalty = 21;
constexpr int kTotalBlankWeight = -30;
constexpr int kPostBlankWeight = 6;
constexpr int kRelativeIndentPenalty = -4;
constexpr int kRelativeIndentWithBlankPenalty = 10;
constexpr int kRelativeOutdentPenalty = 24;
constexpr int kRelativeOutdentWithBlankPenalty = 17;
constexpr int kRelativeDedentPenalty = 23;
constexpr int kRelativeDedentWithBlankPenalty = 17;
constexpr int kIndentWeight = 60;
constexpr long kIndentHeuristicMaxSliding = 100;

// One side as xdl_change_compact sees it: its lines' classes and its change marks.
struct Side {
  char* rchg;  // rchg[-1] and rchg[nrec] are 0
  const std::uint32_t* cls;
  const char* const* starts;
  long nrec;

  // Columns of indentation (a tab to the next multiple of 8), -1 for a blank line.
  int indent(long i) const {
    int ret = 0;
    for (const char* p = starts[i]; p < starts[i + 1]; ++p) {
      char c = *p;
      if (!is_git_space(c)) return ret;
      if (c == ' ')
        ret += 1;
      else if (c == '\t')
        ret += 8 - ret % 8;
      if (ret >= kMaxIndent) return kMaxIndent;
    }
    return -1;
  }

  bool same(long i, long j) const {
    if (((cls[i] | cls[j]) & kEndLine) == 0) return cls[i] == cls[j];
    const auto size = starts[i + 1] - starts[i];
    return size == starts[j + 1] - starts[j] && std::memcmp(starts[i], starts[j], static_cast<std::size_t>(size)) == 0;
  }
};

struct SplitMeasurement {
  bool end_of_file;
  int indent, pre_blank, pre_indent, post_blank, post_indent;
};

struct SplitScore {
  int effective_indent = 0, penalty = 0;
};

// xdiff's measure_split: the surroundings of a split above line `split`.
SplitMeasurement measure_split(const Side& x, long split) {
  SplitMeasurement m{};
  m.end_of_file = split >= x.nrec;
  m.indent = m.end_of_file ? -1 : x.indent(split);
  m.pre_indent = -1;
  for (long i = split - 1; i >= 0; --i) {
    m.pre_indent = x.indent(i);
    if (m.pre_indent != -1) break;
    if (++m.pre_blank == kMaxBlanks) {
      m.pre_indent = 0;
      break;
    }
  }
  m.post_indent = -1;
  for (long i = split + 1; i < x.nrec; ++i) {
    m.post_indent = x.indent(i);
    if (m.post_indent != -1) break;
    if (++m.post_blank == kMaxBlanks) {
      m.post_indent = 0;
      break;
    }
  }
  return m;
}

// xdiff's score_add_split.
void score_add_split(const SplitMeasurement& m, SplitScore& s) {
  if (m.pre_indent == -1 && m.pre_blank == 0) s.penalty += kStartOfFilePenalty;
  if (m.end_of_file) s.penalty += kEndOfFilePenalty;
  int post_blank = m.indent == -1 ? 1 + m.post_blank : 0;
  int total_blank = m.pre_blank + post_blank;
  s.penalty += kTotalBlankWeight * total_blank + kPostBlankWeight * post_blank;
  int indent = m.indent != -1 ? m.indent : m.post_indent;
  bool any_blanks = total_blank != 0;
  s.effective_indent += indent;
  if (indent == -1 || m.pre_indent == -1 || indent == m.pre_indent) return;
  if (indent > m.pre_indent)
    s.penalty += any_blanks ? kRelativeIndentWithBlankPenalty : kRelativeIndentPenalty;
  else if (m.post_indent != -1 && m.post_indent > indent)  // likely the start of a block
    s.penalty += any_blanks ? kRelativeOutdentWithBlankPenalty : kRelativeOutdentPenalty;
  else  // likely the end of one
    s.penalty += any_blanks ? kRelativeDedentWithBlankPenalty : kRelativeDedentPenalty;
}

int score_cmp(const SplitScore& a, const SplitScore& b) {
  int cmp_indents = (a.effective_indent > b.effective_indent) - (a.effective_indent < b.effective_indent);
  return kIndentWeight * cmp_indents + (a.penalty - b.penalty);
}

// A run of changed lines [start, end), possibly empty (then above line `start`).
struct Group {
  long start, end;
};

Group first_group(const Side& x) {
  Group g{0, 0};
  while (x.rchg[g.end]) ++g.end;
  return g;
}

bool next_group(const Side& x, Group& g) {
  if (g.end == x.nrec) return false;
  g.start = g.end + 1;
  for (g.end = g.start; x.rchg[g.end]; ++g.end) {
  }
  return true;
}

bool previous_group(const Side& x, Group& g) {
  if (g.start == 0) return false;
  g.end = g.start - 1;
  for (g.start = g.end; x.rchg[g.start - 1]; --g.start) {
  }
  return true;
}

// Slides g one line down if its first line equals the line after it, merging a group it
// meets.
bool slide_down(Side& x, Group& g) {
  if (g.end >= x.nrec || !x.same(g.start, g.end)) return false;
  x.rchg[g.start++] = 0;
  x.rchg[g.end++] = 1;
  while (x.rchg[g.end]) ++g.end;
  return true;
}

bool slide_up(Side& x, Group& g) {
  if (g.start == 0 || !x.same(g.start - 1, g.end - 1)) return false;
  x.rchg[--g.start] = 1;
  x.rchg[--g.end] = 0;
  while (x.rchg[g.start - 1]) --g.start;
  return true;
}

[[noreturn]] void broken_sync() { throw std::logic_error("line diff: change groups out of step while sliding"); }

// xdl_change_compact: each change group of `x` is slid as far up and down as equal lines
// allow (merging what it meets), then placed against a change of the other side if it can
// line up with one, else where the indent heuristic scores best. `o` keeps step.
void compact(Side& x, Side& o) {
  Group g = first_group(x), go = first_group(o);
  for (;;) {
    if (g.end != g.start) {
      long groupsize, earliest_end, end_matching_other;
      do {
        groupsize = g.end - g.start;
        end_matching_other = -1;
        while (slide_up(x, g))
          if (!previous_group(o, go)) broken_sync();
        earliest_end = g.end;
        if (go.end > go.start) end_matching_other = g.end;
        while (slide_down(x, g)) {
          if (!next_group(o, go)) broken_sync();
          if (go.end > go.start) end_matching_other = g.end;
        }
      } while (groupsize != g.end - g.start);

      if (g.end == earliest_end) {
        // it cannot move
      } else if (end_matching_other != -1) {
        while (go.end == go.start) {
          if (!slide_up(x, g) || !previous_group(o, go)) broken_sync();
        }
      } else {
        long shift = std::max({earliest_end, g.end - groupsize - 1, g.end - kIndentHeuristicMaxSliding});
        long best_shift = -1;
        SplitScore best;
        for (; shift <= g.end; ++shift) {
          SplitScore score;
          score_add_split(measure_split(x, shift), score);
          score_add_split(measure_split(x, shift - groupsize), score);
          if (best_shift == -1 || score_cmp(score, best) <= 0) {
            best = score;
            best_shift = shift;
          }
        }
        while (g.end > best_shift) {
          if (!slide_up(x, g) || !previous_group(o, go)) broken_sync();
        }
      }
    }
    if (!next_group(x, g)) break;
    if (!next_group(o, go)) broken_sync();
  }
  if (next_group(o, go)) broken_sync();
}

}  // namespace

LineEnds common_line_ends(std::string_view a, std::string_view b) {
  std::size_t same = common_prefix(a.data(), b.data(), std::min(a.size(), b.size()));
  // Equal bytes end inside a line (or at the end of one side): keep only whole lines.
  std::size_t newline = same == 0 ? std::string_view::npos : a.rfind('\n', same - 1);
  std::size_t head = newline == std::string_view::npos ? 0 : newline + 1;
  std::size_t tail = common_suffix(a.data(), a.size(), b.data(), b.size(), std::min(a.size(), b.size()) - head);
  // The trailing lines start at a line start on both sides: after a '\n' inside the equal
  // bytes, or at their very start if both sides have a line break (or the head) just before.
  std::size_t sa = a.size() - tail, sb = b.size() - tail;
  if ((sa == head || a[sa - 1] == '\n') && (sb == head || b[sb - 1] == '\n')) return {head, tail};
  std::size_t next = a.find('\n', sa);
  return {head, next == std::string_view::npos ? 0 : a.size() - (next + 1)};
}

void mark_changed_lines(std::string_view old_data, std::string_view new_data, ChangedLines& out) {
  Scratch& s = thread_scratch();
  mark(old_data, new_data, false, s);
  out.old_changed.assign(s.changed[0].begin() + 1, s.changed[0].end() - 1);
  out.new_changed.assign(s.changed[1].begin() + 1, s.changed[1].end() - 1);
  out.deletions = std::count(out.old_changed.begin(), out.old_changed.end(), 1);
  out.additions = std::count(out.new_changed.begin(), out.new_changed.end(), 1);
  s.release_if_large();
}

void diff_hunks(std::string_view old_data, std::string_view new_data, bool ignore_whitespace, std::vector<Hunk>& out) {
  Scratch& s = thread_scratch();
  mark(old_data, new_data, ignore_whitespace, s);
  Side a{s.changed[0].data() + 1, s.class_of[0].data(), s.line_start[0].data(), static_cast<long>(s.class_of[0].size())};
  Side b{s.changed[1].data() + 1, s.class_of[1].data(), s.line_start[1].data(), static_cast<long>(s.class_of[1].size())};
  compact(a, b);
  compact(b, a);
  // xdl_build_script: walking back from both ends, unchanged lines pair up one to one.
  out.clear();
  for (long i1 = a.nrec, i2 = b.nrec; i1 > 0 || i2 > 0; --i1, --i2) {
    if (!a.rchg[i1 - 1] && !b.rchg[i2 - 1]) continue;
    long l1 = i1, l2 = i2;
    while (a.rchg[i1 - 1]) --i1;
    while (b.rchg[i2 - 1]) --i2;
    out.push_back({static_cast<int>(i1), static_cast<int>(l1 - i1), static_cast<int>(i2), static_cast<int>(l2 - i2)});
  }
  std::reverse(out.begin(), out.end());
  s.release_if_large();
}

}  // namespace gitfleet::git
