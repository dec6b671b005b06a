// The copy server and client from C++: upload, relink, delta, download, refusals, and the
// frame decoder against malformed input. The private protocol pieces are used to play a
// misbehaving client.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "compression.hpp"
#include "connection.hpp"
#include "copy_history.hpp"
#include "gitfleet/copy/copy_client.hpp"
#include "gitfleet/copy/copy_server.hpp"
#include "gitfleet/copy/protocol.hpp"
#include "temp_files.hpp"

namespace fs = std::filesystem;
using namespace gitfleet::copy;
using gitfleet::CancellationToken;
using gitfleet::Error;
using gitfleet::ErrorCode;
using gitfleet::testing::random_bytes;

namespace {

class CopyServerTest : public gitfleet::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(dir / "root");
    options.root = dir / "root";
    options.port = 0;
    options.secret = "s3cret";
    options.thread_count = 2;
  }

  RemoteOptions remote(const CopyServer& server, std::string secret = "s3cret") const {
    RemoteOptions r;
    r.port = server.port();
    r.secret = std::move(secret);
    return r;
  }
  void make_tree() {
    write(dir / "src/a.txt", "alpha");
    write(dir / "src/sub/b.bin", random_bytes(300000, 1));
    write(dir / "src/sub/deeper/c.bin", random_bytes(5000, 2));
    write(dir / "src/empty", "");
  }

  ServerOptions options;
  Config config;
};

TEST_F(CopyServerTest, UploadThenRelinkThenDelta) {
  make_tree();
  CopyServer server(options);
  server.start();
  CopySummary first = upload(dir / "src", "build/1", remote(server), config);
  EXPECT_EQ(first.files_total, 4u);
  EXPECT_EQ(first.files_copied, 4u);
  EXPECT_EQ(read(options.root / "build/1/sub/b.bin"), read(dir / "src/sub/b.bin"));
  EXPECT_EQ(read(options.root / "build/1/empty"), "");

  CopySummary second = upload(dir / "src", "build/2", remote(server), config);
  EXPECT_EQ(second.files_linked, 4u);
  EXPECT_LT(second.bytes_sent, 4096u);
  struct stat a, b;
  ASSERT_EQ(::stat((options.root / "build/1/sub/b.bin").c_str(), &a), 0);
  ASSERT_EQ(::stat((options.root / "build/2/sub/b.bin").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);

  CopySummary again = upload(dir / "src", "build/2", remote(server), config);
  EXPECT_EQ(again.files_skipped, 4u);

  std::string changed = read(dir / "src/sub/b.bin");
  changed.replace(150000, 10, "0123456789");
  write(dir / "src/sub/b.bin", changed);
  CopySummary third = upload(dir / "src", "build/3", remote(server), config);
  EXPECT_EQ(third.files_linked, 3u);
  EXPECT_EQ(third.files_copied, 1u);
  EXPECT_LT(third.bytes_sent, 60000u);  // a delta, not the 300 kB file
  EXPECT_EQ(read(options.root / "build/3/sub/b.bin"), changed);
  EXPECT_NE(read(options.root / "build/1/sub/b.bin"), changed);  // the linked original is untouched

  ServerStats stats = server.stats();
  EXPECT_EQ(stats.files_received, 5u);
  EXPECT_EQ(stats.files_linked, 7u);
  EXPECT_EQ(stats.connections, 4u);
}

TEST_F(CopyServerTest, DownloadWithSkipAndDelta) {
  make_tree();
  CopyServer server(options);
  server.start();
  upload(dir / "src", "pub", remote(server), config);
  CopySummary down = download("pub", dir / "out", remote(server), config);
  EXPECT_EQ(down.files_copied, 4u);
  EXPECT_EQ(read(dir / "out/sub/deeper/c.bin"), read(dir / "src/sub/deeper/c.bin"));
  struct stat s, d;
  ::stat((dir / "src/sub/b.bin").c_str(), &s);
  ::stat((dir / "out/sub/b.bin").c_str(), &d);
  EXPECT_EQ(s.st_mtim.tv_nsec, d.st_mtim.tv_nsec);
  EXPECT_EQ(s.st_mtim.tv_sec, d.st_mtim.tv_sec);
  EXPECT_EQ(download("pub", dir / "out", remote(server), config).files_skipped, 4u);

  std::string local = read(dir / "out/sub/b.bin");
  local.replace(1000, 5, "XXXXX");
  write(dir / "out/sub/b.bin", local);
  CopySummary delta = download("pub", dir / "out", remote(server), config);
  EXPECT_EQ(delta.files_copied, 1u);
  EXPECT_LT(delta.bytes_sent, 60000u);
  EXPECT_EQ(read(dir / "out/sub/b.bin"), read(dir / "src/sub/b.bin"));
}

TEST_F(CopyServerTest, RefusesWrongSecretAndEscapes) {
  make_tree();
  fs::create_directories(dir / "outside");
  fs::create_symlink(dir / "outside", options.root / "escape");
  CopyServer server(options);
  server.start();
  try {
    upload(dir / "src", "x", remote(server, "wrong"), config);
    FAIL() << "wrong secret accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::AuthenticationFailed);
  }
  for (std::string bad : {"../x", "/etc", "a/../../x"}) {
    try {
      upload(dir / "src", bad, remote(server), config);
      FAIL() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::Refused) << bad;
    }
  }
  try {
    upload(dir / "src", "escape/inside", remote(server), config);
    FAIL() << "symlink escape accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Refused);
  }
  EXPECT_TRUE(fs::is_empty(dir / "outside"));

  // A hand-made client offering "../evil" is cut off with a protocol error.
  Connection conn(connect_to("127.0.0.1", server.port(), std::chrono::seconds(5)), std::chrono::seconds(5));
  conn.authenticate_to_server("s3cret");
  conn.send(protocol::FrameType::UploadBegin, protocol::Begin{"ok", 0}.encode());
  conn.expect(protocol::FrameType::Ready);
  protocol::Writer w;
  w.str("../evil");
  w.u64(1);
  w.i64(0);
  w.u32(0644);
  conn.send(protocol::FrameType::Offer, w.bytes());
  try {
    conn.receive();
    FAIL() << "unsafe offer accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Refused);
    EXPECT_NE(std::string(e.what()).find("unsafe path"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(options.root / "evil"));
  EXPECT_FALSE(fs::exists(dir / "evil"));
}

TEST_F(CopyServerTest, NoServerFallsBackOrFails) {
  make_tree();
  RemoteOptions r;
  r.port = 1;  // nothing listens there
  r.secret = "x";
  r.timeout = std::chrono::milliseconds(500);
  EXPECT_THROW(upload(dir / "src", "d", r, config), Error);
  r.fallback_dst = dir / "fallback";
  CopySummary s = upload(dir / "src", "d", r, config);
  EXPECT_EQ(s.files_copied, 4u);
  EXPECT_EQ(read(dir / "fallback/a.txt"), "alpha");
}

TEST(CopyProtocol, DecoderSurvivesGarbage) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string payload(rng() % 64, '\0');
    for (auto& c : payload) c = static_cast<char>(rng());
    try {
      protocol::decode_any(static_cast<std::uint8_t>(rng() % 30), payload);
    } catch (const protocol::ProtocolError&) {
    }
  }
  EXPECT_TRUE(protocol::is_safe_relative_path("a/b.c"));
  for (const char* bad : {"", "/a", "a//b", "a/./b", "..", "a/..", "a/b/"}) EXPECT_FALSE(protocol::is_safe_relative_path(bad)) << bad;
}

