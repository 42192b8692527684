// dkmpack when things go wrong: a wrong sha256, a failing build, a build killed with
// SIGKILL mid-step, a malformed recipe, a too-old toolchain.
#include "background_process.hpp"
#include "pack_fixture.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

using namespace dkm;
using namespace dkm::test;

namespace {

/// The parent pid of a process, -1 when it is gone.
pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 2));
  char state;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

/// Every live descendant of `root` (ninja starts its steps in their own process groups,
/// so killing dkmpack's group would miss them).
std::set<pid_t> descendants(pid_t root) {
  std::set<pid_t> found = {root};
  bool grew = true;
  while (grew) {
    grew = false;
    DIR* proc = ::opendir("/proc");
    while (dirent* e = ::readdir(proc)) {
      pid_t pid = std::atoi(e->d_name);
      if (pid <= 0 || found.count(pid)) continue;
      if (found.count(parent_of(pid))) grew = found.insert(pid).second || grew;
    }
    ::closedir(proc);
  }
  return found;
}

/// Freezes the whole process tree under `root` (so nothing escapes), then SIGKILLs it: what a
/// power cut or an OOM kill of the build does.
void kill_tree(pid_t root) {
  std::set<pid_t> stopped;
  for (;;) {
    std::set<pid_t> tree = descendants(root);
    bool added = false;
    for (pid_t p : tree)
      if (stopped.insert(p).second) {
        ::kill(p, SIGSTOP);
        added = true;
      }
    if (!added) break;
  }
  for (pid_t p : stopped) ::kill(p, SIGKILL);
  int status = 0;
  ::waitpid(root, &status, 0);
  // A killed process holds its files (the build lock among them) until it has exited:
  // the rerun must not start before every one is gone or a zombie.
  for (pid_t p : stopped)
    wait_until([&] {
      std::ifstream in("/proc/" + std::to_string(p) + "/stat");
      std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      size_t close = stat.rfind(')');
      return close == std::string::npos || stat.compare(close + 2, 1, "Z") == 0;
    }, std::chrono::seconds(10), std::chrono::milliseconds(5));
}

}  // namespace

