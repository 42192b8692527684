// dkmpack sources: --mirror for offline builds, download and clone failures, moved tags,
// patches, --source overrides.
#include "pack/source_record.hpp"
#include "pack_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

// Port 1 on loopback: nothing listens, the connection is refused at once.
const std::string kDeadGit = "http://127.0.0.1:1/hello-go.git";
const std::string kDeadArchive = "http://127.0.0.1:1/dl/hello-npm-1.0.0.tar.gz";

std::string quoted(const fs::path& p) { return "\"" + p.string() + "\""; }

}  // namespace

TEST_CASE("unreachable sources name the URL and --mirror, and with --mirror the same recipes build", "[pack]") {
  PackFixture f;
  f.edit_recipe("hello-go", quoted(f.repos() / "hello-go"), "\"" + kDeadGit + "\"");
  f.edit_recipe("hello-npm", "\"file://" + (f.archives() / "hello-npm-1.0.0.tar.gz").string() + "\"", "\"" + kDeadArchive + "\"");

  RunResult git = f.dkmpack({"--only", "hello-go"});
  INFO(git.output);
  CHECK(git.exit_code == 1);
  CHECK_THAT(git.output, Catch::Contains("cannot read " + kDeadGit));
  CHECK_THAT(git.output, Catch::Contains("--mirror DIR"));
  CHECK_FALSE(fs::exists(f.layout().component("hello-go")));  // failed before any step

  RunResult archive = f.dkmpack({"--only", "hello-npm"});
  INFO(archive.output);
  CHECK(archive.exit_code == 1);
  CHECK_THAT(archive.output, Catch::Contains("cannot download " + kDeadArchive));
  CHECK_THAT(archive.output, Catch::Contains("Put hello-npm-1.0.0.tar.gz in a directory and pass --mirror DIR"));

  fs::path mirror = f.root() / "mirror";
  fs::create_directories(mirror);
  PackFixture::git(f.root(), {"clone", "-q", "--mirror", (f.repos() / "hello-go").string(), (mirror / "hello-go.git").string()});
  fs::copy_file(f.archives() / "hello-npm-1.0.0.tar.gz", mirror / "hello-npm-1.0.0.tar.gz");
  // A mirror may hold other refs, even damaged ones: only the recipe's branch is copied.
  PackFixture::git(mirror / "hello-go.git", {"branch", "other"});
  write_file_atomic(mirror / "hello-go.git" / "refs" / "heads" / "damaged", std::string(40, 'd') + "\n");
  f.dkmpack_ok({"--mirror", mirror.string(), "--only", "hello-go", "--only", "hello-npm"});
  CHECK(PackFixture::git(f.layout().git_cache("hello-go"), {"for-each-ref", "--format=%(refname)"}) == "refs/heads/main\n");
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");
  CHECK(f.run_installed("hello-npm", "hello.js") == "hello from npm\n");
  // The record keeps the recipe's URL: the mirror is where the bytes came from, not what they are.
  CHECK(pack::read_source_record(f.layout().source_record("hello-go")).url == kDeadGit);
  CHECK(pack::read_source_record(f.layout().source_record("hello-npm")).url == kDeadArchive);
}

