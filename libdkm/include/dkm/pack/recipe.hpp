#pragma once
// The recipe model: what recipes/NAME.toml and recipes/bundle.toml say, validated.
// The format is documented in recipes/README.md. Loading checks every key, type and
// value and throws UsageError("FILE:LINE: key 'x': message") at the first fault.
// Strings keep their ${...} placeholders; expand() fills them per component.
// Implementation: libdkm/src/pack/recipe.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::pack {

/// Where a component's source comes from.
enum class SourceType { git, archive, path };

/// "git", "archive" or "path".
std::string_view to_string(SourceType type);

/// The [source] table of a recipe.
struct SourceSpec {
  SourceType type = SourceType::path;
  std::string url;                 ///< git: repository URL; archive: download URL
  std::string tag;                 ///< git: tag to check out
  std::string branch;              ///< git: branch to follow (rebuilds on new commits)
  std::string commit;              ///< git: 40 hex; alone: the commit; with tag: the pin
  std::string sha256;              ///< archive: mandatory digest, 64 lowercase hex
  int strip_components = 1;        ///< archive: leading directories dropped
  fs::path path;                   ///< path: absolute directory
  std::vector<fs::path> patches;   ///< absolute paths, applied in order with -p1
  long line = 0;                   ///< line of [source], for messages

  /// The archive's file name: the URL's last segment without query or fragment.
  std::string archive_file_name() const;
  /// What is checked out, for people: "tag v1 (pinned 9a857e8f)", "branch main", "sha256 ab12…".
  std::string ref_description() const;
};

/// One line of [requires]: `go = ">= 1.24"`.
struct ToolRequirement {
  std::string tool;     ///< program name looked up in PATH, then in the toolchain directories (toolchain.hpp)
  std::string op;       ///< ">=", ">", "=", "<=" or "<"
  std::string version;  ///< dotted numbers, e.g. "1.24"
  long line = 0;        ///< line in the recipe

  /// "go >= 1.24".
  std::string text() const { return tool + " " + op + " " + version; }
};

/// Which builder drives the configure, build and install steps.
enum class BuildSystem { go, npm, autotools, command };

/// "go", "npm", "autotools" or "command".
std::string_view to_string(BuildSystem system);

/// One build of a recipe: the [build] table, or one of its [[build]] tables. Only the
/// fields of `system` are set; the others keep their defaults.
struct BuildSpec {
  BuildSystem system = BuildSystem::command;
  long line = 0;  ///< line of [build] or of this [[build]]
  std::string key = "build";  ///< its name in messages: "build", or "build[1]" for the second [[build]]

  // every system
  std::vector<std::string> generate;        ///< upstream make targets run (make T1 T2 ...) before configuring

  // go
  std::string package = ".";                ///< main package, relative to the source tree
  std::string output;                       ///< go: binary name (default: the recipe's name); npm: directory
  bool cgo = false;                         ///< CGO_ENABLED
  std::string ldflags;                      ///< passed as -ldflags
  std::vector<std::string> tags;            ///< passed as -tags a,b

  // npm
  std::string script = "build";             ///< `npm run SCRIPT`
  bool yarn = false;                        ///< yarn instead of npm
  std::string destination;                  ///< where in the install tree output's content goes ("" = its root)

  // autotools
  std::vector<std::string> bootstrap;       ///< argv run before configure (else autoreconf -fi without configure)
  std::vector<std::string> configure_args;  ///< after --prefix=PREFIX
  std::string prefix = "/usr";              ///< --prefix
  std::vector<std::string> make_args;       ///< given to make and make install

  // command
  std::vector<std::vector<std::string>> configure_commands;  ///< [build] configure = [[argv], ...]
  std::vector<std::vector<std::string>> build_commands;      ///< [build] build = [[argv], ...]
  std::vector<std::vector<std::string>> install_commands;    ///< [build] install = [[argv], ...]
};

/// The tree a [[stage]] rule reads: the installed files, or the source tree itself.
enum class StageTreeKind { install, source };

/// One [[stage]] rule: installed files (glob) to a place in the bundle.
struct StageRule {
  std::string from;  ///< glob relative to the component's install tree (or source tree)
  std::string to;    ///< bundle-relative; a trailing "/" means "into this directory"
  StageTreeKind tree = StageTreeKind::install;  ///< tree = "install" (default) or "source"
  long line = 0;     ///< line in the recipe
};

/// A component recipe, recipes/NAME.toml.
struct Recipe {
  fs::path file;                                  ///< absolute path of the recipe
  std::string name;                               ///< equals the file's stem
  std::string version;
  std::string description;
  std::string homepage;
  std::string license;                            ///< SPDX expression
  std::vector<std::string> license_files;         ///< relative to the source tree
  SourceSpec source;
  std::vector<ToolRequirement> requirements;      ///< [requires], in file order
  std::map<std::string, std::string> env;         ///< [env]
  std::map<std::string, long> env_lines;          ///< line of each [env] entry
  std::vector<BuildSpec> builds;                  ///< [build], or every [[build]] in file order (never empty)
  std::vector<StageRule> stage;                   ///< [[stage]], in file order
};

/// recipes/bundle.toml: the bundle's name, version and components.
struct BundleDescription {
  fs::path file;                          ///< absolute path of bundle.toml
  std::string name;
  std::string version;
  std::vector<std::string> components;    ///< recipe names, in build and manifest order
  long components_line = 0;               ///< line of `components`
  std::vector<std::string> health_allow;  ///< [health] allow: extra shared libraries ELF files may need
};

/// The recipes of one directory, in the order they are built.
struct RecipeSet {
  fs::path dir;                             ///< absolute recipes directory
  std::optional<BundleDescription> bundle;  ///< bundle.toml when the directory has one
  std::vector<Recipe> recipes;              ///< bundle.toml's components, else every NAME.toml by name

  /// The recipe called `name`, or nullptr.
  const Recipe* find(std::string_view name) const;
};

/// Parses a recipe's text; `file` names it in messages and anchors its relative paths.
Recipe parse_recipe(std::string_view text, const fs::path& file);
/// Reads and parses recipes/NAME.toml.
Recipe load_recipe(const fs::path& file);
/// Parses bundle.toml's text.
BundleDescription parse_bundle(std::string_view text, const fs::path& file);
/// Reads and parses bundle.toml.
BundleDescription load_bundle(const fs::path& file);
/// Loads a recipes directory: bundle.toml's components when it exists, else every *.toml.
RecipeSet load_recipe_set(const fs::path& dir);

/// Values for ${name}, ${version}, ${commit}, ${commit_time}, ${source_dir}, ${install_dir}, ${jobs}.
using Variables = std::map<std::string, std::string>;
/// The placeholders recipes may use.
const std::vector<std::string>& known_variables();
/// Replaces ${var} by its value and $$ by $. Placeholders absent from `vars` stay as they are.
std::string expand(std::string_view text, const Variables& vars);

/// Why `name` cannot name a component, empty when it can: [a-z0-9][a-z0-9._+-]*, at most
/// 64 characters, and none of the build directory's own entries (BuildLayout::own_entries).
std::string component_name_problem(std::string_view name);
/// True for a valid component name (component_name_problem() has nothing to say).
bool valid_component_name(std::string_view name);

}  // namespace dkm::pack
