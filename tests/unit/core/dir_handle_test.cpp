// core/dir_handle: files reached from a directory handle never go through a link planted
// in the directory, nor through a directory swapped for a link after it was opened.
#include <catch2/catch.hpp>

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/temp_dir.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

using namespace dkm;

TEST_CASE("a link in the directory is replaced by an atomic write, never written through", "[core][dir_handle]") {
  TempDir tmp;
  fs::create_directory(tmp.path() / "run");
  write_file_atomic(tmp.path() / "victim", "keep\n");
  fs::create_symlink(tmp.path() / "victim", tmp.path() / "run" / "dkm.pid");
  fs::create_symlink(tmp.path() / "created", tmp.path() / "run" / "dkm.lock");
  DirHandle run(tmp.path() / "run", false);

  run.write_file_atomic("dkm.pid", "42\n", 0644);
  CHECK(read_file(tmp.path() / "victim") == "keep\n");
  CHECK_FALSE(fs::is_symlink(tmp.path() / "run" / "dkm.pid"));
  CHECK(run.read_file("dkm.pid") == "42\n");

  // Opening, even to create, does not follow a link, dangling or not.
  CHECK(run.open_file("dkm.lock", O_RDWR | O_CREAT, 0600) < 0);
  CHECK(errno == ELOOP);
  CHECK_FALSE(fs::exists(tmp.path() / "created"));
  fs::create_symlink(tmp.path() / "victim", tmp.path() / "run" / "svc.log");
  CHECK(run.open_file("svc.log", O_WRONLY | O_APPEND) < 0);
  CHECK_FALSE(run.read_file("svc.log"));
  CHECK(read_file(tmp.path() / "victim") == "keep\n");

  // Removing a link removes the link.
  CHECK(run.remove("svc.log"));
  CHECK(fs::exists(tmp.path() / "victim"));
  CHECK_FALSE(run.remove("svc.log"));
}

TEST_CASE("a directory swapped for a link after it was opened changes nothing", "[core][dir_handle]") {
  TempDir tmp;
  fs::create_directory(tmp.path() / "run");
  fs::create_directory(tmp.path() / "elsewhere");
  DirHandle run(tmp.path() / "run", false);
  fs::rename(tmp.path() / "run", tmp.path() / "moved");
  fs::create_directory_symlink(tmp.path() / "elsewhere", tmp.path() / "run");

  run.write_file_atomic("dkm.procs", "1 2 svc\n");
  CHECK(fs::exists(tmp.path() / "moved" / "dkm.procs"));
  CHECK(fs::is_empty(tmp.path() / "elsewhere"));
  auto names = run.names();
  CHECK(names == std::vector<std::string>{"dkm.procs"});
  CHECK(run.through("dkm.procs").string().rfind("/proc/self/fd/", 0) == 0);
  CHECK(read_file(run.through("dkm.procs")) == "1 2 svc\n");
}

TEST_CASE("a directory that is a link is opened only when links are to be followed", "[core][dir_handle]") {
  TempDir tmp;
  fs::create_directory(tmp.path() / "real");
  fs::create_directory_symlink(tmp.path() / "real", tmp.path() / "link");
  try {
    DirHandle refused(tmp.path() / "link", false);
    FAIL("a link was opened as a directory");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == (tmp.path() / "link").string() + ": is a symbolic link, not a directory");
  }
  DirHandle followed(tmp.path() / "link", true);
  CHECK(followed.is_open());
  CHECK_THROWS_WITH(DirHandle(tmp.path() / "missing", true), Catch::Contains("cannot open directory"));
}
