// core/files: whole files written atomically, finished directories and links put in place.
#include <catch2/catch.hpp>

#include <dkm/core/files.hpp>
#include <dkm/core/temp_dir.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace dkm;

TEST_CASE("write_file_atomic writes the content with the requested mode and no leftovers", "[core]") {
  TempDir dir;
  fs::path target = dir.path() / "secret.ini";
  write_file_atomic(target, "password = x\n", 0600);
  CHECK(read_file(target) == "password = x\n");
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  CHECK_FALSE(write_file_if_changed(target, "password = x\n", 0600));
  CHECK(write_file_if_changed(target, "password = y\n", 0600));
  CHECK(read_file(target) == "password = y\n");
}

TEST_CASE("write_file_atomic into a missing directory fails naming the path", "[core]") {
  TempDir dir;
  fs::path target = dir.path() / "missing" / "f";
  REQUIRE_THROWS_WITH(write_file_atomic(target, "x"), Catch::Contains(target.string()));
}

TEST_CASE("publish_directory renames a new directory into place and exchanges an existing one whole", "[core]") {
  TempDir dir;
  fs::path target = dir.path() / "stage";
  fs::create_directories(dir.path() / "first");
  write_file_atomic(dir.path() / "first" / "a", "1");
  publish_directory(dir.path() / "first", target);
  CHECK(read_file(target / "a") == "1");
  CHECK_FALSE(fs::exists(dir.path() / "first"));
  fs::create_directories(dir.path() / "second");
  write_file_atomic(dir.path() / "second" / "b", "2");
  publish_directory(dir.path() / "second", target);
  CHECK(read_file(target / "b") == "2");
  CHECK_FALSE(fs::exists(target / "a"));             // the old tree is gone whole
  CHECK_FALSE(fs::exists(dir.path() / "second"));    // and nothing is left beside it
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("publish_directory that cannot put a directory in place names it and leaves both", "[core]") {
  TempDir dir;
  fs::create_directories(dir.path() / "new");
  fs::path target = dir.path() / "missing-parent" / "stage";
  REQUIRE_THROWS_WITH(publish_directory(dir.path() / "new", target), Catch::Contains(target.string()));
  CHECK(fs::is_directory(dir.path() / "new"));
}

TEST_CASE("replace_symlink makes a link or points an existing one elsewhere, leaving nothing beside it", "[core]") {
  TempDir dir;
  fs::path link = dir.path() / "current";
  replace_symlink(link, "/opt/one");
  CHECK(fs::read_symlink(link) == "/opt/one");
  replace_symlink(link, "/opt/two");
  CHECK(fs::read_symlink(link) == "/opt/two");
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  REQUIRE_THROWS_WITH(replace_symlink(dir.path() / "no" / "link", "/x"), Catch::Contains((dir.path() / "no" / "link").string()));
}
