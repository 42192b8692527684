#pragma once
// A component's plan: its recipe with placeholders filled, its source resolved for this
// run (commit, sha256 or tree fingerprint), its toolchains, and one key per step. dkmpack
// writes it to BUILD/NAME/plan.json before ninja runs; each step reads it back.
//
// A step's key hashes every input that can change the step's output, chained so that a
// step's key covers the steps before it:
//   fetch      source kind, ref, resolved revision (commit, sha256, fingerprint), path
//   patch      + strip_components, each patch's name and content digest
//   configure  + builder revision, [env], toolchain versions, each build's system, generate
//              and configure fields
//   build      + each build's build fields (go: package, output, cgo, ldflags, tags; …)
//   install    + each build's install fields, name, version, license, license_files, url,
//              --source or not
// ${commit_time} is not filled here but when a step runs (from NAME/commit_time, which the
// patch step writes): it follows from the revision, which the keys already cover.
// The URL or mirror a revision was read from is not part of any key: a mirror builds the same bytes.
// Implementation: libdkm/src/pack/plan.cpp.

#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/recipe.hpp>

#include "toolchain.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dkm::pack {

/// Bumped when a builder's commands change, so every component built by it is rebuilt.
inline constexpr int kBuilderRevision = 2;

/// A component's source as resolved for this run.
struct ResolvedSource {
  std::string location;     ///< git or archive: the URL or mirror path read; path: the directory
  bool from_mirror = false;  ///< location is in the --mirror directory
  bool override = false;     ///< --source NAME=PATH replaced the recipe's source
  std::string revision;      ///< git: commit; archive: sha256; path: tree fingerprint; "" when unknown
};

/// How sources are looked for this run.
struct SourceOptions {
  std::optional<fs::path> mirror;  ///< --mirror DIR: DIR/NAME.git, DIR/FILE first
  bool offline = false;            ///< resolve from the cache only (--list); unknown stays ""
};

/// Everything the steps of one component run with.
struct ComponentPlan {
  Recipe recipe;                             ///< placeholders filled (but ${jobs}); --source applied
  ResolvedSource source;
  std::vector<Tool> tools;                   ///< chosen toolchains, implicit ones first
  std::array<std::string, kSteps.size()> keys;  ///< key of each step, in step order

  /// The key of one step.
  const std::string& key(Step step) const { return keys[static_cast<size_t>(step)]; }
  /// The chosen tool called `name`, or nullptr.
  const Tool* tool(const std::string& name) const;
};

/// Replaces a recipe's source by the directory of `--source NAME=PATH` (patches kept).
Recipe with_source_override(Recipe recipe, const fs::path& path);

/// Where the component's source is this run: the commit a tag or branch points to (asking
/// the remote, or the mirror, when the cache cannot answer), the archive's sha256, the
/// directory's fingerprint. Throws Error naming the recipe line, the URL and --mirror when
/// the remote cannot be read, or when a pinned tag moved. `warnings` gets what the user
/// should know (a branch checked against the cache because the remote is unreachable).
ResolvedSource resolve_source(const Recipe& recipe, const BuildLayout& layout, const SourceOptions& options,
                              std::vector<std::string>& warnings);

/// Calls `visit` with every entry under `dir` and its lstat, the `.git` directory left out
/// (a local source's work tree); an unreadable directory is an error naming it.
void for_each_tree_entry(const fs::path& dir, const std::function<void(const fs::path&, const struct stat&)>& visit);

/// A digest of a directory's file names, types, sizes, modes and modification times
/// (.git left out): a local source changes its fingerprint when a file changes.
std::string tree_fingerprint(const fs::path& dir);

/// The plan of a component: placeholders filled, keys computed.
ComponentPlan make_plan(const Recipe& recipe, const ResolvedSource& source, std::vector<Tool> tools,
                        const BuildLayout& layout);

/// The plan as JSON (what plan.json holds).
nlohmann::json plan_to_json(const ComponentPlan& plan);
/// A plan read back from JSON; throws Error on malformed content.
ComponentPlan plan_from_json(const nlohmann::json& json);
/// Reads BUILD/NAME/plan.json.
ComponentPlan read_plan(const fs::path& file);

/// The environment every step of the plan runs with, on top of dkmpack's own: the chosen
/// toolchains' directories first on PATH (those PATH does not already find first),
/// GOPATH/GOCACHE/npm caches inside the build directory, GOTOOLCHAIN=local, then the
/// recipe's [env]. (The step adds SOURCE_DATE_EPOCH, see step_runner.hpp.)
std::map<std::string, std::string> step_environment(const ComponentPlan& plan, const BuildLayout& layout,
                                                    const std::string& inherited_path);

}  // namespace dkm::pack
