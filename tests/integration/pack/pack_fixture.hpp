#pragma once
// The world of a dkmpack integration test: the fixture projects served from real git
// repositories (hello-go on branch main, hello-autotools at annotated tag v1.0, hello-web at
// tag v2.0 committed at kWebCommitTime) and a real .tar.gz (hello-npm), recipes written
// from tests/fixtures/pack-recipes, and a build directory, all in one temporary directory.
// Steps are observed through their stamps.

#include "pack_fixtures.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/sha256.hpp>

#include "pack/builders.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// The committer time of hello-web's v2.0 (2021-03-04 05:06:07 UTC): its ${commit_time}.
inline constexpr int64_t kWebCommitTime = 1614834367;

using StampTimes = std::map<std::string, int64_t>;

class PackFixture {
 public:
  PackFixture() : dir_("dkm-pack-"), layout_(dir_.path() / "build") {
    FixtureSources sources = make_fixture_sources(root());
    autotools_commit_ = sources.autotools_commit;
    npm_sha256_ = sources.npm_sha256;
    std::string date = "@" + std::to_string(kWebCommitTime) + " +0000";
    make_fixture_repository("hello-web", repos() / "hello-web", {{"GIT_COMMITTER_DATE", date}, {"GIT_AUTHOR_DATE", date}});
    fixture_git(repos() / "hello-web", {"tag", "v2.0"});
    write_fixture_recipes(sources, recipes());
  }

  /// The test's temporary directory.
  const fs::path& root() const { return dir_.path(); }
  /// Where the git repositories are.
  fs::path repos() const { return root() / "repos"; }
  /// Where the archives are (served as file:// URLs).
  fs::path archives() const { return root() / "archives"; }
  /// The recipes directory given to --recipes.
  fs::path recipes() const { return root() / "recipes"; }
  /// The build directory given to --build-dir.
  const pack::BuildLayout& layout() const { return layout_; }
  /// The commit tag v1.0 of hello-autotools points to.
  const std::string& autotools_commit() const { return autotools_commit_; }
  /// The sha256 of hello-npm-1.0.0.tar.gz.
  const std::string& npm_sha256() const { return npm_sha256_; }

  /// Runs dkmpack on the fixture recipes and build directory, output captured.
  RunResult dkmpack(std::vector<std::string> args = {}) const {
    std::vector<std::string> argv = {tool("dkmpack").string(), "--recipes", recipes().string(), "--build-dir",
                                     layout_.root().string()};
    if (std::find(args.begin(), args.end(), "-j") == args.end()) argv.insert(argv.end(), {"-j", "2"});
    // The engine's tests stop at the staged bundle: packaging is tests/integration/bundle's.
    if (std::find(args.begin(), args.end(), "--skip-archive") == args.end()) argv.push_back("--skip-archive");
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  /// Runs dkmpack and requires success, printing its output otherwise.
  RunResult dkmpack_ok(std::vector<std::string> args = {}) const {
    RunResult r = dkmpack(std::move(args));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return r;
  }

  /// Runs git in a repository (with `env` added to its environment); requires success.
  static std::string git(const fs::path& repo, std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    return fixture_git(repo, std::move(args), env);
  }
  /// The commit at HEAD of a repository.
  static std::string head(const fs::path& repo) { return git_head(repo); }
  /// Writes a file in a repository and commits it on its current branch.
  void commit_file(const std::string& component, const std::string& file, const std::string& content) const {
    fs::path repo = repos() / component;
    write_file_atomic(repo / file, content);
    git(repo, {"add", "-A"});
    git(repo, {"commit", "-q", "-m", "change " + file});
  }

  /// Makes the npm tarball (top directory hello-npm-1.0.0/) with one file's content replaced.
  void make_npm_archive(const fs::path& archive, const std::string& file, const std::string& content) const {
    test::make_npm_archive(archive, file, content);
  }
  /// Replaces text in a recipe (requires that it is there).
  void edit_recipe(const std::string& name, const std::string& from, const std::string& to) const {
    fs::path file = recipes() / (name + ".toml");
    std::string text = read_file(file);
    REQUIRE(text.find(from) != std::string::npos);
    write_file_atomic(file, replace_every(text, from, to));
  }

  /// Makes bundle.toml list exactly these components (hello-web is in none by default).
  void set_bundle(const std::vector<std::string>& components) const {
    std::string list;
    for (const auto& c : components) list += (list.empty() ? "\"" : ", \"") + c + "\"";
    write_file_atomic(recipes() / "bundle.toml",
                      allow_front_end_libraries("name = \"fixtures\"\nversion = \"0.0.1\"\ncomponents = [" + list +
                                                "]\n[health]\nallow = []\n"));
  }

  /// Stamp times of every step of the given components (default: the bundle's three).
  StampTimes stamps(const std::vector<std::string>& names = fixture_components()) const { return stamp_times(layout_, names); }
  /// The steps whose stamps changed between two snapshots ("NAME STEP").
  static std::set<std::string> ran_between(const StampTimes& before, const StampTimes& after) {
    std::set<std::string> out;
    for (const auto& [id, t] : after)
      if (t != -1 && t != before.at(id)) out.insert(id);
    return out;
  }
  /// "NAME STEP" for each of the given steps of a component.
  static std::set<std::string> steps_of(const std::string& name, std::vector<std::string> steps = {"fetch", "patch", "configure", "build", "install"}) {
    std::set<std::string> out;
    for (const auto& s : steps) out.insert(name + " " + s);
    return out;
  }

  /// Runs an installed program of a component (path relative to its install tree).
  std::string run_installed(const std::string& component, const std::string& program) const {
    fs::path p = layout_.install_dir(component) / program;
    RunResult r = run({p.string()});
    INFO(p.string() << ": " << r.output);
    REQUIRE(r.ok());
    return r.output;
  }

  /// The content digest of every file of a component's install tree (relative path → sha256).
  std::map<std::string, std::string> install_digests(const std::string& component) const {
    std::map<std::string, std::string> out;
    fs::path dir = layout_.install_dir(component);
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) out[e.path().lexically_relative(dir).string()] = pack::sha256_file(e.path());
    return out;
  }

 private:
  TempDir dir_;
  pack::BuildLayout layout_;
  std::string autotools_commit_;
  std::string npm_sha256_;
};

}  // namespace dkm::test
