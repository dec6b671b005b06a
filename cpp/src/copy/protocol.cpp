#include "gitfleet/copy/protocol.hpp"

#include <utility>

#include "gitfleet/copy/delta.hpp"

namespace gitfleet::copy::protocol {

std::array<char, 5> frame_header(FrameType type, std::uint32_t payload_length) {
  std::array<char, 5> header;
  for (int i = 0; i < 4; ++i) header[i] = static_cast<char>((payload_length >> (8 * i)) & 0xff);
  header[4] = static_cast<char>(type);
  return header;
}

std::uint32_t frame_length(const unsigned char* header) {
  return header[0] | (header[1] << 8) | (header[2] << 16) | (static_cast<std::uint32_t>(header[3]) << 24);
}

std::uint64_t Reader::le(int n) {
  if (remaining() < static_cast<std::size_t>(n)) throw ProtocolError("truncated frame");
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
  pos_ += static_cast<std::size_t>(n);
  return v;
}

std::string_view Reader::raw(std::size_t n) {
  if (remaining() < n) throw ProtocolError("truncated frame");
  std::string_view v = data_.substr(pos_, n);
  pos_ += n;
  return v;
}

std::string Reader::str(std::size_t max_size) {
  std::uint32_t n = u32();
  if (n > max_size) throw ProtocolError("string field too long");
  return std::string(raw(n));
}

void Reader::expect_end() const {
  if (remaining() != 0) throw ProtocolError("trailing bytes in frame");
}

namespace {

constexpr std::size_t kMaxPath = 4096;
constexpr std::size_t kMaxMessage = 4096;

template <std::size_t N>
void read_array(Reader& r, std::array<std::uint8_t, N>& out) {
  auto bytes = r.raw(N);
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(bytes[i]);
}

template <std::size_t N>
void write_array(Writer& w, const std::array<std::uint8_t, N>& a) {
  w.raw(std::string_view(reinterpret_cast<const char*>(a.data()), N));
}

// ErrorMessage, Decision and FileResult share one layout: a one-byte code and a message.
std::string encode_coded(std::uint8_t code, const std::string& message) {
  Writer w;
  w.u8(code);
  w.str(message.substr(0, kMaxMessage));
  return std::move(w.bytes());
}

std::pair<std::uint8_t, std::string> decode_coded(std::string_view payload) {
  Reader r(payload);
  std::uint8_t code = r.u8();
  std::string message = r.str(kMaxMessage);
  r.expect_end();
  return {code, std::move(message)};
}

}  // namespace

std::string Hello::encode() const {
  Writer w;
  w.u32(kMagic);
  w.u16(version);
  write_array(w, nonce);
  return std::move(w.bytes());
}

Hello Hello::decode(std::string_view payload) {
  Reader r(payload);
  if (r.u32() != kMagic) throw ProtocolError("not an EACopy client (bad magic)");
  Hello h;
  h.version = r.u16();
  read_array(r, h.nonce);
  r.expect_end();
  return h;
}

std::string Challenge::encode() const {
  Writer w;
  w.u16(version);
  write_array(w, nonce);
  return std::move(w.bytes());
}

Challenge Challenge::decode(std::string_view payload) {
  Reader r(payload);
  Challenge c;
  c.version = r.u16();
  read_array(r, c.nonce);
  r.expect_end();
  return c;
}

std::string AuthProof::encode() const {
  Writer w;
  write_array(w, proof);
  return std::move(w.bytes());
}

AuthProof AuthProof::decode(std::string_view payload) {
  Reader r(payload);
  AuthProof a;
  read_array(r, a.proof);
  r.expect_end();
  return a;
}

namespace {

// Index = the kind's number on the wire (protocol version 1).
constexpr ErrorCode kWireKinds[] = {
    ErrorCode::NotFound,     ErrorCode::PermissionDenied, ErrorCode::AlreadyExists, ErrorCode::IsADirectory,
    ErrorCode::NotADirectory, ErrorCode::SameFile,        ErrorCode::SpecialFile,   ErrorCode::NoSpace,
    ErrorCode::InvalidArgument, ErrorCode::Io,            ErrorCode::Cancelled,     ErrorCode::Network,
    ErrorCode::AuthenticationFailed, ErrorCode::Refused,
};

std::uint8_t wire_kind(ErrorCode code) {
  for (std::size_t i = 0; i < std::size(kWireKinds); ++i)
    if (kWireKinds[i] == code) return static_cast<std::uint8_t>(i);
  return 11;  // Network: codes the copy protocol has no kind for (Protocol, Internal, ...)
}

}  // namespace

std::string ErrorMessage::encode() const { return encode_coded(wire_kind(code), message); }

ErrorMessage ErrorMessage::decode(std::string_view payload) {
  auto [kind, message] = decode_coded(payload);
  return {kind < std::size(kWireKinds) ? kWireKinds[kind] : ErrorCode::Network, std::move(message)};
}

std::string Begin::encode() const {
  Writer w;
  w.str(path);
  w.u32(static_cast<std::uint32_t>(compression_level));
  return std::move(w.bytes());
}

Begin Begin::decode(std::string_view payload) {
  Reader r(payload);
  Begin b;
  b.path = r.str(kMaxPath);
  b.compression_level = static_cast<std::int32_t>(r.u32());
  r.expect_end();
  if (!b.path.empty() && !is_safe_relative_path(b.path)) throw ProtocolError("unsafe path: '" + b.path + "'");
  if (b.compression_level < -1 || b.compression_level > 22) throw ProtocolError("bad compression level");
  return b;
}

std::string Offer::encode() const {
  Writer w;
  w.str(path);
  w.u64(size);
  w.i64(mtime_ns);
  w.u32(mode);
  return std::move(w.bytes());
}

Offer Offer::decode(std::string_view payload) {
  Reader r(payload);
  Offer o;
  o.path = r.str(kMaxPath);
  o.size = r.u64();
  o.mtime_ns = r.i64();
  o.mode = r.u32();
  r.expect_end();
  if (!is_safe_relative_path(o.path)) throw ProtocolError("unsafe path in offer: '" + o.path + "'");
  return o;
}

std::string Decision::encode() const { return encode_coded(static_cast<std::uint8_t>(verdict), message); }

Decision Decision::decode(std::string_view payload) {
  auto [v, message] = decode_coded(payload);
  if (v > static_cast<std::uint8_t>(Verdict::Refuse)) throw ProtocolError("unknown verdict");
  return {static_cast<Verdict>(v), std::move(message)};
}

std::string ContentHash::encode() const {
  Writer w;
  w.u64(lo);
  w.u64(hi);
  return std::move(w.bytes());
}

ContentHash ContentHash::decode(std::string_view payload) {
  Reader r(payload);
  ContentHash h;
  h.lo = r.u64();
  h.hi = r.u64();
  r.expect_end();
  return h;
}

std::string SignatureHead::encode() const {
  Writer w;
  w.u32(block_size);
  w.u64(file_size);
  w.u32(block_count);
  return std::move(w.bytes());
}

SignatureHead SignatureHead::decode(std::string_view payload) {
  Reader r(payload);
  SignatureHead s;
  s.block_size = r.u32();
  s.file_size = r.u64();
  s.block_count = r.u32();
  r.expect_end();
  if (s.block_size < 512 || s.block_size > kMaxBlockSize) throw ProtocolError("bad signature block size");
  if (s.block_count != s.file_size / s.block_size + (s.file_size % s.block_size != 0))
    throw ProtocolError("bad signature block count");
  // The blocks are held in memory: a peer does not choose how much.
  if (s.block_count > kMaxSignatureBlocks) throw ProtocolError("signature of too many blocks");
  return s;
}

std::string DataChunk::encode(bool compressed, std::uint32_t raw_size, std::string_view bytes) {
  Writer w;
  w.u8(compressed ? 1 : 0);
  w.u32(raw_size);
  w.raw(bytes);
  return std::move(w.bytes());
}

DataChunk DataChunk::decode(std::string_view payload) {
  Reader r(payload);
  DataChunk d;
  std::uint8_t flags = r.u8();
  if (flags > 1) throw ProtocolError("unknown data flags");
  d.compressed = flags == 1;
  d.raw_size = r.u32();
  if (d.raw_size > kChunk) throw ProtocolError("data chunk too large");
  d.bytes = r.raw(r.remaining());
  if (!d.compressed && d.bytes.size() != d.raw_size) throw ProtocolError("data chunk size mismatch");
  return d;
}

std::string DeltaCopyRange::encode() const {
  Writer w;
  w.u64(offset);
  w.u64(length);
  return std::move(w.bytes());
}

DeltaCopyRange DeltaCopyRange::decode(std::string_view payload) {
  Reader r(payload);
  DeltaCopyRange d;
  d.offset = r.u64();
  d.length = r.u64();
  r.expect_end();
  if (d.offset + d.length < d.offset) throw ProtocolError("delta range overflows");
  return d;
}

std::string FileResult::encode() const { return encode_coded(outcome, message); }

FileResult FileResult::decode(std::string_view payload) {
  auto [outcome, message] = decode_coded(payload);
  return {outcome, std::move(message)};
}

std::string Unsent::encode() const {
  Writer w;
  w.str(path.substr(0, kMaxPath));
  w.str(message.substr(0, kMaxMessage));
  return std::move(w.bytes());
}

Unsent Unsent::decode(std::string_view payload) {
  Reader r(payload);
  Unsent u;
  u.path = r.str(kMaxPath);
  u.message = r.str(kMaxMessage);
  r.expect_end();
  return u;
}

std::string TransferSummary::encode() const {
  Writer w;
  for (auto v : {files_copied, files_linked, files_skipped, files_failed, bytes_copied, bytes_linked, bytes_skipped,
                 bytes_received})
    w.u64(v);
  return std::move(w.bytes());
}

TransferSummary TransferSummary::decode(std::string_view payload) {
  Reader r(payload);
  TransferSummary s;
  for (auto* v : {&s.files_copied, &s.files_linked, &s.files_skipped, &s.files_failed, &s.bytes_copied,
                  &s.bytes_linked, &s.bytes_skipped, &s.bytes_received})
    *v = r.u64();
  r.expect_end();
  return s;
}

void decode_any(std::uint8_t type, std::string_view payload) {
  if (payload.size() > kMaxPayload) throw ProtocolError("frame too large");
  switch (static_cast<FrameType>(type)) {
    case FrameType::Hello: Hello::decode(payload); return;
    case FrameType::Challenge: Challenge::decode(payload); return;
    case FrameType::Auth:
    case FrameType::AuthOk: AuthProof::decode(payload); return;
    case FrameType::Error:
    case FrameType::Busy:
    case FrameType::FileAbort: ErrorMessage::decode(payload); return;
    case FrameType::UploadBegin:
    case FrameType::DownloadBegin: Begin::decode(payload); return;
    case FrameType::Ready:
    case FrameType::Flush:
    case FrameType::TransferEnd: Reader(payload).expect_end(); return;
    case FrameType::Offer: Offer::decode(payload); return;
    case FrameType::Decision: Decision::decode(payload); return;
    case FrameType::FileHash:
    case FrameType::FileEnd: ContentHash::decode(payload); return;
    case FrameType::SignatureHead: SignatureHead::decode(payload); return;
    case FrameType::SignatureBlocks:
      if (payload.size() % 20 != 0 || payload.size() / 20 > kSignatureBlocksPerFrame)
        throw ProtocolError("bad signature blocks frame");
      return;
    case FrameType::Data: DataChunk::decode(payload); return;
    case FrameType::DeltaCopy: DeltaCopyRange::decode(payload); return;
    case FrameType::FileResult: FileResult::decode(payload); return;
    case FrameType::Summary: TransferSummary::decode(payload); return;
    case FrameType::Unsent: Unsent::decode(payload); return;
  }
  throw ProtocolError("unknown frame type " + std::to_string(type));
}

bool is_safe_relative_path(std::string_view path) noexcept {
  if (path.empty() || path.size() > kMaxPath || path.front() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return path.find('\0') == std::string_view::npos;
}

}  // namespace gitfleet::copy::protocol
