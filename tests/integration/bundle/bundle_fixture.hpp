#pragma once
// The world of a bundle test. The fixture components (tests/fixtures: hello-go from a git
// branch, hello-autotools from a git tag, hello-npm from a .tar.gz, recipes from
// tests/fixtures/pack-recipes) are built by the real dkmpack once, into
// BINARY_DIR/test-cache/bundle/, shared by every bundle test process under a file lock
// (each process re-runs dkmpack there, a no-op once built). Each test then works on a
// private copy: recipes/, build/ (without the download caches), dist/ (the payload),
// LICENSE, and out/ (--dist-dir), so tests can change things and run in parallel.

#include "front_end_libraries.hpp"
#include "test_support.hpp"

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

/// Copies a tree (files, links, directories), skipping top-level entries named in `skip`.
inline void copy_tree_except(const fs::path& from, const fs::path& to, const std::set<std::string>& skip = {}) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    if (skip.count(e.path().filename().string())) continue;
    fs::copy(e.path(), to / e.path().filename(), fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
}

/// Runs git with a fixed identity; requires success.
inline void fixture_git(const fs::path& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", repo.string()});
  RunOptions options;
  options.env = {{"GIT_AUTHOR_NAME", "dkm test"}, {"GIT_AUTHOR_EMAIL", "test@example.org"},
                 {"GIT_COMMITTER_NAME", "dkm test"}, {"GIT_COMMITTER_EMAIL", "test@example.org"},
                 {"GIT_CONFIG_NOSYSTEM", "1"}, {"HOME", repo.parent_path().string()}};
  RunResult r = run_process(args, options);
  INFO(join(args, " ") << "\n" << r.output);
  REQUIRE(r.ok());
}

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
    fs::create_directories(cache / "repos");
    fs::create_directories(cache / "archives");
    for (const std::string name : {"hello-go", "hello-autotools"}) {
      copy_tree_except(fixtures_dir() / name, cache / "repos" / name);
      fixture_git(cache / "repos" / name, {"init", "-q", "-b", "main"});
      fixture_git(cache / "repos" / name, {"add", "-A"});
      fixture_git(cache / "repos" / name, {"commit", "-q", "-m", "import " + name});
    }
    fixture_git(cache / "repos" / "hello-autotools", {"tag", "-a", "v1.0", "-m", "release 1.0"});
    std::string commit(trim(run({"git", "-C", (cache / "repos" / "hello-autotools").string(), "rev-parse", "HEAD"}).output));
    TempDir staging("dkm-npm-");
    copy_tree_except(fixtures_dir() / "hello-npm", staging.path() / "hello-npm-1.0.0");
    fs::path tarball = cache / "archives" / "hello-npm-1.0.0.tar.gz";
    REQUIRE(run({"tar", "-czf", tarball.string(), "-C", staging.path().string(), "hello-npm-1.0.0"}).ok());
    write_project_files(cache);
    fs::path recipes_tmp = cache / "recipes.tmp";
    fs::create_directories(recipes_tmp);
    for (const auto& e : fs::directory_iterator(fixtures_dir() / "pack-recipes")) {
      if (e.path().extension() != ".toml") continue;
      std::string text = read_file(e.path());
      text = replace_every(text, "@REPOS@", (cache / "repos").string());
      text = replace_every(text, "@ARCHIVES@", (cache / "archives").string());
      text = replace_every(text, "@NPM_SHA256@", pack::sha256_file(tarball));
      text = replace_every(text, "@AUTOTOOLS_COMMIT@", commit);
      if (e.path().filename() == "bundle.toml") text = allow_front_end_libraries(text);
      write_file_atomic(recipes_tmp / e.path().filename(), text);
    }
    fs::rename(recipes_tmp, cache / "recipes");  // last: marks the sources complete
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

  /// Modification times of every step stamp of every component (path -> ns), to tell whether a step ran.
  std::map<std::string, int64_t> stamp_times() const {
    std::map<std::string, int64_t> out;
    for (const auto& e : fs::recursive_directory_iterator(layout_.root())) {
      if (e.path().parent_path().filename() != "stamps") continue;
      struct stat st {};
      ::stat(e.path().c_str(), &st);
      out[e.path().string()] = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }
    return out;
  }

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
