// dkmpack's command line: --help, --version, --skip-build, --list, --clean, --only, bad
// flags, and a build directory already in use.
#include "pack_fixture.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("dkmpack --help documents every flag and --version prints the version", "[pack]") {
  RunResult help = run({tool("dkmpack").string(), "--help"});
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--skip-build", "--skip-archive", "--build-dir", "--dist-dir", "--jobs", "--only", "--mirror",
                           "--source", "--list", "--clean", "--verbose", "--version", "--recipes", "--help"})
    CHECK_THAT(help.output, Catch::Contains(flag));
  RunResult version = run({tool("dkmpack").string(), "--version"});
  CHECK(version.output == "dkmpack " DKM_VERSION "\n");
}

TEST_CASE("bad flags and unknown names are usage errors that name them", "[pack]") {
  PackFixture f;
  RunResult bogus = f.dkmpack({"--bogus"});
  CHECK(bogus.exit_code == 2);
  CHECK_THAT(bogus.output, Catch::Contains("--bogus"));
  RunResult only = f.dkmpack({"--only", "nope"});
  CHECK(only.exit_code == 2);
  CHECK_THAT(only.output, Catch::Contains("--only nope: no such component"));
  CHECK_THAT(only.output, Catch::Contains("hello-go, hello-npm, hello-autotools"));
  RunResult source = f.dkmpack({"--source", "hello-go"});
  CHECK(source.exit_code == 2);
  CHECK_THAT(source.output, Catch::Contains("--source hello-go: expected NAME=PATH"));
  RunResult mirror = f.dkmpack({"--mirror", (f.root() / "absent").string()});
  CHECK(mirror.exit_code == 2);
  CHECK_THAT(mirror.output, Catch::Contains("--mirror " + (f.root() / "absent").string() + ": no such directory"));
  RunResult clean = f.dkmpack({"--clean", "nope"});
  CHECK(clean.exit_code == 2);
  CHECK_THAT(clean.output, Catch::Contains("--clean nope: no such component"));
  CHECK_FALSE(fs::exists(f.layout().root()));
}

TEST_CASE("dkmpack --skip-build with nothing built is a clear error", "[pack]") {
  PackFixture f;
  RunResult none = f.dkmpack({"--skip-build"});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.output, Catch::Contains("--skip-build: nothing is built in " + f.layout().root().string() + " yet"));

  f.dkmpack_ok({"--only", "hello-npm"});
  RunResult some = f.dkmpack({"--skip-build", "--skip-archive"});
  CHECK(some.exit_code == 2);
  CHECK_THAT(some.output, Catch::Contains("not built in " + f.layout().root().string() + ": hello-go, hello-autotools"));
  StampTimes before = f.stamps();
  f.dkmpack_ok({"--skip-build", "--only", "hello-npm"});
  CHECK(PackFixture::ran_between(before, f.stamps()).empty());
}

TEST_CASE("dkmpack --list shows each component's version, source, cache and build state", "[pack]") {
  PackFixture f;
  RunResult before = f.dkmpack_ok({"--list"});
  CHECK_THAT(before.output, Catch::Contains("NAME"));
  CHECK_THAT(before.output, Catch::Matches("(.|\n)*hello-npm +1\\.0\\.0 +archive hello-npm-1\\.0\\.0\\.tar\\.gz +not cached +not built(.|\n)*"));
  CHECK_FALSE(fs::exists(f.layout().root()));  // listing changes nothing
  // The toolchain chosen for each component, with its version and path.
  CHECK_THAT(before.output, Catch::Matches("(.|\n)*toolchains:\n(.|\n)*  hello-go +go 1\\.[0-9.]+ /[^\n]*/go\n(.|\n)*"));
  CHECK_THAT(before.output, Catch::Matches("(.|\n)*  hello-autotools +make [0-9.]+ /[^\n]*make\n(.|\n)*"));

  f.dkmpack_ok({"--only", "hello-npm", "--only", "hello-autotools"});
  RunResult after = f.dkmpack_ok({"--list"});
  CHECK_THAT(after.output, Catch::Matches("(.|\n)*hello-npm +1\\.0\\.0 +archive hello-npm-1\\.0\\.0\\.tar\\.gz +cached +built\n(.|\n)*"));
  CHECK_THAT(after.output, Catch::Contains("git tag v1.0 @ " + f.autotools_commit().substr(0, 12)));
  CHECK_THAT(after.output, Catch::Matches("(.|\n)*hello-go .*not built\n(.|\n)*"));

  // A description is not an input; a license is (it goes to source.json at install).
  f.edit_recipe("hello-npm", "description   = \"dkmpack", "description   = \"changed: dkmpack");
  CHECK_THAT(f.dkmpack_ok({"--list"}).output, Catch::Matches("(.|\n)*hello-npm .* built\n(.|\n)*"));
  f.edit_recipe("hello-npm", "license       = \"MIT\"", "license       = \"MIT OR Apache-2.0\"");
  CHECK_THAT(f.dkmpack_ok({"--list"}).output, Catch::Matches("(.|\n)*hello-npm .* out of date from install\n(.|\n)*"));
  f.edit_recipe("hello-autotools", "--with-greeting=hello", "--with-greeting=hi");
  CHECK_THAT(f.dkmpack_ok({"--list"}).output, Catch::Matches("(.|\n)*hello-autotools .* out of date from configure\n(.|\n)*"));
}

TEST_CASE("dkmpack --clean NAME removes its build and the next run rebuilds it from the cache", "[pack]") {
  PackFixture f;
  f.dkmpack_ok({"--only", "hello-npm"});
  RunResult clean = f.dkmpack_ok({"--clean", "hello-npm"});
  CHECK_THAT(clean.output, Catch::Contains("removed " + f.layout().component("hello-npm").string()));
  CHECK_FALSE(fs::exists(f.layout().component("hello-npm")));
  CHECK(fs::exists(f.layout().archive_cache("hello-npm", "hello-npm-1.0.0.tar.gz")));

  StampTimes before = f.stamps();
  f.dkmpack_ok({"--only", "hello-npm"});
  CHECK(PackFixture::ran_between(before, f.stamps()) == PackFixture::steps_of("hello-npm"));
  CHECK_THAT(read_file(f.layout().step_log("hello-npm", pack::Step::fetch)), Catch::Contains("is already downloaded"));
  CHECK(f.run_installed("hello-npm", "hello.js") == "hello from npm\n");
}

TEST_CASE("deleting a component's installed files by hand rebuilds them", "[pack]") {
  PackFixture f;
  f.dkmpack_ok({"--only", "hello-npm"});
  StampTimes before = f.stamps();
  fs::remove_all(f.layout().install_dir("hello-npm"));
  f.dkmpack_ok({"--only", "hello-npm"});
  CHECK(PackFixture::ran_between(before, f.stamps()) == PackFixture::steps_of("hello-npm", {"install"}));
  CHECK(f.run_installed("hello-npm", "hello.js") == "hello from npm\n");
}

TEST_CASE("a build directory in use by another run is refused", "[pack]") {
  PackFixture f;
  fs::create_directories(f.layout().root());
  int fd = ::open(f.layout().lock_file().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  RunResult r = f.dkmpack({"--only", "hello-npm"});
  ::close(fd);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains(f.layout().root().string() + " is in use by another dkmpack run"));
  CHECK_FALSE(fs::exists(f.layout().component("hello-npm")));
}
