// The bundle's reproducible archive (tar.gz through libarchive): entries sorted by path,
#include <dkm/pack/archive.hpp>

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

std::vector<fs::path> sorted_tree(const fs::path& root) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    entries.push_back(it->path().lexically_relative(root));
  if (ec) throw Error(root.string() + ": cannot walk the tree: " + ec.message());
  std::sort(entries.begin(), entries.end());
  return entries;
}

void remove_stale_temporaries(const fs::path& target) {
  std::string prefix = "." + target.filename().string() + ".tmp";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(target.parent_path(), ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove(e.path(), ec);
}

namespace {


/// The file being written and the digest of what went into it.
struct Sink {
  int fd = -1;
  Digest digest = Digest::sha256();
  std::string error;
};

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;


la_ssize_t write_cb(struct archive*, void* data, const void* buf, size_t size) {
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

/// One archive being written under a temporary name beside `out`; fail() cleans it up.
class ArchiveWriter {
 public:
  ArchiveWriter(const ArchiveRequest& req, fs::path out, std::uint64_t total)
      : req_(req), out_(std::move(out)), tmp_(temp_sibling(out_)), total_(total), a_(archive_write_new(), archive_write_free) {
    sink_.fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (sink_.fd < 0) throw Error(out_.string() + ": cannot write: " + errno_text());
    if (archive_write_add_filter_gzip(a_.get()) != ARCHIVE_OK ||
        // gzip's header would otherwise carry the time of writing.
        archive_write_set_filter_option(a_.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(a_.get()) != ARCHIVE_OK ||
        // No zero padding after the gzip stream (gzip -t would call it trailing garbage).
        archive_write_set_bytes_in_last_block(a_.get(), 1) != ARCHIVE_OK ||
        archive_write_open(a_.get(), &sink_, nullptr, write_cb, nullptr) != ARCHIVE_OK)
      throw fail(out_.string() + ": cannot start the archive: " + archive_error_string(a_.get()));
  }

  /// Adds `source` as `name`: a directory, a file or a link, owned by 0, at the request's time.
  void add(const fs::path& source, const std::string& name) {
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) throw fail(source.string() + ": cannot read: " + errno_text());
    EntryPtr e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mtime(e.get(), static_cast<time_t>(req_.mtime), 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    std::string link;
    std::error_code ec;
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
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) throw fail(out_.string() + ": " + name + ": " + why());
    if (S_ISREG(st.st_mode)) copy_data(source, st.st_size);
  }

  /// Closes the archive, renames it into place, writes its .sha256; returns the digest.
  std::string finish() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) throw fail(out_.string() + ": " + why());
    if (::fsync(sink_.fd) != 0) throw fail(out_.string() + ": cannot write: " + errno_text());
    ::close(sink_.fd);
    sink_.fd = -1;
    std::string hash = sink_.digest.hex();
    fs::path sum = out_;
    sum += ".sha256";
    std::error_code ec;
    fs::remove(sum, ec);  // never leave an older archive's checksum beside the new archive
    if (::rename(tmp_.c_str(), out_.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp_.c_str());
      throw Error(out_.string() + ": cannot write: " + errno_text(err));
    }
    write_file_atomic(sum, hash + "  " + out_.filename().string() + "\n");
    return hash;
  }

 private:
  /// Writes exactly `size` bytes of `source` (the size its header announced).
  void copy_data(const fs::path& source, off_t size) {
    int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw fail(source.string() + ": cannot read: " + errno_text());
    off_t left = size;
    while (left > 0) {
      ssize_t n = ::read(in, buf_.data(), std::min<size_t>(buf_.size(), static_cast<size_t>(left)));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(in);
        throw fail(source.string() + ": changed or unreadable while archiving");
      }
      if (archive_write_data(a_.get(), buf_.data(), static_cast<size_t>(n)) != n) {
        ::close(in);
        throw fail(out_.string() + ": " + why());
      }
      left -= n;
      done_ += static_cast<std::uint64_t>(n);
      if (req_.progress) req_.progress(done_, total_);
    }
    ::close(in);
  }

  /// libarchive's message, and the sink's when it failed.
  std::string why() { return archive_error_string(a_.get()) + (sink_.error.empty() ? "" : " (" + sink_.error + ")"); }

  /// Removes the temporary file; the error to throw.
  Error fail(const std::string& message) {
    if (sink_.fd >= 0) ::close(sink_.fd);
    sink_.fd = -1;
    ::unlink(tmp_.c_str());
    return Error(message);
  }

  const ArchiveRequest& req_;
  fs::path out_, tmp_;
  std::uint64_t total_, done_ = 0;
  Sink sink_;
  ArchivePtr a_;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
};

}  // namespace

std::string write_reproducible_archive(const ArchiveRequest& req) {
  std::error_code ec;
  if (!fs::is_directory(req.tree, ec)) throw Error(req.tree.string() + ": not a directory");
  if (req.top.empty() || req.top.find('/') != std::string::npos)
    throw Error("archive top directory '" + req.top + "' must be one path element");
  fs::path out = fs::absolute(req.output);
  fs::create_directories(out.parent_path(), ec);
  if (ec) throw Error(out.parent_path().string() + ": cannot create directory: " + ec.message());
  remove_stale_temporaries(out);
  std::vector<fs::path> entries = sorted_tree(req.tree);
  std::uint64_t total = 0;
  for (const auto& rel : entries) {
    fs::path p = req.tree / rel;
    if (!fs::is_symlink(p, ec) && fs::is_regular_file(p, ec)) total += fs::file_size(p, ec);
  }
  ArchiveWriter writer(req, out, total);
  writer.add(req.tree, req.top);
  for (const auto& rel : entries) writer.add(req.tree / rel, req.top + "/" + rel.generic_string());
  return writer.finish();
}

}  // namespace dkm::pack