TEST_CASE("a pinned tag that moved upstream is an error naming both commits", "[pack]") {
  PackFixture f;
  f.commit_file("hello-autotools", "hello.c", "int main(void) { return 1; }\n");
  PackFixture::git(f.repos() / "hello-autotools", {"tag", "-f", "-a", "v1.0", "-m", "moved"});
  std::string moved_to = PackFixture::head(f.repos() / "hello-autotools");
  RunResult r = f.dkmpack({"--only", "hello-autotools"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("tag v1.0 of " + (f.repos() / "hello-autotools").string() + " points to " + moved_to));
  CHECK_THAT(r.output, Catch::Contains("the recipe pins " + f.autotools_commit()));
  CHECK_FALSE(fs::exists(f.layout().component("hello-autotools")));
}

TEST_CASE("patches apply in order and one that does not apply is an error naming it", "[pack]") {
  PackFixture f;
  fs::create_directories(f.recipes() / "patches");
  auto patch = [](const std::string& from, const std::string& to) {
    return "--- a/greeting.go\n+++ b/greeting.go\n@@ -1,3 +1,3 @@\n package main\n \n"
           "-func greeting() string { return \"" + from + "\" }\n+func greeting() string { return \"" + to + "\" }\n";
  };
  write_file_atomic(f.recipes() / "patches" / "0001-greeting.patch", patch("first", "patched"));
  write_file_atomic(f.recipes() / "patches" / "0002-greeting.patch", patch("patched", "patched twice"));
  f.edit_recipe("hello-go", "branch = \"main\"",
                "branch = \"main\"\npatches = [\"patches/0001-greeting.patch\", \"patches/0002-greeting.patch\"]");
  f.dkmpack_ok({"--only", "hello-go"});
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (patched twice)\n");

  // A patch's content is an input of the patch step; one that does not apply stops it.
  write_file_atomic(f.recipes() / "patches" / "0002-greeting.patch", patch("something else", "never"));
  RunResult r = f.dkmpack({"--only", "hello-go"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("patch " + (f.recipes() / "patches" / "0002-greeting.patch").string() +
                                       " does not apply to hello-go's source"));
  CHECK_THAT(r.output, Catch::Contains("hello-go: patch failed"));
  // hello-go no longer counts as built (its later stamps went with the patch step's), and
  // what --skip-build would stage is refused rather than stale.
  CHECK_FALSE(f.layout().installed("hello-go"));
  CHECK_FALSE(fs::exists(f.layout().stamp("hello-go", pack::Step::install)));
  CHECK(fs::exists(f.layout().stamp("hello-go", pack::Step::fetch)));
  RunResult skip = f.dkmpack({"--skip-build", "--only", "hello-go"});
  CHECK(skip.exit_code == 2);
}

TEST_CASE("dkmpack --source NAME=PATH builds a local directory and rebuilds when one of its files changes", "[pack]") {
  PackFixture f;
  fs::path local = f.root() / "local-go";
  pack::copy_tree(fixtures_dir() / "hello-go", local);
  write_file_atomic(local / "greeting.go", "package main\n\nfunc greeting() string { return \"local\" }\n");
  f.dkmpack_ok({"--only", "hello-go", "--source", "hello-go=" + local.string()});
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (local)\n");
  pack::SourceRecord rec = pack::read_source_record(f.layout().source_record("hello-go"));
  CHECK(rec.override);
  CHECK(rec.type == "path");
  CHECK(rec.path == local);

  StampTimes before = f.stamps();
  f.dkmpack_ok({"--only", "hello-go", "--source", "hello-go=" + local.string()});
  CHECK(PackFixture::ran_between(before, f.stamps()).empty());

  write_file_atomic(local / "greeting.go", "package main\n\nfunc greeting() string { return \"local again\" }\n");
  f.dkmpack_ok({"--only", "hello-go", "--source", "hello-go=" + local.string()});
  CHECK(PackFixture::ran_between(before, f.stamps()) == PackFixture::steps_of("hello-go"));
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (local again)\n");

  // Without the override, the recipe's git source again.
  f.dkmpack_ok({"--only", "hello-go"});
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");
  CHECK_FALSE(pack::read_source_record(f.layout().source_record("hello-go")).override);
}

TEST_CASE("a git source given by commit alone builds that commit, whatever the branch head", "[pack]") {
  PackFixture f;
  std::string first = PackFixture::head(f.repos() / "hello-go");
  f.commit_file("hello-go", "greeting.go", "package main\n\nfunc greeting() string { return \"second\" }\n");
  f.edit_recipe("hello-go", "branch = \"main\"", "commit = \"" + first + "\"");
  f.dkmpack_ok({"--only", "hello-go"});
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");
  CHECK(pack::read_source_record(f.layout().source_record("hello-go")).commit == first);
  CHECK(PackFixture::head(f.layout().source_dir("hello-go")) == first);

  f.edit_recipe("hello-go", first, std::string(40, 'e'));
  RunResult r = f.dkmpack({"--only", "hello-go"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("commit " + std::string(40, 'e') + " is not in " + (f.repos() / "hello-go").string()));
}
