#pragma once
// Archive sources: downloading with libcurl (digest computed on the way) and unpacking
// with libarchive (tar.gz, tar.bz2, tar.xz, zip), safely and with leading directories
// stripped. Nothing is unpacked before its sha256 is checked (see the fetch step).
// Implementation: libdkm/src/pack/archive_source.cpp.

#include <dkm/core/files.hpp>

#include <sys/stat.h>

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

/// The permission bits an archive entry of permissions `perm` is unpacked with: setuid,
/// setgid and write for group and others dropped. An archive's modes are its packer's say,
/// and dkmpack often runs as root, where libarchive would restore them all.
inline mode_t unpacked_permissions(mode_t perm) { return perm & 07777 & ~(S_ISUID | S_ISGID | S_IWGRP | S_IWOTH); }

/// `path` without its first `strip` components ("" when it has no more).
std::string strip_components(const std::string& path, int strip);

}  // namespace dkm::pack
