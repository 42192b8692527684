// dkmpack --mirror with a repository whose history lacks objects, the way snapshots of
// upstream repositories often come (large files of old commits left out): the pinned
// commit's tree is complete, so the component builds, reading the mirror's objects in place.
#include "pack_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

TEST_CASE("a mirror missing an object of an old commit still builds the pinned commit, read in place", "[pack]") {
  PackFixture f;
  // History: a large file added, then removed; HEAD of main no longer has it.
  f.commit_file("hello-go", "big.bin", std::string(100000, 'x'));
  std::string blob(trim(PackFixture::git(f.repos() / "hello-go", {"rev-parse", "HEAD:big.bin"})));
  PackFixture::git(f.repos() / "hello-go", {"rm", "-q", "big.bin"});
  PackFixture::git(f.repos() / "hello-go", {"commit", "-q", "-m", "drop big.bin"});
  std::string head = PackFixture::head(f.repos() / "hello-go");

  fs::path mirror = f.root() / "mirror";
  fs::create_directories(mirror);
  PackFixture::git(f.root(), {"clone", "-q", "--mirror", (f.repos() / "hello-go").string(), (mirror / "hello-go.git").string()});
  // The mirror loses that blob (a loose object of the local clone).
  fs::path loose = mirror / "hello-go.git" / "objects" / blob.substr(0, 2) / blob.substr(2);
  REQUIRE(fs::remove(loose));
  RunResult missing = run({"git", "-C", (mirror / "hello-go.git").string(), "cat-file", "-e", blob});
  REQUIRE_FALSE(missing.ok());

  // Offline: the recipe's URL answers nothing, the mirror is all there is.
  f.edit_recipe("hello-go", "\"" + (f.repos() / "hello-go").string() + "\"", "\"http://127.0.0.1:1/hello-go.git\"");
  f.dkmpack_ok({"--mirror", mirror.string(), "--only", "hello-go"});
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");
  CHECK(PackFixture::head(f.layout().source_dir("hello-go")) == head);
  CHECK_FALSE(fs::exists(f.layout().source_dir("hello-go") / "big.bin"));

  // Nothing was copied: the cache reads the mirror's objects in place.
  fs::path alternates = f.layout().git_cache("hello-go") / "objects" / "info" / "alternates";
  REQUIRE(fs::is_regular_file(alternates));
  CHECK_THAT(read_file(alternates), Catch::Contains((mirror / "hello-go.git" / "objects").string()));
  CHECK_THAT(read_file(f.layout().step_log("hello-go", pack::Step::fetch)), Catch::Contains("borrowing its objects in place"));

  // A rerun runs nothing.
  auto before = f.stamps();
  f.dkmpack_ok({"--mirror", mirror.string(), "--only", "hello-go"});
  CHECK(PackFixture::ran_between(before, f.stamps()).empty());
}