// Error kinds cross the wire by fixed numbers (protocol version 1), not by ErrorCode's order:
// every kind the protocol has comes back as itself, the rest (and unknown numbers) as Network.
TEST(CopyProtocol, ErrorKindsKeepTheirWireNumbers) {
  using protocol::ErrorMessage;
  const std::pair<ErrorCode, std::uint8_t> wire[] = {
      {ErrorCode::NotFound, 0},       {ErrorCode::PermissionDenied, 1}, {ErrorCode::AlreadyExists, 2},
      {ErrorCode::IsADirectory, 3},   {ErrorCode::NotADirectory, 4},    {ErrorCode::SameFile, 5},
      {ErrorCode::SpecialFile, 6},    {ErrorCode::NoSpace, 7},          {ErrorCode::InvalidArgument, 8},
      {ErrorCode::Io, 9},             {ErrorCode::Cancelled, 10},       {ErrorCode::Network, 11},
      {ErrorCode::AuthenticationFailed, 12}, {ErrorCode::Refused, 13},
  };
  for (auto [code, number] : wire) {
    std::string payload = ErrorMessage{code, "m"}.encode();
    EXPECT_EQ(static_cast<std::uint8_t>(payload[0]), number) << gitfleet::error_code_name(code);
    EXPECT_EQ(ErrorMessage::decode(payload).code, code) << gitfleet::error_code_name(code);
  }
  for (ErrorCode code : {ErrorCode::Protocol, ErrorCode::Internal, ErrorCode::NotARepository})
    EXPECT_EQ(ErrorMessage::decode(ErrorMessage{code, "m"}.encode()).code, ErrorCode::Network);
  std::string unknown = ErrorMessage{ErrorCode::Io, "m"}.encode();
  unknown[0] = static_cast<char>(200);
  EXPECT_EQ(ErrorMessage::decode(unknown).code, ErrorCode::Network);
}

// A malformed frame is the core's one error type, with its own code.
TEST(CopyProtocol, AMalformedFrameIsAProtocolError) {
  try {
    protocol::decode_any(static_cast<std::uint8_t>(protocol::FrameType::Offer), "x");
    FAIL() << "a one-byte offer decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Protocol);
  }
}

}  // namespace

using CopyHistoryTest = gitfleet::testing::TempDirTest;

