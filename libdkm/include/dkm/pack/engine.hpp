#pragma once
// dkmpack's top level: what the front end's flags do. A build run loads the recipes,
// checks every toolchain, resolves every source, writes each component's plan and step
// keys, regenerates build.ninja, and runs ninja once. --list, --clean and --skip-build
// read or change the same build directory.
// Implementation: libdkm/src/pack/engine.cpp.

#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/recipe.hpp>

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dkm::pack {

/// The flags of a dkmpack run.
struct PackOptions {
  fs::path recipes_dir = "recipes";          ///< --recipes
  fs::path build_dir = "build/dkmpack";      ///< --build-dir
  fs::path dist_dir = "build/dist";          ///< --dist-dir
  int jobs = 0;                              ///< -j; 0: the number of processors
  std::vector<std::string> only;             ///< --only NAME, repeatable; empty: every component
  std::optional<fs::path> mirror;            ///< --mirror DIR
  std::map<std::string, fs::path> sources;   ///< --source NAME=PATH
  bool verbose = false;                      ///< --verbose
  bool skip_build = false;                   ///< --skip-build
  bool skip_archive = false;                 ///< --skip-archive
  fs::path self;                             ///< this dkmpack executable, called by build.ninja
};

/// -j's value: `jobs`, or the number of processors when 0.
int effective_jobs(int jobs);

/// The recipes selected by --only (every one without it), in build order. Throws
/// UsageError when --only or --source names no recipe of the set.
std::vector<Recipe> selected_recipes(const RecipeSet& set, const PackOptions& options);

/// A build run: plans, build.ninja, one ninja invocation; progress on `out`. Returns the
/// exit code (1 when a step failed, with the failed steps and their logs named).
int build_components(const PackOptions& options, std::ostream& out);

/// --skip-build: throws UsageError unless every selected component is built.
std::vector<Recipe> require_built(const PackOptions& options);

/// --list: each component's version, source, cache state and build state, then the
/// toolchains chosen for each (or why a component cannot build).
void list_components(const PackOptions& options, std::ostream& out);

/// --clean NAME: removes BUILD/NAME (the download cache stays). Throws UsageError for a
/// name that no recipe has.
void clean_components(const PackOptions& options, const std::vector<std::string>& names, std::ostream& out);

}  // namespace dkm::pack
