#pragma once
// The world of a bundle test. The fixture components (tests/fixtures: hello-go from a git
// branch, hello-autotools from a git tag, hello-npm from a .tar.gz, recipes from
// tests/fixtures/pack-recipes) are built by the real dkmpack once, into
// BINARY_DIR/test-cache/bundle/, shared by every bundle test process under a file lock
// (each process re-runs dkmpack there, a no-op once built). Each test then works on a
// private copy: recipes/, build/ (without the download caches), dist/ (the payload),
// LICENSE, and out/ (--dist-dir), so tests can change things and run in parallel.

#include "pack_fixtures.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/health.hpp>
#include <dkm/pack/sha256.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// The SOURCE_DATE_EPOCH every bundle test stamps (the test projects are not git checkouts).
inline const char* kTestEpoch = "1700000000";

/// The project files every bundle needs besides the components: dist/ and LICENSE.
inline void write_project_files(const fs::path& root) {
  fs::create_directories(root / "dist" / "conf");
  fs::create_directories(root / "dist" / "templates" / "collectd");
  fs::create_directories(root / "dist" / "dashboards");
  write_file_atomic(root / "dist" / "conf" / "README", "static configuration\n");
  write_file_atomic(root / "dist" / "templates" / "collectd" / "collectd.conf.mustache", "Hostname \"{{hostname}}\"\n");
  write_file_atomic(root / "dist" / "dashboards" / "host.json", "{\"title\": \"host\"}\n");
  write_file_atomic(root / "LICENSE", read_file(source_dir() / "LICENSE"));
}

/// The fixture components built once (see the file's comment); returns the shared root.
inline fs::path built_fixtures() {
  static fs::path root;
  if (!root.empty()) return root;
  fs::path cache = fs::path(DKM_BINARY_DIR) / "test-cache" / "bundle";
  fs::create_directories(cache);
  int lock = ::open((cache.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(lock >= 0);
  REQUIRE(::flock(lock, LOCK_EX) == 0);
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock};
  if (!fs::exists(cache / "recipes" / "bundle.toml")) {
    fs::remove_all(cache);
    FixtureSources sources = make_fixture_sources(cache);
    write_project_files(cache);
    write_fixture_recipes(sources, cache / "recipes.tmp");
    fs::rename(cache / "recipes.tmp", cache / "recipes");  // last: marks the sources complete
  }
  // Incremental: builds what is missing or stale, nothing when all is built.
  RunOptions env;
  env.env = {{"SOURCE_DATE_EPOCH", kTestEpoch}};
  RunResult r = run({tool("dkmpack").string(), "--recipes", (cache / "recipes").string(), "--build-dir",
                     (cache / "build").string(), "--dist-dir", (cache / "out").string(), "--project-dir",
                     cache.string(), "-j", "2", "--skip-archive"},
                    env);
  INFO(r.output);
  REQUIRE(r.ok());
  root = cache;
  return root;
}

/// One test's private copy of the built fixtures.
class BundleWorld {
 public:
  BundleWorld() : dir_("dkm-bundle-"), layout_(dir_.path() / "build") {
    fs::path shared = built_fixtures();
    copy_tree_except(shared / "recipes", recipes());
    copy_tree_except(shared / "build", layout_.root(), {"cache", "bundle", ".lock"});
    write_project_files(root());
  }

  /// The test's directory (the project: recipes/, dist/, LICENSE).
  const fs::path& root() const { return dir_.path(); }
  /// --recipes.
  fs::path recipes() const { return root() / "recipes"; }
  /// --build-dir.
  const pack::BuildLayout& layout() const { return layout_; }
  /// --dist-dir.
  fs::path out() const { return root() / "out"; }
  /// The staged bundle.
  fs::path stage() const { return layout_.root() / "bundle" / "fixtures-0.0.1"; }
  /// The archive in out().
  fs::path archive() const { return out() / ("fixtures-0.0.1-linux-" + arch() + ".tar.gz"); }
  /// uname -m.
  static std::string arch() { return std::string(trim(run({"uname", "-m"}).output)); }

  /// The dkmpack command line for this world, with `args` appended.
  std::vector<std::string> dkmpack_argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {tool("dkmpack").string(), "--recipes",     recipes().string(),
                                     "--build-dir",            layout_.root().string(), "--dist-dir",
                                     out().string(),           "--project-dir", root().string(),
                                     "-j",                     "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  /// The environment dkmpack runs with.
  static RunOptions env() {
    RunOptions options;
    options.env = {{"SOURCE_DATE_EPOCH", kTestEpoch}};
    return options;
  }
  /// Runs dkmpack here, output captured.
  RunResult dkmpack(const std::vector<std::string>& args) const { return run(dkmpack_argv(args), env()); }
  /// Runs dkmpack here and requires success.
  RunResult dkmpack_ok(const std::vector<std::string>& args) const {
    RunResult r = dkmpack(args);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return r;
  }

  /// The stamp times of every step of every component, to tell whether a step ran.
  StampTimes stamp_times() const { return test::stamp_times(layout_); }


 private:
  TempDir dir_;
  pack::BuildLayout layout_;
};

/// The entries of an archive as `tar -tzf` lists them.
inline std::vector<std::string> tar_list(const fs::path& archive) {
  RunResult r = run({"tar", "-tzf", archive.string()});
  REQUIRE(r.ok());
  std::vector<std::string> out;
  for (auto& line : split(r.output, '\n'))
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace dkm::test
