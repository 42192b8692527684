// dkmpack builds: cold, no-op, a changed recipe field, a new commit on a branch, on the
// real fixtures with Debian's Go, npm and autotools.
#include "pack/source_record.hpp"
#include "pack_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

TEST_CASE("a cold build builds the go, npm and autotools fixtures, whose outputs run", "[pack]") {
  PackFixture f;
  RunResult r = f.dkmpack_ok();
  // One ninja run, progress as [n/m] component: step.
  CHECK_THAT(r.output, Catch::Contains("[1/15] "));
  CHECK_THAT(r.output, Catch::Contains("[15/15] "));
  for (const auto& name : fixture_components())
    for (const char* step : {"fetch", "patch", "configure", "build", "install"})
      CHECK_THAT(r.output, Catch::Contains(name + ": " + step));

  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");
  CHECK(f.run_installed("hello-npm", "hello.js") == "hello from npm\n");
  CHECK(f.run_installed("hello-autotools", "usr/bin/hello-autotools") == "hello from autotools\n");
  CHECK(fs::exists(f.layout().install_dir("hello-npm") / "index.html"));

  // The contract with bundle assembly: install/ and source.json per component.
  for (const auto& name : fixture_components()) {
    INFO(name);
    CHECK(f.layout().installed(name));
    pack::SourceRecord rec = pack::read_source_record(f.layout().source_record(name));
    CHECK(rec.name == name);
    CHECK(rec.license == "MIT");
    REQUIRE(rec.license_files.size() == 1);
    CHECK(rec.license_files[0].is_absolute());
    CHECK(fs::is_regular_file(rec.license_files[0]));
    CHECK(rec.install_dir == f.layout().install_dir(name));
    for (pack::Step step : pack::kSteps) CHECK(fs::is_regular_file(f.layout().step_log(name, step)));
  }
  pack::SourceRecord go = pack::read_source_record(f.layout().source_record("hello-go"));
  CHECK(go.type == "git");
  CHECK(go.branch == "main");
  CHECK(go.commit == PackFixture::head(f.repos() / "hello-go"));
  pack::SourceRecord autotools = pack::read_source_record(f.layout().source_record("hello-autotools"));
  CHECK(autotools.tag == "v1.0");
  CHECK(autotools.commit == f.autotools_commit());
  pack::SourceRecord npm = pack::read_source_record(f.layout().source_record("hello-npm"));
  CHECK(npm.type == "archive");
  CHECK(npm.sha256 == f.npm_sha256());

  // The combined log has every step's lines, prefixed.
  std::string combined = read_file(f.layout().build_log());
  CHECK_THAT(combined, Catch::Contains("hello-autotools: configure | checking"));
  CHECK_THAT(combined, Catch::Contains("hello-npm: build | built dist/hello.js"));
  // The checkout is a git work tree of the tag (git describe works in it).
  CHECK(PackFixture::git(f.layout().source_dir("hello-autotools"), {"describe", "--tags"}) == "v1.0\n");
}

TEST_CASE("a second run with nothing changed executes no step", "[pack]") {
  PackFixture f;
  f.dkmpack_ok();
  StampTimes before = f.stamps();
  std::map<std::string, int64_t> logs;
  for (const auto& name : fixture_components())
    for (pack::Step step : pack::kSteps) logs[f.layout().step_log(name, step)] = mtime_ns(f.layout().step_log(name, step));
  int64_t build_log = mtime_ns(f.layout().build_log());

  RunResult r = f.dkmpack_ok();
  CHECK(PackFixture::ran_between(before, f.stamps()).empty());
  for (const auto& [log, t] : logs) CHECK(mtime_ns(log) == t);
  CHECK(mtime_ns(f.layout().build_log()) == build_log);  // no step wrote a line
  CHECK_THAT(r.output, !Catch::Contains("[1/"));
  CHECK_THAT(r.output, Catch::Contains("nothing to do, 3 components up to date"));
}

TEST_CASE("changing a configure flag re-runs only that component's configure, build and install", "[pack]") {
  PackFixture f;
  f.dkmpack_ok();
  StampTimes before = f.stamps();
  f.edit_recipe("hello-autotools", "--with-greeting=hello", "--with-greeting=bonjour");
  RunResult r = f.dkmpack_ok();
  CHECK(PackFixture::ran_between(before, f.stamps()) ==
        PackFixture::steps_of("hello-autotools", {"configure", "build", "install"}));
  CHECK_THAT(r.output, Catch::Contains("[1/3] hello-autotools: configure"));
  CHECK(f.run_installed("hello-autotools", "usr/bin/hello-autotools") == "bonjour from autotools\n");
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");

  // A go field (ldflags) re-runs build and install, not configure.
  StampTimes mid = f.stamps();
  f.edit_recipe("hello-go", "-X main.version=${version}", "-X main.version=${version}-custom");
  f.dkmpack_ok();
  CHECK(PackFixture::ran_between(mid, f.stamps()) == PackFixture::steps_of("hello-go", {"build", "install"}));
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0-custom (first)\n");

  // -j is not an input: another value rebuilds nothing.
  StampTimes last = f.stamps();
  f.dkmpack_ok({"-j", "1"});
  CHECK(PackFixture::ran_between(last, f.stamps()).empty());
}

TEST_CASE("a new commit on the git source's branch is fetched and rebuilds that component only", "[pack]") {
  PackFixture f;
  f.dkmpack_ok();
  StampTimes before = f.stamps();
  f.commit_file("hello-go", "greeting.go", "package main\n\nfunc greeting() string { return \"second\" }\n");
  std::string new_head = PackFixture::head(f.repos() / "hello-go");
  f.dkmpack_ok();
  CHECK(PackFixture::ran_between(before, f.stamps()) == PackFixture::steps_of("hello-go"));
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (second)\n");
  CHECK(pack::read_source_record(f.layout().source_record("hello-go")).commit == new_head);
  // And then nothing again.
  StampTimes after = f.stamps();
  f.dkmpack_ok();
  CHECK(PackFixture::ran_between(after, f.stamps()).empty());
}