// A save that fails (its folder is missing) leaves the changes unsaved: the next save writes them.
TEST_F(CopyHistoryTest, AFailedSaveIsRetried) {
  std::filesystem::path file = dir / "later" / "history";
  CopyHistory history(16, file);
  history.record(HistoryEntry{"a.txt", "dest/a.txt", 3, 1, 1, {}});
  EXPECT_THROW(history.save(), Error);
  std::filesystem::create_directories(file.parent_path());
  history.save();
  CopyHistory loaded(16, file);
  loaded.load();
  EXPECT_EQ(loaded.size(), 1u);
  ASSERT_TRUE(loaded.by_key("a.txt", 3, 1));
  EXPECT_EQ(loaded.by_key("a.txt", 3, 1)->stored, "dest/a.txt");
}

// The self-balancing level climbs while each window of 16 chunks gets through faster, turns
// around when one is slower, never uses zstd's "default" 0, and stays between off and 9; every
// chunk decodes to its bytes at whatever level it went.
TEST(ChunkCompression, TheBalancedLevelClimbsAndTurnsAroundWithThroughput) {
  auto now = std::chrono::steady_clock::time_point{};
  ChunkCompressor compressor(0, [&] { return now; });
  ChunkDecoder decoder;
  std::string chunk;
  for (int i = 0; chunk.size() < 64 * 1024; ++i) chunk += "line " + std::to_string(i % 97) + " of text\n";
  // Seconds each window takes: faster three times, then slower, then faster again.
  const double window_seconds[] = {1.0, 0.5, 0.25, 0.125, 1.0, 0.5, 2.0};
  std::vector<int> levels;
  for (double seconds : window_seconds) {
    for (int i = 0; i < 16; ++i) {
      now += std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds / 16));
      std::string payload = compressor.encode(chunk);
      ASSERT_EQ(decoder.decode(payload), chunk);
    }
    levels.push_back(compressor.level());
  }
  // From level 1: +1 (better than nothing measured), +1, +1, +1, turn (slower): -1, -1 while
  // faster, turn again (slower).
  EXPECT_EQ(levels, (std::vector<int>{2, 3, 4, 5, 4, 3, 4}));
  ChunkCompressor fixed(3, [&] { return now += std::chrono::seconds(1); });
  for (int i = 0; i < 64; ++i) fixed.encode(chunk);
  EXPECT_EQ(fixed.level(), 3);
}

TEST(ChunkCompression, TheBalancedLevelStaysBetweenOffAndNineAndSkipsZero) {
  auto now = std::chrono::steady_clock::time_point{};
  ChunkCompressor compressor(0, [&] { return now; });
  std::string chunk(4096, 'x');
  double seconds = 1.0;
  std::vector<int> seen;
  for (int window = 0; window < 40; ++window) {  // ever faster: it climbs to 9 and stays below 10
    seconds /= 1.5;
    for (int i = 0; i < 16; ++i) {
      now += std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds / 16));
      compressor.encode(chunk);
    }
    seen.push_back(compressor.level());
  }
  EXPECT_EQ(*std::max_element(seen.begin(), seen.end()), 9);
  ChunkCompressor down(0, [&] { return now; });
  // Slower at level 2 than at 1, then faster with every step down: it falls to off, past 0.
  const double down_seconds[] = {1.0, 2.0, 1.9, 1.8, 1.7, 1.6};
  for (double window_seconds : down_seconds) {
    seconds = window_seconds;
    for (int i = 0; i < 16; ++i) {
      now += std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds / 16));
      down.encode(chunk);
    }
    seen.push_back(down.level());
  }
  EXPECT_EQ(down.level(), -1);
  for (int level : seen) {
    EXPECT_NE(level, 0);
    EXPECT_GE(level, -1);
    EXPECT_LE(level, 9);
  }
}

// The history holds `capacity` entries, least recently used dropped first: a lookup counts as
// a use, and an evicted entry is gone from every index (by name, by content, by size).
TEST_F(CopyHistoryTest, EvictsTheLeastRecentlyUsed) {
  CopyHistory history(3, {});
  auto entry = [](int i) {
    return HistoryEntry{"f" + std::to_string(i), "d/f" + std::to_string(i), 100u + i, i, i,
                        protocol::ContentHash{static_cast<std::uint64_t>(i), 7}};
  };
  for (int i = 0; i < 3; ++i) history.record(entry(i));
  ASSERT_TRUE(history.by_key("f0", 100, 0));  // f0 used: f1 is now the least recent
  history.record(entry(3));
  EXPECT_EQ(history.size(), 3u);
  EXPECT_FALSE(history.by_key("f1", 101, 1));
  EXPECT_FALSE(history.by_content(101, protocol::ContentHash{1, 7}));
  EXPECT_FALSE(history.latest_named("f1"));
  EXPECT_FALSE(history.has_size(101));
  for (int i : {0, 2, 3}) EXPECT_TRUE(history.by_content(100u + i, protocol::ContentHash{static_cast<std::uint64_t>(i), 7})) << i;
}
