// dkmpack archives: sha256, downloads through libcurl (file:// URLs), safe extraction with
// leading directories stripped.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/sha256.hpp>

#include "pack/archive_source.hpp"
#include "pack/sources.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

using namespace dkm;
using namespace dkm::pack;

namespace {

struct Entry {
  std::string path;
  std::string content;       ///< file content, or the link target for a symlink
  bool symlink = false;
  int64_t mtime = 0;         ///< modification time; 0: not set
};

/// Writes a .tar.gz with libarchive.
void write_tar_gz(const fs::path& file, const std::vector<Entry>& entries) {
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
  archive_write_add_filter_gzip(a.get());
  archive_write_set_format_pax_restricted(a.get());
  REQUIRE(archive_write_open_filename(a.get(), file.c_str()) == ARCHIVE_OK);
  for (const auto& e : entries) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), e.path.c_str());
    if (e.mtime != 0) archive_entry_set_mtime(entry.get(), static_cast<time_t>(e.mtime), 0);
    if (e.symlink) {
      archive_entry_set_filetype(entry.get(), AE_IFLNK);
      archive_entry_set_symlink(entry.get(), e.content.c_str());
      archive_entry_set_perm(entry.get(), 0777);
      archive_write_header(a.get(), entry.get());
    } else {
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_perm(entry.get(), 0755);
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.content.size()));
      archive_write_header(a.get(), entry.get());
      archive_write_data(a.get(), e.content.data(), e.content.size());
    }
  }
  archive_write_close(a.get());
}

void ignore(const std::string&) {}

}  // namespace

TEST_CASE("sha256 of strings and files", "[pack][archive]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  TempDir dir;
  write_file_atomic(dir.path() / "f", "abc");
  CHECK(sha256_file(dir.path() / "f") == sha256_hex("abc"));
  REQUIRE_THROWS_WITH(sha256_file(dir.path() / "missing"), Catch::Contains((dir.path() / "missing").string()));
}

TEST_CASE("strip_components drops leading directories", "[pack][archive]") {
  CHECK(strip_components("pkg-1.0/src/a.c", 1) == "src/a.c");
  CHECK(strip_components("./pkg-1.0/src/a.c", 1) == "src/a.c");
  CHECK(strip_components("pkg-1.0/", 1) == "");
  CHECK(strip_components("pkg-1.0", 1) == "");
  CHECK(strip_components("a/b/c", 2) == "c");
  CHECK(strip_components("a/b", 0) == "a/b");
}

TEST_CASE("an archive unpacks with its top directory stripped, links and modes kept", "[pack][archive]") {
  TempDir dir;
  fs::path tgz = dir.path() / "pkg-1.0.tar.gz";
  write_tar_gz(tgz, {{"pkg-1.0/configure", "#!/bin/sh\n"}, {"pkg-1.0/src/a.c", "int a;\n"}, {"pkg-1.0/link", "src/a.c", true}});
  fs::path out = dir.path() / "out";
  fs::create_directories(out);
  CHECK(extract_archive(tgz, out, 1) == 3);
  CHECK(read_file(out / "src" / "a.c") == "int a;\n");
  CHECK(fs::is_symlink(out / "link"));
  CHECK((fs::status(out / "configure").permissions() & fs::perms::owner_exec) != fs::perms::none);
}

TEST_CASE("an unpacked entry keeps no setuid or setgid bit and no write for group or others", "[pack][archive]") {
  CHECK(unpacked_permissions(04755) == 0755);
  CHECK(unpacked_permissions(02775) == 0755);
  CHECK(unpacked_permissions(0777) == 0755);
  CHECK(unpacked_permissions(0666) == 0644);
  CHECK(unpacked_permissions(01777) == 01755);  // the sticky bit gives nobody more rights
  CHECK(unpacked_permissions(0700) == 0700);
  CHECK(unpacked_permissions(0444) == 0444);
}

TEST_CASE("an archive entry leading outside the tree is refused", "[pack][archive]") {
  TempDir dir;
  fs::path tgz = dir.path() / "evil.tar.gz";
  write_tar_gz(tgz, {{"pkg/../../evil", "x"}});
  fs::path out = dir.path() / "a" / "b";
  fs::create_directories(out);
  REQUIRE_THROWS_WITH(extract_archive(tgz, out, 1), Catch::Contains("points outside the source tree"));
  CHECK_FALSE(fs::exists(dir.path() / "evil"));
  CHECK_FALSE(fs::exists(dir.path() / "a" / "evil"));
}

TEST_CASE("download fetches a URL to a file and returns its sha256, or names the URL", "[pack][archive]") {
  TempDir dir;
  write_file_atomic(dir.path() / "served", "payload");
  fs::path target = dir.path() / "cache" / "x.tar.gz";
  CHECK(download("file://" + (dir.path() / "served").string(), target, ignore) == sha256_hex("payload"));
  CHECK(read_file(target) == "payload");
  std::string missing = "file://" + (dir.path() / "absent").string();
  REQUIRE_THROWS_WITH(download(missing, dir.path() / "cache" / "y", ignore), Catch::StartsWith("cannot download " + missing));
  CHECK_FALSE(fs::exists(dir.path() / "cache" / "y.part"));
}

TEST_CASE("an archive's source time is the newest modification time of its files", "[pack][archive]") {
  TempDir dir;
  fs::path tgz = dir.path() / "pkg-1.0.tar.gz";
  write_tar_gz(tgz, {{"pkg-1.0/configure", "#!/bin/sh\n", false, 1600000000},
                     {"pkg-1.0/src/a.c", "int a;\n", false, 1614834367},
                     {"pkg-1.0/README", "old\n", false, 1500000000}});
  fs::path out = dir.path() / "out";
  fs::create_directories(out);
  REQUIRE(extract_archive(tgz, out, 1) == 3);
  CHECK(newest_mtime(out) == 1614834367);  // directories (made now) do not count
  // A .git directory (a local source's) does not count either.
  fs::create_directories(out / ".git");
  write_file_atomic(out / ".git" / "HEAD", "ref: refs/heads/main\n");
  CHECK(newest_mtime(out) == 1614834367);
  CHECK(newest_mtime(dir.path() / "out" / "src") == 1614834367);
}
