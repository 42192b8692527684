#pragma once
// The bundle's reproducible archive (tar.gz through libarchive): entries sorted by path,
// every modification time the same fixed instant, owner and group 0 with no names,
// permissions reduced to 0755/0644, no atime/ctime/xattrs/ACLs, and a gzip header without
// a timestamp. Same tree and instant, same bytes. Written under a temporary name beside the
// target and renamed when complete, so an interrupted write leaves nothing under the final
// name; then TARGET.sha256 ("HASH  NAME", what `sha256sum -c` reads).
// Implementation: libdkm/src/pack/archive.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/sha256.hpp>


#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dkm::pack {

/// What to archive and how.
struct ArchiveRequest {
  fs::path tree;         ///< directory whose content is archived
  std::string top;       ///< name of the archive's single top directory (e.g. "dkumonitor-0.1.0")
  fs::path output;       ///< the .tar.gz to write
  int64_t mtime = 0;     ///< modification time of every entry (seconds since the epoch)
  std::function<void(uint64_t done, uint64_t total)> progress;  ///< bytes of content archived so far
};

/// The entries of a tree, relative to it, in the archive's order (element-wise by path,
/// so a directory's content follows the directory). Symbolic links are listed, not followed.
std::vector<fs::path> sorted_tree(const fs::path& root);

/// Removes leftovers of interrupted writes of `target` (its ".NAME.tmp*" siblings).
void remove_stale_temporaries(const fs::path& target);

/// Writes the reproducible archive and its .sha256; returns the archive's sha256.
/// Throws Error naming the file at fault; on failure nothing exists under the final name
/// that was not there before, except that a stale .sha256 of an older archive is removed.
std::string write_reproducible_archive(const ArchiveRequest& req);

}  // namespace dkm::pack
