#pragma once
// Toolchains: finding `go`, `node`, `make`… and checking them against a recipe's
// [requires] before any step runs. A tool is looked for on PATH first, then in the
// toolchain directories, the oldest first; the first one whose version satisfies every
// requirement wins. The toolchain directories are:
//   /usr/lib/go-X.Y/bin            Debian's golang-X.Y-go packages (go only)
//   /opt/dkm-toolchains/NAME-X.Y/bin  toolchains cmake/install-deps.sh --packaging installs
//                                  outside the system (node and yarn: node-24.11.0/bin), any tool
// so `go >= 1.24` takes golang-1.24-go (not 1.26) when PATH's go is Debian 12's 1.19, and
// `node >= 22` the node of /opt/dkm-toolchains when the system's is older. The directory a
// tool was found in comes first on the steps' PATH (unless PATH already finds that tool
// there), so scripts calling `node` or `go` by name get the chosen one. The outside world
// (PATH, directories, running TOOL --version) sits behind two functions so the choice is
// unit-tested.
// Implementation: libdkm/src/pack/toolchain.cpp.

#include <dkm/core/files.hpp>
#include <dkm/pack/recipe.hpp>

#include "version.hpp"

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
  fs::path dir{};    ///< put first on the steps' PATH; empty when PATH already finds this program first
};

/// A place where a tool may be.
struct ToolCandidate {
  fs::path program;      ///< canonical path of the program
  fs::path dir;          ///< the directory it was found in, as listed (PATH entry or toolchain bin/)
  bool first_on_path = false;  ///< the program PATH itself finds for that name
};

/// Where toolchains outside PATH are looked for.
struct ToolchainRoots {
  fs::path debian_go = "/usr/lib";              ///< holds go-X.Y/bin (Debian's golang-X.Y-go)
  fs::path toolchains = "/opt/dkm-toolchains";  ///< holds NAME-X.Y/bin (any tool)
};

/// The toolchain directories that may hold `tool`, oldest version first (by the X.Y of
/// their names; Debian's go directories only for go).
std::vector<fs::path> toolchain_dirs(const std::string& tool, const ToolchainRoots& roots = {});

/// Where `tool` may be, in order of preference: each PATH directory, then each toolchain
/// directory, oldest first. Symlinks resolved, duplicates dropped.
std::vector<ToolCandidate> tool_candidates(const std::string& tool, const std::string& path_var,
                                           const ToolchainRoots& roots = {});

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
  using Candidates = std::function<std::vector<ToolCandidate>(const std::string& tool)>;
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

/// The tools a build runs by itself (go for go, node and npm or yarn for npm, make for
/// autotools and for `generate`), in addition to the recipe's [requires].
std::vector<std::string> implicit_tools(const BuildSpec& build);

/// Every tool a recipe needs (each build's implicit ones first, then [requires]), each once.
std::vector<std::string> needed_tools(const Recipe& recipe);

}  // namespace dkm::pack
