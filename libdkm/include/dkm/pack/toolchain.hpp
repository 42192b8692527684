#pragma once
// Toolchains: finding `go`, `node`, `make`… and checking them against a recipe's
// [requires] before any step runs. `go` is also looked for in /usr/lib/go-X.Y/bin, where
// Debian's golang-X.Y-go packages put it, so `go >= 1.24` finds golang-1.24-go even
// when PATH's go is Debian 12's 1.19. The outside world (PATH, running TOOL --version)
// sits behind two functions so the choice is unit-tested.

#include <dkm/core/files.hpp>
#include <dkm/pack/recipe.hpp>
#include <dkm/pack/version.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dkm::pack {

/// A tool chosen for a component.
struct Tool {
  std::string name;  ///< "go"
  fs::path path;     ///< canonical path of the program
  Version version;   ///< as the program reports it
};

/// Where `tool` may be, in order of preference: each PATH directory, then for go every
/// ROOT/go-X.Y/bin/go, newest first. Symlinks resolved, duplicates dropped.
std::vector<fs::path> tool_candidates(const std::string& tool, const std::string& path_var,
                                      const fs::path& go_roots = "/usr/lib");

/// The version a program reports (`go version`, else `TOOL --version`); nullopt when none.
std::optional<Version> probe_version(const std::string& tool, const fs::path& program);

/// Remembers versions by program path, size and modification time, so a no-op run starts
/// no toolchain process. Stored as JSON in the build directory.
class VersionCache {
 public:
  /// A cache backed by `file` (read now if it exists; unreadable content is ignored).
  explicit VersionCache(fs::path file);
  /// The version of `program`, probed only when it is new or changed on disk.
  std::optional<Version> version_of(const std::string& tool, const fs::path& program);
  /// Writes the cache back when it changed.
  void save() const;

 private:
  struct Entry {
    uintmax_t size = 0;
    int64_t mtime_ns = 0;
    std::string version;
  };
  fs::path file_;
  std::map<std::string, Entry> entries_;
  bool dirty_ = false;
};

/// Chooses a tool for a recipe.
class ToolFinder {
 public:
  using Candidates = std::function<std::vector<fs::path>(const std::string& tool)>;
  using Probe = std::function<std::optional<Version>(const std::string& tool, const fs::path& program)>;

  /// A finder over the given candidate lister and version probe.
  ToolFinder(Candidates candidates, Probe probe) : candidates_(std::move(candidates)), probe_(std::move(probe)) {}

  /// The first candidate that satisfies every requirement of `recipe` on `tool`. Throws
  /// Error naming the recipe's line, the tool, the versions found and the version needed.
  Tool find(const std::string& tool, const Recipe& recipe) const;

 private:
  Candidates candidates_;
  Probe probe_;
};

/// The tools a builder runs by itself (go for go, node and npm or yarn for npm, make for
/// autotools), in addition to the recipe's [requires].
std::vector<std::string> implicit_tools(const BuildSpec& build);

/// Every tool a recipe needs (implicit ones first, then [requires]), each once.
std::vector<std::string> needed_tools(const Recipe& recipe);

}  // namespace dkm::pack