TEST_CASE("a wrong sha256 is rejected before unpacking and nothing is built from it", "[pack]") {
  PackFixture f;
  const std::string wrong(64, 'b');
  f.edit_recipe("hello-npm", f.npm_sha256(), wrong);
  RunResult r = f.dkmpack({"--only", "hello-npm"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("sha256 mismatch for hello-npm-1.0.0.tar.gz"));
  CHECK_THAT(r.output, Catch::Contains("expected " + wrong + ", got " + f.npm_sha256()));
  CHECK_THAT(r.output, Catch::Contains(f.layout().step_log("hello-npm", pack::Step::fetch).string()));
  CHECK_FALSE(fs::exists(f.layout().source_dir("hello-npm")));
  CHECK_FALSE(fs::exists(f.layout().new_source_dir("hello-npm")));
  CHECK_FALSE(fs::exists(f.layout().install_dir("hello-npm")));
  CHECK_FALSE(fs::exists(f.layout().stamp("hello-npm", pack::Step::fetch)));
  CHECK_FALSE(fs::exists(f.layout().archive_cache("hello-npm", "hello-npm-1.0.0.tar.gz")));

  // The right digest again: it builds.
  f.edit_recipe("hello-npm", wrong, f.npm_sha256());
  f.dkmpack_ok({"--only", "hello-npm"});
  CHECK(f.run_installed("hello-npm", "hello.js") == "hello from npm\n");
}

TEST_CASE("a failing build exits non-zero with its log's tail, builds the rest, and resumes where it failed", "[pack]") {
  PackFixture f;
  f.edit_recipe("hello-go", "system  = \"go\"", "system  = \"go\"\ntags    = [\"broken\"]");
  RunResult r = f.dkmpack();
  INFO(r.output);
  CHECK(r.exit_code == 1);
  fs::path log = f.layout().step_log("hello-go", pack::Step::build);
  CHECK_THAT(r.output, Catch::Contains("hello-go: build failed"));
  CHECK_THAT(r.output, Catch::Contains("--- last lines of " + log.string() + " ---"));
  CHECK_THAT(r.output, Catch::Contains("not an int"));  // the compiler's message, from the log
  CHECK_THAT(r.output, Catch::Contains("1 step failed"));
  // The other components were built all the same, and hello-go's earlier steps are kept.
  CHECK(f.run_installed("hello-npm", "hello.js") == "hello from npm\n");
  CHECK(f.run_installed("hello-autotools", "usr/bin/hello-autotools") == "hello from autotools\n");
  for (pack::Step step : {pack::Step::fetch, pack::Step::patch, pack::Step::configure})
    CHECK(fs::exists(f.layout().stamp("hello-go", step)));
  CHECK_FALSE(fs::exists(f.layout().stamp("hello-go", pack::Step::build)));
  CHECK_FALSE(f.layout().installed("hello-go"));

  StampTimes before = f.stamps();
  f.edit_recipe("hello-go", "tags    = [\"broken\"]", "");
  f.dkmpack_ok();
  CHECK(PackFixture::ran_between(before, f.stamps()) == PackFixture::steps_of("hello-go", {"build", "install"}));
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");
  CHECK_FALSE(fs::exists(f.layout().failed_marker("hello-go", pack::Step::build)));
}

TEST_CASE("a build killed with SIGKILL mid-step completes on rerun with the same outputs", "[pack]") {
  PackFixture f;
  f.dkmpack_ok({"--only", "hello-autotools"});
  auto reference = f.install_digests("hello-autotools");
  REQUIRE(reference.size() == 2);  // the program and its COPYING
  f.dkmpack_ok({"--clean", "hello-autotools"});

  fs::path output = f.root() / "killed.out";
  BackgroundProcess dkmpack({tool("dkmpack").string(), "--recipes", f.recipes().string(), "--build-dir",
                            f.layout().root().string(), "--only", "hello-autotools"},
                           {output});
  fs::path log = f.layout().step_log("hello-autotools", pack::Step::configure);
  bool mid_configure = wait_until(
      [&] {
        std::error_code ec;
        if (!fs::exists(log, ec)) return false;
        return read_file(log).find("checking") != std::string::npos;  // ./configure is running
      },
      std::chrono::seconds(120), std::chrono::milliseconds(5));
  kill_tree(dkmpack.pid());  // and reaped
  dkmpack.release();
  INFO(read_file(output));
  REQUIRE(mid_configure);
  CHECK(fs::exists(f.layout().running_marker("hello-autotools", pack::Step::configure)));
  CHECK_FALSE(fs::exists(f.layout().stamp("hello-autotools", pack::Step::configure)));

  RunResult r = f.dkmpack_ok({"--only", "hello-autotools"});
  CHECK_THAT(r.output, Catch::Contains("hello-autotools: the configure step of an earlier run did not finish"));
  CHECK_THAT(r.output, Catch::Contains("hello-autotools: patch"));  // a fresh source tree
  CHECK(f.install_digests("hello-autotools") == reference);
  CHECK(f.run_installed("hello-autotools", "usr/bin/hello-autotools") == "hello from autotools\n");
  CHECK_FALSE(fs::exists(f.layout().running_marker("hello-autotools", pack::Step::configure)));
}

TEST_CASE("a malformed recipe is an error naming its file and line, and nothing runs", "[pack]") {
  PackFixture f;
  f.edit_recipe("hello-go", "license       = \"MIT\"", "license       = MIT");
  RunResult r = f.dkmpack();
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::StartsWith("dkmpack: " + (f.recipes() / "hello-go.toml").string() + ":4: malformed TOML"));
  CHECK_FALSE(fs::exists(f.layout().root()));

  f.edit_recipe("hello-go", "license       = MIT", "license       = \"MIT\"\nlicence = \"MIT\"");
  r = f.dkmpack();
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains((f.recipes() / "hello-go.toml").string() + ":5: key 'licence': unknown key"));
}

TEST_CASE("a too-old toolchain is an error naming tool, version found and needed, before any step", "[pack]") {
  PackFixture f;
  f.edit_recipe("hello-go", "go = \">= 1.19\"", "go = \">= 99.1\"");
  RunResult r = f.dkmpack();
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains((f.recipes() / "hello-go.toml").string() + ":12: hello-go requires go >= 99.1; found go 1."));
  // Where to get a newer one, whichever Go versions this machine has.
  CHECK_THAT(r.output, Catch::Contains("cmake/install-deps.sh --packaging installs"));
  CHECK_THAT(r.output, Catch::Contains("/usr/lib/go-X.Y/bin"));
  for (const auto& name : fixture_components()) CHECK_FALSE(fs::exists(f.layout().component(name)));
  CHECK_FALSE(fs::exists(f.layout().ninja_file()));
}
