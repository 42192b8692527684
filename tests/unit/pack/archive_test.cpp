// pack/archive: the reproducible archive.
#include <catch2/catch.hpp>

#include "pack_samples.hpp"

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/sha256.hpp>

#include "pack/manifest.hpp"
#include "pack/sbom.hpp"
#include "pack/source_date.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

using namespace dkm;
using namespace dkm::pack;
using namespace dkm::test;

namespace {

/// One entry as read back from an archive.
struct Entry {
  std::string path;
  int64_t mtime;
  int64_t uid, gid;
  std::string uname, gname;
  int perm;
};

std::vector<Entry> list_archive(const fs::path& file) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  REQUIRE(archive_read_open_filename(a, file.c_str(), 10240) == ARCHIVE_OK);
  std::vector<Entry> out;
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    out.push_back({archive_entry_pathname(e), archive_entry_mtime(e), archive_entry_uid(e), archive_entry_gid(e),
                   archive_entry_uname(e) ? archive_entry_uname(e) : "", archive_entry_gname(e) ? archive_entry_gname(e) : "",
                   static_cast<int>(archive_entry_perm(e))});
    archive_read_data_skip(a);
  }
  archive_read_free(a);
  return out;
}

}  // namespace

TEST_CASE("the archive is sorted, stamped with one time, owned by 0 without names", "[pack][archive]") {
  TempDir dir;
  fs::path tree = make_sample_tree(dir.path() / "stage");
  fs::path out = dir.path() / "dist" / "b-1.2.3.tar.gz";
  std::string hash = write_reproducible_archive({tree, "b-1.2.3", out, 1700000000, {}});
  CHECK(hash == sha256_file(out));
  CHECK(read_file(fs::path(out.string() + ".sha256")) == hash + "  b-1.2.3.tar.gz\n");
  // sha256sum agrees with the checksum file.
  RunOptions in_dist;
  in_dist.cwd = out.parent_path();
  CHECK(run_process({"sha256sum", "-c", "b-1.2.3.tar.gz.sha256"}, in_dist).ok());

  auto entries = list_archive(out);
  std::vector<std::string> paths;
  for (const auto& e : entries) {
    paths.push_back(e.path);
    CHECK(e.mtime == 1700000000);
    CHECK(e.uid == 0);
    CHECK(e.gid == 0);
    CHECK(e.uname.empty());
    CHECK(e.gname.empty());
  }
  // Directories carry tar's trailing slash.
  CHECK(paths == std::vector<std::string>{"b-1.2.3/", "b-1.2.3/VERSION", "b-1.2.3/bin/", "b-1.2.3/bin/tool",
                                          "b-1.2.3/conf/", "b-1.2.3/conf/a.ini", "b-1.2.3/conf/sub/",
                                          "b-1.2.3/conf/sub/z.txt", "b-1.2.3/empty/", "b-1.2.3/tool-link"});
  CHECK(entries[3].perm == 0755);  // executable bits kept, the rest normalised
  CHECK(entries[5].perm == 0644);
  // GNU tar reads it back, and the gzip header carries no time.
  CHECK(run_process({"tar", "-tzf", out.string()}).ok());
  std::string bytes = read_file(out);
  REQUIRE(bytes.size() > 10);
  CHECK(bytes.substr(4, 4) == std::string(4, '\0'));
}

TEST_CASE("same tree and time give the same bytes, a changed file or time changes them", "[pack][archive]") {
  TempDir dir;
  fs::path tree = make_sample_tree(dir.path() / "stage");
  std::string first = write_reproducible_archive({tree, "b", dir.path() / "one.tar.gz", 1700000000, {}});
  // Touch everything and change modes the archive normalises: nothing changes.
  ::chmod((tree / "conf" / "a.ini").c_str(), 0640);
  fs::last_write_time(tree / "VERSION", fs::file_time_type::clock::now());
  std::string second = write_reproducible_archive({tree, "b", dir.path() / "two.tar.gz", 1700000000, {}});
  CHECK(first == second);
  CHECK(read_file(dir.path() / "one.tar.gz") == read_file(dir.path() / "two.tar.gz"));

  CHECK(write_reproducible_archive({tree, "b", dir.path() / "t.tar.gz", 1700000001, {}}) != first);
  write_file_atomic(tree / "conf" / "a.ini", "a = 2\n");
  CHECK(write_reproducible_archive({tree, "b", dir.path() / "c.tar.gz", 1700000000, {}}) != first);
}

TEST_CASE("a failed archive leaves nothing under the final name and stale temporaries go", "[pack][archive]") {
  TempDir dir;
  fs::path tree = make_sample_tree(dir.path() / "stage");
  REQUIRE(::mkfifo((tree / "conf" / "fifo").c_str(), 0644) == 0);
  fs::path out = dir.path() / "dist" / "b.tar.gz";
  fs::create_directories(out.parent_path());
  write_file_atomic(dir.path() / "dist" / ".b.tar.gz.tmp123", "left by a killed run");
  CHECK_THROWS_WITH(write_reproducible_archive({tree, "b", out, 0, {}}), Catch::Contains("fifo"));
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::is_empty(out.parent_path()));
}
