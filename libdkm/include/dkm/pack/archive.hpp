#pragma once
// The bundle's reproducible archive (tar.gz through libarchive): entries sorted by path,
// every modification time the same fixed instant, owner and group 0 with no names,
// permissions reduced to 0755/0644, no atime/ctime/xattrs/ACLs, and a gzip header without
// a timestamp. Same tree and instant, same bytes. Written under a temporary name beside the
// target and renamed when complete, so an interrupted write leaves nothing under the final
// name; then TARGET.sha256 ("HASH  NAME", what `sha256sum -c` reads).

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/sha256.hpp>

#include <archive.h>
#include <archive_entry.h>

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
inline std::vector<fs::path> sorted_tree(const fs::path& root) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    entries.push_back(it->path().lexically_relative(root));
  if (ec) throw Error(root.string() + ": cannot walk the tree: " + ec.message());
  std::sort(entries.begin(), entries.end());
  return entries;
}

/// Removes leftovers of interrupted writes of `target` (its ".NAME.tmp*" siblings).
inline void remove_stale_temporaries(const fs::path& target) {
  std::string prefix = "." + target.filename().string() + ".tmp";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(target.parent_path(), ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove(e.path(), ec);
}

namespace archive_detail {

/// The file being written and the digest of what went into it.
struct Sink {
  int fd = -1;
  Digest digest = Digest::sha256();
  std::string error;
};

inline la_ssize_t write_cb(struct archive*, void* data, const void* buf, size_t size) {
  auto* sink = static_cast<Sink*>(data);
  const char* p = static_cast<const char*>(buf);
  size_t left = size;
  while (left > 0) {
    ssize_t n = ::write(sink->fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      sink->error = errno_text();
      return -1;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  sink->digest.update(buf, size);
  return static_cast<la_ssize_t>(size);
}

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;

}  // namespace archive_detail

/// Writes the reproducible archive and its .sha256; returns the archive's sha256.
/// Throws Error naming the file at fault; on failure nothing exists under the final name
/// that was not there before, except that a stale .sha256 of an older archive is removed.
inline std::string write_reproducible_archive(const ArchiveRequest& req) {
  using namespace archive_detail;
  std::error_code ec;
  if (!fs::is_directory(req.tree, ec)) throw Error(req.tree.string() + ": not a directory");
  if (req.top.empty() || req.top.find('/') != std::string::npos)
    throw Error("archive top directory '" + req.top + "' must be one path element");
  fs::path out = fs::absolute(req.output);
  fs::create_directories(out.parent_path(), ec);
  if (ec) throw Error(out.parent_path().string() + ": cannot create directory: " + ec.message());
  remove_stale_temporaries(out);

  std::vector<fs::path> entries = sorted_tree(req.tree);
  uint64_t total = 0, done = 0;
  for (const auto& rel : entries) {
    fs::path p = req.tree / rel;
    if (!fs::is_symlink(p, ec) && fs::is_regular_file(p, ec)) total += fs::file_size(p, ec);
  }

  fs::path tmp = temp_sibling(out);
  Sink sink;
  sink.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (sink.fd < 0) throw Error(out.string() + ": cannot write: " + errno_text());
  auto fail = [&](const std::string& message) -> Error {
    if (sink.fd >= 0) ::close(sink.fd);
    sink.fd = -1;
    ::unlink(tmp.c_str());
    return Error(message);
  };

  ArchivePtr a(archive_write_new(), archive_write_free);
  if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      // gzip's header would otherwise carry the time of writing.
      archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      // No zero padding after the gzip stream (gzip -t would call it trailing garbage).
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open(a.get(), &sink, nullptr, write_cb, nullptr) != ARCHIVE_OK)
    throw fail(out.string() + ": cannot start the archive: " + archive_error_string(a.get()));

  std::vector<char> buf(1 << 16);
  auto add = [&](const fs::path& source, const std::string& name) {
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) throw fail(source.string() + ": cannot read: " + errno_text());
    EntryPtr e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mtime(e.get(), static_cast<time_t>(req.mtime), 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    std::string link;
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      archive_entry_set_perm(e.get(), 0755);
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), (st.st_mode & 0111) ? 0755 : 0644);
      archive_entry_set_size(e.get(), st.st_size);
    } else if (S_ISLNK(st.st_mode)) {
      link = fs::read_symlink(source, ec).string();
      if (ec) throw fail(source.string() + ": cannot read link: " + ec.message());
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_perm(e.get(), 0777);
      archive_entry_set_symlink(e.get(), link.c_str());
    } else {
      throw fail(source.string() + ": neither a file, a directory nor a symbolic link; cannot archive it");
    }
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
      throw fail(out.string() + ": " + name + ": " + archive_error_string(a.get()) +
                 (sink.error.empty() ? "" : " (" + sink.error + ")"));
    if (!S_ISREG(st.st_mode)) return;
    int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw fail(source.string() + ": cannot read: " + errno_text());
    off_t left = st.st_size;  // exactly the size announced in the header
    while (left > 0) {
      ssize_t n = ::read(in, buf.data(), std::min<size_t>(buf.size(), static_cast<size_t>(left)));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(in);
        throw fail(source.string() + ": changed or unreadable while archiving");
      }
      if (archive_write_data(a.get(), buf.data(), static_cast<size_t>(n)) != n) {
        ::close(in);
        throw fail(out.string() + ": " + archive_error_string(a.get()) + (sink.error.empty() ? "" : " (" + sink.error + ")"));
      }
      left -= n;
      done += static_cast<uint64_t>(n);
      if (req.progress) req.progress(done, total);
    }
    ::close(in);
  };

  add(req.tree, req.top);
  for (const auto& rel : entries) add(req.tree / rel, req.top + "/" + rel.generic_string());
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    throw fail(out.string() + ": " + archive_error_string(a.get()) + (sink.error.empty() ? "" : " (" + sink.error + ")"));
  if (::fsync(sink.fd) != 0) throw fail(out.string() + ": cannot write: " + errno_text());
  ::close(sink.fd);
  sink.fd = -1;

  std::string hash = sink.digest.hex();
  fs::path sum = out;
  sum += ".sha256";
  fs::remove(sum, ec);  // never leave an older archive's checksum beside the new archive
  if (::rename(tmp.c_str(), out.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(out.string() + ": cannot write: " + errno_text(err));
  }
  write_file_atomic(sum, hash + "  " + out.filename().string() + "\n");
  return hash;
}

}  // namespace dkm::pack
