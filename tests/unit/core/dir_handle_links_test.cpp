// core/dir_handle: subdirectories, links and entries reached from a handle, never through a link.
#include <catch2/catch.hpp>

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/temp_dir.hpp>

using namespace dkm;

TEST_CASE("a subdirectory swapped for a link is refused, and a handle opened before keeps the directory",
          "[core][dir_handle]") {
  TempDir dir;
  fs::create_directories(dir.path() / "inst/bin");
  fs::create_directories(dir.path() / "chosen");
  DirHandle inst(dir.path() / "inst", true);
  DirHandle bin = inst.subdir("bin");
  fs::rename(dir.path() / "inst/bin", dir.path() / "inst/bin.moved");
  fs::create_directory_symlink(dir.path() / "chosen", dir.path() / "inst/bin");

  REQUIRE_THROWS_WITH(inst.subdir("bin"), Catch::Contains((dir.path() / "inst/bin").string()) &&
                                              Catch::Contains("symbolic link"));
  bin.write_file_atomic("env", "A=1\n");  // goes where bin was when it was opened
  CHECK(fs::is_empty(dir.path() / "chosen"));
  CHECK(read_file(dir.path() / "inst/bin.moved/env") == "A=1\n");
}

TEST_CASE("links are made, read and told apart from files through the handle", "[core][dir_handle]") {
  TempDir dir;
  DirHandle d(dir.path(), false);
  d.write_file_atomic("env", "A=1\n", 0640);
  CHECK((d.entry_status("env")->st_mode & 0777) == 0640);
  CHECK_FALSE(d.entry_status("absent"));
  d.replace_symlink("dkm", "/bundle/bin/dkm");
  d.replace_symlink("dkm", "/bundle-2/bin/dkm");
  CHECK(d.read_symlink("dkm") == fs::path("/bundle-2/bin/dkm"));
  CHECK(S_ISLNK(d.entry_status("dkm")->st_mode));
  CHECK_FALSE(d.read_symlink("env"));
  CHECK_FALSE(d.read_file("dkm"));  // a link is not read through
  CHECK(d.names().size() == 2);
}
