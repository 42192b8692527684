// core/dir_handle: a directory's entries reached through its handle, never through a link.
#include <catch2/catch.hpp>

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/temp_dir.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace dkm;

TEST_CASE("writes through a directory handle replace a planted link, never write through it", "[core]") {
  TempDir dir;
  fs::create_directories(dir.path() / "inst");
  fs::path elsewhere = dir.path() / "elsewhere";
  write_file_atomic(elsewhere, "untouched\n");
  fs::create_symlink(elsewhere, dir.path() / "inst/env");
  DirHandle inst = DirHandle::open(dir.path() / "inst");

  REQUIRE_THROWS_WITH(inst.read_file("env"), Catch::Contains("is a link"));
  inst.write_file_atomic("env", "A=1\n", 0640);
  CHECK(read_file(elsewhere) == "untouched\n");
  CHECK_FALSE(fs::is_symlink(dir.path() / "inst/env"));
  CHECK(inst.read_file("env") == "A=1\n");
  CHECK((inst.entry_status("env")->st_mode & 0777) == 0640);

  inst.replace_symlink("dkm", "/bundle/bin/dkm");
  CHECK(inst.read_symlink("dkm") == fs::path("/bundle/bin/dkm"));
  CHECK_FALSE(inst.read_symlink("env"));
  CHECK(inst.remove("dkm"));
  CHECK_FALSE(inst.remove("dkm"));
  CHECK_FALSE(inst.entry_status("dkm"));
}

TEST_CASE("a subdirectory swapped for a link is refused, and the handle keeps the directory it opened", "[core]") {
  TempDir dir;
  fs::create_directories(dir.path() / "inst/bin");
  fs::create_directories(dir.path() / "chosen");
  DirHandle inst = DirHandle::open(dir.path() / "inst");
  DirHandle bin = inst.subdir("bin");
  fs::rename(dir.path() / "inst/bin", dir.path() / "inst/bin.moved");
  fs::create_directory_symlink(dir.path() / "chosen", dir.path() / "inst/bin");

  REQUIRE_THROWS_WITH(inst.subdir("bin"), Catch::Contains((dir.path() / "inst/bin").string()) && Catch::Contains("link"));
  bin.write_file_atomic("env", "A=1\n");  // goes where bin was when it was opened
  CHECK(fs::is_empty(dir.path() / "chosen"));
  CHECK(read_file(dir.path() / "inst/bin.moved/env") == "A=1\n");
  REQUIRE_THROWS_WITH(DirHandle::open(dir.path() / "inst/bin", false), Catch::Contains("link"));
}

TEST_CASE("read_file refuses what is not a regular file, without hanging on a FIFO", "[core]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir.path() / "fifo").c_str(), 0600) == 0);
  fs::create_directories(dir.path() / "sub");
  DirHandle d = DirHandle::open(dir.path());
  REQUIRE_THROWS_WITH(d.read_file("fifo"), Catch::Contains("not a regular file"));
  REQUIRE_THROWS_WITH(d.read_file("sub"), Catch::Contains("not a regular file"));
  REQUIRE_THROWS_WITH(d.read_file("absent"), Catch::Contains((dir.path() / "absent").string()));
}
