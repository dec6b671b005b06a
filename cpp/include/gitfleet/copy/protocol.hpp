#pragma once
// The copy server's wire protocol (version 1), documented in docs/copy_server.md.
//
// A frame is [u32 payload length, little-endian][u8 type][payload]; payloads are bounded by
// kMaxPayload and decoded with bounds checks: a malformed frame is a ProtocolError, never a
// crash. Every message has encode() and a decode() that consumes the payload exactly.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gitfleet/core/error.hpp"

namespace gitfleet::copy::protocol {

constexpr std::uint32_t kMagic = 0x50434145;  // "EACP"
constexpr std::uint16_t kVersion = 1;
constexpr std::size_t kChunk = 1u << 20;                 // file data travels in 1 MiB chunks
constexpr std::size_t kMaxPayload = kChunk + 64 * 1024;  // a chunk and its header, or a message
constexpr std::size_t kSignatureBlocksPerFrame = 32 * 1024;
constexpr std::size_t kNonceSize = 32;
constexpr std::size_t kProofSize = 32;  // HMAC-SHA256

// A malformed or unexpected frame: the core's Error with code Protocol, a type of its own so the
// connection code can tell a broken peer from a failed file.
class ProtocolError : public Error {
 public:
  explicit ProtocolError(const std::string& message) : Error(ErrorCode::Protocol, message) {}
};

enum class FrameType : std::uint8_t {
  Hello = 1,           // client: magic, version, nonce
  Challenge = 2,       // server: version, nonce
  Auth = 3,            // client: proof of the secret
  AuthOk = 4,          // server: its own proof
  Error = 5,           // either side: kind and message; the connection ends
  Busy = 6,            // server: too many connections, try later
  UploadBegin = 10,    // client: destination directory (relative to the server's root)
  DownloadBegin = 11,  // client: source directory (relative to the server's root)
  Ready = 12,          // server: the transfer may start
  Offer = 13,          // sender: one file's key (relative path, size, mtime, mode)
  Decision = 14,       // receiver: what to do with the offered file
  FileHash = 15,       // sender: the content hash the receiver asked for
  SignatureHead = 16,  // receiver: block size, file size, block count of its previous version
  SignatureBlocks = 17,
  Data = 18,           // sender: a chunk of content (raw or zstd)
  DeltaCopy = 19,      // sender: "take these bytes from your previous version"
  FileEnd = 20,        // sender: the content hash of the whole file
  FileResult = 21,     // receiver: written, or why not
  TransferEnd = 22,    // sender: no more files
  Summary = 23,        // receiver: its counts, ending the transfer
  FileAbort = 24,      // sender: this file cannot be sent after all (message says why)
  Unsent = 25,         // sender: a file it could not offer at all (path, message)
  Flush = 26,          // sender: a batch of offers is complete; settle its files in order
};

enum class Verdict : std::uint8_t {
  Skip = 0,      // the destination already holds this file
  Link = 1,      // the receiver holds this content elsewhere: it hard-links it
  Copy = 2,      // send the content
  Delta = 3,     // a previous version follows as a signature: send the difference
  NeedHash = 4,  // send the content hash first (the receiver may hold the content)
  Refuse = 5,    // the receiver will not write this file (message says why)
};

// A frame's five header bytes, and its payload length read back from them.
std::array<char, 5> frame_header(FrameType type, std::uint32_t payload_length);
std::uint32_t frame_length(const unsigned char* header);

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void i64(std::int64_t v) { le(static_cast<std::uint64_t>(v), 8); }
  void raw(std::string_view bytes) { out_.append(bytes); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s);
  }
  std::string& bytes() { return out_; }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(le(8)); }
  std::string_view raw(std::size_t n);
  std::string str(std::size_t max_size);
  void expect_end() const;
  std::size_t remaining() const { return data_.size() - pos_; }

 private:
  std::uint64_t le(int n);
  std::string_view data_;
  std::size_t pos_ = 0;
};

using Nonce = std::array<std::uint8_t, kNonceSize>;
using Proof = std::array<std::uint8_t, kProofSize>;

struct Hello {
  std::uint16_t version = kVersion;
  Nonce nonce{};
  std::string encode() const;
  static Hello decode(std::string_view payload);
};

struct Challenge {
  std::uint16_t version = kVersion;
  Nonce nonce{};
  std::string encode() const;
  static Challenge decode(std::string_view payload);
};

struct AuthProof {  // Auth and AuthOk
  Proof proof{};
  std::string encode() const;
  static AuthProof decode(std::string_view payload);
};

struct ErrorMessage {  // Error, Busy and FileAbort
  // On the wire as a u8 of fixed meaning (docs/copy_server.md), whatever ErrorCode's order;
  // a kind this version does not know decodes as Network.
  ErrorCode code = ErrorCode::Io;
  std::string message;
  std::string encode() const;
  static ErrorMessage decode(std::string_view payload);
};

struct Begin {  // UploadBegin and DownloadBegin
  std::string path;               // "" is the server's root itself
  std::int32_t compression_level = 0;  // for downloads: how the server compresses
  std::string encode() const;
  static Begin decode(std::string_view payload);
};

struct Offer {
  std::string path;  // relative to the transfer's directory, '/'-separated
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint32_t mode = 0644;
  std::string encode() const;
  static Offer decode(std::string_view payload);
};

struct Decision {
  Verdict verdict = Verdict::Copy;
  std::string message;  // Refuse: why
  std::string encode() const;
  static Decision decode(std::string_view payload);
};

struct ContentHash {  // FileHash and FileEnd: XXH3-128
  std::uint64_t lo = 0, hi = 0;
  bool operator==(const ContentHash&) const = default;
  std::string encode() const;
  static ContentHash decode(std::string_view payload);
};

struct SignatureHead {
  std::uint32_t block_size = 0;
  std::uint64_t file_size = 0;
  std::uint32_t block_count = 0;
  std::string encode() const;
  static SignatureHead decode(std::string_view payload);
};

struct DataChunk {
  bool compressed = false;
  std::uint32_t raw_size = 0;
  std::string_view bytes;  // points into the payload
  static std::string encode(bool compressed, std::uint32_t raw_size, std::string_view bytes);
  static DataChunk decode(std::string_view payload);
};

struct DeltaCopyRange {
  std::uint64_t offset = 0, length = 0;
  std::string encode() const;
  static DeltaCopyRange decode(std::string_view payload);
};

struct FileResult {
  std::uint8_t outcome = 0;  // a Verdict: Copy (written), Delta (written from a delta), Refuse (failed)
  std::string message;
  std::string encode() const;
  static FileResult decode(std::string_view payload);
};

struct Unsent {
  std::string path;
  std::string message;
  std::string encode() const;
  static Unsent decode(std::string_view payload);
};

struct TransferSummary {
  std::uint64_t files_copied = 0, files_linked = 0, files_skipped = 0, files_failed = 0;
  std::uint64_t bytes_copied = 0, bytes_linked = 0, bytes_skipped = 0, bytes_received = 0;
  std::string encode() const;
  static TransferSummary decode(std::string_view payload);
};

// Decodes a payload as the message its type announces (what the fuzz tests drive): throws
// ProtocolError for anything malformed, including unknown types.
void decode_any(std::uint8_t type, std::string_view payload);

// Checks a relative path received from a peer: '/'-separated, no empty, "." or ".."
// components, no leading '/', no NUL, at most 4096 bytes.
bool is_safe_relative_path(std::string_view path) noexcept;

}  // namespace gitfleet::copy::protocol
