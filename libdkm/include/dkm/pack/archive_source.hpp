#pragma once
// Archive sources: downloading with libcurl (digest computed on the way) and unpacking
// with libarchive (tar.gz, tar.bz2, tar.xz, zip), safely and with leading directories
// stripped. Nothing is unpacked before its sha256 is checked (see the fetch step).
// Implementation: libdkm/src/pack/archive_source.cpp.

#include <dkm/core/files.hpp>

#include <functional>
#include <string>

namespace dkm::pack {

/// Downloads `url` to `file` through `file`.part renamed into place; returns the sha256 of
/// what was received. Throws Error naming the URL (and the HTTP status) on failure.
std::string download(const std::string& url, const fs::path& file, const std::function<void(const std::string&)>& log);

/// Unpacks `archive` into the existing directory `dir`, dropping `strip` leading path
/// components; refuses absolute paths, "..", and links leading out of `dir`. Returns the
/// number of entries written. Throws Error naming the archive and the entry.
size_t extract_archive(const fs::path& archive, const fs::path& dir, int strip);

/// `path` without its first `strip` components ("" when it has no more).
std::string strip_components(const std::string& path, int strip);

}  // namespace dkm::pack
