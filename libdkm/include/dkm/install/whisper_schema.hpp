#pragma once
// What one whisper file weighs: storage-schemas.conf read as go-carbon 0.19 reads it
// (persister/whisper_schema.go: sections sorted by priority, then file order; the first
// whose pattern matches the metric wins; retentions in the old "SECONDS:POINTS" or the new
// "60s:7d" form, units s m h d w y, a year being 365 days), and a file's size as go-whisper
// lays it out: a 16-byte header, 12 bytes per archive, 12 per point. go-carbon writes the
// whole file when the metric first arrives (sparse-create = false), so this is the disk
// each metric takes from its first point.
// Implementation: libdkm/src/install/whisper_schema.cpp.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

/// One archive of a whisper file.
struct WhisperArchive {
  std::int64_t seconds_per_point = 0;
  std::int64_t points = 0;
};

/// go-whisper's layout.
inline constexpr std::uint64_t kWhisperHeaderBytes = 16;
inline constexpr std::uint64_t kWhisperArchiveInfoBytes = 12;
inline constexpr std::uint64_t kWhisperPointBytes = 12;

/// The archives of a retentions value ("60s:7d,5m:30d,1h:1y"); throws Error naming
/// `where` when one does not parse.
std::vector<WhisperArchive> parse_retentions(std::string_view retentions, const std::string& where);

/// The bytes of a whisper file with these archives.
std::uint64_t whisper_file_bytes(const std::vector<WhisperArchive>& archives);

/// The retentions value go-carbon gives `metric` under a storage-schemas.conf text;
/// throws Error naming `where` (and the line) when no section matches or one is malformed.
std::string schema_retentions_for(std::string_view schemas_text, const std::string& metric, const std::string& where);

}  // namespace dkm::install
