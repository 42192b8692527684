#pragma once
// What the dkmpack tests (integration/pack) and the bundle tests (integration/bundle) both
// need: the fixture components' sources made for real (git repositories with the real
// git, the npm release tarball with the real tar), the fixture recipes pointed at them,
// and the step stamps that tell which steps ran.

#include "front_end_libraries.hpp"
#include "test_support.hpp"

#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/sha256.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// Modification time of a file in nanoseconds, -1 when absent.
inline int64_t mtime_ns(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

/// Copies a tree (files, links, directories), skipping top-level entries named in `skip`.
inline void copy_tree_except(const fs::path& from, const fs::path& to, const std::set<std::string>& skip = {}) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    if (skip.count(e.path().filename().string())) continue;
    fs::copy(e.path(), to / e.path().filename(), fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
}

/// Runs git in a repository with a fixed identity (and `env` added); requires success; its output.
inline std::string fixture_git(const fs::path& repo, std::vector<std::string> args,
                               const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), {"git", "-C", repo.string()});
  RunOptions options;
  options.env = {{"GIT_AUTHOR_NAME", "dkm test"}, {"GIT_AUTHOR_EMAIL", "test@example.org"},
                 {"GIT_COMMITTER_NAME", "dkm test"}, {"GIT_COMMITTER_EMAIL", "test@example.org"},
                 {"GIT_CONFIG_NOSYSTEM", "1"}, {"HOME", repo.parent_path().string()}};
  for (const auto& [k, v] : env) options.env[k] = v;
  RunResult r = run_process(args, options);
  INFO(join(args, " ") << "\n" << r.output);
  REQUIRE(r.ok());
  return r.output;
}

/// The commit at HEAD of a repository.
inline std::string git_head(const fs::path& repo) { return std::string(trim(fixture_git(repo, {"rev-parse", "HEAD"}))); }

/// A fixture directory made a git repository of one commit (its committer `env`).
inline void make_fixture_repository(const std::string& name, const fs::path& repo,
                                    const std::map<std::string, std::string>& env = {}) {
  copy_tree_except(fixtures_dir() / name, repo);
  fixture_git(repo, {"init", "-q", "-b", "main"});
  fixture_git(repo, {"add", "-A"});
  fixture_git(repo, {"commit", "-q", "-m", "import " + name}, env);
}

/// The npm fixture as a release tarball (top directory hello-npm-1.0.0/), with `file`'s
/// content replaced when given; its sha256.
inline std::string make_npm_archive(const fs::path& archive, const std::string& file = "", const std::string& content = "") {
  TempDir staging("dkm-npm-");
  fs::path top = staging.path() / "hello-npm-1.0.0";
  copy_tree_except(fixtures_dir() / "hello-npm", top);
  if (!file.empty()) write_file_atomic(top / file, content);
  REQUIRE(run({"tar", "-czf", archive.string(), "-C", staging.path().string(), "hello-npm-1.0.0"}).ok());
  return pack::sha256_file(archive);
}

/// Where the fixture sources were made, for the recipes' placeholders.
struct FixtureSources {
  fs::path repos;                ///< hello-go and hello-autotools (tag v1.0) as git repositories
  fs::path archives;             ///< hello-npm-1.0.0.tar.gz
  std::string autotools_commit;  ///< what v1.0 of hello-autotools points to
  std::string npm_sha256;        ///< the tarball's sha256
};

/// Makes the fixture sources under `root` (repos/, archives/).
inline FixtureSources make_fixture_sources(const fs::path& root) {
  FixtureSources s{root / "repos", root / "archives", "", ""};
  fs::create_directories(s.repos);
  fs::create_directories(s.archives);
  for (const std::string name : {"hello-go", "hello-autotools"}) make_fixture_repository(name, s.repos / name);
  fixture_git(s.repos / "hello-autotools", {"tag", "-a", "v1.0", "-m", "release 1.0"});
  s.autotools_commit = git_head(s.repos / "hello-autotools");
  s.npm_sha256 = make_npm_archive(s.archives / "hello-npm-1.0.0.tar.gz");
  return s;
}

/// Writes tests/fixtures/pack-recipes into `recipes`, pointed at `sources`.
inline void write_fixture_recipes(const FixtureSources& sources, const fs::path& recipes) {
  fs::create_directories(recipes);
  for (const auto& entry : fs::directory_iterator(fixtures_dir() / "pack-recipes")) {
    if (entry.path().extension() != ".toml") continue;
    std::string text = read_file(entry.path());
    text = replace_every(text, "@REPOS@", sources.repos.string());
    text = replace_every(text, "@ARCHIVES@", sources.archives.string());
    text = replace_every(text, "@NPM_SHA256@", sources.npm_sha256);
    text = replace_every(text, "@AUTOTOOLS_COMMIT@", sources.autotools_commit);
    if (entry.path().filename() == "bundle.toml") text = allow_front_end_libraries(text);
    write_file_atomic(recipes / entry.path().filename(), text);
  }
}

/// The fixture components of bundle.toml, in bundle order.
inline const std::vector<std::string>& fixture_components() {
  static const std::vector<std::string> names = {"hello-go", "hello-npm", "hello-autotools"};
  return names;
}

/// Stamp times of every step of some components ("NAME STEP" -> mtime, -1 when absent).
using StampTimes = std::map<std::string, int64_t>;

/// The stamp times of every step of `names` in `layout`.
inline StampTimes stamp_times(const pack::BuildLayout& layout, const std::vector<std::string>& names = fixture_components()) {
  StampTimes out;
  for (const auto& name : names)
    for (pack::Step step : pack::kSteps) out[name + " " + std::string(pack::to_string(step))] = mtime_ns(layout.stamp(name, step));
  return out;
}

}  // namespace dkm::test
