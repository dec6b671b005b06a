#pragma once
// The copy server's client: uploads a local tree into a directory under the server's root,
// or downloads one. Either way the receiving side skips files it already has (same size and
// mtime), the server links files it has written before, and changed files travel as deltas.
// Data is compressed with zstd per chunk (Config::compression_level: 0 self-balancing on
// measured throughput, -1 off, 1..22 fixed).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "gitfleet/copy/config.hpp"
#include "gitfleet/copy/tree_copy.hpp"
#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::copy {

struct RemoteOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 31337;
  std::string secret;
  std::chrono::milliseconds timeout{60000};  // connecting, and waiting for the server
  // Upload only: when no server answers, copy here locally (copytree with skip_unchanged)
  // instead of failing.
  std::filesystem::path fallback_dst;
};

// Uploads src (a directory: its contents; a file: that file) into `remote_dst`, a directory
// relative to the server's root ("" is the root). Throws Error: Network when no server
// answers (and there is no fallback), AuthenticationFailed, Refused; a file the server
// refuses is a failure recorded under ErrorStrategy::Ignore and an error otherwise.
CopySummary upload(const std::filesystem::path& src, const std::string& remote_dst, const RemoteOptions& remote,
                   const Config& config, const CancellationToken& cancel = CancellationToken());

// Downloads `remote_src` (a directory relative to the server's root) into the local
// directory dst, created if needed.
CopySummary download(const std::string& remote_src, const std::filesystem::path& dst, const RemoteOptions& remote,
                     const Config& config, const CancellationToken& cancel = CancellationToken());

}  // namespace gitfleet::copy
