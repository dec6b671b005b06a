#include "changed_lines.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

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
  std::vector<char> discard[2];            // xdiff's dis arrays: 0 no match, 1 match, 2 many
  std::vector<std::uint32_t> kept[2];      // classes of the lines the diff proper sees
  std::vector<long> kept_index[2];         // their line numbers
  std::vector<long> k_vectors;

  // A huge file once should not pin its memory to the thread for good.
  void release_if_large() {
    constexpr std::size_t kKeep = 1 << 20;
    if (classes.capacity() > kKeep) *this = Scratch();
  }
};

// Splits `data` into lines and gives each its class: equal bytes (newline included), equal class.
void classify(std::string_view data, int side, Scratch& s) {
  std::vector<std::uint32_t>& out = s.class_of[side];
  out.clear();
  const std::size_t mask = s.slots.size() - 1;
  const char* p = data.data();
  const char* end = p + data.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* next = nl ? nl + 1 : end;
    auto size = static_cast<std::uint32_t>(next - p);
    std::uint64_t h = hash_bytes(p, size);
    std::size_t slot = h & mask;
    std::uint32_t cls;
    for (;; slot = (slot + 1) & mask) {
      std::uint32_t entry = s.slots[slot];
      if (entry == 0) {
        cls = static_cast<std::uint32_t>(s.classes.size());
        s.classes.push_back({p, size, h});
        s.slots[slot] = cls + 1;
        break;
      }
      const LineClass& c = s.classes[entry - 1];
      if (c.hash == h && c.size == size && std::memcmp(c.ptr, p, size) == 0) {
        cls = entry - 1;
        break;
      }
    }
    ++(side == 0 ? s.classes[cls].in_old : s.classes[cls].in_new);
    out.push_back(cls);
    p = next;
  }
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

}  // namespace

void mark_changed_lines(std::string_view old_data, std::string_view new_data, ChangedLines& out) {
  thread_local Scratch s;
  s.classes.clear();
  // Room for every line of both sides at a load of at most one half.
  std::size_t lines = static_cast<std::size_t>(std::count(old_data.begin(), old_data.end(), '\n') +
                                               std::count(new_data.begin(), new_data.end(), '\n')) + 2;
  std::size_t capacity = 16;
  while (capacity < 2 * lines) capacity <<= 1;
  s.slots.assign(capacity, 0);
  classify(old_data, 0, s);
  classify(new_data, 1, s);

  const std::vector<std::uint32_t>& c1 = s.class_of[0];
  const std::vector<std::uint32_t>& c2 = s.class_of[1];
  const long n1 = static_cast<long>(c1.size()), n2 = static_cast<long>(c2.size());
  out.old_changed.assign(c1.size(), 0);
  out.new_changed.assign(c2.size(), 0);

  // xdl_trim_ends: the common leading and trailing lines are out of the diff.
  long lim = std::min(n1, n2), start = 0, tail = 0;
  while (start < lim && c1[start] == c2[start]) ++start;
  for (lim -= start; tail < lim && c1[n1 - 1 - tail] == c2[n2 - 1 - tail];) ++tail;
  const long end[2] = {n1 - tail - 1, n2 - tail - 1};

  // xdl_cleanup_records: lines with no partner on the other side are changed outright; lines
  // with very many partners are dropped too when they sit among such lines.
  char* rchg[2] = {out.old_changed.data(), out.new_changed.data()};
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
  out.deletions = std::count(out.old_changed.begin(), out.old_changed.end(), 1);
  out.additions = std::count(out.new_changed.begin(), out.new_changed.end(), 1);
  s.release_if_large();
}

}  // namespace gitfleet::git
